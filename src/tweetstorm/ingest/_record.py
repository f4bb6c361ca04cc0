"""The canonical post record: column names, their Arrow types, and the checks every post passes.

A *post dict* is what a format reader yields: the keys of :data:`READER_KEYS` (every canonical
column except ``source_format``, ``source_file`` and ``source_line``, which the framework adds).
``created_at`` is a timezone-aware datetime (or pandas Timestamp); ``hashtags``, ``mentions`` and
``urls`` are lists of str; a missing scalar is ``None``.
"""

from __future__ import annotations

import datetime as _dt

from tweetstorm.schemas import CANONICAL_COLUMNS, CANONICAL_POSTS, LIST_COLUMNS

#: Arrow types of the canonical table (declared in :mod:`tweetstorm.schemas`).
ARROW_SCHEMA = CANONICAL_POSTS

#: Keys of a post dict yielded by a reader.
READER_KEYS: tuple[str, ...] = tuple(
    c for c in CANONICAL_COLUMNS if c not in ("source_format", "source_file", "source_line"))

#: An optional key a reader may add to a post dict to say which version of a post it is (not a
#: column of the table): ``(first version's id or None, edit number, collection time or None)``.
#: The first version's id groups an edited post's versions (default: ``post_id``); the edit
#: number grows with every edit (default 0); the collection time (an aware datetime, e.g.
#: twarc2's ``__twarc.retrieved_at``) orders copies of one version collected at different times.
VERSION_KEY = "_version"

PLATFORMS = frozenset({"twitter", "mastodon", "bluesky"})
_STR_KEYS = tuple(k for k in READER_KEYS
                  if k not in ("post_id", "created_at", "is_retweet", *LIST_COLUMNS))


def check_post(post: object) -> str | None:
    """Why ``post`` is not a valid post dict, or ``None`` when it is.

    Checks: a dict; non-empty string ``post_id``; timezone-aware ``created_at``; ``platform`` one
    of twitter/mastodon/bluesky; bool ``is_retweet``; str-or-None scalars; list-of-str list fields.
    """
    if not isinstance(post, dict):
        return f"a reader returned {type(post).__name__} instead of a post"
    pid = post.get("post_id")
    if not isinstance(pid, str) or not pid.strip():
        return "the post has no id"
    ts = post.get("created_at")
    if not isinstance(ts, _dt.datetime):
        return "the post has no date (created_at)"
    if ts.tzinfo is None or ts.utcoffset() is None:
        return "the post's date has no time zone"
    if post.get("platform") not in PLATFORMS:
        return f"unknown platform {post.get('platform')!r}"
    if not isinstance(post.get("is_retweet"), bool):
        return "is_retweet is not true/false"
    for key in _STR_KEYS:
        v = post.get(key)
        if v is not None and not isinstance(v, str):
            return f"{key} is {type(v).__name__}, not text"
    for key in LIST_COLUMNS:
        v = post.get(key)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            return f"{key} is not a list of text"
    return None


def check_id(post: dict) -> str | None:
    """The one check of :func:`check_post` left for a reader that declares ``POSTS_CHECKED``
    (its converter builds every other field with the checked types): a non-blank text ``post_id``.
    ``post`` is a dict (the framework has already set InputErrors aside)."""
    pid = post.get("post_id")
    if not isinstance(pid, str) or not pid.strip():
        return "the post has no id"
    return None
