"""The coding workflow: sheets out, completed sheets in, adjudication, consensus codes.

1. :func:`units` picks the coding units (answers) from the processed posts.
2. :func:`write_sheets` writes one blank sheet per rater (``rater_<R>.xlsx`` with a dropdown of the
   question's codes, and ``rater_<R>.csv``); units in a seeded per-rater random order.
3. :func:`read_sheets` reads completed sheets back (xlsx or csv, any number of raters) into the long
   ratings table ``(unit_id, question, rater, code)``; every problem is an
   :class:`~tweetstorm.errors.InputError` naming the file, the sheet row (the header is row 1, as a
   spreadsheet shows it) and the fix. A unit a rater left uncoded stays in the table with
   ``code`` = NA (see :func:`uncoded`); it is never guessed.
4. :func:`disagreements` and :func:`write_adjudication_sheet` send the non-unanimous units to an
   adjudicator; :func:`read_adjudication` reads the decisions back; :func:`consensus` gives one code
   per unit with its audit trail (``unanimous`` / ``majority`` / ``adjudicated`` and by whom).

Multi-code questions (``multi_code: true`` in the codebook) take several codes separated by ``;``;
the code is stored normalised (codebook order, no duplicates, joined by ``;``), and reliability is
then computed per category as present/absent (``tweetstorm.reliability.per_code_presence`` with
``sep=";"``); consensus and adjudication treat the set of codes as one value.

Command line (``make sheets``)::

    python -m tweetstorm.coding sheets --posts data/processed/posts.parquet \\
        --codebook data/raw/codebook.yml --raters R1,R2,R3 --out build/coding_sheets
    python -m tweetstorm.coding adjudication --posts data/processed/posts.parquet \\
        --codebook data/raw/codebook.yml --sheets data/raw/coding/rater_*.csv --out build/adjudication
"""

from __future__ import annotations

import argparse
import datetime
import glob as _glob
import hashlib
import os
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from . import paths
from .codebook import Codebook
from .errors import InputError, require_columns
from .pseudonymize import unit_id_lookup

__all__ = [
    "SHEET_COLUMNS", "units", "unassigned_answers", "write_sheets", "read_sheets", "uncoded",
    "disagreements", "write_adjudication_sheet", "read_adjudication",
    "consensus", "adjudication_summary", "main",
]

