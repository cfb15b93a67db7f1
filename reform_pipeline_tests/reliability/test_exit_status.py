"""Every configuration error is one line on stderr and exit status 2, with no traceback and
nothing published (docs/spec §3; docs/operating.md "Reading a stop")."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import pytest

from reform_pipeline_tests.fixtures import dossier, make_raw
from reform_pipeline_tests.processes import deployment

TOMORROW = (dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def site(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo=f"A{i}") for i in range(3)]})
    return deployment(tmp_path, raw)


def _one_line_exit_2(done, *expected: str) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: ")
    for text in expected:
        assert text in line
    assert "Traceback" not in done.stdout + done.stderr
    return line


@pytest.mark.parametrize("value, expected", [
    ("31/12/2025", "REFORM_AS_OF='31/12/2025' is not a date in the form YYYY-MM-DD"),
    ("2025-02-30", "REFORM_AS_OF='2025-02-30' is not a real calendar date"),
    (TOMORROW, f"REFORM_AS_OF={TOMORROW} is after today"),
])
def test_a_malformed_or_future_as_of_date_is_one_line_and_exit_2(site, value, expected):
    _one_line_exit_2(site.run(REFORM_AS_OF=value), expected)
    assert not site.bi.exists()


def test_an_as_of_date_before_the_data_is_one_line_and_exit_2_and_publishes_nothing(site):
    _one_line_exit_2(site.run(REFORM_AS_OF="2020-01-01"),
                     "REFORM_AS_OF=2020-01-01 is before the earliest received date", "2025-03-03")
    assert not site.bi.exists()


def test_a_warehouse_path_under_a_file_is_one_line_and_exit_2(site, tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    _one_line_exit_2(site.run(REFORM_WAREHOUSE=str(tmp_path / "a_file" / "reform.duckdb")), "is a file, not a folder")


def test_a_warehouse_path_that_is_a_folder_is_one_line_and_exit_2(site, tmp_path):
    _one_line_exit_2(site.run(REFORM_WAREHOUSE=str(tmp_path)), "is a folder")


def test_a_warehouse_that_is_no_duckdb_file_is_one_line_and_exit_2_at_once(site):
    site.warehouse.parent.mkdir(parents=True, exist_ok=True)
    site.warehouse.write_text("these are not the bytes of a DuckDB database\n" * 100)
    done = site.run(REFORM_LOCK_WAIT_SECONDS="600")  # no waiting: the file is no database
    _one_line_exit_2(done, "cannot be opened", "not a valid DuckDB database file")


def test_a_bi_path_under_a_file_is_one_line_and_exit_2(site, tmp_path):
    (tmp_path / "bi_file").write_text("x")
    _one_line_exit_2(site.run(REFORM_BI_DB=str(tmp_path / "bi_file" / "reform_bi.duckdb")), "REFORM_BI_DB=")


@pytest.mark.parametrize("variable, value", [("REFORM_LOCK_WAIT_SECONDS", "soon"),
                                             ("REFORM_LOCK_WAIT_SECONDS", "-5"),
                                             ("REFORM_ACCEPT_SHRINK", "maybe")])
def test_a_bad_run_setting_is_one_line_and_exit_2(site, variable, value):
    _one_line_exit_2(site.run(**{variable: value}), variable)


def test_a_missing_raw_folder_is_one_line_and_exit_2(site, tmp_path):
    _one_line_exit_2(site.run(REFORM_RAW_DIR=str(tmp_path / "nowhere")), "does not exist")


def test_a_run_that_succeeded_exits_0_and_the_published_file_opens(site):
    done = site.run()
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    with duckdb.connect(str(site.bi), read_only=True) as bi:
        assert bi.execute("SELECT count(*) FROM mart.dossier_facts").fetchone() == (3,)
