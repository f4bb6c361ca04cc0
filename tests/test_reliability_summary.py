"""Benchmark labels, the mean over questions, clipped analytic intervals, confusion heatmaps."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tweetstorm.reliability import (
    RANGES,
    agreement,
    confusion_matrices,
    krippendorff_verdict,
    landis_koch_label,
    mean_over_groups,
    overview,
    plot_confusion_matrices,
)

from test_reliability_published import long_from_rows, row  # noqa: E402  (tests/ on sys.path)


@pytest.mark.parametrize("kappa, label", [
    # Landis & Koch (1977, p. 165): <0 poor, 0.00-0.20 slight, 0.21-0.40 fair, 0.41-0.60
    # moderate, 0.61-0.80 substantial, 0.81-1.00 almost perfect
    (-0.05, "poor"), (0.0, "slight"), (0.2, "slight"), (0.21, "fair"), (0.4, "fair"),
    (0.41, "moderate"), (0.6, "moderate"), (0.61, "substantial"), (0.696, "substantial"),
    (0.8, "substantial"), (0.81, "almost perfect"), (1.0, "almost perfect"),
    (math.nan, "undefined"),
])
def test_landis_koch_bands(kappa, label):
    assert landis_koch_label(kappa) == label


@pytest.mark.parametrize("alpha, verdict", [
    # Krippendorff (2004, p. 241): rely on alpha >= .800, tentative conclusions for .667-.800
    (0.95, "reliable"), (0.800, "reliable"), (0.7999, "tentative"), (0.698, "tentative"),
    (0.667, "tentative"), (0.6669, "unreliable"), (-0.2, "unreliable"), (math.nan, "undefined"),
])
def test_krippendorff_verdict(alpha, verdict):
    assert krippendorff_verdict(alpha) == verdict


def test_krippendorff_verdict_text():
    assert "tentative" in krippendorff_verdict(0.7, text=True)
    assert "0.800" in krippendorff_verdict(0.9, text=True)
    assert "too low" in krippendorff_verdict(0.5, text=True)


# Group A, 4 units: R1 = a a b c, R2 = a b b c. Percent agreement 3/4. Cohen's kappa by hand:
# p_o = 0.75; margins R1 (a .5, b .25, c .25), R2 (a .25, b .5, c .25); p_e = 0.3125;
# kappa = (0.75 - 0.3125) / (1 - 0.3125) = 7/11.
GROUP_A = [["a", "a"], ["a", "b"], ["b", "b"], ["c", "c"]]
# Group B, 2 units: R1 = x y, R2 = x x. Percent agreement 1/2; p_e = 0.5 * 1 = 0.5, kappa = 0.
GROUP_B = [["x", "x"], ["y", "x"]]


def _groups():
    return {q: agreement(long_from_rows(rows), bootstrap=0) for q, rows in
            (("Q1", GROUP_A), ("Q2", GROUP_B))}


def test_mean_over_groups_by_hand():
    mean = mean_over_groups(_groups())
    pa = row(mean, "percent_agreement")
    assert pa["estimate"] == pytest.approx((4 * 0.75 + 2 * 0.5) / 6)  # weighted by units
    assert (pa["min"], pa["max"], pa["n_groups"]) == (0.5, 0.75, 2)
    kappa = row(mean, "cohen_kappa")
    assert kappa["raters"] == ("R1", "R2")
    assert kappa["estimate"] == pytest.approx(4 / 6 * 7 / 11)
    assert math.isnan(kappa["ci_low"]) and kappa["ci_method"] is None
    equal = mean_over_groups(_groups(), weight="equal")
    assert row(equal, "percent_agreement")["estimate"] == pytest.approx(0.625)
    assert row(equal, "cohen_kappa")["estimate"] == pytest.approx(7 / 22)
    # each coefficient once, in agreement()'s order
    assert mean["coefficient"].tolist() == _groups()["Q1"]["coefficient"].tolist()


def test_mean_lies_within_the_groups_while_question_prefixed_pooling_inflates_it():
    # Two questions with the same agreement pattern on different category sets: each question's
    # kappa is 7/11, and so is their mean. Pooling them as "question:code" gives chance agreement
    # over six categories and a larger kappa, though no rater could confuse the questions.
    a = long_from_rows(GROUP_A)
    b = long_from_rows([[c.upper() for c in r] for r in GROUP_A])
    groups = {"Q1": agreement(a, bootstrap=0), "Q2": agreement(b, bootstrap=0)}
    mean = mean_over_groups(groups)
    assert row(mean, "cohen_kappa")["estimate"] == pytest.approx(7 / 11)
    finite = mean[mean["estimate"].notna()]
    assert ((finite["min"] - 1e-12 <= finite["estimate"])
            & (finite["estimate"] <= finite["max"] + 1e-12)).all()
    pooled = pd.concat([a.assign(unit="a" + a["unit"]), b.assign(unit="b" + b["unit"])])
    pooled_kappa = row(agreement(pooled, bootstrap=0), "cohen_kappa")["estimate"]
    assert pooled_kappa > 7 / 11 + 0.05


def test_mean_over_groups_skips_nan_and_checks_input():
    groups = _groups()
    groups["Q3"] = groups["Q2"].copy()
    groups["Q3"]["estimate"] = np.nan
    groups["Q3"].attrs["n_units"] = 100
    mean = mean_over_groups(groups)
    assert row(mean, "percent_agreement")["estimate"] == pytest.approx(4 / 6)
    assert row(mean, "percent_agreement")["n_groups"] == 2
    with pytest.raises(ValueError, match="weight"):
        mean_over_groups(groups, weight="people")
    with pytest.raises(ValueError, match="no groups"):
        mean_over_groups({})


def test_analytic_intervals_follow_the_reference_tools():
    # 4 units, 2 raters who agree on half. irrCAC (pa2.table etc.): estimate -+ t(n-1) * SE,
    # the upper bound cut at 1 and the lower bound not cut; SAS PROC FREQ: kappa +- z * ASE.
    df = long_from_rows([["a", "a"], ["a", "b"], ["b", "a"], ["b", "b"]])
    res = agreement(df, bootstrap=0)
    pa = row(res, "percent_agreement")
    # complete 2x2 table [[1, 1], [1, 1]]: pa = 0.5, var = (sum p_kl w_kl^2 - pa^2) / n
    assert pa["se"] == pytest.approx(math.sqrt((0.5 - 0.25) / 4))
    t = stats.t.ppf(0.975, 3)
    assert pa["ci_low"] == pytest.approx(0.5 - t * 0.25)  # below 0, as irrCAC prints it
    assert pa["ci_high"] == 1.0  # min(1, 0.5 + 3.18 * 0.25)
    assert pa["ci_method"] == "t"
    kappa = row(res, "cohen_kappa")
    z = stats.norm.ppf(0.975)
    assert (kappa["ci_low"], kappa["ci_high"]) == pytest.approx(
        (kappa["estimate"] - z * kappa["se"], kappa["estimate"] + z * kappa["se"]))
    assert kappa["ci_method"] == "normal"
    assert RANGES["percent_agreement"] == (0.0, 1.0)


def test_confusion_heatmaps_one_panel_per_pair():
    import matplotlib.pyplot as plt

    df = long_from_rows([["a", "a", "b"], ["b", "b", "b"], ["a", "b", "a"]])
    mats = confusion_matrices(df, categories=["a", "b", "c"])
    fig = plot_confusion_matrices(mats, ["Apple", "Banana", "Cherry"], title="Q9 Fruit")
    try:
        assert len(fig.axes) == 3
        assert [(ax.get_ylabel(), ax.get_xlabel()) for ax in fig.axes] == [
            ("R1", "R2"), ("R1", "R3"), ("R2", "R3")]
        # R1 x R2: (a, a) 1, (b, b) 1, (a, b) 1; counts written in the 9 cells
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert texts == ["1", "1", "0", "0", "1", "0", "0", "0", "0"]
        assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["Apple", "Banana", "Cherry"]
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Apple", "Banana", "Cherry"]
        assert fig._suptitle.get_text() == "Q9 Fruit"
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="2 labels for 3 categories"):
        plot_confusion_matrices(mats, ["Apple", "Banana"])


def test_overview_formats_intervals_and_the_mean_range():
    nan = float("nan")
    coefficients = pd.DataFrame({
        "question": ["Q1", "Q1", "Q2", "mean", "Q1"],
        "category": [pd.NA, pd.NA, pd.NA, pd.NA, "fun"],
        "coefficient": ["fleiss_kappa", "cohen_kappa", "fleiss_kappa", "fleiss_kappa", "fleiss_kappa"],
        "raters": ["R1-R2-R3", "R1-R2", "R1-R2-R3", "R1-R2-R3", "R1-R2-R3"],
        "estimate": [0.61, 0.7, 0.8, 0.7, 0.1],
        "ci_low": [0.5, 0.6, 0.7, nan, 0.0], "ci_high": [0.7, 0.8, 0.9, nan, 0.2],
        "min": [nan, nan, nan, 0.61, nan], "max": [nan, nan, nan, 0.8, nan],
    })
    table = overview(coefficients, ["Q1", "Q2"])
    assert list(table.index) == ["fleiss_kappa", "cohen_kappa R1-R2"]
    assert list(table.columns) == ["Q1", "Q2", "mean"]
    assert table.loc["fleiss_kappa", "Q1"] == "0.610 [0.500, 0.700]"
    assert table.loc["fleiss_kappa", "mean"] == "0.700 (0.610-0.800)"
    assert pd.isna(table.loc["cohen_kappa R1-R2", "Q2"])
