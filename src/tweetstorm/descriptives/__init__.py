"""Descriptive statistics and tests that answer the study's questions.

Inputs are the processed tables of the architecture contract:

* ``consensus``: one row per coded answer and code, ``unit_id, question, author, code, ...``;
* ``posts``: the canonical post table with ``role``, ``question`` and, where the ingest step
  wrote it, ``author_kind`` (see :func:`.participation.author_kinds`);
* ``participants``: ``handle`` (pseudonym) and the participants' characteristics;
* ``ratings``: every rater's codes, ``unit_id, question, rater, code``;
* the reliability step's category agreement, ``question, category, kappa``;
* ``codebook``: a :class:`tweetstorm.codebook.Codebook` (``questions()``, ``codes(q)``,
  ``label(q, code)``); any object with those methods will do.

One module per concept: :mod:`.inputs` (the one reader and the checks), :mod:`.frequencies`,
:mod:`.association`, :mod:`.participation`, :mod:`.cooccurrence`, :mod:`.plots` (the figures) and :mod:`.headers` (column headers for
readers).
Every function returns a new DataFrame in an explicit, stable sort order.
"""

from tweetstorm.descriptives.association import (
    ANSWER,
    N_BOOT,
    N_PERMUTATIONS,
    N_RESAMPLES,
    PARTICIPANT,
    TEST_COLUMNS,
    adjusted_residuals,
    association_test,
    characteristic_tests,
    cochran_ok,
    cramers_v,
    effect_interval,
    holm,
    notable_residuals,
    participant_permutation_test,
    pearson_statistic,
    question_tests,
    residual_screen_sentence,
    shared_codes_sentence,
    tests_sentence,
)
from tweetstorm.codebook import question_label, question_slug, shared_codes  # codebook rules, re-exported
from tweetstorm.descriptives.cooccurrence import (
    PAIR_COLUMNS,
    category_key,
    cooccurrence,
    incidence,
    pair_enrichment,
    pairs_sentence,
)
from tweetstorm.descriptives.frequencies import (
    FREQUENCY_COLUMNS,
    KAPPA_THRESHOLD,
    LOW_AGREEMENT,
    category_frequencies,
    cluster_bootstrap_weights,
    competition_rank,
    flag_sentence,
    participant_by_category,
    rank_by_rater,
    rank_interval,
    rater_rank_sentence,
    shared_axis_limit,
    top_category_sentence,
)
from tweetstorm.descriptives.headers import READER_HEADERS, markdown_table, reader_headers
from tweetstorm.descriptives.inputs import (
    CATEGORY_AGREEMENT_FILE,
    CONSENSUS_FILE,
    PARTICIPANTS_FILE,
    POSTS_FILE,
    RATINGS_FILE,
    check_consensus,
    check_settings,
    read_table,
    require_table_columns,
)
from tweetstorm.descriptives.participation import (
    AUTHOR_KINDS,
    PARTICIPATION_ROLES,
    TIMELINE_ROLES,
    answers_per_question,
    author_kinds,
    check_posts,
    concentration,
    concentration_sentence,
    coverage_sentence,
    gini,
    moderators,
    posts_per_participant,
    question_times,
    timeline,
    timeline_sentence,
    top_share,
)
from tweetstorm.descriptives.plots import plot_category_frequencies, plot_cooccurrence, plot_participation

__all__ = [
    "ANSWER", "AUTHOR_KINDS", "CATEGORY_AGREEMENT_FILE", "CONSENSUS_FILE", "FREQUENCY_COLUMNS",
    "KAPPA_THRESHOLD", "LOW_AGREEMENT", "N_BOOT", "N_PERMUTATIONS", "N_RESAMPLES", "PAIR_COLUMNS",
    "PARTICIPANT", "PARTICIPANTS_FILE", "READER_HEADERS", "PARTICIPATION_ROLES", "POSTS_FILE", "RATINGS_FILE",
    "TEST_COLUMNS", "TIMELINE_ROLES", "adjusted_residuals", "answers_per_question",
    "association_test", "author_kinds", "category_frequencies", "category_key",
    "characteristic_tests", "check_consensus", "check_posts", "check_settings", "cluster_bootstrap_weights",
    "cochran_ok", "competition_rank", "concentration", "concentration_sentence", "cooccurrence", "coverage_sentence",
    "cramers_v", "effect_interval", "flag_sentence", "gini", "holm", "incidence", "markdown_table", "moderators",
    "notable_residuals", "pair_enrichment", "pairs_sentence", "participant_by_category",
    "participant_permutation_test", "pearson_statistic", "plot_category_frequencies",
    "plot_cooccurrence", "plot_participation", "posts_per_participant", "question_label",
    "question_slug", "question_tests", "question_times", "rank_by_rater", "rank_interval",
    "rater_rank_sentence", "residual_screen_sentence", "read_table", "reader_headers", "require_table_columns", "shared_axis_limit",
    "shared_codes", "shared_codes_sentence", "tests_sentence", "timeline", "timeline_sentence", "top_category_sentence",
    "top_share",
]
