"""The pipeline's files agree with each other: notebooks, their parameter files and the Makefile."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
import subprocess
import sys

import pytest
import yaml

from tweetstorm import nbrun, paths, study

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
MAKEFILE = (paths.ROOT / "Makefile").read_text(encoding="utf-8")


def _make(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    return subprocess.run(["make", *args], cwd=paths.ROOT, capture_output=True, text=True, env=env)


def _runs(dry_run_output: str) -> list[str]:
    """The notebooks a `make -n` output would execute."""
    return sorted(set(re.findall(r"tweetstorm\.nbrun (notebooks/\S+\.ipynb)", dry_run_output)))


def test_five_numbered_notebooks():
    assert [p.stem for p in NOTEBOOKS] == [
        "01-ingest", "02-coding", "03-reliability", "04-descriptives", "05-pln-network"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_hygiene(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    for line in "".join(tagged[0]["source"]).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert re.match(r"^\w+: [\w\[\], .]+ = .+  # \S", line), (
                f"{notebook.name}: parameter line without type hint or comment: {line!r}")
    assert not any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"]), (
        "make ran the notebook with parameters other than its defaults")
    for cell in nb["cells"]:
        assert "papermill" not in cell["metadata"] and "execution" not in cell["metadata"]
    text = notebook.read_text(encoding="utf-8")
    assert str(paths.ROOT) not in text, "an absolute path of this machine in the notebook"
    assert "papermill" not in nb["metadata"]


def _make_parameters() -> dict[str, dict]:
    """Per notebook, the parameters make passes: the -f file's values, then each -p NAME VALUE."""
    recipes = _make("-n", "-B", "all").stdout  # -B: every rule's recipe, nothing is run
    found = {}
    for line in recipes.splitlines():
        if "tweetstorm.nbrun" not in line:
            continue
        args = shlex.split(line)
        notebook = args[args.index("-m") + 2]
        params = (yaml.safe_load((paths.ROOT / args[args.index("-f") + 1]).read_text(encoding="utf-8")) or {}
                  if "-f" in args else {})  # a notebook without analysis settings has no -f file
        # -f params/<notebook>.yml exactly when the notebook has that file
        settings = paths.ROOT / "params" / f"{Path(notebook).stem}.yml"
        assert (args[args.index("-f") + 1] if "-f" in args else None) == (
            settings.relative_to(paths.ROOT).as_posix() if settings.is_file() else None), line
        for i, arg in enumerate(args):
            if arg == "-p":
                assert args[i + 1] not in params, f"{args[i + 1]} is both in the -f file and a -p"
                params[args[i + 1]] = yaml.safe_load(args[i + 2])
        found[notebook] = params
    return found


def test_make_runs_every_notebook_with_its_defaults():
    """What make passes (the parameter file; the files come from the study file, which the
    notebooks read) equals the notebook's parameters cell, so a researcher in JupyterLab runs
    exactly what make runs; the event is no longer a parameter."""
    passed = _make_parameters()
    assert sorted(passed) == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    for notebook, params in passed.items():
        defaults = nbrun.notebook_defaults(paths.ROOT / notebook)
        assert {k: defaults.get(k) for k in params} == params, (
            f"make and the parameters cell of {notebook} differ")
        assert defaults["study_path"] == study.STUDY_FILE
        assert not {"hashtag", "moderators", "start", "end", "inputs", "characteristics",
                    "codebook_path", "sheets", "adjudication_path", "pln_path"} & set(defaults)


def test_processed_file_names_agree_with_the_study_module():
    """The processed files the Makefile tracks (tweetstorm.study) are the notebooks' defaults."""
    names = {study.POSTS, study.INGEST_REPORT, study.PARTICIPANTS, study.PLN_CONTACTS,
             study.RATINGS, study.CONSENSUS}
    used = {v for nb in NOTEBOOKS for v in nbrun.notebook_defaults(nb).values()
            if isinstance(v, str) and v.startswith("data/processed/")}
    assert used == names


