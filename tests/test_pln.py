"""tweetstorm.pln on a hand-made contact list whose counts are worked out by hand below."""

from __future__ import annotations

import re

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
    # five contacts are named in all (X001, X002, GroupA, Wiki, P02)
    assert ego["degree_centrality"].tolist() == pytest.approx([3 / 5, 2 / 5, 3 / 5])
    ego = ego.drop(columns="degree_centrality")
    assert ego.loc["P01"].to_dict() == {"size": 3, "person": 2, "group": 0, "resource": 1,
                                        "daily": 1, "weekly": 1, "monthly": 1, "rarely": 0}
    assert ego.loc["P02"].to_dict() == {"size": 2, "person": 1, "group": 1, "resource": 0,
                                        "daily": 0, "weekly": 1, "monthly": 0, "rarely": 1}
    assert ego.loc["P03"].to_dict() == {"size": 3, "person": 2, "group": 1, "resource": 0,
                                        "daily": 2, "weekly": 0, "monthly": 0, "rarely": 1}


def test_participant_outside_the_session_is_not_in_the_shares(contacts):
    G = pln.build_network(contacts, participants=pd.Series(["P01", "P02", "P03", "P04"]))
    assert pln.participants_of(G) == ["P01", "P02", "P03", "P04"]
    assert pln.session_participants(G) == ["P01", "P02", "P03"]
    assert list(pln.ego_summary(G)["participant"]) == ["P01", "P02", "P03"]
    # X001 is named by all three who took the session: share 1, not 3 of 4
    assert pln.most_named(G, top=1).loc[0, "share"] == 1.0


def test_most_named_order_ranks_and_shares(G):
    top = pln.most_named(G, top=4)
    # X001 named by 3, GroupA by 2; then three contacts named once (P02, Wiki, X002): they share
    # rank 3 and are listed by name (ASCII), the cut-off falls between Wiki and X002.
    assert list(top["contact"]) == ["X001", "GroupA", "P02", "Wiki"]
    assert list(top["named_by"]) == [3, 2, 1, 1]
    assert list(top["rank"]) == [1, 2, 3, 3]
    assert list(top["share"]) == pytest.approx([3 / 3, 2 / 3, 1 / 3, 1 / 3])
    assert top.loc[0, "mean_weight"] == pytest.approx((4 + 1 + 4) / 3)
    assert top.loc[1, "mean_weight"] == pytest.approx((3 + 4) / 2)
    assert top.loc[2, "kind"] == "participant"


def test_two_mode_graph_keeps_a_named_participant_in_both_modes(G):
    B = pln.two_mode(G)
    from networkx.algorithms import bipartite
    assert bipartite.is_bipartite(B)
    assert ("participant", "P02") in B and ("contact", "P02") in B
    assert B.has_edge(("participant", "P01"), ("contact", "P02"))
    assert not B.has_edge(("participant", "P01"), ("participant", "P02"))
    assert B.number_of_nodes() == 3 + 5 and B.number_of_edges() == 8


def test_two_mode_summary_by_hand(contacts):
    # P04 takes the session and names one resource nobody else names; P05 does not take part.
    more = pd.concat([contacts, pd.DataFrame([("P04", "Blog", "resource", "weekly")],
                                             columns=COLUMNS)])
    G = pln.build_network(more, participants=["P01", "P02", "P03", "P04", "P05"])
    s = dict(pln.two_mode_summary(G).itertuples(index=False))
    assert s["participants of the Tweetstorm"] == 5
    assert s["participants who took the PLN session"] == 4
    assert s["contacts named"] == 6  # X001, X002, GroupA, Wiki, P02, Blog
    assert (s["contacts named: people"], s["contacts named: groups"],
            s["contacts named: resources"]) == (3, 1, 2)
    assert s["people named who are participants"] == 1
    assert s["ties (participant names contact)"] == 9
    assert (s["ties to people"], s["ties to groups"], s["ties to resources"]) == (5, 2, 2)
    assert s["two-mode density"] == pytest.approx(9 / (4 * 6))
    assert s["mean contacts per session participant"] == pytest.approx(9 / 4)
    assert s["mean session participants per contact"] == pytest.approx(9 / 6)
    assert s["share of contacts named by more than one participant"] == pytest.approx(2 / 6)
    # pairs among P01..P04: P01-P02, P01-P03, P02-P03 share X001; P04 shares nothing: 3 of 6
    assert s["share of participant pairs naming a common contact"] == pytest.approx(3 / 6)
    assert s["connected components"] == 2


