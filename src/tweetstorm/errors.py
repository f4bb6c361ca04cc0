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


def require_columns(columns, required, file: str, fix: str, *, row: int | None = None,
                    show_found: bool = False) -> None:
    """Raise :class:`InputError` naming ``file`` when any of ``required`` is not in ``columns``.

    The one missing-column check of the package: ``columns`` is a header or ``df.columns``;
    ``show_found`` adds the columns that are there (useful for a sheet a person filled in).
    """
    present = list(columns)
    missing = [c for c in required if c not in present]
    if missing:
        what = f"missing column(s) {', '.join(missing)}"
        if show_found:
            what += f" (found: {', '.join(str(h) for h in present if h) or 'none'})"
        raise InputError(file, what, fix, row=row)
