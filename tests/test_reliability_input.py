"""rating_matrix validation and the command-line interface."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tweetstorm.errors import InputError
from tweetstorm.reliability import COLUMNS, agreement, rating_matrix
from tweetstorm.reliability.__main__ import main

LONG = pd.DataFrame({
    "unit": ["u1", "u1", "u2", "u2", "u3", "u3", "u4"],
    "rater": ["A", "B", "A", "B", "A", "B", "A"],
    "code": ["2", "2", "10", "9", "9", "", "2"],
})


def test_rating_matrix_shape_order_and_missing():
    rm = rating_matrix(LONG)
    assert rm.raters == ["A", "B"]
    assert rm.categories == ["2", "9", "10"]  # numeric order, not text order
    assert rm.units == ["u1", "u2", "u3", "u4"]
    assert rm.codes.tolist() == [[0, 0], [2, 1], [1, -1], [0, -1]]
    assert rm.counts().tolist() == [[2, 0, 0], [0, 1, 1], [0, 1, 0], [1, 0, 0]]
    rm = rating_matrix(LONG, categories=["10", "9", "2", "5"])
    assert rm.categories == ["10", "9", "2", "5"] and rm.codes[0].tolist() == [2, 2]


def test_numeric_cells_read_as_codes():
    df = pd.DataFrame({"unit": [1, 1, 2, 2], "rater": ["A", "B"] * 2, "code": [1.0, 1.0, 2.0, np.nan]})
    rm = rating_matrix(df)
    assert rm.categories == ["1", "2"] and rm.codes.tolist() == [[0, 0], [1, -1]]


@pytest.mark.parametrize("kwargs, df, message", [
    ({"unit": "id"}, LONG, "no unit column 'id'"),
    ({"raters": ["A"]}, LONG, "only one rater"),
    ({"raters": ["C", "A"]}, LONG, "no rater 'C'"),
    ({}, LONG.assign(rater=["A", "B", "A", "B", "A", "A", "A"]), "second rating of unit 'u3'"),
    ({"categories": ["2", "9"]}, LONG, "code '10' is not one of the categories"),
    ({}, pd.DataFrame({"unit": [1, 2], "rater": ["A", "B"], "code": ["x", "y"]}),
     "no unit was rated by two or more raters"),
])
def test_rating_matrix_errors(kwargs, df, message):
    with pytest.raises(InputError, match=message) as err:
        rating_matrix(df, **kwargs)
    assert "Fix:" in str(err.value) and "\n" not in str(err.value)


def test_duplicate_error_names_the_row():
    df = LONG.assign(rater=["A", "B", "A", "B", "A", "A", "A"])
    with pytest.raises(InputError) as err:
        rating_matrix(df, source="ratings.csv")
    assert err.value.row == 7  # header is row 1, the duplicate is the 6th data row


@pytest.mark.parametrize("kwargs", [{"weights": "linear"}, {"level": "ordinal"}])
def test_non_numeric_codes_need_identity_and_nominal(kwargs):
    df = pd.DataFrame({"unit": [1, 1, 2, 2], "rater": ["A", "B"] * 2, "code": ["x", "x", "y", "x"]})
    with pytest.raises(InputError, match="'x' is not a number"):
        agreement(df, bootstrap=0, **kwargs)


@pytest.fixture
def ratings_csv(tmp_path):
    rng = np.random.default_rng(0)
    truth = rng.integers(1, 4, 40)
    rows = []
    for i, t in enumerate(truth):
        for r in ("R1", "R2", "R3"):
            c = t if rng.random() < 0.7 else rng.integers(1, 4)
            rows.append((f"t{i}", r, "" if (r == "R3" and i % 7 == 0) else str(c)))
    path = tmp_path / "ratings.csv"
    pd.DataFrame(rows, columns=["post", "coder", "label"]).to_csv(path, index=False)
    return path


def test_cli_json(ratings_csv, capsys):
    rc = main([str(ratings_csv), "--unit", "post", "--rater", "coder", "--code", "label",
               "--bootstrap", "50", "--format", "json", "--categories", "1,2,3,4"])
    assert rc == 0
    obj = json.loads(capsys.readouterr().out)
    assert list(obj) == ["n_units", "n_raters", "categories", "coefficients"]
    assert obj["n_units"] == 40 and obj["n_raters"] == 3 and obj["categories"] == ["1", "2", "3", "4"]
    assert all(list(c) == COLUMNS for c in obj["coefficients"])
    names = [c["coefficient"] for c in obj["coefficients"]]
    assert names.count("cohen_kappa") == 3 and "krippendorff_alpha" in names
    alpha = obj["coefficients"][names.index("krippendorff_alpha")]
    assert alpha["weights"] is None and alpha["level"] == "nominal" and alpha["se"] is None
    assert obj["coefficients"][0]["raters"] == ["R1", "R2", "R3"]


def test_cli_same_numbers_as_api(ratings_csv, capsys):
    assert main([str(ratings_csv), "--unit", "post", "--rater", "coder", "--code", "label",
                 "--raters", "R1,R2", "--weights", "quadratic", "--bootstrap", "30",
                 "--format", "csv"]) == 0
    out = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert list(out.columns) == COLUMNS
    api = agreement(pd.read_csv(ratings_csv, dtype=str, keep_default_na=False), unit="post",
                    rater="coder", code="label", raters=["R1", "R2"], weights="quadratic",
                    bootstrap=30)
    assert np.allclose(out["estimate"], api["estimate"], rtol=1e-5)
    assert set(out["raters"]) == {"R1;R2"}


def test_cli_table_and_xlsx(ratings_csv, tmp_path, capsys):
    xlsx = tmp_path / "ratings.xlsx"
    pd.read_csv(ratings_csv, dtype=str, keep_default_na=False).to_excel(xlsx, index=False)
    assert main([str(xlsx), "--unit", "post", "--rater", "coder", "--code", "label",
                 "--bootstrap", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("40 units, 3 raters, 3 categories")
    assert lines[1].split()[:4] == ["coefficient", "weights/level", "raters", "estimate"]
    assert len(lines) == 3 + 13  # header, rule, 13 coefficient rows for 3 raters
    assert len({len(line) for line in lines[1:3]}) == 1


@pytest.mark.parametrize("argv, message", [
    (["--unit", "id"], "no unit column 'id'"),
    (["--unit", "post", "--rater", "coder", "--code", "label", "--raters", "R1"], "only one rater"),
    (["--unit", "post", "--rater", "coder", "--code", "post", "--weights", "linear"],
     "is not a number"),
    (["--unit", "post", "--rater", "coder", "--code", "post", "--level", "interval"],
     "is not a number"),
])
def test_cli_errors_exit_nonzero_with_one_line(ratings_csv, capsys, argv, message):
    assert main([str(ratings_csv), *argv, "--bootstrap", "0"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_no_unit_with_two_ratings(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text("unit,rater,code\n1,A,x\n2,B,y\n3,A,\n", encoding="utf-8")
    assert main([str(path)]) == 2
    assert "no unit was rated by two or more raters" in capsys.readouterr().err


def test_cli_as_module(ratings_csv):
    proc = subprocess.run([sys.executable, "-m", "tweetstorm.reliability", str(ratings_csv),
                           "--unit", "post", "--rater", "coder", "--code", "label",
                           "--bootstrap", "20", "--format", "json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["n_raters"] == 3
    proc = subprocess.run([sys.executable, "-m", "tweetstorm.reliability", "missing.csv"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "file not found" in proc.stderr


# ----------------------------------------------------------------- the input side: hostile files

def _csv(tmp_path, text, name="r.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("token", ["NA", "N/A", "n/a", "NaN", "null", "", " na "])
def test_missing_tokens_are_missing_ratings(tmp_path, capsys, token):
    # u1: a/a, u2: a/b, u3: b/<missing>: 2 units with two ratings, 1 agreeing -> 0.5
    path = _csv(tmp_path, f"unit,rater,code\nu1,A,a\nu1,B,a\nu2,A,a\nu2,B,b\nu3,A,b\nu3,B,{token}\n")
    assert main([str(path), "--bootstrap", "0", "--format", "json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["categories"] == ["a", "b"] and obj["n_units"] == 3
    pa = next(c for c in obj["coefficients"] if c["coefficient"] == "percent_agreement")
    assert pa["estimate"] == pytest.approx(0.5)


def test_missing_tokens_in_xlsx_and_parquet(tmp_path, capsys):
    df = pd.DataFrame({"unit": ["u1", "u1", "u2", "u2", "u3", "u3"], "rater": ["A", "B"] * 3,
                       "code": ["a", "a", "a", "b", "b", "N/A"]})
    df.to_excel(tmp_path / "r.xlsx", index=False)
    df.assign(code=["a", "a", "a", "b", "b", None]).to_parquet(tmp_path / "r.parquet")
    for name in ("r.xlsx", "r.parquet"):
        assert main([str(tmp_path / name), "--bootstrap", "0", "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["categories"] == ["a", "b"]


def test_near_duplicates_warn_and_strict_stops(tmp_path, capsys):
    path = _csv(tmp_path, "unit,rater,code\nu1,A,b\nu1,B,B\nu2,A,yes \nu2,B,yes\nu3,A,b\nu3,B,b\n")
    assert main([str(path), "--bootstrap", "0"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: r.csv: near-duplicate categories")
    assert "'B' (1x, first in row 3) next to 'b' (3x, first in row 2)" in err
    assert "'yes' (1x, first in row 5) next to 'yes ' (1x, first in row 4)" in err
    assert main([str(path), "--bootstrap", "0", "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: r.csv, row 3: near-duplicate categories") and "--strict" in err
    clean = _csv(tmp_path, "unit,rater,code\nu1,A,b\nu1,B,b\nu2,A,a\nu2,B,b\n", "clean.csv")
    assert main([str(clean), "--bootstrap", "0", "--strict"]) == 0
    assert capsys.readouterr().err == ""


def test_codebook_names_row_and_intended_code(tmp_path, capsys):
    cb = tmp_path / "codebook.yml"
    cat = lambda c: {"code": c, "label": c, "definition": "d", "example": "e"}  # noqa: E731
    cb.write_text(json.dumps({"questions": {
        "Q1": {"label": "L", "prompt": "P", "multi_code": False, "categories": [cat("yes"), cat("no")]},
        "Q2": {"label": "M", "prompt": "P", "multi_code": False, "categories": [cat("high"), cat("low")]},
    }}), encoding="utf-8")
    good = _csv(tmp_path, "unit,rater,code,question\nu1,A,yes,Q1\nu1,B,no,Q1\nu2,A,high,Q2\nu2,B,NA,Q2\n")
    assert main([str(good), "--bootstrap", "0", "--codebook", str(cb)]) == 0
    capsys.readouterr()
    for body, message in (
        ("u1,A,yes,Q1\nu1,B,Yes,Q1\n", "r.csv, row 3: code 'Yes' in column code differs from the "
                                       "codebook's 'yes' of Q1 only in letter case or surrounding space. "
                                       "Fix: write 'yes'"),
        ("u1,A,yes,Q1\nu1,B,high,Q1\n", "r.csv, row 3: unknown code 'high' for Q1 in column code"),
        ("u1,A,yes ,Q1\nu1,B,yes,Q1\n", "r.csv, row 2: code 'yes ' in column code has space around it"),
        ("u1,A,yes,Q9\nu1,B,yes,Q9\n", "r.csv, row 2: question 'Q9' in column question is not in"),
    ):
        path = _csv(tmp_path, "unit,rater,code,question\n" + body)
        assert main([str(path), "--bootstrap", "0", "--codebook", str(cb)]) == 2
        assert capsys.readouterr().err.startswith("error: " + message)
    # without a question column: any code of the codebook
    path = _csv(tmp_path, "unit,rater,code\nu1,A,yes\nu1,B,LOW\n")
    assert main([str(path), "--bootstrap", "0", "--codebook", str(cb)]) == 2
    assert "row 3: code 'LOW' in column code differs from the codebook's 'low'" in capsys.readouterr().err


def _two_sheet_workbook(path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "week1"
    for row in (["unit", "rater", "code"], ["u1", "A", "a"], ["u1", "B", "a"], ["u2", "A", "a"],
                ["u2", "B", "b"]):
        ws.append(row)
    notes = wb.create_sheet("notes")
    notes.append(["coder remarks"])
    ws = wb.create_sheet("week2")
    for row in (["unit", "rater", "code"], ["u3", "A", "b"], ["u3", "B", "b"], ["u1", "A", "b"]):
        ws.append(row)
    wb.save(path)
    return path


def test_every_sheet_with_the_columns_is_read(tmp_path, capsys):
    path = _two_sheet_workbook(tmp_path / "r.xlsx")
    # u1 appears in both sheets for rater A: the error names the second sheet and its row
    assert main([str(path), "--bootstrap", "0"]) == 2
    assert capsys.readouterr().err.startswith(
        "error: r.xlsx, sheet week2, row 4: a second rating of unit 'u1' by rater 'A'")
    assert main([str(path), "--bootstrap", "0", "--sheet", "week1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_units"] == 2
    assert main([str(path), "--bootstrap", "0", "--sheet", "notes"]) == 2
    assert "r.xlsx, sheet notes, row 1: missing column(s) unit, rater, code" in capsys.readouterr().err
    assert main([str(path), "--bootstrap", "0", "--unit", "id"]) == 2
    err = capsys.readouterr().err
    assert "no sheet has the column(s) id, rater, code" in err and "--sheet NAME" in err
    assert "week1 (unit, rater, code); notes (coder remarks); week2 (unit, rater, code)" in err


def test_read_ratings_concatenates_sheets_with_their_places(tmp_path):
    import openpyxl

    from tweetstorm.reliability import read_ratings

    path = _two_sheet_workbook(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["week2"].delete_rows(4)
    wb.save(path)
    df = read_ratings(path, columns=("unit", "rater", "code"))
    assert list(df.index) == [("week1", 2), ("week1", 3), ("week1", 4), ("week1", 5),
                              ("week2", 2), ("week2", 3)]
    assert list(df["unit"]) == ["u1", "u1", "u2", "u2", "u3", "u3"]
    # pooled: u1 a/a, u2 a/b, u3 b/b -> percent agreement 2/3
    res = agreement(df, bootstrap=0)
    assert res.set_index("coefficient").loc["percent_agreement", "estimate"] == pytest.approx(2 / 3)


def test_formula_damaged_and_mangled_inputs(tmp_path, capsys):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "coding"
    for row in (["unit", "rater", "code"], ["u1", "A", "a"], ["u1", "B", "=B2"], ["u2", "A", "a"],
                ["u2", "B", '=IF(1,"a","b")']):
        ws.append(row)
    wb.save(tmp_path / "f.xlsx")
    assert main([str(tmp_path / "f.xlsx"), "--bootstrap", "0"]) == 2
    assert capsys.readouterr().err.startswith(
        "error: f.xlsx, sheet coding: formula cells without a saved value: cells C3, C5.")
    data = (tmp_path / "f.xlsx").read_bytes()
    (tmp_path / "t.xlsx").write_bytes(data[:300])
    assert main([str(tmp_path / "t.xlsx"), "--bootstrap", "0"]) == 2
    err = capsys.readouterr().err
    assert "t.xlsx: not a readable .xlsx workbook (damaged or truncated" in err and err.count("\n") == 1
    (tmp_path / "t.parquet").write_bytes(b"PAR1 broken")
    assert main([str(tmp_path / "t.parquet"), "--bootstrap", "0"]) == 2
    assert "not a readable Parquet file" in capsys.readouterr().err
    path = _csv(tmp_path, "unit,rater,code\n1.23457E+17,A,a\n1.23457E+17,B,a\n")
    assert main([str(path), "--bootstrap", "0"]) == 2
    assert "r.csv, row 2: unit id '1.23457E+17' in column unit was turned into a number" in \
        capsys.readouterr().err


def test_unexpected_error_is_one_line_with_trace_file(ratings_csv, capsys, monkeypatch):
    import tweetstorm.reliability.__main__ as cli_module

    def boom(*a, **k):
        raise ZeroDivisionError("surprise")

    monkeypatch.setattr(cli_module, "agreement", boom)
    assert main([str(ratings_csv), "--unit", "post", "--rater", "coder", "--code", "label"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected ZeroDivisionError: surprise" in err
    assert "build/errors/" in err and "Traceback" not in err
