"""Every path of the compendium, built from the repository root (never from the working directory).

Notebooks, the Makefile's parameter files and the tests name files relative to the repository
root; :func:`resolve` turns such a name into an absolute path, and :func:`relative` turns an
absolute path back into the repo-relative name that goes into outputs (outputs never carry a
path of the machine they were made on).
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    # TWEETSTORM_ROOT lets a researcher point the package at another checkout (e.g. their own study).
    env = os.environ.get("TWEETSTORM_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data").is_dir():
            return parent
    # Installed non-editable: fall back to the working directory.
    return Path.cwd().resolve()


ROOT: Path = _find_root()
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
PRIVATE = DATA / "private"  # git-ignored: pseudonym keys of real studies
FIGURES = ROOT / "figures"
RESULTS = ROOT / "results"  # tables (CSV, Markdown, LaTeX) and key numbers
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"  # git-ignored scratch: failed notebook runs, coding sheets to send out
STYLE = Path(__file__).with_name("tweetstorm.mplstyle")


def resolve(path: str | os.PathLike[str]) -> Path:
    """Absolute path of ``path``; a relative path is taken relative to the repository root."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def relative(path: str | os.PathLike[str]) -> str:
    """Repo-relative POSIX name of ``path`` (unchanged if it lies outside the repository)."""
    p = Path(path)
    try:
        return p.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return p.as_posix() if not p.is_absolute() else p.name
