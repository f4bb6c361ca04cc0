"""Inter-rater agreement: coefficients, standard errors, analytic and bootstrap intervals.

Public API::

    rating_matrix(long_df, unit="unit", rater="rater", code="code", raters=None,
                  categories=None) -> RatingMatrix
    agreement(long_df | RatingMatrix, *, weights="identity", level="nominal",
              bootstrap=1000, seed=20130601, ci=0.95, ...) -> DataFrame
    REGISTRY: name -> Coefficient (formula, SE, analytic-interval rule, reference)
    masi_alpha(long_df, ..., sep=";") -> DataFrame  # multi-code: alpha over code sets (MASI)
    category_agreement(...) -> DataFrame          # per category: specific agreement, kappa
    confusion_matrices(...) -> dict[(r1, r2), DataFrame]
    per_code_presence(long_df, ..., codes=None, sep=None, **agreement_kwargs) -> DataFrame
    read_ratings(path) -> DataFrame               # long-format CSV/xlsx, all cells as text
    mean_over_groups({group: agreement(...)}, weight="units") -> DataFrame  # e.g. over questions
    landis_koch_label(kappa) -> str; krippendorff_verdict(alpha, text=False) -> str
    weak_categories / category_sentence / question_verdicts: the notebook's deciding sentences
    plot_confusion_matrices(confusion_matrices(...), labels, title=...) -> Figure

Command line: ``python -m tweetstorm.reliability RATINGS [--format table|json|csv] ...``.
"""

from tweetstorm.reliability.agreement import (
    COEFFICIENTS,
    COLUMNS,
    RANGES,
    agreement,
    bootstrap_replicates,
)
from tweetstorm.reliability.registry import INTERVALS, REGISTRY, Coefficient
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
from tweetstorm.reliability.multicode import code_set_matrix, masi_alpha, masi_distance
from tweetstorm.reliability.byquestion import (
    agreement_by_question,
    category_agreement_by_question,
    design_sentence,
)
from tweetstorm.reliability.summary import (
    WEAK_CATEGORY_KAPPA,
    category_sentence,
    krippendorff_verdict,
    landis_koch_label,
    mean_over_groups,
    overview,
    plot_confusion_matrices,
    question_verdicts,
    weak_categories,
)

__all__ = [
    "COEFFICIENTS", "COLUMNS", "INTERVALS", "LEVELS", "RANGES", "REGISTRY", "WEAK_CATEGORY_KAPPA",
    "WEIGHTS", "Coefficient", "RatingMatrix", "agreement", "category_sentence", "code_set_matrix",
    "design_sentence", "masi_alpha", "masi_distance", "question_verdicts", "weak_categories",
    "agreement_by_question", "category_agreement_by_question",
    "bootstrap_replicates", "category_agreement", "confusion_matrices",
    "krippendorff_verdict", "landis_koch_label", "mean_over_groups", "overview", "per_code_presence",
    "plot_confusion_matrices", "presence_ratings", "rating_matrix", "read_ratings",
    "weight_matrix",
]
