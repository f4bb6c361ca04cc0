"""How often each category was raised: counts, participant shares, rank intervals, agreement flags.

The unit of the counts is the *coded answer*; because answers of one participant are not
independent, the uncertainty of the ranks comes from a cluster bootstrap that resamples
participants with all their answers, and the share of participants raising a category is given
with its own interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from tweetstorm.descriptives.inputs import CONSENSUS_FILE, check_consensus, check_settings, require_table_columns

#: Resamples of the cluster bootstrap of the ranks.
N_BOOT = 2000
#: Category agreement (category against the rest) below which a category is flagged.
KAPPA_THRESHOLD = 0.6
#: The text of the flag column for a category whose agreement is below the threshold.
LOW_AGREEMENT = "low agreement"

FREQUENCY_COLUMNS = ["question", "rank", "rank_low", "rank_high", "code", "label", "n", "n_units",
                     "share", "ci_low", "ci_high", "n_participants", "participants_answering",
                     "participant_share", "participant_ci_low", "participant_ci_high",
                     "category_kappa", "flag"]


def competition_rank(counts: np.ndarray) -> np.ndarray:
    """Standard competition ranking ("1224") of ``counts`` (shape (..., k)) along the last axis,
    largest first: a category's rank is 1 + the number of categories with a strictly larger
    count, so equal counts share the best rank (counts 5, 5, 5, 2 -> ranks 1, 1, 1, 4)."""
    c = np.asarray(counts)
    return 1 + (c[..., None, :] > c[..., :, None]).sum(axis=-1)


def participant_by_category(sub: pd.DataFrame, codes: list[str]) -> tuple[list[str], np.ndarray]:
    """``(authors, counts)``: the sorted authors of one question's consensus rows and the matrix
    of shape (n_authors, n_codes) of their coded answers carrying each code."""
    table = pd.crosstab(sub["author"].to_numpy(), pd.Categorical(sub["code"], categories=codes),
                        dropna=False)
    table = table.sort_index()
    return [str(a) for a in table.index], table.to_numpy(dtype=np.int64)


def cluster_bootstrap_weights(n_clusters: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """How often each of ``n_clusters`` clusters is drawn in each of ``n_boot`` resamples with
    replacement of ``n_clusters`` clusters: integer array of shape (n_boot, n_clusters)."""
    idx = rng.integers(0, n_clusters, size=(n_boot, n_clusters))
    flat = (idx + (np.arange(n_boot) * n_clusters)[:, None]).ravel()
    return np.bincount(flat, minlength=n_boot * n_clusters).reshape(n_boot, n_clusters)


def rank_interval(counts: np.ndarray, *, n_boot: int = N_BOOT, seed: int = 2013,
                  alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval (level ``1 - alpha``) of each category's competition rank under a
    cluster bootstrap that resamples the rows of ``counts`` (shape (n_participants, n_codes):
    each participant's coded answers per category) with replacement, ``n_boot`` times, seeded.

    Returns ``(low, high)``, integer arrays of shape (n_codes,). The quantiles are taken with
    numpy's ``inverted_cdf`` rule, so the bounds are ranks that occurred in the resamples.
    """
    counts = np.asarray(counts, dtype=np.int64)
    k = counts.shape[1]
    if counts.shape[0] == 0:
        return np.full(k, 1), np.full(k, 1)
    w = cluster_bootstrap_weights(counts.shape[0], n_boot, np.random.default_rng(seed))
    ranks = competition_rank(w @ counts)
    low, high = np.quantile(ranks, [alpha / 2, 1 - alpha / 2], axis=0, method="inverted_cdf")
    return low.astype(int), high.astype(int)


