"""Tests of the coding workflow: sheets out and back in, validation errors, adjudication, consensus.

All inputs are small hand-made tables; expected values are written out by hand here, not copied
from the code's output.
"""

from __future__ import annotations

import dataclasses

import zipfile

import openpyxl
import pandas as pd
import pytest
import yaml

from tweetstorm import coding, reliability
from tweetstorm.codebook import parse
from tweetstorm.errors import InputError
from tweetstorm.reliability import presence_ratings


def _cat(code):
    return {"code": code, "label": code.title(), "definition": f"def of {code}",
            "example": f"example of {code}"}


def make_codebook(multi_q2=False, long_q3=False):
    q3 = [_cat(f"category_number_{i:02d}_with_a_rather_long_name") for i in range(12)] if long_q3 \
        else [_cat("yes"), _cat("no")]
    return parse({"questions": {
        "Q1": {"label": "Goals", "prompt": "What are your goals?", "multi_code": False,
               "categories": [_cat("knowledge"), _cat("network"), _cat("career")]},
        "Q2": {"label": "Motivation", "prompt": "Why?", "multi_code": multi_q2,
               "categories": [_cat("fun"), _cat("need"), _cat("peer")]},
        "Q3": {"label": "Outcomes", "prompt": "What came of it?", "multi_code": False,
               "categories": q3},
    }}, "codebook.yml")


# Twitter-size ids (18 digits): exactly what a spreadsheet mangles into 1.23457E+17.
IDS = [f"1234567890123456{i:02d}" for i in range(10)]


def make_posts():
    """10 answers (Q1: 4, Q2: 3, Q3: 3), one unassigned answer, one question post, one retweet."""
    qs = ["Q2", "Q1", "Q3", "Q1", "Q2", "Q1", "Q3", "Q2", "Q1", "Q3"]
    times = pd.to_datetime([f"2013-06-01 10:{m:02d}" for m in (5, 9, 1, 3, 2, 8, 7, 6, 4, 0)], utc=True)
    rows = [{"post_id": IDS[i], "role": "answer", "question": qs[i], "author_handle": f"P{i % 4 + 1:02d}",
             "text": f"answer {i}", "created_at": times[i]} for i in range(10)]
    rows += [
        {"post_id": "999", "role": "answer", "question": None, "author_handle": "P09",
         "text": "unassigned", "created_at": times[0]},
        {"post_id": "1", "role": "question", "question": "Q1", "author_handle": "M01",
         "text": "Q1 What are your goals?", "created_at": times[0]},
        {"post_id": "2", "role": "retweet", "question": None, "author_handle": "P01",
         "text": "RT", "created_at": times[0]},
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def cb():
    return make_codebook()


@pytest.fixture
def unit_table():
    return coding.units(make_posts())


# Hand-made codes of each rater per unit index (None = left uncoded).
CODES = {
    "R1": ["fun", "knowledge", "yes", "network", "need", "career", "no", "peer", "knowledge", "yes"],
    "R2": ["fun", "knowledge", "yes", "career", "need", "career", "yes", "fun", "knowledge", "no"],
    "R3": ["need", "knowledge", "yes", "network", "need", "network", "no", "peer", "network", "yes"],
}


def fill_xlsx(path, codes_by_id, blank=()):
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    for row in range(2, ws.max_row + 1):
        uid = ws.cell(row=row, column=1).value
        if uid not in blank:
            ws.cell(row=row, column=4).value = codes_by_id[uid]
    wb.save(path)


def fill_csv(path, codes_by_id, blank=()):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["code"] = [("" if u in blank else codes_by_id[u]) for u in df["unit_id"]]
    df.to_csv(path, index=False)


def expected_ratings(unit_table, blank=()):
    rows = []
    for uid, q in zip(unit_table["unit_id"], unit_table["question"]):
        for r in ("R1", "R2", "R3"):
            code = None if (r, uid) in blank else CODES[r][IDS.index(uid)]
            rows.append((uid, q, r, code))
    return pd.DataFrame(rows, columns=["unit_id", "question", "rater", "code"]).astype("string")


# ----------------------------------------------------------------------------------- units

def test_units_are_answers_in_question_time_order():
    u = coding.units(make_posts())
    assert list(u.columns) == ["unit_id", "question", "author", "text"]
    # by question, then created_at: Q1 answers are 1 (10:09), 3 (10:03), 5 (10:08), 8 (10:04)
    # Q2: 4 (10:02), 0 (10:05), 7 (10:06); Q3: 9 (10:00), 2 (10:01), 6 (10:07)
    assert list(u["unit_id"]) == [IDS[i] for i in (3, 8, 5, 1, 4, 0, 7, 9, 2, 6)]
    assert list(u["question"]) == ["Q1"] * 4 + ["Q2"] * 3 + ["Q3"] * 3
    assert u.loc[0, "author"] == "P04"
    un = coding.unassigned_answers(make_posts())
    assert list(un["unit_id"]) == ["999"]


def test_units_missing_column_is_input_error():
    with pytest.raises(InputError, match="role"):
        coding.units(make_posts().drop(columns="role"))


# ------------------------------------------------------------------------ sheets round trip

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip(tmp_path, cb, unit_table, fmt):
    written = coding.write_sheets(unit_table, cb, ["R1", "R2", "R3"], tmp_path, formats=(fmt,))
    assert sorted(p.name for ps in written.values() for p in ps) == \
        [f"rater_R{i}.{fmt}" for i in (1, 2, 3)]
    blank = {("R2", IDS[4])}
    for r, (path,) in written.items():
        codes = dict(zip(IDS, CODES[r]))
        fill = fill_xlsx if fmt == "xlsx" else fill_csv
        fill(path, codes, blank={u for rr, u in blank if rr == r})
    ratings = coding.read_sheets([p for ps in written.values() for p in ps], cb, unit_table)
    pd.testing.assert_frame_equal(ratings, expected_ratings(unit_table, blank))
    un = coding.uncoded(ratings)
    assert un.to_dict("records") == [{"unit_id": IDS[4], "question": "Q2", "rater": "R2"}]


def test_glob_and_rater_from_file_name(tmp_path, cb, unit_table):
    coding.write_sheets(unit_table, cb, ["R1", "R2"], tmp_path, formats=("csv",))
    for r in ("R1", "R2"):
        path = tmp_path / f"rater_{r}.csv"
        df = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="rater")
        df["code"] = [dict(zip(IDS, CODES[r]))[u] for u in df["unit_id"]]
        df.to_csv(path, index=False)
    ratings = coding.read_sheets(str(tmp_path / "rater_*.csv"), cb, unit_table)
    assert sorted(ratings["rater"].unique()) == ["R1", "R2"]
    assert ratings["code"].notna().all() and len(ratings) == 20


