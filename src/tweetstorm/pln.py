"""The PLN identification network: whom and what participants say they learn from.

Input is the contact list of the PLN identification session, one row per (participant, contact)
pair: ``participant`` (pseudonym, e.g. ``P01``), ``contact`` (a pseudonymised person ``X001`` or
``P03``, or the name of a group or resource), ``contact_type`` in {person, group, resource} and
``frequency`` in {daily, weekly, monthly, rarely} (how often the participant learns from it).

:func:`build_network` turns it into a directed graph participant -> contact (networkx); the other
functions summarise that graph as tables and draw it.

Node attribute ``kind`` is one of :data:`KINDS`. A participant who is also named as a contact by
another participant stays one node of kind ``participant`` (the study's population), so in-degree
counts reach participants too. Edge attributes: ``frequency`` (str) and ``weight`` (int, the
ordinal code of :data:`FREQUENCY_WEIGHT`: daily=4, weekly=3, monthly=2, rarely=1; an ordinal
score for drawing and ranking, not a count of contacts per month).
"""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, NullLocator

from . import figures
from .errors import InputError, require_columns

CONTACT_TYPES: tuple[str, ...] = ("person", "group", "resource")
KINDS: tuple[str, ...] = ("participant",) + CONTACT_TYPES
FREQUENCIES: tuple[str, ...] = ("daily", "weekly", "monthly", "rarely")
#: Ordinal weight of each frequency (higher = more often). Used for edge width and tie-breaks.
FREQUENCY_WEIGHT: dict[str, int] = {"daily": 4, "weekly": 3, "monthly": 2, "rarely": 1}
REQUIRED_COLUMNS: tuple[str, ...] = ("participant", "contact", "contact_type", "frequency")
DEFAULT_SOURCE = "data/processed/pln_contacts.parquet"

# Columns written by notebook 01 (tweetstorm.pseudonymize.apply_pln): the kind of account of the
# participant and of a contact that is one account; NA where no account of the key was named.
_KIND_COLUMNS = {"participant": "participant_kind", "contact": "contact_kind"}

# Colours from the compendium's Okabe & Ito (2008) palette (figures.OKABE_ITO), one per kind; the
# shapes differ as well, so the kinds stay apart for colour-blind readers and in greyscale print.
_OI = figures.OKABE_ITO
KIND_STYLE: dict[str, dict[str, str]] = {
    "participant": {"color": _OI[4], "marker": "o", "label": "participant"},  # blue
    "person": {"color": _OI[0], "marker": "s", "label": "person"},  # orange
    "group": {"color": _OI[2], "marker": "^", "label": "group"},  # bluish green
    "resource": {"color": _OI[6], "marker": "D", "label": "resource"},  # reddish purple
}
# Frequencies daily..rarely: blue, sky blue, yellow, vermillion.
FREQUENCY_COLOR: dict[str, str] = dict(zip(FREQUENCIES, (_OI[4], _OI[1], _OI[3], _OI[5])))


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
                      require_pseudonyms: bool = False) -> pd.DataFrame:
    """Checked copy of a contact list, with ``contact_type`` and ``frequency`` lower-cased.

    ``contacts``: DataFrame with the columns of :data:`REQUIRED_COLUMNS` (more columns are kept).
    ``source`` names the file in error messages; rows are 1-based data rows of that file.
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

    ``participants`` optionally lists every participant (e.g. the ``handle`` column of
    participants.parquet) so that a participant who named nobody still appears, with size 0.
    Nodes are added in a fixed order (participants sorted, then contacts by kind and name), so the
    graph and any seeded layout do not depend on the row order of the input.
    """
    table = validate_contacts(contacts, source, require_pseudonyms)
    people = set(table["participant"]) | (set(participants) if participants is not None else set())
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


def _participants(G: nx.DiGraph) -> list[str]:
    return [n for n, k in G.nodes(data="kind") if k == "participant"]


