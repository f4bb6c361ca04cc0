"""Agreement coefficients as functions of sums of per-unit features (vectorised over resamples).

Every coefficient here is a smooth function of a handful of sums over units: the per-unit
percent agreement, the per-unit category shares, each rater's category counts, each rater
pair's contingency table and Krippendorff's coincidences. :func:`unit_features` writes those
per-unit terms into one sparse (n_units, n_features) matrix ``S``; a bootstrap resample is a
row vector of unit multiplicities ``w`` (how often each unit was drawn), so the sums of a
resample are ``w @ S`` and a block of B resamples is one sparse-dense product. The point
estimate is the same computation with ``w = 1``.

statsmodels (``cohens_kappa``, ``fleiss_kappa``) and ``krippendorff.alpha`` give the point
estimates where they apply (see ``agreement.py``); they compute one data set per call
(13 ms per Krippendorff call on 10,000 units), so the bootstrap uses the forms below, which
the tests check against those libraries on the original data.

Hand-written because no kept Python library has them (formula sources):
- Gwet's AC1/AC2, Brennan-Prediger, weighted/generalised Fleiss kappa and percent agreement with
  missing ratings: Gwet (2014) Handbook of Inter-Rater Reliability, 4th ed., ch. 2-5
  (irrCAC's ``*.raw`` definitions); AC1 also Gwet (2008) BJMSP 61:29-48.
- Brennan & Prediger (1981) Educ. Psychol. Meas. 41:687-699 (chance agreement 1/q).
- Conger (1980) Psychol. Bull. 88:322-328, chance agreement as in Gwet (2014, sec. 2.4).
- Scott (1955) Public Opinion Quarterly 19:321-325 (chance agreement from pooled margins).
- Cohen's kappa / weighted kappa from a contingency table: Cohen (1960, 1968).
- Krippendorff's alpha from the coincidence matrix: Krippendorff (2011) "Computing
  Krippendorff's alpha-reliability", with the nominal/ordinal/interval/ratio metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Layout:
    """Column blocks of the feature matrix; see :func:`unit_features`."""

    q: int
    r: int
    pairs: tuple[tuple[int, int], ...]
    pa: int  # per-unit (weighted) agreement share, 0 for units with < 2 ratings
    two: int  # 1 if the unit has >= 2 ratings
    share: slice  # q columns: r_ik / r_i (category shares of the unit's ratings)
    one: int  # 1 for every unit
    rater_cat: slice  # r*q columns: 1 if rater g coded the unit k (column g*q + k)
    pair_cells: tuple[slice, ...]  # per pair: q*q columns, 1 if (x_ig, x_ih) == (k, l)
    coinc: slice  # q*q columns: the unit's coincidences (r_k r_l - [k==l] r_k) / (m - 1)
    n_features: int


def unit_pa(counts: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(n,) per-unit weighted agreement share: sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)).

    ``counts`` (n, q) are the raters per category, ``w`` the (q, q) agreement weights and
    r*_ik = sum_l w_kl r_il (Gwet 2014, eq. 3.x). Units with fewer than two ratings get 0.
    """
    counts = counts.astype(float)
    ri = counts.sum(axis=1)
    num = (counts * (counts @ w.T - 1.0)).sum(axis=1)
    den = ri * (ri - 1.0)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def unit_features(codes: np.ndarray, q: int, w: np.ndarray) -> tuple[sp.csr_matrix, Layout]:
    """Sparse (n_units, n_features) matrix of per-unit terms, and its column layout.

    ``codes`` is (n_units, n_raters) with -1 for missing, ``w`` the (q, q) agreement weights.
    """
    n, r = codes.shape
    pairs = tuple(combinations(range(r), 2))
    counts = np.zeros((n, q))
    rows, cols = np.nonzero(codes >= 0)
    np.add.at(counts, (rows, codes[rows, cols]), 1.0)
    ri = counts.sum(axis=1)
    two = (ri >= 2).astype(float)

    blocks_r, blocks_c, blocks_v = [], [], []

    def add(rr, cc, vv):
        keep = vv != 0
        blocks_r.append(np.asarray(rr)[keep])
        blocks_c.append(np.asarray(cc)[keep])
        blocks_v.append(np.asarray(vv, dtype=float)[keep])

    ar = np.arange(n)
    pa_col, two_col = 0, 1
    add(ar, np.full(n, pa_col), unit_pa(counts, w) * two)
    add(ar, np.full(n, two_col), two)
    share = slice(2, 2 + q)
    shares = counts / np.where(ri > 0, ri, 1.0)[:, None]
    nz_r, nz_k = np.nonzero(shares)
    add(nz_r, share.start + nz_k, shares[nz_r, nz_k])
    one_col = 2 + q
    add(ar, np.full(n, one_col), np.ones(n))
    col = one_col + 1

    rater_cat = slice(col, col + r * q)
    add(rows, col + cols * q + codes[rows, cols], np.ones(len(rows)))
    col += r * q

    pair_cells = []
    for g, h in pairs:
        both = np.flatnonzero((codes[:, g] >= 0) & (codes[:, h] >= 0))
        add(both, col + codes[both, g] * q + codes[both, h], np.ones(len(both)))
        pair_cells.append(slice(col, col + q * q))
        col += q * q

    coinc = slice(col, col + q * q)
    # Each ordered pair of distinct ratings (x_ug, x_uh), g != h, of a unit with m_u >= 2
    # ratings adds 1 / (m_u - 1) to coincidence cell (x_ug, x_uh) (Krippendorff 2011).
    inv = np.divide(1.0, ri - 1.0, out=np.zeros(n), where=ri >= 2)
    for g in range(r):
        for h in range(r):
            if g != h:
                both = np.flatnonzero((codes[:, g] >= 0) & (codes[:, h] >= 0))
                add(both, col + codes[both, g] * q + codes[both, h], inv[both])
    col += q * q

    S = sp.csr_matrix((np.concatenate(blocks_v), (np.concatenate(blocks_r),
                                                   np.concatenate(blocks_c))), shape=(n, col))
    layout = Layout(q, r, pairs, pa_col, two_col, share, one_col, rater_cat, tuple(pair_cells),
                    coinc, col)
    return S, layout


