"""The sample generator: determinism, the mix of shapes, and the planted bad rows.

The bad rows are checked against a small independent reading of docs/spec §2.1 written here: every
row of every export is classified by the first rule it breaks, and that must be exactly what the
manifest says (no reason for the other rows).
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
        "agencies.csv", "procedures.csv", "targets.csv", "calendar.csv"}


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
    assert len(manifest["files"]) == 6
    ids = set()
    for name, entry in manifest["files"].items():
        bad = {b["row_number"] for b in entry["bad_rows"]}
        column = pq.read_table(tmp_path / "raw" / name, columns=["dossier_id"]).column(0).to_pylist()
        ids.update(v for i, v in enumerate(column, start=1) if i not in bad)
    assert len(ids) == 3000


def test_reference_files_hold_the_plans_and_the_override(mixed):
    out, _ = mixed
    targets = _csv_rows(out / "targets.csv")
    assert [(r["year"], r["kpi_code"], r["comparator"], float(r["target"])) for r in targets] == [
        ("2023", "satisfaction_rate", ">", 0.84), ("2023", "full_online_procedure_rate", ">=", 1.0),
        ("2023", "online_payment_rate", ">=", 0.30), ("2025", "satisfaction_rate", ">", 0.90),
        ("2025", "online_payment_rate", ">", 0.70), ("2025", "declared_info_reduction", ">=", 0.20)]
    agencies = {r["agency_code"]: r for r in _csv_rows(out / "agencies.csv")}
    assert agencies[targets[0]["scope_code"]]["agency_name"] == "UBND thành phố Nha Trang"
    assert agencies[targets[3]["scope_code"]]["parent_code"] == ""
    calendar = _csv_rows(out / "calendar.csv")
    assert {(r["date"], r["is_working_day"]) for r in calendar} == {("2026-01-02", "0"), ("2026-01-10", "1")}
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


def test_national_tree_codes_are_unique_and_form_one_tree():
    from reform_pipeline.sample.units import national_tree

    units = national_tree()
    codes = [unit.code for unit in units]
    assert len(codes) == len(set(codes)) == 1 + 700 + 3300
    assert all(unit.parent in set(codes) for unit in units[1:])
