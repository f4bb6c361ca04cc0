"""Consensus codes: disagreements, one code per unit with its audit trail, and how they came about.

A unit is *unanimous* when every rater of the study gave it the same code, and has a *majority*
when one code came from more than half of the raters (a missing rating counts against it). An
adjudicated code overrides a majority; a unit with neither needs one.
"""

from __future__ import annotations

import pandas as pd

from tweetstorm.coding.units import question_key
from tweetstorm.errors import InputError
from tweetstorm.prose import and_list, plural

__all__ = ["RULES", "adjudication_summary", "adjudication_todo_sentence", "consensus",
           "describe_adjudication", "disagreement_sentence", "disagreements", "multi_code_sentence", "wide"]

RULES = ("unanimous", "majority", "adjudicated")


def _raters(ratings: pd.DataFrame) -> list[str]:
    return sorted(pd.unique(ratings["rater"].astype(str)))


def wide(ratings: pd.DataFrame) -> pd.DataFrame:
    """``unit_id, question, code_<R>...`` in order of first appearance of the units."""
    order = pd.unique(ratings["unit_id"].astype(str))
    out = ratings.assign(unit_id=ratings["unit_id"].astype(str)).pivot(
        index=["unit_id", "question"], columns="rater", values="code")
    out = out.reindex(columns=_raters(ratings))
    out.columns = [f"code_{r}" for r in out.columns]
    out = out.reset_index()
    out = out.set_index("unit_id").loc[order].reset_index()
    return out


