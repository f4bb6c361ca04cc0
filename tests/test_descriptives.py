"""Tests of tweetstorm.descriptives against independent computations on small hand-made tables."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tweetstorm import codebook as codebook_module
from tweetstorm import descriptives as d
from tweetstorm.errors import InputError

from descriptives_data import _cat, consensus_rows, small_codebook

Z95 = 1.959963984540054  # standard normal 97.5% quantile


@pytest.fixture()
def codebook() -> codebook_module.Codebook:
    return small_codebook()


_consensus = consensus_rows


# ----------------------------------------------------------------------------- frequencies

def test_wilson_interval_matches_the_formula_by_hand(codebook):
    # Q1: 12 of 40 answers are "sharing" (by 3 authors), 28 "feedback"; "motivation" never used.
    rows = [("Q1", f"P0{i % 3 + 1}", "sharing") for i in range(12)]
    rows += [("Q1", "P09", "feedback") for _ in range(28)]
    freq = d.category_frequencies(_consensus(rows), codebook, question="Q1")
    row = freq.set_index("code").loc["sharing"]
    n, k = 40, 12
    p = k / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    assert row["n"] == 12 and row["n_units"] == 40 and row["share"] == pytest.approx(0.3)
    assert row["ci_low"] == pytest.approx(centre - half, abs=1e-12)
    assert row["ci_high"] == pytest.approx(centre + half, abs=1e-12)
    assert row["ci_low"] == pytest.approx(0.1807, abs=5e-5)  # the rounded hand value
    assert row["n_participants"] == 3
    unused = freq.set_index("code").loc["motivation"]
    assert unused["n"] == 0 and unused["ci_low"] == 0.0
    assert unused["ci_high"] == pytest.approx(Z95**2 / n / (1 + Z95**2 / n))  # Wilson upper at 0


def test_rank_by_count_then_codebook_order(codebook):
    rows = [("Q1", "P01", "feedback"), ("Q1", "P02", "feedback"), ("Q1", "P03", "motivation"),
            ("Q1", "P03", "sharing"), ("Q2", "P01", "reciprocity")]
    freq = d.category_frequencies(_consensus(rows), codebook)
    q1 = freq[freq["question"] == "Q1"]
    # feedback (2) first; sharing and motivation tie at 1 and share the best rank (competition
    # ranking), listed in codebook order.
    assert q1["code"].tolist() == ["feedback", "sharing", "motivation"]
    assert q1["rank"].tolist() == [1, 2, 2]
    q2 = freq[freq["question"] == "Q2"]
    assert q2["code"].tolist() == ["reciprocity", "motivation"]
    assert q2["n"].tolist() == [1, 0]
    assert freq.groupby("question")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_unknown_code_names_the_row(codebook):
    rows = [("Q1", "P01", "sharing"), ("Q2", "P01", "sharing")]  # sharing is not a Q2 code
    with pytest.raises(InputError) as err:
        d.category_frequencies(_consensus(rows), codebook)
    assert err.value.row == 2 and "sharing" in err.value.what


def test_missing_question_names_the_row(codebook):
    cons = _consensus([("Q1", "P01", "sharing"), ("Q1", "P02", "feedback")])
    cons["question"] = pd.array(["Q1", None], dtype="string")
    with pytest.raises(InputError) as err:
        d.category_frequencies(cons, codebook)
    assert err.value.row == 2 and "not in the codebook" in err.value.what


def test_top_category_sentence_uses_the_values(codebook):
    rows = [("Q1", "P01", "sharing")] * 3 + [("Q1", "P02", "feedback")]
    freq = d.category_frequencies(_consensus(rows), codebook, question="Q1")
    text = d.top_category_sentence(freq, "Goals")
    # 1 of the 2 participants answering raised sharing; resampling the two, sharing is first
    # unless only P02 is drawn (probability 1/4), when it falls to rank 2.
    low, high = stats.binomtest(1, 2).proportion_ci(method="wilson")
    assert text == (f"The most frequent category of Goals was Sharing (3 of 4 answers; raised by 1 "
                    f"of 2 participants, 50% [95% CI {100 * low:.0f}%, {100 * high:.0f}%]; rank "
                    f"between 1 and 2 in 95% of participant resamples).")
    assert d.question_slug(codebook, "Q1") == "q1_goals"


# ----------------------------------------------------------------------------- tests

def test_chi_square_against_hand_value_and_scipy():
    table = pd.DataFrame([[10, 20], [30, 15]], index=["a", "b"], columns=["x", "y"])
    res = d.association_test(table)
    # Expected counts: 30*40/75 = 16, 14, 24, 21; X^2 = 36/16 + 36/14 + 36/24 + 36/21.
    hand = 36 / 16 + 36 / 14 + 36 / 24 + 36 / 21
    ref = stats.chi2_contingency(table.to_numpy(), correction=False)
    assert res["method"] == "chi-square" and res["cochran_ok"]
    assert res["chi2"] == pytest.approx(hand) == pytest.approx(8.035714, abs=1e-6)
    assert res["chi2"] == pytest.approx(ref.statistic)
    assert res["p_value"] == pytest.approx(ref.pvalue)
    assert res["df"] == 1 and res["min_expected"] == pytest.approx(14.0)


def test_chi_square_larger_table_against_scipy():
    table = pd.DataFrame([[20, 15, 30], [25, 30, 10], [12, 18, 22]])
    res = d.association_test(table)
    ref = stats.chi2_contingency(table.to_numpy())
    assert res["method"] == "chi-square" and res["df"] == 4
    assert res["chi2"] == pytest.approx(ref.statistic)
    assert res["p_value"] == pytest.approx(ref.pvalue)


def test_adjusted_residuals_2x2_by_hand():
    table = pd.DataFrame([[10, 20], [30, 15]], index=["a", "b"], columns=["x", "y"])
    r = d.adjusted_residuals(table).set_index(["row", "col"])
    # cell (a, x): (10 - 16) / sqrt(16 * (1 - 30/75) * (1 - 40/75))
    a_x = (10 - 16) / math.sqrt(16 * (1 - 30 / 75) * (1 - 40 / 75))
    assert r.loc[("a", "x"), "adj_resid"] == pytest.approx(a_x) == pytest.approx(-2.83473, abs=1e-5)
    # In a 2x2 table all four adjusted residuals have the same size, and a_x^2 equals X^2.
    assert r["adj_resid"].abs().to_numpy() == pytest.approx([abs(a_x)] * 4)
    assert r.loc[("a", "y"), "adj_resid"] == pytest.approx(-a_x)
    assert a_x**2 == pytest.approx(36 / 16 + 36 / 14 + 36 / 24 + 36 / 21)
    assert r.loc[("b", "y"), "expected"] == pytest.approx(21.0)


def test_small_2x2_uses_fisher_exact_with_hand_p():
    # [[3, 0], [0, 3]]: of the C(6,3) = 20 tables with these margins, [[3,0],[0,3]] and
    # [[0,3],[3,0]] are the two as extreme, each with probability 1/20: two-sided p = 0.1.
    res = d.association_test(pd.DataFrame([[3, 0], [0, 3]]))
    assert res["method"] == "Fisher exact" and not res["cochran_ok"]
    assert res["p_value"] == pytest.approx(0.1)
    # the p-value does not come from the chi-square distribution: no chi2, no df beside it
    assert math.isnan(res["chi2"]) and math.isnan(res["df"])


def _freeman_halton_exact(table: np.ndarray) -> float:
    """Exact Fisher-Freeman-Halton p for a 2 x c table, by enumerating every table with the same
    margins (probability = prod(row!) prod(col!) / (n! prod(cell!)))."""
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    n = table.sum()

    def prob(t):
        num = sum(math.lgamma(x + 1) for x in [*rows, *cols])
        den = math.lgamma(n + 1) + sum(math.lgamma(x + 1) for x in t.ravel())
        return math.exp(num - den)

    p_obs = prob(table)
    total = 0.0
    for first in itertools.product(*[range(c + 1) for c in cols]):
        if sum(first) != rows[0]:
            continue
        t = np.array([first, cols - np.array(first)])
        pt = prob(t)
        if pt <= p_obs * (1 + 1e-7):
            total += pt
    return total


def test_sparse_larger_table_uses_seeded_monte_carlo_close_to_exact():
    table = pd.DataFrame([[4, 1, 0], [0, 2, 4]], index=["r1", "r2"], columns=["a", "b", "c"])
    res = d.association_test(table, seed=7, n_resamples=20000)
    again = d.association_test(table, seed=7, n_resamples=20000)
    exact = _freeman_halton_exact(table.to_numpy())
    assert res["method"].startswith("Fisher-Freeman-Halton")
    assert res["p_value"] == again["p_value"]  # seeded: the same every run
    assert res["p_value"] == pytest.approx(exact, abs=0.01)  # Monte Carlo error ~ 0.002 here


def test_empty_rows_and_columns_are_dropped_and_reported():
    table = pd.DataFrame([[10, 20, 0], [0, 0, 0], [30, 15, 0]], index=["a", "empty", "b"],
                         columns=["x", "y", "none"])
    res = d.association_test(table)
    assert res["dropped"] == "empty, none"
    assert (res["n_rows"], res["n_cols"]) == (2, 2)
    assert res["chi2"] == pytest.approx(36 / 16 + 36 / 14 + 36 / 24 + 36 / 21)
    one_row = d.association_test(pd.DataFrame([[5, 5], [0, 0]]))
    assert one_row["method"].startswith("not testable") and math.isnan(one_row["p_value"])


def test_holm_against_hand_values():
    tests = pd.DataFrame({"level": ["participant"] * 5 + ["answer"],
                          "p_value": [0.01, 0.04, 0.03, 0.005, np.nan, 0.0001]})
    out = d.holm(tests, alpha=0.05)
    # sorted 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> max so far 0.06.
    # The answer-level row is not in the family (else the multipliers would be 5, 4, ...).
    assert out["p_holm"].iloc[:4].tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert math.isnan(out["p_holm"].iloc[4]) and math.isnan(out["p_holm"].iloc[5])
    assert out["reject"].iloc[:4].tolist() == [True, False, False, True]
    assert out["reject"].iloc[4:].isna().all()


def test_category_by_question_for_shared_codes(codebook):
    assert d.shared_codes(codebook) == {"motivation": ["Q1", "Q2"]}
    rows = ([("Q1", "P01", "motivation")] * 12 + [("Q1", "P02", "sharing")] * 28
            + [("Q2", "P03", "motivation")] * 25 + [("Q2", "P04", "reciprocity")] * 15)
    tests, resid = d.question_tests(_consensus(rows), codebook)
    assert len(tests) == 1
    t = tests.iloc[0]
    ref = stats.chi2_contingency(np.array([[12, 28], [25, 15]]), correction=False)
    assert (t["question"], t["code"], t["level"]) == ("Q1 vs Q2", "motivation", "answer")
    assert t["method"].startswith("chi-square") and "exploratory" in t["method"]
    assert t["chi2"] == pytest.approx(ref.statistic)
    assert t["p_value"] == pytest.approx(ref.pvalue)
    assert resid.set_index(["level", "code"]).loc[("Q1", "motivation"), "observed"] == 12


def test_no_shared_codes_gives_no_test():
    data = {"questions": {q: {"label": q, "prompt": "p", "multi_code": False,
                              "categories": [_cat(f"c{q.lower()}a"), _cat(f"c{q.lower()}b")]}
                          for q in ("Q1", "Q2")}}
    cb = codebook_module.parse(data, "x.yml")
    tests, resid = d.question_tests(_consensus([("Q1", "P01", "cq1a")]), cb)
    assert d.shared_codes(cb) == {} and tests.empty and resid.empty


def test_characteristic_tests_counts_missing_and_rejects_unknown_authors(codebook):
    rows = ([("Q1", "P01", "sharing")] * 10 + [("Q1", "P02", "feedback")] * 20
            + [("Q1", "P03", "sharing")] * 30 + [("Q1", "P04", "feedback")] * 15
            + [("Q1", "P05", "feedback")] * 2)
    participants = pd.DataFrame({"handle": ["P01", "P02", "P03", "P04", "P05"],
                                 "role": ["teacher", "teacher", "researcher", "researcher", None],
                                 "sector": ["school"] * 5})
    tests, resid = d.characteristic_tests(_consensus(rows), participants, codebook,
                                          characteristics=("role",))
    q1 = tests[(tests["question"] == "Q1") & (tests["level"] == "answer")].iloc[0]
    # code x role: sharing = [30 researcher, 10 teacher], feedback = [15, 20]; P05 has no role.
    # Chi-square does not depend on the order of rows or columns.
    ref = stats.chi2_contingency(np.array([[10, 30], [20, 15]]), correction=False)
    assert q1["n"] == 75 and q1["n_missing"] == 2 and q1["dropped"] == "motivation"
    assert q1["chi2"] == pytest.approx(ref.statistic)
    assert set(resid["level"]) == {"researcher", "teacher"}
    with pytest.raises(InputError, match="P05"):
        d.characteristic_tests(_consensus(rows), participants.iloc[:4], codebook,
                               characteristics=("role",))


# ----------------------------------------------------------------------------- participation

def test_gini_known_vectors_and_pairwise_definition():
    assert d.gini([1, 1, 1, 1]) == pytest.approx(0.0)
    assert d.gini([0, 0, 0, 1]) == pytest.approx(0.75)
    x = np.array([3, 0, 7, 1, 1, 12, 4])
    pairwise = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert d.gini(x) == pytest.approx(pairwise)
    assert math.isnan(d.gini([0, 0]))
    with pytest.raises(ValueError):
        d.gini([1, -1])


def test_top_share():
    x = [10, 5, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]  # 20 people: top tenth = 2
    assert d.top_share(x) == (2, pytest.approx(15 / 20))
    assert d.top_share([1] * 25)[0] == 3  # ceil(2.5)
    assert d.top_share([4, 4, 2])[0] == 1


def _posts() -> pd.DataFrame:
    t0 = pd.Timestamp("2012-03-08 16:00:05", tz="UTC")
    rows = [  # (post_id, author, seconds after t0, role, question)
        ("1", "M01", 0, "question", "Q1"),
        ("2", "P01", 20, "answer", "Q1"),
        ("3", "P01", 70, "answer", "Q1"),
        ("4", "P02", 75, "retweet", None),
        ("5", "P01", 200, "answer", "Q2"),
        ("6", "M01", 130, "question", "Q2"),
        ("7", "P03", 190, "reply", None),
        ("8", "P02", 195, "answer", "Q2"),
        ("9", "P04", 5000, "outside_window", None),
        ("10", "P03", 196, "quote", None),
    ]
    return pd.DataFrame({"post_id": [r[0] for r in rows], "author_handle": [r[1] for r in rows],
                         "created_at": [t0 + pd.Timedelta(seconds=r[2]) for r in rows],
                         "role": [r[3] for r in rows],
                         "question": pd.array([r[4] for r in rows], dtype="string")})


def test_posts_per_participant_and_concentration():
    pp = d.posts_per_participant(_posts())
    # M01 only asks; P04 is outside the window; P03 only replies and quotes: no answer, so no
    # participant (participants are the authors of answers)
    assert pp["participant"].tolist() == ["P01", "P02"]
    assert pp.set_index("participant").loc["P01", "answer"] == 3
    assert pp.set_index("participant").loc["P02"].tolist() == [1, 1, 0, 0, 2]
    c = d.concentration(pp).iloc[0]
    # answers [3, 1]: top tenth of 2 = 1 person with 3 of 4; Gini = sum|xi - xj| / (2 n^2 mean)
    # = (2 + 2) / (2 * 4 * 2) = 0.25
    assert (c["n_participants"], c["total"], c["top_k"]) == (2, 4, 1)
    assert c["top_share"] == pytest.approx(0.75)
    assert c["gini"] == pytest.approx(0.25)


def test_moderators_and_bystanders_are_not_participants():
    # The moderator M1 (who retweets a lot) and X014 (who only retweets) are not participants.
    # M2 has an answer (a reply in a question's chain) without asking a question: the posts'
    # author_kind column, not the spelling of the pseudonym, says M2 is a moderator.
    t0 = pd.Timestamp("2012-11-15 19:00", tz="UTC")
    rows = [("1", "M1", "question", "Q1"), ("2", "P01", "answer", "Q1"),
            ("3", "M1", "retweet", None), ("4", "M1", "retweet", None),
            ("5", "X014", "retweet", None), ("6", "P02", "answer", None),
            ("7", "P02", "retweet", None), ("8", "M2", "answer", "Q1"),
            ("9", "X015", "reply", None), ("10", "X016", "off_topic", None)]
    posts = pd.DataFrame({"post_id": [r[0] for r in rows], "author_handle": [r[1] for r in rows],
                          "created_at": [t0 + pd.Timedelta(minutes=i) for i in range(len(rows))],
                          "role": [r[2] for r in rows],
                          "question": pd.array([r[3] for r in rows], dtype="string")})
    kind = {"M1": "moderator", "M2": "moderator", "P01": "participant", "P02": "participant"}
    posts["author_kind"] = posts["author_handle"].map(kind).fillna("other")
    assert d.moderators(posts) == ["M1", "M2"]
    pp = d.posts_per_participant(posts).set_index("participant")
    # one answer each; P02 first by total (answer + retweet); the unassigned answer counts
    assert pp.index.tolist() == ["P02", "P01"]
    assert pp.loc["P02"].tolist() == [1, 1, 0, 0, 2]
    c = d.concentration(pp.reset_index()).iloc[0]
    assert (c["n_participants"], c["total"], c["gini"]) == (2, 2, 0.0)


def test_notable_residuals_keeps_large_residuals_with_expected_count_at_least_one():
    res = pd.DataFrame({"row": list("abcde"), "col": "x",
                        "observed": [5, 2, 0, 3, 4],
                        "expected": [2.0, 0.5, 2.5, 2.9, 1.0],
                        "adj_resid": [2.5, 2.4, -2.0, 0.3, 1.96]})
    out = d.notable_residuals(res)
    # b: residual large but expected 0.5 < 1; d: small residual; e: 1.96 is not > 1.96
    assert out["row"].tolist() == ["a", "c"]
    assert out.index.tolist() == [0, 2]
    assert d.notable_residuals(res, min_expected=0.5)["row"].tolist() == ["a", "b", "c"]


def test_answers_per_question_and_timeline():
    posts = _posts()
    apq = d.answers_per_question(posts, ["Q1", "Q2", "Q3"])
    assert apq["answers"].tolist() == [2, 2, 0]
    assert apq["participants"].tolist() == [1, 2, 0]
    tl = d.timeline(posts)
    # minutes 16:00 .. 16:03 (outside_window post not counted), the empty minute included
    assert tl["minutes"].tolist() == [0, 1, 2, 3]
    assert tl["total"].tolist() == [2, 2, 1, 4]
    assert tl["answer"].tolist() == [1, 1, 0, 2]
    assert tl["total"].sum() == len(posts) - 1
    qt = d.question_times(posts)
    assert qt["question"].tolist() == ["Q1", "Q2"] and qt["minutes"].tolist() == [0, 2]


# ----------------------------------------------------------------------------- co-occurrence

def test_cooccurrence_on_a_hand_table(codebook):
    rows = [("Q1", "P01", "sharing"), ("Q2", "P01", "motivation"), ("Q1", "P01", "sharing"),
            ("Q1", "P02", "sharing"), ("Q2", "P02", "motivation"), ("Q1", "P02", "feedback"),
            ("Q1", "P03", "motivation")]
    inc = d.incidence(_consensus(rows), codebook)
    assert inc.index.tolist() == ["P01", "P02", "P03"]
    assert inc.columns.tolist() == ["Q1:sharing", "Q1:motivation", "Q1:feedback", "Q2:motivation",
                                    "Q2:reciprocity"]
    assert inc.loc["P01"].tolist() == [1, 0, 0, 1, 0]  # two "sharing" answers count once
    co = d.cooccurrence(inc)
    hand = {("Q1:sharing", "Q1:sharing"): 2, ("Q1:sharing", "Q2:motivation"): 2,
            ("Q1:sharing", "Q1:feedback"): 1, ("Q1:motivation", "Q1:sharing"): 0,
            ("Q1:motivation", "Q1:motivation"): 1, ("Q2:reciprocity", "Q2:reciprocity"): 0}
    for (a, b), v in hand.items():
        assert co.loc[a, b] == v and co.loc[b, a] == v
    pairs = d.pair_enrichment(co, len(inc)).set_index(["category_a", "category_b"])
    # sharing (P01, P02) and Q2 motivation (P01, P02) among 3 participants: expected 2 * 2 / 3,
    # P(X >= 2) for X ~ Hypergeometric(3, 2, 2) = C(2,2) C(1,0) / C(3,2) = 1/3.
    top = pairs.loc[("Q1:sharing", "Q2:motivation")]
    assert top["participants"] == 2 and top["expected"] == pytest.approx(4 / 3)
    assert top["lift"] == pytest.approx(1.5) and top["p_value"] == pytest.approx(1 / 3)
    assert ("Q2:reciprocity", "Q1:sharing") not in pairs.index  # never raised: no pair


# ----------------------------------------------------------------------------- figures

def test_figures_render_and_save_the_same_bytes(codebook, tmp_path):
    from tweetstorm import figures

    rows = [("Q1", "P01", "sharing")] * 3 + [("Q1", "P02", "feedback")]
    agreement = pd.DataFrame({"question": ["Q1", "Q1"], "category": ["sharing", "feedback"],
                              "kappa": [0.9, 0.3]})
    freq = d.category_frequencies(_consensus(rows), codebook, question="Q1",
                                  category_agreement=agreement)
    first = figures.save_figure(d.plot_category_frequencies(freq, "Goals", xmax=80), "f", "c",
                                directory=tmp_path / "a")
    second = figures.save_figure(d.plot_category_frequencies(freq, "Goals", xmax=80), "f", "c",
                                 directory=tmp_path / "b")
    for kind in ("png", "svg"):
        assert first[kind].read_bytes() == second[kind].read_bytes()
    posts = _posts()
    fig = d.plot_participation(d.posts_per_participant(posts), d.timeline(posts),
                               d.question_times(posts))
    assert tuple(fig.get_size_inches()) == pytest.approx((figures.PAGE_WIDTH, 2.6))
    fig = d.plot_category_frequencies(freq, "Goals", xmax=80)
    assert fig.axes[0].get_xlim() == (0, 80)  # the x range given, shared by the questions
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 1  # feedback (kappa 0.3) is flagged, sharing is not
    rows += [("Q2", "P01", "motivation"), ("Q2", "P02", "motivation")]
    co = d.cooccurrence(d.incidence(_consensus(rows), codebook))
    fig = d.plot_cooccurrence(co)
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    mesh = fig.axes[0].collections[0]
    # the colour scale is set by the pairs (at most 1 participant raises both), not by the
    # diagonal (2 participants raised Q2 motivation)
    assert co.to_numpy().max() == 2 and mesh.get_clim() == (0, 1)
    separators = [ln for ln in fig.axes[0].lines if ln.get_color() == "black"]
    assert len(separators) == 2  # one question boundary: a horizontal and a vertical segment
