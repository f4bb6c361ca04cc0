"""External sort and merge: sorted runs of posts, their reconciliation and the k-way merge.

Every batch of posts read becomes a *run* sorted by (created_at, post_id, input order); on large
inputs each run is spilled to a temporary Arrow IPC file and only its keys (post_id, created_at,
input position, version) stay in memory. :func:`reconcile` decides on those keys which post of
each id is kept, which copies are duplicates and which versions are superseded; :class:`Posts`
merges the kept rows of the runs in the canonical order, so peak memory is the keys plus one
batch per run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from tweetstorm.ingest._record import ARROW_SCHEMA

#: Rows per record batch of a spilled run (the merge holds one batch per run).
RUN_BATCH_ROWS = 2048
_TS = ARROW_SCHEMA.field("created_at").type
#: Fields compared to tell a duplicate from another version of a post: what the post says and
#: who posted it when. Ids local to a server (a Mastodon account id, the API address of a reply's
#: parent) and the thread id (not carried by every format) are not compared.
CONTENT_FIELDS: tuple[str, ...] = ("author_handle", "created_at", "text", "is_retweet",
                                   "retweeted_post_id", "quoted_post_id", "hashtags", "mentions", "urls")


@dataclass
class Run:
    """Up to a batch of valid posts of one file (or byte range), stored sorted by (created_at,
    post_id, input order): in memory (``table``) or spilled to an Arrow IPC file (``path``).

    ``keys``: one row per stored row, in stored order: ``post_id``, ``created_at``, ``row`` (the
    post's input position within the run), ``version_of`` (the first version's id, or null),
    ``version_rank`` (edit number) and ``collected_at`` (collection time, or null).
    """

    keys: pa.Table
    table: pa.Table | None = None
    path: str | None = None
    line_offset: int = 0  # lines of the file before the byte range the run was read from
    run_batch_rows: int = RUN_BATCH_ROWS

    @property
    def n(self) -> int:
        return self.keys.num_rows


def make_run(table: pa.Table, versions: list | None, spill_dir: str | None,
             run_batch_rows: int | None = None) -> Run:
    """Sort one batch of posts (stable: created_at, post_id, input order) into a run; write it to
    ``spill_dir`` as an Arrow IPC file of ``run_batch_rows``-row batches when given.
    ``versions``: the readers' version tuples (see ``_record.VERSION_KEY``), one per row or None."""
    batch_rows = run_batch_rows or RUN_BATCH_ROWS
    n = table.num_rows
    row = pa.array(np.arange(n, dtype=np.int64))
    order = pc.sort_indices(pa.table({"c": table["created_at"], "p": table["post_id"], "r": row}),
                            sort_keys=[("c", "ascending"), ("p", "ascending"), ("r", "ascending")])
    table = table.take(order).combine_chunks()
    if versions is None or not any(v is not None for v in versions):
        of = pa.nulls(n, pa.string())
        rank = pa.array(np.zeros(n, np.int64))
        collected = pa.nulls(n, _TS)
    else:
        vs = [v if isinstance(v, tuple) else (None, 0, None) for v in versions]
        of = pa.array([v[0] for v in vs], pa.string())
        rank = pa.array([v[1] for v in vs], pa.int64())
        collected = pa.array([v[2] for v in vs], _TS)
    keys = pa.table({"post_id": table["post_id"], "created_at": table["created_at"],
                     "row": order.cast(pa.int64()), "version_of": of.take(order),
                     "version_rank": rank.take(order), "collected_at": collected.take(order)})
    if spill_dir is None:
        return Run(keys, table=table, run_batch_rows=batch_rows)
    fd, path = tempfile.mkstemp(suffix=".arrow", dir=spill_dir)
    os.close(fd)
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, ARROW_SCHEMA) as writer:
        writer.write_table(table, max_chunksize=batch_rows)
    return Run(keys, path=path, run_batch_rows=batch_rows)


