"""Mastodon API statuses (hashtag timeline ``/api/v1/timelines/tag/:tag`` or account statuses).

Accepted layouts: JSON Lines with one status per line, JSON Lines with one API page (an array of
statuses) per line, or one JSON array saved whole (one API page: parsed whole, at most a few
hundred statuses; ``source_line`` is then 1).

- ``post_id`` is the status ``uri`` (ids are only unique per instance; the uri is global), so the
  framework de-duplicates on it (a status without ``uri``: its ``url``, else its local ``id``); of an
  edited status the version with the latest ``edited_at`` is kept. A boost's own uri ends in ``/activity``.
- ``author_handle`` is the account qualified with its instance (``anna_r@scholar.social``); mentions
  likewise; the text shows mentions as the HTML does (``@anna_r``).
- ``content`` is HTML: converted with the standard library's :mod:`html.parser` (paragraphs and
  ``<br>`` become real newlines, entities are decoded, a link's hidden parts are kept so the text
  carries the full URL). The quote fallback paragraph (``<p class="quote-inline">RE: ...``) is
  dropped. A boost (``reblog``) carries the boosted status's text and entities.
- ``reply_to_post_id``: ``in_reply_to_id`` is a local id; it becomes the parent's uri when the parent
  is in the same file or is a local status (``https://<instance>/users/<user>/statuses/<id>``),
  else the instance's API address of the parent (``https://<instance>/api/v1/statuses/<id>``).
- Quotes: Mastodon 4.5 ``quote.quoted_status`` (or ``quote.quoted_status_id``).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

from tweetstorm.errors import InputError
from tweetstorm.ingest import entities
from tweetstorm.ingest.formats import _common as c

NAME = "mastodon"
EXACT_IDS = True


def _is_status(obj: object) -> bool:
    return isinstance(obj, dict) and "uri" in obj and "account" in obj and "content" in obj


def sniff(path: Path, head: bytes) -> bool:
    """A status object (``uri``, ``account``, ``content``) or an array of them."""
    obj, line = c.first_json_line(head)
    if isinstance(obj, list):
        return bool(obj) and _is_status(obj[0])
    if obj is not None:
        return _is_status(obj)
    s = head.lstrip()
    return s[:1] in (b"[", b"{") and b'"uri"' in s and b'"account"' in s and b'"content"' in s \
        and b'"reblog"' in s


class _Html(HTMLParser):
    """Status HTML -> plain text, plus the hrefs of ordinary links (hand-written: the standard
    library has the tokenizer but no HTML-to-text; Mastodon's markup is a small, fixed subset)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0  # depth inside <p class="quote-inline">
        self._paragraphs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if self._skip:
            self._skip += tag == "p"
            return
        if tag == "p":
            if "quote-inline" in cls.split():
                self._skip = 1
                return
            if self._paragraphs:
                self.parts.append("\n\n")
            self._paragraphs += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            href = dict(attrs).get("href")
            if href and "mention" not in cls.split() and "hashtag" not in cls.split():
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag == "p":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(content: str) -> tuple[str, list[str]]:
    """(plain text with real newlines, hrefs of non-mention, non-hashtag links) of status HTML."""
    parser = _Html()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip(), parser.links


def _qualify(acct: str | None, url: str | None) -> str | None:
    """``user`` -> ``user@instance`` (from the profile url); ``user@host`` unchanged."""
    if not acct:
        return None
    if "@" in acct:
        return acct
    host = urlparse(url or "").netloc
    return f"{acct}@{host}" if host else acct


def read(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """Posts of the file: ``(line, post dict | InputError)``. Two streamed passes: the first
    maps local status ids to uris (to resolve ``in_reply_to_id``), the second converts."""
    uris: dict[str, str] = {}
    for _, obj in c.iter_documents_or_whole(path):
        for status in obj if isinstance(obj, list) else [obj]:
            for s in (status, status.get("reblog")) if isinstance(status, dict) else ():
                if isinstance(s, dict) and s.get("id") is not None and isinstance(s.get("uri"), str):
                    uris[str(s["id"])] = s["uri"]
    for number, obj in c.iter_documents_or_whole(path):
        if isinstance(obj, InputError):
            yield number, obj
            continue
        for status in obj if isinstance(obj, list) else [obj]:
            yield number, c.safe(convert, path, number, status, uris)


def _content(status: dict) -> tuple[str, list[str], list[str], list[str]]:
    """(text, hashtags, mentions, urls) of a status (not a boost wrapper)."""
    content = status.get("content") if isinstance(status.get("content"), str) else ""
    text, links = html_to_text(content)
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler:
        text = f"{spoiler}\n\n{text}"
    tags = [t["name"].lower() for t in status.get("tags") or ()
            if isinstance(t, dict) and isinstance(t.get("name"), str)]
    if tags:  # in the order of the text (each server lists them in its own order)
        lowered = text.lower()
        tags.sort(key=lambda t: (lowered.find("#" + t) % (len(lowered) + 1)))
    else:
        tags = entities.hashtags(text)
    # Order mentions as they appear in the text (the API lists them in arbitrary order).
    found = []
    for m in status.get("mentions") or ():
        if isinstance(m, dict) and isinstance(m.get("username"), str):
            at = text.find("@" + m["username"])
            found.append((at if at >= 0 else len(text), _qualify(m.get("acct"), m.get("url"))))
    mentions = [h for _, h in sorted(found, key=lambda x: x[0]) if h]
    return text, tags, mentions, links


def convert(path: Path, number: int, status: object, uris: dict[str, str]) -> dict | InputError:
    """One status -> a post dict (or an InputError)."""
    if not isinstance(status, dict):
        return c.error(path, "a Mastodon record is not a status object", line=number)
    uri = c.str_or_none(status.get("uri")) or c.str_or_none(status.get("url")) or c.str_or_none(status.get("id"))
    if uri is None:
        return c.error(path, f"a status has no uri (id {status.get('id')!r})", line=number)
    created = c.parse_iso(status.get("created_at"))
    if created is None:
        return c.error(path, f"status {uri} has no valid created_at", line=number)
    account = status.get("account") if isinstance(status.get("account"), dict) else {}
    reblog = status.get("reblog") if isinstance(status.get("reblog"), dict) else None
    source = reblog or status
    text, tags, mentions, links = _content(source)
    quote = source.get("quote") if isinstance(source.get("quote"), dict) else None
    quoted = None
    if quote:
        qs = quote.get("quoted_status")
        quoted = c.str_or_none(qs.get("uri")) if isinstance(qs, dict) else None
        if quoted is None and quote.get("quoted_status_id") is not None:
            quoted = uris.get(str(quote["quoted_status_id"]))
        links = [u for u in links if u != quoted and (not isinstance(qs, dict) or u != qs.get("url"))]
    reply_id = c.str_or_none(status.get("in_reply_to_id"))
    reply_uri = reply_handle = None
    if reply_id is not None:
        reply_account = c.str_or_none(status.get("in_reply_to_account_id"))
        parent = next((m for m in status.get("mentions") or ()
                       if isinstance(m, dict) and c.str_or_none(m.get("id")) == reply_account), None)
        if parent is None and reply_account == c.str_or_none(account.get("id")):
            parent = account
        host = urlparse(account.get("url") or "").netloc if "@" not in (account.get("acct") or "@") else ""
        if reply_id in uris:
            reply_uri = uris[reply_id]
        elif parent is not None and "@" not in (parent.get("acct") or "@") and host:
            reply_uri = f"https://{host}/users/{parent['username']}/statuses/{reply_id}"
        elif host:
            reply_uri = f"https://{host}/api/v1/statuses/{reply_id}"
        else:
            reply_uri = reply_id
        if parent is not None:
            reply_handle = _qualify(parent.get("acct"), parent.get("url"))
    lang = c.str_or_none(source.get("language"))
    edited = c.parse_iso(status.get("edited_at"))
    return {
        # an edited status keeps its uri: the latest edit is the latest version
        "_version": (None, int(edited.timestamp() * 1e6) if edited else 0, None),
        "post_id": uri,
        "platform": "mastodon",
        "author_id": c.str_or_none(account.get("id")),
        "author_handle": _qualify(account.get("acct"), account.get("url")),
        "created_at": created,
        "text": text,
        "lang": lang,
        "is_retweet": reblog is not None,
        "retweeted_post_id": c.str_or_none(reblog.get("uri")) if reblog else None,
        "reply_to_post_id": reply_uri,
        "reply_to_handle": reply_handle,
        "quoted_post_id": None if reblog else quoted,
        "conversation_id": None,
        "hashtags": tags,
        "mentions": mentions,
        "urls": links,
    }
