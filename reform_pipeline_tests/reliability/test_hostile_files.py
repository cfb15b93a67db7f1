"""Hostile files and names (issue: reliability): each case completes, loses no row, and says
which file and row it is about."""

from __future__ import annotations

import csv
import io
import unicodedata

import openpyxl
import pytest

from reform_pipeline_tests.fixtures import (
    AGENCIES, GOOD_DOSSIER, dossier, ingest, make_raw, quarantine, write_csv,
)

def csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


HEADER = csv_line(GOOD_DOSSIER)


def line(**changes) -> str:
    return csv_line(dossier(**changes).values())


def accounted(con) -> dict[str, tuple]:
    """file -> (rows read, valid rows, quarantined rows)."""
    return {
        name: (read, valid, rejected)
        for name, read, valid, rejected in con.execute(
            "SELECT f.file_name, f.rows_read,"
            " (SELECT count(*) FROM staging.dossier_rows r WHERE r.source_file = f.file_name AND r.reason IS NULL),"
            " (SELECT count(*) FROM meta.quarantine q WHERE q.source_file = f.file_name) "
            "FROM meta.input_files f WHERE f.kind = 'dossiers'"
        ).fetchall()
    }


def test_truncated_file_keeps_its_complete_rows_and_quarantines_the_cut_one(tmp_path):
    raw = make_raw(tmp_path / "raw")
    text = HEADER + line(MaHoSo="A") + line(MaHoSo="B")
    (raw / "dossiers_20250301.csv").write_text(text[: len(text) - 40] + '"unterminated')
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert accounted(con) == {"dossiers_20250301.csv": (2, 1, 1)}
    assert quarantine(con) == [("dossiers_20250301.csv", 2, "malformed_row")]


def test_duplicate_headers_take_the_first_and_report_the_repeat(tmp_path):
    raw = make_raw(tmp_path / "raw")
    (raw / "dossiers_20250301.csv").write_text(HEADER.rstrip("\n") + ",MaHoSo\n" + line(MaHoSo="A").rstrip("\n") + ",B\n")
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT dossier_id FROM staging.dossiers").fetchall() == [("A",)]
    assert con.execute("SELECT unknown_columns FROM meta.input_files WHERE kind = 'dossiers'").fetchone() == (
        ["MaHoSo (repeated)"],)


def test_a_one_megabyte_cell_is_read(tmp_path):
    raw = make_raw(tmp_path / "raw")
    (raw / "dossiers_20250301.csv").write_text(HEADER + line(MaHoSo="A", DiaChi="x" * 1_000_000) + line(MaHoSo="B"))
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert accounted(con) == {"dossiers_20250301.csv": (2, 2, 0)}


def test_nul_bytes_do_not_stop_the_file(tmp_path):
    raw = make_raw(tmp_path / "raw")
    (raw / "dossiers_20250301.csv").write_bytes((HEADER + line(MaHoSo="A\0B") + line(MaHoSo="C", PhiLePhi="5\0")).encode())
    con = ingest(raw, tmp_path / "wh.duckdb")
    read, valid, rejected = accounted(con)["dossiers_20250301.csv"]
    assert (read, valid + rejected) == (2, 2)
    assert ("dossiers_20250301.csv", 2, "bad_number") in quarantine(con)


@pytest.mark.parametrize("encoding", ["utf-16", "cp1258"])
def test_other_encodings_are_read(tmp_path, encoding):
    raw = make_raw(tmp_path / "raw")
    # Windows-1258 writes Vietnamese as a base letter and a combining tone mark: "Trực tuyến"
    # arrives decomposed and must still read as channel 2
    online = "Tr\u01b0\u0323c tuy\u00ea\u0301n"
    text = HEADER + line(MaHoSo="A", ChuHoSo="Tran Van Binh", KenhThucHien=online, DiaChi="Nha Trang")
    (raw / "dossiers_20250301.csv").write_bytes(text.encode(encoding))
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT dossier_id, channel FROM staging.dossiers").fetchall() == [("A", 2)]


def test_formula_cells_in_xlsx_are_text_never_evaluated(tmp_path):
    raw = make_raw(tmp_path / "raw")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(GOOD_DOSSIER))
    sheet.append(list(dossier(MaHoSo="A").values()))
    sheet.append(list(dossier(MaHoSo="B", PhiLePhi="=1+1", DiaChi="=cmd|' /C calc'!A0").values()))
    book.save(raw / "dossiers_20250301.xlsx")
    con = ingest(raw, tmp_path / "wh.duckdb")
    read, valid, rejected = accounted(con)["dossiers_20250301.xlsx"]
    assert (read, valid + rejected) == (2, 2)
    assert ("dossiers_20250301.xlsx", 2, "bad_number") in quarantine(con) or valid == 2


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"NgayTiepNhan": "0001-01-01 00:00:00"}, "bad_timestamp"),
        ({"NgayHenTra": "9999-12-31 23:59:59"}, "bad_timestamp"),
        ({"PhiLePhi": "-50000"}, "bad_number"),
        ({"PhiLePhi": "123456789012345678901234567890"}, "bad_number"),
        ({"MaHoSo": "HS-💥-🇻🇳"}, None),
        ({"ChuHoSo": "Nguyễn 😀 Thị"}, None),
    ],
)
def test_hostile_values(tmp_path, changes, reason):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(**changes)]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert [r[2] for r in quarantine(con)] == ([reason] if reason else [])