def test_dropdown_validation_per_question(tmp_path, cb, unit_table):
    (path,) = coding.write_sheets(unit_table, cb, ["R1"], tmp_path, formats=("xlsx",))["R1"]
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    assert [c.value for c in ws[1]] == ["unit_id", "question", "text", "code", "rater"]
    rows_of = {}
    for row in range(2, ws.max_row + 1):
        rows_of.setdefault(ws.cell(row=row, column=2).value, set()).add(row)
    lists = {'"knowledge,network,career"': "Q1", '"fun,need,peer"': "Q2", '"yes,no"': "Q3"}
    dvs = ws.data_validations.dataValidation
    assert len(dvs) == 3
    for dv in dvs:
        assert dv.type == "list"
        q = lists[dv.formula1]
        cells = {(c.min_row, c.max_row, c.min_col, c.max_col) for c in dv.sqref.ranges}
        covered = {r for (lo, hi, c0, c1) in cells for r in range(lo, hi + 1)}
        assert all(c0 == c1 == 4 for (_, _, c0, c1) in cells)  # column D = code
        assert covered == rows_of[q]
    # ids are text cells (number format Text), and no rater's codes are in the sheet
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row=row, column=1)
        assert cell.data_type == "s" and cell.number_format == "@"
        assert ws.cell(row=row, column=4).value is None
    assert wb.sheetnames == ["coding", "instructions"]
    instr = [c for row in wb["instructions"].iter_rows(values_only=True) for c in row if c]
    assert "def of peer" in instr and "example of career" in instr and "Why?" in instr


def test_long_code_list_goes_to_hidden_sheet(tmp_path, unit_table):
    cb = make_codebook(long_q3=True)
    (path,) = coding.write_sheets(unit_table, cb, ["R1"], tmp_path, formats=("xlsx",))["R1"]
    wb = openpyxl.load_workbook(path)
    assert wb["codes"].sheet_state == "hidden"
    q3 = [dv for dv in wb["coding"].data_validations.dataValidation if "codes" in dv.formula1]
    assert len(q3) == 1 and q3[0].formula1 == "codes!$C$2:$C$13"
    assert [wb["codes"].cell(row=r, column=3).value for r in range(2, 14)] == cb.codes("Q3")


def test_order_per_rater_differs_and_is_reproducible(tmp_path, cb, unit_table):
    def order(out, rater, seed=coding.DEFAULT_SEED):
        (p,) = coding.write_sheets(unit_table, cb, [rater], out, seed=seed, formats=("csv",))[rater]
        return list(pd.read_csv(p, dtype=str)["unit_id"])

    a1, b1 = order(tmp_path / "a", "R1"), order(tmp_path / "a", "R2")
    a2 = order(tmp_path / "b", "R1")
    assert sorted(a1) == sorted(unit_table["unit_id"]) == sorted(b1)
    assert a1 == a2
    assert a1 != b1
    assert a1 != order(tmp_path / "c", "R1", seed=1)
    assert a1 != list(unit_table["unit_id"])


def test_xlsx_and_csv_bytes_reproducible(tmp_path, cb, unit_table):
    first = coding.write_sheets(unit_table, cb, ["R1"], tmp_path / "a")["R1"]
    second = coding.write_sheets(unit_table, cb, ["R1"], tmp_path / "b")["R1"]
    for p, q in zip(first, second):
        assert p.read_bytes() == q.read_bytes()
    with zipfile.ZipFile(first[0]) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2013-06-01T00:00:00Z" in core and core.count("2013-06-01T00:00:00Z") == 2


