"""twarc-csv output (``twarc2 csv``): one tweet per row with twarc-csv's default columns.

Default columns (twarc-csv ``DEFAULT_TWEET_COLUMNS``) begin ``id, conversation_id,
referenced_tweets.replied_to.id, referenced_tweets.retweeted.id, referenced_tweets.quoted.id,
author_id, in_reply_to_user_id, in_reply_to_username, retweeted_user_id, ..., created_at, text,
lang, ...`` and include ``entities.hashtags, entities.mentions, entities.urls, author.username``.
Required here: ``id, created_at, text, author_id, author.username``; older versions without
``in_reply_to_username`` or the ``referenced_tweets.*.id`` columns are read too (those values None).

What twarc-csv does to the data, and how it is undone:

- Newlines in text are written as the two characters ``\\n`` (and ``\\r`` dropped): decoded back
  to a real newline. A tweet that contained a literal backslash followed by ``n`` cannot be told
  apart and also becomes a newline.
- List columns are JSON: ``["#PLNstorm"]``, ``["@anna_r"]``, ``["https://example.org/x"]`` (the
  expanded URLs, without the t.co links). Older versions wrote whole entity objects; both read.
- The text keeps Twitter's t.co links and HTML escapes. Entity lists are in order of appearance,
  so the n-th t.co link of the text is replaced by the n-th URL of ``entities.urls`` when their
  counts agree (otherwise the text keeps its t.co links).
- Retweets: twarc-csv (``merge_retweets``, the default) already puts the retweeted tweet's full
  text and entities into the retweet row; when the original was not in the response it leaves
  ``RT @user: ...`` (possibly truncated by Twitter at 140 characters): the prefix is stripped and
  that text kept, the only text available.
- Quotes: the trailing t.co link whose expanded URL points to the quoted tweet is removed from
  the text and from ``urls``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from tweetstorm.errors import InputError
from tweetstorm.ingest import entities
from tweetstorm.ingest.formats import _common, _sheet

NAME = "twarc_csv"
EXACT_IDS = True  # twarc-csv writes ids as text; a re-saved file with rounded ids is an error

REQUIRED = {
    "id": "the tweet id",
    "created_at": "the UTC time, e.g. 2023-03-14T14:00:00.000Z",
    "text": "the tweet text",
    "author_id": "the author's user id",
    "author.username": "the author's handle",
}
_SIGNATURE = ("id", "conversation_id", "author_id", "created_at", "text")


def missing_columns(header: list[str]) -> list[str] | None:
    """The columns twarc-csv output needs that ``header`` lacks, when the header looks like
    twarc-csv output (``referenced_tweets.*`` or ``author.*`` columns and at least two of its
    main columns); None otherwise."""
    have = set(header)
    if not any(h.startswith(("referenced_tweets.", "author.")) for h in header):
        return None
    if len(have & set(_SIGNATURE)) < 2:
        return None
    return [c for c in dict.fromkeys([*_SIGNATURE, *REQUIRED]) if c not in have] or None


_TCO = re.compile(r"https?://t\.co/\w+")


def sniff(path: Path, head: bytes) -> bool:
    """True when the header row is a twarc-csv tweet header."""
    header = _sheet.head_header(head)
    return bool(header) and {"id", "conversation_id", "author_id", "created_at",
                             "text"} <= set(header) and any(
        h.startswith(("referenced_tweets.", "author.")) for h in header)


def read(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """``(row, post)`` for each record of a twarc-csv file (header = row 1), ``(row,
    InputError)`` for a bad record. Raises InputError for a file that cannot be read at all."""
    return _sheet.csv_posts(path, REQUIRED, _post)


def _post(rec: dict[str, str], name: str, row: int) -> dict:
    def fail(what: str, fix: str) -> InputError:
        return InputError(name, what, fix, row=row)

    def ident(column: str, required: bool = False) -> str | None:
        value = _sheet.exact_id(rec.get(column) or "", column, fail)
        if required and value is None:
            raise fail(f"no tweet id ({column} is empty)", "remove the row or restore its id")
        return value

    post_id = ident("id", required=True)
    try:
        created = _sheet.parse_date(rec["created_at"])
    except ValueError as err:
        raise fail(f"no usable created_at ({err})",
                   "restore the created_at value (ISO 8601, e.g. 2023-03-14T14:00:00.000Z)"
                   ) from None
    handle = entities.normalise_handle(rec["author.username"])
    retweeted = ident("referenced_tweets.retweeted.id")
    quoted = ident("referenced_tweets.quoted.id")

    text = _sheet.clean_text(rec["text"].replace("\\n", "\n"))
    text, rt_user = _common.strip_rt_prefix(text)
    tags = [t.lstrip("#").lower() for t in _entity_list(rec, "entities.hashtags", "tag", fail)]
    mentions = [h for m in _entity_list(rec, "entities.mentions", "username", fail)
                if (h := entities.normalise_handle(m))]
    if rt_user is not None and mentions and mentions[0].lower() == rt_user.lower():
        mentions = mentions[1:]  # unmerged retweet: the RT prefix's mention is not the post's
    urls = _entity_list(rec, "entities.urls", "expanded_url", fail)
    shorts = _TCO.findall(text)
    if len(shorts) == len(urls):
        text = _common.expand_links(text, [(s, u) for s, u in zip(shorts, urls) if u])
    text, urls = _sheet.drop_quote_link(text, urls, quoted)
    return _sheet.new_post(
        post_id=post_id, author_id=ident("author_id"), author_handle=handle, created_at=created,
        text=text, lang=(rec.get("lang") or "").strip() or None,
        is_retweet=retweeted is not None or rt_user is not None, retweeted_post_id=retweeted,
        reply_to_post_id=ident("referenced_tweets.replied_to.id"),
        reply_to_handle=entities.normalise_handle(rec.get("in_reply_to_username")),
        quoted_post_id=quoted, conversation_id=ident("conversation_id"),
        hashtags=tags, mentions=mentions, urls=urls)


def _entity_list(rec: dict[str, str], column: str, key: str, fail) -> list[str]:
    """A JSON list column as strings (plain strings, or ``key`` of entity objects)."""
    raw = (rec.get(column) or "").strip()
    if not raw:
        return []
    try:
        items = json.loads(raw)
        if not isinstance(items, list):
            raise ValueError("not a list")
        return [str(i[key]) if isinstance(i, dict) else str(i) for i in items]
    except (ValueError, KeyError, TypeError) as err:
        raise fail(f"{column} is not a JSON list ({err})",
                   "convert the data again with twarc2 csv (its default --json-encode-lists)"
                   ) from None
