"""Command line of the coding step (``python -m tweetstorm.coding``; ``make sheets``)::

    python -m tweetstorm.coding sheets --posts data/processed/posts.parquet \\
        --codebook data/raw/codebook.yml --raters R1,R2,R3 --out build/coding_sheets
    python -m tweetstorm.coding adjudication --posts data/processed/posts.parquet \\
        --codebook data/raw/codebook.yml --sheets data/raw/coding --out build/adjudication

``--out`` may not be or lie inside an input, nor inside ``data/raw/``; every file is written
atomically. Bad input or arguments: one line on stderr, exit 2 (:func:`tweetstorm.cli.run`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import pandas as pd

from tweetstorm import paths, processed, safeio
from tweetstorm import codebook as codebook_module
from tweetstorm.cli import run
from tweetstorm.coding.consensus import disagreements
from tweetstorm.coding.sheets_in import read_sheets, sheet_files
from tweetstorm.coding.sheets_out import (
    DEFAULT_SEED,
    adjudication_files,
    sheet_files_out,
    write_adjudication_sheet,
    write_sheets,
)
from tweetstorm.coding.units import UNIT_POST_COLUMNS, units
from tweetstorm.errors import ParameterError

__all__ = ["build_parser", "main"]

PROG = "python -m tweetstorm.coding"


def _load_units(posts_path: str) -> pd.DataFrame:
    posts = processed.read_posts(posts_path, columns=UNIT_POST_COLUMNS)
    return units(posts, source=paths.relative(paths.resolve(posts_path)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="The coding workflow: blank coding sheets for the raters, and the "
                               "sheet of the units they disagree on for the adjudicator.")
    sub = parser.add_subparsers(dest="command", required=True)
    for cmd, help_ in (("sheets", "write one blank coding sheet per rater"),
                       ("adjudication", "write the sheet of units the raters disagree on")):
        p = sub.add_parser(cmd, help=help_)
        p.add_argument("--posts", default="data/processed/posts.parquet", help="processed posts")
        p.add_argument("--codebook", default="data/raw/codebook.yml", help="codebook YAML")
        p.add_argument("--out", required=True, help="output folder (outside the inputs and data/raw)")
        p.add_argument("--formats", default="xlsx,csv", help="xlsx,csv (default both)")
    sub.choices["sheets"].add_argument("--raters", required=True, help="rater names, e.g. R1,R2,R3")
    sub.choices["sheets"].add_argument("--seed", type=int, default=DEFAULT_SEED, help="order seed")
    sub.choices["adjudication"].add_argument(
        "--sheets", nargs="+", required=True,
        help="completed sheets: a folder (every rater_<R>.csv/.xlsx in it), paths or globs")
    sub.choices["adjudication"].add_argument(
        "--sheet", help="the sheet to read in each workbook (default: every sheet with the columns)")
    return parser


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    try:
        if args.command == "sheets":
            raters = [r.strip() for r in args.raters.split(",") if r.strip()]
            out_files = [p for ps in sheet_files_out(raters, args.out, formats).values() for p in ps]
        else:
            out_files = adjudication_files(args.out, formats=formats)
    except ValueError as err:
        raise ParameterError("--formats" if "formats" in str(err) else "--raters",
                             str(err).split(": ", 1)[-1], "see --help") from None
    sheets = sheet_files(args.sheets) if args.command == "adjudication" else []
    folders = [paths.resolve(s) for s in getattr(args, "sheets", None) or []
               if paths.resolve(s).is_dir()]
    inputs = [paths.resolve(args.posts), paths.resolve(args.codebook), *sheets, *folders,
              paths.RAW]  # data/raw/ holds the inputs: nothing is written there
    for target in [paths.resolve(args.out), *out_files]:
        safeio.refuse_inputs_as_outputs({"--out": target}, inputs)
    cb = codebook_module.load(args.codebook)
    unit_table = _load_units(args.posts)
    if args.command == "sheets":
        written = [p for ps in write_sheets(unit_table, cb, raters, args.out, seed=args.seed,
                                            formats=formats).values() for p in ps]
    else:
        ratings = read_sheets(sheets, cb, unit_table, sheet=args.sheet)
        written = write_adjudication_sheet(disagreements(ratings), cb, args.out,
                                           units=unit_table, formats=formats)
    for p in written:
        print(paths.relative(p))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``sheets``: blank sheets for the raters; ``adjudication``: the sheet of disagreements.

    Returns the exit status: 0, 2 for bad input or arguments (one line on stderr), 1 for an
    unexpected error (one line; the trace goes to ``build/errors/``).
    """
    return run(lambda: _main(argv), "tweetstorm.coding")
