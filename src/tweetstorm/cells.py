"""Spreadsheet cells and ids: one module for every reader of a sheet a person filled in.

The coding sheets, the adjudication sheet, the reliability command's ratings file and the
spreadsheet export formats of the ingester all read cells that a spreadsheet program may have
changed. The rules for them live here, once:

- :func:`cell_text`: a cell as text (None and NaN -> ``""``; a float keeps its decimal point so
  that a mangled id stays visible; dates in ISO 8601).
- :func:`parse_id` / :func:`mangled_id`: what a spreadsheet makes of a long numeric id
  (``1.23457E+17``, ``123456789012345000.0``, ``1,234,567``, an 18-digit id rounded to 15
  significant digits), read back where that is exact (the ingester) or refused (the coding
  sheets, where the blank sheet has the true id).
- :func:`near_match` / :func:`near_duplicates`: codes that differ only in letter case or
  surrounding space (``Yes`` next to ``yes``, ``yes `` next to ``yes``).
- :func:`read_table`: a CSV or an ``.xlsx`` workbook as a header plus ``(sheet, row, cells)``
  records, with the workbook rules: every sheet that has the expected columns is read (or one
  named sheet), formula cells without a saved value and damaged workbooks are errors.

Missing values (``NA``, ``N/A``, ``NaN``, ``null``, empty) follow :mod:`tweetstorm.missing`.
"""

from __future__ import annotations

import datetime
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from tweetstorm.errors import InputError

__all__ = [
    "ID_FIX", "NUMBER", "Record", "Table", "cell_text", "decimal_comma", "looks_mangled",
    "mangled_id", "near_duplicates", "near_match", "parse_id", "read_table",
]

# ------------------------------------------------------------------------------------ cells


def cell_text(value: object) -> str:
    """A cell as text: None or NaN -> ``""``; ``2`` -> ``"2"``; a float keeps its form
    (``2.0``, ``1.2345678901234568E+17``), so that an id a spreadsheet turned into a number
    shows as one; a date or time in ISO 8601; text stripped of surrounding space."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, int)):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text.upper() if "e" in text else text
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


# ------------------------------------------------------------------------------------- ids

ID_FIX = ("format the id columns as Text before saving, or export the data again without "
          "opening it in a spreadsheet program (a spreadsheet keeps only 15 digits of a number)")

NUMBER = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")
"""A number as a spreadsheet writes it (after :func:`decimal_comma`)."""

_COMMA_NUMBER = re.compile(r"\d+,\d+(?:[eE][+-]?\d+)?")
# What a spreadsheet makes of a long number: 1.23457E+17, 123456789012345000.0, 1,234,567
_MANGLED = re.compile(r"^[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+$|^[+-]?\d+\.\d*$|^\d{1,3}(?:,\d{3})+$")
# float64 represents every integer up to 2**53 exactly; above that a numeric cell lost digits.
_EXACT_LIMIT = 2 ** 53
_EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number


def decimal_comma(text: str) -> str:
    """``1,63564E+18`` / ``44999,58`` (a decimal-comma locale) -> with a decimal point."""
    return text.replace(",", ".") if _COMMA_NUMBER.fullmatch(text) else text


def parse_id(value: object) -> tuple[str | None, bool]:
    """``(id string, exact)`` of an id cell; ``(None, True)`` for an empty cell.

    Text of digits and integers are exact. A float (an id stored as a spreadsheet number) or
    text such as ``1.63564E+18`` is converted to the integer it shows (``"1635640000000000000"``)
    and is exact only below 2**53. Raises ValueError for anything else.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an id")
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if not 0 <= value < 1e25:  # NaN, infinity and negative numbers fail too
            raise ValueError(f"{value!r} is not an id")
        # Excel keeps 15 significant digits: show the number as Excel shows it.
        digits = Decimal(format(value, f".{_EXCEL_DIGITS}g"))
        exact = value.is_integer() and value < _EXACT_LIMIT
        return str(int(digits)), exact
    text = str(value).strip().lstrip("'")  # a leading ' is Excel's "this is text" marker
    text = decimal_comma(text)
    if text.isdigit():
        return text, True
    if NUMBER.fullmatch(text):
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex admits only numbers
            raise ValueError(f"{text!r} is not an id") from None
        if number < 0 or number.adjusted() > 24 or number != number.to_integral_value():
            raise ValueError(f"{text!r} is not an id")  # ids have at most 20 digits
        exact = "e" not in text.lower() and number < _EXACT_LIMIT
        return str(int(number)), exact
    raise ValueError(f"{text!r} is not an id")


_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+$")


def looks_mangled(text: str, *, decimals: bool = True) -> bool:
    """True for text a spreadsheet makes of a long number: ``1.23457E+17``, ``1,234,567``, and
    with ``decimals`` also ``123456789012345000.0`` (any number with a decimal point)."""
    if not decimals:
        return bool(_SCIENTIFIC.match(text))
    return bool(_MANGLED.match(text))