# ------------------------------------------------------------------------------- bad input

def _sheet(tmp_path, rows, name="rater_R1.csv", columns=("unit_id", "question", "text", "code")):
    path = tmp_path / name
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return path


GOOD = [(IDS[1], "Q1", "t", "knowledge"), (IDS[3], "Q1", "t", "network")]


@pytest.mark.parametrize("bad_row, message", [
    ((IDS[5], "Q1", "t", "kowledge"),
     r"rater_R1\.csv, row 4: unknown code 'kowledge' for Q1 in column code"),
    ((IDS[5], "Q1", "t", "Knowledge"),
     r"row 4: code 'Knowledge' in column code differs .* 'knowledge' .*letter case.*Fix: write 'knowledge'"),
    ((IDS[5], "Q1", "t", " knowledge"),
     r"row 4: code ' knowledge' in column code has space around it.*Fix: write 'knowledge'"),
    (("123456789012345699", "Q1", "t", "career"), r"row 4: unit id '123456789012345699' is not"),
    ((IDS[1], "Q1", "t", "career"), r"row 4: unit 123456789012345601 appears twice .*row 2"),
    (("1.23457E+17", "Q1", "t", "career"), r"row 4: unit id '1.23457E\+17' was mangled"),
    (("123456789012345605.0", "Q1", "t", "career"), r"row 4: unit id .* was mangled"),
    (("123456789012346000", "Q1", "t", "career"), r"row 4: unit id '123456789012346000' was mangled"),
    ((IDS[5], "Q2", "t", "career"), r"row 4: unit 123456789012345605 answers Q1"),
    ((IDS[5], "Q1", "t", "career;network"), r"row 4: code .* several codes, but Q1 takes one"),
])
def test_bad_rows_name_file_row_and_fix(tmp_path, cb, unit_table, bad_row, message):
    path = _sheet(tmp_path, [*GOOD, bad_row])
    with pytest.raises(InputError, match=message) as err:
        coding.read_sheets([path], cb, unit_table)
    assert err.value.row == 4 and err.value.file.endswith("rater_R1.csv") and err.value.fix


def test_missing_column(tmp_path, cb, unit_table):
    path = _sheet(tmp_path, [(IDS[1], "t", "knowledge")], columns=("unit_id", "text", "code"))
    with pytest.raises(InputError, match=r"row 1: missing column\(s\) question"):
        coding.read_sheets([path], cb, unit_table)


def test_no_rater_name(tmp_path, cb, unit_table):
    path = _sheet(tmp_path, GOOD, name="coded.csv")
    with pytest.raises(InputError, match="cannot tell whose sheet"):
        coding.read_sheets([path], cb, unit_table)
    # a rater column makes the file name irrelevant
    path = _sheet(tmp_path, [(*r, "R7") for r in GOOD], name="coded.csv",
                  columns=("unit_id", "question", "text", "code", "rater"))
    ratings = coding.read_sheets([path], cb, unit_table, min_raters=1)
    assert set(ratings["rater"]) == {"R7"} and ratings["code"].notna().sum() == 2
    # the column wins over the file name (no phantom rater R1 without codes)
    path.rename(tmp_path / "rater_R1.csv")
    ratings = coding.read_sheets([tmp_path / "rater_R1.csv"], cb, unit_table, min_raters=1)
    assert set(ratings["rater"]) == {"R7"}


def test_xlsx_number_cell_id_is_mangled(tmp_path, cb, unit_table):
    (path,) = coding.write_sheets(unit_table, cb, ["R1"], tmp_path, formats=("xlsx",))["R1"]
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    ws["A3"].value = float(ws["A3"].value)  # what Excel does to an 18-digit id typed as a number
    wb.save(path)
    with pytest.raises(InputError,
                       match=r"rater_R1\.xlsx, sheet coding, row 3: unit id '1\.2345678901234.*E\+17' was mangled"):
        coding.read_sheets([path], cb, unit_table)


def test_uncoded_units_are_reported(tmp_path, cb, unit_table):
    # R1 left IDS[3] blank and deleted the row of IDS[9]
    rows = [(u, q, "t", "" if u == IDS[3] else CODES["R1"][IDS.index(u)])
            for u, q in zip(unit_table["unit_id"], unit_table["question"]) if u != IDS[9]]
    ratings = coding.read_sheets([_sheet(tmp_path, rows)], cb, unit_table, min_raters=1)
    assert coding.uncoded(ratings).to_dict("records") == [
        {"unit_id": IDS[3], "question": "Q1", "rater": "R1"},
        {"unit_id": IDS[9], "question": "Q3", "rater": "R1"}]


# ---------------------------------------------------------------------- adjudication, consensus

def hand_ratings():
    table = {  # unit: (R1, R2, R3)
        "u1": ("yes", "yes", "yes"),  # unanimous
        "u2": ("yes", "yes", "no"),   # majority yes
        "u3": ("yes", "no", None),    # no majority -> adjudicated
        "u4": ("no", "no", "yes"),    # majority no, overridden by adjudication to yes
        "u5": ("no", None, "no"),     # majority no (2 of 3 raters)
    }
    rows = [(u, "Q3", r, c) for u, codes in table.items() for r, c in zip(("R1", "R2", "R3"), codes)]
    return pd.DataFrame(rows, columns=["unit_id", "question", "rater", "code"]).astype("string")


