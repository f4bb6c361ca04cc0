"""Descriptive statistics and tests that answer the study's questions (issue 5).

Inputs are the processed tables of the architecture contract:

* ``consensus``: one row per coded answer and code, ``unit_id, question, author, code, ...``
  (``author`` is the participant pseudonym, ``P01``..).
* ``posts``: the canonical post table with ``role``, ``question`` (``structure.assign_structure``).
* ``participants``: ``handle`` (pseudonym), ``role``, ``sector``, ``years_online``.
* ``codebook``: a :class:`tweetstorm.codebook.Codebook` (``questions()``, ``codes(q)``,
  ``label(q, code)``); any object with those methods will do.

The unit of the frequency tables and of the association tests is the *coded answer*; the number of
distinct participants who raised a category is given next to it, because answers of one
participant are not independent of each other (a caveat for every test below, which treats answers
as independent draws).

Every function returns a new DataFrame in an explicit, stable sort order; plotting functions return
a matplotlib Figure and leave saving to :func:`tweetstorm.figures.save_figure`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from . import paths
from .errors import InputError, require_columns

CONSENSUS_FILE = "data/processed/consensus.parquet"
POSTS_FILE = "data/processed/posts.parquet"
PARTICIPANTS_FILE = "data/processed/participants.parquet"

#: Post roles counted per participant (a participant is who wrote an answer; the rest is counted
#: next to it). The moderator's questions are not participation.
PARTICIPATION_ROLES: tuple[str, ...] = ("answer", "retweet", "reply", "quote")
#: Moderator pseudonyms as ``tweetstorm.pseudonymize`` writes them: ``M1``, ``M2``, ...
MODERATOR_PSEUDONYM = r"M\d+"
#: Roles drawn on the timeline, in this order; ``outside_window`` posts are not on it by definition.
TIMELINE_ROLES: tuple[str, ...] = ("question", "answer", "retweet", "reply", "quote", "off_topic")
#: Monte Carlo resamples of the exact test for tables larger than 2x2.
N_RESAMPLES = 9999


# --------------------------------------------------------------------------------------------
# Reading and checking inputs
# --------------------------------------------------------------------------------------------

def read_table(path: str, required: Iterable[str], *, made_by: str) -> pd.DataFrame:
    """Read a processed parquet file (repo-relative ``path``) and check its columns.

    ``made_by`` names the step that writes the file, for the fix in the error message.
    """
    full = paths.resolve(path)
    name = paths.relative(full)
    if not full.is_file():
        raise InputError(name, "file not found",
                         f"run {made_by} first (make all), or pass the right path")
    df = pd.read_parquet(full)
    _require_columns(df, required, name)
    return df


def _require_columns(df: pd.DataFrame, required: Iterable[str], source: str) -> None:
    required = list(required)
    require_columns(df.columns, required, source,
                    f"the table must have the columns {', '.join(required)}")


def check_consensus(consensus: pd.DataFrame, codebook: Any, *,
                    source: str = CONSENSUS_FILE) -> None:
    """Raise :class:`InputError` unless every row has a known question, a code of that question's
    codebook and an author, and no (unit_id, code) pair repeats. Rows are named 1-based."""
    _require_columns(consensus, ("unit_id", "question", "author", "code"), source)
    questions = list(codebook.questions())
    for i, (unit, q, author, code) in enumerate(
            consensus[["unit_id", "question", "author", "code"]].itertuples(index=False), start=1):
        if pd.isna(unit) or pd.isna(author):
            raise InputError(source, "empty unit_id or author", "every coded answer needs both",
                             row=i)
        if pd.isna(q) or q not in questions:
            raise InputError(source, f"question {q!r} is not in the codebook "
                             f"({', '.join(questions)})",
                             "correct the question or add it to data/raw/codebook.yml", row=i)
        if pd.isna(code) or code not in codebook.codes(q):
            raise InputError(source, f"code {code!r} is not a category of {q} in the codebook",
                             "correct the code in the coding sheets/adjudication, or add the "
                             "category to data/raw/codebook.yml", row=i)
    dup = consensus.duplicated(["unit_id", "code"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0]) + 1
        unit = consensus["unit_id"].iloc[i - 1]
        raise InputError(source, f"unit {unit!r} carries the same code twice",
                         "keep one row per unit and code", row=i)


# --------------------------------------------------------------------------------------------
# Category frequencies
# --------------------------------------------------------------------------------------------

def category_frequencies(consensus: pd.DataFrame, codebook: Any, question: str | None = None,
                         alpha: float = 0.05, *, source: str = CONSENSUS_FILE) -> pd.DataFrame:
    """Count, share and Wilson interval of every codebook category, per question.

    Returns one row per (question, category), categories never used included with ``n = 0``:
    ``question, rank, code, label, n, n_units, share, ci_low, ci_high, n_participants``.

    * ``n``: coded answers of the question carrying the code; ``n_units``: coded answers of the
      question (distinct ``unit_id``); ``share = n / n_units`` (a proportion in [0, 1]).
    * ``ci_low, ci_high``: Wilson score interval at level ``1 - alpha``
      (``statsmodels.stats.proportion.proportion_confint(method="wilson")``).
    * ``n_participants``: distinct authors with at least one answer carrying the code.
    * ``rank``: 1, 2, ... by ``n`` descending; ties (and unused categories) keep the codebook's
      order. Every category gets its own rank (ordinal ranking), so the rule is total and stable.

    Rows are sorted by question (codebook order), then rank. ``question=None`` covers all questions.
    """
    check_consensus(consensus, codebook, source=source)
    questions = list(codebook.questions()) if question is None else [question]
    frames = []
    for q in questions:
        codes = list(codebook.codes(q))
        sub = consensus[consensus["question"] == q]
        n_units = int(sub["unit_id"].nunique())
        n = sub.groupby("code")["unit_id"].nunique().reindex(codes, fill_value=0).astype(int)
        people = sub.groupby("code")["author"].nunique().reindex(codes, fill_value=0).astype(int)
        df = pd.DataFrame({"question": q, "code": codes,
                           "label": [codebook.label(q, c) for c in codes],
                           "n": n.to_numpy(), "n_units": n_units,
                           "n_participants": people.to_numpy(),
                           "_order": range(len(codes))})
        if n_units:
            df["share"] = df["n"] / n_units
            low, high = proportion_confint(df["n"].to_numpy(), n_units, alpha=alpha,
                                           method="wilson")
            df["ci_low"], df["ci_high"] = np.asarray(low, float), np.asarray(high, float)
        else:  # no coded answers at all: shares and intervals are undefined, not zero
            df["share"] = df["ci_low"] = df["ci_high"] = np.nan
        df = df.sort_values(["n", "_order"], ascending=[False, True], kind="stable")
        df["rank"] = range(1, len(df) + 1)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    cols = ["question", "rank", "code", "label", "n", "n_units", "share", "ci_low", "ci_high",
            "n_participants"]
    return out[cols].reset_index(drop=True)


def top_category_sentence(freq: pd.DataFrame, question_label: str, *, alpha: float = 0.05) -> str:
    """One sentence on the most frequent category of one question's ``category_frequencies`` rows,
    e.g. "The most frequent category of Goals was Sharing (n = 12 of 40 answers, 30.0% [18.1%,
    45.4%], raised by 9 participants)." Tied categories are all named."""
    if freq.empty or freq["n"].max() == 0:
        return f"No answer to {question_label} was coded."
    top = freq[freq["n"] == freq["n"].max()].sort_values("rank")
    level = round(100 * (1 - alpha))
    parts = [f"{r.label} (n = {r.n} of {r.n_units} answers, {100 * r.share:.1f}% "
             f"[{level}% CI {100 * r.ci_low:.1f}%, {100 * r.ci_high:.1f}%], raised by "
             f"{r.n_participants} participant{'s' if r.n_participants != 1 else ''})"
             for r in top.itertuples()]
    if len(parts) == 1:
        return f"The most frequent category of {question_label} was {parts[0]}."
    return (f"The most frequent categories of {question_label} were tied: "
            f"{', '.join(parts[:-1])} and {parts[-1]}.")


