"""Krippendorff's alpha with the MASI distance over code sets, and the notebook's sentences."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest

from tweetstorm.reliability import coefficients as cf
from tweetstorm.reliability import (
    category_sentence,
    code_set_matrix,
    masi_alpha,
    masi_distance,
    question_verdicts,
    weak_categories,
)

from tweetstorm.reliability.multicode import masi_matrix

from test_reliability_published import KRIPPENDORFF_2011, long_from_rows  # noqa: E402


@pytest.mark.parametrize("a, b, distance", [
    # Passonneau (2006): MASI = J * M with M = 1 (identical), 2/3 (one set contains the other),
    # 1/3 (overlap), 0 (disjoint); distance 1 - MASI.
    ({"a"}, {"a"}, 0.0),
    ({"a", "b"}, {"a"}, 1 - (1 / 2) * (2 / 3)),  # J = 1/2, subset
    ({"a", "b"}, {"a", "b", "c", "d"}, 1 - (2 / 4) * (2 / 3)),
    ({"a", "b"}, {"b", "c"}, 1 - (1 / 3) * (1 / 3)),  # J = 1/3, overlap
    ({"a"}, {"b"}, 1.0),
    (set(), set(), 0.0),
])
def test_masi_distance(a, b, distance):
    # Passonneau (2006, sec. 3): "If two sets Q and P are identical, M is 1. If one set is a
    # subset of the other, M is 2/3. If the intersection and the two set differences are all
    # non-null, then M is 1/3. If the sets are disjoint, M is 0."
    assert masi_distance(a, b) == pytest.approx(distance)
    assert masi_distance(b, a) == pytest.approx(distance)


def test_masi_distance_peer_value():
    # nltk.metrics.masi_distance docstring: masi_distance({1, 2}, {1, 2, 3, 4}) = 0.665, with M
    # rounded to 0.67; with Passonneau's exact 2/3 it is 1 - 1/2 * 2/3 = 0.6667.
    assert masi_distance({1, 2}, {1, 2, 3, 4}) == pytest.approx(0.665, abs=0.002)


def test_masi_alpha_by_hand():
    # 2 raters, 3 units: {a}/{a}, {a,b}/{a}, {b}/{c}. Coincidences (each unit m = 2): o({a},{a})
    # = 2, o({a,b},{a}) = o({a},{a,b}) = 1, o({b},{c}) = o({c},{b}) = 1; n_c: {a} 3, {a,b} 1,
    # {b} 1, {c} 1; n = 6. sum o d = 2 * 2/3 + 2 * 1 = 10/3. sum n_c n_k d over ordered pairs =
    # 2 * (3 * 2/3 + 3 + 3 + 2/3 + 1 + 1) = 64/3. alpha = 1 - 5 * (10/3) / (64/3) = 14/64.
    df = pd.DataFrame({"unit": ["1", "1", "2", "2", "3", "3"], "rater": ["A", "B"] * 3,
                       "code": ["a", "a", "a;b", "a", "b", "c"]})
    res = masi_alpha(df, sep=";", bootstrap=0)
    assert res["estimate"].iloc[0] == pytest.approx(14 / 64)
    assert res["level"].iloc[0] == "masi" and res["raters"].iloc[0] == ("A", "B")
    assert res["ci_method"].isna().all()
    # the same sets given as one row per code
    rows = pd.DataFrame({"unit": ["1", "1", "2", "2", "2", "3", "3"],
                         "rater": ["A", "B", "A", "A", "B", "A", "B"],
                         "code": ["a", "a", "a", "b", "a", "b", "c"]})
    assert masi_alpha(rows, bootstrap=0)["estimate"].iloc[0] == pytest.approx(14 / 64)
    rm, sets = code_set_matrix(df, sep=";")
    assert rm.categories == ["a", "b", "c", "a|b"]
    assert sets[3] == frozenset({"a", "b"})


def test_masi_alpha_on_single_codes_is_nominal_alpha():
    # One code per rating: MASI is the nominal distance, so alpha is Krippendorff's (2011)
    # nominal 0.743 (the krippendorff package gives the same on the same data).
    df = long_from_rows(KRIPPENDORFF_2011)
    est = masi_alpha(df, bootstrap=0)["estimate"].iloc[0]
    assert round(est, 3) == 0.743
    data = np.array([[float(c) if c else np.nan for c in r] for r in KRIPPENDORFF_2011]).T
    assert est == pytest.approx(krippendorff.alpha(reliability_data=data,
                                                   level_of_measurement="nominal"))


def test_masi_alpha_bootstrap_interval():
    rng = np.random.default_rng(3)
    rows = []
    for u in range(60):
        truth = set(rng.choice(list("abcd"), size=rng.integers(1, 3), replace=False))
        for r in ("A", "B", "C"):
            codes = set(truth)
            if rng.random() < 0.3:
                codes ^= {rng.choice(list("abcd"))}
            rows.append((str(u), r, ";".join(sorted(codes))))
    df = pd.DataFrame(rows, columns=["unit", "rater", "code"])
    res = masi_alpha(df, sep=";", bootstrap=200, seed=1).iloc[0]
    # the krippendorff package's estimate equals the coincidence form the replicates use
    rm, sets = code_set_matrix(df, sep=";")
    patterns, inverse, freq = cf.rating_patterns(rm.codes)
    S, L = cf.unit_features(patterns, len(sets), np.eye(len(sets)))
    total = cf.column_sums(S, freq[None, :].astype(float))
    assert res["estimate"] == pytest.approx(
        cf.alpha_from_coincidences(cf.coincidences(total, L), masi_matrix(sets))[0], abs=1e-12)
    assert res["boot_low"] < res["estimate"] < res["boot_high"]
    assert (res["ci_low"], res["ci_high"], res["ci_method"]) == (
        res["boot_low"], res["boot_high"], "bootstrap")


CATEGORIES = pd.DataFrame({
    "question": ["Q1", "Q1", "Q1", "Q2"],
    "category": ["a", "b", "c", "d"],
    "label": ["Apple", "Banana", "Cherry", "Date"],
    "n_ratings": [10, 0, 7, 12],
    "kappa": [0.55, float("nan"), 0.8, 0.3],
})


def test_weak_categories_and_sentence():
    weak = weak_categories(CATEGORIES)
    assert weak["category"].tolist() == ["a", "d"]  # unused b left out; c reaches 0.6
    assert weak_categories(CATEGORIES, threshold=0.5)["category"].tolist() == ["d"]
    assert category_sentence(CATEGORIES) == (
        "Category kappas range from 0.300 (Q2 Date) to 0.800 (Q1 Cherry). 2 of 3 categories "
        "stay below 0.6 (moderate or worse in Landis and Koch's terms): Q1 Apple (0.550), "
        "Q2 Date (0.300).")
    assert category_sentence(CATEGORIES, threshold=0.2).endswith(
        "All 3 categories reach at least 0.2.")


def test_question_verdicts():
    rows = []
    for q, a, f in (("Q1", 0.85, 0.84), ("Q2", 0.70, 0.69)):
        rows += [{"question": q, "category": pd.NA, "coefficient": "krippendorff_alpha",
                  "estimate": a, "ci_low": a - 0.1, "ci_high": a + 0.1},
                 {"question": q, "category": pd.NA, "coefficient": "fleiss_kappa",
                  "estimate": f, "ci_low": f - 0.1, "ci_high": f + 0.1}]
    rows += [{"question": "Q3", "category": pd.NA, "coefficient": "krippendorff_alpha",
              "estimate": 0.5, "ci_low": 0.4, "ci_high": 0.6},
             {"question": "Q3", "category": "x", "coefficient": "fleiss_kappa",
              "estimate": 0.9, "ci_low": 0.8, "ci_high": 1.0}]
    lines = question_verdicts(pd.DataFrame(rows), {"Q1": "Goals", "Q2": "Aims", "Q3": "Sets"})
    assert lines[0] == (
        "- **Q1** (Goals): Krippendorff's alpha 0.850 [0.750, 0.950], at least 0.800, the level "
        "Krippendorff asks for drawing conclusions; Fleiss' kappa 0.840 [0.740, 0.940] (almost "
        "perfect agreement in Landis and Koch's terms).")
    assert "enough only for tentative conclusions" in lines[1] and "(substantial" in lines[1]
    assert lines[2].startswith("- **Q3** (Sets, several codes per answer): Krippendorff's alpha "
                               "with the MASI distance between the raters' code sets 0.500")
    assert "too low for conclusions" in lines[2]
