"""The seeded generator of the illustrative Tweetstorm data set (the study's tweets are not public).

``python -m tweetstorm.generate [--seed 20130601] [--out data/raw] [--participants 25] [--raters 3]``
writes, byte for byte the same for the same seed and sizes:

- ``study.yml``: the study file (``illustrative: true``) naming the files below;
- ``tweetstorm_twarc2.jsonl``: ``twarc2 search`` output (Twitter API v2 pages, newest first);
- ``codebook.yml``; ``participants.csv``; ``coding/rater_R1.csv`` .. ``rater_R<n>.csv``;
- ``adjudication.csv``; ``pln_identification.csv``.

Writing to the default ``data/raw`` also refreshes the generated block (checksums, kappas) of
``data/README.md``. The Python API :func:`generate` returns a :class:`Dataset` that also holds
the ground truth (``truth``) the ingest and structure steps must recover. ``--participants`` and
``--raters`` make larger studies of the same design (the scale benchmarks); the defaults give the
shipped data set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from tweetstorm import codebook as codebook_module
from tweetstorm import paths, safeio
from tweetstorm import study as study_module
from tweetstorm._generator import accounts, event, phrases, pln, raters, twarc
from tweetstorm._generator.codebook_text import CODEBOOK_YAML

DEFAULT_SEED = 20130601
RAW_FILES = ("tweetstorm_twarc2.jsonl", "codebook.yml", "participants.csv",
             "coding/rater_R1.csv", "coding/rater_R2.csv", "coding/rater_R3.csv",
             "adjudication.csv", "pln_identification.csv")
TRUTH_COLUMNS = ["post_id", "author_handle", "role", "question", "assign_rule", "true_code"]


@dataclass(frozen=True)
class Dataset:
    """Everything the generator makes for one seed.

    ``posts``: one row per unique post (post_id, author_handle, created_at [datetime64 UTC],
    kind in original|reply|quote|retweet, text [unescaped], reply_to_post_id, quoted_post_id,
    retweeted_post_id), sorted by post_id (= time). ``truth``: TRUTH_COLUMNS, same rows and
    order; question/assign_rule/true_code are None where they do not apply. ``pages``: the
    twarc2 response pages, one per output line. ``ratings``: {"R1": sheet, ...} with columns
    unit_id, question, text, code.
    """

    seed: int
    hashtag: str  # without "#"
    moderators: tuple[str, ...]
    start: pd.Timestamp  # event window [start, end], UTC
    end: pd.Timestamp
    question_times: dict[str, pd.Timestamp]
    codebook_yaml: str
    pages: list[dict]
    posts: pd.DataFrame
    truth: pd.DataFrame
    participants: pd.DataFrame
    ratings: dict[str, pd.DataFrame]
    adjudication: pd.DataFrame
    pln: pd.DataFrame


def _check_phrases(book: codebook_module.Codebook) -> None:
    for q in book.questions():
        assert list(phrases.ANSWER_CORES[q]) == book.codes(q), q
        assert list(raters.ACCURACY[q]) == book.codes(q), q


def generate(seed: int = DEFAULT_SEED, participants: int | None = None,
             n_raters: int = len(raters.RATERS)) -> Dataset:
    """Build the whole illustrative data set for ``seed`` (deterministic): ``participants``
    answering accounts (default the cast of 25) and ``n_raters`` raters (default 3)."""
    cast = accounts.cast(participants)
    rater_ids = raters.rater_names(n_raters)
    book = codebook_module.parse(yaml.safe_load(CODEBOOK_YAML), "codebook.yml")
    _check_phrases(book)
    # independent streams, so that changing one part does not reshuffle the others
    s_event, s_twarc, s_rate, s_adj, s_pln, s_part = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6))
    ev = event.build_event(int(s_event.integers(0, 2**31)),
                           {q: book.prompt(q) for q in book.questions()}, cast)
    pages, ids, users = twarc.build_pages(ev, s_twarc)

    def pid(i: int | None) -> str | None:
        return None if i is None else ids[i]

    posts = pd.DataFrame({
        "post_id": ids,
        "author_handle": [p.author for p in ev.posts],
        "created_at": pd.to_datetime([p.ms for p in ev.posts], unit="ms", utc=True),
        "kind": [p.kind for p in ev.posts],
        "text": [p.text for p in ev.posts],
        "reply_to_post_id": [pid(p.parent) for p in ev.posts],
        "quoted_post_id": [pid(p.quoted) for p in ev.posts],
        "retweeted_post_id": [pid(p.retweeted) for p in ev.posts],
    })
    truth = pd.DataFrame({
        "post_id": ids,
        "author_handle": [p.author for p in ev.posts],
        "role": [p.role for p in ev.posts],
        "question": [p.question for p in ev.posts],
        "assign_rule": [p.rule for p in ev.posts],
        "true_code": [p.code for p in ev.posts],
    })
    order = np.argsort(np.array([int(i) for i in ids]), kind="stable")
    posts = posts.iloc[order].reset_index(drop=True)
    truth = truth.iloc[order].reset_index(drop=True)

    # coding units: the answers placed under a question (an unassigned answer is not coded)
    coded = (truth["role"] == "answer") & truth["question"].notna()
    answers = truth[coded].merge(posts[["post_id", "text"]], on="post_id")
    units = (answers.rename(columns={"post_id": "unit_id"})
             .sort_values(["question", "unit_id"], kind="stable").reset_index(drop=True))
    sheets = raters.rate(units, s_rate, rater_ids)
    labels = {(q, c.code): c.label for q in book.questions() for c in book.question(q).categories}
    adjudication = raters.adjudicate(units, sheets, labels, s_adj)

    answered = set(answers["author_handle"])
    # years online: at least since the Twitter account was made, often longer (other platforms)
    part_rows = [{"handle": h, "role": r, "sector": s,
                  "years_online": 2012 - int(users[h]["created_at"][:4]) + int(s_part.integers(0, 5))}
                 for h, _n, r, s in cast if h in answered]
    participants = pd.DataFrame(part_rows).sort_values("handle", kind="stable").reset_index(drop=True)

    def ts(ms: int) -> pd.Timestamp:
        return pd.Timestamp(ms, unit="ms", tz="UTC")

    return Dataset(seed=seed, hashtag=ev.hashtag, moderators=(ev.moderator,),
                   start=ts(ev.start_ms), end=ts(ev.end_ms),
                   question_times={q: ts(ms) for q, ms in ev.question_ms.items()},
                   codebook_yaml=CODEBOOK_YAML, pages=pages, posts=posts, truth=truth,
                   participants=participants, ratings=sheets, adjudication=adjudication,
                   pln=pln.identify(s_pln, cast))


def _csv(df: pd.DataFrame, path: Path) -> None:
    safeio.write_csv(df, path)


STUDY_TITLE = "An illustrative Tweetstorm on learning through personal learning networks"


def study_of(dataset: Dataset, out_dir: str | Path = paths.RAW) -> study_module.Study:
    """The study file of ``dataset`` written under ``out_dir``: paths repo-relative, or, for a
    folder outside the repository, as if it were a checkout's ``data/raw``."""
    target = paths.resolve(out_dir).resolve()
    out = (target.relative_to(paths.ROOT).as_posix() if target.is_relative_to(paths.ROOT)
           else "data/raw")
    return study_module.Study(
        title=STUDY_TITLE, illustrative=True, export=(f"{out}/tweetstorm_twarc2.jsonl",),
        hashtag=dataset.hashtag, moderators=dataset.moderators,
        start=dataset.start.isoformat(), end=dataset.end.isoformat(),
        codebook=f"{out}/codebook.yml", coding_sheets=f"{out}/coding",
        adjudication=f"{out}/adjudication.csv", participants=f"{out}/participants.csv",
        characteristics=("role", "sector"), pln=f"{out}/pln_identification.csv")


