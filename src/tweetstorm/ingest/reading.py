"""Reading one input: its records validated into sorted runs, in this process or in parallel.

Posts are collected into Arrow columns (about 0.5 KB per post), never as one Python object per
cell. A large line-based file (twarc2, flatten, v1.1) is cut into byte ranges read by a pool of
worker processes (orjson in each). The pool is a :class:`concurrent.futures.ProcessPoolExecutor`
started with ``forkserver``: workers are forked from a clean single-threaded server, never from
this (possibly threaded) process, so a worker cannot inherit a held lock and hang; a worker that
dies breaks the pool with an error instead of leaving a zombie, and every result is awaited with
:data:`WORKER_TIMEOUT`, after which the workers are stopped and the ingest fails loudly.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import gc
import multiprocessing
import operator
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from tweetstorm.errors import InputError
from tweetstorm.ingest import runs as _runs
from tweetstorm.ingest._record import ARROW_SCHEMA, READER_KEYS, VERSION_KEY, check_id, check_post
from tweetstorm.ingest.formats import FORMATS

#: Files at least this large are read in parallel byte ranges (when the format allows it).
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 32 * 1024 * 1024
#: Valid posts per run.
BATCH_ROWS = 50_000
#: Seconds to wait for one byte range before the workers are stopped and the ingest fails.
WORKER_TIMEOUT = 600.0
FIX_RECORD = "correct or remove the record, or run with --on-error skip to set it aside"


class WorkerFailure(RuntimeError):
    """A worker process of the parallel reader hung or died (not a problem of the input)."""


@dataclass
class FileResult:
    """What reading one input gave: its runs, records read, rejects ``(line, reason, raw)``."""

    name: str
    fmt: str
    exact: bool
    runs: list = field(default_factory=list)  # list[runs.Run], in input order
    read: int = 0
    rejects: list[tuple[int | None, str, str | None]] = field(default_factory=list)
    note: str = ""


_READER_FIELDS = [f for f in ARROW_SCHEMA if f.name in READER_KEYS]
_ROW = operator.itemgetter(*(f.name for f in _READER_FIELDS))


class Columns:
    """Valid posts collected as rows (tuples of the READER_KEYS values), turned into an Arrow table
    of ARROW_SCHEMA: ``itemgetter`` and ``zip(*rows)`` move the cells in C, not one by one."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.lines: list[int] = []
        self.versions: list = []

    def add(self, line: int, post: dict) -> None:
        try:
            self.rows.append(_ROW(post))
        except KeyError:  # a post dict without some optional key: that value is None
            self.rows.append(tuple(post.get(f.name) for f in _READER_FIELDS))
        self.lines.append(line)
        self.versions.append(post.get(VERSION_KEY))

    def table(self, fmt: str, name: str) -> pa.Table:
        n = len(self.lines)
        cols = dict(zip((f.name for f in _READER_FIELDS), zip(*self.rows))) if n else {}
        arrays = []
        for f in ARROW_SCHEMA:
            if f.name in ("source_format", "source_file"):
                value = fmt if f.name == "source_format" else name
                arrays.append(pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)),
                                                             pa.array([value])).cast(pa.string()))
            elif f.name == "source_line":
                arrays.append(pa.array(self.lines, pa.int64()))
            else:
                arrays.append(pa.array(cols.get(f.name, ()), f.type))
        return pa.Table.from_arrays(arrays, schema=ARROW_SCHEMA)


def relocate(err: InputError, name: str, offset: int, number: int | None) -> InputError:
    """The reader's error re-addressed to the display name and the absolute line/row."""
    line = err.line if err.line is not None else (number if err.row is None else None)
    if line is not None:
        line += offset
    row = err.row
    if row is not None:
        row += offset
    return InputError(name, err.what, err.fix, line=line, row=row, raw=err.raw)


def collect(records: Iterator[tuple[int, object]], fmt: str, name: str, on_error: str,
            spill_dir: str | None = None, batch_rows: int | None = None,
            run_batch_rows: int | None = None
            ) -> tuple[list, int, list[tuple[int | None, str, str | None]], InputError | None]:
    """Validate the records of one file (or byte range): (runs, read, rejects, first error).

    With ``on_error="fail"`` the first bad record stops the reading and is returned (line numbers
    relative to the range; the caller re-addresses them). Every ``batch_rows`` valid posts become
    one sorted run (spilled to ``spill_dir`` when given), so a long file never piles up Python
    objects. The cyclic garbage collector is paused while reading: the parsed records hold no
    reference cycles, and its passes over millions of young objects cost about 40% of the time.
    """
    batch_rows = batch_rows or BATCH_ROWS
    cols = Columns()
    runs: list = []
    read = 0
    rejects: list[tuple[int | None, str, str | None]] = []
    err: InputError | None = None
    # A reader whose converter guarantees the field types (POSTS_CHECKED) needs only the id check.
    check = check_id if getattr(FORMATS.get(fmt), "POSTS_CHECKED", False) else check_post
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for number, rec in records:
            read += 1
            if isinstance(rec, InputError):
                err = relocate(rec, name, 0, number)
            else:
                why = check(rec)
                if why is None:
                    cols.add(number, rec)
                    if len(cols.lines) >= batch_rows:
                        runs.append(_runs.make_run(cols.table(fmt, name), cols.versions, spill_dir, run_batch_rows))
                        cols = Columns()
                    continue
                err = InputError(name, why, FIX_RECORD, line=number)
            if on_error == "fail":
                break
            where = err.line if err.line is not None else err.row
            rejects.append((where, f"{err.what}. Fix: {err.fix}", err.raw))
            err = None
    finally:
        if was_enabled:
            gc.enable()
    if cols.lines:
        runs.append(_runs.make_run(cols.table(fmt, name), cols.versions, spill_dir, run_batch_rows))
    return runs, read, rejects, err


