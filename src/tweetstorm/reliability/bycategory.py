"""Agreement per category, confusion matrices of rater pairs, and per-code presence agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats import inter_rater

from tweetstorm.errors import InputError
from tweetstorm.reliability import coefficients as cf
from tweetstorm.reliability.agreement import agreement, as_matrix
from tweetstorm.reliability.matrix import _code_text, sort_categories


def category_agreement(data, *, unit: str = "unit", rater: str = "rater", code: str = "code",
                       raters=None, categories=None, source: str = "ratings") -> pd.DataFrame:
    """One row per category: how well raters agree on it.

    Columns: category; n_units (units with >= 2 ratings); n_ratings (ratings in the category);
    positive_agreement = sum_i r_ik (r_ik - 1) / sum_i r_ik (r_i - 1) over units with >= 2
    ratings (specific agreement: given one rater chose k, the share of the other ratings of the
    unit that are k; Fleiss 1971, Uebersax 1982); kappa = Fleiss' kappa of the category against
    the rest (present/absent; Fleiss 1971 eq. 13, generalised to missing ratings as in Gwet
    2014), with kappa_se its Gwet linearisation SE. Hand-written: statsmodels has no
    category-wise agreement.
    """
    rm = as_matrix(data, unit=unit, rater=rater, code=code, raters=raters,
                   categories=categories, source=source)
    counts = rm.counts().astype(float)
    ri = counts.sum(axis=1)
    multi = ri >= 2
    rows = []
    for k, cat in enumerate(rm.categories):
        rk = counts[:, k]
        den = (rk * (ri - 1))[multi].sum()
        psa = (rk * (rk - 1))[multi].sum() / den if den > 0 else np.nan
        binary = np.column_stack([rk, ri - rk])
        if (rm.codes >= 0).all():
            with np.errstate(all="ignore"):
                kappa = float(inter_rater.fleiss_kappa(binary))
            _, se = cf.gwet_se(binary, np.eye(2), "fleiss")
        else:
            kappa, se = cf.gwet_se(binary, np.eye(2), "fleiss")
        rows.append({"category": cat, "n_units": int(multi.sum()), "n_ratings": int(rk.sum()),
                     "positive_agreement": float(psa), "kappa": float(kappa),
                     "kappa_se": float(se)})
    return pd.DataFrame(rows, columns=["category", "n_units", "n_ratings", "positive_agreement",
                                       "kappa", "kappa_se"])


def confusion_matrices(data, *, unit: str = "unit", rater: str = "rater", code: str = "code",
                       raters=None, categories=None,
                       source: str = "ratings") -> dict[tuple[str, str], pd.DataFrame]:
    """(r1, r2) -> q x q count table of the units both rated: rows r1's codes, columns r2's.

    Every category appears in rows and columns (zero rows kept); pairs in rater order.
    Built with statsmodels' ``to_table``.
    """
    rm = as_matrix(data, unit=unit, rater=rater, code=code, raters=raters,
                   categories=categories, source=source)
    q = rm.n_categories
    out = {}
    for g in range(rm.n_raters):
        for h in range(g + 1, rm.n_raters):
            pair = rm.codes[:, [g, h]]
            pair = pair[(pair >= 0).all(axis=1)]
            if len(pair):
                table = inter_rater.to_table(pair, bins=q)[0].astype(np.int64)
            else:
                table = np.zeros((q, q), dtype=np.int64)
            out[(rm.raters[g], rm.raters[h])] = pd.DataFrame(
                table, index=pd.Index(rm.categories, name=rm.raters[g]),
                columns=pd.Index(rm.categories, name=rm.raters[h]))
    return out


def presence_ratings(long_df: pd.DataFrame, unit: str = "unit", rater: str = "rater",
                     code: str = "code", *, codes=None, sep: str | None = None,
                     source: str = "ratings") -> dict[str, pd.DataFrame]:
    """code -> long table (unit, rater, code in {"0", "1"}) of presence of that code.

    Multi-code input: several rows per (unit, rater), one code each, and/or codes joined by
    ``sep`` in one cell. A (unit, rater) with at least one code is rated: 1 where the code is
    among its codes, else 0; a (unit, rater) with no code at all is missing.
    """
    for role, col in (("unit", unit), ("rater", rater), ("code", code)):
        if col not in long_df.columns:
            raise InputError(source, f"no {role} column {col!r} (columns: "
                             f"{', '.join(map(str, long_df.columns))})",
                             f"name the {role} column with {role}=...")
    df = pd.DataFrame({"unit": long_df[unit].map(_code_text), "rater": long_df[rater].map(_code_text),
                       "code": long_df[code].map(_code_text)})
    if sep:
        df["code"] = df["code"].str.split(sep)
        df = df.explode("code")
        df["code"] = df["code"].map(_code_text)
    df = df[(df["code"] != "") & (df["unit"] != "") & (df["rater"] != "")].drop_duplicates()
    used = sort_categories(df["code"])
    if codes is None:
        codes = used
    else:
        codes = [_code_text(c) for c in codes]
        unknown = sorted(set(used) - set(codes))
        if unknown:
            raise InputError(source, f"code {unknown[0]!r} is not one of the codes given",
                             "correct the code or add it to codes")
    rated = df[["unit", "rater"]].drop_duplicates().reset_index(drop=True)
    out = {}
    for c in codes:
        has = set(map(tuple, df.loc[df["code"] == c, ["unit", "rater"]].to_numpy()))
        flag = [("1" if (u, r) in has else "0") for u, r in rated.itertuples(index=False)]
        out[c] = rated.assign(code=flag)
    return out


def per_code_presence(long_df: pd.DataFrame, unit: str = "unit", rater: str = "rater",
                      code: str = "code", *, codes=None, sep: str | None = None,
                      source: str = "ratings", **agreement_kwargs) -> pd.DataFrame:
    """Agreement per code as present/absent, for units that may carry several codes.

    Returns :func:`agreement`'s columns preceded by ``code``, one block per code (in ``codes``
    order, default all codes used, sorted). Keyword arguments go to :func:`agreement`
    (e.g. ``bootstrap``, ``seed``, ``raters``, ``coefficients``).
    """
    frames = []
    for c, ratings in presence_ratings(long_df, unit, rater, code, codes=codes, sep=sep,
                                       source=source).items():
        res = agreement(ratings, categories=["0", "1"], source=source, **agreement_kwargs)
        res.insert(0, "code", c)
        frames.append(res)
    out = pd.concat(frames, ignore_index=True)
    out.attrs.update(multi_code=True, codes=[str(c) for c in out["code"].unique()])
    return out
