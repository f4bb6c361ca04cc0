"""Inter-rater agreement: coefficients, standard errors and bootstrap intervals (issue 4).

Public API::

    rating_matrix(long_df, unit="unit", rater="rater", code="code", raters=None,
                  categories=None) -> RatingMatrix
    agreement(long_df | RatingMatrix, *, weights="identity", level="nominal",
              bootstrap=1000, seed=20130601, ci=0.95, ...) -> DataFrame
    category_agreement(...) -> DataFrame          # per category: specific agreement, kappa
    confusion_matrices(...) -> dict[(r1, r2), DataFrame]
    per_code_presence(long_df, ..., codes=None, sep=None, **agreement_kwargs) -> DataFrame
    read_ratings(path) -> DataFrame               # long-format CSV/xlsx, all cells as text

Command line: ``python -m tweetstorm.reliability RATINGS [--format table|json|csv] ...``.
"""

from tweetstorm.reliability.agreement import (
    COEFFICIENTS,
    COLUMNS,
    agreement,
    bootstrap_replicates,
)
from tweetstorm.reliability.bycategory import (
    category_agreement,
    confusion_matrices,
    per_code_presence,
    presence_ratings,
)
from tweetstorm.reliability.matrix import (
    LEVELS,
    WEIGHTS,
    RatingMatrix,
    rating_matrix,
    read_ratings,
    weight_matrix,
)

__all__ = [
    "COEFFICIENTS", "COLUMNS", "LEVELS", "WEIGHTS", "RatingMatrix", "agreement",
    "bootstrap_replicates", "category_agreement", "confusion_matrices", "per_code_presence",
    "presence_ratings", "rating_matrix", "read_ratings", "weight_matrix",
]
