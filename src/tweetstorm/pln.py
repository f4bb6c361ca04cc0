"""The PLN identification network: whom and what participants say they learn from.

Input is the contact list of the PLN identification session, one row per (participant, contact)
pair: ``participant`` (as the participants table names them), ``contact`` (a pseudonymised person,
or the name of a group or resource), ``contact_type`` in {person, group, resource} and
``frequency`` in {daily, weekly, monthly, rarely} (how often the participant learns from it).

:func:`build_network` turns it into a directed graph participant -> contact (networkx). The
network is two-mode: participants name contacts; :func:`two_mode` gives the bipartite
participant–contact graph and :func:`two_mode_summary` its measures (networkx.bipartite).
Shares are of the participants who took the PLN session (who named at least one contact), not of
all participants of the Tweetstorm.

Node attribute ``kind`` is one of :data:`KINDS`. Who is a participant comes from the
participants table passed to :func:`build_network` (never from the spelling of a pseudonym). A
participant who is also named as a contact by another participant stays one node of kind
``participant``, with ``contact_type`` ``person``. Edge attributes: ``frequency`` (str) and
``weight`` (int, the ordinal code of :data:`FREQUENCY_WEIGHT`: daily=4, weekly=3, monthly=2,
rarely=1; an ordinal score for colouring and ranking, not a count of contacts per month).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, NullLocator
from networkx.algorithms import bipartite

from tweetstorm import figures, schemas
from tweetstorm.prose import and_list, plural
from tweetstorm.errors import InputError, require_columns

CONTACT_TYPES: tuple[str, ...] = ("person", "group", "resource")
KINDS: tuple[str, ...] = ("participant",) + CONTACT_TYPES
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "monthly", "rarely")
#: Ordinal weight of each frequency (higher = more often). Used for colours and tie-breaks.
FREQUENCY_WEIGHT: dict[str, int] = {"daily": 4, "weekly": 3, "monthly": 2, "rarely": 1}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(schemas.PLN_CONTACTS.required)
DEFAULT_SOURCE = schemas.PLN_CONTACTS.path
#: Plural nouns of the contact types, for headings and prose.
TYPE_PLURAL: dict[str, str] = {"person": "people", "group": "groups", "resource": "resources"}

# Columns written by notebook 01 (tweetstorm.pseudonymize.apply_pln): the kind of account of the
# participant and of a contact that is one account; NA where no account of the key was named.
_KIND_COLUMNS = {"participant": "participant_kind", "contact": "contact_kind"}

# Colours from the compendium's Okabe & Ito (2008) palette (figures.OKABE_ITO), one per kind.
_OI = figures.OKABE_ITO
KIND_STYLE: dict[str, dict[str, str]] = {
    "participant": {"color": _OI[4], "marker": "o", "label": "participant"},  # blue
    "person": {"color": _OI[0], "marker": "s", "label": "person"},  # orange
    "group": {"color": _OI[2], "marker": "^", "label": "group"},  # bluish green
    "resource": {"color": _OI[6], "marker": "D", "label": "resource"},  # reddish purple
}
# Frequencies daily..rarely: blue, sky blue, yellow, vermillion (categorical bars).
FREQUENCY_COLOR: dict[str, str] = dict(zip(FREQUENCIES, (_OI[4], _OI[1], _OI[3], _OI[5])))
# The matrix figure shows frequency as an ordered scale: one hue, light (rarely) to dark (daily),
# so that it reads in greyscale and for colour-blind readers (ColorBrewer "Blues", 4 classes).
FREQUENCY_SHADE: dict[str, str] = {"rarely": "#bdd7e7", "monthly": "#6baed6", "weekly": "#3182bd",
                                   "daily": "#08519c"}


def _fail(source: str, row: int | None, what: str, fix: str) -> None:
    raise InputError(source, what, fix, row=row)


def _clean_column(contacts: pd.DataFrame, column: str, source: str) -> pd.Series:
    """Strip a text column; empty or missing cells are an error naming the first bad row."""
    values = contacts[column].astype("string").str.strip()
    bad = values.isna() | (values == "")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 1
        _fail(source, row, f"empty {column!r}",
              f"fill in the {column} of that row or delete the row")
    return values


def validate_contacts(contacts: pd.DataFrame, source: str = DEFAULT_SOURCE,
                      participants: Iterable[str] | None = None,
                      require_pseudonyms: bool = False) -> pd.DataFrame:
    """Checked copy of a contact list, with ``contact_type`` and ``frequency`` lower-cased.

    ``contacts``: DataFrame with the columns of :data:`REQUIRED_COLUMNS` (more columns are kept).
    ``source`` names the file in error messages; rows are 1-based data rows of that file.
    ``participants`` (optional): every participant of the study, as the participants table names
    them; then each ``participant`` of the list must be one of them. Who is a participant is
    decided by that table, never by the spelling of a name.
    With ``require_pseudonyms``, participants and people must be accounts of the pseudonym key:
    their ``participant_kind`` / ``contact_kind`` (written by notebook 01) is filled in.
    Raises :class:`InputError` on a missing column, an empty cell, an unknown type or frequency,
    a participant naming themselves, or a (participant, contact) pair listed twice.
    """
    require_columns(contacts.columns, REQUIRED_COLUMNS, source,
                    f"the contact list needs the columns {', '.join(REQUIRED_COLUMNS)}")
    out = contacts.reset_index(drop=True).copy()
    for column in REQUIRED_COLUMNS:
        out[column] = _clean_column(out, column, source)
    out["contact_type"] = out["contact_type"].str.lower()
    out["frequency"] = out["frequency"].str.lower()
    for column, allowed in (("contact_type", CONTACT_TYPES), ("frequency", FREQUENCIES)):
        bad = ~out[column].isin(allowed)
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            _fail(source, i + 1, f"unknown {column} {out.at[i, column]!r}",
                  f"use one of {', '.join(allowed)}")
    self_named = out["participant"] == out["contact"]
    if self_named.any():
        i = int(self_named.to_numpy().nonzero()[0][0])
        _fail(source, i + 1, f"participant {out.at[i, 'participant']} names themselves",
              "delete the row or correct the contact")
    dup = out.duplicated(["participant", "contact"], keep="first")
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        _fail(source, i + 1,
              f"{out.at[i, 'participant']} names {out.at[i, 'contact']!r} more than once",
              "keep one row per participant and contact (one frequency each)")
    types = out.groupby("contact", sort=True)["contact_type"].nunique()
    if (types > 1).any():
        name = types[types > 1].index[0]
        rows = out.index[out["contact"] == name]
        first = out.at[rows[0], "contact_type"]
        i = int(next(r for r in rows if out.at[r, "contact_type"] != first))
        _fail(source, i + 1, f"contact {name!r} is listed with more than one contact_type",
              f"give {name!r} one contact_type in every row")
    if participants is not None:
        known = set(participants)
        unknown = ~out["participant"].isin(known)
        if unknown.any():
            i = int(unknown.to_numpy().nonzero()[0][0])
            _fail(source, i + 1,
                  f"participant {out.at[i, 'participant']!r} is not in the participants table",
                  "list them in the participants file, or correct the name in the contact list")
    if require_pseudonyms:
        people = out["contact_type"] == "person"
        everyone = pd.Series(True, index=out.index)
        require_columns(out.columns, tuple(_KIND_COLUMNS.values()), source,
                        "read the processed contact list written by notebook 01-ingest")
        for column, mask in (("participant", everyone), ("contact", people)):
            bad = mask & out[_KIND_COLUMNS[column]].isna()
            if bad.any():
                i = int(bad.to_numpy().nonzero()[0][0])
                _fail(source, i + 1, f"{column} {out.at[i, column]!r} is not pseudonymised",
                      "read the processed contact list written by notebook 01-ingest")
    return out


def build_network(contacts: pd.DataFrame, participants: Iterable[str] | None = None,
                  source: str = DEFAULT_SOURCE, require_pseudonyms: bool = False) -> nx.DiGraph:
    """Directed graph participant -> contact from a contact list (see :func:`validate_contacts`).

    ``participants`` optionally lists every participant (the ``handle`` column of
    participants.parquet): each participant of the list must be one of them, a participant who
    named nobody still appears (out-degree 0, not in the PLN session) and a contact who is in the
    table is a participant node. Without it, the participants are those of the list.
    Nodes are added in a fixed order (participants sorted, then contacts by kind and name), so the
    graph does not depend on the row order of the input.
    """
    known = None if participants is None else [str(p).strip() for p in participants]
    table = validate_contacts(contacts, source, known, require_pseudonyms)
    people = set(table["participant"]) | (set(known) if known is not None else set())
    G = nx.DiGraph()
    for p in sorted(people):
        G.add_node(p, kind="participant")
    kinds = table.drop_duplicates("contact").set_index("contact")["contact_type"]
    order = {k: i for i, k in enumerate(KINDS)}
    others = [c for c in kinds.index if c not in people]
    for c in sorted(others, key=lambda c: (order[kinds[c]], c)):
        G.add_node(c, kind=kinds[c])
    for c, t in kinds.items():
        G.nodes[c]["contact_type"] = t  # a named participant: kind participant, contact_type person
    for row in table.sort_values(["participant", "contact"], kind="stable").itertuples(index=False):
        G.add_edge(row.participant, row.contact, frequency=row.frequency,
                   weight=FREQUENCY_WEIGHT[row.frequency], contact_type=row.contact_type)
    return G


def participants_of(G: nx.DiGraph) -> list[str]:
    """Every participant node, sorted."""
    return sorted(n for n, k in G.nodes(data="kind") if k == "participant")


def session_participants(G: nx.DiGraph) -> list[str]:
    """The participants who took the PLN session (named at least one contact), sorted."""
    return [p for p in participants_of(G) if G.out_degree(p) > 0]


def contacts_of(G: nx.DiGraph) -> list[str]:
    """Every node named by someone (participants named as contacts included), in node order."""
    return [n for n in G.nodes if G.in_degree(n) > 0]


def two_mode(G: nx.DiGraph) -> nx.Graph:
    """The bipartite participant–contact graph of ``G``.

    Nodes are tuples ``("participant", name)`` for the participants who took the session
    (``bipartite=0``) and ``("contact", name)`` for every contact named (``bipartite=1``), so a
    participant named by another participant is a node in each mode, as two-mode analysis
    requires. Edges carry ``frequency`` and ``weight``.
    """
    B = nx.Graph()
    B.add_nodes_from((("participant", p) for p in session_participants(G)), bipartite=0)
    B.add_nodes_from((("contact", c) for c in contacts_of(G)), bipartite=1)
    for c in contacts_of(G):
        B.nodes[("contact", c)]["contact_type"] = G.nodes[c]["contact_type"]
    for p, c, data in sorted(G.edges(data=True), key=lambda e: (e[0], e[1])):
        B.add_edge(("participant", p), ("contact", c), frequency=data["frequency"],
                   weight=data["weight"])
    return B


def _ratio(num: float, den: float) -> float:
    return num / den if den else float("nan")


#: The rows of :func:`two_mode_summary` that are ratios or means (the others are counts).
RATIO_MEASURES: tuple[str, ...] = (
    "two-mode density", "mean contacts per session participant",
    "mean session participants per contact",
    "share of contacts named by more than one participant",
    "share of participant pairs naming a common contact",
)


def two_mode_summary(G: nx.DiGraph, digits: int | None = None) -> pd.DataFrame:
    """Measures of the two-mode participant–contact network as a table ``measure``, ``value``
    (object column: counts are int, ratios float; with ``digits`` the ratios are rounded, for
    display; every ratio can be recomputed from the counts of the same table).

    Rows: participants of the Tweetstorm; participants who took the PLN session (``n_p``);
    contacts named (``n_c``) and of each type (as named: a participant named by another counts as
    a person); people named who are participants themselves; ties (participant–contact pairs) and
    ties to each type; two-mode density = ties / (n_p n_c) (``networkx.bipartite.density``); mean
    contacts per session participant and mean participants per contact (mean degree of each mode;
    ``bipartite.degree_centrality`` divides them by the size of the other mode); share of the
    contacts named by more than one participant; share of pairs of session participants who
    name at least one contact in common (density of the participant projection,
    ``bipartite.projected_graph``); connected components of the two-mode graph.
    """
    B = two_mode(G)
    parts = [n for n, b in B.nodes(data="bipartite") if b == 0]
    contacts = [n for n, b in B.nodes(data="bipartite") if b == 1]
    ties = B.number_of_edges()
    rows: list[tuple[str, int | float]] = [
        ("participants of the Tweetstorm", len(participants_of(G))),
        ("participants who took the PLN session", len(parts)),
        ("contacts named", len(contacts)),
    ]
    for t in CONTACT_TYPES:
        rows.append((f"contacts named: {TYPE_PLURAL[t]}",
                     sum(B.nodes[c]["contact_type"] == t for c in contacts)))
    rows.append(("people named who are participants",
                 sum(G.nodes[c]["kind"] == "participant" for _, c in contacts)))
    rows.append(("ties (participant names contact)", ties))
    for t in CONTACT_TYPES:
        rows.append((f"ties to {TYPE_PLURAL[t]}",
                     sum(d == t for _, _, d in G.edges(data="contact_type"))))
    density = bipartite.density(B, parts) if parts and contacts else float("nan")
    projected = bipartite.projected_graph(B, parts) if parts else nx.Graph()
    rows += [
        ("two-mode density", density),
        ("mean contacts per session participant", _ratio(ties, len(parts))),
        ("mean session participants per contact", _ratio(ties, len(contacts))),
        ("share of contacts named by more than one participant",
         _ratio(sum(B.degree(c) > 1 for c in contacts), len(contacts))),
        ("share of participant pairs naming a common contact",
         nx.density(projected) if len(parts) > 1 else float("nan")),
        ("connected components", nx.number_connected_components(B) if len(B) else 0),
    ]
    if digits is not None:
        rows = [(m, round(v, digits) if isinstance(v, float) else v) for m, v in rows]
    return pd.DataFrame(rows, columns=["measure", "value"], dtype=object)


def ego_summary(G: nx.DiGraph) -> pd.DataFrame:
    """One row per participant who took the PLN session (sorted): ``participant``, ``size``
    (contacts named), ``degree_centrality`` (size / contacts named by anyone: the two-mode
    degree centrality of networkx.bipartite), then counts by contact type (``person``, ``group``,
    ``resource``) and by frequency (``daily`` .. ``rarely``).

    The type of a contact is the ``contact_type`` the participant gave (a named participant counts
    as a person). Counts are int.
    """
    n_contacts = len(contacts_of(G))
    rows = []
    for p in session_participants(G):
        counts = dict.fromkeys(CONTACT_TYPES + FREQUENCIES, 0)
        for _, _, data in G.out_edges(p, data=True):
            counts[data["contact_type"]] += 1
            counts[data["frequency"]] += 1
        rows.append({"participant": p, "size": G.out_degree(p),
                     "degree_centrality": G.out_degree(p) / n_contacts, **counts})
    columns = ["participant", "size", "degree_centrality", *CONTACT_TYPES, *FREQUENCIES]
    ints = {c: "int64" for c in ["size", *CONTACT_TYPES, *FREQUENCIES]}
    return pd.DataFrame(rows, columns=columns).astype({**ints, "degree_centrality": "float64"})


def most_named(G: nx.DiGraph, top: int = 10) -> pd.DataFrame:
    """The ``top`` contacts named by most participants.

    Columns: ``rank`` (competition ranking: equal counts share the best rank), ``contact``,
    ``kind``, ``named_by`` (number of participants naming it), ``share`` (named_by / participants
    who took the PLN session: the contact's two-mode degree centrality), ``mean_weight`` (mean
    ordinal frequency weight, 4 = daily). Sorted by named_by descending, then contact name
    ascending (a stable, explicit order); ties at the cut-off are cut by that name order.
    """
    n_session = len(session_participants(G))
    rows = []
    for node in contacts_of(G):
        weights = [d["weight"] for _, _, d in G.in_edges(node, data=True)]
        rows.append({"contact": node, "kind": G.nodes[node]["kind"], "named_by": len(weights),
                     "share": len(weights) / n_session, "mean_weight": sum(weights) / len(weights)})
    table = pd.DataFrame(rows, columns=["contact", "kind", "named_by", "share", "mean_weight"])
    table = table.sort_values(["named_by", "contact"], ascending=[False, True], kind="stable")
    table.insert(0, "rank", table["named_by"].rank(method="min", ascending=False).astype("int64"))
    return table.head(top).reset_index(drop=True)


@dataclass(frozen=True)
class MatrixLayout:
    """What :func:`draw_network` shows: ``participants`` (columns, left to right), ``blocks``
    (``(contact_type, [contacts])`` top to bottom) and what was left out for space."""

    participants: list[str]
    blocks: list[tuple[str, list[str]]]
    participants_left_out: int
    contacts_left_out: int
    min_named_by: int = 1

    @property
    def contacts(self) -> list[str]:
        return [c for _, block in self.blocks for c in block]


def matrix_layout(G: nx.DiGraph, max_contacts: int = 60, max_participants: int = 60) -> MatrixLayout:
    """The order of the matrix figure.

    Columns: the participants who took the session, largest network first (ties by name); at
    most ``max_participants``. Rows: the contacts named by at least k participants, for the
    smallest k that gives at most ``max_contacts`` rows (so contacts named equally often are
    all shown or all left out), grouped by type (people, groups, resources) and within a type
    by the number of participants naming them, then name. ``min_named_by`` of the result is k.
    """
    parts = sorted(session_participants(G), key=lambda p: (-G.out_degree(p), p))
    shown_parts = parts[:max_participants]
    ranked = sorted(contacts_of(G), key=lambda c: (-G.in_degree(c), c))
    # whole levels only: every contact named by at least k participants, for the smallest k
    # that fits, so that no contact is left out while another named as often is shown
    levels = sorted({G.in_degree(c) for c in ranked})
    k = next((k for k in levels if sum(G.in_degree(c) >= k for c in ranked) <= max_contacts),
             max(levels, default=1) + 1)
    shown = {c for c in ranked if G.in_degree(c) >= k}
    blocks = []
    for t in CONTACT_TYPES:
        block = [c for c in ranked if c in shown and G.nodes[c]["contact_type"] == t]
        if block:
            blocks.append((t, block))
    return MatrixLayout(shown_parts, blocks, len(parts) - len(shown_parts),
                        len(ranked) - len(shown), k)


def _short(label: str, width: int = 36) -> str:
    return label if len(label) <= width else label[:width - 1] + "\u2026"


def draw_network(G: nx.DiGraph, max_contacts: int = 60, max_participants: int = 60,
                 width: float | None = None) -> Figure:
    """The two-mode network as an ordered matrix: one column per participant who took the PLN
    session, one row per contact, a filled cell where the participant named the contact, its
    shade by how often they learn from it (light: rarely .. dark: daily).

    Order and selection: :func:`matrix_layout`. Rows are grouped by contact type under a bold
    header row ("People (29)"); a contact who is a participant of the Tweetstorm (from the
    participants table) reads "(participant)" after its name. A bar panel on the right gives the
    number of participants naming each contact. Labels sit on a fixed grid, one row or column
    each, so they cannot overlap. ``width`` in inches (default: page width); the height follows
    from the number of rows.
    """
    figures.use_style()
    layout = matrix_layout(G, max_contacts, max_participants)
    rows: list[tuple[str, str | None]] = []  # (label, contact or None for a block header)
    for t, block in layout.blocks:
        of_type = sum(G.nodes[c]["contact_type"] == t for c in contacts_of(G))
        count = f"{len(block)}" if len(block) == of_type else f"{len(block)} of {of_type}"
        rows.append((f"{TYPE_PLURAL[t].capitalize()} ({count})", None))
        for c in block:
            label = _short(c)
            if G.nodes[c]["kind"] == "participant":
                label += " (participant)"
            rows.append((label, c))
    n_rows, n_cols = len(rows), len(layout.participants)
    values = np.full((max(n_rows, 1), max(n_cols, 1)), np.nan)
    for i, (_, c) in enumerate(rows):
        for j, p in enumerate(layout.participants):
            if c is not None and G.has_edge(p, c):
                values[i, j] = G.edges[p, c]["weight"]
    pitch = 0.118  # inches per row: 8.5 pt for 6 pt labels
    height = 1.35 + pitch * max(n_rows, 1)
    fig = plt.figure(figsize=(width or figures.PAGE_WIDTH, height))
    grid = fig.add_gridspec(1, 2, width_ratios=[max(n_cols, 1), 7], wspace=0.02)
    ax = fig.add_subplot(grid[0])
    bars = fig.add_subplot(grid[1], sharey=ax)
    order = sorted(FREQUENCY_WEIGHT, key=FREQUENCY_WEIGHT.get)  # rarely .. daily
    cmap = ListedColormap([FREQUENCY_SHADE[f] for f in order]).with_extremes(bad="white")
    norm = BoundaryNorm(np.arange(0.5, len(order) + 1), cmap.N)
    ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto",
              interpolation="nearest")
    header_rows = [i for i, (_, c) in enumerate(rows) if c is None]
    for i in header_rows:
        ax.axhspan(i - 0.5, i + 0.5, color="#eeeeee", zorder=0.5, linewidth=0)
        bars.axhspan(i - 0.5, i + 0.5, color="#eeeeee", zorder=0.5, linewidth=0)
        if i > 0:
            for a in (ax, bars):
                a.axhline(i - 0.5, color="black", linewidth=0.6)
    ax.set_xticks(range(n_cols), layout.participants, rotation=90, fontsize=6)
    ax.set_yticks(range(n_rows), [label for label, _ in rows], fontsize=6)
    for tick, (_, c) in zip(ax.get_yticklabels(), rows):
        if c is None:
            tick.set_fontweight("bold")
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    ax.tick_params(axis="both", length=0, pad=2)
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="#d9d9d9", linewidth=0.3)
    ax.tick_params(which="minor", length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(True)
        ax.spines[side].set_linewidth(0.6)
    ax.set_xlabel("participants who took the PLN session (largest network first)", fontsize=7)
    named_by = [G.in_degree(c) if c is not None else 0 for _, c in rows]
    bars.barh(range(n_rows), named_by, height=0.7, color="#737373")
    bars.tick_params(axis="y", left=False, labelleft=False)
    bars.xaxis.set_ticks_position("top")
    bars.xaxis.set_label_position("top")
    bars.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    bars.tick_params(axis="x", labelsize=6)
    bars.set_xlabel("named by", fontsize=7)
    bars.spines["bottom"].set_visible(False)
    bars.spines["top"].set_visible(True)
    bars.spines["right"].set_visible(False)
    ax.set_ylim(n_rows - 0.5, -0.5)
    handles = [Patch(facecolor=FREQUENCY_SHADE[f], edgecolor="#737373", linewidth=0.3, label=f)
               for f in FREQUENCIES]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=6.5,
               title="how often the participant learns from the contact", title_fontsize=6.5)
    return fig


def composition_figure(ego: pd.DataFrame, figsize: tuple[float, float] | None = None) -> Figure:
    """Stacked horizontal bars per participant: contacts by type (left) and by frequency (right).

    ``ego`` is the output of :func:`ego_summary`; bars count contacts. ``figsize`` in inches;
    default: page width by a height that grows with the number of participants.
    """
    figures.use_style()
    height = min(max(2.0, 0.8 + 0.14 * len(ego)), 9.0)
    fig, axes = plt.subplots(1, 2, sharey=True, figsize=figsize or (figures.PAGE_WIDTH, height))
    data = ego.set_index("participant").iloc[::-1]  # first participant on top
    freq_colors = [FREQUENCY_COLOR[f] for f in FREQUENCIES]
    for ax, columns, colors, title in (
        (axes[0], list(CONTACT_TYPES), [KIND_STYLE[k]["color"] for k in CONTACT_TYPES], "by type"),
        (axes[1], list(FREQUENCIES), freq_colors, "by frequency"),
    ):
        data[columns].plot.barh(stacked=True, ax=ax, color=colors, width=0.8,
                                edgecolor="black", linewidth=0.3)
        ax.set_title(title)
        ax.set_xlim(0, max(1, int(ego["size"].max()) if len(ego) else 1) * 1.04)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("contacts named")
        ax.set_ylabel("")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=2, frameon=False)
    return fig


# ---------------------------------------------------------------------------------------------
# Sentences for the reader: every rule that decides what a sentence says (plurals, ties, what is
# left out, whether the networks overlap) is here, so the notebook only displays them.
# ---------------------------------------------------------------------------------------------

#: The noun of each kind of contact, singular and plural, for sentences.
KIND_NOUN: dict[str, tuple[str, str]] = {"participant": ("participant", "participants"),
                                         "person": ("person", "people"), "group": ("group", "groups"),
                                         "resource": ("resource", "resources")}


def summary_sentence(summary: pd.DataFrame) -> str:
    """The whole network in a paragraph, from the unrounded :func:`two_mode_summary`: who took
    the session, what they named, the mean degrees, how much the personal networks overlap (they
    overlap when at least one pair of participants named a contact in common) and the density."""
    s = dict(summary.itertuples(index=False))
    took, of = s["participants who took the PLN session"], s["participants of the Tweetstorm"]
    types = [plural(s[f"contacts named: {TYPE_PLURAL[t]}"], *KIND_NOUN[t]) for t in CONTACT_TYPES]
    types[0] += f" ({s['people named who are participants']} of them participants themselves)"
    text = (f"{took} of the {of} participants took the PLN session. They named "
            f"{plural(s['contacts named'], 'distinct contact', 'distinct contacts')} in "
            f"{plural(s['ties (participant names contact)'], 'tie', 'ties')}: {and_list(types)}. "
            f"A participant named {s['mean contacts per session participant']:.1f} contacts on "
            f"average, and a contact was named by {s['mean session participants per contact']:.1f} "
            f"participants. {s['share of contacts named by more than one participant']:.0%} of the "
            "contacts were named by more than one participant")
    pairs = s["share of participant pairs naming a common contact"]
    if pd.isna(pairs):  # fewer than two participants took the session: no pairs
        text += "; "
    else:
        text += (f" and {pairs:.0%} of the pairs of participants named at least one contact in "
                 f"common, so the personal networks {'overlap' if pairs > 0 else 'do not overlap'}; ")
    return text + f"the two-mode density is {s['two-mode density']:.3f}."


def ego_sentence(ego: pd.DataFrame, G: nx.DiGraph) -> str:
    """The personal networks in a paragraph, from :func:`ego_summary` of ``G``: their range and
    median size, the largest (every participant tied for it), the participants of the Tweetstorm
    who did not take the session, and the shares of all ties by contact type and frequency."""
    absent = [p for p in participants_of(G) if p not in set(ego["participant"])]
    absent_text = ("Participants of the Tweetstorm who did not take the PLN session: "
                   f"{', '.join(absent) or 'none'}.")
    n_ties = int(ego["size"].sum())
    if not n_ties:
        return f"No participant named a contact. {absent_text}"
    totals = ego[[*CONTACT_TYPES, *FREQUENCIES]].sum()
    largest = ", ".join(ego.loc[ego["size"] == ego["size"].max(), "participant"])
    return (f"Personal networks range from {ego['size'].min()} to {ego['size'].max()} contacts "
            f"(median {ego['size'].median():g}); the largest: {largest}. {absent_text} "
            f"Of all {n_ties} ties, {totals['person'] / n_ties:.0%} go to people, "
            f"{totals['group'] / n_ties:.0%} to groups and {totals['resource'] / n_ties:.0%} to "
            f"resources; {(totals['daily'] + totals['weekly']) / n_ties:.0%} are used daily or "
            f"weekly and {totals['rarely'] / n_ties:.0%} rarely.")


def most_named_sentence(named: pd.DataFrame, n_session: int) -> str:
    """The most named contacts in two sentences, from :func:`most_named`: every contact tied for
    first place with its kind, by how many of the ``n_session`` participants who took the session,
    then how many of each kind the listed contacts hold."""
    if named.empty:
        return "No contact was named."
    first = named.iloc[0]
    leaders = named[named["named_by"] == first["named_by"]]  # every contact tied for first place
    kinds = named["kind"].value_counts()
    held = [plural(int(kinds[k]), *KIND_NOUN[k]) for k in KINDS if k in kinds]
    return ("Most named: "
            + ", ".join(f"{c} ({k})" for c, k in leaders[["contact", "kind"]].itertuples(index=False))
            + f", named by {first['named_by']} of the {n_session} participants who took the session "
            f"({first['share']:.0%}). The top {len(named)} hold {', '.join(held)}.")


def left_out_sentence(layout: MatrixLayout) -> str:
    """What the network figure leaves out for space (for its caption), or "" when it shows the
    whole network."""
    parts = []
    if layout.contacts_left_out:
        n = layout.contacts_left_out
        fewer = ("only one participant" if layout.min_named_by == 2
                 else f"fewer than {layout.min_named_by} participants")
        parts.append(f"{plural(n, 'contact', 'contacts')} named by {fewer} "
                     f"{'is' if n == 1 else 'are'} left out")
    if layout.participants_left_out:
        n = layout.participants_left_out
        parts.append(f"{plural(n, 'participant with a smaller network', 'participants with smaller networks')} "
                     f"{'is' if n == 1 else 'are'} left out")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
