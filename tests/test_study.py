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


@pytest.mark.illustrative
def test_the_shipped_study_file_round_trips():
    s = study.load()
    assert study.dump(s) == (study.paths.resolve(study.STUDY_FILE)).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# What the study implies: sheets, outputs, the illustrative note
# ---------------------------------------------------------------------------------------------
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tweetstorm import codebook as codebook_module  # noqa: E402
from tweetstorm import figures, tables  # noqa: E402


def _with(**changes) -> study.Study:
    import dataclasses

    return dataclasses.replace(study.load(), **changes)


def test_sheet_files_take_csv_and_xlsx_and_refuse_two_for_one_rater(tmp_path):
    folder = tmp_path / "coding"
    folder.mkdir()
    s = _with(coding_sheets=str(folder))
    (folder / "rater_A.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match="1 completed coding sheet"):
        study.sheet_files(s)
    (folder / "rater_B.csv").write_text("x")
    (folder / "notes.txt").write_text("x")
    assert [p.rsplit("/", 1)[-1] for p in study.sheet_files(s)] == ["rater_A.xlsx", "rater_B.csv"]
    (folder / "rater_B.xlsx").write_bytes(b"x")
    with pytest.raises(InputError, match=r"rater B has two coding sheets: .*rater_B.csv and .*rater_B.xlsx"):
        study.sheet_files(s)


@pytest.mark.illustrative
def test_outputs_follow_the_codebook_and_the_optional_keys():
    s = study.load()
    book = codebook_module.load(s.codebook)
    names = {o.name for o in study.outputs(s, book)}
    assert {"q1_goals_frequencies", "q4_perception_categories", "reliability_confusion_Q3",
            "association_tests", "pln_network"} <= names
    bare = {o.name for o in study.outputs(_with(pln=None, characteristics=()), book)}
    assert not any(n.startswith("pln_") for n in bare)
    # no characteristics: association tests only for categories shared between questions
    # ("motivation" is in Q1 and Q2 of the illustrative codebook)
    assert "association_tests" in bare
    import dataclasses

    q1 = book.question("Q1")
    alone = dataclasses.replace(book, _questions={"Q1": q1})
    names = {o.name for o in study.outputs(_with(pln=None, characteristics=()), alone)}
    assert not any(n.startswith(("pln_", "association_")) for n in names)
    assert {n for n in names if n.endswith("_frequencies")} == {"q1_goals_frequencies"}
    assert "data/processed/pln_contacts.parquet" in bare  # an empty table, said so in the README
    files = [f for o in study.outputs(s, book) for f in o.files()]
    assert len(files) == len(set(files))
    assert "results/q2_motivation_frequencies.tex" in files and "figures/pln_network.svg" in files


def test_makefile_refuses_paths_make_cannot_track():
    with pytest.raises(InputError, match="make cannot track"):
        study.makefile(_with(export=("data/raw/my export.jsonl",)))


@pytest.mark.parametrize("illustrative", [True, False])
def test_every_caption_and_index_says_illustrative_only_when_it_is(tmp_path, monkeypatch, illustrative):
    s = _with(illustrative=illustrative)
    monkeypatch.setattr(study, "current", lambda path=study.STUDY_FILE: s)
    note = study.ILLUSTRATIVE_NOTE
    written = tables.write_table(pd.DataFrame({"n": [1]}), "probe", "A probe table.", directory=tmp_path)
    md = written["md"].read_text(encoding="utf-8")
    tex = written["tex"].read_text(encoding="utf-8")
    assert md.startswith(f"{note} A probe table." if illustrative else "A probe table.")
    assert (r"\caption{" + note) in tex if illustrative else "Illustrative" not in tex
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    caption = figures.save_figure(fig, "probe", "A probe figure.", directory=tmp_path)["txt"]
    assert caption.read_text(encoding="utf-8") == (f"{note} A probe figure.\n" if illustrative
                                                  else "A probe figure.\n")
    for rel, text in study.readmes(s).items():
        assert (note in text) == illustrative, rel
        assert f"Study: {s.title}." in text
    assert (note in study.summary(s)) == illustrative


def test_adjudication_todo_lists_the_units_without_a_majority(tmp_path):
    rows = [("u1", "a", "a", "b"), ("u2", "a", "b", "c"), ("u3", "a", "a", "a"),
            ("u4", "a", None, "b"), ("u5", "b", None, "b")]
    ratings = pd.DataFrame([(u, "Q1", r, c) for u, *codes in rows for r, c in zip("ABC", codes)],
                           columns=["unit_id", "question", "rater", "code"]).astype("string")
    todo = study.adjudication_todo(ratings, tmp_path / "todo.csv")
    # u1: a from 2 of 3 (majority); u5: b from 2 of 3 although C left it uncoded (majority);
    # u2: three codes, u4: one a, one b, one missing: no majority
    assert list(todo["unit_id"]) == ["u2", "u4"]
    assert list(todo.columns) == ["unit_id", "question", "code_A", "code_B", "code_C",
                                  "adjudicated_code", "adjudicator", "note"]
    back = pd.read_csv(tmp_path / "todo.csv", dtype=str, keep_default_na=False)
    assert list(back["unit_id"]) == ["u2", "u4"] and (back["adjudicated_code"] == "").all()
    two = ratings[ratings["rater"] != "C"]
    # two raters: a missing rating leaves one code of two, no majority (u4, u5)
    assert list(study.adjudication_todo(two, tmp_path / "t2.csv")["unit_id"]) == ["u2", "u4", "u5"]
