"""Participant-level methods of tweetstorm.descriptives against hand-computed small cases and
independent computations: competition ranks, cluster-bootstrap rank intervals, participant shares,
agreement flags, per-rater rankings, the participant permutation test, Bergsma's corrected
Cramér's V, co-occurrence against independence, author kinds and reader headers."""

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

from descriptives_data import consensus_rows, small_codebook


@pytest.fixture()
def codebook() -> codebook_module.Codebook:
    return small_codebook()


_consensus = consensus_rows


# ----------------------------------------------------------------------------- ranks

def test_competition_rank_shares_the_best_rank():
    assert d.competition_rank(np.array([5, 5, 5, 2])).tolist() == [1, 1, 1, 4]
    assert d.competition_rank(np.array([3, 1, 3, 0])).tolist() == [1, 3, 1, 4]
    # scipy's "min" ranking of the negated counts is the same rule
    x = np.array([4, 7, 7, 0, 4, 1])
    assert d.competition_rank(x).tolist() == stats.rankdata(-x, method="min").astype(int).tolist()
    assert d.competition_rank(np.array([[1, 2], [2, 1]])).tolist() == [[2, 1], [1, 2]]


def test_rank_interval_of_a_case_enumerated_by_hand():
    # P1: 3 x A; P2: 3 x A and 1 x B; P3: 3 x A; C unused. In every resample of 3 participants
    # A = 9 (rank 1); B > 0 unless P2 is not drawn, probability (2/3)^3 = 0.296. B is rank 2
    # always (alone or tied with C at 0); C is rank 2 when B = 0, else rank 3.
    counts = np.array([[3, 0, 0], [3, 1, 0], [3, 0, 0]])
    low, high = d.rank_interval(counts, n_boot=2000, seed=1)
    assert low.tolist() == [1, 2, 2] and high.tolist() == [1, 2, 3]
    # two participants with A twice and B once: A first unless only P2 is drawn (1/4)
    low, high = d.rank_interval(np.array([[2, 0], [0, 1]]), n_boot=2000, seed=1)
    assert low.tolist() == [1, 1] and high.tolist() == [2, 2]
    again = d.rank_interval(np.array([[2, 0], [0, 1]]), n_boot=2000, seed=1)
    assert [a.tolist() for a in again] == [low.tolist(), high.tolist()]


def test_cluster_bootstrap_weights_draw_whole_participants():
    w = d.cluster_bootstrap_weights(5, 4000, np.random.default_rng(3))
    assert w.shape == (4000, 5) and (w.sum(axis=1) == 5).all()
    # each participant is drawn Binomial(5, 1/5) times: mean 1, variance 0.8
    assert w.mean() == pytest.approx(1.0, abs=0.02)
    assert w.var() == pytest.approx(0.8, abs=0.05)


def test_participant_shares_kappa_flags_and_ties(codebook):
    # Q1: P01 sharing x2, P02 sharing + feedback, P03 motivation, P04 feedback x2;
    # sharing 3 answers (2 people), feedback 3 (2), motivation 1 (1); 4 participants answering.
    rows = [("Q1", "P01", "sharing"), ("Q1", "P01", "sharing"), ("Q1", "P02", "sharing"),
            ("Q1", "P02", "feedback"), ("Q1", "P03", "motivation"), ("Q1", "P04", "feedback"),
            ("Q1", "P04", "feedback"), ("Q2", "P05", "reciprocity")]
    agreement = pd.DataFrame({"question": ["Q1", "Q1", "Q1", "Q2"],
                              "category": ["sharing", "motivation", "feedback", "reciprocity"],
                              "kappa": [0.8, 0.28, 0.6, 0.9]})
    freq = d.category_frequencies(_consensus(rows), codebook, category_agreement=agreement,
                                  kappa_threshold=0.6, n_boot=500)
    assert freq.columns.tolist() == d.FREQUENCY_COLUMNS
    q1 = freq[freq["question"] == "Q1"].set_index("code")
    assert q1.index.tolist() == ["sharing", "feedback", "motivation"]  # tie in codebook order
    assert q1["rank"].tolist() == [1, 1, 3]
    assert q1["participants_answering"].tolist() == [4, 4, 4]
    assert q1["n_participants"].tolist() == [2, 2, 1]
    assert q1.loc["sharing", "participant_share"] == pytest.approx(0.5)
    # Wilson interval by hand for 1 of 4
    z = stats.norm.ppf(0.975)
    p, n = 0.25, 4
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert q1.loc["motivation", "participant_ci_low"] == pytest.approx(centre - half)
    assert q1.loc["motivation", "participant_ci_high"] == pytest.approx(centre + half)
    # flag below the threshold only: 0.6 itself is not flagged
    assert q1["flag"].tolist() == ["", "", "low agreement"]
    assert q1.loc["motivation", "category_kappa"] == pytest.approx(0.28)
    q2 = freq[freq["question"] == "Q2"].set_index("code")
    assert math.isnan(q2.loc["motivation", "category_kappa"]) and q2.loc["motivation", "flag"] == ""
    assert q2.loc["reciprocity", "participants_answering"] == 1
    sentence = d.flag_sentence(freq[freq["question"] == "Q1"], "Goals", kappa_threshold=0.6)
    assert sentence.startswith("One category of Goals has a category kappa below 0.60: "
                               "Motivation (kappa 0.28)")


