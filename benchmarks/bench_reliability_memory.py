"""Bounded-memory bootstrap: 1,000,000 units x 3 raters x 8 categories, 1,000 resamples.

Target: every coefficient with its percentile-bootstrap interval within 1 GiB peak memory (the
resamples are drawn and summed in chunks of at most 64 MiB of unit multiplicities). Runs
``agreement()`` in a child process and reports its wall time and peak resident memory
(``ru_maxrss`` of the child, which includes the interpreter and the imported libraries); writes
benchmarks/out/reliability_memory.json (no timestamps). Exit status 1 if the peak exceeds the
limit.

    python benchmarks/bench_reliability_memory.py [--units 1000000] [--raters 3]
                                                  [--categories 8] [--bootstrap 1000]
                                                  [--limit-gib 1.0]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

from tweetstorm import paths

CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
from bench_reliability import synthetic
from tweetstorm.reliability import agreement
rm = synthetic({units}, {raters}, {categories})
t0 = time.perf_counter()
res = agreement(rm, bootstrap={bootstrap})
secs = time.perf_counter() - t0
print(json.dumps({{"seconds": secs, "rows": len(res),
                  "boot_defined": int(res["boot_low"].notna().sum())}}))
"""


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=1_000_000)
    p.add_argument("--raters", type=int, default=3)
    p.add_argument("--categories", type=int, default=8)
    p.add_argument("--bootstrap", type=int, default=1000)
    p.add_argument("--limit-gib", type=float, default=1.0)
    args = p.parse_args(argv)

    code = CHILD.format(bench=str(paths.ROOT / "benchmarks"), units=args.units,
                        raters=args.raters, categories=args.categories, bootstrap=args.bootstrap)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        print(f"the agreement run failed (exit status {out.returncode})")
        return 1
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kib <= before:  # an earlier child had a larger peak (not the case here)
        print("warning: peak memory not measurable apart from an earlier child")
    child = json.loads(out.stdout.strip().splitlines()[-1])
    peak_gib = peak_kib / 2**20
    ok = peak_gib <= args.limit_gib
    print(f"{args.units} units x {args.raters} raters x {args.categories} categories, "
          f"{args.bootstrap} bootstrap resamples: {child['seconds']:.1f} s, "
          f"peak memory {peak_gib:.3f} GiB ({child['rows']} rows, "
          f"{child['boot_defined']} with a bootstrap interval)")
    print(f"limit {args.limit_gib:g} GiB: {'ok' if ok else 'EXCEEDED'}")
    target = paths.ROOT / "benchmarks" / "out" / "reliability_memory.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({
        "benchmark": "reliability_memory", "n_units": args.units, "n_raters": args.raters,
        "n_categories": args.categories, "n_bootstrap": args.bootstrap,
        "seconds": round(child["seconds"], 1), "peak_gib": round(peak_gib, 3),
        "limit_gib": args.limit_gib, "within_limit": ok,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {paths.relative(target)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
