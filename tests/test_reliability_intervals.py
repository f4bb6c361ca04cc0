"""Intervals as the reference tools print them, the bootstrap columns, bounded-memory chunks,
the registry, and agreement per group on the command line.

Published values: irrCAC README (github.com/kgwet/irrCAC, README.md: the ``*.table`` functions on
cont3x3abstractors, the ``*.dist`` functions on distrib.6raters, the ``*.raw`` functions on
cac.raw4raters; each prints coeff.ci rounded to 3 decimals); SAS PROC FREQ as in
test_reliability_published.py.
"""

from __future__ import annotations

import importlib
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tweetstorm.reliability import (
    COEFFICIENTS,
    INTERVALS,
    REGISTRY,
    RatingMatrix,
    agreement,
)
from tweetstorm.reliability import coefficients as cf
from tweetstorm.reliability.__main__ import main

# the module (the package's attribute ``agreement`` is the function)
agreement_module = importlib.import_module("tweetstorm.reliability.agreement")

from test_reliability_published import (  # noqa: E402  (tests/ is on sys.path)
    CONT3X3,
    DISTRIB_6RATERS,
    KRIPPENDORFF_2011,
    long_from_rows,
    long_from_table,
    matrix_from_distribution,
    row,
)


def _ci(res, name):
    r = row(res, name)
    return round(r["ci_low"], 3), round(r["ci_high"], 3)


def test_irrcac_table_intervals():
    # irrCAC README: pa2.table (0.828,0.952), gwet.ac1.table (0.764,0.935),
    # bp2.table (0.742,0.928), scott2.table (0.679,0.913), on cont3x3abstractors (n = 100)
    res = agreement(long_from_table(CONT3X3), bootstrap=0)
    assert _ci(res, "percent_agreement") == (0.828, 0.952)
    assert _ci(res, "gwet_ac1") == (0.764, 0.935)
    assert _ci(res, "brennan_prediger") == (0.742, 0.928)
    assert _ci(res, "scott_pi") == (0.679, 0.913)
    for name in ("percent_agreement", "gwet_ac1", "brennan_prediger", "scott_pi", "fleiss_kappa"):
        assert row(res, name)["ci_method"] == "t"


def test_irrcac_raw_intervals_cut_at_one():
    # irrCAC README on cac.raw4raters (12 subjects, t with 11 df): pa.coeff.raw (0.542,1),
    # gwet.ac1.raw (0.461,1), fleiss.kappa.raw (0.424,1), bp.coeff.raw (0.454,1)
    res = agreement(long_from_rows(KRIPPENDORFF_2011), bootstrap=0)
    assert _ci(res, "percent_agreement") == (0.542, 1.0)
    assert _ci(res, "gwet_ac1") == (0.461, 1.0)
    assert _ci(res, "fleiss_kappa") == (0.424, 1.0)
    assert _ci(res, "brennan_prediger") == (0.454, 1.0)
    # no analytic interval for Conger, Krippendorff and Light: none without a bootstrap
    for name in ("conger_kappa", "krippendorff_alpha", "light_kappa"):
        assert math.isnan(row(res, name)["ci_low"]) and pd.isna(row(res, name)["ci_method"])


def test_irrcac_distribution_intervals():
    # irrCAC README on distrib.6raters (15 subjects): gwet.ac1.dist (0.264,0.625),
    # fleiss.kappa.dist (0.24,0.588), bp.coeff.dist (0.261,0.617)
    res = agreement(matrix_from_distribution(DISTRIB_6RATERS), bootstrap=0)
    assert _ci(res, "gwet_ac1") == (0.264, 0.625)
    assert _ci(res, "fleiss_kappa") == (0.24, 0.588)
    assert _ci(res, "brennan_prediger") == (0.261, 0.617)


def test_two_rater_se_uses_the_table_divisor_only_on_complete_data():
    # Complete two-rater data: SE^2 with divisor n = raw-data SE^2 (divisor n (n - 1)) * (n-1)/n.
    rows = [["a", "a"], ["a", "b"], ["b", "b"], ["c", "c"], ["a", "a"], ["b", "c"]]
    res = agreement(long_from_rows(rows), bootstrap=0)
    rm = agreement_module.as_matrix(long_from_rows(rows))
    for name, kind in (("gwet_ac1", "ac1"), ("percent_agreement", "percent"),
                       ("brennan_prediger", "bp"), ("fleiss_kappa", "fleiss")):
        _, raw = cf.gwet_se(rm.counts(), np.eye(3), kind)
        assert row(res, name)["se"] == pytest.approx(raw * math.sqrt(5 / 6)), name
    # a missing rating: raw-data form (irrCAC *.raw), no table factor
    missing = rows + [["a", ""]]
    res = agreement(long_from_rows(missing), bootstrap=0)
    rm = agreement_module.as_matrix(long_from_rows(missing))
    _, raw = cf.gwet_se(rm.counts(), np.eye(3), "ac1")
    assert row(res, "gwet_ac1")["se"] == pytest.approx(raw)
    t = stats.t.ppf(0.975, rm.n_units - 1)
    r = row(res, "gwet_ac1")
    assert r["ci_low"] == pytest.approx(r["estimate"] - t * raw)


