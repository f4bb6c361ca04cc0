"""Write environment.yml from requirements.txt, the one source of truth for the pinned packages.

conda and Binder users start from environment.yml; the Makefile's own path (no conda here) installs
requirements.txt with pip. This script keeps the two identical: `make environment.yml` runs it, and
tests/test_environment.py fails when they drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "3.11"


def pinned_requirements(path: Path) -> list[str]:
    """The `name==version` lines of a requirements file, comments and blanks dropped."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def render(requirements: list[str]) -> str:
    pins = "\n".join(f"      - {line}" for line in requirements)
    return f"""\
# Conda / Binder entry point. GENERATED from requirements.txt by tools/write_environment_yml.py
# (`make environment.yml`); edit requirements.txt, not this file.
#   conda env create --file environment.yml && conda activate tweetstorm && make all
name: tweetstorm
channels:
  - conda-forge
dependencies:
  - python={PYTHON}
  - pip
  - make
  - pip:
{pins}
      - --editable .
"""


def main() -> int:
    text = render(pinned_requirements(ROOT / "requirements.txt"))
    (ROOT / "environment.yml").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
