"""The package's two error types and the one missing-column check.

- :class:`InputError`: a *file* is bad. It names the file, the row or line, what is wrong and
  the fix. The offending record, where there is one, travels in ``raw`` (for a rejects file).
- :class:`ParameterError`: a *setting* is bad (a parameter, a command-line argument, a study
  file value that is not a path). It names the setting and the fix.

Both are picklable, so they cross process boundaries (the parallel reader) as themselves.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input data in a file.

    ``str(err)`` reads ``FILE, line N: WHAT. Fix: FIX`` (``row`` instead of ``line`` for sheets),
    so that a researcher can go straight to the place. ``file`` is repo-relative where possible.
    ``raw`` is the offending record as text (or None), for the rejects file.
    """

    def __init__(self, file: str, what: str, fix: str, *, line: int | None = None,
                 row: int | None = None, raw: str | None = None) -> None:
        self.file = str(file)
        self.line = line
        self.row = row
        self.what = what
        self.fix = fix
        self.raw = raw
        where = self.file
        if line is not None:
            where += f", line {line}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {what}. Fix: {fix}")

    def __reduce__(self):
        return (_rebuild_input_error, (self.file, self.what, self.fix, self.line, self.row, self.raw))

    def moved(self, *, file: str | None = None, line: int | None = None,
              row: int | None = None) -> InputError:
        """The same error placed elsewhere (another file name, an absolute line or row)."""
        return InputError(self.file if file is None else file, self.what, self.fix,
                          line=self.line if line is None else line,
                          row=self.row if row is None else row, raw=self.raw)


def _rebuild_input_error(file, what, fix, line, row, raw) -> InputError:
    return InputError(file, what, fix, line=line, row=row, raw=raw)


class ParameterError(ValueError):
    """A bad setting: ``str(err)`` reads ``NAME: WHAT. Fix: FIX``.

    ``name`` is what the user typed or set (``--output``, ``hashtag``, ``study.yml: start``).
    """

    def __init__(self, name: str, what: str, fix: str) -> None:
        self.name = str(name)
        self.what = what
        self.fix = fix
        super().__init__(f"{self.name}: {what}. Fix: {fix}")

    def __reduce__(self):
        return (ParameterError, (self.name, self.what, self.fix))


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
