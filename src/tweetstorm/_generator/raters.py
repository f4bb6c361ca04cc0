"""The rater disagreement model and the adjudication of non-unanimous units.

Each rater codes every answer. Rater ``r`` gives the true code ``c`` to a share
``ACCURACY[q][c] + RATER_OFFSET[r]`` (clipped to [0.5, 0.99]) of the units of category ``c``
(the miscoded units chosen at random); a miscoded unit gets, with probability ``P_NEIGHBOUR``,
a confusable neighbour of ``c`` (``NEIGHBOURS``), else any other code of the question. Raters
choose their errors independently of each other. Hard categories (low accuracy, e.g.
motivation vs intrinsic motivation) therefore show lower category-wise agreement than easy ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RATERS = ("R1", "R2", "R3")
RATER_OFFSET = {"R1": 0.03, "R2": 0.0, "R3": -0.04}
P_NEIGHBOUR = 0.8
ADJUDICATOR = "ADJ"

ACCURACY: dict[str, dict[str, float]] = {
    "Q1": {"sharing": 0.87, "motivation": 0.82, "perceived_value": 0.76, "feedback": 0.90,
           "personal_learning": 0.88, "trust_and_support": 0.93, "peer_characteristics": 0.80,
           "peer_value": 0.76},
    "Q2": {"different_perspectives": 0.90, "motivation": 0.70,
           "social_media_and_collaboration": 0.85, "reciprocity": 0.94,
           "intrinsic_motivation": 0.72, "innovation": 0.88, "status_and_reputation": 0.94,
           "networking_strategies": 0.82},
    "Q3": {"task_performance": 0.82, "awareness_and_understanding": 0.85,
           "personal_development": 0.90, "teamwork": 0.95, "role_performance": 0.77,
           "academic_knowledge_and_skills": 0.93, "decision_making_and_problem_solving": 0.80,
           "judgement": 0.78},
    "Q4": {"serendipity": 0.91, "just_in_time_help": 0.90, "reflection": 0.83,
           "exposure_to_expertise": 0.88, "sense_of_community": 0.89,
           "information_overload": 0.92, "scepticism": 0.85, "invisible_learning": 0.76},
}

NEIGHBOURS: dict[str, dict[str, list[str]]] = {
    "Q1": {"sharing": ["feedback", "peer_value"], "motivation": ["personal_learning", "trust_and_support"],
           "perceived_value": ["peer_value"], "feedback": ["sharing"],
           "personal_learning": ["motivation", "peer_value"],
           "trust_and_support": ["peer_characteristics"],
           "peer_characteristics": ["peer_value", "trust_and_support"],
           "peer_value": ["perceived_value", "peer_characteristics"]},
    "Q2": {"different_perspectives": ["innovation"], "motivation": ["intrinsic_motivation"],
           "social_media_and_collaboration": ["networking_strategies", "reciprocity"],
           "reciprocity": ["social_media_and_collaboration"],
           "intrinsic_motivation": ["motivation"], "innovation": ["different_perspectives"],
           "status_and_reputation": ["networking_strategies"],
           "networking_strategies": ["status_and_reputation", "social_media_and_collaboration"]},
    "Q3": {"task_performance": ["role_performance", "decision_making_and_problem_solving"],
           "awareness_and_understanding": ["academic_knowledge_and_skills", "judgement"],
           "personal_development": ["role_performance"], "teamwork": ["role_performance"],
           "role_performance": ["task_performance", "personal_development"],
           "academic_knowledge_and_skills": ["awareness_and_understanding"],
           "decision_making_and_problem_solving": ["judgement", "task_performance"],
           "judgement": ["decision_making_and_problem_solving"]},
    "Q4": {"serendipity": ["exposure_to_expertise"],
           "just_in_time_help": ["exposure_to_expertise", "sense_of_community"],
           "reflection": ["invisible_learning"], "exposure_to_expertise": ["serendipity"],
           "sense_of_community": ["just_in_time_help"],
           "information_overload": ["scepticism"],
           "scepticism": ["information_overload", "reflection"],
           "invisible_learning": ["reflection", "serendipity"]},
}


def _wrong(rng: np.random.Generator, q: str, true: str) -> str:
    """A wrong code for a unit of true code ``true``: a confusable neighbour or any other code."""
    if rng.random() < P_NEIGHBOUR:
        nb = NEIGHBOURS[q][true]
        return nb[int(rng.integers(0, len(nb)))]
    others = [c for c in ACCURACY[q] if c != true]
    return others[int(rng.integers(0, len(others)))]


def rater_names(n: int = len(RATERS)) -> tuple[str, ...]:
    """``R1``..``Rn``; raters past R3 take the offsets of R1..R3 in turn."""
    if n < 2:
        raise ValueError(f"at least two raters, not {n}")
    return tuple(f"R{i + 1}" for i in range(n))


def _offset(rater: str) -> float:
    return RATER_OFFSET.get(rater, RATER_OFFSET[RATERS[(int(rater[1:]) - 1) % len(RATERS)]])


def rate(units: pd.DataFrame, rng: np.random.Generator,
         raters: tuple[str, ...] = RATERS) -> dict[str, pd.DataFrame]:
    """Completed sheets: ``units`` has unit_id, question, text, true_code (sorted as the sheet).

    Of the ``n`` units of true category ``c``, rater ``r`` miscodes ``round(n * (1 - acc))``
    (``acc = ACCURACY[q][c] + RATER_OFFSET[r]``), chosen at random; fixing the number of errors
    per rater and category (rather than drawing each unit independently) keeps the kappas of
    one data set close to their expected values. Returns {rater: DataFrame[unit_id, question,
    text, code]} in the order of ``units``.
    """
    true = units["true_code"].to_numpy()
    qs = units["question"].to_numpy()
    sheets = {}
    for r in raters:
        codes = true.copy()
        for (q, c) in sorted(set(zip(qs, true))):
            idx = np.flatnonzero((qs == q) & (true == c))
            acc = min(0.99, max(0.5, ACCURACY[q][c] + _offset(r)))
            n_err = int(round(len(idx) * (1 - acc)))
            for i in sorted(rng.choice(idx, size=n_err, replace=False)):
                codes[i] = _wrong(rng, q, c)
        sheets[r] = pd.DataFrame({"unit_id": units["unit_id"].to_numpy(), "question": qs,
                                  "text": units["text"].to_numpy(), "code": codes})
    return sheets


def adjudicate(units: pd.DataFrame, sheets: dict[str, pd.DataFrame], labels: dict[tuple[str, str], str],
               rng: np.random.Generator) -> pd.DataFrame:
    raters = tuple(sheets)
    """One row per non-unanimous unit: code_R1..R3, adjudicated_code, adjudicator, note.

    No majority: the adjudicator always decides (the true code, after discussion). Majority
    wrong: overruled (adjudicated to the true code) in 60 % of cases, else the majority stands
    (empty). Majority right: confirmed explicitly in 25 % of cases, else empty.
    ``labels`` maps (question, code) to the category label used in notes.
    """
    rows = []
    for k, (uid, q, true) in enumerate(zip(units["unit_id"], units["question"], units["true_code"])):
        c = [sheets[r]["code"].iat[k] for r in raters]
        if len(set(c)) == 1:
            continue
        counts = pd.Series(c).value_counts()
        majority = counts.index[0] if 2 * counts.iat[0] > len(raters) else None
        if majority is None:
            adj, note = true, "no majority; resolved in discussion"
        elif majority != true and rng.random() < 0.6:
            adj, note = true, f"majority overruled: fits the definition of {labels[(q, true)]}"
        elif majority == true and rng.random() < 0.25:
            adj, note = true, "majority confirmed after re-reading"
        else:
            adj, note = "", ""
        rows.append({"unit_id": uid, "question": q,
                     **{f"code_{r}": ci for r, ci in zip(raters, c)},
                     "adjudicated_code": adj, "adjudicator": ADJUDICATOR if adj else "",
                     "note": note})
    cols = ["unit_id", "question", *[f"code_{r}" for r in raters], "adjudicated_code",
            "adjudicator", "note"]
    return pd.DataFrame(rows, columns=cols)
