"""The sample generator: determinism, the mix of shapes, the planted bad rows, and the tree's
history.

The bad rows are checked against a small independent reading of docs/spec §2.1 written here: every
row of every export is classified by the first rule it breaks, and that must be exactly what the
manifest says (no reason for the other rows). The agency tree and its successors are checked
against an independent reading of docs/spec §2.3 and §2.6, and every dossier against the life of
the unit that received it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from reform_pipeline.sample import Options, generate
from reform_pipeline.sample.badrows import REASONS
from reform_pipeline.sample.writers import REPORT_HEADERS, SYSTEM_HEADERS

REPO = Path(__file__).resolve().parents[1]
SMALL = dict(dossiers=4000, seed=7, progress=False)
KHANH_HOA, NINH_THUAN = "000.00.00.H32", "000.00.00.H39"
MERGED = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, dict]:
    """A small sample over the default three years, in the committed sample's mix."""
    out = tmp_path_factory.mktemp("mixed") / "raw"
    return out, generate(Options(out=out, **SMALL))


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes(mixed, tmp_path):
    out, _ = mixed
    again = tmp_path / "raw"
    generate(Options(out=again, **SMALL))
    assert _digests(again) == _digests(out)
    assert (tmp_path / "sample_manifest.json").read_bytes() == (out.parent / "sample_manifest.json").read_bytes()


def test_mixed_mode_has_every_shape_with_rows(mixed):
    out, manifest = mixed
    rows = {}
    for name, entry in manifest["files"].items():
        rows[entry["format"]] = rows.get(entry["format"], 0) + entry["rows"]
        assert (out / name).exists()
    assert set(rows) == {"xlsx", "report", "system", "parquet"}
    assert all(count >= 50 for count in rows.values()), rows
    assert {p.name for p in out.iterdir() if not p.name.startswith("dossiers_")} == {
        "agencies.csv", "unit_changes.csv", "procedures.csv", "targets.csv", "rankings.csv", "calendar.csv"}
    partner = {e["format"] for n, e in manifest["files"].items() if n.startswith("dossiers_ninhthuan_")}
    assert partner == {"xlsx", "report", "parquet"}


def test_every_reason_is_planted_at_about_the_share(mixed):
    _, manifest = mixed
    by_reason = manifest["totals"]["bad_rows_by_reason"]
    assert set(by_reason) == set(REASONS)
    assert all(count > 0 for count in by_reason.values()), by_reason
    listed = [b["reason"] for f in manifest["files"].values() for b in f["bad_rows"]]
    assert len(listed) == sum(by_reason.values()) == manifest["totals"]["bad_rows"]
    assert 0.008 < len(listed) / manifest["totals"]["rows"] < 0.012


def test_manifest_row_counts_match_the_files(mixed):
    out, manifest = mixed
    for name, entry in manifest["files"].items():
        assert len(_read(out / name)[1]) == entry["rows"], name


def test_each_planted_row_breaks_exactly_its_rule(mixed):
    """Classify every row with docs/spec §2.1; planted rows get their reason, the others none."""
    out, manifest = mixed
    agencies = {r["agency_code"] for r in _csv_rows(out / "agencies.csv")}
    procedures = {r["MaTTHC"] for r in _csv_rows(out / "procedures.csv")}
    for name, entry in manifest["files"].items():
        header, rows = _read(out / name)
        expected = {b["row_number"]: b["reason"] for b in entry["bad_rows"]}
        for number, values in enumerate(rows, start=1):
            record = dict(zip(header, values))
            assert _first_broken_rule(record, agencies, procedures) == expected.get(number), (name, number, record)


def test_large_mode_writes_the_requested_dossiers(tmp_path):
    manifest = generate(Options(out=tmp_path / "raw", dossiers=3000, format="parquet", files_per="month",
                                start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30), progress=False))
    assert {e["format"] for e in manifest["files"].values()} == {"parquet"}
    names = sorted(manifest["files"])
    assert len(names) == 12 and sum(n.startswith("dossiers_ninhthuan_") for n in names) == 6
    ids = set()
    for name, entry in manifest["files"].items():
        bad = {b["row_number"] for b in entry["bad_rows"]}
        column = pq.read_table(tmp_path / "raw" / name, columns=["dossier_id"]).column(0).to_pylist()
        ids.update(v for i, v in enumerate(column, start=1) if i not in bad)
    assert len(ids) == 3000


