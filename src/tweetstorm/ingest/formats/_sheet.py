"""Helpers shared by the spreadsheet-family readers (Tweet Archivist, TAGS, twarc-csv).

Opening a CSV the way a spreadsheet user made it (UTF-8 BOM, ``;`` or tab delimiters), turning
spreadsheet-mangled ids and dates back into values, and the text rules every format follows.

Decisions documented here (and in ``tests/test_ingest_csv.py``):

- **BOM**: a UTF-8 byte-order mark (Excel's "CSV UTF-8" writes one) is skipped. A UTF-16 or
  UTF-32 file is decoded by the ingest framework before a reader sees it; a reader called
  directly on one raises an :class:`InputError` saying so.
- **Missing values**: a cell that :func:`tweetstorm.missing.is_missing` calls missing (empty,
  ``NA`` as R writes it, ``N/A``, ``NaN``, ``null``) is read as an empty cell.
- **Encoding**: anything that is not UTF-8 is an :class:`InputError` naming the byte offset and
  the line, with the fix "re-save as CSV UTF-8".
- **Rows** are counted as a spreadsheet user counts them: the header is row 1, the first record
  row 2, and a record whose quoted text spans several lines is still one row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import html
import io
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from tweetstorm import paths
from tweetstorm.cells import ID_FIX, parse_id  # the one id rule, used by the readers
from tweetstorm.cells import NUMBER as _FLOATY
from tweetstorm.cells import decimal_comma as _decimal_comma
from tweetstorm.errors import InputError
from tweetstorm.missing import is_missing
from tweetstorm.ingest._record import READER_KEYS

UTF16_FIX = ("give the file to the ingest step as it is (it decodes UTF-16 and UTF-32 from the "
             "byte-order mark), or re-save it as UTF-8 (LibreOffice: Character set 'Unicode (UTF-8)'; "
             "or `iconv -f UTF-16 -t UTF-8 IN > OUT`)")
UTF8_FIX = ("re-save the file as UTF-8 (Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'; "
            "LibreOffice: Character set 'Unicode (UTF-8)')")
_DELIMITERS = (",", ";", "\t")
_TWITTER_STATUS = re.compile(r"(?:twitter|x)\.com/(?:#!/)?(\w+)/status(?:es)?/(\d+)", re.I)


def rel(path: Path) -> str:
    """The repo-relative name of ``path`` that goes into error messages."""
    return paths.relative(path)


def new_post(**values: object) -> dict:
    """A post dict with every reader key; unknown keys are a programming error.

    Missing scalars default to ``None``, list fields to ``[]``, ``platform`` to ``twitter``,
    ``is_retweet`` to ``False``.
    """
    unknown = set(values) - set(READER_KEYS)
    if unknown:
        raise KeyError(f"not canonical: {sorted(unknown)}")
    post = {k: None for k in READER_KEYS}
    post.update(platform="twitter", is_retweet=False, hashtags=[], mentions=[], urls=[])
    post.update(values)
    return post


# --------------------------------------------------------------------------------------- CSV


def first_bad_utf8(path: Path) -> tuple[int, int] | None:
    """``(byte offset, line)`` (0-based offset, 1-based line) of the first non-UTF-8 byte, or None.

    Streams the file in 64 KiB chunks; only called after decoding failed.
    """
    offset, line, pending = 0, 1, b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 16)
            data = pending + chunk
            try:
                _, used = codecs.utf_8_decode(data, "strict", not chunk)
            except UnicodeDecodeError as err:
                return offset + err.start, line + data[: err.start].count(b"\n")
            line += data[:used].count(b"\n")
            offset += used
            pending = data[used:]
            if not chunk:
                return None


def _decode_error(path: Path) -> InputError:
    where = first_bad_utf8(path)
    if where is None:  # pragma: no cover - decoding failed, so a bad byte exists
        where = (0, 1)
    return InputError(rel(path), f"the file is not UTF-8 text (byte offset {where[0]} cannot be "
                      "decoded)", UTF8_FIX, line=where[1])


def head_header(head: bytes) -> list[str] | None:
    """The header fields of a CSV from its first bytes (for ``sniff``), or None if not CSV text."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        return None
    delim = max(_DELIMITERS, key=text.count)
    try:
        return [h.strip() for h in next(csv.reader([text], delimiter=delim))]
    except (csv.Error, StopIteration):
        return None


