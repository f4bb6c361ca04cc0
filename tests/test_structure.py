"""Roles, questions and assignment rules of tweetstorm.structure, on hand-made posts.

Each expected value below is worked out by hand from the rules in the module docstring; the last
test checks the generator's own ground truth on the ingested illustrative export.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tweetstorm import structure
from tweetstorm.errors import InputError

HASHTAG = "#PLNstorm"
MODS = ["@ModAcct"]
START = "2013-03-20T15:00:00Z"
END = "2013-03-20T17:00:00Z"
T0 = pd.Timestamp(START)


def post(pid, minute, author, text, *, rt=False, reply_to=None, quote=None, tags=("plnstorm",)):
    """One canonical post, ``minute`` minutes after the start of the event."""
    return {
        "post_id": str(pid), "platform": "twitter", "author_id": f"id-{author}",
        "author_handle": author, "created_at": T0 + pd.Timedelta(minutes=minute), "text": text,
        "lang": "en", "is_retweet": rt, "retweeted_post_id": None, "reply_to_post_id": reply_to,
        "reply_to_handle": None, "quoted_post_id": quote, "conversation_id": None,
        "hashtags": list(tags), "mentions": [], "urls": [], "source_format": "test",
        "source_file": "test.jsonl", "source_line": int(pid),
    }


def frame(rows):
    df = pd.DataFrame(rows)
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True)
    for col in ("reply_to_post_id", "quoted_post_id"):
        df[col] = df[col].astype("string")
    return df


def run(rows, **kw):
    out = structure.assign_structure(frame(rows), hashtag=HASHTAG, moderators=MODS, start=START,
                                     end=END, **kw)
    return out.set_index("post_id")


def got(out, pid):
    r = out.loc[str(pid)]
    return (r["role"], None if pd.isna(r["question"]) else r["question"],
            None if pd.isna(r["assign_rule"]) else r["assign_rule"])


QUESTIONS = [
    post(1, 0, "modacct", "Q1: What are your goals? #plnstorm"),
    post(2, 20, "ModAcct", "Q2: What motivates you? #plnstorm"),
]


@pytest.mark.parametrize("text", [
    "A2: learning every day", "A2 - learning", "a2) learning", "A2. learning", "A 2: learning",
    "  A2: learning", "@modacct A2: learning", "@modacct, @bob A2: learning", "A2 – learning",
])
def test_answer_prefix_variants(text):
    out = run(QUESTIONS + [post(10, 25, "ann", text)])
    assert got(out, 10) == ("answer", "Q2", "prefix")


@pytest.mark.parametrize("text", [
    "A 2-hour session was great", "A2.5 is my score", "A 2:30 pm slot", "Thanks A2: nope",
    "AA2: no", "B2: no", "My A2: answer",
])
def test_not_an_answer_prefix(text):
    # non-participant, no reply/quote: off-topic whatever the hashtag
    out = run(QUESTIONS + [post(10, 25, "ann", text)])
    assert got(out, 10) == ("off_topic", None, None)


def test_question_needs_moderator_and_prefix():
    rows = QUESTIONS + [
        post(3, 1, "ann", "Q3: is this a question? no, ann is not a moderator"),
        post(4, 2, "modacct", "Welcome to the #plnstorm, first question soon"),
        post(5, 3, "modacct", "Q1: What are your goals?", rt=True),  # moderator retweet
    ]
    out = run(rows)
    assert got(out, 1) == ("question", "Q1", None)
    assert got(out, 2) == ("question", "Q2", None)
    assert got(out, 3) == ("off_topic", None, None)
    assert got(out, 4) == ("off_topic", None, None)
    assert got(out, 5) == ("retweet", None, None)


def test_outside_window_wins_over_everything():
    rows = QUESTIONS + [post(10, -5, "ann", "A1: early"), post(11, 121, "modacct", "Q3: late?"),
                        post(12, 120, "ann", "A2: at the very end")]
    out = run(rows)
    assert got(out, 10) == ("outside_window", None, None)
    assert got(out, 11) == ("outside_window", None, None)
    assert got(out, 12) == ("answer", "Q2", "prefix")  # end is included


def test_retweet_of_an_answer_is_a_retweet():
    out = run(QUESTIONS + [post(10, 5, "bob", "A1: sharing", rt=True)])
    assert got(out, 10) == ("retweet", None, None)


def test_reply_chains():
    rows = QUESTIONS + [
        post(10, 2, "ann", "sharing is my goal", reply_to="1"),  # direct reply to Q1
        post(11, 3, "bob", "same here!", reply_to="10"),  # chain of length 2
        post(12, 4, "cat", "+1", reply_to="11"),  # length 3
        post(13, 5, "dan", "nice weather", tags=()),  # top-level chatter
        post(14, 6, "eve", "agreed dan", reply_to="13"),  # reply to a non-question
        post(15, 22, "ann", "A1: late answer to Q1 replying to Q2", reply_to="2"),
    ]
    out = run(rows)
    assert got(out, 10) == ("answer", "Q1", "reply_chain")
    assert got(out, 11) == ("answer", "Q1", "reply_chain")
    assert got(out, 12) == ("answer", "Q1", "reply_chain")
    assert got(out, 13) == ("off_topic", None, None)
    assert got(out, 14) == ("reply", None, None)
    assert got(out, 15) == ("answer", "Q1", "prefix")  # the prefix comes before the chain


def test_chain_stops_at_nearest_question():
    rows = QUESTIONS + [post(3, 21, "modacct", "Q3: follow-up", reply_to="2"),
                        post(10, 23, "ann", "answering the follow-up", reply_to="3")]
    out = run(rows)
    assert got(out, 3) == ("question", "Q3", None)
    assert got(out, 10) == ("answer", "Q3", "reply_chain")


def test_quotes():
    rows = QUESTIONS + [
        post(10, 3, "ann", "my goal: feedback", quote="1"),
        post(11, 4, "bob", "look at this", quote="10"),  # quote of an answer
        post(12, 5, "cat", "hm", quote="999"),  # quoted post not in the data
    ]
    out = run(rows)
    assert got(out, 10) == ("answer", "Q1", "quote_chain")
    assert got(out, 11) == ("quote", None, None)
    assert got(out, 12) == ("quote", None, None)


def test_time_window():
    rows = QUESTIONS + [
        post(10, 2, "ann", "A1: sharing"),  # makes ann a participant
        post(11, 18, "ann", "and also feedback #plnstorm"),  # Q1 window
        post(12, 21, "ann", "motivation, for sure #plnstorm"),  # Q2 window
        post(13, 39, "ann", "still on it #plnstorm"),  # 19 min after last question
        post(14, 41, "ann", "too late #plnstorm"),  # 21 min after: outside the last window
        post(15, 21, "ann", "no hashtag here", tags=()),
        post(16, 21, "bob", "late, unprefixed, not a participant #plnstorm"),
        post(17, 25, "modacct", "great answers everyone #plnstorm"),  # moderator
    ]
    out = run(rows)
    assert got(out, 11) == ("answer", "Q1", "time_window")
    assert got(out, 12) == ("answer", "Q2", "time_window")
    assert got(out, 13) == ("answer", "Q2", "time_window")
    assert got(out, 14) == ("off_topic", None, None)
    assert got(out, 15) == ("off_topic", None, None)
    assert got(out, 16) == ("off_topic", None, None)
    assert got(out, 17) == ("off_topic", None, None)
    # a wider last window takes post 14 in
    assert got(run(rows, last_window_minutes=25), 14) == ("answer", "Q2", "time_window")


def test_time_window_before_first_question_is_off_topic():
    rows = [post(10, 1, "ann", "hello #plnstorm"), post(11, 5, "ann", "A1: x"),
            post(1, 3, "modacct", "Q1: goals?")]
    out = run(rows)
    assert got(out, 10) == ("off_topic", None, None)
    assert got(out, 11) == ("answer", "Q1", "prefix")


def test_participant_reply_to_non_question_stays_reply():
    rows = QUESTIONS + [post(10, 2, "ann", "A1: sharing"),
                        post(11, 3, "ann", "@bob yes! #plnstorm", reply_to="10")]
    out = run(rows)
    assert got(out, 11) == ("reply", None, None)


def test_unassigned():
    rows = QUESTIONS + [
        post(10, 5, "ann", "A7: a question nobody asked"),
        post(11, 6, "bob", "replying to something we never saw", reply_to="999"),
        post(12, 7, "cat", "deeper", reply_to="11"),  # chain breaks two levels up
        post(13, 8, "dan", "A2: answered before Q2 was asked? still Q2"),
        post(14, 9, "eve", "A1: participant"),
        post(15, 22, "eve", "A7: unknown prefix, but in the Q2 window #plnstorm"),
        post(16, 23, "eve", "A9: unknown prefix in a quote of Q1", quote="1"),
        post(17, 24, "ann", "A8: unknown prefix in a reply to a reply", reply_to="14"),
    ]
    out = run(rows)
    assert got(out, 10) == ("answer", None, "unassigned")
    assert got(out, 11) == ("answer", None, "unassigned")
    assert got(out, 12) == ("answer", None, "unassigned")
    assert got(out, 13) == ("answer", "Q2", "prefix")
    assert got(out, 15) == ("answer", "Q2", "time_window")
    assert got(out, 16) == ("answer", "Q1", "quote_chain")
    assert got(out, 17) == ("answer", None, "unassigned")
    un = structure.unassigned(out.reset_index())
    assert list(un["post_id"]) == ["10", "11", "12", "17"]
    assert "Q7" in un.loc[0, "reason"]
    assert "999" in un.loc[1, "reason"]


def test_reply_cycle_counts_as_broken():
    rows = QUESTIONS + [post(10, 5, "ann", "x", reply_to="11"), post(11, 6, "bob", "y", reply_to="10")]
    out = run(rows)
    assert got(out, 10) == ("answer", None, "unassigned")


def test_rule_counts_and_order_preserved():
    rows = QUESTIONS + [post(10, 2, "ann", "A1: x"), post(11, 3, "bob", "x", reply_to="1"),
                        post(12, 4, "cat", "rt", rt=True), post(13, 200, "dan", "late")]
    df = frame(rows)
    out = structure.assign_structure(df, hashtag=HASHTAG, moderators=MODS, start=START, end=END)
    assert list(out["post_id"]) == list(df["post_id"])
    counts = structure.rule_counts(out)
    got_counts = {(r.role, None if pd.isna(r.assign_rule) else r.assign_rule): r.posts
                  for r in counts.itertuples()}
    assert got_counts[("question", None)] == 2
    assert got_counts[("answer", "prefix")] == 1
    assert got_counts[("answer", "reply_chain")] == 1
    assert got_counts[("answer", "time_window")] == 0
    assert got_counts[("retweet", None)] == 1
    assert got_counts[("outside_window", None)] == 1
    assert counts["posts"].sum() == len(df)
    assert len(counts) == len(structure.ROLES) - 1 + len(structure.ASSIGN_RULES)


def test_bad_input():
    df = frame(QUESTIONS)
    with pytest.raises(InputError, match="missing column"):
        structure.assign_structure(df.drop(columns="hashtags"), hashtag=HASHTAG, moderators=MODS,
                                   start=START, end=END)
    with pytest.raises(InputError, match="more than once"):
        structure.assign_structure(pd.concat([df, df]), hashtag=HASHTAG, moderators=MODS,
                                   start=START, end=END)
    with pytest.raises(InputError, match="time zone"):
        structure.assign_structure(df, hashtag=HASHTAG, moderators=MODS,
                                   start="2013-03-20 15:00", end=END)


@pytest.mark.parametrize("seed", [None, 7])
def test_recovers_generator_ground_truth(tmp_path, seed):
    """On the ingested generated export, every post gets the generator's role, question, rule."""
    generate = pytest.importorskip("tweetstorm.generate")
    ingest = pytest.importorskip("tweetstorm.ingest")
    ds = generate.generate(generate.DEFAULT_SEED if seed is None else seed)
    generate.write(ds, tmp_path)
    posts = ingest.read_posts([tmp_path / "tweetstorm_twarc2.jsonl"]).posts
    out = structure.assign_structure(posts, hashtag=ds.hashtag, moderators=ds.moderators,
                                     start=ds.start, end=ds.end)
    cols = ["post_id", "role", "question", "assign_rule"]
    got_ = out[cols].astype("string").fillna("-").sort_values("post_id").reset_index(drop=True)
    want = ds.truth[cols].astype("string").fillna("-").sort_values("post_id").reset_index(drop=True)
    assert len(got_) == len(want)
    mismatch = got_.compare(want, result_names=("got", "truth"))
    assert mismatch.empty, mismatch.join(got_["post_id"]).to_string()
    # the generated event uses every answer rule
    assert set(want.loc[want["role"] == "answer", "assign_rule"]) >= {
        "prefix", "reply_chain", "quote_chain", "time_window"}


