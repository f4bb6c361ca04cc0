"""Tests of the illustrative data generator (tweetstorm.generate) and of the committed data/raw/."""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

from tweetstorm import codebook as codebook_module
from tweetstorm import generate, paths

# These tests are about the shipped illustrative data set and its generator; on another study
# (data/raw/study.yml with illustrative: false) tests/conftest.py skips them.
pytestmark = pytest.mark.illustrative

SEED = generate.DEFAULT_SEED
TWITTER_EPOCH_MS = 1288834974657  # Twitter's snowflake epoch (2010-11-04T01:42:54.657Z)


@pytest.fixture(scope="module")
def ds() -> generate.Dataset:
    return generate.generate(SEED)


@pytest.fixture(scope="module")
def pages() -> list[dict]:
    lines = (paths.RAW / "tweetstorm_twarc2.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def tweets(pages) -> dict[str, dict]:
    """Unique tweets of the committed export (data tweets only), by id."""
    return {t["id"]: t for p in pages for t in p["data"]}


def _ms(created_at: str) -> int:
    return int(datetime.fromisoformat(created_at.replace("Z", "+00:00")).timestamp() * 1000)


# -- determinism and freshness --------------------------------------------------------------------

def test_same_seed_gives_identical_bytes(tmp_path):
    a = generate.write(generate.generate(SEED), tmp_path / "a")
    b = generate.write(generate.generate(SEED), tmp_path / "b")
    for fa, fb in zip(a, b):
        assert fa.read_bytes() == fb.read_bytes(), fa.name
    # the committed files are what the generator writes for the default seed
    for fa, name in zip(a, generate.RAW_FILES):
        assert fa.read_bytes() == (paths.RAW / name).read_bytes(), name


def test_other_seed_gives_other_data(tmp_path):
    other = generate.write(generate.generate(SEED + 1), tmp_path / "c")
    assert other[0].read_bytes() != (paths.RAW / generate.RAW_FILES[0]).read_bytes()


def test_readme_checksums_match_files():
    text = (paths.DATA / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"\| `data/raw/([^`]+)` \| `([0-9a-f]{64})` \|", text))
    assert sorted(listed) == sorted(generate.RAW_FILES)
    for name, digest in listed.items():
        assert hashlib.sha256((paths.RAW / name).read_bytes()).hexdigest() == digest, name


# -- counts ---------------------------------------------------------------------------------------

def test_counts_in_range(ds):
    assert 400 <= len(ds.posts) <= 600
    roles = ds.truth["role"].value_counts()
    assert 200 <= roles["answer"] <= 300
    assert roles["question"] == 4
    for role in ("retweet", "reply", "quote", "off_topic", "outside_window"):
        assert roles[role] >= 5, role
    assert set(ds.truth["assign_rule"].dropna()) == {"prefix", "reply_chain", "quote_chain",
                                                      "time_window", "unassigned"}
    assert (ds.truth["assign_rule"] == "unassigned").sum() == 1
    assert 20 <= len(ds.participants) <= 30
    assert ds.end - ds.start == pd.Timedelta(minutes=90)
    qt = sorted(ds.question_times.values())
    gaps = np.diff([t.value for t in qt]) / 60e9
    assert np.all((gaps > 18) & (gaps < 22))


def test_answers_per_participant_and_question(ds):
    ans = ds.truth[ds.truth["role"] == "answer"]
    per = ans.groupby(["author_handle", "question"]).size()
    assert per.max() <= 4
    totals = ans.groupby("author_handle").size()
    assert totals.max() >= 3 * totals.min()  # skewed activity: a few prolific accounts


def test_no_post_near_a_boundary(ds):
    bounds = [ds.start, ds.end, *ds.question_times.values(),
              max(ds.question_times.values()) + pd.Timedelta(minutes=20)]
    t = ds.posts.loc[ds.truth["role"] != "question", "created_at"]
    dist = np.min([np.abs((t - b).dt.total_seconds().to_numpy()) for b in bounds], axis=0)
    assert dist.min() >= 5


# -- the twarc2 export ----------------------------------------------------------------------------

