"""Writers and readers of the processed tables under ``data/processed/``.

Every processed table is written the same way, so that a rebuild gives the same bytes:
pyarrow Parquet (snappy compression, pyarrow's defaults), no pandas index, columns in the order
of the DataFrame or of a schema from :mod:`tweetstorm.schemas`, written atomically (a temporary
file renamed over the target, :mod:`tweetstorm.safeio`). Paths are repo-relative or absolute,
resolved with :func:`tweetstorm.paths.resolve`; parent folders are created.

Public API::

    POSTS_SCHEMA                                   # = schemas.PROCESSED_POSTS
    write_parquet(df, path, schema=None) -> Path   # one processed table
    write_tables(tables, path, schema) -> Path     # the one Parquet writer (slices -> row groups)
    write_posts(df, path) -> Path                  # data/processed/posts.parquet
    read_posts(path) -> DataFrame                  # its reader (lists as lists, UTC times)
    write_csv(df, path) -> Path                    # UTF-8, no index, "\\n" line ends
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tweetstorm import paths, safeio
from tweetstorm.errors import InputError
from tweetstorm.schemas import LIST_COLUMNS, PROCESSED_POSTS, STRUCTURE_COLUMNS

__all__ = ["POSTS_SCHEMA", "STRUCTURE_COLUMNS", "frame_to_table", "read_posts", "table_to_frame",
           "write_csv", "write_parquet", "write_posts", "write_tables"]

#: Schema of ``data/processed/posts.parquet`` (declared in :mod:`tweetstorm.schemas`).
POSTS_SCHEMA: pa.Schema = PROCESSED_POSTS


def write_tables(tables: Iterable[pa.Table], path: str | os.PathLike[str], schema: pa.Schema,
                 *, flag: str = "output") -> Path:
    """Write the Arrow ``tables`` (each of ``schema``) one after the other to the Parquet file
    ``path``, atomically; an empty iterable writes an empty table. Return the absolute path."""
    target = paths.resolve(path)
    with safeio.atomic_path(target, flag) as tmp:
        with pq.ParquetWriter(tmp, schema) as writer:
            wrote = False
            for table in tables:
                writer.write_table(table)
                wrote = True
            if not wrote:
                writer.write_table(schema.empty_table())
    return target


def frame_to_table(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """The columns ``schema.names`` of ``df`` as an Arrow table of ``schema`` (list columns: a
    missing list becomes an empty one). A missing column raises ``KeyError``, a value of the
    wrong type ``pyarrow.ArrowInvalid``."""
    frame = df[schema.names].copy()
    for col in LIST_COLUMNS:
        if col in frame.columns:
            frame[col] = [list(v) if v is not None and not (isinstance(v, float) and pd.isna(v)) else []
                          for v in frame[col]]
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


def table_to_frame(table: pa.Table, schema: pa.Schema | None = None) -> pd.DataFrame:
    """An Arrow table of posts as a DataFrame: lists as Python lists, ``created_at``
    datetime64[ns, UTC], ``is_retweet`` bool, ``source_line`` int64."""
    df = table.to_pandas()
    for col in LIST_COLUMNS:
        if col in df.columns:
            df[col] = pd.Series(table[col].to_pylist(), index=df.index, dtype=object)
    if "created_at" in df.columns:
        df["created_at"] = df["created_at"].astype("datetime64[ns, UTC]")
    if "is_retweet" in df.columns:
        df["is_retweet"] = df["is_retweet"].astype(bool)
    if "source_line" in df.columns:
        df["source_line"] = df["source_line"].astype("int64")
    return df


def write_parquet(df: pd.DataFrame, path: str | os.PathLike[str], *,
                  schema: pa.Schema | None = None) -> Path:
    """Write ``df`` (n rows) to the Parquet file ``path`` (repo-relative or absolute) and return
    the absolute path written.

    With ``schema`` the columns ``schema.names`` are taken from ``df`` in the schema's order and
    converted to its types (a missing column raises ``KeyError``, a value of the wrong type
    ``pyarrow.ArrowInvalid``), so the file's schema does not depend on how pandas inferred the
    dtypes; without it, pyarrow infers the types from the dtypes. The index is never written.
    """
    frame = df[schema.names] if schema is not None else df
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    return write_tables([table], path, table.schema)


def write_posts(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the processed posts (:data:`POSTS_SCHEMA`) to ``path``."""
    return write_parquet(df, path, schema=POSTS_SCHEMA)


def read_posts(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read processed posts written by :func:`write_posts`; an :class:`InputError` naming the
    file when it is missing or lacks columns of :data:`POSTS_SCHEMA`."""
    target = paths.resolve(path)
    name = paths.relative(target)
    if not target.is_file():
        raise InputError(name, "the processed posts are missing", "run notebook 01-ingest (make all) first")
    table = pq.read_table(target)
    missing = [c for c in POSTS_SCHEMA.names if c not in table.column_names]
    if missing:
        raise InputError(name, f"missing column(s) {', '.join(missing)}",
                         "rebuild it with notebook 01-ingest (make all)")
    return table_to_frame(table.select(POSTS_SCHEMA.names))


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV without the index and with ``\\n`` line ends (the one CSV
    writer, :func:`tweetstorm.safeio.write_csv`); return the absolute path written."""
    target = paths.resolve(path)
    safeio.write_csv(df, target)
    return target
