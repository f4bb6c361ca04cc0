"""``python -m tweetstorm.ingest INPUT [INPUT ...] -o OUT.parquet|OUT.csv [--format NAME]
[--on-error fail|skip] [--rejects FILE] [--superseded FILE] [--report FILE] [--progress]``

Writes the canonical post table (no pseudonymisation: that is a separate step of notebook 01).
No output may be one of the inputs (or lie inside an input folder); every output is written
atomically. Exit status 2 with a one-line message on bad input or arguments, 1 with one line
(and the trace under build/errors/) on an unexpected error; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tweetstorm import cli, safeio
from tweetstorm.errors import ParameterError
from tweetstorm.ingest import core, detection, writing
from tweetstorm.ingest.formats import FORMATS

PROG = "python -m tweetstorm.ingest"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG,
                                     description="Read Twitter/Mastodon/Bluesky exports into the canonical post table.")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="export file, folder or zip (may be compressed)")
    parser.add_argument("-o", "--output", required=True, help="OUT.parquet or OUT.csv")
    parser.add_argument("--format", choices=sorted(FORMATS), help="force one format (default: detect per file)")
    parser.add_argument("--on-error", choices=("fail", "skip"), default="fail",
                        help="fail: stop at the first bad record (default); skip: set it aside and go on")
    parser.add_argument("--rejects", help="JSON lines of the skipped records (file, line, reason, raw); "
                        "with --on-error skip the default is OUT with the suffix .rejects.jsonl")
    parser.add_argument("--superseded", help="JSON lines of the earlier versions of posts that were not kept "
                        "(default: the rejects file, else OUT with the suffix .superseded.jsonl)")
    parser.add_argument("--report", help="CSV: per input file read, kept, duplicate, superseded, rejected")
    parser.add_argument("--progress", action="store_true", help="show a progress bar (default: when stderr is a terminal)")
    parser.add_argument("--workers", type=int, default=None, help="processes for large files (default: all CPUs)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Command-line paths are relative to the working directory.
    output = Path(args.output).absolute()
    writing.check_output(output, "-o")
    if args.workers is not None and args.workers < 1:
        raise ParameterError("--workers", f"{args.workers} is not a number of processes", "give 1 or more")
    rejects = Path(args.rejects).absolute() if args.rejects else None
    if rejects is None and args.on_error == "skip":  # a skipped record is never just dropped
        rejects = output.with_suffix(".rejects.jsonl")
    superseded = Path(args.superseded).absolute() if args.superseded else None
    superseded_default = rejects is None and superseded is None
    if superseded_default:
        superseded = output.with_suffix(".superseded.jsonl")
    report_path = Path(args.report).absolute() if args.report else None
    outputs = {"-o": output, "--rejects": rejects, "--superseded": superseded, "--report": report_path}
    safeio.refuse_inputs_as_outputs(outputs, [detection.resolve_input(i) for i in args.inputs])
    for flag, path in outputs.items():
        if path is not None:
            safeio.check_writable_target(path, flag)
    got = core.ingest_table(args.inputs, format=args.format, on_error=args.on_error,
                            progress=args.progress or sys.stderr.isatty(), workers=args.workers)
    try:
        writing.write_table(got.posts, None, output)
    finally:
        got.posts.close()
    if superseded is not None and (got.superseded or not superseded_default):
        writing.write_rejects(got.superseded, superseded, flag="--superseded")
    if rejects is not None:
        writing.write_rejects(got.rejects + (got.superseded if args.superseded is None else []), rejects)
    if report_path is not None:
        writing.write_report(got.report, report_path)
    total = got.report[list(core.INGEST_COUNT_COLUMNS)].sum()
    line = (f"{len(got.posts)} posts written to {detection.display_name(output)} (read {total['read']}, duplicate "
            f"{total['duplicate']}, superseded {total['superseded']}, rejected {total['rejected']})")
    if got.superseded:
        where = superseded if (args.superseded or superseded_default) else rejects
        line += f"; the superseded versions are in {detection.display_name(where)}"
    print(line, file=sys.stderr)
    return 0


def run() -> int:
    """The command's entry point: :func:`main` ended through :func:`tweetstorm.cli.run`."""
    return cli.run(main, PROG)


if __name__ == "__main__":
    sys.exit(run())
