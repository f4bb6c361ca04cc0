"""Who took part and how much: posts per participant, concentration, answers per question,
the timeline of the event.

Who is a moderator, a participant or another account is a fact of the post table, its column
``author_kind``; :func:`author_kinds` is the one place that reads it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tweetstorm import structure
from tweetstorm.errors import InputError
from tweetstorm.descriptives.inputs import POSTS_FILE, require_table_columns

#: Post roles counted per participant (the moderator's questions are not participation).
PARTICIPATION_ROLES: tuple[str, ...] = ("answer", "retweet", "reply", "quote")
#: Roles drawn on the timeline, in this order; ``outside_window`` posts are not on it by definition.
TIMELINE_ROLES: tuple[str, ...] = ("question", "answer", "retweet", "reply", "quote", "off_topic")
#: The kinds of account of the column ``author_kind``.
AUTHOR_KINDS: tuple[str, ...] = ("moderator", "participant", "other")


def check_posts(posts: pd.DataFrame, source: str = POSTS_FILE) -> None:
    """Raise :class:`InputError` unless ``posts`` has the columns this step reads and every role
    is one of the structure step's roles."""
    require_table_columns(posts, ("post_id", "author_handle", "created_at", "role", "question"),
                          source)
    bad = ~posts["role"].isin(TIMELINE_ROLES + ("outside_window",))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise InputError(source, f"unknown role {posts['role'].iloc[i - 1]!r}",
                         "rerun notebook 01 (structure.assign_structure)", row=i)


def author_kinds(posts: pd.DataFrame, *, source: str = POSTS_FILE) -> pd.DataFrame:
    """The kind of every author of the post table: ``author_handle, author_kind`` (moderator,
    participant or other), one row per author, sorted by handle.

    The kind is read from the posts' column ``author_kind`` when the table has it (each author
    must have one kind, from :data:`AUTHOR_KINDS`). A table without that column gets it from the
    posts' roles: a moderator is the author of a post with role ``question`` (only moderators
    ask the questions), a participant an author of at least one ``answer`` who is not a
    moderator, and every other author (who only retweets, replies, quotes or posts off topic) is
    ``other``.
    """
    check_posts(posts, source)
    handles = posts["author_handle"].astype("string")
    if "author_kind" in posts.columns:
        kinds = posts.assign(author_handle=handles)[["author_handle", "author_kind"]].dropna(
            subset=["author_handle"])
        bad = ~kinds["author_kind"].isin(AUTHOR_KINDS)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0]) + 1
            raise InputError(source, f"unknown author_kind {kinds['author_kind'].iloc[i - 1]!r}",
                             f"use one of {', '.join(AUTHOR_KINDS)} (rerun notebook 01)", row=i)
        kinds = kinds.drop_duplicates()
        twice = kinds["author_handle"].duplicated(keep=False)
        if twice.any():
            who = kinds.loc[twice, "author_handle"].iloc[0]
            raise InputError(source, f"author {who!r} has more than one author_kind",
                             "give every author one kind (rerun notebook 01)")
    else:  # the rule of the structure step, with the askers of questions as moderators
        moderators = set(handles[posts["role"] == "question"].dropna())
        kinds = pd.DataFrame({"author_handle": handles,
                              "author_kind": structure.author_kinds(posts, moderators)})
        kinds = kinds.dropna(subset=["author_handle"]).drop_duplicates()
    kinds = kinds.astype({"author_handle": str, "author_kind": str})
    return kinds.sort_values("author_handle", kind="stable").reset_index(drop=True)


def moderators(posts: pd.DataFrame) -> list[str]:
    """The moderator accounts of a post table (:func:`author_kinds`), sorted."""
    kinds = author_kinds(posts)
    return kinds.loc[kinds["author_kind"] == "moderator", "author_handle"].tolist()


def posts_per_participant(posts: pd.DataFrame, *, source: str = POSTS_FILE) -> pd.DataFrame:
    """Posts of each participant by role: ``participant, answer, retweet, reply, quote, total``
    (counts of posts; ``answer`` includes answers no rule could assign to a question).

    The participants are the authors of kind ``participant`` (:func:`author_kinds`); moderators
    and other accounts are not counted. Sorted by answers, then total (both descending), then
    participant.
    """
    kinds = author_kinds(posts, source=source)
    people = set(kinds.loc[kinds["author_kind"] == "participant", "author_handle"])
    part = posts[posts["role"].isin(PARTICIPATION_ROLES)
                 & posts["author_handle"].astype("string").isin(people).fillna(False)]
    table = pd.crosstab(part["author_handle"].astype(str),
                        pd.Categorical(part["role"], categories=list(PARTICIPATION_ROLES)),
                        dropna=False)
    table = table.reindex(sorted(people), fill_value=0)
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


