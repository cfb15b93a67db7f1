"""docs/spec §2.1: an event timestamp (every dossier timestamp but due_at) dated after the day the run
starts, in Vietnam, is bad_timestamp; it never moves the default as-of date (docs/spec §3).

The run's day is passed in (``run_day``), so these tests do not depend on the clock."""

import datetime as dt

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reform_pipeline.ingest.build import discover, ingest_dossiers, ingest_reference, settle_as_of
from reform_pipeline.settings import today_in_vietnam
from reform_pipeline_tests.fixtures import PROC_A, dossier, make_raw, quarantine, write_csv

RUN_DAY = dt.date(2026, 12, 6)
EVENT_COLUMNS = ["NgayNopHoSo", "NgayTiepNhan", "NgayKetThucXuLy", "NgayTra", "NgayYeuCauBoSung",
                 "NgayCongDanBoSung", "NgayCapNhat"]


def ingest_on(raw, warehouse, run_day=RUN_DAY) -> duckdb.DuckDBPyConnection:
    """The ingest stage of a run that starts on ``run_day`` (in Vietnam)."""
    con = duckdb.connect(str(warehouse))
    files = discover(raw)
    ingest_reference(con, files, lambda _: None)
    ingest_dossiers(con, files["dossiers"], lambda _: None, run_day=run_day)
    return con


def reasons(con) -> list[tuple]:
    return [(number, reason) for _, number, reason in quarantine(con)]


# A dossier received, supplemented, finished and returned on the run's day.
ON_RUN_DAY = {
    "NgayNopHoSo": "2026-12-06 07:50:00", "NgayTiepNhan": "2026-12-06 08:00:00",
    "NgayHenTra": "2026-12-09 17:00:00", "NgayYeuCauBoSung": "2026-12-06 08:30:00",
    "NgayCongDanBoSung": "2026-12-06 09:00:00", "NgayKetThucXuLy": "2026-12-06 10:00:00",
    "NgayTra": "2026-12-06 15:00:00", "NgayCapNhat": "2026-12-06 15:00:00",
}


def future(column: str, value: str) -> dict:
    """A dossier of the run's day with one event column set to ``value``."""
    return dossier(**{**ON_RUN_DAY, column: value})


@pytest.mark.parametrize("column", EVENT_COLUMNS)
def test_future_timestamps_an_event_dated_after_the_run_day_is_bad_timestamp(tmp_path, column):
    # 2026-12-07 00:00 is the first instant after the run's day; 2026-12-06 23:59:59 is on it
    rows = [future(column, "2026-12-07 00:00:00"), future(column, "2026-12-06 23:59:59") | {"MaHoSo": "ON-DAY"}]
    con = ingest_on(make_raw(tmp_path / "raw", {"dossiers_20261206.csv": rows}), tmp_path / "wh.duckdb")
    assert reasons(con) == [(1, "bad_timestamp")]
    assert con.execute("SELECT dossier_id FROM staging.dossiers").fetchall() == [("ON-DAY",)]


def test_future_timestamps_due_at_may_lie_after_the_run_day(tmp_path):
    row = dossier(TrangThaiHoSoId="4", NgayKetThucXuLy="", NgayTra="", NgayHenTra="2027-01-15 17:00:00")
    con = ingest_on(make_raw(tmp_path / "raw", {"dossiers_20261206.csv": [row]}), tmp_path / "wh.duckdb")
    assert reasons(con) == []
    assert con.execute("SELECT due_at FROM staging.dossiers").fetchone() == (dt.datetime(2027, 1, 15, 17, 0),)


@pytest.mark.parametrize(
    "changes, reason",
    [
        # missing_required comes before bad_timestamp …
        ({"MaHoSo": "", "NgayCapNhat": "2099-12-31"}, "missing_required"),
        # … and bad_timestamp before every later reason, as for an unreadable timestamp
        ({"KenhThucHien": "fax", "NgayCapNhat": "2099-12-31"}, "bad_timestamp"),
        ({"PhiLePhi": "-1", "NgayCapNhat": "2099-12-31"}, "bad_timestamp"),
        ({"MaDonVi": "X404", "NgayCapNhat": "2099-12-31"}, "bad_timestamp"),
        ({"MaTTHC": "0.000000", "NgayCapNhat": "2099-12-31"}, "bad_timestamp"),
        ({"NgayHenTra": "2025-03-01", "NgayCapNhat": "2099-12-31"}, "bad_timestamp"),
    ],
)
def test_future_timestamps_take_the_place_of_bad_timestamp_in_the_reason_order(tmp_path, changes, reason):
    con = ingest_on(make_raw(tmp_path / "raw", {"dossiers_20261206.csv": [dossier(**changes)]}),
                    tmp_path / "wh.duckdb")
    assert reasons(con) == [(1, reason)]


