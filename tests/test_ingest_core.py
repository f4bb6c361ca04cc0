"""The ingest framework: bad input, skip mode, reconciliation, outputs, CLI, parallel reading."""

from __future__ import annotations

import json
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tweetstorm import paths
from tweetstorm.errors import InputError, ParameterError
from tweetstorm.ingest import ARROW_SCHEMA, CANONICAL_COLUMNS, FORMATS, read_posts, write_posts
from tweetstorm.ingest import core, reading, runs, writing

FIX = paths.ROOT / "tests/fixtures/ingest/json"
TWARC2 = FIX / "twarc2.jsonl"


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _write(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.parent.mkdir(parents=True, exist_ok=True)
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
    with pytest.raises(ParameterError, match="unknown format"):
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


@pytest.mark.parametrize("spill", [False, True])
def test_content_dedup_for_formats_without_exact_ids(tmp_path, monkeypatch, spill):
    """A format that cannot carry exact ids is de-duplicated on (handle, time, text); an exact-id
    copy wins; its own rounded ids are never used to merge different posts (also when the posts
    are spilled in runs and their text read back)."""
    twarc = read_posts(TWARC2).posts
    if spill:
        _spill(monkeypatch)
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
    monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(reading, "CHUNK_BYTES", 50_000)
    assert len(reading.byte_ranges(p, 50_000)) > 3
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
    assert rep.columns.tolist() == ["source_file", "source_format", "exact_ids", "read", "kept", "duplicate",
                                    "superseded", "rejected", "note"]
    assert rep["source_file"].tolist() == ["tests/fixtures/ingest/json/twarc2.jsonl", "bad.jsonl"]
    assert rep["rejected"].tolist() == [0, 1] and rep["duplicate"].tolist() == [1, 6]
    assert str(paths.ROOT) not in (tmp_path / "rej.jsonl").read_text() + (tmp_path / "rep.csv").read_text()


def test_cli_skip_without_rejects_file_still_keeps_the_rejects(tmp_path):
    bad = _write(tmp_path, "bad.jsonl", _lines(TWARC2)[0] + b"{broken\n")
    r = _cli(str(bad), "-o", str(tmp_path / "out.parquet"), "--on-error", "skip", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rejected = [json.loads(line) for line in (tmp_path / "out.rejects.jsonl").read_text().splitlines()]
    assert [(x["file"], x["line"]) for x in rejected] == [("bad.jsonl", 2)]


def test_inputs_outside_the_repo_keep_their_folders_apart(tmp_path):
    page = _lines(TWARC2)[0] + b"\n"
    a = _write(tmp_path / "a", "tweets.jsonl", page)
    b = _write(tmp_path / "b", "tweets.jsonl", page)
    report = read_posts([a, b]).report
    assert report["source_file"].tolist() == ["a/tweets.jsonl", "b/tweets.jsonl"]
    assert read_posts([a]).report["source_file"].tolist() == ["tweets.jsonl"]


def test_cli_bad_input_exits_2_with_one_line(tmp_path):
    bad = _write(tmp_path, "bad.jsonl", _lines(TWARC2)[0] + b"{broken\n")
    r = _cli(str(bad), "-o", str(tmp_path / "out.csv"), cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert "bad.jsonl, line 2" in r.stderr and not (tmp_path / "out.csv").exists()


# ---------------------------------------------------------------- spilled runs and the k-way merge
def _page(tweets: list[tuple[str, str, str]]) -> bytes:
    """One twarc2 page of minimal tweets ``(id, created_at, text)`` by user 1 (@u1)."""
    data = [{"id": i, "text": t, "created_at": c, "author_id": "1"} for i, c, t in tweets]
    return json.dumps({"data": data, "includes": {"users": [{"id": "1", "username": "u1"}]}}).encode() + b"\n"


def _tie_heavy_export(tmp: Path) -> tuple[Path, list[tuple[str, str]]]:
    """An export whose posts share few timestamps, with ids repeated across pages (the later copy
    with other text), and the expected (post_id, text) in output order, computed here by hand:
    the last copy of an id in input order is its latest version and wins (the export has no
    collection times), then a stable sort by (created_at, post_id)."""
    times = ["2023-03-14T14:00:00.000Z", "2023-03-14T14:00:01.000Z", "2023-03-14T13:59:59.000Z"]
    pages, seen = [], {}
    for p in range(12):
        tweets = []
        for k in range(5):
            n = (p * 7 + k * 3) % 23  # ids repeat across pages
            pid = str(1635640000000000000 + n * 1000003)
            c = times[n % 3]
            tweets.append((pid, c, f"post {n} copy on page {p}"))
            seen[pid] = (c, f"post {n} copy on page {p}")
        pages.append(_page(tweets))
    path = _write(tmp, "ties.jsonl", b"".join(pages[:6]) + b"not json\n" + b"".join(pages[6:]))
    expected = [(pid, text) for pid, (c, text) in sorted(seen.items(), key=lambda kv: (kv[1][0], kv[0]))]
    return path, expected


def _spill(monkeypatch, parallel: bool = False) -> None:
    """Make a tiny input take the spill path: every few posts a run, a few rows per batch."""
    monkeypatch.setattr(core, "SPILL_MIN_BYTES", 1)
    monkeypatch.setattr(reading, "BATCH_ROWS", 4)
    monkeypatch.setattr(runs, "RUN_BATCH_ROWS", 3)
    if parallel:
        monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 1)
        monkeypatch.setattr(reading, "CHUNK_BYTES", 700)


@pytest.mark.parametrize("parallel", [False, True])
def test_spilled_runs_merge_to_the_in_memory_table(tmp_path, monkeypatch, parallel):
    """Sorted runs spilled to disk and merged give the in-memory table: the latest version of an
    id wins across runs and chunks, order by created_at then post_id, rejects and report unchanged."""
    path, expected = _tie_heavy_export(tmp_path)
    memory = read_posts(path, on_error="skip", workers=1)
    assert list(zip(memory.posts["post_id"], memory.posts["text"])) == expected
    _spill(monkeypatch, parallel)
    if parallel:
        assert len(reading.byte_ranges(path, reading.CHUNK_BYTES)) > 4
    spilled = read_posts(path, on_error="skip", workers=2 if parallel else 1)
    pd.testing.assert_frame_equal(memory.posts, spilled.posts)
    pd.testing.assert_frame_equal(memory.report, spilled.report)
    assert memory.rejects == spilled.rejects and [r[1] for r in spilled.rejects] == [7]
    rep = spilled.report.iloc[0]
    assert (rep["read"], rep["kept"], rep["duplicate"], rep["superseded"], rep["rejected"]) == (
        61, len(expected), 0, 60 - len(expected), 1)
    assert len(spilled.superseded) == 60 - len(expected)
    assert spilled.posts["source_line"].tolist() == memory.posts["source_line"].tolist()


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_cli_writer_merges_spilled_runs_and_removes_them(tmp_path, monkeypatch, suffix):
    path, expected = _tie_heavy_export(tmp_path)
    posts = core.ingest_table(path, on_error="skip", workers=1).posts
    writing.write_table(posts, None, tmp_path / f"memory{suffix}")
    _spill(monkeypatch)
    posts = core.ingest_table(path, on_error="skip", workers=1).posts
    files = sorted(Path(posts._tmp.name).iterdir())
    assert len(posts) == len(expected) and len(files) == len(posts.runs) > 5
    writing.write_table(posts, None, tmp_path / f"spilled{suffix}")
    assert (tmp_path / f"spilled{suffix}").read_bytes() == (tmp_path / f"memory{suffix}").read_bytes()
    posts.close()
    assert not any(p.exists() for p in files)


def test_merge_of_interleaved_runs_holds_one_batch_per_run(tmp_path, monkeypatch):
    """Runs whose times interleave (every run spans the whole event) merge into one sorted order."""
    tweets = [(str(1635640000000000000 + i), f"2023-03-14T14:{(i * 37) % 60:02d}:00.000Z", f"t{i}")
              for i in range(60)]
    path = _write(tmp_path, "mix.jsonl", b"".join(_page(tweets[i:i + 5]) for i in range(0, 60, 5)))
    _spill(monkeypatch)
    table = core.ingest_table(path, workers=1).posts.table()
    want = sorted(tweets, key=lambda t: (t[1], t[0]))
    assert table["post_id"].to_pylist() == [t[0] for t in want]
    assert table.schema.equals(ARROW_SCHEMA)


def test_empty_result_writes_an_empty_table(tmp_path, monkeypatch):
    p = _write(tmp_path, "empty_pages.jsonl", b'{"data": [], "meta": {"result_count": 0}}\n')
    _spill(monkeypatch)
    got = core.ingest_table(p)
    assert len(got.posts) == 0 and got.report["read"].tolist() == [0]
    writing.write_table(got.posts, None, tmp_path / "out.parquet")
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 0


def test_blank_id_is_rejected_by_the_fast_check(tmp_path):
    page = json.loads(_lines(TWARC2)[0])
    page["data"][2]["id"] = "   "
    p = _write(tmp_path, "blank.jsonl", json.dumps(page).encode() + b"\n")
    with pytest.raises(InputError, match="the post has no id") as exc:
        read_posts(p)
    assert exc.value.line == 1