def test_reference_files_hold_the_plans_and_no_calendar_override(mixed):
    out, _ = mixed
    targets = _csv_rows(out / "targets.csv")
    assert [(r["year"], r["kpi_code"], r["comparator"], float(r["target"])) for r in targets] == [
        ("2023", "satisfaction_rate", ">", 0.84), ("2023", "full_online_procedure_rate", ">=", 1.0),
        ("2023", "online_payment_rate", ">=", 0.30), ("2025", "satisfaction_rate", ">", 0.90),
        ("2025", "online_payment_rate", ">", 0.70), ("2025", "declared_info_reduction", ">=", 0.20),
        ("2025", "internal_units_reduction", ">=", 0.15),
        # "PAR Index, PCI, PAPI and DTI in the national top 25" (docs/spec §2.7)
        ("2025", "rank_par", "<=", 25.0), ("2025", "rank_pci", "<=", 25.0), ("2025", "rank_papi", "<=", 25.0),
        ("2025", "rank_dti", "<=", 25.0)]
    agencies = {r["agency_code"]: r for r in _csv_rows(out / "agencies.csv")}
    nha_trang = agencies[targets[0]["scope_code"]]
    assert nha_trang["agency_name"] == "UBND thành phố Nha Trang"
    assert nha_trang["valid_from"] == "" and nha_trang["valid_to"] == "2025-06-30"
    assert {r["scope_code"] for r in targets[3:]} == {KHANH_HOA}
    assert agencies[KHANH_HOA]["parent_code"] == agencies[KHANH_HOA]["valid_to"] == ""
    rankings = {(r["index_code"], r["year"]): (r["score"], r["rank"], r["provinces_ranked"], r["basis"])
                for r in _csv_rows(out / "rankings.csv")}
    assert rankings == {
        ("PAR", "2024"): ("90.49", "10", "63", "63"), ("PAPI", "2023"): ("44.94", "8", "61", "63"),
        ("DTI", "2024"): ("0.7071", "16", "34", "34"), ("DTI", "2022"): ("", "41", "63", "63"),
        ("SIPAS", "2024"): ("", "30", "63", "63"), ("PCI", "2023"): ("67.65", "", "", "63")}
    assert all(r["source"] for r in _csv_rows(out / "rankings.csv"))  # each with its publisher
    # the 2026 New Year swap is built into the pipeline: nothing left for the province to override
    assert (out / "calendar.csv").read_text(encoding="utf-8") == "date,is_working_day,note\n"
    procedures = _csv_rows(out / "procedures.csv")
    with_base = [r for r in procedures if r["SoTruongThongTinGoc"]]
    base = sum(int(r["SoTruongThongTinGoc"]) for r in with_base)
    cut = base - sum(int(r["SoTruongThongTin"]) for r in with_base)
    assert 0.18 < cut / base < 0.23
    assert 200 <= len(procedures) <= 500


def test_cli_help():
    result = subprocess.run([sys.executable, "-m", "reform_pipeline.sample", "--help"],
                            capture_output=True, text=True, check=True)
    for option in ("--out", "--start", "--end", "--dossiers", "--format", "--tree", "--bad-share",
                   "--files-per", "--manifest", "--seed"):
        assert option in result.stdout


