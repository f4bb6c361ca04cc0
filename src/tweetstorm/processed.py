"""Writers and readers of the processed tables under ``data/processed/``.

Every processed table is written the same way, so that a rebuild gives the same bytes:
pyarrow Parquet (snappy compression, pyarrow's defaults), no pandas index, columns in the order
of the DataFrame or of a schema from :mod:`tweetstorm.schemas`, written atomically (a temporary
file renamed over the target, :mod:`tweetstorm.safeio`). Paths are repo-relative or absolute,
resolved with :func:`tweetstorm.paths.resolve`; parent folders are created.

Each processed table (:class:`tweetstorm.schemas.Table`: its file, the notebook that writes it,
its declared columns) has one writer and one reader here, and every notebook and module writes and
reads it through them. A writer puts the declared columns first, in the declared order and with
the declared Arrow types; a reader checks that the file exists and has the required columns (and
the further ``columns`` its caller needs), and otherwise raises an :class:`InputError` naming the
file and the notebook that makes it.

Public API::

    write_posts(df, path) / read_posts(path, columns=None)               # posts.parquet
    write_ingest_report(df, path) / read_ingest_report(path)             # ingest_report.csv
    write_participants(df, path) / read_participants(path, columns=())   # participants.parquet
    write_pln_contacts(df, path) / read_pln_contacts(path)               # pln_contacts.parquet
    write_ratings(df, path) / read_ratings(path)                         # ratings.parquet
    write_consensus(df, path) / read_consensus(path)                     # consensus.parquet
    POSTS_SCHEMA                                   # = schemas.PROCESSED_POSTS
    write_parquet(df, path, schema=None) -> Path   # any table (the writers above use it)
    write_tables(tables, path, schema) -> Path     # the one Parquet writer (slices -> row groups)
    write_csv(df, path) -> Path                    # UTF-8, no index, "\\n" line ends
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tweetstorm import paths, safeio, schemas
from tweetstorm.errors import InputError, require_columns
from tweetstorm.missing import PANDAS_NA_VALUES
from tweetstorm.schemas import LIST_COLUMNS, PROCESSED_POSTS, STRUCTURE_COLUMNS, Table

__all__ = ["POSTS_SCHEMA", "STRUCTURE_COLUMNS", "frame_to_table", "read_consensus", "read_ingest_report",
           "read_participants", "read_pln_contacts", "read_posts", "read_ratings", "table_to_frame",
           "write_consensus", "write_csv", "write_ingest_report", "write_parquet", "write_participants",
           "write_pln_contacts", "write_posts", "write_ratings", "write_tables"]

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


# ---------------------------------------------------------------------------------------------
# One writer and one reader per processed table (schemas.TABLES)
# ---------------------------------------------------------------------------------------------

def _write(table: Table, df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as ``table``: its declared columns first (an optional one only when ``df``
    has it), then, for an open-ended table, the other columns of ``df`` in their order. Declared
    text columns are written from pandas' ``string`` dtype, so the file does not depend on how
    the frame was built. A missing required column raises ``KeyError``."""
    lacking = [c for c in table.required if c not in df.columns]
    if lacking:
        raise KeyError(f"{table.what} lack the column(s) {', '.join(lacking)}")
    declared = [c for c in table.columns if c in df.columns]
    extra = [c for c in df.columns if c not in declared] if table.open_ended else []
    text = {c: "string" for c in declared if pa.types.is_large_string(table.schema.field(c).type)}
    frame = df[declared + extra].astype(text)
    fields = [table.schema.field(c) for c in declared]
    if extra:
        fields += list(pa.Schema.from_pandas(frame[extra], preserve_index=False))
    return write_parquet(frame, path, schema=pa.schema(fields))


def _source(table: Table, path: str | os.PathLike[str]) -> tuple[Path, str]:
    """The file of ``table`` at ``path`` (absolute, and as the messages name it); an InputError
    naming the notebook that makes it when there is no such file."""
    target = paths.resolve(path)
    name = paths.relative(target)
    if not target.is_file():
        raise InputError(name, f"{table.what} are missing (no such file)",
                         f"run notebook {table.step} first (make all), or pass the right path")
    return target, name


def _check(table: Table, columns: Iterable[str], name: str, needed: Iterable[str] = ()) -> None:
    required = list(dict.fromkeys([*table.required, *needed]))
    require_columns(columns, required, name,
                    f"the table must have the columns {', '.join(required)}: rebuild it with notebook "
                    f"{table.step} (make all)")


def _read(table: Table, path: str | os.PathLike[str], needed: Iterable[str] = ()) -> pd.DataFrame:
    """Read the Parquet file of ``table`` at ``path`` as pandas reads it (text columns in the
    dtype they were written with), after checking its columns."""
    target, name = _source(table, path)
    try:
        columns = pq.read_schema(target).names
    except (pa.ArrowException, OSError):
        raise InputError(name, "not a Parquet file", f"rebuild it with notebook {table.step} (make all)") from None
    _check(table, columns, name, needed)
    return pd.read_parquet(target)


