"""Long-format ratings -> the (n_units, n_raters) rating matrix every coefficient starts from.

A long table has one row per rating: a unit id, a rater name and a code. A missing code (empty,
``NA``, ``N/A``, ``NaN``, ``null``: :mod:`tweetstorm.missing`) or an absent row is a missing
rating. :func:`rating_matrix` validates the table and returns a :class:`RatingMatrix`;
:func:`read_ratings` reads a long-format CSV, xlsx or Parquet file, and :func:`check_codes`
finds codes that differ only by letter case or surrounding space.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tweetstorm import cells
from tweetstorm.errors import InputError
from tweetstorm.missing import is_missing

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

    def subset(self, raters: list[str]) -> RatingMatrix:
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
    """A cell as the code string: missing (NaN, None, blank, NA, N/A, null) -> '', 1.0 -> '1',
    ' a ' -> 'a'."""
    if value is pd.NA or is_missing(value):
        return ""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _origin(long_df: pd.DataFrame, pos: int, source: str) -> tuple[str, int]:
    """``(file, row)`` of the row at position ``pos``, for an error message.

    A table from :func:`read_ratings` carries its rows in the index (``row``, or ``sheet`` and
    ``row`` for a workbook read from several sheets); any other table counts rows as a
    spreadsheet would show it (header = row 1).
    """
    index = long_df.index
    if list(index.names) == ["sheet", "row"]:
        sheet, row = index[pos]
        return f"{source}, sheet {sheet}", int(row)
    if index.name == "row":
        return source, int(index[pos])
    return source, pos + 2


def _place(long_df: pd.DataFrame, pos: int) -> str:
    """``row 5`` or ``sheet S, row 5``: where the row at position ``pos`` is, for a message."""
    file, row = _origin(long_df, pos, "")
    return f"{file[2:]}, row {row}" if file else f"row {row}"


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
        file, row = _origin(long_df, int(np.flatnonzero(blank_unit.to_numpy())[0]), source)
        raise InputError(file, "a rating without a unit id", "fill in the unit id or delete the row",
                         row=row)
    blank_rater = (raters_col == "") & (codes_col != "")
    if blank_rater.any():
        file, row = _origin(long_df, int(np.flatnonzero(blank_rater.to_numpy())[0]), source)
        raise InputError(file, "a rating without a rater", "fill in the rater or delete the row",
                         row=row)

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
        file, row = _origin(long_df, pos, source)
        raise InputError(file, f"a second rating of unit {u!r} by rater {r!r}",
                         "keep one row per unit and rater (delete or merge the duplicate)",
                         row=row)

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
            file, row = _origin(long_df, pos, source)
            raise InputError(file, f"code {codes_col.iloc[pos]!r} is not one of the categories "
                             f"({', '.join(categories)})",
                             "correct the code or add it to the categories", row=row)
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


RATINGS_TYPES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet")


def _ratings_text(value) -> str:
    """A ratings cell as text, ``""`` for a missing value; numbers as a spreadsheet shows them
    (``2``, ``2.5``)."""
    if value is pd.NA or is_missing(value):
        return ""
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return str(int(value)) if value.is_integer() and abs(value) < 2 ** 53 else repr(value)
    if isinstance(value, np.integer):
        return str(int(value))
    if isinstance(value, str):
        return value  # surrounding space kept: check_codes reports it
    return cells.cell_text(value)


def _check_units(df: pd.DataFrame, unit: str | None, name: str) -> None:
    """InputError for a unit id a spreadsheet turned into a number in scientific notation
    (``1.23457E+17``): rounded ids of different units would merge."""
    if unit is None or unit not in df.columns:
        return
    bad = df[unit].map(lambda t: cells.looks_mangled(t, decimals=False)).to_numpy(dtype=bool)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        file, row = _origin(df, pos, name)
        raise InputError(file, f"unit id {df[unit].iloc[pos]!r} in column {unit} was turned into a "
                         "number by a spreadsheet (digits lost, so different units may merge)",
                         cells.ID_FIX, row=row)


def read_ratings(path: str | os.PathLike[str], *, source: str | None = None,
                 columns: tuple[str, ...] = (), sheet: str | None = None,
                 unit: str | None = None) -> pd.DataFrame:
    """Read a long-format ratings file with every cell as text (a missing cell as ``""``).

    ``.csv``/``.tsv`` (UTF-8, a byte-order mark accepted), ``.xlsx`` or ``.parquet``. Missing
    values (empty, ``NA``, ``N/A``, ``NaN``, ``null``; :mod:`tweetstorm.missing`) become ``""``.
    A workbook is read from ``sheet``, or else from every sheet whose first row holds all of
    ``columns`` (several: concatenated); formula cells without a saved value and damaged files
    are errors (:func:`tweetstorm.cells.read_table`). The index holds each row's place, which
    :func:`rating_matrix` names in its errors: ``row`` (as a spreadsheet shows it, the header
    being row 1; for Parquet the record number from 1), or ``sheet`` and ``row`` for a workbook
    read from several sheets. ``unit`` names the unit column, whose ids may not be in a
    spreadsheet's scientific notation (``1.23457E+17``: digits lost).
    """
    p = Path(path)
    name = source or p.name
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        if not p.is_file():
            raise InputError(name, "file not found", "give the path of a long-format CSV, xlsx or "
                             "Parquet file")
        if sheet is not None:
            raise InputError(name, f"a Parquet file has no sheets (asked for sheet {sheet!r})",
                             "leave out --sheet for a Parquet file")
        try:
            df = pd.read_parquet(p)
        except (OSError, ValueError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise InputError(name, f"not a readable Parquet file ({first})",
                             "write the file again (pandas.DataFrame.to_parquet) or give a CSV") from None
        df = df.reset_index(drop=True)
        df.columns = [str(c).strip() for c in df.columns]
        df = df.astype(object).apply(lambda col: col.map(_ratings_text)) if len(df) else df.astype(str)
        df.index = pd.RangeIndex(1, len(df) + 1, name="row")
        _check_units(df, unit, name)
        return df
    if suffix not in RATINGS_TYPES:
        if not p.exists():
            raise InputError(name, "file not found", "give the path of a long-format CSV, xlsx or "
                             "Parquet file")
        raise InputError(name, f"unknown file type {suffix!r}", "give a .csv, .xlsx or .parquet file")
    table = cells.read_table(p, name, columns, sheet=sheet,
                             column_key=lambda v: "" if v is None else str(v).strip(),
                             sheet_fix="name the sheet to read (--sheet NAME), or the columns "
                                       "(--unit, --rater, --code) as the header row writes them")
    header = [h for h in table.header]
    data = {h: [_ratings_text(rec.cells.get(h)) for rec in table.records] for h in header}
    df = pd.DataFrame(data, columns=header)
    if any(rec.sheet is not None for rec in table.records):
        df.index = pd.MultiIndex.from_tuples([(rec.sheet, rec.row) for rec in table.records],
                                             names=["sheet", "row"])
    else:
        df.index = pd.Index([rec.row for rec in table.records], name="row", dtype="int64")
    _check_units(df, unit, name)
    return df


def check_codebook(long_df: pd.DataFrame, codebook, code: str = "code", *,
                   question: str = "question", source: str = "ratings") -> None:
    """Every code must be a code of the codebook (``tweetstorm.codebook.Codebook``).

    With a ``question`` column, each code is checked against its question's codes (several codes
    of a multi-code question separated by ``;``); without one, against every code of the
    codebook. Raises :class:`InputError` naming the file, row and column for an unknown code, and
    for one that differs from a codebook code only by letter case or surrounding space (naming
    the intended code). Missing codes are missing ratings, not errors.
    """
    from tweetstorm.coding import SEPARATOR, check_code

    if code not in long_df.columns:
        return
    questions = codebook.questions()
    by_question = question in long_df.columns
    every = list(dict.fromkeys(c for q in questions for c in codebook.codes(q)))
    multi = any(codebook.multi_code(q) for q in questions)
    for pos, value in enumerate(long_df[code]):
        if value is pd.NA or is_missing(value):
            continue
        file, row = _origin(long_df, pos, source)
        if by_question:
            q = _code_text(long_df[question].iloc[pos])
            if q not in questions:
                raise InputError(file, f"question {q!r} in column {question} is not in the "
                                 f"codebook ({', '.join(questions)})",
                                 "correct the question or give the study's codebook", row=row)
            check_code(value, q, codebook, file, row, column=code)
            continue
        text = str(value)
        parts = [p.strip() for p in text.split(SEPARATOR)] if multi else [text.strip()]
        for part in [p for p in parts if p]:
            if part in every:
                continue
            intended = cells.near_match(part, every)
            if intended is not None:
                shown = text if len(parts) == 1 else part  # the cell as written, spaces included
                raise InputError(file, f"code {shown!r} in column {code} differs from the codebook's "
                                 f"{intended!r} only in letter case or surrounding space",
                                 f"write {intended!r}", row=row)
            raise InputError(file, f"unknown code {part!r} in column {code}",
                             "use a code of the codebook (" + ", ".join(every) + ")", row=row)
        if text != text.strip():
            raise InputError(file, f"code {text!r} in column {code} has space around it",
                             f"write {text.strip()!r} without the surrounding space", row=row)


def check_codes(long_df: pd.DataFrame, code: str = "code", *, source: str = "ratings",
                strict: bool = False) -> list[str]:
    """Codes that differ only in letter case or surrounding space (``B`` next to ``b``, ``yes ``
    next to ``yes``): a list of warning lines (empty when there are none).

    Letter-case variants count as separate categories; surrounding space is dropped (``yes ``
    is ``yes``). With ``strict``, an :class:`InputError` naming the first row of the rarer
    spelling instead of the warning.
    """
    if code not in long_df.columns:
        return []
    raw = long_df[code].map(lambda v: "" if v is pd.NA or is_missing(v) else str(v))
    groups = cells.near_duplicates(raw)
    if not groups:
        return []
    counts = raw.value_counts()
    first = {v: int(np.flatnonzero((raw == v).to_numpy())[0]) for g in groups for v in g}
    parts = []
    for g in groups:
        spelled = " next to ".join(f"{v!r} ({counts[v]}x, first in {_place(long_df, first[v])})"
                                   for v in g)
        parts.append(spelled)
    what = ("near-duplicate categories that differ only in letter case or surrounding space: "
            + "; ".join(parts))
    if strict:
        rare = min((v for g in groups for v in g), key=lambda v: (counts[v], first[v]))
        file, row = _origin(long_df, first[rare], source)
        raise InputError(file, what, "write each category one way (correct the codes), or leave out "
                         "--strict to go on with them", row=row)
    return [f"warning: {source}: {what}. Letter case makes separate categories; surrounding "
            "space is ignored. Correct the codes, or use --strict to stop on this."]


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
