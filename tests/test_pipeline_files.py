"""The pipeline's files agree with each other: notebooks, their parameter files and the Makefile."""

from __future__ import annotations

import json
import os
import re
import subprocess

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


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameter_file_equals_notebook_defaults_and_the_makefile(notebook):
    params_file = paths.ROOT / "params" / f"{notebook.stem}.yml"
    params = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    assert params == nbrun.notebook_defaults(notebook), (
        f"{params_file.name} and the parameters cell of {notebook.name} differ")
    rule = re.search(rf"^\S.*&: notebooks/{re.escape(notebook.name)} (.*)\n\t(.*)$", MAKEFILE, re.M)
    assert rule, f"no Makefile rule runs {notebook.name}"
    assert f"-f params/{notebook.stem}.yml" in rule.group(2)
    assert f"params/{notebook.stem}.yml" in rule.group(1)
    values = [v for value in params.values() for v in (value if isinstance(value, list) else [value])]
    for value in values:
        if isinstance(value, str) and value.startswith(("data/raw/", "data/processed/")) and "*" not in value:
            assert value in MAKEFILE, f"{params_file.name} names {value}, the Makefile does not"


def test_help_is_the_default_target():
    out = _make().stdout
    assert "make all" in out and "\n  test " in out and "\n  lab " in out


def test_touching_one_input_reruns_only_what_depends_on_it():
    # -W pretends the file changed; -n prints what would run without running it.
    assert _runs(_make("-n", "-W", "data/raw/adjudication.csv", "all").stdout) == [
        "notebooks/02-coding.ipynb", "notebooks/03-reliability.ipynb", "notebooks/04-descriptives.ipynb"]
    assert _runs(_make("-n", "-W", "notebooks/05-pln-network.ipynb", "all").stdout) == [
        "notebooks/05-pln-network.ipynb"]
    assert _runs(_make("-n", "-W", "data/raw/pln_identification.csv", "all").stdout) == [
        f"notebooks/{p.name}" for p in NOTEBOOKS]  # 01 writes posts too, so everything follows


def test_a_missing_raw_file_stops_make_naming_it(tmp_path):
    out = _make("-n", "all", "RAW_PLN=data/raw/no_such_file.csv")
    assert out.returncode != 0
    assert "data/raw/no_such_file.csv" in out.stderr and "needed by" in out.stderr


def test_all_is_up_to_date_after_all():
    if not all((paths.ROOT / f).exists() for f in ("data/processed/posts.parquet",
                                                     "data/processed/consensus.parquet")):
        pytest.skip("run `make all` first (make test does)")
    out = _make("--question", "all")
    assert out.returncode == 0, "make all would run again:\n" + _make("-n", "all").stdout
