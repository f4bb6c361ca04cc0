"""Readers of every export format -> the canonical post table.

Public API::

    result = read_posts(["data/raw/tweetstorm_twarc2.jsonl"], on_error="fail")
    result.posts       # DataFrame, CANONICAL_COLUMNS, sorted by created_at then post_id
    result.report      # REPORT_COLUMNS: per file read = kept + duplicate + superseded + rejected
    result.rejects     # [(source_file, line, reason), ...]
    result.superseded  # [(source_file, line, reason, record), ...]: earlier versions not kept
    summary(result.report, len(result.posts))   # the reconciliation in one paragraph
    write_posts(result.posts, "build/posts.parquet")

Formats (``FORMATS``; auto-detected per file, ``format=`` forces one): tweet_archivist, tags,
twarc2, twarc2_flatten, twarc_csv, twitter_v1, twitter_archive, mastodon, bluesky; compressed
files (.gz, .bz2, .xz, .zst) and UTF-16/32 text are read transparently.
Command line: ``python -m tweetstorm.ingest INPUT [INPUT ...] -o OUT.parquet|OUT.csv``.

Modules: :mod:`.detection` (inputs and formats), :mod:`.reading` (records into sorted runs, in
parallel), :mod:`.runs` (external sort, versions, merge), :mod:`.writing`, :mod:`.core` (the
ingest from end to end), :mod:`.entities` (hashtags, mentions, links and handles), ``formats``.
"""

from tweetstorm.ingest._record import ARROW_SCHEMA, CANONICAL_COLUMNS
from tweetstorm.ingest.core import REPORT_COLUMNS, IngestResult, read_posts, reconciles, summary
from tweetstorm.ingest.formats import FORMATS
from tweetstorm.ingest.writing import write_posts

__all__ = ["ARROW_SCHEMA", "CANONICAL_COLUMNS", "FORMATS", "REPORT_COLUMNS", "IngestResult",
           "read_posts", "reconciles", "summary", "write_posts"]
