"""Benchmark of the pipeline itself.

Measures, on this machine, with the environment already built:
- floor: one papermill run of an empty notebook that imports pandas, seaborn and statsmodels
  (interpreter + papermill + kernel start + those imports: what every notebook pays at least);
- clean: `make all` after `make clean` (every generated output deleted), sequential and with -j2;
- no-op: `make all` right after, when nothing changed.
Targets: clean <= 1.5 x (number of notebooks x floor); no-op < 2 s.
Writes benchmarks/out/make.json. Run with `make bench` (or `python benchmarks/bench_make.py`).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def floor_seconds(repeat: int = 3) -> float:
    OUT.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("seed: int = 1  # unused")
    params.metadata.tags = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import pandas, seaborn, statsmodels.api")]
    src, dst = OUT / "floor.ipynb", OUT / "floor.out.ipynb"
    nbformat.write(nb, src)
    cmd = [sys.executable, "-m", "papermill", str(src), str(dst), "-k", "python3", "--no-progress-bar"]
    _timed(cmd)  # warm the file cache once
    return statistics.median(_timed(cmd) for _ in range(repeat))


def main() -> int:
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    floor = floor_seconds()
    results: dict[str, float | int | bool] = {"notebooks": len(notebooks), "floor_s": floor}
    for label, jobs in (("clean_s", ["-j1"]), ("clean_j2_s", ["-j2"])):
        subprocess.run(["make", "clean"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        results[label] = _timed(["make", *jobs, "all"])
    results["noop_s"] = statistics.median(_timed(["make", "all"]) for _ in range(3))
    budget = 1.5 * len(notebooks) * floor
    results["clean_budget_s"] = budget
    results["clean_ratio"] = results["clean_s"] / (len(notebooks) * floor)
    results["clean_ok"] = results["clean_s"] <= budget
    results["noop_ok"] = results["noop_s"] < 2.0
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "make.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"papermill floor (empty notebook importing pandas, seaborn, statsmodels): {floor:6.2f} s")
    print(f"clean make all ({len(notebooks)} notebooks), sequential: {results['clean_s']:6.2f} s"
          f" = {results['clean_ratio']:.2f} x (notebooks x floor); budget 1.5 x = {budget:.2f} s"
          f" -> {'OK' if results['clean_ok'] else 'OVER'}")
    print(f"clean make -j2 all:                          {results['clean_j2_s']:6.2f} s")
    print(f"no-op make all:                               {results['noop_s']:6.2f} s (target < 2 s)"
          f" -> {'OK' if results['noop_ok'] else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
