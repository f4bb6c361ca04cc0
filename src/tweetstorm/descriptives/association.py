"""Do the categories depend on who answered? Tests of category x participant characteristic.

Two levels, each row of the tests table says which (``level``):

* ``participant`` (the inferential test): the participants' characteristic is permuted among the
  participants, each keeping all their answers together, so the dependence of answers within a
  participant is respected (:func:`participant_permutation_test`). Holm's correction runs over
  this family (:func:`holm`).
* ``answer`` (exploratory): the classical test of the answer-level table, which treats answers as
  independent (:func:`association_test`); kept for comparison and for the cell residuals.

The effect size is Cramér's V with Bergsma's (2013) bias correction (:func:`cramers_v`), with a
bias-corrected percentile interval from a cluster bootstrap of participants
(:func:`effect_interval`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests

from tweetstorm.codebook import shared_codes
from tweetstorm.errors import InputError
from tweetstorm.descriptives.frequencies import cluster_bootstrap_weights, participant_by_category
from tweetstorm.descriptives.inputs import PARTICIPANTS_FILE, check_consensus, check_settings, require_table_columns

#: Monte Carlo resamples of the exact test of sparse answer-level tables larger than 2 x 2.
N_RESAMPLES = 9999
#: Permutations of the participant-level test.
N_PERMUTATIONS = 9999
#: Resamples of the cluster bootstrap of the effect size.
N_BOOT = 2000

#: Permutations or resamples handled at once (bounds the memory: chunk x participants x levels).
_CHUNK = 1000

PARTICIPANT = "participant"
ANSWER = "answer"

TEST_COLUMNS = ["level", "family", "question", "characteristic", "code", "method", "statistic",
                "chi2", "df", "p_value", "p_holm", "reject", "effect_size", "effect_ci_low",
                "effect_ci_high", "cochran_ok", "min_expected", "n", "n_participants",
                "n_missing", "n_rows", "n_cols", "dropped"]


# --------------------------------------------------------------------------------------------
# Statistics of one table
# --------------------------------------------------------------------------------------------

def cochran_ok(expected: np.ndarray) -> bool:
    """Cochran's (1954) rule for the chi-square approximation: no expected count below 1 and at
    most 20% of the cells below 5."""
    expected = np.asarray(expected, dtype=float)
    return bool(expected.min() >= 1 and (expected < 5).mean() <= 0.2)


def pearson_statistic(tables: np.ndarray) -> np.ndarray:
    """Pearson's X^2 of each table of counts in ``tables`` (shape (..., r, c)) against its own
    margins; cells with expected count 0 (an empty row or column) contribute 0. Shape (...,)."""
    t = np.asarray(tables, dtype=float)
    n = t.sum(axis=(-2, -1), keepdims=True)
    expected = t.sum(axis=-1, keepdims=True) * t.sum(axis=-2, keepdims=True) / np.where(n > 0, n, 1)
    contrib = np.where(expected > 0, (t - expected) ** 2 / np.where(expected > 0, expected, 1), 0.0)
    return contrib.sum(axis=(-2, -1))


def cramers_v(tables: np.ndarray) -> np.ndarray:
    """Bias-corrected Cramér's V (Bergsma 2013, *J. Korean Stat. Soc.* 42, 323-328) of each table
    of counts in ``tables`` (shape (..., r, c)); shape (...,).

    Hand-written: scipy's ``contingency.association`` has only the uncorrected V. With ``n`` the
    total, ``r`` and ``c`` the numbers of non-empty rows and columns and ``phi2 = X^2 / n``:
    ``phi2+ = max(0, phi2 - (r - 1)(c - 1) / (n - 1))``, ``r~ = r - (r - 1)^2 / (n - 1)``,
    ``c~ = c - (c - 1)^2 / (n - 1)``, ``V~ = sqrt(phi2+ / min(r~ - 1, c~ - 1))``. NaN when fewer
    than two non-empty rows or columns or ``n < 2``.
    """
    t = np.asarray(tables, dtype=float)
    n = t.sum(axis=(-2, -1))
    r = (t.sum(axis=-1) > 0).sum(axis=-1)
    c = (t.sum(axis=-2) > 0).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi2 = pearson_statistic(t) / n
        phi2_plus = np.maximum(0.0, phi2 - (r - 1) * (c - 1) / (n - 1))
        r_t = r - (r - 1) ** 2 / (n - 1)
        c_t = c - (c - 1) ** 2 / (n - 1)
        v = np.sqrt(phi2_plus / np.minimum(r_t - 1, c_t - 1))
    return np.where((r >= 2) & (c >= 2) & (n >= 2), v, np.nan)


def association_test(table: pd.DataFrame, *, seed: int = 2013,
                     n_resamples: int = N_RESAMPLES) -> dict[str, Any]:
    """Test independence of rows and columns of a contingency table of counts (r x c), treating
    every count as an independent draw (the answer level).

    Empty rows and columns are dropped first (their labels are returned in ``dropped``). Then:

    * Cochran's rule holds (:func:`cochran_ok`): Pearson chi-square without continuity
      correction, ``statsmodels`` ``Table(shift_zeros=False).test_nominal_association()``;
      ``chi2`` and ``df`` are given, because the p-value comes from them;
    * otherwise, 2x2: Fisher's exact test (``scipy.stats.fisher_exact``, two-sided);
    * otherwise, larger: the Fisher-Freeman-Halton exact test by seeded Monte Carlo
      (``scipy.stats.fisher_exact(method=MonteCarloMethod(n_resamples, rng))``); statsmodels has
      no exact r x c test. In these two cases ``chi2`` and ``df`` are NaN.
    * fewer than two non-empty rows or columns: not testable (``method`` says so, p is NaN).

    Returns a dict: ``method, chi2, df, p_value, cochran_ok, effect_size, n, n_rows, n_cols,
    min_expected, dropped`` (``effect_size``: :func:`cramers_v`).
    """
    counts = table.astype(float)
    keep_r = counts.sum(axis=1) > 0
    keep_c = counts.sum(axis=0) > 0
    dropped = [str(x) for x in counts.index[~keep_r]] + [str(x) for x in counts.columns[~keep_c]]
    counts = counts.loc[keep_r, keep_c]
    out: dict[str, Any] = {"n": int(counts.to_numpy().sum()), "n_rows": counts.shape[0],
                           "n_cols": counts.shape[1], "dropped": ", ".join(dropped),
                           "chi2": np.nan, "df": np.nan}
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return {**out, "method": "not testable (fewer than two non-empty rows or columns)",
                "p_value": np.nan, "min_expected": np.nan, "cochran_ok": False,
                "effect_size": np.nan}
    tab = Table(counts.to_numpy(), shift_zeros=False)
    expected = np.asarray(tab.fittedvalues)
    ok = cochran_ok(expected)
    out.update(min_expected=float(expected.min()), cochran_ok=ok,
               effect_size=float(cramers_v(counts.to_numpy())))
    if ok:
        pearson = tab.test_nominal_association()
        return {**out, "method": "chi-square", "chi2": float(pearson.statistic),
                "df": int(pearson.df), "p_value": float(pearson.pvalue)}
    ints = counts.to_numpy().astype(int)
    if ints.shape == (2, 2):
        res = _scipy_stats.fisher_exact(ints)
        return {**out, "method": "Fisher exact", "p_value": float(res.pvalue)}
    method = _scipy_stats.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
    res = _scipy_stats.fisher_exact(ints, method=method)
    return {**out, "method": f"Fisher-Freeman-Halton, Monte Carlo ({n_resamples} resamples)",
            "p_value": float(res.pvalue)}


def participant_permutation_test(counts: np.ndarray, groups: np.ndarray, *,
                                 n_permutations: int = N_PERMUTATIONS,
                                 seed: int = 2013) -> tuple[float, float]:
    """Permutation test of category x characteristic with participants as the unit.

    ``counts``: shape (n_participants, n_categories), each participant's coded answers per
    category; ``groups``: shape (n_participants,), integer codes 0..L-1 of each participant's
    characteristic. The statistic is Pearson's X^2 of the answer-level table (groups x
    categories, :func:`pearson_statistic`); its null distribution comes from ``n_permutations``
    seeded random permutations of ``groups`` among the participants, each participant keeping
    all their answers. Vectorised: the permuted tables of a chunk of permutations are built by one
    matrix product.

    Returns ``(statistic, p)``, ``p = (1 + #{X^2_perm >= X^2_obs}) / (1 + n_permutations)``
    (Phipson & Smyth 2010), so the smallest possible p is ``1 / (1 + n_permutations)``.
    """
    counts = np.asarray(counts, dtype=float)
    groups = np.asarray(groups, dtype=np.int64)
    n_levels = int(groups.max()) + 1
    one_hot = np.eye(n_levels)[groups]                      # (n_participants, L)
    observed = float(pearson_statistic(one_hot.T @ counts))
    rng = np.random.default_rng(seed)
    exceed = 0
    for start in range(0, n_permutations, _CHUNK):  # chunks bound the memory of large studies
        size = min(_CHUNK, n_permutations - start)
        perms = rng.permuted(np.broadcast_to(groups, (size, groups.size)), axis=1)
        tables = np.swapaxes(np.eye(n_levels)[perms], 1, 2) @ counts   # (size, L, n_categories)
        # tolerate the rounding of tables equal to the observed one
        exceed += int((pearson_statistic(tables) >= observed * (1 - 1e-12)).sum())
    return observed, (1 + exceed) / (1 + n_permutations)


def effect_interval(counts: np.ndarray, groups: np.ndarray, *, n_boot: int = N_BOOT,
                    seed: int = 2013, alpha: float = 0.05) -> tuple[float, float]:
    """Bias-corrected percentile interval (level ``1 - alpha``) of :func:`cramers_v` of the
    groups x categories table from a cluster bootstrap resampling participants (rows of
    ``counts``, with their ``groups``) with replacement, ``n_boot`` times, seeded.

    Resampling whole participants duplicates their answers, which inflates V in almost every
    resample, so the plain percentile interval lies above the estimate and often misses it, and
    scipy's BCa interval breaks down too (its bias constant becomes extreme). The interval is
    therefore the percentile interval shifted by the bootstrap estimate of the bias, ``[q_lo - b,
    q_hi - b]`` with ``b = mean(V*) - V`` (Efron & Tibshirani 1993, *An Introduction to the
    Bootstrap*, sec. 10.6), clipped to [0, 1]; hand-written because no kept library offers the
    shift. Resamples where V is undefined (one group or one category left) are left out; NaN,
    NaN if none is defined.
    """
    counts = np.asarray(counts, dtype=float)
    groups = np.asarray(groups, dtype=np.int64)
    one_hot = np.eye(int(groups.max()) + 1)[groups]
    estimate = float(cramers_v(one_hot.T @ counts))
    w = cluster_bootstrap_weights(len(groups), n_boot, np.random.default_rng(seed))
    v = np.concatenate([
        cramers_v(np.swapaxes(w[i:i + _CHUNK, :, None] * one_hot, 1, 2) @ counts)
        for i in range(0, n_boot, _CHUNK)])
    v = v[np.isfinite(v)]
    if v.size == 0 or not np.isfinite(estimate):
        return np.nan, np.nan
    bias = float(v.mean()) - estimate
    low, high = np.quantile(v, [alpha / 2, 1 - alpha / 2]) - bias
    return float(np.clip(low, 0, 1)), float(np.clip(high, 0, 1))


def adjusted_residuals(table: pd.DataFrame) -> pd.DataFrame:
    """Adjusted standardized residuals (Haberman 1973) of a table of counts, long format.

    ``(O - E) / sqrt(E (1 - row share) (1 - column share))`` from statsmodels
    ``Table.standardized_resids``. Empty rows/columns are dropped first. Returns
    ``row, col, observed, expected, adj_resid`` (row-major order); empty if fewer than two
    non-empty rows or columns.
    """
    counts = table.astype(float)
    counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return pd.DataFrame(columns=["row", "col", "observed", "expected", "adj_resid"])
    tab = Table(counts.to_numpy(), shift_zeros=False)
    r, c = np.meshgrid(np.arange(counts.shape[0]), np.arange(counts.shape[1]), indexing="ij")
    return pd.DataFrame({
        "row": counts.index.to_numpy()[r.ravel()],
        "col": counts.columns.to_numpy()[c.ravel()],
        "observed": counts.to_numpy().ravel().astype(int),
        "expected": np.asarray(tab.fittedvalues).ravel(),
        "adj_resid": np.asarray(tab.standardized_resids).ravel(),
    })


def notable_residuals(residuals: pd.DataFrame, threshold: float = 1.96,
                      min_expected: float = 1.0) -> pd.DataFrame:
    """The cells of a residual table (:func:`adjusted_residuals`, :func:`characteristic_tests`)
    worth a look, for exploration only: ``|adj_resid| > threshold`` and ``expected >=
    min_expected`` (counts). Cells expected to hold less than one answer are left out: there one or
    two answers give a large residual by themselves, and the normal approximation behind 1.96 does
    not hold. The 1.96 cut-off is the uncorrected two-sided 5% level of a single cell, not a test
    of the table (many cells are screened at once). Rows keep their order and index."""
    keep = (residuals["adj_resid"].abs() > threshold) & (residuals["expected"] >= min_expected)
    return residuals[keep.to_numpy(dtype=bool)]


# --------------------------------------------------------------------------------------------
# The tests of a study
# --------------------------------------------------------------------------------------------

def _with_characteristics(consensus: pd.DataFrame, participants: pd.DataFrame,
                          characteristics: Sequence[str], source: str) -> pd.DataFrame:
    require_table_columns(participants, ("handle", *characteristics), source)
    dup = participants["handle"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0]) + 1
        raise InputError(source, f"participant {participants['handle'].iloc[i - 1]!r} listed twice",
                         "keep one row per participant", row=i)
    known = set(participants["handle"])
    unknown = sorted(set(consensus["author"]) - known)
    if unknown:
        raise InputError(source, f"author(s) {', '.join(unknown[:5])} of coded answers are not in "
                         "the participants table", "add them to data/raw/participants.csv (empty "
                         "characteristics are allowed) or check the pseudonyms")
    return consensus.merge(participants[["handle", *characteristics]], how="left",
                           left_on="author", right_on="handle", validate="many_to_one")


def characteristic_tests(consensus: pd.DataFrame, participants: pd.DataFrame, codebook: Any,
                         characteristics: Sequence[str] = ("role", "sector"), *, seed: int = 2013,
                         n_permutations: int = N_PERMUTATIONS, n_resamples: int = N_RESAMPLES,
                         n_boot: int = N_BOOT, alpha: float = 0.05,
                         source: str = PARTICIPANTS_FILE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Category x participant characteristic, per question, at both levels.

    Each coded answer is classified by its category and by its author's characteristic; answers
    whose author has no value for the characteristic are left out of that test and counted in
    ``n_missing``. For every (question, characteristic) two rows:

    * ``level = "participant"``: :func:`participant_permutation_test` (``n_permutations``,
      ``seed``); ``statistic`` is Pearson's X^2 used as the permutation statistic, ``chi2`` and
      ``df`` are NaN (the p-value does not come from the chi-square distribution);
    * ``level = "answer"``: :func:`association_test` (exploratory).

    Both carry ``effect_size`` (:func:`cramers_v` of the answer-level table) and its cluster
    bootstrap interval ``effect_ci_low, effect_ci_high`` (:func:`effect_interval`, ``n_boot``),
    ``cochran_ok`` and ``min_expected`` of that table, ``n`` answers and ``n_participants``.
    Returns ``(tests, residuals)``; ``tests`` in :data:`TEST_COLUMNS` (``p_holm`` and ``reject``
    empty: pass the table to :func:`holm`), ``residuals``: ``question, characteristic, code,
    level, observed, expected, adj_resid`` of the answer-level tables.
    """
    check_settings(alpha=alpha, n_boot=n_boot, n_permutations=n_permutations)
    check_consensus(consensus, codebook)
    tests, resid = [], []
    if not characteristics:  # the study tests no characteristic (and may have no participant list)
        return _tests_frame(tests), _resid_frame(resid, ["question", "characteristic", "code", "level"])
    merged = _with_characteristics(consensus, participants, characteristics, source)
    for q in codebook.questions():
        codes = list(codebook.codes(q))
        sub = merged[merged["question"] == q]
        for ch in characteristics:
            have = sub[sub[ch].notna()]
            levels = sorted(participants[ch].dropna().astype(str).unique())
            table = pd.crosstab(pd.Categorical(have["code"], categories=codes),
                                pd.Categorical(have[ch].astype(str), categories=levels),
                                dropna=False)
            base = {"family": "category x characteristic", "question": q, "characteristic": ch,
                    "code": "", "n_missing": int(len(sub) - len(have))}
            answer = association_test(table, seed=seed, n_resamples=n_resamples)
            authors, counts = participant_by_category(have, codes)
            level_of = have.drop_duplicates("author").set_index("author")[ch].astype(str)
            groups = np.array([levels.index(level_of[a]) for a in authors], dtype=np.int64)
            testable = not answer["method"].startswith("not testable")
            if testable:
                stat, p = participant_permutation_test(counts, groups, seed=seed,
                                                       n_permutations=n_permutations)
                low, high = effect_interval(counts, groups, n_boot=n_boot, seed=seed, alpha=alpha)
                method = (f"permutation of participants' {ch} among participants "
                          f"({n_permutations} permutations, Pearson's chi-square as statistic)")
            else:
                stat = p = low = high = np.nan
                method = answer["method"]
            shared = {"effect_size": answer["effect_size"], "effect_ci_low": low,
                      "effect_ci_high": high, "cochran_ok": answer["cochran_ok"],
                      "min_expected": answer["min_expected"], "n": answer["n"],
                      "n_participants": len(authors), "n_rows": answer["n_rows"],
                      "n_cols": answer["n_cols"], "dropped": answer["dropped"]}
            tests.append({**base, **shared, "level": PARTICIPANT, "method": method,
                          "statistic": stat, "chi2": np.nan, "df": np.nan, "p_value": p})
            tests.append({**base, **shared, "level": ANSWER,
                          "method": f"{answer['method']}; answers as independent (exploratory)"
                          if testable else answer["method"],
                          "statistic": np.nan, "chi2": answer["chi2"], "df": answer["df"],
                          "p_value": answer["p_value"]})
            r = adjusted_residuals(table).rename(columns={"row": "code", "col": "level"})
            resid.append(r.assign(question=q, characteristic=ch))
    return _tests_frame(tests), _resid_frame(resid, ["question", "characteristic", "code", "level"])


def question_tests(consensus: pd.DataFrame, codebook: Any, *, seed: int = 2013,
                   n_resamples: int = N_RESAMPLES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Category x question for every category shared between questions (:func:`shared_codes`),
    at the answer level only (exploratory: the same participants answer both questions).

    For a code shared by questions A and B the table is question x (code, other code): does the
    share of answers coded with it differ between the questions? Returns ``(tests, residuals)`` as
    :func:`characteristic_tests` (``characteristic`` is "question"; ``code`` names the shared code);
    both are empty when no category is shared.
    """
    check_consensus(consensus, codebook)
    tests, resid = [], []
    for code, qs in shared_codes(codebook).items():
        sub = consensus[consensus["question"].isin(qs)]
        units = sub.groupby("question")["unit_id"].nunique().reindex(qs, fill_value=0)
        with_code = sub[sub["code"] == code].groupby("question")["unit_id"].nunique()
        with_code = with_code.reindex(qs, fill_value=0)
        table = pd.DataFrame({code: with_code, "other": units - with_code}, index=qs)
        res = association_test(table, seed=seed, n_resamples=n_resamples)
        tests.append({"level": ANSWER, "family": "category x question", "question": " vs ".join(qs),
                      "characteristic": "question", "code": code, **res,
                      "method": f"{res['method']}; answers as independent (exploratory)",
                      "statistic": np.nan, "effect_ci_low": np.nan, "effect_ci_high": np.nan,
                      "n_participants": int(sub["author"].nunique()), "n_missing": 0})
        r = adjusted_residuals(table).rename(columns={"row": "level", "col": "code"})
        resid.append(r.assign(question=r["level"], characteristic="question"))
    return _tests_frame(tests), _resid_frame(resid, ["question", "characteristic", "code", "level"])


def _tests_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=TEST_COLUMNS)
    out["p_holm"] = out["p_holm"].astype(float)
    out["reject"] = pd.array([pd.NA] * len(out), dtype="boolean")
    out["cochran_ok"] = out["cochran_ok"].astype(bool)
    return out


def _resid_frame(parts: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
    full = cols + ["observed", "expected", "adj_resid"]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=full)
    return pd.concat(parts, ignore_index=True)[full]


def holm(tests: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Fill ``p_holm`` and ``reject`` over the participant-level family of a tests table.

    Holm's (1979) step-down correction by ``statsmodels.stats.multitest.multipletests(method=
    "holm")`` over the rows with ``level == "participant"`` and a p-value; the other rows
    (answer-level, exploratory, or not testable) get NaN and an empty ``reject``. A table without
    a ``level`` column is one family. The row order is kept.
    """
    out = tests.copy()
    out["p_holm"] = np.nan
    out["reject"] = pd.array([pd.NA] * len(out), dtype="boolean")
    family = out["level"] == PARTICIPANT if "level" in out else pd.Series(True, index=out.index)
    ok = (family & out["p_value"].notna()).to_numpy()
    if ok.any():
        reject, p_adj, _, _ = multipletests(out.loc[ok, "p_value"].to_numpy(float), alpha=alpha,
                                            method="holm")
        out.loc[ok, "p_holm"] = p_adj
        out.loc[ok, "reject"] = reject
    return out


def tests_sentence(tests: pd.DataFrame, alpha: float = 0.05) -> str:
    """The participant-level result in plain sentences, from a table corrected by :func:`holm`:
    how many tests were significant after Holm's correction, which (question, characteristic,
    adjusted p, effect size with interval), and how the exploratory answer-level tests compare."""
    part = tests[(tests["level"] == PARTICIPANT) & tests["p_value"].notna()]
    if part.empty:
        return "No association could be tested at the participant level."
    hits = part[part["reject"].fillna(False).astype(bool)]
    n = len(part)
    text = (f"Of {n} participant-level test{'s' if n != 1 else ''} (participants' characteristic "
            f"permuted among participants, Holm's correction over the {n}), {len(hits)} "
            f"{'was' if len(hits) == 1 else 'were'} significant at alpha = {alpha:g}")
    if hits.empty:
        text += f" (smallest adjusted p {_p(part['p_holm'].min())})."
    else:
        names = [f"{r.characteristic} in {r.question} (adjusted p {_p(r.p_holm)}, Cramér's V = "
                 f"{r.effect_size:.2f} [{r.effect_ci_low:.2f}, {r.effect_ci_high:.2f}])"
                 for r in hits.itertuples()]
        text += ": " + "; ".join(names) + "."
    ans = tests[(tests["level"] == ANSWER) & (tests["family"] == "category x characteristic")
                & tests["p_value"].notna()]
    if not ans.empty:
        below = int((ans["p_value"] < alpha).sum())
        text += (f" The exploratory answer-level tests, which treat answers as independent, gave "
                 f"{below} of {len(ans)} unadjusted p-values below {alpha:g}.")
    return text


def _p(p: float) -> str:
    """A p-value after "p" as a reader expects it: "= 0.012", or "< 0.001"."""
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def residual_screen_sentence(cells: pd.DataFrame, question: str, threshold: float = 1.96) -> str:
    """One sentence introducing the exploratory residual screen of one question
    (:func:`notable_residuals` rows)."""
    if cells.empty:
        return (f"Exploratory screen: no cell of the {question} tables with at least one answer "
                f"expected has an adjusted standardized residual beyond ±{threshold:g}.")
    n = len(cells)
    return (f"Exploratory screen (uncorrected, answers as independent; at least one answer "
            f"expected): {n} cell{'s' if n != 1 else ''} of the {question} tables with an adjusted "
            f"standardized residual beyond ±{threshold:g}; leads for a closer look, not findings.")


def shared_codes_sentence(tests: pd.DataFrame, freqs: pd.DataFrame) -> str:
    """Sentences on the category x question tests (rows of :func:`question_tests`) with the
    category's share of answers in each question (from ``category_frequencies`` rows)."""
    if tests.empty:
        return "No category is shared between questions, so no category × question comparison was made."
    parts = []
    for r in tests.itertuples():
        f = freqs[freqs["code"] == r.code].set_index("question")
        qs = [q for q in str(r.question).split(" vs ") if q in f.index]
        shares = "; ".join(f"{q}: {f.loc[q, 'n']} of {f.loc[q, 'n_units']} "
                           f"({f.loc[q, 'share']:.1%})" for q in qs)
        label = f.loc[qs[0], "label"] if qs else r.code
        parts.append(f"The category {label} was coded in {shares}; exploratory {r.method.split(';')[0]} "
                     f"p {_p(r.p_value)}, Cramér's V = {r.effect_size:.2f}.")
    return " ".join(parts)