def test_future_timestamps_a_row_updated_31_12_2099_is_quarantined_and_does_not_move_the_as_of(tmp_path):
    rows = [dossier(MaHoSo="A"), dossier(MaHoSo="B", NgayCapNhat="31/12/2099")]
    con = ingest_on(make_raw(tmp_path / "raw", {"dossiers_20250305.csv": rows}), tmp_path / "wh.duckdb")
    assert reasons(con) == [(2, "bad_timestamp")]
    (values,) = con.execute("SELECT raw_values FROM meta.quarantine").fetchone()
    assert '"NgayCapNhat":"31/12/2099"' in values
    # GOOD_DOSSIER's latest date is its NgayTra / NgayCapNhat, 2025-03-05
    assert settle_as_of(con, None, RUN_DAY) == (dt.date(2025, 3, 5), "latest date in the data")
    assert con.execute("SELECT file_name, rows_read, rows_quarantined FROM meta.input_files "
                       "WHERE kind = 'dossiers'").fetchall() == [("dossiers_20250305.csv", 2, 1)]


def test_future_timestamps_a_typed_parquet_event_after_the_run_day_is_bad_timestamp(tmp_path):
    raw = make_raw(tmp_path / "raw")
    ts = pa.timestamp("us")
    pq.write_table(pa.table({
        "MaHoSo": ["OK", "LATER"], "MaTTHC": [PROC_A] * 2, "MaDonVi": ["X1"] * 2,
        "TrangThaiHoSoId": pa.array([9, 9], pa.int8()),
        "NgayTiepNhan": pa.array([dt.datetime(2026, 12, 1, 8, 0)] * 2, ts),
        "NgayKetThucXuLy": pa.array([dt.datetime(2026, 12, 6, 16, 0), dt.datetime(2026, 12, 8, 9, 0)], ts),
    }), raw / "dossiers_20261206.parquet")
    con = ingest_on(raw, tmp_path / "wh.duckdb")
    assert reasons(con) == [(2, "bad_timestamp")]
    assert con.execute("SELECT raw_values::JSON->>'NgayKetThucXuLy' FROM meta.quarantine").fetchone() == (
        "2026-12-08 09:00:00",)


def test_future_timestamps_the_run_day_is_the_day_in_vietnam():
    """UTC+7: 17:00 UTC is already the next day in Vietnam."""
    assert today_in_vietnam(dt.datetime(2026, 12, 5, 16, 59, tzinfo=dt.timezone.utc)) == dt.date(2026, 12, 5)
    assert today_in_vietnam(dt.datetime(2026, 12, 5, 17, 0, tzinfo=dt.timezone.utc)) == dt.date(2026, 12, 6)


def test_future_timestamps_stored_before_the_rule_are_quarantined_by_the_next_run(tmp_path):
    """A warehouse whose rows were read before the rule: its 2099 row is valid and holds the
    as-of date at 2099-12-31. The next run quarantines it as bad_timestamp, counts it in its file
    and moves the as-of date back to 2025-03-05."""
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [
        dossier(MaHoSo="A"), dossier(MaHoSo="B", NgayCapNhat="31/12/2099"),
        dossier(MaHoSo="C", MaDonVi="X404", NgayCapNhat="2099-12-31"),  # unknown_agency then
    ]})
    # as read by a run whose day let 2099 through: the state of a warehouse from before the rule
    con = ingest_on(raw, tmp_path / "wh.duckdb", run_day=dt.date(2099, 12, 31))
    assert reasons(con) == [(3, "unknown_agency")]
    assert settle_as_of(con, None, dt.date(2099, 12, 31))[0] == dt.date(2099, 12, 31)

    ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None, run_day=RUN_DAY)
    assert reasons(con) == [(2, "bad_timestamp"), (3, "bad_timestamp")]
    assert con.execute("SELECT dossier_id FROM staging.dossiers").fetchall() == [("A",)]
    assert settle_as_of(con, None, RUN_DAY)[0] == dt.date(2025, 3, 5)
    assert con.execute("SELECT rows_quarantined FROM meta.input_files WHERE kind = 'dossiers'").fetchone() == (2,)
    # the quarantine shows the stored values of the row read as valid
    (values,) = con.execute("SELECT raw_values FROM meta.quarantine WHERE row_number = 2").fetchone()
    assert '"dossier_id":"B"' in values and '"updated_at":"2099-12-31 00:00:00"' in values
    # later nights find nothing more to do
    write_csv(raw / "dossiers_20250306.csv", [dossier(MaHoSo="D", NgayCapNhat="2025-03-06")])
    _, mode = ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None, run_day=RUN_DAY)
    assert mode == "incremental"
    assert settle_as_of(con, None, RUN_DAY)[0] == dt.date(2025, 3, 6)
