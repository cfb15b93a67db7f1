"""The agency trees the sample is generated for (docs/spec §2.3).

Agency codes follow the shape of the national electronic identifiers of agencies
(``G1.G2.G3.Hxx``: three numeric groups and the province's letter code, H32 for Khánh Hòa):

==================================  ======================  ==========================
unit                                code                    example
==================================  ======================  ==========================
provincial people's committee        ``000.00.00.H32``       UBND tỉnh Khánh Hòa
department or the service centre     ``000.00.NN.H32``       NN = 01..22
district-level people's committee    ``000.00.NN.H32``       NN = 31..39
commune, ward or township            ``000.MM.NN.H32``       NN = its district, MM = 01..
==================================  ======================  ==========================

so a commune's code carries its district's ``NN`` and can be told apart from a department's by
its second group. The district and commune lists are hand-copied from the GSO code list as it
stood before the July 2025 reorganisation (the pipeline's plans are dated 2023 and 2025), with
the GSO codes as ``admin_code``; the generator never fetches them.

The ``national`` tree is a synthetic benchmark tree of the same shape: one root, about 700
district-level units and about 3,300 communes, with generated names and codes that reuse the
pattern above with a per-block province suffix (``H01``..), so that ``NN`` stays two digits.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE_SUFFIX = "H32"
ROOT_CODE = f"000.00.00.{PROVINCE_SUFFIX}"
NHA_TRANG_CODE = f"000.00.31.{PROVINCE_SUFFIX}"


@dataclass(frozen=True)
class Unit:
    """One row of agencies.csv, plus the relative dossier volume the generator gives the unit."""

    code: str
    name: str
    kind: str
    parent: str | None
    admin_code: str | None = None
    weight: float = 0.0
    key: str = ""
    """For departments: the key the procedure catalogue uses to name its owner."""
    place: str = ""
    """For communes: the short place name used in applicants' addresses (``P. Lộc Thọ``)."""


# (key, name, relative yearly dossier volume). The order fixes the NN of each code.
DEPARTMENTS: list[tuple[str, str, float]] = [
    ("stp", "Sở Tư pháp", 6.0),
    ("skhdt", "Sở Kế hoạch và Đầu tư", 6.0),
    ("stc", "Sở Tài chính", 0.8),
    ("sxd", "Sở Xây dựng", 2.0),
    ("sgtvt", "Sở Giao thông vận tải", 12.0),
    ("stnmt", "Sở Tài nguyên và Môi trường", 16.0),
    ("sldtbxh", "Sở Lao động - Thương binh và Xã hội", 5.0),
    ("syt", "Sở Y tế", 3.0),
    ("sgddt", "Sở Giáo dục và Đào tạo", 1.5),
    ("sct", "Sở Công Thương", 3.0),
    ("snnptnt", "Sở Nông nghiệp và Phát triển nông thôn", 3.0),
    ("svhtt", "Sở Văn hóa và Thể thao", 0.8),
    ("sdl", "Sở Du lịch", 1.2),
    ("stttt", "Sở Thông tin và Truyền thông", 0.5),
    ("skhcn", "Sở Khoa học và Công nghệ", 0.4),
    ("snv", "Sở Nội vụ", 0.8),
    ("sngv", "Sở Ngoại vụ", 0.3),
    ("bqlkkt", "Ban Quản lý Khu kinh tế Vân Phong", 0.6),
    ("ca", "Công an tỉnh", 8.0),
    ("tt", "Thanh tra tỉnh", 0.2),
    ("bdt", "Ban Dân tộc", 0.1),
]
CENTER_NAME = "Trung tâm Phục vụ hành chính công tỉnh"
CENTER_WEIGHT = 4.0