def test_author_kind_is_written_once_for_every_post():
    # ModAcct (any case) is the moderator; ann answers by prefix, dan only by a reply to the
    # question, bob only replies to a non-question and retweets; a post without author has no
    # kind.
    rows = QUESTIONS + [
        post(10, 2, "ann", "A1: sharing"),
        post(11, 3, "dan", "trust, mostly", reply_to="1"),
        post(12, 4, "bob", "nice", reply_to="10"),
        post(13, 5, "bob", "RT", rt=True),
        post(14, 6, "MODACCT", "thanks all"),
        post(15, 7, None, "who am I"),
    ]
    out = run(rows)
    assert got(out, 11) == ("answer", "Q1", "reply_chain")
    kinds = out["author_kind"]
    assert kinds.dtype == "string"
    assert kinds.loc[["1", "2", "14"]].tolist() == ["moderator"] * 3
    assert kinds.loc[["10", "11"]].tolist() == ["participant"] * 2
    assert kinds.loc[["12", "13"]].tolist() == ["other"] * 2
    assert pd.isna(kinds.loc["15"])
    # the same rule on its own, from role and author only
    assert structure.author_kinds(out.reset_index(), MODS).tolist()[:-1] == kinds.tolist()[:-1]


def test_answer_authors_leaves_moderators_out():
    authors = pd.Series(["@Ann", "ann", "bob", "Mod", None])
    got_ = structure.answer_authors(authors, [True, False, True, True, True],
                                    [False, False, False, True, False])
    assert got_ == {"ann", "bob"}


