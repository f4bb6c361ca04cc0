"""Which categories the same participants raised together, and which pairs more often than
expected if participants raised categories independently of each other."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats
from statsmodels.stats.multitest import multipletests

from tweetstorm.descriptives.inputs import check_consensus

PAIR_COLUMNS = ["category_a", "category_b", "participants", "expected", "lift", "p_value",
                "p_holm"]


def category_key(question: str, code: str) -> str:
    """Column name of a category in the incidence matrix: ``"Q1:sharing"`` (codes repeat across
    questions, so the question is part of the key)."""
    return f"{question}:{code}"


def incidence(consensus: pd.DataFrame, codebook: Any) -> pd.DataFrame:
    """Participant x category incidence (0/1), shape (n_participants, n_categories).

    Index: participants (sorted); columns: every codebook category as :func:`category_key`, in
    codebook order (unused categories are all-zero columns). 1 = the participant raised the
    category in at least one answer.
    """
    check_consensus(consensus, codebook)
    keys = [category_key(q, c) for q in codebook.questions() for c in codebook.codes(q)]
    k = [category_key(q, c) for q, c in zip(consensus["question"], consensus["code"])]
    table = pd.crosstab(consensus["author"].to_numpy(), pd.Categorical(k, categories=keys),
                        dropna=False)
    table = (table > 0).astype(int)
    table.columns = keys
    table.index.name = "participant"
    return table.sort_index()


def cooccurrence(inc: pd.DataFrame) -> pd.DataFrame:
    """Category x category co-occurrence, shape (k, k): cell (a, b) is the number of participants
    who raised both a and b; the diagonal is the number who raised a. ``inc`` is a 0/1
    participant x category matrix (:func:`incidence`)."""
    m = inc.to_numpy(dtype=int)
    if ((m != 0) & (m != 1)).any():
        raise ValueError("cooccurrence: the incidence matrix must hold 0/1 only")
    return pd.DataFrame(m.T @ m, index=inc.columns, columns=inc.columns)


def pair_enrichment(co: pd.DataFrame, n_participants: int) -> pd.DataFrame:
    """Every category pair (a before b in matrix order) that both were raised by someone, against
    independence: ``category_a, category_b, participants, expected, lift, p_value, p_holm``.

    With ``N = n_participants``, ``n_a``, ``n_b`` (the diagonal of ``co``) and ``n_ab`` the
    participants who raised both: ``expected = n_a n_b / N`` (participants raising both if they
    raised the two independently, given how many raised each), ``lift = n_ab / expected``, and
    ``p_value = P(X >= n_ab)`` for ``X ~ Hypergeometric(N, n_a, n_b)``, the exact one-sided
    probability of so many joint raisers (Fisher's exact test, one-sided, of the 2 x 2 table of
    the two categories; ``scipy.stats.hypergeom.sf``). ``p_holm``: Holm's correction over all
    pairs returned. Sorted by p-value, then lift (descending), then matrix order.
    """
    n = co.shape[0]
    diag = np.diag(co.to_numpy())
    rows = []
    for i in range(n):
        for j in range(i + 1, n):
            if diag[i] == 0 or diag[j] == 0:
                continue
            nab = int(co.iat[i, j])
            expected = diag[i] * diag[j] / n_participants
            p = float(_scipy_stats.hypergeom.sf(nab - 1, n_participants, diag[i], diag[j]))
            rows.append((co.index[i], co.columns[j], nab, expected, nab / expected, p, i, j))
    df = pd.DataFrame(rows, columns=[*PAIR_COLUMNS[:-1], "_i", "_j"])
    df["p_holm"] = (multipletests(df["p_value"].to_numpy(float), method="holm")[1]
                    if len(df) else np.array([], dtype=float))
    df = df.sort_values(["p_value", "lift", "_i", "_j"], ascending=[True, False, True, True],
                        kind="stable")
    return df[PAIR_COLUMNS].reset_index(drop=True)


def pairs_sentence(pairs: pd.DataFrame, inc: pd.DataFrame, alpha: float = 0.05) -> str:
    """Sentences on :func:`pair_enrichment` rows (category names as the reader should see them):
    the average number of categories per participant, the pair most in excess of independence,
    and how many pairs stay significant after Holm's correction."""
    text = (f"{len(inc)} participants raised {inc.sum(axis=1).mean():.1f} categories on "
            "average. ")
    above = pairs[pairs["participants"] > pairs["expected"]]
    if above.empty:
        return text + "No pair of categories was raised together more often than independence predicts."
    r = above.iloc[0]
    text += (f"The pair raised together most clearly beyond independence was {r['category_a']} "
             f"with {r['category_b']}: {r['participants']} participants against "
             f"{r['expected']:.1f} expected (lift {r['lift']:.2f}, one-sided exact p = "
             f"{r['p_value']:.3f}). ")
    hits = int((pairs["p_holm"] < alpha).sum())
    text += (f"After Holm's correction over the {len(pairs)} pairs, "
             + ("no pair" if hits == 0 else f"{hits} pair{'s' if hits != 1 else ''}")
             + f" co-occurred significantly more often than expected (alpha = {alpha:g}).")
    return text