# (GSO code, name, district-level volume, volume of each of its communes, communes).
# The order fixes NN = 31.. of each district; communes keep the GSO order.
DISTRICTS: list[tuple[int, str, float, float, list[tuple[int, str]]]] = [
    (568, "Thành phố Nha Trang", 9.0, 1.3, [
        (22327, "Phường Vĩnh Hòa"), (22330, "Phường Vĩnh Hải"), (22333, "Phường Vĩnh Phước"),
        (22336, "Phường Ngọc Hiệp"), (22339, "Phường Vĩnh Thọ"), (22348, "Phường Vạn Thạnh"),
        (22351, "Phường Phương Sài"), (22357, "Phường Phước Hải"), (22363, "Phường Lộc Thọ"),
        (22366, "Phường Tân Tiến"), (22372, "Phường Phước Hòa"), (22375, "Phường Vĩnh Nguyên"),
        (22378, "Phường Phước Long"), (22381, "Phường Vĩnh Trường"), (22384, "Xã Vĩnh Lương"),
        (22387, "Xã Vĩnh Phương"), (22390, "Xã Vĩnh Ngọc"), (22393, "Xã Vĩnh Thạnh"),
        (22396, "Xã Vĩnh Trung"), (22399, "Xã Vĩnh Hiệp"), (22402, "Xã Vĩnh Thái"),
        (22405, "Xã Phước Đồng"),
    ]),
    (569, "Thành phố Cam Ranh", 3.5, 0.9, [
        (22408, "Phường Cam Nghĩa"), (22411, "Phường Cam Phúc Bắc"), (22414, "Phường Cam Phúc Nam"),
        (22417, "Phường Cam Lộc"), (22420, "Phường Cam Phú"), (22423, "Phường Ba Ngòi"),
        (22426, "Phường Cam Thuận"), (22429, "Phường Cam Lợi"), (22432, "Phường Cam Linh"),
        (22468, "Xã Cam Thành Nam"), (22474, "Xã Cam Phước Đông"), (22477, "Xã Cam Thịnh Tây"),
        (22480, "Xã Cam Thịnh Đông"), (22483, "Xã Cam Lập"), (22486, "Xã Cam Bình"),
    ]),
    (572, "Thị xã Ninh Hòa", 3.5, 0.7, [
        (22528, "Phường Ninh Hiệp"), (22531, "Xã Ninh Sơn"), (22534, "Xã Ninh Tây"),
        (22537, "Xã Ninh Thượng"), (22540, "Xã Ninh An"), (22543, "Phường Ninh Hải"),
        (22546, "Xã Ninh Thọ"), (22549, "Xã Ninh Trung"), (22552, "Xã Ninh Sim"),
        (22555, "Xã Ninh Xuân"), (22558, "Xã Ninh Thân"), (22561, "Phường Ninh Diêm"),
        (22564, "Xã Ninh Đông"), (22567, "Phường Ninh Thủy"), (22570, "Phường Ninh Đa"),
        (22573, "Xã Ninh Phụng"), (22576, "Xã Ninh Bình"), (22582, "Xã Ninh Phú"),
        (22585, "Xã Ninh Tân"), (22588, "Xã Ninh Quang"), (22591, "Phường Ninh Giang"),
        (22594, "Phường Ninh Hà"), (22597, "Xã Ninh Hưng"), (22600, "Xã Ninh Lộc"),
        (22603, "Xã Ninh Ích"), (22606, "Xã Ninh Phước"),
    ]),
    (571, "Huyện Vạn Ninh", 2.5, 0.6, [
        (22489, "Thị trấn Vạn Giã"), (22492, "Xã Đại Lãnh"), (22495, "Xã Vạn Phước"),
        (22498, "Xã Vạn Long"), (22501, "Xã Vạn Bình"), (22504, "Xã Vạn Thọ"),
        (22507, "Xã Vạn Khánh"), (22510, "Xã Vạn Phú"), (22513, "Xã Vạn Lương"),
        (22516, "Xã Vạn Thắng"), (22519, "Xã Vạn Thạnh"), (22522, "Xã Xuân Sơn"),
        (22525, "Xã Vạn Hưng"),
    ]),
    (574, "Huyện Diên Khánh", 3.0, 0.8, [
        (22651, "Thị trấn Diên Khánh"), (22654, "Xã Diên Lâm"), (22657, "Xã Diên Điền"),
        (22660, "Xã Xuân Đồng"), (22663, "Xã Diên Sơn"), (22669, "Xã Diên Phú"),
        (22672, "Xã Diên Thọ"), (22675, "Xã Diên Phước"), (22678, "Xã Diên Lạc"),
        (22681, "Xã Diên Tân"), (22684, "Xã Diên Hòa"), (22687, "Xã Diên Thạnh"),
        (22690, "Xã Diên Toàn"), (22693, "Xã Diên An"), (22696, "Xã Bình Lộc"),
        (22702, "Xã Suối Hiệp"), (22705, "Xã Suối Tiên"),
    ]),
    (573, "Huyện Khánh Vĩnh", 1.0, 0.3, [
        (22609, "Thị trấn Khánh Vĩnh"), (22612, "Xã Khánh Hiệp"), (22615, "Xã Khánh Bình"),
        (22618, "Xã Khánh Trung"), (22621, "Xã Khánh Đông"), (22624, "Xã Khánh Thượng"),
        (22627, "Xã Khánh Nam"), (22630, "Xã Sông Cầu"), (22633, "Xã Giang Ly"),
        (22636, "Xã Cầu Bà"), (22639, "Xã Liên Sang"), (22642, "Xã Khánh Thành"),
        (22645, "Xã Khánh Phú"), (22648, "Xã Sơn Thái"),
    ]),
    (575, "Huyện Khánh Sơn", 0.8, 0.3, [
        (22714, "Thị trấn Tô Hạp"), (22717, "Xã Thành Sơn"), (22720, "Xã Sơn Lâm"),
        (22723, "Xã Sơn Hiệp"), (22726, "Xã Sơn Bình"), (22729, "Xã Sơn Trung"),
        (22732, "Xã Ba Cụm Bắc"), (22735, "Xã Ba Cụm Nam"),
    ]),
    (570, "Huyện Cam Lâm", 2.0, 0.6, [
        (22435, "Xã Cam Tân"), (22438, "Xã Cam Hòa"), (22441, "Xã Cam Hải Đông"),
        (22444, "Xã Cam Hải Tây"), (22447, "Xã Sơn Tân"), (22450, "Xã Cam Hiệp Bắc"),
        (22453, "Thị trấn Cam Đức"), (22456, "Xã Cam Hiệp Nam"), (22459, "Xã Cam Phước Tây"),
        (22462, "Xã Cam Thành Bắc"), (22465, "Xã Cam An Bắc"), (22471, "Xã Cam An Nam"),
        (22708, "Xã Suối Cát"), (22711, "Xã Suối Tân"),
    ]),
    (576, "Huyện Trường Sa", 0.05, 0.02, [
        (22736, "Thị trấn Trường Sa"), (22737, "Xã Song Tử Tây"), (22739, "Xã Sinh Tồn"),
    ]),
]
FIRST_DISTRICT_NN = 31

