"""The coding sheet's layout, shared by the writer and the reader of sheets.

A coding sheet is ``rater_<R>.xlsx`` (sheet ``coding``, with a dropdown per code cell and an
``instructions`` sheet) or ``rater_<R>.csv``; its columns are :data:`SHEET_COLUMNS`. A
multi-code answer lists its codes separated by :data:`SEPARATOR`.
"""

from __future__ import annotations

import re

#: Columns of a coding sheet, in order (the reader needs unit_id, question and code; text and rater
#: are there for the person coding and as a check).
SHEET_COLUMNS = ("unit_id", "question", "text", "code", "rater")
SEPARATOR = ";"  # between the codes of a multi-code answer
SHEET_NAME = "coding"  # the sheet of a workbook that holds the table
#: The file name of rater R's sheet: ``rater_<R>.csv`` or ``rater_<R>.xlsx``.
RATER_FILE = re.compile(r"^rater_(?P<rater>[^.]+)\.(?:csv|xlsx)$", re.IGNORECASE)
#: Header cells read case-insensitively (``Unit_ID`` is ``unit_id``); others (``code_R1``) as
#: written, since rater names are case-sensitive.
STANDARD_COLUMNS = frozenset({"unit_id", "question", "text", "code", "rater", "adjudicated_code",
                              "adjudicator", "note"})
