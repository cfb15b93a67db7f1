"""unit_metrics takes shortcuts for speed (docs/spec §4.3–4.4): quantiles from rolled-up histograms,
finished dossiers evaluated once, month counts summed into quarters and years. These tests
compare it with the direct definition on random dossiers: DuckDB's quantile_cont over the
resolved dossiers of each subtree, and the §4.2 facts evaluated for every (dossier, period)."""

import datetime as dt
import random

import pytest

from .staging_tables import add_dossier, build_model

UNITS = ["KH", "NT", "SO", "NT01", "NT02"]


def _timestamp(day: dt.date, hour: int = 9) -> str:
    return f"{day.isoformat()} {hour:02d}:00"


def test_histogram_quantiles_equal_quantile_cont(con):
    rng = random.Random(20250415)
    start = dt.date(2025, 1, 2)
    for i in range(400):
        received = start + dt.timedelta(days=rng.randrange(0, 150))
        finished = received + dt.timedelta(days=int(rng.expovariate(1 / 9)))
        add_dossier(
            con, f"HS-{i}", agency_code=rng.choice(UNITS), status=rng.choice([8, 9, 10]),
            received_at=_timestamp(received), finished_at=_timestamp(finished, 15),
        )
    # small groups: one dossier, two dossiers, all equal
    add_dossier(con, "ONE", agency_code="SO", received_at="2026-02-02 08:00", finished_at="2026-02-05 08:00")
    build_model(con, "2026-03-31")
    # every dossier was finished by the as-of date and has no supplement: its elapsed_wd at the
    # end of the period it finished in is its elapsed_wd in model.dossier_facts
    mismatches = con.execute(
        """
        WITH expected AS (
            SELECT closure.ancestor_code AS scope_code, periods.period_type, periods.period_start,
                   count(*) AS resolved,
                   quantile_cont(facts.elapsed_wd, 0.5) AS median,
                   quantile_cont(facts.elapsed_wd, 0.9) AS p90,
                   avg(facts.elapsed_wd) AS average
            FROM model.dossier_facts AS facts
            JOIN staging.unit_closure AS closure ON closure.descendant_code = facts.agency_code
            JOIN (SELECT DISTINCT period_type, period_start, period_end FROM model.unit_metrics) AS periods
                ON facts.end_date BETWEEN periods.period_start AND periods.period_end
            GROUP BY ALL
        ),
        measured AS (
            SELECT scope_code, period_type, period_start,
                   any_value(denominator) FILTER (WHERE metric_code = 'processing_wd_median') AS resolved,
                   any_value(value) FILTER (WHERE metric_code = 'processing_wd_median') AS median,
                   any_value(value) FILTER (WHERE metric_code = 'processing_wd_p90') AS p90,
                   any_value(value) FILTER (WHERE metric_code = 'processing_wd_avg') AS average
            FROM model.unit_metrics
            GROUP BY ALL
        )
        SELECT measured.*, expected.*
        FROM measured
        FULL JOIN expected USING (scope_code, period_type, period_start)
        WHERE coalesce(expected.resolved, 0) <> measured.resolved
           OR abs(coalesce(expected.median, -1) - coalesce(measured.median, -1)) > 1e-9
           OR abs(coalesce(expected.p90, -1) - coalesce(measured.p90, -1)) > 1e-9
           OR abs(coalesce(expected.average, -1) - coalesce(measured.average, -1)) > 1e-9
        """
    ).fetchall()
    assert mismatches == []
    compared = con.execute(
        "SELECT count(*) FROM model.unit_metrics WHERE metric_code = 'processing_wd_p90' AND denominator > 0"
    ).fetchone()[0]
    assert compared > 40
    # a single resolved dossier is its own median and p90: 2 Feb → 5 Feb 2026 = 3 working days
    assert con.execute(
        "SELECT value FROM model.unit_metrics WHERE scope_code = 'SO' AND period_type = 'month' "
        "AND period_start = DATE '2026-02-01' AND metric_code IN ('processing_wd_median', 'processing_wd_p90')"
    ).fetchall() == [(3.0,), (3.0,)]