def question_slug(codebook: Any, question: str) -> str:
    """File stem for a question's outputs, e.g. ``q1_goals`` from Q1 labelled "Goals"."""
    label = question_label(codebook, question)
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return f"{question.lower()}_{slug}" if slug and slug != question.lower() else question.lower()


def question_label(codebook: Any, question: str) -> str:
    """The question's label ("Goals") from ``codebook.question(q).label``; the id itself for a
    codebook-like object without question records."""
    record = getattr(codebook, "question", None)
    if record is None:
        return question
    return str(record(question).label)


# --------------------------------------------------------------------------------------------
# Association tests
# --------------------------------------------------------------------------------------------

def _cochran_ok(expected: np.ndarray) -> bool:
    """Cochran's (1954) rule for the chi-square approximation: no expected count below 1 and at
    most 20% of the cells below 5."""
    return bool(expected.min() >= 1 and (expected < 5).mean() <= 0.2)


def association_test(table: pd.DataFrame, *, seed: int = 2013,
                     n_resamples: int = N_RESAMPLES) -> dict[str, Any]:
    """Test independence of rows and columns of a contingency table of counts (r x c).

    Empty rows and columns are dropped first (they carry no information and make expected counts
    zero); their labels are returned in ``dropped``. Then:

    * Cochran's rule holds: Pearson chi-square without continuity correction,
      ``statsmodels`` ``Table(shift_zeros=False).test_nominal_association()``;
    * otherwise, 2x2: Fisher's exact test (``scipy.stats.fisher_exact``, two-sided);
    * otherwise, larger: the Fisher-Freeman-Halton exact test by seeded Monte Carlo
      (``scipy.stats.fisher_exact(method=MonteCarloMethod(n_resamples, rng))``). We keep the
      categories as coded rather than collapse sparse ones, because collapsing would change the
      categories the paper reports; statsmodels has no exact r x c test, so scipy it is.
    * fewer than two non-empty rows or columns: not testable (``test`` says so, p is NaN).

    Returns a dict: ``test, chi2, df, p_value, n, n_rows, n_cols, min_expected, dropped``;
    ``chi2`` and ``df`` are Pearson's statistic and its degrees of freedom ``(r - 1)(c - 1)``
    whichever test gave ``p_value`` (a descriptive size of the departure from independence).
    """
    counts = table.astype(float)
    keep_r = counts.sum(axis=1) > 0
    keep_c = counts.sum(axis=0) > 0
    dropped = [str(x) for x in counts.index[~keep_r]] + [str(x) for x in counts.columns[~keep_c]]
    counts = counts.loc[keep_r, keep_c]
    out: dict[str, Any] = {"n": int(counts.to_numpy().sum()), "n_rows": counts.shape[0],
                           "n_cols": counts.shape[1], "dropped": ", ".join(dropped)}
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return {**out, "test": "not testable (fewer than two non-empty rows or columns)",
                "chi2": np.nan, "df": np.nan, "p_value": np.nan, "min_expected": np.nan}
    tab = Table(counts.to_numpy(), shift_zeros=False)
    expected = np.asarray(tab.fittedvalues)
    pearson = tab.test_nominal_association()
    out.update(min_expected=float(expected.min()), chi2=float(pearson.statistic),
               df=int(pearson.df))
    if _cochran_ok(expected):
        return {**out, "test": "chi-square", "p_value": float(pearson.pvalue)}
    ints = counts.to_numpy().astype(int)
    if ints.shape == (2, 2):
        res = _scipy_stats.fisher_exact(ints)
        return {**out, "test": "Fisher exact", "p_value": float(res.pvalue)}
    method = _scipy_stats.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
    res = _scipy_stats.fisher_exact(ints, method=method)
    return {**out, "test": "Fisher-Freeman-Halton, Monte Carlo",
            "p_value": float(res.pvalue)}


