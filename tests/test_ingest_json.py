"""The JSON-family readers against the fixture event (tests/fixtures/ingest/EVENT.md).

The expected values below are typed in from EVENT.md, not copied from reader output.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tweetstorm.ingest import CANONICAL_COLUMNS, read_posts

FIX = "tests/fixtures/ingest/json/"
IDS = ["1635641931986031091", "1635642309473313461", "1635642624046252263", "1635642728903668905",
       "1635642938618944363", "1635644448568366029", "1635644784112740591", "1635644951884806641"]
AUTHORS = ["pln_mod", "anna_r", "bob_k", "carla_m", "dave_o", "pln_mod", "carla_m", "anna_r"]
TIMES = ["14:00:00", "14:01:30", "14:02:45", "14:03:10", "14:04:00", "14:10:00", "14:11:20", "14:12:00"]
T2 = "A1: Ideas, papers & feedback on drafts, from people I'd never meet in Zürich 📚 #PLNstorm"
TEXTS = [
    "Q1: What do you want to learn through your personal learning network? Answer with A1: #PLNstorm",
    T2,
    "@anna_r Same here!\nA1: mostly new tools, e.g. https://example.org/tools #PLNstorm",
    T2,
    "A1: To learn in public, without a classroom. #PLNstorm",
    "Q2: What motivates you to learn through your network? #PLNstorm",
    "A2: Curiosity, and people who answer at 2am 🌙 thanks @bob_k! #PLNstorm #PhD",
    '@carla_m A2: the same, plus "serendipity" 😀 #PLNstorm',
]
REPLY = {3: 2, 8: 7}
QUOTE = {5: 1}
RT = {4: 2}
MENTIONS = {3: ["anna_r"], 7: ["bob_k"], 8: ["carla_m"]}


def expected_twitter() -> pd.DataFrame:
    rows = []
    for n in range(1, 9):
        rows.append({
            "post_id": IDS[n - 1], "platform": "twitter", "author_id": f"300100{['pln_mod', 'anna_r', 'bob_k', 'carla_m', 'dave_o'].index(AUTHORS[n - 1]) + 1}",
            "author_handle": AUTHORS[n - 1],
            "created_at": pd.Timestamp(f"2023-03-14T{TIMES[n - 1]}Z"), "text": TEXTS[n - 1], "lang": "en",
            "is_retweet": n in RT, "retweeted_post_id": IDS[RT[n] - 1] if n in RT else None,
            "reply_to_post_id": IDS[REPLY[n] - 1] if n in REPLY else None,
            "reply_to_handle": AUTHORS[REPLY[n] - 1] if n in REPLY else None,
            "quoted_post_id": IDS[QUOTE[n] - 1] if n in QUOTE else None,
            "conversation_id": IDS[REPLY[n] - 1] if n in REPLY else IDS[n - 1],
            "hashtags": ["plnstorm", "phd"] if n == 7 else ["plnstorm"],
            "mentions": MENTIONS.get(n, []),
            "urls": ["https://example.org/tools"] if n == 3 else [],
        })
    return pd.DataFrame(rows)


def _compare(got: pd.DataFrame, want: pd.DataFrame, columns: list[str]) -> None:
    assert list(got.columns) == CANONICAL_COLUMNS
    assert len(got) == len(want) == 8
    for col in columns:
        g = [None if (not isinstance(v, list) and pd.isna(v)) else v for v in got[col]]
        w = [None if (not isinstance(v, list) and pd.isna(v)) else v for v in want[col]]
        assert g == w, col


ALL = [c for c in CANONICAL_COLUMNS if not c.startswith("source_")]


@pytest.mark.parametrize("name, fmt, missing", [
    ("twarc2.jsonl", "twarc2", []),
    ("flatten.jsonl", "twarc2_flatten", []),
    ("v1.jsonl", "twitter_v1", ["conversation_id"]),  # v1.1 has no conversation id
    ("archives", "twitter_archive", ["conversation_id", "retweeted_post_id"]),  # archive RTs lack the original
])
def test_twitter_formats_give_the_event(name, fmt, missing):
    res = read_posts([FIX + name])
    want = expected_twitter()
    for col in missing:
        want[col] = None
    _compare(res.posts, want, ALL)
    assert set(res.posts["source_format"]) == {fmt}
    assert res.report["read"].sum() == 9 and res.report["duplicate"].sum() == 1
    assert res.report["rejected"].sum() == 0
    assert (res.report["kept"] + res.report["duplicate"] + res.report["rejected"] == res.report["read"]).all()


def test_twarc2_details():
    posts = read_posts(FIX + "twarc2.jsonl").posts
    assert posts["created_at"].dtype == "datetime64[ns, UTC]"
    # the duplicate (post 3, on both pages) keeps its first occurrence: line 1
    assert posts.loc[posts.post_id == IDS[2], "source_line"].item() == 1
    assert posts.loc[posts.post_id == IDS[0], "source_line"].item() == 2
    assert posts["source_file"].iloc[0] == "tests/fixtures/ingest/json/twarc2.jsonl"
    assert "RT @" not in "".join(posts["text"])
    assert "t.co" not in "".join(posts["text"])


def test_all_twitter_formats_together_dedupe_across_files():
    res = read_posts([FIX + "twarc2.jsonl", FIX + "flatten.jsonl", FIX + "v1.jsonl"])
    assert len(res.posts) == 8
    assert res.report["read"].tolist() == [9, 9, 9]
    assert res.report["kept"].tolist() == [8, 0, 0]  # the first file's copies win
    assert res.report["duplicate"].tolist() == [1, 9, 9]


def test_archives_folder_of_several_archives():
    res = read_posts(FIX + "archives")
    rep = res.report.set_index("source_file")
    base = "tests/fixtures/ingest/json/archives/twitter-2023-03-20-"
    assert rep.loc[base + "bob_k", "kept"] == 1 and rep.loc[base + "bob_k.zip", "duplicate"] == 1
    assert rep.loc[base + "carla_m.zip", "read"] == 2
    assert len(rep) == 6  # 4 folders + 2 zips, each one input


MASTO = "https://scholar.social/users/{h}/statuses/11000000000000000{n}"


def test_mastodon_event_on_uri():
    for name in ("mastodon.jsonl", "mastodon_page.json"):
        res = read_posts(FIX + name)
        p = res.posts
        assert p["post_id"].tolist()[:3] == [MASTO.format(h=AUTHORS[n - 1], n=n) for n in (1, 2, 3)]
        assert p["post_id"].iloc[3] == MASTO.format(h="carla_m", n=4) + "/activity"
        assert p["text"].tolist() == TEXTS
        assert p["author_handle"].tolist() == [f"{h}@scholar.social" for h in AUTHORS]
        assert p["is_retweet"].tolist() == [n in RT for n in range(1, 9)]
        assert p["retweeted_post_id"].iloc[3] == MASTO.format(h="anna_r", n=2)
        assert p["reply_to_post_id"].iloc[2] == MASTO.format(h="anna_r", n=2)
        assert p["reply_to_handle"].iloc[7] == "carla_m@scholar.social"
        assert p["quoted_post_id"].iloc[4] == MASTO.format(h="pln_mod", n=1)
        assert p["mentions"].iloc[6] == ["bob_k@scholar.social"]
        assert p["hashtags"].iloc[6] == ["plnstorm", "phd"]
        assert p["urls"].iloc[2] == ["https://example.org/tools"]
        assert res.report["duplicate"].sum() == 1 and res.report["read"].sum() == 9


BSKY = {h: h.replace("_", "-") + ".bsky.social" for h in set(AUTHORS) | {"dave_o"}}


def test_bluesky_event_with_byte_offset_facets():
    res = read_posts(FIX + "bluesky.jsonl")
    p = res.posts
    texts = []
    for t in TEXTS:
        for h, b in BSKY.items():
            t = t.replace("@" + h, "@" + b)
        texts.append(t)
    assert p["text"].tolist() == texts
    assert p["author_handle"].tolist() == [BSKY[h] for h in AUTHORS]
    assert p["mentions"].tolist() == [[BSKY[m] for m in MENTIONS.get(n, [])] for n in range(1, 9)]
    assert p["hashtags"].iloc[6] == ["plnstorm", "phd"]
    assert p["post_id"].iloc[3] == "at://did:plc:carlam000000000000000000/app.bsky.feed.repost/3kq4repost44"
    assert p["is_retweet"].tolist() == [n in RT for n in range(1, 9)]
    assert p["retweeted_post_id"].iloc[3] == p["post_id"].iloc[1]
    assert p["quoted_post_id"].iloc[4] == p["post_id"].iloc[0]
    assert p["reply_to_post_id"].iloc[7] == p["post_id"].iloc[6]
    assert p["reply_to_handle"].iloc[2] == "anna-r.bsky.social"
    assert p["conversation_id"].iloc[2] == p["post_id"].iloc[1]
    assert p["urls"].iloc[2] == ["https://example.org/tools"]
    assert res.report["duplicate"].sum() == 1


def test_same_event_times_and_relations_on_every_platform():
    frames = [read_posts(FIX + f).posts for f in ("twarc2.jsonl", "mastodon.jsonl", "bluesky.jsonl")]
    for p in frames:
        assert [t.strftime("%H:%M:%S") for t in p["created_at"]] == TIMES
        assert p["is_retweet"].sum() == 1
        assert p["quoted_post_id"].notna().sum() == 1 and p["reply_to_post_id"].notna().sum() == 2
