"""tweetstorm.report on small hand-made executed notebooks (no kernel: outputs are written in)."""

from __future__ import annotations

import base64
import importlib.metadata
import re
import shutil
import subprocess

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tweetstorm import report
from tweetstorm.errors import InputError

# A 1 x 1 PNG (the smallest valid file), as a display output and as a file a markdown cell links.
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
    "AAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG_1PX).decode()

# (file, markdown headings, code that must not show, output that must show), in the paper's order.
PARTS = [
    ("01-ingest.ipynb", ["# Method: the Tweetstorm"], "secret_ingest_code = 1", "posts kept: 42"),
    ("03-reliability.ipynb", ["# Reliability of the coding"], "secret_alpha_code = 2",
     "alpha 0.81"),
    ("04-descriptives.ipynb",
     ["# Goals of learning", "## Motivation", "## Outcomes", "## Perception"],
     "secret_goal_code = 3", "sharing: 12"),
    ("05-pln-network.ipynb", ["# PLN identification"], "secret_pln_code = 4", "contacts: 62"),
]


def _notebook(headings, code, output, image=False):
    cells = [new_markdown_cell(h + "\n\nSome prose.") for h in headings]
    params = new_code_cell("seed: int = 1  # a parameter", execution_count=1)
    params.metadata["tags"] = ["parameters"]
    cell = new_code_cell(code + "\nprint(...)", execution_count=2,
                         outputs=[new_output("stream", name="stdout", text=output + "\n")])
    if image:
        cell.outputs.append(new_output("display_data", data={"image/png": PNG_B64,
                                                             "text/plain": "<Figure>"}))
    cells[1:1] = [params, cell]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    return nb


@pytest.fixture
def notebooks(tmp_path):
    made = []
    for i, (name, headings, code, output) in enumerate(PARTS):
        nb = _notebook(headings, code, output, image=(i == 3))
        if i == 0:
            nb.cells.append(new_markdown_cell("![a figure](fig.png)"))
        nbformat.write(nb, tmp_path / name)
        made.append(tmp_path / name)
    (tmp_path / "fig.png").write_bytes(PNG_1PX)
    return made


@pytest.fixture
def html(notebooks, tmp_path):
    out = report.build_report(tmp_path / "out" / "report.html", notebooks, root=tmp_path)
    return out.read_text(encoding="utf-8")


def test_no_code_input_but_outputs(html):
    for _, _, code, output in PARTS:
        assert code.split(" =")[0] not in html
        assert output in html
    assert "seed: int" not in html
    assert not re.search(r'class="jp-(InputPrompt|OutputPrompt)', html)
    assert 'class="highlight' not in html  # no highlighted source at all


def test_sections_in_paper_order_then_colophon(html):
    titles = [h.lstrip("#").strip() for _, hs, _, _ in PARTS for h in hs] + ["Colophon"]
    found = [re.search(rf"<h[12][^>]*>{re.escape(t)}", html) for t in titles]
    assert all(found), [t for t, m in zip(titles, found) if not m]
    starts = [m.start() for m in found]
    assert starts == sorted(starts)
    assert html.index(report.TITLE) < starts[0]  # the intro comes first


def test_colophon_names_versions_and_no_commit(html):
    colophon = html[html.index(">Colophon"):]
    for name in ("pandas", "numpy", "networkx", "statsmodels", "nbconvert"):
        version = importlib.metadata.version(name)
        assert re.search(rf"<td[^>]*>{name}</td>\s*<td[^>]*>{re.escape(version)}</td>", colophon)
    assert "not a git checkout" in colophon


def test_self_contained_and_no_machine_paths(html, tmp_path):
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert html.count(f"data:image/png;base64,{PNG_B64}") == 2  # the output and the markdown image
    assert str(tmp_path) not in html
    assert not re.search(r"\b20\d\d-\d\d-\d\d[T ]\d\d:\d\d", html)  # no timestamps


def test_rebuild_is_byte_identical(notebooks, tmp_path):
    a = report.build_report(tmp_path / "a.html", notebooks, root=tmp_path).read_bytes()
    b = report.build_report(tmp_path / "b.html", notebooks, root=tmp_path).read_bytes()
    assert a == b


def test_cli(notebooks, tmp_path, capsys):
    out = tmp_path / "cli" / "r.html"
    assert report.main(["--out", str(out), "--notebooks", *map(str, notebooks)]) == 0
    assert out.is_file()
    assert report.main(["--out", str(out), "--notebooks", str(tmp_path / "missing.ipynb")]) == 1
    assert "missing.ipynb" in capsys.readouterr().err


def test_unexecuted_or_failed_notebook_is_refused(notebooks):
    nb = nbformat.read(notebooks[1], as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbformat.write(nb, notebooks[1])
    with pytest.raises(InputError, match="not been executed") as err:
        report.combine(notebooks)
    assert err.value.file == "03-reliability.ipynb"
    assert "make all" in err.value.fix

    nb.cells[2].outputs = [new_output("error", ename="KeyError", evalue="x", traceback=[])]
    nbformat.write(nb, notebooks[1])
    with pytest.raises(InputError, match="error output"):
        report.combine(notebooks)


git = shutil.which("git")


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c",
                           "user.email=t@example.org", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.skipif(git is None, reason="git is not installed")
def test_git_state_commit_and_dirty(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    assert report.git_state(repo)["note"] == "no commit yet"
    nb = _notebook(["# PLN"], "x = 1", "one")
    for cell in nb.cells:  # committed without outputs, as the team commits notebooks
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, repo / "n.ipynb")
    (repo / "code.py").write_text("a = 1\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    head = (repo / ".git" / "refs" / "heads").rglob("*")
    head_hash = next(p for p in head if p.is_file()).read_text().strip()

    state = report.git_state(repo)
    assert state["commit"] == head_hash and not state["dirty"]

    nbformat.write(_notebook(["# PLN"], "x = 1", "one"), repo / "n.ipynb")  # executed: outputs only
    assert report.git_state(repo)["changed"] == []

    (repo / "code.py").write_text("a = 2\n")
    (repo / "new.csv").write_text("x\n")
    nbformat.write(_notebook(["# PLN changed"], "x = 1", "one"), repo / "n.ipynb")
    state = report.git_state(repo)
    assert state["dirty"] and state["changed"] == ["code.py", "n.ipynb", "new.csv"]

    md = report.colophon_markdown([repo / "n.ipynb"], root=repo)
    assert head_hash in md and "**dirty**: 3 file(s)" in md