def hand_units():
    return pd.DataFrame({"unit_id": [f"u{i}" for i in range(1, 6)], "question": "Q3",
                         "author": ["P01", "P02", "P01", "P03", "P02"], "text": "t"})


def hand_adjudication():
    return pd.DataFrame({"unit_id": ["u2", "u3", "u4", "u5"], "question": "Q3",
                         "adjudicated_code": [None, "no", "yes", None],
                         "adjudicator": [None, "JS", "KH", None], "note": None,
                         "source_file": "adj.csv", "source_row": [2, 3, 4, 5]})


def test_disagreements():
    d = coding.disagreements(hand_ratings())
    assert list(d.columns) == ["unit_id", "question", "code_R1", "code_R2", "code_R3"]
    assert list(d["unit_id"]) == ["u2", "u3", "u4", "u5"]
    assert d.loc[1, "code_R2"] == "no" and pd.isna(d.loc[1, "code_R3"])


def test_consensus_rules():
    c = coding.consensus(hand_ratings(), hand_adjudication(), hand_units())
    assert list(c.columns) == ["unit_id", "question", "author", "code", "consensus_rule", "adjudicator"]
    got = {u: (code, rule, None if pd.isna(a) else a)
           for u, code, rule, a in zip(c["unit_id"], c["code"], c["consensus_rule"], c["adjudicator"])}
    assert got == {"u1": ("yes", "unanimous", None), "u2": ("yes", "majority", None),
                   "u3": ("no", "adjudicated", "JS"), "u4": ("yes", "adjudicated", "KH"),
                   "u5": ("no", "majority", None)}
    assert list(c["author"]) == ["P01", "P02", "P01", "P03", "P02"]


def test_consensus_unresolved_unit_is_error():
    adj = hand_adjudication()
    adj.loc[1, ["adjudicated_code", "adjudicator"]] = None
    with pytest.raises(InputError, match=r"adj\.csv: unit u3 \(Q3\) has no majority code.*Fix: enter"):
        coding.consensus(hand_ratings(), adj, hand_units())
    with pytest.raises(InputError, match="unit u3"):
        coding.consensus(hand_ratings(), None, hand_units())


def test_adjudication_summary():
    c = coding.consensus(hand_ratings(), hand_adjudication(), hand_units())
    s = coding.adjudication_summary(c)
    assert s.to_dict("records") == [
        {"question": "Q3", "units": 5, "unanimous": 1, "majority": 2, "adjudicated": 2,
         "share_adjudicated": 0.4},
        {"question": "all", "units": 5, "unanimous": 1, "majority": 2, "adjudicated": 2,
         "share_adjudicated": 0.4}]


def test_adjudication_sheet_round_trip(tmp_path):
    cb = make_codebook()
    ratings = hand_ratings()
    files = coding.write_adjudication_sheet(coding.disagreements(ratings), cb, tmp_path,
                                            units=hand_units())
    assert [p.name for p in files] == ["adjudication.xlsx", "adjudication.csv"]
    wb = openpyxl.load_workbook(files[0])
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    assert header == ["unit_id", "question", "text", "code_R1", "code_R2", "code_R3",
                      "adjudicated_code", "adjudicator", "note"]
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"yes,no"' and str(dv.sqref) == "G2:G5"
    ws["G3"], ws["H3"] = "no", "JS"      # u3
    ws["G4"], ws["H4"] = "yes", "KH"     # u4
    wb.save(files[0])
    adj = coding.read_adjudication(files[0], ratings, cb)
    assert list(adj["unit_id"]) == ["u2", "u3", "u4", "u5"]
    assert list(adj["adjudicated_code"].fillna("-")) == ["-", "no", "yes", "-"]
    c = coding.consensus(ratings, adj, hand_units())
    assert list(c["consensus_rule"]) == ["unanimous", "majority", "adjudicated", "adjudicated", "majority"]


@pytest.mark.parametrize("change, message", [
    ({"adjudicated_code": ["", "no", "", ""], "adjudicator": ""},
     "row 3: unit u3 has an adjudicated code but no adjudicator"),
    ({"adjudicated_code": ["", "maybe", "", ""], "adjudicator": "JS"},
     "row 3: unknown code 'maybe' for Q3"),
    ({"code_R1": ["yes", "no", "no", "no"]},
     r"row 3: code_R1 of unit u3 reads 'no' but the ratings say 'yes'"),
    ({"unit_id": ["u2", "u3", "u3", "u5"]}, "row 4: unit u3 appears twice"),
    ({"unit_id": ["u2", "u3", "u9", "u5"]}, "row 4: unit id 'u9' is not a rated unit"),
])
def test_read_adjudication_errors(tmp_path, change, message):
    cb = make_codebook()
    ratings = hand_ratings()
    (path,) = coding.write_adjudication_sheet(coding.disagreements(ratings), cb, tmp_path,
                                              formats=("csv",))
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col, val in change.items():
        df[col] = val
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match=message):
        coding.read_adjudication(path, ratings, cb)