def test_bootstrap_columns_by_explicit_resamples():
    # boot_low/boot_high: percentiles of the coefficient over resamples whose unit indices are
    # the successive integers(0, n, n) draws of default_rng(seed), recomputed here one by one.
    rng0 = np.random.default_rng(0)
    codes = np.where(rng0.random((40, 3)) < 0.6, rng0.integers(0, 3, 40)[:, None],
                     rng0.integers(0, 3, (40, 3)))
    rm = RatingMatrix(codes, list(range(40)), ["A", "B", "C"], ["x", "y", "z"])
    res = agreement(rm, bootstrap=30, seed=5)
    rng = np.random.default_rng(5)
    reps = {name: [] for name in ("fleiss_kappa", "krippendorff_alpha", "conger_kappa")}
    for _ in range(30):
        idx = rng.integers(0, 40, size=40)
        one = agreement(RatingMatrix(codes[idx], list(range(40)), rm.raters, rm.categories),
                        bootstrap=0)
        for name in reps:
            reps[name].append(row(one, name)["estimate"])
    for name, values in reps.items():
        lo, hi = np.percentile(values, [2.5, 97.5])
        assert row(res, name)["boot_low"] == pytest.approx(lo, abs=1e-12), name
        assert row(res, name)["boot_high"] == pytest.approx(hi, abs=1e-12), name
    # where no analytic interval exists, ci is the bootstrap interval
    assert row(res, "conger_kappa")["ci_low"] == row(res, "conger_kappa")["boot_low"]
    assert row(res, "conger_kappa")["ci_method"] == "bootstrap"
    # where one exists, ci is analytic and differs from the bootstrap interval
    f = row(res, "fleiss_kappa")
    t = stats.t.ppf(0.975, 39)
    assert f["ci_low"] == pytest.approx(f["estimate"] - t * f["se"])
    assert f["ci_low"] != f["boot_low"]


def test_bootstrap_does_not_depend_on_the_chunk_size(monkeypatch):
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 4, (300, 3))
    rm = RatingMatrix(codes, list(range(300)), ["A", "B", "C"], list("abcd"))
    a = agreement_module.bootstrap_replicates(rm, n_boot=50, seed=2)
    monkeypatch.setattr(agreement_module, "CHUNK_BYTES", 8 * 300 * 3)  # 3 resamples per chunk
    assert agreement_module.chunk_size(300) == 3
    b = agreement_module.bootstrap_replicates(rm, n_boot=50, seed=2)
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=0, atol=1e-12, equal_nan=True)


def test_chunk_size_bounds_memory():
    # 1,000,000 feature rows: 8 resamples of float64 multiplicities = 64 MiB per chunk
    assert agreement_module.chunk_size(1_000_000) == 8
    assert agreement_module.chunk_size(100) == agreement_module.BLOCK
    assert agreement_module.chunk_size(10**9) == 1


def test_registry_drives_agreement():
    assert COEFFICIENTS == tuple(REGISTRY)
    for name, c in REGISTRY.items():
        assert c.name == name and c.reference and c.label
        assert c.interval is None or c.interval in INTERVALS
        assert (c.interval is None) == (c.se is None)
    # the coefficients without an analytic interval are exactly Conger, Krippendorff and Light
    assert {n for n, c in REGISTRY.items() if c.interval is None} == {
        "conger_kappa", "krippendorff_alpha", "light_kappa"}
    assert {n for n, c in REGISTRY.items() if c.pairwise} == {"cohen_kappa", "scott_pi"}


