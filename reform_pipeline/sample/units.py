"""The agency trees the sample is generated for, with their history (docs/spec §2.3, §2.6).

Khánh Hòa as it is now, and what it was made of:

* Khánh Hòa before July 2025: the province, 21 departments, the public-service centre, 9
  district-level units and their 132 communes and wards. Districts, communes and wards end on
  2025-06-30.
* The national merger of departments on 2025-03-01 (Nghị định 45/2025/NĐ-CP): Sở Kế hoạch và Đầu
  tư joins Sở Tài chính, Sở Giao thông vận tải joins Sở Xây dựng, Sở Lao động - Thương binh và Xã
  hội joins Sở Nội vụ, Sở Thông tin và Truyền thông joins Sở Khoa học và Công nghệ (the merged-away
  department ends 2025-02-28 and names the survivor, which keeps its code); Sở Tài nguyên và Môi
  trường and Sở Nông nghiệp và Phát triển nông thôn become Sở Nông nghiệp và Môi trường, Sở Văn
  hóa và Thể thao and Sở Du lịch become Sở Văn hóa, Thể thao và Du lịch, Ban Dân tộc becomes Sở Dân
  tộc và Tôn giáo (new units from 2025-03-01, successors of the ones they replace). Sở Ngoại vụ,
  Ban Quản lý Khu kinh tế Vân Phong, Công an and Thanh tra are kept as they were.
* Ninh Thuận until 2025-06-30 (Nghị quyết 202/2025/QH15: it joins Khánh Hòa on 2025-07-01): a
  second root, its departments (merged the same way on 2025-03-01), its centre, its 7
  district-level units and their 62 communes and wards. Every unit of it ends 2025-06-30; the
  root's successor is Khánh Hòa's root, a department's the Khánh Hòa department that holds its
  field from 2025-07-01, the centre's Khánh Hòa's centre.
* From 2025-07-01 (Nghị quyết 1667/NQ-UBTVQH15): 65 commune-level units directly under the
  province, 48 communes, 16 wards and the special zone (đặc khu) Trường Sa, with their new GSO
  codes as ``admin_code``. Each old commune's successor is the new unit it became; a commune
  split among several new units names the one marked as its default in the conversion table
  (the unit whose territory holds the old commune's centre; the tables give no area or
  population shares). Old districts get no successor: their history goes to the province.

The communes of both provinces, old and new, and the conversion come from
``khanhhoa_2025_conversion.csv`` (see ``conversion.py``: an extract of the PyPI package
``vietnamadminunits`` 1.0.4, which encodes the two resolutions above; GSO codes as
``admin_code``). The generator reads only the committed extract, never the package.

Agency codes follow the shape of the national electronic identifiers of agencies
(``G1.G2.G3.Hxx``: three numeric groups and the province's letter code, H32 for Khánh Hòa, H39
for Ninh Thuận, as in the contract's examples, docs/spec §2.3):

==================================  ======================  ==========================
unit                                code                    example
==================================  ======================  ==========================
provincial people's committee        ``000.00.00.Hxx``       UBND tỉnh Khánh Hòa
department or the service centre     ``000.00.NN.Hxx``       NN = 01..25 (H32), 01..22 (H39)
district-level people's committee    ``000.00.NN.Hxx``       NN = 31..39 (H32), 31..37 (H39)
commune or ward until 2025-06-30     ``000.MM.NN.Hxx``       NN = its district, MM = 01..
commune, ward, special zone since    ``000.MM.40.H32``       MM = 01..65, in new GSO order
2025-07-01
==================================  ======================  ==========================

so a commune's code carries its district's ``NN`` and can be told apart from a department's by
its second group. No district has ``NN`` 40, so the communes of the two-tier government
(``NN`` = 40) can never take an old commune's code; departments created on 2025-03-01 take the
next free ``NN`` after their province's centre.

The ``national`` tree is a synthetic benchmark tree of the same shape: one root, 700
district-level units and 3,300 communes with generated names and codes that reuse the pattern
above with a per-block province suffix (``H01``..), so that ``NN`` stays two digits. It gets its
own reorganisation on the first of the month nearest the middle of the generated span: every
district-level unit ends the day before, communes merge three into one (1,100 new communes
``000.MM.40.Hbb`` under the root, each the successor of its three), the root is unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

PROVINCE_SUFFIX = "H32"
ROOT_CODE = f"000.00.00.{PROVINCE_SUFFIX}"
NHA_TRANG_CODE = f"000.00.31.{PROVINCE_SUFFIX}"
NINH_THUAN_SUFFIX = "H39"
NINH_THUAN_ROOT_CODE = f"000.00.00.{NINH_THUAN_SUFFIX}"
NEW_COMMUNE_NN = 40
DEPARTMENTS_MERGED = dt.date(2025, 3, 1)
PROVINCES_MERGED = dt.date(2025, 7, 1)
CONVERSION = Path(__file__).with_name("khanhhoa_2025_conversion.csv")


@dataclass(frozen=True)
class Unit:
    """One row of agencies.csv, plus the relative dossier volume the generator gives the unit."""

    code: str
    name: str
    kind: str
    parent: str | None
    admin_code: str | None = None
    weight: float = 0.0
    keys: tuple[str, ...] = ()
    """For departments: the keys the procedure catalogue uses to name their owners."""
    place: str = ""
    """For communes and wards: the short place name used in applicants' addresses (``P. Lộc Thọ``)."""
    valid_from: dt.date | None = None
    """The unit's first day; None: since always."""
    valid_to: dt.date | None = None
    """The unit's last day; None: it still exists."""
    successor: str | None = None
    """The unit that took it over on the day after ``valid_to`` (unit_changes.csv)."""
    heirs: tuple[tuple[str, float], ...] = ()
    """Where its dossiers go once it has ended: (unit, share of its volume), shares summing to 1.
    A split commune's volume goes to every piece; an ended district's to the new communes that
    took its communes."""

    def alive(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to)


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