def mangled_id(value: object, known: Iterable[str] = ()) -> bool:
    """True when a spreadsheet turned the id in ``value`` into a number.

    A float cell (ids are text), text that shows a number in spreadsheet form
    (:func:`looks_mangled`), or a long digit string that equals one of the ``known`` ids
    rounded to 15 significant digits (``123456789012345605`` -> ``123456789012346000``).
    """
    if isinstance(value, float):
        return True
    text = cell_text(value)
    if looks_mangled(text):
        return True
    if not (text.isdigit() and len(text) > _EXCEL_DIGITS and not text[_EXCEL_DIGITS:].strip("0")):
        return False
    tolerance = 10 ** (len(text) - _EXCEL_DIGITS)
    return any(len(k) == len(text) and k.isdigit() and abs(int(k) - int(text)) < tolerance
               for k in known)


# ------------------------------------------------------------------------------------ codes


def _fold(text: str) -> str:
    return text.strip().casefold()


def near_match(text: str, allowed: Iterable[str]) -> str | None:
    """The one of ``allowed`` that ``text`` equals but for letter case or surrounding space
    (``"Yes "`` -> ``"yes"``), or None (also when ``text`` is itself allowed)."""
    allowed = list(allowed)
    if text in allowed:
        return None
    hits = [a for a in allowed if _fold(a) == _fold(text)]
    return hits[0] if hits else None


def near_duplicates(values: Iterable[str]) -> list[list[str]]:
    """Groups of distinct values that differ only in letter case or surrounding space.

    ``["b", "B", "yes", "yes ", "no"]`` -> ``[["B", "b"], ["yes", "yes "]]``; each group and the
    list sorted. Empty values are ignored.
    """
    groups: dict[str, set[str]] = {}
    for v in values:
        if v is None or not str(v).strip():
            continue
        groups.setdefault(_fold(str(v)), set()).add(str(v))
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


# ------------------------------------------------------------------------------------ tables


@dataclass(frozen=True)
class Record:
    """One data row: the sheet it came from (None for a CSV), its row number as a spreadsheet
    shows it (the header is row 1) and its cells by column key."""

    sheet: str | None
    row: int
    cells: dict[str, object]

    def where(self, file: str) -> str:
        """``file`` or ``file, sheet S``: the file part of an error about this record."""
        return file if self.sheet is None else f"{file}, sheet {self.sheet}"


@dataclass
class Table:
    """A sheet's header (column keys) and records; ``sheets`` lists the workbook sheets read."""

    header: list[str]
    records: list[Record] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_header(header: list[str], where: str) -> None:
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise InputError(where, f"column name(s) used twice in the header: {', '.join(twice)}",
                         "rename or delete the extra column (only one can be read)", row=1)


def _read_csv(path: Path, name: str, column_key: Callable[[object], str], sep: str) -> Table:
    import pandas as pd

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=sep,
                         header=None, skip_blank_lines=False)
    except UnicodeDecodeError as err:
        raise InputError(name, "the file is not UTF-8 text",
                         "save it as 'CSV UTF-8' (or as an .xlsx workbook)") from err
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(name, f"not a readable CSV ({first})",
                         "save the sheet again as CSV UTF-8 with a header row") from err
    if df.empty:
        raise InputError(name, "not a readable CSV (no header row)",
                         "save the sheet again as CSV UTF-8 with a header row", row=1)
    header = [column_key(c) for c in df.iloc[0]]
    _check_header(header, name)
    records = []
    # rows as a spreadsheet numbers them: a blank line keeps its number and carries nothing
    for i, vals in enumerate(df.iloc[1:].itertuples(index=False, name=None)):
        if all(_blank(v) or (isinstance(v, float) and math.isnan(v)) for v in vals):
            continue
        records.append(Record(None, i + 2, dict(zip(header, vals))))
    return Table(header, records)


# What a damaged or truncated workbook raises inside openpyxl, zipfile and the XML parsers
# (400 randomly damaged workbooks: BadZipFile, zlib.error, KeyError, NotImplementedError; the
# others from files whose XML is malformed inside an intact zip)
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, IndexError,
           TypeError, AttributeError, SyntaxError, NotImplementedError)
_DAMAGED_FIX = ("open it in Excel or LibreOffice and save it again as an .xlsx workbook, or copy "
                "the complete file again (it may be truncated)")


def _is_formula(value: object) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return value is not None and type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def _open_workbooks(path: Path, name: str):
    from openpyxl import load_workbook

    try:
        values = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except InputError:
        raise
    except _BROKEN as err:
        raise InputError(name, f"not a readable .xlsx workbook (damaged or truncated: "
                         f"{type(err).__name__})", _DAMAGED_FIX) from None
    except Exception as err:  # openpyxl's InvalidFileException and kin
        raise InputError(name, f"not a readable .xlsx workbook ({type(err).__name__})",
                         _DAMAGED_FIX) from None
    return values, formulas


