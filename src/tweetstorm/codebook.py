"""Load and validate the codebook (``data/raw/codebook.yml``).

The file's top level is ``questions:``, a mapping ``Q1``..``Qn`` ->
``{label, prompt, multi_code, categories: [{code, label, definition, example}]}``.
Codes are snake_case and unique within a question (the same code string may occur in two
questions, e.g. ``motivation`` in Q1 and Q2), and never a missing-value token (``na``, ``nan``,
``null``: a sheet cell reading so is an uncoded unit). Every problem raises
:class:`tweetstorm.errors.InputError` naming the file and the key path (``questions.Q2.categories[3].code``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import yaml

from tweetstorm import paths
from tweetstorm.errors import InputError
from tweetstorm.missing import MISSING_TOKENS, describe

QUESTION_KEYS = ("label", "prompt", "multi_code", "categories")
#: Optional per question: ``source``, where its categories come from, in a phrase a reader of the
#: methods can take as it is (e.g. "the goal factors reported by Sie et al. (2013)").
OPTIONAL_QUESTION_KEYS = ("source",)
CATEGORY_KEYS = ("code", "label", "definition", "example")
_CODE_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_QUESTION_RE = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True)
class Category:
    """One category of a question."""

    code: str
    label: str
    definition: str
    example: str


@dataclass(frozen=True)
class Question:
    """One question: its categories in codebook order."""

    id: str
    label: str
    prompt: str
    multi_code: bool
    categories: tuple[Category, ...]
    source: str | None = None  # where the categories come from (optional key ``source``)


@dataclass(frozen=True)
class Codebook:
    """The validated codebook; questions and categories keep the file's order."""

    source: str  # repo-relative path of the file it was read from
    _questions: dict[str, Question]

    def questions(self) -> list[str]:
        """Question ids in file order, e.g. ``["Q1", "Q2", "Q3", "Q4"]``."""
        return list(self._questions)

    def question(self, question: str) -> Question:
        """The :class:`Question` ``question``; KeyError naming the known ids if unknown."""
        try:
            return self._questions[question]
        except KeyError:
            raise KeyError(f"unknown question {question!r}; the codebook has "
                           f"{', '.join(self._questions)}") from None

    def codes(self, question: str) -> list[str]:
        """The codes of ``question`` in codebook order."""
        return [c.code for c in self.question(question).categories]

    def label(self, question: str, code: str) -> str:
        """The human-readable label of ``code`` in ``question``."""
        for c in self.question(question).categories:
            if c.code == code:
                return c.label
        raise KeyError(f"unknown code {code!r} in {question}; known: "
                       f"{', '.join(self.codes(question))}")

    def multi_code(self, question: str) -> bool:
        """Whether an answer to ``question`` may carry several codes."""
        return self.question(question).multi_code

    def prompt(self, question: str) -> str:
        """The moderator's question text."""
        return self.question(question).prompt


