"""Long-format ratings -> the (n_units, n_raters) rating matrix every coefficient starts from.

A long table has one row per rating: a unit id, a rater name and a code. An empty code (or an
absent row) is a missing rating. :func:`rating_matrix` validates the table and returns a
:class:`RatingMatrix`; :func:`read_ratings` reads a long-format CSV or xlsx file.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tweetstorm.errors import InputError

WEIGHTS = ("identity", "linear", "quadratic")
LEVELS = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True)
class RatingMatrix:
    """Ratings of ``n_units`` units by ``n_raters`` raters into ``q`` categories.

    ``codes`` is an int array of shape (n_units, n_raters): ``codes[i, g]`` is the index into
    ``categories`` of rater ``g``'s code for unit ``i``, or -1 where the rating is missing.
    Every unit has at least one rating (units nobody rated carry no information and are not
    rows). ``source`` names the input in error messages.
    """

    codes: np.ndarray
    units: list
    raters: list[str]
    categories: list[str]
    source: str = "ratings"
    _values: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def n_units(self) -> int:
        return self.codes.shape[0]

    @property
    def n_raters(self) -> int:
        return self.codes.shape[1]

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    def counts(self) -> np.ndarray:
        """(n_units, q) int array: how many raters put unit i into category k."""
        n, q = self.n_units, self.n_categories
        out = np.zeros(n * q, dtype=np.int64)
        rows, cols = np.nonzero(self.codes >= 0)
        np.add.at(out, rows * q + self.codes[rows, cols], 1)
        return out.reshape(n, q)

    def numeric_values(self, why: str) -> np.ndarray:
        """(q,) float array of the category codes read as numbers; ``why`` says who needs them.

        Raises InputError naming the first non-numeric code.
        """
        values = []
        for c in self.categories:
            v = _as_number(c)
            if v is None:
                raise InputError(
                    self.source, f"code {c!r} is not a number, but {why} needs numeric codes",
                    "use --weights identity and --level nominal, or recode the categories as "
                    "numbers (e.g. 1,2,3) in their order")
            values.append(v)
        return np.asarray(values, dtype=float)

    def subset(self, raters: list[str]) -> "RatingMatrix":
        """The matrix restricted to ``raters`` (units left without any rating are dropped)."""
        idx = [self.raters.index(r) for r in raters]
        codes = self.codes[:, idx]
        keep = (codes >= 0).any(axis=1)
        return RatingMatrix(codes[keep], [u for u, k in zip(self.units, keep) if k], list(raters),
                            list(self.categories), self.source)


def _as_number(text: str) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _code_text(value) -> str:
    """A cell as the code string: NaN/None/blank -> '', 1.0 -> '1', ' a ' -> 'a'."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def sort_categories(codes) -> list[str]:
    """Sorted distinct codes: numerically when every code is a number, else as text."""
    codes = sorted(set(codes))
    if codes and all(_as_number(c) is not None for c in codes):
        return sorted(codes, key=lambda c: (_as_number(c), c))
    return codes


