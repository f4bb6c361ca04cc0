"""The personal Twitter/X archive ("Download an archive of your data"), as a folder or its zip.

Posts are in ``data/tweets.js`` (older archives: ``data/tweet.js``; large ones add
``tweets-part1.js``, ...) and ``data/community-tweet.js`` (the posts made in Communities), each a
JavaScript assignment ``window.YTD.tweets.part0 = [ ... ]``
around a JSON array of ``{"tweet": {...v1.1-like...}}``. The handle and account id come from
``data/account.js``. The array is ONE JavaScript statement, so each part is parsed whole (the only
reader that does not stream; a personal archive holds one account's tweets, at most a few hundred
MB). ``source_line`` is the 1-based position of the tweet in the archive (parts in order).

Archive retweets are stored as ``RT @user: text…`` truncated, without the original: the row
gets ``is_retweet`` True, the prefix stripped, but ``retweeted_post_id`` stays None and the text
may end in ``…``. Quotes are recognised by their trailing link to a status.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import orjson

from tweetstorm.errors import InputError
from tweetstorm.ingest.formats import _common as c
from tweetstorm.ingest.formats import v1

NAME = "twitter_archive"
EXACT_IDS = True

_ASSIGN = re.compile(rb"^\s*window\.YTD\.(\w+)\.part(\d+)\s*=\s*")
#: The JavaScript names of the files that hold posts.
_POST_NAMES = (b"tweets", b"tweet", b"community_tweet")
# A posts file: tweets.js, tweet.js or community-tweet.js, maybe -partN, maybe under data/.
_PART = re.compile(r"(?:^|/)(tweets?|community-tweet)(?:-part(\d+))?\.js$")


def sniff(path: Path, head: bytes) -> bool:
    """A bare ``tweets.js`` file (``window.YTD.tweets.part0 = [``), or an archive folder/zip."""
    if path.is_dir():
        return bool(_tweet_parts(_members_of_dir(path)))
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return bool(_tweet_parts(zf.namelist()))
    m = _ASSIGN.match(head.removeprefix(b"\xef\xbb\xbf"))
    return bool(m and m.group(1) in _POST_NAMES)


def is_archive(path: Path) -> bool:
    """True for a folder or zip holding ``data/tweets.js`` (used to expand folders and zips)."""
    try:
        return sniff(path, b"") if (path.is_dir() or zipfile.is_zipfile(path)) else False
    except (OSError, zipfile.BadZipFile):
        return False


def _members_of_dir(path: Path) -> list[str]:
    data = path / "data"
    names = []
    for base in (data, path):
        if base.is_dir():
            names += [p.relative_to(path).as_posix() for p in base.iterdir() if p.suffix == ".js"]
    return names


def _tweet_parts(names: list[str]) -> list[str]:
    """The post files among ``names``: the tweets parts in part order, then the community
    tweets parts."""
    found = []
    for n in names:
        m = _PART.search(n)
        if m:
            found.append((m.group(1) == "community-tweet", int(m.group(2) or 0), n))
    return [n for _, _, n in sorted(found)]


def _payload(path: Path, name: str, data: bytes) -> object:
    m = _ASSIGN.match(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        m = _ASSIGN.match(data)
    if not m:
        raise InputError(f"{path.name}/{name}", "the file does not start with window.YTD.<name>.partN = ",
                         "use the archive's data folder as downloaded from Twitter/X, unchanged")
    try:
        return orjson.loads(data[m.end():].rstrip().rstrip(b";"))
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path.name}/{name}",
                         f"the JavaScript array is malformed or truncated ({exc.args[0] if exc.args else exc})",
                         "download or unzip the archive again") from None


def _open_all(path: Path) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) of account.js and the tweet parts, read-only."""
    if path.is_dir():
        names = _members_of_dir(path)
        wanted = [n for n in names if n.endswith("account.js")] + _tweet_parts(names)
        for n in wanted:
            yield n, (path / n).read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            wanted = [n for n in names if n.endswith("data/account.js") or n == "account.js"]
            for n in wanted[:1] + _tweet_parts(names):
                yield n, zf.read(n)
    else:  # a bare tweets.js: account.js may sit next to it
        account = path.with_name("account.js")
        if account.is_file():
            yield "account.js", account.read_bytes()
        yield path.name, path.read_bytes()


def read(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """Posts of one archive (folder, zip or bare tweets.js): ``(position, post | InputError)``."""
    handle = author_id = None
    position = 0
    for name, data in _open_all(path):
        payload = _payload(path, name, data)
        if name.endswith("account.js"):
            if isinstance(payload, list) and payload and isinstance(payload[0], dict):
                acc = payload[0].get("account", payload[0])
                if isinstance(acc, dict):
                    handle = c.str_or_none(acc.get("username"))
                    author_id = c.str_or_none(acc.get("accountId"))
            continue
        if not isinstance(payload, list):
            raise InputError(f"{path.name}/{name}", "the tweets file does not hold a JSON array",
                             "use the archive's data folder as downloaded from Twitter/X, unchanged")
        for item in payload:
            position += 1
            tweet = item.get("tweet", item) if isinstance(item, dict) else None
            if not isinstance(tweet, dict):
                yield position, c.error(path, f"archive entry {position} is not a tweet object", line=position)
                continue
            yield position, c.safe(convert, path, position, tweet, handle, author_id)


def convert(path: Path, position: int, tweet: dict, handle: str | None,
            author_id: str | None) -> dict | InputError:
    """One archive tweet -> a post dict."""
    urls = [u for u in (tweet.get("entities") or {}).get("urls") or () if isinstance(u, dict)] \
        if isinstance(tweet.get("entities"), dict) else []
    quoted = next((q for q in (c.status_id_of_url(u.get("expanded_url")) for u in urls) if q), None)
    full = tweet.get("full_text") if isinstance(tweet.get("full_text"), str) else tweet.get("text")
    is_rt = isinstance(full, str) and full.startswith("RT @")
    if is_rt:
        quoted = None
    # The archive tweet is v1.1-shaped without "user": borrow the v1.1 reader, then fix up.
    shaped = dict(tweet, user={"id_str": author_id, "screen_name": handle})
    if quoted:
        shaped["quoted_status_id_str"] = quoted
    post = v1.convert(path, position, shaped)
    if isinstance(post, InputError):
        return post
    post["_version"] = _version(tweet, post["post_id"])
    if is_rt:
        text, rt_user = c.strip_rt_prefix(post["text"])
        post["text"] = text
        post["is_retweet"] = True
        if rt_user and post["mentions"] and post["mentions"][0] == rt_user:
            post["mentions"] = post["mentions"][1:]
    return post


def _version(tweet: dict, post_id: str) -> tuple[str | None, int, None]:
    """(first version's id, edit number, None) of an archive tweet: ``edit_info.initial`` of a
    first version or ``edit_info.edit`` of a later one lists every version's id in order."""
    info = tweet.get("edit_info") if isinstance(tweet.get("edit_info"), dict) else {}
    ids = None
    if isinstance(info.get("initial"), dict):
        ids = info["initial"].get("editTweetIds")
    elif isinstance(info.get("edit"), dict):
        ctrl = info["edit"].get("editControlInitial")
        ids = ctrl.get("editTweetIds") if isinstance(ctrl, dict) else None
        if not ids and info["edit"].get("initialTweetId") is not None:
            ids = [info["edit"]["initialTweetId"], post_id]
    if not isinstance(ids, list) or len(ids) < 2:
        return None, 0, None
    ids = [str(i) for i in ids]
    return ids[0], ids.index(post_id) if post_id in ids else len(ids) - 1, None
