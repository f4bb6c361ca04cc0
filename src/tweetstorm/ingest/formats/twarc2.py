"""twarc2 output: Twitter API v2 response pages as JSON Lines (``twarc2 search`` and friends).

One line = one page ``{"data": [...], "includes": {"users", "tweets", ...}, "meta", "__twarc"}``;
each tweet of ``data`` is one post (the tweets in ``includes`` are context, not posts). Retweets,
quotes and replies are resolved through ``includes``:

- a retweet row carries the FULL text of the original (``includes.tweets``), without ``RT @user: ``,
  and the original's hashtags/mentions/urls; ``is_retweet`` True, ``retweeted_post_id`` set;
- ``reply_to_handle`` comes from ``includes.users`` via ``in_reply_to_user_id``;
- t.co links are replaced by their ``expanded_url``; a quote's trailing link to the quoted
  tweet is removed (and not listed in ``urls``); HTML entities are decoded;
- a long post's full text is ``note_tweet.text`` (``text`` holds only the first 280 characters).

The file is streamed line by line; :func:`read_span` reads a byte range of it so that the
framework can spread a large file over several processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from tweetstorm.errors import InputError
from tweetstorm.ingest.entities import text_entities
from tweetstorm.ingest.formats import _common as c

NAME = "twarc2"
EXACT_IDS = True
#: :func:`convert` builds every field with the canonical types (see ``_record.check_id``).
POSTS_CHECKED = True


def sniff(path: Path, head: bytes) -> bool:
    """A v2 response page: the first line is a JSON object whose first key is ``data``,
    ``includes`` or ``meta`` (the line may be longer than ``head``)."""
    s = head.lstrip()
    if not s.startswith(b"{"):
        return False
    obj, line = c.first_json_line(head)
    if isinstance(obj, dict):
        return isinstance(obj.get("data"), list | dict) or (
            "meta" in obj and "result_count" in obj["meta"] if isinstance(obj.get("meta"), dict) else False)
    # An incomplete (long) first line: look at the first key only.
    return line.replace(b" ", b"").startswith((b'{"data":[', b'{"data":{', b'{"includes":', b'{"meta":'))


def read(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """Posts of the whole file: ``(line, post dict | InputError)``; a page yields several posts."""
    return read_span(path, 0, None)


def read_span(path: Path, start: int, end: int | None) -> Iterator[tuple[int, dict | InputError]]:
    """Posts of the lines in the byte range ``[start, end)`` (line numbers counted from ``start``)."""
    for number, obj in c.iter_documents(path, start, end):
        if isinstance(obj, InputError):
            yield number, obj
            continue
        if not isinstance(obj, dict):
            yield number, c.error(path, "the line is not a Twitter API v2 response page (a JSON object)",
                                  line=number)
            continue
        data = obj.get("data")
        if data is None:
            continue  # an empty page (meta.result_count 0) or an errors-only page: no posts
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            yield number, c.error(path, "'data' of the page is not a list of tweets", line=number)
            continue
        kind = _non_post_kind(data)
        if kind is not None:
            yield number, c.error(path, f"the page holds {kind}, not tweets",
                                  "give only the tweets' output (twarc2 search, timeline, ...) to the ingest step",
                                  line=number)
            continue
        try:
            users, tweets = index_includes(obj.get("includes"))
        except (TypeError, AttributeError) as exc:
            yield number, c.error(path, f"'includes' of the page is malformed ({exc})", line=number)
            continue
        collected = page_collected_at(obj)
        for tweet in data:
            try:  # c.safe, inlined: this loop runs once per tweet
                post = convert(path, number, tweet, users, tweets)
                if isinstance(post, dict):
                    post["_version"] = version(tweet, post["post_id"], collected)
            except c.SAFE_ERRORS as exc:
                post = c.structure_error(path, number, exc)
            yield number, post


#: What twarc2 writes for commands whose output holds no posts, by the keys of its objects.
_NON_POSTS = (
    ("tweet_count", "tweet counts (twarc2 counts output)"),
    ("member_count", "lists (twarc2 lists output)"),
    ("owner_id", "lists (twarc2 lists output)"),
    ("username", "user profiles (twarc2 users or followers output)"),
)


def _non_post_kind(data: list) -> str | None:
    """What the objects of a page's ``data`` are when they are not tweets (None for tweets)."""
    first = data[0] if data else None
    if not isinstance(first, dict) or "text" in first or "note_tweet" in first:
        return None
    return next((kind for key, kind in _NON_POSTS if key in first), None)


def no_posts(path: Path, head: bytes) -> str | None:
    """Why a twarc2 file holds no posts at all (its first page holds users, lists or counts),
    else None. The first line is read whole (it may be longer than ``head``)."""
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip():
                break
        else:
            return None
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    data = obj.get("data") if isinstance(obj, dict) else None
    kind = _non_post_kind(data) if isinstance(data, list) else None
    return None if kind is None else f"holds no posts: its records are {kind}"


def page_collected_at(obj: dict):
    """When twarc2 collected a page or a flattened tweet (``__twarc.retrieved_at``), or None."""
    meta = obj.get("__twarc")
    return c.parse_iso(meta.get("retrieved_at")) if isinstance(meta, dict) else None


