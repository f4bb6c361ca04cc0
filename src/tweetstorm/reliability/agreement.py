"""``agreement()``: every coefficient with its analytic SE and a percentile bootstrap interval.

Point estimates come from statsmodels (Cohen's kappa and its SAS-style SEs; Fleiss' kappa on
complete unweighted data) and ``krippendorff`` (alpha) where they apply, and from the formulas
in ``coefficients.py`` otherwise. The bootstrap resamples units with replacement: one
(n_boot, n_units) index array from a seeded numpy Generator, turned into unit multiplicities
with ``np.bincount``, and every coefficient of every resample is computed from
``multiplicities @ features`` (no Python loop over units or resamples' units).
"""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats import inter_rater

from tweetstorm.errors import InputError
from tweetstorm.reliability import coefficients as cf
from tweetstorm.reliability.matrix import LEVELS, WEIGHTS, RatingMatrix, rating_matrix, weight_matrix

COEFFICIENTS = ("percent_agreement", "cohen_kappa", "light_kappa", "scott_pi", "fleiss_kappa",
                "conger_kappa", "krippendorff_alpha", "gwet_ac1", "brennan_prediger")
COLUMNS = ["coefficient", "weights", "level", "raters", "estimate", "se", "se_null", "z",
           "ci_low", "ci_high", "ci_method"]
PAIRWISE = ("cohen_kappa", "scott_pi")
#: Range of each coefficient: analytic (estimate +- crit * se) intervals are clipped to it.
#: Percent agreement is a share of agreeing pairs; the chance-corrected coefficients are at most
#: 1 and, with the raters' own margins, at least -1 (we clip at -1 as most software does).
RANGES: dict[str, tuple[float, float]] = {
    name: ((0.0, 1.0) if name == "percent_agreement" else (-1.0, 1.0)) for name in COEFFICIENTS}
BLOCK = 128  # resamples per sparse product; fixed so results do not depend on memory


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
        raise InputError(rm.source, f"unknown weights {weights!r}",
                         f"use one of {', '.join(WEIGHTS)}")
    if level not in LEVELS:
        raise InputError(rm.source, f"unknown level {level!r}", f"use one of {', '.join(LEVELS)}")
    if not 0 < ci < 1:
        raise InputError(rm.source, f"confidence level {ci} is not between 0 and 1",
                         "give e.g. ci=0.95")
    if bootstrap < 0:
        raise InputError(rm.source, "a negative number of bootstrap resamples",
                         "give 0 (no bootstrap) or a positive number, e.g. 1000")
    chosen = list(COEFFICIENTS) if coefficients is None else list(coefficients)
    bad = [c for c in chosen if c not in COEFFICIENTS]
    if bad:
        raise InputError(rm.source, f"unknown coefficient {bad[0]!r}",
                         f"choose from {', '.join(COEFFICIENTS)}")
    values = None
    if weights != "identity":
        values = rm.numeric_values(f"--weights {weights}")
    if level != "nominal" and "krippendorff_alpha" in chosen:
        values = rm.numeric_values(f"--level {level}")
    return values, chosen


def _replicates(S, L, chosen, w, level, kvalues, sums) -> dict[str, np.ndarray]:
    """coefficient -> (B,) or (B, n_pairs) values from feature sums (B, n_features)."""
    out: dict[str, np.ndarray] = {}
    if "percent_agreement" in chosen:
        out["percent_agreement"] = cf.percent_agreement(sums, L)
    if {"cohen_kappa", "light_kappa"} & set(chosen):
        ck = np.stack([cf.cohen_kappa_table(cf.pair_table(sums, L, i), w)
                       for i in range(len(L.pairs))], axis=1)
        out["cohen_kappa"] = ck
        with np.errstate(all="ignore"):
            valid = ~np.isnan(ck)
            out["light_kappa"] = np.where(valid.any(axis=1),
                                          np.nansum(ck, axis=1) / np.maximum(valid.sum(axis=1), 1),
                                          np.nan)
    if "scott_pi" in chosen:
        out["scott_pi"] = np.stack([cf.scott_pi_table(cf.pair_table(sums, L, i), w)
                                    for i in range(len(L.pairs))], axis=1)
    if "fleiss_kappa" in chosen:
        out["fleiss_kappa"] = cf.fleiss_kappa(sums, L, w)
    if "conger_kappa" in chosen:
        out["conger_kappa"] = cf.conger_kappa(sums, L, w)
    if "krippendorff_alpha" in chosen:
        out["krippendorff_alpha"] = cf.krippendorff_alpha(sums, L, level, kvalues)
    if "gwet_ac1" in chosen:
        out["gwet_ac1"] = cf.gwet_ac(sums, L, w)
    if "brennan_prediger" in chosen:
        out["brennan_prediger"] = cf.brennan_prediger(sums, L, w)
    return out


