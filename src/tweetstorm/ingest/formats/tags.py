"""TAGS (Twitter Archiving Google Sheet, Hawksey) archive sheet, downloaded as CSV.

Columns of the ``Archive`` sheet (TAGS v6): ``id_str, from_user, text, created_at, time,
geo_coordinates, user_lang, in_reply_to_user_id_str, in_reply_to_screen_name, from_user_id_str,
in_reply_to_status_id_str, source, profile_image_url, user_followers_count, user_friends_count,
user_location, status_url, entities_str``. Required: ``id_str, from_user, text, created_at``.

Traps handled:

- ``created_at`` (``Tue Mar 14 14:00:00 +0000 2023``, UTC) is the time used; ``time`` is the
  same moment in the *sheet's* local time zone, which the CSV does not record, so it is ignored.
- ``id_str`` that a spreadsheet turned into a number (``1.63564E+18``) is recovered from
  ``status_url`` (``.../statuses/<id>``); if that fails the row is an InputError. Other id
  columns (reply id, user ids) have no backup: a mangled one is an InputError for the row.
- ``entities_str`` is Twitter v1.1 ``entities`` JSON: hashtags, mentions, and ``urls`` with
  ``expanded_url``, used to expand the t.co links of the text and to find a quote's link.
- Retweets: the text is ``RT @user: <original text>``; the prefix is removed and is_retweet set.
  TAGS has no column for the retweeted post's id: ``retweeted_post_id`` stays None.
- Quotes: TAGS has no quoted-id column; the trailing link ``twitter.com/<user>/status/<id>``
  of the text (found in ``entities_str``) gives ``quoted_post_id`` and is removed from the text.
- ``user_lang`` is the *account's* interface language, not the post's: ``lang`` is None.
  ``conversation_id`` is not in TAGS either: None.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from tweetstorm.errors import InputError
from tweetstorm.ingest import entities
from tweetstorm.ingest.formats import _common, _sheet

NAME = "tags"
#: Exact: a mangled id_str is recovered from status_url, otherwise the row is an error.
EXACT_IDS = True

REQUIRED = {
    "id_str": "the tweet id",
    "from_user": "the author's handle",
    "text": "the tweet text",
    "created_at": "the UTC time, e.g. 'Tue Mar 14 14:00:00 +0000 2023'",
}
_SIGNATURE = {"id_str", "from_user", "created_at", "entities_str"}
#: The columns of a TAGS v6 archive sheet.
COLUMNS = ("id_str", "from_user", "text", "created_at", "time", "geo_coordinates", "user_lang",
           "in_reply_to_user_id_str", "in_reply_to_screen_name", "from_user_id_str",
           "in_reply_to_status_id_str", "source", "profile_image_url", "user_followers_count",
           "user_friends_count", "user_location", "status_url", "entities_str")


def missing_columns(header: list[str]) -> list[str] | None:
    """The columns a TAGS sheet needs that ``header`` lacks, when the header looks like a TAGS
    sheet (at least half of its columns); None otherwise."""
    have = set(header)
    if len(have & set(COLUMNS)) < len(COLUMNS) // 2:
        return None
    needed = [*REQUIRED, "entities_str"] + ([] if {"status_url", "time"} & have else ["status_url"])
    return [c for c in needed if c not in have] or None


def sniff(path: Path, head: bytes) -> bool:
    """True when the header row is a TAGS archive sheet header."""
    header = _sheet.head_header(head)
    return bool(header) and _SIGNATURE <= set(header) and (
        "status_url" in header or "time" in header)


def read(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """``(row, post)`` for each record of a TAGS CSV (header = row 1), ``(row, InputError)`` for
    a bad record. Raises InputError for a file that cannot be read at all."""
    return _sheet.csv_posts(path, REQUIRED, _post)


def _post(rec: dict[str, str], name: str, row: int) -> dict:
    def fail(what: str, fix: str) -> InputError:
        return InputError(name, what, fix, row=row)

    handle = entities.normalise_handle(rec["from_user"])
    if handle is None:
        raise fail("no author (from_user is empty)", "fill in from_user or remove the row")
    problems = []  # id and date are checked together so that one message names both
    try:
        post_id = _tweet_id(rec, fail)
    except InputError as err:
        problems.append(err)
    try:
        created = _sheet.parse_date(rec["created_at"])
    except ValueError as err:
        problems.append(fail(
            f"no usable created_at ({err}); the sheet-local 'time' column cannot replace it "
            "because its time zone is not recorded",
            "download the archive sheet again with its created_at column"))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise fail(" and ".join(p.what for p in problems), "; ".join(p.fix for p in problems))
    reply_to = _other_id(rec, "in_reply_to_status_id_str", fail)
    author_id = _other_id(rec, "from_user_id_str", fail)

    text = _sheet.clean_text(rec["text"])
    text, rt_user = _common.strip_rt_prefix(text)
    if (rec.get("entities_str") or "").strip():
        tags, mentions, urls, pairs = _entities(rec["entities_str"], fail)
        if rt_user is not None and mentions and mentions[0].lower() == rt_user.lower():
            mentions = mentions[1:]  # the mention in the RT prefix is not part of the post
    else:  # no entities: take them from the text (t.co links then stay short)
        (tags, mentions, urls), pairs = entities.text_entities(text), []
    text = _common.expand_links(text, [(s, u) for s, u in pairs if u])
    quoted = None
    if rt_user is None and urls:
        target = _sheet.status_id(urls[-1])
        if target and text.rstrip().endswith(urls[-1]):
            quoted = target[1]
            text, urls = _sheet.drop_quote_link(text, urls, quoted)
    return _sheet.new_post(
        post_id=post_id, author_id=author_id, author_handle=handle, created_at=created,
        text=text, lang=None, is_retweet=rt_user is not None, retweeted_post_id=None,
        reply_to_post_id=reply_to,
        reply_to_handle=entities.normalise_handle(rec.get("in_reply_to_screen_name")),
        quoted_post_id=quoted, conversation_id=None,
        hashtags=tags, mentions=mentions, urls=urls)


def _tweet_id(rec: dict[str, str], fail) -> str:
    raw = rec["id_str"]
    try:
        value, exact = _sheet.parse_id(raw)
    except ValueError:
        value, exact = None, False
    if value is not None and exact:
        return value
    from_url = _sheet.status_id(rec.get("status_url"))
    if from_url:
        return from_url[1]
    shown = repr(raw.strip()) if raw.strip() else "empty"
    raise fail(f"id_str is {shown}, not an exact tweet id, and status_url gives none",
               "download the archive sheet again as CSV straight from Google Sheets (File > "
               "Download > CSV) without opening it in Excel, or " + _sheet.ID_FIX)


def _other_id(rec: dict[str, str], column: str, fail) -> str | None:
    return _sheet.exact_id(rec.get(column), column, fail)


def _entities(raw: str, fail) -> tuple[list[str], list[str], list[str], list[tuple[str, str]]]:
    """hashtags, mentions, expanded urls and (t.co, expanded) pairs from ``entities_str``."""
    try:
        ent = json.loads(raw)
        if not isinstance(ent, dict):
            raise ValueError("not an object")
        tags = [str(h["text"]).lower() for h in ent.get("hashtags") or []]
        mentions = [str(m["screen_name"]) for m in ent.get("user_mentions") or []]
        pairs = [(str(u.get("url") or ""), str(u.get("expanded_url") or u.get("url") or ""))
                 for u in ent.get("urls") or []]
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise fail(f"entities_str is not Twitter entities JSON ({err}); a spreadsheet cell "
                   "holds at most 50,000 characters and may have cut it",
                   "download the archive sheet again, or empty the cell to use the text only"
                   ) from None
    return tags, mentions, [long for _, long in pairs if long], pairs
