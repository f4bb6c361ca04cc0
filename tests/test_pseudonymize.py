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
    posts, parts, contacts, key, unit_ids = ps.pseudonymize_study(POSTS, ["@mod"], participants,
                                                                  pln)
    k = dict(zip(key["handle"].str.casefold(), key["pseudonym"], strict=True))
    # one key: the same handle has the same pseudonym in posts, participants and PLN
    assert list(parts["handle"]) == sorted([k["bob"], k["eve"]])  # sorted by pseudonym
    assert list(contacts["participant"]) == sorted([k["bob"], k["eve"]])
    assert contacts.set_index("participant").loc[k["eve"], "contact"] == k["frank"]
    assert set(posts["author_handle"]) <= set(key["pseudonym"])
    # post ids are unit ids, in post order (time, then post id as a number)
    assert list(unit_ids["post_id"]) == ["1", "5", "3", "20", "7", "8"]
    assert list(posts["post_id"]) == ["U0001", "U0002", "U0003", "U0004", "U0005", "U0006"]
    # the contacts carry the kind of each account they name
    assert contacts.set_index("participant").loc[k["eve"], "contact_kind"] == "other"
    assert list(contacts["participant_kind"]) == ["participant", "other"]  # bob P01, eve X004
    assert pd.isna(contacts.set_index("participant").loc[k["bob"], "contact_kind"])  # a resource


# ------------------------------------------------------------ mentions through the platform's data

def test_mastodon_mention_by_short_name_is_the_participant():
    # The moderator and the participant write as user@instance; inside texts Mastodon shows
    # @mod and @ann. The posts' own mention data say who they are: M1 and P01, not new X ids.
    df = frame([
        post(1, 0, "mod@inst.social", "Q1: goals?", "question", platform="mastodon"),
        post(2, 1, "ann@a.social", "@mod A1: sharing", "answer", platform="mastodon",
             mentions=["mod@inst.social"], reply_h="mod@inst.social"),
        post(3, 2, "bob@b.social", "@ann agreed, and @carl@c.social too", "off_topic",
             platform="mastodon", mentions=["ann@a.social", "carl@c.social"]),
        post(4, 3, "bob@b.social", "see https://a.social/users/ann/statuses/99", "off_topic",
             platform="mastodon"),
    ])
    key = ps.build_key(df, moderators=["mod@inst.social"])
    assert list(zip(key["handle"], key["pseudonym"])) == [
        ("ann@a.social", "P01"), ("mod@inst.social", "M1"), ("bob@b.social", "X001"),
        ("carl@c.social", "X002")]
    out = ps.apply(df, key)
    assert list(out["text"]) == ["Q1: goals?", "@M1 A1: sharing", "@P01 agreed, and @X002 too",
                                 "see https://a.social/users/P01/statuses/99"]
    assert out.loc[2, "mentions"] == ["P01", "X002"]


def test_short_name_shared_by_two_instances_follows_the_mention_data():
    # two accounts called ann: each post's text means the one its mentions name
    df = frame([
        post(1, 0, "ann@a.social", "A1: x", "answer", platform="mastodon"),
        post(2, 1, "ann@z.social", "A1: y", "answer", platform="mastodon"),
        post(3, 2, "bob@b.social", "hi @ann", "off_topic", platform="mastodon",
             mentions=["ann@z.social"]),
        post(4, 3, "bob@b.social", "hi @ann", "off_topic", platform="mastodon",
             mentions=["ann@a.social"]),
    ])
    out = ps.apply(df, ps.build_key(df, moderators=[]))
    assert list(out["text"])[2:] == ["hi @P02", "hi @P01"]


def test_bluesky_dids_are_accounts():
    did = "did:plc:abcdefghijklmnopqrstuvwx"
    df = frame([
        post(1, 0, "ann.bsky.social", "A1: x", "answer", platform="bluesky"),
        post(2, 1, "bob.bsky.social", "profile: https://bsky.app/profile/" + did, "off_topic",
             platform="bluesky", mentions=[did]),
        post(3, 2, "bob.bsky.social", "who is did:plc:zzzzzzzzzzzzzzzzzzzzzzzz?", "off_topic",
             platform="bluesky"),
    ])
    df["author_id"] = [did, "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"]
    key = ps.build_key(df, moderators=[])
    # the DID of ann's posts is ann; an unknown DID is an account of its own
    assert list(key["handle"]) == ["ann.bsky.social", "bob.bsky.social",
                                   "did:plc:zzzzzzzzzzzzzzzzzzzzzzzz"]
    out = ps.apply(df, key)
    assert list(out["text"])[1:] == ["profile: https://bsky.app/profile/P01", "who is X002?"]
    assert out.loc[1, "mentions"] == ["P01"]
    assert list(out["author_id"]) == ["P01", "X001", "X001"]