def test_cli_by_group(tmp_path, capsys):
    a = long_from_rows([["a", "a"], ["a", "b"], ["b", "b"], ["c", "c"]]).assign(question="Q1")
    b = long_from_rows([["x", "x"], ["y", "x"], ["y", "y"]]).assign(question="Q2")
    b["unit"] = "b" + b["unit"]
    path = tmp_path / "ratings.csv"
    pd.concat([b, a]).to_csv(path, index=False)
    assert main([str(path), "--by", "question", "--format", "json", "--bootstrap", "0"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["by"] == "question"
    assert [g["group"] for g in obj["groups"]] == ["Q1", "Q2"]
    assert [g["n_units"] for g in obj["groups"]] == [4, 3]
    recs = {(r["group"], r["coefficient"]): r for r in obj["coefficients"]}
    assert recs[("Q1", "percent_agreement")]["estimate"] == pytest.approx(0.75)
    assert recs[("Q2", "percent_agreement")]["estimate"] == pytest.approx(2 / 3)
    assert recs[("Q1", "cohen_kappa")]["estimate"] == pytest.approx(7 / 11)
    assert recs[("Q1", "cohen_kappa")]["boot_low"] is None
    assert main([str(path), "--by", "question", "--format", "csv", "--bootstrap", "0"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0].startswith("group,coefficient,") and csv[0].endswith("boot_low,boot_high")
    assert csv[1].startswith("Q1,percent_agreement,identity,,R1;R2,0.75,")
    assert main([str(path), "--by", "question", "--bootstrap", "0"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("question = Q1\n4 units, 2 raters")
    assert "\n\nquestion = Q2\n3 units, 2 raters" in table
    assert main([str(path), "--by", "nope", "--bootstrap", "0"]) == 2
    assert "no column 'nope' to group by" in capsys.readouterr().err


def test_cli_without_by_has_the_new_columns(tmp_path, capsys):
    path = tmp_path / "r.csv"
    long_from_rows([["a", "a"], ["a", "b"], ["b", "b"], ["c", "c"]]).to_csv(path, index=False)
    assert main([str(path), "--format", "json", "--bootstrap", "20"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert "group" not in obj["coefficients"][0] and obj["n_units"] == 4
    assert {"boot_low", "boot_high", "ci_method"} <= set(obj["coefficients"][0])


def test_rating_patterns_and_weighted_se():
    codes = np.array([[0, 1], [1, 1], [0, 1], [-1, 2], [1, 1]])
    patterns, inverse, freq = cf.rating_patterns(codes)
    np.testing.assert_array_equal(patterns[inverse], codes)
    assert sorted(freq.tolist()) == [1, 2, 2] and freq.sum() == 5
    counts = np.zeros((5, 3))
    for i, row_ in enumerate(codes):
        for c in row_[row_ >= 0]:
            counts[i, c] += 1
    for kind in ("percent", "fleiss", "ac1", "bp"):
        assert cf.gwet_se(counts[np.unique(inverse, return_index=True)[1]], np.eye(3), kind,
                          freq) == pytest.approx(cf.gwet_se(counts, np.eye(3), kind)), kind


@pytest.mark.parametrize("name", ["fleiss_kappa", "krippendorff_alpha", "percent_agreement"])
def test_bca_interval_equals_scipy(name):
    # scipy.stats.bootstrap(method="BCa") draws its resamples as integers(0, n, (B, n)) of the
    # generator, the same indices as ours; its jackknife leaves out each unit in turn.
    rng0 = np.random.default_rng(4)
    codes = np.where(rng0.random((50, 3)) < 0.6, rng0.integers(0, 3, 50)[:, None],
                     rng0.integers(0, 3, (50, 3)))
    rm = RatingMatrix(codes, list(range(50)), ["A", "B", "C"], ["x", "y", "z"])
    res = agreement(rm, bootstrap=400, seed=9, boot_method="bca")
    d = agreement_module._data(rm, "identity", "nominal", None)
    P = d.S.shape[0]

    def statistic(idx, axis=-1):
        flat = idx.reshape(-1, idx.shape[-1])
        mult = np.stack([np.bincount(d.pattern[r], minlength=P) for r in flat]).astype(float)
        return REGISTRY[name].replicates(d, cf.column_sums(d.S, mult)).reshape(idx.shape[:-1])

    ref = stats.bootstrap((np.arange(50),), statistic, n_resamples=400, method="BCa",
                          rng=np.random.default_rng(9), vectorized=True)
    r = row(res, name)
    assert (r["boot_low"], r["boot_high"]) == pytest.approx(tuple(ref.confidence_interval),
                                                           abs=1e-12)
    assert res.attrs["boot_method"] == "bca"


def test_bad_options_are_parameter_errors(tmp_path, capsys):
    from tweetstorm.errors import ParameterError

    df = long_from_rows([["a", "a"], ["a", "b"], ["b", "b"]])
    for kwargs, name in (({"boot_method": "studentized"}, "boot_method"),
                         ({"bootstrap": -1}, "bootstrap"), ({"ci": 1.5}, "ci"),
                         ({"coefficients": ["kappa"]}, "coefficients")):
        with pytest.raises(ParameterError) as err:
            agreement(df, **kwargs)
        assert err.value.name == name
    path = tmp_path / "r.csv"
    df.to_csv(path, index=False)
    assert main([str(path), "--bootstrap", "-5"]) == 2
    assert "negative number of bootstrap resamples" in capsys.readouterr().err
