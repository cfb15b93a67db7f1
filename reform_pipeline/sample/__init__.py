"""A deterministic sample of the province's inputs: the agency tree with its history (Khánh Hòa
before and after the mergers of 2025, Ninh Thuận until it joined), the units' successors, the
procedure catalogue, the plan targets, calendar overrides and nearly four years of nightly dossier
exports in every accepted shape, with about 1% planted bad rows listed in a manifest.

``python -m reform_pipeline.sample --help`` for the command line; ``generate(Options(...))`` from
Python.
"""

from .generator import Options, generate

__all__ = ["Options", "generate"]
