"""Writers of the processed tables: deterministic bytes, no index, the schema as given."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tweetstorm import processed
from tweetstorm.ingest import CANONICAL_COLUMNS


def _frame() -> pd.DataFrame:
    # a non-default index that must not reach the file
    return pd.DataFrame({"unit_id": ["10", "2"], "code": ["a", None], "n": [1, 2]},
                        index=pd.Index([7, 3], name="row"))


def test_write_parquet_is_deterministic_and_writes_no_index(tmp_path):
    first = processed.write_parquet(_frame(), tmp_path / "a" / "t.parquet")
    second = processed.write_parquet(_frame(), tmp_path / "b" / "t.parquet")
    assert first.read_bytes() == second.read_bytes()
    table = pq.read_table(first)
    assert table.column_names == ["unit_id", "code", "n"]
    back = pd.read_parquet(first)
    assert back.index.tolist() == [0, 1]
    assert back["unit_id"].tolist() == ["10", "2"] and back["code"].isna().tolist() == [False, True]


def test_write_parquet_with_schema_orders_and_types_columns(tmp_path):
    schema = pa.schema([pa.field("n", pa.int32()), pa.field("unit_id", pa.string())])
    path = processed.write_parquet(_frame(), tmp_path / "t.parquet", schema=schema)
    table = pq.read_table(path)
    assert table.column_names == ["n", "unit_id"]  # the schema's order; "code" not in it
    assert table.schema.field("n").type == pa.int32()
    with pytest.raises(KeyError):
        processed.write_parquet(_frame().drop(columns="n"), tmp_path / "u.parquet", schema=schema)


def test_posts_schema_is_the_canonical_table_plus_structure():
    assert processed.POSTS_SCHEMA.names == [*CANONICAL_COLUMNS, "role", "question", "assign_rule",
                                          "author_kind"]
    assert all(processed.POSTS_SCHEMA.field(c).type == pa.string()
               for c in processed.STRUCTURE_COLUMNS)


def test_write_csv_without_index_and_with_unix_line_ends(tmp_path):
    path = processed.write_csv(_frame(), tmp_path / "r.csv")
    assert path.read_bytes() == b"unit_id,code,n\n10,a,1\n2,,2\n"


def test_schemas_are_declared_once():
    from tweetstorm import schemas
    from tweetstorm.ingest import ARROW_SCHEMA

    assert ARROW_SCHEMA is schemas.CANONICAL_POSTS and processed.POSTS_SCHEMA is schemas.PROCESSED_POSTS
    assert schemas.INGEST_REPORT_COLUMNS == ["source_file", "source_format", "exact_ids", "read", "kept",
                                             "duplicate", "superseded", "rejected", "note"]


def test_posts_round_trip_through_the_one_writer_and_reader(tmp_path):
    from tweetstorm import paths
    from tweetstorm.ingest import read_posts

    posts = read_posts(paths.ROOT / "tests/fixtures/ingest/json/twarc2.jsonl").posts
    posts = posts.assign(role="answer", question="Q1", assign_rule="prefix", author_kind="participant")
    path = processed.write_posts(posts, tmp_path / "posts.parquet")
    assert pq.read_schema(path).names == processed.POSTS_SCHEMA.names
    back = processed.read_posts(path)
    pd.testing.assert_frame_equal(back, posts[processed.POSTS_SCHEMA.names].reset_index(drop=True),
                                  check_dtype=False)
    assert back["hashtags"].iloc[6] == ["plnstorm", "phd"] and str(back["created_at"].dtype) == "datetime64[ns, UTC]"


def test_read_posts_names_the_file_and_what_is_missing(tmp_path):
    from tweetstorm.errors import InputError

    with pytest.raises(InputError, match="missing"):
        processed.read_posts(tmp_path / "none.parquet")
    processed.write_parquet(_frame(), tmp_path / "t.parquet")
    with pytest.raises(InputError, match="post_id"):
        processed.read_posts(tmp_path / "t.parquet")


def test_a_failed_write_leaves_the_old_file(tmp_path):
    path = processed.write_parquet(_frame(), tmp_path / "t.parquet")
    before = path.read_bytes()
    bad = _frame().assign(n=["x", 1])  # mixed types: pyarrow refuses them
    with pytest.raises(pa.ArrowException):
        processed.write_parquet(bad, path, schema=pa.schema([pa.field("n", pa.int64())]))
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]