def test_assignment_and_unassigned_sentences_count_by_hand():
    import pandas as pd

    from tweetstorm import structure as st

    # 2 questions; answers: 2 by prefix, 1 by reply_chain, none by the other rules, 1 unplaced
    posts = pd.DataFrame({"role": ["question", "question", "answer", "answer", "answer", "answer", "retweet"],
                          "assign_rule": [None, None, "prefix", "prefix", "reply_chain", "unassigned", None]})
    assert st.assignment_sentence(st.rule_counts(posts)) == (
        "The moderator asked 2 questions. Of the 4 answers, 2 were assigned by `prefix`, 1 was assigned "
        "by `reply_chain`, 0 were assigned by `quote_chain`, 0 were assigned by `time_window`; 1 could "
        "not be placed.")
    one = posts.iloc[[0, 2]]
    assert st.assignment_sentence(st.rule_counts(one)).startswith(
        "The moderator asked 1 question. Of the 1 answer, 1 was assigned by `prefix`")
    assert st.unassigned_sentence(pd.DataFrame({"post_id": ["1"]})) == "1 unassigned answer to look at:"
    assert st.unassigned_sentence(pd.DataFrame({"post_id": ["1", "2"]})) == "2 unassigned answers to look at:"
    assert st.unassigned_sentence(pd.DataFrame({"post_id": []})).startswith("Every answer")