def bootstrap_replicates(rm: RatingMatrix, *, weights="identity", level="nominal",
                         n_boot=1000, seed=20130601, coefficients=None) -> dict[str, np.ndarray]:
    """coefficient -> (n_boot,) or (n_boot, n_pairs) replicates over units resampled with
    replacement. Index array (n_boot, n_units) drawn from ``np.random.default_rng(seed)``."""
    values, chosen = _check_options(rm, weights, level, 0.95, n_boot, coefficients)
    q = rm.n_categories
    w = weight_matrix(weights, values, q)
    kvalues = values if values is not None else np.arange(q, dtype=float)
    S, L = cf.unit_features(rm.codes, q, w)
    return _bootstrap(S, L, chosen, w, level, kvalues, n_boot, seed)


def _bootstrap(S, L, chosen, w, level, kvalues, n_boot, seed) -> dict[str, np.ndarray]:
    n = S.shape[0]
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n), dtype=np.int64)
    parts: dict[str, list] = {}
    for start in range(0, n_boot, BLOCK):
        block = idx[start:start + BLOCK]
        b = len(block)
        offs = (np.arange(b, dtype=np.int64) * n)[:, None]
        # multiplicity of each unit in each resample (counts per resample via bincount)
        mult = np.bincount((block + offs).ravel(), minlength=b * n).reshape(b, n)
        sums = cf.column_sums(S, mult.astype(float))
        for k, v in _replicates(S, L, chosen, w, level, kvalues, sums).items():
            parts.setdefault(k, []).append(v)
    return {k: np.concatenate(v, axis=0) for k, v in parts.items()}


def _cohen_sas(table: np.ndarray, weights: str, values) -> tuple[float, float, float]:
    """(kappa, ASE, ASE under H0) as SAS PROC FREQ reports them, via statsmodels."""
    if table.sum() == 0:
        return (math.nan,) * 3
    # Perfect agreement gives a variance of -0.0 in floating point: statsmodels' sqrt warns.
    with np.errstate(all="ignore"):
        if weights == "identity":
            res = inter_rater.cohens_kappa(table)
        else:
            res = inter_rater.cohens_kappa(table, weights=values, wt=weights)
        return float(res.kappa), float(res.std_kappa), float(res.std_kappa0)


def _scott_se(codes_pair: np.ndarray, q: int, w: np.ndarray) -> tuple[float, float]:
    """Scott's pi of one pair and its SE: Fleiss' kappa linearisation on the units both rated."""
    both = (codes_pair >= 0).all(axis=1)
    if both.sum() < 2:
        return math.nan, math.nan
    c = codes_pair[both]
    counts = np.zeros((len(c), q))
    np.add.at(counts, (np.repeat(np.arange(len(c)), 2), c.ravel()), 1.0)
    return cf.gwet_se(counts, w, "fleiss")


