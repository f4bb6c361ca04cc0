"""Run one notebook of the pipeline with papermill, in place, reproducibly.

``python -m tweetstorm.nbrun notebooks/01-ingest.ipynb -f params/01-ingest.yml --outputs FILE ...``

What it adds to a bare ``papermill`` call (this is glue no library offers as such):

- parameters come from a YAML file (and ``-p NAME VALUE``); a name the notebook's ``parameters``
  cell does not define is an error, and only values that differ from the notebook's defaults are
  injected, so the committed notebook carries an ``injected-parameters`` cell only when it was run
  with something else than what a researcher sees in JupyterLab;
- the executed notebook replaces the source notebook only when its bytes change, after the
  volatile parts are removed (papermill's timings, random cell ids, the kernel's patch version),
  so rebuilding gives the same file;
- a run with parameters other than the notebook's defaults (which are the study's: the notebooks
  read ``data/raw/study.yml``, and ``params/`` equals their defaults) is an exploration: its
  notebook copy and every table, figure and processed file it writes go to ``build/runs/<notebook>/``,
  never over the committed outputs;
- the first Markdown cell says which study the notebook ran on, and that its data are generated
  and illustrative when the study file says so;
- every declared output must have been written by this run (its modification time or inode
  changed): a stale file left by an earlier run does not pass; on success the declared outputs
  are touched after the notebook is written, so make sees them as newer than the notebook;
- on failure the declared outputs are deleted (no half-written file a later make would take for
  done), the executed notebook with the error marked is kept in ``build/failed/``, and the message
  names the notebook, the failing cell and the error.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# jsonschema, which nbformat imports, imports rfc3987_syntax when it is installed (the lock has it
# through jupyter-events), and that module compiles some 35 Earley parsers as it loads: 2.2 s of
# every notebook run here, five times per `make all` (python-jsonschema/jsonschema#1428). The
# notebook schema uses no "iri" format, so this process tells Python the module is absent and
# jsonschema registers no iri checker. The kernel, a process of its own, is not affected.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402  (after the line above, on purpose)
import yaml  # noqa: E402

from tweetstorm import paths  # noqa: E402

KERNEL = "python3"


class NotebookFailed(RuntimeError):
    """A notebook run failed; the message names the notebook, the cell and the error."""


def notebook_defaults(notebook: Path) -> dict[str, Any]:
    """The defaults of the notebook's ``parameters`` cell, as Python values."""
    from papermill.inspection import inspect_notebook

    found = inspect_notebook(str(notebook))
    defaults: dict[str, Any] = {}
    for name, spec in found.items():
        try:
            defaults[name] = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError):
            defaults[name] = spec["default"]  # an expression: compared as text
    return defaults


def load_parameters(params_file: Path | None, overrides: list[tuple[str, str]]) -> dict[str, Any]:
    """Parameters from a YAML file, then ``-p NAME VALUE`` pairs (values parsed as YAML)."""
    params: dict[str, Any] = {}
    if params_file is not None:
        path = paths.resolve(params_file)
        if not path.is_file():
            raise NotebookFailed(f"parameter file {paths.relative(path)} does not exist")
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise NotebookFailed(f"parameter file {paths.relative(path)} must hold a mapping "
                                 f"NAME: VALUE, not {type(loaded).__name__}")
        params.update(loaded)
    for name, value in overrides:
        params[name] = yaml.safe_load(value)
    return params


def _strip_injected(nb: nbformat.NotebookNode) -> None:
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]


