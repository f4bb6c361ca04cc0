"""Sheets out: blank coding sheets for the raters and the adjudication sheet (xlsx and csv).

The workbooks hold the ids as text cells, a dropdown of the question's codes on each code cell
and an ``instructions`` sheet with the codebook's definitions and examples. The same input gives
the same bytes (fixed document times and zip-entry dates).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from tweetstorm import paths, safeio
from tweetstorm.codebook import Codebook
from tweetstorm.coding.layout import SEPARATOR, SHEET_NAME
from tweetstorm.coding.units import check_questions

__all__ = ["DEFAULT_SEED", "FORMATS", "adjudication_files", "rater_seed", "sheet_files_out",
           "write_adjudication_sheet", "write_sheets"]

DEFAULT_SEED = 20130601
FORMATS = ("xlsx", "csv")
# Fixed workbook times and zip-entry times: the same input gives the same .xlsx bytes.
_FIXED_TIME = datetime.datetime(2013, 6, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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
    """Save ``wb`` atomically with fixed document-property times and zip dates (same input, same
    bytes for a given zlib). ``openpyxl.Workbook.save`` would stamp the modified time with 'now'."""
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    wb.properties.creator = "tweetstorm.coding"
    with safeio.atomic_path(path) as tmp:
        archive = _FixedTimeZip(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        ExcelWriter(wb, archive).save()  # closes the archive


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
    ws.title = SHEET_NAME
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


def _check_formats(formats: Sequence[str], who: str) -> None:
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"{who}: formats must be xlsx and/or csv, got {list(formats)}")


def _rater_names(raters: Sequence[str]) -> list[str]:
    names = [str(r).strip() for r in raters]
    if not names or any(not r or "/" in r or "." in r for r in names) or len(set(names)) < len(names):
        raise ValueError(f"write_sheets: raters must be distinct plain names (e.g. R1,R2,R3), got {names}")
    return names


def sheet_files_out(raters: Sequence[str], out_dir: str | os.PathLike[str],
                    formats: Sequence[str] = FORMATS) -> dict[str, list[Path]]:
    """The files :func:`write_sheets` writes: ``{rater: [out_dir/rater_<R>.xlsx, ...csv]}``."""
    _check_formats(formats, "write_sheets")
    out = paths.resolve(out_dir)
    return {r: [out / f"rater_{r}.{f}" for f in FORMATS if f in formats] for r in _rater_names(raters)}


def adjudication_files(out_dir: str | os.PathLike[str], name: str = "adjudication",
                       formats: Sequence[str] = FORMATS) -> list[Path]:
    """The files :func:`write_adjudication_sheet` writes."""
    _check_formats(formats, "write_adjudication_sheet")
    out = paths.resolve(out_dir)
    return [out / f"{name}.{f}" for f in FORMATS if f in formats]


def write_sheets(units: pd.DataFrame, codebook: Codebook, raters: Sequence[str],
                 out_dir: str | os.PathLike[str], *, seed: int = DEFAULT_SEED,
                 formats: Sequence[str] = FORMATS) -> dict[str, list[Path]]:
    """Write one blank coding sheet per rater: ``out_dir/rater_<R>.xlsx`` and/or ``.csv``.

    ``units``: the output of :func:`~tweetstorm.coding.units` (at least ``unit_id, question,
    text``). Each sheet has the columns :data:`~tweetstorm.coding.SHEET_COLUMNS` with an empty
    ``code``; rows in a per-rater random order
    (``numpy.random.default_rng(rater_seed(seed, rater))``). The xlsx holds the ids as text cells,
    a dropdown of the question's codes on each code cell and an ``instructions`` sheet with the
    codebook's definitions and examples. Every file is written atomically. Returns
    ``{rater: [paths written]}``.
    """
    targets = sheet_files_out(raters, out_dir, formats)
    check_questions(units, codebook)
    written: dict[str, list[Path]] = {}
    for rater, files in targets.items():
        order = np.random.default_rng(rater_seed(seed, rater)).permutation(len(units))
        sheet = pd.DataFrame({
            "unit_id": units["unit_id"].astype(str).to_numpy()[order],
            "question": units["question"].astype(str).to_numpy()[order],
            "text": units["text"].astype(str).to_numpy()[order],
            "code": "",
            "rater": rater,
        })
        for path in files:
            if path.suffix == ".xlsx":
                wb = Workbook()
                ws = _sheet_table(wb, sheet, ("text",))
                _add_dropdowns(wb, ws, "D", list(sheet["question"]), codebook)
                _instructions(wb, codebook, f"Coding sheet of rater {rater}", [
                    f"Code every row of the '{SHEET_NAME}' sheet: choose the code from the dropdown "
                    "in column D, using the definitions and examples below.",
                    "Do not change unit_id, question, text or rater; do not sort away or delete rows.",
                    f"Questions marked 'one or more' take several codes separated by '{SEPARATOR}'.",
                    "Leave a code empty if you cannot decide: it is reported as uncoded, never guessed.",
                    "Code on your own: this sheet holds no other rater's codes.",
                ])
                _save_xlsx(wb, path)
            else:
                safeio.write_csv(sheet, path)
        written[rater] = files
    return written


def write_adjudication_sheet(disagreements: pd.DataFrame, codebook: Codebook,
                             out_dir: str | os.PathLike[str], *, units: pd.DataFrame | None = None,
                             name: str = "adjudication",
                             formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write ``out_dir/<name>.xlsx`` and/or ``.csv`` for the adjudicator (atomically).

    Columns: ``unit_id, question, [text,] code_<R>..., adjudicated_code, adjudicator, note``
    (``text`` when ``units`` is given). In the xlsx, ``adjudicated_code`` has a dropdown of the
    question's codes. Leave ``adjudicated_code`` empty where the majority should stand.
    """
    files = adjudication_files(out_dir, name, formats)
    sheet = disagreements.copy()
    sheet["unit_id"] = sheet["unit_id"].astype(str)
    if units is not None:
        text = dict(zip(units["unit_id"].astype(str), units["text"].astype(str)))
        sheet.insert(2, "text", sheet["unit_id"].map(text))
    sheet["adjudicated_code"] = ""
    sheet["adjudicator"] = ""
    sheet["note"] = ""
    for path in files:
        if path.suffix == ".xlsx":
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
            _save_xlsx(wb, path)
        else:
            safeio.write_csv(sheet, path)
    return files
