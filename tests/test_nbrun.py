"""The notebook runner: in place, reproducible bytes, explicit parameters, clean failure."""

from __future__ import annotations

import hashlib

import nbformat
import pytest

from tweetstorm import nbrun, paths

pytestmark = pytest.mark.slow  # each test starts a kernel


def _notebook(path, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                              "language": "python"}
    params = nbformat.v4.new_code_cell('n: int = 2  # how many\nout: str = ""  # where to write')
    params.metadata.tags = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# test"), params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)


BODY = ("from pathlib import Path\n"
        "if out:\n"
        "    Path(out).write_text(str(n * 21))\n"
        "print(n * 21)")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_runs_in_place_and_rebuilds_the_same_bytes(tmp_path):
    nb_path = tmp_path / "nb.ipynb"
    _notebook(nb_path, BODY)
    nbrun.run(nb_path)
    first = _sha(nb_path)
    executed = nbformat.read(nb_path, as_version=4)
    assert executed.cells[2].outputs[0]["text"] == "42\n"
    assert "papermill" not in executed.metadata
    assert all("execution" not in c.metadata for c in executed.cells)
    assert executed.metadata.kernelspec["name"] == "python3"
    nbrun.run(nb_path)
    assert _sha(nb_path) == first


def test_parameters_equal_to_defaults_are_not_injected(tmp_path):
    nb_path = tmp_path / "nb.ipynb"
    _notebook(nb_path, BODY)
    params = tmp_path / "p.yml"
    params.write_text("n: 2\n")
    nbrun.run(nb_path, params)
    nb = nbformat.read(nb_path, as_version=4)
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    before = nb_path.read_bytes()
    written = nbrun.run(nb_path, params, [("n", "5")])
    assert nb_path.read_bytes() == before  # an exploration never replaces the notebook
    assert written == paths.BUILD / "runs" / "nb" / "nb.ipynb"
    nb = nbformat.read(written, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "n = 5" in injected[0].source
    assert nb.cells[-1].outputs[0]["text"] == "105\n"


def test_unknown_parameter_names_the_notebook_and_the_parameter(tmp_path):
    nb_path = tmp_path / "nb.ipynb"
    _notebook(nb_path, BODY)
    with pytest.raises(nbrun.NotebookFailed, match=r"nb\.ipynb has no parameter typo"):
        nbrun.run(nb_path, overrides=[("typo", "1")])


def test_failure_deletes_declared_outputs_and_keeps_the_failed_run(tmp_path):
    nb_path = tmp_path / "broken.ipynb"
    _notebook(nb_path, "raise FileNotFoundError('data/raw/missing.csv: no such file')")
    stale = tmp_path / "out.txt"
    stale.write_text("half-written")
    before = nb_path.read_bytes()
    with pytest.raises(nbrun.NotebookFailed) as err:
        nbrun.run(nb_path, outputs=[str(stale)])
    message = str(err.value)
    assert "broken.ipynb failed" in message
    assert "data/raw/missing.csv" in message
    assert "build/failed/broken.ipynb" in message
    assert not stale.exists()
    assert nb_path.read_bytes() == before  # the source notebook is left as it was
    failed = nbformat.read(paths.BUILD / "failed" / "broken.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in failed.cells if c.cell_type == "code"
               for o in c.outputs)


def test_declared_output_not_written_is_an_error(tmp_path):
    nb_path = tmp_path / "nb.ipynb"
    _notebook(nb_path, BODY)
    with pytest.raises(nbrun.NotebookFailed, match="did not write"):
        nbrun.run(nb_path, outputs=[str(tmp_path / "never.txt")])


def test_declared_outputs_are_newer_than_the_notebook(tmp_path):
    nb_path = tmp_path / "nb.ipynb"
    _notebook(nb_path, BODY)
    out = tmp_path / "out.txt"
    written = nbrun.run(nb_path, overrides=[("out", repr(str(out)))], outputs=[str(out)])
    assert out.read_text() == "42"
    assert out.stat().st_mtime_ns >= written.stat().st_mtime_ns


def test_a_stale_declared_output_is_an_error(tmp_path):
    """An output left by an earlier run does not pass for one this run wrote."""
    nb_path = tmp_path / "nb.ipynb"
    _notebook(nb_path, BODY)  # with the default out="" the notebook writes nothing
    stale = tmp_path / "out.txt"
    stale.write_text("42")
    with pytest.raises(nbrun.NotebookFailed, match=r"did not write .*out\.txt \(left from an earlier run\)"):
        nbrun.run(nb_path, outputs=[str(stale)])
    assert not stale.exists()  # make must not take the step for done


TABLE_BODY = ("import pandas as pd\n"
              "from tweetstorm.tables import write_table\n"
              "write_table(pd.DataFrame({'n': [n]}), 'nbrun_probe', 'Probe.')\n")


def test_an_exploration_writes_to_build_not_over_committed_outputs(tmp_path):
    """Parameters other than the defaults: the notebook copy and its tables go to build/runs/."""
    nb_path = tmp_path / "probe.ipynb"
    _notebook(nb_path, TABLE_BODY)
    committed = paths.RESULTS / "nbrun_probe.csv"
    explored = paths.BUILD / "runs" / "probe" / "results" / "nbrun_probe.csv"
    explored.unlink(missing_ok=True)
    try:
        written = nbrun.run(nb_path, overrides=[("n", "7")], outputs=["results/nbrun_probe.csv"])
        assert written == paths.BUILD / "runs" / "probe" / "probe.ipynb"
        assert not committed.exists()
        assert explored.read_text() == "n\n7\n"
    finally:
        for ext in ("csv", "md", "tex"):
            (paths.RESULTS / f"nbrun_probe.{ext}").unlink(missing_ok=True)


def test_the_first_cell_names_the_study_and_says_illustrative(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nText.")]
    study_file = tmp_path / "study.yml"
    text = (paths.ROOT / "data/raw/study.yml").read_text(encoding="utf-8")
    for flag in ("true", "false", "true"):
        study_file.write_text(text.replace("illustrative: true", f"illustrative: {flag}")
                              .replace("illustrative: false", f"illustrative: {flag}"))
        nbrun.label(nb, study_file)
        lines = nb.cells[0].source.split("\n")
        assert lines[0] == "# Title" and lines[1] == "" and lines[3] == "" and lines[4] == "Text."
        assert lines[2].startswith("> **Study:**")
        assert ("Illustrative data" in lines[2]) == (flag == "true")
        assert len(lines) == 5  # a rerun replaces the line, never adds one


def test_starting_a_run_does_not_compile_the_iri_grammar():
    """nbrun keeps jsonschema from loading rfc3987_syntax (seconds of parser building at every
    start); notebook validation works the same without it."""
    import subprocess
    import sys

    code = ("import sys, tweetstorm.nbrun, papermill, nbformat\n"
            "nbformat.validate(nbformat.read(sys.argv[1], as_version=4))\n"
            "bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
            "bad.cells[0]['outputs'] = 'not a list'\n"
            "try:\n"
            "    nbformat.validate(bad)\n"
            "except nbformat.ValidationError:\n"
            "    print('invalid notebook refused')\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'))")
    done = subprocess.run([sys.executable, "-c", code, str(paths.ROOT / "notebooks/02-coding.ipynb")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["invalid notebook refused", "None"]
