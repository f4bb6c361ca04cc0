"""A second study, different in every dimension from the illustrative one, run end to end.

``tests/fixtures/study_mastodon/raw/`` (written by ``_make_fixture.py`` there) is a small
Mastodon Tweetstorm: another hashtag and moderator, two questions with other labels ("Barriers",
"Tools"), two raters with ``.xlsx`` sheets, an adjudication of their three disagreements, no
participant list, no characteristics, no PLN session. The test copies the repository (its
tracked files) to a temporary folder, replaces ``data/raw/`` with the fixture, and runs
``make all`` and ``make test`` there with this checkout's environment (a symlinked ``.venv``:
the package finds the copy as its root because it is run there).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from tweetstorm import paths

# slow: a whole pipeline and test run; illustrative: it starts from the shipped compendium (and
# so does not run again inside the copy, whose study is the fixture)
pytestmark = [pytest.mark.slow, pytest.mark.illustrative]

FIXTURE = Path(__file__).parent / "fixtures" / "study_mastodon" / "raw"

# The fixture by hand (see _make_fixture.py): per question the raters' codes of the six answers
# and the adjudicated code of the units they disagree on.
CODES = {
    "Q1": [("time", "time", None), ("skills", "skills", None), ("access", "access", None),
           ("time", "skills", "time"), ("time", "time", None), ("access", "time", "access")],
    "Q2": [("forums", "forums", None), ("blogs", "blogs", None), ("video", "video", None),
           ("forums", "forums", None), ("blogs", "video", "blogs"), ("forums", "forums", None)],
}
SLUGS = {"Q1": "q1_barriers", "Q2": "q2_tools"}
HANDLES = ["host", "ana", "bo", "cy", "di", "eli"]


def _consensus_counts(q: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for a, b, adj in CODES[q]:
        code = a if a == b else adj
        counts[code] = counts.get(code, 0) + 1
    return counts


def _cohen_kappa(q: str) -> Fraction:
    """Cohen (1960): (p_o - p_e) / (1 - p_e), p_e from the two raters' marginals."""
    pairs = [(a, b) for a, b, _ in CODES[q]]
    n = len(pairs)
    p_o = Fraction(sum(a == b for a, b in pairs), n)
    cats = {c for pair in pairs for c in pair}
    p_e = sum(Fraction(sum(a == c for a, _ in pairs), n) * Fraction(sum(b == c for _, b in pairs), n)
              for c in cats)
    return (p_o - p_e) / (1 - p_e)


