"""Reading and checking the inputs of the descriptive step.

The processed tables are read by their one reader each (:mod:`tweetstorm.processed`); the
reliability step's CSV tables under ``results/`` by :func:`read_table`, which checks that the
file exists and has the columns the step needs; the codebook by :func:`tweetstorm.codebook.load`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from tweetstorm import paths, schemas
from tweetstorm.errors import InputError, ParameterError, require_columns
from tweetstorm.missing import PANDAS_NA_VALUES

CONSENSUS_FILE = schemas.CONSENSUS.path
POSTS_FILE = schemas.POSTS.path
PARTICIPANTS_FILE = schemas.PARTICIPANTS.path
RATINGS_FILE = schemas.RATINGS.path
CATEGORY_AGREEMENT_FILE = "results/reliability_categories.csv"


def read_table(path: str, required: Iterable[str], *, made_by: str) -> pd.DataFrame:
    """Read a CSV table of an earlier step under ``results/`` (repo-relative ``path``) and check
    its columns (the processed tables have their own readers, :mod:`tweetstorm.processed`).

    Cells are read as text with the compendium's one missing-value rule
    (:data:`tweetstorm.missing.PANDAS_NA_VALUES`) and numbers converted where a whole column is
    numeric. ``made_by`` names the step that writes the file, for the fix in the error message.
    """
    full = paths.resolve(path)
    name = paths.relative(full)
    if not full.is_file():
        raise InputError(name, "file not found",
                         f"run {made_by} first (make all), or pass the right path")
    df = pd.read_csv(full, keep_default_na=False, na_values=PANDAS_NA_VALUES)
    require_table_columns(df, required, name)
    return df


def require_table_columns(df: pd.DataFrame, required: Iterable[str], source: str) -> None:
    """Raise :class:`InputError` naming ``source`` unless ``df`` has every column of ``required``."""
    required = list(required)
    require_columns(df.columns, required, source,
                    f"the table must have the columns {', '.join(required)}")


def check_consensus(consensus: pd.DataFrame, codebook: Any, *,
                    source: str = CONSENSUS_FILE) -> None:
    """Raise :class:`InputError` unless every row has a known question, a code of that question's
    codebook and an author, and no (unit_id, code) pair repeats. Rows are named 1-based."""
    require_table_columns(consensus, ("unit_id", "question", "author", "code"), source)
    questions = list(codebook.questions())
    for i, (unit, q, author, code) in enumerate(
            consensus[["unit_id", "question", "author", "code"]].itertuples(index=False), start=1):
        if pd.isna(unit) or pd.isna(author):
            raise InputError(source, "empty unit_id or author", "every coded answer needs both",
                             row=i)
        if pd.isna(q) or q not in questions:
            raise InputError(source, f"question {q!r} is not in the codebook "
                             f"({', '.join(questions)})",
                             "correct the question or add it to data/raw/codebook.yml", row=i)
        if pd.isna(code) or code not in codebook.codes(q):
            raise InputError(source, f"code {code!r} is not a category of {q} in the codebook",
                             "correct the code in the coding sheets/adjudication, or add the "
                             "category to data/raw/codebook.yml", row=i)
    dup = consensus.duplicated(["unit_id", "code"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0]) + 1
        unit = consensus["unit_id"].iloc[i - 1]
        raise InputError(source, f"unit {unit!r} carries the same code twice",
                         "keep one row per unit and code", row=i)


def check_settings(*, alpha: float | None = None, n_boot: int | None = None,
                   n_permutations: int | None = None,
                   kappa_threshold: float | None = None) -> None:
    """Raise :class:`ParameterError` for a setting of this step outside its range: ``alpha`` in
    (0, 1), ``n_boot`` and ``n_permutations`` at least 1, ``kappa_threshold`` in [-1, 1]. Settings
    left at None are not checked."""
    if alpha is not None and not 0 < alpha < 1:
        raise ParameterError("alpha", f"{alpha!r} is not between 0 and 1",
                             "use e.g. 0.05 for 95% intervals")
    for name, value in (("n_boot", n_boot), ("n_permutations", n_permutations)):
        if value is not None and (int(value) != value or value < 1):
            raise ParameterError(name, f"{value!r} is not a positive whole number",
                                 "use at least 2000 resamples or 9999 permutations")
    if kappa_threshold is not None and not -1 <= kappa_threshold <= 1:
        raise ParameterError("kappa_threshold", f"{kappa_threshold!r} is not a kappa value",
                             "use a value between -1 and 1, e.g. 0.6")