# ------------------------------------------------------------------------------------ unit ids

def id_posts():
    rows = [
        post(1, 0, "mod", "Q1: goals?", "question"),
        post(2, 1, "ann", "A1: x, see https://twitter.com/mod/status/1.", "answer",
             urls=["https://twitter.com/mod/status/1"]),
        post(3, 1, "bob", "quoting https://inst.social/users/eve/statuses/77", "off_topic"),
    ]
    df = frame(rows)
    df["retweeted_post_id"] = pd.array([None, None, None], dtype="string")
    df["reply_to_post_id"] = pd.array([None, "1", "404"], dtype="string")
    df["quoted_post_id"] = pd.array([None, None, "https://inst.social/users/eve/statuses/77"],
                                    dtype="string")
    df["conversation_id"] = pd.array(["1", "1", "404"], dtype="string")
    return df


def test_unit_ids_order_and_replacement():
    df = id_posts()
    ids = ps.build_unit_ids(df)
    # the table's posts in post order, then the posts they only refer to, by first appearance
    # (post 3: reply_to 404 before its quote)
    assert list(zip(ids["post_id"], ids["unit_id"])) == [
        ("1", "U0001"), ("2", "U0002"), ("3", "U0003"), ("404", "U0004"),
        ("https://inst.social/users/eve/statuses/77", "U0005")]
    out = ps.apply_unit_ids(df, ids)
    assert list(out["post_id"]) == ["U0001", "U0002", "U0003"]
    assert out["reply_to_post_id"].tolist()[1:] == ["U0001", "U0004"]
    assert out.loc[2, "quoted_post_id"] == "U0005"
    assert list(out["conversation_id"]) == ["U0001", "U0001", "U0004"]
    # links to known posts inside text and urls; trailing punctuation stays outside
    assert out.loc[1, "text"] == "A1: x, see https://twitter.com/mod/status/U0001."
    assert out.loc[1, "urls"] == ["https://twitter.com/mod/status/U0001"]
    assert out.loc[2, "text"] == "quoting U0005"
    assert out["post_id"].dtype == df["post_id"].dtype
    with pytest.raises(InputError, match="has no unit id"):
        ps.apply_unit_ids(df, ids.iloc[:2])


def test_unit_ids_widen_and_round_trip(tmp_path):
    rows = [post(i, i, f"user{i}", "A1: x", "answer") for i in range(1, 10001)]
    ids = ps.build_unit_ids(frame(rows))
    assert (ids["unit_id"].iloc[0], ids["unit_id"].iloc[-1]) == ("U00001", "U10000")
    path = ps.write_unit_ids(ids.iloc[:3], tmp_path / "u.csv")
    assert path.read_text().splitlines() == ["post_id,unit_id", "1,U00001", "2,U00002",
                                             "3,U00003"]
    pd.testing.assert_frame_equal(ps.read_unit_ids(path), ids.iloc[:3])
    assert ps.UNIT_ID_FILE.parent == ps.KEY_FILE.parent


def test_unit_id_lookup_takes_both_ids():
    ids = pd.DataFrame({"post_id": ["269154966135074079", "42",
                                    "at://did:plc:x/app.bsky.feed.post/1"],
                        "unit_id": ["U0001", "U0002", "U0003"]})
    look = ps.unit_id_lookup(["U0001", "U0003"], ids)
    assert look == {"U0001": "U0001", "U0003": "U0003", "269154966135074079": "U0001",
                    "at://did:plc:x/app.bsky.feed.post/1": "U0003"}  # 42 is no coding unit
    # a study whose units are the exported ids keeps them as they are
    assert ps.unit_id_lookup(["42"], ids) == {"42": "42"}


