"""Inputs are sacred: refuse an output that is an input, and write every output atomically.

- :func:`refuse_inputs_as_outputs`: before a command writes anything, every output path it was
  given (``-o``, ``--rejects``, ``--report``, ...) is compared with every input it reads. A path
  that *is* an input (the same file, through a symlink or a hard link too) or lies inside an
  input folder is refused with a :class:`~tweetstorm.errors.ParameterError`.
- :func:`atomic_path` / :func:`atomic_open`: an output is written to a temporary file beside
  its target and renamed over it only when complete, so a crash never leaves a half-written file
  that looks complete. A target that is a folder is refused.

Written by hand: the standard library has ``os.replace`` (atomic on POSIX) but no helper around
it, and no library we depend on offers one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
import os
import tempfile
from pathlib import Path
from typing import IO

from tweetstorm.errors import ParameterError


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()  # follows symlinks
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()


def refuse_inputs_as_outputs(outputs: Mapping[str, str | os.PathLike[str] | None],
                             inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Raise :class:`ParameterError` when an output would overwrite or land inside an input.

    ``outputs`` maps the name the user knows (``"-o"``, ``"--rejects"``) to the path given
    (None: not given). ``inputs`` are the files and folders the command reads.
    """
    ins = []
    for raw in inputs:
        p = Path(raw)
        ins.append((p, _resolved(p), _identity(p)))
    for flag, out in outputs.items():
        if out is None:
            continue
        o = Path(out)
        o_res, o_id = _resolved(o), _identity(o)
        for p, p_res, p_id in ins:
            same = o_res == p_res or (o_id is not None and o_id == p_id)
            inside = p_res.is_dir() and p_res in o_res.parents
            if same or inside:
                how = "is" if same else "lies inside"
                raise ParameterError(flag, f"{out} {how} the input {p}; writing it would change the input",
                                     "name an output outside the inputs (e.g. under build/)")


def check_writable_target(path: str | os.PathLike[str], flag: str = "output") -> None:
    """Raise :class:`ParameterError` when ``path`` is an existing folder (not a file name)."""
    p = Path(path)
    if p.is_dir():
        raise ParameterError(flag, f"{path} is a folder", "name a file, e.g. " + str(p / "out.csv"))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], flag: str = "output") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    For writers that take a file name (pyarrow, ``DataFrame.to_csv``, openpyxl). On an exception
    the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    check_writable_target(target, flag)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", *, flag: str = "output",
                encoding: str | None = "utf-8", newline: str | None = "") -> Iterator[IO]:
    """``open(path, mode)`` on a temporary file that replaces ``path`` only when complete."""
    binary = "b" in mode
    with atomic_path(path, flag) as tmp:
        with open(tmp, mode, **({} if binary else {"encoding": encoding, "newline": newline})) as fh:
            yield fh


CSV_FLOAT_FORMAT = "%.12g"
"""Floats in every CSV the compendium writes: 12 significant digits. Full ``repr`` precision
differs in the last digits between processors (BLAS kernels sum in different orders), which
would break the byte-for-byte rebuild on another machine; 12 digits are far beyond what any
result needs and far above that noise."""


CSV_ENCODING = "utf-8"
"""The encoding of every CSV the compendium writes (no byte-order mark)."""


def _to_csv(df, target, *, index: bool = False, header: bool = True):
    # The one place that holds the CSV settings: "\n" line ends on every platform, the float
    # format, the encoding (for a file name; an open file was opened with CSV_ENCODING).
    return df.to_csv(target, index=index, header=header, lineterminator="\n", encoding=CSV_ENCODING,
                     float_format=CSV_FLOAT_FORMAT)


def write_csv(df, path: str | os.PathLike[str], *, flag: str = "output", index: bool = False) -> Path:
    """The one CSV writer: UTF-8, ``\\n`` line ends, :data:`CSV_FLOAT_FORMAT`, written atomically."""
    target = Path(path)
    with atomic_path(target, flag) as tmp:
        _to_csv(df, tmp, index=index)
    return target


def write_csv_parts(parts: Iterable, path: str | os.PathLike[str], columns: Iterable[str], *,
                    flag: str = "output") -> Path:
    """:func:`write_csv` for a table that comes in parts (DataFrames with the same columns, e.g.
    batches of a table too large to hold whole): the header once, then each part's rows, written
    atomically. No part: the header of ``columns`` alone."""
    target = Path(path)
    with atomic_open(target, "w", flag=flag, encoding=CSV_ENCODING) as fh:
        header = True
        for part in parts:
            _to_csv(part, fh, header=header)
            header = False
        if header:
            import pandas as pd  # the rest of this module needs no pandas

            _to_csv(pd.DataFrame(columns=list(columns)), fh)
    return target


def csv_text(df, *, index: bool = False) -> str:
    """``df`` as the text :func:`write_csv` would write (for standard output)."""
    return _to_csv(df, None, index=index)
