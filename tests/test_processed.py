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


# ------------------------------------------------- one writer and one reader per processed table

def test_every_processed_table_is_declared_once_with_the_notebook_that_writes_it():
    from tweetstorm import schemas, study

    assert [t.path for t in schemas.TABLES] == [study.POSTS, study.INGEST_REPORT, study.PARTICIPANTS,
                                               study.PLN_CONTACTS, study.RATINGS, study.CONSENSUS]
    assert {t.path: t.step for t in schemas.TABLES} == {o.name: o.step for o in study.outputs(study.current())
                                                        if o.name.startswith("data/processed/")}
    assert schemas.RATINGS.columns == ["unit_id", "question", "rater", "code"]
    assert schemas.CONSENSUS.columns == ["unit_id", "question", "author", "code", "consensus_rule", "adjudicator"]
    assert schemas.PLN_CONTACTS.required == ["participant", "contact", "contact_type", "frequency"]


@pytest.mark.parametrize("name", ["ratings", "consensus", "participants", "pln_contacts"])
def test_the_committed_tables_round_trip_byte_for_byte(tmp_path, name):
    from tweetstorm import paths

    committed = paths.ROOT / "data" / "processed" / f"{name}.parquet"
    df = getattr(processed, f"read_{name}")(committed)
    out = getattr(processed, f"write_{name}")(df, tmp_path / f"{name}.parquet")
    assert out.read_bytes() == committed.read_bytes()


def test_writers_put_the_declared_columns_first_with_their_types(tmp_path):
    ratings = pd.DataFrame({"code": ["a", None], "rater": ["R2", "R1"], "question": ["Q1", "Q1"],
                            "unit_id": [7, 8], "note": ["x", "y"]})
    path = processed.write_ratings(ratings, tmp_path / "r.parquet")
    table = pq.read_table(path)
    assert table.column_names == ["unit_id", "question", "rater", "code"]  # not "note": not declared
    assert all(f.type == pa.large_string() for f in table.schema)
    back = processed.read_ratings(path)
    assert back["unit_id"].tolist() == ["7", "8"] and back["code"].isna().tolist() == [False, True]
    with pytest.raises(KeyError, match="rater"):
        processed.write_ratings(ratings.drop(columns="rater"), tmp_path / "s.parquet")
    people = pd.DataFrame({"sector": ["a", "b"], "years_online": [3, 4], "handle": ["P01", "P02"]})
    path = processed.write_participants(people, tmp_path / "p.parquet")
    assert pq.read_table(path).column_names == ["handle", "sector", "years_online"]  # open-ended
    assert pq.read_schema(path).field("years_online").type == pa.int64()
    pln = pd.DataFrame({"participant": ["P01"], "contact": ["#edchat"], "contact_type": ["group"],
                        "frequency": ["daily"]})  # written without pseudonyms: no kind columns
    assert processed.read_pln_contacts(processed.write_pln_contacts(pln, tmp_path / "c.parquet")).columns.tolist() \
        == ["participant", "contact", "contact_type", "frequency"]


def test_readers_name_the_file_and_the_notebook_that_makes_it(tmp_path):
    from tweetstorm.errors import InputError

    with pytest.raises(InputError, match=r"ratings are missing.*notebook 02-coding") as err:
        processed.read_ratings(tmp_path / "none.parquet")
    assert err.value.file.endswith("none.parquet")
    processed.write_parquet(pd.DataFrame({"unit_id": ["1"], "question": ["Q1"], "code": ["a"]}),
                            tmp_path / "r.parquet")
    with pytest.raises(InputError, match=r"missing column\(s\) rater.*notebook 02-coding"):
        processed.read_ratings(tmp_path / "r.parquet")
    people = processed.write_participants(pd.DataFrame({"handle": ["P01"], "sector": ["a"]}),
                                          tmp_path / "p.parquet")
    assert processed.read_participants(people, columns=["sector"])["sector"].tolist() == ["a"]
    with pytest.raises(InputError, match=r"missing column\(s\) role.*notebook 01-ingest"):
        processed.read_participants(people, columns=["sector", "role"])
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="not a Parquet file"):
        processed.read_consensus(tmp_path / "bad.parquet")


def test_posts_reader_with_the_columns_a_caller_needs(tmp_path):
    from tweetstorm.errors import InputError

    path = processed.write_parquet(pd.DataFrame({"post_id": ["1"], "role": ["answer"], "question": ["Q1"],
                                                 "author_handle": ["P01"], "text": ["hi"]}),
                                   tmp_path / "posts.parquet")
    back = processed.read_posts(path, columns=["post_id", "text"])
    assert back.columns.tolist() == ["post_id", "author_handle", "text", "role", "question"]  # schema order
    with pytest.raises(InputError, match="created_at"):
        processed.read_posts(path, columns=["post_id", "created_at"])


def test_ingest_report_round_trip(tmp_path):
    from tweetstorm import paths

    committed = paths.ROOT / "data" / "processed" / "ingest_report.csv"
    report = processed.read_ingest_report(committed)
    assert report["read"].tolist() == (report["kept"] + report["duplicate"] + report["superseded"]
                                       + report["rejected"]).tolist()
    out = processed.write_ingest_report(report, tmp_path / "r.csv")
    assert out.read_bytes() == committed.read_bytes()
