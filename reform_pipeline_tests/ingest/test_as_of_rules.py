"""docs/spec §3: the as-of date. REFORM_AS_OF before the earliest received date of a valid dossier
stops the run (ConfigError, one line), and so does one after today in Vietnam (our choice, docs/spec
is silent); the default is the latest date among valid rows, never after the run's day."""

import datetime as dt
import gc

import duckdb
import pytest
from dagster import materialize

from reform_pipeline.definitions import ALL_ASSETS
from reform_pipeline.ingest.build import settle_as_of
from reform_pipeline.resources import resources_from
from reform_pipeline.settings import ConfigError, Settings, parse_as_of
from reform_pipeline_tests.fixtures import dossier, ingest, make_raw

RUN_DAY = dt.date(2026, 12, 6)


def open_dossier(dossier_id: str, received: str, **changes) -> dict:
    return dossier(**{"MaHoSo": dossier_id, "TrangThaiHoSoId": "4", "NgayNopHoSo": "", "NgayTiepNhan": received,
                      "NgayHenTra": "", "NgayKetThucXuLy": "", "NgayTra": "", "NgayCapNhat": received, **changes})


@pytest.fixture
def received_from_2023_01_02(tmp_path):
    """Valid dossiers received 2023-01-02 (the earliest) and 2025-03-03; a not-accepted one with no
    received date; a quarantined row received earlier, 2022-12-30, which does not count."""
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [
        open_dossier("EARLIEST", "2023-01-02 08:00:00"),
        dossier(MaHoSo="LATER"),  # received 2025-03-03, returned and updated 2025-03-05
        open_dossier("NOT-ACCEPTED", "", TrangThaiHoSoId="3", NgayCapNhat="2023-01-03"),
        open_dossier("REJECTED", "2022-12-30 08:00:00", PhiLePhi="-1"),
    ]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert [row[0] for row in con.execute("SELECT reason FROM meta.quarantine").fetchall()] == ["bad_number"]
    yield con
    con.close()


def test_as_of_before_the_earliest_received_date_stops_the_run(received_from_2023_01_02):
    with pytest.raises(ConfigError) as raised:
        settle_as_of(received_from_2023_01_02, dt.date(2020, 1, 1), RUN_DAY)
    assert str(raised.value) == (
        "REFORM_AS_OF=2020-01-01 is before the earliest received date in the data (2023-01-02): "
        "nothing to measure; set a date on or after it"
    )
    assert "\n" not in str(raised.value)


def test_as_of_the_day_before_the_earliest_received_date_stops_the_run(received_from_2023_01_02):
    # the quarantined row received 2022-12-30 is not data: 2023-01-01 is still before it
    with pytest.raises(ConfigError, match=r"REFORM_AS_OF=2023-01-01 is before .* \(2023-01-02\)"):
        settle_as_of(received_from_2023_01_02, dt.date(2023, 1, 1), RUN_DAY)


def test_as_of_on_the_earliest_received_date_is_accepted(received_from_2023_01_02):
    assert settle_as_of(received_from_2023_01_02, dt.date(2023, 1, 2), RUN_DAY) == (
        dt.date(2023, 1, 2), "REFORM_AS_OF")
    assert received_from_2023_01_02.execute("SELECT as_of, as_of_source FROM meta.run_context").fetchall() == [
        (dt.date(2023, 1, 2), "REFORM_AS_OF")]


def test_as_of_default_is_the_latest_date_among_valid_rows(received_from_2023_01_02):
    assert settle_as_of(received_from_2023_01_02, None, RUN_DAY) == (dt.date(2025, 3, 5), "latest date in the data")


def test_as_of_after_today_in_vietnam_is_a_config_error_when_the_setting_is_read():
    with pytest.raises(ConfigError) as raised:
        parse_as_of("2026-12-07", today=RUN_DAY)
    assert str(raised.value) == (
        "REFORM_AS_OF=2026-12-07 is after today (2026-12-06 in Vietnam): nothing has happened on "
        "that day yet; set today's date or an earlier one"
    )
    assert parse_as_of("2026-12-06", today=RUN_DAY) == RUN_DAY
    # without a day given, today in Vietnam: a date far ahead is always after it
    with pytest.raises(ConfigError, match="is after today"):
        Settings.from_env({"REFORM_AS_OF": "2999-01-01"})


def test_as_of_after_the_run_day_is_a_config_error_where_the_as_of_is_settled(received_from_2023_01_02):
    """The run's day can be later than the day the setting was read (a run started just before
    midnight): settle_as_of checks again, against the run's day."""
    with pytest.raises(ConfigError, match=r"REFORM_AS_OF=2026-12-07 is after today \(2026-12-06 in Vietnam\)"):
        settle_as_of(received_from_2023_01_02, dt.date(2026, 12, 7), RUN_DAY)


def test_as_of_without_any_valid_dossier_date_is_the_run_day(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [dossier(PhiLePhi="-1")]})
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert settle_as_of(con, None, RUN_DAY) == (RUN_DAY, "today (no valid dossier dates)")


def test_as_of_before_the_data_fails_the_dossiers_step_and_nothing_is_modelled_or_published(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250305.csv": [dossier(MaHoSo=f"A{i}") for i in range(3)]})
    settings = Settings(raw, tmp_path / "wh" / "reform.duckdb", tmp_path / "bi" / "reform_bi.duckdb",
                        dt.date(2020, 1, 1))
    result = materialize(ALL_ASSETS, resources=resources_from(settings), raise_on_error=False)
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert failure.step_key == "dossiers"
    error = failure.step_failure_data.error.cause  # Dagster wraps the asset's own error
    assert error.cls_name == "ConfigError"
    assert error.message.strip().endswith(
        "REFORM_AS_OF=2020-01-01 is before the earliest received date in the data (2025-03-03): "
        "nothing to measure; set a date on or after it")
    materialized = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    assert materialized == {"units", "unit_changes", "procedures", "calendar_overrides", "plan_targets", "rankings"}
    assert not settings.bi_db.exists()
    gc.collect()  # the failed step's connection, held by its traceback until collected
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM meta.run_context").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('model', 'score')"
                           ).fetchone() == (0,)
