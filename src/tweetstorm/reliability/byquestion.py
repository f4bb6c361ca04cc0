"""Agreement of every question of a codebook: the per-question wrappers the notebooks call.

Long ratings (``unit_id, question, rater, code``) in, one block of coefficients per question out.
"""

from __future__ import annotations

import pandas as pd

from tweetstorm.codebook import Codebook
from tweetstorm.coding import SEPARATOR
from tweetstorm.reliability.agreement import agreement
from tweetstorm.reliability.bycategory import category_agreement, per_code_presence
from tweetstorm.reliability.multicode import masi_alpha
from tweetstorm.reliability.summary import mean_over_groups

_RATING_COLUMNS = dict(unit="unit_id", rater="rater", code="code")


def agreement_by_question(ratings: pd.DataFrame, codebook: Codebook, *, bootstrap: int, seed: int,
                          boot_method: str = "percentile",
                          source: str = "data/processed/ratings.parquet") -> pd.DataFrame:
    """Agreement coefficients of each question of ``codebook`` on the long ``ratings``
    (unit_id, question, rater, code; NA codes are missing ratings), one block per question.

    A single-code question gets :func:`tweetstorm.reliability.agreement` on its codes; a
    multi-code question gets Krippendorff's alpha with the MASI distance over the raters' code
    sets (:func:`~tweetstorm.reliability.multicode.masi_alpha`, ``level`` "masi", ``category``
    NA) and agreement per code as present/absent
    (:func:`~tweetstorm.reliability.per_code_presence`), those rows carrying the code in
    ``category``. Rows ``question == "mean"`` hold the unit-weighted mean of the per-question
    estimates of the single-code questions (:func:`tweetstorm.mean_over_groups`; no
    pooling, which would inflate chance-corrected coefficients). ``raters`` is joined with "-".
    ``boot_method`` ("percentile" or "bca") is the bootstrap interval of
    :func:`~tweetstorm.reliability.agreement`; the MASI alpha's interval is the percentile one.
    """
    coded = ratings[ratings["code"].notna()]
    blocks, single = [], {}
    for q in codebook.questions():
        sub = coded[coded["question"] == q]
        if codebook.multi_code(q):
            res = per_code_presence(sub, "unit_id", "rater", "code", codes=codebook.codes(q),
                                                sep=SEPARATOR, source=source,
                                                bootstrap=bootstrap, seed=seed,
                                                boot_method=boot_method)
            res = res.rename(columns={"code": "category"})
            sets = masi_alpha(sub, "unit_id", "rater", "code", sep=SEPARATOR,
                              bootstrap=bootstrap, seed=seed, source=source)
            res = pd.concat([sets.assign(category=pd.NA), res], ignore_index=True)
        else:
            res = agreement(sub, categories=codebook.codes(q), bootstrap=bootstrap,
                            seed=seed, boot_method=boot_method, source=source, **_RATING_COLUMNS)
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


def design_sentence(ratings: pd.DataFrame, codebook: Codebook) -> str:
    """What the reliability analysis works on, in one paragraph: units, raters, ratings, and
    how each question is treated (one code per answer: a nominal variable with identity
    weights; several codes: alpha over code sets with the MASI distance and agreement per code,
    left out of the mean over questions)."""
    coded = ratings[ratings["code"].notna()]
    raters = sorted(ratings["rater"].unique())
    multi = [q for q in codebook.questions() if codebook.multi_code(q)]
    text = (f"{ratings['unit_id'].nunique()} answers, {len(raters)} raters "
            f"({', '.join(raters)}), {len(coded)} ratings ({len(ratings) - len(coded)} missing). ")
    if not multi:
        return text + ("Every question takes one code per answer: its codes are one nominal "
                       "variable, and the coefficients below use identity weights "
                       "(Krippendorff's alpha: nominal level).")
    many = len(multi) > 1
    return text + (f"Question{'s' if many else ''} {', '.join(multi)} allow{'' if many else 's'} "
                   "several codes per answer: for them agreement is Krippendorff's alpha with "
                   "the MASI distance between the raters' code sets (Passonneau 2006) and, per "
                   "code, agreement on its presence; they are left out of the mean over "
                   "questions. The other questions take one code per answer, a nominal "
                   "variable with identity weights.")
