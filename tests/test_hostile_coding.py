"""Hostile inputs for the coding step and the reliability command: nothing lost, nothing misread.

Each class of bad input a researcher really produces, generated (hypothesis) where the class has
many members:

1. missing-value spellings (``NA``, ``n/a``, `` NULL ``, ...) in coding sheets, the adjudication
   sheet and ratings files (CSV, xlsx): always a missing rating, never a category;
2. codes that differ from a codebook code only in letter case or surrounding space: an error
   naming the file, the row and the intended code (or, in the reliability command without a
   codebook, a warning listing them; ``--strict`` makes it an error);
3. workbooks: rows spread over several sheets read as if from one, formula cells without a saved
   value named cell by cell, a damaged or truncated file one clear error (never a traceback);
4. the sheet set: two files of one rater, fewer than two raters;
5. outputs that would overwrite an input.

Expected values come from the generated input itself (which rows were made bad, which cells hold
formulas), never from the code under test.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tweetstorm import coding
from tweetstorm.codebook import parse
from tweetstorm.errors import InputError
from tweetstorm.missing import MISSING_TOKENS
from tweetstorm.reliability.__main__ import main as reliability_main

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _cat(code):
    return {"code": code, "label": code, "definition": "d", "example": "e"}


CODEBOOK = parse({"questions": {
    "Q1": {"label": "Goals", "prompt": "P1", "multi_code": False,
           "categories": [_cat("knowledge"), _cat("network"), _cat("career")]},
    "Q2": {"label": "Motivation", "prompt": "P2", "multi_code": True,
           "categories": [_cat("fun"), _cat("need"), _cat("peer")]},
}}, "codebook.yml")
N_UNITS = 12
UNITS = pd.DataFrame({"unit_id": [f"1000000000000000{i:02d}" for i in range(N_UNITS)],
                      "question": ["Q1"] * 7 + ["Q2"] * 5,
                      "author": [f"P{i % 4 + 1:02d}" for i in range(N_UNITS)],
                      "text": [f"answer {i}" for i in range(N_UNITS)]})
GOOD = {"R1": ["knowledge", "network", "career", "knowledge", "network", "career", "knowledge",
               "fun", "need", "peer", "fun;need", "peer"],
        "R2": ["knowledge", "network", "knowledge", "knowledge", "career", "career", "network",
               "fun", "need", "fun", "fun;need", "peer"]}


def _sheet_rows(rater):
    return [{"unit_id": u, "question": q, "text": t, "code": c, "rater": rater}
            for u, q, t, c in zip(UNITS["unit_id"], UNITS["question"], UNITS["text"], GOOD[rater])]


def _write(folder: Path, rater: str, rows: list[dict], fmt: str) -> Path:
    df = pd.DataFrame(rows, columns=list(coding.SHEET_COLUMNS))
    path = folder / f"rater_{rater}.{fmt}"
    if fmt == "csv":
        df.to_csv(path, index=False)
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "coding"
        ws.append(list(df.columns))
        for rec in df.itertuples(index=False):
            ws.append(list(rec))
        wb.save(path)
    return path


def _expected(overrides=None):
    """The ratings table of GOOD, with {(rater, unit index): None} overrides (missing)."""
    overrides = overrides or {}
    rows = [(u, q, r, None if (r, i) in overrides else GOOD[r][i])
            for i, (u, q) in enumerate(zip(UNITS["unit_id"], UNITS["question"]))
            for r in ("R1", "R2")]
    return pd.DataFrame(rows, columns=["unit_id", "question", "rater", "code"]).astype("string")


# spellings of a missing value: a token in any letter case, with any surrounding space
missing_spelling = st.builds(
    lambda token, flips, left, right: left + "".join(
        ch.upper() if f else ch.lower() for ch, f in zip(token, flips + [False] * len(token))) + right,
    st.sampled_from(sorted(MISSING_TOKENS)), st.lists(st.booleans(), max_size=4),
    st.sampled_from(["", " ", "  "]), st.sampled_from(["", " ", "\t"]))


# ----------------------------------------------------------------------- 1. missing values

@SETTINGS
@given(spellings=st.lists(missing_spelling, min_size=1, max_size=4),
       units=st.lists(st.integers(0, N_UNITS - 1), min_size=1, max_size=4, unique=True),
       fmt=st.sampled_from(["csv", "xlsx"]))
def test_missing_spellings_in_coding_sheets_are_uncoded(spellings, units, fmt):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = _sheet_rows("R1")
        for i, unit in enumerate(units):
            rows[unit]["code"] = spellings[i % len(spellings)]
        _write(folder, "R1", rows, fmt)
        _write(folder, "R2", _sheet_rows("R2"), "csv")
        ratings = coding.read_sheets(folder, CODEBOOK, UNITS)
    pd.testing.assert_frame_equal(ratings, _expected({("R1", u) for u in units}))


@SETTINGS
@given(spelling=missing_spelling, fmt=st.sampled_from(["csv", "xlsx"]))
def test_missing_spellings_in_ratings_files_are_missing(spelling, fmt):
    # u1 a/a, u2 a/b, u3 b/<missing>: percent agreement over the units with two ratings = 1/2
    df = pd.DataFrame({"unit": ["u1", "u1", "u2", "u2", "u3", "u3"], "rater": ["A", "B"] * 3,
                       "code": ["a", "a", "a", "b", "b", spelling]})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"r.{fmt}"
        df.to_csv(path, index=False) if fmt == "csv" else df.to_excel(path, index=False)
        out, err, rc = _run_reliability([str(path), "--format", "json", "--strict"])
    assert rc == 0, err
    obj = json.loads(out)
    assert obj["categories"] == ["a", "b"] and obj["n_units"] == 3
    pa = next(c for c in obj["coefficients"] if c["coefficient"] == "percent_agreement")
    assert pa["estimate"] == pytest.approx(0.5)


@SETTINGS
@given(spelling=missing_spelling)
def test_missing_spellings_in_the_adjudication_sheet(spelling):
    ratings = _expected()
    with tempfile.TemporaryDirectory() as tmp:
        (path,) = coding.write_adjudication_sheet(coding.disagreements(ratings), CODEBOOK, tmp,
                                                  formats=("csv",))
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        df["adjudicated_code"] = spelling
        df["adjudicator"] = spelling
        df.to_csv(path, index=False)
        adj = coding.read_adjudication(path, ratings, CODEBOOK)
    assert adj["adjudicated_code"].isna().all() and adj["adjudicator"].isna().all()


# -------------------------------------------------------------- 2. near misses of a code

def _near_miss(code: str, draw) -> str:
    """``code`` changed only in letter case or surrounding space (never equal to it)."""
    kind = draw(st.sampled_from(["case", "space", "both"]))
    text = code
    if kind in ("case", "both"):
        flips = draw(st.lists(st.booleans(), min_size=len(code), max_size=len(code)))
        if not any(flips):
            flips[0] = True
        text = "".join(ch.upper() if f else ch for ch, f in zip(code, flips))
    if kind in ("space", "both"):
        text = draw(st.sampled_from([" ", "", "  "])) + text + draw(st.sampled_from([" ", "\t"]))
    assert text != code
    return text


@SETTINGS
@given(data=st.data(), fmt=st.sampled_from(["csv", "xlsx"]))
def test_near_miss_codes_in_coding_sheets_name_row_and_intended_code(data, fmt):
    unit = data.draw(st.integers(0, 6))  # a Q1 (single-code) unit
    intended = GOOD["R2"][unit]
    bad = _near_miss(intended, data.draw)
    rows = _sheet_rows("R2")
    rows[unit]["code"] = bad
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder, "R1", _sheet_rows("R1"), "csv")
        _write(folder, "R2", rows, fmt)
        with pytest.raises(InputError) as err:
            coding.read_sheets(folder, CODEBOOK, UNITS)
    e = err.value
    assert e.file.startswith(f"rater_R2.{fmt}") and e.row == unit + 2
    assert f"write {intended!r}" in e.fix and "column code" in e.what


@SETTINGS
@given(data=st.data())
def test_near_miss_codes_in_ratings(data):
    codes = ["yes", "no", "yes", "no", "yes", "yes", "no", "no"]
    pos = data.draw(st.integers(0, len(codes) - 1))
    bad = _near_miss(codes[pos], data.draw)
    codes[pos] = bad
    rows = [(f"u{i // 2}", "AB"[i % 2], c) for i, c in enumerate(codes)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.csv"
        pd.DataFrame(rows, columns=["unit", "rater", "code"]).to_csv(path, index=False)
        out, err, rc = _run_reliability([str(path)])
        assert rc == 0 and err.count("\n") == 1 and err.startswith("warning: r.csv: near-duplicate")
        assert repr(bad) in err and f"first in row {pos + 2}" in err
        out, err, rc = _run_reliability([str(path), "--strict"])
        assert rc == 2 and err.startswith(f"error: r.csv, row {pos + 2}: near-duplicate")
        cb = Path(tmp) / "codebook.yml"
        cb.write_text(json.dumps({"questions": {"Q1": {
            "label": "L", "prompt": "P", "multi_code": False,
            "categories": [_cat("yes"), _cat("no")]}}}), encoding="utf-8")
        out, err, rc = _run_reliability([str(path), "--codebook", str(cb)])
    assert rc == 2 and err.startswith(f"error: r.csv, row {pos + 2}: code {bad!r}")
    assert f"write {bad.strip().lower()!r}" in err


# ----------------------------------------------------------------------------- 3. workbooks

@SETTINGS
@given(cuts=st.lists(st.integers(1, N_UNITS - 1), max_size=3, unique=True),
       noise=st.booleans())
def test_rows_spread_over_sheets_read_as_one(cuts, noise):
    """A rater who split the sheet (and added a notes sheet) loses nothing."""
    bounds = [0, *sorted(cuts), N_UNITS]
    rows = _sheet_rows("R1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        if noise:
            wb.create_sheet("notes").append(["my remarks", "on the codes"])
        for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
            ws = wb.create_sheet(f"part{k + 1}")
            ws.append(list(coding.SHEET_COLUMNS))
            for rec in rows[a:b]:
                ws.append([rec[c] for c in coding.SHEET_COLUMNS])
        wb.save(folder / "rater_R1.xlsx")
        _write(folder, "R2", _sheet_rows("R2"), "csv")
        ratings = coding.read_sheets(folder, CODEBOOK, UNITS)
        pd.testing.assert_frame_equal(ratings, _expected())
        long = pd.DataFrame([(r["unit_id"], "R1", r["code"]) for r in rows]
                            + [(r["unit_id"], "R2", r["code"]) for r in _sheet_rows("R2")],
                            columns=["unit", "rater", "code"])
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        per_sheet = [long.iloc[2 * a:2 * b] for a, b in zip(bounds, bounds[1:])]  # in order
        for k, part in enumerate(per_sheet):
            ws = wb.create_sheet(f"s{k}")
            ws.append(list(long.columns))
            for rec in part.itertuples(index=False):
                ws.append(list(rec))
        wb.save(folder / "ratings.xlsx")
        long.to_csv(folder / "ratings.csv", index=False)
        one, _, rc1 = _run_reliability([str(folder / "ratings.csv"), "--format", "json"])
        many, _, rc2 = _run_reliability([str(folder / "ratings.xlsx"), "--format", "json"])
    assert rc1 == rc2 == 0 and json.loads(one) == json.loads(many)


@SETTINGS
@given(cells=st.lists(st.tuples(st.integers(2, N_UNITS + 1), st.sampled_from("ABCD")),
                      min_size=1, max_size=5, unique=True))
def test_formula_cells_without_value_are_named(cells):
    rows = _sheet_rows("R1")
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "R1", rows, "xlsx")
        wb = openpyxl.load_workbook(path)
        ws = wb["coding"]
        for row, col in cells:
            ws[f"{col}{row}"] = f"=\"{ws[f'{col}{row}'].value}\""
        wb.save(path)  # openpyxl stores formulas without a saved value, as a script would
        _write(Path(tmp), "R2", _sheet_rows("R2"), "csv")
        with pytest.raises(InputError) as err:
            coding.read_sheets(tmp, CODEBOOK, UNITS)
    named = sorted(cells, key=lambda rc: (rc[0], rc[1]))
    assert err.value.file == "rater_R1.xlsx, sheet coding"
    assert err.value.what == ("formula cells without a saved value: cells "
                              + ", ".join(f"{c}{r}" for r, c in named))


@pytest.fixture(scope="module")
def workbook_bytes():
    with tempfile.TemporaryDirectory() as tmp:
        return _write(Path(tmp), "R1", _sheet_rows("R1"), "xlsx").read_bytes()


@SETTINGS
@given(data=st.data())
def test_damaged_workbooks_are_one_clear_error(workbook_bytes, data):
    how = data.draw(st.sampled_from(["truncate", "flip"]))
    raw = bytearray(workbook_bytes)
    if how == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        for pos in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=8)):
            raw[pos] ^= 0xFF
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "rater_R1.xlsx").write_bytes(bytes(raw))
        _write(folder, "R2", _sheet_rows("R2"), "csv")
        try:
            ratings = coding.read_sheets(folder, CODEBOOK, UNITS)
        except InputError as err:
            assert "rater_R1.xlsx" in str(err) and "\n" not in str(err)
        else:  # damage the zip survives (e.g. in an unused entry): the data must be intact
            pd.testing.assert_frame_equal(ratings, _expected())
        (folder / "r.xlsx").write_bytes(bytes(raw))
        _, err, rc = _run_reliability([str(folder / "r.xlsx"), "--unit", "unit_id"])
    assert rc in (0, 2) and err.count("\n") <= 1 and "Traceback" not in err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".tsv"])
@pytest.mark.parametrize("content", [b"", b"\x00\xff\xfe garbage \x89PNG", b"unit,rater\n1,2,3,4\n"])
def test_garbage_ratings_files_never_trace(tmp_path, suffix, content):
    path = tmp_path / f"r{suffix}"
    path.write_bytes(content)
    _, err, rc = _run_reliability([str(path)])
    assert rc == 2 and err.startswith("error: r") and err.count("\n") == 1


# --------------------------------------------------------------------------- 4. sheet sets

@pytest.mark.parametrize("second", ["csv", "xlsx"])
def test_two_files_of_one_rater_and_a_lone_rater(tmp_path, second):
    _write(tmp_path, "R1", _sheet_rows("R1"), "xlsx" if second == "csv" else "csv")
    _write(tmp_path, "R1", _sheet_rows("R1"), second)
    with pytest.raises(InputError, match=r"rater R1 has two coding sheets: rater_R1\.csv and "
                                         r"rater_R1\.xlsx"):
        coding.read_sheets(tmp_path, CODEBOOK, UNITS)
    (tmp_path / f"rater_R1.{second}").unlink()
    with pytest.raises(InputError, match=r"coding sheets of 1 rater\(s\) \(R1\)"):
        coding.read_sheets(tmp_path, CODEBOOK, UNITS)


# ------------------------------------------------------------------------- 5. inputs sacred

def test_adjudication_out_over_the_sheets_is_refused(tmp_path, capsys):
    posts = tmp_path / "posts.parquet"
    pd.DataFrame({"post_id": UNITS["unit_id"], "role": "answer", "question": UNITS["question"],
                  "author_handle": UNITS["author"], "text": UNITS["text"]}).to_parquet(posts)
    cb = tmp_path / "codebook.yml"
    cb.write_text(json.dumps({"questions": {
        q: {"label": CODEBOOK.question(q).label, "prompt": CODEBOOK.prompt(q),
            "multi_code": CODEBOOK.multi_code(q), "categories": [_cat(c) for c in CODEBOOK.codes(q)]}
        for q in CODEBOOK.questions()}}), encoding="utf-8")
    sheets = tmp_path / "coding"
    sheets.mkdir()
    for r in ("R1", "R2"):
        _write(sheets, r, _sheet_rows(r), "csv")
    before = {p.name: p.read_bytes() for p in sheets.iterdir()}
    for out in (sheets, sheets / "adjudication", posts):
        rc = coding.main(["adjudication", "--posts", str(posts), "--codebook", str(cb),
                          "--sheets", str(sheets), "--out", str(out)])
        assert rc == 2 and "--out" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in sheets.iterdir()} == before
    rc = coding.main(["adjudication", "--posts", str(posts), "--codebook", str(cb),
                      "--sheets", str(sheets), "--out", str(tmp_path / "adj"), "--formats", "csv"])
    assert rc == 0
    adj = pd.read_csv(tmp_path / "adj" / "adjudication.csv", dtype=str)
    # units where GOOD R1 and R2 differ: 2, 4, 6, 9
    assert list(adj["unit_id"]) == [UNITS["unit_id"][i] for i in (2, 4, 6, 9)]


# ------------------------------------------------------------------------------- helpers

def _run_reliability(argv):
    """(stdout, stderr, exit status) of the reliability command run in this process."""
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = reliability_main([*argv, "--bootstrap", "0"])
    return out.getvalue(), err.getvalue(), rc
