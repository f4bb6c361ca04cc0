"""Hostile inputs to the ingest command: nothing lost, nothing misread, never a traceback.

Every class of bad input a researcher really meets, through ``python -m tweetstorm.ingest``:
an output that is an input, versions of one post, missing-value tokens, byte-order marks,
compressed files, UTF-16/32, a known format missing a column, a damaged workbook, output that
holds no posts, symbolic-link loops, a folder as output, a truncated last line. Each case checks
the exit status, that a failure is one line naming the file (and line where there is one) and the
fix, and that no record is lost: per file read = kept + duplicate + superseded + rejected, with
the rejected and superseded records in the files the command names. Expected posts come from the
fixtures' own JSON, read here with the standard library.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tweetstorm import paths
from tweetstorm.ingest import read_posts, reconciles

FIX = paths.ROOT / "tests/fixtures/ingest"
TWARC2 = FIX / "json/twarc2.jsonl"
TAGS = FIX / "csv/tags_event.csv"
TWARC_CSV = FIX / "csv/twarc_csv_event.csv"
XLSX = FIX / "csv/tweet_archivist_event.xlsx"


def _ids(path: Path) -> set[str]:
    """The tweet ids of a twarc2 file, read here without the package."""
    return {t["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            for t in json.loads(line).get("data", [])}


def _cli(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tweetstorm.ingest", *args], cwd=tmp,
                          capture_output=True, text=True, timeout=300)


def _one_line_error(r: subprocess.CompletedProcess, *must: str) -> str:
    """The error line of a failed run: exit 2, one line, no traceback, naming ``must``."""
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("error: ") and "Fix:" in lines[0], lines[0]
    for m in must:
        assert m in lines[0], lines[0]
    return lines[0]


def _copy(tmp: Path, src: Path, name: str | None = None) -> Path:
    p = tmp / (name or src.name)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(src.read_bytes())
    return p


def _balanced(report_csv: Path) -> pd.DataFrame:
    rep = pd.read_csv(report_csv, keep_default_na=False)
    assert reconciles(rep), rep
    return rep


# ---------------------------------------------------------------- inputs are sacred
@pytest.mark.parametrize("flag", ["-o", "--rejects", "--report", "--superseded"])
@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "inside_folder"])
def test_an_output_that_is_an_input_is_refused(tmp_path, flag, how):
    folder = tmp_path / "exports"
    src = _copy(folder, TAGS, "export.csv")
    before = src.read_bytes()
    target = {"same": src, "symlink": tmp_path / "link.csv", "hardlink": tmp_path / "hard.csv",
              "inside_folder": folder / "out.csv"}[how]
    if how == "symlink":
        target.symlink_to(src)
    elif how == "hardlink":
        os.link(src, target)
    given = str(folder if how == "inside_folder" else src)
    args = [given, "-o", str(target if flag == "-o" else tmp_path / "out.parquet")]
    if flag != "-o":
        args += [flag, str(target)]
    _one_line_error(_cli(tmp_path, *args), flag, "input")
    assert src.read_bytes() == before
    assert not (tmp_path / "out.parquet").exists() and not (folder / "out.csv").exists()


# ---------------------------------------------------------------- versions of one post
def _page(tweets: list[tuple[str, str]], retrieved: str | None) -> str:
    data = [{"id": i, "text": t, "created_at": "2023-03-14T14:00:00.000Z", "author_id": "1"} for i, t in tweets]
    page = {"data": data, "includes": {"users": [{"id": "1", "username": "u1"}]}}
    if retrieved is not None:
        page["__twarc"] = {"retrieved_at": retrieved}
    return json.dumps(page) + "\n"


def test_superseded_versions_go_to_the_rejects_or_their_own_file(tmp_path):
    """Two collections of one event: the later-collected version wins even when read first."""
    late = _copy(tmp_path, TWARC2, "late.jsonl")
    late.write_text(_page([("1", "edited text"), ("2", "same")], "2023-03-16T00:00:00+00:00"))
    early = tmp_path / "early.jsonl"
    early.write_text(_page([("1", "first text"), ("2", "same")], "2023-03-15T00:00:00+00:00"))
    r = _cli(tmp_path, "late.jsonl", "early.jsonl", "-o", "out.csv", "--report", "rep.csv")
    assert r.returncode == 0, r.stderr
    rep = _balanced(tmp_path / "rep.csv")
    assert rep[["kept", "duplicate", "superseded"]].values.tolist() == [[2, 0, 0], [0, 1, 1]]
    out = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert dict(zip(out["post_id"], out["text"])) == {"1": "edited text", "2": "same"}
    sup = [json.loads(x) for x in (tmp_path / "out.superseded.jsonl").read_text().splitlines()]
    assert [(s["file"], s["line"], s["raw"]["text"]) for s in sup] == [("early.jsonl", 1, "first text")]
    assert "out.superseded.jsonl" in r.stderr
    # with --rejects they go there; with --superseded to that file
    r = _cli(tmp_path, "late.jsonl", "early.jsonl", "-o", "o2.csv", "--rejects", "rej.jsonl")
    assert r.returncode == 0 and len((tmp_path / "rej.jsonl").read_text().splitlines()) == 1
    r = _cli(tmp_path, "late.jsonl", "early.jsonl", "-o", "o3.csv", "--rejects", "r3.jsonl",
             "--superseded", "s3.jsonl")
    assert r.returncode == 0 and (tmp_path / "r3.jsonl").read_text() == ""
    assert len((tmp_path / "s3.jsonl").read_text().splitlines()) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from("123"), st.sampled_from(["a", "b"]),
                          st.one_of(st.none(), st.integers(0, 5))), min_size=1, max_size=12),
       st.integers(1, 4))
def test_latest_version_rule(tmp_path_factory, records, per_page):
    """Any sequence of (id, text, collection day) records: one row per id, whose text is that of
    the latest version (by collection time when every copy of the id has one, else the last in
    input order); copies with the winner's text are duplicates, the others superseded."""
    tmp = tmp_path_factory.mktemp("versions")
    lines = []
    for i in range(0, len(records), per_page):
        chunk = records[i:i + per_page]
        days = {d for _, _, d in chunk}
        day = chunk[0][2] if len(days) == 1 else None  # a page has one collection time
        chunk = [(pid, text, day) for pid, text, _ in chunk]
        records[i:i + per_page] = chunk
        lines.append(_page([(pid, text) for pid, text, _ in chunk],
                           None if day is None else f"2023-03-1{day}T00:00:00+00:00"))
    p = tmp / "v.jsonl"
    p.write_text("".join(lines))
    res = read_posts(p, workers=1)
    rep = res.report.iloc[0]
    expected, dup, sup = {}, 0, 0
    for pid in sorted({r[0] for r in records}):
        copies = [(k, r) for k, r in enumerate(records) if r[0] == pid]
        timed = all(r[2] is not None for _, r in copies)
        _, win = max(copies, key=lambda kr: ((kr[1][2] if timed else 0), kr[0]))
        expected[pid] = win[1]
        same = sum(r[1] == win[1] for _, r in copies)
        dup += same - 1
        sup += len(copies) - same
    assert dict(zip(res.posts["post_id"], res.posts["text"])) == expected
    assert (rep["read"], rep["kept"], rep["duplicate"], rep["superseded"]) == (len(records), len(expected), dup, sup)
    assert len(res.superseded) == sup


