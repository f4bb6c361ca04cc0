"""Tweet Archivist export (the tool of Sie et al. 2013): an Excel workbook (.xlsx) or a CSV.

Tweet Archivist does not publish its export layout. Its exports carry the fields of Twitter's
search API of the time; this reader takes those names and common spreadsheet spellings of them
(case, spaces and underscores do not matter, see :data:`ALIASES`):

| field | accepted headers (first match wins) |
|---|---|
| id (required) | ``id``, ``id_str``, ``tweet id``, ``status id`` |
| author (required) | ``from_user``, ``screen name``, ``username``, ``user``, ``author`` |
| date (required) | ``created_at``, ``date``, ``timestamp``, ``time`` |
| text (required) | ``text``, ``tweet``, ``tweet text``, ``content`` |
| optional | ``from_user_id``, ``to_user`` (reply handle), ``in_reply_to_status_id``, ``iso_language_code``/``language``/``lang`` |

Traps handled:

- **Ids as spreadsheet numbers.** A tweet id (19 digits) stored as an Excel number keeps only
  15 significant digits (``1.63564230947331E+18``), a CSV saved from Excel often only six
  (``1.63564E+18``). Such a format cannot carry exact ids, so ``EXACT_IDS`` is False: the
  framework de-duplicates on (author_handle, created_at, text) and says so in its report. The
  ``post_id`` emitted is the best available string: the id text when it is exact, otherwise the
  integer the cell shows (``"1635642309473310000"``). Reply ids are treated the same way.
- **Dates** may be Excel date cells, Excel serial numbers (converted with the workbook's date
  system, 1900 unless the workbook says 1904) or text (ISO 8601, Twitter's ``Tue Mar 14 14:00:00
  +0000 2023``, RFC 2822). A date without a time zone is taken as UTC (Twitter's time zone).
- No entity columns: hashtags, mentions and links are taken from the text; t.co links stay as
  they are (their targets are not in the export). Retweets are recognised by their ``RT @user:``
  prefix, which is removed; there is no column for the retweeted or the quoted post, so
  ``retweeted_post_id`` and ``quoted_post_id`` are None and a quote keeps its trailing t.co link.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from tweetstorm.errors import InputError
from tweetstorm.missing import is_missing
from tweetstorm.ingest import entities
from tweetstorm.ingest.formats import _common, _sheet

NAME = "tweet_archivist"
#: Spreadsheet numbers cannot carry 19-digit ids: de-duplicate on content (see module docstring).
EXACT_IDS = False

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "id_str", "tweet_id", "status_id"),
    "author": ("from_user", "screen_name", "username", "user", "author"),
    "date": ("created_at", "date", "timestamp", "time"),
    "text": ("text", "tweet", "tweet_text", "content"),
    "author_id": ("from_user_id", "from_user_id_str", "user_id"),
    "reply_handle": ("to_user", "in_reply_to_screen_name"),
    "reply_id": ("in_reply_to_status_id", "in_reply_to_status_id_str"),
    "lang": ("iso_language_code", "language", "lang"),
}
REQUIRED = ("id", "author", "date", "text")
_XLSX_MAGIC = b"PK\x03\x04"
# What a damaged workbook raises inside zipfile/zlib/openpyxl (ParseError is a SyntaxError).
_XLSX_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError, ValueError,
                IndexError, NotImplementedError, SyntaxError)


def _norm(header: object) -> str:
    return re.sub(r"[\s\-.]+", "_", str(header or "").strip().lower())


def _columns(header: list[object]) -> dict[str, int]:
    """Field -> column index, through :data:`ALIASES`."""
    names = [_norm(h) for h in header]
    found = {}
    for field, aliases in ALIASES.items():
        for alias in aliases:
            if alias in names:
                found[field] = names.index(alias)
                break
    return found


def _looks_like_archivist(header: list[object]) -> bool:
    names = {_norm(h) for h in header}
    if {"status_url", "entities_str"} & names or "conversation_id" in names:
        return False  # TAGS or twarc-csv, which have their own readers
    return all(f in _columns(header) for f in REQUIRED)


def sniff(path: Path, head: bytes) -> bool:
    """True for an .xlsx workbook or a CSV whose header maps onto the Tweet Archivist fields."""
    if head.startswith(_XLSX_MAGIC):
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            return False
        try:
            return _looks_like_archivist(workbook_header(path))
        except (InputError, *_XLSX_ERRORS):
            return False
    header = _sheet.head_header(head)
    return bool(header) and _looks_like_archivist(header)


def read(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """``(row, post)`` for each record (header = row 1), ``(row, InputError)`` for a bad one.

    Raises InputError for a file that cannot be read at all (not a workbook, truncated,
    non-UTF-8 CSV, empty, required columns missing).
    """
    name = _sheet.rel(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _read_xlsx(path, name)
        return
    fields: dict[str, int] = {}
    header: list[str] = []

    def check(names: list[str]) -> None:
        fields.update(_require(names, name, path))
        header.extend(names)

    for row, rec in _sheet.csv_rows(path, check):
        if isinstance(rec, InputError):
            yield row, rec
            continue
        yield row, _guarded([rec[h] for h in header], fields, name, row, None)


def _require(header: list[object], name: str, path: Path) -> dict[str, int]:
    cols = _columns(header)
    missing = [f for f in REQUIRED if f not in cols]
    if missing:
        wanted = "; ".join(f"{f} (one of: {', '.join(ALIASES[f])})" for f in missing)
        shown = ", ".join(str(h) for h in header[:12] if h is not None)
        raise InputError(name, f"missing required column(s): {wanted}; the header row has: "
                         f"{shown or 'nothing'}",
                         "make row 1 the header row of the Tweet Archivist export, or rename "
                         "the columns to these names", row=1)
    return cols


def workbook_header(path: Path) -> list[object]:
    """The first row of the first worksheet (read-only; the workbook is closed again); an
    :class:`InputError` for a damaged or truncated workbook."""
    wb = _open_workbook(path)
    try:
        if not wb.worksheets:
            return []
        for values in wb.worksheets[0].iter_rows(max_row=1, values_only=True):
            return list(values)
        return []
    except _XLSX_ERRORS as err:
        raise InputError(_sheet.rel(path), f"the workbook is damaged or truncated ({type(err).__name__}: {err})",
                         "open it in Excel and save it again, or export again") from None
    finally:
        wb.close()


def missing_columns(header: list[object]) -> list[str] | None:
    """The required fields a header lacks when it has at least two of them (it looks like a
    Tweet Archivist export), each with the headers accepted for it; None otherwise."""
    if {"status_url", "entities_str", "conversation_id"} & {_norm(h) for h in header}:
        return None
    cols = _columns(header)
    found = [f for f in REQUIRED if f in cols]
    if len(found) < 2 or len(found) == len(REQUIRED):
        return None
    return [f"{f} (one of: {', '.join(ALIASES[f])})" for f in REQUIRED if f not in cols]


def _open_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except _XLSX_ERRORS as err:
        raise InputError(_sheet.rel(path), f"not a readable Excel workbook ({err}); the file "
                         "may be truncated or not an .xlsx",
                         "open it in Excel and save it again as .xlsx, or export again") from None


def _read_xlsx(path: Path, name: str) -> Iterator[tuple[int, dict | InputError]]:
    wb = _open_workbook(path)
    try:
        if not wb.worksheets:
            raise InputError(name, "the workbook has no worksheet", "export again")
        epoch = wb.epoch
        rows: Iterable = wb.worksheets[0].iter_rows(values_only=True)
        fields = None
        try:
            for row, values in enumerate(rows, start=1):
                values = list(values)
                if fields is None:
                    if all(v is None or str(v).strip() == "" for v in values):
                        raise InputError(name, "the first row is empty (no header row)",
                                         "make row 1 the header row of the export", row=1)
                    fields = _require(values, name, path)
                    continue
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue  # a blank row is not a record
                yield row, _guarded(values, fields, name, row, epoch)
        except InputError:
            raise
        except _XLSX_ERRORS as err:
            raise InputError(name, f"the workbook is damaged ({type(err).__name__}: {err})",
                             "open it in Excel and save it again, or export again") from None
        if fields is None:
            raise InputError(name, "the worksheet is empty (no header row)",
                             "export the data again", row=1)
    finally:
        wb.close()


def _guarded(values: list[object], fields: dict[str, int], name: str, row: int,
             epoch) -> dict | InputError:
    try:
        return _post(values, fields, name, row, epoch)
    except InputError as err:
        return _sheet.with_raw(err, values)


def _post(values: list[object], fields: dict[str, int], name: str, row: int, epoch) -> dict:
    def cell(field: str) -> object:
        i = fields.get(field)
        value = values[i] if i is not None and i < len(values) else None
        return None if is_missing(value) else value  # the one missing-value rule

    def fail(what: str, fix: str) -> InputError:
        return InputError(name, what, fix, row=row)

    def ident(field: str) -> str | None:
        try:
            return _sheet.parse_id(cell(field))[0]  # exact or not: EXACT_IDS says which
        except ValueError as err:
            raise fail(f"the {field} cell holds {cell(field)!r}, not an id ({err})",
                       _sheet.ID_FIX) from None

    post_id = ident("id")
    if post_id is None:
        raise fail("no tweet id (the id cell is empty)", "remove the row or restore its id")
    try:
        created = _sheet.parse_date(cell("date"), epoch)
    except (ValueError, OverflowError) as err:
        raise fail(f"no usable date ({err})",
                   "restore the date: an Excel date cell or text such as 2023-03-14 14:00:00"
                   ) from None
    handle = entities.normalise_handle(cell("author"))
    if handle is None:
        raise fail("no author (the author cell is empty)", "fill in the author's handle")
    raw = cell("text")
    text = _sheet.clean_text("" if raw is None else str(raw))
    text, rt_user = _common.strip_rt_prefix(text)
    tags, mentions, urls = entities.text_entities(text)
    lang = str(cell("lang") or "").strip() or None
    return _sheet.new_post(
        post_id=post_id, author_id=ident("author_id"), author_handle=handle, created_at=created,
        text=text, lang=lang, is_retweet=rt_user is not None,
        reply_to_post_id=ident("reply_id"),
        reply_to_handle=entities.normalise_handle(cell("reply_handle")),
        hashtags=tags, mentions=mentions, urls=urls)
