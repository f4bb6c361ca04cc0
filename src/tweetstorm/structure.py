"""The Tweetstorm's structure: each canonical post gets a role and, for answers, its question.

:func:`assign_structure` takes the canonical post table (one row per post, see
``docs/architecture.md``) and returns a copy with four more columns:

- ``role`` in ``question, answer, retweet, reply, quote, off_topic, outside_window``;
- ``question`` (``Q1``, ``Q2``, ... or NA): the question a ``question`` post asks, or the question
  an ``answer`` answers;
- ``assign_rule`` in ``prefix, reply_chain, quote_chain, time_window, unassigned`` for answers
  (NA for every other role): the rule that made the post an answer;
- ``author_kind`` in ``moderator, participant, other`` (:data:`KINDS`; NA where the author is
  missing): the kind of account that wrote the post (:func:`author_kinds`). Later steps read this
  column to tell moderators and participants apart; none re-derives it.

Kinds of accounts
-----------------
A *moderator* is an account of ``moderators``. A *participant* is any other account that wrote at
least one post with role ``answer`` (whatever its ``assign_rule``). Every other account is
*other*. :func:`answer_authors` is the one implementation of "wrote an answer"; rule 9 below uses
it too, restricted to the answers found by rules 4 to 6.

The rules, applied in this order; the first rule that matches a post decides it
-------------------------------------------------------------------------------
1. ``outside_window``: ``created_at`` outside ``[start, end]`` (both ends included).
2. ``question``: an original post (not a retweet) by a moderator whose text starts with a
   question prefix ``Qn:`` (:data:`QUESTION_PREFIX`); ``question = Qn``. A retweet of a question
   carries the question's text but is not a new question, so it falls to rule 3.
3. ``retweet``: ``is_retweet`` is true.
4. ``answer`` / ``prefix``: the text starts with an answer prefix (:data:`ANSWER_PREFIX`:
   ``A2:``, ``A2 -``, ``a2)``, ``A2.``, ``A 2:``, after optional whitespace and @mentions) naming
   a question that was asked (some post has role ``question`` for it); ``question = Qn``.
5. ``answer`` / ``reply_chain``: a reply whose chain of ``reply_to_post_id`` links, followed
   through the posts of the table, reaches a question post; ``question`` = that question
   (the nearest question up the chain).
6. ``answer`` / ``quote_chain``: a quote (``quoted_post_id``) of a question post.
7. ``reply``: any other reply. 8. ``quote``: any other quote.
9. ``answer`` / ``time_window``: a post by a *participant* that carries the event hashtag and was
   posted after a question (``question.created_at <= created_at``) and before the next question,
   or, after the last question, within ``last_window_minutes`` of it (end included);
   ``question`` = that question. A participant is a non-moderator account with at least one
   ``prefix``, ``reply_chain`` or ``quote_chain`` answer.
10. ``off_topic``: every other post.

Unassigned answers. A post whose answer prefix names a question that was never asked, or a
reply whose chain breaks (a parent post is not in the table, or the links form a cycle), is an
answer the data cannot place. Such a post is still decided by rules 5, 6 and 9 when one of them
matches; it is not demoted to ``reply``/``quote``/``off_topic`` by rules 7, 8 and 10 but becomes
``answer`` with ``assign_rule = "unassigned"`` and ``question`` NA. :func:`unassigned` lists them
with the reason, for a human to look at.

Handles (``author_handle``, ``moderators``) are compared case-insensitively, without ``@``; the
hashtag is compared lower-case without ``#`` against the ``hashtags`` column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from tweetstorm.errors import InputError, require_columns
from tweetstorm.ingest.entities import handle_key
from tweetstorm.prose import plural

ROLES: tuple[str, ...] = ("question", "answer", "retweet", "reply", "quote", "off_topic",
                          "outside_window")
ASSIGN_RULES: tuple[str, ...] = ("prefix", "reply_chain", "quote_chain", "time_window", "unassigned")
#: Kinds of accounts (column ``author_kind``), see the module docstring.
KINDS: tuple[str, ...] = ("moderator", "participant", "other")

_REQUIRED = ("post_id", "author_handle", "created_at", "text", "is_retweet", "reply_to_post_id",
             "quoted_post_id", "hashtags")


def _prefix_regex(letter: str) -> re.Pattern[str]:
    """The one prefix pattern, for answers (``A``) and questions (``Q``).

    At the start of the text: optional whitespace and leading @mentions (``@mod A2: ...``,
    ``@a, @b: A2 ...``), then the letter in either case, at most one space, the number, optional
    spaces and a separator: ``:``, ``)`` or ``.`` not followed by a digit (so ``A 2:30 pm`` and
    ``A2.5`` are not prefixes), or a dash (``-``, en or em dash) followed by a space or the end
    (so ``A 2-hour session`` is not a prefix). The number is captured as group ``n``.
    """
    return re.compile(
        r"^\s*"
        r"(?:@[A-Za-z0-9_]+(?:[.@-][A-Za-z0-9_]+)*[\s,:;]*)*"  # leading mentions
        rf"[{letter.upper()}{letter.lower()}] ?(?P<n>\d{{1,2}})"  # A2, a2, A 2
        r"\s*(?:[:.)](?!\d)|[-\u2013\u2014](?=\s|$))"  # separator
    )


#: Answer prefix at the start of a post: ``A2:``, ``A2 -``, ``a2)``, ``A2.``, ``A 2:``, with
#: optional leading whitespace and @mentions; group ``n`` is the question number.
ANSWER_PREFIX: re.Pattern[str] = _prefix_regex("A")
#: Question prefix of a moderator post (same forms as :data:`ANSWER_PREFIX`, letter ``Q``).
QUESTION_PREFIX: re.Pattern[str] = _prefix_regex("Q")



def answer_authors(authors: pd.Series, answered, is_moderator) -> set[str]:
    """The participants: normalised handles (case-folded, without ``@``) of the authors of the
    posts where ``answered`` is true, moderators (``is_moderator``) left out.

    ``authors``: the ``author_handle`` column (n rows); ``answered``, ``is_moderator``: boolean
    arrays of n. The one definition of "participant" of the compendium (module docstring).
    """
    norm = authors.astype("string").str.strip().str.lstrip("@").str.casefold()
    keep = np.asarray(answered, dtype=bool) & ~np.asarray(is_moderator, dtype=bool)
    return set(norm[keep].dropna())


def author_kinds(posts: pd.DataFrame, moderators: Iterable[str]) -> pd.Series:
    """``author_kind`` of every post (string Series aligned with ``posts``): ``moderator`` for the
    accounts of ``moderators`` (handles with or without ``@``, any case), ``participant`` for
    :func:`answer_authors` over the posts with role ``answer``, ``other`` for the rest, NA where
    ``author_handle`` is missing. ``posts`` needs ``author_handle`` and ``role``."""
    require_columns(posts.columns, ("author_handle", "role"), "posts table",
                    "pass the output of tweetstorm.structure.assign_structure")
    mods = {handle_key(m) for m in moderators}
    norm = posts["author_handle"].astype("string").str.strip().str.lstrip("@").str.casefold()
    is_mod = norm.isin(mods).fillna(False).to_numpy(dtype=bool)
    answered = posts["role"].astype("string").eq("answer").fillna(False).to_numpy(dtype=bool)
    participants = answer_authors(posts["author_handle"], answered, is_mod)
    kind = np.where(is_mod, "moderator",
                    np.where(norm.isin(participants).fillna(False).to_numpy(dtype=bool),
                             "participant", "other")).astype(object)
    kind[norm.isna().to_numpy()] = None
    return pd.Series(pd.array(kind, dtype="string"), index=posts.index, name="author_kind")


def _utc(value: str | pd.Timestamp, name: str) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        raise InputError("parameters", f"{name}={value!r} has no time zone",
                         f"give {name} in UTC, e.g. '2013-03-20T15:00:00Z'")
    return ts.tz_convert("UTC")


def _check(posts: pd.DataFrame) -> None:
    require_columns(posts.columns, _REQUIRED, "posts table",
                    "pass the canonical post table of tweetstorm.ingest.read_posts")
    for col in ("post_id", "created_at"):
        bad = posts[col].isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            row = posts.iloc[i]
            raise InputError(str(row.get("source_file", "posts table")), f"post without {col}",
                             "fix or drop the record in the export", line=_line(row))
    dup = posts["post_id"].duplicated()
    if dup.any():
        row = posts[dup].iloc[0]
        raise InputError(str(row.get("source_file", "posts table")),
                         f"post_id {row['post_id']} occurs more than once",
                         "de-duplicate with tweetstorm.ingest.read_posts first", line=_line(row))


def _line(row: pd.Series) -> int | None:
    line = row.get("source_line")
    return None if line is None or pd.isna(line) else int(line)


def _question_number(text: pd.Series, pattern: re.Pattern[str]) -> pd.Series:
    """``Qn`` labels (string dtype, NA where ``text`` has no such prefix); ``A02:`` -> ``Q2``."""
    n = text.str.extract(pattern)["n"]
    return ("Q" + n.astype("Int64").astype("string")).astype("string")


def _walk_reply_chains(post_ids: pd.Series, parents: pd.Series,
                       question_of: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """For each reply, the nearest question up its reply chain, and whether the chain breaks.

    Returns ``(question, broken)`` aligned with ``post_ids``: ``question`` is ``Qn`` or NA;
    ``broken`` is true where the chain reaches a parent that is not in the table (or loops).
    A plain dict walk with memoisation: following pointers of varying depth is not a column
    operation (an iterated self-merge would need as many merges as the deepest chain), and the
    memo makes the walk O(number of posts).
    """
    ids = post_ids.tolist()
    ups = [None if pd.isna(r) else r for r in parents.to_numpy(dtype=object, na_value=None)]
    parent_of = {p: r for p, r in zip(ids, ups, strict=True) if r is not None}
    known = set(ids)
    memo: dict[str, tuple[str | None, bool]] = {}

    def walk(start: str) -> tuple[str | None, bool]:
        path: list[str] = []
        seen: set[str] = set()
        cur: str | None = start
        result: tuple[str | None, bool]
        while True:
            if cur in memo:
                result = memo[cur]
                break
            if cur in seen:  # a cycle: no question can be reached
                result = (None, True)
                break
            seen.add(cur)
            path.append(cur)
            parent = parent_of.get(cur)
            if parent is None:  # top of the chain, not a question
                result = (None, False)
                break
            if parent in question_of:
                result = (question_of[parent], False)
                break
            if parent not in known:
                result = (None, True)
                break
            cur = parent
        for node in path:
            memo[node] = result
        return result

    out_q: list[str | None] = []
    out_broken: list[bool] = []
    for pid, parent in zip(ids, ups, strict=True):
        if parent is None:
            out_q.append(None)
            out_broken.append(False)
            continue
        q, broken = walk(pid)
        out_q.append(q)
        out_broken.append(broken)
    return (pd.Series(out_q, index=post_ids.index, dtype="string"),
            pd.Series(out_broken, index=post_ids.index, dtype=bool))


def _time_window_question(created: pd.Series, q_times: pd.Series, q_labels: pd.Series,
                          last_window: pd.Timedelta) -> pd.Series:
    """The question whose window holds each time (NA before the first question or after the
    last question's window). ``q_times``/``q_labels`` sorted by time."""
    if len(q_times) == 0:
        return pd.Series(pd.NA, index=created.index, dtype="string")
    qt = q_times.to_numpy(dtype="datetime64[ns]")
    t = created.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    idx = np.searchsorted(qt, t, side="right") - 1
    ok = idx >= 0
    last = len(qt) - 1
    late = (idx == last) & (t > qt[last] + last_window.to_timedelta64())
    ok &= ~late
    labels = np.asarray(q_labels, dtype=object)
    out = np.where(ok, labels[np.clip(idx, 0, last)], None)
    return pd.Series(out, index=created.index, dtype="string")


def assign_structure(posts: pd.DataFrame, *, hashtag: str, moderators: Iterable[str],
                     start: str | pd.Timestamp, end: str | pd.Timestamp,
                     last_window_minutes: float = 20) -> pd.DataFrame:
    """Role, question and assignment rule of every post (rules in the module docstring).

    ``posts``: the canonical post table (n rows, unique ``post_id``). ``hashtag``: the event
    hashtag, with or without ``#``, any case. ``moderators``: moderator handles, with or without
    ``@``. ``start``/``end``: the event window, time-zone aware (ISO strings like
    ``2013-03-20T15:00:00Z``). ``last_window_minutes``: minutes after the last question in which
    participants' hashtag posts still count as answers to it.

    Returns a copy of ``posts`` (same rows, same order) with string columns ``role``,
    ``question``, ``assign_rule`` and ``author_kind`` appended.
    """
    _check(posts)
    start_ts, end_ts = _utc(start, "start"), _utc(end, "end")
    if end_ts < start_ts:
        raise InputError("parameters", f"end {end} is before start {start}", "swap start and end")
    tag = str(hashtag).strip().lstrip("#").casefold()
    mods = {handle_key(m) for m in moderators}

    df = posts.reset_index(drop=True)
    n = len(df)
    created = pd.to_datetime(df["created_at"], utc=True)
    text = df["text"].astype("string").fillna("")
    authors = df["author_handle"].astype("string").str.strip().str.lstrip("@").str.casefold()
    is_mod = authors.isin(mods).fillna(False).astype(bool)
    is_rt = df["is_retweet"].fillna(False).astype(bool)
    reply_to = df["reply_to_post_id"].astype("string")
    quoted = df["quoted_post_id"].astype("string")
    is_reply = reply_to.notna().to_numpy()
    is_quote = quoted.notna().to_numpy()

    role = np.full(n, None, dtype=object)
    question = np.full(n, None, dtype=object)
    rule = np.full(n, None, dtype=object)
    open_ = np.ones(n, dtype=bool)  # not decided yet

    def decide(mask, role_value, q_values=None, rule_value=None) -> None:
        mask = np.asarray(mask, dtype=bool) & open_
        role[mask] = role_value
        if q_values is not None:
            question[mask] = np.asarray(q_values, dtype=object)[mask]
        rule[mask] = rule_value
        open_[mask] = False

    # 1-3: outside the window, moderator questions, retweets.
    decide(~created.between(start_ts, end_ts).to_numpy(), "outside_window")
    q_label = _question_number(text, QUESTION_PREFIX)
    decide((is_mod & ~is_rt & q_label.notna()).to_numpy(), "question", q_label.to_numpy())
    decide(is_rt.to_numpy(), "retweet")

    is_question = role == "question"
    asked = set(question[is_question])
    question_of = dict(zip(df["post_id"][is_question], question[is_question], strict=True))

    # 4: explicit answer prefix naming an asked question.
    a_label = _question_number(text, ANSWER_PREFIX)
    has_prefix = a_label.notna().to_numpy()
    decide(has_prefix & a_label.isin(asked).fillna(False).to_numpy(), "answer",
           a_label.to_numpy(), "prefix")
    pending = open_ & has_prefix  # prefix names a question never asked

    # 5: reply chain up to a question.
    chain_q, broken = _walk_reply_chains(df["post_id"].astype(str), reply_to, question_of)
    decide(chain_q.notna().to_numpy(), "answer", chain_q.to_numpy(), "reply_chain")
    pending |= open_ & is_reply & broken.to_numpy()

    # 6: quote of a question.
    quote_q = quoted.map(question_of).astype("string")
    decide(quote_q.notna().to_numpy(), "answer", quote_q.to_numpy(), "quote_chain")

    # 7-8: other replies and quotes (unless they are pending unassigned answers).
    decide(is_reply & ~pending, "reply")
    decide(is_quote & ~pending, "quote")

    # 9: participants' hashtag posts in a question's time window.
    decided_answer = (role == "answer") & np.isin(rule, ["prefix", "reply_chain", "quote_chain"])
    participants = answer_authors(df["author_handle"], decided_answer, is_mod.to_numpy())
    is_participant = (authors.isin(participants) & ~is_mod).fillna(False).to_numpy()
    tags = df["hashtags"].explode().astype("string").str.lstrip("#").str.casefold()
    has_tag = tags.eq(tag).fillna(False).groupby(level=0).any().reindex(df.index, fill_value=False)
    q_posts = pd.DataFrame({"t": created[is_question], "q": question[is_question],
                            "id": df["post_id"][is_question]}).sort_values(["t", "id"], kind="stable")
    window_q = _time_window_question(created, q_posts["t"].dt.tz_localize(None), q_posts["q"],
                                     pd.Timedelta(minutes=last_window_minutes))
    decide(is_participant & has_tag.to_numpy() & window_q.notna().to_numpy(), "answer",
           window_q.to_numpy(), "time_window")

    # 10: pending answers no rule could place; everything else is off-topic.
    decide(pending, "answer", None, "unassigned")
    decide(open_, "off_topic")

    out = posts.copy()
    out["role"] = pd.array(role, dtype="string")
    out["question"] = pd.array(question, dtype="string")
    out["assign_rule"] = pd.array(rule, dtype="string")
    out["author_kind"] = author_kinds(out, mods).to_numpy()
    return out


def rule_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Posts per role, answers split per assignment rule.

    Returns columns ``role``, ``assign_rule`` (NA except on answer rows) and ``posts`` (int):
    one row per non-answer role and one per answer rule, in the fixed orders of :data:`ROLES`
    and :data:`ASSIGN_RULES`, zero counts included.
    """
    key = df["role"].astype("string").fillna("") + "/" + df["assign_rule"].astype("string").fillna("")
    counts = key.value_counts()
    rows = []
    for role in ROLES:
        if role == "answer":
            rows += [("answer", r, int(counts.get(f"answer/{r}", 0))) for r in ASSIGN_RULES]
        else:
            rows.append((role, pd.NA, int(counts.get(f"{role}/", 0))))
    out = pd.DataFrame(rows, columns=["role", "assign_rule", "posts"])
    out["role"] = out["role"].astype("string")
    out["assign_rule"] = out["assign_rule"].astype("string")
    return out


def assignment_sentence(counts: pd.DataFrame) -> str:
    """How the answers were placed, for a reader, from :func:`rule_counts`: the questions the
    moderator asked, then the answers each rule assigned (every rule, in the order of
    :data:`ASSIGN_RULES`) and those no rule could place."""
    n_questions = int(counts.loc[counts["role"] == "question", "posts"].sum())
    answers = counts[counts["role"] == "answer"].set_index("assign_rule")["posts"]
    placed = [f"{int(n)} {'was' if n == 1 else 'were'} assigned by `{rule}`"
              for rule, n in answers.items() if rule != "unassigned"]
    return (f"The moderator asked {plural(n_questions, 'question')}. Of the "
            f"{plural(int(answers.sum()), 'answer')}, {', '.join(placed)}; "
            f"{int(answers.get('unassigned', 0))} could not be placed.")


def unassigned_sentence(todo: pd.DataFrame) -> str:
    """The heading of :func:`unassigned`'s list for a reader (the list follows it), or that there
    is nothing to look at."""
    if not len(todo):
        return "Every answer in this export was placed by a rule: nothing to look at."
    return f"{plural(len(todo), 'unassigned answer')} to look at:"


def unassigned(df: pd.DataFrame) -> pd.DataFrame:
    """The answers no rule could place, with the reason, sorted by ``created_at``, ``post_id``.

    ``df`` is the output of :func:`assign_structure` (all posts, so broken chains can be named).
    Returns columns ``post_id, created_at, author_handle, text, reason``.
    """
    mask = (df["role"] == "answer") & (df["assign_rule"] == "unassigned")
    sub = df.loc[mask.fillna(False)]
    known = set(df["post_id"])
    reasons = []
    for text, parent in zip(sub["text"].fillna(""), sub["reply_to_post_id"], strict=True):
        m = ANSWER_PREFIX.match(text)
        parts = []
        if m:
            parts.append(f"prefix names Q{int(m['n'])}, which was never asked")
        if not pd.isna(parent):
            where = "" if parent in known else f" (post {parent} is not in the data)"
            parts.append(f"reply chain breaks before reaching a question{where}")
        reasons.append("; ".join(parts))
    out = sub[["post_id", "created_at", "author_handle", "text"]].copy()
    out["reason"] = pd.array(reasons, dtype="string")
    return out.sort_values(["created_at", "post_id"], kind="stable").reset_index(drop=True)
