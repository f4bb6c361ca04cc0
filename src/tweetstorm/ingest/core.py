"""The ingest framework: expand inputs, detect formats, read, validate, de-duplicate, sort, report.

Memory and speed: posts are collected per file into Arrow columns (about 0.5 KB per post), never
as one Python object per cell; a large line-based file (twarc2, flatten, v1.1) is cut into byte
ranges read by a pool of processes (orjson in each). Every batch of posts becomes a *run* sorted
by (created_at, post_id, input order); on large inputs (SPILL_MIN_BYTES) each run is spilled to a
temporary Arrow IPC file and only its keys (post_id, created_at, input position) come back.
De-duplication and the global sort run in Arrow on those keys; the output is a k-way merge of the
runs, written to Parquet in slices, so peak memory is the keys plus one batch per run.
"""

from __future__ import annotations

import codecs
import gc
import multiprocessing
import operator
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tweetstorm import paths
from tweetstorm.errors import InputError
from tweetstorm.ingest._record import ARROW_SCHEMA, CANONICAL_COLUMNS, LIST_COLUMNS, READER_KEYS, check_id, check_post
from tweetstorm.ingest.formats import FORMATS
from tweetstorm.ingest.formats import archive as _archive

HEAD_BYTES = 64 * 1024
#: Files at least this large are read in parallel byte ranges (when the format allows it).
PARALLEL_MIN_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 32 * 1024 * 1024
BATCH_ROWS = 50_000
#: Inputs of at least this many bytes in total spill their sorted runs to temporary files.
SPILL_MIN_BYTES = 64 * 1024 * 1024
#: Rows per record batch of a spilled run (the merge holds one batch per run).
RUN_BATCH_ROWS = 2048
FIX_RECORD = "correct or remove the record, or run with --on-error skip to set it aside"
REPORT_COLUMNS = ["source_file", "source_format", "exact_ids", "read", "kept", "duplicate", "rejected"]


@dataclass
class IngestResult:
    """``posts``: canonical table (CANONICAL_COLUMNS order, sorted by created_at then post_id);
    ``report``: one row per input file (REPORT_COLUMNS; kept + duplicate + rejected == read);
    ``rejects``: ``[(source_file, line or None, reason), ...]`` of the skipped records."""

    posts: pd.DataFrame
    report: pd.DataFrame
    rejects: list[tuple[str, int | None, str]] = field(default_factory=list)


@dataclass
class _Input:
    path: Path  # what the reader opens (may be a temporary extraction of a zip member)
    name: str  # source_file in outputs: repo-relative, or the bare name outside the repository


@dataclass
class _FileResult:
    name: str
    fmt: str
    exact: bool
    runs: list = field(default_factory=list)  # list[_Run], in input order
    read: int = 0
    rejects: list[tuple[int | None, str, str | None]] = field(default_factory=list)


def _inside_repo(path: Path) -> bool:
    try:
        path.resolve().relative_to(paths.ROOT)
        return True
    except ValueError:
        return False


def display_name(path: Path, outside_root: Path | None = None) -> str:
    """source_file of ``path``: its repo-relative POSIX path; outside the repository, its path
    relative to ``outside_root`` (the common folder of the inputs outside the repository, so that
    a/tweets.jsonl and b/tweets.jsonl stay apart), or its bare name. Never an absolute path."""
    if _inside_repo(path):
        return paths.relative(path)
    if outside_root is not None:
        try:
            return path.resolve().relative_to(outside_root).as_posix()
        except ValueError:
            pass
    return path.name


def _outside_root(inputs: list[Path]) -> Path | None:
    """Common folder of the inputs that lie outside the repository (None when there are none)."""
    outside = [p.resolve() for p in inputs if not _inside_repo(p)]
    if not outside:
        return None
    return Path(os.path.commonpath([str(p.parent) for p in outside]))


# ---------------------------------------------------------------- inputs
def expand_inputs(inputs: Iterable[str | os.PathLike[str]], stack: ExitStack) -> list[_Input]:
    """Files to read, in a stable order: a folder expands to its files (sorted, recursive, hidden
    files skipped), a ``.zip`` to its members (extracted to a temporary folder that ``stack``
    removes), a Twitter archive folder or zip stays one input."""
    resolved: list[Path] = []
    for item in inputs:
        given = Path(item)
        # Relative to the working directory when it exists there, else to the repository root.
        path = given.absolute() if given.is_absolute() or given.exists() else paths.resolve(given)
        if not path.exists():
            raise InputError(str(item), "the input does not exist",
                             "check the path (relative to the working directory or the repository root)")
        resolved.append(path)
    root = _outside_root(resolved)
    out: list[_Input] = []
    for path in resolved:
        out += _expand(path, display_name(path, root), stack)
    return out