def version(tweet: dict, post_id: str, collected) -> tuple[str | None, int, object]:
    """``(first version's id, edit number, collection time)`` of a v2 tweet: an edited tweet
    lists every version's id in ``edit_history_tweet_ids``, the first being the original."""
    history = tweet.get("edit_history_tweet_ids")
    if isinstance(history, list) and len(history) > 1:
        ids = [str(h) for h in history]
        rank = ids.index(post_id) if post_id in ids else len(ids) - 1
        return ids[0], rank, collected
    return None, 0, collected


def index_includes(includes: object) -> tuple[dict[str, dict], dict[str, dict]]:
    """``includes.users`` and ``includes.tweets`` of a page as dicts keyed by id."""
    users: dict[str, dict] = {}
    tweets: dict[str, dict] = {}
    if isinstance(includes, dict):
        for u in includes.get("users") or ():
            if isinstance(u, dict) and u.get("id") is not None:
                users[str(u["id"])] = u
        for t in includes.get("tweets") or ():
            if isinstance(t, dict) and t.get("id") is not None:
                tweets[str(t["id"])] = t
    return users, tweets


def _text_and_entities(tweet: dict, drop_status: str | None = None
                       ) -> tuple[str, list[str], list[str], list[str]]:
    """(text, hashtags, mentions, urls) of one v2 tweet object, following the text rules.

    ``drop_status``: the id of a quoted tweet whose link is removed from text and urls.
    """
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        text, entities = note["text"], note.get("entities")
    else:
        text, entities = tweet.get("text"), tweet.get("entities")
    if not isinstance(text, str):
        text = ""
    text = c.unescape(text)
    if not isinstance(entities, dict):
        return (text, *text_entities(text))
    links: list[tuple[str, str]] = []
    urls: list[str] = []
    for u in sorted((u for u in entities.get("urls") or () if isinstance(u, dict)),
                    key=lambda u: u.get("start", 0) if isinstance(u.get("start"), int) else 0):
        short = u.get("url") if isinstance(u.get("url"), str) else ""
        expanded = u.get("expanded_url") if isinstance(u.get("expanded_url"), str) else short
        if drop_status is not None and c.status_id_of_url(expanded) == drop_status:
            links.append((short, ""))
            continue
        links.append((short, expanded))
        if expanded:
            urls.append(expanded)
    text = c.expand_links(text, links)
    hashtags = [h.lower() for h in c.ordered(entities.get("hashtags"), "tag")]
    mentions = c.ordered(entities.get("mentions"), "username")
    return text, hashtags, mentions, urls


def convert(path: Path, number: int, tweet: object, users: dict[str, dict],
            tweets: dict[str, dict]) -> dict | InputError:
    """One v2 tweet object -> a post dict (or an InputError for a tweet without id or date)."""
    if not isinstance(tweet, dict):
        return c.error(path, "a tweet in 'data' is not a JSON object", line=number)
    post_id = c.str_or_none(tweet.get("id"))
    if post_id is None:
        return c.error(path, "a tweet has no id", line=number)
    created = c.parse_iso(tweet.get("created_at"))
    if created is None:
        return c.error(path, f"tweet {post_id} has no valid created_at (got {tweet.get('created_at')!r})",
                       "request the created_at field (twarc2 does by default) or remove the tweet",
                       line=number)
    refs: dict[str, str] = {}
    for r in tweet.get("referenced_tweets") or ():
        if isinstance(r, dict) and isinstance(r.get("type"), str) and r.get("id") is not None:
            refs.setdefault(r["type"], str(r["id"]))
    retweeted = refs.get("retweeted")
    quoted = refs.get("quoted")
    author_id = c.str_or_none(tweet.get("author_id"))
    author = users.get(author_id or "", {})
    if retweeted is not None and isinstance(tweets.get(retweeted), dict):
        original = tweets[retweeted]
        orig_quoted = next((str(r.get("id")) for r in original.get("referenced_tweets") or ()
                            if isinstance(r, dict) and r.get("type") == "quoted"), None)
        text, hashtags, mentions, urls = _text_and_entities(original, orig_quoted)
    else:
        text, hashtags, mentions, urls = _text_and_entities(tweet, quoted)
        if retweeted is not None:
            # The original is missing from includes (deleted or withheld): only the RT text is left.
            text, rt_user = c.strip_rt_prefix(text)
            if rt_user and mentions and mentions[0] == rt_user:
                mentions = mentions[1:]
    reply_user = c.str_or_none(tweet.get("in_reply_to_user_id"))
    reply_handle = None
    if reply_user is not None:
        reply_handle = users.get(reply_user, {}).get("username")
        if reply_handle is None:
            ents = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
            reply_handle = next((m.get("username") for m in ents.get("mentions") or ()
                                 if isinstance(m, dict) and str(m.get("id")) == reply_user), None)
    handle = author.get("username")
    return {
        "post_id": post_id,
        "platform": "twitter",
        "author_id": author_id,
        "author_handle": handle if isinstance(handle, str) else None,
        "created_at": created,
        "text": text,
        "lang": c.str_or_none(tweet.get("lang")),
        "is_retweet": retweeted is not None,
        "retweeted_post_id": retweeted,
        "reply_to_post_id": refs.get("replied_to"),
        "reply_to_handle": reply_handle if isinstance(reply_handle, str) else None,
        "quoted_post_id": quoted,
        "conversation_id": c.str_or_none(tweet.get("conversation_id")),
        "hashtags": hashtags,
        "mentions": mentions,
        "urls": urls,
    }
