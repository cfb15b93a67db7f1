"""docs/spec §5.1: a shrinking run publishes nothing; the message names what shrank and the likely
cause; REFORM_ACCEPT_SHRINK=1 lets one run through. Rules on hand-made states, then the real
command under a DAGSTER_HOME set up as `make run` sets it up."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from reform_pipeline.publish.gate import BiState, judge
from reform_pipeline_tests.fixtures import AGENCIES, dossier, make_raw, write_csv
from reform_pipeline_tests.processes import deployment, mart_contents

AS_OF = dt.date(2025, 3, 31)


def state(facts: int, units: int, as_of: dt.date = AS_OF, files=(), quarantine=None) -> BiState:
    return BiState({"dossier_facts": facts, "units": units}, as_of, list(files), quarantine or {})


def file(name: str, kind: str, rows_read: int, quarantined: int = 0, status: str = "ingested") -> dict:
    return {"name": name, "kind": kind, "status": status, "rows_read": rows_read, "rows_quarantined": quarantined}


def test_nothing_published_yet_passes():
    assert judge(None, state(0, 0)).passed


def test_losing_ten_percent_of_the_dossier_facts_is_allowed():
    assert judge(state(1000, 50), state(900, 50)).passed


def test_losing_more_than_ten_percent_of_the_dossier_facts_fails_and_says_by_how_much():
    verdict = judge(state(1000, 50), state(899, 50))
    assert not verdict.passed
    assert verdict.findings == ["mart.dossier_facts would shrink from 1,000 to 899 rows (-10.1%)"]


def test_losing_more_than_ten_percent_of_the_units_fails():
    verdict = judge(state(1000, 50), state(1000, 44))
    assert not verdict.passed
    assert "mart.units would shrink from 50 to 44 rows" in verdict.findings[0]


def test_an_as_of_date_moving_back_fails():
    verdict = judge(state(1000, 50), state(1000, 50, dt.date(2025, 3, 30)))
    assert not verdict.passed
    assert verdict.findings == ["the as-of date would move back from 2025-03-31 to 2025-03-30"]


def test_growth_and_a_later_as_of_date_pass():
    assert judge(state(1000, 50), state(1200, 60, dt.date(2025, 4, 1))).passed


def test_accept_shrink_lets_the_run_publish_and_says_so():
    verdict = judge(state(1000, 50), state(0, 50), accept=True)
    assert verdict.passed and verdict.accepted
    assert "REFORM_ACCEPT_SHRINK=1" in verdict.description("bi.duckdb")


def test_an_empty_catalogue_is_named_as_the_likely_cause():
    old = state(1000, 50, files=[file("procedures.csv", "procedures", 345), file("agencies.csv", "agencies", 50)],
                quarantine={"unknown_procedure": 3})
    new = state(0, 50, files=[file("procedures.csv", "procedures", 0), file("agencies.csv", "agencies", 50)],
                quarantine={"unknown_procedure": 1003})
    verdict = judge(old, new)
    assert verdict.causes[0] == "procedures.csv is empty (it had 345 rows)"
    assert "1,000 more dossier rows are now quarantined as unknown_procedure" in verdict.causes[1]


def test_a_truncated_unit_tree_is_named_as_the_likely_cause():
    old = state(1000, 50, files=[file("agencies.csv", "agencies", 50)])
    new = state(700, 20, files=[file("agencies.csv", "agencies", 20)])
    assert judge(old, new).causes == ["agencies.csv has 20 rows where it had 50: cut short?"]


def test_a_missing_reference_file_is_named_as_the_likely_cause():
    old = state(1000, 50, files=[file("agencies.csv", "agencies", 50), file("agencies_2.csv", "agencies", 10)])
    new = state(1000, 40, files=[file("agencies.csv", "agencies", 50)])
    assert judge(old, new).causes == ["agencies_2.csv is missing from the raw folder (it had 10 rows)"]


# --- the real command ---------------------------------------------------------------------------


@pytest.fixture
def published(tmp_path):
    """A deployment that published once: 20 dossiers of four units."""
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo=f"A{i}") for i in range(20)]})
    deployed = deployment(tmp_path, raw)
    first = deployed.run()
    assert first.returncode == 0, first.stderr
    return deployed


@pytest.mark.parametrize(
    "emptied, returncode, messages",
    [
        # a zero-byte file is skipped (docs/spec §2.0): no procedures file is left, an input error
        pytest.param(
            lambda text: "", 2,
            ["no procedures file", "procedures.csv is skipped: empty file (0 bytes)"],
            id="zero_bytes",
        ),
        # its header row alone: the gate refuses the shrink
        pytest.param(
            lambda text: text.splitlines()[0] + "\n", 1,
            ["bi_does_not_shrink: mart.dossier_facts would shrink from 20 to 0 rows (-100.0%)",
             "Likely cause: procedures.csv is empty", "REFORM_ACCEPT_SHRINK=1"],
            id="header_only",
        ),
    ],
)
def test_an_emptied_procedures_file_leaves_the_published_file_byte_for_byte(
    published, emptied, returncode, messages
):
    before = published.bi.read_bytes()
    page = (published.bi.parent / "scorecard.html").read_bytes()
    procedures = published.raw / "procedures.csv"
    procedures.write_text(emptied(procedures.read_text(encoding="utf-8")), encoding="utf-8")

    done = published.run()

    assert done.returncode == returncode
    assert published.bi.read_bytes() == before
    assert (published.bi.parent / "scorecard.html").read_bytes() == page
    for message in messages:
        assert message in done.stderr


def test_a_unit_tree_cut_short_by_a_copy_leaves_the_published_file(published):
    before = published.bi.read_bytes()
    text = (published.raw / "agencies.csv").read_text(encoding="utf-8")
    (published.raw / "agencies.csv").write_text(text[: len(text) // 2], encoding="utf-8")

    done = published.run()

    assert done.returncode == 1
    assert published.bi.read_bytes() == before
    assert "mart.units would shrink from 4 to" in done.stderr
    assert "agencies.csv has" in done.stderr


def test_accept_shrink_publishes_the_smaller_file_for_that_run_only(published):
    write_csv(published.raw / "agencies.csv", AGENCIES[:3])  # the commune X1 is really gone
    refused = published.run()
    assert refused.returncode == 1

    accepted = published.run(REFORM_ACCEPT_SHRINK="1")

    assert accepted.returncode == 0, accepted.stderr
    with duckdb.connect(str(published.bi), read_only=True) as bi:
        assert bi.execute("SELECT count(*) FROM mart.units").fetchone() == (3,)
    # the next run compares with what was accepted: no shrink any more
    assert published.run().returncode == 0


def test_an_as_of_date_moved_back_by_reform_as_of_is_refused(published):
    before = mart_contents(published.bi)

    done = published.run(REFORM_AS_OF="2025-03-04")

    assert done.returncode == 1
    assert "the as-of date would move back from 2025-03-05 to 2025-03-04" in done.stderr
    assert "Likely cause: REFORM_AS_OF=2025-03-04 is set" in done.stderr
    assert mart_contents(published.bi) == before


def test_a_past_snapshot_goes_to_its_own_bi_file(published, tmp_path):
    """docs/operating.md: a past as-of date is built into its own BI file, which the gate
    compares with nothing published there yet."""
    snapshot = tmp_path / "snapshot" / "reform_bi_2025-03-04.duckdb"
    done = published.run(REFORM_AS_OF="2025-03-04", REFORM_BI_DB=str(snapshot))
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(snapshot), read_only=True) as bi:
        assert bi.execute("SELECT as_of FROM mart.run_info").fetchone() == (dt.date(2025, 3, 4),)


def test_the_gate_compares_with_the_record_when_a_bi_tool_holds_the_published_file(published, tmp_path):
    """A BI tool that opened the published file for writing keeps even readers out; the gate
    then compares with what the warehouse recorded at publication."""
    shutil.copy(published.bi, tmp_path / "copy.duckdb")
    holder = duckdb.connect(str(published.bi))  # read-write, as some BI tools open files
    header = (published.raw / "procedures.csv").read_text(encoding="utf-8").splitlines()[0]
    try:
        # no procedure left (a zero-byte file would be skipped, docs/spec §2.0: an input error)
        (published.raw / "procedures.csv").write_text(header + "\n", encoding="utf-8")
        done = published.run()
    finally:
        holder.close()
    assert done.returncode == 1
    assert "mart.dossier_facts would shrink from 20 to 0 rows" in done.stderr
