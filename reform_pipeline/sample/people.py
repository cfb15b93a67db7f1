"""Applicants' personal data: realistic in shape, random in content, built a column at a time.

Names follow the Vietnamese family-middle-given pattern with the real frequency of the big
family names; ID numbers have the 12-digit citizen-ID layout (birth-province code, a
century-and-sex digit, two digits of birth year, six random digits); phones carry real mobile
prefixes; addresses are short (house and street in wards, hamlet in communes).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Vũ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm", "Mai", "Cao", "Tô"]
FAMILY_SHARE = [38, 11, 9.5, 7, 4, 2, 4.5, 3.5, 1.5, 2, 2, 1.4, 1.3, 1.3, 1, 0.5, 1, 1.5, 1, 1,
                0.8, 0.6]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Ngọc", "Xuân", "Công", "Đình",
               "Anh", "Trọng"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo", "Phương", "Thùy", "Hồng"]
GIVEN_MALE = ["An", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
              "Khang", "Khoa", "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Sơn", "Tài",
              "Thắng", "Thành", "Tiến", "Trung", "Tuấn", "Việt", "Vinh", "Lộc", "Nhân", "Tâm"]
GIVEN_FEMALE = ["Anh", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hồng",
                "Hương", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh",
                "Phương", "Quyên", "Thảo", "Trang", "Trinh", "Tuyết", "Vân", "Yến", "Hiền", "Ly"]
STREETS = ["Trần Phú", "Lê Thánh Tôn", "Nguyễn Thiện Thuật", "Yersin", "Thống Nhất", "2 Tháng 4",
           "23 Tháng 10", "Lê Hồng Phong", "Hùng Vương", "Nguyễn Trãi", "Quang Trung",
           "Lý Tự Trọng", "Phạm Văn Đồng", "Trần Quý Cáp", "Hoàng Văn Thụ", "Ngô Gia Tự",
           "Võ Thị Sáu", "Lê Lợi", "Nguyễn Chánh", "Phong Châu", "Hai Bà Trưng", "Bạch Đằng"]
HAMLETS = ["Thôn Đông", "Thôn Tây", "Thôn Trung", "Thôn Phú Hòa", "Thôn Tân Hưng",
           "Thôn Xuân Lạc", "Thôn Phước Lợi", "Thôn Vĩnh Điềm", "Thôn Hòa Tân", "Thôn Lạc Bình"]
# Birth-province codes of the citizen ID: mostly Khánh Hòa (056), then neighbours and big cities.
ID_PROVINCE = ["056", "054", "058", "052", "066", "079", "001", "048", "051", "068"]
ID_PROVINCE_SHARE = [70, 5, 5, 4, 3, 4, 3, 2, 2, 2]
PHONE_PREFIX = ["090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035",
                "036", "037", "038", "039", "070", "076", "077", "078", "079", "081", "082",
                "083", "084", "085", "086", "088", "089"]


def _pick(values: list[str], index: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(index))


def _digits(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0")


def _shares(rng: np.random.Generator, shares: list[float], n: int) -> np.ndarray:
    weights = np.asarray(shares, dtype=float)
    return rng.choice(len(shares), size=n, p=weights / weights.sum())


def names(rng: np.random.Generator, n: int) -> pa.Array:
    """Full names; the middle and given name follow the applicant's sex."""
    female = rng.random(n) < 0.5
    family = _pick(FAMILY, _shares(rng, FAMILY_SHARE, n))
    middle = np.where(female, len(MIDDLE_MALE) + rng.integers(0, len(MIDDLE_FEMALE), n),
                      rng.integers(0, len(MIDDLE_MALE), n))
    given = np.where(female, len(GIVEN_MALE) + rng.integers(0, len(GIVEN_FEMALE), n),
                     rng.integers(0, len(GIVEN_MALE), n))
    return pc.binary_join_element_wise(family, _pick(MIDDLE_MALE + MIDDLE_FEMALE, middle),
                                       _pick(GIVEN_MALE + GIVEN_FEMALE, given), " ")


def id_numbers(rng: np.random.Generator, n: int) -> pa.Array:
    """12-digit citizen-ID numbers of adults born 1950–2006."""
    year = rng.integers(1950, 2007, n)
    sex_century = (year >= 2000) * 2 + rng.integers(0, 2, n)
    tail = (sex_century * 100 + year % 100) * 1_000_000 + rng.integers(0, 1_000_000, n)
    return pc.binary_join_element_wise(_pick(ID_PROVINCE, _shares(rng, ID_PROVINCE_SHARE, n)),
                                       _digits(tail, 9), "")


def phones(rng: np.random.Generator, n: int) -> pa.Array:
    """10-digit mobile numbers."""
    prefix = _pick(PHONE_PREFIX, rng.integers(0, len(PHONE_PREFIX), n))
    return pc.binary_join_element_wise(prefix, _digits(rng.integers(0, 10_000_000, n), 7), "")


def addresses(rng: np.random.Generator, places: pa.Array, urban: np.ndarray) -> pa.Array:
    """``45 Trần Phú, P. Lộc Thọ`` in urban places, ``Thôn Đông, xã Ninh Sơn`` elsewhere."""
    n = len(places)
    house = pa.array(rng.integers(1, 300, n)).cast(pa.string())
    street = pc.binary_join_element_wise(house, _pick(STREETS, rng.integers(0, len(STREETS), n)), " ")
    hamlet = _pick(HAMLETS, rng.integers(0, len(HAMLETS), n))
    first = pc.if_else(pa.array(urban), street, hamlet)
    return pc.binary_join_element_wise(first, places, ", ")