def _expand(path: Path, name: str, stack: ExitStack) -> list[_Input]:
    if path.is_dir():
        if _archive.is_archive(path):
            return [_Input(path, name)]
        found: list[_Input] = []
        for child in sorted(path.iterdir(), key=lambda p: p.name):
            if child.name.startswith((".", "__MACOSX")):
                continue
            found += _expand(child, f"{name}/{child.name}", stack)
        return found
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        if _archive.is_archive(path):
            return [_Input(path, name)]
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tweetstorm-ingest-")))
        found = []
        with zipfile.ZipFile(path) as zf:
            for member in sorted(zf.namelist()):
                if member.endswith("/") or any(part.startswith((".", "__MACOSX")) for part in member.split("/")):
                    continue
                target = tmp / str(len(found)) / Path(member).name
                target.parent.mkdir(parents=True)
                with zf.open(member) as src, open(target, "wb") as dst:
                    while block := src.read(1 << 20):
                        dst.write(block)
                found.append(_Input(target, f"{name}/{member}"))
        return found
    return [_Input(path, name)]


def _head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    with open(path, "rb") as fh:
        return fh.read(HEAD_BYTES)


def check_text_head(inp: _Input, head: bytes) -> None:
    """Whole-file checks before sniffing: empty file, BOM, non-UTF-8 (zip/xlsx files exempt)."""
    if inp.path.is_dir():
        return
    if not head.strip():
        raise InputError(inp.name, "the file is empty", "remove it from the inputs or export it again")
    if head.startswith(b"PK\x03\x04"):
        return  # a zip container (xlsx, archive): binary
    for bom, enc in ((codecs.BOM_UTF8, "UTF-8"), (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if head.startswith(bom):
            raise InputError(inp.name, f"the file starts with a {enc} byte-order mark (BOM)",
                             "re-save it as UTF-8 without BOM (e.g. in a text editor, or "
                             "`python -c \"import sys;d=open(sys.argv[1],'rb').read();open(sys.argv[2],'wb').write(d[3:])\" IN OUT`)",
                             line=1)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        line = head[:exc.start].count(b"\n") + 1
        raise InputError(inp.name, f"the file is not UTF-8 text (byte 0x{head[exc.start]:02x})",
                         "re-save it as UTF-8 (e.g. iconv -f latin1 -t utf-8)", line=line) from None


def detect(inp: _Input, head: bytes) -> str:
    """NAME of the format of ``inp`` (the first format whose ``sniff`` accepts it)."""
    for name, mod in FORMATS.items():
        try:
            if mod.sniff(inp.path, head):
                return name
        except (OSError, ValueError, zipfile.BadZipFile):
            continue
    raise InputError(inp.name, "unknown format: no reader recognises this file",
                     f"pass --format with one of {', '.join(sorted(FORMATS))} or remove the file from the inputs",
                     line=1)


# ---------------------------------------------------------------- reading
_READER_FIELDS = [f for f in ARROW_SCHEMA if f.name in READER_KEYS]
_ROW = operator.itemgetter(*(f.name for f in _READER_FIELDS))


class _Columns:
    """Valid posts collected as rows (tuples of the READER_KEYS values), turned into an Arrow table
    of ARROW_SCHEMA: ``itemgetter`` and ``zip(*rows)`` move the cells in C, not one by one."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.lines: list[int] = []

    def add(self, line: int, post: dict) -> None:
        try:
            self.rows.append(_ROW(post))
        except KeyError:  # a post dict without some optional key: that value is None
            self.rows.append(tuple(post.get(f.name) for f in _READER_FIELDS))
        self.lines.append(line)

    def table(self, fmt: str, name: str) -> pa.Table:
        n = len(self.lines)
        cols = dict(zip((f.name for f in _READER_FIELDS), zip(*self.rows))) if n else {}
        arrays = []
        for f in ARROW_SCHEMA:
            if f.name == "source_format":
                arrays.append(pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([fmt])).cast(pa.string()))
            elif f.name == "source_file":
                arrays.append(pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([name])).cast(pa.string()))
            elif f.name == "source_line":
                arrays.append(pa.array(self.lines, pa.int64()))
            else:
                arrays.append(pa.array(cols.get(f.name, ()), f.type))
        return pa.Table.from_arrays(arrays, schema=ARROW_SCHEMA)


def _relocate(err: InputError, name: str, offset: int, number: int | None) -> InputError:
    """The reader's error re-addressed to the display name and the absolute line/row."""
    line = err.line if err.line is not None else (number if err.row is None else None)
    if line is not None:
        line += offset
    row = err.row
    if row is not None:
        row += offset
    new = InputError(name, err.what, err.fix, line=line, row=row)
    new.raw = getattr(err, "raw", None)  # type: ignore[attr-defined]
    return new


# ---------------------------------------------------------------- runs
@dataclass
class _Run:
    """Up to BATCH_ROWS valid posts of one file (or byte range), stored sorted by (created_at,
    post_id, input order): in memory (``table``) or spilled to an Arrow IPC file (``path``).

    ``keys``: the small columns the parent needs to de-duplicate and sort every post of every run
    without their text: ``post_id``, ``created_at`` and ``row`` (the post's input position within
    the run), one row per stored row, in stored order.
    """

    keys: pa.Table
    table: pa.Table | None = None
    path: str | None = None
    line_offset: int = 0  # lines of the file before the byte range the run was read from

    @property
    def n(self) -> int:
        return self.keys.num_rows


def _make_run(table: pa.Table, spill_dir: str | None) -> _Run:
    """Sort one batch of posts (stable: created_at, post_id, input order) into a run; write it to
    ``spill_dir`` as an Arrow IPC file of RUN_BATCH_ROWS-row batches when given."""
    row = pa.array(np.arange(table.num_rows, dtype=np.int64))
    order = pc.sort_indices(pa.table({"c": table["created_at"], "p": table["post_id"], "r": row}),
                            sort_keys=[("c", "ascending"), ("p", "ascending"), ("r", "ascending")])
    table = table.take(order).combine_chunks()
    keys = pa.table({"post_id": table["post_id"], "created_at": table["created_at"],
                     "row": order.cast(pa.int64())})
    if spill_dir is None:
        return _Run(keys, table=table)
    fd, path = tempfile.mkstemp(suffix=".arrow", dir=spill_dir)
    os.close(fd)
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, ARROW_SCHEMA) as writer:
        writer.write_table(table, max_chunksize=RUN_BATCH_ROWS)
    return _Run(keys, path=path)


class _RunReader:
    """Rows of one run by stored position; positions asked for only grow (a merge reads each run
    front to back), so only the last RUN_BATCH_ROWS-row batch of a spilled run is kept."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.file = None
        self.reader = None
        self.cached: tuple[int, pa.RecordBatch | None] = (-1, None)

    def _batch(self, i: int) -> pa.RecordBatch:
        if self.cached[0] != i:
            if self.reader is None:
                self.file = pa.OSFile(self.run.path, "rb")  # read, not mapped: RSS stays bounded
                self.reader = pa.ipc.open_file(self.file)
            self.cached = (i, self.reader.get_batch(i))
        return self.cached[1]

    def take(self, pos: np.ndarray) -> pa.Table:
        """Rows at the (increasing) stored positions ``pos``."""
        if self.run.table is not None:
            part = self.run.table.take(pa.array(pos))
        else:
            first, last = int(pos[0]) // RUN_BATCH_ROWS, int(pos[-1]) // RUN_BATCH_ROWS
            part = pa.Table.from_batches([self._batch(i) for i in range(first, last + 1)], ARROW_SCHEMA)
            part = part.take(pa.array(pos - first * RUN_BATCH_ROWS))
        if self.run.line_offset:
            i = ARROW_SCHEMA.get_field_index("source_line")
            part = part.set_column(i, ARROW_SCHEMA.field(i), pc.add(part["source_line"], self.run.line_offset))
        return part

    def column(self, name: str) -> pa.ChunkedArray:
        """One column of the whole run, in stored order."""
        if self.run.table is not None:
            return self.run.table[name]
        with pa.OSFile(self.run.path, "rb") as fh:
            reader = pa.ipc.open_file(fh)
            return pa.chunked_array([reader.get_batch(i).column(name) for i in range(reader.num_record_batches)],
                                    ARROW_SCHEMA.field(name).type)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        self.file = self.reader = None
        self.cached = (-1, None)


class Posts:
    """The kept posts of an ingest, in output order, as runs to merge (see :func:`ingest_table`).

    ``len(posts)`` is the number of kept posts; :meth:`slices` yields them as Arrow tables of
    ARROW_SCHEMA (at most ``rows`` rows each) in the canonical order (created_at, post_id, input
    order); :meth:`table` returns them as one table. Spilled runs live in a temporary folder that
    is removed with this object (or by :meth:`close`).
    """

    def __init__(self, runs: list[_Run], run_of: np.ndarray, pos_of: np.ndarray,
                 tmp: tempfile.TemporaryDirectory | None = None) -> None:
        self.runs, self.run_of, self.pos_of, self._tmp = runs, run_of, pos_of, tmp

    def __len__(self) -> int:
        return len(self.run_of)

    def slices(self, rows: int = 65536) -> Iterator[pa.Table]:
        """The kept posts in order, ``rows`` at a time (a k-way merge of the sorted runs)."""
        readers = [_RunReader(r) for r in self.runs]
        try:
            for i in range(0, len(self), rows):
                run_of, pos_of = self.run_of[i:i + rows], self.pos_of[i:i + rows]
                group = np.argsort(run_of, kind="stable")  # rows of each run, in output order
                runs_sorted = run_of[group]
                cuts = np.flatnonzero(np.diff(runs_sorted)) + 1
                pieces = [readers[int(runs_sorted[a])].take(pos_of[group[a:b]])
                          for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(group)])]
                back = np.empty_like(group)
                back[group] = np.arange(len(group))
                yield pa.concat_tables(pieces).take(pa.array(back))
        finally:
            for r in readers:
                r.close()

    def table(self) -> pa.Table:
        """All kept posts as one Arrow table (ARROW_SCHEMA)."""
        return pa.concat_tables([ARROW_SCHEMA.empty_table(), *self.slices()]).combine_chunks()

    def close(self) -> None:
        """Remove the spilled runs."""
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def _collect(records: Iterator[tuple[int, object]], fmt: str, name: str, on_error: str,
             spill_dir: str | None = None
             ) -> tuple[list[_Run], int, list[tuple[int | None, str, str | None]], InputError | None]:
    """Validate the records of one file (or byte range): (runs, read, rejects, first error).

    With ``on_error="fail"`` the first bad record stops the reading and is returned (line numbers
    relative to the range; the caller re-addresses them). Every BATCH_ROWS valid posts become one
    sorted run (spilled to ``spill_dir`` when given), so a long file never piles up Python objects.
    The cyclic garbage collector is paused while reading: the parsed records hold no reference
    cycles, and its passes over millions of young objects cost about 40% of the reading time.
    """
    cols = _Columns()
    runs: list[_Run] = []
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
                err = _relocate(rec, name, 0, number)
            else:
                why = check(rec)
                if why is None:
                    cols.add(number, rec)
                    if len(cols.lines) >= BATCH_ROWS:
                        runs.append(_make_run(cols.table(fmt, name), spill_dir))
                        cols = _Columns()
                    continue
                err = InputError(name, why, FIX_RECORD, line=number)
            if on_error == "fail":
                break
            where = err.line if err.line is not None else err.row
            rejects.append((where, f"{err.what}. Fix: {err.fix}", getattr(err, "raw", None)))
            err = None
    finally:
        if was_enabled:
            gc.enable()
    if cols.lines:
        runs.append(_make_run(cols.table(fmt, name), spill_dir))
    return runs, read, rejects, err


def _span_worker(args: tuple[str, str, str, int, int | None, str, str | None]):
    """Pool task: read one byte range of a file; returns (runs, read, rejects, error, lines)."""
    fmt, path, name, start, end, on_error, spill_dir = args
    mod = FORMATS[fmt]
    try:
        runs, read, rejects, err = _collect(mod.read_span(Path(path), start, end), fmt, name, on_error,
                                            spill_dir)
    except InputError as exc:  # a fatal problem raised by the reader
        runs, read, rejects, err = [], 0, [], exc
    # InputError does not survive pickling (keyword-only arguments): send its parts.
    err = None if err is None else (err.file, err.what, err.fix, err.line, err.row, getattr(err, "raw", None))
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


def _ranges(path: Path, chunk: int) -> list[tuple[int, int | None]]:
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


def _read_file(inp: _Input, fmt: str, on_error: str, pool, bar, spill_dir: str | None) -> _FileResult:
    mod = FORMATS[fmt]
    res = _FileResult(inp.name, fmt, bool(mod.EXACT_IDS))
    size = inp.path.stat().st_size if inp.path.is_file() else 0
    if pool is not None and hasattr(mod, "read_span") and size >= PARALLEL_MIN_BYTES:
        tasks = [(fmt, str(inp.path), inp.name, s, e, on_error, spill_dir)
                 for s, e in _ranges(inp.path, CHUNK_BYTES)]
        offset = 0
        for (s, e), (runs, read, rejects, err, lines) in zip(
                [(t[3], t[4]) for t in tasks], pool.imap(_span_worker, tasks)):
            if err is not None:
                file, what, fix, line, row, raw = err
                back = InputError(file, what, fix, line=line, row=row)
                back.raw = raw  # type: ignore[attr-defined]
                raise _relocate(back, inp.name, offset, None)
            for run in runs:  # lines within the range -> lines of the file
                run.line_offset = offset
            res.runs += runs
            res.read += read
            res.rejects += [(None if ln is None else ln + offset, why, raw) for ln, why, raw in rejects]
            offset += lines
            bar.update((e if e is not None else size) - s)
    else:
        try:
            runs, read, rejects, err = _collect(mod.read(inp.path), fmt, inp.name, on_error, spill_dir)
        except InputError as exc:  # a fatal problem of the whole file, raised by the reader
            raise _relocate(exc, inp.name, 0, None) from None
        if err is not None:
            raise err
        res.runs, res.read, res.rejects = runs, read, rejects
        bar.update(size)
    return res


# ---------------------------------------------------------------- normalising
def _normalise(results: list[_FileResult], tmp: tempfile.TemporaryDirectory | None = None
               ) -> tuple[Posts, np.ndarray]:
    """De-duplicate and sort on the runs' keys: (kept posts in order, duplicates per file).

    Exact-id posts are de-duplicated on ``post_id`` (first seen wins, inputs in order). Posts
    of formats without exact ids are de-duplicated on (author_handle, created_at, text) against
    all posts, an exact-id copy winning over them. Only the keys (post_id, created_at, input
    position) of every post are held here; the text is read back only when some input has no
    exact ids.
    """
    runs: list[_Run] = []
    files, exact, seqs = [], [], []
    base = 0  # input position of the run's first row: files, ranges and batches are in input order
    for i, r in enumerate(results):
        for run in r.runs:
            runs.append(run)
            files.append(np.full(run.n, i, np.int32))
            exact.append(np.full(run.n, r.exact))
            seqs.append(run.keys["row"].to_numpy() + base)
            base += run.n
    n = base
    if not n:
        return Posts([], np.zeros(0, np.int32), np.zeros(0, np.int64), tmp), np.zeros(len(results), np.int64)
    file_idx = np.concatenate(files)
    is_exact = np.concatenate(exact)
    seq = np.concatenate(seqs)  # input position of each key row (key rows are in stored order)
    run_idx = np.repeat(np.arange(len(runs), dtype=np.int32), [run.n for run in runs])
    pos = np.concatenate([np.arange(run.n, dtype=np.int64) for run in runs])
    key_of_seq = np.empty(n, np.int64)
    key_of_seq[seq] = np.arange(n)
    post_id = pa.chunked_array([run.keys["post_id"] for run in runs], pa.string())
    created = pa.chunked_array([run.keys["created_at"] for run in runs], ARROW_SCHEMA.field("created_at").type)
    keep = np.ones(n, bool)
    if is_exact.any():
        ids = pa.table({"post_id": post_id, "seq": seq}).filter(pa.array(is_exact))
        first = ids.group_by("post_id", use_threads=False).aggregate([("seq", "min")])["seq_min"]
        keep[is_exact] = False
        keep[key_of_seq[first.to_numpy()]] = True
    if not is_exact.all():
        # Rank: exact rows first (their input position), content-only rows after them.
        rank = np.where(is_exact, seq, seq + n)
        alive = np.flatnonzero(keep)
        readers = [_RunReader(run) for run in runs]
        author = pa.chunked_array([rd.column("author_handle") for rd in readers], pa.string())
        text = pa.chunked_array([rd.column("text") for rd in readers], pa.string())
        keys = pa.table({"a": author.take(alive), "c": created.take(alive), "t": text.take(alive),
                         "rank": rank[alive]})
        del author, text
        best = keys.group_by(["a", "c", "t"], use_threads=False).aggregate([("rank", "min")])["rank_min"].to_numpy()
        best_seq = np.where(best >= n, best - n, best)
        winner = np.zeros(n, bool)
        winner[key_of_seq[best_seq]] = True
        keep &= is_exact | winner
    dupes = np.bincount(file_idx[~keep], minlength=len(results)).astype(np.int64)
    order = pc.sort_indices(pa.table({"c": created, "p": post_id, "s": seq}),
                            sort_keys=[("c", "ascending"), ("p", "ascending"), ("s", "ascending")]).to_numpy()
    order = order[keep[order]]
    return Posts(runs, run_idx[order], pos[order], tmp), dupes


def _report(results: list[_FileResult], dupes: np.ndarray) -> pd.DataFrame:
    rows = []
    for r, d in zip(results, dupes):
        rejected = len(r.rejects)
        kept = r.read - rejected - int(d)
        rows.append([r.name, r.fmt, r.exact, r.read, kept, int(d), rejected])
    df = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    return df.astype({"read": "int64", "kept": "int64", "duplicate": "int64", "rejected": "int64",
                      "exact_ids": "bool"})


def ingest_table(inputs, *, format: str | None = None, on_error: str = "fail",
                 progress: bool = False, workers: int | None = None
                 ) -> tuple[Posts, Posts, pd.DataFrame, list[tuple[str, int | None, str, str | None]]]:
    """The Arrow core of :func:`read_posts`: (kept posts, kept posts, report, rejects with raw).

    The kept posts come back as a :class:`Posts` (``len()``; ``slices()`` / ``table()`` in the
    canonical order), twice: as the table and the order that :func:`write_table` takes. When the
    inputs total at least SPILL_MIN_BYTES, every sorted run is spilled to a temporary Arrow IPC
    file as soon as it is read, so memory stays bounded by the keys (about 60 bytes per post).
    ``workers``: processes for large line-based files (default: all CPUs); 1 reads everything in
    this process.
    """
    from tqdm import tqdm

    if on_error not in ("fail", "skip"):
        raise ValueError(f"on_error must be 'fail' or 'skip', not {on_error!r}")
    if format is not None and format not in FORMATS:
        raise InputError("--format", f"unknown format {format!r}", f"use one of {', '.join(sorted(FORMATS))}")
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    workers = workers or os.cpu_count() or 1
    results: list[_FileResult] = []
    rejects: list[tuple[str, int | None, str, str | None]] = []
    tmp = None
    try:
        with ExitStack() as stack:
            files = expand_inputs(inputs, stack)
            if not files:
                raise InputError(", ".join(map(str, inputs)), "no input files found", "name at least one export file, folder or zip")
            total = sum(f.path.stat().st_size for f in files if f.path.is_file())
            if total >= SPILL_MIN_BYTES:
                tmp = tempfile.TemporaryDirectory(prefix="tweetstorm-runs-")
            spill_dir = tmp.name if tmp is not None else None
            bar = stack.enter_context(tqdm(total=total, unit="B", unit_scale=True, disable=not progress,
                                           desc="ingest", leave=False))
            pool = None
            big = any(f.path.is_file() and f.path.stat().st_size >= PARALLEL_MIN_BYTES for f in files)
            if workers > 1 and big:
                pool = stack.enter_context(multiprocessing.get_context("fork").Pool(workers))
            for inp in files:
                fmt = format or "unknown"
                try:
                    head = _head(inp.path)
                    check_text_head(inp, head)
                    fmt = format or detect(inp, head)
                    res = _read_file(inp, fmt, on_error, pool, bar, spill_dir)
                except InputError as err:
                    if on_error == "fail":
                        raise
                    # A fatal problem of the whole file: the file counts as one rejected record.
                    exact = bool(FORMATS[fmt].EXACT_IDS) if fmt in FORMATS else False
                    res = _FileResult(inp.name, fmt, exact, [], 1,
                                      [(err.line, f"{err.what}. Fix: {err.fix}", getattr(err, "raw", None))])
                results.append(res)
                rejects += [(res.name, ln, why, raw) for ln, why, raw in res.rejects]
        posts, dupes = _normalise(results, tmp)  # after the pool has ended: its memory is free
        pa.default_memory_pool().release_unused()  # the group-by and sort buffers
    except BaseException:
        if tmp is not None:
            tmp.cleanup()
        raise
    return posts, posts, _report(results, dupes), rejects


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow canonical table -> pandas DataFrame (created_at datetime64[ns, UTC], lists as lists)."""
    df = table.select(CANONICAL_COLUMNS).to_pandas()
    for col in LIST_COLUMNS:
        df[col] = pd.Series(table[col].to_pylist(), index=df.index, dtype=object)
    df["created_at"] = df["created_at"].astype("datetime64[ns, UTC]")
    df["is_retweet"] = df["is_retweet"].astype(bool)
    df["source_line"] = df["source_line"].astype("int64")
    return df


def read_posts(inputs, *, format: str | None = None, on_error: str = "fail",
               rejects: str | os.PathLike[str] | None = None, progress: bool = False,
               workers: int | None = None) -> IngestResult:
    """Read exports into the canonical post table.

    ``inputs``: a path or a list of paths (files, folders, zips; relative to the repository root).
    ``format``: force one format NAME for every file (default: auto-detect per file).
    ``on_error``: ``"fail"`` raises :class:`InputError` at the first bad record or file; ``"skip"``
    sets bad records aside (``result.rejects``; also written to ``rejects`` as JSON lines
    ``{file, line, reason, raw}`` when given) and goes on.
    """
    posts, _, report, rej = ingest_table(inputs, format=format, on_error=on_error,
                                         progress=progress, workers=workers)
    if rejects is not None:
        write_rejects(rej, rejects)
    try:
        frame = table_to_frame(posts.table())
    finally:
        posts.close()
    return IngestResult(frame, report, [(f, ln, why) for f, ln, why, _ in rej])


# ---------------------------------------------------------------- writing
def write_rejects(rejects, path: str | os.PathLike[str]) -> None:
    """Rejected records as JSON lines ``{"file", "line", "reason", "raw"}`` (raw may be null)."""
    target = paths.resolve(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as fh:
        for f, ln, why, raw in rejects:
            fh.write(orjson.dumps({"file": f, "line": ln, "reason": why, "raw": raw}) + b"\n")


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df[CANONICAL_COLUMNS].copy()
    for col in LIST_COLUMNS:
        out[col] = [orjson.dumps(list(v) if v is not None else []).decode() for v in out[col]]
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return out


def write_posts(df: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a canonical post DataFrame to ``.parquet`` (pyarrow, ARROW_SCHEMA) or ``.csv``
    (UTF-8; lists as JSON arrays; created_at ISO 8601 UTC with ``Z``)."""
    target = paths.resolve(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = target.suffix.lower()
    if suffix == ".parquet":
        frame = df[CANONICAL_COLUMNS].copy()
        for col in LIST_COLUMNS:
            frame[col] = [list(v) if v is not None else [] for v in frame[col]]
        table = pa.Table.from_pandas(frame, schema=ARROW_SCHEMA, preserve_index=False)
        pq.write_table(table, target)
    elif suffix == ".csv":
        _csv_frame(df).to_csv(target, index=False, lineterminator="\n")
    else:
        raise InputError(str(path), "unknown output type", "name the output .parquet or .csv")


def write_table(table: pa.Table | Posts, order: pa.Array | Posts | None, path: str | os.PathLike[str],
                slice_rows: int = 65536) -> None:
    """Write kept posts to .parquet (row-group slices, so the sorted table is never held whole) or
    .csv: a :class:`Posts` from :func:`ingest_table` (merged from its runs; ``order`` is ignored),
    or the rows of an Arrow ``table`` in ``order``."""
    target = paths.resolve(path)
    suffix = target.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(str(path), "unknown output type", "name the output .parquet or .csv")
    if isinstance(table, Posts):
        slices = table.slices(slice_rows)
    else:
        slices = (table.take(order[i:i + slice_rows]) for i in range(0, len(order), slice_rows))
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        with pq.ParquetWriter(target, ARROW_SCHEMA) as writer:
            wrote = False
            for part in slices:
                writer.write_table(part.select(CANONICAL_COLUMNS))
                wrote = True
            if not wrote:
                writer.write_table(ARROW_SCHEMA.empty_table())
    else:
        header = True
        with open(target, "w", encoding="utf-8", newline="") as fh:
            for part in slices:
                _csv_frame(table_to_frame(part)).to_csv(fh, index=False, header=header, lineterminator="\n")
                header = False
            if header:
                _csv_frame(table_to_frame(ARROW_SCHEMA.empty_table())).to_csv(fh, index=False, lineterminator="\n")
