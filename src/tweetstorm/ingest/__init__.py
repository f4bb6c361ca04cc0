"""Readers of every export format -> the canonical post table (issue 3).

Public API::

    result = read_posts(["data/raw/tweetstorm_twarc2.jsonl"], on_error="fail")
    result.posts    # DataFrame, CANONICAL_COLUMNS, sorted by created_at then post_id
    result.report   # source_file, source_format, exact_ids, read, kept, duplicate, rejected
    result.rejects  # [(source_file, line, reason), ...]
    write_posts(result.posts, "data/processed/posts.parquet")

Formats (``FORMATS``; auto-detected per file, ``format=`` forces one): tweet_archivist, tags,
twarc2, twarc2_flatten, twarc_csv, twitter_v1, twitter_archive, mastodon, bluesky.
Command line: ``python -m tweetstorm.ingest INPUT [INPUT ...] -o OUT.parquet|OUT.csv``.
"""

from tweetstorm.ingest._record import ARROW_SCHEMA, CANONICAL_COLUMNS
from tweetstorm.ingest.core import REPORT_COLUMNS, IngestResult, read_posts, write_posts
from tweetstorm.ingest.formats import FORMATS

__all__ = ["ARROW_SCHEMA", "CANONICAL_COLUMNS", "FORMATS", "REPORT_COLUMNS", "IngestResult",
           "read_posts", "write_posts"]