# Ninh Thuận's departments before 2025-03-01 (it had one department for culture, sport and
# tourism, and no Sở Ngoại vụ): (keys, name, volume); the order fixes NN.
NINH_THUAN_DEPARTMENTS: list[tuple[tuple[str, ...], str, float]] = [
    (("stp",), "Sở Tư pháp tỉnh Ninh Thuận", 2.5),
    (("skhdt",), "Sở Kế hoạch và Đầu tư tỉnh Ninh Thuận", 2.2),
    (("stc",), "Sở Tài chính tỉnh Ninh Thuận", 0.3),
    (("sxd",), "Sở Xây dựng tỉnh Ninh Thuận", 0.8),
    (("sgtvt",), "Sở Giao thông vận tải tỉnh Ninh Thuận", 5.0),
    (("stnmt",), "Sở Tài nguyên và Môi trường tỉnh Ninh Thuận", 6.5),
    (("sldtbxh",), "Sở Lao động - Thương binh và Xã hội tỉnh Ninh Thuận", 2.0),
    (("syt",), "Sở Y tế tỉnh Ninh Thuận", 1.2),
    (("sgddt",), "Sở Giáo dục và Đào tạo tỉnh Ninh Thuận", 0.6),
    (("sct",), "Sở Công Thương tỉnh Ninh Thuận", 1.2),
    (("snnptnt",), "Sở Nông nghiệp và Phát triển nông thôn tỉnh Ninh Thuận", 1.5),
    (("svhtt", "sdl"), "Sở Văn hóa, Thể thao và Du lịch tỉnh Ninh Thuận", 0.6),
    (("stttt",), "Sở Thông tin và Truyền thông tỉnh Ninh Thuận", 0.2),
    (("skhcn",), "Sở Khoa học và Công nghệ tỉnh Ninh Thuận", 0.2),
    (("snv",), "Sở Nội vụ tỉnh Ninh Thuận", 0.3),
    (("bqlkkt",), "Ban Quản lý các khu công nghiệp tỉnh Ninh Thuận", 0.3),
    (("ca",), "Công an tỉnh Ninh Thuận", 3.5),
    (("tt",), "Thanh tra tỉnh Ninh Thuận", 0.1),
    (("bdt",), "Ban Dân tộc tỉnh Ninh Thuận", 0.1),
]
NINH_THUAN_CENTER_NAME = "Trung tâm Phục vụ hành chính công tỉnh Ninh Thuận"
NINH_THUAN_CENTER_WEIGHT = 1.8