def agreement(data, *, unit: str = "unit", rater: str = "rater", code: str = "code",
              raters=None, categories=None, weights: str = "identity", level: str = "nominal",
              bootstrap: int = 1000, seed: int = 20130601, ci: float = 0.95,
              interval: str = "auto", coefficients=None, source: str = "ratings") -> pd.DataFrame:
    """Agreement coefficients of a long ratings table (or a RatingMatrix), one row each.

    Columns (exactly): coefficient, weights, level, raters (tuple of rater names), estimate,
    se, se_null, z, ci_low, ci_high, ci_method. Pairwise coefficients (cohen_kappa, scott_pi)
    have one row per rater pair; the others one row over all raters. ``weights`` (identity,
    linear, quadratic, on the numeric code values) applies to every coefficient except
    Krippendorff's alpha, whose metric is ``level``; ``level`` is NaN for the others and
    ``weights`` NaN for alpha. With weights, gwet_ac1 is Gwet's AC2.

    se: Cohen's kappa's asymptotic SE as SAS PROC FREQ (se_null: SE under kappa = 0,
    z = estimate / se_null); Gwet's (2008, 2014) linearisation SE for percent agreement, Fleiss,
    Scott, AC1/AC2 and Brennan-Prediger; NaN for Light, Conger and Krippendorff.
    Interval: ``interval="auto"`` gives the percentile bootstrap over units when
    ``bootstrap > 0`` (ci_method "bootstrap") and otherwise the analytic interval where an SE
    exists (ci_method "analytic": normal for Cohen as SAS, t with n-1 df for Gwet's SEs;
    clipped to the coefficient's range, :data:`RANGES`: [0, 1] for percent agreement, [-1, 1]
    for the others);
    "bootstrap" or "analytic" force one. ``ci`` is the confidence level. The frame's
    ``attrs`` hold n_units, n_raters, categories, n_boot and seed.
    """
    rm = as_matrix(data, unit=unit, rater=rater, code=code, raters=raters,
                   categories=categories, source=source)
    values, chosen = _check_options(rm, weights, level, ci, bootstrap, coefficients)
    if interval not in ("auto", "bootstrap", "analytic"):
        raise InputError(rm.source, f"unknown interval {interval!r}",
                         "use auto, bootstrap or analytic")
    q, n = rm.n_categories, rm.n_units
    w = weight_matrix(weights, values, q)
    kvalues = values if values is not None else np.arange(q, dtype=float)
    S, L = cf.unit_features(rm.codes, q, w)
    point = {k: v[0] for k, v in _replicates(S, L, chosen, w, level, kvalues,
                                              cf.column_sums(S)).items()}
    counts = rm.counts()
    complete = bool((rm.codes >= 0).all())

    # Library point estimates where a kept library computes the coefficient.
    if "fleiss_kappa" in chosen and complete and weights == "identity":
        with np.errstate(all="ignore"):
            point["fleiss_kappa"] = float(inter_rater.fleiss_kappa(counts))
    if "krippendorff_alpha" in chosen:
        multi = counts[counts.sum(axis=1) >= 2]
        if len(np.flatnonzero(multi.sum(axis=0))) >= 2:
            point["krippendorff_alpha"] = float(krippendorff.alpha(
                value_counts=multi, value_domain=list(kvalues), level_of_measurement=level))
        else:
            point["krippendorff_alpha"] = math.nan
    sas = {}
    if {"cohen_kappa", "light_kappa"} & set(chosen):
        total = cf.column_sums(S)
        for i in range(len(L.pairs)):
            sas[i] = _cohen_sas(cf.pair_table(total, L, i)[0], weights, values)
    if sas:
        point["cohen_kappa"] = np.array([sas[i][0] for i in range(len(L.pairs))])
        valid = ~np.isnan(point["cohen_kappa"])
        point["light_kappa"] = (float(point["cohen_kappa"][valid].mean()) if valid.any()
                                else math.nan)

    reps = _bootstrap(S, L, chosen, w, level, kvalues, bootstrap, seed) if bootstrap > 0 else {}
    use_boot = interval == "bootstrap" or (interval == "auto" and bootstrap > 0)
    if interval == "bootstrap" and bootstrap == 0:
        raise InputError(rm.source, "a bootstrap interval with 0 resamples",
                         "give bootstrap > 0 or interval='analytic'")
    alpha = 1.0 - ci
    zq = stats.norm.ppf(1 - alpha / 2)
    tq = stats.t.ppf(1 - alpha / 2, max(n - 1, 1))
    gwet_kind = {"percent_agreement": "percent", "fleiss_kappa": "fleiss", "gwet_ac1": "ac1",
                 "brennan_prediger": "bp"}

    rows = []
    for name in COEFFICIENTS:
        if name not in chosen:
            continue
        targets = (list(enumerate(L.pairs)) if name in PAIRWISE else [(None, None)])
        for i, pair in targets:
            who = (tuple(rm.raters[g] for g in pair) if pair is not None else tuple(rm.raters))
            est = float(point[name][i] if i is not None else point[name])
            se = se_null = z = math.nan
            lo = hi = math.nan
            method = None
            crit = tq
            if name == "cohen_kappa":
                _, se, se_null = sas[i]
                z = est / se_null if se_null and se_null > 0 else math.nan
                crit = zq
            elif name == "scott_pi":
                _, se = _scott_se(rm.codes[:, list(pair)], q, w)
            elif name in gwet_kind:
                _, se = cf.gwet_se(counts, w, gwet_kind[name])
            if use_boot:
                r = reps[name][:, i] if i is not None else reps[name]
                r = r[np.isfinite(r)]
                if len(r):
                    lo, hi = (float(x) for x in np.percentile(r, [100 * alpha / 2,
                                                                  100 * (1 - alpha / 2)]))
                    method = "bootstrap"
            elif np.isfinite(se) and np.isfinite(est):
                low, high = RANGES[name]
                lo = max(low, est - crit * se)
                hi = min(high, est + crit * se)
                method = "analytic"
            rows.append({
                "coefficient": name,
                "weights": None if name == "krippendorff_alpha" else weights,
                "level": level if name == "krippendorff_alpha" else None,
                "raters": who, "estimate": est, "se": se, "se_null": se_null, "z": z,
                "ci_low": lo, "ci_high": hi, "ci_method": method,
            })
    out = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("estimate", "se", "se_null", "z", "ci_low", "ci_high"):
        out[c] = out[c].astype(float)
    out.attrs.update(n_units=n, n_raters=rm.n_raters, categories=list(rm.categories),
                     n_boot=int(bootstrap), seed=int(seed), ci=float(ci))
    return out
