"""One way for every command-line entry point to end: never a traceback for the user.

``run(main)`` calls ``main()`` and turns the outcome into an exit status:
- :class:`~tweetstorm.errors.InputError` / :class:`~tweetstorm.errors.ParameterError`:
  the one-line message on stderr, exit 2;
- any other exception: one line naming the error and the file where the full trace was
  written (``build/errors/<prog>.txt``, repo-relative), exit 1;
- KeyboardInterrupt: ``interrupted``, exit 130.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable

from tweetstorm import paths
from tweetstorm.errors import InputError, ParameterError

EXIT_BAD_INPUT = 2
EXIT_UNEXPECTED = 1


def trace_file(prog: str):
    """Where the full trace of an unexpected error of ``prog`` is written."""
    return paths.BUILD / "errors" / f"{prog.replace(' ', '_').replace('.', '_')}.txt"


def report_unexpected(prog: str, exc: BaseException) -> str:
    """Write the trace of ``exc`` to :func:`trace_file` and return the one line for the user."""
    target = trace_file(prog)
    text = "".join(traceback.format_exception(exc))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        where = paths.relative(target)
    except OSError:
        where = "(could not be written)"
    first = str(exc).splitlines()[0] if str(exc) else ""
    return (f"error: unexpected {type(exc).__name__}{': ' + first if first else ''}. "
            f"This is a bug or an unforeseen input; the full trace is in {where}")


def run(main: Callable[[], int], prog: str) -> int:
    """Run ``main`` and return its exit status, with the error policy above."""
    try:
        return main()
    except (InputError, ParameterError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the point: one line instead of a traceback
        print(report_unexpected(prog, exc), file=sys.stderr)
        return EXIT_UNEXPECTED