def test_committed_sample_is_under_15_mb():
    raw = REPO / "data" / "raw"
    files = [p for p in raw.rglob("*") if p.is_file()]
    assert files, "data/raw is empty: run python -m reform_pipeline.sample"
    on_disk = sum(p.stat().st_blocks * 512 for p in files)
    assert on_disk < 15 * 1024 * 1024
    manifest = json.loads((REPO / "data" / "sample_manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {p.name for p in files if p.name.startswith("dossiers_")}


# ---------------------------------------------------------------- reading the exports


def _csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _read(path: Path) -> tuple[list[str], list[list]]:
    """Canonical header and the data rows of an export, values as the file holds them."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        columns = [table.column(c).to_pylist() for c in table.column_names]
        return table.column_names, [list(r) for r in zip(*columns)]
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    else:
        text = path.read_bytes().decode("utf-8-sig")
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    names = {v: k for k, v in SYSTEM_HEADERS.items()} | {v: k for k, v in REPORT_HEADERS.items()}
    return [names.get(h, h) for h in rows[0]], rows[1:]


# ---------------------------------------------------------------- docs/spec §2.1, independently


def _norm(value) -> str:
    text = " ".join(str(value).split()).lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


CODES = {
    "channel": {"1": 1, "2": 2, "3": 3, "truc tiep": 1, "direct": 1, "truc tuyen": 2, "online": 2,
                "buu chinh cong ich": 3, "buu chinh": 3, "postal": 3},
    "service_level": {"2": 2, "3": 3, "4": 4, "khong": 2, "none": 2, "mot phan": 3, "partial": 3,
                      "toan trinh": 4, "full": 4},
    "status": {**{str(i): i for i in range(1, 11)}, "moi dang ky": 1, "duoc tiep nhan": 2,
               "khong duoc tiep nhan": 3, "dang xu ly": 4, "yeu cau bo sung": 5,
               "cho thuc hien nghia vu tai chinh": 6, "rut ho so": 7, "dung xu ly": 8,
               "da xu ly xong": 9, "da tra ket qua": 10},
    "rating": {"1": 1, "2": 2, "3": 3, "4": 4, "rat hai long": 4, "hai long": 3, "binh thuong": 2,
               "khong hai long": 1},
    "paid_online": {"0": 0, "1": 1, "2": 2},
    "digitized_components": {"0": 0, "1": 1, "true": 1, "false": 0, "co": 1, "khong": 0},
    "complaint": {"0": 0, "1": 1, "true": 1, "false": 0, "co": 1, "khong": 0},
}
TIMESTAMPS = ["submitted_at", "received_at", "due_at", "finished_at", "returned_at",
              "supplement_requested_at", "supplement_received_at", "updated_at"]
ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?")
DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?")


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _timestamp(value):
    """A datetime, or None for a value no accepted form reads."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    for pattern, order in ((ISO, (0, 1, 2)), (DMY, (2, 1, 0))):
        match = pattern.fullmatch(str(value).strip())
        if match:
            parts = match.groups()
            y, m, d = (int(parts[i]) for i in order)
            try:
                return dt.datetime(y, m, d, *(int(p or 0) for p in parts[3:6]))
            except ValueError:
                return None
    return None


def _code(column, value):
    if isinstance(value, bool):
        return int(value) if column in ("digitized_components", "complaint") else None
    if isinstance(value, int):
        value = str(value)
    return CODES[column].get(_norm(value))


def _whole(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return bool(re.fullmatch(r"\d+", str(value).strip()))


def _first_broken_rule(row: dict, agencies: set[str], procedures: set[str]) -> str | None:
    if any(_empty(row.get(c)) for c in ("dossier_id", "procedure_code", "agency_code", "status")):
        return "missing_required"
    status = _code("status", row["status"])
    if status is not None:
        if status not in (1, 3) and _empty(row.get("received_at")):
            return "missing_required"
        if status in (8, 9, 10) and _empty(row.get("finished_at")) and not (
                status == 10 and not _empty(row.get("returned_at"))):
            return "missing_required"
    stamps = {c: None if _empty(row.get(c)) else _timestamp(row[c]) for c in TIMESTAMPS}
    if any(stamps[c] is None and not _empty(row.get(c)) for c in TIMESTAMPS):
        return "bad_timestamp"
    if any(not _empty(row.get(c)) and _code(c, row[c]) is None for c in CODES):
        return "bad_code"
    if any(not _empty(row.get(c)) and not _whole(row[c]) for c in ("fee_amount", "supplement_count")):
        return "bad_number"
    if row["agency_code"] not in agencies:
        return "unknown_agency"
    if row["procedure_code"] not in procedures:
        return "unknown_procedure"
    received = stamps["received_at"]
    if received and any(stamps[c] and stamps[c].date() < received.date()
                        for c in ("due_at", "finished_at", "returned_at")):
        return "inconsistent_dates"
    asked, answered = stamps["supplement_requested_at"], stamps["supplement_received_at"]
    if asked and answered and answered.date() < asked.date():
        return "inconsistent_dates"
    return None


# ---------------------------------------------------------------- the tree and its history


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _alive(unit: dict, day: dt.date) -> bool:
    return (unit["valid_from"] is None or unit["valid_from"] <= day) and (
        unit["valid_to"] is None or day <= unit["valid_to"])


def _tree(folder: Path) -> tuple[dict[str, dict], dict[str, tuple[str, dt.date]]]:
    """agencies.csv (in file order, lives as dates) and unit_changes.csv of a generated folder."""
    units = {}
    for row in _csv_rows(folder / "agencies.csv"):
        assert row["agency_code"] not in units, row
        units[row["agency_code"]] = dict(row, valid_from=_day(row["valid_from"]), valid_to=_day(row["valid_to"]))
    changes = {}
    for row in _csv_rows(folder / "unit_changes.csv"):
        assert row["agency_code"] not in changes, row
        changes[row["agency_code"]] = (row["successor_code"], _day(row["effective_date"]))
    return units, changes


def _check_tree(units: dict[str, dict], changes: dict[str, tuple[str, dt.date]], as_of: dt.date) -> None:
    """docs/spec §2.3 and §2.6, read independently: lives, parents, roots, successors."""
    roots = [code for code, u in units.items() if not u["parent_code"]]
    open_roots = [code for code in roots if units[code]["valid_to"] is None]
    assert open_roots == [next(iter(units))], open_roots  # one root now, the first row
    for code, unit in units.items():
        first, last = unit["valid_from"], unit["valid_to"]
        assert first is None or last is None or first <= last, code
        assert unit["kind"] in ("province", "department", "district", "commune", "ward", "center", "division")
        if unit["parent_code"]:
            parent = units[unit["parent_code"]]
            assert parent["valid_from"] is None or (first is not None and parent["valid_from"] <= first), code
            assert parent["valid_to"] is None or (last is not None and last <= parent["valid_to"]), code
        seen, up = {code}, unit["parent_code"]
        while up:  # no cycles, and every unit alive at the as-of date lies under the root
            assert up not in seen, code
            seen.add(up)
            top, up = up, units[up]["parent_code"]
        if _alive(unit, as_of):
            assert (top if unit["parent_code"] else code) == open_roots[0], code
    for code, (successor, effective) in changes.items():
        ended = units[code]
        assert ended["valid_to"] is not None and effective == ended["valid_to"] + dt.timedelta(days=1), code
        assert _alive(units[successor], effective), code
        seen = {code}
        while successor in changes:  # no loops
            assert successor not in seen, code
            seen.add(successor)
            successor = changes[successor][0]
    for code in roots:
        if code != open_roots[0]:
            assert changes[code][0] == open_roots[0]  # a merged province names the province now
    for code, unit in units.items():
        if unit["valid_to"] is not None and unit["kind"] != "district":
            assert code in changes, code  # every other unit that ended names who took it over
        if unit["kind"] == "district":
            assert code not in changes, code  # a district's history goes to its province


def _current(code: str, units: dict[str, dict], changes: dict, as_of: dt.date) -> str:
    """docs/spec §4.7 cur(u)."""
    if _alive(units[code], as_of):
        return code
    if code in changes:
        return _current(changes[code][0], units, changes, as_of)
    return _current(units[code]["parent_code"], units, changes, as_of)


def _internal_units_reduction(units: dict, changes: dict, scope: str, year: int, as_of: dt.date) -> float:
    """docs/spec §4.4 internal_units_reduction of ``scope`` over ``year``, its tree as of ``as_of``."""
    subtree = set()
    for code, unit in units.items():
        chain, up = [code], unit["parent_code"]
        while up:
            chain.append(up)
            up = units[up]["parent_code"]
        if scope in chain and _alive(unit, as_of):
            subtree.add(code)
    counted = [u for code, u in units.items() if u["kind"] != "province" and code != scope
               and _current(code, units, changes, as_of) in subtree]
    end = min(dt.date(year, 12, 31), as_of)
    first = sum(_alive(u, dt.date(year, 1, 1)) for u in counted)
    last = sum(_alive(u, end) for u in counted)
    return (first - last) / first


def _received(folder: Path, manifest: dict) -> list[tuple[str, str, str, dt.date]]:
    """(file, dossier id, agency code, received date) of every valid row with a received date."""
    found = []
    for name, entry in manifest["files"].items():
        header, rows = _read(folder / name)
        bad = {b["row_number"] for b in entry["bad_rows"]}
        for number, values in enumerate(rows, start=1):
            record = dict(zip(header, values))
            if number not in bad and not _empty(record.get("received_at")):
                found.append((name, record["dossier_id"], record["agency_code"],
                              _timestamp(record["received_at"]).date()))
    return found


def test_the_tree_and_its_successors_follow_the_contract(mixed):
    out, _ = mixed
    units, changes = _tree(out)
    _check_tree(units, changes, as_of=dt.date(2026, 11, 30))
    assert units[NINH_THUAN]["kind"] == "province" and units[NINH_THUAN]["valid_to"] == dt.date(2025, 6, 30)
    assert changes[NINH_THUAN] == (KHANH_HOA, MERGED)
    kinds = {}
    for code, unit in units.items():
        life = (unit["valid_from"], unit["valid_to"])
        kinds[(unit["kind"], code.endswith("H39"), life)] = kinds.get((unit["kind"], code.endswith("H39"), life), 0) + 1
    old_end, merge = dt.date(2025, 6, 30), dt.date(2025, 3, 1)
    assert kinds[("district", False, (None, old_end))] == 9
    assert kinds[("district", True, (None, old_end))] == 7
    old_communes = [u for u in units.values() if u["kind"] in ("commune", "ward") and u["valid_to"] == old_end]
    assert len(old_communes) == 132 + 62
    # the departments merged on 2025-03-01 end the day before, and name a department alive then
    merged_away = [c for c, u in units.items() if u["kind"] == "department" and u["valid_to"] == merge - dt.timedelta(days=1)]
    assert {c for c in merged_away if c.endswith("H32")} and all(changes[c][1] == merge for c in merged_away)
    assert units[changes["000.00.02.H32"][0]]["agency_name"] == "Sở Tài chính"  # Sở KH&ĐT → Sở Tài chính
    # Ninh Thuận's departments go to Khánh Hòa's
    for code, unit in units.items():
        if code.endswith("H39") and unit["valid_to"] == old_end and unit["kind"] in ("department", "center"):
            assert changes[code][0].endswith("H32") and units[changes[code][0]]["kind"] == unit["kind"], code


def test_65_commune_level_units_from_july_2025(mixed):
    out, _ = mixed
    units, changes = _tree(out)
    new = {c: u for c, u in units.items() if u["kind"] in ("commune", "ward") and _alive(u, MERGED)}
    assert all(u["valid_from"] == MERGED and u["valid_to"] is None and u["parent_code"] == KHANH_HOA
               for u in new.values())
    special = [u for u in new.values() if "đặc khu" in u["agency_name"].lower()]
    assert len(new) == 65 and len(special) == 1 and special[0]["kind"] == "commune"
    assert sum(u["kind"] == "ward" for u in new.values()) == 16
    assert sum(u["kind"] == "commune" for u in new.values()) - len(special) == 48
    assert len({u["admin_code"] for u in new.values()}) == 65
    # every old commune or ward names one of them, as the committed conversion table says
    table = _csv_rows(REPO / "reform_pipeline" / "sample" / "khanhhoa_2025_conversion.csv")
    successor = {r["old_commune_code"]: r["new_commune_code"] for r in table if r["successor"] == "1"}
    old = {c: u for c, u in units.items() if u["kind"] in ("commune", "ward") and c not in new}
    assert {u["admin_code"] for u in old.values()} == set(successor)
    for code, unit in old.items():
        assert units[changes[code][0]]["admin_code"] == successor[unit["admin_code"]], code
    # the old codes and the new ones can never be taken for each other
    assert all(c.split(".")[2] == "40" for c in new) and not any(c.split(".")[2] == "40" for c in old)


def test_khanh_hoa_cut_its_internal_units_by_at_least_15_percent_in_2025(mixed):
    out, _ = mixed
    units, changes = _tree(out)
    value = _internal_units_reduction(units, changes, KHANH_HOA, 2025, as_of=dt.date(2026, 11, 30))
    assert value >= 0.15, value


def test_every_dossier_is_received_by_a_unit_alive_that_day(mixed):
    out, manifest = mixed
    units, _ = _tree(out)
    received = _received(out, manifest)
    assert len(received) > 3000
    province = {}
    for name, dossier, agency, day in received:
        assert _alive(units[agency], day), (name, dossier, agency, day)
        partner = name.startswith("dossiers_ninhthuan_")
        assert agency.endswith("H39") == partner, (name, agency)  # Ninh Thuận's dossiers in its own exports
        province.setdefault(dossier, partner)
        assert province[dossier] == partner, dossier  # ids of the two systems never meet
    after = [agency for _, _, agency, day in received if day >= MERGED]
    assert after and {units[a]["kind"] for a in after} >= {"commune", "ward", "department", "center"}
    # a dossier open at an old unit on 2025-06-30 stays with it: some rows after the merger name one
    finished_late = [(n, a) for n, _, a, d in received if d < MERGED <= _export_date(n) and
                     units[a]["valid_to"] is not None]
    assert finished_late


def _export_date(name: str) -> dt.date:
    return dt.datetime.strptime(name.rsplit("_", 1)[1].split(".")[0], "%Y%m%d").date()


def test_the_provinces_volume_runs_on_across_the_mergers(tmp_path):
    """Dossiers per working day before and after 2025-03-01 and 2025-07-01, commune level apart."""
    out = tmp_path / "raw"
    manifest = generate(Options(out=out, dossiers=30_000, format="parquet", files_per="month",
                                start=dt.date(2025, 1, 1), end=dt.date(2025, 9, 30), progress=False))
    units, _ = _tree(out)
    from reform_pipeline.sample.workdays import WorkCalendar

    calendar = WorkCalendar.build(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    working = {}
    for day in range(len(calendar.working)):
        date = calendar.date(day)
        working[date.month] = working.get(date.month, 0) + int(calendar.working[day])
    per_month, commune_level = {}, {}
    for _, dossier, agency, day in set(_received(out, manifest)):
        per_month[day.month] = per_month.get(day.month, 0) + 1
        if units[agency]["kind"] in ("commune", "ward", "district"):
            commune_level[day.month] = commune_level.get(day.month, 0) + 1
    for before, after in ((2, 3), (6, 7)):
        for counts in (per_month, commune_level):
            ratio = (counts[after] / working[after]) / (counts[before] / working[before])
            assert 0.85 < ratio < 1.2, (before, after, ratio)


def test_the_conversion_table_is_what_the_package_says():
    """The committed extract equals a rebuild from the pinned package (dev extra)."""
    pytest.importorskip("vietnamadminunits")
    from reform_pipeline.sample import conversion

    committed = _csv_rows(conversion.PATH)
    assert [{k: str(v) for k, v in row.items()} for row in conversion.build()] == committed
    assert len({r["old_commune_code"] for r in committed}) == 194
    assert len({r["new_commune_code"] for r in committed}) == 65


def test_national_tree_is_reorganised_in_the_middle_of_the_span(tmp_path):
    from reform_pipeline.sample.units import national_tree, reorganisation_day

    assert reorganisation_day(dt.date(2023, 1, 1), dt.date(2025, 12, 31)) == dt.date(2024, 7, 1)
    assert reorganisation_day(dt.date(2023, 1, 1), dt.date(2026, 11, 30)) == dt.date(2024, 12, 1)
    codes = [unit.code for unit in national_tree()]
    assert len(codes) == len(set(codes)) == 1 + 700 + 3300

    out = tmp_path / "raw"
    manifest = generate(Options(out=out, tree="national", dossiers=3000, format="parquet", files_per="month",
                                start=dt.date(2023, 1, 1), end=dt.date(2025, 12, 31), progress=False))
    units, changes = _tree(out)
    _check_tree(units, changes, as_of=dt.date(2025, 12, 31))
    last_day, root = dt.date(2024, 6, 30), next(iter(units))
    by_kind = {}
    for code, unit in units.items():
        key = (unit["kind"], unit["valid_from"], unit["valid_to"])
        by_kind[key] = by_kind.get(key, 0) + 1
    assert by_kind == {("province", None, None): 1, ("district", None, last_day): 700,
                       ("commune", None, last_day): 3300, ("commune", last_day + dt.timedelta(days=1), None): 1100}
    new = {c for c, u in units.items() if u["valid_from"] is not None}
    assert all(units[c]["parent_code"] == root for c in new)
    assert len(changes) == 3300 and all(s in new for s, _ in changes.values())
    assert sorted(list(changes.values()).count((s, last_day + dt.timedelta(days=1))) for s in new) == [3] * 1100
    received = _received(out, manifest)
    for name, dossier, agency, day in received:
        assert _alive(units[agency], day), (name, dossier, agency, day)
    assert {agency in new for _, _, agency, day in received if day > last_day} == {True}