# ------------------------------------------------------------------------------- multi-code

def test_multi_code_normalised_and_presence(tmp_path, unit_table):
    cb = make_codebook(multi_q2=True)
    q2 = list(unit_table.loc[unit_table["question"] == "Q2", "unit_id"])  # IDS 4, 0, 7
    rows = [(q2[0], "Q2", "t", "peer; fun"), (q2[1], "Q2", "t", "need"), (q2[2], "Q2", "t", "fun;fun")]
    ratings = coding.read_sheets([_sheet(tmp_path, rows)], cb, unit_table, min_raters=1)
    got = ratings.set_index("unit_id").loc[q2, "code"].tolist()
    assert got == ["fun;peer", "need", "fun"]  # codebook order, no duplicates
    # per-code presence, as the reliability notebook computes it (sep = coding.SEPARATOR)
    pres = presence_ratings(ratings, "unit_id", "rater", "code", codes=cb.codes("Q2"),
                            sep=coding.SEPARATOR)
    table = {c: df.set_index("unit")["code"].reindex(q2).tolist() for c, df in pres.items()}
    assert table == {"fun": ["1", "0", "1"], "need": ["0", "1", "0"], "peer": ["1", "0", "0"]}
    # the dropdown of a multi-code question accepts free text ("a;b")
    (path,) = coding.write_sheets(unit_table, cb, ["R1"], tmp_path, formats=("xlsx",))["R1"]
    dv = [d for d in openpyxl.load_workbook(path)["coding"].data_validations.dataValidation
          if d.formula1 == '"fun,need,peer"']
    assert len(dv) == 1 and not dv[0].showErrorMessage


# -------------------------------------------------------------------------------------- CLI

