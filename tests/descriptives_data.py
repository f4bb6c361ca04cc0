"""Small hand-made inputs shared by the descriptives tests (one codebook, consensus rows)."""

from __future__ import annotations

import pandas as pd

from tweetstorm import codebook as codebook_module


def _cat(code: str) -> dict[str, str]:
    return {"code": code, "label": code.replace("_", " ").capitalize(), "definition": "d",
            "example": "e"}


def small_codebook() -> codebook_module.Codebook:
    """Q1 Goals (sharing, motivation, feedback) and Q2 Motivation (motivation, reciprocity)."""
    data = {"questions": {
        "Q1": {"label": "Goals", "prompt": "p1", "multi_code": False,
               "categories": [_cat("sharing"), _cat("motivation"), _cat("feedback")]},
        "Q2": {"label": "Motivation", "prompt": "p2", "multi_code": False,
               "categories": [_cat("motivation"), _cat("reciprocity")]},
    }}
    return codebook_module.parse(data, "test-codebook.yml")


def consensus_rows(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """rows of (question, author, code); unit ids u1, u2, ..."""
    return pd.DataFrame({"unit_id": [f"u{i}" for i in range(1, len(rows) + 1)],
                         "question": [r[0] for r in rows], "author": [r[1] for r in rows],
                         "code": [r[2] for r in rows], "consensus_rule": "unanimous"})