# ---------------------------------------------------------------- missing values and BOMs
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["NA", "N/A", "n/a", "NaN", "null", "Null", " NA ", ""]))
def test_missing_value_tokens_in_a_tags_sheet(tmp_path_factory, token):
    """A TAGS sheet saved by R (NA) or another tool: every optional cell missing still reads."""
    tmp = tmp_path_factory.mktemp("na")
    header, *rows = list(csv.reader(io.StringIO(TAGS.read_text(encoding="utf-8"))))
    optional = [i for i, h in enumerate(header) if h in (
        "geo_coordinates", "user_lang", "in_reply_to_user_id_str", "in_reply_to_screen_name",
        "in_reply_to_status_id_str", "source", "profile_image_url", "user_followers_count",
        "user_friends_count", "user_location", "from_user_id_str")]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([token if i in optional else v for i, v in enumerate(row)])
    p = tmp / "tags.csv"
    p.write_text(out.getvalue(), encoding="utf-8")
    res = read_posts(p)
    assert reconciles(res.report) and res.report["rejected"].sum() == 0
    assert len(res.posts) == len(read_posts(TAGS).posts)
    assert res.posts["reply_to_handle"].isna().all() and res.posts["author_id"].isna().all()


@pytest.mark.parametrize("src", [TWARC2, TAGS, TWARC_CSV], ids=lambda p: p.name)
def test_utf8_byte_order_mark_is_accepted_and_reported(tmp_path, src):
    p = tmp_path / src.name
    p.write_bytes(codecs.BOM_UTF8 + src.read_bytes())
    r = _cli(tmp_path, src.name, "-o", "out.parquet", "--report", "rep.csv")
    assert r.returncode == 0, r.stderr
    rep = _balanced(tmp_path / "rep.csv")
    assert "byte-order mark" in rep["note"].item()
    assert pq.read_table(tmp_path / "out.parquet").num_rows == len(read_posts(src).posts)


