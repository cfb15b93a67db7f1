"""The publish gate (docs/spec §5.1 "A shrinking run publishes nothing").

Before the new BI file replaces the published one, the two are compared: when
`mart.dossier_facts` or `mart.units` would lose more than 10 % of their rows, or the as-of date
would move back, the gate fails, the previous file stays, and the message names what shrank, by
how much, and the input file that most likely caused it. REFORM_ACCEPT_SHRINK=1 (or the run tag
`reform/accept_shrink=1`) lets one run publish all the same.

The published side is read from the published file itself (read-only, for a moment). When a
BI tool holds that file open for writing, DuckDB refuses even a reader: the gate then compares
with what the warehouse recorded when that file was published (meta.published), which is the
same content.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from reform_pipeline.warehouse import execute, table_exists

# More than this share of the rows lost is a shrink (docs/spec §5.1).
SHRINK_LIMIT = 0.10
# The tables whose row counts the gate compares.
GATED_TABLES = ("dossier_facts", "units")
ACCEPT_SHRINK_TAG = "reform/accept_shrink"
REFERENCE_KINDS = ("agencies", "unit_changes", "procedures", "calendar", "targets", "rankings")
# The reference file kinds each table's rows depend on, for naming a likely cause.
_CAUSE_KINDS = {"dossier_facts": ("procedures", "agencies"), "units": ("agencies",)}
# Quarantine reasons of dossier rows that a damaged reference file produces.
_REASON_KIND = {"unknown_procedure": "procedures", "unknown_agency": "agencies"}


@dataclass
class BiState:
    """What the gate compares of one BI file."""

    rows: dict[str, int]
    as_of: dt.date | None
    files: list[dict[str, Any]] = field(default_factory=list)  # run_info's files
    quarantine: dict[str, int] = field(default_factory=dict)  # dossier rows per reason
    source: str = ""  # where this state was read from


@dataclass
class Verdict:
    passed: bool
    findings: list[str]  # what shrank, one sentence each
    causes: list[str]  # likely causes, most likely first
    accepted: bool = False

    def description(self, published: str) -> str:
        if not self.findings:
            return "The new BI file does not shrink against the published one."
        text = "; ".join(self.findings)
        if self.causes:
            text += ". Likely cause: " + "; ".join(self.causes)
        if self.accepted:
            return f"{text}. Published all the same: this run was started with REFORM_ACCEPT_SHRINK=1."
        return (
            f"{text}. The published BI file ({published}) was left as it was. If the shrink is real (a "
            "unit tree really cut down), run once more with REFORM_ACCEPT_SHRINK=1."
        )


def read_state(path: Path) -> BiState:
    """The gate's view of the BI file at ``path`` (raises duckdb.Error when it cannot be read)."""
    with duckdb.connect(str(path), read_only=True) as bi:
        rows = {}
        for table in GATED_TABLES:
            exists = bi.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'mart' AND table_name = ?",
                [table],
            ).fetchone()[0]
            rows[table] = bi.execute("SELECT count(*) FROM query_table($t)", {"t": f"mart.{table}"}).fetchone()[0] \
                if exists else 0
        as_of, files = bi.execute("SELECT as_of, to_json(files)::VARCHAR FROM mart.run_info").fetchone()
        quarantine = dict(bi.execute(
            "SELECT reason, sum(rows)::BIGINT FROM mart.quarantine_summary WHERE kind = 'dossiers' GROUP BY reason"
        ).fetchall())
    return BiState(rows, as_of, json.loads(files) if files else [], quarantine, source=str(path))


def published_state(con: duckdb.DuckDBPyConnection, bi_path: Path) -> BiState | None:
    """The published file's state, or what the warehouse recorded of it, or None (nothing was
    published yet)."""
    if bi_path.exists():
        try:
            return read_state(bi_path)
        except duckdb.Error:
            pass  # held open for writing by a BI tool, or not a BI file of ours: use the record
    if not table_exists(con, "meta", "published"):
        return None
    row = con.execute(
        "SELECT dossier_facts, units, as_of, files, quarantine FROM meta.published WHERE bi_path = ? "
        "ORDER BY published_at DESC LIMIT 1",
        [str(bi_path.resolve())],
    ).fetchone()
    if row is None:
        return None
    facts, units, as_of, files, quarantine = row
    return BiState({"dossier_facts": facts, "units": units}, as_of, json.loads(files or "[]"),
                   json.loads(quarantine or "{}"), source="the warehouse's record of the last publication")


