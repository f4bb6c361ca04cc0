"""Shared pytest hooks.

Tests marked ``illustrative`` check the shipped illustrative data set and its generator. When
``data/raw/study.yml`` describes another study (``illustrative: false``: a researcher's own
data), they skip themselves, so ``make test`` passes on that study without any setting.

The test process ends as soon as its summary is printed (:func:`pytest_unconfigure`): Jupyter
kernels (nbval, the JupyterLab test) leave ZeroMQ sockets and threads behind, and shutting the
interpreter down around them can block for ever after every test has passed (a known class of
hang: jupyter/notebook#1043, ipython/ipykernel#412; seen once in CI as a run killed at its time
limit after "898 passed"). What is still running at that point is named on stderr first.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest

from tweetstorm import study
from tweetstorm.errors import InputError


def _illustrative() -> tuple[bool, str]:
    try:
        return study.load().illustrative, "data/raw/study.yml says illustrative: false"
    except InputError as err:
        return False, f"the study file cannot be read ({err})"


def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker("illustrative") is not None]
    if not marked:
        return
    illustrative, why = _illustrative()
    if illustrative:
        return
    skip = pytest.mark.skip(reason=f"checks the shipped illustrative data set; {why}")
    for item in marked:
        item.add_marker(skip)


def _child_pids() -> list[int]:
    """The live child processes of this process (Linux /proc; empty elsewhere)."""
    own = os.getpid()
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == own and fields[0] != "Z":
            kids.append(int(stat.parent.name))
    return sorted(kids)


_MP_HELPERS = ("from multiprocessing.resource_tracker import main", "from multiprocessing.forkserver import main")


def _command(pid: int) -> str:
    """The start of the command line of process ``pid`` (Linux /proc), for the note."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return str(pid)
    return f"{pid}: " + " ".join(w.decode(errors="replace") for w in words if w)[:100]


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    """After the summary: name what the tests left running, stop it, and end the process with
    the run's exit status instead of waiting for interpreter shutdown (see the module docstring)."""
    status = getattr(config, "_tweetstorm_exitstatus", None)
    if status is None:  # no session ran (e.g. --help): leave the normal exit alone
        return
    threads = [t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    # multiprocessing's forkserver and resource tracker (the parallel ingest) end by themselves
    # when this process ends; anything else is named and stopped
    kids = [pid for pid in _child_pids() if not any(helper in _command(pid) for helper in _MP_HELPERS)]
    if threads or kids:
        print(f"\nnote: the tests left {len(threads)} thread(s) {threads} and {len(kids)} child "
              f"process(es) {[_command(pid) for pid in kids]} running; the child processes are stopped",
              file=sys.stderr)
    for pid in kids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(status))


def pytest_sessionfinish(session, exitstatus):
    session.config._tweetstorm_exitstatus = exitstatus