def column_sums(S: sp.csr_matrix, multiplicity: np.ndarray | None = None) -> np.ndarray:
    """(B, n_features) sums of the features over units, each unit counted ``multiplicity`` times.

    ``multiplicity`` is (B, n_units) (None: every unit once, B = 1).
    """
    if multiplicity is None:
        return np.asarray(S.sum(axis=0))
    return np.asarray((S.T @ multiplicity.T).T)


def _ratio(num, den):
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    return np.where(np.abs(den) > 1e-12, out, np.nan)


def chance_corrected(pa, pe):
    """(pa - pe) / (1 - pe), NaN where chance agreement is 1 (a single category used)."""
    return _ratio(pa - pe, 1.0 - pe)


def percent_agreement(sums, L: Layout):
    """(B,) share of agreeing rater pairs per unit, averaged over units with >= 2 ratings."""
    return _ratio(sums[:, L.pa], sums[:, L.two])


def category_shares(sums, L: Layout):
    """(B, q) pi_k: mean over units of the share of the unit's ratings in category k."""
    return sums[:, L.share] / sums[:, [L.one]]


def fleiss_kappa(sums, L: Layout, w):
    """(B,) Fleiss' kappa generalised to missing ratings and weights (Gwet 2014, sec. 2.4).

    pe = sum_kl w_kl pi_k pi_l.
    """
    pi = category_shares(sums, L)
    pe = np.einsum("bk,kl,bl->b", pi, w, pi)
    return chance_corrected(percent_agreement(sums, L), pe)


def gwet_ac(sums, L: Layout, w):
    """(B,) Gwet's AC1 (identity weights) / AC2: pe = T_w / (q (q-1)) * sum_k pi_k (1 - pi_k).

    Gwet (2008) eq. for AC1; Gwet (2014) sec. 3 for AC2 (T_w = sum of the weights).
    """
    q = L.q
    pi = category_shares(sums, L)
    pe = w.sum() / (q * (q - 1)) * (pi * (1.0 - pi)).sum(axis=1) if q > 1 else np.ones(len(pi))
    return chance_corrected(percent_agreement(sums, L), pe)