def test_cli_sheets_and_adjudication(tmp_path, cb, capsys):
    _cli_inputs(tmp_path, cb)
    posts, cbfile = tmp_path / "posts.parquet", tmp_path / "codebook.yml"
    out = tmp_path / "sheets"
    assert coding.main(["sheets", "--posts", str(posts), "--codebook", str(cbfile),
                        "--raters", "R1,R2,R3", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"rater_R{i}.{f}" for i in (1, 2, 3) for f in ("csv", "xlsx"))
    for r in ("R1", "R2", "R3"):
        fill_csv(out / f"rater_{r}.csv", dict(zip(IDS, CODES[r])))
    assert coding.main(["adjudication", "--posts", str(posts), "--codebook", str(cbfile),
                        "--sheets", str(out / "rater_*.csv"), "--out", str(tmp_path / "adj"),
                        "--formats", "csv"]) == 0
    adj = pd.read_csv(tmp_path / "adj" / "adjudication.csv", dtype=str)
    # units where the three rows of CODES differ: indices 0, 3, 5, 6, 7, 8, 9
    assert sorted(adj["unit_id"]) == sorted(IDS[i] for i in (0, 3, 5, 6, 7, 8, 9))
    capsys.readouterr()
    assert coding.main(["sheets", "--posts", str(tmp_path / "none.parquet"), "--codebook",
                        str(cbfile), "--raters", "R1", "--out", str(out)]) == 2
    assert "processed posts are missing" in capsys.readouterr().err


def test_question_missing_from_codebook(tmp_path, cb):
    posts = make_posts()
    posts.loc[0, "question"] = "Q7"
    with pytest.raises(InputError, match=r"codebook\.yml: the units answer question\(s\) Q7"):
        coding.write_sheets(coding.units(posts), cb, ["R1"], tmp_path)


# ---------------------------------------------------------------- reliability per question
def _long_ratings(cb):
    """CODES as long ratings (unit_id, question, rater, code) of the units of make_posts()."""
    qs = ["Q2", "Q1", "Q3", "Q1", "Q2", "Q1", "Q3", "Q2", "Q1", "Q3"]
    return pd.DataFrame([{"unit_id": IDS[i], "question": qs[i], "rater": r, "code": c}
                         for r, codes in CODES.items() for i, c in enumerate(codes)])


def test_agreement_by_question_per_question_and_unit_weighted_mean(cb):
    res = reliability.agreement_by_question(_long_ratings(cb), cb, bootstrap=0, seed=1)
    pa = res[res["coefficient"] == "percent_agreement"].set_index("question")["estimate"]
    # By hand: share of agreeing rater pairs per unit, averaged over units.
    # Q1 units: all agree; 2 of 3 agree (x3) -> (1 + 1/3 + 1/3 + 1/3) / 4 = 0.5
    # Q2 and Q3: one unanimous unit, two with one agreeing pair -> 5/9 each
    assert pa["Q1"] == pytest.approx(0.5)
    assert pa["Q2"] == pytest.approx(5 / 9) and pa["Q3"] == pytest.approx(5 / 9)
    assert pa["mean"] == pytest.approx((4 * 0.5 + 3 * 5 / 9 + 3 * 5 / 9) / 10)
    assert list(res.columns[:2]) == ["question", "category"] and res["category"].isna().all()
    assert set(res.loc[res["coefficient"] == "fleiss_kappa", "raters"]) == {"R1-R2-R3"}


def test_agreement_by_question_multi_code_question_per_code_and_out_of_the_mean():
    cb = make_codebook(multi_q2=True)
    res = reliability.agreement_by_question(_long_ratings(cb), cb, bootstrap=0, seed=1)
    q2 = res[res["question"] == "Q2"]
    assert set(q2["category"].dropna()) == {"fun", "need", "peer"}
    # one row over the code sets: Krippendorff's alpha with the MASI distance
    sets = q2[q2["category"].isna()]
    assert sets[["coefficient", "level"]].to_numpy().tolist() == [["krippendorff_alpha", "masi"]]
    pa = res[(res["coefficient"] == "percent_agreement") & res["category"].isna()]
    assert pa.set_index("question")["estimate"]["mean"] == pytest.approx((4 * 0.5 + 3 * 5 / 9) / 7)


def test_category_agreement_by_question_labels_single_code_questions(cb):
    res = reliability.category_agreement_by_question(_long_ratings(cb), cb)
    assert list(res.columns[:3]) == ["question", "category", "label"]
    assert list(res["question"].unique()) == ["Q1", "Q2", "Q3"]
    # Q1 "career": R1 once, R2 twice, R3 never -> 3 ratings in the category
    assert res.set_index(["question", "category"]).loc[("Q1", "career"), "n_ratings"] == 3
    assert res.set_index(["question", "category"]).loc[("Q1", "career"), "label"] == "Career"


# ------------------------------------------------------------------------ the set of sheets

def _completed(tmp_path, cb, unit_table, formats):
    """Blank sheets of R1..R3 in tmp_path/coding, completed with CODES; {rater: format}."""
    folder = tmp_path / "coding"
    for r, fmt in formats.items():
        (path,) = coding.write_sheets(unit_table, cb, [r], folder, formats=(fmt,))[r]
        (fill_xlsx if fmt == "xlsx" else fill_csv)(path, dict(zip(IDS, CODES[r])))
    return folder


def test_folder_mixes_xlsx_and_csv_sheets(tmp_path, cb, unit_table):
    folder = _completed(tmp_path, cb, unit_table, {"R1": "xlsx", "R2": "csv", "R3": "xlsx"})
    (folder / "notes.txt").write_text("not a sheet")
    assert [p.name for p in coding.sheet_files(folder)] == ["rater_R1.xlsx", "rater_R2.csv",
                                                            "rater_R3.xlsx"]
    ratings = coding.read_sheets(folder, cb, unit_table)
    pd.testing.assert_frame_equal(ratings, expected_ratings(unit_table))


def test_two_sheets_of_one_rater_is_an_error(tmp_path, cb, unit_table):
    folder = _completed(tmp_path, cb, unit_table, {"R1": "csv", "R2": "csv"})
    coding.write_sheets(unit_table, cb, ["R1"], folder, formats=("xlsx",))
    with pytest.raises(InputError, match=r"rater R1 has two coding sheets: rater_R1\.csv and "
                       r"rater_R1\.xlsx.*Fix: keep one sheet per rater"):
        coding.read_sheets(folder, cb, unit_table)
    (folder / "rater_R1.xlsx").rename(folder / "rater_r1.xlsx")  # the same person
    with pytest.raises(InputError, match="rater r1 has two coding sheets"):
        coding.sheet_files(folder)


def test_fewer_than_two_raters_is_an_error(tmp_path, cb, unit_table):
    folder = _completed(tmp_path, cb, unit_table, {"R1": "csv"})
    with pytest.raises(InputError, match=r"coding sheets of 1 rater\(s\) \(R1\).*at least 2 raters"):
        coding.read_sheets(folder, cb, unit_table)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="the folder holds no coding sheet"):
        coding.read_sheets(empty, cb, unit_table)


def test_a_question_nobody_coded_twice_is_an_error(tmp_path, cb, unit_table):
    folder = _completed(tmp_path, cb, unit_table, {"R1": "csv", "R2": "csv"})
    path = folder / "rater_R2.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[df["question"] == "Q3", "code"] = ""  # R2 left every Q3 answer (3 units) uncoded
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"no unit of Q3 was coded by two or more raters \(codes "
                       r"per rater: R1: 3, R2: 0\)"):
        coding.read_sheets(folder, cb, unit_table)


def test_workbook_split_over_two_sheets_reads_both(tmp_path, cb, unit_table):
    folder = _completed(tmp_path, cb, unit_table, {"R1": "xlsx", "R2": "csv"})
    path = folder / "rater_R1.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["coding"]
    rest = wb.create_sheet("more")
    rest.append([c.value for c in ws[1]])
    for row in list(ws.iter_rows(min_row=8, values_only=True)):
        rest.append(list(row))
    ws.delete_rows(8, ws.max_row)
    wb.save(path)
    ratings = coding.read_sheets(folder, cb, unit_table)
    assert ratings["code"].notna().all() and len(ratings) == 20
    # a unit in both sheets names both places
    rest.append([c.value for c in ws[2]])
    wb.save(path)
    with pytest.raises(InputError, match=r"rater_R1\.xlsx, sheet more, row \d+: unit \d+ appears "
                       r"twice for rater R1 \(first in .*rater_R1\.xlsx, sheet coding, row 2\)"):
        coding.read_sheets(folder, cb, unit_table)


