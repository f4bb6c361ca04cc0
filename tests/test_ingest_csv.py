"""The spreadsheet-family readers (Tweet Archivist, TAGS, twarc-csv) on their fixtures.

Expected values come from ``tests/fixtures/ingest/EVENT.md`` (parsed here, not from the
readers) and from hand computation (Excel serials, rounded ids). Fixtures are rebuilt by
``tests/fixtures/ingest/make_csv_fixtures.py``.

Documented decisions checked here:

- a UTF-8 BOM (Excel's "CSV UTF-8") is skipped; R's ``NA`` and the other missing-value tokens
  are empty cells;
- a non-UTF-8 file is an InputError naming the file, the byte offset and the line;
- a row with the wrong number of fields, without id or date, or with an id a spreadsheet rounded
  and nothing to recover it from, is yielded as ``(row, InputError)`` naming file and row;
- empty file, missing column and truncated file raise InputError.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tweetstorm.errors import InputError
from tweetstorm.ingest._record import READER_KEYS, check_post
from tweetstorm.ingest.formats import _sheet, tags, tweet_archivist, twarc_csv

FIX = Path(__file__).parent / "fixtures" / "ingest"
CSV = FIX / "csv"
BAD = CSV / "bad"
UTC = dt.timezone.utc


# ------------------------------------------------------------------ the event, from EVENT.md

def load_event() -> dict[int, dict]:
    """Post number -> expected canonical values of the Twitter formats, read from EVENT.md."""
    md = (FIX / "EVENT.md").read_text(encoding="utf-8")
    users = dict((h, i) for i, h in re.findall(r"^\| (\d{7}) \| (\w+) \|", md, re.M))
    posts: dict[int, dict] = {}
    for n, pid, when, author, text, rel in re.findall(
            r"^\| (\d) \| (\d{19}) \| ([\d\- :]+) \| (\w+) \| (.*) \| (.*) \|$", md, re.M):
        n = int(n)
        text = text.strip()
        post = dict(post_id=pid, platform="twitter", author_id=users[author],
                    author_handle=author,
                    created_at=dt.datetime.fromisoformat(when.strip()).replace(tzinfo=UTC),
                    text=text[1:-1].replace("\\n", "\n") if text.startswith("`") else None,
                    lang="en", is_retweet=False, retweeted_post_id=None, reply_to_post_id=None,
                    reply_to_handle=None, quoted_post_id=None, conversation_id=pid,
                    hashtags=["plnstorm"], mentions=[], urls=[], _rel=rel)
        posts[n] = post
    for _n, post in posts.items():
        rel = post.pop("_rel")
        if m := re.match(r"reply to (\d) \(reply_to_handle (\w+)\)", rel):
            post.update(reply_to_post_id=posts[int(m[1])]["post_id"], reply_to_handle=m[2],
                        conversation_id=posts[int(m[1])]["post_id"])
        elif m := re.match(r"retweet of (\d)", rel):
            orig = posts[int(m[1])]
            post.update(is_retweet=True, retweeted_post_id=orig["post_id"], text=orig["text"])
        elif m := re.match(r"quote of (\d)", rel):
            post.update(quoted_post_id=posts[int(m[1])]["post_id"])
    # The entity lists of EVENT.md's bullet list (typed from it).
    posts[7]["hashtags"] = ["plnstorm", "phd"]
    posts[3]["mentions"], posts[7]["mentions"], posts[8]["mentions"] = ["anna_r"], ["bob_k"], ["carla_m"]
    posts[3]["urls"] = ["https://example.org/tools"]
    return posts


EVENT = load_event()
ORDER = [1, 2, 3, 3, 4, 5, 6, 7, 8]  # the 9 records of every fixture: post 3 twice


def test_event_md_parsed():
    """The parser of EVENT.md found what the page says (8 posts, the relations)."""
    assert sorted(EVENT) == list(range(1, 9))
    assert EVENT[2]["text"] == ("A1: Ideas, papers & feedback on drafts, from people I'd never "
                                "meet in Zürich 📚 #PLNstorm")
    assert EVENT[3]["text"].count("\n") == 1
    assert EVENT[4]["retweeted_post_id"] == "1635642309473313461"
    assert EVENT[5]["quoted_post_id"] == "1635641931986031091"
    assert EVENT[8]["reply_to_post_id"] == "1635644784112740591"


def read_all(mod, path: Path) -> list[tuple[int, dict | InputError]]:
    return list(mod.read(path))


# What each format cannot carry (None = not compared); see the module docstrings.
NOT_CARRIED = {
    "twarc_csv": set(),
    "tags": {"lang", "retweeted_post_id", "conversation_id"},
    "tweet_archivist": {"retweeted_post_id", "quoted_post_id", "conversation_id"},
}


@pytest.mark.parametrize("mod,fname", [
    (twarc_csv, "twarc_csv_event.csv"),
    (tags, "tags_event.csv"),
    (tweet_archivist, "tweet_archivist_event.csv"),
])
def test_event_fixture_values(mod, fname):
    records = read_all(mod, CSV / fname)
    assert [r for r, _ in records] == list(range(2, 11))  # header = row 1; 9 records
    for (row, post), n in zip(records, ORDER):
        assert not isinstance(post, InputError), post
        assert check_post(post) is None
        assert set(post) == set(READER_KEYS)
        want = EVENT[n]
        for key in READER_KEYS:
            if key in NOT_CARRIED[mod.NAME]:
                assert post[key] is None, (row, key)
            elif mod is tweet_archivist and key in ("text", "urls") and n in (3, 5):
                continue  # checked below: the t.co links stay (the export has no targets)
            else:
                assert post[key] == want[key], (fname, row, key)


def test_tweet_archivist_keeps_tco_links():
    posts = dict(read_all(tweet_archivist, CSV / "tweet_archivist_event.csv"))
    assert posts[4]["text"] == ("@anna_r Same here!\nA1: mostly new tools, e.g. "
                                "https://t.co/Tools12345 #PLNstorm")
    assert posts[4]["urls"] == ["https://t.co/Tools12345"]
    assert posts[7]["text"] == ("A1: To learn in public, without a classroom. #PLNstorm "
                                "https://t.co/Quote12345")


def test_tags_id_recovered_from_status_url():
    raw = (CSV / "tags_event.csv").read_text(encoding="utf-8")
    assert "1.63564E+18" in raw  # post 6's id_str as Excel left it
    posts = dict(read_all(tags, CSV / "tags_event.csv"))
    assert posts[8]["post_id"] == "1635644448568366029"
    assert tags.EXACT_IDS is True


def test_tags_uses_created_at_not_sheet_local_time():
    raw = (CSV / "tags_event.csv").read_text(encoding="utf-8")
    assert "14/03/2023 15:00:00" in raw  # the 'time' column is an hour ahead (the sheet's zone)
    posts = dict(read_all(tags, CSV / "tags_event.csv"))
    assert posts[2]["created_at"] == dt.datetime(2023, 3, 14, 14, 0, tzinfo=UTC)


def test_tweet_archivist_xlsx_precision_and_dates():
    """Ids stored as Excel numbers keep 15 significant digits; dates are date cells and serials."""
    assert tweet_archivist.EXACT_IDS is False  # -> the framework de-duplicates on content
    records = read_all(tweet_archivist, CSV / "tweet_archivist_event.xlsx")
    assert [r for r, _ in records] == list(range(2, 11))
    posts = dict(records)
    # 1635641931986031091 to 15 significant digits: 163564193198603|1091 -> ...030000
    assert posts[2]["post_id"] == "1635641931986030000"
    # 1635642309473313461 -> 163564230947331|3461 -> ...310000; the reply of post 3 points there
    assert posts[3]["post_id"] == "1635642309473310000"
    assert posts[4]["reply_to_post_id"] == "1635642309473310000"
    # 1635644951884806641 -> 163564495188480|6641 -> rounds up to ...481 -> ...810000
    assert posts[10]["post_id"] == "1635644951884810000"
    for (row, post), n in zip(records, ORDER):
        assert post["created_at"] == EVENT[n]["created_at"], row  # row 2 cell, row 3 serial...
        assert post["author_handle"] == EVENT[n]["author_handle"]
        assert post["author_id"] == EVENT[n]["author_id"]  # small ids survive as numbers
    assert posts[4]["text"].startswith("@anna_r Same here!\nA1:")
    assert posts[6]["is_retweet"] and posts[6]["text"] == EVENT[2]["text"]


def test_tweet_archivist_e18_csv():
    """An Excel CSV of a decimal-comma locale: ';', ids as 1,63564E+18, dates as serials."""
    records = read_all(tweet_archivist, CSV / "tweet_archivist_e18.csv")
    assert all(p["post_id"] == "1635640000000000000" for _, p in records)
    for (_, post), n in zip(records, ORDER):
        assert post["created_at"] == EVENT[n]["created_at"]
        assert post["hashtags"] == EVENT[n]["hashtags"]


def test_excel_serials_by_hand():
    # 1900 date system: serial 1 = 1900-01-01, with Lotus' phantom 1900-02-29, so from March
    # 1900 on a serial counts days since 1899-12-30.
    serial = (dt.date(2023, 3, 14) - dt.date(1899, 12, 30)).days + 14 / 24
    assert serial == 44999 + 14 / 24
    assert _sheet.parse_date(serial) == dt.datetime(2023, 3, 14, 14, 0, tzinfo=UTC)
    assert _sheet.parse_date("44999,5833333333") == dt.datetime(2023, 3, 14, 14, 0, tzinfo=UTC)
    from openpyxl.utils.datetime import CALENDAR_MAC_1904
    # 1904 date system (old Mac workbooks): serial 0 = 1904-01-01.
    assert _sheet.parse_date(1.5, CALENDAR_MAC_1904) == dt.datetime(1904, 1, 2, 12, tzinfo=UTC)
    with pytest.raises(ValueError):
        _sheet.parse_date(0.5)  # a time of day, not a date
    assert _sheet.parse_date("Tue Mar 14 14:00:00 +0000 2023") == \
        dt.datetime(2023, 3, 14, 14, tzinfo=UTC)
    assert _sheet.parse_date("2023-03-14T15:00:00+01:00") == \
        dt.datetime(2023, 3, 14, 14, tzinfo=UTC)
    with pytest.raises(ValueError):
        _sheet.parse_date("14.03.2023")


@pytest.mark.parametrize("cell,expected", [
    ("1635641931986031091", ("1635641931986031091", True)),
    (1635641931986031091, ("1635641931986031091", True)),
    ("1.63564E+18", ("1635640000000000000", False)),
    ("1,63564E+18", ("1635640000000000000", False)),
    (1.63564193198603e18, ("1635641931986030000", False)),
    (3001002.0, ("3001002", True)),
    ("'1635641931986031091", ("1635641931986031091", True)),
    ("", (None, True)),
])
def test_parse_id(cell, expected):
    assert _sheet.parse_id(cell) == expected


@pytest.mark.parametrize("cell", ["12.5", "-5", "abc", "1E+999999999", float("inf"), True])
def test_parse_id_rejects(cell):
    with pytest.raises(ValueError):
        _sheet.parse_id(cell)


def test_twarc_csv_unmerged_retweet_and_literal_newlines(tmp_path):
    """A retweet whose original was not in the response keeps 'RT @user: ...': prefix removed."""
    src = (CSV / "twarc_csv_event.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    rt = src[5]  # row 6 = post 4, the retweet
    assert "1635642728903668905" in rt
    rt = rt.replace("A1: Ideas, papers &amp; feedback",
                    "RT @anna_r: A1: Ideas, papers &amp; feedback", 1)
    rt = rt.replace('"[""#PLNstorm""]",,', '"[""#PLNstorm""]","[""@anna_r""]",', 1)
    path = tmp_path / "rt.csv"
    path.write_text(src[0] + rt, encoding="utf-8")
    [(row, post)] = read_all(twarc_csv, path)
    assert row == 2
    assert post["is_retweet"] and post["retweeted_post_id"] == "1635642309473313461"
    assert post["text"] == EVENT[2]["text"]
    assert post["mentions"] == []
    posts = dict(read_all(twarc_csv, CSV / "twarc_csv_event.csv"))
    raw = (CSV / "twarc_csv_event.csv").read_text(encoding="utf-8")
    assert "Same here!\\nA1:" in raw  # two characters in the file
    assert "Same here!\nA1:" in posts[4]["text"]  # one newline in the post


# ------------------------------------------------------------------------------ sniffing

GOOD = {"twarc_csv_event.csv": "twarc_csv", "tags_event.csv": "tags",
        "tweet_archivist_event.csv": "tweet_archivist",
        "tweet_archivist_event.xlsx": "tweet_archivist",
        "tweet_archivist_e18.csv": "tweet_archivist"}


@pytest.mark.parametrize("fname", sorted(GOOD))
def test_sniff_exclusive(fname):
    path = CSV / fname
    head = path.read_bytes()[:65536]
    hits = [m.NAME for m in (tags, twarc_csv, tweet_archivist) if m.sniff(path, head)]
    assert hits == [GOOD[fname]]


def test_sniff_rejects_json():
    head = b'{"data": [{"id": "1", "text": "x"}], "includes": {}}\n'
    for mod in (tags, twarc_csv, tweet_archivist):
        assert not mod.sniff(Path("x.jsonl"), head)


# ---------------------------------------------------------------------------- bad input

def test_bad_rows_are_row_errors():
    path = BAD / "tags_bad_rows.csv"
    records = read_all(tags, path)
    assert [r for r, _ in records] == [2, 3, 4, 5]
    assert records[0][1]["post_id"] == "1635641931986031091"
    errs = {r: e for r, e in records if isinstance(e, InputError)}
    assert sorted(errs) == [3, 4, 5]
    for row, err in errs.items():
        assert "tags_bad_rows.csv" in str(err) and f"row {row}" in str(err)
        assert err.row == row and err.fix
        assert err.raw  # the record, for the rejects file
    assert "17 fields where the header has 18" in str(errs[3])
    assert "id_str is empty" in str(errs[4]) and "created_at" in str(errs[4])
    assert "1.63564E+18" in str(errs[5]) and "status_url" in str(errs[5])


def test_missing_column():
    with pytest.raises(InputError) as exc:
        read_all(tags, BAD / "tags_missing_column.csv")
    msg = str(exc.value)
    assert "tags_missing_column.csv, row 1" in msg and "created_at" in msg


def test_non_utf8_names_byte_offset():
    path = BAD / "twarc_csv_latin1.csv"
    data = path.read_bytes()
    offset = data.index(b"Z\xfcrich") + 1  # the Latin-1 'ü'
    line = data[:offset].count(b"\n") + 1
    with pytest.raises(InputError) as exc:
        read_all(twarc_csv, path)
    msg = str(exc.value)
    assert "twarc_csv_latin1.csv" in msg and f"line {line}" in msg
    assert f"byte offset {offset}" in msg and "UTF-8" in exc.value.fix


def test_truncated_file():
    with pytest.raises(InputError) as exc:
        read_all(twarc_csv, BAD / "twarc_csv_truncated.csv")
    assert "twarc_csv_truncated.csv, row 4" in str(exc.value)
    assert "truncated" in str(exc.value)


@pytest.mark.parametrize("mod", [tags, twarc_csv, tweet_archivist])
def test_empty_file(mod):
    with pytest.raises(InputError) as exc:
        read_all(mod, BAD / "tweet_archivist_empty.csv")
    assert "tweet_archivist_empty.csv, row 1" in str(exc.value) and "empty" in str(exc.value)


def test_bom_is_skipped():
    """Excel's "CSV UTF-8" writes a byte-order mark: the file reads as without it."""
    bom = read_all(tweet_archivist, BAD / "tweet_archivist_bom.csv")
    assert bom and all(isinstance(post, dict) for _, post in bom)
    assert not bom[0][1]["post_id"].startswith("\ufeff")


