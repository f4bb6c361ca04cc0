"""Command line: ``python -m tweetstorm.reliability RATINGS [options]``.

Reads a long-format ratings file (CSV or xlsx, one row per rating), prints every agreement
coefficient with its standard errors and interval as a table, JSON or CSV. Bad input exits
with status 2 and a one-line message saying what to change.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys

import pandas as pd

from tweetstorm import paths
from tweetstorm.errors import InputError
from tweetstorm.reliability.agreement import COLUMNS, agreement
from tweetstorm.reliability.matrix import LEVELS, WEIGHTS, read_ratings

NUMERIC = ("estimate", "se", "se_null", "z", "ci_low", "ci_high")


def _list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [t.strip() for t in text.split(",")]
    return [t for t in items if t]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tweetstorm.reliability",
        description="Inter-rater agreement coefficients (percent agreement, Cohen/Light, Scott, "
                    "Fleiss, Conger, Krippendorff, Gwet AC1/AC2, Brennan-Prediger) with SEs and "
                    "percentile bootstrap intervals, from a long-format ratings file.")
    p.add_argument("ratings", metavar="RATINGS",
                   help="long-format CSV or xlsx: one row per rating (unit, rater, code); "
                        "an absent row or an empty code is a missing rating")
    p.add_argument("--unit", default="unit", help="unit id column (default: unit)")
    p.add_argument("--rater", default="rater", help="rater column (default: rater)")
    p.add_argument("--code", default="code", help="code column (default: code)")
    p.add_argument("--raters", help="comma-separated subset of raters, e.g. R1,R2")
    p.add_argument("--weights", default="identity", choices=WEIGHTS,
                   help="weights for every coefficient but Krippendorff's alpha, on the numeric "
                        "code values (default: identity)")
    p.add_argument("--level", default="nominal", choices=LEVELS,
                   help="Krippendorff's alpha metric (default: nominal)")
    p.add_argument("--categories", help="comma-separated full category set in order, when some "
                                        "codes were never used")
    p.add_argument("--bootstrap", type=int, default=1000,
                   help="bootstrap resamples over units; 0 for analytic intervals only "
                        "(default: 1000)")
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


def to_json(result: pd.DataFrame) -> str:
    """The JSON object of the CLI: n_units, n_raters, categories, coefficients (null = n/a)."""
    coefs = []
    for rec in result[COLUMNS].to_dict(orient="records"):
        rec = {k: _clean(v) for k, v in rec.items()}
        rec["raters"] = list(rec["raters"])
        coefs.append(rec)
    obj = {"n_units": int(result.attrs["n_units"]), "n_raters": int(result.attrs["n_raters"]),
           "categories": list(result.attrs["categories"]), "coefficients": coefs}
    return json.dumps(obj, indent=2, allow_nan=False)


def to_csv(result: pd.DataFrame) -> str:
    out = result[COLUMNS].copy()
    out["raters"] = out["raters"].map(lambda t: ";".join(t))
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n", float_format="%.6g")
    return buf.getvalue()


def to_table(result: pd.DataFrame) -> str:
    """An aligned plain-text table with a header line."""
    a = result.attrs
    head = (f"{a['n_units']} units, {a['n_raters']} raters, {len(a['categories'])} categories "
            f"({', '.join(map(str, a['categories']))})")
    if a.get("n_boot"):
        head += f"; {int(a['ci'] * 100)}% percentile bootstrap, {a['n_boot']} resamples, seed {a['seed']}"
    cells = [["coefficient", "weights/level", "raters", "estimate", "se", "se_null", "z",
              "ci_low", "ci_high", "ci_method"]]
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
                      s(rec["ci_method"])])
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [head]
    for j, row in enumerate(cells):
        lines.append("  ".join(c.ljust(wd) if i < 3 or i == 9 else c.rjust(wd)
                               for i, (c, wd) in enumerate(zip(row, widths))).rstrip())
        if j == 0:
            lines.append("  ".join("-" * wd for wd in widths))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        name = paths.relative(args.ratings)
        df = read_ratings(args.ratings, source=name)
        result = agreement(df, unit=args.unit, rater=args.rater, code=args.code,
                           raters=_list(args.raters), categories=_list(args.categories),
                           weights=args.weights, level=args.level, bootstrap=args.bootstrap,
                           seed=args.seed, source=name)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    text = {"json": lambda r: to_json(r) + "\n", "csv": to_csv, "table": to_table}[args.format](result)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
