"""A warehouse written by the earlier layout (personal data in staging.dossier_applicants,
quarantined rows not stored) is upgraded in place by the next run, without losing a row."""

from reform_pipeline.ingest.build import discover, ingest_dossiers
from reform_pipeline_tests.fixtures import dossier, ingest, make_raw, quarantine, write_csv

PERSON = "Lê Văn Tám"


def _downgrade(con) -> None:
    """Rewrite a current warehouse into the earlier layout."""
    _dossiers_as_table(con)
    con.execute("DELETE FROM staging.dossier_rows WHERE intrinsic_reason IS NOT NULL")
    con.execute(
        "CREATE TABLE staging.dossier_applicants AS SELECT source_file, row_number, applicant_name, "
        "applicant_id_number, applicant_phone, applicant_address FROM staging.dossier_rows"
    )
    con.execute("ALTER TABLE staging.dossier_rows DROP COLUMN intrinsic_reason")
    con.execute("ALTER TABLE staging.dossier_rows DROP COLUMN applicant_name")
    con.execute("ALTER TABLE staging.dossier_rows DROP COLUMN applicant_id_number")
    con.execute("ALTER TABLE staging.dossier_rows DROP COLUMN applicant_phone")
    con.execute("ALTER TABLE staging.dossier_rows DROP COLUMN applicant_address")
    con.execute("ALTER TABLE staging.dossier_rows RENAME COLUMN reason TO ref_reason")


def _dossiers_as_table(con) -> None:
    """The layout before staging.dossiers became a view: a table holding a copy of the latest
    rows, and no is_latest flag on staging.dossier_rows."""
    con.execute("CREATE TABLE staging.dossiers_copy AS SELECT * FROM staging.dossiers")
    con.execute("DROP VIEW staging.dossiers")
    con.execute("ALTER TABLE staging.dossiers_copy RENAME TO dossiers")
    con.execute("ALTER TABLE staging.dossier_rows DROP COLUMN is_latest")


def test_an_earlier_warehouse_is_upgraded_and_keeps_every_row(tmp_path):
    raw = make_raw(tmp_path / "raw", {
        "dossiers_20250301.csv": [dossier(MaHoSo="A", ChuHoSo=PERSON), dossier(MaHoSo="B", PhiLePhi="x"),
                                  dossier(MaHoSo="C", MaDonVi="NOWHERE", ChuHoSo="Phạm Thị Lan")],
    })
    con = ingest(raw, tmp_path / "wh.duckdb")
    _downgrade(con)
    assert con.execute("SELECT count(*) FROM staging.dossier_rows").fetchone() == (2,)

    write_csv(raw / "dossiers_20250302.csv", [dossier(MaHoSo="D", ChuHoSo="")])
    ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)

    tables = {name for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging'").fetchall()}
    assert "dossier_applicants" not in tables
    assert con.execute(
        "SELECT dossier_id, reason, applicant_name FROM staging.dossier_rows ORDER BY dossier_id"
    ).fetchall() == [("A", None, PERSON), ("C", "unknown_agency", "Phạm Thị Lan"), ("D", None, None)]
    assert con.execute("SELECT dossier_id FROM staging.dossiers ORDER BY 1").fetchall() == [("A",), ("D",)]
    assert [reason for *_, reason in quarantine(con)] == ["bad_number", "unknown_agency"]


def test_a_warehouse_with_a_dossiers_table_gets_the_view_and_the_same_dossiers(tmp_path):
    raw = make_raw(tmp_path / "raw", {
        "dossiers_20250301.csv": [dossier(MaHoSo="A", TrangThaiHoSoId="4", NgayCapNhat="2025-03-01 09:00:00"),
                                  dossier(MaHoSo="B")],
        "dossiers_20250302.csv": [dossier(MaHoSo="A", TrangThaiHoSoId="9", NgayCapNhat="2025-03-02 09:00:00")],
    })
    con = ingest(raw, tmp_path / "wh.duckdb")
    before = con.execute("SELECT dossier_id, status FROM staging.dossiers ORDER BY dossier_id").fetchall()
    assert before[0] == ("A", 9)
    _dossiers_as_table(con)

    # a nightly export on top: the upgrade rebuilds the latest versions in full, then merges it
    write_csv(raw / "dossiers_20250303.csv", [dossier(MaHoSo="B", TrangThaiHoSoId="10",
                                                      NgayCapNhat="2025-03-03 09:00:00")])
    ingest_dossiers(con, discover(raw)["dossiers"], lambda _: None)

    kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                             "WHERE table_schema = 'staging' AND table_name = 'dossiers'").fetchall())
    assert kinds == {"dossiers": "VIEW"}
    after = con.execute("SELECT dossier_id, status FROM staging.dossiers ORDER BY dossier_id").fetchall()
    assert after == [("A", 9), ("B", 10)]
    assert con.execute("SELECT count(*) FROM staging.dossier_rows WHERE is_latest").fetchone() == (2,)
