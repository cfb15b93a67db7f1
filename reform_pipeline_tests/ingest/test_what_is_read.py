"""docs/spec §2.0 "What is read" and "A file that breaks later": regular files and links inside the
raw folder are read; links out of it, compressed, unsupported and zero-byte files are listed as
`skipped` with their reason, nothing of their content read; a corrupt re-send of an ingested export
keeps its previous version's rows, and its repair is ingested as usual."""

from __future__ import annotations

import gzip
import os
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from reform_pipeline.ingest import build as build_module
from reform_pipeline.ingest.build import ingest_dossiers, ingest_reference, settle_as_of
from reform_pipeline.ingest.files import (
    COMPRESSED_FILE, EMPTY_FILE, OUTSIDE_LINK, record_skipped, survey,
)
from reform_pipeline.ops.checks import rows_accounted_for, unreadable_files
from reform_pipeline.raw_folder import snapshot
from reform_pipeline_tests.fixtures import dossier, make_raw, write_csv, write_parquet

PERSONAL = {"ChuHoSo": "Lê Văn Bảo Mật", "SoGiayTo": "079399887766", "SoDienThoai": "0987654321",
            "DiaChi": "7 Hẻm Kín, Cam Ranh"}


def _quiet(_: str) -> None:
    pass


def run_ingest(raw: Path, warehouse: Path, con: duckdb.DuckDBPyConnection | None = None):
    """The ingest stage as the assets run it: survey the folder, read, record the skipped files."""
    con = con or duckdb.connect(str(warehouse))
    files, skipped = survey(raw)
    ingest_reference(con, files, _quiet, skipped)
    reports, _ = ingest_dossiers(con, files["dossiers"], _quiet)
    record_skipped(con, skipped, _quiet)
    settle_as_of(con, None)
    return con, reports


def listed(con) -> dict[str, tuple[str, str]]:
    return {name: (status, message) for name, status, message in con.execute(
        "SELECT file_name, status, message FROM meta.input_files ORDER BY file_name").fetchall()}


def dossier_ids(con) -> list[str]:
    return [row[0] for row in con.execute("SELECT dossier_id FROM staging.dossiers ORDER BY 1").fetchall()]


