"""Benchmark of the pipeline at three study sizes.

For the shipped illustrative study (25 participants, 3 raters) and for studies of the same design
10x and 100x its size (250 and 2,500 participants, about 2,400 and 24,000 answers, 3 raters, made
by ``python -m tweetstorm.generate --participants N``), this script copies the repository (its
tracked files) to a temporary folder, links this checkout's ``.venv``, generates the raw data
there (not for the shipped size), deletes every output (``make clean``) and times ``make all``
step by step: each notebook run's wall time and peak memory (the largest resident set of the
runner and its kernel, from ``getrusage(RUSAGE_CHILDREN)``), plus the whole run.

Targets: the 100x study within 3x the shipped study's time; every step under 2 GiB.
Writes benchmarks/out/scale.json and prints a table. Run with `make bench` (or
`python benchmarks/bench_scale.py [--sizes 25,250,2500]`). Each size runs once: the 100x study
takes long.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
GIB = 1024 ** 3
SHIPPED = 25


def wrap(log: str, argv: list[str]) -> int:
    """Run ``argv`` (one notebook step of make), append its time and peak memory to ``log``."""
    start = time.perf_counter()
    code = subprocess.run(argv).returncode
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB
    notebook = next((a for a in argv if a.endswith(".ipynb")), " ".join(argv))
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"step": Path(notebook).stem, "seconds": round(wall, 2),
                             "peak_bytes": peak_kib * 1024, "exit": code}) + "\n")
    return code


def _copy_repo(dst: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for rel in filter(None, tracked):
        src = ROOT / rel
        if src.is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)
    (dst / ".venv").symlink_to(ROOT / ".venv")


def run_size(participants: int, raters: int = 3) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix=f"bench-scale-{participants}-") as tmp:
        root = Path(tmp)
        _copy_repo(root)
        gen = 0.0
        if participants != SHIPPED or raters != 3:
            shutil.rmtree(root / "data" / "raw")
            start = time.perf_counter()
            subprocess.run([python, "-m", "tweetstorm.generate", "--out", "data/raw", "--no-readme",
                            "--participants", str(participants), "--raters", str(raters)],
                           cwd=root, check=True, stdout=subprocess.DEVNULL, env=env)
            gen = time.perf_counter() - start
        answers = sum(1 for _ in open(root / "data/raw/coding/rater_R1.csv", encoding="utf-8")) - 1
        subprocess.run(["make", "clean"], cwd=root, check=True, stdout=subprocess.DEVNULL, env=env)
        log = root / "build" / "steps.jsonl"
        log.parent.mkdir(parents=True, exist_ok=True)
        nbrun = f"{python} {Path(__file__).resolve()} --wrap {log} -- {python} -m tweetstorm.nbrun"
        start = time.perf_counter()
        done = subprocess.run(["make", "all", f"NBRUN={nbrun}"], cwd=root, env=env,
                              capture_output=True, text=True)
        total = time.perf_counter() - start
        steps = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        return {"participants": participants, "raters": raters, "answers": answers,
                "generate_seconds": round(gen, 2), "make_all_seconds": round(total, 2),
                "exit": done.returncode, "error": done.stderr[-2000:] if done.returncode else "",
                "steps": steps}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--wrap"]:
        return wrap(argv[1], argv[argv.index("--") + 1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=f"{SHIPPED},{10 * SHIPPED},{100 * SHIPPED}",
                        help="numbers of participants, comma-separated (default %(default)s)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for n in [int(x) for x in args.sizes.split(",")]:
        print(f"study of {n} participants ...", flush=True)
        results.append(run_size(n))
        r = results[-1]
        print(f"  {r['answers']} answers; make all {r['make_all_seconds']:.0f} s (exit {r['exit']})",
              flush=True)
        for s in r["steps"]:
            print(f"    {s['step']:<18} {s['seconds']:>8.1f} s  peak {s['peak_bytes'] / GIB:5.2f} GiB"
                  f"{'' if s['exit'] == 0 else '  FAILED'}", flush=True)
        if r["exit"]:
            print(r["error"], flush=True)
    base = results[0]["make_all_seconds"]
    summary = {
        "results": results,
        "ratio_largest_to_first": round(results[-1]["make_all_seconds"] / base, 2),
        "target_ratio": 3.0,
        "max_step_peak_gib": round(max(s["peak_bytes"] for r in results for s in r["steps"]) / GIB, 3),
        "target_step_peak_gib": 2.0,
    }
    (OUT / "scale.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(f"largest / first: {summary['ratio_largest_to_first']}x (target <= 3x); "
          f"largest step peak {summary['max_step_peak_gib']} GiB (target < 2 GiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