def adjusted_residuals(table: pd.DataFrame) -> pd.DataFrame:
    """Adjusted standardized residuals (Haberman 1973) of a table of counts, long format.

    ``(O - E) / sqrt(E (1 - row share) (1 - column share))`` from statsmodels
    ``Table(shift_zeros=False).standardized_resids``, after dropping empty rows and columns.
    Columns: ``row, col, observed, expected, adj_resid``; |adj_resid| > 1.96 marks a cell that
    departs from independence at the 5% level (uncorrected). Order: table rows, then columns.
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


def _with_characteristics(consensus: pd.DataFrame, participants: pd.DataFrame,
                          characteristics: Sequence[str], source: str) -> pd.DataFrame:
    _require_columns(participants, ("handle", *characteristics), source)
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
                         n_resamples: int = N_RESAMPLES,
                         source: str = PARTICIPANTS_FILE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Category x participant characteristic, per question (see :func:`association_test`).

    Each coded answer is classified by its category and by its author's characteristic. Answers
    whose author has no value for the characteristic are left out of that test and counted in
    ``n_missing``. Returns ``(tests, residuals)``:

    * ``tests``: one row per (question, characteristic): ``family, question, characteristic,
      test, chi2, df, p_value, n, n_missing, n_rows, n_cols, min_expected, dropped``;
    * ``residuals``: ``question, characteristic, code, level, observed, expected, adj_resid``.

    p-values are unadjusted; pass the tests of one report to :func:`holm`.
    """
    check_consensus(consensus, codebook)
    merged = _with_characteristics(consensus, participants, characteristics, source)
    tests, resid = [], []
    for q in codebook.questions():
        sub = merged[merged["question"] == q]
        for ch in characteristics:
            have = sub[sub[ch].notna()]
            levels = sorted(participants[ch].dropna().astype(str).unique())
            table = pd.crosstab(pd.Categorical(have["code"], categories=list(codebook.codes(q))),
                                pd.Categorical(have[ch].astype(str), categories=levels),
                                dropna=False)
            res = association_test(table, seed=seed, n_resamples=n_resamples)
            tests.append({"family": "category x characteristic", "question": q,
                          "characteristic": ch, "code": "", **res,  # code: all categories
                          "n_missing": int(len(sub) - len(have))})
            r = adjusted_residuals(table).rename(columns={"row": "code", "col": "level"})
            resid.append(r.assign(question=q, characteristic=ch))
    return _tests_frame(tests), _resid_frame(resid, ["question", "characteristic", "code", "level"])