# ---------------------------------------------------------------- compression and encodings
def _zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


COMPRESSORS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress, ".zst": _zstd}


@pytest.mark.parametrize("suffix", list(COMPRESSORS))
def test_compressed_exports_read_transparently(tmp_path, suffix):
    p = tmp_path / f"export.jsonl{suffix}"
    p.write_bytes(COMPRESSORS[suffix](TWARC2.read_bytes()))
    r = _cli(tmp_path, p.name, "-o", "out.csv", "--report", "rep.csv")
    assert r.returncode == 0, r.stderr
    rep = _balanced(tmp_path / "rep.csv")
    assert rep["source_file"].item() == p.name and "compressed" in rep["note"].item()
    assert set(pd.read_csv(tmp_path / "out.csv", dtype=str)["post_id"]) == _ids(TWARC2)


def test_a_truncated_compressed_file_says_so(tmp_path):
    data = gzip.compress(TWARC2.read_bytes())
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    r = _cli(tmp_path, "cut.jsonl.gz", "-o", "out.csv")
    _one_line_error(r, "cut.jsonl.gz", "gzip", "damaged or truncated")
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"])
@pytest.mark.parametrize("src", [TWARC2, TAGS], ids=lambda p: p.name)
def test_utf16_and_utf32_are_decoded_from_their_bom(tmp_path, encoding, src):
    text = src.read_text(encoding="utf-8")
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-be": codecs.BOM_UTF32_BE}.get(encoding, b"")
    p = tmp_path / src.name
    p.write_bytes(bom + text.encode(encoding))
    res = read_posts(p)
    assert reconciles(res.report) and encoding[:6].upper() in res.report["note"].item()
    pd.testing.assert_frame_equal(res.posts.drop(columns="source_file"),
                                  read_posts(src).posts.drop(columns="source_file"))


