"""Missing values in every CSV or sheet the compendium reads: one rule, defined here.

A cell is missing when, after stripping surrounding white space, it is empty or one of
``NA``, ``N/A``, ``NaN``, ``null`` (in any letter case: ``na``, ``n/a``, ``Null`` ...), or
``None`` from a spreadsheet. R writes ``NA``, pandas ``NaN`` or an empty cell, spreadsheets
an empty cell, JSON-minded tools ``null``. Every reader calls :func:`is_missing` (cell by cell)
or passes :data:`PANDAS_NA_VALUES` with ``keep_default_na=False`` to ``pandas.read_csv``,
so no reader keeps its own list.
"""

from __future__ import annotations

import math

MISSING_TOKENS: frozenset[str] = frozenset({"", "na", "n/a", "nan", "null"})
"""Lower-cased, stripped spellings of a missing value."""

# pandas compares na_values verbatim: list the spellings in the cases people write them.
PANDAS_NA_VALUES: list[str] = sorted({
    variant
    for token in MISSING_TOKENS if token
    for variant in (token, token.upper(), token.capitalize(), token.title())
} | {"NaN", "N/a", "n/A"})


def is_missing(value: object) -> bool:
    """True for None, a float NaN, pandas NA, or a string in :data:`MISSING_TOKENS`."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip().lower() in MISSING_TOKENS
    try:  # pandas.NA, numpy.nan in other wrappers
        import pandas as pd

        return bool(pd.isna(value)) if not hasattr(value, "__len__") else False
    except (TypeError, ValueError):
        return False


def describe() -> str:
    """The rule in one sentence, for reports and messages."""
    return ("empty cells and NA, N/A, NaN and null (any letter case) are read as missing")
