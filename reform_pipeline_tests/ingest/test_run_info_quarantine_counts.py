"""docs/spec §5 run_info: a file's rows_quarantined is the count "as the latest re-check counts them:
equal to that file's rows in quarantine_summary", also after the unit tree or catalogue changed
and the stored dossier rows were checked again (ingest/dossier_recheck.sql)."""

import duckdb

import reform_pipeline.ingest.merge as merge
from reform_pipeline.ingest.build import discover, ingest_dossiers
from reform_pipeline.ops.checks import file_row_problem, rows_accounted_for
from reform_pipeline.warehouse import split_statements, sql_text
from reform_pipeline_tests.fixtures import PROC_B, PROCEDURES, dossier, ingest, make_raw, write_csv

# An export of 20 rows: 12 of procedure A, 6 of procedure B, 2 that break a rule of their own;
# and one of 5 rows: 4 of procedure A, 1 with a bad code.
EXPORTS = {
    "dossiers_20250305.csv": [dossier(MaHoSo=f"A{i}") for i in range(12)]
    + [dossier(MaHoSo=f"B{i}", MaTTHC=PROC_B) for i in range(6)]
    + [dossier(MaHoSo="BAD1", PhiLePhi="-1"), dossier(MaHoSo="BAD2", NgayTiepNhan="31/02/2025")],
    "dossiers_20250306.csv": [dossier(MaHoSo=f"C{i}") for i in range(4)] + [dossier(MaHoSo="BAD3", KenhThucHien="fax")],
}


def bi_counts(con: duckdb.DuckDBPyConnection) -> tuple[dict, dict]:
    """Per dossier export, the rows_quarantined of mart.run_info and the rows of
    mart.quarantine_summary, built by the publish stage's own statements (sql/publish/bi_tables.sql)
    into an in-memory database."""
    con.execute("ATTACH ':memory:' AS bi")
    try:
        con.execute("CREATE SCHEMA bi.mart")
        for statement in split_statements(sql_text("publish/bi_tables")):
            if "bi.mart.run_info" in statement or "bi.mart.quarantine_summary" in statement:
                con.execute(statement)
        run_info = {
            file["name"]: file["rows_quarantined"]
            for (files,) in con.execute("SELECT files FROM bi.mart.run_info").fetchall()
            for file in files if file["kind"] == "dossiers"
        }
        summary = dict(con.execute(
            "SELECT source_file, sum(rows) FROM bi.mart.quarantine_summary WHERE kind = 'dossiers' "
            "GROUP BY source_file").fetchall())
    finally:
        con.execute("DETACH bi")
    return run_info, {name: summary.get(name, 0) for name in run_info}


def test_run_info_counts_follow_the_recheck_when_the_catalogue_shrinks_and_grows_back(tmp_path):
    raw = make_raw(tmp_path / "raw", EXPORTS)
    warehouse = tmp_path / "wh.duckdb"
    with ingest(raw, warehouse) as con:
        assert bi_counts(con) == ({"dossiers_20250305.csv": 2, "dossiers_20250306.csv": 1},) * 2
    # the catalogue loses procedure B: its 6 dossiers become unknown_procedure
    write_csv(raw / "procedures.csv", [p for p in PROCEDURES if p["MaTTHC"] != PROC_B])
    with ingest(raw, warehouse) as con:
        assert bi_counts(con) == ({"dossiers_20250305.csv": 8, "dossiers_20250306.csv": 1},) * 2
        assert con.execute("SELECT count(*) FROM meta.quarantine WHERE reason = 'unknown_procedure'"
                           ).fetchone() == (6,)
        assert rows_accounted_for(con).passed
    # and gets it back: the 6 are valid again
    write_csv(raw / "procedures.csv", PROCEDURES)
    with ingest(raw, warehouse) as con:
        assert bi_counts(con) == ({"dossiers_20250305.csv": 2, "dossiers_20250306.csv": 1},) * 2
        assert rows_accounted_for(con).passed


