"""Properties of the coefficients, the vectorised bootstrap, and the per-category tables."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats import inter_rater

from tweetstorm.reliability import (
    COEFFICIENTS,
    COLUMNS,
    RatingMatrix,
    agreement,
    bootstrap_replicates,
    category_agreement,
    confusion_matrices,
    per_code_presence,
)
from tweetstorm.reliability import coefficients as cf
from tweetstorm.reliability.matrix import weight_matrix

from test_reliability_published import FLEISS_1971  # noqa: E402  (tests/ is on sys.path)


def random_matrix(n=300, r=3, q=4, p_true=0.6, p_missing=0.0, seed=7) -> RatingMatrix:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, q, n)
    codes = np.where(rng.random((n, r)) < p_true, truth[:, None], rng.integers(0, q, (n, r)))
    codes[rng.random((n, r)) < p_missing] = -1
    keep = (codes >= 0).any(axis=1)
    return RatingMatrix(codes[keep], list(range(keep.sum())), [f"R{g}" for g in range(r)],
                        [str(k + 1) for k in range(q)])


def est(res, name, raters=None):
    sel = res[res["coefficient"] == name]
    if raters is not None:
        sel = sel[sel["raters"] == tuple(raters)]
    return sel["estimate"].to_numpy()


def test_output_columns_and_rows():
    rm = random_matrix(n=50, r=3)
    res = agreement(rm, bootstrap=50)
    assert list(res.columns) == COLUMNS
    assert list(res["coefficient"].unique()) == list(COEFFICIENTS)
    assert len(res[res["coefficient"] == "cohen_kappa"]) == 3  # one per pair
    assert set(res.loc[res["coefficient"] == "scott_pi", "raters"]) == {
        ("R0", "R1"), ("R0", "R2"), ("R1", "R2")}
    # analytic interval where the literature gives one, else the percentile bootstrap
    methods = dict(zip(res["coefficient"], res["ci_method"]))
    assert methods == {"percent_agreement": "t", "cohen_kappa": "normal", "light_kappa": "bootstrap",
                       "scott_pi": "t", "fleiss_kappa": "t", "conger_kappa": "bootstrap",
                       "krippendorff_alpha": "bootstrap", "gwet_ac1": "t",
                       "brennan_prediger": "t"}
    assert res["boot_low"].notna().all() and res["boot_high"].notna().all()
    assert res.attrs["n_units"] == 50 and res.attrs["categories"] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
def test_perfect_agreement_is_one(weights):
    codes = np.tile(np.array([0, 1, 2, 3, 1, 2])[:, None], (1, 3))
    rm = RatingMatrix(codes, list(range(6)), ["A", "B", "C"], ["1", "2", "3", "4"])
    res = agreement(rm, weights=weights, level="ordinal", bootstrap=20)
    assert np.allclose(res["estimate"], 1.0)


def test_bootstrap_interval_contains_estimate():
    res = agreement(random_matrix(n=400, p_missing=0.1), bootstrap=300, seed=3)
    assert ((res["boot_low"] <= res["estimate"]) & (res["estimate"] <= res["boot_high"])).all()
    assert (res["boot_high"] - res["boot_low"] > 0).all()
    assert ((res["ci_low"] <= res["estimate"]) & (res["estimate"] <= res["ci_high"])).all()


def test_rater_permutation_leaves_multirater_coefficients_unchanged():
    rm = random_matrix(n=200, r=4, p_missing=0.15)
    perm = RatingMatrix(rm.codes[:, [2, 0, 3, 1]], rm.units, [rm.raters[i] for i in [2, 0, 3, 1]],
                        rm.categories)
    a = agreement(rm, bootstrap=0)
    b = agreement(perm, bootstrap=0)
    for name in ("percent_agreement", "fleiss_kappa", "conger_kappa", "krippendorff_alpha",
                 "gwet_ac1", "brennan_prediger", "light_kappa"):
        assert est(a, name) == pytest.approx(est(b, name), abs=1e-12), name


def test_identity_weights_equal_unweighted_formulas():
    rm = random_matrix(n=250, r=3, q=5)
    res = agreement(rm, bootstrap=0)
    # Fleiss: statsmodels' unweighted fleiss_kappa on the category counts.
    assert est(res, "fleiss_kappa")[0] == pytest.approx(inter_rater.fleiss_kappa(rm.counts()))
    # vectorised generalised form with identity weights gives the same value
    S, L = cf.unit_features(rm.codes, 5, np.eye(5))
    assert cf.fleiss_kappa(cf.column_sums(S), L, np.eye(5))[0] == pytest.approx(
        inter_rater.fleiss_kappa(rm.counts()))
    # Cohen: statsmodels' simple kappa (no weights) per pair
    for g, h in [(0, 1), (0, 2), (1, 2)]:
        table = inter_rater.to_table(rm.codes[:, [g, h]], bins=5)[0]
        assert est(res, "cohen_kappa", (rm.raters[g], rm.raters[h]))[0] == pytest.approx(
            inter_rater.cohens_kappa(table, return_results=False))
    # Gwet AC1: pe = 1/(q-1) sum pi_k (1 - pi_k) with the textbook complete-data formula
    counts = rm.counts()
    pa = ((counts * (counts - 1)).sum(axis=1) / (3 * 2)).mean()
    pi = counts.sum(axis=0) / counts.sum()
    pe = (pi * (1 - pi)).sum() / 4
    assert est(res, "gwet_ac1")[0] == pytest.approx((pa - pe) / (1 - pe))


def test_binary_codes_weights_do_not_matter():
    rm = random_matrix(n=200, r=3, q=2, p_missing=0.1)
    a = agreement(rm, bootstrap=0)
    b = agreement(rm, weights="quadratic", bootstrap=0)
    assert np.allclose(a["estimate"], b["estimate"], equal_nan=True)


@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_vectorised_forms_equal_libraries(weights, level):
    rm = random_matrix(n=300, r=3, q=5, p_missing=0.2, seed=11)
    values = np.arange(1.0, 6.0)
    w = weight_matrix(weights, values, 5)
    S, L = cf.unit_features(rm.codes, 5, w)
    sums = cf.column_sums(S)
    counts = rm.counts()
    alpha_lib = krippendorff.alpha(value_counts=counts, value_domain=list(values),
                                   level_of_measurement=level)
    assert cf.krippendorff_alpha(sums, L, level, values)[0] == pytest.approx(alpha_lib, abs=1e-10)
    for i, (g, h) in enumerate(L.pairs):
        pair = rm.codes[:, [g, h]]
        table = inter_rater.to_table(pair[(pair >= 0).all(axis=1)], bins=5)[0]
        lib = (inter_rater.cohens_kappa(table, return_results=False) if weights == "identity"
               else inter_rater.cohens_kappa(table, weights=values, wt=weights,
                                             return_results=False))
        assert cf.cohen_kappa_table(cf.pair_table(sums, L, i), w)[0] == pytest.approx(lib)


def test_conger_and_scott_reduce_to_cohen_and_fleiss_for_two_raters():
    rm = random_matrix(n=300, r=2, q=4)
    res = agreement(rm, bootstrap=0)
    assert est(res, "conger_kappa")[0] == pytest.approx(est(res, "cohen_kappa")[0])
    assert est(res, "scott_pi")[0] == pytest.approx(est(res, "fleiss_kappa")[0])


def test_bootstrap_replicates_equal_explicit_resamples():
    rm = random_matrix(n=120, r=3, q=4, p_missing=0.1, seed=5)
    reps = bootstrap_replicates(rm, n_boot=4, seed=99)
    idx = np.random.default_rng(99).integers(0, rm.n_units, size=(4, rm.n_units))
    for b in range(4):
        res = agreement(RatingMatrix(rm.codes[idx[b]], list(range(rm.n_units)), rm.raters,
                                     rm.categories), bootstrap=0)
        for name in ("percent_agreement", "fleiss_kappa", "conger_kappa", "krippendorff_alpha",
                     "gwet_ac1", "brennan_prediger", "light_kappa"):
            assert reps[name][b] == pytest.approx(est(res, name)[0], abs=1e-10), name
        assert reps["cohen_kappa"][b] == pytest.approx(est(res, "cohen_kappa"), abs=1e-10)


def test_bootstrap_is_seeded():
    rm = random_matrix(n=100)
    a = agreement(rm, bootstrap=100, seed=1)
    b = agreement(rm, bootstrap=100, seed=1)
    c = agreement(rm, bootstrap=100, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["boot_low"], c["boot_low"])


def test_analytic_interval_without_bootstrap():
    res = agreement(random_matrix(n=100), bootstrap=0)
    analytic = res[res["se"].notna()]
    assert analytic["ci_method"].isin(["normal", "t"]).all()
    assert res.loc[res["se"].isna(), "ci_method"].isna().all()
    assert res[["boot_low", "boot_high"]].isna().all().all()
    assert res.loc[res["coefficient"] != "cohen_kappa", "z"].isna().all()


def test_category_kappas_average_to_fleiss():
    # Fleiss (1971): overall kappa = sum_j p_j q_j kappa_j / sum_j p_j q_j.
    rows = [(str(i), f"R{g}", str(c)) for i, r in enumerate(FLEISS_1971) for g, c in enumerate(r)]
    df = pd.DataFrame(rows, columns=["unit", "rater", "code"])
    cat = category_agreement(df)
    p = cat["n_ratings"] / cat["n_ratings"].sum()
    pq = p * (1 - p)
    overall = agreement(df, bootstrap=0, coefficients=["fleiss_kappa"])["estimate"][0]
    assert (pq * cat["kappa"]).sum() / pq.sum() == pytest.approx(overall)
    assert list(cat["category"]) == ["1", "2", "3", "4", "5"]
    assert (cat["n_units"] == 30).all()


def test_positive_agreement_and_confusion_by_hand():
    df = pd.DataFrame({"unit": [1, 1, 2, 2, 3, 3, 4, 4],
                       "rater": ["A", "B"] * 4,
                       "code": ["x", "x", "x", "y", "y", "y", "y", "y"]})
    cat = category_agreement(df).set_index("category")
    # x: agreeing x-pairs 2 (unit 1, both orders) over x-ratings' partners 3 -> 2/3
    assert cat.loc["x", "positive_agreement"] == pytest.approx(2 / 3)
    # y: unit 3 and 4 give 4 agreeing ordered pairs; partners of the 5 y-ratings 5 -> 4/5
    assert cat.loc["y", "positive_agreement"] == pytest.approx(4 / 5)
    cm = confusion_matrices(df)
    assert list(cm) == [("A", "B")]
    assert cm[("A", "B")].to_numpy().tolist() == [[1, 1], [0, 2]]
    assert cm[("A", "B")].index.name == "A" and cm[("A", "B")].columns.name == "B"


def test_per_code_presence_multi_code():
    df = pd.DataFrame({"unit": [1, 1, 1, 2, 2, 3, 3], "rater": ["A", "A", "B", "A", "B", "A", "B"],
                       "code": ["p", "q", "p", "q", "p;q", "p", ""]})
    res = per_code_presence(df, sep=";", bootstrap=0, coefficients=["percent_agreement"])
    assert list(res.columns) == ["code"] + COLUMNS
    got = dict(zip(res["code"], res["estimate"]))
    # p present: unit1 A1 B1, unit2 A0 B1, unit3 A1 B missing -> units 1, 2: 1/2
    assert got["p"] == pytest.approx(0.5)
    # q present: unit1 A1 B0, unit2 A1 B1 -> 1/2
    assert got["q"] == pytest.approx(0.5)