def _random_dossier(rng: random.Random) -> dict:
    """Any combination docs/spec §2.1 lets through: open, finished, finished or answered after the
    as-of date, received after it, returned before finished, supplements after the finish,
    withdrawn, refused."""
    received = dt.date(2025, 1, 20) + dt.timedelta(days=rng.randrange(0, 200))

    def later(days: int) -> dt.date:
        return received + dt.timedelta(days=rng.randrange(0, days))

    status = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9, 10, 9, 10, 9, 10])
    row = {
        "agency_code": rng.choice(UNITS),
        "procedure_code": rng.choice(["P5", "P0", "P10", "PX"]),
        "status": status,
        "channel": rng.choice([1, 2, 3]),
        "service_level": rng.choice([2, 3, 4]),
        "fee_amount": rng.choice([0, 0, 20000]),
        "paid_online": rng.choice([0, 1, 2]),
        "digitized_components": rng.random() < 0.5,
        "result_attached": rng.random() < 0.5,
        "rating": rng.choice([None, 1, 2, 3, 4]),
        "complaint": rng.random() < 0.1,
        "received_at": None if status == 1 else _timestamp(received),
    }
    if rng.random() < 0.3:
        row["due_at"] = _timestamp(later(30))
    if status in (8, 9, 10):
        finished = later(60)
        if rng.random() < 0.9:
            row["finished_at"] = _timestamp(finished)
        if rng.random() < 0.5 or "finished_at" not in row:
            returned = finished + dt.timedelta(days=rng.randrange(-3, 5)) if "finished_at" in row else finished
            row["returned_at"] = _timestamp(max(returned, received))
    if rng.random() < 0.3:
        requested = later(40)
        row["supplement_requested_at"] = _timestamp(requested)
        if rng.random() < 0.7:
            row["supplement_received_at"] = _timestamp(requested + dt.timedelta(days=rng.randrange(0, 30)))
        row["supplement_count"] = rng.choice([1, 1, 1, 2])
    return row


DIRECT_EVALUATION = """
CREATE OR REPLACE TEMP TABLE direct_periods AS
SELECT DISTINCT period_type, period_start, period_end FROM model.unit_metrics;

CREATE OR REPLACE TEMP VIEW direct_pairs AS
SELECT timeline.*, periods.period_type, periods.period_start, periods.period_end AS t
FROM model_dossier_timeline AS timeline
CROSS JOIN direct_periods AS periods;

CREATE OR REPLACE TEMP TABLE direct_facts AS
SELECT facts.*,
    is_accepted_at_t AND received_date BETWEEN period_start AND t AS is_received,
    is_accepted_at_t AND status <> 7
        AND (finished_date_at_t IS NULL OR finished_date_at_t >= period_start) AS is_handled,
    is_accepted_at_t AND status <> 7 AND finished_date_at_t >= period_start AS is_resolved
FROM model_dossier_facts_at('direct_pairs') AS facts;

CREATE OR REPLACE TEMP TABLE direct_metrics AS
SELECT
    closure.ancestor_code AS scope_code, f.period_type, f.period_start,
    count(*) FILTER (WHERE is_received) AS received,
    count(*) FILTER (WHERE is_received AND channel = 2) AS online,
    count(*) FILTER (WHERE is_received AND channel = 2 AND service_level = 4) AS full_online,
    count(*) FILTER (WHERE is_received AND fee_amount > 0) AS with_fee,
    count(*) FILTER (WHERE is_received AND fee_amount > 0 AND paid_online IN (1, 2)) AS paid_online,
    count(*) FILTER (WHERE is_received AND digitized_components) AS digitized,
    count(*) FILTER (WHERE is_handled) AS handled,
    count(*) FILTER (WHERE is_handled AND outcome IN ('early', 'on_time', 'in_progress')) AS on_time,
    count(*) FILTER (WHERE is_handled AND outcome = 'early') AS early,
    count(*) FILTER (WHERE is_handled AND outcome IN ('late', 'overdue')) AS late,
    count(*) FILTER (WHERE is_handled AND outcome = 'overdue') AS overdue_open,
    count(*) FILTER (WHERE is_handled AND NOT (coalesce(rating = 1, false) OR complaint
                     OR outcome IN ('late', 'overdue'))) AS satisfied,
    count(*) FILTER (WHERE is_resolved) AS resolved,
    avg(elapsed_wd) FILTER (WHERE is_resolved) AS wd_avg,
    quantile_cont(elapsed_wd, 0.5) FILTER (WHERE is_resolved) AS wd_median,
    quantile_cont(elapsed_wd, 0.9) FILTER (WHERE is_resolved) AS wd_p90,
    count(*) FILTER (WHERE is_resolved AND status IN (9, 10)) AS with_result,
    count(*) FILTER (WHERE is_resolved AND status IN (9, 10) AND result_attached) AS e_result,
    count(*) FILTER (WHERE is_resolved AND rating IS NOT NULL) AS rated,
    count(*) FILTER (WHERE is_resolved AND rating IN (3, 4)) AS rated_satisfied
FROM direct_facts AS f
JOIN staging.unit_closure AS closure ON closure.descendant_code = f.agency_code
GROUP BY ALL;
"""