# The merger of 2025-03-01: (survivor, merged-away departments); the survivor keeps its code.
ABSORBED: list[tuple[str, tuple[str, ...]]] = [
    ("stc", ("skhdt",)),
    ("sxd", ("sgtvt",)),
    ("snv", ("sldtbxh",)),
    ("skhcn", ("stttt",)),
]
# ... and (name, departments replaced) of the departments it created.
REPLACED: list[tuple[str, tuple[str, ...]]] = [
    ("Sở Nông nghiệp và Môi trường", ("stnmt", "snnptnt")),
    ("Sở Văn hóa, Thể thao và Du lịch", ("svhtt", "sdl")),
    ("Sở Dân tộc và Tôn giáo", ("bdt",)),
]

# (GSO code, name, district-level volume, volume of each of its communes). The order fixes
# NN = 31.. of each district; its communes come from the conversion table in GSO order.
DISTRICTS: list[tuple[int, str, float, float]] = [
    (568, "Thành phố Nha Trang", 9.0, 1.3),
    (569, "Thành phố Cam Ranh", 3.5, 0.9),
    (572, "Thị xã Ninh Hòa", 3.5, 0.7),
    (571, "Huyện Vạn Ninh", 2.5, 0.6),
    (574, "Huyện Diên Khánh", 3.0, 0.8),
    (573, "Huyện Khánh Vĩnh", 1.0, 0.3),
    (575, "Huyện Khánh Sơn", 0.8, 0.3),
    (570, "Huyện Cam Lâm", 2.0, 0.6),
    (576, "Huyện Trường Sa", 0.05, 0.02),
]
NINH_THUAN_DISTRICTS: list[tuple[int, str, float, float]] = [
    (582, "Thành phố Phan Rang - Tháp Chàm", 4.0, 1.0),
    (584, "Huyện Bác Ái", 0.6, 0.2),
    (585, "Huyện Ninh Sơn", 1.5, 0.45),
    (586, "Huyện Ninh Hải", 1.8, 0.5),
    (587, "Huyện Ninh Phước", 2.0, 0.55),
    (588, "Huyện Thuận Bắc", 0.8, 0.35),
    (589, "Huyện Thuận Nam", 1.0, 0.4),
]
FIRST_DISTRICT_NN = 31
WARD_BOOST = 1.3
"""Wards (phường) see more dossiers than communes of the same district."""

_PREFIXES = {"Thành phố": "thành phố", "Thị xã": "thị xã", "Huyện": "huyện",
             "Phường": "phường", "Xã": "xã", "Thị trấn": "thị trấn", "Đặc khu": "đặc khu"}
_SHORT = {"Phường": "P.", "Xã": "xã", "Thị trấn": "TT.", "Đặc khu": "đặc khu"}


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


def _kind(name: str) -> str:
    """Wards are ``ward``; communes, townships (thị trấn) and the special zone ``commune``."""
    return "ward" if name.startswith("Phường ") else "commune"


@dataclass(frozen=True)
class Conversion:
    """One row of khanhhoa_2025_conversion.csv."""

    old_province: str
    old_district: int
    old_code: int
    old_name: str
    new_code: int
    new_name: str
    split: bool
    successor: bool


def conversion() -> list[Conversion]:
    """The committed conversion table of the 2025 merger (old commune → new unit)."""
    with CONVERSION.open(encoding="utf-8", newline="") as handle:
        return [Conversion(r["old_province_code"], int(r["old_district_code"]), int(r["old_commune_code"]),
                           r["old_commune_name"], int(r["new_commune_code"]), r["new_commune_name"],
                           r["split"] == "1", r["successor"] == "1")
                for r in csv.DictReader(handle)]


