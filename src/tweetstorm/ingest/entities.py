"""The one rule for hashtags, mentions, links and handles found in a post's text.

Every reader takes a post's entities from the export when the export carries them (Twitter's
``entities``, Mastodon's ``tags``/``mentions``, Bluesky's facets, TAGS' ``entities_str``,
twarc-csv's entity columns) and from its text with :func:`text_entities` when it does not, so
that one event is structured the same whatever its export format.

The rules follow Twitter's own (the twitter-text library, whose regular expressions the
platform documents), which Mastodon and Bluesky share for these characters; written by hand
because no maintained Python port of twitter-text exists:

- a hashtag is ``#`` or the full-width ``＃`` followed by letters, digits and ``_`` with at least
  one letter (``#2013`` is not a hashtag, ``#PLN2013`` is), not preceded by a letter, digit,
  ``_``, ``&`` or another ``#``; stored lower-case without the ``#``;
- a mention is ``@`` or the full-width ``＠`` followed by a handle (ASCII letters, digits and
  ``_``, at most 30: Mastodon's limit, Twitter's is 15), not preceded by a letter, digit or one
  of ``_!#$%&*@＠`` (so an e-mail address is not a mention); a Mastodon handle qualified with its
  instance (``@ann@mastodon.social``) is kept whole (``ann@mastodon.social``); stored without
  the ``@``;
- a link is ``http://`` or ``https://`` up to white space, without trailing sentence
  punctuation.
"""

from __future__ import annotations

import re

_HASHTAG = re.compile(r"(?<![\w&#＃])[#＃](\w*[^\W\d_]\w*)(?![\w#＃])")
_MENTION = re.compile(
    r"(?<![\w!#$%&*@＠])[@＠]([A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)(?![\w@＠])")
_URL = re.compile(r"https?://[^\s<>\"]+")
_URL_TAIL = ".,;:!?)'\""


def hashtags(text: str) -> list[str]:
    """The hashtags of ``text`` in order of appearance, lower-case, without ``#``."""
    return [m.group(1).lower() for m in _HASHTAG.finditer(text)]


def mentions(text: str) -> list[str]:
    """The mentioned handles of ``text`` in order of appearance, without ``@``."""
    return [m.group(1) for m in _MENTION.finditer(text)]


def urls(text: str) -> list[str]:
    """The links of ``text`` in order of appearance, as written."""
    return [m.group(0).rstrip(_URL_TAIL) for m in _URL.finditer(text)]


def text_entities(text: str) -> tuple[list[str], list[str], list[str]]:
    """``(hashtags, mentions, urls)`` of ``text``: see the module docstring for the rules."""
    return hashtags(text), mentions(text), urls(text)


def normalise_handle(value: object) -> str | None:
    """A handle as the canonical table stores it: text without surrounding space and without a
    leading ``@``/``＠``; ``None`` for an empty or missing value."""
    if value is None:
        return None
    text = str(value).strip().lstrip("@＠").strip()
    return text or None


def handle_key(value: object) -> str:
    """The key under which two spellings of one handle compare equal: :func:`normalise_handle`,
    case-folded (``@Ann`` and ``ann`` are one account); ``""`` for an empty value. The one rule
    of the structure and pseudonymisation steps."""
    return (normalise_handle(value) or "").casefold()