def test_two_mode_summary_rounding_keeps_counts_int(G):
    s = dict(pln.two_mode_summary(G, digits=3).itertuples(index=False))
    assert s["two-mode density"] == 0.533  # 8 / 15
    assert s["ties (participant names contact)"] == 8
    assert isinstance(s["ties (participant names contact)"], int)


def test_silent_participant_keeps_its_node(contacts):
    G = pln.build_network(contacts, participants=["P01", "P02", "P03", "P04"])
    assert G.nodes["P04"]["kind"] == "participant" and G.out_degree("P04") == 0


def test_participant_decided_by_the_table_not_by_spelling():
    # "alice" is a participant by the table; "P09" is a third party although it looks like one.
    df = pd.DataFrame([("alice", "P09", "person", "daily"), ("bob", "alice", "person", "weekly")],
                      columns=COLUMNS)
    G = pln.build_network(df, participants=["alice", "bob"])
    assert G.nodes["alice"]["kind"] == "participant"
    assert G.nodes["P09"]["kind"] == "person"
    assert "alice (participant)" in [t.get_text() for t in
                                     pln.draw_network(G).axes[0].get_yticklabels()]
    matplotlib.pyplot.close("all")


def test_participant_not_in_the_table_is_refused(contacts):
    with pytest.raises(InputError, match="'P03' is not in the participants table") as err:
        pln.build_network(contacts, participants=["P01", "P02"], source="pln.csv")
    assert err.value.row == 6 and err.value.file == "pln.csv"


def test_row_order_does_not_matter(contacts):
    a = pln.build_network(contacts)
    b = pln.build_network(contacts.iloc[::-1])
    assert list(a.nodes) == list(b.nodes)
    assert list(a.edges(data=True)) == list(b.edges(data=True))


def test_case_and_spaces_are_normalised():
    df = pd.DataFrame([(" P01", "X001 ", "Person", "DAILY")], columns=COLUMNS)
    G = pln.build_network(df, participants=["P01 "])
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