class RunReader:
    """Rows of one run by stored position; positions asked for only grow (a merge reads each run
    front to back), so only the last batch of a spilled run is kept."""

    def __init__(self, run: Run) -> None:
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
        """Rows at the (increasing) stored positions ``pos``, with their absolute lines."""
        if self.run.table is not None:
            part = self.run.table.take(pa.array(pos))
        else:
            size = self.run.run_batch_rows
            first, last = int(pos[0]) // size, int(pos[-1]) // size
            part = pa.Table.from_batches([self._batch(i) for i in range(first, last + 1)], ARROW_SCHEMA)
            part = part.take(pa.array(pos - first * size))
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
    """The kept posts of an ingest, in output order, as runs to merge.

    ``len(posts)`` is the number of kept posts; :meth:`slices` yields them as Arrow tables of
    ARROW_SCHEMA (at most ``rows`` rows each) in the canonical order (created_at, post_id, input
    order); :meth:`table` returns them as one table. Spilled runs live in a temporary folder that
    is removed with this object (or by :meth:`close`).
    """

    def __init__(self, runs: list[Run], run_of: np.ndarray, pos_of: np.ndarray,
                 tmp: tempfile.TemporaryDirectory | None = None) -> None:
        self.runs, self.run_of, self.pos_of, self._tmp = runs, run_of, pos_of, tmp

    def __len__(self) -> int:
        return len(self.run_of)

    def slices(self, rows: int = 65536) -> Iterator[pa.Table]:
        """The kept posts in order, ``rows`` at a time (a k-way merge of the sorted runs)."""
        readers = [RunReader(r) for r in self.runs]
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


@dataclass
class Reconciled:
    """What :func:`reconcile` decided: the kept posts, per input file the duplicates and the
    superseded versions, and every superseded version as ``(file, line, reason, record)``."""

    posts: Posts
    duplicate: np.ndarray
    superseded: np.ndarray
    superseded_records: list[tuple[str, int, str, dict]] = field(default_factory=list)


def _rows_of(readers: list[RunReader], run_idx: np.ndarray, pos: np.ndarray, keys: np.ndarray) -> dict[int, dict]:
    """The stored rows of the key rows ``keys`` as dicts (every column), by key row."""
    out: dict[int, dict] = {}
    want = keys[np.lexsort((pos[keys], run_idx[keys]))]
    runs_of = run_idx[want]
    cuts = np.flatnonzero(np.diff(runs_of)) + 1
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(want)]):
        part = readers[int(runs_of[a])].take(pos[want[a:b]])
        for k, rec in zip(want[a:b], part.to_pylist()):
            out[int(k)] = rec
    return out


def _compatible(a: dict, b: dict) -> bool:
    """Two records of one id carry the same post: no field that both hold differs (a format
    that lacks a field, e.g. v1.1's conversation id, does not make another version)."""
    for k in CONTENT_FIELDS:
        x, y = a[k], b[k]
        if x is None or y is None or x == y:
            continue
        if isinstance(x, list) and (not x or not y or sorted(x) == sorted(y)):
            continue  # entity lists: one format lacks them, or lists them in another order
        if k == "created_at" and x.replace(microsecond=0) == y.replace(microsecond=0):
            continue  # one server keeps milliseconds, another whole seconds
        return False
    return True


def _json_record(rec: dict) -> dict:
    out = dict(rec)
    out["created_at"] = rec["created_at"].isoformat().replace("+00:00", "Z")
    return out