def brennan_prediger(sums, L: Layout, w):
    """(B,) Brennan & Prediger (1981): pe = T_w / q^2 (1/q with identity weights)."""
    pe = np.full(len(sums), w.sum() / L.q**2)
    return chance_corrected(percent_agreement(sums, L), pe)


def conger_kappa(sums, L: Layout, w):
    """(B,) Conger's (1980) kappa: pe = sum_kl w_kl (pbar_k pbar_l - s2_kl / r).

    p_gk is rater g's share of category k among the units g rated, pbar_k its mean over the
    r raters and s2_kl the between-rater covariance of p_gk and p_gl (Gwet 2014, sec. 2.4).
    """
    r, q = L.r, L.q
    n_gk = sums[:, L.rater_cat].reshape(len(sums), r, q)
    p = n_gk / n_gk.sum(axis=2, keepdims=True)
    pbar = p.mean(axis=1)
    outer = np.einsum("bk,bl->bkl", pbar, pbar)
    s2 = (np.einsum("bgk,bgl->bkl", p, p) - r * outer) / (r - 1)
    pe = np.einsum("kl,bkl->b", w, outer - s2 / r)
    return chance_corrected(percent_agreement(sums, L), pe)


def pair_table(sums, L: Layout, i: int):
    """(B, q, q) contingency table of rater pair ``L.pairs[i]`` (units both rated)."""
    return sums[:, L.pair_cells[i]].reshape(len(sums), L.q, L.q)


def cohen_kappa_table(table, w):
    """(B,) Cohen's (weighted) kappa of (B, q, q) tables: po = sum w p, pe = sum w p_k. p_.l."""
    n = table.sum(axis=(1, 2))
    p = table / np.where(n > 0, n, 1.0)[:, None, None]
    po = np.einsum("kl,bkl->b", w, p)
    pe = np.einsum("bk,kl,bl->b", p.sum(axis=2), w, p.sum(axis=1))
    return np.where(n > 0, chance_corrected(po, pe), np.nan)


def scott_pi_table(table, w):
    """(B,) Scott's (1955) pi: chance agreement from the pooled margins (p_k. + p_.k) / 2."""
    n = table.sum(axis=(1, 2))
    p = table / np.where(n > 0, n, 1.0)[:, None, None]
    po = np.einsum("kl,bkl->b", w, p)
    pi = (p.sum(axis=2) + p.sum(axis=1)) / 2.0
    pe = np.einsum("bk,kl,bl->b", pi, w, pi)
    return np.where(n > 0, chance_corrected(po, pe), np.nan)


def krippendorff_delta2(level: str, values: np.ndarray, n_c: np.ndarray) -> np.ndarray:
    """(B, q, q) squared distances delta^2_ck of Krippendorff (2011) for the given level.

    ``values`` (q,) are the numeric codes (ignored for nominal), ``n_c`` (B, q) the marginal
    value counts of the coincidence matrix (needed by the ordinal metric).
    """
    B, q = n_c.shape
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(q), (B, q, q))
    if level == "interval":
        d = (values[:, None] - values[None, :]) ** 2
        return np.broadcast_to(d, (B, q, q))
    if level == "ratio":
        s = values[:, None] + values[None, :]
        d = np.divide((values[:, None] - values[None, :]) ** 2, s**2,
                      out=np.zeros((q, q)), where=s != 0)
        return np.broadcast_to(d, (B, q, q))
    if level == "ordinal":
        # sum_{g from c to k} n_g - (n_c + n_k) / 2, squared; categories in value order.
        cum = np.cumsum(n_c, axis=1)
        lo = np.minimum.outer(np.arange(q), np.arange(q))
        hi = np.maximum.outer(np.arange(q), np.arange(q))
        between = cum[:, hi] - cum[:, lo] + n_c[:, lo]
        return (between - (n_c[:, :, None] + n_c[:, None, :]) / 2.0) ** 2
    raise ValueError(f"unknown level {level!r}")


def alpha_from_coincidences(o, d):
    """(B,) alpha = 1 - (n.. - 1) sum o_ck d_ck / sum n_c n_k d_ck (Krippendorff 2011) from
    (B, q, q) coincidences ``o`` and distances ``d`` ((q, q) or (B, q, q))."""
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    d = np.broadcast_to(d, o.shape)
    do = np.einsum("bkl,bkl->b", o, d)
    de = np.einsum("bk,bkl,bl->b", n_c, d, n_c)
    return 1.0 - (n - 1.0) * _ratio(do, de)