def _read_xlsx(path: Path, name: str, required: Sequence[str], column_key: Callable[[object], str],
               sheet: str | None, sheet_fix: str) -> Table:
    from openpyxl.utils import get_column_letter

    values_wb, formulas_wb = _open_workbooks(path, name)
    try:
        try:
            worksheets = [ws for ws in values_wb.worksheets if hasattr(ws, "iter_rows")]
            names = [ws.title for ws in worksheets]
            headers: dict[str, list[str]] = {}
            for ws in worksheets:
                ws.reset_dimensions()  # read every row, whatever size the file declares
                first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
                headers[ws.title] = [column_key(v) for v in first]
            if sheet is not None:
                if sheet not in names:
                    raise InputError(name, f"no sheet {sheet!r} (sheets: {', '.join(names)})",
                                     "name one of the workbook's sheets")
                chosen = [sheet]
                missing = [c for c in required if c not in headers[sheet]]
                if missing:
                    found = ", ".join(h for h in headers[sheet] if h) or "none"
                    raise InputError(f"{name}, sheet {sheet}", f"missing column(s) "
                                     f"{', '.join(missing)} (found: {found})",
                                     "add the column(s) to the header row (row 1)", row=1)
            else:
                chosen = [n for n in names if all(c in headers[n] for c in required)]
                if not chosen:
                    listing = "; ".join(f"{n} ({', '.join(h for h in headers[n] if h) or 'empty'})"
                                        for n in names)
                    raise InputError(name, f"no sheet has the column(s) {', '.join(required)} in "
                                     f"its first row (sheets: {listing})", sheet_fix)
            table = Table(headers[chosen[0]], sheets=list(chosen))
            for title in chosen:
                header = headers[title]
                _check_header(header, name if len(names) == 1 else f"{name}, sheet {title}")
                for key in header:
                    if key and key not in table.header:
                        table.header.append(key)
                values_rows = values_wb[title].iter_rows(values_only=True)
                fws = formulas_wb[title]
                fws.reset_dimensions()
                formula_rows = fws.iter_rows(values_only=True)
                unsaved: list[str] = []
                for r, (vals, forms) in enumerate(zip(values_rows, formula_rows), start=1):
                    for c, (v, f) in enumerate(zip(vals, forms), start=1):
                        if v is None and _is_formula(f):
                            unsaved.append(f"{get_column_letter(c)}{r}")
                    if r == 1 or all(_blank(v) for v in vals):
                        continue  # the header; an empty row carries nothing
                    cells: dict[str, object] = {}
                    for key, v in zip(header, vals):
                        cells.setdefault(key, v)
                    table.records.append(Record(title if len(names) > 1 else None, r, cells))
                if unsaved:
                    shown = ", ".join(unsaved[:20]) + (f" and {len(unsaved) - 20} more"
                                                       if len(unsaved) > 20 else "")
                    raise InputError(f"{name}, sheet {title}",
                                     f"formula cells without a saved value: cells {shown}",
                                     "open the workbook in Excel or LibreOffice and save it (which "
                                     "stores each formula's value), or replace the formulas by "
                                     "their values")
            return table
        except InputError:
            raise
        except _BROKEN as err:
            raise InputError(name, f"not a readable .xlsx workbook (damaged or truncated: "
                             f"{type(err).__name__})", _DAMAGED_FIX) from None
    finally:
        values_wb.close()
        formulas_wb.close()


def read_table(path: str | Path, name: str, required: Sequence[str] = (), *,
               sheet: str | None = None, column_key: Callable[[object], str] = cell_text,
               sheet_fix: str = "pass the sheet's name (--sheet NAME) or rename its header cells",
               ) -> Table:
    """Read a ``.csv``/``.tsv`` or ``.xlsx``/``.xlsm`` file as a :class:`Table` of raw cells.

    CSV: UTF-8 (a byte-order mark is accepted), every cell as text. Workbook: ``sheet`` reads
    that sheet; otherwise every sheet whose first row holds all ``required`` column keys is
    read, in workbook order, each record keeping its sheet (when the workbook has several) and
    row. Raises :class:`InputError` naming ``name`` for a missing file, an unknown file type,
    a damaged or truncated workbook, no sheet with the columns (naming the sheets), and formula
    cells without a saved value (naming the sheet and the cells). ``column_key`` turns a header
    cell into its key. Missing-value tokens are left for the caller (:mod:`tweetstorm.missing`).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(name, "file not found" if not p.exists() else "not a file",
                         "check the path (a .csv or .xlsx file)")
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        table = _read_csv(p, name, column_key, "\t" if suffix == ".tsv" else ",")
        if sheet is not None:
            raise InputError(name, f"a CSV file has no sheets (asked for sheet {sheet!r})",
                             "leave out the sheet name for a CSV file")
        return table
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, name, required, column_key, sheet, sheet_fix)
    if suffix in (".xls", ".ods", ".numbers"):
        raise InputError(name, f"{suffix} workbooks cannot be read",
                         "save the file as an Excel workbook (.xlsx) or as CSV UTF-8")
    raise InputError(name, f"unsupported file type {suffix or '(none)'}",
                     "give a .csv or .xlsx file")
