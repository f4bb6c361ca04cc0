"""Sheets in: the completed coding sheets and the adjudication sheet, read and validated.

Every problem is an :class:`~tweetstorm.errors.InputError` naming the file (and the sheet of a
workbook with several), the row as a spreadsheet shows it (the header is row 1), the column and
the fix. Cells follow :mod:`tweetstorm.cells` (ids a spreadsheet mangled, workbooks with several
sheets, formula cells without a saved value, damaged workbooks) and :mod:`tweetstorm.missing`
(``NA``, ``N/A``, ``NaN``, ``null`` and empty cells are missing: an uncoded unit, never a code).
A unit a rater left uncoded stays in the ratings with ``code`` = NA; it is never guessed.
"""

from __future__ import annotations

import glob as _glob
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from tweetstorm import paths
from tweetstorm.cells import cell_text, mangled_id, near_match, read_table
from tweetstorm.codebook import Codebook
from tweetstorm.coding.consensus import wide
from tweetstorm.coding.layout import RATER_FILE, SEPARATOR, SHEET_COLUMNS, STANDARD_COLUMNS
from tweetstorm.coding.units import check_questions
from tweetstorm.errors import InputError, require_columns
from tweetstorm.missing import is_missing
from tweetstorm.prose import plural
from tweetstorm.pseudonymize import unit_id_lookup

__all__ = ["MIN_RATERS", "check_code", "rater_of_file", "ratings_sentence", "read_adjudication",
           "read_sheets", "sheet_files", "uncoded"]

MIN_RATERS = 2  # agreement and consensus need at least two raters
_MANGLED_FIX = ("copy the unit_id column back from the blank sheet; a spreadsheet turned the id into a "
                "number (format the column as Text before pasting, or code in the .xlsx sheet)")
_SHEET_FIX = ("keep the table in the sheet 'coding' with its header row (" + ", ".join(SHEET_COLUMNS)
              + ") as in the blank sheet")


def _column_name(value: object) -> str:
    """Header cell -> column key: standard columns case-insensitively (``Unit_ID`` -> ``unit_id``),
    others (``code_R1``) as written, since rater names are case-sensitive."""
    text = cell_text(value)
    return text.lower() if text.lower() in STANDARD_COLUMNS else text


def _text(value: object) -> str:
    """A cell as text, ``""`` when missing (NA, N/A, NaN, null, empty)."""
    return "" if is_missing(value) else cell_text(value)


def _require(header: list[str], needed: tuple[str, ...], name: str, what: str) -> None:
    require_columns(header, needed, name, f"add the column(s) to the header row; a {what} needs "
                    f"{', '.join(needed)}", row=1, show_found=True)


def _unit_id(value: object, known: dict[str, str], where: str, row: int, what: str) -> str:
    """The unit id of a cell; errors for an empty, mangled or unknown id. ``known``: id as
    written -> unit id (:func:`tweetstorm.pseudonymize.unit_id_lookup`: unit ids and exported
    post ids)."""
    text = _text(value)
    if text in known and not isinstance(value, float):
        return known[text]  # a text cell, or an integer cell that kept every digit
    if not text:
        raise InputError(where, "empty unit_id (column unit_id)", "fill in the unit_id from the blank sheet or "
                         "delete the row", row=row)
    if mangled_id(value, known):
        raise InputError(where, f"unit id {text!r} was mangled by a spreadsheet (column unit_id)",
                         _MANGLED_FIX, row=row)
    raise InputError(where, f"unit id {text!r} is not {what} (column unit_id)",
                     "correct the id (copy it from the blank sheet) or delete the row", row=row)