def csv_rows(path: Path, required: Mapping[str, str] | Callable[[list[str]], object]
             ) -> Iterator[tuple[int, dict[str, str] | InputError]]:
    """Stream the records of a CSV as ``(row, {header: value})`` or ``(row, InputError)``.

    ``required`` maps each required header to a sentence saying what it holds (for the error),
    or is a function that checks the header (a list of str) and raises InputError.
    Raises :class:`InputError` for an empty file, a non-UTF-8 file, missing required columns and
    a file that ends inside a quoted field (truncated). A record with the wrong number of fields
    or broken quoting is yielded as an InputError naming its row. Blank lines are not records.
    """
    name = rel(path)
    try:
        fh = open(path, encoding="utf-8", newline="")
    except OSError as err:
        raise InputError(name, f"the file cannot be opened ({err.strerror})",
                         "check the path and the file's permissions") from err
    with fh:
        with open(path, "rb") as raw:
            start = raw.read(4)
        for bom, enc in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
            if start.startswith(bom):
                raise InputError(name, f"the file is {enc} text (it starts with a {enc} byte-order mark)",
                                 UTF16_FIX, line=1)
        if start.startswith(codecs.BOM_UTF8):
            fh.read(1)  # Excel's "CSV UTF-8" starts with a byte-order mark: skip it
        body = fh.tell()
        try:
            first = fh.readline()
        except UnicodeDecodeError:
            raise _decode_error(path) from None
        if not first.strip():
            raise InputError(name, "the file is empty (no header row)",
                             "export the data again; the first row must name the columns", row=1)
        delim = max(_DELIMITERS, key=first.count)
        fh.seek(body)
        reader = csv.reader(fh, delimiter=delim, strict=True)
        row = 0
        try:
            try:
                header = [h.strip() for h in next(reader)]
            except csv.Error as err:
                raise InputError(name, f"the header row is not valid CSV ({err})",
                                 "fix the quotes of the header row in a text editor",
                                 row=1) from None
            row = 1
            twice = sorted({h for h in header if h and header.count(h) > 1})
            if twice:
                raise InputError(name, f"column name(s) used twice in the header: "
                                 f"{', '.join(twice)}", "rename or delete the extra column",
                                 row=1)
            if callable(required):
                required(header)
                missing = []
            else:
                missing = [c for c in required if c not in header]
            if missing:
                wanted = "; ".join(f"{c} ({required[c]})" for c in missing)
                raise InputError(name, f"missing required column(s): {wanted}; the header has "
                                 f"{len(header)} columns: {', '.join(header[:12])}"
                                 + (", ..." if len(header) > 12 else ""),
                                 "export the data again with the tool's default columns, or "
                                 "rename the columns to these names", row=1)
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as err:
                    row += 1
                    if "end of data" in str(err):
                        raise InputError(name, "the file ends inside a quoted field (truncated "
                                         "file?)", "copy or export the complete file again",
                                         row=row) from None
                    yield row, with_raw(InputError(name, f"broken CSV quoting ({err})",
                                                   "fix the quotes of this row in a text editor",
                                                   row=row), None)
                    continue
                if not fields:
                    continue  # a blank line is not a record (nothing to lose)
                row += 1
                if len(fields) != len(header):
                    yield row, with_raw(InputError(
                        name, f"{len(fields)} fields where the header has {len(header)}",
                        "fix this row (an unquoted delimiter or a missing field?) or export "
                        "the data again", row=row), fields)
                    continue
                rec: dict[str, str] = {}
                for h, v in zip(header, fields):
                    # One missing-value rule for every reader (NA, N/A, NaN, null, empty).
                    rec.setdefault(h, "" if is_missing(v) else v)  # unnamed header cells: first kept
                yield row, rec
        except UnicodeDecodeError:
            raise _decode_error(path) from None


