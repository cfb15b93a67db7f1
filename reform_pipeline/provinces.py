"""The provinces deployment: one pipeline, many provinces, each kept apart (docs/spec §3.1,
docs/deploy.md).

A provinces file lists the provinces (``code,name,raw_dir``; the shipped default is the official
34 of 2025 with their GSO codes, ``catalogue/provinces.csv``). Each province is a static
partition of the code location ``reform_pipeline.provinces_definitions``; a run of partition
``56`` builds Khánh Hòa's own warehouse and BI file under ``$REFORM_PROVINCES_DIR/56/``:

    $REFORM_PROVINCES_DIR/
      provinces.csv                 (optional: the shipped list otherwise)
      56/raw/                       the province's exports and reference files
      56/warehouse/reform.duckdb    its private warehouse (its own run lock)
      56/bi/reform_bi.duckdb        its published BI file, scorecard page and downloads
      national/reform_national.duckdb  the national roll-up, and its page

Everything else (the as-of date, memory, lock wait, accept-shrink) comes from the same REFORM_*
variables as the single-province mode, which this module leaves unchanged.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext

from reform_pipeline.settings import ConfigError, Settings

PROVINCES_DIR_VARIABLE = "REFORM_PROVINCES_DIR"
PROVINCES_FILE_VARIABLE = "REFORM_PROVINCES_FILE"
SHIPPED_PROVINCES = "provinces.csv"
NATIONAL_FOLDER = "national"
NATIONAL_BI_NAME = "reform_national.duckdb"
# Dagster's tag holding a run's partition key: in this deployment, the province it builds.
PARTITION_TAG = "dagster/partition"
# A partition key names folders: letters, digits, '-' and '_' only (GSO codes are two digits).
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,15}")
_COLUMNS = ("code", "name", "raw_dir")


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    raw_dir: Path
    home: Path  # $REFORM_PROVINCES_DIR/<code>

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse" / "reform.duckdb"

    @property
    def bi_db(self) -> Path:
        return self.home / "bi" / "reform_bi.duckdb"

    def settings(self, base: Settings) -> Settings:
        """``base`` (the REFORM_* settings) with this province's folders."""
        return dataclasses.replace(base, raw_dir=self.raw_dir, warehouse=self.warehouse, bi_db=self.bi_db)


@dataclass(frozen=True)
class Deployment:
    root: Path
    provinces_file: str  # where the list came from (a path, or the shipped list)
    provinces: tuple[Province, ...]

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.provinces]

    @property
    def national_bi(self) -> Path:
        return self.root / NATIONAL_FOLDER / NATIONAL_BI_NAME

    def province(self, code: str) -> Province:
        for province in self.provinces:
            if province.code == code:
                return province
        raise ConfigError(
            f"no province {code!r} in {self.provinces_file}: the provinces are "
            f"{', '.join(self.codes)}"
        )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Deployment":
        env = os.environ if environ is None else environ
        root_text = (env.get(PROVINCES_DIR_VARIABLE) or "").strip()
        if not root_text:
            raise ConfigError(
                f"{PROVINCES_DIR_VARIABLE} is not set: the provinces deployment needs the folder that "
                "holds each province's raw folder, warehouse and BI file (docs/deploy.md)"
            )
        root = Path(root_text)
        file_text = (env.get(PROVINCES_FILE_VARIABLE) or "").strip()
        if file_text:
            path = Path(file_text)
            if not path.is_file():
                raise ConfigError(f"{PROVINCES_FILE_VARIABLE}={file_text!r} is not a file")
        elif (root / SHIPPED_PROVINCES).is_file():
            path = root / SHIPPED_PROVINCES
        else:
            path = None
        if path is None:
            text = resources.files("reform_pipeline.catalogue").joinpath(SHIPPED_PROVINCES).read_text("utf-8")
            source = "the shipped list of the 34 provinces (reform_pipeline/catalogue/provinces.csv)"
        else:
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ConfigError(f"the provinces file {path} is not UTF-8 text") from None
            source = str(path)
        return cls(root=root, provinces_file=source, provinces=read_provinces(text, root, source))