def raw_files(dataset: Dataset) -> tuple[str, ...]:
    """The files :func:`write` writes, relative to its folder (``RAW_FILES`` at the defaults)."""
    return ("tweetstorm_twarc2.jsonl", "codebook.yml", "participants.csv",
            *(f"coding/rater_{r}.csv" for r in dataset.ratings),
            "adjudication.csv", "pln_identification.csv")


def write(dataset: Dataset, out_dir: str | Path = paths.RAW) -> list[Path]:
    """Write the raw files of ``dataset`` and the study file ``study.yml`` under ``out_dir``;
    returns their paths (the order of :func:`raw_files`, then ``study.yml``)."""
    out = paths.resolve(out_dir)
    (out / "coding").mkdir(parents=True, exist_ok=True)
    with open(out / "tweetstorm_twarc2.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for page in dataset.pages:
            fh.write(json.dumps(page) + "\n")  # as twarc writes it: ASCII-escaped JSON
    (out / "codebook.yml").write_text(dataset.codebook_yaml, encoding="utf-8", newline="\n")
    _csv(dataset.participants, out / "participants.csv")
    for r, sheet in dataset.ratings.items():
        _csv(sheet, out / "coding" / f"rater_{r}.csv")
    _csv(dataset.adjudication, out / "adjudication.csv")
    _csv(dataset.pln, out / "pln_identification.csv")
    (out / "study.yml").write_text(study_module.dump(study_of(dataset, out)), encoding="utf-8",
                                   newline="\n")
    return [out / f for f in raw_files(dataset)] + [out / "study.yml"]


def checksums(out_dir: str | Path = paths.RAW) -> dict[str, str]:
    """sha256 hex digest of each raw file, keyed by its path relative to ``out_dir``."""
    out = paths.resolve(out_dir)
    return {f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in RAW_FILES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tweetstorm.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--out", default="data/raw",
                        help="output folder, repo-relative (default %(default)s)")
    parser.add_argument("--participants", type=int, default=None,
                        help="answering participants (default: the cast of 25; at least 25)")
    parser.add_argument("--raters", type=int, default=len(raters.RATERS),
                        help="raters, each with a completed sheet (default %(default)s; at least 2)")
    parser.add_argument("--no-readme", action="store_true",
                        help="do not refresh the generated block of data/README.md")
    args = parser.parse_args(argv)
    ds = generate(args.seed, args.participants, args.raters)
    written = write(ds, args.out)
    for p in written:
        print(paths.relative(p))
    out = paths.resolve(args.out)
    default_size = args.participants in (None, len(accounts.PARTICIPANTS)) and args.raters == len(raters.RATERS)
    if not args.no_readme and default_size and out.resolve() == paths.RAW.resolve():
        from tweetstorm._generator import readme
        readme.update(paths.DATA / "README.md", ds, checksums(out))
        print("data/README.md (generated block)")
    return 0


if __name__ == "__main__":
    from tweetstorm.cli import run as _run  # one line, never a traceback

    sys.exit(_run(main, "python -m tweetstorm.generate"))
