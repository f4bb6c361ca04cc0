"""Agreement on multi-code answers: Krippendorff's alpha with the MASI distance over code sets.

When a rater may give an answer several codes, each rating is a set of codes. Passonneau (2006)
measures how far two sets are apart with MASI (Measuring Agreement on Set-valued Items):

    MASI(A, B) = J(A, B) * M(A, B),  J = |A & B| / |A | B|  (Jaccard),
    M = 1 if A == B, 2/3 if one set contains the other, 1/3 if they overlap otherwise, 0 if
    disjoint;

and uses the distance d(A, B) = 1 - MASI(A, B) as the difference function of Krippendorff's
alpha (Passonneau, R. (2006). Measuring agreement on set-valued items (MASI) for semantic and
pragmatic annotation. Proc. LREC 2006, 831-836). alpha is computed from the coincidences of the
sets: each distinct set used is one value, and alpha = 1 - (n - 1) sum o_ck d_ck / sum n_c n_k
d_ck (Krippendorff 2011).

The ``krippendorff`` package computes the estimate: its ``level_of_measurement`` takes a
callable distance, which here looks the MASI distance of two sets up by their indices in the
value domain (the distinct sets). The bootstrap replicates use the same coincidence form
vectorised over resamples (``coefficients.alpha_from_coincidences``); the tests check the two
against each other, against hand-computed cases, and against the nominal alpha on single-code
data (where MASI is the nominal distance). MASI itself is hand-written (nltk has it, but is not
a dependency, and rounds M to 0.67 and 0.33).
"""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd

from tweetstorm.errors import InputError
from tweetstorm.reliability import coefficients as cf
from tweetstorm.reliability.agreement import (
    CHUNK_BYTES,
    COLUMNS,
    percentile_interval,
    resampled_sums,
)
from tweetstorm.reliability.matrix import RatingMatrix, _code_text, sort_categories

#: Passonneau's (2006) monotonicity weights M: identity, subsumption, overlap, disjoint.
MASI_MONOTONICITY = {"identity": 1.0, "subset": 2 / 3, "overlap": 1 / 3, "disjoint": 0.0}
#: Separator of the codes of one set in the category names of :func:`code_set_matrix`.
SET_SEPARATOR = "|"


def masi_distance(a, b) -> float:
    """1 - J(a, b) * M(a, b) of two code sets (Passonneau 2006); 0 for two empty sets."""
    a, b = frozenset(a), frozenset(b)
    if a == b:
        return 0.0
    inter, union = len(a & b), len(a | b)
    if inter == 0:
        return 1.0
    m = MASI_MONOTONICITY["subset" if (a <= b or b <= a) else "overlap"]
    return 1.0 - (inter / union) * m


def code_set_matrix(long_df: pd.DataFrame, unit: str = "unit", rater: str = "rater",
                    code: str = "code", *, sep: str | None = None,
                    source: str = "ratings") -> tuple[RatingMatrix, list[frozenset]]:
    """The ratings as sets: a RatingMatrix whose categories are the distinct code sets used.

    Multi-code input: several rows per (unit, rater), one code each, and/or codes joined by
    ``sep`` in one cell. A (unit, rater) without any code is a missing rating. Returns the
    matrix (categories named by their sorted codes joined with ``|``, sets sorted by size, then
    by name) and the sets in category order.
    """
    for role, col in (("unit", unit), ("rater", rater), ("code", code)):
        if col not in long_df.columns:
            raise InputError(source, f"no {role} column {col!r} (columns: "
                             f"{', '.join(map(str, long_df.columns))})",
                             f"name the {role} column with {role}=...")
    df = pd.DataFrame({"unit": long_df[unit].map(_code_text),
                       "rater": long_df[rater].map(_code_text),
                       "code": long_df[code].map(_code_text)})
    if sep:
        df["code"] = df["code"].str.split(sep, regex=False)
        df = df.explode("code")
        df["code"] = df["code"].map(_code_text)
    df = df[(df["code"] != "") & (df["unit"] != "") & (df["rater"] != "")].drop_duplicates()
    order = {c: i for i, c in enumerate(sort_categories(df["code"]))}
    sets = (df.groupby(["unit", "rater"], sort=False)["code"]
              .agg(lambda s: frozenset(s)).reset_index())
    distinct = sorted(set(sets["code"]), key=lambda s: (len(s), sorted(order[c] for c in s)))
    names = [SET_SEPARATOR.join(sorted(s, key=order.get)) for s in distinct]
    index = {s: i for i, s in enumerate(distinct)}
    raters = sort_categories(sets["rater"])
    units = list(pd.unique(sets["unit"]))
    codes = np.full((len(units), len(raters)), -1, dtype=np.int64)
    codes[pd.Index(units).get_indexer(sets["unit"]), pd.Index(raters).get_indexer(sets["rater"])] = [
        index[s] for s in sets["code"]]
    if len(raters) < 2 or not ((codes >= 0).sum(axis=1) >= 2).any():
        raise InputError(source, "no unit was coded by two or more raters",
                         "agreement needs units coded by at least two raters")
    return RatingMatrix(codes, units, raters, names, source), distinct