def test_utf16_without_bom_is_named(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(TWARC2.read_text(encoding="utf-8").encode("utf-16-le"))
    _one_line_error(_cli(tmp_path, "x.jsonl", "-o", "o.csv"), "x.jsonl, line 1", "UTF-16", "iconv")


# ---------------------------------------------------------------- the real problem, named
@pytest.mark.parametrize("src, column", [(TWARC_CSV, "text"), (TWARC_CSV, "id"), (TAGS, "id_str"),
                                         (TAGS, "entities_str"), (TAGS, "text")],
                         ids=lambda x: x if isinstance(x, str) else x.name)
def test_a_known_format_missing_a_column_names_it(tmp_path, src, column):
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    df.drop(columns=column).to_csv(tmp_path / "cut.csv", index=False)
    line = _one_line_error(_cli(tmp_path, "cut.csv", "-o", "o.csv"), "cut.csv, row 1")
    assert f" {column}" in line and "unknown format" not in line


def test_a_damaged_workbook_says_so(tmp_path):
    (tmp_path / "sheet.xlsx").write_bytes(XLSX.read_bytes()[:3000])
    line = _one_line_error(_cli(tmp_path, "sheet.xlsx", "-o", "o.csv"), "sheet.xlsx")
    assert "damaged or truncated" in line and "unknown format" not in line


@pytest.mark.parametrize("data, kind", [
    ({"data": [{"id": "1", "name": "Ann", "username": "ann", "created_at": "2020-01-01T00:00:00.000Z"}]}, "user profiles"),
    ({"data": [{"id": "2", "name": "L", "owner_id": "1", "member_count": 3}]}, "lists"),
    ({"data": [{"start": "2021-10-16T18:00:00.000Z", "end": "2021-10-16T19:00:00.000Z", "tweet_count": 3}]}, "tweet counts"),
])
def test_twarc2_output_without_posts_gives_no_rows_and_says_why(tmp_path, data, kind):
    (tmp_path / "other.jsonl").write_text(json.dumps(data) + "\n")
    r = _cli(tmp_path, "other.jsonl", str(TWARC2), "-o", "o.parquet", "--report", "rep.csv")
    assert r.returncode == 0, r.stderr
    rep = _balanced(tmp_path / "rep.csv").set_index("source_file")
    assert rep.loc["other.jsonl", ["read", "kept"]].tolist() == [0, 0]
    assert rep.loc["other.jsonl", "note"].startswith("holds no posts") and kind in rep.loc["other.jsonl", "note"]
    assert set(pq.read_table(tmp_path / "o.parquet")["post_id"].to_pylist()) == _ids(TWARC2)


# ---------------------------------------------------------------- links, folders, truncation
def test_symlink_loops_are_one_line_errors(tmp_path):
    exports = tmp_path / "exports"
    _copy(exports, TWARC2, "a.jsonl")
    (exports / "back").symlink_to(exports, target_is_directory=True)
    _one_line_error(_cli(tmp_path, "exports", "-o", "o.csv"), "exports/back", "loop")
    (tmp_path / "self.jsonl").symlink_to(tmp_path / "self.jsonl")
    _one_line_error(_cli(tmp_path, "self.jsonl", "-o", "o.csv"), "self.jsonl", "loop")
    (tmp_path / "x1").symlink_to(tmp_path / "x2")
    (tmp_path / "x2").symlink_to(tmp_path / "x1")
    os.unlink(exports / "back")
    (exports / "ring").symlink_to(tmp_path / "x1")
    _one_line_error(_cli(tmp_path, "exports", "-o", "o.csv"), "exports/ring", "loop")
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("flag", ["-o", "--report", "--rejects"])
def test_a_folder_as_output_is_a_one_line_error(tmp_path, flag):
    (tmp_path / "outdir").mkdir()
    (tmp_path / "outdir.csv").mkdir()
    out = "outdir.csv" if flag == "-o" else "o.csv"
    args = [str(TWARC2), "-o", out] + ([] if flag == "-o" else [flag, "outdir"])
    _one_line_error(_cli(tmp_path, *args), flag, "folder")
    assert not (tmp_path / "o.csv").exists()


def test_a_truncated_last_line(tmp_path):
    data = TWARC2.read_bytes()
    (tmp_path / "cut.jsonl").write_bytes(data[: len(data) - 300])
    _one_line_error(_cli(tmp_path, "cut.jsonl", "-o", "o.csv"), "cut.jsonl, line 2", "truncated")
    r = _cli(tmp_path, "cut.jsonl", "-o", "o.csv", "--on-error", "skip", "--report", "rep.csv")
    assert r.returncode == 0
    rep = _balanced(tmp_path / "rep.csv")
    assert rep[["read", "kept", "rejected"]].values.tolist() == [[7, 6, 1]]
    rej = [json.loads(x) for x in (tmp_path / "o.rejects.jsonl").read_text().splitlines()]
    assert [(x["file"], x["line"]) for x in rej] == [("cut.jsonl", 2)] and "truncated" in rej[0]["reason"]


def test_an_unexpected_error_is_one_line_with_the_trace_in_build(tmp_path, monkeypatch):
    """Anything not foreseen still ends in one line (cli.run), here a reader that crashes."""
    from tweetstorm.ingest import __main__ as cli_main
    from tweetstorm.ingest import core

    def boom(*a, **k):
        raise ZeroDivisionError("reader bug")

    monkeypatch.setattr(core, "ingest_table", boom)
    monkeypatch.setattr(sys, "argv", ["x", str(TWARC2), "-o", str(tmp_path / "o.csv")])
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert cli_main.run() == 1
    assert err.getvalue().count("\n") == 1 and "build/errors/" in err.getvalue()


def test_read_posts_refuses_a_rejects_file_that_is_an_input(tmp_path):
    from tweetstorm.errors import ParameterError

    src = _copy(tmp_path, TWARC2)
    before = src.read_bytes()
    with pytest.raises(ParameterError, match="rejects"):
        read_posts(src, on_error="skip", rejects=src)
    assert src.read_bytes() == before


def test_an_edited_mastodon_status_keeps_its_latest_edit(tmp_path):
    """Mastodon keeps a status's uri when it is edited: the version with the latest edited_at wins,
    whatever the input order."""
    status = json.loads((FIX / "json/mastodon.jsonl").read_text(encoding="utf-8").splitlines()[0])[0]
    status = {k: v for k, v in status.items() if k not in ("in_reply_to_id", "in_reply_to_account_id")}
    old = dict(status, content="<p>first words</p>", edited_at=None)
    new = dict(status, content="<p>better words</p>", edited_at="2023-03-14T15:00:00.000Z")
    (tmp_path / "a.jsonl").write_text(json.dumps(new) + "\n" + json.dumps(old) + "\n", encoding="utf-8")
    res = read_posts(tmp_path / "a.jsonl")
    assert res.posts["text"].tolist() == ["better words"]
    assert res.report[["kept", "superseded"]].values.tolist() == [[1, 1]]
    assert res.superseded[0][1] == 2 and res.superseded[0][3]["text"] == "first words"


def test_an_edited_tweet_in_an_x_archive_keeps_its_latest_version(tmp_path):
    """An X archive stores every version of an edited tweet, each with the ids of all versions."""
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text('window.YTD.account.part0 = [{"account": {"username": "ann", '
                                     '"accountId": "7"}}]', encoding="utf-8")
    base = {"created_at": "Tue Mar 14 14:00:00 +0000 2023", "entities": {"hashtags": [], "user_mentions": [], "urls": []},
            "lang": "en"}
    first = dict(base, id_str="100", full_text="tpyo here",
                 edit_info={"initial": {"editTweetIds": ["100", "101"]}})
    second = dict(base, id_str="101", full_text="typo fixed", created_at="Tue Mar 14 14:05:00 +0000 2023",
                  edit_info={"edit": {"initialTweetId": "100", "editControlInitial": {"editTweetIds": ["100", "101"]}}})
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps([{"tweet": second}, {"tweet": first}]),
                                    encoding="utf-8")
    res = read_posts(tmp_path / "archive")
    assert res.posts["post_id"].tolist() == ["101"] and res.posts["text"].tolist() == ["typo fixed"]
    assert res.report[["read", "kept", "superseded"]].values.tolist() == [[2, 1, 1]]
    assert "earlier version of post 101" in res.superseded[0][2]