def test_rank_by_rater_counts_each_raters_codes(codebook):
    rows = [("Q1", "P01", "sharing"), ("Q1", "P02", "sharing"), ("Q1", "P03", "feedback")]
    freq = d.category_frequencies(_consensus(rows), codebook, question="Q1", n_boot=200)
    ratings = pd.DataFrame({
        "unit_id": ["u1", "u2", "u3"] * 2 + ["u9"],
        "question": ["Q1"] * 6 + ["Q2"],
        "rater": ["R1"] * 3 + ["R2"] * 3 + ["R1"],
        "code": ["sharing", "sharing", "feedback", "feedback", "motivation", "feedback",
                 "reciprocity"]})
    out = d.rank_by_rater(ratings, freq)
    assert out.columns.tolist() == ["code", "label", "rank", "n", "rank_R1", "n_R1", "rank_R2",
                                    "n_R2"]
    assert out["code"].tolist() == ["sharing", "feedback", "motivation"]
    assert out["n_R1"].tolist() == [2, 1, 0] and out["rank_R1"].tolist() == [1, 2, 3]
    assert out["n_R2"].tolist() == [0, 2, 1] and out["rank_R2"].tolist() == [3, 1, 2]
    text = d.rater_rank_sentence(out, "Goals")
    assert text == ("Ranked by each rater's own codes, the consensus first-ranked category of Goals "
                    "comes at rank 1 (rater R1); 3 (rater R2); across all categories a rater's "
                    "rank differs from the consensus rank by at most 2 places.")
    with pytest.raises(InputError, match="rater"):
        d.rank_by_rater(ratings.drop(columns=["rater"]), freq)


def test_shared_axis_limit_covers_every_question():
    freq = pd.DataFrame({"participant_ci_high": [0.31, 0.72, 0.05]})
    assert d.shared_axis_limit(freq) == pytest.approx(84.0)
    assert d.shared_axis_limit(pd.DataFrame({"participant_ci_high": [0.95]})) == 100.0


# ----------------------------------------------------------------------------- association

def test_bias_corrected_cramers_v_by_hand():
    # [[6, 4], [3, 7]]: X^2 = 20/11, phi2 = 1/11, phi2+ = 1/11 - 1/19 = 8/209,
    # r~ - 1 = c~ - 1 = 1 - 1/19 = 18/19, V~ = sqrt((8/209) / (18/19)) = sqrt(4/99).
    assert float(d.cramers_v(np.array([[6, 4], [3, 7]]))) == pytest.approx(math.sqrt(4 / 99))
    assert float(d.cramers_v(np.array([[10, 0], [0, 10]]))) == pytest.approx(1.0)
    # independence in the sample: corrected V is 0 (the uncorrected one is 0 too here)
    assert float(d.cramers_v(np.array([[5, 5], [5, 5]]))) == 0.0
    # a 3 x 2 table against the formula written out from scipy's chi-square
    t = np.array([[12, 3], [5, 9], [4, 11]])
    chi2 = stats.chi2_contingency(t, correction=False).statistic
    n, r, c = t.sum(), 3, 2
    phi2p = max(0.0, chi2 / n - (r - 1) * (c - 1) / (n - 1))
    rt, ct = r - (r - 1) ** 2 / (n - 1), c - (c - 1) ** 2 / (n - 1)
    assert float(d.cramers_v(t)) == pytest.approx(math.sqrt(phi2p / min(rt - 1, ct - 1)))
    assert math.isnan(float(d.cramers_v(np.array([[3, 4], [0, 0]]))))


