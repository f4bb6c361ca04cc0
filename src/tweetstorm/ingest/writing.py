"""Writing what an ingest produced: the post table, the rejects, the superseded versions and the
reconciliation report. Every file is written atomically (:mod:`tweetstorm.safeio`): a crash
never leaves a half-written file that looks complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import orjson
import pandas as pd
import pyarrow as pa

from tweetstorm import paths, processed, safeio
from tweetstorm.errors import ParameterError
from tweetstorm.ingest._record import ARROW_SCHEMA, CANONICAL_COLUMNS, LIST_COLUMNS
from tweetstorm.ingest.runs import Posts

SUFFIXES = (".parquet", ".csv")


def check_output(path: str | os.PathLike[str], flag: str = "-o") -> None:
    """Raise :class:`ParameterError` for an output name that is not .parquet/.csv or is a folder."""
    target = paths.resolve(path)
    if target.is_dir():
        raise ParameterError(flag, f"{path} is a folder", f"name a file, e.g. {os.path.join(str(path), 'posts.parquet')}")
    if target.suffix.lower() not in SUFFIXES:
        raise ParameterError(flag, f"unknown output type {target.suffix or '(none)'} of {path}",
                             "name the output .parquet or .csv")


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow canonical table -> pandas DataFrame (created_at datetime64[ns, UTC], lists as lists)."""
    return processed.table_to_frame(table.select(CANONICAL_COLUMNS), ARROW_SCHEMA)


def write_rejects(rejects: Iterable[tuple], path: str | os.PathLike[str], flag: str = "--rejects") -> None:
    """Rejected records as JSON lines ``{"file", "line", "reason", "raw"}`` (raw may be null);
    a superseded version's ``raw`` is its canonical record (an object)."""
    with safeio.atomic_open(paths.resolve(path), "wb", flag=flag) as fh:
        for f, ln, why, raw in rejects:
            fh.write(orjson.dumps({"file": f, "line": ln, "reason": why, "raw": raw}) + b"\n")


def write_report(report: pd.DataFrame, path: str | os.PathLike[str], flag: str = "--report") -> None:
    """The reconciliation report as CSV (the one CSV writer)."""
    safeio.write_csv(report, paths.resolve(path), flag=flag)


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df[CANONICAL_COLUMNS].copy()
    for col in LIST_COLUMNS:
        out[col] = [orjson.dumps(list(v) if v is not None else []).decode() for v in out[col]]
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return out


def write_table(table: pa.Table | Posts, order: pa.Array | Posts | None, path: str | os.PathLike[str],
                slice_rows: int = 65536, flag: str = "-o") -> None:
    """Write kept posts to .parquet (row-group slices, so the sorted table is never held whole) or
    .csv (UTF-8; lists as JSON arrays; created_at ISO 8601 UTC with ``Z``): a :class:`Posts` from
    an ingest (merged from its runs; ``order`` is ignored), or the rows of an Arrow ``table`` in
    ``order`` (all rows when None)."""
    check_output(path, flag)
    target = paths.resolve(path)
    if isinstance(table, Posts):
        slices = table.slices(slice_rows)
    elif order is None:
        slices = iter([table])
    else:
        slices = (table.take(order[i:i + slice_rows]) for i in range(0, len(order), slice_rows))
    if target.suffix.lower() == ".parquet":
        processed.write_tables((part.select(CANONICAL_COLUMNS) for part in slices), target, ARROW_SCHEMA, flag=flag)
        return
    safeio.write_csv_parts((_csv_frame(table_to_frame(part)) for part in slices), target, CANONICAL_COLUMNS,
                           flag=flag)


def write_posts(df: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a canonical post DataFrame to ``.parquet`` (ARROW_SCHEMA) or ``.csv``."""
    check_output(path)
    write_table(processed.frame_to_table(df, ARROW_SCHEMA), None, path)
