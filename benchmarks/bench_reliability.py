"""Speed of the reliability coefficients: 10,000 units x 3 raters x 8 categories.

Every coefficient with 1,000 percentile-bootstrap resamples must take at most 10 s on the
project's 2-core machine. Prints the time per coefficient (each run alone, including its own
bootstrap) and the total of one ``agreement()`` call computing all of them, unweighted and with
quadratic weights / ordinal alpha; writes benchmarks/out/reliability.json (no timestamps).
Exit status 1 if a total exceeds the limit.

    python benchmarks/bench_reliability.py [--units 10000] [--raters 3] [--categories 8]
                                           [--bootstrap 1000] [--limit 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from tweetstorm import paths
from tweetstorm.reliability import COEFFICIENTS, RatingMatrix, agreement


def synthetic(n: int, r: int, q: int, seed: int = 20130601) -> RatingMatrix:
    """Seeded ratings: each rater gives the unit's true code with p = 0.7, else a random code;
    5% of the second and later raters' ratings missing (every unit keeps a rating)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, q, n)
    codes = np.where(rng.random((n, r)) < 0.7, truth[:, None], rng.integers(0, q, (n, r)))
    missing = rng.random((n, r)) < 0.05
    missing[:, 0] = False
    codes[missing] = -1
    return RatingMatrix(codes, [f"u{i}" for i in range(n)], [f"R{g + 1}" for g in range(r)],
                        [str(k + 1) for k in range(q)])


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=10_000)
    p.add_argument("--raters", type=int, default=3)
    p.add_argument("--categories", type=int, default=8)
    p.add_argument("--bootstrap", type=int, default=1000)
    p.add_argument("--limit", type=float, default=10.0, help="seconds allowed per total run")
    args = p.parse_args(argv)

    rm = synthetic(args.units, args.raters, args.categories)
    agreement(rm, bootstrap=10)  # warm-up: imports, BLAS threads
    per_coefficient = {}
    print(f"{rm.n_units} units x {rm.n_raters} raters x {rm.n_categories} categories, "
          f"{args.bootstrap} bootstrap resamples")
    print("each coefficient alone, end to end (resampling, features, SEs included):")
    for name in COEFFICIENTS:
        secs, _ = timed(lambda name=name: agreement(rm, bootstrap=args.bootstrap, coefficients=[name]))
        per_coefficient[name] = round(secs, 3)
        print(f"  {name:<20s} {secs:7.3f} s")
    totals = {}
    for label, kw in (("identity/nominal", {}),
                      ("quadratic/ordinal", {"weights": "quadratic", "level": "ordinal"})):
        secs, res = timed(lambda kw=kw: agreement(rm, bootstrap=args.bootstrap, **kw))
        totals[label] = round(secs, 3)
        print(f"  all coefficients, {label:<18s} {secs:7.3f} s  ({len(res)} rows)")
    ok = all(v <= args.limit for v in totals.values())
    print(f"limit {args.limit:.0f} s: {'ok' if ok else 'EXCEEDED'}")

    out = paths.ROOT / "benchmarks" / "out" / "reliability.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "benchmark": "reliability", "n_units": rm.n_units, "n_raters": rm.n_raters,
        "n_categories": rm.n_categories, "n_bootstrap": args.bootstrap,
        "seconds_per_coefficient": per_coefficient, "seconds_total": totals,
        "limit_seconds": args.limit, "within_limit": ok,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {paths.relative(out)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