def _text(value: object, file: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(file, f"{key} must be a non-empty string, found {value!r}",
                         f"give {key} a text value")
    return value.strip()


def parse(data: object, file: str = "codebook.yml") -> Codebook:
    """Validate the parsed YAML ``data`` (a dict) and build a :class:`Codebook`.

    ``file`` only names the source in error messages.
    """
    if not isinstance(data, dict) or "questions" not in data:
        raise InputError(file, "missing top-level key questions",
                         "start the file with `questions:` mapping Q1, Q2, ... to questions")
    qs = data["questions"]
    if not isinstance(qs, dict) or not qs:
        raise InputError(file, "questions must be a non-empty mapping of question ids",
                         "list the questions as `Q1:`, `Q2:`, ... under `questions:`")
    questions: dict[str, Question] = {}
    for qid, q in qs.items():
        qkey = f"questions.{qid}"
        if not isinstance(qid, str) or not _QUESTION_RE.match(qid):
            raise InputError(file, f"{qkey}: question ids must look like Q1, Q2, ...",
                             "rename the question key")
        if not isinstance(q, dict):
            raise InputError(file, f"{qkey} must be a mapping", "give the question its keys "
                             + ", ".join(QUESTION_KEYS))
        for key in QUESTION_KEYS:
            if key not in q:
                raise InputError(file, f"missing key {qkey}.{key}",
                                 f"add `{key}:` to question {qid}")
        if not isinstance(q["multi_code"], bool):
            raise InputError(file, f"{qkey}.multi_code must be true or false, found "
                             f"{q['multi_code']!r}", "write multi_code: false (or true)")
        cats = q["categories"]
        if not isinstance(cats, list) or not cats:
            raise InputError(file, f"{qkey}.categories is empty",
                             f"list at least one category under {qkey}.categories")
        categories: list[Category] = []
        seen: dict[str, int] = {}
        for i, cat in enumerate(cats):
            ckey = f"{qkey}.categories[{i}]"
            if not isinstance(cat, dict):
                raise InputError(file, f"{ckey} must be a mapping",
                                 "give the category " + ", ".join(CATEGORY_KEYS))
            for key in CATEGORY_KEYS:
                if key not in cat:
                    raise InputError(file, f"missing key {ckey}.{key}",
                                     f"add `{key}:` to category {i} of {qid}")
            code = cat["code"]
            if not isinstance(code, str) or not _CODE_RE.match(code):
                raise InputError(file, f"{ckey}.code {code!r} is not snake_case",
                                 "use lower-case letters, digits and underscores, e.g. peer_value")
            if code in MISSING_TOKENS:
                raise InputError(file, f"{ckey}.code {code!r} reads as a missing value in the "
                                 f"coding sheets ({describe()})",
                                 "name the category otherwise, e.g. not_applicable")
            if code in seen:
                raise InputError(file, f"duplicate code {code!r} at {ckey}.code (first at "
                                 f"{qkey}.categories[{seen[code]}])",
                                 f"make the codes of {qid} unique")
            seen[code] = i
            categories.append(Category(code, _text(cat["label"], file, f"{ckey}.label"),
                                       _text(cat["definition"], file, f"{ckey}.definition"),
                                       _text(cat["example"], file, f"{ckey}.example")))
        unknown = sorted(set(q) - set(QUESTION_KEYS) - set(OPTIONAL_QUESTION_KEYS), key=str)
        if unknown:
            raise InputError(file, f"unknown key {qkey}.{unknown[0]}",
                             "a question takes " + ", ".join(QUESTION_KEYS + OPTIONAL_QUESTION_KEYS)
                             + "; fix the spelling or remove the key")
        source = _text(q["source"], file, f"{qkey}.source") if "source" in q else None
        questions[qid] = Question(qid, _text(q["label"], file, f"{qkey}.label"),
                                  _text(q["prompt"], file, f"{qkey}.prompt"),
                                  q["multi_code"], tuple(categories), source)
    return Codebook(file, questions)


def load(path: str | os.PathLike[str] = paths.RAW / "codebook.yml") -> Codebook:
    """Read and validate a codebook YAML file (repo-relative or absolute ``path``)."""
    full = paths.resolve(path)
    name = paths.relative(full)
    if not full.is_file():
        raise InputError(name, "codebook file not found",
                         "run `make data` or pass the path of your codebook.yml")
    try:
        data = yaml.safe_load(full.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(name, f"not valid YAML ({getattr(err, 'problem', err)})",
                         "fix the YAML syntax",
                         line=mark.line + 1 if mark is not None else None) from err
    return parse(data, name)


# Names derived from the codebook (the output files of a question, the codes questions share):
# rules of the codebook, read by the Makefile's study rules and by the notebooks alike.
def question_slug(codebook: Codebook | Any, question: str) -> str:
    """File stem for a question's outputs, e.g. ``q1_goals`` from Q1 labelled "Goals"."""
    label = question_label(codebook, question)
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return f"{question.lower()}_{slug}" if slug and slug != question.lower() else question.lower()


def question_label(codebook: Codebook | Any, question: str) -> str:
    """The question's label ("Goals") from ``codebook.question(q).label``; the id itself for a
    codebook-like object without question records."""
    record = getattr(codebook, "question", None)
    if record is None:
        return question
    return str(record(question).label)


def shared_codes(codebook: Codebook | Any) -> dict[str, list[str]]:
    """Codes used by more than one question: ``{code: [questions in codebook order]}``,
    sorted by code."""
    where: dict[str, list[str]] = {}
    for q in codebook.questions():
        for c in codebook.codes(q):
            where.setdefault(c, []).append(q)
    return {c: qs for c, qs in sorted(where.items()) if len(qs) > 1}
