"""``twarc2 flatten`` output: one expanded v2 tweet per line.

Each line is a tweet whose expansions sit inline: ``author`` (user object), ``in_reply_to_user``,
``referenced_tweets`` (full tweets with their ``type``), plus ``__twarc``. The inline objects are
turned back into the ``includes`` lookups of :mod:`.twarc2`, so both formats follow the same
text rules and give the same posts. Streamed line by line (:func:`read_span` for byte ranges).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tweetstorm.errors import InputError
from tweetstorm.ingest.formats import _common as c
from tweetstorm.ingest.formats import twarc2

NAME = "twarc2_flatten"
EXACT_IDS = True
#: Posts come from :func:`.twarc2.convert`, which builds every field with the canonical types.
POSTS_CHECKED = True


def _is_flat(obj: object) -> bool:
    return (isinstance(obj, dict) and "id" in obj and ("text" in obj or "note_tweet" in obj)
            and ("author" in obj or "__twarc" in obj) and "user" not in obj and "data" not in obj)


def sniff(path: Path, head: bytes) -> bool:
    """The first line is one tweet object with an inline ``author`` or ``__twarc`` key."""
    obj, line = c.first_json_line(head)
    if obj is not None:
        return _is_flat(obj)
    # A first line longer than head: a flattened tweet has "author" and "__twarc" but no "data".
    return (line.startswith(b"{") and b'"author_id"' in line and b'"author"' in line
            and not line.replace(b" ", b"").startswith(b'{"data":'))


def read(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """Posts of the whole file: ``(line, post dict | InputError)``."""
    return read_span(path, 0, None)


def read_span(path: Path, start: int, end: int | None) -> Iterator[tuple[int, dict | InputError]]:
    """Posts of the lines in the byte range ``[start, end)``."""
    for number, obj in c.iter_documents(path, start, end):
        if isinstance(obj, InputError):
            yield number, obj
        elif not isinstance(obj, dict):
            yield number, c.error(path, "the line is not a flattened tweet (a JSON object)", line=number)
        else:
            yield number, c.safe(_convert, path, number, obj)


def _lookups(tweet: dict) -> tuple[dict[str, dict], dict[str, dict]]:
    """Rebuild ``includes``-style users/tweets lookups from the inline expansions."""
    users: dict[str, dict] = {}
    tweets: dict[str, dict] = {}
    for key in ("author", "in_reply_to_user"):
        u = tweet.get(key)
        if isinstance(u, dict) and u.get("id") is not None:
            users[str(u["id"])] = u
    for ref in tweet.get("referenced_tweets") or ():
        if isinstance(ref, dict) and ref.get("id") is not None and (
                "text" in ref or "note_tweet" in ref):
            tweets[str(ref["id"])] = ref
            u = ref.get("author")
            if isinstance(u, dict) and u.get("id") is not None:
                users.setdefault(str(u["id"]), u)
    return users, tweets


def _convert(path: Path, number: int, obj: dict) -> dict | InputError:
    users, tweets = _lookups(obj)
    post = twarc2.convert(path, number, obj, users, tweets)
    if isinstance(post, dict):
        post["_version"] = twarc2.version(obj, post["post_id"], twarc2.page_collected_at(obj))
    return post
