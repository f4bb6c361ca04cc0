"""The ingest: inputs -> formats -> validated runs -> reconciled posts -> report.

The steps live in their own modules: :mod:`.detection` (inputs, decoding, formats),
:mod:`.reading` (records into sorted runs, in parallel for large line-based files), :mod:`.runs`
(the external sort, which version of a post is kept, the k-way merge) and :mod:`.writing`.
Memory: on inputs of at least SPILL_MIN_BYTES every run is spilled to a temporary Arrow IPC file
as soon as it is read, so memory stays bounded by the keys (about 60 bytes per post).
"""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from tweetstorm import safeio
from tweetstorm.errors import InputError, ParameterError
from tweetstorm.ingest import detection, reading
from tweetstorm.ingest.formats import FORMATS
from tweetstorm.ingest.runs import Posts, reconcile
from tweetstorm.ingest.writing import table_to_frame, write_rejects
from tweetstorm.schemas import INGEST_COUNT_COLUMNS, INGEST_REPORT_COLUMNS

#: Inputs of at least this many bytes in total spill their sorted runs to temporary files.
SPILL_MIN_BYTES = 64 * 1024 * 1024
REPORT_COLUMNS = INGEST_REPORT_COLUMNS


@dataclass
class IngestResult:
    """``posts``: canonical table (CANONICAL_COLUMNS order, sorted by created_at then post_id);
    ``report``: one row per input file (REPORT_COLUMNS; read = kept + duplicate + superseded +
    rejected); ``rejects``: ``[(source_file, line or None, reason), ...]`` of the skipped records;
    ``superseded``: ``[(source_file, line, reason, record), ...]`` of the versions not kept."""

    posts: pd.DataFrame
    report: pd.DataFrame
    rejects: list[tuple[str, int | None, str]] = field(default_factory=list)
    superseded: list[tuple[str, int, str, dict]] = field(default_factory=list)


@dataclass
class Ingested:
    """What :func:`ingest_table` returns: the kept posts as runs to merge, the report, the
    rejects ``(file, line, reason, raw)`` and the superseded versions ``(file, line, reason,
    record)``."""

    posts: Posts
    report: pd.DataFrame
    rejects: list[tuple[str, int | None, str, str | None]]
    superseded: list[tuple[str, int, str, dict]]


def build_report(results: list[reading.FileResult], duplicate, superseded) -> pd.DataFrame:
    """The reconciliation report (REPORT_COLUMNS), one row per input file; raises when a file's
    counts do not add up (that would be a lost record)."""
    rows = []
    for r, d, s in zip(results, duplicate, superseded):
        rejected = len(r.rejects)
        kept = r.read - rejected - int(d) - int(s)
        if kept < 0:  # pragma: no cover - an internal inconsistency, never an input problem
            raise RuntimeError(f"the counts of {r.name} do not reconcile")
        rows.append([r.name, r.fmt, r.exact, r.read, kept, int(d), int(s), rejected, r.note])
    df = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    return df.astype({**{c: "int64" for c in INGEST_COUNT_COLUMNS}, "exact_ids": "bool", "note": "object"})


def reconciles(report: pd.DataFrame) -> bool:
    """True when every file's records are accounted for: read = kept + duplicate + superseded +
    rejected."""
    return bool((report["read"] == report[["kept", "duplicate", "superseded", "rejected"]].sum(axis=1)).all())


def summary(report: pd.DataFrame, n_posts: int) -> str:
    """One paragraph for a reader: what was read and what became of every record."""
    t = report[list(INGEST_COUNT_COLUMNS)].sum()
    text = (f"{int(t['read'])} records read from {len(report)} file(s): {int(t['kept'])} kept, "
            f"{int(t['duplicate'])} duplicates, {int(t['superseded'])} earlier versions of a post "
            f"(superseded), {int(t['rejected'])} rejected. Read = kept + duplicates + superseded + "
            f"rejected holds for {'every file' if reconciles(report) else 'NOT every file: look at the report'}; "
            f"the post table has {n_posts} unique posts.")
    notes = [f"{name}: {note}" for name, note in zip(report["source_file"], report["note"]) if note]
    if notes:
        text += " Notes: " + "; ".join(notes) + "."
    return text


