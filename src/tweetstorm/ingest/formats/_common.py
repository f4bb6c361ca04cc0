"""Helpers shared by the JSON-family readers: line streaming, JSON parsing, dates, text rules.

Everything here is plain standard library + orjson; each helper says what it returns.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from collections.abc import Iterator
from pathlib import Path

import orjson

from tweetstorm.errors import InputError

WHOLE_DOCUMENT_MAX_BYTES = 256 * 1024 * 1024  # a saved API page is far smaller
FIX_JSON = "repair or remove this line (or run with --on-error skip to set it aside)"
_WS = b" \t\r\n"


def error(path: Path, what: str, fix: str = FIX_JSON, *, line: int | None = None,
          raw: bytes | str | None = None) -> InputError:
    """An :class:`InputError` carrying the raw record (``raw``, text) for the rejects file."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    return InputError(path.name, what, fix, line=line, raw=raw)


def iter_lines(path: Path, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes, bool]]:
    """Yield ``(line_number, stripped_bytes, ends_with_newline)`` of the non-blank lines.

    ``start``/``end`` restrict reading to a byte range whose edges lie just after a newline
    (``end=None``: to the end of the file); line numbers are then counted from the range start
    (1-based). The file is opened read-only and read line by line (never whole).
    """
    with open(path, "rb") as fh:
        fh.seek(start)
        pos = start
        number = 0
        for raw in fh:
            if end is not None and pos >= end:
                break
            pos += len(raw)
            number += 1
            stripped = raw.strip(_WS)
            if stripped:
                yield number, stripped, raw.endswith(b"\n")


def loads_line(path: Path, number: int, data: bytes, newline: bool) -> object:
    """Parse one JSON line; a malformed line returns an :class:`InputError` (not raised).

    A line that does not parse and is the file's last line without a newline is reported
    as a truncated file (an interrupted download or copy).
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if not newline and data[-1:] not in (b"}", b"]"):
            return error(path, "the file is truncated: its last line stops in the middle of a JSON record",
                         "download or copy the export again, or remove the incomplete last line",
                         line=number, raw=data)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return error(path, "the line is not valid UTF-8 text",
                         "re-save the file as UTF-8 (without BOM)", line=number, raw=data)
        return error(path, f"malformed JSON ({exc.args[0] if exc.args else exc})",
                     line=number, raw=data)


def iter_documents(path: Path, start: int = 0, end: int | None = None
                   ) -> Iterator[tuple[int, object]]:
    """JSON Lines of ``path`` as ``(line, object | InputError)``, streamed line by line."""
    for number, data, newline in iter_lines(path, start, end):
        yield number, loads_line(path, number, data, newline)


def iter_documents_or_whole(path: Path) -> Iterator[tuple[int, object]]:
    """Like :func:`iter_documents`, but a file holding ONE pretty-printed JSON document (an API
    response saved with indentation) is parsed whole: such responses are single API pages
    (at most a few hundred posts), so reading them whole is bounded. The line number of a
    whole-document record is 1.
    """
    lines = iter_lines(path)
    first = next(lines, None)
    if first is None:
        return
    number, data, newline = first
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError:
        obj = None
    if obj is not None:
        yield number, obj
        for number, data, newline in lines:
            yield number, loads_line(path, number, data, newline)
        return
    # The first line alone is not JSON: either a pretty-printed document or a bad first line.
    if path.stat().st_size <= WHOLE_DOCUMENT_MAX_BYTES:
        try:
            yield 1, orjson.loads(path.read_bytes())
            return
        except orjson.JSONDecodeError:
            pass
    yield number, loads_line(path, number, data, newline)
    for number, data, newline in lines:
        yield number, loads_line(path, number, data, newline)


def first_json_line(head: bytes) -> tuple[object | None, bytes]:
    """Parse the first non-blank line of ``head`` if it is complete: ``(object or None, line)``."""
    for raw in head.split(b"\n"):
        s = raw.strip(_WS)
        if s:
            try:
                return orjson.loads(s), s
            except orjson.JSONDecodeError:
                return None, s
    return None, b""


def parse_iso(value: object) -> _dt.datetime | None:
    """ISO 8601 text (``2023-03-14T14:00:00.000Z``) -> aware UTC datetime; ``None`` if not parseable
    or without a time zone."""
    if not isinstance(value, str):
        return None
    try:
        ts = _dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if ts.tzinfo is None:
        return None
    return ts.astimezone(_dt.timezone.utc)


def parse_twitter_date(value: object) -> _dt.datetime | None:
    """v1.1 date (``Tue Mar 14 14:00:00 +0000 2023``) or ISO 8601 -> aware UTC datetime or ``None``."""
    if not isinstance(value, str):
        return None
    try:
        return _dt.datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(_dt.timezone.utc)
    except ValueError:
        return parse_iso(value)


def str_or_none(value: object) -> str | None:
    """An id or code as text: ints become their decimal string, empty -> ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value if isinstance(value, str) else None


