"""tweetstorm.pln on a hand-made contact list whose counts are worked out by hand below."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from tweetstorm import pln
from tweetstorm.errors import InputError

matplotlib.use("Agg")

# Three participants, five contacts; P02 is both a participant and a contact of P01.
ROWS = [
    ("P01", "X001", "person", "daily"),
    ("P01", "Wiki", "resource", "weekly"),
    ("P01", "P02", "person", "monthly"),
    ("P02", "X001", "person", "rarely"),
    ("P02", "GroupA", "group", "weekly"),
    ("P03", "X001", "person", "daily"),
    ("P03", "GroupA", "group", "daily"),
    ("P03", "X002", "person", "rarely"),
]
COLUMNS = ["participant", "contact", "contact_type", "frequency"]


@pytest.fixture
def contacts() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


@pytest.fixture
def G(contacts):
    return pln.build_network(contacts)


def test_nodes_kinds_and_edges(G):
    # 3 participants + X001, X002, GroupA, Wiki (P02 stays a participant node) = 7 nodes.
    assert G.number_of_nodes() == 7
    assert G.number_of_edges() == 8
    kinds = dict(G.nodes(data="kind"))
    assert kinds == {"P01": "participant", "P02": "participant", "P03": "participant",
                     "X001": "person", "X002": "person", "GroupA": "group", "Wiki": "resource"}
    assert G.edges["P01", "X001"]["frequency"] == "daily"
    assert G.edges["P01", "X001"]["weight"] == 4
    assert G.edges["P02", "X001"]["weight"] == 1
    assert G.edges["P01", "P02"]["contact_type"] == "person"


def test_in_and_out_degrees(G):
    assert dict(G.out_degree(["P01", "P02", "P03"])) == {"P01": 3, "P02": 2, "P03": 3}
    assert dict(G.in_degree(["X001", "GroupA", "Wiki", "P02", "X002", "P01"])) == {
        "X001": 3, "GroupA": 2, "Wiki": 1, "P02": 1, "X002": 1, "P01": 0}


def test_ego_summary_counts(G):
    ego = pln.ego_summary(G).set_index("participant")
    assert list(ego.index) == ["P01", "P02", "P03"]
    assert ego.loc["P01"].to_dict() == {"size": 3, "person": 2, "group": 0, "resource": 1,
                                        "daily": 1, "weekly": 1, "monthly": 1, "rarely": 0}
    assert ego.loc["P02"].to_dict() == {"size": 2, "person": 1, "group": 1, "resource": 0,
                                        "daily": 0, "weekly": 1, "monthly": 0, "rarely": 1}
    assert ego.loc["P03"].to_dict() == {"size": 3, "person": 2, "group": 1, "resource": 0,
                                        "daily": 2, "weekly": 0, "monthly": 0, "rarely": 1}


def test_ego_summary_includes_silent_participant(contacts):
    G = pln.build_network(contacts, participants=pd.Series(["P01", "P02", "P03", "P04"]))
    ego = pln.ego_summary(G).set_index("participant")
    assert ego.loc["P04"].sum() == 0
    assert len(ego) == 4


def test_most_named_order_and_tie_break(G):
    top = pln.most_named(G, top=4)
    # X001 named by 3, GroupA by 2; then three contacts named once, tie broken by name (ASCII).
    assert list(top["contact"]) == ["X001", "GroupA", "P02", "Wiki"]
    assert list(top["named_by"]) == [3, 2, 1, 1]
    assert list(top["rank"]) == [1, 2, 3, 4]
    assert top.loc[0, "share"] == pytest.approx(3 / 3)
    assert top.loc[0, "mean_weight"] == pytest.approx((4 + 1 + 4) / 3)
    assert top.loc[1, "mean_weight"] == pytest.approx((3 + 4) / 2)
    assert top.loc[2, "kind"] == "participant"


def test_network_summary_by_hand(G):
    s = dict(pln.network_summary(G).itertuples(index=False))
    assert s["participants"] == 3
    assert s["contacts"] == 5  # X001, X002, GroupA, Wiki, P02
    assert (s["contacts: person"], s["contacts: group"], s["contacts: resource"]) == (3, 1, 1)
    assert s["contacts who are participants"] == 1
    assert s["nodes"] == 7 and s["edges"] == 8
    assert (s["edges to person"], s["edges to group"], s["edges to resource"]) == (5, 2, 1)
    assert s["density"] == pytest.approx(8 / (7 * 6))
    assert s["participants who listed contacts"] == 3
    assert s["mean out-degree of participants who listed contacts"] == pytest.approx(8 / 3)
    assert s["share of contacts named by more than one participant"] == pytest.approx(2 / 5)
    assert s["weakly connected components"] == 1


def test_silent_participant_changes_density_and_components(contacts):
    G = pln.build_network(contacts, participants=["P01", "P02", "P03", "P04"])
    s = dict(pln.network_summary(G).itertuples(index=False))
    assert s["density"] == pytest.approx(8 / (8 * 7))
    assert s["weakly connected components"] == 2
    assert s["participants"] == 4 and s["participants who listed contacts"] == 3
    assert s["mean out-degree of participants who listed contacts"] == pytest.approx(8 / 3)


def test_row_order_does_not_matter(contacts):
    a = pln.build_network(contacts)
    b = pln.build_network(contacts.iloc[::-1])
    assert list(a.nodes) == list(b.nodes)
    assert list(a.edges(data=True)) == list(b.edges(data=True))


def test_case_and_spaces_are_normalised():
    df = pd.DataFrame([(" P01", "X001 ", "Person", "DAILY")], columns=COLUMNS)
    G = pln.build_network(df)
    assert G.edges["P01", "X001"]["frequency"] == "daily"


@pytest.mark.parametrize("edit, row, words", [
    (lambda d: d.drop(columns="frequency"), None, "missing column(s) frequency"),
    (lambda d: d.assign(contact_type=["person"] * 4 + ["club"] + ["person"] * 3), 5,
     "unknown contact_type 'club'"),
    (lambda d: d.assign(frequency=["daily", "hourly"] + ["daily"] * 6), 2, "unknown frequency"),
    (lambda d: pd.concat([d, d.iloc[[0]]]), 9, "more than once"),
    (lambda d: pd.concat([d, pd.DataFrame([("P03", "P03", "person", "daily")],
                                          columns=COLUMNS)]), 9, "names themselves"),
    (lambda d: pd.concat([d, pd.DataFrame([("P02", "Wiki", "group", "daily")],
                                          columns=COLUMNS)]), 9, "more than one contact_type"),
    (lambda d: d.assign(contact=[None] + list(d["contact"][1:])), 1, "empty 'contact'"),
])
def test_bad_input_names_row_and_fix(contacts, edit, row, words):
    with pytest.raises(InputError) as err:
        pln.build_network(edit(contacts), source="data/raw/pln_identification.csv")
    assert err.value.file == "data/raw/pln_identification.csv"
    assert err.value.row == row
    assert words in err.value.what
    assert err.value.fix


def test_unpseudonymised_person_is_refused(contacts):
    # notebook 01 writes the kind of every account it pseudonymised; a person contact without
    # one (here row 8, "@alice") was not replaced by a pseudonym
    person = contacts["contact_type"] == "person"
    kinds = contacts.assign(participant_kind="participant",
                            contact_kind=contacts["contact"].where(person).map(
                                lambda c: "participant" if str(c).startswith("P") else "other"))
    kinds["contact_kind"] = kinds["contact_kind"].where(person)
    bad = kinds.assign(contact=kinds["contact"].replace({"X002": "@alice"}))
    bad.loc[bad["contact"] == "@alice", "contact_kind"] = None
    pln.build_network(bad)  # allowed without the check
    with pytest.raises(InputError, match="not pseudonymised") as err:
        pln.build_network(bad, require_pseudonyms=True)
    assert err.value.row == 8
    pln.build_network(kinds, require_pseudonyms=True)  # groups/resources keep their names
    with pytest.raises(InputError, match="contact_kind"):  # not the processed contact list
        pln.build_network(contacts, require_pseudonyms=True)


def test_draw_network_kinds_apart_and_labels(G):
    fig = pln.draw_network(G, seed=1, top=1)
    ax = fig.axes[0]
    legend = ax.get_legend()
    kinds = [h for h in legend.legend_handles if h.get_marker() not in ("None", "")]
    assert len({h.get_marker() for h in kinds}) == 4
    assert len({h.get_color() for h in kinds}) == 4
    texts = [t.get_text() for t in legend.get_texts()]
    # P02 is named as a person but drawn as a participant: the legend counts it apart, so that
    # 2 + 1 adds up to the 3 person contacts of the summary table (X001, X002, P02)
    assert texts[:4] == ["participant (3)", "person (2 + 1\nparticipants named)", "group (1)",
                         "resource (1)"]
    summary = dict(pln.network_summary(G).itertuples(index=False))
    assert summary["contacts: person"] == 2 + 1
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == ["P01", "P02", "P03", "X001"]  # participants + the single most named
    matplotlib.pyplot.close(fig)


def test_draw_network_is_seeded(G):
    import numpy as np

    def positions(seed):
        fig = pln.draw_network(G, seed=seed)
        pos = {t.get_text(): t.get_position() for t in fig.axes[0].texts}
        matplotlib.pyplot.close(fig)
        return pos

    a, b, c = positions(7), positions(7), positions(8)
    assert a == b
    assert any(not np.allclose(a[k], c[k]) for k in a)


def test_composition_figure_bars(G):
    ego = pln.ego_summary(G)
    fig = pln.composition_figure(ego)
    left, right = fig.axes[:2]
    # One bar per participant and category in each panel: 3 x 3 types, 3 x 4 frequencies.
    assert len(left.patches) == 9 and len(right.patches) == 12
    assert sum(p.get_width() for p in left.patches) == pytest.approx(8)
    assert sum(p.get_width() for p in right.patches) == pytest.approx(8)
    matplotlib.pyplot.close(fig)


def test_network_summary_rounding_keeps_counts_int(G):
    s = dict(pln.network_summary(G, digits=3).itertuples(index=False))
    assert s["density"] == 0.190  # 8 / 42 = 0.1905 -> 0.190
    assert s["edges"] == 8 and isinstance(s["edges"], int)