def _make(root: Path, *args: str, timeout: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTEST_ADDOPTS",
                        "TWEETSTORM_AFTER_MAKE_ALL"}}
    # The linked environment's package was installed from this checkout: a command that runs
    # outside any checkout (a test's CLI call in a temporary folder) would fall back to it, so the
    # copy names itself as the root, as a researcher with a shared environment would.
    env["TWEETSTORM_ROOT"] = str(root)
    return subprocess.run(["make", *args], cwd=root, capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture(scope="module")
def second_study(tmp_path_factory):
    if not (paths.ROOT / ".venv" / ".installed").is_file():
        pytest.skip("needs this checkout's .venv (make env); a conda environment is not linked")
    root = tmp_path_factory.mktemp("second-study")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=paths.ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for rel in filter(None, tracked):
        src = paths.ROOT / rel
        if src.is_file():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, root / rel)  # keeps times: the environment stays up to date
    (root / ".venv").symlink_to(paths.ROOT / ".venv")
    shutil.rmtree(root / "data" / "raw")
    shutil.copytree(FIXTURE, root / "data" / "raw")
    before = {p.relative_to(root).as_posix() for d in ("data/processed", "results", "figures")
              for p in (root / d).iterdir()}
    done = _make(root, "all", timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return root, before


def test_one_frequency_table_per_question_with_the_hand_computed_consensus(second_study):
    root, _ = second_study
    tables = sorted(p.name for p in (root / "results").glob("*_frequencies.csv"))
    assert tables == [f"{SLUGS[q]}_frequencies.csv" for q in sorted(CODES)]
    for q, slug in SLUGS.items():
        freq = pd.read_csv(root / "results" / f"{slug}_frequencies.csv")
        assert dict(zip(freq["code"], freq["n"])) == _consensus_counts(q)
        assert (freq["n_units"] == len(CODES[q])).all()
        assert (root / "figures" / f"{slug}_categories.png").is_file()


def test_cohens_kappa_equals_the_hand_computed_value(second_study):
    root, _ = second_study
    coef = pd.read_csv(root / "results" / "reliability_coefficients.csv")
    kappa = coef[coef["coefficient"] == "cohen_kappa"].set_index("question")["estimate"]
    assert _cohen_kappa("Q1") == Fraction(11, 23) and _cohen_kappa("Q2") == Fraction(17, 23)
    for q in CODES:
        assert kappa[q] == pytest.approx(float(_cohen_kappa(q)), abs=1e-9)


def test_nothing_of_the_illustrative_study_is_left(second_study):
    root, before = second_study
    now = {p.relative_to(root).as_posix() for d in ("data/processed", "results", "figures")
           for p in (root / d).iterdir()}
    declared = set(_make(root, "-s", "print-outputs", timeout=120).stdout.split())
    assert now - {"data/processed/.gitkeep"} <= declared | {f"{d}/README.md" for d in
                                                           ("data/processed", "results", "figures")}
    assert {"results/q1_goals_frequencies.csv", "figures/pln_network.png",
            "results/association_tests.csv", "figures/reliability_confusion_Q4.png"} <= before - now
    assert not list((root / "results").glob("pln_*")) and not list((root / "results").glob("association_*"))
    readme = (root / "data/processed/README.md").read_text(encoding="utf-8")
    assert "no PLN identification session" in readme
    for text in [(root / f"{d}/README.md").read_text(encoding="utf-8") for d in ("results", "figures")] \
            + [(root / "figures" / "q1_barriers_categories.txt").read_text(encoding="utf-8")]:
        assert "Illustrative" not in text and "plnstorm" not in text
    for nb in sorted((root / "notebooks").glob("*.ipynb")):
        first = next(c for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                     if c["cell_type"] == "markdown")
        text = "".join(first["source"])
        assert "> **Study:** Open data in teaching" in text and "Illustrative data" not in text, nb.name
    nb05 = (root / "notebooks" / "05-pln-network.ipynb").read_text(encoding="utf-8")
    assert "This study had no PLN identification session" in nb05
    assert "Illustrative data" not in nb05


def _outputs_text(notebook: Path) -> str:
    """The text of a notebook's outputs (its source may name files, not people)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return json.dumps([c.get("outputs", []) for c in cells], ensure_ascii=False)


def _leaks(root: Path, folders: tuple[str, ...]) -> list[str]:
    pattern = re.compile(r"(?<![\w@./])@?(" + "|".join(HANDLES) + r")(?![\w])|fedi\.example|other\.example")
    found = []
    for folder in folders:
        for p in sorted((root / folder).rglob("*")):
            if p.is_file() and p.suffix in {".csv", ".md", ".tex", ".txt", ".svg", ".ipynb"}:
                text = (_outputs_text(p) if p.suffix == ".ipynb"
                        else p.read_text(encoding="utf-8", errors="replace"))
                hit = pattern.search(text)
                if hit:
                    found.append(f"{p.relative_to(root)}: {hit.group(0)}")
    return found


def test_no_handle_of_the_fixture_in_results_and_figures(second_study):
    root, _ = second_study
    assert _leaks(root, ("results", "figures")) == []


def test_no_handle_of_the_fixture_in_processed_files_and_notebooks(second_study):
    """Mastodon status URIs name their author: the processed files carry study-local unit ids."""
    root, _ = second_study
    processed = []
    for p in sorted((root / "data" / "processed").glob("*.parquet")):
        frame = pd.read_parquet(p)
        text = frame.astype(str).to_csv(index=False)
        if re.search(r"fedi\.example|other\.example", text):
            processed.append(p.name)
    assert processed == [] and _leaks(root, ("notebooks",)) == []




def test_make_test_passes_on_the_second_study(second_study):
    root, _ = second_study
    done = _make(root, "test", timeout=3000)
    tail = "\n".join(done.stdout.splitlines()[-60:])
    failed = set(re.findall(r"^(?:FAILED|ERROR) (\S+)", done.stdout, re.M))
    assert failed == set(), tail
    assert done.returncode == 0, tail
    assert re.search(r"\d+ passed", tail) and "skipped" in tail  # the illustrative tests skipped
