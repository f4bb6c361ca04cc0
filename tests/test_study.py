"""The study file: one place for the event, validated key by key with the line named."""

import pytest

from tweetstorm import study
from tweetstorm.errors import InputError

GOOD = """\
title: My storm
illustrative: false
export: [exports/storm.jsonl]
hashtag: '#edchat'
moderators: ['@mod@example.social']
start: '2024-03-01T18:00:00+01:00'
end: '2024-03-01T19:00:00+01:00'
codebook: data/raw/codebook.yml
coding_sheets: data/raw/coding
"""


def test_a_minimal_study_parses_with_defaults():
    s = study.parse(GOOD)
    assert s.hashtag == "edchat" and s.moderators == ("mod@example.social",)
    assert s.adjudication is None and s.pln is None and s.characteristics == ()
    assert s.start_time().utcoffset().total_seconds() == 3600
    assert study.parse(study.dump(s)) == s


@pytest.mark.parametrize("extra, line, what", [
    ("colour: blue\n", 10, "unknown key 'colour'"),
    ("illustrative: false\n", None, None),
])
def test_unknown_key_names_key_and_line(extra, line, what):
    text = GOOD + extra
    if what is None:  # a duplicate key is YAML's business: the last one wins
        study.parse(text)
        return
    with pytest.raises(InputError) as err:
        study.parse(text)
    assert err.value.line == line and what in str(err.value)


@pytest.mark.parametrize("old, new, line, what", [
    ("illustrative: false", "illustrative: 'no'", 2, "illustrative must be true or false"),
    ("start: '2024-03-01T18:00:00+01:00'", "start: '2024-03-01T18:00:00'", 6, "has no offset"),
    ("export: [exports/storm.jsonl]", "export: {a: 1}", 3, "export must be a list of strings"),
    ("end: '2024-03-01T19:00:00+01:00'", "end: '2024-03-01T17:00:00+01:00'", 7, "is not after start"),
])
def test_wrong_types_name_key_and_line(old, new, line, what):
    with pytest.raises(InputError) as err:
        study.parse(GOOD.replace(old, new))
    assert err.value.line == line and what in str(err.value)


def test_missing_required_keys_are_listed():
    with pytest.raises(InputError, match="missing key.s. codebook, coding_sheets"):
        study.parse(GOOD.replace("codebook: data/raw/codebook.yml\n", "").replace(
            "coding_sheets: data/raw/coding\n", ""))


def test_the_shipped_study_file_round_trips():
    s = study.load()
    assert study.dump(s) == (study.paths.resolve(study.STUDY_FILE)).read_text(encoding="utf-8")