def test_pages_have_api_v2_structure(pages):
    assert len(pages) >= 4
    for k, page in enumerate(pages):
        assert set(page) == {"data", "includes", "meta", "__twarc"}
        data, meta = page["data"], page["meta"]
        assert 0 < len(data) <= 100
        assert meta["result_count"] == len(data)
        assert meta["newest_id"] == data[0]["id"] and meta["oldest_id"] == data[-1]["id"]
        assert ("next_token" in meta) == (k < len(pages) - 1)
        ids = [int(t["id"]) for t in data]
        assert ids == sorted(ids, reverse=True)  # newest first
        assert set(page["__twarc"]) == {"url", "version", "retrieved_at"}
        assert page["__twarc"]["url"].startswith("https://api.twitter.com/2/tweets/search/all?")
        users = {u["id"] for u in page["includes"]["users"]}
        inc = {t["id"] for t in page["includes"]["tweets"]}
        for t in data:
            assert t["author_id"] in users
            for ref in t.get("referenced_tweets", []):
                assert ref["id"] in inc
            for m in t.get("entities", {}).get("mentions", []):
                assert m["id"] in users
    # pages follow each other: what a page adds is older than everything on the page before
    for a, b in zip(pages, pages[1:]):
        seen = {t["id"] for t in a["data"]}
        new = [int(t["id"]) for t in b["data"] if t["id"] not in seen]
        assert max(new) < int(a["meta"]["oldest_id"])


def test_duplicates_come_from_overlapping_pages(pages, ds):
    seen: dict[str, dict] = {}
    dupes = 0
    for page in pages:
        for t in page["data"]:
            if t["id"] in seen:
                dupes += 1
                assert t == seen[t["id"]]  # exact duplicate
            seen[t["id"]] = t
    assert 1 <= dupes <= 10
    assert len(seen) == len(ds.posts)


def test_ids_are_snowflakes_of_created_at(tweets):
    for tid, t in tweets.items():
        assert len(tid) == 18 and tid.isdigit()
        assert (int(tid) >> 22) + TWITTER_EPOCH_MS == _ms(t["created_at"])
        assert re.fullmatch(r"2012-11-15T\d\d:\d\d:\d\d\.\d{3}Z", t["created_at"])


def test_entity_offsets_point_into_unescaped_text(pages):
    n = 0
    for page in pages:
        for t in page["data"] + page["includes"]["tweets"]:
            text = html.unescape(t["text"])
            ent = t.get("entities", {})
            for h in ent.get("hashtags", []):
                assert text[h["start"]:h["end"]] == "#" + h["tag"]
                n += 1
            for m in ent.get("mentions", []):
                assert text[m["start"]:m["end"]] == "@" + m["username"]
            for u in ent.get("urls", []):
                assert text[u["start"]:u["end"]] == u["url"]
            # every #tag / @mention in the text has its entity
            assert len(re.findall(r"(?<![\w&#])#\w*[A-Za-z_]\w*", text)) == len(ent.get("hashtags", []))
    assert n > 300


def test_text_is_html_escaped_as_the_api_does(tweets):
    raw = [t["text"] for t in tweets.values()]
    assert any("&amp;" in s for s in raw) and any("&lt;3" in s for s in raw)
    for s in raw:
        assert "<" not in s and ">" not in s
        assert re.search(r"&(?!amp;|lt;|gt;)", s) is None
    unescaped = [html.unescape(s) for s in raw]
    assert any("\n" in s for s in unescaped)
    assert any(ord(c) > 0xFFFF for s in unescaped for c in s)  # an emoji
    assert any(c in "éëøłöüñ" for s in unescaped for c in s)


def test_retweets_are_truncated_with_the_original_in_includes(pages):
    originals = {t["id"]: t for p in pages for t in p["includes"]["tweets"]}
    users = {u["id"]: u["username"] for p in pages for u in p["includes"]["users"]}
    truncated = 0
    for page in pages:
        for t in page["data"]:
            refs = {r["type"]: r["id"] for r in t.get("referenced_tweets", [])}
            if "retweeted" not in refs:
                continue
            orig = originals[refs["retweeted"]]
            full = f"RT @{users[orig['author_id']]}: " + html.unescape(orig["text"])
            text = html.unescape(t["text"])
            assert len(text) <= 140
            if text != full:
                truncated += 1
                assert text.endswith("…") and full.startswith(text[:-1])
    assert truncated >= 1


