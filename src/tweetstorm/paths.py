"""Every path of the compendium, built from the repository root (never from the working directory).

Notebooks, the Makefile's parameter files and the tests name files relative to the repository
root; :func:`resolve` turns such a name into an absolute path, and :func:`relative` turns an
absolute path back into the repo-relative name that goes into outputs (outputs never carry a
path of the machine they were made on).
"""

from __future__ import annotations

import os
from pathlib import Path


def _is_checkout(folder: Path) -> bool:
    """A compendium checkout: it holds the study file, or the package's sources and a Makefile."""
    return ((folder / "data" / "raw" / "study.yml").is_file()
            or ((folder / "Makefile").is_file() and (folder / "src" / "tweetstorm").is_dir()))


def _find_root(cwd: Path | None = None) -> Path:
    """The checkout being run, not the one the package was installed from.

    1. ``TWEETSTORM_ROOT``, when set, names the checkout explicitly;
    2. else the nearest folder at or above the working directory that is a checkout (``make``
       runs in the checkout, papermill and JupyterLab run a notebook in its ``notebooks/``
       folder), so an environment shared by two clones (a conda environment, a linked ``.venv``)
       reads and writes the clone it is run in;
    3. else (a command run from outside any checkout) the checkout of the installed sources.
    """
    env = os.environ.get("TWEETSTORM_ROOT")
    if env:
        return Path(env).resolve()
    try:
        here = (cwd or Path.cwd()).resolve()
    except OSError:  # the working directory was deleted
        here = None
    if here is not None:
        for folder in (here, *here.parents):
            if _is_checkout(folder):
                return folder
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file() and (parent / "data").is_dir():
            return parent
    # Installed non-editable and run outside a checkout: the working directory.
    return Path.cwd().resolve()


ROOT: Path = _find_root()
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
PRIVATE = DATA / "private"  # git-ignored: pseudonym keys of real studies
# Where tables and figures go: the repository, or, for a notebook run by `tweetstorm.nbrun` with
# parameters other than the study's (an exploration), that run's folder under build/runs/.
OUTPUT_ROOT_VARIABLE = "TWEETSTORM_OUTPUT_ROOT"
OUTPUT_ROOT: Path = (ROOT / os.environ[OUTPUT_ROOT_VARIABLE]) if os.environ.get(OUTPUT_ROOT_VARIABLE) else ROOT
FIGURES = OUTPUT_ROOT / "figures"
RESULTS = OUTPUT_ROOT / "results"  # tables (CSV, Markdown, LaTeX)
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"  # git-ignored scratch: failed notebook runs, coding sheets to send out
STYLE = Path(__file__).with_name("tweetstorm.mplstyle")

# The processed tables, repo-relative: the default of the notebooks' parameters and the Makefile's
# targets. Their columns, types and the notebook that writes each: tweetstorm.schemas.
POSTS_FILE = "data/processed/posts.parquet"
INGEST_REPORT_FILE = "data/processed/ingest_report.csv"
PARTICIPANTS_FILE = "data/processed/participants.parquet"
PLN_CONTACTS_FILE = "data/processed/pln_contacts.parquet"
RATINGS_FILE = "data/processed/ratings.parquet"
CONSENSUS_FILE = "data/processed/consensus.parquet"


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