def csv_posts(path: Path, required: Mapping[str, str],
              make_post: Callable[[dict[str, str], str, int], dict]
              ) -> Iterator[tuple[int, dict | InputError]]:
    """``(row, post)`` for each record of a CSV export, ``make_post(record, file, row)`` building the
    post; ``(row, InputError)`` for a bad record (its raw fields attached for the rejects file)."""
    name = rel(path)
    for row, rec in csv_rows(path, required):
        if isinstance(rec, InputError):
            yield row, rec
            continue
        try:
            yield row, make_post(rec, name, row)
        except InputError as err:
            yield row, with_raw(err, list(rec.values()))


def with_raw(err: InputError, fields: list[object] | None) -> InputError:
    """``err`` carrying the record as one CSV line (its ``raw``) for the framework's rejects file."""
    raw = None
    if fields is not None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(["" if v is None else v for v in fields])
        raw = buf.getvalue()
    return InputError(err.file, err.what, err.fix, line=err.line, row=err.row, raw=raw)


# ----------------------------------------------------------------------------- ids and dates


def exact_id(raw: object, column: str, fail: Callable[[str, str], InputError]) -> str | None:
    """The id of a cell that must hold an exact id (None for an empty cell): the one check of a
    spreadsheet-mangled id. ``fail(what, fix)`` builds the error for the row."""
    try:
        value, exact = parse_id(raw)
    except ValueError:
        raise fail(f"{column} is {raw!r}, not an id", ID_FIX) from None
    if not exact:
        raise fail(f"{column} is {str(raw).strip()!r}: a spreadsheet rounded this id", ID_FIX)
    return value


def status_id(url: str | None) -> tuple[str, str] | None:
    """``(handle, id)`` of a twitter.com/x.com status link, or None."""
    if not url:
        return None
    m = _TWITTER_STATUS.search(url)
    return (m.group(1), m.group(2)) if m else None


def excel_serial(value: float, epoch: dt.datetime | None = None) -> dt.datetime:
    """UTC datetime of an Excel serial date (1900 date system unless ``epoch`` says 1904)."""
    from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

    if not value >= 1:  # below 1 Excel means a time of day without a date (NaN fails too)
        raise ValueError(f"{value!r} is a time of day or no Excel date at all")
    try:
        naive = from_excel(value, epoch or CALENDAR_WINDOWS_1900)
    except (OverflowError, ValueError):
        raise ValueError(f"{value!r} is out of the range of Excel dates") from None
    if not isinstance(naive, dt.datetime):
        naive = dt.datetime.combine(naive, dt.time())
    return to_utc(naive)


def to_utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC, rounded to the second (tweets carry seconds; serials carry float noise).

    A naive value is taken to be UTC already (the exporters write Twitter's UTC times).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    value = value.astimezone(dt.timezone.utc)
    return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def parse_date(value: object, epoch: dt.datetime | None = None) -> dt.datetime:
    """UTC datetime of a date cell: a datetime, an Excel serial (number or numeric text), ISO
    8601 text, or Twitter's ``Tue Mar 14 14:00:00 +0000 2023`` / RFC 2822 text.

    Raises ValueError for an empty or unreadable cell.
    """
    if isinstance(value, dt.datetime):
        return to_utc(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return excel_serial(float(value), epoch)
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("no date")
    if _FLOATY.fullmatch(_decimal_comma(text)):
        return excel_serial(float(_decimal_comma(text)), epoch)
    try:
        return to_utc(dt.datetime.fromisoformat(text))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return to_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"unreadable date {text!r}") from None


# ---------------------------------------------------------------------------------- text


def clean_text(raw: str) -> str:
    """HTML entities decoded (``&amp;`` -> ``&``), CRLF/CR as ``\\n``, outer blanks kept."""
    return html.unescape(raw).replace("\r\n", "\n").replace("\r", "\n")


def drop_quote_link(text: str, urls: list[str], quoted_id: str | None) -> tuple[str, list[str]]:
    """Remove the trailing link to the quoted post (``quoted_id``) from text and urls."""
    if not quoted_id:
        return text, urls
    keep = [u for u in urls if (status_id(u) or ("", ""))[1] != quoted_id]
    stripped = text.rstrip()
    for u in urls:
        if u not in keep and stripped.endswith(u):
            stripped = stripped[: -len(u)].rstrip()
            return stripped, keep
    return text, keep
