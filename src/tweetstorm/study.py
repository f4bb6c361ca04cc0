"""The study file ``data/raw/study.yml``: the one place that describes a Tweetstorm event.

Every step reads the event from here (the notebooks, the Makefile through
``python -m tweetstorm.study``, the report); analysis settings that are not about the event stay
in ``params/``. Paths in the file are relative to the repository root.

Keys (``?`` marks an optional one):

=================  ============================  ==============================================
key                type                          meaning
=================  ============================  ==============================================
title              str                           shown in the report and the notebooks
illustrative       bool                          true for generated data: every output says so
export             list of str                   the raw export: files, folders, zips or globs
hashtag            str                           the event hashtag, without ``#``
moderators         list of str                   moderators' handles, without ``@``
start, end         str, ISO 8601 with offset     the event window
codebook           str (path)                    the codebook; the questions come from it
coding_sheets      str (folder)                  ``rater_<R>.csv`` / ``rater_<R>.xlsx`` files
adjudication?      str (path)                    decisions on units without a majority
participants?      str (path)                    ``handle`` plus attribute columns
characteristics?   list of str                   participants' columns tested for association
pln?               str (path)                    the PLN identification session
=================  ============================  ==============================================

An unknown key, a missing required key or a value of the wrong type is an
:class:`~tweetstorm.errors.InputError` naming the key and its line in the file.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field, fields
from typing import Any

import yaml

from tweetstorm import paths
from tweetstorm.errors import InputError

STUDY_FILE = "data/raw/study.yml"
"""The study file, relative to the repository root."""

_FIX_DOC = "see the key table in src/tweetstorm/study.py or README.md ('Your own Tweetstorm')"


@dataclass(frozen=True)
class Study:
    """A parsed, validated study file. Path fields are repo-relative strings as written."""

    title: str
    illustrative: bool
    export: tuple[str, ...]
    hashtag: str
    moderators: tuple[str, ...]
    start: str
    end: str
    codebook: str
    coding_sheets: str
    adjudication: str | None = None
    participants: str | None = None
    characteristics: tuple[str, ...] = ()
    pln: str | None = None
    source: str = field(default=STUDY_FILE, compare=False)

    def start_time(self) -> _dt.datetime:
        return _dt.datetime.fromisoformat(self.start)

    def end_time(self) -> _dt.datetime:
        return _dt.datetime.fromisoformat(self.end)


# key -> (kind, required); kinds: str, bool, list (of str), path, time
_KEYS: dict[str, tuple[str, bool]] = {
    "title": ("str", True),
    "illustrative": ("bool", True),
    "export": ("list", True),
    "hashtag": ("str", True),
    "moderators": ("list", True),
    "start": ("time", True),
    "end": ("time", True),
    "codebook": ("str", True),
    "coding_sheets": ("str", True),
    "adjudication": ("str", False),
    "participants": ("str", False),
    "characteristics": ("list", False),
    "pln": ("str", False),
}
assert set(_KEYS) == {f.name for f in fields(Study)} - {"source"}

_TYPE_NAMES = {"str": "a string", "bool": "true or false", "list": "a list of strings",
               "time": "an ISO 8601 time with an offset, e.g. 2012-11-15T19:00:00+00:00"}


def _lines(text: str) -> dict[str, int]:
    """1-based line of every top-level key (yaml's node marks)."""
    node = yaml.compose(text)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _check(key: str, kind: str, value: Any, name: str, line: int | None) -> Any:
    def bad(what: str | None = None) -> InputError:
        return InputError(name, what or f"{key} must be {_TYPE_NAMES[kind]}, not {value!r}",
                          f"correct the value of {key}; {_FIX_DOC}", line=line)

    if kind == "bool":
        if not isinstance(value, bool):
            raise bad()
        return value
    if kind == "list":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise bad()
        return tuple(v.strip() for v in value)
    if kind == "time":
        if isinstance(value, _dt.datetime):  # yaml reads an unquoted timestamp itself
            stamp = value
        elif isinstance(value, str):
            try:
                stamp = _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise bad() from None
        else:
            raise bad()
        if stamp.tzinfo is None:
            raise bad(f"{key} {value} has no offset (time zone)")
        return stamp.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise bad()
    return value.strip()


def parse(text: str, name: str = STUDY_FILE) -> Study:
    """Parse and validate the text of a study file (``name`` is used in messages)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(name, f"not valid YAML ({getattr(err, 'problem', err)})",
                         "correct the syntax at that line", line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise InputError(name, "not a mapping of keys to values", _FIX_DOC)
    lines = _lines(text)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _KEYS:
            raise InputError(name, f"unknown key {key!r} (known: {', '.join(_KEYS)})",
                             "remove it or correct its spelling", line=lines.get(str(key)))
        kind, required = _KEYS[key]
        if value is None and not required:
            continue
        values[key] = _check(key, kind, value, name, lines.get(key))
    missing = [k for k, (_, req) in _KEYS.items() if req and k not in values]
    if missing:
        raise InputError(name, f"missing key(s) {', '.join(missing)}", f"add them; {_FIX_DOC}")
    values["hashtag"] = values["hashtag"].lstrip("#")
    values["moderators"] = tuple(m.lstrip("@") for m in values["moderators"])
    for key in ("hashtag",):
        if not re.fullmatch(r"\w+", values[key]):
            raise InputError(name, f"hashtag {values[key]!r} is not one word", "write it without # or spaces",
                             line=lines.get(key))
    if _dt.datetime.fromisoformat(values["end"]) <= _dt.datetime.fromisoformat(values["start"]):
        raise InputError(name, f"end {values['end']} is not after start {values['start']}",
                         "swap or correct start and end", line=lines.get("end"))
    return Study(**values, source=name)


def load(path: str | os.PathLike[str] = STUDY_FILE) -> Study:
    """Read and validate the study file (repo-relative ``path`` by default)."""
    target = paths.resolve(path)
    name = paths.relative(target)
    try:
        text = target.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(name, "the study file is missing",
                         "describe your event in data/raw/study.yml (README.md, 'Your own Tweetstorm'), "
                         "or regenerate the illustrative data with make data") from None
    return parse(text, name)


def dump(study: Study) -> str:
    """The YAML text of ``study`` (key order of the table above; optional keys left out when unset)."""
    out: dict[str, Any] = {}
    for key in _KEYS:
        value = getattr(study, key)
        if value is None or (key == "characteristics" and not value):
            continue
        out[key] = list(value) if isinstance(value, tuple) else value
    return yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=100)


def is_illustrative(path: str | os.PathLike[str] = STUDY_FILE) -> bool:
    """True when the study file says the data are the generated illustrative set."""
    return load(path).illustrative