# metric code → (numerator, denominator, value) in direct_metrics
DIRECT_COLUMNS = {
    "dossiers_received": ("received", None, "received"),
    "online_rate": ("online", "received", None),
    "full_online_rate": ("full_online", "received", None),
    "online_payment_rate": ("paid_online", "with_fee", None),
    "digitized_intake_rate": ("digitized", "received", None),
    "on_time_rate": ("on_time", "handled", None),
    "early_rate": ("early", "handled", None),
    "late_rate": ("late", "handled", None),
    "overdue_open": ("overdue_open", None, "overdue_open"),
    "processing_wd_avg": (None, "resolved", "wd_avg"),
    "processing_wd_median": (None, "resolved", "wd_median"),
    "processing_wd_p90": (None, "resolved", "wd_p90"),
    "e_result_rate": ("e_result", "with_result", None),
    "satisfaction_rate": ("satisfied", "handled", None),
    "rating_satisfied_share": ("rated_satisfied", "rated", None),
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_unit_metrics_equal_the_direct_evaluation_of_every_period(con, seed):
    rng = random.Random(seed)
    as_of = dt.date(2025, 6, 20)
    for i in range(400):
        add_dossier(con, f"HS-{i}", **_random_dossier(rng))
    build_model(con, as_of)
    for statement in DIRECT_EVALUATION.split(";\n"):
        if statement.strip():
            con.execute(statement)
    direct = {}
    names = [d[0] for d in con.execute("SELECT * FROM direct_metrics LIMIT 0").description]
    for row in con.execute("SELECT * FROM direct_metrics").fetchall():
        values = dict(zip(names, row))
        direct[(values["scope_code"], values["period_type"], values["period_start"])] = values
    rows = con.execute(
        "SELECT scope_code, period_type, period_start, metric_code, numerator, denominator, value "
        "FROM model.unit_metrics WHERE metric_code NOT IN ('full_online_procedure_rate', 'declared_info_reduction', 'internal_units_reduction')"
    ).fetchall()
    assert len(rows) == len(direct) * len(DIRECT_COLUMNS)
    for scope_code, period_type, period_start, code, numerator, denominator, value in rows:
        expected = direct[(scope_code, period_type, period_start)]
        num_column, den_column, value_column = DIRECT_COLUMNS[code]
        expected_numerator = expected[num_column] if num_column else None
        expected_denominator = expected[den_column] if den_column else None
        if value_column:
            expected_value = expected[value_column]
        else:
            expected_value = expected_numerator / expected_denominator if expected_denominator else None
        where = (scope_code, period_type, period_start, code)
        assert (numerator, denominator) == (expected_numerator, expected_denominator), where
        assert value == pytest.approx(expected_value, abs=1e-9) if expected_value is not None else value is None, where
