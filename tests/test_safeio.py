"""The shared guards: outputs never overwrite inputs, writes are atomic, errors pickle, one NA rule."""

import os
import pickle

import pytest

from tweetstorm import cli, missing
from tweetstorm.errors import InputError, ParameterError
from tweetstorm.safeio import atomic_open, atomic_path, refuse_inputs_as_outputs


def test_output_equal_to_an_input_is_refused(tmp_path):
    raw = tmp_path / "export.jsonl"
    raw.write_text("x\n")
    with pytest.raises(ParameterError, match=r"^-o: .*is the input"):
        refuse_inputs_as_outputs({"-o": raw}, [raw])
    assert raw.read_text() == "x\n"


def test_symlink_and_hard_link_to_an_input_are_refused(tmp_path):
    raw = tmp_path / "export.jsonl"
    raw.write_text("x\n")
    (tmp_path / "link").symlink_to(raw)
    os.link(raw, tmp_path / "hard")
    for name in ("link", "hard"):
        with pytest.raises(ParameterError, match="is the input"):
            refuse_inputs_as_outputs({"--rejects": tmp_path / name}, [raw])


def test_output_inside_an_input_folder_is_refused_and_others_pass(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    with pytest.raises(ParameterError, match="lies inside the input"):
        refuse_inputs_as_outputs({"--report": folder / "report.csv"}, [folder])
    refuse_inputs_as_outputs({"-o": tmp_path / "out.parquet", "--report": None}, [folder])


def test_atomic_write_leaves_the_old_file_on_a_crash(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as fh:
            fh.write("half")
            raise RuntimeError("crash")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    with atomic_path(target) as tmp:
        tmp.write_text("new\n")
    assert target.read_text() == "new\n"


def test_a_folder_as_output_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError, match="is a folder"):
        with atomic_open(tmp_path):
            pass


def test_errors_pickle_with_every_field():
    err = InputError("a.csv", "bad", "fix it", line=3, raw='{"id": 1}')
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.line, back.raw) == (str(err), 3, '{"id": 1}')
    perr = pickle.loads(pickle.dumps(ParameterError("--sheet", "no such sheet", "name one")))
    assert str(perr) == "--sheet: no such sheet. Fix: name one"


@pytest.mark.parametrize("cell", ["", " ", "NA", "na", "N/A", "n/a", "NaN", "nan", "null", "NULL", None,
                                  float("nan")])
def test_missing_tokens(cell):
    assert missing.is_missing(cell)


@pytest.mark.parametrize("cell", ["0", "none?", "B", "NAB", "n.a."])
def test_not_missing(cell):
    assert not missing.is_missing(cell)


def test_pandas_na_values_cover_the_tokens():
    lowered = {v.lower() for v in missing.PANDAS_NA_VALUES}
    assert lowered == missing.MISSING_TOKENS - {""}
    assert {"NA", "N/A", "n/a", "NaN", "null"} <= set(missing.PANDAS_NA_VALUES)


def test_cli_run_turns_errors_into_one_line(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "trace_file", lambda prog: tmp_path / "errors" / f"{prog}.txt")

    def bad_input():
        raise InputError("x.csv", "broken", "mend it", row=2)

    def bug():
        raise KeyError("boom")

    assert cli.run(bad_input, "t") == 2
    assert capsys.readouterr().err == "error: x.csv, row 2: broken. Fix: mend it\n"
    assert cli.run(bug, "t") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected KeyError" in err and "Traceback" not in err
    assert "KeyError: 'boom'" in (tmp_path / "errors" / "t.txt").read_text()


def test_csv_floats_have_twelve_significant_digits(tmp_path):
    import pandas as pd

    from tweetstorm.safeio import write_csv

    write_csv(pd.DataFrame({"se": [0.12544047292677205, 0.125440472926772], "n": [1, 2]}), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text() == "se,n\n0.125440472927,1\n0.125440472927,2\n"


# ------------------------------------------------------------------------- the one CSV writer

def test_csv_writer_file_parts_and_text_agree(tmp_path):
    import pandas as pd

    from tweetstorm.safeio import csv_text, write_csv, write_csv_parts

    df = pd.DataFrame({"name": ["é", None], "x": [1 / 3, 2.0], "n": [1, 2]})
    whole = write_csv(df, tmp_path / "a.csv").read_bytes()
    # 12 significant digits, "\n" line ends, UTF-8 (two bytes for é), no index
    assert whole == "name,x,n\né,0.333333333333,1\n,2,2\n".encode()
    parts = write_csv_parts((df.iloc[[i]] for i in range(len(df))), tmp_path / "b.csv", df.columns)
    assert parts.read_bytes() == whole and csv_text(df).encode() == whole
    empty = write_csv_parts(iter([]), tmp_path / "c.csv", ["name", "x"])
    assert empty.read_bytes() == b"name,x\n"


def test_a_failed_streaming_write_leaves_no_file(tmp_path):
    import pandas as pd

    from tweetstorm.safeio import write_csv_parts

    def parts():
        yield pd.DataFrame({"a": [1]})
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError):
        write_csv_parts(parts(), tmp_path / "t.csv", ["a"])
    assert list(tmp_path.iterdir()) == []


def test_no_module_writes_csv_but_safeio():
    import re

    from tweetstorm import paths

    src = paths.ROOT / "src" / "tweetstorm"
    writers = sorted(p.relative_to(src).as_posix() for p in src.rglob("*.py")
                     if re.search(r"\.to_csv\(", p.read_text(encoding="utf-8")))
    assert writers == ["safeio.py"]