def check_code(value: object, question: str, codebook: Codebook, where: str, row: int,
               column: str = "code") -> str | None:
    """The validated, normalised code of a cell (multi-code: codebook order, no duplicates,
    joined by ``;``); None for a missing cell (NA, N/A, NaN, null, empty).

    Raises InputError naming ``where``, ``row`` and ``column`` for an unknown code, several codes
    for a single-code question, and a code that differs from a codebook code only by letter case
    or surrounding space (the fix names the intended code).
    """
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = value if isinstance(value, str) else cell_text(value)
    text = raw.strip()
    allowed = codebook.codes(question)
    parts = [p.strip() for p in text.split(SEPARATOR)]
    parts = [p for p in parts if p]
    if len(parts) > 1 and not codebook.multi_code(question):
        raise InputError(where, f"{column} {text!r} gives several codes, but {question} takes one",
                         f"keep one code (the codebook's multi_code is false for {question})", row=row)
    for p in parts:
        if p in allowed:
            continue
        intended = near_match(p, allowed)
        if intended is not None:
            shown = raw if len(parts) == 1 else p  # the cell as written, spaces included
            raise InputError(where, f"code {shown!r} in column {column} differs from the codebook's "
                             f"{intended!r} of {question} only in letter case or surrounding space",
                             f"write {intended!r} (codes are case-sensitive; see the codebook)",
                             row=row)
        raise InputError(where, f"unknown code {p!r} for {question} in column {column}",
                         "use one of " + ", ".join(allowed) + " (see the codebook)", row=row)
    normal = SEPARATOR.join(c for c in allowed if c in set(parts))
    if raw != text:
        raise InputError(where, f"code {raw!r} in column {column} has space around it",
                         f"write {normal!r} without the surrounding space", row=row)
    return normal


def rater_of_file(path: str | os.PathLike[str]) -> str | None:
    """``R1`` for ``rater_R1.csv`` or ``rater_R1.xlsx``; None for any other file name."""
    m = RATER_FILE.match(Path(path).name)
    return m.group("rater") if m else None


def _spec_name(sheets) -> str:
    items = [sheets] if isinstance(sheets, (str, os.PathLike)) else list(sheets)
    return ", ".join(paths.relative(paths.resolve(str(s))) for s in items) or "(no sheets)"


