"""The pipeline's files agree with each other: notebooks, their parameter files and the Makefile."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path
import subprocess
import sys
import time

import pytest
import yaml

from tweetstorm import nbrun, paths

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
        params = yaml.safe_load((paths.ROOT / args[args.index("-f") + 1]).read_text(encoding="utf-8"))
        for i, arg in enumerate(args):
            if arg == "-p":
                assert args[i + 1] not in params, f"{args[i + 1]} is both in the -f file and a -p"
                params[args[i + 1]] = yaml.safe_load(args[i + 2])
        found[notebook] = params
    return found


def test_make_runs_every_notebook_with_its_defaults():
    """What make passes (parameter file + file names) equals the notebook's parameters cell,
    so a researcher in JupyterLab runs exactly what make runs."""
    passed = _make_parameters()
    assert sorted(passed) == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    for notebook, params in passed.items():
        defaults = nbrun.notebook_defaults(paths.ROOT / notebook)
        assert params == defaults, f"make and the parameters cell of {notebook} differ"
        assert (paths.ROOT / "params" / f"{Path(notebook).stem}.yml").is_file()


def test_every_file_parameter_is_a_prerequisite_or_target():
    """A file a notebook reads is a prerequisite of its rule; one it writes, a target."""
    database = _make("-p", "-n", "-q", "all").stdout  # make's database: one line per target
    for notebook, params in _make_parameters().items():
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
                               "ENV_STAMP=env.stamp"], cwd=tmp_path, capture_output=True, text=True,
                              env=env)
        assert done.returncode == 0, done.stderr
        return log.read_text().split() if log.exists() else []

    run("all")
    return tmp_path, run


def test_all_twice_runs_nothing_the_second_time(pipeline_copy):
    _, run = pipeline_copy
    assert run("all") == []


def _settle_then_touch(root, rel):
    """All files in the past, every output newer than every input, then ``rel`` newest of all."""
    outputs = set(subprocess.run(["make", "-s", "print-outputs"], cwd=root, capture_output=True,
                                 text=True, check=True).stdout.split())
    t0 = time.time() - 1000
    for p in root.rglob("*"):
        if p.is_file():
            t = t0 + 10 if p.relative_to(root).as_posix() in outputs else t0
            os.utime(p, (t, t))
    if rel:
        os.utime(root / rel, (t0 + 20, t0 + 20))


def test_touching_one_input_reruns_only_what_depends_on_it(pipeline_copy):
    root, run = pipeline_copy
    _settle_then_touch(root, "data/raw/adjudication.csv")
    assert run("all") == ["notebooks/02-coding.ipynb", "notebooks/03-reliability.ipynb",
                          "notebooks/04-descriptives.ipynb"]
    _settle_then_touch(root, "notebooks/05-pln-network.ipynb")
    assert run("all") == ["notebooks/05-pln-network.ipynb"]
    _settle_then_touch(root, "src/tweetstorm/figures.py")  # the package: every notebook
    assert run("all") == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    _settle_then_touch(root, "data/raw/pln_identification.csv")  # 01 writes posts too: all follow
    assert run("all") == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    _settle_then_touch(root, "")
    (root / "figures" / "pln_network.svg").unlink()  # a deleted output is rebuilt
    assert run("all") == ["notebooks/05-pln-network.ipynb"]


def test_parallel_make_runs_each_notebook_once(pipeline_copy):
    root, run = pipeline_copy
    _settle_then_touch(root, "data/raw/participants.csv")
    ran = run("-j2", "all")
    assert sorted(ran) == [f"notebooks/{p.name}" for p in NOTEBOOKS]
    assert ran[0] == "notebooks/01-ingest.ipynb"


def test_a_missing_raw_file_stops_make_naming_it(tmp_path):
    out = _make("all", "RAW_PLN=data/raw/no_such_file.csv")
    assert out.returncode != 0
    assert "data/raw/no_such_file.csv is missing (read by notebooks/01-ingest.ipynb)" in out.stderr


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