def _exact_participant_permutation_p(counts: np.ndarray, groups: np.ndarray) -> float:
    """Every distinct assignment of the group labels to participants, equally likely."""
    obs = d.pearson_statistic(np.eye(2)[groups].T @ counts)
    n1 = int(groups.sum())
    stats_ = []
    for ones in itertools.combinations(range(len(groups)), n1):
        g = np.zeros(len(groups), dtype=int)
        g[list(ones)] = 1
        stats_.append(d.pearson_statistic(np.eye(2)[g].T @ counts))
    stats_ = np.array(stats_)
    return float((stats_ >= obs - 1e-9).mean())


def test_participant_permutation_test_against_full_enumeration():
    # 6 participants, 2 answers each; the three in group 0 answered A twice, the others B twice.
    # Of the C(6, 3) = 20 assignments of the labels, 2 separate A and B perfectly: exact p = 0.1,
    # although the answer-level table [[6, 0], [0, 6]] looks overwhelming (Fisher p = 0.002).
    counts = np.array([[2, 0]] * 3 + [[0, 2]] * 3)
    groups = np.array([0, 0, 0, 1, 1, 1])
    exact = _exact_participant_permutation_p(counts, groups)
    assert exact == pytest.approx(0.1)
    stat, p = d.participant_permutation_test(counts, groups, n_permutations=20000, seed=5)
    assert stat == pytest.approx(12.0)  # Pearson X^2 of [[6, 0], [0, 6]]
    assert p == pytest.approx(exact, abs=0.006)  # Monte Carlo SE ~ 0.002
    assert stats.fisher_exact([[6, 0], [0, 6]]).pvalue < 0.01
    # a less regular case: 7 participants, three categories, unequal answers
    counts = np.array([[3, 1, 0], [2, 0, 1], [0, 2, 2], [1, 1, 0], [0, 0, 3], [4, 0, 0],
                       [0, 3, 1]])
    groups = np.array([0, 0, 1, 0, 1, 0, 1])
    exact = _exact_participant_permutation_p(counts, groups)
    _, p = d.participant_permutation_test(counts, groups, n_permutations=20000, seed=5)
    assert p == pytest.approx(exact, abs=0.01)
    assert d.participant_permutation_test(counts, groups, n_permutations=999, seed=5) == \
        d.participant_permutation_test(counts, groups, n_permutations=999, seed=5)


def test_effect_interval_of_a_perfectly_separated_table_is_one():
    counts = np.array([[2, 0]] * 4 + [[0, 2]] * 4)
    groups = np.array([0] * 4 + [1] * 4)
    low, high = d.effect_interval(counts, groups, n_boot=500, seed=2)
    # every resample with both groups is perfectly separated (V = 1); others are undefined
    assert (low, high) == (pytest.approx(1.0), pytest.approx(1.0))


def test_characteristic_tests_give_both_levels_with_holm_over_participants(codebook):
    rows = ([("Q1", "P01", "sharing")] * 4 + [("Q1", "P02", "sharing")] * 3
            + [("Q1", "P03", "feedback")] * 4 + [("Q1", "P04", "feedback")] * 3
            + [("Q1", "P05", "sharing"), ("Q1", "P06", "feedback")]
            + [("Q2", "P01", "motivation"), ("Q2", "P03", "reciprocity")])
    participants = pd.DataFrame({"handle": [f"P0{i}" for i in range(1, 7)],
                                 "role": ["a", "a", "b", "b", "a", "b"]})
    tests, _ = d.characteristic_tests(_consensus(rows), participants, codebook,
                                      characteristics=("role",), n_permutations=999, n_boot=300)
    assert tests.columns.tolist() == d.TEST_COLUMNS
    q1 = tests[tests["question"] == "Q1"].set_index("level")
    assert set(q1.index) == {"participant", "answer"}
    part, ans = q1.loc["participant"], q1.loc["answer"]
    # participant level: 6 participants, 3 per role: of the 20 assignments 2 separate perfectly
    assert part["p_value"] == pytest.approx(0.1, abs=0.03)
    assert math.isnan(part["chi2"]) and part["statistic"] == pytest.approx(16.0)
    assert part["n_participants"] == 6 and part["n"] == 16
    # answer level: [[8, 0], [0, 8]] is sparse (expected 4 < 5 in every cell): Fisher exact
    assert ans["method"].startswith("Fisher exact") and "exploratory" in ans["method"]
    assert ans["p_value"] == pytest.approx(stats.fisher_exact([[8, 0], [0, 8]]).pvalue)
    assert not ans["cochran_ok"] and math.isnan(ans["chi2"])
    assert part["effect_size"] == pytest.approx(1.0) == ans["effect_size"]
    out = d.holm(tests)
    fam = out[out["level"] == "participant"]
    ok = fam["p_value"].notna()
    ref = np.minimum(1, fam.loc[ok, "p_value"].sort_values() * np.arange(ok.sum(), 0, -1))
    assert fam.loc[ok, "p_holm"].sort_values().tolist() == pytest.approx(
        np.maximum.accumulate(ref.to_numpy()).tolist())
    assert out.loc[out["level"] == "answer", "p_holm"].isna().all()
    text = d.tests_sentence(out)
    assert text.startswith(f"Of {int(ok.sum())} participant-level test")