def _province(suffix: str, root: Unit, departments: list[tuple[tuple[str, ...], str, float]],
              center: tuple[str, float], districts: list[tuple[int, str, float, float]],
              table: list[Conversion]) -> list[Unit]:
    """A province as it stood before 2025: root, departments, centre, districts, communes."""
    units = [root]
    for nn, (keys, name, weight) in enumerate(departments, start=1):
        units.append(Unit(f"000.00.{nn:02d}.{suffix}", name, "department", root.code, None, weight,
                          keys=keys))
    center_nn = len(departments) + 1
    units.append(Unit(f"000.00.{center_nn:02d}.{suffix}", center[0], "center", root.code, None,
                      center[1]))
    communes = defaultdict(dict)
    for row in table:
        communes[row.old_district][row.old_code] = row.old_name
    for nn, (gso, name, weight, commune_weight) in enumerate(districts, FIRST_DISTRICT_NN):
        district_code = f"000.00.{nn:02d}.{suffix}"
        units.append(Unit(district_code, _committee_name(name), "district", root.code, str(gso),
                          weight, place=_place(name)))
        for mm, (commune_gso, commune_name) in enumerate(sorted(communes[gso].items()), start=1):
            boost = WARD_BOOST if commune_name.startswith("Phường") else 1.0
            units.append(Unit(f"000.{mm:02d}.{nn:02d}.{suffix}", _committee_name(commune_name),
                              _kind(commune_name), district_code, str(commune_gso),
                              commune_weight * boost, place=_place(commune_name)))
    return units


def _merge_departments(units: list[Unit], suffix: str, name_suffix: str = "") -> list[Unit]:
    """The merger of 2025-03-01 applied to one province's departments; ``name_suffix`` follows
    the name of a department it creates (`` tỉnh Ninh Thuận``)."""
    last_day = DEPARTMENTS_MERGED - dt.timedelta(days=1)
    departments = [u for u in units if u.kind == "department"]
    holder = {key: u.code for u in departments for key in u.keys}
    ended: dict[str, str] = {}
    for survivor, absorbed in ABSORBED:
        for key in absorbed:
            if key in holder and survivor in holder:
                ended[holder[key]] = holder[survivor]
    next_nn = max(int(u.code.split(".")[2]) for u in units if u.kind in ("department", "center")) + 1
    root = units[0]
    created = []
    for name, keys in REPLACED:
        old = sorted({holder[k] for k in keys if k in holder})
        if not old or any(u.code in old and u.name.startswith(name) for u in departments):
            continue  # a province that already had the merged department keeps it
        code = f"000.00.{next_nn:02d}.{suffix}"
        next_nn += 1
        held = tuple(k for u in departments if u.code in old for k in u.keys)
        created.append(Unit(code, name + name_suffix, "department", root.code, keys=held,
                            valid_from=DEPARTMENTS_MERGED))
        ended.update(dict.fromkeys(old, code))
    merged = [replace(u, valid_to=last_day, successor=ended[u.code], heirs=((ended[u.code], 1.0),))
              if u.code in ended else u for u in units]
    at = max(i for i, u in enumerate(merged) if u.kind in ("department", "center")) + 1
    return merged[:at] + created + merged[at:]


def _holder_on(units: list[Unit], key: str, day: dt.date) -> str | None:
    """The department of ``units`` that holds the field ``key`` on ``day``."""
    by_code = {u.code: u for u in units}
    for unit in units:
        if unit.kind == "department" and key in unit.keys and unit.valid_from is None:
            while not unit.alive(day) and unit.successor:
                unit = by_code[unit.successor]
            return unit.code if unit.alive(day) else None
    return None


