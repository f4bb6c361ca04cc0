"""``make report``: the executed results notebooks as one self-contained HTML page without code.

``python -m tweetstorm.report --out build/report.html``

The page is the concatenation of the notebooks' cells in the order of the paper: method
(01-ingest), reliability (03-reliability), goals, motivation, outcomes and perception
(04-descriptives, whose own sections follow that order) and the PLN (05-pln-network). The
notebooks' sections already follow the paper, so concatenating them in this order is the simplest
honest way to get one document; nothing is reordered or rewritten. nbconvert's ``HTMLExporter``
renders it with code inputs and prompts hidden; images are embedded as data URIs and the page
loads no script or style from the network (MathJax, require.js and mermaid are left out, so LaTeX
in prose shows as typed). It ends with a colophon: versions of the key packages, the git commit of
code and data and whether the working tree differs from it. The page carries no timestamp.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat
from jinja2 import DictLoader

from . import paths
from .errors import InputError

#: The results notebooks, in the order of the paper (repo-relative).
REPORT_NOTEBOOKS: tuple[str, ...] = (
    "notebooks/01-ingest.ipynb",  # method: the event, participants, data
    "notebooks/03-reliability.ipynb",  # reliability of the coding
    "notebooks/04-descriptives.ipynb",  # goals, motivation, outcomes, perception
    "notebooks/05-pln-network.ipynb",  # the PLN identification session
)
#: Distributions whose versions the colophon lists.
KEY_PACKAGES: tuple[str, ...] = (
    "tweetstorm", "pandas", "numpy", "pyarrow", "scipy", "statsmodels", "krippendorff",
    "networkx", "matplotlib", "seaborn", "openpyxl", "papermill", "nbconvert",
)
TITLE = "Goals, motivation for, and outcomes of personal learning through networks: results"

# The lab template without the scripts it would fetch from a CDN (require.js, MathJax, mermaid):
# the report must open offline. Everything else (the inlined CSS) stays as nbconvert has it.
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def _check_executed(nb: nbformat.NotebookNode, name: str) -> None:
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if code and not any(c.get("outputs") for c in code):
        raise InputError(name, "the notebook has not been executed (no cell has output)",
                         "run `make all` first; it executes the notebooks in place")
    for number, cell in enumerate(code, start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            raise InputError(name, f"code cell {number} holds an error output",
                             "fix the notebook and rerun `make all`")


def combine(notebooks: Sequence[str | Path], intro: str | None = None,
            colophon: str | None = None) -> nbformat.NotebookNode:
    """One notebook holding the cells of ``notebooks`` in the given order.

    An optional markdown ``intro`` goes first and ``colophon`` last. Every notebook must exist and
    be executed without error (else :class:`InputError`). Cell ids are renumbered ``rNNN`` so that
    ids stay unique and the page is the same on every build.
    """
    combined = nbformat.v4.new_notebook()
    combined.metadata["title"] = TITLE
    combined.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    combined.metadata["language_info"] = {"name": "python"}
    cells = [nbformat.v4.new_markdown_cell(intro)] if intro else []
    for notebook in notebooks:
        path = paths.resolve(notebook)
        name = paths.relative(path)
        if not path.is_file():
            raise InputError(name, "the notebook does not exist",
                             "run `make all` first, or pass the notebooks with --notebooks")
        nb = nbformat.read(path, as_version=4)
        _check_executed(nb, name)
        cells.extend(nb.cells)
    if colophon:
        cells.append(nbformat.v4.new_markdown_cell(colophon))
    for i, cell in enumerate(cells):
        cell["id"] = f"r{i:03d}"
    combined.cells = cells
    return combined


def package_versions(packages: Sequence[str] = KEY_PACKAGES) -> dict[str, str]:
    """``{distribution: version}`` from importlib.metadata, plus ``python``; ``not installed``
    for a distribution that is absent."""
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=False)


def _sources(text: str) -> list[tuple[str, str]]:
    nb = nbformat.reads(text, as_version=4)
    return [(c.cell_type, c.source) for c in nb.cells]


def git_state(root: str | Path | None = None) -> dict[str, object]:
    """The commit the working tree of ``root`` (default: the repository) was built from.

    Returns ``commit`` (full hash, or None when there is no commit or no git checkout), ``note``
    (why there is no commit) and ``changed``: sorted repo-relative paths that differ from the commit
    (tracked changes and untracked, not ignored, files). A notebook whose cells have the same
    types and sources as in the commit is not counted: executing it in place (``make all``) only
    adds outputs. ``dirty`` is ``bool(changed)``.
    """
    root = Path(root) if root is not None else paths.ROOT
    try:
        head = _git(root, "rev-parse", "--verify", "HEAD")
    except FileNotFoundError:
        return {"commit": None, "note": "git is not installed", "changed": [], "dirty": False}
    if head.returncode != 0:
        inside = _git(root, "rev-parse", "--is-inside-work-tree")
        note = "no commit yet" if inside.returncode == 0 else "not a git checkout"
        return {"commit": None, "note": note, "changed": [], "dirty": False}
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all")
    changed = []
    entries = status.stdout.split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if not entry:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":  # a rename is followed by its old name
            i += 1
        if code != "??" and path.endswith(".ipynb") and (root / path).is_file():
            old = _git(root, "show", f"HEAD:{path}")
            try:
                same = old.returncode == 0 and _sources(old.stdout) == _sources(
                    (root / path).read_text(encoding="utf-8"))
            except (ValueError, nbformat.reader.NotJSONError):
                same = False
            if same:
                continue
        changed.append(path)
    changed.sort()
    return {"commit": head.stdout.strip(), "note": "", "changed": changed, "dirty": bool(changed)}


def colophon_markdown(notebooks: Sequence[str | Path], root: str | Path | None = None,
                      packages: Sequence[str] = KEY_PACKAGES, max_listed: int = 20) -> str:
    """The colophon as Markdown: sources, git commit and tree state, package versions."""
    state = git_state(root)
    lines = ["## Colophon", "",
             "Built with `python -m tweetstorm.report` from the executed notebooks "
             + ", ".join(f"`{paths.relative(paths.resolve(n))}`" for n in notebooks) + ".", ""]
    if state["commit"] is None:
        lines.append(f"Code and data: no git commit to name ({state['note']}).")
    else:
        lines.append(f"Code and data: git commit `{state['commit']}`.")
    changed = state["changed"]
    if state["commit"] is not None and not changed:
        lines.append("The working tree matches that commit (executed notebooks differ only in "
                     "their outputs).")
    elif changed:
        shown = ", ".join(f"`{p}`" for p in changed[:max_listed])
        more = f" and {len(changed) - max_listed} more" if len(changed) > max_listed else ""
        lines.append(f"The working tree is **dirty**: {len(changed)} file(s) differ from the "
                     f"commit: {shown}{more}.")
    lines += ["", "| package | version |", "|:--|:--|"]
    lines += [f"| {name} | {version} |" for name, version in package_versions(packages).items()]
    return "\n".join(lines) + "\n"


def intro_markdown(notebooks: Sequence[str | Path]) -> str:
    """The opening of the page: what it is and where each part comes from."""
    parts = "\n".join(f"{i}. `{paths.relative(paths.resolve(n))}`"
                      for i, n in enumerate(notebooks, start=1))
    return (f"# {TITLE}\n\n"
            "This page joins the executed results notebooks of the compendium, in the order of "
            "the paper: method, reliability of the coding, goals, motivation, outcomes and "
            "perception of learning through one's network, and the personal learning networks "
            "named in the PLN identification session. Code is hidden; every number and figure "
            "is the notebooks' output. The parts, in order:\n\n" + parts + "\n")


def render_html(nb: nbformat.NotebookNode, image_dir: str | Path | None = None) -> str:
    """HTML of ``nb`` without code inputs or prompts; images (outputs and markdown images relative
    to ``image_dir``) embedded; no external scripts."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_loaders=[DictLoader({"tweetstorm_report.html.j2": _TEMPLATE})],
                            template_file="tweetstorm_report.html.j2")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.exclude_anchor_links = True
    resources = {"metadata": {"name": "report", "path": str(image_dir or paths.NOTEBOOKS)}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def build_report(out: str | Path = "build/report.html",
                 notebooks: Sequence[str | Path] = REPORT_NOTEBOOKS,
                 root: str | Path | None = None) -> Path:
    """Write the report to ``out`` (repo-relative or absolute); returns the path written."""
    combined = combine(notebooks, intro=intro_markdown(notebooks),
                       colophon=colophon_markdown(notebooks, root=root))
    html = render_html(combined, image_dir=paths.resolve(notebooks[0]).parent)
    target = paths.resolve(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tweetstorm.report",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="build/report.html",
                        help="the HTML file to write (repo-relative; default build/report.html)")
    parser.add_argument("--notebooks", nargs="+", default=list(REPORT_NOTEBOOKS),
                        help="executed notebooks, in the order of the page (default: the results "
                             "notebooks in the paper's order)")
    args = parser.parse_args(argv)
    try:
        target = build_report(args.out, args.notebooks)
    except InputError as err:
        print(f"report: {err}", file=sys.stderr)
        return 1
    print(f"wrote {paths.relative(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