def ego_summary(G: nx.DiGraph) -> pd.DataFrame:
    """One row per participant (sorted): ``participant``, ``size`` (contacts named), then counts
    by contact type (``person``, ``group``, ``resource``) and by frequency (``daily`` ..
    ``rarely``).

    The type of a contact is the ``contact_type`` the participant gave (a named participant counts
    as a person). All counts are int.
    """
    rows = []
    for p in sorted(_participants(G)):
        counts = dict.fromkeys(CONTACT_TYPES + FREQUENCIES, 0)
        for _, _, data in G.out_edges(p, data=True):
            counts[data["contact_type"]] += 1
            counts[data["frequency"]] += 1
        rows.append({"participant": p, "size": G.out_degree(p), **counts})
    columns = ["participant", "size", *CONTACT_TYPES, *FREQUENCIES]
    return pd.DataFrame(rows, columns=columns).astype({c: "int64" for c in columns[1:]})


def most_named(G: nx.DiGraph, top: int = 10) -> pd.DataFrame:
    """The ``top`` contacts named by most participants.

    Columns: ``rank`` (1..), ``contact``, ``kind``, ``named_by`` (in-degree: number of participants
    naming it), ``share`` (named_by / number of participants), ``mean_weight`` (mean ordinal
    frequency weight, 4 = daily). Sorted by named_by descending, then contact name ascending (a
    stable, explicit tie-break); ties at the cut-off are cut by that name order.
    """
    n_part = max(len(_participants(G)), 1)
    rows = []
    for node, indeg in G.in_degree():
        if indeg == 0:
            continue
        weights = [d["weight"] for _, _, d in G.in_edges(node, data=True)]
        rows.append({"contact": node, "kind": G.nodes[node]["kind"], "named_by": indeg,
                     "share": indeg / n_part, "mean_weight": sum(weights) / len(weights)})
    table = pd.DataFrame(rows, columns=["contact", "kind", "named_by", "share", "mean_weight"])
    table = table.sort_values(["named_by", "contact"], ascending=[False, True], kind="stable")
    table = table.head(top).reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


def network_summary(G: nx.DiGraph, digits: int | None = None) -> pd.DataFrame:
    """Whole-network measures as a two-column table ``measure``, ``value`` (object column: counts
    are int, ratios float; with ``digits`` the ratios are rounded, for display: every ratio can be
    recomputed exactly from the counts in the same table).

    Rows: participants; participants who listed contacts (out-degree > 0); contacts (nodes named
    by someone, participants included); contacts of each type (as named: a named participant
    counts as a person); contacts who are participants; nodes; edges; edges to each contact type;
    density (networkx: edges / (n (n - 1)) for a directed graph of n nodes); mean out-degree of
    the participants who listed contacts; share of contacts named by more than one participant;
    number of weakly connected components.
    """
    parts = _participants(G)
    named = [n for n, d in G.in_degree() if d > 0]
    listing = [p for p in parts if G.out_degree(p) > 0]
    rows: list[tuple[str, int | float]] = [
        ("participants", len(parts)), ("participants who listed contacts", len(listing)),
        ("contacts", len(named))]
    for t in CONTACT_TYPES:
        rows.append((f"contacts: {t}", sum(G.nodes[n]["contact_type"] == t for n in named)))
    rows.append(("contacts who are participants", sum(n in set(parts) for n in named)))
    rows += [("nodes", G.number_of_nodes()), ("edges", G.number_of_edges())]
    for t in CONTACT_TYPES:
        rows.append((f"edges to {t}", sum(d == t for _, _, d in G.edges(data="contact_type"))))
    shared = sum(G.in_degree(n) > 1 for n in named)
    rows += [
        ("density", nx.density(G)),
        ("mean out-degree of participants who listed contacts",
         G.number_of_edges() / len(listing) if listing else float("nan")),
        ("share of contacts named by more than one participant",
         shared / len(named) if named else float("nan")),
        ("weakly connected components", nx.number_weakly_connected_components(G)),
    ]
    if digits is not None:
        rows = [(m, round(v, digits) if isinstance(v, float) else v) for m, v in rows]
    return pd.DataFrame(rows, columns=["measure", "value"], dtype=object)