def test_tests_sentence_names_the_significant_tests():
    tests = pd.DataFrame({"level": ["participant", "participant", "answer"],
                          "family": ["category x characteristic"] * 3,
                          "question": ["Q1", "Q2", "Q1"], "characteristic": ["role"] * 3,
                          "p_value": [0.0001, 0.4, 0.01], "effect_size": [0.31, 0.05, 0.31],
                          "effect_ci_low": [0.12, 0.0, 0.12], "effect_ci_high": [0.45, 0.2, 0.45]})
    text = d.tests_sentence(d.holm(tests))
    assert text == ("Of 2 participant-level tests (participants' characteristic permuted among "
                    "participants, Holm's correction over the 2), 1 was significant at alpha = "
                    "0.05: role in Q1 (adjusted p < 0.001, Cramér's V = 0.31 [0.12, 0.45]). The "
                    "exploratory answer-level tests, which treat answers as independent, gave 1 of "
                    "1 unadjusted p-values below 0.05.")


# ----------------------------------------------------------------------------- co-occurrence

def test_pair_enrichment_against_fisher_one_sided():
    inc = pd.DataFrame({"a": [1, 1, 0, 0, 1], "b": [1, 1, 0, 0, 0], "c": [0, 0, 1, 1, 0]},
                       index=[f"P{i}" for i in range(5)])
    pairs = d.pair_enrichment(d.cooccurrence(inc), len(inc))
    assert pairs.columns.tolist() == d.PAIR_COLUMNS
    by = pairs.set_index(["category_a", "category_b"])
    # a (3 people) and b (2) both raised by 2 of 5: expected 3 * 2 / 5 = 1.2, lift 5/3
    ab = by.loc[("a", "b")]
    assert ab["participants"] == 2 and ab["expected"] == pytest.approx(1.2)
    assert ab["lift"] == pytest.approx(2 / 1.2)
    assert ab["p_value"] == pytest.approx(
        stats.fisher_exact([[2, 1], [0, 2]], alternative="greater").pvalue)
    assert ab["p_value"] == pytest.approx(3 / 10)  # C(3,2) C(2,0) / C(5,2)
    assert by.loc[("a", "c"), "p_value"] == pytest.approx(1.0)
    # ranked by p: (a, b) first, ahead of the pairs never raised together
    assert pairs.iloc[0][["category_a", "category_b"]].tolist() == ["a", "b"]
    text = d.pairs_sentence(pairs, inc)
    assert "a with b: 2 participants against 1.2 expected (lift 1.67" in text


# ----------------------------------------------------------------------------- participation

def _posts(kinds: bool) -> pd.DataFrame:
    t0 = pd.Timestamp("2012-11-15 19:00", tz="UTC")
    rows = [("1", "mod", "question", "Q1"), ("2", "ann", "answer", "Q1"),
            ("3", "bob", "retweet", None), ("4", "ann", "reply", None),
            ("5", "cat", "answer", "Q1")]
    posts = pd.DataFrame({"post_id": [r[0] for r in rows], "author_handle": [r[1] for r in rows],
                          "created_at": [t0 + pd.Timedelta(minutes=i) for i in range(len(rows))],
                          "role": [r[2] for r in rows],
                          "question": pd.array([r[3] for r in rows], dtype="string")})
    if kinds:
        posts["author_kind"] = posts["author_handle"].map(
            {"mod": "moderator", "ann": "participant", "bob": "other", "cat": "moderator"})
    return posts


