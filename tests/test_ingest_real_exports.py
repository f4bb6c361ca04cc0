"""Every post of every real export in ``../shared/real-exports/`` is accounted for.

The folder (next to the repository, never copied into it) holds export files that no one on this
project wrote: API responses, collector output and an account archive from public test suites.
Its README lists each file with the number of unique posts it holds; that table, parsed here, is
the expected value. A post is accounted for as a kept row, a duplicate, a superseded version, or
a reject whose reason says the file lacks its full text; any other reject must be an unreadable
record (e.g. a cut-off last line), which is not a post. Spot checks compare fields with values
read straight from the raw JSON here, independently of the readers.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from tweetstorm import paths
from tweetstorm.ingest import read_posts, reconciles

REAL = (paths.ROOT / ".." / "shared" / "real-exports").resolve()
pytestmark = pytest.mark.skipif(not (REAL / "README.md").is_file(),
                                reason="../shared/real-exports/ is absent")

#: Reasons a reject may account for a post: the file lacks the post's full text.
POST_REASONS = ("only a truncated text",)
#: Reasons of a reject that is not a post (an unreadable record).
RECORD_REASONS = ("the file is truncated",)


def _table() -> list[tuple[str, int]]:
    """(path relative to the folder, posts) of every row of the README's Files table."""
    rows = []
    for line in (REAL / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[0].startswith("`") or not cells[4][:1].isdigit():
            continue
        spec, posts = cells[0], cells[4]
        names = re.findall(r"`([^`]+)`", spec)
        if "{" in names[0]:  # twarc2/{a,b,...}.jsonl: single-tweet pages, "1-2 each"
            prefix, body, suffix = re.match(r"(.*)\{(.*)\}(.*)", names[0]).groups()
            for n in body.split(","):
                rows.append((f"{prefix}{n}{suffix}", -1))
            continue
        if names[0].endswith("/") and "(" in spec:  # an archive folder with its files listed
            rows.append((names[0].rstrip("/"), int(posts)))
            continue
        counts = [int(x) for x in re.findall(r"\d+", posts)]
        first = names[0]
        files = [first] + [str(Path(first).parent / n) for n in names[1:]]
        for f, n in zip(files, counts if len(counts) == len(files) else counts * len(files)):
            rows.append((f, n))
    return rows


ROWS = _table() if (REAL / "README.md").is_file() else []


def test_the_readme_table_was_parsed():
    names = [r[0] for r in ROWS]
    assert len(ROWS) >= 35
    assert ("twitter_archive/milahu104", 2048) in ROWS
    assert ("twitter_archive/milahu104/data/tweets.js", 2045) in ROWS
    assert ("twarc2_flatten/withheld_flat.jsonl", 215) in ROWS
    assert "twarc2/edited_after.jsonl" in names and "twarc2_not_posts/users.jsonl" in names
    # every export file of the folder is in the table (the archive through its folder)
    on_disk = {p.relative_to(REAL).as_posix() for p in REAL.rglob("*") if p.is_file()
               and p.name != "README.md" and "twitter_archive" not in p.parts}
    assert on_disk <= set(names)


@pytest.mark.parametrize("name, posts", ROWS, ids=[r[0] for r in ROWS])
def test_every_post_is_accounted_for(name, posts):
    res = read_posts([REAL / name], on_error="skip", workers=1)
    rep = res.report
    assert reconciles(rep) and len(rep) == 1
    row = rep.iloc[0]
    as_post = [r for r in res.rejects if any(k in r[2] for k in POST_REASONS)]
    other = [r for r in res.rejects if r not in as_post]
    assert all(any(k in r[2] for k in RECORD_REASONS) for r in other), other
    accounted = int(row["kept"] + row["duplicate"] + row["superseded"]) + len(as_post)
    if name.startswith("twarc2_not_posts/"):
        assert accounted == 0 and len(res.posts) == 0 and row["read"] == 0
        assert row["note"].startswith("holds no posts")
    elif posts < 0:  # single-tweet pages: 1-2 each, every one kept
        assert 1 <= accounted <= 2 and row["rejected"] == 0
    else:
        assert accounted == posts
    assert len(res.posts) == row["kept"] and res.posts["post_id"].is_unique


def _lines(name: str) -> list[dict]:
    return [json.loads(line) for line in (REAL / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_twarc2_retweet_carries_the_original_text():
    page = _lines("twarc2/brexit.jsonl")[0]
    originals = {t["id"]: t for t in page["includes"]["tweets"]}
    posts = read_posts(REAL / "twarc2/brexit.jsonl").posts.set_index("post_id")
    checked = 0
    for t in page["data"]:
        ref = {r["type"]: r["id"] for r in t.get("referenced_tweets", [])}
        if "retweeted" in ref and ref["retweeted"] in originals:
            row = posts.loc[t["id"]]
            assert row["is_retweet"] and row["retweeted_post_id"] == ref["retweeted"]
            assert not row["text"].startswith("RT @")
            head = originals[ref["retweeted"]]["text"].split("http")[0].replace("&amp;", "&")[:40]
            assert row["text"].startswith(head)
            checked += 1
    assert checked > 10


def test_twarc2_retweet_without_original_keeps_its_text_without_prefix():
    """withheld.jsonl: retweets whose original is missing: their own text without ``RT @user: ``."""
    raw, included = {}, set()
    for page in _lines("twarc2/withheld.jsonl"):
        included |= {t["id"] for t in page.get("includes", {}).get("tweets", [])}
        for t in page.get("data", []):
            ref = {r["type"]: r["id"] for r in t.get("referenced_tweets", [])}
            if "retweeted" in ref:
                raw[t["id"]] = (t["text"], ref["retweeted"])
    posts = read_posts(REAL / "twarc2/withheld.jsonl").posts.set_index("post_id")
    orphans = {k: text for k, (text, orig) in raw.items() if orig not in included}
    assert len(orphans) >= 30
    for pid, text in orphans.items():
        prefix = re.match(r"RT @\w+: ", text).group(0)
        assert posts.loc[pid, "is_retweet"]
        assert posts.loc[pid, "text"][:30] == html.unescape(text[len(prefix):])[:30]


def test_twarc_csv_keeps_posts_whose_author_is_missing():
    """withheld.jsonl: 6 tweets whose author is not in includes.users; twarc-csv and twarc2 agree."""
    csv = read_posts(REAL / "twarc_csv/withheld.csv").posts.set_index("post_id")
    v2 = read_posts(REAL / "twarc2/withheld.jsonl").posts.set_index("post_id")
    missing = v2.index[v2["author_handle"].isna()]
    assert len(missing) == 6
    assert csv.loc[missing, "author_handle"].isna().all()


def test_mastodon_handles_are_qualified():
    statuses = json.loads((REAL / "mastodon/rtoot_public_mastodon_social.json").read_text(encoding="utf-8"))
    posts = read_posts(REAL / "mastodon/rtoot_public_mastodon_social.json").posts.set_index("post_id")
    for s in statuses:
        acct, host = s["account"]["acct"], re.match(r"https?://([^/]+)/", s["account"]["url"]).group(1)
        assert posts.loc[s["uri"], "author_handle"] == (acct if "@" in acct else f"{acct}@{host}")
    assert posts["author_handle"].str.contains("@").all()


def test_mastodon_same_status_from_two_servers_is_one_post():
    res = read_posts([REAL / "mastodon/rtoot_tag_ichbinhanna_tchncs.json",
                      REAL / "mastodon/rtoot_tag_ichbinhanna_mastodon_social.json"])
    assert len(res.posts) == 6  # 5 + 5, 4 of them the same statuses (same uris)
    assert int(res.report["duplicate"].sum()) == 4 and int(res.report["superseded"].sum()) == 0


def test_bluesky_repost_is_the_reposters_post():
    feed = json.loads((REAL / "bluesky/bskyr_author_feed.json").read_text(encoding="utf-8"))["feed"]
    reposts = [i for i in feed if (i.get("reason") or {}).get("$type") == "app.bsky.feed.defs#reasonRepost"]
    assert reposts
    posts = read_posts(REAL / "bluesky/bskyr_author_feed.json").posts
    rows = posts[posts["is_retweet"]]
    assert len(rows) == len(reposts)
    got = set(zip(rows["retweeted_post_id"], rows["author_handle"]))
    assert got == {(i["post"]["uri"], i["reason"]["by"]["handle"]) for i in reposts}


def test_long_post_has_its_full_text():
    """The archive's tweets have the extended shape (``full_text``): a post longer than 140
    characters keeps every character (no real v2 ``note_tweet`` was found, see the README)."""
    text = (REAL / "twitter_archive/milahu104/data/tweets.js").read_text(encoding="utf-8")
    tweets = [t["tweet"] for t in json.loads(text[text.index("["):])]
    long = [t for t in tweets if len(t["full_text"]) > 200 and not t["entities"].get("urls")
            and not t["full_text"].startswith("RT @") and not t.get("extended_entities")]
    assert len(long) >= 3
    posts = read_posts(REAL / "twitter_archive/milahu104/data/tweets.js").posts.set_index("post_id")
    for t in long:
        assert posts.loc[t["id_str"], "text"] == html.unescape(t["full_text"])


def test_archive_alone_and_with_community_tweets():
    whole = read_posts(REAL / "twitter_archive/milahu104").posts
    alone = read_posts(REAL / "twitter_archive/milahu104/data/tweets.js").posts
    text = (REAL / "twitter_archive/milahu104/data/community-tweet.js").read_text(encoding="utf-8")
    community = json.loads(text[text.index("["):])
    ids = {c["tweet"]["id_str"] for c in community}
    assert len(ids) == 3 and ids <= set(whole["post_id"]) and not ids & set(alone["post_id"])
    assert set(whole["author_handle"]) == {"milahu104"} == set(alone["author_handle"])
    rts = whole[whole["is_retweet"]]
    assert len(rts) and not rts["text"].str.startswith("RT @").any()


def test_edited_tweet_keeps_the_latest_version():
    res = read_posts([REAL / "twarc2/edited_before.jsonl", REAL / "twarc2/edited_after.jsonl"])
    after = _lines("twarc2/edited_after.jsonl")[0]["data"][0]
    assert res.posts["post_id"].tolist() == [after["id"]]
    assert res.report["superseded"].tolist() == [1, 0]
    assert [s[:2] for s in res.superseded] == [("edited_before.jsonl", 1)]
    assert res.superseded[0][3]["post_id"] == after["edit_history_tweet_ids"][0]


def test_tags_sheet_saved_by_r_reads():
    posts = read_posts(REAL / "tags/tidytags_sample_data.csv").posts
    assert len(posts) == 10 and posts["author_id"].notna().all()
    assert posts["reply_to_handle"].isna().sum() >= 1  # NA cells are missing, not the handle "NA"
    assert "NA" not in set(posts["reply_to_handle"].dropna())