@pytest.mark.parametrize("token", ["NA", "N/A", "n/a", "NaN", "null", " na ", ""])
def test_missing_tokens_are_uncoded(tmp_path, cb, unit_table, token):
    rows = [(u, q, "t", token if u == IDS[3] else CODES["R1"][IDS.index(u)])
            for u, q in zip(unit_table["unit_id"], unit_table["question"])]
    ratings = coding.read_sheets([_sheet(tmp_path, rows)], cb, unit_table, min_raters=1)
    assert coding.uncoded(ratings).to_dict("records") == [
        {"unit_id": IDS[3], "question": "Q1", "rater": "R1"}]


def test_codebook_code_may_not_read_as_missing():
    from tweetstorm.codebook import parse

    with pytest.raises(InputError, match=r"categories\[1\]\.code 'na' reads as a missing value"):
        parse({"questions": {"Q1": {"label": "L", "prompt": "P", "multi_code": False,
                                    "categories": [_cat("yes"), _cat("na")]}}})


def test_adjudication_missing_tokens_and_xlsx_sheet(tmp_path):
    cb = make_codebook()
    ratings = hand_ratings()
    (path,) = coding.write_adjudication_sheet(coding.disagreements(ratings), cb, tmp_path,
                                              formats=("csv",))
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["adjudicated_code"] = ["N/A", "no", "yes", "null"]
    df["adjudicator"] = ["NA", "JS", "KH", ""]
    df["note"] = ["n/a", "NaN", "close call", ""]
    df.to_csv(path, index=False)
    adj = coding.read_adjudication(path, ratings, cb)
    assert adj["adjudicated_code"].isna().tolist() == [True, False, False, True]
    assert adj["adjudicator"].isna().tolist() == [True, False, False, True]
    assert adj["note"].fillna("-").tolist() == ["-", "-", "close call", "-"]


def test_describe_adjudication_sentences():
    s = coding.adjudication_summary(coding.consensus(hand_ratings(), hand_adjudication(), hand_units()))
    # 5 units: 1 unanimous (20%), 2 majority (40%), 2 adjudicated (40%), all in Q3
    assert coding.describe_adjudication(s) == (
        "Of 5 units, 1 (20.0%) were coded unanimously, 2 (40.0%) took the majority code and 2 "
        "(40.0%) were adjudicated; the most adjudication was needed for Q3 (40.0% of its units).")
    assert coding.describe_adjudication(s, per_question=False) == (
        "1 of 5 units (20.0%) were coded unanimously, 2 took the majority code, and 2 (40.0%) were "
        "decided by adjudication.")