#: Columns of a coding sheet, in order (the reader needs unit_id, question and code; text and rater
#: are there for the person coding and as a check).
SHEET_COLUMNS = ("unit_id", "question", "text", "code", "rater")
SEPARATOR = ";"  # between the codes of a multi-code answer
DEFAULT_SEED = 20130601
# Fixed workbook times and zip-entry times: the same input gives the same .xlsx bytes.
_FIXED_TIME = datetime.datetime(2013, 6, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SHEET_NAME = "coding"
_RATER_FILE = re.compile(r"^rater_(?P<rater>[^.]+)\.(?:csv|xlsx)$", re.IGNORECASE)
# What a spreadsheet makes of a long number: 1.23457E+17, 123456789012345000.0, 1,234,567
_MANGLED = re.compile(r"^[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+$|^[+-]?\d+\.\d*$|^\d{1,3}(?:,\d{3})+$")
_MANGLED_FIX = ("copy the unit_id column back from the blank sheet; a spreadsheet turned the id into a "
                "number (format the column as Text before pasting, or code in the .xlsx sheet)")


# --------------------------------------------------------------------------------------- units

def _question_key(q: str) -> tuple[int, str]:
    """Natural order of question ids: Q2 before Q10."""
    m = re.fullmatch(r"Q(\d+)", str(q))
    return (int(m.group(1)), "") if m else (10**9, str(q))


def _sort_units(df: pd.DataFrame, by_time: bool) -> pd.DataFrame:
    keys = df["question"].map(_question_key)
    order = pd.DataFrame({"k": keys, "id": df["post_id"].astype(str)})
    if by_time:
        order["t"] = df["created_at"]
        idx = order.sort_values(["k", "t", "id"], kind="mergesort").index
    else:
        idx = order.sort_values(["k", "id"], kind="mergesort").index
    return df.loc[idx]


def _answers(posts: pd.DataFrame, source: str) -> pd.DataFrame:
    need = ["post_id", "role", "question", "author_handle", "text"]
    require_columns(posts.columns, need, source,
                    "run notebook 01-ingest, which writes the canonical posts with role and question")
    return posts[posts["role"] == "answer"]


def units(posts: pd.DataFrame, *, source: str = "data/processed/posts.parquet") -> pd.DataFrame:
    """The coding units: posts with ``role == "answer"`` and an assigned question.

    Returns a DataFrame ``(unit_id, question, author, text)`` (all str; ``unit_id`` is the
    ``post_id``, ``author`` the pseudonymised ``author_handle``), one row per unit, sorted by
    question (Q1, Q2, ..., Q10), then ``created_at`` (if present), then ``unit_id``.
    Answers without a question cannot be coded; :func:`unassigned_answers` lists them.
    ``source`` only names the table in error messages.
    """
    ans = _answers(posts, source)
    ans = ans[ans["question"].notna()]
    dup = ans["post_id"].astype(str).duplicated()
    if dup.any():
        raise InputError(source, f"post_id {ans['post_id'].astype(str)[dup].iloc[0]} occurs twice",
                         "deduplicate the posts (notebook 01-ingest keeps one row per post)")
    ans = _sort_units(ans, "created_at" in ans.columns)
    out = pd.DataFrame({
        "unit_id": ans["post_id"].astype(str).to_numpy(),
        "question": ans["question"].astype(str).to_numpy(),
        "author": ans["author_handle"].astype(str).to_numpy(),
        "text": ans["text"].astype(str).to_numpy(),
    })
    return out


def unassigned_answers(posts: pd.DataFrame, *,
                       source: str = "data/processed/posts.parquet") -> pd.DataFrame:
    """Answers whose question could not be assigned: ``(unit_id, author, text)``; not coded."""
    ans = _answers(posts, source)
    ans = ans[ans["question"].isna()]
    return pd.DataFrame({"unit_id": ans["post_id"].astype(str).to_numpy(),
                         "author": ans["author_handle"].astype(str).to_numpy(),
                         "text": ans["text"].astype(str).to_numpy()}).sort_values(
        "unit_id", kind="mergesort", ignore_index=True)


def _check_questions(units_df: pd.DataFrame, codebook: Codebook) -> None:
    known = set(codebook.questions())
    bad = sorted(set(units_df["question"]) - known, key=_question_key)
    if bad:
        raise InputError(codebook.source, f"the units answer question(s) {', '.join(bad)}, which the "
                         f"codebook lacks (it has {', '.join(codebook.questions())})",
                         "add the question(s) to the codebook or fix the question assignment")


# ----------------------------------------------------------------------------- writing sheets

class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry the same date, so that the archive bytes are reproducible
    (``ZipFile.writestr``/``write`` stamp entries with the current time or a temporary file's mtime;
    openpyxl has no option for it)."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # noqa: D102
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            zinfo.compress_type = self.compression
            zinfo.external_attr = 0o600 << 16
            zinfo_or_arcname = zinfo
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # noqa: D102
        # openpyxl writes worksheets from a temporary file, whose mtime would go into the entry
        with open(filename, "rb") as fh:
            data = fh.read()
        self.writestr(arcname if arcname is not None else os.path.basename(filename), data,
                      compress_type, compresslevel)


def _save_xlsx(wb: Workbook, path: Path) -> None:
    """Save ``wb`` with fixed document-property times and zip dates (same input, same bytes
    for a given zlib). ``openpyxl.Workbook.save`` would stamp the modified time with 'now'."""
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    wb.properties.creator = "tweetstorm.coding"
    path.parent.mkdir(parents=True, exist_ok=True)
    archive = _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # closes the archive


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _row_ranges(col: str, rows: Sequence[int]) -> str:
    """``"D2:D4 D7"`` for rows [2, 3, 4, 7]: the sqref of a data validation."""
    parts: list[str] = []
    rows = sorted(rows)
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
        if r is not None:
            start = prev = r
    return " ".join(parts)


def _add_dropdowns(wb: Workbook, ws, col: str, row_questions: Sequence[str],
                   codebook: Codebook) -> None:
    """One list validation per question on the code column ``col`` (data rows start at 2).

    The list is inline (``"a,b,c"``) while it fits Excel's 255-character formula limit; otherwise
    the question's codes go to a hidden ``codes`` sheet and the validation points at that range.
    Multi-code questions keep the dropdown but accept any text (``a;b``); the reader validates.
    """
    rows_by_q: dict[str, list[int]] = {}
    for i, q in enumerate(row_questions):
        rows_by_q.setdefault(q, []).append(i + 2)
    codes_ws = None
    for q in codebook.questions():
        if q not in rows_by_q:
            continue
        codes = codebook.codes(q)
        inline = '"' + ",".join(codes) + '"'
        if len(inline) <= 255:
            formula = inline
        else:
            if codes_ws is None:
                codes_ws = wb.create_sheet("codes")
                codes_ws.sheet_state = "hidden"
            c = codebook.questions().index(q) + 1
            letter = get_column_letter(c)
            codes_ws.cell(row=1, column=c, value=q)
            for j, code in enumerate(codes, start=2):
                codes_ws.cell(row=j, column=c, value=code)
            formula = f"codes!${letter}$2:${letter}${len(codes) + 1}"
        multi = codebook.multi_code(q)
        dv = DataValidation(
            type="list", formula1=formula, allow_blank=True,
            showErrorMessage=not multi, errorTitle="Unknown code",
            error=f"Pick a code of {q} from the list (see the instructions sheet).",
            showInputMessage=True, promptTitle=f"Code for {q}",
            prompt=(f"One or more codes of {q}, separated by '{SEPARATOR}'." if multi
                    else f"Pick one code of {q}; leave empty if you cannot decide."))
        dv.sqref = _row_ranges(col, rows_by_q[q])
        ws.add_data_validation(dv)


def _instructions(wb: Workbook, codebook: Codebook, title: str, lines: Sequence[str]) -> None:
    ws = wb.create_sheet("instructions")
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    for line in lines:
        ws.append([line])
    for q in codebook.questions():
        question = codebook.question(q)
        ws.append([])
        ws.append([f"{q}: {question.label}"])
        ws.cell(row=ws.max_row, column=1).font = bold
        ws.append(["Question asked", question.prompt])
        ws.append(["Codes per answer", f"one or more, separated by '{SEPARATOR}'"
                   if question.multi_code else "exactly one"])
        ws.append(["code", "label", "definition", "example"])
        for c in range(1, 5):
            ws.cell(row=ws.max_row, column=c).font = bold
        for cat in question.categories:
            ws.append([cat.code, cat.label, cat.definition, cat.example])
            for c in range(1, 5):
                ws.cell(row=ws.max_row, column=c).alignment = wrap
    for letter, width in zip("ABCD", (22, 28, 60, 60)):
        ws.column_dimensions[letter].width = width


def _sheet_table(wb: Workbook, df: pd.DataFrame, text_cols: Iterable[str]) -> object:
    """Write ``df`` to the first sheet ``coding`` as text cells; returns the worksheet."""
    ws = wb.active
    ws.title = _SHEET_NAME
    ws.append(list(df.columns))
    for c in range(1, df.shape[1] + 1):
        ws.cell(row=1, column=c).font = Font(bold=True)
    cols = list(df.columns)
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in df.itertuples(index=False):
        ws.append([None if pd.isna(v) or v == "" else str(v) for v in values])
    for j, name in enumerate(cols, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = 70 if name == "text" else 22 if name == "unit_id" else 14
        for cell in ws[letter][1:]:
            cell.number_format = "@"  # Text: a spreadsheet keeps long ids as typed
            if name in text_cols:
                cell.alignment = wrap
    ws.freeze_panes = "A2"
    return ws


def rater_seed(seed: int, rater: str) -> list[int]:
    """The seed of ``rater``'s unit order: ``[seed, first 8 bytes of sha256(rater)]`` (stable
    across runs and machines; Python's ``hash`` is salted)."""
    digest = hashlib.sha256(str(rater).encode("utf-8")).digest()
    return [int(seed), int.from_bytes(digest[:8], "big")]


def write_sheets(units: pd.DataFrame, codebook: Codebook, raters: Sequence[str],
                 out_dir: str | os.PathLike[str], *, seed: int = DEFAULT_SEED,
                 formats: Sequence[str] = ("xlsx", "csv")) -> dict[str, list[Path]]:
    """Write one blank coding sheet per rater: ``out_dir/rater_<R>.xlsx`` and/or ``.csv``.

    ``units``: the output of :func:`units` (at least ``unit_id, question, text``). Each sheet has
    the columns :data:`SHEET_COLUMNS` with an empty ``code``; rows in a per-rater random order
    (``numpy.random.default_rng(rater_seed(seed, rater))``). The xlsx holds the ids as text cells,
    a dropdown of the question's codes on each code cell and an ``instructions`` sheet with the
    codebook's definitions and examples. Returns ``{rater: [paths written]}``.
    """
    bad = [f for f in formats if f not in ("xlsx", "csv")]
    if bad or not formats:
        raise ValueError(f"write_sheets: formats must be xlsx and/or csv, got {list(formats)}")
    names = [str(r).strip() for r in raters]
    if not names or any(not r or "/" in r or "." in r for r in names) or len(set(names)) < len(names):
        raise ValueError(f"write_sheets: raters must be distinct plain names (e.g. R1,R2,R3), got {names}")
    _check_questions(units, codebook)
    out = paths.resolve(out_dir)
    written: dict[str, list[Path]] = {}
    for rater in names:
        order = np.random.default_rng(rater_seed(seed, rater)).permutation(len(units))
        sheet = pd.DataFrame({
            "unit_id": units["unit_id"].astype(str).to_numpy()[order],
            "question": units["question"].astype(str).to_numpy()[order],
            "text": units["text"].astype(str).to_numpy()[order],
            "code": "",
            "rater": rater,
        })
        files: list[Path] = []
        if "xlsx" in formats:
            wb = Workbook()
            ws = _sheet_table(wb, sheet, ("text",))
            _add_dropdowns(wb, ws, "D", list(sheet["question"]), codebook)
            _instructions(wb, codebook, f"Coding sheet of rater {rater}", [
                f"Code every row of the '{_SHEET_NAME}' sheet: choose the code from the dropdown "
                "in column D, using the definitions and examples below.",
                "Do not change unit_id, question, text or rater; do not sort away or delete rows.",
                f"Questions marked 'one or more' take several codes separated by '{SEPARATOR}'.",
                "Leave a code empty if you cannot decide: it is reported as uncoded, never guessed.",
                "Code on your own: this sheet holds no other rater's codes.",
            ])
            files.append(out / f"rater_{rater}.xlsx")
            _save_xlsx(wb, files[-1])
        if "csv" in formats:
            files.append(out / f"rater_{rater}.csv")
            _write_csv(sheet, files[-1])
        written[rater] = files
    return written


# ----------------------------------------------------------------------------- reading sheets

def _cell_text(value: object) -> str:
    """A cell as text: None -> "", integral float 2.0 -> "2.0" (kept, so that a mangled id shows)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).upper() if "e" in repr(value) else repr(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


_STANDARD_COLUMNS = {"unit_id", "question", "text", "code", "rater", "adjudicated_code",
                     "adjudicator", "note"}


def _column_name(value: object) -> str:
    """Header cell -> column key: standard columns case-insensitively (``Unit_ID`` -> ``unit_id``),
    others (``code_R1``) as written, since rater names are case-sensitive."""
    text = _cell_text(value)
    return text.lower() if text.lower() in _STANDARD_COLUMNS else text


def _read_table(path: Path, name: str) -> tuple[list[str], list[tuple[int, dict[str, object]]]]:
    """Header (see :func:`_column_name`) and ``(sheet row, {column: raw value})`` of a CSV or xlsx sheet."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(name, "file not found", "check the path or the glob of the sheets")
    if suffix == ".csv":
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except UnicodeDecodeError as err:
            raise InputError(name, "the file is not UTF-8 text",
                             "save it as 'CSV UTF-8' (or use the .xlsx sheet)") from err
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            raise InputError(name, f"not a readable CSV ({str(err).strip()})",
                             "save the sheet again as CSV UTF-8 with a header row") from err
        header = [_column_name(c) for c in df.columns]
        records = [(i + 2, dict(zip(header, vals))) for i, vals in
                   enumerate(df.itertuples(index=False, name=None))]
        return header, records
    if suffix == ".xlsx":
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError) as err:
            raise InputError(name, "not a readable .xlsx workbook",
                             "save the sheet again as an Excel workbook (.xlsx)") from err
        try:
            ws = wb[_SHEET_NAME] if _SHEET_NAME in wb.sheetnames else wb.worksheets[0]
            rows = ws.iter_rows(values_only=True)
            first = next(rows, None)
            header = [_column_name(v) for v in (first or ())]
            records = []
            for r, vals in enumerate(rows, start=2):
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in vals):
                    continue  # an empty row carries nothing
                records.append((r, dict(zip(header, vals))))
        finally:
            wb.close()
        return header, records
    raise InputError(name, f"unsupported sheet format {suffix or '(none)'}",
                     "save the sheet as .xlsx or .csv")


