"""Tests of tweetstorm.cells: spreadsheet cells, ids, near-duplicate codes and table reading.

Expected values are written out by hand: what Excel shows for a long number, which sheets of a
workbook hold the expected columns, which cells hold formulas.
"""

from __future__ import annotations

import datetime

import openpyxl
import pytest

from tweetstorm import cells
from tweetstorm.errors import InputError


@pytest.mark.parametrize("value, text", [
    (None, ""), (float("nan"), ""), ("  a b ", "a b"), (7, "7"), (True, "True"),
    (2.0, "2.0"), (1.2345678901234568e17, "1.2345678901234568E+17"),
    (datetime.date(2013, 6, 1), "2013-06-01"),
])
def test_cell_text(value, text):
    assert cells.cell_text(value) == text


@pytest.mark.parametrize("value, known, mangled", [
    (1.2345678901234568e17, (), True),            # a number cell: ids are text
    ("1.23457E+17", (), True),                    # Excel's display of an 18-digit id
    ("1,23457E+17", (), True),                    # ... in a decimal-comma locale
    ("123456789012345605.0", (), True),           # a float written out in full
    ("1,234,567", (), True),                      # thousands separators
    ("123456789012346000", ("123456789012345605",), True),  # rounded to 15 digits
    ("123456789012346000", ("123456789012399999",), False),  # not a rounding of a known id
    ("123456789012345605", ("123456789012345605",), False),
    ("u17", (), False), (17, (), False),
])
def test_mangled_id(value, known, mangled):
    assert cells.mangled_id(value, known) is mangled


def test_scientific_only():
    assert cells.looks_mangled("12.0") and not cells.looks_mangled("12.0", decimals=False)
    assert cells.looks_mangled("1.2E+17", decimals=False)


def test_parse_id_is_the_ingest_rule():
    from tweetstorm.ingest.formats import _sheet

    assert _sheet.parse_id is cells.parse_id
    assert cells.parse_id("1.63564E+18") == ("1635640000000000000", False)
    assert cells.parse_id(1234.0) == ("1234", True)
    assert cells.parse_id("  ") == (None, True)


def test_near_match_and_duplicates():
    assert cells.near_match("Yes", ["yes", "no"]) == "yes"
    assert cells.near_match(" no ", ["yes", "no"]) == "no"
    assert cells.near_match("yes", ["yes", "no"]) is None
    assert cells.near_match("maybe", ["yes", "no"]) is None
    assert cells.near_duplicates(["b", "B", "yes", "yes ", "no", "", None, "no"]) == [
        ["B", "b"], ["yes", "yes "]]
    assert cells.near_duplicates(["a", "b"]) == []