def read_provinces(text: str, root: Path, source: str) -> tuple[Province, ...]:
    """The provinces of a provinces file's ``text``: ``code`` and ``name`` required, ``raw_dir``
    optional (relative to ``root``; empty: ``<code>/raw``). Any error stops the deployment with
    the line it is on: a province list half read would build the wrong provinces."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise ConfigError(f"the provinces file {source} is empty: expected a header code,name,raw_dir")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in ("code", "name") if c not in header]
    if missing:
        raise ConfigError(f"the provinces file {source} has no column {' or '.join(missing)} "
                          "in its header (expected code,name,raw_dir)")
    unknown = [h for h in header if h not in _COLUMNS]
    if unknown:
        raise ConfigError(f"the provinces file {source} has {len(unknown)} column(s) other than "
                          "code, name and raw_dir")
    provinces: list[Province] = []
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ConfigError(f"the provinces file {source}, line {line}: {len(row)} fields where the "
                              f"header has {len(header)}")
        record = {h: cell.strip() for h, cell in zip(header, row)}
        code, name = record["code"], record["name"]
        if not _CODE.fullmatch(code):
            raise ConfigError(f"the provinces file {source}, line {line}: the code is not 1–16 letters, "
                              "digits, '-' or '_' starting with a letter or digit (a GSO code such as 56)")
        if code in seen:
            raise ConfigError(f"the provinces file {source}, line {line}: province {code} is listed twice")
        if not name:
            raise ConfigError(f"the provinces file {source}, line {line}: province {code} has no name")
        seen.add(code)
        raw = Path(record.get("raw_dir") or Path(code) / "raw")
        provinces.append(Province(code=code, name=name, raw_dir=raw if raw.is_absolute() else root / raw,
                                  home=root / code))
    if not provinces:
        raise ConfigError(f"the provinces file {source} lists no province")
    return tuple(provinces)


def province_of_run(tags: dict[str, str], deployment: Deployment) -> Province:
    """The province a run builds: its partition key. A run of this deployment without one (an
    asset materialized without choosing a partition) has nothing to build."""
    code = (tags.get(PARTITION_TAG) or "").strip()
    if not code:
        start = tags.get("dagster/asset_partition_range_start")
        if start and start == tags.get("dagster/asset_partition_range_end"):
            code = start
    if not code:
        raise ConfigError(
            "this run names no province: in the provinces deployment every run of the pipeline "
            "builds one province, chosen as its partition (the province's code)"
        )
    return deployment.province(code)


class ProvinceResource(ConfigurableResource):
    """One of the pipeline's resources (``warehouse`` or ``reform``), pointed at the folders of
    the province the run builds (its partition) when the run starts: the same assets then build
    that province's warehouse and BI file, under that warehouse's own run lock."""

    resource_key: str  # "warehouse" or "reform": which of resources_from()'s resources

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[ConfigurableResource]:
        from reform_pipeline.resources import resources_from

        deployment = Deployment.from_env()
        province = province_of_run(context.run.tags if context.run is not None else {}, deployment)
        resource = resources_from(province.settings(Settings.from_env()))[self.resource_key]
        if context.log is not None and self.resource_key == "warehouse":
            context.log.info(f"province {province.code}: building {province.home}")
        if type(resource).yield_for_execution is ConfigurableResource.yield_for_execution:
            yield resource
        else:
            with resource.yield_for_execution(context) as ready:
                yield ready


# -- Kubernetes (docs/deploy.md, "Volumes") --------------------------------------------------------

K8S_VOLUMES_VARIABLE = "REFORM_K8S_VOLUMES"
K8S_CONFIG_TAG = "dagster-k8s/config"  # merged by dagster-k8s's K8sRunLauncher into the run's pod
PROVINCE_CLAIM = "reform-province-{code}"
BI_CLAIM = "reform-bi"
NATIONAL_CLAIM = "reform-national"


def k8s_volumes_on(environ: dict[str, str] | None = None) -> bool:
    from reform_pipeline.settings import parse_flag

    env = os.environ if environ is None else environ
    return parse_flag(K8S_VOLUMES_VARIABLE, env.get(K8S_VOLUMES_VARIABLE))


def k8s_province_tags(code: str, root: Path) -> dict[str, str]:
    """The run tag that mounts province ``code``'s own volume at ``<root>/<code>`` and its folder
    of the shared BI volume at ``<root>/<code>/bi``, in that run's pod only."""
    import json

    config = {
        "pod_spec_config": {"volumes": [
            {"name": "province", "persistent_volume_claim": {"claim_name": PROVINCE_CLAIM.format(code=code)}},
            {"name": "bi", "persistent_volume_claim": {"claim_name": BI_CLAIM}}]},
        "container_config": {"volume_mounts": [
            {"name": "province", "mount_path": str(root / code)},
            {"name": "bi", "mount_path": str(root / code / "bi"), "sub_path": f"{code}/bi"}]},
    }
    return {K8S_CONFIG_TAG: json.dumps(config, sort_keys=True)}


def k8s_national_tags(root: Path) -> dict[str, str]:
    """The run tag of the national roll-up's pod: every province's BI folder read-only, and the
    national folder read-write."""
    import json

    config = {
        "pod_spec_config": {"volumes": [
            {"name": "bi", "persistent_volume_claim": {"claim_name": BI_CLAIM, "read_only": True}},
            {"name": "national", "persistent_volume_claim": {"claim_name": NATIONAL_CLAIM}}]},
        "container_config": {"volume_mounts": [
            {"name": "bi", "mount_path": str(root), "read_only": True},
            {"name": "national", "mount_path": str(root / NATIONAL_FOLDER)}]},
    }
    return {K8S_CONFIG_TAG: json.dumps(config, sort_keys=True)}
