"""The raw-folder sensor: one run for a new or changed input file, none for a file already seen."""

import os

from dagster import RunRequest, SkipReason, build_sensor_context

from reform_pipeline.ops.sensors import raw_folder_sensor
from reform_pipeline.raw_folder import record_inputs
from reform_pipeline.resources import ReformSettings
from reform_pipeline_tests.fixtures import dossier, make_raw, write_csv


def evaluate(raw, cursor=None):
    """One tick: (run requests, the cursor for the next tick, skip message or None)."""
    reform = ReformSettings(raw_dir=str(raw), bi_db=str(raw.parent / "bi.duckdb"))
    context = build_sensor_context(cursor=cursor, resources={"reform": reform})
    result = raw_folder_sensor(context)
    if isinstance(result, SkipReason):
        return [], cursor, result.skip_message
    skip = result.skip_reason.skip_message if result.skip_reason else None
    return list(result.run_requests or []), result.cursor, skip


def test_new_file_one_run_same_file_none_changed_file_one(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})

    first, cursor, _ = evaluate(raw)
    assert len(first) == 1 and isinstance(first[0], RunRequest)
    assert first[0].tags["reform/changed_files"] == "agencies.csv, dossiers_20250310.csv, procedures.csv"

    again, cursor, skip = evaluate(raw, cursor)
    assert again == []
    assert skip.startswith("no new or changed input file")

    write_csv(raw / "dossiers_20250310.csv", [dossier(), dossier(MaHoSo="HS-002")])
    changed, cursor, _ = evaluate(raw, cursor)
    assert len(changed) == 1
    assert changed[0].tags["reform/changed_files"] == "dossiers_20250310.csv"
    assert changed[0].run_key != first[0].run_key

    assert evaluate(raw, cursor)[0] == []


def test_a_new_export_next_to_known_files_triggers_one_run(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})
    _, cursor, _ = evaluate(raw)
    write_csv(raw / "dossiers_20250311.csv", [dossier(MaHoSo="HS-010")])
    requests, _, _ = evaluate(raw, cursor)
    assert [r.tags["reform/changed_files"] for r in requests] == ["dossiers_20250311.csv"]


def test_a_touched_file_counts_as_changed_and_gets_a_new_run_key(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})
    _, cursor, _ = evaluate(raw)
    path = raw / "dossiers_20250310.csv"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    requests, _, _ = evaluate(raw, cursor)
    assert len(requests) == 1


def test_the_same_file_version_always_gets_the_same_run_key(tmp_path):
    """Dagster never starts two runs with one run key: a lost cursor cannot trigger a file twice."""
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})
    first, _, _ = evaluate(raw)
    after_lost_cursor, _, _ = evaluate(raw, None)
    assert first[0].run_key == after_lost_cursor[0].run_key


def test_files_that_are_not_inputs_and_deleted_files_start_no_run(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})
    _, cursor, _ = evaluate(raw)
    (raw / "notes.txt").write_text("not an input")
    (raw / "~$dossiers_20250311.xlsx").write_bytes(b"an Excel lock file")
    (raw / "dossiers_20250310.csv").unlink()
    requests, _, skip = evaluate(raw, cursor)
    assert requests == []
    assert skip is not None


def test_a_missing_raw_folder_is_skipped_with_its_name(tmp_path):
    requests, _, skip = evaluate(tmp_path / "nowhere")
    assert requests == []
    assert "nowhere" in skip and "REFORM_RAW_DIR" in skip


def evaluate_with_warehouse(raw, warehouse, cursor=None):
    reform = ReformSettings(raw_dir=str(raw), bi_db=str(raw.parent / "bi.duckdb"), warehouse=str(warehouse))
    result = raw_folder_sensor(build_sensor_context(cursor=cursor, resources={"reform": reform}))
    return list(result.run_requests or []), result.cursor


def test_files_that_make_run_has_just_read_start_no_second_run(tmp_path):
    """`make run` records the raw folder as it found it when it took the warehouse; the sensor
    of a UI started afterwards (a new DAGSTER_HOME cursor: every file looks new) asks for no run
    for those files, and one for a file that arrives after."""
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})
    warehouse = tmp_path / "work" / "reform.duckdb"
    warehouse.parent.mkdir()
    record_inputs(raw, warehouse)  # what the warehouse resource does when a run starts

    requests, cursor = evaluate_with_warehouse(raw, warehouse)
    assert requests == []

    write_csv(raw / "dossiers_20250311.csv", [dossier(MaHoSo="HS-011")])
    requests, _ = evaluate_with_warehouse(raw, warehouse, cursor)
    assert [r.tags["reform/changed_files"] for r in requests] == ["dossiers_20250311.csv"]


def test_a_file_changed_after_the_run_read_it_starts_a_run(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250310.csv": [dossier()]})
    warehouse = tmp_path / "reform.duckdb"
    record_inputs(raw, warehouse)
    write_csv(raw / "dossiers_20250310.csv", [dossier(), dossier(MaHoSo="HS-002")])
    requests, _ = evaluate_with_warehouse(raw, warehouse)
    assert [r.tags["reform/changed_files"] for r in requests] == ["dossiers_20250310.csv"]