def category_frequencies(consensus: pd.DataFrame, codebook: Any, question: str | None = None,
                         alpha: float = 0.05, *, category_agreement: pd.DataFrame | None = None,
                         kappa_threshold: float = KAPPA_THRESHOLD, n_boot: int = N_BOOT,
                         seed: int = 2013, source: str = CONSENSUS_FILE) -> pd.DataFrame:
    """Counts, shares and rank intervals of every codebook category, per question.

    Returns one row per (question, category), categories never used included with ``n = 0``, in
    the columns :data:`FREQUENCY_COLUMNS`:

    * ``n``: coded answers of the question carrying the code; ``n_units``: coded answers of the
      question; ``share = n / n_units`` with its Wilson interval ``ci_low, ci_high``.
    * ``rank``: standard competition ranking by ``n`` (:func:`competition_rank`: ties share the
      best rank); ``rank_low, rank_high``: its ``1 - alpha`` interval from a cluster bootstrap of
      participants (:func:`rank_interval`, ``n_boot`` resamples, ``seed``).
    * ``n_participants``: distinct authors with at least one answer carrying the code;
      ``participants_answering``: distinct authors with at least one coded answer to the question;
      ``participant_share = n_participants / participants_answering`` with its Wilson interval
      ``participant_ci_low, participant_ci_high``.
    * ``category_kappa``: the category's agreement (category against the rest) from
      ``category_agreement`` (columns ``question, category, kappa``, the reliability step's
      category table), NaN where that table has no value; ``flag``: ``"low agreement"`` when
      ``category_kappa < kappa_threshold``, else empty.

    Wilson intervals come from ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.
    Rows are sorted by question (codebook order), then rank, then codebook order.
    ``question=None`` covers all questions.
    """
    check_settings(alpha=alpha, n_boot=n_boot, kappa_threshold=kappa_threshold)
    check_consensus(consensus, codebook, source=source)
    kappas: dict[tuple[str, str], float] = {}
    if category_agreement is not None:
        require_table_columns(category_agreement, ("question", "category", "kappa"),
                              "category agreement table")
        kappas = {(str(q), str(c)): float(k) for q, c, k in category_agreement[
            ["question", "category", "kappa"]].itertuples(index=False)}
    questions = list(codebook.questions()) if question is None else [question]
    frames = []
    for q in questions:
        codes = list(codebook.codes(q))
        sub = consensus[consensus["question"] == q]
        n_units = int(sub["unit_id"].nunique())
        authors, per_author = participant_by_category(sub, codes)
        n = per_author.sum(axis=0)
        people = (per_author > 0).sum(axis=0)
        answering = len(authors)
        df = pd.DataFrame({"question": q, "code": codes,
                           "label": [codebook.label(q, c) for c in codes],
                           "n": n.astype(int), "n_units": n_units,
                           "n_participants": people.astype(int),
                           "participants_answering": answering, "_order": range(len(codes))})
        df["share"], df["ci_low"], df["ci_high"] = _wilson(df["n"].to_numpy(), n_units, alpha)
        (df["participant_share"], df["participant_ci_low"],
         df["participant_ci_high"]) = _wilson(df["n_participants"].to_numpy(), answering, alpha)
        df["rank"] = competition_rank(n)
        df["rank_low"], df["rank_high"] = rank_interval(per_author, n_boot=n_boot, seed=seed,
                                                        alpha=alpha)
        df["category_kappa"] = [kappas.get((q, c), np.nan) for c in codes]
        df["flag"] = np.where(df["category_kappa"] < kappa_threshold, LOW_AGREEMENT, "")
        frames.append(df.sort_values(["rank", "_order"], kind="stable"))
    out = pd.concat(frames, ignore_index=True)
    return out[FREQUENCY_COLUMNS].reset_index(drop=True)