def concentration_sentence(conc: pd.DataFrame, posts: pd.DataFrame, fraction: float = 0.1) -> str:
    """One sentence on :func:`concentration` of answers, with the number of answers that no rule
    assigned to a question (and so were not coded)."""
    c = conc.iloc[0]
    unassigned = int(((posts["role"] == "answer") & posts["question"].isna()).sum())
    return (f"{c['n_participants']} participants wrote {c['total']} answers"
            + (f" ({unassigned} of them not assigned to a question, so not coded)"
               if unassigned else "")
            + f". The most active {fraction:.0%} ({c['top_k']} participant"
            f"{'s' if c['top_k'] != 1 else ''}) wrote {c['top_share']:.1%} of them; the Gini "
            f"coefficient of answers per participant is {c['gini']:.2f}.")


def answers_per_question(posts: pd.DataFrame, questions: Sequence[str], *,
                         source: str = POSTS_FILE) -> pd.DataFrame:
    """Answers per question: ``question, answers, participants, answers_per_participant`` in the
    order of ``questions``; answers without a question are shown on a row ``unassigned`` (present
    only when there are any)."""
    check_posts(posts, source)
    ans = posts[posts["role"] == "answer"].copy()
    ans["question"] = ans["question"].astype("object").where(ans["question"].notna(), "unassigned")
    unknown = sorted(set(ans["question"]) - set(questions) - {"unassigned"})
    if unknown:
        raise InputError(source, f"answers to questions not in the codebook: {', '.join(unknown)}",
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
    check_posts(posts, source)
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


def timeline_sentence(tl: pd.DataFrame) -> str:
    """One sentence on the length of the event, its posts per minute and its busiest minute
    (the earliest of equally busy minutes), from :func:`timeline`."""
    busiest = tl.sort_values(["total", "minutes"], ascending=[False, True], kind="stable").iloc[0]
    total = int(tl["total"].sum())
    return (f"The event lasted {len(tl)} minutes from the first to the last post, with {total} "
            f"posts in all ({total / len(tl):.1f} per minute); the busiest minute, "
            f"{busiest['minutes']} minutes after the first question, saw {busiest['total']} posts.")


def _event_start(posts: pd.DataFrame) -> pd.Timestamp:
    q = posts[posts["role"] == "question"]
    times = pd.to_datetime((q if not q.empty else posts)["created_at"], utc=True)
    return times.min().floor("1min")


def question_times(posts: pd.DataFrame, *, source: str = POSTS_FILE) -> pd.DataFrame:
    """When each question was posted: ``question, created_at, minute, minutes`` (bin start and
    minutes since the first question), one row per question post, sorted by time."""
    check_posts(posts, source)
    q = posts[posts["role"] == "question"].copy()
    q["created_at"] = pd.to_datetime(q["created_at"], utc=True)
    q = q.sort_values(["created_at", "post_id"], kind="stable")
    start = _event_start(posts)
    minute = q["created_at"].dt.floor("1min")
    minutes = ((minute - start) / pd.Timedelta("1min")).round().astype(int)
    return pd.DataFrame({"question": q["question"].to_numpy(),
                         "created_at": q["created_at"].to_numpy(), "minute": minute.to_numpy(),
                         "minutes": minutes.to_numpy()})


def coverage_sentence(consensus: pd.DataFrame, posts: pd.DataFrame, codebook) -> str:
    """One sentence on what the analysis covers: coded answers, their authors, the questions
    with their labels, and the posts collected."""
    questions = list(codebook.questions())
    record = getattr(codebook, "question", None)
    names = [f"{q} {record(q).label}" if record is not None else q for q in questions]
    return (f"The analysis covers {consensus['unit_id'].nunique()} coded answers by "
            f"{consensus['author'].nunique()} participants to {len(questions)} questions "
            f"({', '.join(names)}), out of {len(posts)} posts collected.")
