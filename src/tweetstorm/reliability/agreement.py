"""``agreement()``: every coefficient of the registry with its SE, analytic and bootstrap interval.

The coefficients, their standard errors and interval rules live in ``registry.py`` (one entry
each); this module only walks the registry. Point estimates come from statsmodels and
``krippendorff`` where they apply (the registry's ``point``), and from the formulas in
``coefficients.py`` otherwise. The bootstrap resamples units with replacement in bounded memory:
each resample's unit indices come from one seeded numpy Generator, drawn one resample after the
other (so the replicates do not depend on the chunk size), turned into unit multiplicities with
``np.bincount``, and a chunk of resamples is one sparse product ``multiplicities @ features``;
the chunk holds at most :data:`CHUNK_BYTES` of multiplicities, whatever the number of units.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tweetstorm.errors import InputError, ParameterError
from tweetstorm.reliability import coefficients as cf
from tweetstorm.reliability.matrix import LEVELS, WEIGHTS, RatingMatrix, rating_matrix, weight_matrix
from tweetstorm.reliability.registry import INTERVALS, REGISTRY, Data

COEFFICIENTS = tuple(REGISTRY)
COLUMNS = ["coefficient", "weights", "level", "raters", "estimate", "se", "se_null", "z",
           "ci_low", "ci_high", "ci_method", "boot_low", "boot_high"]
#: Range of each coefficient (percent agreement [0, 1], the chance-corrected ones [-1, 1]).
RANGES: dict[str, tuple[float, float]] = {name: c.range for name, c in REGISTRY.items()}
#: Most resamples per chunk, and most bytes of unit multiplicities held at once (bounded memory).
BLOCK = 256
CHUNK_BYTES = 64 * 2**20
_FLOAT_COLUMNS = ("estimate", "se", "se_null", "z", "ci_low", "ci_high", "boot_low", "boot_high")


def as_matrix(data, *, unit="unit", rater="rater", code="code", raters=None, categories=None,
              source="ratings") -> RatingMatrix:
    """A RatingMatrix from a long DataFrame or an existing RatingMatrix (optionally subset)."""
    if isinstance(data, RatingMatrix):
        rm = data
        if raters is not None:
            raters = [str(r) for r in raters]
            unknown = [r for r in raters if r not in rm.raters]
            if unknown:
                raise InputError(rm.source, f"no rater {unknown[0]!r} (raters: "
                                 f"{', '.join(rm.raters)})", "name raters of the rating matrix")
            if len(raters) < 2:
                raise InputError(rm.source, "only one rater selected",
                                 "agreement needs at least two raters")
            rm = rm.subset(raters)
        else:
            rm = rm.subset(list(rm.raters))  # drops units nobody rated
        if rm.n_raters < 2:
            raise InputError(rm.source, "ratings of only one rater",
                             "agreement needs at least two raters")
        if not ((rm.codes >= 0).sum(axis=1) >= 2).any():
            raise InputError(rm.source, "no unit was rated by two or more raters",
                             "agreement needs units coded by at least two raters")
        return rm
    return rating_matrix(data, unit, rater, code, raters, categories, source=source)


def _check_options(rm: RatingMatrix, weights: str, level: str, ci: float, bootstrap: int,
                   coefficients) -> tuple[np.ndarray | None, list[str]]:
    if weights not in WEIGHTS:
        raise ParameterError("weights", f"unknown weights {weights!r}",
                             f"use one of {', '.join(WEIGHTS)}")
    if level not in LEVELS:
        raise ParameterError("level", f"unknown level {level!r}",
                             f"use one of {', '.join(LEVELS)}")
    if not 0 < ci < 1:
        raise ParameterError("ci", f"confidence level {ci} is not between 0 and 1",
                             "give e.g. ci=0.95")
    if bootstrap < 0:
        raise ParameterError("bootstrap", "a negative number of bootstrap resamples",
                             "give 0 (no bootstrap) or a positive number, e.g. 1000")
    chosen = list(COEFFICIENTS) if coefficients is None else list(coefficients)
    bad = [c for c in chosen if c not in REGISTRY]
    if bad:
        raise ParameterError("coefficients", f"unknown coefficient {bad[0]!r}",
                             f"choose from {', '.join(COEFFICIENTS)}")
    values = None
    if weights != "identity":
        values = rm.numeric_values(f"--weights {weights}")
    if level != "nominal" and any(REGISTRY[c].metric == "level" for c in chosen):
        values = rm.numeric_values(f"--level {level}")
    return values, chosen


def _data(rm: RatingMatrix, weights: str, level: str, values) -> Data:
    q = rm.n_categories
    w = weight_matrix(weights, values, q)
    kvalues = values if values is not None else np.arange(q, dtype=float)
    patterns, inverse, freq = cf.rating_patterns(rm.codes)
    S, L = cf.unit_features(patterns, q, w)
    counts = np.zeros((len(patterns), q))
    rows, cols = np.nonzero(patterns >= 0)
    np.add.at(counts, (rows, patterns[rows, cols]), 1.0)
    return Data(rm, weights, level, values, w, kvalues, S, L, counts, inverse, freq)


def _replicates(d: Data, chosen, sums) -> dict[str, np.ndarray]:
    """coefficient -> (B,) or (B, n_pairs) values from feature sums (B, n_features)."""
    return {name: REGISTRY[name].replicates(d, sums) for name in chosen}


def bootstrap_replicates(rm: RatingMatrix, *, weights="identity", level="nominal",
                         n_boot=1000, seed=20130601, coefficients=None) -> dict[str, np.ndarray]:
    """coefficient -> (n_boot,) or (n_boot, n_pairs) replicates over units resampled with
    replacement. Resample b's unit indices are the b-th ``integers(0, n_units, n_units)`` draw of
    ``np.random.default_rng(seed)``."""
    values, chosen = _check_options(rm, weights, level, 0.95, n_boot, coefficients)
    return _bootstrap(_data(rm, weights, level, values), chosen, n_boot, seed)


def chunk_size(n_rows: int) -> int:
    """Resamples per chunk: at most :data:`BLOCK`, and at most :data:`CHUNK_BYTES` of float64
    multiplicities of the ``n_rows`` feature rows."""
    return int(max(1, min(BLOCK, CHUNK_BYTES // (8 * max(n_rows, 1)))))


def resampled_sums(S, pattern: np.ndarray, n_boot: int, seed: int):
    """Yield (b, n_features) feature sums of successive chunks of bootstrap resamples of the
    units, ``n_boot`` in all. ``S`` holds the features of each rating pattern (sparse, one row
    per pattern) and ``pattern`` (n_units,) the pattern of each unit. Resample j's unit indices
    are the j-th ``integers(0, n_units, n_units)`` draw of ``np.random.default_rng(seed)``, so
    the sums do not depend on the chunk size; a resample holds two (n_units,) index arrays and a
    chunk at most :data:`CHUNK_BYTES` of pattern multiplicities."""
    n, P = len(pattern), S.shape[0]
    rng = np.random.default_rng(seed)
    block = chunk_size(P)
    ST = S.T.tocsr()
    for start in range(0, n_boot, block):
        b = min(block, n_boot - start)
        mult = np.empty((P, b), order="F")  # pattern multiplicities, a column per resample
        for j in range(b):
            mult[:, j] = np.bincount(pattern[rng.integers(0, n, size=n)], minlength=P)
        yield np.asarray(ST @ mult).T


def _bootstrap(d: Data, chosen, n_boot: int, seed: int) -> dict[str, np.ndarray]:
    parts: dict[str, list] = {}
    for sums in resampled_sums(d.S, d.pattern, n_boot, seed):
        for k, v in _replicates(d, chosen, sums).items():
            parts.setdefault(k, []).append(v)
    return {k: np.concatenate(v, axis=0) for k, v in parts.items()}


def percentile_interval(r: np.ndarray, ci: float) -> tuple[float, float]:
    """The percentile bootstrap interval of the finite replicates ``r`` (NaN if none)."""
    r = r[np.isfinite(r)]
    if not len(r):
        return math.nan, math.nan
    a = 1 - ci
    lo, hi = np.percentile(r, [100 * a / 2, 100 * (1 - a / 2)])
    return float(lo), float(hi)


def bca_interval(reps: np.ndarray, theta_hat: float, jack: np.ndarray, jack_freq: np.ndarray,
                 ci: float) -> tuple[float, float]:
    """The bias-corrected and accelerated (BCa) bootstrap interval (Efron & Tibshirani 1993,
    ch. 14.3, eq. 14.14-14.15), computed as ``scipy.stats.bootstrap(method="BCa")`` does, from
    the replicates ``reps``, the estimate ``theta_hat`` and the leave-one-unit-out (jackknife)
    estimates ``jack``, each standing for ``jack_freq`` units. Hand-written because scipy offers
    BCa only around its own resampling, which holds every resample in memory; the test checks
    this against scipy on the same resamples."""
    from scipy.special import ndtr, ndtri

    reps = reps[np.isfinite(reps)]
    if not len(reps) or not np.isfinite(theta_hat):
        return math.nan, math.nan
    z0 = ndtri(((reps < theta_hat).sum() + (reps <= theta_hat).sum()) / (2 * len(reps)))
    n = jack_freq.sum()
    u = (n - 1) * ((jack_freq @ jack) / n - jack)
    a = (jack_freq @ u**3 / n**3) / (6 * (jack_freq @ u**2 / n**2) ** 1.5)
    z = ndtri((1 - ci) / 2)
    alphas = [ndtr(z0 + (z0 + zz) / (1 - a * (z0 + zz))) for zz in (z, -z)]
    if not np.all(np.isfinite(alphas)):
        return math.nan, math.nan
    lo, hi = np.percentile(reps, [100 * alphas[0], 100 * alphas[1]])
    return float(lo), float(hi)


def _jackknife(d: Data, chosen) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """coefficient -> leave-one-unit-out estimates, one per rating pattern used, and the number
    of units of each pattern (leaving out any unit of a pattern gives the same estimate)."""
    used = np.flatnonzero(d.freq > 0)
    sums = d.total - d.S[used].toarray()
    return _replicates(d, chosen, sums), d.freq[used].astype(float)


BOOT_METHODS = ("percentile", "bca")


def agreement(data, *, unit: str = "unit", rater: str = "rater", code: str = "code",
              raters=None, categories=None, weights: str = "identity", level: str = "nominal",
              bootstrap: int = 1000, seed: int = 20130601, ci: float = 0.95,
              coefficients=None, boot_method: str = "percentile",
              source: str = "ratings") -> pd.DataFrame:
    """Agreement coefficients of a long ratings table (or a RatingMatrix), one row each.

    Columns (exactly :data:`COLUMNS`): coefficient, weights, level, raters (tuple of rater
    names), estimate, se, se_null, z, ci_low, ci_high, ci_method, boot_low, boot_high.
    Pairwise coefficients (cohen_kappa, scott_pi) have one row per rater pair; the others one
    row over all raters. ``weights`` (identity, linear, quadratic, on the numeric code values)
    applies to every coefficient except Krippendorff's alpha, whose metric is ``level``;
    ``level`` is None for the others and ``weights`` None for alpha. With weights, gwet_ac1 is
    Gwet's AC2. The coefficients and their rules are those of
    :data:`~tweetstorm.reliability.registry.REGISTRY`.

    se: Cohen's kappa's asymptotic SE as SAS PROC FREQ (se_null: SE under kappa = 0,
    z = estimate / se_null); Gwet's (2008, 2014) linearisation SE for percent agreement, Fleiss,
    Scott, AC1/AC2 and Brennan-Prediger, with divisor n on complete two-rater data (a
    contingency table, as irrCAC's ``*.table`` functions) and n (n - 1) otherwise (irrCAC's
    ``*.raw``); NaN for Light, Conger and Krippendorff.

    ci_low, ci_high, ci_method: the analytic interval where the literature gives one, as the
    coefficient's reference tool prints it (ci_method "normal": kappa +- z * ASE as SAS PROC
    FREQ; "t": estimate -+ t(n - 1) * SE with the upper bound cut at 1, as irrCAC), otherwise
    the percentile bootstrap (ci_method "bootstrap"; NaN and None with ``bootstrap=0``).
    boot_low, boot_high: the bootstrap interval of every coefficient over units (``bootstrap``
    resamples, seeded; NaN with ``bootstrap=0``): percentile, or with ``boot_method="bca"`` the
    bias-corrected and accelerated interval (:func:`bca_interval`; then also the interval of the
    coefficients without an analytic one). ``ci`` is the confidence level. The frame's ``attrs``
    hold n_units, n_raters, categories, n_boot, seed, ci and boot_method.
    """
    rm = as_matrix(data, unit=unit, rater=rater, code=code, raters=raters,
                   categories=categories, source=source)
    values, chosen = _check_options(rm, weights, level, ci, bootstrap, coefficients)
    if boot_method not in BOOT_METHODS:
        raise ParameterError("boot_method", f"unknown bootstrap method {boot_method!r}",
                             f"use one of {', '.join(BOOT_METHODS)}")
    d = _data(rm, weights, level, values)
    total = d.total
    reps = _bootstrap(d, chosen, bootstrap, seed) if bootstrap > 0 else {}
    if reps and boot_method == "bca":
        jack, jack_freq = _jackknife(d, chosen)

    rows = []
    for name in chosen:
        c = REGISTRY[name]
        est = c.replicates(d, total)[0]
        if c.point is not None:
            lib = c.point(d)
            if lib is not None:
                est = lib
        est = np.atleast_1d(np.asarray(est, dtype=float))
        ses = c.se(d) if c.se is not None else [(math.nan, math.nan, d.n)] * len(est)
        whos = ([(rm.raters[g], rm.raters[h]) for g, h in d.L.pairs] if c.pairwise
                else [tuple(rm.raters)])
        for i, who in enumerate(whos):
            e = float(est[i])
            se, se_null, n_i = (float(ses[i][0]), float(ses[i][1]), int(ses[i][2]))
            z = e / se_null if np.isfinite(se_null) and se_null > 0 else math.nan
            blo = bhi = math.nan
            if reps:
                r = reps[name][:, i] if c.pairwise else reps[name]
                if boot_method == "bca":
                    theta = c.replicates(d, total)[0]
                    blo, bhi = bca_interval(
                        r, float(theta[i] if c.pairwise else theta),
                        jack[name][:, i] if c.pairwise else jack[name], jack_freq, ci)
                else:
                    blo, bhi = percentile_interval(r, ci)
            lo = hi = math.nan
            method = None
            if c.interval is not None and np.isfinite(se) and np.isfinite(e):
                lo, hi = INTERVALS[c.interval](e, se, n_i, ci)
                method = c.interval
            elif reps and np.isfinite(blo):
                lo, hi, method = blo, bhi, "bootstrap" if boot_method == "percentile" else "bca"
            rows.append({
                "coefficient": name,
                "weights": weights if c.metric == "weights" else None,
                "level": level if c.metric == "level" else None,
                "raters": who, "estimate": e, "se": se, "se_null": se_null, "z": z,
                "ci_low": lo, "ci_high": hi, "ci_method": method,
                "boot_low": blo, "boot_high": bhi,
            })
    out = pd.DataFrame(rows, columns=COLUMNS)
    for col in _FLOAT_COLUMNS:
        out[col] = out[col].astype(float)
    out.attrs.update(n_units=rm.n_units, n_raters=rm.n_raters, categories=list(rm.categories),
                     n_boot=int(bootstrap), seed=int(seed), ci=float(ci),
                     boot_method=boot_method)
    return out
