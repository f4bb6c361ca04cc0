"""The coding workflow: sheets out, completed sheets in, adjudication, consensus codes.

1. :func:`units` picks the coding units (answers) from the processed posts (``units``).
2. :func:`write_sheets` writes one blank sheet per rater (``rater_<R>.xlsx`` with a dropdown of the
   question's codes, and ``rater_<R>.csv``); units in a seeded per-rater random order
   (``sheets_out``).
3. :func:`read_sheets` reads completed sheets back (a folder of ``rater_<R>.csv``/``.xlsx``, any
   number of raters, at least two) into the long ratings table ``(unit_id, question, rater,
   code)``; every problem is an :class:`~tweetstorm.errors.InputError` naming the file, the sheet
   row (the header is row 1, as a spreadsheet shows it), the column and the fix. A unit a rater
   left uncoded (an empty cell, or ``NA``, ``N/A``, ``NaN``, ``null``) stays in the table with
   ``code`` = NA (see :func:`uncoded`); it is never guessed (``sheets_in``).
4. :func:`disagreements` and :func:`write_adjudication_sheet` send the non-unanimous units to an
   adjudicator; :func:`read_adjudication` reads the decisions back; :func:`consensus` gives one code
   per unit with its audit trail (``unanimous`` / ``majority`` / ``adjudicated`` and by whom), and
   :func:`adjudication_summary` with :func:`describe_adjudication` says how they came about
   (``consensus``).

Multi-code questions (``multi_code: true`` in the codebook) take several codes separated by ``;``;
the code is stored normalised (codebook order, no duplicates, joined by ``;``), and reliability is
then computed per category as present/absent (``tweetstorm.reliability.per_code_presence`` with
``sep=";"``); consensus and adjudication treat the set of codes as one value.

Command line (``make sheets``): ``python -m tweetstorm.coding sheets|adjudication ...``
(:mod:`tweetstorm.coding.cli`).
"""

from tweetstorm.coding.cli import main
from tweetstorm.coding.consensus import (
    RULES,
    adjudication_summary,
    adjudication_todo_sentence,
    consensus,
    describe_adjudication,
    disagreement_sentence,
    disagreements,
    multi_code_sentence,
)
from tweetstorm.coding.layout import RATER_FILE, SEPARATOR, SHEET_COLUMNS, SHEET_NAME
from tweetstorm.coding.sheets_in import (
    MIN_RATERS,
    check_code,
    rater_of_file,
    ratings_sentence,
    read_adjudication,
    read_sheets,
    sheet_files,
    uncoded,
)
from tweetstorm.coding.sheets_out import (
    DEFAULT_SEED,
    FORMATS,
    rater_seed,
    write_adjudication_sheet,
    write_sheets,
)
from tweetstorm.coding.units import question_key, unassigned_answers, units, units_sentence

__all__ = [
    "DEFAULT_SEED", "FORMATS", "MIN_RATERS", "RATER_FILE", "RULES", "SEPARATOR", "SHEET_COLUMNS",
    "SHEET_NAME", "adjudication_summary", "adjudication_todo_sentence", "check_code", "consensus",
    "describe_adjudication", "disagreement_sentence", "disagreements", "main", "multi_code_sentence",
    "question_key", "rater_of_file", "rater_seed", "ratings_sentence", "read_adjudication",
    "read_sheets", "sheet_files", "unassigned_answers", "uncoded", "units", "units_sentence",
    "write_adjudication_sheet", "write_sheets",
]
