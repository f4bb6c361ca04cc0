"""The canonical post record: column names, their Arrow types, and the checks every post passes.

A *post dict* is what a format reader yields: the keys of :data:`READER_KEYS` (every canonical
column except ``source_format``, ``source_file`` and ``source_line``, which the framework adds).
``created_at`` is a timezone-aware datetime (or pandas Timestamp); ``hashtags``, ``mentions`` and
``urls`` are lists of str; a missing scalar is ``None``.
"""

from __future__ import annotations

import datetime as _dt

import pyarrow as pa

#: The canonical post table, in this column order (docs/architecture.md).
CANONICAL_COLUMNS: list[str] = [
    "post_id", "platform", "author_id", "author_handle", "created_at", "text", "lang",
    "is_retweet", "retweeted_post_id", "reply_to_post_id", "reply_to_handle", "quoted_post_id",
    "conversation_id", "hashtags", "mentions", "urls", "source_format", "source_file",
    "source_line",
]

LIST_COLUMNS: tuple[str, ...] = ("hashtags", "mentions", "urls")

#: Arrow types of the canonical table (Parquet output and the in-memory accumulation).
ARROW_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field(name,
                 pa.timestamp("us", tz="UTC") if name == "created_at"
                 else pa.list_(pa.string()) if name in LIST_COLUMNS
                 else pa.bool_() if name == "is_retweet"
                 else pa.int64() if name == "source_line"
                 else pa.string(),
                 nullable=name not in ("post_id", "created_at", "is_retweet", "source_format",
                                       "source_file", "source_line"))
        for name in CANONICAL_COLUMNS
    ]
)

#: Keys of a post dict yielded by a reader.
READER_KEYS: tuple[str, ...] = tuple(
    c for c in CANONICAL_COLUMNS if c not in ("source_format", "source_file", "source_line"))

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
