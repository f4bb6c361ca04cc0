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
import sys
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from tweetstorm import paths
from tweetstorm.errors import InputError

STUDY_FILE = "data/raw/study.yml"
"""The study file, relative to the repository root."""

_FIX_DOC = "see the key table in src/tweetstorm/study.py or README.md ('Run it on your own study')"


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


# ---------------------------------------------------------------------------------------------
# What the study implies: its coding sheets, the illustrative note, every output of the pipeline
# ---------------------------------------------------------------------------------------------


def sheet_files(study: Study) -> list[str]:
    """Rater R's completed sheet is ``rater_<R>.csv`` or ``rater_<R>.xlsx`` in ``coding_sheets``.

    Returns the repo-relative files sorted by name. Two files for one rater, fewer than two
    raters or a missing folder raise :class:`InputError`.
    """
    folder = paths.resolve(study.coding_sheets)
    name = paths.relative(folder)
    if not folder.is_dir():
        raise InputError(study.source, f"coding_sheets {study.coding_sheets} is not a folder",
                         "put the completed sheets rater_<R>.csv / rater_<R>.xlsx in a folder and "
                         "name it in coding_sheets")
    from tweetstorm.coding import MIN_RATERS, sheet_files as coding_sheet_files  # the one rule of the sheet set

    files = coding_sheet_files(folder)
    if len(files) < MIN_RATERS:
        raise InputError(name, f"{len(files)} completed coding sheet(s) (rater_<R>.csv or "
                         "rater_<R>.xlsx); reliability needs at least two raters",
                         "put every rater's completed sheet in this folder")
    # repo-relative inside the checkout; a folder elsewhere keeps its full path (a bare name would
    # point at another file)
    return [paths.relative(f) if f.resolve().is_relative_to(paths.ROOT) else str(f) for f in files]


def export_paths(study: Study) -> list[str]:
    """The export's files, folders and zips, repo-relative, with globs expanded (sorted); a glob that
    matches nothing or a missing path raises :class:`InputError` naming the study file."""
    import glob as _glob

    found: list[str] = []
    for item in study.export:
        if any(ch in item for ch in "*?["):
            hits = sorted(_glob.glob(str(paths.resolve(item))))
            if not hits:
                raise InputError(study.source, f"export {item!r} matches no file",
                                 "correct the pattern under export")
            found.extend(paths.relative(h) for h in hits)
        elif not paths.resolve(item).exists():
            raise InputError(study.source, f"the export {item} does not exist",
                             "put the export there or correct the path under export")
        else:
            found.append(item)
    return found


def summary(study: Study) -> str:
    """One Markdown paragraph on the study, for the notebooks (no handle: outputs are pseudonymous)."""
    start, end = study.start_time(), study.end_time()
    text = (f"**{study.title}**: the posts tagged #{study.hashtag} from "
            f"{start.isoformat(' ', 'minutes')} to {end.isoformat(' ', 'minutes')}, "
            f"{len(study.moderators)} moderator account(s). "
            + ("The study had no PLN identification session. " if not study.pln else "")
            + ("No participant characteristics are tested. " if not study.characteristics else
               f"Participant characteristics tested: {', '.join(study.characteristics)}. "))
    note = illustrative_note(study)
    return text + (f"**{note}**" if note else "")


ILLUSTRATIVE_NOTE = ("Illustrative data: generated by the compendium's seeded generator, not "
                     "observations of real participants.")
"""The sentence every output a reader may see on its own carries when the study is illustrative."""

_CACHE: dict[Path, tuple[tuple[int, int], Study]] = {}


def current(path: str | os.PathLike[str] = STUDY_FILE) -> Study:
    """:func:`load`, cached per file while its modification time and size are unchanged."""
    target = paths.resolve(path)
    try:
        st = target.stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        return load(path)  # raises the InputError naming the missing file
    hit = _CACHE.get(target)
    if hit is None or hit[0] != stamp:
        _CACHE[target] = hit = (stamp, load(path))
    return hit[1]


