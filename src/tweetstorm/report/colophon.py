"""The colophon of the report: the git commit and its date, the state of the working tree, the
versions of the packages that made the numbers, and how to rebuild."""

from __future__ import annotations

import html
import importlib.metadata
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path

import nbformat

from tweetstorm import paths

#: Distributions whose versions the colophon lists.
KEY_PACKAGES: tuple[str, ...] = (
    "tweetstorm", "pandas", "numpy", "pyarrow", "scipy", "statsmodels", "krippendorff",
    "networkx", "matplotlib", "papermill", "weasyprint",
)


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


def commit_date(root: str | Path | None = None, commit: str = "HEAD") -> str | None:
    """ISO 8601 committer date of ``commit`` (None without git or commit)."""
    root = Path(root) if root is not None else paths.ROOT
    try:
        out = _git(root, "log", "-1", "--format=%cI", commit)
    except FileNotFoundError:
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def colophon_html(root: str | Path | None = None, packages: Sequence[str] = KEY_PACKAGES,
                  max_listed: int = 20) -> str:
    """The colophon section: commit, its date, tree state, versions, how to rebuild."""
    state = git_state(root)
    parts = ['<section id="colophon">', "<h2>Colophon</h2>"]
    if state["commit"] is None:
        parts.append(f"<p>Code and data: no git commit to name ({html.escape(state['note'])}).</p>")
    else:
        date = commit_date(root, state["commit"]) or "unknown"
        parts.append(f"<p>Code and data: git commit <code>{state['commit']}</code> of "
                     f"{html.escape(date)}.")
        changed = state["changed"]
        if not changed:
            parts.append(" The working tree matched that commit when this report was built.</p>")
        else:
            shown = ", ".join(f"<code>{html.escape(p)}</code>" for p in changed[:max_listed])
            more = f" and {len(changed) - max_listed} more" if len(changed) > max_listed else ""
            noun = "file differs" if len(changed) == 1 else "files differ"
            parts.append(f' <strong class="dirty">The working tree did not match it</strong>: '
                         f"{len(changed)} {noun} from the commit: {shown}{more}.</p>")
    versions = package_versions(packages)
    parts.append("<p>Software: " + ", ".join(
        f"{html.escape(name if name != 'python' else 'Python')} {html.escape(v)}"
        for name, v in versions.items()) + ".</p>")
    parts.append("<p>To rebuild: check out the commit above, then run <code>make all</code> "
                 "(every table and figure, from the raw data) and <code>make report</code> "
                 "(this page and its PDF). <code>make test</code> checks that the numbers "
                 "come out the same.</p>")
    parts.append("</section>")
    return "\n".join(parts)