def coincidences(sums, L: Layout):
    """(B, q, q) coincidence matrices o_ck of Krippendorff (2011) from feature sums."""
    return sums[:, L.coinc].reshape(len(sums), L.q, L.q)


def krippendorff_alpha(sums, L: Layout, level: str, values: np.ndarray):
    """(B,) Krippendorff's alpha with the metric of ``level`` (Krippendorff 2011)."""
    o = coincidences(sums, L)
    return alpha_from_coincidences(o, krippendorff_delta2(level, values, o.sum(axis=2)))


# --- Analytic standard errors (original data only) -------------------------------------------

def gwet_se(counts: np.ndarray, w: np.ndarray, kind: str,
            freq: np.ndarray | None = None) -> tuple[float, float]:
    """(estimate, se) of percent agreement, Fleiss' kappa, AC1/AC2 or Brennan-Prediger.

    Linearisation variance of Gwet (2008, eq. 32-35; 2014, ch. 5), without finite-population
    correction: var = 1 / (n (n-1)) * sum_i (k*_i - k)^2 with
    k_i = (n / n2) (pa_i - pe [r_i >= 2]) / (1 - pe) and
    k*_i = k_i - 2 (1 - k) (pe_i - pe) / (1 - pe)  (pe_i = 0 term for BP and percent agreement).
    ``counts`` is (n_rows, q) raters per category; ``freq`` (n_rows,) how many units each row
    stands for (default 1: one row per unit; see :func:`rating_patterns`); ``kind`` in percent,
    fleiss, ac1, bp.
    """
    counts = counts.astype(float)
    f = np.ones(len(counts)) if freq is None else np.asarray(freq, dtype=float)
    q = counts.shape[1]
    n = f.sum()
    ri = counts.sum(axis=1)
    two = ri >= 2
    n2 = f[two].sum()
    pa_i = unit_pa(counts, w)
    pa = (f * pa_i)[two].sum() / n2
    if kind == "percent":
        k_star = (n / n2) * pa_i
        est = pa
    else:
        share = counts / ri[:, None]
        pi = f @ share / n
        if kind == "fleiss":
            pe = pi @ w @ pi
            pe_i = share @ ((w + w.T) / 2.0 @ pi)
        elif kind == "ac1":
            tw = w.sum() / (q * (q - 1))
            pe = tw * (pi * (1.0 - pi)).sum()
            pe_i = tw * share @ (1.0 - pi)
        elif kind == "bp":
            pe = w.sum() / q**2
            pe_i = np.full(len(counts), pe)
        else:
            raise ValueError(kind)
        if abs(1.0 - pe) < 1e-12:
            return float("nan"), float("nan")
        est = (pa - pe) / (1.0 - pe)
        k_i = (n / n2) * (pa_i - pe * two) / (1.0 - pe)
        k_star = k_i - 2.0 * (1.0 - est) * (pe_i - pe) / (1.0 - pe)
    if n < 2:
        return float(est), float("nan")
    var = (f * (k_star - est) ** 2).sum() / (n * (n - 1))
    return float(est), float(np.sqrt(var))


def rating_patterns(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(patterns, inverse, freq): the distinct rows of the (n_units, n_raters) ``codes``
    (patterns[inverse] == codes), and how many units have each. Every coefficient is a function
    of sums over units of per-unit terms, and units with the same codes have the same terms, so
    the features are computed once per pattern (at most (q + 1)^r of them) and a bootstrap
    resample is a count per pattern: memory and time of a resample no longer grow with the
    features of every unit."""
    if len(codes) == 0:
        return codes.copy(), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    base = int(codes.max()) + 2
    if base ** codes.shape[1] < 2**62:  # one integer key per row: fast and small
        key = np.zeros(len(codes), dtype=np.int64)
        for g in range(codes.shape[1]):
            key = key * base + (codes[:, g] + 1)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        patterns = codes[first]
    else:
        patterns, inverse = np.unique(codes, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int64)
    return patterns, inverse, np.bincount(inverse, minlength=len(patterns))