def sheet_files(sheets: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The coding sheets named by ``sheets``: a folder (every ``rater_<R>.csv`` and
    ``rater_<R>.xlsx`` in it), glob patterns or paths (repo-relative or absolute), or a list of
    them. Returns absolute paths, sorted within a folder or glob, each file once.

    Raises InputError for a folder or glob without sheets and for two files of one rater
    (``rater_R1.csv`` and ``rater_R1.xlsx``; rater names compared ignoring letter case), naming
    both files.
    """
    items = [sheets] if isinstance(sheets, (str, os.PathLike)) else list(sheets)
    out: list[Path] = []
    for item in items:
        s = str(item)
        full = paths.resolve(s)
        if any(ch in s for ch in "*?["):
            hits = sorted(Path(h) for h in _glob.glob(str(full)))
            if not hits:
                raise InputError(paths.relative(full), "no file matches the pattern",
                                 "check the glob of the coding sheets")
            out.extend(hits)
        elif full.is_dir():
            hits = sorted(p for p in full.iterdir() if p.is_file() and RATER_FILE.match(p.name))
            if not hits:
                raise InputError(paths.relative(full), "the folder holds no coding sheet "
                                 "(rater_<R>.csv or rater_<R>.xlsx)",
                                 "put the completed sheets there, one per rater, named rater_<R>.csv "
                                 "or rater_<R>.xlsx")
            out.extend(hits)
        else:
            out.append(full)
    unique: list[Path] = []
    for p in out:
        if p not in unique:
            unique.append(p)
    by_rater: dict[str, Path] = {}
    for p in unique:
        rater = rater_of_file(p)
        if rater is None:
            continue
        first = by_rater.setdefault(rater.casefold(), p)
        if first != p:
            raise InputError(paths.relative(p), f"rater {rater} has two coding sheets: "
                             f"{paths.relative(first)} and {paths.relative(p)}",
                             "keep one sheet per rater (move the other out of the folder, or merge "
                             "the two into one)")
    return unique


def read_sheets(sheets: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                codebook: Codebook, units: pd.DataFrame, *, sheet: str | None = None,
                min_raters: int = MIN_RATERS) -> pd.DataFrame:
    """Read completed coding sheets into the long ratings table.

    ``sheets``: a folder, paths or glob patterns of ``.xlsx``/``.csv`` sheets (see
    :func:`sheet_files`), any number of raters. The rater is the ``rater`` column if present,
    else ``<R>`` of the file name ``rater_<R>.*``. A workbook is read from every sheet that has
    the columns ``unit_id, question, code`` (or from ``sheet``). ``units``: the output of
    :func:`~tweetstorm.coding.units`.

    Returns ``(unit_id, question, rater, code)`` (str; ``code`` is NA where the rater left the
    unit uncoded or the unit is missing from the rater's sheet), one row per unit and rater, in
    the order of ``units`` then rater name. Raises InputError (file, row, column, fix) for a
    missing column, a mangled or unknown unit id, a question that does not match the unit, an
    unknown code or one that differs from a codebook code only by letter case or space, the same
    unit twice for one rater, two sheets of one rater, fewer than ``min_raters`` raters, and (with
    two or more) a question none of whose units was coded by two raters.
    """
    check_questions(units, codebook)
    files = sheet_files(sheets)
    known = dict(zip(units["unit_id"].astype(str), units["question"].astype(str)))
    ids = unit_id_lookup(known)  # a sheet may name a unit by its unit id or its exported post id
    got: dict[tuple[str, str], tuple[str | None, str, int]] = {}  # (rater, unit) -> code, file, row
    raters: list[str] = []
    needed = ("unit_id", "question", "code")
    for path in files:
        name = paths.relative(path)
        table = read_table(path, name, needed, sheet=sheet, column_key=_column_name,
                           sheet_fix=_SHEET_FIX)
        _require(table.header, needed, name, "coding sheet")
        file_rater = rater_of_file(path)
        has_rater = "rater" in table.header
        if not has_rater and file_rater is None:
            raise InputError(name, "cannot tell whose sheet this is",
                             "name the file rater_<R>.csv / rater_<R>.xlsx or add a rater column",
                             row=1)
        if not has_rater and file_rater not in raters:
            raters.append(file_rater)  # registered even if the sheet is all blank
        for rec in table.records:
            where, row, cells = rec.where(name), rec.row, rec.cells
            rater = _text(cells.get("rater")) if has_rater else ""
            if not rater:
                if file_rater is None:
                    raise InputError(where, "empty rater in column rater", "fill in the rater's name",
                                     row=row)
                rater = file_rater
            unit = _unit_id(cells["unit_id"], ids, where, row, "a coding unit of the posts")
            question = _text(cells["question"])
            if question != known[unit]:
                raise InputError(where, f"unit {unit} answers {known[unit]}, the sheet says "
                                 f"question {question!r} (column question)",
                                 f"restore {known[unit]} in the question column (from the blank sheet)",
                                 row=row)
            code = check_code(cells["code"], question, codebook, where, row)
            if (rater, unit) in got:
                _, f0, r0 = got[(rater, unit)]
                raise InputError(where, f"unit {unit} appears twice for rater {rater} (first in "
                                 f"{f0}, row {r0})", "keep one row per unit and rater", row=row)
            got[(rater, unit)] = (code, where, row)
            if rater not in raters:
                raters.append(rater)
    raters = sorted(raters)
    if len(raters) < min_raters:
        raise InputError(_spec_name(sheets), f"coding sheets of {len(raters)} rater(s) "
                         f"({', '.join(raters) or 'none'})",
                         f"agreement and consensus need at least {min_raters} raters: add the other "
                         "raters' sheets (rater_<R>.csv or rater_<R>.xlsx)")
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
    if min_raters >= 2:
        _check_overlap(grid, _spec_name(sheets))
    return grid


def _check_overlap(ratings: pd.DataFrame, name: str) -> None:
    """InputError naming the sheets when no unit of a question was coded by two raters: the
    reliability step could not compute any agreement for it (and would blame the ratings table)."""
    coded = ratings[ratings["code"].notna()]
    per_unit = coded.groupby(["question", "unit_id"], sort=False).size()
    for question in pd.unique(ratings["question"]):
        if question in per_unit.index.get_level_values(0) and (per_unit.loc[question] >= 2).any():
            continue
        by_rater = coded[coded["question"] == question].groupby("rater").size()
        counts = ", ".join(f"{r}: {int(by_rater.get(r, 0))}" for r in sorted(pd.unique(ratings["rater"])))
        raise InputError(name, f"no unit of {question} was coded by two or more raters (codes per "
                         f"rater: {counts})", f"code the units of {question} in at least two "
                         "raters' sheets; agreement needs units coded twice")


def uncoded(ratings: pd.DataFrame) -> pd.DataFrame:
    """The ratings a rater left empty: ``(unit_id, question, rater)`` rows with ``code`` NA."""
    return ratings.loc[ratings["code"].isna(), ["unit_id", "question", "rater"]].reset_index(drop=True)


def ratings_sentence(ratings: pd.DataFrame, n_units: int) -> str:
    """What the raters did, for a reader: how many raters (named) gave how many codes to the
    ``n_units`` units, and how many ratings they left uncoded (:func:`uncoded`; those are listed
    after the sentence)."""
    raters = sorted(ratings["rater"].unique())
    text = (f"{plural(len(raters), 'rater')} ({', '.join(raters)}) gave "
            f"{plural(int(ratings['code'].notna().sum()), 'code')} to {plural(n_units, 'unit')}. ")
    n = len(uncoded(ratings))
    if not n:
        return text + "No rater left a unit uncoded."
    return text + f"{plural(n, 'rating')} {'is' if n == 1 else 'are'} missing (uncoded), listed below."


def read_adjudication(path: str | os.PathLike[str], ratings: pd.DataFrame,
                      codebook: Codebook, *, sheet: str | None = None) -> pd.DataFrame:
    """Read an adjudication sheet (xlsx or csv) and validate it against the ratings.

    Returns ``(unit_id, question, adjudicated_code, adjudicator, note, source_file, source_row)``,
    one row per sheet row (``adjudicated_code``, ``adjudicator``, ``note`` NA where missing;
    ``source_file`` names the sheet of a workbook with several). Raises InputError for a missing
    column, a mangled or unknown unit id, a unit twice, a question that does not match, an
    unknown code or a near miss of one, an adjudicated code without adjudicator, or a
    ``code_<R>`` column that no longer matches the ratings (a sheet made from older ratings).
    """
    full = paths.resolve(path)
    name = paths.relative(full)
    needed = ("unit_id", "question", "adjudicated_code", "adjudicator")
    table = read_table(full, name, needed, sheet=sheet, column_key=_column_name,
                       sheet_fix="keep the decisions in one sheet with the header row of the "
                                 "adjudication sheet (" + ", ".join(needed) + ", ...)")
    _require(table.header, needed, name, "adjudication sheet")
    known = dict(zip(ratings["unit_id"].astype(str), ratings["question"].astype(str)))
    ids = unit_id_lookup(known)  # a unit named by its unit id or its exported post id
    by_unit = wide(ratings).set_index("unit_id")
    check = [c for c in table.header if c.startswith("code_") and c in by_unit.columns]
    seen: dict[str, str] = {}
    rows = []
    for rec in table.records:
        where, row, cells = rec.where(name), rec.row, rec.cells
        unit = _unit_id(cells["unit_id"], ids, where, row, "a rated unit")
        if unit in seen:
            raise InputError(where, f"unit {unit} appears twice (first in {seen[unit]})",
                             "keep one row per unit", row=row)
        seen[unit] = f"row {row}" if rec.sheet is None else f"sheet {rec.sheet}, row {row}"
        question = _text(cells["question"])
        if question != known[unit]:
            raise InputError(where, f"unit {unit} answers {known[unit]}, the sheet says "
                             f"question {question!r} (column question)", f"write {known[unit]}",
                             row=row)
        for col in check:
            given = check_code(cells.get(col), question, codebook, where, row, column=col)
            have = by_unit.at[unit, col]
            have = None if pd.isna(have) else str(have)
            if given != have:
                raise InputError(where, f"{col} of unit {unit} reads {given!r} but the ratings say "
                                 f"{have!r}", "the sheet was made from other ratings: write a new "
                                 "one (python -m tweetstorm.coding adjudication) and carry the "
                                 "decisions over", row=row)
        code = check_code(cells["adjudicated_code"], question, codebook, where, row,
                          column="adjudicated_code")
        adjudicator = _text(cells["adjudicator"]) or None
        if code is not None and adjudicator is None:
            raise InputError(where, f"unit {unit} has an adjudicated code but no adjudicator",
                             "enter who decided (name or initials) in the adjudicator column", row=row)
        note = _text(cells.get("note")) or None
        rows.append((unit, question, code, adjudicator, note, where, row))
    out = pd.DataFrame(rows, columns=["unit_id", "question", "adjudicated_code", "adjudicator",
                                      "note", "source_file", "source_row"])
    for col in ("unit_id", "question", "adjudicated_code", "adjudicator", "note", "source_file"):
        out[col] = out[col].astype("string")
    out["source_row"] = out["source_row"].astype("int64")
    return out