_PREFIXES = {"Thành phố": "thành phố", "Thị xã": "thị xã", "Huyện": "huyện",
             "Phường": "phường", "Xã": "xã", "Thị trấn": "thị trấn"}
_SHORT = {"Phường": "P.", "Xã": "xã", "Thị trấn": "TT."}


def _committee_name(name: str) -> str:
    """``Phường Lộc Thọ`` → ``UBND phường Lộc Thọ``: dossiers are received by the committee."""
    for prefix, lower in _PREFIXES.items():
        if name.startswith(prefix + " "):
            return f"UBND {lower}{name[len(prefix):]}"
    return f"UBND {name}"


def _place(name: str) -> str:
    """``Phường Lộc Thọ`` → ``P. Lộc Thọ``, the way addresses abbreviate it."""
    for prefix, short in _SHORT.items():
        if name.startswith(prefix + " "):
            return f"{short}{name[len(prefix):]}"
    return name


def khanhhoa_tree() -> list[Unit]:
    """Khánh Hòa before July 2025: root, departments, the service centre, districts, communes."""
    units = [Unit(ROOT_CODE, "UBND tỉnh Khánh Hòa", "province", None, "56", 0.0)]
    for nn, (key, name, weight) in enumerate(DEPARTMENTS, start=1):
        units.append(Unit(f"000.00.{nn:02d}.{PROVINCE_SUFFIX}", name, "department", ROOT_CODE,
                          None, weight, key=key))
    center_nn = len(DEPARTMENTS) + 1
    units.append(Unit(f"000.00.{center_nn:02d}.{PROVINCE_SUFFIX}", CENTER_NAME, "center", ROOT_CODE,
                      None, CENTER_WEIGHT, key="center"))
    for nn, (gso, name, weight, commune_weight, communes) in enumerate(DISTRICTS, FIRST_DISTRICT_NN):
        district_code = f"000.00.{nn:02d}.{PROVINCE_SUFFIX}"
        units.append(Unit(district_code, _committee_name(name), "district", ROOT_CODE, str(gso),
                          weight, place=_place(name)))
        for mm, (commune_gso, commune_name) in enumerate(communes, start=1):
            ward_boost = 1.3 if commune_name.startswith("Phường") else 1.0
            units.append(Unit(f"000.{mm:02d}.{nn:02d}.{PROVINCE_SUFFIX}", _committee_name(commune_name),
                              "commune", district_code, str(commune_gso),
                              commune_weight * ward_boost, place=_place(commune_name)))
    return units


def national_tree(districts: int = 700, communes: int = 3300) -> list[Unit]:
    """A synthetic benchmark tree: one root, ``districts`` district units, ``communes`` communes.

    Districts are numbered in blocks of 12 per suffix ``H01``, ``H02`` … so every code keeps
    the two-digit groups of the real scheme; communes are spread evenly over the districts.
    """
    units = [Unit("000.00.00.H00", "Cơ quan chủ quản (mô phỏng)", "province", None, None, 0.0)]
    district_codes = []
    for i in range(districts):
        block, nn = divmod(i, 12)
        code = f"000.00.{nn + 1:02d}.H{block + 1:02d}"
        district_codes.append(code)
        units.append(Unit(code, f"UBND huyện Mô Phỏng {i + 1:03d}", "district", units[0].code,
                          None, 3.0, place=f"huyện Mô Phỏng {i + 1:03d}"))
    per_district = [0] * districts
    for j in range(communes):
        d = j % districts
        per_district[d] += 1
        _, _, nn, suffix = district_codes[d].split(".")
        units.append(Unit(f"000.{per_district[d]:02d}.{nn}.{suffix}", f"UBND xã Mô Phỏng {j + 1:04d}",
                          "commune", district_codes[d], None, 1.0,
                          place=f"xã Mô Phỏng {j + 1:04d}"))
    return units


def build_tree(name: str) -> list[Unit]:
    """The tree named on the command line."""
    if name == "khanhhoa":
        return khanhhoa_tree()
    if name == "national":
        return national_tree()
    raise ValueError(f"unknown tree {name!r}: expected khanhhoa or national")
