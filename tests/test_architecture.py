"""docs/architecture.md's module map stays true: every module under src/tweetstorm is listed, and
every listed module exists."""

from __future__ import annotations

import re

from tweetstorm import paths

PACKAGE = paths.ROOT / "src" / "tweetstorm"
DOC = paths.ROOT / "docs" / "architecture.md"


def modules_in_tree() -> set[str]:
    """Dotted names under ``tweetstorm`` of every module file (a package by its folder name)."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if parts:  # the root __init__ is the package itself
            names.add(".".join(parts))
    return names


def modules_in_map() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = re.search(r"^## Package modules.*?$(.*?)^## ", text, re.S | re.M)
    assert section, "docs/architecture.md has no '## Package modules' section"
    return set(re.findall(r"^\|\s*`([\w.]+)`", section.group(1), re.M))


def test_the_tree_is_read():
    # the tree walk finds modules at every depth, packages by their folder name
    found = modules_in_tree()
    assert {"paths", "ingest", "ingest.core", "ingest.formats", "ingest.formats.twarc2"} <= found
    assert "__init__" not in found and "ingest.__init__" not in found


def test_every_module_is_in_the_module_map():
    missing = sorted(modules_in_tree() - modules_in_map())
    assert not missing, f"docs/architecture.md's module map lacks {missing}: add a row for each"


def test_the_module_map_names_only_modules_that_exist():
    stale = sorted(modules_in_map() - modules_in_tree())
    assert not stale, f"docs/architecture.md's module map lists {stale}, which are not in src/tweetstorm"