def illustrative_note(study: Study | None = None) -> str:
    """:data:`ILLUSTRATIVE_NOTE` when the study (by default ``data/raw/study.yml``) is
    illustrative, else the empty string."""
    study = current() if study is None else study
    return ILLUSTRATIVE_NOTE if study.illustrative else ""


def label_caption(caption: str, study: Study | None = None) -> str:
    """``caption`` preceded by the illustrative note when the study is illustrative."""
    note = illustrative_note(study)
    return f"{note} {caption.strip()}" if note else caption.strip()


@dataclass(frozen=True)
class Output:
    """One output of the pipeline: a table (``.csv``/``.md``/``.tex`` under ``results/``), a figure
    (``.png``/``.svg``/``.txt`` under ``figures/``) or a file (a repo-relative path)."""

    kind: str  # "table", "figure" or "file"
    name: str  # table/figure stem, or the path of a file
    step: str  # the notebook stem that writes it, e.g. "03-reliability"
    contents: str  # one sentence for the folder's README

    def files(self) -> list[str]:
        if self.kind == "table":
            return [f"results/{self.name}.{ext}" for ext in ("csv", "md", "tex")]
        if self.kind == "figure":
            return [f"figures/{self.name}.{ext}" for ext in ("png", "svg", "txt")]
        return [self.name]


STEPS = ("01-ingest", "02-coding", "03-reliability", "04-descriptives", "05-pln-network")
"""The notebooks of the pipeline, in order (``notebooks/<step>.ipynb``; its analysis settings, if
it has any, in ``params/<step>.yml``)."""

#: The processed files (data/processed/), written by notebooks 01 and 02 under these names (the
#: defaults of their parameters cells; tests/test_pipeline_files.py checks that they agree).
POSTS = paths.POSTS_FILE
INGEST_REPORT = paths.INGEST_REPORT_FILE
PARTICIPANTS = paths.PARTICIPANTS_FILE
PLN_CONTACTS = paths.PLN_CONTACTS_FILE
RATINGS = paths.RATINGS_FILE
CONSENSUS = paths.CONSENSUS_FILE
ADJUDICATION_TODO = "build/adjudication_todo.csv"


def settings(step: str) -> dict[str, Any]:
    """The analysis settings of ``step`` (``params/<step>.yml``)."""
    path = paths.ROOT / "params" / f"{step}.yml"
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise InputError(f"params/{step}.yml", "the parameter file is missing",
                         "restore it (git checkout -- params/)") from None
    if not isinstance(loaded, dict):
        raise InputError(f"params/{step}.yml", "not a mapping NAME: VALUE", "restore it")
    return loaded


