"""Every column of every table an asset reports in the Dagster UI carries its description."""

from dagster import DagsterInstance, materialize

from reform_pipeline.definitions import ALL_ASSETS
from reform_pipeline.resources import resources_from
from reform_pipeline.settings import Settings
from reform_pipeline_tests.fixtures import dossier, make_raw


def test_every_column_of_every_asset_table_is_described(tmp_path):
    raw = make_raw(tmp_path / "raw", {"dossiers_20250301.csv": [dossier(MaHoSo=f"A{i}") for i in range(3)]})
    settings = Settings(raw, tmp_path / "wh.duckdb", tmp_path / "bi" / "reform_bi.duckdb", None)
    result = materialize(ALL_ASSETS, resources=resources_from(settings), instance=DagsterInstance.ephemeral())
    assert result.success
    undescribed, tables = [], 0
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        schema = materialization.metadata.get("dagster/column_schema")
        if schema is None or not all(column.type != "table" for column in schema.value.columns):
            continue  # no table, or the BI file's list of tables
        tables += 1
        undescribed += [f"{materialization.asset_key.to_user_string()}.{column.name}"
                        for column in schema.value.columns if not column.description]
    assert tables >= 10
    assert not undescribed, undescribed