def _node_size(G: nx.DiGraph, node: str) -> float:
    # Marker area in pt^2: grows with the number of participants naming the node.
    base = 45 if G.nodes[node]["kind"] == "participant" else 18
    return base + 12 * G.in_degree(node)


def _short(label: str, width: int = 24) -> str:
    return label if len(label) <= width else label[:width - 1] + "\u2026"


def draw_network(G: nx.DiGraph, seed: int = 20130601, top: int = 10,
                 figsize: tuple[float, float] | None = None) -> Figure:
    """Network figure: nodes by kind (shape and colour, legend), node area by the number of
    participants naming the node, edge width by frequency.

    Layout: ``nx.spring_layout(G, seed=seed, ...)`` (deterministic for a given graph; the node
    order is fixed by :func:`build_network`). Legend: the number of nodes of each kind; a
    participant named as a contact by others is drawn (and counted) as a participant, so the
    person entry reads e.g. "person (29 + 15 participants named)", which adds up to the person
    contacts of :func:`network_summary`. Labels: every participant and the ``top`` most named
    contacts (:func:`most_named`; names longer than 24 characters are shortened with an
    ellipsis); other contacts stay unlabelled to keep the figure readable.
    ``figsize`` in inches; default: page width (figures.PAGE_WIDTH) by 4.5 in.
    """
    figures.use_style()
    # k: twice networkx's default spacing (1/sqrt(n)), so the participants in the middle spread out.
    pos = nx.spring_layout(G, seed=seed, k=2 / max(G.number_of_nodes(), 1) ** 0.5, iterations=200)
    fig, ax = plt.subplots(figsize=figsize or (figures.PAGE_WIDTH, 4.5))
    widths = [0.4 + 0.35 * d for _, _, d in G.edges(data="weight")]
    nx.draw_networkx_edges(G, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.45,
                           arrows=True, arrowsize=5,
                           node_size=[_node_size(G, n) for n in G.nodes])
    handles = []
    named_participants = sum(G.nodes[p].get("contact_type") == "person" for p in _participants(G))
    for kind in KINDS:
        style = KIND_STYLE[kind]
        nodes = [n for n, k in G.nodes(data="kind") if k == kind]
        if not nodes:
            continue
        nx.draw_networkx_nodes(G, pos, nodelist=nodes, ax=ax, node_color=style["color"],
                               node_shape=style["marker"],
                               node_size=[_node_size(G, n) for n in nodes],
                               edgecolors="black", linewidths=0.4)
        label = f"{style['label']} ({len(nodes)})"
        if kind == "person" and named_participants:
            # participants named as person contacts are drawn as participants: say so
            label = f"person ({len(nodes)} + {named_participants}\nparticipants named)"
        handles.append(Line2D([], [], linestyle="", marker=style["marker"], color=style["color"],
                              markeredgecolor="black", markeredgewidth=0.4, label=label))
    labelled = set(_participants(G)) | set(most_named(G, top)["contact"])
    labels = {n: _short(n) for n in G.nodes if n in labelled}
    # Labels just above their node, on a light box so that edges do not hide them.
    label_pos = {n: (x, y + 0.045) for n, (x, y) in pos.items()}
    nx.draw_networkx_labels(G, label_pos, labels=labels, ax=ax, font_size=5.5,
                            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white",
                                  "edgecolor": "none", "alpha": 0.75})
    freq_handles = [Line2D([], [], color="#999999", linewidth=0.4 + 0.35 * FREQUENCY_WEIGHT[f],
                           label=f) for f in FREQUENCIES]
    ax.legend(handles=handles + freq_handles, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              frameon=False, fontsize=7, title="node kind / frequency\n(area: times named)",
              title_fontsize=7)
    ax.set_axis_off()
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
        ax.set_xlim(0, max(1, int(ego["size"].max())) * 1.04)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("contacts named")
        ax.set_ylabel("")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=2, frameon=False)
    return fig
