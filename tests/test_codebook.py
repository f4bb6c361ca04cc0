"""Tests of tweetstorm.codebook: the real codebook and every kind of bad input."""

from __future__ import annotations

import copy

import pytest
import yaml

from tweetstorm import codebook as codebook_module
from tweetstorm import paths
from tweetstorm.errors import InputError

# The factors reported by Sie et al. (2013) for Q1 and Q2, and Eraut's (2004) outcome types (Q3),
# written out here independently of the codebook file.
STUDY_LABELS = {
    "Q1": ["Sharing", "Motivation", "Perceived value of the network", "Feedback",
           "Personal learning", "Trust and support", "Peer characteristics", "Peer value"],
    "Q2": ["Different perspectives", "Motivation", "Social media and collaboration", "Reciprocity",
           "Intrinsic motivation", "Innovation", "Status and reputation", "Networking strategies"],
    "Q3": ["Task performance", "Awareness and understanding", "Personal development", "Teamwork",
           "Role performance", "Academic knowledge and skills",
           "Decision making and problem solving", "Judgement"],
}


@pytest.fixture(scope="module")
def book() -> codebook_module.Codebook:
    return codebook_module.load(paths.RAW / "codebook.yml")


@pytest.fixture
def raw() -> dict:
    # the illustrative codebook as the generator writes it, whatever study data/raw holds
    from tweetstorm._generator.codebook_text import CODEBOOK_YAML

    return yaml.safe_load(CODEBOOK_YAML)


def _write(tmp_path, data) -> str:
    path = tmp_path / "codebook.yml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.illustrative
def test_real_codebook_has_the_studys_factors(book):
    assert book.questions() == ["Q1", "Q2", "Q3", "Q4"]
    assert book.source == "data/raw/codebook.yml"
    for q, labels in STUDY_LABELS.items():
        assert [book.label(q, c) for c in book.codes(q)] == labels
    assert book.codes("Q1")[:2] == ["sharing", "motivation"]
    assert "motivation" in book.codes("Q2")  # same code string in two questions, on purpose
    assert book.label("Q2", "intrinsic_motivation") == "Intrinsic motivation"
    assert len(book.codes("Q4")) >= 5
    for q in book.questions():
        assert book.multi_code(q) is False
        assert book.prompt(q).endswith("?")
        assert len(set(book.codes(q))) == len(book.codes(q))
        for cat in book.question(q).categories:
            assert cat.definition and cat.example.startswith(f"A{q[1]}:")


@pytest.mark.illustrative
def test_header_cites_study_and_eraut_and_says_illustrative():
    head = [ln for ln in (paths.RAW / "codebook.yml").read_text(encoding="utf-8").splitlines()
            if ln.startswith("#")]
    text = " ".join(head)
    assert "Sie, R. L. L." in text and "Eraut, M. (2004)" in text and "ILLUSTRATIVE" in text


def test_unknown_question_or_code(book):
    with pytest.raises(KeyError, match="Q9"):
        book.codes("Q9")
    with pytest.raises(KeyError, match="nonsense"):
        book.label("Q1", "nonsense")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found") as err:
        codebook_module.load(tmp_path / "nope.yml")
    assert "nope.yml" in str(err.value)


def test_invalid_yaml_names_the_line(tmp_path):
    path = _write(tmp_path, "questions:\n  Q1:\n    label: [unclosed\n")
    with pytest.raises(InputError, match="not valid YAML") as err:
        codebook_module.load(path)
    assert err.value.line is not None and "codebook.yml" in str(err.value)


def test_missing_top_level_key(tmp_path):
    with pytest.raises(InputError, match="missing top-level key questions"):
        codebook_module.load(_write(tmp_path, {"categories": []}))


@pytest.mark.parametrize("key", ["label", "prompt", "multi_code", "categories"])
def test_missing_question_key(tmp_path, raw, key):
    del raw["questions"]["Q3"][key]
    with pytest.raises(InputError, match=rf"missing key questions\.Q3\.{key}") as err:
        codebook_module.load(_write(tmp_path, raw))
    assert str(err.value).startswith("codebook.yml")


@pytest.mark.parametrize("key", ["code", "label", "definition", "example"])
def test_missing_category_key(tmp_path, raw, key):
    del raw["questions"]["Q2"]["categories"][4][key]
    with pytest.raises(InputError, match=rf"missing key questions\.Q2\.categories\[4\]\.{key}"):
        codebook_module.load(_write(tmp_path, raw))


def test_duplicate_code(tmp_path, raw):
    cats = raw["questions"]["Q1"]["categories"]
    cats.append(copy.deepcopy(cats[3]))
    with pytest.raises(InputError, match=r"duplicate code 'feedback' at questions\.Q1\.categories\[8\]"
                                         r"\.code \(first at questions\.Q1\.categories\[3\]\)"):
        codebook_module.load(_write(tmp_path, raw))


def test_empty_categories(tmp_path, raw):
    raw["questions"]["Q4"]["categories"] = []
    with pytest.raises(InputError, match=r"questions\.Q4\.categories is empty"):
        codebook_module.load(_write(tmp_path, raw))


def test_code_not_snake_case(tmp_path, raw):
    raw["questions"]["Q1"]["categories"][0]["code"] = "Sharing Things"
    with pytest.raises(InputError, match=r"questions\.Q1\.categories\[0\]\.code .* not snake_case"):
        codebook_module.load(_write(tmp_path, raw))


def test_multi_code_must_be_boolean(tmp_path, raw):
    raw["questions"]["Q1"]["multi_code"] = "no"
    with pytest.raises(InputError, match=r"questions\.Q1\.multi_code must be true or false"):
        codebook_module.load(_write(tmp_path, raw))


def test_empty_text_field(tmp_path, raw):
    raw["questions"]["Q2"]["categories"][0]["definition"] = "  "
    with pytest.raises(InputError, match=r"questions\.Q2\.categories\[0\]\.definition must be"):
        codebook_module.load(_write(tmp_path, raw))


def test_bad_question_id(tmp_path, raw):
    raw["questions"]["question five"] = raw["questions"]["Q1"]
    with pytest.raises(InputError, match="question ids must look like Q1"):
        codebook_module.load(_write(tmp_path, raw))


def test_source_of_a_question_is_optional_and_read(tmp_path, raw):
    raw["questions"]["Q1"]["source"] = "  the goal factors of a published study  "
    del raw["questions"]["Q2"]["source"]
    book = codebook_module.load(_write(tmp_path, raw))
    assert book.question("Q1").source == "the goal factors of a published study"
    assert book.question("Q2").source is None


def test_unknown_question_key_is_named(tmp_path, raw):
    raw["questions"]["Q3"]["sourse"] = "a typo"
    with pytest.raises(InputError, match=r"unknown key questions\.Q3\.sourse") as err:
        codebook_module.load(_write(tmp_path, raw))
    assert "source" in err.value.fix
