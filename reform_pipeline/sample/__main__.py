"""Command line: ``python -m reform_pipeline.sample [options]``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .generator import (DEFAULT_DOSSIERS, DEFAULT_END, DEFAULT_SEED, DEFAULT_START, FORMATS,
                        PERIODS, Options, generate)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value < 0.5:
        raise argparse.ArgumentTypeError("--bad-share must be in [0, 0.5)")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m reform_pipeline.sample",
        description="Generate the sample inputs of the pipeline (docs/spec §2): agencies, unit changes, "
                    "procedures, targets, calendar overrides and nightly dossier exports, plus a manifest of "
                    "the planted bad rows. The same options and seed give byte-identical files.")
    p.add_argument("--out", type=Path, default=Path("data/raw"), help="output folder (default: data/raw)")
    p.add_argument("--start", type=_date, default=DEFAULT_START, help="first export day (default: %(default)s)")
    p.add_argument("--end", type=_date, default=DEFAULT_END, help="last export day (default: %(default)s)")
    p.add_argument("--dossiers", type=int, default=DEFAULT_DOSSIERS,
                   help="dossiers received in the range (default: %(default)s, about 1/35 of the "
                        "merged province's volume)")
    p.add_argument("--format", choices=FORMATS, default="mixed",
                   help="export shape: mixed = the committed sample's mix of xlsx, Vietnamese "
                        "report CSV, system CSV and Parquet; csv = the system's CSV")
    p.add_argument("--tree", choices=["khanhhoa", "national"], default="khanhhoa",
                   help="agency tree: Khánh Hòa's with its 2025 mergers, or a synthetic ~5,000-unit tree "
                        "for benchmarks, reorganised in the middle of the range")
    p.add_argument("--bad-share", type=_share, default=0.01, help="share of planted bad rows (default: 0.01)")
    p.add_argument("--files-per", type=str.lower, choices=PERIODS, default=None,
                   help="export granularity: one file per day, week or month (default: day; "
                        "for mixed, the committed sample's schedule)")
    p.add_argument("--manifest", type=Path, default=None,
                   help="manifest path (default: sample_manifest.json beside the output folder)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.dossiers < 1:
        parser().error("--dossiers must be at least 1")
    options = Options(out=args.out, start=args.start, end=args.end, dossiers=args.dossiers,
                      format=args.format, tree=args.tree, bad_share=args.bad_share,
                      files_per=args.files_per, manifest=args.manifest, seed=args.seed,
                      progress=not args.quiet)
    manifest = generate(options)
    totals = manifest["totals"]
    print(f"{totals['files']} exports, {totals['rows']:,} rows, {totals['bad_rows']:,} planted bad rows "
          f"in {options.out}; manifest {options.manifest_path()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
