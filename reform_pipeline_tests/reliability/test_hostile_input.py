"""Hostile input never loses a row or stops a run (issue: reliability).

Property-based: random and hostile rows in every format and encoding; for every file,
rows read = rows written, and staging + quarantine = rows read.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reform_pipeline_tests.fixtures import GOOD_DOSSIER, dossier, ingest, make_raw

HEADERS = list(GOOD_DOSSIER)
HOSTILE_VALUES = [
    "'; DROP TABLE staging.dossiers; --", "\" OR 1=1 --", "a;b,c", "=HYPERLINK(\"http://x\")",
    "=cmd|' /C calc'!A0", "0001-01-01", "9999-12-31 23:59:59", "-5", "99999999999999999999999",
    "💥🇻🇳", "Nguye\u0302\u0303n", "Nguyễn", "", "   ", "2025-02-30", "13/13/2025", "1e5", "NULL",
    "line\nbreak", "tab\tin", "\\N", "  2025-03-03 08:00:00  ", "３", "٣",
]

cells = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(max_size=30),
    st.sampled_from(["1", "2", "4", "10", "2025-03-03 08:00:00", "X1", "1.000001.000.00.00.H32"]),
)
rows = st.lists(
    st.fixed_dictionaries({header: st.one_of(st.just(value), cells) for header, value in GOOD_DOSSIER.items()}),
    min_size=0, max_size=25,
)
formats = st.sampled_from(["utf-8", "utf-8-sig;", "utf-16", "cp1258", "xlsx", "parquet"])


def write_export(path: Path, fmt: str, data: list[dict], number: int) -> Path:
    """One export; an extra column named after ``number`` keeps every file's bytes distinct
    (identical files would rightly count once)."""
    extra = f"Ghi chú {number}"
    data = [{**row, extra: ""} for row in data]
    headers = HEADERS + [extra]
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(headers)
        for row in data:
            # Excel cannot hold control characters; a formula-looking text stays text
            values = ["".join(ch for ch in row[h] if ch >= " " or ch in "\t\n") for h in headers]
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"
        target = path.with_suffix(".xlsx")
        book.save(target)
        return target
    if fmt == "parquet":
        target = path.with_suffix(".parquet")
        pq.write_table(pa.table({h: pa.array([row[h] for row in data], pa.string()) for h in headers}), target)
        return target
    encoding, _, delimiter = fmt.partition(";")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter or ",")  # \r\n: a cell holding \r is quoted
    writer.writerow(headers)
    writer.writerows([[row[h] for h in headers] for row in data])
    try:
        payload = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        assume(False)  # not every text has a Windows-1258 form
    target = path.with_suffix(".csv")
    target.write_bytes(payload)
    return target


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports=st.lists(st.tuples(formats, rows), min_size=1, max_size=3))
def test_every_row_of_every_hostile_file_is_accounted_for(exports):
    with tempfile.TemporaryDirectory() as folder:
        raw = make_raw(Path(folder) / "raw")
        written = {}
        for number, (fmt, data) in enumerate(exports):
            target = write_export(raw / f"dossiers_2025030{number}", fmt, data, number)
            written[target.name] = len(data)
        con = ingest(raw, Path(folder) / "wh.duckdb")
        accounted = dict(con.execute(
            "SELECT f.file_name, f.rows_read - "
            " (SELECT count(*) FROM staging.dossier_rows r WHERE r.source_file = f.file_name AND r.reason IS NULL)"
            " - (SELECT count(*) FROM meta.quarantine q WHERE q.source_file = f.file_name) "
            "FROM meta.input_files f WHERE f.kind = 'dossiers'").fetchall())
        read = dict(con.execute(
            "SELECT file_name, rows_read FROM meta.input_files WHERE kind = 'dossiers' AND status = 'ingested'"
        ).fetchall())
        con.close()
    assert read == written
    assert all(difference == 0 for difference in accounted.values())


def test_a_cell_holding_a_line_break_among_the_first_lines_does_not_hide_the_header(tmp_path):
    """Found by the test above: a quoted address of "\\n\\r" in the fifth row cut a line that the
    header search (the first 30 lines) parsed alone, and the file was unreadable."""
    raw = make_raw(tmp_path / "raw")
    rows = [dossier(MaHoSo=f"HS-{i}") for i in range(4)] + [dossier(MaHoSo="HS-9", DiaChi="\n\r")]
    target = write_export(raw / "dossiers_20250300", "utf-8", rows, 0)
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert con.execute("SELECT status, rows_read FROM meta.input_files WHERE file_name = ?",
                       [target.name]).fetchall() == [("ingested", 5)]
