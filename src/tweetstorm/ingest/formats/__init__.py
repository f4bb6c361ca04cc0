"""The registry of export formats: ``FORMATS`` maps each format NAME to its reader module.

A reader module defines ``NAME``, ``EXACT_IDS``, ``sniff(path, head) -> bool`` and
``read(path) -> Iterator[(number, post dict | InputError)]`` (see ``tweetstorm.ingest``); a
line-based reader may also define ``read_span(path, start, end)`` so that the framework can
read byte ranges of a large file in parallel processes, ``no_posts(path, head) -> str | None``
(why a file of its family holds no posts at all) and ``COLUMNS`` (the columns of a
spreadsheet export, so that a header missing some of them is named as that format).

The order of ``FORMATS`` is the order in which auto-detection asks the formats; each ``sniff``
is written to exclude the others, the order only breaks unexpected ties.
"""

from __future__ import annotations

from types import ModuleType

from tweetstorm.ingest.formats import (archive, bluesky, flatten, mastodon, tags, tweet_archivist,
                                       twarc2, twarc_csv, v1)

FORMATS: dict[str, ModuleType] = {
    mod.NAME: mod
    for mod in (archive, twarc2, flatten, v1, mastodon, bluesky, twarc_csv, tags, tweet_archivist)
}
