"""The registry of export formats: ``FORMATS`` maps each format NAME to its reader module.

A reader module defines ``NAME``, ``EXACT_IDS``, ``sniff(path, head) -> bool`` and
``read(path) -> Iterator[(number, post dict | InputError)]`` (see ``tweetstorm.ingest``); a
line-based reader may also define ``read_span(path, start, end)`` so that the framework can
read byte ranges of a large file in parallel processes.

Modules are found by name below; one that is not there yet (written in parallel) is skipped.
The order is the order in which auto-detection asks the formats; each ``sniff`` is written to
exclude the others, the order only breaks unexpected ties.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Module names (in this package) in detection order.
_MODULES = ("archive", "twarc2", "flatten", "v1", "mastodon", "bluesky",
            "twarc_csv", "tags", "tweet_archivist")

FORMATS: dict[str, ModuleType] = {}

for _name in _MODULES:
    try:
        _mod = importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # not written yet: skip only when the module itself is missing
        if _exc.name != f"{__name__}.{_name}":
            raise
        continue
    FORMATS[_mod.NAME] = _mod

del _name
