"""The schemas of the processed tables, declared once.

Every step that writes or reads a table under ``data/processed/`` takes its column names and
Arrow types from here (the architecture contract, ``docs/architecture.md``), so a column is
renamed or retyped in one place.

- :data:`CANONICAL_POSTS`: the canonical post table that the ingest step produces (one row per
  unique post, in :data:`CANONICAL_COLUMNS` order).
- :data:`PROCESSED_POSTS`: ``data/processed/posts.parquet``: the canonical posts followed by the
  Tweetstorm structure (:data:`STRUCTURE_COLUMNS`).
- :data:`INGEST_REPORT_COLUMNS`: ``data/processed/ingest_report.csv``, one row per input file.
"""

from __future__ import annotations

import pyarrow as pa

#: The canonical post table, in this column order.
CANONICAL_COLUMNS: list[str] = [
    "post_id", "platform", "author_id", "author_handle", "created_at", "text", "lang",
    "is_retweet", "retweeted_post_id", "reply_to_post_id", "reply_to_handle", "quoted_post_id",
    "conversation_id", "hashtags", "mentions", "urls", "source_format", "source_file",
    "source_line",
]

#: Columns holding lists of text (hashtags lower-case without ``#``, mentions without ``@``).
LIST_COLUMNS: tuple[str, ...] = ("hashtags", "mentions", "urls")

#: Columns that are never missing.
REQUIRED_COLUMNS: tuple[str, ...] = ("post_id", "created_at", "is_retweet", "source_format",
                                     "source_file", "source_line")


def _type(name: str) -> pa.DataType:
    if name == "created_at":
        return pa.timestamp("us", tz="UTC")
    if name in LIST_COLUMNS:
        return pa.list_(pa.string())
    if name == "is_retweet":
        return pa.bool_()
    if name == "source_line":
        return pa.int64()
    return pa.string()


#: Arrow types of the canonical post table.
CANONICAL_POSTS: pa.Schema = pa.schema(
    [pa.field(name, _type(name), nullable=name not in REQUIRED_COLUMNS) for name in CANONICAL_COLUMNS])

#: Columns added to the canonical posts by ``structure.assign_structure`` (text, missing allowed;
#: ``author_kind`` is moderator, participant or other).
STRUCTURE_COLUMNS: tuple[str, ...] = ("role", "question", "assign_rule", "author_kind")

#: Arrow types of ``data/processed/posts.parquet``.
PROCESSED_POSTS: pa.Schema = pa.schema(
    [*CANONICAL_POSTS, *(pa.field(name, pa.string()) for name in STRUCTURE_COLUMNS)])

#: The reconciliation report of an ingest, one row per input file:
#: ``read = kept + duplicate + superseded + rejected``; ``note`` says what was done to read the
#: file (decompressed, byte-order mark removed, ...) or why it holds no posts.
INGEST_REPORT_COLUMNS: list[str] = ["source_file", "source_format", "exact_ids", "read", "kept",
                                    "duplicate", "superseded", "rejected", "note"]
#: The count columns of the report.
INGEST_COUNT_COLUMNS: tuple[str, ...] = ("read", "kept", "duplicate", "superseded", "rejected")
