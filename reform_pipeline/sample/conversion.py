"""Rebuilds ``khanhhoa_2025_conversion.csv``, the commune conversion table of the 2025 merger.

The sample generator reads only the committed CSV; this module is how it was made, and the one
place that needs the source package (the ``dev`` extra pins it)::

    .venv/bin/pip install -e '.[dev]'
    .venv/bin/python -m reform_pipeline.sample.conversion

Source: the PyPI package ``vietnamadminunits`` 1.0.4 (MIT), its 63-province list
(``admin_units_legacy``, GSO codes before 2025-07-01), its 34-province list (``admin_units``, the
GSO codes of the new units) and its conversion dictionaries (``converter_2025``), which encode
Nghị quyết 202/2025/QH15 (Ninh Thuận joins Khánh Hòa) and Nghị quyết 1667/NQ-UBTVQH15 (Khánh
Hòa's 65 commune-level units from 2025-07-01).

One row per old commune and new unit it went to:

``old_province_code, old_district_code, old_district_name, old_commune_code, old_commune_name``
    the unit as it stood on 2025-06-30 (GSO codes; 56 Khánh Hòa, 58 Ninh Thuận);
``new_commune_code, new_commune_name``
    the commune, ward or special zone it became part of on 2025-07-01;
``split``
    1 where the old commune was divided among several new units (one row for each);
``successor``
    1 on the one row naming the unit that takes the old commune over (docs/spec §2.6). For a
    split commune the tables give no area or population share; the package marks as default
    the new unit whose territory holds the old commune's centre (``isDefaultNewWard``), and that
    is the successor taken here.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

PATH = Path(__file__).with_name("khanhhoa_2025_conversion.csv")
COLUMNS = ["old_province_code", "old_district_code", "old_district_name", "old_commune_code",
           "old_commune_name", "new_commune_code", "new_commune_name", "split", "successor"]
NEW_PROVINCE = "tinhkhanhhoa"
OLD_PROVINCES = ("tinhkhanhhoa", "tinhninhthuan")


def build() -> list[dict[str, str]]:
    """The table's rows, from the installed package."""
    from vietnamadminunits.converter.converter_2025 import (DICT_PROVINCE,
                                                            DICT_PROVINCE_WARD_DIVIDED,
                                                            DICT_PROVINCE_WARD_NO_DIVIDED)
    from vietnamadminunits.database import query

    assert sorted(DICT_PROVINCE[NEW_PROVINCE]) == sorted(OLD_PROVINCES), DICT_PROVINCE[NEW_PROVINCE]
    keys = ",".join(f"'{k}'" for k in OLD_PROVINCES)
    old = query("SELECT provinceKey, provinceCode, districtKey, districtCode, district, wardKey, "
                f"wardCode, ward FROM admin_units_legacy WHERE provinceKey IN ({keys})")
    new = {r["wardKey"]: r for r in query(
        f"SELECT wardKey, wardCode, ward FROM admin_units WHERE provinceKey = '{NEW_PROVINCE}'")}
    whole: dict[str, str] = {}
    for new_key, old_keys in DICT_PROVINCE_WARD_NO_DIVIDED[NEW_PROVINCE].items():
        for old_key in old_keys:
            assert old_key not in whole, old_key
            whole[old_key] = new_key
    divided = DICT_PROVINCE_WARD_DIVIDED.get(NEW_PROVINCE, {})
    rows = []
    for unit in sorted(old, key=lambda r: int(r["wardCode"])):
        key = f"{unit['provinceKey']}_{unit['districtKey']}_{unit['wardKey']}"
        if key in divided:
            pieces = [(p["newWardKey"], p["isDefaultNewWard"]) for p in divided[key]]
            assert key not in whole and sum(d for _, d in pieces) == 1, key
        else:
            pieces = [(whole[key], True)]
        for new_key, default in sorted(pieces, key=lambda p: int(new[p[0]]["wardCode"])):
            rows.append({
                "old_province_code": unit["provinceCode"], "old_district_code": unit["districtCode"],
                "old_district_name": unit["district"], "old_commune_code": unit["wardCode"],
                "old_commune_name": unit["ward"], "new_commune_code": new[new_key]["wardCode"],
                "new_commune_name": new[new_key]["ward"], "split": int(len(pieces) > 1),
                "successor": int(default)})
    assert {r["new_commune_code"] for r in rows} == {n["wardCode"] for n in new.values()}
    return rows


def write(rows: list[dict[str, str]], path: Path = PATH) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> int:
    try:
        rows = build()
    except ImportError:
        print("needs the dev extra: .venv/bin/pip install -e '.[dev]'", file=sys.stderr)
        return 2
    write(rows)
    old = {r["old_commune_code"] for r in rows}
    new = {r["new_commune_code"] for r in rows}
    split = {r["old_commune_code"] for r in rows if r["split"]}
    print(f"{PATH}: {len(rows)} rows, {len(old)} old communes ({len(split)} split) "
          f"into {len(new)} new units", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
