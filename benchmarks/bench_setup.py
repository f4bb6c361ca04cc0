"""Benchmark of the set-up: from a fresh clone to every result, as a new user runs it.

In a temporary folder: `git clone` of this repository's HEAD, then `make env` (the Python is picked,
.venv built from the lock with uv) and `make all` (every notebook), timed one by one; then
`git status` in the clone must be clean (every committed output rebuilt byte for byte). With
`--pip`, a second clone builds its environment with pip (INSTALLER=pip), the fallback when uv
cannot be installed, for comparison. Caches are as the machine has them (uv's and pip's download
caches warm after the first build, as on a developer's machine).
Target: clone -> all results <= 45 s on the project machine (2 cores).
Writes benchmarks/out/setup.json. Run with `make bench` (or `python benchmarks/bench_setup.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
TARGET_S = 45.0


def _timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def _environment(installer: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_DEFAULT_ENV", "CONDA_PREFIX",
                                                             "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    if installer:
        env["INSTALLER"] = installer
    return env


def fresh_clone(where: Path, installer: str | None, pipeline: bool) -> dict[str, float | bool | str]:
    clone = where / f"clone-{installer or 'default'}"
    env = _environment(installer)
    result: dict[str, float | bool | str] = {}
    result["clone_s"] = _timed(["git", "clone", "--quiet", str(ROOT), str(clone)], where, env)
    result["env_s"] = _timed(["make", "env"], clone, env)
    result["python"] = (clone / ".venv" / ".installed").read_text().splitlines()[0].split()[2]
    if pipeline:
        result["all_s"] = _timed(["make", "all"], clone, env)
        status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True,
                                check=True).stdout
        result["byte_identical"] = status == ""
        result["total_s"] = result["clone_s"] + result["env_s"] + result["all_s"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pip", action="store_true", help="also time the environment built with pip")
    args = parser.parse_args()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    results: dict[str, object] = {"commit": head, "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="bench-setup-") as tmp:
        uv = fresh_clone(Path(tmp), None, pipeline=True)
        results["uv"] = uv
        if args.pip:
            results["pip"] = fresh_clone(Path(tmp), "pip", pipeline=False)
    uv["ok"] = bool(uv["byte_identical"]) and float(uv["total_s"]) <= TARGET_S
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "setup.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"fresh clone of {head} -> all results, Python {uv['python']} (load average before: "
          f"{results['load_before']:.1f}):")
    print(f"  git clone          {uv['clone_s']:6.1f} s")
    print(f"  make env (uv)      {uv['env_s']:6.1f} s")
    print(f"  make all           {uv['all_s']:6.1f} s")
    print(f"  total              {uv['total_s']:6.1f} s (target <= {TARGET_S:.0f} s) -> "
          f"{'OK' if uv['total_s'] <= TARGET_S else 'OVER'}; outputs byte-identical: {uv['byte_identical']}")
    if "pip" in results:
        print(f"  make env with pip  {results['pip']['env_s']:6.1f} s (INSTALLER=pip, the fallback)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