def ingest_table(inputs, *, format: str | None = None, on_error: str = "fail",
                 progress: bool = False, workers: int | None = None) -> Ingested:
    """The Arrow core of :func:`read_posts`: kept posts (a :class:`Posts`: ``len()``,
    ``slices()`` / ``table()`` in the canonical order), report, rejects and superseded versions.

    ``workers``: processes for large line-based files (default: all CPUs); 1 reads everything in
    this process.
    """
    from tqdm import tqdm

    if on_error not in ("fail", "skip"):
        raise ParameterError("on_error", f"must be 'fail' or 'skip', not {on_error!r}", "use fail or skip")
    if format is not None and format not in FORMATS:
        raise ParameterError("--format", f"unknown format {format!r}", f"use one of {', '.join(sorted(FORMATS))}")
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    workers = workers or os.cpu_count() or 1
    results: list[reading.FileResult] = []
    rejects: list[tuple[str, int | None, str, str | None]] = []
    tmp = None
    try:
        with ExitStack() as stack:
            files = detection.expand_inputs(inputs, stack)
            if not files:
                raise InputError(", ".join(map(str, inputs)), "no input files found",
                                 "name at least one export file, folder or zip")
            total = sum(f.path.stat().st_size for f in files if f.path.is_file())
            if total >= SPILL_MIN_BYTES:
                tmp = tempfile.TemporaryDirectory(prefix="tweetstorm-runs-")
            spill_dir = tmp.name if tmp is not None else None
            bar = stack.enter_context(tqdm(total=total, unit="B", unit_scale=True, disable=not progress,
                                           desc="ingest", leave=False))
            pool = None
            big = any(f.path.is_file() and f.path.stat().st_size >= reading.PARALLEL_MIN_BYTES for f in files)
            if workers > 1 and big:
                pool = stack.enter_context(reading.worker_pool(workers))
            for inp in files:
                results.append(_read_one(inp, format, on_error, pool, bar, spill_dir))
                rejects += [(inp.name, ln, why, raw) for ln, why, raw in results[-1].rejects]
        done = reconcile([r.name for r in results], [r.exact for r in results], [r.runs for r in results], tmp)
        pa.default_memory_pool().release_unused()  # the group-by and sort buffers
    except BaseException:
        if tmp is not None:
            tmp.cleanup()
        raise
    report = build_report(results, done.duplicate, done.superseded)
    return Ingested(done.posts, report, rejects, done.superseded_records)


def _read_one(inp: detection.Input, format: str | None, on_error: str, pool, bar,
              spill_dir: str | None) -> reading.FileResult:
    fmt = format or "unknown"
    try:
        first = detection.head(inp.path)
        detection.check_text_head(inp, first)
        fmt = format or detection.detect(inp, first)
        mod = FORMATS[fmt]
        reason = mod.no_posts(inp.path, first) if hasattr(mod, "no_posts") else None
        if reason is not None:
            note = "; ".join(x for x in (inp.note, reason) if x)
            return reading.FileResult(inp.name, fmt, bool(mod.EXACT_IDS), note=note)
        res = reading.read_file(inp.path, inp.name, fmt, on_error, pool, bar, spill_dir)
    except InputError as err:
        if on_error == "fail":
            raise
        # A fatal problem of the whole file: the file counts as one rejected record.
        exact = bool(FORMATS[fmt].EXACT_IDS) if fmt in FORMATS else False
        res = reading.FileResult(inp.name, fmt, exact, [], 1, [(err.line if err.line is not None else err.row,
                                                               f"{err.what}. Fix: {err.fix}", err.raw)])
    res.note = inp.note
    return res


def read_posts(inputs, *, format: str | None = None, on_error: str = "fail",
               rejects: str | os.PathLike[str] | None = None,
               superseded: str | os.PathLike[str] | None = None, progress: bool = False,
               workers: int | None = None) -> IngestResult:
    """Read exports into the canonical post table.

    ``inputs``: a path or a list of paths (files, folders, zips; relative to the repository root).
    ``format``: force one format NAME for every file (default: auto-detect per file).
    ``on_error``: ``"fail"`` raises :class:`InputError` at the first bad record or file; ``"skip"``
    sets bad records aside (``result.rejects``; also written to ``rejects`` as JSON lines
    ``{file, line, reason, raw}`` when given) and goes on.
    Earlier versions of a post (same id, other content; an edited post's earlier ids) are not
    kept: ``result.superseded``, written to ``superseded`` when given, else with the rejects.
    """
    if rejects is not None or superseded is not None:  # inputs are sacred
        given = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
        safeio.refuse_inputs_as_outputs({"rejects": rejects, "superseded": superseded},
                                        [detection.resolve_input(i) for i in given])
    got = ingest_table(inputs, format=format, on_error=on_error, progress=progress, workers=workers)
    sup = [(f, ln, why, rec) for f, ln, why, rec in got.superseded]
    if superseded is not None:
        write_rejects(sup, superseded, flag="superseded")
    if rejects is not None:
        write_rejects(got.rejects + ([] if superseded is not None else sup), rejects)
    try:
        frame = table_to_frame(got.posts.table())
    finally:
        got.posts.close()
    return IngestResult(frame, got.report, [(f, ln, why) for f, ln, why, _ in got.rejects], sup)