def masi_matrix(sets: list[frozenset]) -> np.ndarray:
    """(V, V) MASI distances between the sets."""
    return np.array([[masi_distance(a, b) for b in sets] for a in sets])


def _lookup(dist: np.ndarray):
    """A distance callable for ``krippendorff.alpha``: the entry of ``dist`` at the value
    indices ``i1``, ``i2`` (the values themselves are the set indices 0..V-1)."""
    def metric(v1, v2, i1, i2, n_v, dtype=np.float64):
        return dist[i1, i2].astype(dtype)
    return metric


def masi_alpha(long_df: pd.DataFrame, unit: str = "unit", rater: str = "rater",
               code: str = "code", *, sep: str | None = None, bootstrap: int = 1000,
               seed: int = 20130601, ci: float = 0.95, source: str = "ratings") -> pd.DataFrame:
    """Krippendorff's alpha with the MASI distance over the raters' code sets, one row with the
    columns of :data:`~tweetstorm.reliability.COLUMNS`: coefficient ``krippendorff_alpha``,
    level ``masi``; no analytic SE, so ci_low/ci_high are the percentile bootstrap over units
    (ci_method "bootstrap", as boot_low/boot_high; NaN with ``bootstrap=0``)."""
    rm, sets = code_set_matrix(long_df, unit, rater, code, sep=sep, source=source)
    V = len(sets)
    patterns, inverse, freq = cf.rating_patterns(rm.codes)
    S, L = cf.unit_features(patterns, V, np.eye(V))
    dist = masi_matrix(sets)
    counts = rm.counts()
    counts = counts[counts.sum(axis=1) >= 2]
    if counts.shape[0] * V * V * 8 <= CHUNK_BYTES:  # the library's (units, V, V) step fits
        est = float(krippendorff.alpha(value_counts=counts, value_domain=np.arange(V),
                                       level_of_measurement=_lookup(dist)))
    else:
        total = cf.column_sums(S, freq[None, :].astype(float))
        est = float(cf.alpha_from_coincidences(cf.coincidences(total, L), dist)[0])
    lo = hi = math.nan
    if bootstrap > 0:
        reps = np.concatenate([cf.alpha_from_coincidences(cf.coincidences(s, L), dist)
                               for s in resampled_sums(S, inverse, bootstrap, seed)])
        lo, hi = percentile_interval(reps, ci)
    row = {"coefficient": "krippendorff_alpha", "weights": None, "level": "masi",
           "raters": tuple(rm.raters), "estimate": est, "se": math.nan, "se_null": math.nan,
           "z": math.nan, "ci_low": lo, "ci_high": hi,
           "ci_method": "bootstrap" if np.isfinite(lo) else None, "boot_low": lo,
           "boot_high": hi}
    out = pd.DataFrame([row], columns=COLUMNS)
    out.attrs.update(n_units=rm.n_units, n_raters=rm.n_raters, categories=list(rm.categories),
                     n_boot=int(bootstrap), seed=int(seed), ci=float(ci))
    return out