# -- the structure rules recover the ground truth ---------------------------------------------------

PREFIX = re.compile(r"^(?:@\w+\s+)*a([1-9])\s*[:.)\-]", re.IGNORECASE)
QUESTION = re.compile(r"^Q([1-9])\s*:")


def _reference_structure(tweets: dict[str, dict], users: dict[str, str], ds) -> pd.DataFrame:
    """Independent implementation of the rules of data/README.md on the raw export."""
    start, end = ds.start.value // 10**6, ds.end.value // 10**6
    mods, tag = set(ds.moderators), "#" + ds.hashtag
    rows = {}
    for tid, t in tweets.items():
        refs = {r["type"]: r["id"] for r in t.get("referenced_tweets", [])}
        rows[tid] = dict(ms=_ms(t["created_at"]), author=users[t["author_id"]],
                         text=html.unescape(t["text"]), refs=refs, role=None, q=None, rule=None)
    qpost = {}
    for tid, r in rows.items():
        if not start <= r["ms"] <= end:
            r["role"] = "outside_window"
        elif r["author"] in mods and QUESTION.match(r["text"]):
            r["role"], r["q"] = "question", "Q" + QUESTION.match(r["text"]).group(1)
            qpost[tid] = r["q"]
    asked = set(qpost.values())
    for _tid, r in sorted(rows.items()):
        if r["role"]:
            continue
        m = PREFIX.match(r["text"])
        # a prefix naming a question never asked decides nothing; such a post stays an answer
        r["stray"] = bool(m) and "Q" + m.group(1) not in asked
        if "retweeted" in r["refs"]:
            r["role"] = "retweet"
        elif m and not r["stray"]:
            r["role"], r["q"], r["rule"] = "answer", "Q" + m.group(1), "prefix"
        elif "replied_to" in r["refs"]:
            p = r["refs"]["replied_to"]
            while p not in qpost and "replied_to" in rows[p]["refs"]:
                p = rows[p]["refs"]["replied_to"]
            if p in qpost:
                r["role"], r["q"], r["rule"] = "answer", qpost[p], "reply_chain"
            elif not r["stray"]:
                r["role"] = "reply"
        elif "quoted" in r["refs"]:
            if r["refs"]["quoted"] in qpost:
                r["role"], r["q"], r["rule"] = "answer", qpost[r["refs"]["quoted"]], "quote_chain"
            elif not r["stray"]:
                r["role"] = "quote"
    participants = {r["author"] for r in rows.values() if r["role"] == "answer"} - mods
    qtimes = sorted((rows[tid]["ms"], q) for tid, q in qpost.items())
    for r in rows.values():
        if r["role"]:
            continue
        r["role"] = "off_topic"
        if r["author"] in participants and tag in r["text"].lower():
            for k, (qms, q) in enumerate(qtimes):
                hi = qtimes[k + 1][0] if k + 1 < len(qtimes) else qms + 20 * 60_000
                if qms < r["ms"] < hi:
                    r["role"], r["q"], r["rule"] = "answer", q, "time_window"
        if r["stray"] and r["role"] == "off_topic":
            r["role"], r["rule"] = "answer", "unassigned"
    return pd.DataFrame([(tid, r["author"], r["role"], r["q"], r["rule"])
                         for tid, r in sorted(rows.items())],
                        columns=["post_id", "author_handle", "role", "question", "assign_rule"])