def khanhhoa_tree() -> list[Unit]:
    """Khánh Hòa as it is now, with the units it was made of (see the module's docstring)."""
    table = conversion()
    last_day = PROVINCES_MERGED - dt.timedelta(days=1)
    kh = _province(PROVINCE_SUFFIX, Unit(ROOT_CODE, "UBND tỉnh Khánh Hòa", "province", None, "56"),
                   [((k,), name, w) for k, name, w in DEPARTMENTS], (CENTER_NAME, CENTER_WEIGHT),
                   DISTRICTS, [r for r in table if r.old_province == "56"])
    kh = _merge_departments(kh, PROVINCE_SUFFIX)
    nt_root = Unit(NINH_THUAN_ROOT_CODE, "UBND tỉnh Ninh Thuận", "province", None, "58",
                   valid_to=last_day, successor=ROOT_CODE, heirs=((ROOT_CODE, 1.0),))
    nt = _province(NINH_THUAN_SUFFIX, nt_root, NINH_THUAN_DEPARTMENTS,
                   (NINH_THUAN_CENTER_NAME, NINH_THUAN_CENTER_WEIGHT), NINH_THUAN_DISTRICTS,
                   [r for r in table if r.old_province == "58"])
    nt = _merge_departments(nt, NINH_THUAN_SUFFIX, " tỉnh Ninh Thuận")

    new_codes = sorted({(r.new_code, r.new_name) for r in table})
    new_unit = {gso: f"000.{mm:02d}.{NEW_COMMUNE_NN}.{PROVINCE_SUFFIX}"
                for mm, (gso, _) in enumerate(new_codes, start=1)}
    new_units = [Unit(new_unit[gso], _committee_name(name), _kind(name), ROOT_CODE, str(gso),
                      place=_place(name), valid_from=PROVINCES_MERGED) for gso, name in new_codes]
    pieces = defaultdict(list)
    successor = {}
    for row in table:
        pieces[str(row.old_code)].append(new_unit[row.new_code])
        if row.successor:
            successor[str(row.old_code)] = new_unit[row.new_code]

    kh_center = next(u.code for u in kh if u.kind == "center")

    def end(unit: Unit) -> Unit:
        if unit.valid_to is not None or unit.code == ROOT_CODE:
            return unit
        if unit.kind in ("commune", "ward"):
            heirs = tuple((code, 1 / len(pieces[unit.admin_code])) for code in pieces[unit.admin_code])
            return replace(unit, valid_to=last_day, successor=successor[unit.admin_code], heirs=heirs)
        if unit.kind == "district":
            return replace(unit, valid_to=last_day)
        if unit.code.endswith(NINH_THUAN_SUFFIX) and unit.kind in ("department", "center"):
            heir = kh_center if unit.kind == "center" else (
                _holder_on(kh, unit.keys[0], PROVINCES_MERGED) or ROOT_CODE)
            return replace(unit, valid_to=last_day, successor=heir, heirs=((heir, 1.0),))
        return unit

    units = [end(u) for u in kh] + new_units + [end(u) for u in nt]
    return _district_heirs(units)


def _district_heirs(units: list[Unit]) -> list[Unit]:
    """An ended district's volume goes where its communes' went, in proportion to their volume."""
    by_code = {u.code: u for u in units}
    shares: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    totals: dict[str, float] = defaultdict(float)
    for unit in units:
        parent = by_code.get(unit.parent) if unit.parent else None
        if parent is not None and parent.kind == "district" and parent.valid_to and unit.heirs:
            totals[parent.code] += unit.weight
            for heir, share in unit.heirs:
                shares[parent.code][heir] += unit.weight * share
    return [replace(u, heirs=tuple((h, s / totals[u.code]) for h, s in shares[u.code].items()))
            if u.code in shares and totals[u.code] > 0 else u for u in units]