def test_a_link_inside_the_folder_is_read_and_one_outside_is_skipped_unread(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")]})
    (raw / "kept").mkdir()
    write_csv(raw / "kept" / "march.csv", [dossier(MaHoSo="INSIDE")])
    os.symlink(raw / "kept" / "march.csv", raw / "dossiers_20250302.csv")
    os.symlink("dossiers_20250301.csv", raw / "dossiers_20250303.csv")  # relative, inside: a duplicate
    outside = write_csv(tmp_path / "elsewhere" / "secret.csv", [dossier(MaHoSo="OUTSIDE", **PERSONAL)])
    os.symlink(outside, raw / "dossiers_20250304.csv")
    os.symlink(tmp_path / "elsewhere", raw / "dossiers_folder")
    os.symlink(raw / "kept" / "gone.csv", raw / "dossiers_20250305.csv")
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb")
    files = listed(con)
    assert files["dossiers_20250302.csv"][0] == "ingested"
    assert files["dossiers_20250303.csv"][0] == "duplicate"
    assert files["dossiers_20250304.csv"] == ("skipped", OUTSIDE_LINK)
    assert files["dossiers_folder"] == ("skipped", OUTSIDE_LINK)
    assert files["dossiers_20250305.csv"][0] == "skipped"
    assert dossier_ids(con) == ["A", "INSIDE"]
    # nothing of the outside file: no hash, size or time read through the link, no row
    assert con.execute(
        "SELECT sha256, rows_read FROM meta.input_files WHERE file_name = 'dossiers_20250304.csv'").fetchone() == (
        None, 0)
    assert con.execute("SELECT count(*) FROM staging.dossier_rows WHERE dossier_id = 'OUTSIDE'").fetchone() == (0,)
    # the new-file sensor does not follow it either
    assert set(snapshot(raw)) == {"agencies.csv", "procedures.csv", "dossiers_20250301.csv",
                                  "dossiers_20250302.csv", "dossiers_20250303.csv"}


def test_compressed_and_unsupported_files_with_a_prefix_are_skipped_with_their_reason(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")]})
    inner = write_csv(tmp_path / "inner.csv", [dossier(MaHoSo="ZIPPED", **PERSONAL)])
    with zipfile.ZipFile(raw / "dossiers_20250302.zip", "w") as archive:
        archive.write(inner, "dossiers_20250302.csv")
    (raw / "dossiers_20250303.csv.gz").write_bytes(gzip.compress(inner.read_bytes()))
    (raw / "dossiers_20250304.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + inner.read_bytes())
    (raw / "dossiers_20250305.txt").write_bytes(inner.read_bytes())
    (raw / "targets_notes.docx").write_bytes(b"PK\x03\x04")
    (raw / "readme.txt").write_text("not an input")  # no prefix: ignored
    (raw / "exports.zip").write_bytes(b"PK\x03\x04")  # no prefix: ignored
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb")
    files = listed(con)
    assert {name: entry for name, entry in files.items() if entry[0] == "skipped"} == {
        "dossiers_20250302.zip": ("skipped", COMPRESSED_FILE),
        "dossiers_20250303.csv.gz": ("skipped", COMPRESSED_FILE),
        "dossiers_20250304.7z": ("skipped", COMPRESSED_FILE),
        "dossiers_20250305.txt": ("skipped", "unsupported file type .txt"),
        "targets_notes.docx": ("skipped", "unsupported file type .docx"),
    }
    assert "readme.txt" not in files and "exports.zip" not in files
    assert dossier_ids(con) == ["A"]
    # a skipped file that is gone is no longer listed
    (raw / "dossiers_20250302.zip").unlink()
    run_ingest(raw, tmp_path / "wh.duckdb", con)
    assert "dossiers_20250302.zip" not in listed(con)
    assert listed(con)["dossiers_20250305.txt"] == ("skipped", "unsupported file type .txt")


def test_zero_byte_files_are_skipped_and_never_duplicates_of_each_other(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")]})
    for name in ("dossiers_20250302.csv", "dossiers_20250303.xlsx", "dossiers_20250304.parquet", "calendar_2025.csv"):
        (raw / name).write_bytes(b"")
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb")
    files = listed(con)
    for name in ("dossiers_20250302.csv", "dossiers_20250303.xlsx", "dossiers_20250304.parquet", "calendar_2025.csv"):
        assert files[name] == ("skipped", EMPTY_FILE)
    assert not [name for name, (status, _) in files.items() if status == "duplicate"]
    assert rows_accounted_for(con).passed
    check = unreadable_files(con)
    assert check.passed and check.metadata["files_skipped"].value == 4


def test_a_corrupt_resend_keeps_the_previous_rows_until_a_readable_version_replaces_it(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")]})
    export = write_parquet(raw / "dossiers_20250302.parquet", [dossier(MaHoSo="B"), dossier(MaHoSo="C", PhiLePhi="x")])
    original = export.read_bytes()
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb")
    assert dossier_ids(con) == ["A", "B"]
    before = con.execute(
        "SELECT sha256, rows_read, rows_quarantined FROM meta.input_files WHERE file_name = $1", [export.name]).fetchone()

    export.write_bytes(b"\x00garbage, not a parquet file\xff" * 20)  # the corrupt re-send
    con, reports = run_ingest(raw, tmp_path / "wh.duckdb", con)
    status, message = listed(con)[export.name]
    assert status == "unreadable" and message.endswith("(previous version kept)")
    assert {r.file_name: r.status for r in reports}[export.name] == "unreadable"
    assert dossier_ids(con) == ["A", "B"]
    assert con.execute(
        "SELECT sha256, rows_read, rows_quarantined, previous_version_kept FROM meta.input_files "
        "WHERE file_name = $1", [export.name]).fetchone() == (*before, True)
    assert rows_accounted_for(con).passed  # the kept rows stay counted under the file
    check = unreadable_files(con)
    assert not check.passed and export.name in check.description and "previous version" in check.description
    # the next night, still corrupt: the same
    run_ingest(raw, tmp_path / "wh.duckdb", con)
    assert listed(con)[export.name][0] == "unreadable" and dossier_ids(con) == ["A", "B"]
    assert rows_accounted_for(con).passed

    # the original comes back: recognised, its rows were never dropped
    export.write_bytes(original)
    run_ingest(raw, tmp_path / "wh.duckdb", con)
    assert listed(con)[export.name][0] == "ingested"
    assert con.execute(
        "SELECT sha256, rows_read, rows_quarantined, previous_version_kept FROM meta.input_files "
        "WHERE file_name = $1", [export.name]).fetchone() == (*before, False)
    assert rows_accounted_for(con).passed and unreadable_files(con).passed

    # corrupt again, then replaced by a new readable version: ingested as usual
    export.write_bytes(b"broken again")
    run_ingest(raw, tmp_path / "wh.duckdb", con)
    write_parquet(export, [dossier(MaHoSo="D")])
    run_ingest(raw, tmp_path / "wh.duckdb", con)
    assert listed(con)[export.name] == ("ingested", "replaced the earlier content of this file")
    assert dossier_ids(con) == ["A", "D"]
    assert rows_accounted_for(con).passed and unreadable_files(con).passed


def test_an_ingested_export_deleted_while_corrupt_keeps_its_rows(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")],
                                      "dossiers_20250302.csv": [dossier(MaHoSo="B")]})
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb")
    (raw / "dossiers_20250302.csv").write_bytes(b"")  # an empty re-send: skipped, previous kept
    run_ingest(raw, tmp_path / "wh.duckdb", con)
    assert listed(con)["dossiers_20250302.csv"] == ("skipped", f"{EMPTY_FILE} (previous version kept)")
    assert dossier_ids(con) == ["A", "B"] and rows_accounted_for(con).passed
    assert not unreadable_files(con).passed
    (raw / "dossiers_20250302.csv").unlink()
    run_ingest(raw, tmp_path / "wh.duckdb", con)
    assert dossier_ids(con) == ["A", "B"] and rows_accounted_for(con).passed


def test_ignored_sheets_are_recorded_and_kept_when_the_file_is_touched(tmp_path, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")
    raw = make_raw(tmp_path / "raw")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Hồ sơ"
    row = dossier(MaHoSo="X")
    sheet.append(list(row))
    sheet.append(list(row.values()))
    workbook.create_sheet("Ghi chú").append(["nothing"])
    workbook.save(raw / "dossiers_20250301.xlsx")
    real = build_module.stage_source

    def with_sheets(con, path):
        source = real(con, path)
        sheets = getattr(source, "ignored_sheets", None)
        if sheets is None:  # a reader that does not say yet: say it here
            return SimpleNamespace(headers=source.headers, typed=source.typed, ignored_sheets=["Ghi chú"])
        return source

    monkeypatch.setattr(build_module, "stage_source", with_sheets)
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb")
    query = "SELECT ignored_sheets FROM meta.input_files WHERE file_name = 'dossiers_20250301.xlsx'"
    assert con.execute(query).fetchone() == (["Ghi chú"],)
    os.utime(raw / "dossiers_20250301.xlsx", (1_800_000_000, 1_800_000_000))
    run_ingest(raw, tmp_path / "wh.duckdb", con)
    assert con.execute(query).fetchone() == (["Ghi chú"],)


def test_a_warehouse_without_the_new_columns_gets_them(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")]})
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb")
    con.execute("ALTER TABLE meta.input_files DROP COLUMN ignored_sheets")
    con.execute("ALTER TABLE meta.input_files DROP COLUMN previous_version_kept")
    shutil.copy(raw / "dossiers_20250301.csv", raw / "dossiers_20250302.csv")
    run_ingest(raw, tmp_path / "wh.duckdb", con)
    assert listed(con)["dossiers_20250302.csv"][0] == "duplicate"
    assert con.execute("SELECT count(*) FROM meta.input_files WHERE previous_version_kept").fetchone() == (0,)


def test_a_reference_file_that_breaks_later_is_read_from_its_last_readable_version(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")]})
    agencies = raw / "agencies.csv"
    original = agencies.read_bytes()
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb")
    units = con.execute("SELECT agency_code FROM staging.agencies ORDER BY 1").fetchall()
    assert units and dossier_ids(con) == ["A"]

    agencies.write_bytes(b"\x00\x01\x02 PK not a table \xff\xfe" * 40)  # the corrupt re-send
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb", con)
    status, message = listed(con)["agencies.csv"]
    assert status == "unreadable" and message.endswith("(previous version kept)")
    assert con.execute(
        "SELECT previous_version_kept FROM meta.input_files WHERE file_name = 'agencies.csv'").fetchone() == (True,)
    assert con.execute("SELECT agency_code FROM staging.agencies ORDER BY 1").fetchall() == units
    assert dossier_ids(con) == ["A"]  # its dossiers are not unknown_agency
    assert rows_accounted_for(con).passed
    check = unreadable_files(con)
    assert not check.passed and "agencies.csv" in check.description

    agencies.write_bytes(original)  # repaired
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb", con)
    assert listed(con)["agencies.csv"][0] == "ingested"
    assert unreadable_files(con).passed


def test_a_reference_file_unreadable_from_the_start_has_no_previous_version(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo="A")]})
    (raw / "calendar_2026.csv").write_bytes(b"\x00\x01 not a table \xff" * 40)
    con, _ = run_ingest(raw, tmp_path / "wh.duckdb")
    status, message = listed(con)["calendar_2026.csv"]
    assert status == "unreadable" and "previous version" not in message
    assert con.execute("SELECT count(*) FROM staging.calendar_overrides").fetchone() == (0,)