def _require(header: Sequence[str], needed: Sequence[str], name: str, what: str) -> None:
    require_columns(header, needed, name, f"add the column(s) to the header row; a {what} needs "
                    f"{', '.join(needed)}", row=1, show_found=True)


def _unit_id(value: object, known: dict[str, str], name: str, row: int, what: str) -> str:
    """The unit id of a cell; errors for a mangled or unknown id. ``known``: id as written ->
    unit id (:func:`tweetstorm.pseudonymize.unit_id_lookup`: unit ids and exported post ids)."""
    text = _cell_text(value)
    if text in known and not isinstance(value, float):
        return known[text]  # a text cell, or an integer cell that kept every digit
    if not text:
        raise InputError(name, "empty unit_id", "fill in the unit_id from the blank sheet or "
                         "delete the row", row=row)
    # Excel keeps 15 significant digits: 123456789012345605 -> 123456789012346000
    rounded = (text.isdigit() and len(text) > 15 and not text[15:].strip("0")
               and any(len(k) == len(text) and k.isdigit()
                       and abs(int(k) - int(text)) < 10 ** (len(text) - 15) for k in known))
    if isinstance(value, float) or _MANGLED.match(text) or rounded:
        raise InputError(name, f"unit id {text!r} was mangled by a spreadsheet", _MANGLED_FIX, row=row)
    raise InputError(name, f"unit id {text!r} is not {what}",
                     "correct the id (copy it from the blank sheet) or delete the row", row=row)


