"""Small rules of the sentences the notebooks show a reader: counts with their noun in the right
number, and lists joined with "and".

Hand-written: two one-line rules that no library we depend on offers for English (inflect would
do it, at the price of a dependency for two rules).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["and_list", "plural"]


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` with its noun: ``plural(1, "rater")`` is "1 rater", ``plural(3, "rater")`` "3 raters",
    ``plural(2, "person", "people")`` "2 people" (``many`` defaults to ``one`` + "s")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def and_list(items: Iterable[str]) -> str:
    """``["a", "b", "c"]`` as "a, b and c" (one item as itself, none as "")."""
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