def _span_worker(args: tuple) -> tuple:
    """Pool task: read one byte range of a file; returns (runs, read, rejects, error, lines).
    The settings travel with the task: a worker process does not share this one's globals."""
    fmt, path, name, start, end, on_error, spill_dir, batch_rows, run_batch_rows = args
    mod = FORMATS[fmt]
    try:
        runs, read, rejects, err = collect(mod.read_span(Path(path), start, end), fmt, name, on_error,
                                           spill_dir, batch_rows, run_batch_rows)
    except InputError as exc:  # a fatal problem raised by the reader
        runs, read, rejects, err = [], 0, [], exc
    with open(path, "rb") as fh:  # lines in the range, to number the next range
        fh.seek(start)
        remaining = (end if end is not None else os.path.getsize(path)) - start
        lines = 0
        while remaining > 0:
            block = fh.read(min(remaining, 1 << 22))
            if not block:
                break
            lines += block.count(b"\n")
            remaining -= len(block)
    return runs, read, rejects, err, lines


def byte_ranges(path: Path, chunk: int) -> list[tuple[int, int | None]]:
    """Byte ranges of about ``chunk`` bytes, each ending just after a newline."""
    size = path.stat().st_size
    bounds = [0]
    with open(path, "rb") as fh:
        pos = chunk
        while pos < size:
            fh.seek(pos)
            fh.readline()
            nxt = fh.tell()
            if nxt >= size:
                break
            bounds.append(nxt)
            pos = nxt + chunk
    return [(s, e) for s, e in zip(bounds, bounds[1:] + [None])]


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[cf.ProcessPoolExecutor]:
    """A pool of ``workers`` reader processes (forkserver). On an error or a timeout the
    workers are stopped at once instead of being waited for."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tweetstorm.ingest.reading"])
    pool = cf.ProcessPoolExecutor(workers, mp_context=ctx)
    try:
        yield pool
    except BaseException:
        # concurrent.futures has no public way to stop running workers: terminate them.
        for proc in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def parallel_worth_it(path: Path, fmt: str) -> bool:
    """True when ``path`` is large enough and its format can be read in byte ranges."""
    return (hasattr(FORMATS[fmt], "read_span") and path.is_file()
            and path.stat().st_size >= PARALLEL_MIN_BYTES)


def read_file(path: Path, name: str, fmt: str, on_error: str, pool, bar, spill_dir: str | None) -> FileResult:
    """Read one input file into a :class:`FileResult` (byte ranges in ``pool`` when worth it)."""
    mod = FORMATS[fmt]
    res = FileResult(name, fmt, bool(mod.EXACT_IDS))
    size = path.stat().st_size if path.is_file() else 0
    if pool is not None and parallel_worth_it(path, fmt):
        ranges = byte_ranges(path, CHUNK_BYTES)
        futures = [pool.submit(_span_worker, (fmt, str(path), name, s, e, on_error, spill_dir,
                                              BATCH_ROWS, _runs.RUN_BATCH_ROWS)) for s, e in ranges]
        offset = 0
        for (s, e), fut in zip(ranges, futures):
            try:
                runs, read, rejects, err, lines = fut.result(timeout=WORKER_TIMEOUT)
            except cf.TimeoutError:
                raise WorkerFailure(f"a reader process gave no answer within {WORKER_TIMEOUT:.0f} s while reading "
                                    f"{name}; the workers were stopped (rerun with --workers 1 to read in one process)"
                                    ) from None
            except cf.process.BrokenProcessPool as exc:
                raise WorkerFailure(f"a reader process died while reading {name} ({exc}); rerun with "
                                    "--workers 1 to read in one process") from None
            if err is not None:
                raise relocate(err, name, offset, None)
            for run in runs:  # lines within the range -> lines of the file
                run.line_offset = offset
            res.runs += runs
            res.read += read
            res.rejects += [(None if ln is None else ln + offset, why, raw) for ln, why, raw in rejects]
            offset += lines
            bar.update((e if e is not None else size) - s)
    else:
        try:
            runs, read, rejects, err = collect(mod.read(path), fmt, name, on_error, spill_dir)
        except InputError as exc:  # a fatal problem of the whole file, raised by the reader
            raise relocate(exc, name, 0, None) from None
        if err is not None:
            raise err
        res.runs, res.read, res.rejects = runs, read, rejects
        bar.update(size)
    return res