def reconcile(names: list[str], exact_files: list[bool], runs_per_file: list[list[Run]],
              tmp: tempfile.TemporaryDirectory | None = None) -> Reconciled:
    """Decide on the runs' keys which posts are kept.

    Exact-id posts: the records of one post (one ``post_id``, or one first version of an edited
    post) are compared. The *latest version* is the one with the highest edit number, then the
    latest collection time (when every record has one), then the last in input order; the first
    record that carries the same post as the latest version is kept, the others that do are
    ``duplicate``, and every other record is ``superseded``. Posts of formats without exact ids
    are de-duplicated on (author_handle, created_at, text) against all posts, an exact-id copy
    winning over them. Only the keys of every post are held here; the full records are read back
    for the ids that occur more than once.
    """
    runs: list[Run] = []
    files, exact, seqs = [], [], []
    base = 0  # input position of the run's first row: files, ranges and batches are in input order
    for i, file_runs in enumerate(runs_per_file):
        for run in file_runs:
            runs.append(run)
            files.append(np.full(run.n, i, np.int32))
            exact.append(np.full(run.n, exact_files[i]))
            seqs.append(run.keys["row"].to_numpy() + base)
            base += run.n
    n = base
    nfiles = len(names)
    if not n:
        return Reconciled(Posts([], np.zeros(0, np.int32), np.zeros(0, np.int64), tmp),
                          np.zeros(nfiles, np.int64), np.zeros(nfiles, np.int64))
    file_idx = np.concatenate(files)
    is_exact = np.concatenate(exact)
    seq = np.concatenate(seqs)  # input position of each key row (key rows are in stored order)
    run_idx = np.repeat(np.arange(len(runs), dtype=np.int32), [run.n for run in runs])
    pos = np.concatenate([np.arange(run.n, dtype=np.int64) for run in runs])
    key_of_seq = np.empty(n, np.int64)
    key_of_seq[seq] = np.arange(n)
    keys = pa.concat_tables([run.keys for run in runs]) if len(runs) > 1 else runs[0].keys
    post_id, created = keys["post_id"], keys["created_at"]
    keep = np.ones(n, bool)
    superseded = np.zeros(n, bool)
    records: list[tuple[str, int, str, dict]] = []
    readers = [RunReader(run) for run in runs]
    try:
        if is_exact.any():
            group = pc.coalesce(keys["version_of"], post_id)
            ids = pa.table({"g": group, "seq": seq}).filter(pa.array(is_exact))
            counts = ids.group_by("g", use_threads=False).aggregate([("seq", "count")])
            repeated = counts.filter(pc.greater(counts["seq_count"], 1))["g"]
            if len(repeated):
                in_rep = pc.is_in(group, value_set=repeated).to_numpy(zero_copy_only=False) & is_exact
                rows = np.flatnonzero(in_rep)
                _decide(rows, group, seq, keys, file_idx, run_idx, pos, readers, names, keep,
                        superseded, records)
        if not is_exact.all():
            # Rank: exact rows first (their input position), content-only rows after them.
            rank = np.where(is_exact, seq, seq + n)
            alive = np.flatnonzero(keep)
            author = pa.chunked_array([rd.column("author_handle") for rd in readers], pa.string())
            text = pa.chunked_array([rd.column("text") for rd in readers], pa.string())
            table = pa.table({"a": author.take(alive), "c": created.take(alive), "t": text.take(alive),
                              "rank": rank[alive]})
            del author, text
            best = table.group_by(["a", "c", "t"], use_threads=False).aggregate([("rank", "min")])["rank_min"].to_numpy()
            best_seq = np.where(best >= n, best - n, best)
            winner = np.zeros(n, bool)
            winner[key_of_seq[best_seq]] = True
            keep &= is_exact | winner
    finally:
        for rd in readers:
            rd.close()
    dropped = ~keep
    duplicate = np.bincount(file_idx[dropped & ~superseded], minlength=nfiles).astype(np.int64)
    sup = np.bincount(file_idx[superseded], minlength=nfiles).astype(np.int64)
    order = pc.sort_indices(pa.table({"c": created, "p": post_id, "s": seq}),
                            sort_keys=[("c", "ascending"), ("p", "ascending"), ("s", "ascending")]).to_numpy()
    order = order[keep[order]]
    records.sort(key=lambda r: (names.index(r[0]) if r[0] in names else -1, r[1]))
    return Reconciled(Posts(runs, run_idx[order], pos[order], tmp), duplicate, sup, records)


def _decide(rows: np.ndarray, group: pa.ChunkedArray, seq: np.ndarray, keys: pa.Table,
            file_idx: np.ndarray, run_idx: np.ndarray, pos: np.ndarray, readers: list[RunReader],
            names: list[str], keep: np.ndarray, superseded: np.ndarray,
            records: list[tuple[str, int, str, dict]]) -> None:
    """Keep, duplicate or supersede each record of the posts that occur more than once."""
    full = _rows_of(readers, run_idx, pos, rows)
    g = group.take(pa.array(rows)).to_pylist()
    rank = keys["version_rank"].take(pa.array(rows)).to_numpy()
    collected = keys["collected_at"].take(pa.array(rows)).to_pylist()
    by_group: dict[str, list[tuple[int, int, int, object]]] = {}
    for k, gid, r, c in zip(rows.tolist(), g, rank.tolist(), collected):
        by_group.setdefault(gid, []).append((int(seq[k]), k, r, c))
    for members in by_group.values():
        members.sort()
        timed = all(c is not None for _, _, _, c in members)
        latest = max(members, key=lambda m: (m[2], m[3] if timed else 0, m[0]))
        win = full[latest[1]]
        kept = None
        for _s, k, _, _ in members:
            rec = full[k]
            if rec["post_id"] == win["post_id"] and _compatible(rec, win):
                if kept is None:
                    kept = k
                else:
                    keep[k] = False
                continue
            keep[k] = False
            superseded[k] = True
            why = (f"superseded by a later version of post {win['post_id']} "
                   f"({win['source_file']} line {win['source_line']})")
            if rec["post_id"] != win["post_id"]:
                why = (f"an earlier version of post {win['post_id']} (edited; the latest version is "
                       f"{win['source_file']} line {win['source_line']})")
            records.append((rec["source_file"], rec["source_line"], why,
                            orjson.loads(orjson.dumps(_json_record(rec)))))