def _workbook(path, sheets):
    """sheets: {title: rows}; returns path."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_read_table_every_sheet_with_the_columns(tmp_path):
    path = _workbook(tmp_path / "w.xlsx", {
        "first": [["unit", "code"], ["u1", "a"], [None, None], ["u2", "b"]],
        "notes": [["read me"], ["nothing to see"]],
        "second": [["unit", "code", "extra"], ["u3", "c", "x"]],
    })
    table = cells.read_table(path, "w.xlsx", ("unit", "code"))
    assert table.sheets == ["first", "second"]
    assert table.header == ["unit", "code", "extra"]
    got = [(r.sheet, r.row, r.cells["unit"], r.cells["code"]) for r in table.records]
    assert got == [("first", 2, "u1", "a"), ("first", 4, "u2", "b"), ("second", 2, "u3", "c")]
    assert table.records[2].where("w.xlsx") == "w.xlsx, sheet second"
    one = cells.read_table(path, "w.xlsx", ("unit", "code"), sheet="second")
    assert [r.cells["unit"] for r in one.records] == ["u3"]


def test_read_table_errors_name_the_sheets(tmp_path):
    path = _workbook(tmp_path / "w.xlsx", {"a": [["x", "y"], [1, 2]], "b": [["unit"]]})
    with pytest.raises(InputError, match=r"w\.xlsx: no sheet has the column\(s\) unit, code in its "
                       r"first row \(sheets: a \(x, y\); b \(unit\)\)\. Fix: pass the sheet"):
        cells.read_table(path, "w.xlsx", ("unit", "code"))
    with pytest.raises(InputError, match=r"no sheet 'c' \(sheets: a, b\)"):
        cells.read_table(path, "w.xlsx", ("unit",), sheet="c")
    with pytest.raises(InputError, match=r"w\.xlsx, sheet b, row 1: missing column\(s\) code"):
        cells.read_table(path, "w.xlsx", ("unit", "code"), sheet="b")


def test_read_table_formula_without_saved_value(tmp_path):
    path = _workbook(tmp_path / "rater_R1.xlsx", {"coding": [
        ["unit_id", "question", "text", "code"], ["1", "Q1", "t", "a"], ["2", "Q1", "t", "a"],
        ["3", "Q1", "t", "a"], ["4", "Q1", "t", '=IF(A5="4","a","b")'], ["5", "Q1", "t", "a"],
        ["6", "Q1", "t", "a"], ["7", "Q1", "t", "a"], ["8", "Q1", "t", "=D2"]]})
    with pytest.raises(InputError) as err:
        cells.read_table(path, "rater_R1.xlsx", ("unit_id",))
    assert str(err.value).startswith("rater_R1.xlsx, sheet coding: formula cells without a saved "
                                     "value: cells D5, D9. Fix: open the workbook")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_read_table_damaged_workbook_is_one_line(tmp_path, damage):
    good = _workbook(tmp_path / "good.xlsx", {"s": [["unit", "code"], ["u1", "a"]]})
    data = good.read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"not a zip at all",
                     "empty": b""}[damage])
    with pytest.raises(InputError) as err:
        cells.read_table(bad, "bad.xlsx", ("unit",))
    assert "not a readable .xlsx workbook" in str(err.value) and "\n" not in str(err.value)


def test_read_table_csv_with_bom_and_unknown_types(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbfunit,code\nu1,NA\n")
    table = cells.read_table(path, "r.csv", ("unit",))
    assert table.header == ["unit", "code"] and table.records[0].cells == {"unit": "u1", "code": "NA"}
    assert table.records[0].row == 2 and table.records[0].sheet is None
    for name, message in (("r.xls", r"\.xls workbooks cannot be read"),
                          ("r.pdf", "unsupported file type .pdf"),
                          ("none.csv", "file not found")):
        if name != "none.csv":
            (tmp_path / name).write_bytes(b"x")
        with pytest.raises(InputError, match=message):
            cells.read_table(tmp_path / name, name)
    with pytest.raises(InputError, match="a CSV file has no sheets"):
        cells.read_table(path, "r.csv", sheet="coding")


def test_csv_rows_numbered_as_a_spreadsheet_and_header_twice(tmp_path):
    path = tmp_path / "r.csv"
    # a blank line keeps its row number; a quoted cell over two lines is one row
    path.write_text('unit,code\n\nu1,a\n"u2","two\nlines"\nu3,b\n', encoding="utf-8")
    table = cells.read_table(path, "r.csv")
    assert [(r.row, r.cells["unit"]) for r in table.records] == [(3, "u1"), (4, "u2"), (5, "u3")]
    path.write_text("unit,code,code\nu1,a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"r\.csv, row 1: column name\(s\) used twice in the "
                                         r"header: code"):
        cells.read_table(path, "r.csv")
    book = _workbook(tmp_path / "w.xlsx", {"s": [["unit", "code", "unit"], ["u1", "a", "u9"]]})
    with pytest.raises(InputError, match=r"w\.xlsx, row 1: column name\(s\) used twice .*: unit"):
        cells.read_table(book, "w.xlsx", ("unit",))