def reorganisation_day(start: dt.date, end: dt.date) -> dt.date:
    """The national tree's reorganisation: the first of the month nearest the span's middle
    (the first after ``start`` if that one is not)."""
    middle = start + (end - start) / 2
    this = dt.date(middle.year, middle.month, 1)
    following = dt.date(middle.year + middle.month // 12, middle.month % 12 + 1, 1)
    nearest = this if (middle - this) <= (following - middle) else following
    if nearest <= start:
        nearest = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return nearest


def national_tree(districts: int = 700, communes: int = 3300, reorganised: dt.date | None = None,
                  merge: int = 3) -> list[Unit]:
    """A synthetic benchmark tree: one root, ``districts`` district units, ``communes`` communes.

    Districts are numbered in blocks of 12 per suffix ``H01``, ``H02`` … so every code keeps
    the two-digit groups of the real scheme; communes are spread evenly over the districts.
    With ``reorganised``, districts and communes end the day before it and every ``merge``
    consecutive communes become one new commune under the root from that day.
    """
    root = "000.00.00.H00"
    units = [Unit(root, "Cơ quan chủ quản (mô phỏng)", "province", None, None, 0.0)]
    last_day = reorganised - dt.timedelta(days=1) if reorganised else None
    district_codes = []
    for i in range(districts):
        block, nn = divmod(i, 12)
        code = f"000.00.{nn + 1:02d}.H{block + 1:02d}"
        district_codes.append(code)
        units.append(Unit(code, f"UBND huyện Mô Phỏng {i + 1:03d}", "district", root,
                          None, 3.0, place=f"huyện Mô Phỏng {i + 1:03d}", valid_to=last_day))
    new_codes = []
    if reorganised:
        for k in range(-(-communes // merge)):
            block, mm = divmod(k, 99)
            new_codes.append(f"000.{mm + 1:02d}.{NEW_COMMUNE_NN}.H{block + 1:02d}")
    per_district = [0] * districts
    for j in range(communes):
        d = j % districts
        per_district[d] += 1
        _, _, nn, suffix = district_codes[d].split(".")
        history = {}
        if reorganised:
            heir = new_codes[j // merge]
            history = dict(valid_to=last_day, successor=heir, heirs=((heir, 1.0),))
        units.append(Unit(f"000.{per_district[d]:02d}.{nn}.{suffix}", f"UBND xã Mô Phỏng {j + 1:04d}",
                          "commune", district_codes[d], None, 1.0,
                          place=f"xã Mô Phỏng {j + 1:04d}", **history))
    for k, code in enumerate(new_codes):
        units.append(Unit(code, f"UBND xã Mô Phỏng Mới {k + 1:04d}", "commune", root, None,
                          place=f"xã Mô Phỏng Mới {k + 1:04d}", valid_from=reorganised))
    return _district_heirs(units) if reorganised else units


def build_tree(name: str, start: dt.date | None = None, end: dt.date | None = None) -> list[Unit]:
    """The tree named on the command line; the national one reorganised in the middle of
    ``start``..``end`` when both are given."""
    if name == "khanhhoa":
        return khanhhoa_tree()
    if name == "national":
        return national_tree(reorganised=reorganisation_day(start, end) if start and end else None)
    raise ValueError(f"unknown tree {name!r}: expected khanhhoa or national")


# ---------------------------------------------------------------- reading the tree


def root_of(tree: list[Unit]) -> dict[str, str]:
    """Each unit's root (its province before any merger)."""
    parent = {u.code: u.parent for u in tree}
    roots = {}
    for unit in tree:
        code = unit.code
        while parent[code]:
            code = parent[code]
        roots[unit.code] = code
    return roots


def provinces(tree: list[Unit]) -> list[str]:
    """The roots, the tree's own first: each is a set of exports (its own one-stop system)."""
    roots = root_of(tree)
    return list(dict.fromkeys(roots[u.code] for u in tree))


EXPORT_NAMES = {NINH_THUAN_ROOT_CODE: "ninhthuan"}


def export_prefixes(tree: list[Unit]) -> list[str]:
    """File name prefix of each province's exports: ``dossiers_`` for the tree's own, and
    ``dossiers_ninhthuan_`` for Ninh Thuận's, loaded from its own system after the merger."""
    return ["dossiers_" if i == 0 else f"dossiers_{EXPORT_NAMES[code]}_"
            for i, code in enumerate(provinces(tree))]


def unit_changes(tree: list[Unit]) -> list[tuple[str, str, dt.date]]:
    """The rows of unit_changes.csv: (ended unit, successor, the successor's first day)."""
    return [(u.code, u.successor, u.valid_to + dt.timedelta(days=1)) for u in tree if u.successor]


def current_owner(tree: list[Unit]) -> dict[str, str]:
    """For each department key, the unit of the current root's province that holds it today
    (after the mergers), so that today's catalogue names today's departments."""
    root = tree[0].code
    by_code = {u.code: u for u in tree}
    owners = {}
    for unit in tree:
        if unit.kind != "department" or unit.parent != root or unit.valid_from is not None:
            continue
        current = unit
        while current.successor:
            current = by_code[current.successor]
        for key in unit.keys:
            owners[key] = current.code
    return owners