def _wilson(k: np.ndarray, n: int, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share ``k / n`` and its Wilson interval; NaN (undefined, not zero) when ``n == 0``."""
    if n == 0:
        nan = np.full(len(k), np.nan)
        return nan, nan.copy(), nan.copy()
    low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
    return k / n, np.asarray(low, float), np.asarray(high, float)


def rank_by_rater(ratings: pd.DataFrame, freq: pd.DataFrame, *,
                  source: str = "ratings table") -> pd.DataFrame:
    """Each rater's own ranking of one question's categories beside the consensus ranking.

    ``ratings``: long format ``unit_id, question, rater, code`` (one row per rater, unit and
    code; other columns are ignored); ``freq``: the question's rows of
    :func:`category_frequencies`. Returns ``code, label, rank, n`` (consensus) followed by
    ``rank_<rater>, n_<rater>`` for every rater in sorted order: the number of the question's
    answers the rater coded with the category and its competition rank among the rater's counts.
    Rows keep the order of ``freq``.
    """
    require_table_columns(ratings, ("unit_id", "question", "rater", "code"), source)
    q = str(freq["question"].iloc[0])
    codes = freq["code"].tolist()
    sub = ratings[(ratings["question"] == q) & ratings["code"].notna()]
    out = freq[["code", "label", "rank", "n"]].reset_index(drop=True)
    for rater in sorted(ratings["rater"].dropna().astype(str).unique()):
        mine = sub[sub["rater"].astype(str) == rater].drop_duplicates(["unit_id", "code"])
        n = mine["code"].value_counts().reindex(codes, fill_value=0).to_numpy(dtype=int)
        out[f"rank_{rater}"] = competition_rank(n)
        out[f"n_{rater}"] = n
    return out


def top_category_sentence(freq: pd.DataFrame, question_label: str, *, alpha: float = 0.05) -> str:
    """One sentence on the first-ranked category(ies) of one question's
    :func:`category_frequencies` rows, with the number of answers, the share of participants who
    raised it with its interval, and the interval of its rank. Tied categories are all named."""
    if freq.empty or freq["n"].max() == 0:
        return f"No answer to {question_label} was coded."
    top = freq[freq["rank"] == 1]
    level = round(100 * (1 - alpha))
    parts = [f"{r.label} ({r.n} of {r.n_units} answers; raised by {r.n_participants} of "
             f"{r.participants_answering} participants, {100 * r.participant_share:.0f}% "
             f"[{level}% CI {100 * r.participant_ci_low:.0f}%, {100 * r.participant_ci_high:.0f}%]; "
             + (f"rank {r.rank_low} in every resample" if r.rank_low == r.rank_high
                else f"rank between {r.rank_low} and {r.rank_high} in {level}% of participant "
                "resamples")
             + ")" for r in top.itertuples()]
    if len(parts) == 1:
        return f"The most frequent category of {question_label} was {parts[0]}."
    return (f"{len(parts)} categories of {question_label} were tied for the most frequent: "
            f"{'; '.join(parts[:-1])}; and {parts[-1]}.")


def flag_sentence(freq: pd.DataFrame, question_label: str, *,
                  kappa_threshold: float = KAPPA_THRESHOLD) -> str:
    """One sentence naming the categories of one question flagged for low agreement (category
    kappa below ``kappa_threshold``) in :func:`category_frequencies` rows, or saying none is."""
    flagged = freq[freq["flag"] == LOW_AGREEMENT].sort_values(["category_kappa", "rank"],
                                                              kind="stable")
    if flagged.empty:
        return (f"Every category of {question_label} reached a category kappa of at least "
                f"{kappa_threshold:.2f} (or was not rated).")
    names = [f"{r.label} (kappa {r.category_kappa:.2f})" for r in flagged.itertuples()]
    if len(names) == 1:
        return (f"One category of {question_label} has a category kappa below "
                f"{kappa_threshold:.2f}: {names[0]}; its count rests on coding the raters did not "
                "agree on well, so read its rank with caution.")
    return (f"{len(names)} categories of {question_label} have a category kappa below "
            f"{kappa_threshold:.2f}: {', '.join(names[:-1])} and {names[-1]}; their counts rest on "
            "coding the raters did not agree on well, so read their ranks with caution.")


def rater_rank_sentence(by_rater: pd.DataFrame, question_label: str) -> str:
    """One sentence on where each rater's own ranking of one question (:func:`rank_by_rater`)
    puts the consensus first-ranked categories, and the largest shift of any category."""
    raters = [c[len("rank_"):] for c in by_rater.columns if c.startswith("rank_")]
    if not raters:
        return f"No rater's own ranking of {question_label} is available."
    top = by_rater[by_rater["rank"] == 1]
    one = len(top) == 1
    places = []
    for r in raters:
        ranks = [str(x) for x in top[f"rank_{r}"].astype(int)]
        joined = ranks[0] if len(ranks) == 1 else f"{', '.join(ranks[:-1])} and {ranks[-1]}"
        places.append(f"{joined} (rater {r})")
    worst = int(max((by_rater[f"rank_{r}"] - by_rater["rank"]).abs().max() for r in raters))
    return (f"Ranked by each rater's own codes, the consensus first-ranked "
            f"{'category' if one else 'categories'} of {question_label} "
            f"{'comes at rank' if one else 'come at ranks'} {'; '.join(places)}; across all "
            f"categories a rater's rank differs from the consensus rank by at most {worst} "
            f"place{'s' if worst != 1 else ''}.")


def shared_axis_limit(freq: pd.DataFrame, column: str = "participant_ci_high",
                      margin: float = 0.12) -> float:
    """Upper x limit (in %) shared by the figures of all questions: the largest ``column`` value
    of ``freq`` (all questions) in percent plus ``margin`` x 100 for the labels, at most 100."""
    top = float(np.nanmax(freq[column].to_numpy(dtype=float))) if len(freq) else 0.0
    return float(min(100.0, max(10.0, 100 * (top + margin))))