def shared_codes(codebook: Any) -> dict[str, list[str]]:
    """Codes used by more than one question: ``{code: [questions in codebook order]}``,
    sorted by code."""
    where: dict[str, list[str]] = {}
    for q in codebook.questions():
        for c in codebook.codes(q):
            where.setdefault(c, []).append(q)
    return {c: qs for c, qs in sorted(where.items()) if len(qs) > 1}


def question_tests(consensus: pd.DataFrame, codebook: Any, *, seed: int = 2013,
                   n_resamples: int = N_RESAMPLES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Category x question for every category shared between questions (:func:`shared_codes`).

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
        tests.append({"family": "category x question", "question": " vs ".join(qs),
                      "characteristic": "question", "code": code, **res, "n_missing": 0})
        r = adjusted_residuals(table).rename(columns={"row": "level", "col": "code"})
        resid.append(r.assign(question=r["level"], characteristic="question"))
    return _tests_frame(tests), _resid_frame(resid, ["question", "characteristic", "code", "level"])


_TEST_COLS = ["family", "question", "characteristic", "code", "test", "chi2", "df", "p_value",
              "n", "n_missing", "n_rows", "n_cols", "min_expected", "dropped"]


def _tests_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=_TEST_COLS)


def _resid_frame(parts: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
    full = cols + ["observed", "expected", "adj_resid"]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=full)
    return pd.concat(parts, ignore_index=True)[full]