def test_coding_sheets_keyed_by_either_id(tmp_path):
    from tweetstorm import coding
    from tweetstorm import codebook as codebook_module

    codebook = codebook_module.parse({"questions": {"Q1": {"label": "Goals", "prompt": "p?", "multi_code": False,
                                                        "categories": [
        {"code": "a", "label": "A", "definition": "d", "example": "e"},
        {"code": "b", "label": "B", "definition": "d", "example": "e"}]}}})
    df = id_posts()
    ids = ps.build_unit_ids(df)
    units = coding.units(ps.apply_unit_ids(df, ids).assign(question=["Q1"] * 3,
                                                          role=["question", "answer", "answer"]))
    assert list(units["unit_id"]) == ["U0002", "U0003"]
    (tmp_path / "rater_R1.csv").write_text("unit_id,question,code\n2,Q1,a\n3,Q1,b\n")
    (tmp_path / "rater_R2.csv").write_text("unit_id,question,code\nU0002,Q1,b\nU0003,Q1,b\n")
    ids.to_csv(tmp_path / "ids.csv", index=False)
    import unittest.mock as mock
    with mock.patch.object(ps, "UNIT_ID_FILE", tmp_path / "ids.csv"):
        ratings = coding.read_sheets([tmp_path / "rater_R1.csv", tmp_path / "rater_R2.csv"],
                                     codebook, units)
        assert list(zip(ratings["unit_id"], ratings["rater"], ratings["code"])) == [
            ("U0002", "R1", "a"), ("U0002", "R2", "b"), ("U0003", "R1", "b"), ("U0003", "R2", "b")]
        # one unit named twice, once by each id, is one unit twice
        (tmp_path / "rater_R1.csv").write_text("unit_id,question,code\n2,Q1,a\nU0002,Q1,b\n")
        with pytest.raises(InputError, match="appears twice"):
            coding.read_sheets([tmp_path / "rater_R1.csv"], codebook, units)


# ------------------------------------------------------------ raw participant list and PLN file

@pytest.mark.parametrize("body, row, words", [
    ("who,sector\nbob,school\n", 1, "missing column(s) handle"),
    ("handle,sector\n@bob,school\nNA,higher\n", 3, "column handle: empty handle"),
    ("handle,sector\n@bob,school\nann,x\nBOB,y\n", 4,
     "column handle: @bob is listed twice (first in row 2)"),
    ("handle,sector\n@bob,school\n@bobby,x\n", 3, "column handle: @bobby is not an account"),
])
def test_participant_list_checked_before_use(tmp_path, body, row, words):
    path = tmp_path / "participants.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        ps.read_participants(path, POSTS)
    assert err.value.file.endswith("participants.csv") and "processed" not in err.value.file
    assert err.value.row == row
    assert words in err.value.what


def test_participant_list_read_with_missing_cells_and_bom(tmp_path):
    path = tmp_path / "participants.csv"
    path.write_text("\ufeffhandle,sector\n@bob,n/a\nANNA,school\n", encoding="utf-8")
    got_ = ps.read_participants(path, POSTS)  # anna is only mentioned: an account of the export
    assert list(got_["handle"]) == ["@bob", "ANNA"]
    assert pd.isna(got_.loc[0, "sector"])


@pytest.mark.parametrize("body, row, words", [
    ("participant,contact,contact_type\n@bob,@ann,person\n", 1, "missing column(s) frequency"),
    ("participant,contact,contact_type,frequency\n@bob,@ann,person,daily\n"
     "@bob,Wiki,resource,hourly\n", 3, "unknown frequency 'hourly'"),
    ("participant,contact,contact_type,frequency\n@bob,@ann,friend,daily\n", 2,
     "unknown contact_type 'friend'"),
    ("participant,contact,contact_type,frequency\n@bob,NA,person,daily\n", 2, "empty 'contact'"),
    ("participant,contact,contact_type,frequency\n@bob,Wiki,resource,daily\n"
     "@zed,Wiki,resource,daily\n", 3, "column participant: @zed is not a participant"),
])
def test_pln_file_checked_before_use(tmp_path, body, row, words):
    path = tmp_path / "pln_identification.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        ps.read_pln(path, ["@bob", "ann"])
    assert err.value.file.endswith("pln_identification.csv") and "processed" not in err.value.file
    assert err.value.row == row
    assert words in err.value.what


