"""The ingest framework: bad input, skip mode, reconciliation, outputs, CLI, parallel reading."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tweetstorm import paths
from tweetstorm.errors import InputError
from tweetstorm.ingest import ARROW_SCHEMA, CANONICAL_COLUMNS, FORMATS, read_posts, write_posts
from tweetstorm.ingest import core

FIX = paths.ROOT / "tests/fixtures/ingest/json"
TWARC2 = FIX / "twarc2.jsonl"


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _write(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.write_bytes(data)
    return p


def test_schema_and_columns():
    assert CANONICAL_COLUMNS[0] == "post_id" and CANONICAL_COLUMNS[-1] == "source_line"
    assert len(CANONICAL_COLUMNS) == 19 and ARROW_SCHEMA.names == CANONICAL_COLUMNS
    assert str(ARROW_SCHEMA.field("created_at").type) == "timestamp[us, tz=UTC]"
    assert str(ARROW_SCHEMA.field("hashtags").type) == "list<item: string>"


def test_outside_repo_source_file_is_bare_name(tmp_path):
    p = _write(tmp_path, "export.jsonl", TWARC2.read_bytes())
    res = read_posts([p])
    assert set(res.posts["source_file"]) == {"export.jsonl"}
    assert res.report["source_file"].tolist() == ["export.jsonl"]


def test_malformed_json_line_fails_with_file_and_line(tmp_path):
    lines = _lines(TWARC2)
    p = _write(tmp_path, "bad.jsonl", lines[0] + b'{"data": [oops\n' + lines[1])
    with pytest.raises(InputError) as exc:
        read_posts(p)
    assert exc.value.file == "bad.jsonl" and exc.value.line == 2
    assert "malformed JSON" in str(exc.value)


def test_skip_mode_sets_bad_records_aside_and_reconciles(tmp_path):
    lines = _lines(TWARC2)
    page = json.loads(lines[1])
    del page["data"][0]["id"]  # post 3 without id
    page["data"][1]["created_at"] = "yesterday"  # post 2 without a valid date
    p = _write(tmp_path, "bad.jsonl", lines[0] + b"not json\n" + json.dumps(page).encode() + b"\n")
    rej = tmp_path / "rejects.jsonl"
    res = read_posts(p, on_error="skip", rejects=rej)
    rep = res.report.iloc[0]
    # read: 6 posts of page 1 + 1 bad line + 3 posts of page 2
    assert (rep["read"], rep["kept"], rep["duplicate"], rep["rejected"]) == (10, 7, 0, 3)
    records = [json.loads(x) for x in rej.read_text().splitlines()]
    assert [(r["file"], r["line"]) for r in records] == [("bad.jsonl", 2), ("bad.jsonl", 3), ("bad.jsonl", 3)]
    assert records[0]["raw"] == "not json"
    assert "no id" in records[1]["reason"] and "created_at" in records[2]["reason"]
    assert [r[:2] for r in res.rejects] == [("bad.jsonl", 2), ("bad.jsonl", 3), ("bad.jsonl", 3)]


def test_truncated_file(tmp_path):
    data = TWARC2.read_bytes()
    p = _write(tmp_path, "cut.jsonl", data[: len(data) - 500])
    with pytest.raises(InputError, match="truncated") as exc:
        read_posts(p)
    assert exc.value.line == 2


@pytest.mark.parametrize("data, what", [
    (b"", "empty"),
    (b"  \n\n", "empty"),
    (b"\xef\xbb\xbf" + b'{"data": []}\n', "byte-order mark"),
    ('{"text": "caf\u00e9"}\n'.encode("latin-1"), "not UTF-8"),
    (b"hello, world\nthis is not an export\n", "unknown format"),
    (b'{"some": "json"}\n', "unknown format"),
])
def test_fatal_file_problems(tmp_path, data, what):
    p = _write(tmp_path, "x.jsonl", data)
    with pytest.raises(InputError, match=what) as exc:
        read_posts(p)
    assert exc.value.file == "x.jsonl"
    # with skip: the file is one rejected record, and the other input is still read
    res = read_posts([p, TWARC2], on_error="skip")
    assert res.report["read"].tolist() == [1, 9] and res.report["rejected"].tolist() == [1, 0]
    assert len(res.posts) == 8


def test_tweet_without_id_fails(tmp_path):
    page = json.loads(_lines(TWARC2)[0])
    page["data"][2]["id"] = ""
    p = _write(tmp_path, "noid.jsonl", json.dumps(page).encode() + b"\n")
    with pytest.raises(InputError, match="no id") as exc:
        read_posts(p)
    assert exc.value.line == 1


def test_format_override_and_unknown_format_name(tmp_path):
    assert len(read_posts(TWARC2, format="twarc2").posts) == 8
    with pytest.raises(InputError):
        read_posts(TWARC2, format="nope")


def test_zip_of_exports_expands(tmp_path):
    z = tmp_path / "exports.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(TWARC2, "a/twarc2.jsonl")
        zf.write(FIX / "v1.jsonl", "v1.jsonl")
        zf.writestr("__MACOSX/._v1.jsonl", b"junk")
    res = read_posts(z)
    assert res.report["source_file"].tolist() == ["exports.zip/a/twarc2.jsonl", "exports.zip/v1.jsonl"]
    assert len(res.posts) == 8 and res.report["duplicate"].tolist() == [1, 9]


def test_raw_files_are_not_modified(tmp_path):
    before = {p: p.read_bytes() for p in FIX.rglob("*") if p.is_file()}
    read_posts(FIX, on_error="skip")
    assert {p: p.read_bytes() for p in FIX.rglob("*") if p.is_file()} == before


def test_content_dedup_for_formats_without_exact_ids(tmp_path, monkeypatch):
    """A format that cannot carry exact ids is de-duplicated on (handle, time, text); an exact-id
    copy wins; its own rounded ids are never used to merge different posts."""
    twarc = read_posts(TWARC2).posts
    rows = [{k: (None if not isinstance(v, list) and pd.isna(v) else v) for k, v in r.items()}
            for r in twarc.iloc[[1, 2]].to_dict("records")]  # posts 2 and 3
    other = dict(rows[0], post_id="1635642309473313500", text="a different post, same rounded id")
    fake = types.SimpleNamespace(
        NAME="fake_sheet", EXACT_IDS=False, sniff=lambda path, head: head.startswith(b"FAKE"),
        read=lambda path: iter([(i + 1, {k: r[k] for k in CANONICAL_COLUMNS[:16]} | {"post_id": "1635642309473313500"})
                                for i, r in enumerate(rows + [rows[0], other])]))
    monkeypatch.setitem(FORMATS, "fake_sheet", fake)
    f = _write(tmp_path, "sheet.txt", b"FAKE\n")
    res = read_posts([f, TWARC2])
    rep = res.report.set_index("source_file")
    assert bool(rep.loc["sheet.txt", "exact_ids"]) is False
    # 2 of its 4 rows are in the twarc2 file (exact copy wins), 1 is a repeat of itself; "other" is kept
    assert rep.loc["sheet.txt", ["read", "kept", "duplicate"]].tolist() == [4, 1, 3]
    assert rep.loc["tests/fixtures/ingest/json/twarc2.jsonl", "kept"] == 8 and len(res.posts) == 9


def test_write_posts_parquet_and_csv_round_trip(tmp_path):
    posts = read_posts(TWARC2).posts
    write_posts(posts, tmp_path / "p.parquet")
    table = pq.read_table(tmp_path / "p.parquet")
    assert table.schema.equals(ARROW_SCHEMA, check_metadata=False)
    back = table.to_pandas()
    assert back["post_id"].tolist() == posts["post_id"].tolist()
    assert [list(x) for x in back["hashtags"]] == posts["hashtags"].tolist()
    write_posts(posts, tmp_path / "p.csv")
    csv = pd.read_csv(tmp_path / "p.csv", dtype=str, keep_default_na=False)
    assert csv["post_id"].tolist() == posts["post_id"].tolist()  # ids stay text, never floats
    assert csv["text"].tolist() == posts["text"].tolist()  # newline, comma, quotes survive
    assert json.loads(csv["hashtags"].iloc[6]) == ["plnstorm", "phd"]
    assert csv["created_at"].iloc[0] == "2023-03-14T14:00:00.000000Z"


def test_parallel_byte_ranges_equal_serial(tmp_path, monkeypatch):
    """A file read in byte ranges by worker processes gives the same table, lines and errors."""
    lines = _lines(TWARC2)
    body = b"".join(lines * 40) + b"not json\n" + b"".join(lines * 40)
    p = _write(tmp_path, "big.jsonl", body)
    serial = read_posts(p, on_error="skip", workers=1)
    monkeypatch.setattr(core, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(core, "CHUNK_BYTES", 50_000)
    assert len(core._ranges(p, 50_000)) > 3
    par = read_posts(p, on_error="skip", workers=2)
    pd.testing.assert_frame_equal(serial.posts, par.posts)
    pd.testing.assert_frame_equal(serial.report, par.report)
    assert serial.rejects == par.rejects == [("big.jsonl", 81, par.rejects[0][2])]
    assert par.report["read"].item() == 80 * 9 + 1 and par.report["kept"].item() == 8
    with pytest.raises(InputError) as exc:
        read_posts(p, workers=2)
    assert exc.value.line == 81 and exc.value.file == "big.jsonl"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tweetstorm.ingest", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_cli_writes_table_report_and_rejects(tmp_path):
    bad = _write(tmp_path, "bad.jsonl", _lines(TWARC2)[0] + b"{broken\n")
    r = _cli(str(TWARC2), str(bad), "-o", str(tmp_path / "out.parquet"), "--on-error", "skip",
             "--rejects", str(tmp_path / "rej.jsonl"), "--report", str(tmp_path / "rep.csv"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 8
    rep = pd.read_csv(tmp_path / "rep.csv")
    assert rep.columns.tolist() == ["source_file", "source_format", "exact_ids", "read", "kept", "duplicate", "rejected"]
    assert rep["source_file"].tolist() == ["tests/fixtures/ingest/json/twarc2.jsonl", "bad.jsonl"]
    assert rep["rejected"].tolist() == [0, 1] and rep["duplicate"].tolist() == [1, 6]
    assert str(paths.ROOT) not in (tmp_path / "rej.jsonl").read_text() + (tmp_path / "rep.csv").read_text()


def test_cli_bad_input_exits_2_with_one_line(tmp_path):
    bad = _write(tmp_path, "bad.jsonl", _lines(TWARC2)[0] + b"{broken\n")
    r = _cli(str(bad), "-o", str(tmp_path / "out.csv"), cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert "bad.jsonl, line 2" in r.stderr and not (tmp_path / "out.csv").exists()