def record_published(con: duckdb.DuckDBPyConnection, bi_path: Path, state: BiState, run_id: str) -> None:
    """Remember what was published, for a gate that cannot open the published file."""
    execute(con, "CREATE TABLE IF NOT EXISTS meta.published (published_at TIMESTAMPTZ, bi_path VARCHAR, "
                 "run_id VARCHAR, as_of DATE, dossier_facts BIGINT, units BIGINT, files VARCHAR, quarantine VARCHAR)")
    execute(con, "DELETE FROM meta.published WHERE bi_path = ?", [str(bi_path.resolve())])
    execute(
        con,
        "INSERT INTO meta.published VALUES (current_timestamp, ?, ?, ?, ?, ?, ?, ?)",
        [str(bi_path.resolve()), run_id, state.as_of, state.rows.get("dossier_facts", 0),
         state.rows.get("units", 0), json.dumps(state.files), json.dumps(state.quarantine)],
    )


def judge(old: BiState | None, new: BiState, *, accept: bool = False) -> Verdict:
    """docs/spec §5.1's comparison of the new BI file with the published one."""
    if old is None:
        return Verdict(True, [], [])
    findings, shrunk = [], []
    for table in GATED_TABLES:
        before, after = old.rows.get(table, 0), new.rows.get(table, 0)
        if before and after < before * (1 - SHRINK_LIMIT):
            findings.append(
                f"mart.{table} would shrink from {before:,} to {after:,} rows ({(after - before) / before:+.1%})"
            )
            shrunk.append(table)
    moved_back = old.as_of is not None and new.as_of is not None and new.as_of < old.as_of
    if moved_back:
        findings.append(f"the as-of date would move back from {old.as_of} to {new.as_of}")
    causes = likely_causes(old, new, shrunk, moved_back)
    return Verdict(not findings or accept, findings, causes, accepted=bool(findings) and accept)


def likely_causes(old: BiState, new: BiState, shrunk: list[str], moved_back: bool) -> list[str]:
    """Input files that most likely made the new file smaller, most likely first: a reference
    file now missing, empty, unreadable or cut short, then one whose rows now fail."""
    before = {f["name"]: f for f in old.files}
    after = {f["name"]: f for f in new.files}
    kinds = {kind for table in shrunk for kind in _CAUSE_KINDS[table]}
    if moved_back:
        kinds.add("dossiers")
    causes: list[tuple[int, str]] = []
    for name, was in before.items():
        kind = was.get("kind")
        if kind not in kinds or was.get("status") != "ingested":
            continue
        now = after.get(name)
        read_before = was.get("rows_read") or 0
        if now is None:
            if kind != "dossiers":
                causes.append((0, f"{name} is missing from the raw folder (it had {read_before:,} rows)"))
            continue
        read_now = now.get("rows_read") or 0
        if now.get("status") not in ("ingested", "unchanged"):
            reason = now.get("message") or now.get("status")
            causes.append((1, f"{name} could not be read ({reason}; it had {read_before:,} rows)"))
        elif read_now == 0 and read_before:
            causes.append((1, f"{name} is empty (it had {read_before:,} rows)"))
        elif read_now < read_before * (1 - SHRINK_LIMIT):
            causes.append((2, f"{name} has {read_now:,} rows where it had {read_before:,}: cut short?"))
        else:
            valid_before = read_before - (was.get("rows_quarantined") or 0)
            valid_now = read_now - (now.get("rows_quarantined") or 0)
            if valid_before and valid_now < valid_before * (1 - SHRINK_LIMIT):
                causes.append((3, f"{name}: {valid_now:,} valid rows where it had {valid_before:,}"))
    for name, now in after.items():
        if name not in before and now.get("kind") in kinds and now.get("kind") != "dossiers" \
                and now.get("status") not in ("ingested", "unchanged"):
            causes.append((1, f"{name} could not be read ({now.get('message') or now.get('status')})"))
    for reason, kind in _REASON_KIND.items():
        grown = new.quarantine.get(reason, 0) - old.quarantine.get(reason, 0)
        if "dossier_facts" in shrunk and grown > 0:
            files = sorted(n for n, f in after.items() if f.get("kind") == kind) or [f"no {kind} file"]
            causes.append((4, f"{grown:,} more dossier rows are now quarantined as {reason} "
                              f"(the {kind} file: {', '.join(files)})"))
    causes.sort(key=lambda item: item[0])
    return [text for _, text in causes]
