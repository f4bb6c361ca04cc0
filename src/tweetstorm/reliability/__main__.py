"""Command line: ``python -m tweetstorm.reliability RATINGS [options]``.

Reads a long-format ratings file (CSV, xlsx or Parquet, one row per rating), prints every
agreement coefficient with its standard errors and intervals as a table, JSON or CSV, over all
ratings or per group of a column (``--by question``). Missing codes (empty, NA, N/A, NaN, null)
are missing ratings; codes that differ only in letter case or surrounding space draw a warning
on stderr (an error with ``--strict``; with ``--codebook`` every code must be the codebook's).
Bad input exits with status 2 and a one-line message saying what to change; an unexpected error
with status 1 and one line (``tweetstorm.cli.run``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np
import pandas as pd

from tweetstorm import paths
from tweetstorm.cli import run
from tweetstorm.errors import InputError
from tweetstorm.safeio import csv_text
from tweetstorm.reliability.agreement import COLUMNS, agreement
from tweetstorm.reliability.matrix import (
    LEVELS,
    WEIGHTS,
    _code_text,
    check_codebook,
    check_codes,
    read_ratings,
    sort_categories,
)

NUMERIC = ("estimate", "se", "se_null", "z", "ci_low", "ci_high", "boot_low", "boot_high")


def _list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [t.strip() for t in text.split(",")]
    return [t for t in items if t]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tweetstorm.reliability",
        description="Inter-rater agreement coefficients (percent agreement, Cohen/Light, Scott, "
                    "Fleiss, Conger, Krippendorff, Gwet AC1/AC2, Brennan-Prediger) with SEs, the "
                    "analytic interval of the reference software (Cohen: SAS PROC FREQ; Gwet, "
                    "Brennan-Prediger, Fleiss, Scott, percent agreement: irrCAC) or else the "
                    "percentile bootstrap, and the percentile bootstrap interval of every "
                    "coefficient, from a long-format ratings file.")
    p.add_argument("ratings", metavar="RATINGS",
                   help="long-format CSV, xlsx or Parquet: one row per rating (unit, rater, code); "
                        "an absent row or a missing code (empty, NA, N/A, NaN, null) is a missing "
                        "rating. A workbook is read from every sheet with the three columns")
    p.add_argument("--unit", default="unit", help="unit id column (default: unit)")
    p.add_argument("--rater", default="rater", help="rater column (default: rater)")
    p.add_argument("--code", default="code", help="code column (default: code)")
    p.add_argument("--sheet", help="the workbook sheet to read (default: every sheet whose first "
                                   "row has the unit, rater and code columns)")
    p.add_argument("--codebook", help="codebook YAML: every code must be one of its codes (checked "
                                      "per row against the question column 'question' if there "
                                      "is one)")
    p.add_argument("--strict", action="store_true",
                   help="stop (exit 2) on codes that differ only in letter case or surrounding "
                        "space instead of warning")
    p.add_argument("--raters", help="comma-separated subset of raters, e.g. R1,R2")
    p.add_argument("--weights", default="identity", choices=WEIGHTS,
                   help="weights for every coefficient but Krippendorff's alpha, on the numeric "
                        "code values (default: identity)")
    p.add_argument("--level", default="nominal", choices=LEVELS,
                   help="Krippendorff's alpha metric (default: nominal)")
    p.add_argument("--categories", help="comma-separated full category set in order, when some "
                                        "codes were never used")
    p.add_argument("--bootstrap", type=int, default=1000,
                   help="bootstrap resamples over units (boot_low, boot_high, and ci_low, "
                        "ci_high where no analytic interval exists); 0 for none (default: 1000)")
    p.add_argument("--by", metavar="COL",
                   help="compute the coefficients separately for each value of this column "
                        "(e.g. --by question): one block per group")
    p.add_argument("--seed", type=int, default=20130601, help="bootstrap seed (default: 20130601)")
    p.add_argument("--format", default="table", choices=("table", "json", "csv"),
                   help="output format (default: table)")
    return p


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v is None or (not isinstance(v, (str, tuple, list)) and pd.isna(v)):
        return None
    return v


def _records(result: pd.DataFrame, group=None) -> list[dict]:
    out = []
    for rec in result[COLUMNS].to_dict(orient="records"):
        rec = {k: _clean(v) for k, v in rec.items()}
        rec["raters"] = list(rec["raters"])
        out.append(rec if group is None else {"group": group, **rec})
    return out


def _about(result: pd.DataFrame) -> dict:
    a = result.attrs
    return {"n_units": int(a["n_units"]), "n_raters": int(a["n_raters"]),
            "categories": list(a["categories"])}


def to_json(result: pd.DataFrame | dict, by: str | None = None) -> str:
    """The JSON object of the CLI: n_units, n_raters, categories, coefficients (null = n/a).

    With groups (``result`` a dict group -> result, ``by`` the column): ``by``, ``groups`` (one
    object per group: group, n_units, n_raters, categories) and ``coefficients``, each record
    carrying its ``group``."""
    if isinstance(result, dict):
        obj = {"by": by, "groups": [{"group": g, **_about(r)} for g, r in result.items()],
               "coefficients": [rec for g, r in result.items() for rec in _records(r, g)]}
    else:
        obj = {**_about(result), "coefficients": _records(result)}
    return json.dumps(obj, indent=2, allow_nan=False)


def to_csv(result: pd.DataFrame | dict, by: str | None = None) -> str:
    """CSV of the coefficients; with groups a first column ``group``."""
    def frame(r):
        out = r[COLUMNS].copy()
        out["raters"] = out["raters"].map(lambda t: ";".join(t))
        return out

    if isinstance(result, dict):
        out = pd.concat([frame(r).assign(group=g) for g, r in result.items()], ignore_index=True)
        out = out[["group", *COLUMNS]]
    else:
        out = frame(result)
    return csv_text(out)


def _block(result: pd.DataFrame) -> list[str]:
    a = result.attrs
    head = (f"{a['n_units']} units, {a['n_raters']} raters, {len(a['categories'])} categories "
            f"({', '.join(map(str, a['categories']))}); {int(a['ci'] * 100)}% intervals: "
            "ci = analytic where the literature gives one (normal: SAS PROC FREQ; t: irrCAC), "
            "else percentile bootstrap")
    if a.get("n_boot"):
        head += f"; boot = percentile bootstrap, {a['n_boot']} resamples, seed {a['seed']}"
    cells = [["coefficient", "weights/level", "raters", "estimate", "se", "se_null", "z",
              "ci_low", "ci_high", "ci_method", "boot_low", "boot_high"]]

    def f(x):
        x = _clean(x)
        return "" if x is None else f"{x:.4f}"

    def s(x):
        x = _clean(x)
        return "" if x is None else str(x)

    for rec in result.to_dict(orient="records"):
        cells.append([rec["coefficient"], s(rec["weights"]) or s(rec["level"]),
                      ",".join(rec["raters"]), f(rec["estimate"]), f(rec["se"]),
                      f(rec["se_null"]), f(rec["z"]), f(rec["ci_low"]), f(rec["ci_high"]),
                      s(rec["ci_method"]), f(rec["boot_low"]), f(rec["boot_high"])])
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [head]
    for j, row in enumerate(cells):
        lines.append("  ".join(c.ljust(wd) if i < 3 or i == 9 else c.rjust(wd)
                               for i, (c, wd) in enumerate(zip(row, widths))).rstrip())
        if j == 0:
            lines.append("  ".join("-" * wd for wd in widths))
    return lines


def to_table(result: pd.DataFrame | dict, by: str | None = None) -> str:
    """An aligned plain-text table with a header line; with groups one block per group, each
    under a line ``<by> = <group>``."""
    if isinstance(result, dict):
        blocks = [[f"{by} = {g}", *_block(r)] for g, r in result.items()]
        return "\n\n".join("\n".join(b) for b in blocks) + "\n"
    return "\n".join(_block(result)) + "\n"


def split_by(df: pd.DataFrame, column: str, source: str) -> dict[str, pd.DataFrame]:
    """group value -> its rows, groups in sorted order (numerically if all are numbers).
    A rating without a group value is an error naming its row (the header is row 1)."""
    if column not in df.columns:
        raise InputError(source, f"no column {column!r} to group by (columns: "
                         f"{', '.join(map(str, df.columns))})", "name an existing column with --by")
    values = df[column].map(_code_text)
    blank = (values == "").to_numpy()
    if blank.any():
        raise InputError(source, f"a rating without a value in the --by column {column!r}",
                         "fill in the group of the row or delete it",
                         row=int(np.flatnonzero(blank)[0]) + 2)
    return {g: df[(values == g).to_numpy()] for g in sort_categories(values)}


def load_ratings(args: argparse.Namespace, name: str) -> pd.DataFrame:
    """The input side of the command: read RATINGS, check its codes against ``--codebook``, and
    warn (stderr) about near-duplicate codes, or stop with ``--strict``."""
    df = read_ratings(args.ratings, source=name, columns=(args.unit, args.rater, args.code),
                      sheet=args.sheet, unit=args.unit)
    if args.codebook:
        from tweetstorm import codebook as codebook_module

        check_codebook(df, codebook_module.load(args.codebook), args.code, source=name)
    for line in check_codes(df, args.code, source=name, strict=args.strict):
        print(line, file=sys.stderr)
    return df


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (2: bad input or arguments, one line on stderr)."""
    return run(lambda: _main(argv), "tweetstorm.reliability")


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    name = paths.relative(args.ratings)
    df = load_ratings(args, name)
    options = dict(unit=args.unit, rater=args.rater, code=args.code,
                   raters=_list(args.raters), categories=_list(args.categories),
                   weights=args.weights, level=args.level, bootstrap=args.bootstrap,
                   seed=args.seed, source=name)
    if args.by:
        result = {g: agreement(sub, **options) for g, sub in split_by(df, args.by, name).items()}
    else:
        result = agreement(df, **options)
    text = {"json": lambda r, by: to_json(r, by) + "\n", "csv": to_csv,
            "table": to_table}[args.format](result, args.by)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
