"""Column headers for readers: the tables' Markdown and LaTeX versions and the notebook show these
instead of the CSV column names (which stay as the data contract names them)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: CSV column name -> header a reader sees.
READER_HEADERS: dict[str, str] = {
    "question": "Question", "rank": "Rank", "rank_low": "Rank, 95% low",
    "rank_high": "Rank, 95% high", "code": "Code", "label": "Category", "n": "Answers",
    "n_units": "Coded answers", "share": "Share of answers", "ci_low": "Share, 95% low",
    "ci_high": "Share, 95% high", "n_participants": "Participants",
    "participants_answering": "Participants answering",
    "participant_share": "Share of participants", "participant_ci_low": "Participants, 95% low",
    "participant_ci_high": "Participants, 95% high", "category_kappa": "Category kappa",
    "flag": "Flag", "level": "Level", "family": "Family", "characteristic": "Characteristic",
    "method": "Method", "statistic": "Statistic", "chi2": "Chi-square", "df": "df",
    "p_value": "p", "p_holm": "p (Holm)", "reject": "Significant (Holm)",
    "effect_size": "Cramér's V (corrected)", "effect_ci_low": "V, 95% low",
    "effect_ci_high": "V, 95% high", "cochran_ok": "Cochran's rule met",
    "min_expected": "Smallest expected count", "n_missing": "Answers without the characteristic",
    "n_rows": "Rows", "n_cols": "Columns", "dropped": "Empty rows/columns left out",
    "observed": "Observed", "expected": "Expected", "adj_resid": "Adjusted residual",
    "category_a": "Category A", "category_b": "Category B", "lift": "Lift",
    "participant": "Participant", "answer": "Answers", "retweet": "Retweets", "reply": "Replies",
    "quote": "Quotes", "total": "Total", "measure": "Measure", "top_k": "Most active (number)",
    "top_share": "Share of the most active", "gini": "Gini", "answers": "Answers",
    "participants": "Participants", "answers_per_participant": "Answers per participant",
    "minute": "Minute (UTC)", "minutes": "Minutes since the first question",
    "created_at": "Posted (UTC)", "off_topic": "Off topic", "category": "Category",
}


def reader_headers(columns: Iterable[str]) -> dict[str, str]:
    """``{column: header}`` for ``columns``: :data:`READER_HEADERS`, ``rank_<rater>`` and
    ``n_<rater>`` as "Rank (rater R)" and "Answers (rater R)", other names unchanged."""
    out = {}
    for c in columns:
        c = str(c)
        if c in READER_HEADERS:
            out[c] = READER_HEADERS[c]
        elif c.startswith("rank_"):
            out[c] = f"Rank (rater {c[len('rank_'):]})"
        elif c.startswith("n_"):
            out[c] = f"Answers (rater {c[len('n_'):]})"
        else:
            out[c] = c
    return out


def markdown_table(df: pd.DataFrame, digits: int = 3) -> str:
    """``df`` as a Markdown table for a reader: headers from :func:`reader_headers`, no index,
    floats with ``digits`` decimals, true/false as yes/no, missing values as empty cells."""
    shown = df.reset_index(drop=True).copy()
    for col in shown.columns:
        if pd.api.types.is_bool_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else "yes" if v else "no")
        elif pd.api.types.is_float_dtype(shown[col]):
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else f"{v:.{digits}f}")
        else:
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else str(v)).astype(object)
    shown = shown.rename(columns=reader_headers(shown.columns))
    return shown.to_markdown(index=False, disable_numparse=True)