_RT_PREFIX = re.compile(r"^RT @(\w+):\s?")
_STATUS_URL = re.compile(r"^https?://(?:mobile\.|www\.)?(?:twitter|x)\.com/[^/]+/status(?:es)?/(\d+)")


def strip_rt_prefix(text: str) -> tuple[str, str | None]:
    """``RT @user: text`` -> (``text``, ``user``); other text unchanged with ``None``."""
    m = _RT_PREFIX.match(text)
    return (text[m.end():], m.group(1)) if m else (text, None)


def status_id_of_url(url: str | None) -> str | None:
    """The tweet id of a ``https://twitter.com/<user>/status/<id>`` (or x.com) link, else ``None``."""
    if not url:
        return None
    m = _STATUS_URL.match(url)
    return m.group(1) if m else None


def expand_links(text: str, links: list[tuple[str, str]]) -> str:
    """Replace each shortened link (``https://t.co/...``) by its expanded URL.

    ``links`` is ``[(short, expanded), ...]``; an empty expanded URL removes the link (used for
    the trailing link of a quote to the quoted post), together with the space before it.
    """
    for short, expanded in links:
        if not short:
            continue
        if expanded:
            text = text.replace(short, expanded)
        else:
            text = text.replace(" " + short, "").replace(short, "")
    return text


def unescape(text: str) -> str:
    """Decode HTML entities the Twitter API leaves in text (``&amp;`` -> ``&``)."""
    return html.unescape(text) if "&" in text else text


def ordered(entities: object, key: str) -> list[str]:
    """Values of ``key`` of a list of entity dicts, in order of their ``start``/``indices``."""
    if not isinstance(entities, list):
        return []
    items = [e for e in entities if isinstance(e, dict) and isinstance(e.get(key), str)]
    def pos(e: dict) -> int:
        s = e.get("start", None)
        if not isinstance(s, int):
            ind = e.get("indices")
            s = ind[0] if isinstance(ind, list) and ind and isinstance(ind[0], int) else 0
        return s
    if len(items) > 1:
        items.sort(key=pos)
    return [e[key] for e in items]


#: The exceptions an unexpected record shape raises in a converter (see :func:`safe`).
SAFE_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError)


def structure_error(path: Path, number: int, exc: BaseException) -> InputError:
    """The InputError of a record whose shape made a converter raise ``exc``."""
    return error(path, f"unexpected structure in the record ({type(exc).__name__}: {exc})", line=number)


def safe(fn, path: Path, number: int, *args: object) -> object:
    """``fn(path, number, *args)``, with an unexpected record shape (a list where an object should
    be, a number where text should be, ...) turned into an InputError for that record."""
    try:
        return fn(path, number, *args)
    except SAFE_ERRORS as exc:
        return structure_error(path, number, exc)