@pytest.mark.slow  # starts a kernel
@pytest.mark.illustrative  # edits the shipped participant list and PLN session
@pytest.mark.parametrize("bad", ["participants", "pln"])
def test_notebook_01_writes_nothing_when_a_raw_file_is_bad(tmp_path, bad):
    papermill = pytest.importorskip("papermill")
    raw = ps.paths.RAW
    participants = (raw / "participants.csv").read_text(encoding="utf-8")
    pln = (raw / "pln_identification.csv").read_text(encoding="utf-8")
    if bad == "participants":  # the second participant listed twice
        lines = participants.splitlines()
        participants = "\n".join(lines + [lines[2]]) + "\n"
        want = f"participants.csv, row {len(lines) + 1}: column handle:"
    else:
        lines = pln.splitlines()
        pln = "\n".join(lines[:2] + [lines[2].replace(lines[2].split(",")[-1], "hourly")]) + "\n"
        want = "pln_identification.csv, row 3: unknown frequency 'hourly'"
    (tmp_path / "participants.csv").write_text(participants, encoding="utf-8")
    (tmp_path / "pln_identification.csv").write_text(pln, encoding="utf-8")
    outputs = {name: str(tmp_path / "out" / name) for name in
               ("posts_out", "report_out", "participants_out", "pln_out", "key_out")}
    import dataclasses

    from tweetstorm import study

    # the raw files come from the study file: a copy that names the bad files
    (tmp_path / "study.yml").write_text(study.dump(dataclasses.replace(
        study.load(), participants=str(tmp_path / "participants.csv"),
        pln=str(tmp_path / "pln_identification.csv"))), encoding="utf-8")
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(
            str(ps.paths.ROOT / "notebooks" / "01-ingest.ipynb"), str(tmp_path / "run.ipynb"),
            parameters={"study_path": str(tmp_path / "study.yml"), **outputs},
            kernel_name="python3", progress_bar=False, cwd=str(ps.paths.ROOT))
    assert want in str(err.value), str(err.value)[-500:]
    assert "data/processed" not in str(err.value.evalue)
    assert not (tmp_path / "out").exists()  # nothing written, not even the private key


def test_domain_handle_as_a_host_name():
    df = frame([
        post(1, 0, "ann.example.org", "A1: my notes at https://ann.example.org/pln.", "answer",
             platform="bluesky", urls=["https://ann.example.org/pln"]),
        post(2, 1, "bob.bsky.social", "read ann.example.org and notann.example.org, "
             "ann.example.org.uk", "off_topic", platform="bluesky"),
    ])
    out = ps.apply(df, ps.build_key(df, moderators=[]))
    assert out.loc[0, "text"] == "A1: my notes at https://P01/pln."
    assert out.loc[0, "urls"] == ["https://P01/pln"]
    # only the whole host name: not inside a longer name or a longer domain
    assert out.loc[1, "text"] == "read P01 and notann.example.org, ann.example.org.uk"


def test_people_and_key_sentences_count_by_hand():
    people = pd.DataFrame({"handle": ["ann", "bob", "cy"]})
    pln = pd.DataFrame({"participant": ["ann", "ann", "bob"], "contact": ["x", "y", "x"]})
    assert ps.people_sentence(people, pln) == (
        "The participant list names 3 participants and the PLN session 3 contacts of 2 participants; "
        "both files passed their checks.")
    assert ps.people_sentence(people.iloc[:1], None) == (
        "The participant list names 1 participant and passed its checks; the study had no PLN "
        "identification session.")
    assert ps.people_sentence(None, pln.iloc[:1]) == (
        "The study has no participant list; the PLN session names 1 contact of 1 participant and "
        "passed its checks.")
    assert ps.people_sentence(None, None) == "The study has no participant list and no PLN identification session."
    key = pd.DataFrame({"handle": ["a", "b", "m", "z"], "pseudonym": ["P01", "P02", "M1", "X001"],
                        "kind": ["participant", "participant", "moderator", "other"]})
    assert ps.key_sentence(key, pd.DataFrame({"post_id": ["1", "2"]})) == (
        "The key holds 4 handles: 2 participants, 1 moderator and 1 other account; 2 post ids (the "
        "posts of the export and the posts they refer to) have a unit id.")
    assert ps.key_sentence(key.iloc[:1], pd.DataFrame({"post_id": ["1"]})) == (
        "The key holds 1 handle: 1 participant, 0 moderators and 0 other accounts; 1 post id (the "
        "posts of the export and the posts they refer to) has a unit id.")
