"""Bluesky (AT Protocol) post views: ``app.bsky.feed.searchPosts`` (``{"posts": [...]}``) or
``app.bsky.feed.getAuthorFeed`` (``{"feed": [{"post", "reply"?, "reason"?}]}``) responses.

Accepted layouts: one response per line (JSON Lines: streamed), one response saved whole (a page
of at most 100 posts, parsed whole; ``source_line`` 1), or one post view / feed item per line.

- ``post_id`` is the post's ``at://`` uri; ``author_id`` the DID; ``author_handle`` the handle.
- Facets locate links, mentions and tags by UTF-8 BYTE offsets (``byteStart``/``byteEnd``) into
  ``record.text``: the text is sliced as bytes; a link whose visible text is shortened
  (``example.org/to...``) is replaced by its full ``uri``.
- A repost is a feed item with ``reason`` ``app.bsky.feed.defs#reasonRepost``: the row's author is
  ``reason.by``, its time ``reason.indexedAt``, its id ``reason.uri`` (when the server sends it;
  else ``at://<by did>/app.bsky.feed.repost/<post rkey>``), text and entities of the reposted post.
- Quotes: ``record.embed`` ``app.bsky.embed.record`` (or ``recordWithMedia``) -> ``quoted_post_id``.
- Replies: ``record.reply.parent.uri``; ``conversation_id`` is the thread root's uri (own uri for a
  post that starts a thread); ``reply_to_handle`` from the feed item's ``reply.parent`` or a
  mention facet of the parent's DID.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tweetstorm.errors import InputError
from tweetstorm.ingest import entities
from tweetstorm.ingest.formats import _common as c

NAME = "bluesky"
EXACT_IDS = True
REPOST = "app.bsky.feed.defs#reasonRepost"


def _is_bsky(obj: object) -> bool:
    if not isinstance(obj, dict):
        return False
    items = obj.get("posts") if isinstance(obj.get("posts"), list) else obj.get("feed")
    if isinstance(items, list):
        first = items[0] if items else {}
        if isinstance(first, dict) and isinstance(first.get("post"), dict):
            first = first["post"]
        return not items or str(first.get("uri", "")).startswith("at://")
    post = obj.get("post") if isinstance(obj.get("post"), dict) else obj
    return str(post.get("uri", "")).startswith("at://") and "record" in post


def sniff(path: Path, head: bytes) -> bool:
    """A searchPosts/getAuthorFeed response, a post view or a feed item (``at://`` uris)."""
    obj, line = c.first_json_line(head)
    if obj is not None:
        return _is_bsky(obj)
    s = head.lstrip().replace(b" ", b"").replace(b"\n", b"")
    return s.startswith((b'{"posts":[', b'{"feed":[', b'{"cursor"')) and b'"uri":"at://' in s


def read(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """Posts of the file: ``(line, post dict | InputError)``."""
    for number, obj in c.iter_documents_or_whole(path):
        if isinstance(obj, InputError):
            yield number, obj
            continue
        if not isinstance(obj, dict):
            yield number, c.error(path, "the record is not a Bluesky response, post view or feed item",
                                  line=number)
            continue
        if isinstance(obj.get("posts"), list):
            items = [{"post": p} for p in obj["posts"]]
        elif isinstance(obj.get("feed"), list):
            items = obj["feed"]
        elif isinstance(obj.get("post"), dict):
            items = [obj]
        else:
            items = [{"post": obj}]
        for item in items:
            yield number, c.safe(convert, path, number, item)


def _facets(record: dict) -> tuple[str, list[str], list[str], list[str]]:
    """(text with full link uris, tags, mentioned handles, link uris) from ``record`` facets."""
    text = record.get("text") if isinstance(record.get("text"), str) else ""
    raw = text.encode("utf-8")
    spans: list[tuple[int, int, str, str]] = []  # (start, end, kind, value)
    for facet in record.get("facets") or ():
        if not isinstance(facet, dict) or not isinstance(facet.get("index"), dict):
            continue
        start, end = facet["index"].get("byteStart"), facet["index"].get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(raw)):
            continue
        for feat in facet.get("features") or ():
            kind = feat.get("$type", "") if isinstance(feat, dict) else ""
            if kind.endswith("#link") and isinstance(feat.get("uri"), str):
                spans.append((start, end, "link", feat["uri"]))
            elif kind.endswith("#mention"):
                spans.append((start, end, "mention",
                              entities.normalise_handle(raw[start:end].decode("utf-8", "replace"))))
            elif kind.endswith("#tag") and isinstance(feat.get("tag"), str):
                spans.append((start, end, "tag", feat["tag"]))
    spans.sort()
    out, pos = [], 0
    for start, end, kind, value in spans:
        if kind == "link" and start >= pos:
            out.append(raw[pos:start])
            out.append(value.encode("utf-8"))
            pos = end
    out.append(raw[pos:])
    full = b"".join(out).decode("utf-8", "replace")
    tags = [v.lower() for s, e, k, v in spans if k == "tag"]
    for extra in record.get("tags") or ():
        if isinstance(extra, str) and extra.lower() not in tags:
            tags.append(extra.lower())
    if not record.get("facets") and not tags:  # no facets at all: the #words of the text
        tags = entities.hashtags(full)
    mentions = [v for s, e, k, v in spans if k == "mention"]
    links = [v for s, e, k, v in spans if k == "link"]
    return full, tags, mentions, links


def _rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def convert(path: Path, number: int, item: object) -> dict | InputError:
    """One feed item ``{"post", "reply"?, "reason"?}`` -> a post dict (or an InputError)."""
    post = item.get("post") if isinstance(item, dict) else None
    if not isinstance(post, dict):
        return c.error(path, "a Bluesky feed item has no post view", line=number)
    uri = c.str_or_none(post.get("uri"))
    if uri is None:
        return c.error(path, "a Bluesky post has no uri", line=number)
    record = post.get("record") if isinstance(post.get("record"), dict) else {}
    author = post.get("author") if isinstance(post.get("author"), dict) else {}
    text, tags, mentions, links = _facets(record)
    reason = item.get("reason") if isinstance(item.get("reason"), dict) else None
    is_repost = reason is not None and reason.get("$type") == REPOST
    if is_repost:
        by = reason.get("by") if isinstance(reason.get("by"), dict) else {}
        post_id = c.str_or_none(reason.get("uri")) or (
            f"at://{by.get('did')}/app.bsky.feed.repost/{_rkey(uri)}" if by.get("did") else None)
        created = c.parse_iso(reason.get("indexedAt"))
        if post_id is None or created is None:
            return c.error(path, f"the repost of {uri} has no reposter or no time (reason.by, reason.indexedAt)",
                           line=number)
        return {
            "post_id": post_id, "platform": "bluesky", "author_id": c.str_or_none(by.get("did")),
            "author_handle": c.str_or_none(by.get("handle")), "created_at": created, "text": text,
            "lang": _lang(record), "is_retweet": True, "retweeted_post_id": uri,
            "reply_to_post_id": None, "reply_to_handle": None, "quoted_post_id": None,
            "conversation_id": post_id, "hashtags": tags, "mentions": mentions, "urls": links,
        }
    created = c.parse_iso(record.get("createdAt")) or c.parse_iso(post.get("indexedAt"))
    if created is None:
        return c.error(path, f"post {uri} has no valid record.createdAt", line=number)
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    parent_uri = c.str_or_none((reply.get("parent") or {}).get("uri")) if isinstance(reply.get("parent"), dict) else None
    root_uri = c.str_or_none((reply.get("root") or {}).get("uri")) if isinstance(reply.get("root"), dict) else None
    reply_handle = None
    if parent_uri:
        ctx = item.get("reply") if isinstance(item.get("reply"), dict) else {}
        parent_view = ctx.get("parent") if isinstance(ctx.get("parent"), dict) else {}
        reply_handle = c.str_or_none((parent_view.get("author") or {}).get("handle")) \
            if isinstance(parent_view.get("author"), dict) else None
        if reply_handle is None:
            parent_did = parent_uri[len("at://"):].split("/", 1)[0]
            for facet in record.get("facets") or ():
                for feat in (facet.get("features") or ()) if isinstance(facet, dict) else ():
                    if isinstance(feat, dict) and feat.get("did") == parent_did and reply_handle is None:
                        idx = facet.get("index") or {}
                        raw = record.get("text", "").encode("utf-8")
                        reply_handle = raw[idx.get("byteStart", 0):idx.get("byteEnd", 0)].decode(
                            "utf-8", "replace").lstrip("@") or None
    return {
        "post_id": uri, "platform": "bluesky", "author_id": c.str_or_none(author.get("did")),
        "author_handle": c.str_or_none(author.get("handle")), "created_at": created, "text": text,
        "lang": _lang(record), "is_retweet": False, "retweeted_post_id": None,
        "reply_to_post_id": parent_uri, "reply_to_handle": reply_handle,
        "quoted_post_id": _quoted(record), "conversation_id": root_uri or uri,
        "hashtags": tags, "mentions": mentions, "urls": links,
    }


def _lang(record: dict) -> str | None:
    langs = record.get("langs")
    return langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None


def _quoted(record: dict) -> str | None:
    embed = record.get("embed")
    if not isinstance(embed, dict):
        return None
    kind = embed.get("$type", "")
    rec = embed.get("record")
    if kind == "app.bsky.embed.recordWithMedia" and isinstance(rec, dict):
        rec = rec.get("record")
    if kind.startswith("app.bsky.embed.record") and isinstance(rec, dict):
        return c.str_or_none(rec.get("uri"))
    return None