def test_nfc_and_nfd_spellings_of_a_code_are_one_code(tmp_path):
    code = "XÃ-ĐÔNG"
    raw = make_raw(tmp_path / "raw")
    write_csv(raw / "agencies.csv", AGENCIES + [
        {"MaDonVi": unicodedata.normalize("NFC", code), "TenDonVi": "Xã Đông", "LoaiDonVi": "commune", "MaDonViCha": "H1"}])
    write_csv(raw / "dossiers_20250301.csv", [dossier(MaDonVi=unicodedata.normalize("NFD", code))])
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == []
    assert con.execute("SELECT agency_code FROM staging.dossiers").fetchone() == (unicodedata.normalize("NFC", code),)


# Every character DuckDB's trim removes (the Unicode space separators), characters it keeps
# (tab, line breaks, a zero-width space) and non-ASCII letters.
EDGE_CHARACTERS = [" ", "\u00a0", "\u1680", "\u2000", "\u200a", "\u202f", "\u205f", "\u3000",
                   "\t", "\r", "\n", "\u200b", "Đ", "ễ", "😀"]


def test_trimmed_cells_equal_trim_everywhere(tmp_path):
    """The ingest trims only cells that can change (macros.sql, trimmed): the result must be
    DuckDB's trim for any cell."""
    import duckdb

    from reform_pipeline.warehouse import run_sql_file

    con = duckdb.connect()
    run_sql_file(con, "ingest/macros")
    cells = [None, "", "A1", "A 1", "  ", *("".join(p) for p in _edge_placements())]
    differing = con.execute(
        "SELECT s FROM (SELECT unnest($cells) AS s) "
        "WHERE trimmed(s) IS DISTINCT FROM trim(s) OR cell(s) IS DISTINCT FROM nullif(trim(s), '')",
        {"cells": cells},
    ).fetchall()
    assert differing == []


def _edge_placements():
    for c in EDGE_CHARACTERS:
        yield c, "HS-001"
        yield "HS-001", c
        yield c, "HS", c, "001", c
        yield c, c
        yield c,


def test_a_code_between_no_break_spaces_is_the_code(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaDonVi="\u00a0X1\u3000")]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert quarantine(con) == []
    assert con.execute("SELECT agency_code FROM staging.dossiers").fetchone() == ("X1",)


HOSTILE_NAME = "dossiers_2025'03\"01; DROP TABLE x; -- [1] {a,b} *? Đà Nẵng.csv"


def test_a_hostile_file_name_is_read_like_any_other(tmp_path):
    raw = make_raw(tmp_path / "raw", {HOSTILE_NAME: [dossier(MaHoSo="A"), dossier(MaHoSo="B", PhiLePhi="x")]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert accounted(con) == {HOSTILE_NAME: (2, 1, 1)}
    assert quarantine(con) == [(HOSTILE_NAME, 2, "bad_number")]


def test_sql_looking_values_are_data(tmp_path):
    evil = "x'); DROP TABLE staging.dossiers; --"
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [
        dossier(MaHoSo=evil), dossier(MaHoSo="B", KenhThucHien="1; DELETE FROM meta.quarantine")]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT dossier_id FROM staging.dossiers").fetchall() == [(evil,)]
    assert quarantine(con) == [("dossiers_20250301.csv", 2, "bad_code")]
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'dossiers'").fetchone() == (1,)


def _count_single_reads(monkeypatch) -> list[str]:
    import reform_pipeline.ingest.build as build

    read_alone: list[str] = []
    real = build.stage_source

    def spy(con, path):
        if path.name.startswith("dossiers"):
            read_alone.append(path.name)
        return real(con, path)

    monkeypatch.setattr(build, "stage_source", spy)
    return read_alone


def test_one_broken_file_in_a_group_is_found_by_halves_and_only_it_is_read_alone(tmp_path, monkeypatch):
    raw = make_raw(tmp_path / "raw", {f"dossiers_2025030{day}.csv": [dossier(MaHoSo=f"D{day}")] for day in range(1, 9)})
    (raw / "dossiers_20250305.csv").write_text(HEADER + line(MaHoSo="D5").rstrip("\n") + ",extra field\n" + line(MaHoSo="E5"))
    read_alone = _count_single_reads(monkeypatch)
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert read_alone == ["dossiers_20250305.csv"]
    counts = accounted(con)
    assert counts["dossiers_20250305.csv"] == (2, 1, 1)
    assert all(counts[f"dossiers_2025030{day}.csv"] == (1, 1, 0) for day in (1, 2, 3, 4, 6, 7, 8))
    assert quarantine(con) == [("dossiers_20250305.csv", 1, "malformed_row")]


def test_windows_1258_bytes_past_the_first_64_kib_are_still_transcoded(tmp_path, monkeypatch):
    raw = make_raw(tmp_path / "raw", {f"dossiers_2025030{day}.csv": [dossier(MaHoSo=f"D{day}")] for day in range(1, 5)})
    ascii_rows = "".join(line(MaHoSo=f"A{i}", ChuHoSo="Tran Van Binh", DiaChi="Nha Trang") for i in range(400))
    assert len(ascii_rows) > 1 << 16
    name = "Tr\u00e2\u0300n V\u0103n Bi\u0300nh"  # as Windows-1258 writes it: a tone as a combining mark
    late = line(MaHoSo="LATE", ChuHoSo=name, DiaChi="Nha Trang", KenhThucHien="Tr\u01b0\u0323c tuy\u00ea\u0301n")
    (raw / "dossiers_20250303.csv").write_bytes((HEADER + ascii_rows + late).encode("cp1258"))
    read_alone = _count_single_reads(monkeypatch)
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert read_alone == ["dossiers_20250303.csv"]
    assert accounted(con)["dossiers_20250303.csv"] == (401, 401, 0)
    assert con.execute(
        "SELECT channel, applicant_name FROM staging.dossier_rows WHERE dossier_id = 'LATE'").fetchall() == [(2, name)]
