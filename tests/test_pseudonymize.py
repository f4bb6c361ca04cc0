"""Pseudonym keys and their application (tweetstorm.pseudonymize), on hand-made tables.

Expected keys are worked out by hand from the ordering rules of the module docstring.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tweetstorm import pseudonymize as ps
from tweetstorm.errors import InputError

T0 = pd.Timestamp("2013-03-20T15:00:00Z")


def post(pid, minute, author, text, role, *, mentions=(), reply_h=None, urls=(), platform="twitter"):
    return {"post_id": str(pid), "platform": platform, "author_id": f"9{pid}",
            "author_handle": author, "created_at": T0 + pd.Timedelta(minutes=minute),
            "text": text, "reply_to_handle": reply_h, "mentions": list(mentions),
            "urls": list(urls), "role": role, "source_file": "t.jsonl", "source_line": int(pid)}


def frame(rows):
    df = pd.DataFrame(rows)
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    return df


POSTS = frame([
    post(1, 0, "Mod", "Q1: goals? #plnstorm", "question"),
    post(5, 1, "zed", "hello all, cc @Anna", "off_topic", mentions=["Anna"]),
    post(3, 2, "bob", "A1: sharing, thanks @ann and @ANNA!", "answer", mentions=["ann", "ANNA"]),
    # same time as post 3: post_id 20 > 3 numerically (but "20" < "3" as text)
    post(20, 2, "ann", "@bob me too", "answer", reply_h="bob", mentions=["bob"]),
    post(7, 3, "carl", "lurking", "off_topic"),
    post(8, 4, "carl", "A1: ok then, see twitter.com/dora/status/1", "answer",
         urls=["https://twitter.com/dora/status/1"]),
])


def key_of(df=POSTS, extra=()):
    key = ps.build_key(df, moderators=["@mod"], extra_handles=extra)
    return dict(zip(key["handle"].str.casefold(), key["pseudonym"], strict=True)), key


def test_key_order_and_kinds():
    k, key = key_of(extra=["@eve", "ZED"])
    # participants by first post: bob (min 2, id 3), ann (min 2, id 20), carl (first post min 3)
    assert (k["bob"], k["ann"], k["carl"]) == ("P01", "P02", "P03")
    assert k["mod"] == "M1"
    # others by first appearance: zed (author of post 5), anna (mention in post 5), dora (url),
    # then eve (extra); ZED is zed
    assert (k["zed"], k["anna"], k["dora"], k["eve"]) == ("X001", "X002", "X003", "X004")
    assert list(key["kind"]) == ["participant"] * 3 + ["moderator"] + ["other"] * 4
    assert key.loc[key["pseudonym"] == "M1", "handle"].item() == "Mod"  # first spelling kept


def test_apply_replaces_everywhere_whole_handles_only():
    k, key = key_of()
    out = ps.apply(POSTS, key).set_index("post_id")
    assert out.loc["3", "text"] == "A1: sharing, thanks @P02 and @X002!"
    assert out.loc["5", "text"] == "hello all, cc @X002"
    assert out.loc["20", "text"] == "@P01 me too"
    assert out.loc["20", "reply_to_handle"] == "P01"
    assert out.loc["3", "mentions"] == ["P02", "X002"]
    assert out.loc["3", "author_handle"] == "P01"
    assert out.loc["3", "author_id"] == "P01"
    assert out.loc["8", "text"] == "A1: ok then, see twitter.com/X003/status/1"
    assert out.loc["8", "urls"] == ["https://twitter.com/X003/status/1"]
    assert list(out.index) == list(POSTS["post_id"])


@pytest.mark.parametrize("text, expected", [
    ("@ANN said", "@P02 said"), ("(@Ann)", "(@P02)"), ("@ann's idea", "@P02's idea"),
    ("thanks @ann.", "thanks @P02."), ("@anna @ann", "@X002 @P02"),
    ("mail ann@example.org", "mail ann@example.org"),  # an e-mail address, not a handle
    ("see https://mastodon.social/@ann/1", "see https://mastodon.social/@P02/1"),
])
def test_text_variants(text, expected):
    _, key = key_of()
    df = frame([post(1, 0, "ann", text, "answer")])
    assert ps.apply(df, key).loc[0, "text"] == expected


def test_unknown_handle_raises_with_place():
    _, key = key_of()
    df = frame([post(42, 0, "ann", "hi @stranger", "answer")])
    with pytest.raises(InputError, match=r"t\.jsonl, line 42.*@stranger.*post 42"):
        ps.apply(df, key)
    df = frame([post(43, 0, "stranger", "hi", "answer")])
    with pytest.raises(InputError, match="stranger"):
        ps.apply(df, key)
    df = frame([post(44, 0, "ann", "hi", "answer", mentions=["nobody"])])
    with pytest.raises(InputError, match="nobody"):
        ps.apply(df, key)


def test_key_covers_its_own_posts():
    # a handle only in text, with a trailing dot, on Twitter: the key holds "newbie"
    df = frame([post(1, 0, "ann", "A1: x", "answer"), post(2, 1, "ann", "hi @newbie.", "answer")])
    key = ps.build_key(df, moderators=[])
    assert list(key["handle"]) == ["ann", "newbie"]
    assert ps.apply(df, key).loc[1, "text"] == "hi @X001."


def test_mastodon_and_bluesky_handles():
    df = frame([
        post(1, 0, "ann@mastodon.social", "A1: hi @bob@inst.social", "answer", platform="mastodon"),
        post(2, 1, "cat.bsky.social", "A1: cc @dan.bsky.social", "answer", platform="bluesky"),
    ])
    key = ps.build_key(df, moderators=[])
    assert list(key["handle"]) == ["ann@mastodon.social", "cat.bsky.social", "bob@inst.social",
                                   "dan.bsky.social"]
    out = ps.apply(df, key)
    assert list(out["text"]) == ["A1: hi @X001", "A1: cc @X002"]


def test_many_participants_widen_the_number():
    rows = [post(i, i, f"user{i}", "A1: x", "answer") for i in range(1, 101)]
    key = ps.build_key(frame(rows), moderators=[])
    assert key["pseudonym"].iloc[0] == "P001"
    assert key["pseudonym"].iloc[-1] == "P100"


def test_pln_and_participants():
    k, key = key_of(extra=ps.extra_handles(
        participants=pd.DataFrame({"handle": ["@bob", "@eve"], "sector": ["school", "higher"]}),
        pln=pd.DataFrame({"participant": ["@bob", "@ann"], "contact": ["@Frank", "OU library"]})))
    assert (k["eve"], k["frank"]) == ("X004", "X005")
    pln = pd.DataFrame({"participant": ["@bob", "@ann"], "contact": ["@Frank", "OU library"],
                        "contact_type": ["person", "resource"], "frequency": ["daily", "weekly"]})
    out = ps.apply_pln(pln, key)
    assert list(out["participant"]) == ["P01", "P02"]
    assert list(out["contact"]) == ["X005", "OU library"]
    assert list(ps.apply_pln(pln.assign(contact=["list of @frank", "x"]), key)["contact"]) == [
        "list of @X005", "x"]
    parts = ps.apply_participants(
        pd.DataFrame({"handle": ["@bob", "@eve"], "sector": ["school", "higher"]}), key)
    assert list(parts.columns) == ["handle", "sector"]
    assert list(parts["handle"]) == ["P01", "X004"]
    with pytest.raises(InputError, match="row 3"):
        ps.apply_pln(pd.DataFrame({"participant": ["@bob", "@ghost"], "contact": ["x", "y"]}), key)


def test_bad_key():
    with pytest.raises(InputError, match="twice"):
        ps.apply(POSTS, pd.DataFrame({"handle": ["ann", "ANN"], "pseudonym": ["P01", "P02"]}))
    with pytest.raises(InputError, match="role"):
        ps.build_key(POSTS.drop(columns="role"), moderators=[])


def test_write_and_read_key(tmp_path):
    _, key = key_of()
    path = ps.write_key(key, tmp_path / "k.csv")
    assert path.read_text().splitlines()[0] == "handle,pseudonym,kind"
    pd.testing.assert_frame_equal(ps.read_key(path), key)
    assert ps.KEY_FILE.relative_to(ps.paths.ROOT).as_posix() == "data/private/pseudonym_key.csv"


def test_participants_numbered_by_first_post_of_any_role():
    df = frame([
        post(1, 0, "dora", "hello #plnstorm", "off_topic"),  # dora's first post: a greeting
        post(2, 5, "emil", "A1: x", "answer"),
        post(3, 9, "dora", "A1: y", "answer"),  # dora's first answer comes after emil's
    ])
    key = ps.build_key(df, moderators=[], extra_handles=(h for h in ["fay"]))  # any iterable
    assert list(zip(key["handle"], key["pseudonym"])) == [("dora", "P01"), ("emil", "P02"),
                                                          ("fay", "X001")]


def test_pseudonymize_study_uses_one_key_and_sorts_by_pseudonym():
    participants = pd.DataFrame({"handle": ["@eve", "@bob"], "sector": ["higher", "school"]})
    pln = pd.DataFrame({"participant": ["@eve", "@bob"], "contact": ["@Frank", "OU library"],
                        "contact_type": ["person", "resource"], "frequency": ["daily", "weekly"]})
    posts, parts, contacts, key = ps.pseudonymize_study(POSTS, ["@mod"], participants, pln)
    k = dict(zip(key["handle"].str.casefold(), key["pseudonym"], strict=True))
    # one key: the same handle has the same pseudonym in posts, participants and PLN
    assert list(parts["handle"]) == sorted([k["bob"], k["eve"]])  # sorted by pseudonym
    assert list(contacts["participant"]) == sorted([k["bob"], k["eve"]])
    assert contacts.set_index("participant").loc[k["eve"], "contact"] == k["frank"]
    assert set(posts["author_handle"]) <= set(key["pseudonym"])
