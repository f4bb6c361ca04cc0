"""The coding units: the answers of the processed posts, and the answers left without a question."""

from __future__ import annotations

import re

import pandas as pd

from tweetstorm import schemas
from tweetstorm.codebook import Codebook
from tweetstorm.errors import InputError, require_columns
from tweetstorm.prose import plural

__all__ = ["check_questions", "question_key", "unassigned_answers", "units", "units_sentence"]

POSTS_SOURCE = schemas.POSTS.path
#: The columns of the processed posts the coding units are made of.
UNIT_POST_COLUMNS: tuple[str, ...] = ("post_id", "role", "question", "author_handle", "text")


def question_key(q: str) -> tuple[int, str]:
    """Natural order of question ids: Q2 before Q10."""
    m = re.fullmatch(r"Q(\d+)", str(q))
    return (int(m.group(1)), "") if m else (10**9, str(q))


def _sort_units(df: pd.DataFrame, by_time: bool) -> pd.DataFrame:
    keys = df["question"].map(question_key)
    order = pd.DataFrame({"k": keys, "id": df["post_id"].astype(str)})
    if by_time:
        order["t"] = df["created_at"]
        idx = order.sort_values(["k", "t", "id"], kind="mergesort").index
    else:
        idx = order.sort_values(["k", "id"], kind="mergesort").index
    return df.loc[idx]


def _answers(posts: pd.DataFrame, source: str) -> pd.DataFrame:
    require_columns(posts.columns, UNIT_POST_COLUMNS, source,
                    "run notebook 01-ingest, which writes the canonical posts with role and question")
    return posts[posts["role"] == "answer"]


def units(posts: pd.DataFrame, *, source: str = POSTS_SOURCE) -> pd.DataFrame:
    """The coding units: posts with ``role == "answer"`` and an assigned question.

    Returns a DataFrame ``(unit_id, question, author, text)`` (all str; ``unit_id`` is the
    ``post_id``, ``author`` the pseudonymised ``author_handle``), one row per unit, sorted by
    question (Q1, Q2, ..., Q10), then ``created_at`` (if present), then ``unit_id``.
    Answers without a question cannot be coded; :func:`unassigned_answers` lists them.
    ``source`` only names the table in error messages.
    """
    ans = _answers(posts, source)
    ans = ans[ans["question"].notna()]
    dup = ans["post_id"].astype(str).duplicated()
    if dup.any():
        raise InputError(source, f"post_id {ans['post_id'].astype(str)[dup].iloc[0]} occurs twice",
                         "deduplicate the posts (notebook 01-ingest keeps one row per post)")
    ans = _sort_units(ans, "created_at" in ans.columns)
    out = pd.DataFrame({
        "unit_id": ans["post_id"].astype(str).to_numpy(),
        "question": ans["question"].astype(str).to_numpy(),
        "author": ans["author_handle"].astype(str).to_numpy(),
        "text": ans["text"].astype(str).to_numpy(),
    })
    return out


def unassigned_answers(posts: pd.DataFrame, *, source: str = POSTS_SOURCE) -> pd.DataFrame:
    """Answers whose question could not be assigned: ``(unit_id, author, text)``; not coded."""
    ans = _answers(posts, source)
    ans = ans[ans["question"].isna()]
    return pd.DataFrame({"unit_id": ans["post_id"].astype(str).to_numpy(),
                         "author": ans["author_handle"].astype(str).to_numpy(),
                         "text": ans["text"].astype(str).to_numpy()}).sort_values(
        "unit_id", kind="mergesort", ignore_index=True)


def check_questions(units_df: pd.DataFrame, codebook: Codebook) -> None:
    """InputError naming the codebook when a unit answers a question the codebook lacks."""
    known = set(codebook.questions())
    bad = sorted(set(units_df["question"]) - known, key=question_key)
    if bad:
        raise InputError(codebook.source, f"the units answer question(s) {', '.join(bad)}, which the "
                         f"codebook lacks (it has {', '.join(codebook.questions())})",
                         "add the question(s) to the codebook or fix the question assignment")


def units_sentence(units: pd.DataFrame, unassigned: pd.DataFrame) -> str:
    """What the coding units are, for a reader: how many answers by how many participants
    (:func:`units`), and the answers left uncoded for want of a question
    (:func:`unassigned_answers`)."""
    text = (f"{plural(len(units), 'answer')} {'is a coding unit' if len(units) == 1 else 'are coding units'}, "
            f"by {plural(units['author'].nunique(), 'participant')}. ")
    n = len(unassigned)
    if not n:
        return text + "Every answer was assigned to a question."
    return text + (f"{plural(n, 'further answer')} had no question and "
                   f"{'is' if n == 1 else 'are'} not coded.")