def _code(value: object, question: str, codebook: Codebook, name: str, row: int,
          column: str = "code") -> str | None:
    """Validated, normalised code (multi-code: codebook order, joined by ';'); None if empty."""
    if isinstance(value, float) and not np.isnan(value) and value.is_integer():
        value = int(value)
    text = _cell_text(value)
    if not text:
        return None
    allowed = codebook.codes(question)
    parts = [p.strip() for p in text.split(SEPARATOR)]
    parts = [p for p in parts if p]
    if len(parts) > 1 and not codebook.multi_code(question):
        raise InputError(name, f"{column} {text!r} gives several codes, but {question} takes one",
                         f"keep one code (the codebook's multi_code is false for {question})", row=row)
    for p in parts:
        if p not in allowed:
            hint = [a for a in allowed if a.lower() == p.lower()]
            raise InputError(name, f"unknown code {p!r} for {question}",
                             (f"write {hint[0]!r}" if hint else "use one of "
                              + ", ".join(allowed)) + " (see the codebook)", row=row)
    return SEPARATOR.join(c for c in allowed if c in set(parts))


def _rater_of_file(path: Path) -> str | None:
    m = _RATER_FILE.match(path.name)
    return m.group("rater") if m else None


def _expand(paths_or_glob: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    items = [paths_or_glob] if isinstance(paths_or_glob, (str, os.PathLike)) else list(paths_or_glob)
    out: list[Path] = []
    for item in items:
        s = str(item)
        if any(ch in s for ch in "*?["):
            hits = sorted(_glob.glob(str(paths.resolve(s))))
            if not hits:
                raise InputError(paths.relative(paths.resolve(s)), "no file matches the pattern",
                                 "check the glob of the coding sheets")
            out.extend(Path(h) for h in hits)
        else:
            out.append(paths.resolve(s))
    return out


def read_sheets(sheets: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                codebook: Codebook, units: pd.DataFrame) -> pd.DataFrame:
    """Read completed coding sheets into the long ratings table.

    ``sheets``: paths or glob patterns (repo-relative or absolute) of ``.xlsx``/``.csv`` sheets,
    any number of raters. The rater is the ``rater`` column if present, else ``<R>`` of the file
    name ``rater_<R>.*``. ``units``: the output of :func:`units`.

    Returns ``(unit_id, question, rater, code)`` (str; ``code`` is NA where the rater left the
    unit uncoded or the unit is missing from the rater's sheet), one row per unit and rater, in
    the order of ``units`` then rater name. Raises InputError (file, row, fix) for a missing
    column, a mangled or unknown unit id, a question that does not match the unit, an unknown
    code, or the same unit twice for one rater.
    """
    _check_questions(units, codebook)
    known = dict(zip(units["unit_id"].astype(str), units["question"].astype(str)))
    ids = unit_id_lookup(known)  # a sheet may name a unit by its unit id or its exported post id
    got: dict[tuple[str, str], tuple[str | None, str, int]] = {}  # (rater, unit) -> code, file, row
    raters: list[str] = []
    for path in _expand(sheets):
        name = paths.relative(path)
        header, records = _read_table(path, name)
        _require(header, ("unit_id", "question", "code"), name, "coding sheet")
        file_rater = _rater_of_file(path)
        if "rater" not in header and file_rater is None:
            raise InputError(name, "cannot tell whose sheet this is",
                             "name the file rater_<R>.csv / rater_<R>.xlsx or add a rater column",
                             row=1)
        if "rater" not in header and file_rater not in raters:
            raters.append(file_rater)  # registered even if the sheet is all blank
        for row, rec in records:
            rater = _cell_text(rec.get("rater")) if "rater" in header else ""
            if not rater:
                if file_rater is None:
                    raise InputError(name, "empty rater", "fill in the rater's name", row=row)
                rater = file_rater
            unit = _unit_id(rec["unit_id"], ids, name, row, "a coding unit of the posts")
            question = _cell_text(rec["question"])
            if question != known[unit]:
                raise InputError(name, f"unit {unit} answers {known[unit]}, the sheet says "
                                 f"question {question!r}",
                                 f"restore {known[unit]} in the question column (from the blank sheet)",
                                 row=row)
            code = _code(rec["code"], question, codebook, name, row)
            if (rater, unit) in got:
                _, f0, r0 = got[(rater, unit)]
                raise InputError(name, f"unit {unit} appears twice for rater {rater} (first in "
                                 f"{f0}, row {r0})", "keep one row per unit and rater", row=row)
            got[(rater, unit)] = (code, name, row)
            if rater not in raters:
                raters.append(rater)
    raters = sorted(raters)
    n = len(units)
    grid = pd.DataFrame({
        "unit_id": np.repeat(units["unit_id"].astype(str).to_numpy(), len(raters)),
        "question": np.repeat(units["question"].astype(str).to_numpy(), len(raters)),
        "rater": np.tile(np.array(raters, dtype=object), n),
    })
    codes = [got.get((r, u), (None,))[0] for u, r in zip(grid["unit_id"], grid["rater"])]
    grid["code"] = pd.array(codes, dtype="string")
    for col in ("unit_id", "question", "rater"):
        grid[col] = grid[col].astype("string")
    return grid


def uncoded(ratings: pd.DataFrame) -> pd.DataFrame:
    """The ratings a rater left empty: ``(unit_id, question, rater)`` rows with ``code`` NA."""
    return ratings.loc[ratings["code"].isna(), ["unit_id", "question", "rater"]].reset_index(drop=True)


# -------------------------------------------------------------------------------- adjudication

def _raters(ratings: pd.DataFrame) -> list[str]:
    return sorted(pd.unique(ratings["rater"].astype(str)))


def _wide(ratings: pd.DataFrame) -> pd.DataFrame:
    """unit_id, question, code_<R>... in order of first appearance of the units."""
    order = pd.unique(ratings["unit_id"].astype(str))
    wide = ratings.assign(unit_id=ratings["unit_id"].astype(str)).pivot(
        index=["unit_id", "question"], columns="rater", values="code")
    wide = wide.reindex(columns=_raters(ratings))
    wide.columns = [f"code_{r}" for r in wide.columns]
    wide = wide.reset_index()
    wide = wide.set_index("unit_id").loc[order].reset_index()
    return wide


def _tally(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per unit: n_raters, n_coded, top code, its count and whether it is the only top code."""
    n_raters = len(_raters(ratings))
    coded = ratings[ratings["code"].notna()]
    counts = coded.groupby(["unit_id", "code"], sort=True).size().rename("n").reset_index()
    counts = counts.sort_values(["unit_id", "n", "code"], ascending=[True, False, True], kind="mergesort")
    top = counts.groupby("unit_id").head(2).copy()
    top["rank"] = top.groupby("unit_id").cumcount()
    first = top[top["rank"] == 0].set_index("unit_id")
    second = top[top["rank"] == 1].set_index("unit_id")["n"]
    units_ = pd.Index(pd.unique(ratings["unit_id"]), name="unit_id")
    out = pd.DataFrame(index=units_)
    out["n_coded"] = coded.groupby("unit_id").size().reindex(units_, fill_value=0)
    out["top"] = first["code"].reindex(units_)
    out["top_n"] = first["n"].reindex(units_).fillna(0).astype(int)
    out["tie"] = second.reindex(units_).fillna(0).astype(int).eq(out["top_n"]) & out["top_n"].gt(0)
    out["unanimous"] = out["n_coded"].eq(n_raters) & out["top_n"].eq(n_raters) & (n_raters >= 2)
    # strict majority of the raters of the study (a missing rating counts against it)
    out["majority"] = ~out["unanimous"] & (2 * out["top_n"] > n_raters) & ~out["tie"]
    return out


def disagreements(ratings: pd.DataFrame) -> pd.DataFrame:
    """Units where the raters are not unanimous (a code differs or a rating is missing).

    Returns ``(unit_id, question, code_<R1>, code_<R2>, ...)`` (NA for a missing rating), in the
    order of the units in ``ratings``.
    """
    tally = _tally(ratings)
    wide = _wide(ratings)
    keep = ~tally["unanimous"].reindex(wide["unit_id"]).to_numpy()
    return wide[keep].reset_index(drop=True)


def write_adjudication_sheet(disagreements: pd.DataFrame, codebook: Codebook,
                             out_dir: str | os.PathLike[str], *, units: pd.DataFrame | None = None,
                             name: str = "adjudication",
                             formats: Sequence[str] = ("xlsx", "csv")) -> list[Path]:
    """Write ``out_dir/<name>.xlsx`` and/or ``.csv`` for the adjudicator.

    Columns: ``unit_id, question, [text,] code_<R>..., adjudicated_code, adjudicator, note``
    (``text`` when ``units`` is given). In the xlsx, ``adjudicated_code`` has a dropdown of the
    question's codes. Leave ``adjudicated_code`` empty where the majority should stand.
    """
    sheet = disagreements.copy()
    sheet["unit_id"] = sheet["unit_id"].astype(str)
    if units is not None:
        text = dict(zip(units["unit_id"].astype(str), units["text"].astype(str)))
        sheet.insert(2, "text", sheet["unit_id"].map(text))
    sheet["adjudicated_code"] = ""
    sheet["adjudicator"] = ""
    sheet["note"] = ""
    out = paths.resolve(out_dir)
    files: list[Path] = []
    if "xlsx" in formats:
        wb = Workbook()
        ws = _sheet_table(wb, sheet, ("text", "note"))
        col = get_column_letter(list(sheet.columns).index("adjudicated_code") + 1)
        _add_dropdowns(wb, ws, col, list(sheet["question"].astype(str)), codebook)
        _instructions(wb, codebook, "Adjudication sheet", [
            "Each row is a unit the raters did not code unanimously; their codes are in code_<R>.",
            "Enter the adjudicated code (dropdown) and your name in adjudicator; a note is optional.",
            "Leave adjudicated_code empty where the majority code should stand; a unit without a "
            "majority needs an adjudicated code.",
        ])
        files.append(out / f"{name}.xlsx")
        _save_xlsx(wb, files[-1])
    if "csv" in formats:
        files.append(out / f"{name}.csv")
        _write_csv(sheet, files[-1])
    return files


def read_adjudication(path: str | os.PathLike[str], ratings: pd.DataFrame,
                      codebook: Codebook) -> pd.DataFrame:
    """Read an adjudication sheet (xlsx or csv) and validate it against the ratings.

    Returns ``(unit_id, question, adjudicated_code, adjudicator, note, source_file, source_row)``,
    one row per sheet row (``adjudicated_code``, ``adjudicator``, ``note`` NA where empty).
    Raises InputError for a missing column, a mangled or unknown unit id, a unit twice, a question
    that does not match, an unknown code, an adjudicated code without adjudicator, or a
    ``code_<R>`` column that no longer matches the ratings (a sheet made from older ratings).
    """
    full = paths.resolve(path)
    name = paths.relative(full)
    header, records = _read_table(full, name)
    _require(header, ("unit_id", "question", "adjudicated_code", "adjudicator"), name,
             "adjudication sheet")
    known = dict(zip(ratings["unit_id"].astype(str), ratings["question"].astype(str)))
    ids = unit_id_lookup(known)  # a unit named by its unit id or its exported post id
    wide = _wide(ratings).set_index("unit_id")
    check = [c for c in header if c.startswith("code_") and c in wide.columns]
    seen: dict[str, int] = {}
    rows = []
    for row, rec in records:
        unit = _unit_id(rec["unit_id"], ids, name, row, "a rated unit")
        if unit in seen:
            raise InputError(name, f"unit {unit} appears twice (first in row {seen[unit]})",
                             "keep one row per unit", row=row)
        seen[unit] = row
        question = _cell_text(rec["question"])
        if question != known[unit]:
            raise InputError(name, f"unit {unit} answers {known[unit]}, the sheet says "
                             f"question {question!r}", f"write {known[unit]}", row=row)
        for col in check:
            given = _code(rec[col], question, codebook, name, row, column=col)
            have = wide.at[unit, col]
            have = None if pd.isna(have) else str(have)
            if given != have:
                raise InputError(name, f"{col} of unit {unit} reads {given!r} but the ratings say "
                                 f"{have!r}", "the sheet was made from other ratings: write a new "
                                 "one (python -m tweetstorm.coding adjudication) and carry the "
                                 "decisions over", row=row)
        code = _code(rec["adjudicated_code"], question, codebook, name, row,
                     column="adjudicated_code")
        adjudicator = _cell_text(rec["adjudicator"]) or None
        if code is not None and adjudicator is None:
            raise InputError(name, f"unit {unit} has an adjudicated code but no adjudicator",
                             "enter who decided (name or initials) in the adjudicator column", row=row)
        note = _cell_text(rec.get("note")) or None
        rows.append((unit, question, code, adjudicator, note, name, row))
    out = pd.DataFrame(rows, columns=["unit_id", "question", "adjudicated_code", "adjudicator",
                                      "note", "source_file", "source_row"])
    for col in ("unit_id", "question", "adjudicated_code", "adjudicator", "note", "source_file"):
        out[col] = out[col].astype("string")
    out["source_row"] = out["source_row"].astype("int64")
    return out


def consensus(ratings: pd.DataFrame, adjudication: pd.DataFrame | None,
              units: pd.DataFrame) -> pd.DataFrame:
    """One code per unit with its audit trail.

    ``consensus_rule``: ``unanimous`` (every rater of the study gave the same code),
    ``majority`` (one code from more than half of the raters; a missing rating counts against it),
    ``adjudicated`` (the adjudication sheet's code, which overrides a majority); ``adjudicator`` is
    NA unless adjudicated. ``units`` (from :func:`units`) gives the author and the order.

    Returns ``(unit_id, question, author, code, consensus_rule, adjudicator)``; raises InputError
    naming the unit for a unit with neither a majority nor an adjudicated code.
    """
    tally = _tally(ratings).to_dict("index")
    decided: dict[str, tuple[str, str]] = {}
    sheet = "the adjudication sheet"
    if adjudication is not None:
        if len(adjudication) and "source_file" in adjudication:
            sheet = str(adjudication["source_file"].iloc[0])
        done = adjudication[adjudication["adjudicated_code"].notna()]
        decided = dict(zip(done["unit_id"].astype(str),
                           zip(done["adjudicated_code"].astype(str), done["adjudicator"])))
    rows = []
    for unit, question, author in zip(units["unit_id"].astype(str), units["question"].astype(str),
                                      units["author"].astype(str)):
        t = tally.get(unit)
        if unit in decided:
            code, who = decided[unit]
            rows.append((unit, question, author, code, "adjudicated", who))
        elif t is not None and t["unanimous"]:
            rows.append((unit, question, author, t["top"], "unanimous", None))
        elif t is not None and t["majority"]:
            rows.append((unit, question, author, t["top"], "majority", None))
        else:
            have = "no ratings" if t is None or t["n_coded"] == 0 else "no majority code"
            raise InputError(sheet, f"unit {unit} ({question}) has {have} and no adjudicated code",
                             "enter an adjudicated_code and adjudicator for this unit in the "
                             "adjudication sheet (python -m tweetstorm.coding adjudication writes one)")
    out = pd.DataFrame(rows, columns=["unit_id", "question", "author", "code", "consensus_rule",
                                      "adjudicator"])
    return out.astype("string")


def adjudication_summary(consensus: pd.DataFrame) -> pd.DataFrame:
    """Per question and over all units: ``question, units, unanimous, majority, adjudicated,
    share_adjudicated`` (share of units, 0..1); the last row is ``question == "all"``."""
    rules = ["unanimous", "majority", "adjudicated"]
    tab = pd.crosstab(consensus["question"].astype(str), consensus["consensus_rule"].astype(str))
    tab = tab.reindex(columns=rules, fill_value=0)
    tab = tab.loc[sorted(tab.index, key=_question_key)]
    tab.loc["all"] = tab.sum()
    tab.insert(0, "units", tab[rules].sum(axis=1))
    tab["share_adjudicated"] = tab["adjudicated"] / tab["units"]
    tab.index.name = "question"
    tab.columns.name = None
    return tab.reset_index().astype({c: "int64" for c in ["units", *rules]})


# ------------------------------------------------------------------------------------------ CLI

def _load_units(posts_path: str) -> pd.DataFrame:
    full = paths.resolve(posts_path)
    name = paths.relative(full)
    if not full.is_file():
        raise InputError(name, "posts table not found", "run notebook 01-ingest (make all) first")
    return units(pd.read_parquet(full), source=name)


def main(argv: Sequence[str] | None = None) -> int:
    """``sheets``: blank sheets for the raters; ``adjudication``: the sheet of disagreements."""
    from . import codebook as codebook_mod

    parser = argparse.ArgumentParser(prog="python -m tweetstorm.coding", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for cmd, help_ in (("sheets", "write one blank coding sheet per rater"),
                       ("adjudication", "write the sheet of units the raters disagree on")):
        p = sub.add_parser(cmd, help=help_)
        p.add_argument("--posts", default="data/processed/posts.parquet", help="processed posts")
        p.add_argument("--codebook", default="data/raw/codebook.yml", help="codebook YAML")
        p.add_argument("--out", required=True, help="output directory")
        p.add_argument("--formats", default="xlsx,csv", help="xlsx,csv (default both)")
    sub.choices["sheets"].add_argument("--raters", required=True, help="rater names, e.g. R1,R2,R3")
    sub.choices["sheets"].add_argument("--seed", type=int, default=DEFAULT_SEED, help="order seed")
    sub.choices["adjudication"].add_argument("--sheets", nargs="+", required=True,
                                             help="completed sheets (paths or globs)")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    try:
        cb = codebook_mod.load(args.codebook)
        unit_table = _load_units(args.posts)
        if args.command == "sheets":
            raters = [r.strip() for r in args.raters.split(",") if r.strip()]
            written = [p for ps in write_sheets(unit_table, cb, raters, args.out, seed=args.seed,
                                                formats=formats).values() for p in ps]
        else:
            ratings = read_sheets(args.sheets, cb, unit_table)
            written = write_adjudication_sheet(disagreements(ratings), cb, args.out,
                                               units=unit_table, formats=formats)
    except (InputError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for p in written:
        print(paths.relative(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