def holm(tests: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Add ``p_holm`` and ``reject`` to a table of tests (one family: all tests of the report).

    Holm's (1979) step-down correction by ``statsmodels.stats.multitest.multipletests(method=
    "holm")``. Tests without a p-value (not testable) are not counted in the family and get NaN /
    False. The row order is kept.
    """
    out = tests.copy()
    out["p_holm"] = np.nan
    out["reject"] = False
    ok = out["p_value"].notna().to_numpy()
    if ok.any():
        reject, p_adj, _, _ = multipletests(out.loc[ok, "p_value"].to_numpy(float), alpha=alpha,
                                            method="holm")
        out.loc[ok, "p_holm"] = p_adj
        out.loc[ok, "reject"] = reject
    out["reject"] = out["reject"].astype(bool)
    return out


def tests_sentence(tests: pd.DataFrame, alpha: float = 0.05) -> str:
    """One sentence summarising a Holm-corrected table of tests (from :func:`holm`)."""
    done = tests[tests["p_value"].notna()]
    if done.empty:
        return "No association could be tested."
    hits = done[done["reject"]]
    text = (f"Of {len(done)} association test{'s' if len(done) != 1 else ''}, "
            f"{len(hits)} {'was' if len(hits) == 1 else 'were'} significant at alpha = {alpha:g} "
            f"after Holm's correction")
    if hits.empty:
        return text + f" (smallest adjusted p = {done['p_holm'].min():.3f})."
    names = [f"{r.question} x {r.code or r.characteristic} (adjusted p = {r.p_holm:.3f})"
             for r in hits.itertuples()]
    return text + ": " + "; ".join(names) + "."


# --------------------------------------------------------------------------------------------
# Participation
# --------------------------------------------------------------------------------------------

def _check_posts(posts: pd.DataFrame, source: str) -> None:
    _require_columns(posts, ("post_id", "author_handle", "created_at", "role", "question"), source)
    bad = ~posts["role"].isin(TIMELINE_ROLES + ("outside_window",))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputError(source, f"unknown role {posts['role'].iloc[i - 1]!r}",
                         "rerun notebook 01 (structure.assign_structure)", row=i)


def moderators(posts: pd.DataFrame) -> list[str]:
    """The moderator accounts of a post table, sorted: authors of at least one post with role
    ``question`` (only moderators ask questions, ``structure.assign_structure`` rule 2) and every
    author whose handle is a moderator pseudonym ``M1``, ``M2``, ... (:data:`MODERATOR_PSEUDONYM`,
    as ``tweetstorm.pseudonymize`` writes them), so a moderator who only retweets is one too."""
    authors = posts["author_handle"].astype("string")
    asked = set(authors[posts["role"] == "question"].dropna())
    named = set(authors[authors.str.fullmatch(MODERATOR_PSEUDONYM).fillna(False)])
    return sorted(asked | named)


def posts_per_participant(posts: pd.DataFrame, *, source: str = POSTS_FILE) -> pd.DataFrame:
    """Posts of each participant by role: ``participant, answer, retweet, reply, quote, total``
    (counts of posts; ``answer`` includes answers no rule could assign to a question).

    A participant is an author of at least one post with role ``answer`` who is not a moderator
    (:func:`moderators`), the same definition as ``tweetstorm.pseudonymize`` uses for ``P01``..:
    a bystander who only retweets, replies or quotes and the moderator are not participants. The
    participants' retweets, replies and quotes are counted next to their answers. Sorted by
    answers, then total (both descending), then participant.
    """
    _check_posts(posts, source)
    mods = set(moderators(posts))
    answering = set(posts.loc[posts["role"] == "answer", "author_handle"].dropna()) - mods
    part = posts[posts["role"].isin(PARTICIPATION_ROLES) & posts["author_handle"].isin(answering)]
    table = pd.crosstab(part["author_handle"],
                        pd.Categorical(part["role"], categories=list(PARTICIPATION_ROLES)),
                        dropna=False)
    table.columns = list(PARTICIPATION_ROLES)
    table = table.astype(int)
    table["total"] = table.sum(axis=1)
    table = table.rename_axis("participant").reset_index()
    return table.sort_values(["answer", "total", "participant"], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


def gini(x: Sequence[float] | np.ndarray) -> float:
    """Gini coefficient of non-negative amounts ``x`` (shape (n,)), in [0, 1 - 1/n].

    Hand-written: none of the kept libraries (numpy, scipy, statsmodels, pandas) offers it. Formula:
    the mean absolute difference over all ordered pairs divided by twice the mean (Gini 1912; e.g.
    Cowell 2011, *Measuring inequality*, eq. 2.8 without small-sample correction),
    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x))``, computed in its sorted form
    ``G = 2 sum_i i x_(i) / (n sum x) - (n + 1) / n`` with ``x_(1) <= ... <= x_(n)``.
    So ``[1, 1, 1, 1] -> 0`` and ``[0, 0, 0, 1] -> 0.75``. NaN when ``sum(x) == 0``.
    """
    arr = np.sort(np.asarray(x, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("gini: x must be a non-empty 1-d sequence")
    if np.isnan(arr).any() or (arr < 0).any():
        raise ValueError("gini: x must be non-negative numbers without NaN")
    total = arr.sum()
    if total == 0:
        return float("nan")
    n = arr.size
    i = np.arange(1, n + 1)
    return float(2.0 * np.sum(i * arr) / (n * total) - (n + 1) / n)


def top_share(x: Sequence[float] | np.ndarray, fraction: float = 0.1) -> tuple[int, float]:
    """``(k, share)``: the ``k = ceil(fraction * n)`` largest amounts of ``x`` (at least one, so the
    top tenth of 25 participants is 3) and the share of the total they hold. NaN share if the total
    is 0."""
    arr = np.sort(np.asarray(x, dtype=float))[::-1]
    if arr.size == 0:
        raise ValueError("top_share: x is empty")
    k = max(1, math.ceil(fraction * arr.size - 1e-9))
    total = arr.sum()
    return k, float(arr[:k].sum() / total) if total else float("nan")


def concentration(per_participant: pd.DataFrame, column: str = "answer",
                  fraction: float = 0.1) -> pd.DataFrame:
    """Concentration of ``column`` over participants (rows of :func:`posts_per_participant`,
    zeros included): one row ``measure, n_participants, total, top_k, top_share, gini``."""
    x = per_participant[column].to_numpy()
    k, share = top_share(x, fraction)
    return pd.DataFrame([{"measure": column, "n_participants": len(x), "total": int(x.sum()),
                          "top_k": k, "top_share": share, "gini": gini(x)}])


def answers_per_question(posts: pd.DataFrame, questions: Sequence[str], *,
                         source: str = POSTS_FILE) -> pd.DataFrame:
    """Answers per question: ``question, answers, participants, answers_per_participant`` in the
    order of ``questions``; answers without a question are shown on a row ``unassigned`` (present
    only when there are any)."""
    _check_posts(posts, source)
    ans = posts[posts["role"] == "answer"].copy()
    ans["question"] = ans["question"].astype("object").where(ans["question"].notna(), "unassigned")
    unknown = sorted(set(ans["question"]) - set(questions) - {"unassigned"})
    if unknown:
        raise InputError(source, f"answers to question(s) {', '.join(unknown)} not in the codebook",
                         "check the question prefixes or the codebook")
    order = list(questions) + (["unassigned"] if (ans["question"] == "unassigned").any() else [])
    g = ans.groupby("question")
    out = pd.DataFrame({"answers": g.size(), "participants": g["author_handle"].nunique()})
    out = out.reindex(order, fill_value=0).astype(int).rename_axis("question").reset_index()
    people = out["participants"].where(out["participants"] > 0)  # NaN, not inf, for no answers
    out["answers_per_participant"] = out["answers"] / people
    return out


def timeline(posts: pd.DataFrame, freq: str = "1min", *, source: str = POSTS_FILE) -> pd.DataFrame:
    """Posts per minute of the event, by role: ``minute`` (UTC timestamp of the bin start),
    ``minutes`` (minutes since the first question, may be negative), one column per role of
    :data:`TIMELINE_ROLES`, ``total``. Every minute from the first to the last post is present
    (zeros included); posts ``outside_window`` are not counted."""
    _check_posts(posts, source)
    inside = posts[posts["role"] != "outside_window"]
    if inside.empty:
        raise InputError(source, "no post inside the event window", "check the event start/end")
    t = pd.to_datetime(inside["created_at"], utc=True).dt.floor(freq)
    table = pd.crosstab(t, pd.Categorical(inside["role"], categories=list(TIMELINE_ROLES)),
                        dropna=False)
    table.columns = list(TIMELINE_ROLES)
    full = pd.date_range(table.index.min(), table.index.max(), freq=freq, name="minute")
    table = table.reindex(full, fill_value=0).astype(int)
    table["total"] = table.sum(axis=1)
    table = table.reset_index()
    start = _event_start(posts)
    table.insert(1, "minutes", ((table["minute"] - start) / pd.Timedelta(freq)).round().astype(int))
    return table


def _event_start(posts: pd.DataFrame) -> pd.Timestamp:
    q = posts[posts["role"] == "question"]
    times = pd.to_datetime((q if not q.empty else posts)["created_at"], utc=True)
    return times.min().floor("1min")


def question_times(posts: pd.DataFrame, *, source: str = POSTS_FILE) -> pd.DataFrame:
    """When each question was posted: ``question, created_at, minute, minutes`` (bin start and
    minutes since the first question), one row per question post, sorted by time."""
    _check_posts(posts, source)
    q = posts[posts["role"] == "question"].copy()
    q["created_at"] = pd.to_datetime(q["created_at"], utc=True)
    q = q.sort_values(["created_at", "post_id"], kind="stable")
    start = _event_start(posts)
    minute = q["created_at"].dt.floor("1min")
    minutes = ((minute - start) / pd.Timedelta("1min")).round().astype(int)
    return pd.DataFrame({"question": q["question"].to_numpy(),
                         "created_at": q["created_at"].to_numpy(), "minute": minute.to_numpy(),
                         "minutes": minutes.to_numpy()})


# --------------------------------------------------------------------------------------------
# Co-occurrence of categories within participants
# --------------------------------------------------------------------------------------------

def category_key(question: str, code: str) -> str:
    """Column name of a category in the incidence matrix: ``"Q1:sharing"`` (codes repeat across
    questions, so the question is part of the key)."""
    return f"{question}:{code}"


def incidence(consensus: pd.DataFrame, codebook: Any) -> pd.DataFrame:
    """Participant x category incidence (0/1), shape (n_participants, n_categories).

    Index: participants (sorted); columns: every codebook category as :func:`category_key`, in
    codebook order (unused categories are all-zero columns). 1 = the participant raised the
    category in at least one answer.
    """
    check_consensus(consensus, codebook)
    keys = [category_key(q, c) for q in codebook.questions() for c in codebook.codes(q)]
    k = [category_key(q, c) for q, c in zip(consensus["question"], consensus["code"])]
    table = pd.crosstab(consensus["author"].to_numpy(), pd.Categorical(k, categories=keys),
                        dropna=False)
    table = (table > 0).astype(int)
    table.columns = keys
    table.index.name = "participant"
    return table.sort_index()


def cooccurrence(inc: pd.DataFrame) -> pd.DataFrame:
    """Category x category co-occurrence, shape (k, k): cell (a, b) is the number of participants
    who raised both a and b; the diagonal is the number who raised a. ``inc`` is a 0/1
    participant x category matrix (:func:`incidence`)."""
    m = inc.to_numpy(dtype=int)
    if ((m != 0) & (m != 1)).any():
        raise ValueError("cooccurrence: the incidence matrix must hold 0/1 only")
    return pd.DataFrame(m.T @ m, index=inc.columns, columns=inc.columns)


def top_pairs(co: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    """The ``k`` category pairs (a < b in matrix order) raised together by most participants:
    ``category_a, category_b, participants``, ties broken by matrix order."""
    n = co.shape[0]
    rows = [(co.index[i], co.columns[j], int(co.iat[i, j]), i, j)
            for i in range(n) for j in range(i + 1, n) if co.iat[i, j] > 0]
    df = pd.DataFrame(rows, columns=["category_a", "category_b", "participants", "_i", "_j"])
    df = df.sort_values(["participants", "_i", "_j"], ascending=[False, True, True], kind="stable")
    return df.head(k).drop(columns=["_i", "_j"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Figures (seaborn on the compendium's style; saving is left to figures.save_figure)
# --------------------------------------------------------------------------------------------

def plot_category_frequencies(freq: pd.DataFrame, title: str, alpha: float = 0.05):
    """Ranked horizontal bars of one question's category shares (%) with Wilson intervals and the
    count ``n`` (participants) at each bar. ``freq``: one question's rows of
    :func:`category_frequencies`. Returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from . import figures

    figures.use_style()
    d = freq.sort_values("rank").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(figures.COLUMN_WIDTH, 0.6 + 0.22 * len(d)))
    colour = figures.palette(5)[4]
    sns.barplot(data=d.assign(pct=100 * d["share"]), x="pct", y="label", orient="h", color=colour,
                errorbar=None, ax=ax)
    y = np.arange(len(d))
    lo, hi = 100 * d["ci_low"].to_numpy(), 100 * d["ci_high"].to_numpy()
    ax.errorbar(x=100 * d["share"], y=y, xerr=[100 * d["share"] - lo, hi - 100 * d["share"]],
                fmt="none", ecolor="black", elinewidth=0.7, capsize=1.5)
    for yi, (h, n, p) in enumerate(zip(hi, d["n"], d["n_participants"])):
        ax.text(h + 1, yi, f"{n} ({p})", va="center", fontsize=6)
    level = round(100 * (1 - alpha))
    ax.set_xlabel(f"Share of answers (%)\nwith {level}% Wilson interval")
    ax.set_ylabel("")
    ax.set_xlim(0, min(100, max(10.0, float(np.nanmax(hi)) + 12)))
    ax.set_title(title)
    return fig


