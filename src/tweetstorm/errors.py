"""The one error type for bad input: it names the file, the row or line, what is wrong and the fix."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input data.

    ``str(err)`` reads ``FILE, line N: WHAT. Fix: FIX`` (``row`` instead of ``line`` for sheets),
    so that a researcher can go straight to the place. ``file`` is repo-relative where possible.
    """

    def __init__(self, file: str, what: str, fix: str, *, line: int | None = None,
                 row: int | None = None) -> None:
        self.file = str(file)
        self.line = line
        self.row = row
        self.what = what
        self.fix = fix
        where = self.file
        if line is not None:
            where += f", line {line}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {what}. Fix: {fix}")
