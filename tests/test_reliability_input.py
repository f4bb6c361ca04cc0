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
