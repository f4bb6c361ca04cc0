"""Writers of the processed tables under ``data/processed/`` (notebooks 01 and 02).

Every processed table is written the same way, so that a rebuild gives the same bytes:
pyarrow Parquet (``pyarrow.parquet.write_table`` with its defaults: snappy compression), no
pandas index, columns in the order of the DataFrame or of an explicit Arrow schema. Paths are
repo-relative and resolved with :func:`tweetstorm.paths.resolve`; parent folders are created.

Public API::

    POSTS_SCHEMA                                   # canonical posts + role, question, assign_rule
    write_parquet(df, path, schema=None) -> Path   # one processed table
    write_csv(df, path) -> Path                    # UTF-8, no index, "\\n" line ends
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import paths
from .ingest import ARROW_SCHEMA

#: Columns added to the canonical posts by ``structure.assign_structure`` (strings, NA allowed;
#: ``author_kind`` is moderator, participant or other).
STRUCTURE_COLUMNS: tuple[str, ...] = ("role", "question", "assign_rule", "author_kind")
#: Schema of ``data/processed/posts.parquet``: the canonical post table (``ingest.ARROW_SCHEMA``,
#: architecture contract) followed by :data:`STRUCTURE_COLUMNS`.
POSTS_SCHEMA: pa.Schema = ARROW_SCHEMA
for _name in STRUCTURE_COLUMNS:
    POSTS_SCHEMA = POSTS_SCHEMA.append(pa.field(_name, pa.string()))
del _name


def write_parquet(df: pd.DataFrame, path: str | os.PathLike[str], *,
                  schema: pa.Schema | None = None) -> Path:
    """Write ``df`` (n rows) to the Parquet file ``path`` (repo-relative or absolute) and return
    the absolute path written.

    With ``schema`` the columns ``schema.names`` are taken from ``df`` in the schema's order and
    converted to its types (a missing column raises ``KeyError``, a value of the wrong type
    ``pyarrow.ArrowInvalid``), so the file's schema does not depend on how pandas inferred the
    dtypes; without it, pyarrow infers the types from the dtypes. The index is never written.
    """
    target = paths.resolve(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    frame = df[schema.names] if schema is not None else df
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    pq.write_table(table, target)
    return target


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV without the index and with ``\\n`` line ends (the same bytes on
    every platform) to ``path``; return the absolute path written."""
    target = paths.resolve(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(target, index=False, lineterminator="\n")
    return target
