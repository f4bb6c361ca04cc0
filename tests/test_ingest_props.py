"""Property tests: random and mutated records never raise anything but InputError, and every
record read is accounted for (kept + duplicate + superseded + rejected == read, per file)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tweetstorm import paths
from tweetstorm.errors import InputError
from tweetstorm.ingest import read_posts

FIX = paths.ROOT / "tests/fixtures/ingest/json"
SOURCES = ["twarc2.jsonl", "flatten.jsonl", "v1.jsonl", "mastodon.jsonl", "bluesky.jsonl"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4),
    max_leaves=12)


def _paths_in(obj, prefix=()):
    """Every (path, value) inside a JSON object."""
    yield prefix, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths_in(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths_in(v, prefix + (i,))


def _set(obj, path, value):
    if not path:
        return value
    cur = obj
    for key in path[:-1]:
        cur = cur[key]
    if value is _DELETE:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value
    return obj


_DELETE = object()


def _check(files: list[Path]) -> None:
    for mode in ("skip", "fail"):
        try:
            res = read_posts(files, on_error=mode, workers=1)
        except InputError:
            assert mode == "fail"
            continue
        rep = res.report
        assert (rep["kept"] + rep["duplicate"] + rep["superseded"] + rep["rejected"] == rep["read"]).all()
        assert (rep[["kept", "duplicate", "superseded", "rejected"]] >= 0).all().all()
        assert rep["kept"].sum() == len(res.posts)
        assert res.posts["post_id"].is_unique
        assert len(res.rejects) == rep["rejected"].sum()


@SETTINGS
@given(source=st.sampled_from(SOURCES), data=st.data())
def test_mutated_records(source, data):
    lines = (FIX / source).read_bytes().splitlines()
    i = data.draw(st.integers(0, len(lines) - 1))
    obj = json.loads(lines[i])
    places = list(_paths_in(obj))
    path, _ = data.draw(st.sampled_from(places[1:]))
    value = data.draw(st.one_of(json_values, st.just(_DELETE)))
    obj = _set(obj, path, value)
    lines[i] = json.dumps(obj, ensure_ascii=data.draw(st.booleans())).encode()
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / source
        p.write_bytes(b"\n".join(lines) + b"\n")
        _check([p])


@SETTINGS
@given(source=st.sampled_from(SOURCES), data=st.data())
def test_byte_level_damage(source, data):
    raw = bytearray((FIX / source).read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["cut", "flip", "insert"]))
        pos = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if kind == "cut":
            del raw[pos:]
        elif kind == "flip" and raw:
            raw[pos] = data.draw(st.integers(0, 255))
        else:
            raw[pos:pos] = data.draw(st.binary(max_size=8))
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / source
        p.write_bytes(bytes(raw))
        _check([p, FIX / "twarc2.jsonl"])


@SETTINGS
@given(lines=st.lists(st.one_of(json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=40)),
                      min_size=0, max_size=6))
def test_random_lines(lines):
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "random.jsonl"
        p.write_bytes(b"\n".join(lines))
        _check([p])


def test_wrong_types_in_known_places_are_input_errors(tmp_path):
    """Hand-picked shape damage that random mutation rarely reaches."""
    page = json.loads((FIX / "twarc2.jsonl").read_bytes().splitlines()[0])
    cases = []
    for path, value in [(("data", 0, "entities", "urls"), 5), (("data", 0, "entities"), []),
                        (("includes",), []), (("includes", "users"), [1, "x"]),
                        (("data", 1, "referenced_tweets"), "retweeted"), (("data", 0, "text"), 7),
                        (("data",), {"id": "1", "created_at": "2023-03-14T14:00:00Z"})]:
        obj = json.loads(json.dumps(page))
        cases.append(json.dumps(_set(obj, path, value)).encode())
    p = tmp_path / "t.jsonl"
    p.write_bytes(b"\n".join(cases) + b"\n")
    _check([p])