def rating_matrix(long_df: pd.DataFrame, unit: str = "unit", rater: str = "rater",
                  code: str = "code", raters=None, categories=None, *,
                  source: str = "ratings") -> RatingMatrix:
    """Build a :class:`RatingMatrix` from a long table (one row per rating).

    ``raters`` restricts to (and orders) a subset of raters; ``categories`` gives the full
    ordered category set (codes never used still count, e.g. for Brennan-Prediger). Without it
    the categories are the codes used, sorted (numerically if all are numbers). Units appear in
    the order of their first row. Row numbers in errors count the header as row 1.

    Raises InputError for: a missing column, an unknown rater in ``raters``, two rows for the
    same (unit, rater), a code outside ``categories``, fewer than two raters, no unit rated
    by at least two raters.
    """
    if not isinstance(long_df, pd.DataFrame):
        raise InputError(source, "ratings must be a table (pandas DataFrame)",
                         "pass a long table with one row per rating")
    for role, col in (("unit", unit), ("rater", rater), ("code", code)):
        if col not in long_df.columns:
            have = ", ".join(map(str, long_df.columns))
            raise InputError(source, f"no {role} column {col!r} (columns: {have})",
                             f"name the {role} column with --{role} (or {role}=...)")
    units_col = long_df[unit].map(_code_text)
    raters_col = long_df[rater].map(_code_text)
    codes_col = long_df[code].map(_code_text)
    blank_unit = (units_col == "") & (codes_col != "")
    if blank_unit.any():
        pos = int(np.flatnonzero(blank_unit.to_numpy())[0])
        raise InputError(source, "a rating without a unit id", "fill in the unit id or delete the row",
                         row=pos + 2)
    blank_rater = (raters_col == "") & (codes_col != "")
    if blank_rater.any():
        pos = int(np.flatnonzero(blank_rater.to_numpy())[0])
        raise InputError(source, "a rating without a rater", "fill in the rater or delete the row",
                         row=pos + 2)

    all_raters = sort_categories(r for r in raters_col if r != "")
    if raters is not None:
        raters = [str(r).strip() for r in raters]
        unknown = [r for r in raters if r not in all_raters]
        if unknown:
            raise InputError(source, f"no rater {unknown[0]!r} (raters: {', '.join(all_raters)})",
                             "name raters as they appear in the rater column")
        if len(set(raters)) != len(raters):
            raise InputError(source, "a rater is listed twice in raters", "list each rater once")
    else:
        raters = all_raters
    keep = raters_col.isin(raters).to_numpy() & (units_col != "").to_numpy()
    key = pd.DataFrame({"u": units_col[keep], "r": raters_col[keep]})
    dup = key.duplicated(keep="first").to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(keep)[np.flatnonzero(dup)[0]])
        u, r = units_col.iloc[pos], raters_col.iloc[pos]
        raise InputError(source, f"a second rating of unit {u!r} by rater {r!r}",
                         "keep one row per unit and rater (delete or merge the duplicate)",
                         row=pos + 2)

    rated = keep & (codes_col != "").to_numpy()
    used = codes_col[rated]
    if categories is not None:
        categories = [_code_text(c) for c in categories]
        if len(set(categories)) != len(categories) or "" in categories:
            raise InputError(source, "categories contain a duplicate or an empty code",
                             "list each category once")
        bad = ~used.isin(categories).to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(rated)[np.flatnonzero(bad)[0]])
            raise InputError(source, f"code {codes_col.iloc[pos]!r} is not one of the categories "
                             f"({', '.join(categories)})",
                             "correct the code or add it to the categories", row=pos + 2)
    else:
        categories = sort_categories(used)
    if len(raters) < 2:
        raise InputError(source, f"ratings of only one rater ({', '.join(raters) or 'none'})",
                         "agreement needs at least two raters: add the other raters' ratings "
                         "or list two or more with --raters")

    unit_ids = pd.unique(units_col[rated])
    u_index = pd.Index(unit_ids).get_indexer(units_col[rated])
    r_index = pd.Index(raters).get_indexer(raters_col[rated])
    c_index = pd.Index(categories).get_indexer(used)
    codes = np.full((len(unit_ids), len(raters)), -1, dtype=np.int64)
    codes[u_index, r_index] = c_index
    if not ((codes >= 0).sum(axis=1) >= 2).any():
        raise InputError(source, "no unit was rated by two or more raters",
                         "agreement needs units coded by at least two raters: check that the "
                         "unit ids match between raters")
    return RatingMatrix(codes, list(unit_ids), list(raters), list(categories), source)


def read_ratings(path: str | os.PathLike[str], *, source: str | None = None) -> pd.DataFrame:
    """Read a long-format ratings file (.csv, or .xlsx first sheet) with every cell as text."""
    p = Path(path)
    name = source or p.name
    if not p.is_file():
        raise InputError(name, "file not found", "give the path of a long-format CSV or xlsx file")
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, dtype=str, keep_default_na=False, engine="openpyxl")
        elif suffix in (".csv", ".txt", ".tsv"):
            df = pd.read_csv(p, dtype=str, keep_default_na=False,
                             sep="\t" if suffix == ".tsv" else ",", encoding="utf-8-sig")
        else:
            raise InputError(name, f"unknown file type {suffix!r}", "give a .csv or .xlsx file")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
        if isinstance(err, InputError):
            raise
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(name, f"cannot be read ({first})",
                         "save it as UTF-8 CSV or xlsx with a header row") from err
    df.columns = [str(c).strip() for c in df.columns]
    return df


def weight_matrix(weights: str, values: np.ndarray | None, q: int) -> np.ndarray:
    """(q, q) agreement weights: 1 on the diagonal, 0 for the furthest codes.

    identity: 1 if k == l else 0; linear: 1 - |v_k - v_l| / (v_max - v_min); quadratic:
    1 - (v_k - v_l)^2 / (v_max - v_min)^2 (Gwet 2014, ch. 3; Cicchetti-Allison and
    Fleiss-Cohen weights as agreement weights), on the numeric code values ``values``.
    """
    if weights == "identity":
        return np.eye(q)
    if values is None:
        raise ValueError("weighted agreement needs numeric category values")
    span = values.max() - values.min()
    diff = np.abs(values[:, None] - values[None, :]) / (span if span > 0 else 1.0)
    if weights == "linear":
        return 1.0 - diff
    if weights == "quadratic":
        return 1.0 - diff**2
    raise ValueError(f"unknown weights {weights!r}; use one of {', '.join(WEIGHTS)}")