def clean(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """Remove what changes from run to run without a change in results."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    # what JupyterLab writes when it opens the notebook, less the kernel's Python version (which
    # would tie the file to one Python release; lab_pre_save drops it when Lab saves)
    lang = dict(nb.metadata.get("language_info", {}))
    lang.pop("version", None)
    nb.metadata["language_info"] = {"name": "python", **lang}
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell["id"] = f"{stem}-{i:02d}"  # papermill's injected cell gets a random id otherwise
    return nb


BANNER_START = "> **Study:**"


def label(nb: nbformat.NotebookNode, study_path: str | os.PathLike[str] | None = None) -> None:
    """Put the study's title (and, for an illustrative study, the illustrative note) under the
    heading of the notebook's first Markdown cell, replacing what an earlier run put there."""
    from tweetstorm import study as study_module

    cell = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if cell is None:
        return
    s = study_module.load(study_path or study_module.STUDY_FILE)
    lines = [ln for ln in cell.source.split("\n") if not ln.startswith(BANNER_START)]
    while len(lines) > 1 and lines[1] == "" and len(lines) > 2 and lines[2] == "":
        del lines[1]
    note = study_module.illustrative_note(s)
    banner = f"{BANNER_START} {s.title}." + (f" **{note}**" if note else "")
    at = 1 if lines and lines[0].startswith("#") else 0
    lines[at:at] = ["", banner] if at else [banner, ""]
    cell.source = "\n".join(lines)


def _state(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_ino)


EXPLORE_DIR = "build/runs"
"""Where an exploration (a run with parameters other than the defaults) writes, per notebook."""
_OUTPUT_FOLDERS = ("results/", "figures/", "data/processed/")


def _explored(path: str | os.PathLike[str], run_dir: str) -> Path:
    """Where an exploration writes the output ``path``: in its folder when ``path`` is a committed
    output of the repository (under results/, figures/ or data/processed/), else ``path``."""
    target = paths.resolve(path)
    try:
        rel = target.relative_to(paths.ROOT).as_posix()
    except ValueError:
        return target
    return paths.ROOT / run_dir / rel if rel.startswith(_OUTPUT_FOLDERS) else target


def lab_pre_save(model: dict[str, Any], **kwargs: Any) -> None:
    """JupyterLab's pre-save hook (``ContentsManager.pre_save_hook``, set by ``make lab`` and .venv):
    a notebook is saved without the kernel's Python version in its ``language_info``, as
    :func:`clean` writes it, so opening and saving a committed notebook leaves its bytes unchanged."""
    content = model.get("content") if model.get("type") == "notebook" else None
    info = content.get("metadata", {}).get("language_info") if isinstance(content, dict) else None
    if isinstance(info, dict):
        info.pop("version", None)


def _failure_message(nb_path: Path, executed: nbformat.NotebookNode | None, exc: BaseException,
                     failed_copy: Path | None) -> str:
    where = ""
    if executed is not None:
        code_cells = [c for c in executed.cells if c.cell_type == "code"]
        for number, cell in enumerate(code_cells, start=1):
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors:
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                where = (f" in code cell {number} (`{first[:60]}`): "
                         f"{errors[0].get('ename')}: {errors[0].get('evalue')}")
                break
    if not where:
        where = f" ({type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''})"
    msg = f"notebook {paths.relative(nb_path)} failed{where}"
    if failed_copy is not None:
        msg += f"\n  the executed notebook with the error marked: {paths.relative(failed_copy)}"
    return msg


def run(notebook: str | os.PathLike[str], params_file: str | os.PathLike[str] | None = None,
        overrides: list[tuple[str, str]] | None = None, outputs: list[str] | None = None,
        output: str | os.PathLike[str] | None = None, progress: bool = False) -> Path:
    """Execute ``notebook`` and write it back in place (or to ``output``). Returns the path written.

    ``progress`` shows papermill's bar of executed cells on stderr while the notebook runs.

    Raises :class:`NotebookFailed` with a message naming the notebook and the error.
    """
    import papermill
    from traitlets.config import Config

    nb_path = paths.resolve(notebook)
    if not nb_path.is_file():
        raise NotebookFailed(f"notebook {paths.relative(nb_path)} does not exist")
    target = paths.resolve(output) if output is not None else nb_path
    declared = [paths.resolve(o) for o in (outputs or [])]
    stem = nb_path.stem

    try:
        params = load_parameters(Path(params_file) if params_file else None, overrides or [])
    except (NotebookFailed, yaml.YAMLError) as exc:
        raise NotebookFailed(f"notebook {paths.relative(nb_path)}: {exc}") from exc
    defaults = notebook_defaults(nb_path)
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise NotebookFailed(
            f"notebook {paths.relative(nb_path)} has no parameter {', '.join(unknown)} "
            f"(its parameters cell defines: {', '.join(sorted(defaults))}); fix the parameter file "
            f"or the -p option")
    inject = {k: v for k, v in params.items() if defaults.get(k) != v}
    explore = None
    if inject:  # an exploration: nothing the run writes may replace a committed output
        explore = f"{EXPLORE_DIR}/{stem}"
        if output is None:
            target = paths.resolve(f"{explore}/{stem}.ipynb")
        for name, value in defaults.items():  # processed files the notebook writes (``*_out``)
            if name.endswith("_out") and isinstance(value, str):
                value = params.get(name, value)
                if isinstance(value, str) and value.startswith(_OUTPUT_FOLDERS):
                    inject[name] = paths.relative(_explored(value, explore))
        declared = [_explored(p, explore) for p in declared]
    stamps = [p for p in declared if paths.relative(p).startswith("build/stamps/")]
    declared = [p for p in declared if p not in stamps]
    before = {p: _state(p) for p in declared}
    study_path = params.get("study_path", defaults.get("study_path"))

    scratch = paths.BUILD / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    source = nbformat.read(nb_path, as_version=4)
    _strip_injected(source)
    for cell in source.cells:  # start from a clean slate: no stale outputs travel along
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        src_copy = Path(tmp) / f"{stem}.in.ipynb"
        out_copy = Path(tmp) / f"{stem}.ipynb"
        nbformat.write(source, src_copy)
        # IPC transport: the kernel talks over socket files, not TCP (ipykernel warns about TCP);
        # the sockets live in a short private folder (socket paths are limited to ~100 bytes, and
        # two notebooks run by `make -j2` must not share them).
        sockets = tempfile.mkdtemp(prefix="tweetstorm-kernel-")
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "k")}})
        saved_env = os.environ.get(paths.OUTPUT_ROOT_VARIABLE)
        if explore is not None:
            os.environ[paths.OUTPUT_ROOT_VARIABLE] = explore  # the kernel's tables and figures
        else:
            os.environ.pop(paths.OUTPUT_ROOT_VARIABLE, None)
        try:
            papermill.execute_notebook(
                str(src_copy), str(out_copy), parameters=inject or None, kernel_name=KERNEL,
                progress_bar={"desc": stem, "leave": False} if progress else False, log_output=False, request_save_on_cell_execute=False,
                cwd=str(nb_path.parent), config=ipc,
                # the kernel's own log (e.g. "KeyboardInterrupt caught" when nbclient interrupts it
                # at shutdown) is noise here; cell errors still land in the notebook and fail the run
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
        except BaseException as exc:  # noqa: BLE001 - every failure must clean up, then re-raise
            for path in declared:
                path.unlink(missing_ok=True)
            executed = None
            failed_copy = None
            if out_copy.is_file():
                executed = clean(nbformat.read(out_copy, as_version=4), stem)
                failed_copy = paths.BUILD / "failed" / f"{stem}.ipynb"
                failed_copy.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(executed, failed_copy)
            if isinstance(exc, Exception):
                raise NotebookFailed(_failure_message(nb_path, executed, exc, failed_copy)) from exc
            raise
        finally:
            shutil.rmtree(sockets, ignore_errors=True)
            if saved_env is None:
                os.environ.pop(paths.OUTPUT_ROOT_VARIABLE, None)
            else:
                os.environ[paths.OUTPUT_ROOT_VARIABLE] = saved_env
        executed = clean(nbformat.read(out_copy, as_version=4), stem)
        if isinstance(study_path, str) and study_path:
            label(executed, study_path)
        new_bytes = nbformat.writes(executed).encode("utf-8") + b"\n"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != new_bytes:
            out_copy.write_bytes(new_bytes)
            os.replace(out_copy, target)
    missing = [paths.relative(p) for p in declared if not p.exists()]
    stale = [paths.relative(p) for p in declared if p.exists() and _state(p) == before[p]]
    if missing or stale:
        for path in declared:  # no half-done step that make would take for done
            path.unlink(missing_ok=True)
        what = "; ".join(part for part in (
            f"did not write {', '.join(missing)}" if missing else "",
            f"did not write {', '.join(stale)} (left from an earlier run)" if stale else "") if part)
        raise NotebookFailed(f"notebook {paths.relative(nb_path)} ran but {what}; its declared "
                             "outputs were deleted; fix the notebook's outputs or the Makefile")
    for path in stamps:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    for path in declared:  # newer than the notebook, so make sees the step as done
        os.utime(path)
    return target


def step_label(notebook: str | os.PathLike[str]) -> str:
    """``[3/5] 03-reliability``: the notebook's place among the pipeline's numbered notebooks."""
    nb_path = paths.resolve(notebook)
    steps = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    if nb_path not in steps:
        return nb_path.stem
    width = max(len(s.stem) for s in steps)
    return f"[{steps.index(nb_path) + 1}/{len(steps)}] {nb_path.stem:<{width}}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tweetstorm.nbrun", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", help="the notebook, repo-relative (e.g. notebooks/01-ingest.ipynb)")
    parser.add_argument("-f", "--parameters-file", help="YAML file of parameters")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="one parameter (value parsed as YAML)")
    parser.add_argument("--outputs", nargs="*", default=[],
                        help="files the notebook writes: touched on success, deleted on failure")
    parser.add_argument("--output", help="write the executed notebook here instead of in place")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        # the bar of executed cells only on a terminal (not in CI logs); it vanishes when done,
        # leaving the one line per step below
        run(args.notebook, args.parameters_file, [tuple(p) for p in args.parameter], args.outputs,
            args.output, progress=sys.stderr.isatty())
    except NotebookFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{step_label(args.notebook)}  done in {time.perf_counter() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    from tweetstorm.cli import run as _run  # one line, never a traceback

    sys.exit(_run(main, "python -m tweetstorm.nbrun"))
