"""The parallel reader never hangs: it gives the serial result every time, and a worker that
does not answer stops the ingest with an error instead of waiting for ever.

Small chunk sizes force many byte ranges (and so many worker tasks) on a small file; the stress
test repeats the whole parallel path many times, each run with its own pool of processes.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest

from tweetstorm import paths
from tweetstorm.ingest import core, read_posts, reading

TWARC2 = paths.ROOT / "tests/fixtures/ingest/json/twarc2.jsonl"
RUNS = 25


@pytest.fixture
def big(tmp_path):
    lines = TWARC2.read_bytes().splitlines(keepends=True)
    p = tmp_path / "big.jsonl"
    p.write_bytes(b"".join(lines * 30) + b"not json\n" + b"".join(lines * 30))
    return p


def test_parallel_path_many_times_equals_serial(big, monkeypatch):
    serial = read_posts(big, on_error="skip", workers=1)
    monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(reading, "CHUNK_BYTES", 20_000)
    monkeypatch.setattr(reading, "WORKER_TIMEOUT", 120.0)  # loud failure instead of a stalled test
    assert len(reading.byte_ranges(big, 20_000)) >= 5
    for i in range(RUNS):
        if i % 2:  # every other run also spills its sorted runs to disk
            monkeypatch.setattr(core, "SPILL_MIN_BYTES", 1)
            monkeypatch.setattr(reading, "BATCH_ROWS", 7)
        par = read_posts(big, on_error="skip", workers=2)
        pd.testing.assert_frame_equal(serial.posts, par.posts)
        pd.testing.assert_frame_equal(serial.report, par.report)
        assert serial.rejects == par.rejects
        monkeypatch.undo()
        monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 1)
        monkeypatch.setattr(reading, "CHUNK_BYTES", 20_000)
        monkeypatch.setattr(reading, "WORKER_TIMEOUT", 120.0)


def test_a_worker_that_does_not_answer_fails_loudly(big, monkeypatch):
    """With a timeout shorter than any worker can answer in, the ingest stops with an error
    naming the file and the way out (one process), and stops its workers."""
    monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(reading, "CHUNK_BYTES", 20_000)
    monkeypatch.setattr(reading, "WORKER_TIMEOUT", 1e-9)
    start = time.monotonic()
    with pytest.raises(reading.WorkerFailure, match=r"big\.jsonl.*--workers 1"):
        read_posts(big, on_error="skip", workers=2)
    assert time.monotonic() - start < 60


def test_errors_cross_the_process_boundary_as_themselves(big, monkeypatch):
    """A bad record found by a worker is the same InputError (file, absolute line, raw record)."""
    from tweetstorm.errors import InputError

    monkeypatch.setattr(reading, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(reading, "CHUNK_BYTES", 20_000)
    with pytest.raises(InputError) as exc:
        read_posts(big, workers=2)
    assert (exc.value.file, exc.value.line, exc.value.raw) == ("big.jsonl", 61, "not json")