def test_package_api_is_complete():
    import types

    import tweetstorm.coding as pkg

    public = {n for n, v in vars(pkg).items()
              if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert set(pkg.__all__) == public
    # the functions, not the submodules of the same name
    assert callable(pkg.units) and callable(pkg.consensus) and callable(pkg.read_sheets)


# -------------------------------------------------------------------- CLI: inputs are sacred

def _cli_inputs(tmp_path, cb):
    posts = tmp_path / "posts.parquet"
    make_posts().to_parquet(posts)
    cbfile = tmp_path / "codebook.yml"
    cbfile.write_text(yaml.safe_dump({"questions": {q: {
        "label": cb.question(q).label, "prompt": cb.prompt(q), "multi_code": cb.multi_code(q),
        "categories": [_cat(c) for c in cb.codes(q)]} for q in cb.questions()}}))
    return ["--posts", str(posts), "--codebook", str(cbfile)]


def test_cli_refuses_out_inside_its_inputs(tmp_path, cb, unit_table, capsys):
    args = _cli_inputs(tmp_path, cb)
    folder = _completed(tmp_path, cb, unit_table, {"R1": "csv", "R2": "csv", "R3": "csv"})
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for out in (folder, folder / "sub"):
        assert coding.main(["adjudication", *args, "--sheets", str(folder), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "--out" in err and "input" in err and err.count("\n") == 1
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert coding.main(["sheets", *args, "--raters", "R1", "--out", str(tmp_path / "s"),
                        "--formats", "pdf"]) == 2
    assert "--formats" in capsys.readouterr().err


def test_cli_writes_atomically_and_never_traces(tmp_path, cb, capsys, monkeypatch):
    args = _cli_inputs(tmp_path, cb)
    out = tmp_path / "sheets"
    assert coding.main(["sheets", *args, "--raters", "R1", "--out", str(out)]) == 0
    good = (out / "rater_R1.csv").read_bytes()
    from tweetstorm.coding import sheets_out

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sheets_out, "ExcelWriter", boom)
    assert coding.main(["sheets", *args, "--raters", "R1", "--out", str(out), "--seed", "7"]) == 1
    err = capsys.readouterr().err
    assert "unexpected RuntimeError: disk full" in err and "Traceback" not in err
    assert (out / "rater_R1.csv").read_bytes() == good  # the earlier file stands
    assert sorted(p.name for p in out.iterdir()) == ["rater_R1.csv", "rater_R1.xlsx"]  # no temp left


# --------------------------------------------------- notebook 02: raw inputs checked first

@pytest.mark.slow  # starts a kernel
@pytest.mark.illustrative
@pytest.mark.parametrize("bad", ["case", "two_files"])
def test_notebook_02_names_the_raw_sheet_and_writes_nothing(tmp_path, bad):
    papermill = pytest.importorskip("papermill")
    from tweetstorm import paths

    sheets = tmp_path / "coding"
    sheets.mkdir()
    for src in sorted((paths.RAW / "coding").glob("rater_*.csv")):
        (sheets / src.name).write_bytes(src.read_bytes())
    if bad == "case":  # R2's first code written with a capital letter
        df = pd.read_csv(sheets / "rater_R2.csv", dtype=str, keep_default_na=False)
        intended = df.loc[0, "code"]
        df.loc[0, "code"] = intended.capitalize()
        df.to_csv(sheets / "rater_R2.csv", index=False)
        want = (f"rater_R2.csv, row 2: code {intended.capitalize()!r} in column code differs from "
                f"the codebook's {intended!r}")
    else:  # R3 saved the sheet a second time as a workbook
        df = pd.read_csv(sheets / "rater_R3.csv", dtype=str, keep_default_na=False)
        df.to_excel(sheets / "rater_R3.xlsx", index=False)
        want = "rater R3 has two coding sheets: "
    outputs = {"ratings_out": str(tmp_path / "out" / "ratings.parquet"),
               "consensus_out": str(tmp_path / "out" / "consensus.parquet")}
    from tweetstorm import study as study_file

    # the study file names the coding-sheet folder: a copy of the shipped one pointing at the bad sheets
    study_path = tmp_path / "study.yml"
    shipped = study_file.load()
    study_path.write_text(study_file.dump(dataclasses.replace(shipped, coding_sheets=str(sheets))),
                          encoding="utf-8")
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(
            str(paths.ROOT / "notebooks" / "02-coding.ipynb"), str(tmp_path / "run.ipynb"),
            parameters={"study_path": str(study_path), **outputs},
            kernel_name="python3", progress_bar=False, cwd=str(paths.ROOT))
    assert want in str(err.value.evalue), str(err.value.evalue)
    assert "data/processed" not in str(err.value.evalue)
    assert not (tmp_path / "out").exists()  # nothing written


# ------------------------------------------------------------------ sentences for the reader

def test_units_sentence_by_hand(unit_table):
    # make_posts: 10 answers with a question by P01..P04, one answer without a question
    unassigned = coding.unassigned_answers(make_posts())
    assert coding.units_sentence(unit_table, unassigned) == (
        "10 answers are coding units, by 4 participants. 1 further answer had no question and is not coded.")
    assert coding.units_sentence(unit_table.iloc[:1], unassigned.iloc[:0]) == (
        "1 answer is a coding unit, by 1 participant. Every answer was assigned to a question.")


def test_ratings_sentence_counts_codes_and_uncoded_ratings():
    ratings = pd.DataFrame({"unit_id": ["1", "1", "2", "2"], "question": "Q1", "rater": ["R2", "R1", "R2", "R1"],
                            "code": ["a", "a", None, "b"]})
    assert coding.ratings_sentence(ratings, 2) == (
        "2 raters (R1, R2) gave 3 codes to 2 units. 1 rating is missing (uncoded), listed below.")
    assert coding.ratings_sentence(ratings.iloc[[0, 1]], 1) == (
        "2 raters (R1, R2) gave 2 codes to 1 unit. No rater left a unit uncoded.")


def test_multi_code_sentence_names_the_questions():
    assert coding.multi_code_sentence(make_codebook()).startswith("Every question takes exactly one code")
    assert coding.multi_code_sentence(make_codebook(multi_q2=True)).startswith(
        "Question Q2 allows several codes per answer (separated by `;`)")


def test_disagreement_and_todo_sentences():
    disagree = pd.DataFrame({"unit_id": ["1", "2", "3"]})
    adjudication = pd.DataFrame({"unit_id": ["1", "2", "3"], "adjudicated_code": ["a", None, "b"]})
    assert coding.disagreement_sentence(disagree, 10, adjudication) == (
        "The raters were not unanimous on 3 of 10 units; the adjudication sheet has 3 rows, 2 with an "
        "adjudicated code.")
    assert coding.disagreement_sentence(disagree, 10, None).endswith("sheet has 0 rows, 0 with an adjudicated code.")
    assert coding.adjudication_todo_sentence(disagree.iloc[:1], "build/todo.csv") == (
        "The study has no adjudication file yet: 1 unit has neither unanimity nor a majority; it is listed "
        "in `build/todo.csv` (the adjudication file's columns, ready to fill in) and left out of the "
        "consensus until it is decided.")
    assert coding.adjudication_todo_sentence(disagree, "t.csv").startswith(
        "The study has no adjudication file yet: 3 units have neither unanimity nor a majority; they are")