def test_author_kinds_read_from_the_column_or_derived_from_roles():
    # with the column: cat is a moderator although she answered (a moderator's own answer)
    k = d.author_kinds(_posts(True)).set_index("author_handle")["author_kind"]
    assert k.to_dict() == {"ann": "participant", "bob": "other", "cat": "moderator",
                           "mod": "moderator"}
    assert d.posts_per_participant(_posts(True))["participant"].tolist() == ["ann"]
    # without it: from the roles (the author of a question is a moderator)
    k = d.author_kinds(_posts(False)).set_index("author_handle")["author_kind"]
    assert k.to_dict() == {"ann": "participant", "bob": "other", "cat": "participant",
                           "mod": "moderator"}
    bad = _posts(True)
    bad.loc[3, "author_kind"] = "other"  # ann twice, with two kinds
    with pytest.raises(InputError, match="more than one author_kind"):
        d.author_kinds(bad)
    bad = _posts(True)
    bad.loc[0, "author_kind"] = "host"
    with pytest.raises(InputError) as err:
        d.author_kinds(bad)
    assert err.value.row == 1


# ----------------------------------------------------------------------------- headers

def test_tables_keep_csv_names_and_show_readers_headers(tmp_path):
    from tweetstorm.tables import write_table

    df = pd.DataFrame({"rank": [1], "label": ["Sharing"], "participant_share": [0.5],
                       "rank_R1": [2]})
    written = write_table(df, "t", "A caption.", directory=tmp_path,
                          headers=d.reader_headers(df.columns))
    assert written["csv"].read_text().splitlines()[0] == "rank,label,participant_share,rank_R1"
    md = written["md"].read_text()
    header = [h.strip() for h in md.splitlines()[2].strip("|").split("|")]
    assert header == ["Rank", "Category", "Share of participants", "Rank (rater R1)"]
    assert "participant_share" not in md and "participant\\_share" not in written["tex"].read_text()
    assert d.markdown_table(df).splitlines()[0] == md.splitlines()[2]
    flags = pd.DataFrame({"cochran_ok": [True, False], "reject": pd.array([True, pd.NA],
                                                                       dtype="boolean")})
    assert d.markdown_table(flags).splitlines()[2:] == ["| yes                  | yes                  |",
                                                        "| no                   |                      |"]


def test_effect_interval_is_the_bias_shifted_percentile_interval():
    counts = np.array([[3, 1, 0], [2, 0, 1], [0, 2, 2], [1, 1, 0], [0, 0, 3], [4, 0, 0],
                       [0, 3, 1], [1, 2, 2]])
    groups = np.array([0, 0, 1, 0, 1, 0, 1, 1])
    low, high = d.effect_interval(counts, groups, n_boot=300, seed=4)
    # the same resamples, one by one: rows repeated as drawn, V from scipy's chi-square
    w = d.cluster_bootstrap_weights(8, 300, np.random.default_rng(4))

    def v_of(rows_counts, rows_groups):
        t = np.zeros((2, 3))
        for c, g in zip(rows_counts, rows_groups):
            t[g] += c
        t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
        if min(t.shape) < 2:
            return np.nan
        n, (r, c) = t.sum(), t.shape
        chi2 = stats.chi2_contingency(t, correction=False).statistic
        phi2p = max(0.0, chi2 / n - (r - 1) * (c - 1) / (n - 1))
        return math.sqrt(phi2p / min(r - (r - 1) ** 2 / (n - 1) - 1, c - (c - 1) ** 2 / (n - 1) - 1))

    vs = np.array([v_of(np.repeat(counts, wb, axis=0), np.repeat(groups, wb)) for wb in w])
    vs = vs[np.isfinite(vs)]
    est = v_of(counts, groups)
    bias = vs.mean() - est
    assert low == pytest.approx(max(0.0, np.quantile(vs, 0.025) - bias))
    assert high == pytest.approx(min(1.0, np.quantile(vs, 0.975) - bias))
    assert low <= est <= high


def test_settings_out_of_range_are_parameter_errors(codebook):
    from tweetstorm.errors import ParameterError

    cons = _consensus([("Q1", "P01", "sharing")])
    with pytest.raises(ParameterError, match="n_boot"):
        d.category_frequencies(cons, codebook, n_boot=0)
    with pytest.raises(ParameterError, match="kappa_threshold"):
        d.category_frequencies(cons, codebook, kappa_threshold=60)
    with pytest.raises(ParameterError, match="alpha"):
        d.characteristic_tests(cons, pd.DataFrame({"handle": ["P01"], "role": ["a"]}), codebook,
                               characteristics=("role",), alpha=5)
