"""docs/spec §2.5, §4.4: a target's kpi_code must be a metric code of the metric catalogue
(meta.metric_catalogue), which the ingest loads from reform_pipeline/catalogue before it reads
the targets."""

from __future__ import annotations

import csv
import shutil
from importlib import resources
from pathlib import Path

import reform_pipeline.ingest.reference as reference
from reform_pipeline.catalogue import CATALOGUE_PACKAGE, INDICATORS_FILE, METRICS_FILE, load_catalogue
from reform_pipeline_tests.fixtures import dossier, ingest, make_raw, quarantine, write_csv

TARGET = {"plan_id": "KH-2025", "scope_code": "P", "year": "2025", "kpi_code": "satisfaction_rate",
          "comparator": ">", "target": "0.90", "source": "KH CCHC 2025"}


def catalogue_codes() -> list[str]:
    with resources.files(CATALOGUE_PACKAGE).joinpath(METRICS_FILE).open(encoding="utf-8", newline="") as handle:
        return [row["metric_code"] for row in csv.DictReader(handle)]


def test_every_catalogue_code_is_a_kpi_and_any_other_code_is_bad_code(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    codes = catalogue_codes()
    unknown = [
        "happiness",
        "progress_on_time",  # a 766 indicator, not a metric code
        "rank_hdi",  # not a ranking of reform_pipeline/catalogue/rankings.csv
    ]
    write_csv(raw / "targets.csv", [dict(TARGET, kpi_code=code) for code in codes + unknown]
              + [dict(TARGET, kpi_code="On_Time_Rate", year="2026")])  # codes are matched lower-cased
    con = ingest(raw, tmp_path / "wh.duckdb")
    rejected = [row for row in quarantine(con) if row[0] == "targets.csv"]
    first_unknown = len(codes) + 1  # data rows are numbered from 1
    assert rejected == [("targets.csv", first_unknown + i, "bad_code") for i in range(len(unknown))]
    staged = con.execute("SELECT kpi_code, year FROM staging.targets").fetchall()
    assert sorted(staged) == sorted([(code, 2025) for code in codes] + [("on_time_rate", 2026)])


def test_a_metric_added_to_the_catalogue_can_be_targeted(tmp_path, monkeypatch):
    folder = tmp_path / "catalogue"
    folder.mkdir()
    package = Path(str(resources.files(CATALOGUE_PACKAGE)))
    for name in (METRICS_FILE, INDICATORS_FILE):
        shutil.copy(package / name, folder / name)
    with (folder / METRICS_FILE).open("a", encoding="utf-8", newline="") as handle:
        handle.write("petitions_answered_rate,rate,Tỷ lệ phản ánh được trả lời,Petitions answered,"
                     "\"Petitions answered over petitions received.\"\n")
    monkeypatch.setattr(reference, "load_catalogue", lambda con: load_catalogue(con, folder))
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier()]})
    write_csv(raw / "targets.csv", [dict(TARGET, kpi_code="petitions_answered_rate", comparator=">=", target="0.3")])
    con = ingest(raw, tmp_path / "wh.duckdb")
    assert [row for row in quarantine(con) if row[0] == "targets.csv"] == []
    assert con.execute("SELECT kpi_code FROM staging.targets").fetchall() == [("petitions_answered_rate",)]
