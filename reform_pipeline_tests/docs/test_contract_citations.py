"""The project carries its own contract (docs/spec/): every "§N.N" that code, SQL, docs, the
Dagster UI texts or the scorecard page cite is a section of it, and nothing cites a SPEC that
is not in the repository."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "docs" / "spec"
# the project's own text: code, SQL, templates, docs, the deployment and the Makefile
TEXT_SUFFIXES = {".py", ".sql", ".md", ".html", ".yaml", ".csv", ".j2"}
SKIPPED_PARTS = {".venv", ".git", "data", "__pycache__", ".dagster_home", "node_modules"}
# spelled in two parts, so that this file does not cite what it forbids
OUTSIDE_SPEC = ("SPEC" + " §", "shared/" + "SPEC")
SECTION = re.compile(r"§(\d+(?:\.\d+)?)")
HEADING = re.compile(r"^#{1,6} §(\d+(?:\.\d+)?)\b", re.M)


def project_files() -> list[Path]:
    files = [REPO / "Makefile"]
    for path in REPO.rglob("*"):
        relative = path.relative_to(REPO)
        if path.is_file() and path.suffix in TEXT_SUFFIXES and not SKIPPED_PARTS & set(relative.parts[:-1]):
            files.append(path)
    return files


def contract_sections() -> set[str]:
    return {number for page in CONTRACT.glob("*.md") for number in HEADING.findall(page.read_text(encoding="utf-8"))}


def test_the_contract_has_every_numbered_section():
    sections = contract_sections()
    for number in ["1", "2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3",
                   "4", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "5", "5.1"]:
        assert number in sections, f"docs/spec has no heading for §{number}"


def test_every_cited_section_exists_in_the_contract():
    sections = contract_sections()
    missing = [
        f"{path.relative_to(REPO)}:{text[: match.start()].count(chr(10)) + 1}: §{match[1]}"
        for path in project_files()
        for text in [path.read_text(encoding="utf-8", errors="replace")]
        for match in SECTION.finditer(text)
        if match[1] not in sections
    ]
    assert not missing, "cited sections that docs/spec does not have:\n" + "\n".join(missing)


def test_nothing_cites_a_spec_outside_the_repository():
    cited = [
        f"{path.relative_to(REPO)}:{number + 1}"
        for path in project_files()
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines())
        if any(text in line for text in OUTSIDE_SPEC)
    ]
    assert not cited, "cite docs/spec §…, the project's own contract:\n" + "\n".join(cited)
