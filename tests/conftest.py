"""Shared pytest hooks.

Tests marked ``illustrative`` check the shipped illustrative data set and its generator. When
``data/raw/study.yml`` describes another study (``illustrative: false``: a researcher's own
data), they skip themselves, so ``make test`` passes on that study without any setting.
"""

from __future__ import annotations

import pytest

from tweetstorm import study
from tweetstorm.errors import InputError


def _illustrative() -> tuple[bool, str]:
    try:
        return study.load().illustrative, "data/raw/study.yml says illustrative: false"
    except InputError as err:
        return False, f"the study file cannot be read ({err})"


def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker("illustrative") is not None]
    if not marked:
        return
    illustrative, why = _illustrative()
    if illustrative:
        return
    skip = pytest.mark.skip(reason=f"checks the shipped illustrative data set; {why}")
    for item in marked:
        item.add_marker(skip)
