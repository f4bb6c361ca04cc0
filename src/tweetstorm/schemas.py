"""The schemas of the processed tables, declared once.

Every step that writes or reads a table under ``data/processed/`` takes its column names and
Arrow types from here (the architecture contract, ``docs/architecture.md``), so a column is
renamed or retyped in one place.

- :data:`CANONICAL_POSTS`: the canonical post table that the ingest step produces (one row per
  unique post, in :data:`CANONICAL_COLUMNS` order).
- :data:`PROCESSED_POSTS`: ``data/processed/posts.parquet``: the canonical posts followed by the
  Tweetstorm structure (:data:`STRUCTURE_COLUMNS`).
- :data:`INGEST_REPORT_COLUMNS`: ``data/processed/ingest_report.csv``, one row per input file.
- :class:`Table`: each processed table with its file, the notebook that writes it and its declared
  columns: :data:`POSTS`, :data:`INGEST_REPORT`, :data:`PARTICIPANTS`, :data:`PLN_CONTACTS`,
  :data:`RATINGS`, :data:`CONSENSUS` (all in :data:`TABLES`). Their one writer and one reader each
  are in :mod:`tweetstorm.processed`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from tweetstorm import paths

#: The canonical post table, in this column order.
CANONICAL_COLUMNS: list[str] = [
    "post_id", "platform", "author_id", "author_handle", "created_at", "text", "lang",
    "is_retweet", "retweeted_post_id", "reply_to_post_id", "reply_to_handle", "quoted_post_id",
    "conversation_id", "hashtags", "mentions", "urls", "source_format", "source_file",
    "source_line",
]

#: Columns holding lists of text (hashtags lower-case without ``#``, mentions without ``@``).
LIST_COLUMNS: tuple[str, ...] = ("hashtags", "mentions", "urls")

#: Columns that are never missing.
REQUIRED_COLUMNS: tuple[str, ...] = ("post_id", "created_at", "is_retweet", "source_format",
                                     "source_file", "source_line")


def _type(name: str) -> pa.DataType:
    if name == "created_at":
        return pa.timestamp("us", tz="UTC")
    if name in LIST_COLUMNS:
        return pa.list_(pa.string())
    if name == "is_retweet":
        return pa.bool_()
    if name == "source_line":
        return pa.int64()
    return pa.string()


#: Arrow types of the canonical post table.
CANONICAL_POSTS: pa.Schema = pa.schema(
    [pa.field(name, _type(name), nullable=name not in REQUIRED_COLUMNS) for name in CANONICAL_COLUMNS])

#: Columns added to the canonical posts by ``structure.assign_structure`` (text, missing allowed;
#: ``author_kind`` is moderator, participant or other).
STRUCTURE_COLUMNS: tuple[str, ...] = ("role", "question", "assign_rule", "author_kind")

#: Arrow types of ``data/processed/posts.parquet``.
PROCESSED_POSTS: pa.Schema = pa.schema(
    [*CANONICAL_POSTS, *(pa.field(name, pa.string()) for name in STRUCTURE_COLUMNS)])

#: The reconciliation report of an ingest, one row per input file:
#: ``read = kept + duplicate + superseded + rejected``; ``note`` says what was done to read the
#: file (decompressed, byte-order mark removed, ...) or why it holds no posts.
INGEST_REPORT_COLUMNS: list[str] = ["source_file", "source_format", "exact_ids", "read", "kept",
                                    "duplicate", "superseded", "rejected", "note"]
#: The count columns of the report.
INGEST_COUNT_COLUMNS: tuple[str, ...] = ("read", "kept", "duplicate", "superseded", "rejected")


# ---------------------------------------------------------------------------------------------
# The processed tables: file, the notebook that writes it, and the declared columns
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """One table under ``data/processed/``: where it is written, by which notebook, and its
    declared columns (in this order, with their Arrow types).

    :mod:`tweetstorm.processed` writes and reads every table through this declaration: the
    writer puts the declared columns first, in this order and with these types; the reader
    checks that a file has every required column and otherwise names the file and the notebook
    that makes it.
    """

    path: str  #: the default path, repo-relative (the default of the notebook's parameter)
    step: str  #: the notebook that writes it: ``notebooks/<step>.ipynb``
    what: str  #: what the rows are, for error messages ("the ratings")
    schema: pa.Schema  #: the declared columns and their Arrow types
    optional: tuple[str, ...] = ()  #: declared columns a file may lack
    open_ended: bool = False  #: further columns may follow (types as pandas infers them)

    @property
    def columns(self) -> list[str]:
        """The declared columns, in order."""
        return list(self.schema.names)

    @property
    def required(self) -> list[str]:
        """The declared columns every file of this table has."""
        return [c for c in self.schema.names if c not in self.optional]


def _text_columns(*names: str) -> pa.Schema:
    # pandas' string dtypes are written as Arrow large_string
    return pa.schema([pa.field(name, pa.large_string()) for name in names])


#: ``data/processed/posts.parquet``: one row per unique post (:data:`PROCESSED_POSTS`).
POSTS = Table(paths.POSTS_FILE, "01-ingest", "the processed posts", PROCESSED_POSTS)

#: ``data/processed/ingest_report.csv``: the reconciliation of the ingest, one row per input file.
INGEST_REPORT = Table(paths.INGEST_REPORT_FILE, "01-ingest", "the ingest report",
                      pa.schema([pa.field(c, pa.int64() if c in INGEST_COUNT_COLUMNS else
                                          pa.bool_() if c == "exact_ids" else pa.string())
                                 for c in INGEST_REPORT_COLUMNS]))

#: ``data/processed/participants.parquet``: the participant list, pseudonymised; ``handle``
#: then the list's attribute columns (``role``, ``sector``, ... as the study has them). Without a
#: participant list, ``handle`` alone and no row.
PARTICIPANTS = Table(paths.PARTICIPANTS_FILE, "01-ingest", "the participants",
                     _text_columns("handle"), open_ended=True)

#: ``data/processed/pln_contacts.parquet``: the PLN identification session, pseudonymised, one row
#: per contact a participant named; ``participant_kind`` / ``contact_kind`` (moderator,
#: participant, other; missing for a group or resource) come from the pseudonym key, so a table
#: written without pseudonymisation lacks them.
PLN_CONTACTS = Table(paths.PLN_CONTACTS_FILE, "01-ingest", "the PLN contacts",
                     _text_columns("participant", "contact", "contact_type", "frequency",
                                   "participant_kind", "contact_kind"),
                     optional=("participant_kind", "contact_kind"))

#: ``data/processed/ratings.parquet``: every rater's code of every unit, long format (``code``
#: missing: the rater left the unit uncoded).
RATINGS = Table(paths.RATINGS_FILE, "02-coding", "the ratings",
                _text_columns("unit_id", "question", "rater", "code"))

#: ``data/processed/consensus.parquet``: one consensus code per unit with its audit trail: ``consensus_rule`` (unanimous, majority,
#: adjudicated) and ``adjudicator`` (missing unless adjudicated).
CONSENSUS = Table(paths.CONSENSUS_FILE, "02-coding", "the consensus codes",
                  _text_columns("unit_id", "question", "author", "code", "consensus_rule",
                                "adjudicator"))

#: Every processed table, in the order the pipeline writes them.
TABLES: tuple[Table, ...] = (POSTS, INGEST_REPORT, PARTICIPANTS, PLN_CONTACTS, RATINGS, CONSENSUS)
