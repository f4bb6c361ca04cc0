"""The cross-format test: the event of ``tests/fixtures/ingest/EVENT.md`` in each of the
nine export formats, read with :func:`tweetstorm.ingest.read_posts`, gives the same canonical
table up to what a format cannot carry.

The expected table is parsed from EVENT.md (``test_ingest_csv.load_event``), not produced by a
reader. Posts are matched by ``created_at`` (all eight times differ). Ids of relations
(retweet, reply, quote, conversation) are compared as *which event post they point to*, through
the format's own ``post_id`` column, so the Mastodon/Bluesky ids and the rounded Tweet Archivist
ids are checked too; Twitter formats with exact ids must also have EVENT.md's ids.

Mastodon and Bluesky handles are platform-native (``anna_r@scholar.social``,
``anna-r.bsky.social``; in Bluesky text ``@anna-r.bsky.social``): they are mapped back to the
Twitter handle before comparing (EVENT.md, last section).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from test_ingest_csv import EVENT  # the expected table parsed from EVENT.md

from tweetstorm.ingest import read_posts

FIX = Path(__file__).parent / "fixtures" / "ingest"
JSON, CSV = FIX / "json", FIX / "csv"

INPUTS = {
    "twarc2": [JSON / "twarc2.jsonl"],
    "twarc2_flatten": [JSON / "flatten.jsonl"],
    "twitter_v1": [JSON / "v1.jsonl"],
    # a data donation: one personal archive per participant (folders and zips; bob_k twice)
    "twitter_archive": sorted((JSON / "archives").glob("twitter-*")),
    "mastodon": [JSON / "mastodon.jsonl"],
    "bluesky": [JSON / "bluesky.jsonl"],
    "twarc_csv": [CSV / "twarc_csv_event.csv"],
    "tags": [CSV / "tags_event.csv"],
    "tweet_archivist": [CSV / "tweet_archivist_event.xlsx"],
}

# What a format cannot carry: these columns must be NA there (so that a reader that starts to
# carry one makes this test fail and the list is updated).
NOT_CARRIED: dict[str, dict[str, str]] = {
    "twitter_v1": {"conversation_id": "API v1.1 has no conversation id"},
    "twitter_archive": {
        "conversation_id": "tweets.js has no conversation id",
        "retweeted_post_id": "tweets.js keeps only the 'RT @user:' text of a retweet",
    },
    "mastodon": {"conversation_id": "Mastodon's conversation ids are per instance and not in "
                                    "a status; a reply chain is in in_reply_to_id"},
    "tags": {
        "lang": "user_lang is the account's language, not the post's",
        "retweeted_post_id": "no column for the retweeted tweet",
        "conversation_id": "no column",
    },
    "tweet_archivist": {
        "retweeted_post_id": "no column for the retweeted tweet",
        "quoted_post_id": "no column for the quoted tweet",
        "conversation_id": "no column",
    },
}
# Tweet Archivist has no entity columns: the t.co links of posts 3 and 5 cannot be expanded,
# and the quote's trailing link cannot be told from any other link (module docstring).
TCO_TEXT = {3: ("https://example.org/tools", "https://t.co/Tools12345"),
            5: ("", " https://t.co/Quote12345")}

RELATIONS = ("retweeted_post_id", "reply_to_post_id", "quoted_post_id", "conversation_id")
HANDLE_COLUMNS = ("author_handle", "reply_to_handle")


def twitter_handle(handle: str) -> str:
    """``anna_r@scholar.social`` / ``anna-r.bsky.social`` -> ``anna_r`` (EVENT.md's mapping)."""
    if handle.endswith(".bsky.social"):
        return handle[: -len(".bsky.social")].replace("-", "_")
    return handle.split("@", 1)[0]


def bluesky_text(text: str) -> str:
    return re.sub(r"@([a-z0-9-]+)\.bsky\.social",
                  lambda m: "@" + m.group(1).replace("-", "_"), text)


def na(value):
    if isinstance(value, (list, str, bool)):
        return value
    if hasattr(value, "tolist"):  # numpy array of a list column
        return value.tolist()
    return None if pd.isna(value) else value


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    out = {}
    for fmt, inputs in INPUTS.items():
        res = read_posts([str(p) for p in inputs])
        assert set(res.posts["source_format"]) == {fmt}, fmt
        out[fmt] = res.posts.sort_values("created_at", kind="stable").reset_index(drop=True)
    return out


def test_every_format_is_covered(tables):
    from tweetstorm.ingest.formats import FORMATS

    assert sorted(tables) == sorted(FORMATS) and len(tables) == 9


@pytest.mark.parametrize("fmt", list(INPUTS))
def test_same_canonical_table(tables, fmt):
    df = tables[fmt]
    assert len(df) == 8, "8 unique posts (post 3's duplicate removed)"
    number = {pid: i + 1 for i, pid in enumerate(df["post_id"])}
    event_number = {p["post_id"]: n for n, p in EVENT.items()}
    skip = NOT_CARRIED.get(fmt, {})
    platform = {"mastodon": "mastodon", "bluesky": "bluesky"}.get(fmt, "twitter")
    for i, row in df.iterrows():
        n = i + 1
        want = EVENT[n]
        got = {k: na(row[k]) for k in want}
        where = f"{fmt}, post {n}"
        assert got["created_at"] == want["created_at"], where
        assert got["platform"] == platform, where
        for key in ("is_retweet", "hashtags"):
            assert got[key] == want[key], (where, key)
        # handles, mentions and text (platform-native handles mapped back)
        for key in HANDLE_COLUMNS:
            value = got[key] if got[key] is None else twitter_handle(got[key])
            assert value == want[key], (where, key)
        assert [twitter_handle(m) for m in got["mentions"]] == want["mentions"], where
        text = bluesky_text(got["text"]) if fmt == "bluesky" else got["text"]
        urls = got["urls"]
        if fmt == "tweet_archivist" and n in TCO_TEXT:
            expanded, short = TCO_TEXT[n]
            text = text.replace(short, expanded)
            urls = [expanded] if expanded else []
        assert text == want["text"], where
        assert urls == want["urls"], where
        # language
        if "lang" in skip:
            assert got["lang"] is None, where
        else:
            assert got["lang"] == want["lang"], where
        # relations, as the event post they point to
        for key in RELATIONS:
            if key in skip:
                assert got[key] is None, (where, key)
                continue
            target = None if want[key] is None else event_number[want[key]]
            if got[key] is None:
                assert target is None, (where, key)
            else:
                assert number.get(got[key]) == target, (where, key, got[key])
    # ids
    if platform == "twitter" and fmt != "tweet_archivist":
        assert list(df["post_id"]) == [EVENT[n]["post_id"] for n in range(1, 9)]
        assert list(df["author_id"]) == [EVENT[n]["author_id"] for n in range(1, 9)]
    elif fmt == "tweet_archivist":
        # ids stored as Excel numbers keep 15 significant digits
        assert list(df["post_id"]) == [str(int(Decimal(f"{Decimal(EVENT[n]['post_id']):.15g}")))
                                       for n in range(1, 9)]
        assert list(df["author_id"]) == [EVENT[n]["author_id"] for n in range(1, 9)]
    elif fmt == "mastodon":
        for i, pid in enumerate(df["post_id"]):
            n = i + 1
            user = EVENT[n]["author_handle"]
            suffix = "/activity" if EVENT[n]["is_retweet"] else ""
            assert pid == f"https://scholar.social/users/{user}/statuses/11000000000000000{n}{suffix}"
        assert list(df["author_id"]) == [EVENT[n]["author_id"] for n in range(1, 9)]
    else:  # bluesky
        kinds = ["app.bsky.feed.repost" if EVENT[n]["is_retweet"] else "app.bsky.feed.post"
                 for n in range(1, 9)]
        assert [p.split("/")[3] for p in df["post_id"]] == kinds
        assert all(p.startswith("at://did:plc:") for p in df["post_id"])
        dids = dict(zip(df["author_handle"], df["author_id"]))
        assert len(dids) == 5 and len(set(dids.values())) == 5
        assert all(a.startswith("did:plc:") for a in df["author_id"])


def test_content_dedup_across_formats():
    """Exact-id formats de-duplicate on id; Tweet Archivist (no exact ids) on (author, time,
    text). Its posts 3 and 5 keep t.co links, so they differ in text and stay (2 rows)."""
    res = read_posts([str(CSV / "twarc_csv_event.csv"), str(CSV / "tags_event.csv"),
                      str(CSV / "tweet_archivist_event.xlsx")])
    df = res.posts
    assert len(df) == 10
    left = df[df["source_format"] == "tweet_archivist"].sort_values("created_at")
    assert list(left["created_at"]) == [EVENT[3]["created_at"], EVENT[5]["created_at"]]
    rep = res.report.set_index("source_format")
    assert rep.loc["tweet_archivist", "exact_ids"] == False  # noqa: E712 (numpy bool)
    assert list(rep.loc[:, "read"]) == [9, 9, 9]
    assert list(rep.loc[:, "kept"]) == [8, 0, 2]
    assert (rep["kept"] + rep["duplicate"] + rep["rejected"] == rep["read"]).all()