def outputs(study: Study, codebook: Any | None = None) -> list[Output]:
    """Every output of the pipeline for ``study``, derived from its codebook, its optional keys and
    the output names of ``params/``; the Makefile's targets and the folder READMEs come from here.
    """
    from tweetstorm import codebook as codebook_module
    from tweetstorm.codebook import question_slug, shared_codes  # the notebooks' own rules

    book = codebook if codebook is not None else codebook_module.load(study.codebook)
    questions = book.questions()
    single = [q for q in questions if not book.multi_code(q)]
    labels = {q: book.question(q).label for q in questions}
    s03, s04, s05 = settings("03-reliability"), settings("04-descriptives"), settings("05-pln-network")
    out = [
        Output("file", POSTS, "01-ingest", "one row per unique post: the canonical columns (see "
               "`docs/architecture.md`) plus `role`, `question`, `assign_rule`, `author_kind` "
               "(moderator, participant, other)"),
        Output("file", INGEST_REPORT, "01-ingest",
               "per input file: records read = kept + duplicate + superseded + rejected"),
        Output("file", PARTICIPANTS, "01-ingest",
               "participant attributes, pseudonymised" if study.participants else
               "empty: the study has no participant list"),
        Output("file", PLN_CONTACTS, "01-ingest",
               "the PLN identification session, pseudonymised, with the kind of each account named "
               "(`participant_kind`, `contact_kind`)" if study.pln else
               "empty: the study had no PLN identification session"),
        Output("file", RATINGS, "02-coding",
               "long format: unit_id, question, rater, code (NA = left uncoded)"),
        Output("file", CONSENSUS, "02-coding", "one code per unit with its audit trail "
               "(unanimous / majority / adjudicated, adjudicator)"),
    ]
    p = s03["results_prefix"]
    out += [
        Output("table", f"{p}_coefficients", "03-reliability", "every agreement coefficient per "
               "question, with SEs and 95% intervals; `mean` rows: unit-weighted means over the questions"),
        Output("table", f"{p}_categories", "03-reliability",
               "category-wise agreement (specific agreement, kappa of the category against the rest)"),
        Output("table", f"{p}_adjudication", "03-reliability",
               "unanimous / majority / adjudicated units per question"),
    ]
    out += [Output("figure", f"{p}_confusion_{q}", "03-reliability",
                   f"confusion matrices of the rater pairs, {q} ({labels[q]})") for q in single]
    part, tests, cooc = s04["participation_name"], s04["tests_name"], s04["cooccurrence_name"]
    out += [
        Output("table", f"{part}_per_participant", "04-descriptives", "posts per participant by kind"),
        Output("table", f"{part}_concentration", "04-descriptives",
               "concentration of answers (top-tenth share, Gini)"),
        Output("table", f"{part}_answers_per_question", "04-descriptives", "answers per question"),
        Output("table", f"{part}_timeline", "04-descriptives", "posts per minute by kind"),
        Output("table", f"{part}_question_times", "04-descriptives", "when each question was posted"),
        Output("figure", part, "04-descriptives", "answers per participant and posts per minute"),
    ]
    for q in questions:
        slug = question_slug(book, q)
        out.append(Output("table", f"{slug}_{s04['frequency_suffix']}", "04-descriptives",
                          f"{q} {labels[q]}: categories with n, share of answers and of participants "
                          "(Wilson intervals), competition rank with its cluster-bootstrap interval, "
                          "category kappa and a low-agreement flag"))
        out.append(Output("table", f"{slug}_{s04['rank_by_rater_suffix']}", "04-descriptives",
                          f"{q} {labels[q]}: each rater's counts and ranking beside the consensus one"))
        out.append(Output("figure", f"{slug}_{s04['figure_suffix']}", "04-descriptives",
                          f"{q} {labels[q]}: share of coded answers per category"))
    if study.characteristics or shared_codes(book):  # tests of characteristics, shared categories
        out += [
            Output("table", f"{tests}_tests", "04-descriptives", "category x participant "
                   f"{', '.join(study.characteristics) or 'characteristics (none)'}: participant-level "
                   "permutation tests (Holm over that family) and exploratory answer-level tests (also "
                   "shared categories x question); bias-corrected Cramér's V"),
            Output("table", f"{tests}_residuals", "04-descriptives",
                   "observed, expected and adjusted standardized residuals of every tested table"),
        ]
    out += [
        Output("table", f"{cooc}_matrix", "04-descriptives",
               "participants raising both categories of a pair"),
        Output("table", f"{cooc}_pairs", "04-descriptives",
               "the pairs most in excess of independence (expected, lift, exact one-sided p)"),
        Output("figure", cooc, "04-descriptives", "co-occurrence of categories within participants"),
    ]
    if study.pln:
        out += [
            Output("table", s05["summary_table"], "05-pln-network", "whole-network measures"),
            Output("table", s05["ego_table"], "05-pln-network", "per-participant size and composition"),
            Output("table", s05["most_named_table"], "05-pln-network", "the most named contacts"),
            Output("figure", s05["composition_figure"], "05-pln-network",
                   "contacts per participant by type and frequency"),
            Output("figure", s05["network_figure"], "05-pln-network", "the PLN network"),
        ]
    return out


