"""``python -m tweetstorm.ingest INPUT [INPUT ...] -o OUT.parquet|OUT.csv [--format NAME]
[--on-error fail|skip] [--rejects FILE] [--report FILE] [--progress]``

Writes the canonical post table (no pseudonymisation: that is a separate step of notebook 01).
Exit status 2 with the one-line InputError message on bad input.
"""

from __future__ import annotations

import argparse
import sys

from tweetstorm.errors import InputError
from tweetstorm.ingest import core
from tweetstorm.ingest.formats import FORMATS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tweetstorm.ingest",
                                     description="Read Twitter/Mastodon/Bluesky exports into the canonical post table.")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="export file, folder or zip")
    parser.add_argument("-o", "--output", required=True, help="OUT.parquet or OUT.csv")
    parser.add_argument("--format", choices=sorted(FORMATS), help="force one format (default: detect per file)")
    parser.add_argument("--on-error", choices=("fail", "skip"), default="fail",
                        help="fail: stop at the first bad record (default); skip: set it aside and go on")
    parser.add_argument("--rejects", help="JSON lines of the skipped records (file, line, reason, raw); "
                        "with --on-error skip the default is OUT with the suffix .rejects.jsonl")
    parser.add_argument("--report", help="CSV: per input file read, kept, duplicate, rejected")
    parser.add_argument("--progress", action="store_true", help="show a progress bar (default: when stderr is a terminal)")
    parser.add_argument("--workers", type=int, default=None, help="processes for large files (default: all CPUs)")
    args = parser.parse_args(argv)
    if not args.output.lower().endswith((".parquet", ".csv")):
        parser.error("the output must end in .parquet or .csv")
    from pathlib import Path

    # Command-line paths are relative to the working directory.
    args.output = str(Path(args.output).absolute())
    if args.on_error == "skip" and not args.rejects:  # a skipped record is never just dropped
        args.rejects = str(Path(args.output).with_suffix(".rejects.jsonl"))
    for name in ("rejects", "report"):
        if getattr(args, name):
            setattr(args, name, str(Path(getattr(args, name)).absolute()))
    try:
        table, order, report, rejects = core.ingest_table(
            args.inputs, format=args.format, on_error=args.on_error,
            progress=args.progress or sys.stderr.isatty(), workers=args.workers)
        core.write_table(table, order, args.output)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.rejects:
        core.write_rejects(rejects, args.rejects)
    if args.report:
        from tweetstorm import paths
        target = paths.resolve(args.report)
        target.parent.mkdir(parents=True, exist_ok=True)
        report.to_csv(target, index=False, lineterminator="\n")
    total = report[["read", "kept", "duplicate", "rejected"]].sum()
    print(f"{len(order)} posts written to {core.display_name(Path(args.output))} (read {total['read']}, duplicate "
          f"{total['duplicate']}, rejected {total['rejected']})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