def test_missing_value_tokens_are_empty_cells(tmp_path):
    """A TAGS sheet saved by R writes NA (and other tools N/A, null, NaN) for a missing value."""
    header, *rows = list(csv.reader(io.StringIO((CSV / "tags_event.csv").read_text(encoding="utf-8"))))
    col = header.index("in_reply_to_screen_name")
    tokens = ["NA", "N/A", "null", "NaN", "n/a"]
    rows = rows[:5]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for row, token in zip(rows, tokens):
        row[col] = token
        w.writerow(row)
    p = tmp_path / "tags_na.csv"
    p.write_text(out.getvalue(), encoding="utf-8")
    got = read_all(tags, p)
    assert len(got) == 5 and all(post["reply_to_handle"] is None for _, post in got)


def test_damaged_xlsx(tmp_path):
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes((CSV / "tweet_archivist_event.xlsx").read_bytes()[:2000])
    with pytest.raises(InputError) as exc:
        read_all(tweet_archivist, cut)
    assert "cut.xlsx" in str(exc.value)


def test_xlsx_missing_id_and_date(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "holes.xlsx"
    shutil.copy(CSV / "tweet_archivist_event.xlsx", path)
    wb = load_workbook(path)
    ws = wb.active
    ws["A3"] = None  # row 3: no id
    ws["B4"] = "yesterday"  # row 4: no usable date
    wb.save(path)
    records = dict(read_all(tweet_archivist, path))
    assert isinstance(records[3], InputError) and "holes.xlsx, row 3" in str(records[3])
    assert "no tweet id" in str(records[3])
    assert isinstance(records[4], InputError) and "holes.xlsx, row 4" in str(records[4])
    assert "yesterday" in str(records[4])
    assert not isinstance(records[5], InputError)


# ------------------------------------------------------------------- property: only InputError

SOURCES = [(twarc_csv, "twarc_csv_event.csv"), (tags, "tags_event.csv"),
           (tweet_archivist, "tweet_archivist_event.csv")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, len(SOURCES) - 1), cuts=st.lists(
    st.tuples(st.integers(0, 6000), st.binary(max_size=6)), max_size=4))
def test_mutated_files_give_posts_or_input_errors(tmp_path, which, cuts):
    """Random byte edits of a fixture: every record is a valid post or an InputError, and the
    only exception is InputError."""
    mod, fname = SOURCES[which]
    data = bytearray((CSV / fname).read_bytes())
    for pos, repl in cuts:
        pos = min(pos, len(data))
        data[pos:pos + len(repl)] = repl
    path = tmp_path / fname
    path.write_bytes(bytes(data))
    try:
        for row, rec in mod.read(path):
            assert isinstance(row, int) and row >= 2
            assert isinstance(rec, InputError) or check_post(rec) is None, rec
    except InputError:
        pass
