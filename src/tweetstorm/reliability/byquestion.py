"""Agreement of every question of a codebook: the per-question wrappers the notebooks call.

Long ratings (``unit_id, question, rater, code``) in, one block of coefficients per question out.
"""

from __future__ import annotations

import pandas as pd

from tweetstorm.codebook import Codebook
from tweetstorm.coding import SEPARATOR
from tweetstorm.reliability.agreement import agreement
from tweetstorm.reliability.bycategory import category_agreement, per_code_presence
from tweetstorm.reliability.summary import mean_over_groups

_RATING_COLUMNS = dict(unit="unit_id", rater="rater", code="code")


def agreement_by_question(ratings: pd.DataFrame, codebook: Codebook, *, bootstrap: int, seed: int,
                          source: str = "data/processed/ratings.parquet") -> pd.DataFrame:
    """Agreement coefficients of each question of ``codebook`` on the long ``ratings``
    (unit_id, question, rater, code; NA codes are missing ratings), one block per question.

    A single-code question gets :func:`tweetstorm.reliability.agreement` on its codes; a
    multi-code question gets agreement per code as present/absent
    (:func:`tweetstorm.per_code_presence`), its rows carrying the code in
    ``category``. Rows ``question == "mean"`` hold the unit-weighted mean of the per-question
    estimates of the single-code questions (:func:`tweetstorm.mean_over_groups`; no
    pooling, which would inflate chance-corrected coefficients). ``raters`` is joined with "-".
    """
    coded = ratings[ratings["code"].notna()]
    blocks, single = [], {}
    for q in codebook.questions():
        sub = coded[coded["question"] == q]
        if codebook.multi_code(q):
            res = per_code_presence(sub, "unit_id", "rater", "code", codes=codebook.codes(q),
                                                sep=SEPARATOR, source=source,
                                                bootstrap=bootstrap, seed=seed)
            res = res.rename(columns={"code": "category"})
        else:
            res = agreement(sub, categories=codebook.codes(q), bootstrap=bootstrap,
                                        seed=seed, source=source, **_RATING_COLUMNS)
            single[q] = res
            res = res.assign(category=pd.NA)
        blocks.append(res.assign(question=q))
    if single:
        mean = mean_over_groups(single, weight="units").drop(columns="n_groups")
        blocks.append(mean.assign(question="mean", category=pd.NA))
    out = pd.concat(blocks, ignore_index=True)
    out = out[["question", "category", *out.columns.drop(["question", "category"])]]
    out["raters"] = out["raters"].map(lambda rs: "-".join(rs))
    return out


def category_agreement_by_question(ratings: pd.DataFrame, codebook: Codebook, *,
                                   source: str = "data/processed/ratings.parquet") -> pd.DataFrame:
    """Category-wise agreement (:func:`tweetstorm.reliability.category_agreement`) of every
    single-code question, with columns question, category, label, then the agreement columns."""
    coded = ratings[ratings["code"].notna()]
    blocks = []
    for q in (q for q in codebook.questions() if not codebook.multi_code(q)):
        res = category_agreement(coded[coded["question"] == q],
                                             categories=codebook.codes(q), source=source,
                                             **_RATING_COLUMNS)
        res.insert(0, "question", q)
        res.insert(2, "label", [codebook.label(q, c) for c in res["category"]])
        blocks.append(res)
    return pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame()