def write_posts(df: pd.DataFrame, path: str | os.PathLike[str] = schemas.POSTS.path) -> Path:
    """Write the processed posts (:data:`POSTS_SCHEMA`, exactly its columns) to ``path``."""
    return write_parquet(df, path, schema=POSTS_SCHEMA)


def read_posts(path: str | os.PathLike[str] = schemas.POSTS.path,
               columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Read processed posts written by :func:`write_posts`: the columns of :data:`POSTS_SCHEMA`
    the file has, lists as lists, ``created_at`` datetime64[ns, UTC]. Every column of the schema
    is required, or only ``columns`` when given (a caller that needs a few). An
    :class:`InputError` naming the file when it is missing or lacks a required column."""
    table = schemas.POSTS
    target, name = _source(table, path)
    try:
        found = pq.read_table(target)
    except (pa.ArrowException, OSError):
        raise InputError(name, "not a Parquet file", f"rebuild it with notebook {table.step} (make all)") from None
    require_columns(found.column_names, list(columns) if columns is not None else table.columns, name,
                    f"rebuild it with notebook {table.step} (make all)")
    return table_to_frame(found.select([c for c in table.columns if c in found.column_names]))


def write_ingest_report(df: pd.DataFrame, path: str | os.PathLike[str] = schemas.INGEST_REPORT.path) -> Path:
    """Write the ingest report (:data:`tweetstorm.schemas.INGEST_REPORT`) as CSV to ``path``."""
    lacking = [c for c in schemas.INGEST_REPORT.columns if c not in df.columns]
    if lacking:
        raise KeyError(f"the ingest report lacks the column(s) {', '.join(lacking)}")
    return write_csv(df[schemas.INGEST_REPORT.columns], path)


def read_ingest_report(path: str | os.PathLike[str] = schemas.INGEST_REPORT.path) -> pd.DataFrame:
    """Read the ingest report written by :func:`write_ingest_report` (``note`` missing where
    empty; counts as int64)."""
    table = schemas.INGEST_REPORT
    target, name = _source(table, path)
    df = pd.read_csv(target, keep_default_na=False, na_values=PANDAS_NA_VALUES)
    _check(table, df.columns, name)
    return df


def write_participants(df: pd.DataFrame, path: str | os.PathLike[str] = schemas.PARTICIPANTS.path) -> Path:
    """Write the participants (:data:`tweetstorm.schemas.PARTICIPANTS`: ``handle``, then the
    participant list's other columns) to ``path``."""
    return _write(schemas.PARTICIPANTS, df, path)


def read_participants(path: str | os.PathLike[str] = schemas.PARTICIPANTS.path,
                      columns: Iterable[str] = ()) -> pd.DataFrame:
    """Read the participants written by :func:`write_participants`; ``columns``: the attribute
    columns the caller needs (e.g. the study's characteristics), required besides ``handle``."""
    return _read(schemas.PARTICIPANTS, path, columns)


def write_pln_contacts(df: pd.DataFrame, path: str | os.PathLike[str] = schemas.PLN_CONTACTS.path) -> Path:
    """Write the PLN contacts (:data:`tweetstorm.schemas.PLN_CONTACTS`) to ``path``."""
    return _write(schemas.PLN_CONTACTS, df, path)


def read_pln_contacts(path: str | os.PathLike[str] = schemas.PLN_CONTACTS.path) -> pd.DataFrame:
    """Read the PLN contacts written by :func:`write_pln_contacts`."""
    return _read(schemas.PLN_CONTACTS, path)


def write_ratings(df: pd.DataFrame, path: str | os.PathLike[str] = schemas.RATINGS.path) -> Path:
    """Write the ratings (:data:`tweetstorm.schemas.RATINGS`) to ``path``."""
    return _write(schemas.RATINGS, df, path)


def read_ratings(path: str | os.PathLike[str] = schemas.RATINGS.path) -> pd.DataFrame:
    """Read the ratings written by :func:`write_ratings`."""
    return _read(schemas.RATINGS, path)


def write_consensus(df: pd.DataFrame, path: str | os.PathLike[str] = schemas.CONSENSUS.path) -> Path:
    """Write the consensus codes (:data:`tweetstorm.schemas.CONSENSUS`) to ``path``."""
    return _write(schemas.CONSENSUS, df, path)


def read_consensus(path: str | os.PathLike[str] = schemas.CONSENSUS.path) -> pd.DataFrame:
    """Read the consensus codes written by :func:`write_consensus`."""
    return _read(schemas.CONSENSUS, path)


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV without the index and with ``\\n`` line ends (the one CSV
    writer, :func:`tweetstorm.safeio.write_csv`); return the absolute path written."""
    target = paths.resolve(path)
    safeio.write_csv(df, target)
    return target