@pytest.mark.parametrize("token", ["NA", "n/a", "null"])
@pytest.mark.parametrize("kind", ["twarc_csv", "tweet_archivist_csv", "tweet_archivist_xlsx"])
def test_missing_value_tokens_in_every_spreadsheet_reader(tmp_path, kind, token):
    """twarc-csv and Tweet Archivist (CSV and workbook): optional cells holding a missing-value
    token read as missing, the posts as without them."""
    import openpyxl

    if kind == "twarc_csv":
        src, cols = TWARC_CSV, ["in_reply_to_username", "lang", "source"]
    else:
        src, cols = FIX / "csv/tweet_archivist_event.csv", ["to_user", "iso_language_code", "in_reply_to_status_id"]
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    plain = read_posts(src).posts
    df[cols] = token
    if kind == "tweet_archivist_xlsx":
        p = tmp_path / "sheet.xlsx"
        wb = openpyxl.Workbook()
        wb.active.append(list(df.columns))
        for row in df.itertuples(index=False):
            wb.active.append(list(row))
        wb.save(p)
    else:
        p = tmp_path / "sheet.csv"
        df.to_csv(p, index=False)
    res = read_posts(p)
    assert reconciles(res.report) and res.report["rejected"].item() == 0
    assert len(res.posts) == len(plain)
    assert res.posts["reply_to_handle"].isna().all() and res.posts["lang"].isna().all()
    assert res.posts["text"].tolist() == plain["text"].tolist()