def _texts(fig):
    """Every text ``fig`` draws (non-empty, visible; tick labels only of ticks inside the axis
    range, as matplotlib draws them), with its box in display units."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    from matplotlib.text import Text
    hidden = set()
    for ax in fig.axes:
        for axis, (lo, hi) in ((ax.xaxis, sorted(ax.get_xlim())), (ax.yaxis, sorted(ax.get_ylim()))):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    hidden.update(id(t) for t in (tick.label1, tick.label2))
    found = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden:
            found.append((t.get_text(), t.get_window_extent(renderer)))
    return found


def _big_network(n_participants=22, n_contacts=70):
    import random
    rng = random.Random(5)
    kinds = ["person"] * 40 + ["group"] * 15 + ["resource"] * 15
    names = [f"X{i:03d}" if k == "person" else f"A rather long {k} name number {i}"
             for i, k in enumerate(kinds[:n_contacts])]
    rows = []
    for p in range(1, n_participants + 1):
        for c in rng.sample(range(n_contacts), rng.randint(3, 16)):
            rows.append((f"P{p:02d}", names[c], kinds[c], rng.choice(pln.FREQUENCIES)))
    return pln.build_network(pd.DataFrame(rows, columns=COLUMNS))


@pytest.mark.parametrize("make", [lambda: pln.build_network(pd.DataFrame(ROWS, columns=COLUMNS)),
                                  _big_network])
def test_network_figure_labels_never_overlap(make):
    fig = pln.draw_network(make())
    boxes = _texts(fig)
    assert len(boxes) > 10
    overlaps = [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:]
                if ba.overlaps(bb)]
    assert overlaps == []
    # and every label lies inside the figure (nothing cut off)
    width, height = fig.canvas.get_width_height()
    outside = [a for a, b in boxes if b.x0 < -0.5 or b.y0 < -0.5 or b.x1 > width + 0.5
               or b.y1 > height + 0.5]
    assert outside == []
    matplotlib.pyplot.close(fig)


def test_network_figure_cells_and_order(G):
    layout = pln.matrix_layout(G)
    # columns: largest network first, ties by name; rows: by type, then named_by, then name
    assert layout.participants == ["P01", "P03", "P02"]
    assert layout.blocks == [("person", ["X001", "P02", "X002"]), ("group", ["GroupA"]),
                             ("resource", ["Wiki"])]
    fig = pln.draw_network(G)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["People (3)", "X001", "P02 (participant)", "X002", "Groups (1)", "GroupA",
                      "Resources (1)", "Wiki"]
    cells = ax.images[0].get_array()
    # row X001: P01 daily (4), P03 daily (4), P02 rarely (1); header rows are empty
    assert cells[1].tolist() == [4, 4, 1]
    assert cells.mask[0].all() and cells.mask[4].all()
    assert cells[2].tolist()[0] == 2 and bool(cells.mask[2][1])  # P01 names P02 monthly
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(pln.FREQUENCIES)
    matplotlib.pyplot.close(fig)


def test_network_figure_caps_rows_and_columns():
    G = _big_network()
    layout = pln.matrix_layout(G, max_contacts=10, max_participants=5)
    shown, left = set(layout.contacts), set(pln.contacts_of(G)) - set(layout.contacts)
    assert 0 < len(shown) <= 10 and len(layout.participants) == 5
    assert layout.contacts_left_out == len(left)
    assert layout.participants_left_out == len(pln.session_participants(G)) - 5
    # whole levels: every contact shown is named more often than every contact left out
    assert min(G.in_degree(c) for c in shown) > max(G.in_degree(c) for c in left)
    assert min(G.in_degree(c) for c in shown) == layout.min_named_by
    # and one level more would not fit
    assert sum(G.in_degree(c) >= layout.min_named_by - 1 for c in pln.contacts_of(G)) > 10
    # the headers say how many of each type are shown
    headers = [t.get_text() for t in pln.draw_network(G, max_contacts=10).axes[0].get_yticklabels()
               if t.get_fontweight() == "bold"]
    assert all(re.fullmatch(r"(People|Groups|Resources) \(\d+( of \d+)?\)", h) for h in headers)
    matplotlib.pyplot.close("all")


def test_composition_figure_bars(G):
    ego = pln.ego_summary(G)
    fig = pln.composition_figure(ego)
    left, right = fig.axes[:2]
    # One bar per participant and category in each panel: 3 x 3 types, 3 x 4 frequencies.
    assert len(left.patches) == 9 and len(right.patches) == 12
    assert sum(p.get_width() for p in left.patches) == pytest.approx(8)
    assert sum(p.get_width() for p in right.patches) == pytest.approx(8)
    matplotlib.pyplot.close(fig)


def test_ratio_measures_are_the_float_rows(G):
    # the report puts counts and ratios in separate columns by this list
    rows = dict(pln.two_mode_summary(G).itertuples(index=False))
    assert set(pln.RATIO_MEASURES) <= set(rows)
    for measure, value in rows.items():
        assert isinstance(value, float) == (measure in pln.RATIO_MEASURES), measure


# ------------------------------------------------------------------ sentences for the reader

def test_summary_sentence_by_hand(contacts):
    # the network of test_two_mode_summary_by_hand: P04 names one resource, P05 takes no part
    more = pd.concat([contacts, pd.DataFrame([("P04", "Blog", "resource", "weekly")], columns=COLUMNS)])
    G = pln.build_network(more, participants=["P01", "P02", "P03", "P04", "P05"])
    assert pln.summary_sentence(pln.two_mode_summary(G)) == (
        "4 of the 5 participants took the PLN session. They named 6 distinct contacts in 9 ties: "
        "3 people (1 of them participants themselves), 1 group and 2 resources. A participant named "
        "2.2 contacts on average, and a contact was named by 1.5 participants. 33% of the contacts "
        "were named by more than one participant and 50% of the pairs of participants named at least "
        "one contact in common, so the personal networks overlap; the two-mode density is 0.375.")


def test_summary_sentence_says_when_the_networks_do_not_overlap():
    G = pln.build_network(pd.DataFrame([("P01", "X001", "person", "daily"),
                                        ("P02", "Wiki", "resource", "weekly")], columns=COLUMNS))
    text = pln.summary_sentence(pln.two_mode_summary(G))
    assert "2 distinct contacts in 2 ties: 1 person (0 of them participants themselves), 0 groups and " \
           "1 resource." in text
    assert "0% of the pairs of participants named at least one contact in common, so the personal " \
           "networks do not overlap; the two-mode density is 0.500." in text
    alone = pln.build_network(pd.DataFrame([("P01", "X001", "person", "daily")], columns=COLUMNS))
    text = pln.summary_sentence(pln.two_mode_summary(alone))  # one participant: no pairs
    assert "pairs" not in text and text.endswith("more than one participant; the two-mode density is 1.000.")


def test_ego_sentence_by_hand(contacts):
    G = pln.build_network(contacts, participants=["P01", "P02", "P03", "P04"])
    # sizes 3, 2, 3; ties 8: people 5, groups 2, resources 1; daily 3 + weekly 2, rarely 2
    assert pln.ego_sentence(pln.ego_summary(G), G) == (
        "Personal networks range from 2 to 3 contacts (median 3); the largest: P01, P03. "
        "Participants of the Tweetstorm who did not take the PLN session: P04. Of all 8 ties, 62% go "
        "to people, 25% to groups and 12% to resources; 62% are used daily or weekly and 25% rarely.")
    G = pln.build_network(contacts)
    assert "did not take the PLN session: none." in pln.ego_sentence(pln.ego_summary(G), G)


def test_most_named_sentence_names_every_leader_and_counts_kinds(G):
    assert pln.most_named_sentence(pln.most_named(G, top=4), 3) == (
        "Most named: X001 (person), named by 3 of the 3 participants who took the session (100%). "
        "The top 4 hold 1 participant, 1 person, 1 group, 1 resource.")
    tied = pln.build_network(pd.DataFrame([("P01", "Ann", "person", "daily"),
                                           ("P01", "Bob", "person", "weekly")], columns=COLUMNS))
    assert pln.most_named_sentence(pln.most_named(tied), 1) == (
        "Most named: Ann (person), Bob (person), named by 1 of the 1 participants who took the "
        "session (100%). The top 2 hold 2 people.")


def test_left_out_sentence_plurals_and_levels():
    layout = pln.MatrixLayout
    assert pln.left_out_sentence(layout([], [], 0, 20, 2)) == (
        "20 contacts named by only one participant are left out.")
    assert pln.left_out_sentence(layout([], [], 1, 1, 3)) == (
        "1 contact named by fewer than 3 participants is left out; 1 participant with a smaller "
        "network is left out.")
    assert pln.left_out_sentence(layout([], [], 2, 0, 1)) == "2 participants with smaller networks are left out."
    assert pln.left_out_sentence(layout([], [], 0, 0, 1)) == ""