def adjudication_todo(ratings: Any, out: str | os.PathLike[str] = ADJUDICATION_TODO) -> Any:
    """For a study without an adjudication file: the units whose raters reached neither unanimity
    nor a majority (a code from more than half of the raters; a missing rating counts against
    it), in the columns of the adjudication file (``unit_id, question, code_<R>...,
    adjudicated_code, adjudicator, note``; the last three empty, to fill in). Written to ``out``
    (``build/adjudication_todo.csv``) and returned."""
    from collections import Counter

    from tweetstorm import coding
    from tweetstorm.safeio import write_csv

    dis = coding.disagreements(ratings)
    code_cols = [c for c in dis.columns if c.startswith("code_")]

    def has_majority(row: Any) -> bool:
        counts = Counter(v for v in row if isinstance(v, str) and v)
        return bool(counts) and 2 * max(counts.values()) > len(code_cols) and \
            list(counts.values()).count(max(counts.values())) == 1

    todo = dis[[not has_majority(r) for r in dis[code_cols].itertuples(index=False)]].copy()
    for col in ("adjudicated_code", "adjudicator", "note"):
        todo[col] = ""
    todo = todo.reset_index(drop=True)
    target = paths.resolve(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_csv(todo, target)
    return todo


def raw_inputs(study: Study) -> dict[str, list[str]]:
    """The raw files each step reads, as make prerequisites (globs and folders as make wildcards)."""
    def export_item(item: str) -> str:
        if any(ch in item for ch in "*?["):
            return f"$(wildcard {item})"
        if paths.resolve(item).is_dir():
            return " ".join(f"$(wildcard {item.rstrip('/')}{'/*' * depth})" for depth in (1, 2, 3))
        return item

    ingest = [export_item(e) for e in study.export]
    ingest += [p for p in (study.participants, study.pln) if p]
    coding = [study.codebook] + ([study.adjudication] if study.adjudication else [])
    return {"01-ingest": [STUDY_FILE, *ingest], "02-coding": [STUDY_FILE, POSTS, *coding],
            "03-reliability": [STUDY_FILE, RATINGS, CONSENSUS, study.codebook],
            "04-descriptives": [STUDY_FILE, CONSENSUS, RATINGS, POSTS, PARTICIPANTS, study.codebook,
                                f"results/{settings('03-reliability')['results_prefix']}_categories.csv"],
            "05-pln-network": [STUDY_FILE, PLN_CONTACTS, PARTICIPANTS]}


def _make_safe(study: Study, values: list[str]) -> None:
    for v in values:
        if any(ch.isspace() for ch in v) or any(ch in v for ch in "$:#;=%\\"):
            raise InputError(study.source, f"the path {v!r} holds a space or one of $:#;=%\\, which "
                             "make cannot track", "rename the file or folder and the path in the "
                             "study file")


def makefile(study: Study) -> str:
    """The make rules' data for ``study`` (``build/study.mk``, included by the Makefile)."""
    from tweetstorm import codebook as codebook_module

    book = codebook_module.load(study.codebook)
    _make_safe(study, [*study.export, study.codebook, study.coding_sheets,
                       *(p for p in (study.adjudication, study.participants, study.pln) if p)])
    outs = outputs(study, book)
    ins = raw_inputs(study)
    lines = ["# Generated from data/raw/study.yml by `python -m tweetstorm.study makefile`: do not",
             "# edit; the Makefile regenerates it when the study file, the codebook or params/ change.",
             f"STUDY_CODEBOOK := {study.codebook}",
             f"STUDY_SHEETS_DIR := {study.coding_sheets.rstrip('/')}",
             f"STUDY_ADJUDICATION := {study.adjudication or ''}",
             f"STUDY_PLN := {study.pln or ''}",
             f"STUDY_ILLUSTRATIVE := {'true' if study.illustrative else 'false'}"]
    for i, step in enumerate(STEPS, start=1):
        files = [f for o in outs if o.step == step for f in o.files()]
        if step == "05-pln-network" and not files:  # the notebook still runs and says so
            files = ["build/stamps/05-pln-network.done"]
        if step == "02-coding" and not study.adjudication:
            files.append(ADJUDICATION_TODO)
        lines.append(f"OUT_{i:02d} := {' '.join(files)}")
        lines.append(f"IN_{i:02d} := {' '.join(ins[step])}")
    lines.append(f"build/study.mk: {STUDY_FILE} {study.codebook}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# The READMEs of the output folders (an index of what make all wrote, and the illustrative note)
# ---------------------------------------------------------------------------------------------
_README_HEAD = {
    "results": ("# results/\n\nGenerated by `make all`; never edit by hand (`make clean && make all` "
                "rebuilds every file, byte\nfor byte). Each table comes as `.csv` (full precision, for "
                "reuse), `.md` and `.tex` (rounded,\nbooktabs, with the caption), written by "
                "`tweetstorm.tables.write_table`.\n"),
    "figures": ("# figures/\n\nGenerated by `make all`; never edit by hand. Each figure is a PNG "
                "(300 dpi) and an SVG with the\nsame name, and a `.txt` caption; all share one style "
                "file (`src/tweetstorm/tweetstorm.mplstyle`,\nOkabe-Ito colour-blind-safe palette) and "
                "are byte-identical when rebuilt.\n"),
    "data/processed": ("# data/processed/\n\nGenerated by `make all` from `data/raw/`; never edit by "
                       "hand. Handles are pseudonyms (`P01`\nparticipants, `M1` moderator, `X001` "
                       "everyone else) and post ids are study-local unit ids (`U0001`,\n...); the key "
                       "and the ids as exported are in `data/private/` (git-ignored).\n"),
}
README_FILES = ("results/README.md", "figures/README.md", "data/processed/README.md")


def readmes(study: Study, codebook: Any | None = None) -> dict[str, str]:
    """The text of ``results/README.md``, ``figures/README.md`` and ``data/processed/README.md``."""
    outs = outputs(study, codebook)
    texts = {}
    for folder, kind in (("results", "table"), ("figures", "figure"), ("data/processed", "file")):
        head = _README_HEAD[folder]
        parts = [head, f"Study: {study.title}.\n"]
        note = illustrative_note(study)
        if note:
            parts.append(f"**{note}**\n")
        column = "file" if kind == "file" else "files"
        rows = [f"| {column} | made by | contents |", "|---|---|---|"]
        for o in outs:
            if o.kind != kind:
                continue
            shown = f"`{Path(o.name).name}`" if kind == "file" else f"`{o.name}.*`"
            rows.append(f"| {shown} | `notebooks/{o.step}.ipynb` | {o.contents} |")
        if len(rows) == 2:
            rows.append("| (none) | | |")
        parts.append("\n".join(rows) + "\n")
        texts[f"{folder}/README.md"] = "\n".join(parts)
    return texts


def write_readmes(study: Study) -> list[Path]:
    """Write the three folder READMEs (atomically when their text changes; else only touched)."""
    from tweetstorm.safeio import atomic_open

    written = []
    for rel, text in readmes(study).items():
        target = paths.resolve(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            with atomic_open(target) as fh:
                fh.write(text)
        else:
            os.utime(target)  # unchanged text, but newer than what it was made from (make)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m tweetstorm.study",
        description="Check the study file, print the make rules it implies, or write the READMEs "
                    "of the output folders.")
    parser.add_argument("command", choices=("check", "makefile", "outputs", "readmes", "sheets"))
    parser.add_argument("--study", default=STUDY_FILE, help="the study file (default %(default)s)")
    args = parser.parse_args(argv)
    study = load(args.study)
    if args.command == "check":
        sheet_files(study)
        outputs(study)
        print(f"{paths.relative(paths.resolve(args.study))}: {study.title} (ok)")
    elif args.command == "makefile":
        sys.stdout.write(makefile(study))
    elif args.command == "outputs":
        print("\n".join(f for o in outputs(study) for f in o.files()))
    elif args.command == "sheets":
        print("\n".join(sheet_files(study)))
    else:
        for path in write_readmes(study):
            print(paths.relative(path))
    return 0


if __name__ == "__main__":
    from tweetstorm.cli import run as _run

    sys.exit(_run(main, "python -m tweetstorm.study"))
