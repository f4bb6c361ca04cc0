"""Twitter API v1.1 tweets as JSON Lines (twarc 1, the v1.1 streaming/search APIs).

Text rules: the full text is ``full_text`` (extended mode) or ``extended_tweet.full_text``
(compatibility mode, ``truncated`` true) with the matching entities; a truncated tweet without
``extended_tweet`` is rejected (its full text is lost). A retweet carries ``retweeted_status``'s
full text and entities; a quote (``quoted_status_id_str``) loses its trailing link to the quoted
tweet; t.co links (``entities.urls`` and ``entities.media``) become their ``expanded_url``.
``display_text_range`` is NOT used to cut the text: it hides the leading ``@reply`` mentions,
which v2 and every spreadsheet export keep, and the canonical text must be the same whatever the
source. v1.1 has no conversation id: ``conversation_id`` is None. Streamed line by line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tweetstorm.errors import InputError
from tweetstorm.ingest.entities import text_entities
from tweetstorm.ingest.formats import _common as c

NAME = "twitter_v1"
EXACT_IDS = True


def _is_v1(obj: object) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("user"), dict)
            and ("full_text" in obj or "text" in obj or "extended_tweet" in obj))


def sniff(path: Path, head: bytes) -> bool:
    """The first line is a v1.1 tweet (``user`` object plus ``text``/``full_text``)."""
    obj, line = c.first_json_line(head)
    if obj is not None:
        return _is_v1(obj)
    return line.startswith(b"{") and b'"id_str"' in line and b'"user":{' in line.replace(b" ", b"")


def read(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """Posts of the whole file: ``(line, post dict | InputError)``."""
    return read_span(path, 0, None)


def read_span(path: Path, start: int, end: int | None) -> Iterator[tuple[int, dict | InputError]]:
    """Posts of the lines in the byte range ``[start, end)``."""
    for number, obj in c.iter_documents(path, start, end):
        if isinstance(obj, InputError):
            yield number, obj
        elif not isinstance(obj, dict):
            yield number, c.error(path, "the line is not a v1.1 tweet (a JSON object)", line=number)
        elif "delete" in obj or "limit" in obj:
            continue  # stream control messages, not tweets
        else:
            yield number, c.safe(convert, path, number, obj)


def full_text(tweet: dict, drop_status: str | None) -> tuple[str, list[str], list[str], list[str]] | None:
    """(text, hashtags, mentions, urls) of a v1.1 tweet; None when only a truncated text exists."""
    ext = tweet.get("extended_tweet")
    if isinstance(ext, dict) and isinstance(ext.get("full_text"), str):
        text, entities = ext["full_text"], ext.get("entities")
        extended = ext.get("extended_entities") or tweet.get("extended_entities")
    elif isinstance(tweet.get("full_text"), str):
        text, entities = tweet["full_text"], tweet.get("entities")
        extended = tweet.get("extended_entities")
    elif isinstance(tweet.get("text"), str) and not tweet.get("truncated"):
        text, entities = tweet["text"], tweet.get("entities")
        extended = tweet.get("extended_entities")
    else:
        return None
    text = c.unescape(text)
    if not isinstance(entities, dict):
        return (text, *text_entities(text))
    links: list[tuple[str, str]] = []
    urls: list[str] = []
    url_entities = [u for u in entities.get("urls") or () if isinstance(u, dict)]
    media = (extended or {}).get("media") if isinstance(extended, dict) else None
    media = media or entities.get("media") or ()
    seen_media: set[str] = set()
    for u in url_entities + [m for m in media if isinstance(m, dict)]:
        short = u.get("url") if isinstance(u.get("url"), str) else ""
        expanded = u.get("expanded_url") if isinstance(u.get("expanded_url"), str) else short
        if short in seen_media:
            continue  # several photos share one t.co link
        if "media_url_https" in u or "media_url" in u:
            seen_media.add(short)
        if drop_status is not None and c.status_id_of_url(expanded) == drop_status:
            links.append((short, ""))
            continue
        links.append((short, expanded))
        if expanded:
            urls.append(expanded)
    text = c.expand_links(text, links)
    hashtags = [h.lower() for h in c.ordered(entities.get("hashtags"), "text")]
    mentions = c.ordered(entities.get("user_mentions"), "screen_name")
    return text, hashtags, mentions, urls


def convert(path: Path, number: int, tweet: dict) -> dict | InputError:
    """One v1.1 tweet -> a post dict (or an InputError)."""
    post_id = c.str_or_none(tweet.get("id_str")) or c.str_or_none(tweet.get("id"))
    if post_id is None:
        return c.error(path, "a tweet has no id (id_str)", line=number)
    created = c.parse_twitter_date(tweet.get("created_at"))
    if created is None:
        return c.error(path, f"tweet {post_id} has no valid created_at (got {tweet.get('created_at')!r})",
                       line=number)
    user = tweet.get("user") if isinstance(tweet.get("user"), dict) else {}
    rt = tweet.get("retweeted_status")
    source = rt if isinstance(rt, dict) else tweet
    quoted = c.str_or_none(source.get("quoted_status_id_str")) or c.str_or_none(source.get("quoted_status_id"))
    parts = full_text(source, quoted)
    if parts is None:
        return c.error(path, f"tweet {post_id} has only a truncated text (truncated: true, no extended_tweet)",
                       "collect the tweets with tweet_mode=extended (twarc 1 does by default)",
                       line=number)
    text, hashtags, mentions, urls = parts
    own_quoted = c.str_or_none(tweet.get("quoted_status_id_str")) or c.str_or_none(tweet.get("quoted_status_id"))
    return {
        "post_id": post_id,
        "platform": "twitter",
        "author_id": c.str_or_none(user.get("id_str")) or c.str_or_none(user.get("id")),
        "author_handle": c.str_or_none(user.get("screen_name")),
        "created_at": created,
        "text": text,
        "lang": c.str_or_none(tweet.get("lang")),
        "is_retweet": isinstance(rt, dict),
        "retweeted_post_id": (c.str_or_none(rt.get("id_str")) or c.str_or_none(rt.get("id"))) if isinstance(rt, dict) else None,
        "reply_to_post_id": c.str_or_none(tweet.get("in_reply_to_status_id_str")) or c.str_or_none(tweet.get("in_reply_to_status_id")),
        "reply_to_handle": c.str_or_none(tweet.get("in_reply_to_screen_name")),
        "quoted_post_id": None if isinstance(rt, dict) else own_quoted,
        "conversation_id": None,
        "hashtags": hashtags,
        "mentions": mentions,
        "urls": urls,
    }