def plot_participation(per_participant: pd.DataFrame, tl: pd.DataFrame, qtimes: pd.DataFrame):
    """Two panels: (a) answers per participant, ranked; (b) posts per minute by role with the
    minute each question was posted. Returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from . import figures

    figures.use_style()
    fig, (a, b) = plt.subplots(1, 2, figsize=(figures.PAGE_WIDTH, 2.6),
                               gridspec_kw={"width_ratios": [1, 2]})
    pal = figures.palette()
    role_colours = [pal[4], pal[0], pal[2], pal[6]]  # blue, orange, green, purple: no pale yellow
    ranked = per_participant.sort_values(["answer", "participant"], ascending=[False, True],
                                         kind="stable").reset_index(drop=True)
    sns.barplot(x=np.arange(1, len(ranked) + 1), y=ranked["answer"].to_numpy(), color=pal[4],
                errorbar=None, ax=a, native_scale=True)
    a.set_xlabel("Participants, ranked by answers")
    a.set_ylabel("Answers")
    a.set_title("(a) Answers per participant")
    roles = [r for r in ("answer", "retweet", "reply", "quote") if r in tl.columns]
    long = tl.melt(id_vars=["minutes"], value_vars=roles, var_name="role", value_name="posts")
    sns.lineplot(data=long, x="minutes", y="posts", hue="role", hue_order=roles,
                 palette=role_colours[:len(roles)], ax=b, drawstyle="steps-mid")
    top = float(tl[roles].to_numpy().max()) if len(tl) else 1.0
    for r in qtimes.itertuples():
        b.axvline(r.minutes, color="grey", linewidth=0.6, linestyle="--")
        b.text(r.minutes, top * 1.02, str(r.question), ha="center", va="bottom", fontsize=6)
    b.set_ylim(0, top * 1.12 + 0.5)
    b.set_xlabel("Minutes since the first question")
    b.set_ylabel("Posts per minute")
    b.set_title("(b) Timeline of the event")
    b.legend(title=None, ncols=len(roles), loc="upper right", bbox_to_anchor=(1, -0.25))
    return fig


def plot_cooccurrence(co: pd.DataFrame, labels: Sequence[str] | None = None):
    """Heatmap of a co-occurrence matrix (participants raising both categories; lower triangle and
    the diagonal, which counts the participants raising each category), sequential
    colour-blind-safe colour map (cividis); cell counts written when the matrix is at most 16 x 16.
    ``labels`` replaces the row/column names. Returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from . import figures

    figures.use_style()
    k = co.shape[0]
    # the page width, a square heatmap and room for the colour bar and the labels
    fig, ax = plt.subplots(figsize=(figures.PAGE_WIDTH, min(figures.PAGE_WIDTH - 0.8, 2.0 + 0.17 * k)))
    names = list(labels) if labels is not None else list(co.index)
    upper = np.triu(np.ones((k, k), dtype=bool), k=1)  # symmetric: show each pair once
    sns.heatmap(co.to_numpy(), mask=upper, ax=ax, cmap="cividis", square=True, xticklabels=names,
                yticklabels=names, annot=k <= 16, fmt="d", annot_kws={"fontsize": 5},
                linewidths=0.2, linecolor="white", cbar_kws={"label": "Participants raising both"})
    ax.tick_params(axis="both", labelsize=5)
    return fig