def test_run_info_counts_follow_the_recheck_when_the_unit_tree_loses_a_unit(tmp_path):
    """A unit gone from agencies.csv: the export whose dossiers it received counts them."""
    exports = {"dossiers_20250305.csv": [dossier(MaHoSo=f"X{i}") for i in range(3)],
               "dossiers_20250306.csv": [dossier(MaHoSo=f"H{i}", MaDonVi="H1") for i in range(2)]}
    raw = make_raw(tmp_path / "raw", exports)
    with ingest(raw, tmp_path / "wh.duckdb") as con:
        assert bi_counts(con)[0] == {"dossiers_20250305.csv": 0, "dossiers_20250306.csv": 0}
    agencies = (raw / "agencies.csv").read_text(encoding="utf-8").splitlines()
    (raw / "agencies.csv").write_text("\n".join(line for line in agencies if not line.startswith("X1,")) + "\n",
                                      encoding="utf-8")
    with ingest(raw, tmp_path / "wh.duckdb") as con:
        assert bi_counts(con) == ({"dossiers_20250305.csv": 3, "dossiers_20250306.csv": 0},) * 2
        assert rows_accounted_for(con).passed


def test_run_info_counts_are_not_recounted_by_a_nightly_merge_without_recheck(tmp_path, monkeypatch):
    """The recount reads the whole quarantine: only a re-check (or a warehouse from before the
    recount) runs it, never a nightly merge of new exports alone."""
    raw = make_raw(tmp_path / "raw", EXPORTS)
    con = ingest(raw, tmp_path / "wh.duckdb")
    files_run = []
    real = merge.run_sql_file
    monkeypatch.setattr(merge, "run_sql_file", lambda c, name, *args: files_run.append(name) or real(c, name, *args))
    write_csv(raw / "dossiers_20250307.csv", [dossier(MaHoSo="A1", TrangThaiHoSoId="9"), dossier(MaHoSo="BAD4", PhiLePhi="x")])
    _, mode = ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    assert mode == "incremental"
    assert "ingest/dossier_quarantine_counts" not in files_run
    assert bi_counts(con)[0] == {"dossiers_20250305.csv": 2, "dossiers_20250306.csv": 1, "dossiers_20250307.csv": 1}
    assert rows_accounted_for(con).passed


def test_run_info_counts_left_stale_by_an_earlier_version_are_counted_again_once(tmp_path, monkeypatch):
    """A warehouse whose re-checks did not update the counts (quarantine_counts_current NULL):
    its next run, even one with nothing new, counts them again; the run after does not."""
    raw = make_raw(tmp_path / "raw", EXPORTS)
    con = ingest(raw, tmp_path / "wh.duckdb")
    con.execute("UPDATE meta.input_files SET rows_quarantined = 0 WHERE kind = 'dossiers'")
    con.execute("UPDATE meta.ingest_state SET quarantine_counts_current = NULL")
    assert not rows_accounted_for(con).passed
    assert ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)[1] == "none"
    assert bi_counts(con)[0] == {"dossiers_20250305.csv": 2, "dossiers_20250306.csv": 1}
    assert rows_accounted_for(con).passed
    files_run = []
    real = merge.run_sql_file
    monkeypatch.setattr(merge, "run_sql_file", lambda c, name, *args: files_run.append(name) or real(c, name, *args))
    ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)
    assert "ingest/dossier_quarantine_counts" not in files_run


def test_run_info_counts_a_stale_dossier_count_fails_the_accounting_check(tmp_path):
    """The example of docs/spec §5's rule: 200 rows read, 4 quarantined at ingest, 42 in quarantine
    after a re-check, 4 still recorded."""
    stale = {"kind": "dossiers", "file_name": "dossiers_20250305.csv", "rows_read": 200, "rows_staged": 158,
             "rows_quarantined": 42, "rows_quarantined_recorded": 4}
    assert file_row_problem(stale) == "quarantine holds 42 rows, meta.input_files (run_info) records 4"
    assert file_row_problem(stale | {"rows_quarantined_recorded": 42}) is None
    # rows lost still come first
    assert file_row_problem(stale | {"rows_staged": 150}) == "read 200 ≠ staged 150 + quarantined 42"

    raw = make_raw(tmp_path / "raw", EXPORTS)
    with ingest(raw, tmp_path / "wh.duckdb") as con:
        con.execute("UPDATE meta.input_files SET rows_quarantined = 0 WHERE file_name = 'dossiers_20250305.csv'")
        result = rows_accounted_for(con)
    assert not result.passed
    assert "dossiers_20250305.csv" in result.description
    assert "quarantine holds 2 rows, meta.input_files (run_info) records 0" in result.metadata[
        "files_that_do_not_add_up"].value
