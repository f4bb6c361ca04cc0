"""`make all` says where it is: one line per pipeline step with its time, and a bar of executed
cells on a terminal while a step runs."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import nbformat
import pytest

from tweetstorm import nbrun, paths


def test_each_pipeline_notebook_is_labelled_with_its_place():
    steps = sorted(p.name for p in paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    assert len(steps) >= 5
    width = max(len(s) for s in steps) - len(".ipynb")
    for i, name in enumerate(steps, start=1):
        stem = name[: -len(".ipynb")]
        assert nbrun.step_label(f"notebooks/{name}") == f"[{i}/{len(steps)}] {stem.ljust(width)}"
    assert nbrun.step_label("notebooks/03-reliability.ipynb").startswith("[3/")


def test_a_notebook_outside_the_pipeline_is_labelled_by_its_name(tmp_path):
    assert nbrun.step_label(tmp_path / "scratch.ipynb") == "scratch"


def _tiny(path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    params = nbformat.v4.new_code_cell("n: int = 2  # how many")
    params.metadata.tags = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(f"x{i} = n * {i}") for i in range(6)]
    nbformat.write(nb, path)


@pytest.mark.slow
def test_one_line_with_the_elapsed_time_and_no_bar_when_not_on_a_terminal(tmp_path):
    nb_path = tmp_path / "tiny.ipynb"
    _tiny(nb_path)
    out = subprocess.run([sys.executable, "-m", "tweetstorm.nbrun", str(nb_path)], capture_output=True, text=True,
                         cwd=paths.ROOT, check=True)
    assert re.fullmatch(r"tiny  done in \d+\.\d s\n", out.stdout), out.stdout
    assert "cell" not in out.stderr  # no progress bar in a log


@pytest.mark.slow
def test_a_terminal_sees_the_bar_of_executed_cells(tmp_path):
    nb_path = tmp_path / "tiny.ipynb"
    _tiny(nb_path)
    pid, fd = pty.fork()
    if pid == 0:  # the child runs nbrun with a terminal on stdout and stderr
        os.chdir(paths.ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "tweetstorm.nbrun", str(nb_path)])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    screen = b"".join(chunks).decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, screen
    assert re.search(r"tiny: +\d+%\|.*\| \d+/7 \[", screen), screen  # tqdm's bar: 7 cells
    assert re.search(r"tiny  done in \d+\.\d s", screen), screen