def test_structure_rules_recover_ground_truth(pages, tweets, ds):
    users = {u["id"]: u["username"] for p in pages for u in p["includes"]["users"]}
    got = _reference_structure(tweets, users, ds)
    want = ds.truth[got.columns].sort_values("post_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got.fillna("NA"), want.fillna("NA"))


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_structure_rules_hold_for_other_seeds(seed):
    other = generate.generate(seed)
    tweets = {t["id"]: t for p in other.pages for t in p["data"]}
    users = {u["id"]: u["username"] for p in other.pages for u in p["includes"]["users"]}
    got = _reference_structure(tweets, users, other)
    want = other.truth[got.columns].sort_values("post_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got.fillna("NA"), want.fillna("NA"))


def test_participants_file_lists_exactly_the_participants(ds):
    t = ds.truth
    part = set(t.loc[t["assign_rule"].isin(["prefix", "reply_chain", "quote_chain"]),
                     "author_handle"]) - set(ds.moderators)
    df = pd.read_csv(paths.RAW / "participants.csv")
    assert list(df.columns) == ["handle", "role", "sector", "years_online"]
    assert sorted(df["handle"]) == sorted(part) == list(df["handle"])
    assert set(df["role"]) == {"teacher", "researcher", "learning designer", "manager", "student"}
    assert set(df["sector"]) == {"higher education", "school", "corporate", "public sector"}
    assert df["years_online"].dtype.kind == "i"


def test_roles_are_mildly_associated_with_categories(ds):
    from scipy.stats import chi2_contingency

    part = pd.read_csv(paths.RAW / "participants.csv")
    ans = ds.truth[ds.truth["role"] == "answer"].merge(
        part, left_on="author_handle", right_on="handle", suffixes=("", "_p"))
    q1 = ans[ans["question"] == "Q1"]
    teach = q1["role_p"] == "teacher"
    share_teach = q1.loc[teach, "true_code"].isin(["sharing", "feedback"]).mean()
    share_other = q1.loc[~teach, "true_code"].isin(["sharing", "feedback"]).mean()
    assert share_teach > share_other
    # role x category is associated (chi-square), mildly: not in every question
    pvals = [chi2_contingency(pd.crosstab(a["role_p"], a["true_code"]))[1]
             for _, a in ans.groupby("question")]
    assert min(pvals) < 0.05 and max(pvals) > 0.05


# -- coding sheets and adjudication ---------------------------------------------------------------

@pytest.fixture(scope="module")
def sheets() -> dict[str, pd.DataFrame]:
    return {r: pd.read_csv(paths.RAW / "coding" / f"rater_{r}.csv", dtype=str,
                           keep_default_na=False) for r in ("R1", "R2", "R3")}


def test_every_answer_in_each_sheet_once(ds, sheets):
    book = codebook_module.load(paths.RAW / "codebook.yml")
    # every answer placed under a question is a coding unit; the unassigned one is not coded
    answers = ds.truth[(ds.truth["role"] == "answer") & ds.truth["question"].notna()]
    texts = ds.posts.set_index("post_id")["text"]
    for _r, s in sheets.items():
        assert list(s.columns) == ["unit_id", "question", "text", "code"]
        assert s["unit_id"].is_unique
        assert sorted(s["unit_id"]) == sorted(answers["post_id"])
        q = answers.set_index("post_id")["question"]
        assert (s["question"].to_numpy() == q[s["unit_id"]].to_numpy()).all()
        assert (s["text"].to_numpy() == texts[s["unit_id"]].to_numpy()).all()
        for question, code in zip(s["question"], s["code"]):
            assert code in book.codes(question)
    assert any("\n" in t for t in sheets["R1"]["text"])


def test_adjudication_covers_exactly_the_non_unanimous_units(sheets):
    adj = pd.read_csv(paths.RAW / "adjudication.csv", dtype=str, keep_default_na=False)
    assert list(adj.columns) == ["unit_id", "question", "code_R1", "code_R2", "code_R3",
                                 "adjudicated_code", "adjudicator", "note"]
    codes = pd.DataFrame({r: s["code"] for r, s in sheets.items()})
    codes.index = sheets["R1"]["unit_id"]
    non_unanimous = codes[codes.nunique(axis=1) > 1]
    assert sorted(adj["unit_id"]) == sorted(non_unanimous.index)
    a = adj.set_index("unit_id")
    for r in ("R1", "R2", "R3"):
        assert (a[f"code_{r}"] == non_unanimous.loc[a.index, r]).all()
    no_majority = non_unanimous.nunique(axis=1) == 3
    filled = a["adjudicated_code"] != ""
    assert filled[no_majority[no_majority].index].all()
    majority = a.index[~no_majority[a.index].to_numpy()]
    assert filled[majority].any() and not filled[majority].all()
    assert ((a["adjudicator"] == "ADJ") == filled).all()


def _pair_kappa(a: np.ndarray, b: np.ndarray) -> float:
    cats = sorted(set(a) | set(b))
    table = pd.crosstab(pd.Categorical(a, cats), pd.Categorical(b, cats), dropna=False)
    return cohens_kappa(table.to_numpy()).kappa


def test_kappas_in_range_and_category_agreement_differs(sheets):
    spreads: list[float] = []
    all_cats: list[float] = []
    for q in ("Q1", "Q2", "Q3", "Q4"):
        codes = {r: s.loc[s["question"] == q, "code"].to_numpy() for r, s in sheets.items()}
        for a, b in itertools.combinations(codes, 2):
            assert 0.55 <= _pair_kappa(codes[a], codes[b]) <= 0.85, (q, a, b)
        matrix = np.column_stack(list(codes.values()))
        assert 0.55 <= fleiss_kappa(aggregate_raters(matrix)[0]) <= 0.85
        # category-wise agreement: Fleiss' kappa of "this category vs the rest"
        per_cat = [fleiss_kappa(aggregate_raters((matrix == c).astype(int))[0])
                   for c in np.unique(matrix)]
        spreads.append(max(per_cat) - min(per_cat))
        all_cats += per_cat
    assert min(spreads) > 0.1  # within each question, some categories agree clearly less
    assert max(all_cats) - min(all_cats) > 0.3


# -- the PLN identification session ---------------------------------------------------------------

def test_pln_identification():
    pln = pd.read_csv(paths.RAW / "pln_identification.csv", dtype=str, keep_default_na=False)
    part = set(pd.read_csv(paths.RAW / "participants.csv")["handle"])
    assert list(pln.columns) == ["participant", "contact", "contact_type", "frequency"]
    per = pln.groupby("participant").size()
    assert 18 <= len(per) <= 22 and per.between(4, 15).all()
    assert set(pln["participant"]) <= part
    assert set(pln["contact_type"]) == {"person", "group", "resource"}
    assert set(pln["frequency"]) <= {"daily", "weekly", "monthly", "rarely"}
    assert not pln.duplicated(["participant", "contact"]).any()
    people = pln[pln["contact_type"] == "person"]
    assert people["contact"].str.fullmatch(r"@\w{1,15}").all()
    named_by = people.groupby("contact")["participant"].nunique()
    assert named_by.max() >= 5  # popular third parties
    handles = people["contact"].str[1:]
    assert handles.isin(part).any() and (~handles.isin(part)).any()


def test_the_study_file_is_written_and_equals_the_shipped_one(tmp_path):
    written = generate.write(generate.generate(SEED), tmp_path / "raw")
    assert written[-1].name == "study.yml"
    assert written[-1].read_bytes() == (paths.RAW / "study.yml").read_bytes()


def test_larger_studies_with_other_numbers_of_raters(tmp_path):
    """--participants and --raters: the same design at another size (the scale benchmarks)."""
    small = generate.generate(SEED)
    ds = generate.generate(SEED, participants=60, n_raters=2)
    assert set(ds.participants["handle"]) >= set(small.participants["handle"])
    assert ds.participants["handle"].nunique() == 60
    assert list(ds.ratings) == ["R1", "R2"]
    n_units = len(ds.ratings["R1"])
    assert n_units > 2 * len(small.ratings["R1"])  # answers grow with the participants
    # with two raters no disagreement has a majority: every one is adjudicated
    a, b = ds.ratings["R1"]["code"], ds.ratings["R2"]["code"]
    assert list(ds.adjudication.columns[:4]) == ["unit_id", "question", "code_R1", "code_R2"]
    assert len(ds.adjudication) == int((a != b).sum())
    assert (ds.adjudication["adjudicated_code"] != "").all()
    files = generate.write(ds, tmp_path / "raw")
    assert [p.name for p in files if p.parent.name == "coding"] == ["rater_R1.csv", "rater_R2.csv"]
    four = generate.generate(SEED, n_raters=4)
    assert list(four.ratings) == ["R1", "R2", "R3", "R4"]
    with pytest.raises(ValueError, match="at least 25 participants"):
        generate.generate(SEED, participants=10)
