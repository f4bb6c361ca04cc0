"""Figures of the descriptive step (seaborn on the compendium's style). Every function returns a
matplotlib Figure and leaves saving to :func:`tweetstorm.figures.save_figure`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tweetstorm.descriptives.frequencies import KAPPA_THRESHOLD, LOW_AGREEMENT


def plot_category_frequencies(freq: pd.DataFrame, title: str, alpha: float = 0.05, *,
                              xmax: float | None = None,
                              kappa_threshold: float = KAPPA_THRESHOLD):
    """Ranked horizontal bars of the share of participants (%) raising each category of one
    question, with Wilson intervals and "k of n" participants at each bar; categories flagged
    for low agreement are hatched, lighter and named in a legend. ``freq``: one question's rows
    of :func:`tweetstorm.descriptives.category_frequencies`; ``xmax``: the upper x limit in %, the
    same for every question (:func:`tweetstorm.descriptives.shared_axis_limit`; default: from
    ``freq``). Returns the Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from tweetstorm import figures

    figures.use_style()
    d = freq.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(figures.COLUMN_WIDTH, 0.9 + 0.22 * len(d)))
    pal = figures.palette(5)
    colour, pale = pal[4], pal[1]
    y = np.arange(len(d))
    pct = 100 * d["participant_share"].to_numpy(dtype=float)
    lo = 100 * d["participant_ci_low"].to_numpy(dtype=float)
    hi = 100 * d["participant_ci_high"].to_numpy(dtype=float)
    flagged = (d["flag"] == LOW_AGREEMENT).to_numpy()
    ax.barh(y, pct, color=[pale if f else colour for f in flagged],
            hatch=None, edgecolor="white", linewidth=0.3, height=0.7)
    for yi in np.flatnonzero(flagged):  # hatching drawn per bar so unflagged bars stay plain
        ax.barh(yi, pct[yi], color="none", edgecolor="black", hatch="////", linewidth=0,
                height=0.7)
    ax.errorbar(x=pct, y=y, xerr=[pct - lo, hi - pct], fmt="none", ecolor="black",
                elinewidth=0.7, capsize=1.5)
    for yi, (h, k, n) in enumerate(zip(hi, d["n_participants"], d["participants_answering"])):
        ax.text(h + 1, yi, f"{k} of {n}", va="center", fontsize=6)
    ax.set_yticks(y, d["label"].tolist())
    ax.invert_yaxis()
    level = round(100 * (1 - alpha))
    ax.set_xlabel(f"Participants raising the category (%)\nwith {level}% Wilson interval")
    if xmax is None:
        xmax = float(min(100, max(10.0, np.nanmax(hi) + 12))) if len(d) else 100.0
    ax.set_xlim(0, xmax)
    ax.set_title(title)
    if flagged.any():
        fig.legend(handles=[Patch(facecolor=pale, edgecolor="black", hatch="////", linewidth=0,
                                  label=f"low agreement (category kappa < {kappa_threshold:g})")],
                   loc="outside lower center", fontsize=6, frameon=False)
    return fig


def plot_participation(per_participant: pd.DataFrame, tl: pd.DataFrame, qtimes: pd.DataFrame):
    """Two panels: (a) answers per participant, ranked; (b) posts per minute by role with the
    minute each question was posted. Returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from tweetstorm import figures

    figures.use_style()
    fig, (a, b) = plt.subplots(1, 2, figsize=(figures.PAGE_WIDTH, 2.6),
                               gridspec_kw={"width_ratios": [1, 2]})
    pal = figures.palette()
    role_colours = [pal[4], pal[0], pal[2], pal[6]]  # blue, orange, green, purple: no pale yellow
    ranked = per_participant.sort_values(["answer", "participant"], ascending=[False, True],
                                         kind="stable").reset_index(drop=True)
    sns.barplot(x=np.arange(1, len(ranked) + 1), y=ranked["answer"].to_numpy(), color=pal[4],
                errorbar=None, ax=a, native_scale=True)
    a.set_xlabel("Participants, ranked by answers")
    a.set_ylabel("Answers")
    a.set_title("(a) Answers per participant")
    roles = [r for r in ("answer", "retweet", "reply", "quote") if r in tl.columns]
    long = tl.melt(id_vars=["minutes"], value_vars=roles, var_name="role", value_name="posts")
    sns.lineplot(data=long, x="minutes", y="posts", hue="role", hue_order=roles,
                 palette=role_colours[:len(roles)], ax=b, drawstyle="steps-mid")
    top = float(tl[roles].to_numpy().max()) if len(tl) else 1.0
    for r in qtimes.itertuples():
        b.axvline(r.minutes, color="grey", linewidth=0.6, linestyle="--")
        b.text(r.minutes, top * 1.02, str(r.question), ha="center", va="bottom", fontsize=6)
    b.set_ylim(0, top * 1.12 + 0.5)
    b.set_xlabel("Minutes since the first question")
    b.set_ylabel("Posts per minute")
    b.set_title("(b) Timeline of the event")
    b.legend(title=None, ncols=len(roles), loc="upper right", bbox_to_anchor=(1, -0.25))
    return fig


def plot_cooccurrence(co: pd.DataFrame, labels: Sequence[str] | None = None,
                      blocks: Sequence[str] | None = None):
    """Heatmap of a co-occurrence matrix (:func:`tweetstorm.descriptives.cooccurrence`): the
    lower triangle coloured by the participants raising both categories, on a colour scale set by
    the pairs only; the diagonal (participants raising the category) shown apart in grey with
    its counts (always written), so it does not set the colour scale; lines separate the question
    blocks.

    ``labels`` replaces the row/column names; ``blocks`` gives the question of each row (default:
    the part of the category key before ":", e.g. "Q1"). Cell counts are written when the matrix
    is at most 16 x 16. Returns the Figure (heatmap and colour bar axes).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from tweetstorm import figures

    figures.use_style()
    k = co.shape[0]
    m = co.to_numpy()
    names = list(labels) if labels is not None else list(co.index)
    blocks = list(blocks) if blocks is not None else [str(c).split(":")[0] for c in co.index]
    fig, ax = plt.subplots(figsize=(figures.PAGE_WIDTH, min(figures.PAGE_WIDTH - 0.8,
                                                          2.0 + 0.17 * k)))
    mask = ~np.tri(k, k, -1, dtype=bool)  # show the pairs below the diagonal only
    pairs = m[~mask]
    vmax = max(1, int(pairs.max())) if pairs.size else 1
    figures.heatmap(ax, m, mask=mask, cmap="cividis", vmin=0, vmax=vmax, square=True,
                    xticklabels=names, yticklabels=names, annot=k <= 16, annot_size=5,
                    linewidths=0.2, linecolor="white", cbar_label="Participants raising both categories")
    for i in range(k):
        ax.add_patch(Rectangle((i, i), 1, 1, facecolor="0.88", edgecolor="white", linewidth=0.2))
        ax.text(i + 0.5, i + 0.5, str(int(m[i, i])), ha="center", va="center",
                fontsize=5 if k <= 16 else 3.5, color="black")
    edges = [i for i in range(1, k) if blocks[i] != blocks[i - 1]]
    for e in edges:  # question blocks: lines through the whole lower triangle
        ax.plot([0, e], [e, e], color="black", linewidth=0.8)
        ax.plot([e, e], [e, k], color="black", linewidth=0.8)
    ax.tick_params(axis="both", labelsize=5)
    ax.tick_params(axis="x", labelrotation=90)
    ax.set_title("Grey diagonal: participants raising the category; lines separate the questions",
                 fontsize=6)
    return fig