def test_every_file_parameter_is_a_prerequisite_or_target():
    """A file a notebook reads is a prerequisite of its rule; one it writes, a target."""
    database = _make("-p", "-n", "-q", "all").stdout  # make's database: one line per target
    for notebook, params in _make_parameters().items():
        params = {**nbrun.notebook_defaults(paths.ROOT / notebook), **params}
        rules = [line.split(":", 1) for line in database.splitlines()
                 if re.match(rf"^\S+: {re.escape(notebook)} ", line)]
        named = {target for target, _ in rules} | {f for _, deps in rules for f in deps.split()}
        for name, value in params.items():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and v.startswith("data/") and "*" not in v \
                        and not v.startswith("data/private/"):
                    assert v in named, f"{notebook}: parameter {name}={v} is not in its make rule"


def test_help_is_the_default_target():
    out = _make().stdout
    assert "make all" in out and "\n  test " in out and "\n  lab " in out


FAKE_NBRUN = """
import pathlib, sys
args = sys.argv[1:]
with open("nbrun.log", "a") as log:
    log.write(args[0] + "\\n")
for out in args[args.index("--outputs") + 1:]:
    p = pathlib.Path(out)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.touch()
"""


@pytest.fixture()
def pipeline_copy(tmp_path):
    """The Makefile and the files it reads, in a scratch folder, with a stand-in for nbrun that
    only logs the notebook and touches its outputs: make's decisions, without running notebooks.
    (GNU make 4.3's dry run, -n, does not follow grouped targets, so a real run is needed.)"""
    tracked = subprocess.run(["git", "ls-files"], cwd=paths.ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    for rel in tracked:
        if rel.startswith(("data/raw/", "notebooks/", "params/", "src/")) or rel == "Makefile":
            dst = tmp_path / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes((paths.ROOT / rel).read_bytes())
    (tmp_path / "fake_nbrun.py").write_text(FAKE_NBRUN)
    (tmp_path / "env.stamp").touch()

    def run(*args):
        log = tmp_path / "nbrun.log"
        log.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
        done = subprocess.run(["make", *args, f"NBRUN={sys.executable} fake_nbrun.py",
                               f"PYTHON={sys.executable}", "ENV_STAMP=env.stamp"], cwd=tmp_path,
                              capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        return log.read_text().split() if log.exists() else []

    run("all")
    return tmp_path, run


@pytest.mark.illustrative  # edits the illustrative raw files
def test_all_twice_runs_nothing_the_second_time(pipeline_copy):
    _, run = pipeline_copy
    assert run("all") == []


T0 = 1_700_000_000  # a fixed past time: settling twice gives the raw inputs the same times


def _settle(root):
    outputs = set(_make_in(root, "-s", "print-outputs").stdout.split())
    for p in root.rglob("*"):
        if p.is_file():
            t = T0 + 10 if p.relative_to(root).as_posix() in outputs else T0
            os.utime(p, (t, t))


def _settle_then_touch(root, rel):
    """All files in the past, every output newer than every input, then ``rel`` newest of all.
    (The first settling changes the raw inputs' times, which make notices through its listings
    of the raw inputs: one run absorbs that, and settling again at the same time keeps it.)"""
    _settle(root)
    assert _make_in(root, "all").returncode == 0
    _settle(root)
    if rel:
        os.utime(root / rel, (T0 + 20, T0 + 20))


@pytest.mark.illustrative  # edits the illustrative raw files
def _in_pipeline_order(ran: list[str]) -> list[str]:
    """The notebooks make ran, checked against the pipeline's order (01 before 02 before 03
    before 04, 01 before 05; the Makefile runs two jobs, so 05 may come anywhere after 01), sorted."""
    step = {name: i for i, name in enumerate(ran)}
    for before, after in [("01", "02"), ("02", "03"), ("03", "04"), ("01", "05")]:
        a = next((i for n, i in step.items() if f"/{before}-" in n), None)
        b = next((i for n, i in step.items() if f"/{after}-" in n), None)
        assert a is None or b is None or a < b, f"{ran}: step {after} ran before step {before}"
    return sorted(ran)


@pytest.mark.illustrative  # edits the illustrative raw files
def test_touching_one_input_reruns_only_what_depends_on_it(pipeline_copy):
    root, run = pipeline_copy
    _settle_then_touch(root, "data/raw/adjudication.csv")
    assert _in_pipeline_order(run("all")) == ["notebooks/02-coding.ipynb", "notebooks/03-reliability.ipynb",
                                              "notebooks/04-descriptives.ipynb"]
    _settle_then_touch(root, "notebooks/05-pln-network.ipynb")
    assert run("all") == ["notebooks/05-pln-network.ipynb"]
    _settle_then_touch(root, "src/tweetstorm/figures.py")  # the package: every notebook
    assert _in_pipeline_order(run("all")) == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    _settle_then_touch(root, "data/raw/pln_identification.csv")  # 01 writes posts too: all follow
    assert _in_pipeline_order(run("all")) == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    _settle_then_touch(root, "")
    (root / "figures" / "pln_network.svg").unlink()  # a deleted output is rebuilt
    assert run("all") == ["notebooks/05-pln-network.ipynb"]


@pytest.mark.illustrative  # edits the illustrative raw files
def test_parallel_make_runs_each_notebook_once(pipeline_copy):
    root, run = pipeline_copy
    _settle_then_touch(root, "data/raw/participants.csv")
    ran = run("-j2", "all")
    assert sorted(ran) == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    assert ran[0] == "notebooks/01-ingest.ipynb"


def _make_in(root, *args):
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    return subprocess.run(["make", *args, f"NBRUN={sys.executable} fake_nbrun.py",
                           f"PYTHON={sys.executable}", "ENV_STAMP=env.stamp"], cwd=root,
                          capture_output=True, text=True, env=env)


@pytest.mark.illustrative  # edits the illustrative raw files
def test_a_missing_raw_file_stops_make_naming_it(pipeline_copy):
    root, _ = pipeline_copy
    (root / "data/raw/pln_identification.csv").unlink()
    out = _make_in(root, "all")
    assert out.returncode != 0
    assert "data/raw/pln_identification.csv is missing (read by notebooks/01-ingest.ipynb)" in out.stderr


def test_file_names_on_the_command_line_are_refused_naming_the_study_file():
    out = _make("all", "RAW_EXPORT=elsewhere.jsonl")
    assert out.returncode != 0
    assert "data/raw/study.yml" in out.stderr and "export" in out.stderr


def test_help_and_clean_need_no_study(tmp_path):
    (tmp_path / "Makefile").write_bytes((paths.ROOT / "Makefile").read_bytes())
    out = subprocess.run(["make"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0 and "make all" in out.stdout
    assert not (tmp_path / "build" / "study.mk").exists()


@pytest.mark.illustrative  # edits the illustrative raw files
def test_the_set_of_coding_sheets_is_tracked(pipeline_copy):
    """Adding (xlsx too), replacing or removing a completed sheet reruns the coding step."""
    root, run = pipeline_copy
    after_coding = ["notebooks/02-coding.ipynb", "notebooks/03-reliability.ipynb",
                    "notebooks/04-descriptives.ipynb"]
    sheets = root / "data/raw/coding"
    _settle_then_touch(root, "")
    (sheets / "rater_R3.csv").unlink()
    assert run("all") == after_coding
    assert run("all") == []
    (sheets / "rater_R4.xlsx").write_bytes(b"a new rater's sheet")
    assert run("all") == after_coding
    assert run("all") == []
    _settle_then_touch(root, "data/raw/coding/rater_R4.xlsx")  # replaced by a newer version
    assert run("all") == after_coding
    (root / "data/raw/coding/notes.txt").write_text("not a sheet")
    assert run("all") == []


@pytest.mark.illustrative  # edits the illustrative raw files
def test_outputs_of_another_study_are_removed(pipeline_copy):
    """A file in the output folders that this study does not write is deleted by make all; the
    per-question outputs follow the codebook's labels."""
    root, run = pipeline_copy
    (root / "results" / "q9_old_frequencies.csv").write_text("left over")
    (root / "figures" / "old.png").write_bytes(b"left over")
    (root / "data" / "processed" / "old.parquet").write_bytes(b"left over")
    run("all")
    for rel in ("results/q9_old_frequencies.csv", "figures/old.png", "data/processed/old.parquet"):
        assert not (root / rel).exists(), rel
    assert (root / "results" / "README.md").is_file()
    book = root / "data/raw/codebook.yml"
    book.write_text(book.read_text(encoding="utf-8").replace("label: Goals", "label: Aims of learning"),
                    encoding="utf-8")
    ran = run("all")
    assert "notebooks/04-descriptives.ipynb" in ran
    assert (root / "results/q1_aims_of_learning_frequencies.md").is_file()
    assert (root / "figures/q1_aims_of_learning_categories.png").is_file()
    assert not (root / "results/q1_goals_frequencies.md").exists()
    assert not (root / "figures/q1_goals_categories.png").exists()
    assert run("all") == []


@pytest.mark.illustrative  # edits the illustrative raw files
def test_a_study_without_pln_runs_notebook_05_without_pln_outputs(pipeline_copy):
    root, run = pipeline_copy
    study_file = root / "data/raw/study.yml"
    study_file.write_text(study_file.read_text(encoding="utf-8").replace(
        "pln: data/raw/pln_identification.csv\n", ""), encoding="utf-8")
    ran = run("all")
    assert "notebooks/05-pln-network.ipynb" in ran
    assert not list((root / "results").glob("pln_*")) and not list((root / "figures").glob("pln_*"))
    assert "no PLN identification session" in (root / "data/processed/README.md").read_text()
    assert run("all") == []


def test_all_is_up_to_date_after_all():
    # make test runs make all first; CI also checks this right after make all.
    if os.environ.get("TWEETSTORM_AFTER_MAKE_ALL") != "1":
        pytest.skip("only meaningful right after make all (make test sets TWEETSTORM_AFTER_MAKE_ALL=1)")
    out = _make("--question", "all")
    assert out.returncode == 0, "make all would run again:\n" + _make("-n", "all").stdout


def test_every_generated_file_is_a_target_of_make_all():
    declared = set(_make("print-outputs").stdout.split())
    on_disk = {p.relative_to(paths.ROOT).as_posix()
               for folder in (paths.PROCESSED, paths.RESULTS, paths.FIGURES)
               for p in folder.rglob("*") if p.is_file() and p.name not in {".gitkeep", "README.md"}}
    assert on_disk <= declared, f"written but not declared in the Makefile: {sorted(on_disk - declared)}"
    assert len(declared) >= 60


def _root_seen_from(cwd) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TWEETSTORM_ROOT"}
    return subprocess.run([sys.executable, "-c", "from tweetstorm import paths; print(paths.ROOT)"],
                          cwd=cwd, capture_output=True, text=True, check=True, env=env).stdout.strip()


def test_the_root_is_the_checkout_being_run_not_the_installed_one(tmp_path):
    """One environment, two checkouts: the package finds the checkout it is run in (make runs in
    it, a notebook's kernel in its notebooks/ folder), not the one it was installed from."""
    other = tmp_path / "other-clone"
    (other / "data" / "raw").mkdir(parents=True)
    (other / "data" / "raw" / "study.yml").write_text("title: x\n")
    (other / "notebooks").mkdir()
    assert _root_seen_from(other) == str(other.resolve())
    assert _root_seen_from(other / "notebooks") == str(other.resolve())
    # outside any checkout: the checkout of the installed sources
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert _root_seen_from(outside) == str(Path(paths.__file__).resolve().parents[2])


@pytest.mark.illustrative  # edits the illustrative raw files
def test_without_adjudication_the_run_stops_after_reliability(pipeline_copy):
    root, run = pipeline_copy
    study_file = root / "data/raw/study.yml"
    study_file.write_text(study_file.read_text(encoding="utf-8").replace(
        "adjudication: data/raw/adjudication.csv\n", ""), encoding="utf-8")
    log = root / "nbrun.log"
    log.unlink(missing_ok=True)
    done = _make_in(root, "all")
    assert done.returncode != 0
    assert "stopped after reliability" in done.stderr and "build/adjudication_todo.csv" in done.stderr
    assert log.read_text().split() == ["notebooks/01-ingest.ipynb", "notebooks/02-coding.ipynb",
                                       "notebooks/03-reliability.ipynb"]


@pytest.mark.illustrative  # edits the illustrative raw files
def test_raw_files_replaced_by_older_ones_rerun_their_steps(pipeline_copy):
    """A data set copied or unpacked with its old times is not taken for up to date."""
    root, run = pipeline_copy
    _settle_then_touch(root, "")
    export = root / "data/raw/tweetstorm_twarc2.jsonl"
    export.write_bytes(export.read_bytes() + b"\n")
    os.utime(export, (T0 - 5000, T0 - 5000))  # older than every output
    assert _in_pipeline_order(run("all")) == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    assert run("all") == []