def _tally(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per unit: n_raters, n_coded, top code, its count and whether it is the only top code."""
    n_raters = len(_raters(ratings))
    coded = ratings[ratings["code"].notna()]
    counts = coded.groupby(["unit_id", "code"], sort=True).size().rename("n").reset_index()
    counts = counts.sort_values(["unit_id", "n", "code"], ascending=[True, False, True], kind="mergesort")
    top = counts.groupby("unit_id").head(2).copy()
    top["rank"] = top.groupby("unit_id").cumcount()
    first = top[top["rank"] == 0].set_index("unit_id")
    second = top[top["rank"] == 1].set_index("unit_id")["n"]
    units_ = pd.Index(pd.unique(ratings["unit_id"]), name="unit_id")
    out = pd.DataFrame(index=units_)
    out["n_coded"] = coded.groupby("unit_id").size().reindex(units_, fill_value=0)
    out["top"] = first["code"].reindex(units_)
    out["top_n"] = first["n"].reindex(units_).fillna(0).astype(int)
    out["tie"] = second.reindex(units_).fillna(0).astype(int).eq(out["top_n"]) & out["top_n"].gt(0)
    out["unanimous"] = out["n_coded"].eq(n_raters) & out["top_n"].eq(n_raters) & (n_raters >= 2)
    # strict majority of the raters of the study (a missing rating counts against it)
    out["majority"] = ~out["unanimous"] & (2 * out["top_n"] > n_raters) & ~out["tie"]
    return out


def disagreements(ratings: pd.DataFrame) -> pd.DataFrame:
    """Units where the raters are not unanimous (a code differs or a rating is missing).

    Returns ``(unit_id, question, code_<R1>, code_<R2>, ...)`` (NA for a missing rating), in the
    order of the units in ``ratings``.
    """
    tally = _tally(ratings)
    table = wide(ratings)
    keep = ~tally["unanimous"].reindex(table["unit_id"]).to_numpy()
    return table[keep].reset_index(drop=True)


def consensus(ratings: pd.DataFrame, adjudication: pd.DataFrame | None,
              units: pd.DataFrame) -> pd.DataFrame:
    """One code per unit with its audit trail.

    ``consensus_rule``: ``unanimous`` (every rater of the study gave the same code),
    ``majority`` (one code from more than half of the raters; a missing rating counts against it),
    ``adjudicated`` (the adjudication sheet's code, which overrides a majority); ``adjudicator`` is
    NA unless adjudicated. ``units`` (from :func:`~tweetstorm.coding.units`) gives the author and
    the order.

    Returns ``(unit_id, question, author, code, consensus_rule, adjudicator)``; raises InputError
    naming the unit for a unit with neither a majority nor an adjudicated code.
    """
    tally = _tally(ratings).to_dict("index")
    decided: dict[str, tuple[str, str]] = {}
    sheet = "the adjudication sheet"
    if adjudication is not None:
        if len(adjudication) and "source_file" in adjudication:
            sheet = str(adjudication["source_file"].iloc[0])
        done = adjudication[adjudication["adjudicated_code"].notna()]
        decided = dict(zip(done["unit_id"].astype(str),
                           zip(done["adjudicated_code"].astype(str), done["adjudicator"])))
    rows = []
    for unit, question, author in zip(units["unit_id"].astype(str), units["question"].astype(str),
                                      units["author"].astype(str)):
        t = tally.get(unit)
        if unit in decided:
            code, who = decided[unit]
            rows.append((unit, question, author, code, "adjudicated", who))
        elif t is not None and t["unanimous"]:
            rows.append((unit, question, author, t["top"], "unanimous", None))
        elif t is not None and t["majority"]:
            rows.append((unit, question, author, t["top"], "majority", None))
        else:
            have = "no ratings" if t is None or t["n_coded"] == 0 else "no majority code"
            raise InputError(sheet, f"unit {unit} ({question}) has {have} and no adjudicated code",
                             "enter an adjudicated_code and adjudicator for this unit in the "
                             "adjudication sheet (python -m tweetstorm.coding adjudication writes one)")
    out = pd.DataFrame(rows, columns=["unit_id", "question", "author", "code", "consensus_rule",
                                      "adjudicator"])
    return out.astype("string")


def adjudication_summary(consensus: pd.DataFrame) -> pd.DataFrame:
    """Per question and over all units: ``question, units, unanimous, majority, adjudicated,
    share_adjudicated`` (share of units, 0..1); the last row is ``question == "all"``."""
    rules = list(RULES)
    tab = pd.crosstab(consensus["question"].astype(str), consensus["consensus_rule"].astype(str))
    tab = tab.reindex(columns=rules, fill_value=0)
    tab = tab.loc[sorted(tab.index, key=question_key)]
    tab.loc["all"] = tab.sum()
    tab.insert(0, "units", tab[rules].sum(axis=1))
    tab["share_adjudicated"] = tab["adjudicated"] / tab["units"]
    tab.index.name = "question"
    tab.columns.name = None
    return tab.reset_index().astype({c: "int64" for c in ["units", *rules]})


def describe_adjudication(summary: pd.DataFrame, *, per_question: bool = True) -> str:
    """The sentence a reader gets about :func:`adjudication_summary`'s table.

    With ``per_question``, the shares of unanimous and majority units and the question that
    needed the most adjudication; without, the overall counts only.
    """
    overall = summary.iloc[-1]
    units, unanimous = overall["units"], overall["unanimous"]
    majority, adjudicated = overall["majority"], overall["adjudicated"]
    share = overall["share_adjudicated"]
    if not per_question:
        return (f"{unanimous} of {units} units ({unanimous / units:.1%}) were coded unanimously, "
                f"{majority} took the majority code, and {adjudicated} ({share:.1%}) were decided "
                "by adjudication.")
    by_q = summary.iloc[:-1]
    most = by_q.loc[by_q["share_adjudicated"].idxmax()]
    return (f"Of {units} units, {unanimous} ({unanimous / units:.1%}) were coded unanimously, "
            f"{majority} ({majority / units:.1%}) took the majority code and {adjudicated} "
            f"({share:.1%}) were adjudicated; the most adjudication was needed for "
            f"{most['question']} ({most['share_adjudicated']:.1%} of its units).")


def multi_code_sentence(codebook) -> str:
    """How the codes of the questions are analysed, for a reader: one nominal variable per
    question when every question takes one code per answer; otherwise which questions take
    several (per code as present/absent for reliability, the set of codes as consensus)."""
    multi = [q for q in codebook.questions() if codebook.multi_code(q)]
    if not multi:
        return ("Every question takes exactly one code per answer, so each question's codes are one "
                "nominal variable.")
    return (f"{'Question' if len(multi) == 1 else 'Questions'} {and_list(multi)} "
            f"{'allows' if len(multi) == 1 else 'allow'} several codes per answer (separated by `;`): "
            "their reliability is computed per code as present/absent (notebook 03), and their "
            "consensus is the set of codes.")


def disagreement_sentence(disagree: pd.DataFrame, n_units: int, adjudication: pd.DataFrame | None) -> str:
    """How far the raters disagreed and what the adjudication decided, for a reader:
    :func:`disagreements` of ``n_units`` units, and the rows of the adjudication sheet with an
    adjudicated code (none without a sheet)."""
    rows = 0 if adjudication is None else len(adjudication)
    decided = 0 if adjudication is None else int(adjudication["adjudicated_code"].notna().sum())
    return (f"The raters were not unanimous on {len(disagree)} of {plural(n_units, 'unit')}; the "
            f"adjudication sheet has {plural(rows, 'row')}, {decided} with an adjudicated code.")


def adjudication_todo_sentence(todo: pd.DataFrame, path: str) -> str:
    """For a study without an adjudication file: the units that wait for one (neither unanimity
    nor a majority), listed in ``path``."""
    n = len(todo)
    return (f"The study has no adjudication file yet: {plural(n, 'unit')} "
            f"{'has' if n == 1 else 'have'} neither unanimity nor a majority; "
            f"{'it is' if n == 1 else 'they are'} listed in `{path}` (the adjudication file's "
            f"columns, ready to fill in) and left out of the consensus until "
            f"{'it is' if n == 1 else 'they are'} decided.")
