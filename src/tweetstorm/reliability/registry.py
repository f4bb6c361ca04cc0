"""The registry of agreement coefficients: name -> formula, standard error, interval rule, source.

Adding a coefficient is one :class:`Coefficient` entry in :data:`REGISTRY`, one formula (a
function of the feature sums of ``coefficients.py``, vectorised over bootstrap resamples) and one
test against a published value. :func:`~tweetstorm.reliability.agreement` walks the registry; it
has no per-coefficient code.

Each entry says
- ``replicates(d, sums)``: the coefficient from feature sums, shape (B,) or (B, n_pairs) for a
  pairwise coefficient (one value per rater pair);
- ``point(d)``: optionally the estimate on the original data from a kept library (statsmodels,
  ``krippendorff``), which the tests check against ``replicates``;
- ``se(d)``: optionally the analytic standard error of each row, as ``(se, se_null, n)`` with
  ``n`` the number of units behind the row (the t interval's n - 1 degrees of freedom);
- ``interval``: the rule of the analytic interval, a key of :data:`INTERVALS`, or None when the
  literature gives no analytic interval (the interval is then the percentile bootstrap);
- ``reference``: the published source of the formula, SE and interval.

Interval rules (what the reference tool of the coefficient prints):
- ``"normal"``: estimate +- z_(1-a/2) * ASE, not clipped: SAS PROC FREQ's kappa limits.
- ``"t"``: estimate -+ t_(1-a/2, n-1) * SE, the upper bound cut at 1 (``min(1, ...)``), the lower
  bound not cut: irrCAC's ``*.raw`` and ``*.table`` functions (no finite-population correction).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import krippendorff
import numpy as np
from scipy import stats
from statsmodels.stats import inter_rater

from tweetstorm.reliability import coefficients as cf
from tweetstorm.reliability.matrix import RatingMatrix


@dataclass(frozen=True)
class Data:
    """Everything a coefficient needs about one data set (built once by ``agreement``)."""

    rm: RatingMatrix
    weights: str  # identity, linear, quadratic
    level: str  # Krippendorff's metric
    values: np.ndarray | None  # numeric code values (weights or a non-nominal level)
    w: np.ndarray  # (q, q) agreement weights
    kvalues: np.ndarray  # values for Krippendorff's metric
    S: object  # sparse (n_patterns, n_features) features of each rating pattern
    L: cf.Layout
    counts: np.ndarray  # (n_patterns, q) raters per category of each pattern
    pattern: np.ndarray  # (n_units,) the rating pattern of each unit
    freq: np.ndarray  # (n_patterns,) units per pattern

    @property
    def total(self) -> np.ndarray:
        """(1, n_features) feature sums over all units."""
        return cf.column_sums(self.S, self.freq[None, :].astype(float))

    def unit_counts(self) -> np.ndarray:
        """(n_units, q) raters per category of every unit (for the libraries' point estimates)."""
        return self.counts[self.pattern]

    @property
    def library_fits(self) -> bool:
        """Whether the per-unit arrays of a library call (n_units x q x q floats, the size of
        ``krippendorff``'s coincidence step) stay within the bootstrap's chunk budget; above it
        the registry's formulas, which the tests check against the libraries, give the point
        estimate."""
        from tweetstorm.reliability.agreement import CHUNK_BYTES

        return self.n * self.rm.n_categories**2 * 8 <= CHUNK_BYTES

    @property
    def n(self) -> int:
        return self.rm.n_units

    @property
    def complete(self) -> bool:
        return bool((self.rm.codes >= 0).all())

    @property
    def two_rater_complete(self) -> bool:
        """Complete two-rater data: a contingency table, for which Gwet (2014) and irrCAC's
        ``*.table`` functions give the SE with divisor n (the raw-data form has n (n - 1))."""
        return self.rm.n_raters == 2 and self.complete

    def pair_codes(self, i: int) -> np.ndarray:
        """(n_both, 2) codes of rater pair ``L.pairs[i]`` on the units both rated."""
        g, h = self.L.pairs[i]
        pair = self.rm.codes[:, [g, h]]
        return pair[(pair >= 0).all(axis=1)]


@dataclass(frozen=True)
class Coefficient:
    name: str
    label: str  # for readers
    replicates: Callable
    reference: str
    pairwise: bool = False
    point: Callable | None = None
    se: Callable | None = None
    interval: str | None = None
    metric: str = "weights"  # which option applies: "weights" or "level" (Krippendorff)
    range: tuple[float, float] = (-1.0, 1.0)


# --- interval rules --------------------------------------------------------------------------

def normal_interval(est: float, se: float, n: int, ci: float) -> tuple[float, float]:
    """SAS PROC FREQ: estimate +- z * ASE (not clipped)."""
    z = stats.norm.ppf(1 - (1 - ci) / 2)
    return est - z * se, est + z * se


def t_interval(est: float, se: float, n: int, ci: float) -> tuple[float, float]:
    """irrCAC: estimate -+ t(n - 1) * SE; upper bound min(1, .), lower bound not cut."""
    if n < 2:
        return math.nan, math.nan
    t = stats.t.ppf(1 - (1 - ci) / 2, n - 1)
    return est - t * se, min(1.0, est + t * se)


INTERVALS: dict[str, Callable] = {"normal": normal_interval, "t": t_interval}


# --- standard errors -------------------------------------------------------------------------

def _gwet(kind: str):
    """SE of Gwet's linearisation (coefficients.gwet_se), with the table divisor n instead of
    n (n - 1) on complete two-rater data (irrCAC's pa2/gwet.ac1/bp2/scott2.table)."""
    def se(d: Data):
        _, s = cf.gwet_se(d.counts, d.w, kind, d.freq)
        if d.two_rater_complete and d.n > 0:
            s *= math.sqrt((d.n - 1) / d.n)
        return [(s, math.nan, d.n)]
    return se


def _scott_se(d: Data):
    """Scott's pi of each pair: the two-rater table formula (irrCAC ``scott2.table``) on the
    units both rated, i.e. Fleiss' kappa linearisation with divisor n."""
    q = d.rm.n_categories
    out = []
    for i in range(len(d.L.pairs)):
        c = d.pair_codes(i)
        m = len(c)
        if m < 2:
            out.append((math.nan, math.nan, m))
            continue
        patterns, _, freq = cf.rating_patterns(c)
        counts = np.zeros((len(patterns), q))
        np.add.at(counts, (np.repeat(np.arange(len(patterns)), 2), patterns.ravel()), 1.0)
        _, s = cf.gwet_se(counts, d.w, "fleiss", freq)
        out.append((s * math.sqrt((m - 1) / m), math.nan, m))
    return out


def _cohen_sas(d: Data, i: int) -> tuple[float, float, float, int]:
    """(kappa, ASE, ASE under H0, n) as SAS PROC FREQ reports them, via statsmodels."""
    table = cf.pair_table(d.total, d.L, i)[0]
    n = int(table.sum())
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    # Perfect agreement gives a variance of -0.0 in floating point: statsmodels' sqrt warns.
    with np.errstate(all="ignore"):
        if d.weights == "identity":
            res = inter_rater.cohens_kappa(table)
        else:
            res = inter_rater.cohens_kappa(table, weights=d.values, wt=d.weights)
    return float(res.kappa), float(res.std_kappa), float(res.std_kappa0), n


def _cohen_point(d: Data):
    return np.array([_cohen_sas(d, i)[0] for i in range(len(d.L.pairs))])


def _cohen_se(d: Data):
    return [_cohen_sas(d, i)[1:] for i in range(len(d.L.pairs))]


# --- point estimates from kept libraries -----------------------------------------------------

def _fleiss_point(d: Data):
    if d.complete and d.weights == "identity" and d.library_fits:
        with np.errstate(all="ignore"):
            return float(inter_rater.fleiss_kappa(d.unit_counts()))
    return None  # the generalised form (missing ratings, weights): replicates on the data


def _alpha_point(d: Data):
    if not d.library_fits:
        return None  # the coincidence form of coefficients.krippendorff_alpha
    counts = d.unit_counts()
    multi = counts[counts.sum(axis=1) >= 2]
    if len(np.flatnonzero(multi.sum(axis=0))) < 2:
        return math.nan
    return float(krippendorff.alpha(value_counts=multi, value_domain=list(d.kvalues),
                                    level_of_measurement=d.level))


def _light_point(d: Data):
    ck = _cohen_point(d)
    valid = ~np.isnan(ck)
    return float(ck[valid].mean()) if valid.any() else math.nan


# --- replicate formulas ----------------------------------------------------------------------

def _cohen_reps(d: Data, sums):
    return np.stack([cf.cohen_kappa_table(cf.pair_table(sums, d.L, i), d.w)
                     for i in range(len(d.L.pairs))], axis=1)


def _light_reps(d: Data, sums):
    ck = _cohen_reps(d, sums)
    valid = ~np.isnan(ck)
    with np.errstate(all="ignore"):
        return np.where(valid.any(axis=1),
                        np.nansum(ck, axis=1) / np.maximum(valid.sum(axis=1), 1), np.nan)


def _scott_reps(d: Data, sums):
    return np.stack([cf.scott_pi_table(cf.pair_table(sums, d.L, i), d.w)
                     for i in range(len(d.L.pairs))], axis=1)


REGISTRY: dict[str, Coefficient] = {c.name: c for c in (
    Coefficient(
        "percent_agreement", "percent agreement",
        lambda d, s: cf.percent_agreement(s, d.L),
        "Gwet (2014) Handbook of Inter-Rater Reliability, 4th ed., ch. 2 and 5; irrCAC "
        "pa.coeff.raw / pa2.table", se=_gwet("percent"), interval="t", range=(0.0, 1.0)),
    Coefficient(
        "cohen_kappa", "Cohen's kappa", _cohen_reps,
        "Cohen (1960, 1968); ASE of Fleiss, Cohen & Everitt (1969) as SAS PROC FREQ prints it "
        "(statsmodels cohens_kappa)", pairwise=True, point=_cohen_point, se=_cohen_se,
        interval="normal"),
    Coefficient(
        "light_kappa", "Light's kappa", _light_reps,
        "Light (1971) Psychol. Bull. 76:365-377: the mean of the pairwise Cohen's kappas",
        point=_light_point),
    Coefficient(
        "scott_pi", "Scott's pi", _scott_reps,
        "Scott (1955) Public Opinion Quarterly 19:321-325; SE of Gwet (2014) as irrCAC "
        "scott2.table", pairwise=True, se=_scott_se, interval="t"),
    Coefficient(
        "fleiss_kappa", "Fleiss' kappa", lambda d, s: cf.fleiss_kappa(s, d.L, d.w),
        "Fleiss (1971) Psychol. Bull. 76:378-382, generalised by Gwet (2014, ch. 2 and 5); "
        "irrCAC fleiss.kappa.raw", point=_fleiss_point, se=_gwet("fleiss"), interval="t"),
    Coefficient(
        "conger_kappa", "Conger's kappa", lambda d, s: cf.conger_kappa(s, d.L, d.w),
        "Conger (1980) Psychol. Bull. 88:322-328, chance agreement as Gwet (2014, sec. 2.4)"),
    Coefficient(
        "krippendorff_alpha", "Krippendorff's alpha",
        lambda d, s: cf.krippendorff_alpha(s, d.L, d.level, d.kvalues),
        "Krippendorff (2011) Computing Krippendorff's alpha-reliability (krippendorff package)",
        point=_alpha_point, metric="level"),
    Coefficient(
        "gwet_ac1", "Gwet's AC1", lambda d, s: cf.gwet_ac(s, d.L, d.w),
        "Gwet (2008) BJMSP 61:29-48; AC2 and SE of Gwet (2014, ch. 3 and 5); irrCAC "
        "gwet.ac1.raw / gwet.ac1.table", se=_gwet("ac1"), interval="t"),
    Coefficient(
        "brennan_prediger", "Brennan-Prediger coefficient",
        lambda d, s: cf.brennan_prediger(s, d.L, d.w),
        "Brennan & Prediger (1981) Educ. Psychol. Meas. 41:687-699; SE of Gwet (2014, ch. 5); "
        "irrCAC bp.coeff.raw / bp2.table", se=_gwet("bp"), interval="t"),
)}
