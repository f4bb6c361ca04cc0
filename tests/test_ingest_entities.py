"""One rule for hashtags, mentions, links and handles, and every reader follows it.

Expected values follow Twitter's documented rules (twitter-text: a hashtag needs a letter, so
``#2013`` is none; an e-mail address is no mention; the full-width ``＃``/``＠`` count) and
Mastodon's qualified handles (``@ann@mastodon.social``).
"""

from __future__ import annotations

import json

import pytest

from tweetstorm.ingest import entities, read_posts


@pytest.mark.parametrize("text, tags", [
    ("#PLNstorm rocks", ["plnstorm"]),
    ("since #2013 and #PLN2013", ["pln2013"]),
    ("＃ＰＬＮ full width", ["ｐｌｎ"]),
    ("a&#39;b x#y #_ #a_1", ["a_1"]),
    ("#café #über", ["café", "über"]),
    ("##double #end.", ["end"]),
])
def test_hashtags(text, tags):
    assert entities.hashtags(text) == tags


@pytest.mark.parametrize("text, handles", [
    ("@anna_r hi @Bob_K!", ["anna_r", "Bob_K"]),
    ("mail me at ann@example.org", []),
    ("@ann@mastodon.social said", ["ann@mastodon.social"]),
    ("thanks @bob@scholar.social.", ["bob@scholar.social"]),
    ("＠carla full width", ["carla"]),
    ("RT @dave: text", ["dave"]),
])
def test_mentions(text, handles):
    assert entities.mentions(text) == handles


def test_urls_lose_trailing_punctuation():
    assert entities.urls("see https://example.org/a?b=1, and (https://x.org/y).") == [
        "https://example.org/a?b=1", "https://x.org/y"]


@pytest.mark.parametrize("value, handle", [("@ann", "ann"), ("  ＠ann ", "ann"), ("", None), (None, None),
                                           ("ann@host.org", "ann@host.org")])
def test_normalise_handle(value, handle):
    assert entities.normalise_handle(value) == handle


def test_json_and_spreadsheet_formats_agree_on_entities_from_text(tmp_path):
    """A twarc2 page without entities and a Tweet Archivist sheet of the same post give the same
    hashtags and mentions (``#2013`` is a hashtag in neither)."""
    text = "A1: since #2013 my #PLN ＃ＯｐｅｎＥｄ @ann@mastodon.social and ＠bob_k help"
    page = {"data": [{"id": "1635641931986031091", "text": text, "created_at": "2023-03-14T14:00:00.000Z",
                      "author_id": "1"}], "includes": {"users": [{"id": "1", "username": "carla"}]}}
    (tmp_path / "p.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")
    (tmp_path / "s.csv").write_text("id,from_user,created_at,text\n"
                                    f"1635641931986031091,carla,2023-03-14 14:00:00,\"{text}\"\n", encoding="utf-8")
    j = read_posts(tmp_path / "p.jsonl").posts.iloc[0]
    s = read_posts(tmp_path / "s.csv").posts.iloc[0]
    assert j["hashtags"] == s["hashtags"] == ["pln", "ｏｐｅｎｅｄ"]
    assert j["mentions"] == s["mentions"] == ["ann@mastodon.social", "bob_k"]
