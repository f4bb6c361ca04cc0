"""Agreement coefficients against values published in the literature and in reference software.

Sources (each value below was read from the source named next to it):
- Fleiss (1971) Psychol. Bull. 76:378-382, 30 patients x 6 psychiatrists x 5 diagnoses:
  kappa = 0.430 (the data as in statsmodels' test_inter_rater.py; R irr::kappam.fleiss gives
  0.4302445 on it).
- Krippendorff (2011) "Computing Krippendorff's alpha-reliability", 4 coders x 12 units:
  nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797 (the same values are in the
  tests of the `krippendorff` package). irrCAC ships the same data as ``cac.raw4raters``.
- irrCAC (K. Gwet's R package, README and vignettes/weighting.html of github.com/kgwet/irrCAC,
  implementing Gwet 2014 "Handbook of Inter-Rater Reliability" and Gwet 2008 BJMSP 61:29-48):
  values for cac.raw4raters, cont3x3abstractors and distrib.6raters quoted in each test.
- SAS PROC FREQ printout of simple and weighted (Cicchetti-Allison) kappa for the table
  [[0,4,1],[0,8,0],[0,1,5]], as reproduced in statsmodels' test_inter_rater.py
  (TestUnweightedCohens / TestWeightedCohens).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tweetstorm.reliability import RatingMatrix, agreement

# Fleiss (1971) Table 1, one row per patient, diagnoses 1..5 of six raters.
FLEISS_1971 = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])

# Krippendorff (2011) reliability data: rows = units 1..12, columns = coders A..D, "" missing.
# (irrCAC: cac.raw4raters.)
KRIPPENDORFF_2011 = [
    ["1", "1", "", "1"], ["2", "2", "3", "2"], ["3", "3", "3", "3"], ["3", "3", "3", "3"],
    ["2", "2", "2", "2"], ["1", "2", "3", "4"], ["4", "4", "4", "4"], ["1", "1", "2", "1"],
    ["2", "2", "2", "2"], ["", "5", "5", "5"], ["", "", "1", "1"], ["", "", "3", ""],
]

# irrCAC distrib.6raters: raters per category (15 subjects x 5 categories, 6 raters each).
DISTRIB_6RATERS = np.array([
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
])


def long_from_rows(rows, raters=None) -> pd.DataFrame:
    """Long table from unit rows of codes ("" = missing)."""
    raters = raters or [f"R{g + 1}" for g in range(len(rows[0]))]
    recs = [(str(i + 1), raters[g], str(c)) for i, row in enumerate(rows)
            for g, c in enumerate(row)]
    return pd.DataFrame(recs, columns=["unit", "rater", "code"])


def long_from_table(table) -> pd.DataFrame:
    """Two raters A, B from a contingency table (rows A's code 1..q, columns B's)."""
    recs, u = [], 0
    for i, row in enumerate(np.asarray(table)):
        for j, count in enumerate(row):
            for _ in range(int(count)):
                u += 1
                recs += [(u, "A", i + 1), (u, "B", j + 1)]
    return pd.DataFrame(recs, columns=["unit", "rater", "code"])


def matrix_from_distribution(dist) -> RatingMatrix:
    codes = np.array([np.repeat(np.arange(dist.shape[1]), row) for row in dist])
    return RatingMatrix(codes, list(range(len(dist))), [f"r{g}" for g in range(codes.shape[1])],
                        [str(k + 1) for k in range(dist.shape[1])])


def row(res: pd.DataFrame, name: str) -> pd.Series:
    sel = res[res["coefficient"] == name]
    assert len(sel) == 1, name
    return sel.iloc[0]


def test_fleiss_1971_kappa():
    res = agreement(long_from_rows(FLEISS_1971.tolist()), bootstrap=0)
    assert row(res, "fleiss_kappa")["estimate"] == pytest.approx(0.4302445, abs=1e-7)
    assert round(row(res, "fleiss_kappa")["estimate"], 3) == 0.430


@pytest.mark.parametrize("level, published", [("nominal", 0.743), ("ordinal", 0.815),
                                              ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_worked_example(level, published):
    res = agreement(long_from_rows(KRIPPENDORFF_2011), level=level, bootstrap=0,
                    coefficients=["krippendorff_alpha"])
    assert round(row(res, "krippendorff_alpha")["estimate"], 3) == published


def test_irrcac_raw4raters_unweighted():
    # irrCAC README: pa.coeff.raw, gwet.ac1.raw, fleiss.kappa.raw, krippen.alpha.raw,
    # conger.kappa.raw, bp.coeff.raw on cac.raw4raters (coefficients rounded to 5 decimals).
    res = agreement(long_from_rows(KRIPPENDORFF_2011), bootstrap=0)
    expected = {"percent_agreement": (0.8181818, 0.12561), "gwet_ac1": (0.77544, 0.14295),
                "fleiss_kappa": (0.76117, 0.15302), "brennan_prediger": (0.77273, 0.14472)}
    for name, (est, se) in expected.items():
        assert row(res, name)["estimate"] == pytest.approx(est, abs=5e-6), name
        assert row(res, name)["se"] == pytest.approx(se, abs=5e-6), name
    assert row(res, "conger_kappa")["estimate"] == pytest.approx(0.76282, abs=5e-6)
    assert row(res, "krippendorff_alpha")["estimate"] == pytest.approx(0.74342, abs=5e-6)


def test_irrcac_raw4raters_quadratic():
    # irrCAC vignette "Weighted Chance-corrected Agreement Coefficients", weights="quadratic".
    # krippen.alpha.raw with quadratic weights is alpha with the interval metric.
    res = agreement(long_from_rows(KRIPPENDORFF_2011), weights="quadratic", level="interval",
                    bootstrap=0)
    expected = {"percent_agreement": (0.9753788, 0.09062), "gwet_ac1": (0.914, 0.10396),
                "fleiss_kappa": (0.86494, 0.14603), "brennan_prediger": (0.90152, 0.11089)}
    for name, (est, se) in expected.items():
        assert row(res, name)["estimate"] == pytest.approx(est, abs=5e-6), name
        assert row(res, name)["se"] == pytest.approx(se, abs=5e-6), name
    assert row(res, "conger_kappa")["estimate"] == pytest.approx(0.85771, abs=5e-6)
    assert row(res, "krippendorff_alpha")["estimate"] == pytest.approx(0.84911, abs=5e-6)


CONT3X3 = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]  # irrCAC cont3x3abstractors


@pytest.mark.parametrize("weights, expected", [
    # irrCAC README (kappa2.table, scott2.table, gwet.ac1.table, bp2.table, krippen2.table,
    # pa2.table) and weighting vignette (quadratic.weights(1:3)): (estimate, se)
    ("identity", {"cohen_kappa": (0.7964094, 0.05891072), "scott_pi": (0.7962397, 0.05905473),
                  "gwet_ac1": (0.8493305, 0.04321747), "brennan_prediger": (0.835, 0.04693346),
                  "percent_agreement": (0.89, 0.03128898), "krippendorff_alpha": (0.7972585, None)}),
    ("quadratic", {"cohen_kappa": (0.8921569, 0.03535151), "scott_pi": (0.8921093, 0.03539506),
                   "gwet_ac1": (0.9402369, 0.01792019), "brennan_prediger": (0.9175, 0.02346673),
                   "percent_agreement": (0.9725, 0.007822244)}),
])
def test_irrcac_contingency_table(weights, expected):
    res = agreement(long_from_table(CONT3X3), weights=weights,
                    level="interval" if weights == "quadratic" else "nominal", bootstrap=0)
    for name, (est, se) in expected.items():
        r = row(res, name)
        assert r["estimate"] == pytest.approx(est, abs=1e-6), name
        if se is None:
            continue
        # Complete two-rater data: every SE is irrCAC's *.table value (divisor n).
        assert r["se"] == pytest.approx(se, abs=1e-7), name


def test_irrcac_distrib_6raters():
    # irrCAC README (gwet.ac1.dist, fleiss.kappa.dist, krippen.alpha.dist, bp.coeff.dist) and
    # weighting vignette with quadratic.weights(1:5).
    rm = matrix_from_distribution(DISTRIB_6RATERS)
    res = agreement(rm, bootstrap=0)
    for name, est, se in [("gwet_ac1", 0.4448007, 0.08418757),
                          ("fleiss_kappa", 0.4139265, 0.08119291),
                          ("brennan_prediger", 0.4388889, 0.08312142)]:
        assert row(res, name)["estimate"] == pytest.approx(est, abs=1e-7), name
        assert row(res, name)["se"] == pytest.approx(se, abs=1e-7), name
    assert row(res, "krippendorff_alpha")["estimate"] == pytest.approx(0.4204384, abs=1e-7)
    res = agreement(rm, weights="quadratic", level="interval", bootstrap=0)
    for name, est, se in [("gwet_ac1", 0.4837438, 0.1058227),
                          ("fleiss_kappa", 0.2511909, 0.1457381),
                          ("brennan_prediger", 0.4177778, 0.1067493)]:
        assert row(res, name)["estimate"] == pytest.approx(est, abs=1e-7), name
        assert row(res, name)["se"] == pytest.approx(se, abs=1e-7), name
    assert row(res, "krippendorff_alpha")["estimate"] == pytest.approx(0.259511, abs=1e-6)


SAS_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]


@pytest.mark.parametrize("weights, kappa, ase, ase0, z, lo, hi", [
    # SAS PROC FREQ: Kappa, ASE, 95% limits, ASE under H0, Z (statsmodels test_inter_rater.py)
    ("identity", 0.4842, 0.1380, 0.1484, 3.2626, 0.2137, 0.7547),
    ("linear", 0.4701, 0.1457, 0.1426, 3.2971, 0.1845, 0.7558),
])
def test_cohen_kappa_sas(weights, kappa, ase, ase0, z, lo, hi):
    res = agreement(long_from_table(SAS_TABLE), weights=weights, bootstrap=0,
                    coefficients=["cohen_kappa"])
    r = row(res, "cohen_kappa")
    assert r["raters"] == ("A", "B")
    got = [r["estimate"], r["se"], r["se_null"], r["z"], r["ci_low"], r["ci_high"]]
    assert got == pytest.approx([kappa, ase, ase0, z, lo, hi], abs=6e-5)
    assert r["ci_method"] == "normal"


def test_brennan_prediger_by_hand():
    # Two raters, 4 units: A = a a b c, B = a b b c -> 3 of 4 units agree.
    df = long_from_rows([["a", "a"], ["a", "b"], ["b", "b"], ["c", "c"]])
    res = agreement(df, bootstrap=0, coefficients=["brennan_prediger", "percent_agreement"])
    assert row(res, "percent_agreement")["estimate"] == pytest.approx(0.75)
    # q = 3 used categories: (3/4 - 1/3) / (1 - 1/3) = 5/8
    assert row(res, "brennan_prediger")["estimate"] == pytest.approx(5 / 8)
    # a fourth, never used category changes chance agreement to 1/4: (3/4 - 1/4) / (3/4) = 2/3
    res = agreement(df, bootstrap=0, categories=["a", "b", "c", "d"],
                    coefficients=["brennan_prediger"])
    assert row(res, "brennan_prediger")["estimate"] == pytest.approx(2 / 3)
