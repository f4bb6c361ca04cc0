"""The one missing-column check names the file, the columns and the fix."""

import pandas as pd
import pytest

from tweetstorm.errors import InputError, require_columns


def test_require_columns_names_what_is_missing_and_where():
    df = pd.DataFrame({"unit": [1], "rater": ["R1"]})
    require_columns(df.columns, ["unit", "rater"], "ratings.csv", "add them")  # all there: silent
    with pytest.raises(InputError) as err:
        require_columns(df.columns, ["unit", "code", "rater", "note"], "ratings.csv", "add them", row=1)
    assert str(err.value) == "ratings.csv, row 1: missing column(s) code, note. Fix: add them"


def test_require_columns_can_show_the_columns_found():
    with pytest.raises(InputError, match=r"missing column\(s\) code \(found: unit, rater\)"):
        require_columns(["unit", "", "rater"], ["code"], "sheet.csv", "add it", show_found=True)
    with pytest.raises(InputError, match=r"\(found: none\)"):
        require_columns([], ["code"], "sheet.csv", "add it", show_found=True)
