"""Reading agreement coefficients: benchmark labels, a mean over questions, confusion heatmaps.

- :func:`landis_koch_label`: the verbal band of a kappa-type coefficient (Landis & Koch 1977).
- :func:`krippendorff_verdict`: Krippendorff's (2004) rule for drawing conclusions from alpha.
- :func:`mean_over_groups`: one coefficient over several separately coded variables (the
  questions), as the mean of the per-variable estimates. Pooling the units of all questions into
  one variable (codes prefixed by the question) would be wrong: raters cannot disagree on the
  question, yet chance agreement would be computed over all questions' categories together, which
  makes every chance-corrected coefficient larger than on any single question.
- :func:`plot_confusion_matrices`: the heatmaps of :func:`~tweetstorm.reliability.confusion_matrices`.

Hand-written: none of the kept libraries (statsmodels, krippendorff) offers benchmark labels or
an average of coefficients over variables; each is a few lines, with its source cited.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from tweetstorm.reliability.agreement import COLUMNS

#: Landis & Koch (1977, p. 165): upper bounds (inclusive) of the bands; below 0 is "poor".
LANDIS_KOCH: tuple[tuple[float, str], ...] = (
    (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"),
    (1.00, "almost perfect"))
#: Krippendorff (2004, p. 241): rely on variables with alpha >= .800; consider those with
#: .667 <= alpha < .800 only for tentative conclusions; discard the rest.
KRIPPENDORFF_RELIABLE = 0.800
KRIPPENDORFF_TENTATIVE = 0.667
_VERDICT_TEXT = {
    "reliable": "at least 0.800, the level Krippendorff asks for drawing conclusions",
    "tentative": "between 0.667 and 0.800, enough only for tentative conclusions (Krippendorff)",
    "unreliable": "below 0.667, too low for conclusions (Krippendorff)",
    "undefined": "undefined",
}
#: Column of :func:`mean_over_groups` naming how the mean was taken.
MEAN_METHODS = ("units", "equal")


def landis_koch_label(kappa: float) -> str:
    """Landis & Koch's (1977) label of a kappa-type coefficient: "poor" (< 0), "slight"
    (0-0.20), "fair" (0.21-0.40), "moderate" (0.41-0.60), "substantial" (0.61-0.80), "almost
    perfect" (0.81-1.00); bounds belong to the lower band (0.60 is moderate). "undefined" for NaN.

    Landis, J. R., & Koch, G. G. (1977). The measurement of observer agreement for categorical
    data. *Biometrics*, 33(1), 159-174 (table on p. 165). The authors call the bands arbitrary
    "benchmarks"; they are a convention for reading a value, not a test.
    """
    if kappa is None or math.isnan(kappa):
        return "undefined"
    if kappa < 0:
        return "poor"
    for upper, name in LANDIS_KOCH:
        if kappa <= upper:
            return name
    return LANDIS_KOCH[-1][1]  # above 1 only by rounding


def krippendorff_verdict(alpha: float, *, text: bool = False) -> str:
    """Krippendorff's (2004) reading of alpha: "reliable" (alpha >= 0.800), "tentative"
    (0.667 <= alpha < 0.800), "unreliable" (below 0.667); "undefined" for NaN. With ``text`` the
    phrase used in the report's prose instead of the one-word verdict.

    Krippendorff, K. (2004). *Content analysis: An introduction to its methodology* (2nd ed.,
    p. 241). Thousand Oaks, CA: Sage.
    """
    if alpha is None or math.isnan(alpha):
        verdict = "undefined"
    elif alpha >= KRIPPENDORFF_RELIABLE:
        verdict = "reliable"
    elif alpha >= KRIPPENDORFF_TENTATIVE:
        verdict = "tentative"
    else:
        verdict = "unreliable"
    return _VERDICT_TEXT[verdict] if text else verdict


def mean_over_groups(results: Mapping[str, pd.DataFrame], *, weight: str = "units",
                     n_units: Mapping[str, int] | None = None) -> pd.DataFrame:
    """The mean of each coefficient over separately computed groups (e.g. the questions).

    ``results``: group -> output of :func:`~tweetstorm.reliability.agreement` (its ``attrs``
    carry ``n_units``; or pass ``n_units``: group -> number of units). Rows are matched on
    ``coefficient, weights, level, raters`` (a pairwise coefficient per rater pair). ``weight``:
    ``"units"`` weighs each group's estimate by its number of units (shares of units, sum 1),
    ``"equal"`` gives every group the same weight. Groups whose estimate is NaN (or that lack the
    row) are left out and the weights of the others renormalised.

    Returns the columns of :data:`~tweetstorm.reliability.COLUMNS` plus ``n_groups`` (groups
    averaged), ``min`` and ``max`` (range of the group estimates), in the row order of the first
    group. ``estimate`` is the weighted mean; ``se``, ``se_null``, ``z``, ``ci_low``,
    ``ci_high``, ``boot_low``, ``boot_high`` are NaN and ``ci_method`` is None: the groups share raters, so their estimates are
    not independent and no simple interval of the mean follows from theirs.
    """
    if weight not in MEAN_METHODS:
        raise ValueError(f"mean_over_groups: weight must be one of {', '.join(MEAN_METHODS)}")
    if not results:
        raise ValueError("mean_over_groups: no groups")
    key = ["coefficient", "weights", "level", "raters"]
    sizes = {}
    for g, res in results.items():
        n = (n_units or {}).get(g, res.attrs.get("n_units"))
        if n is None:
            raise ValueError(f"mean_over_groups: no n_units for group {g!r}")
        sizes[g] = int(n)
    first = next(iter(results.values()))
    rows = []
    for _, base in first.iterrows():
        ests, wts = [], []
        for g, res in results.items():
            match = res[np.logical_and.reduce([_same(res[c], base[c]) for c in key])]
            if len(match) and np.isfinite(match["estimate"].iloc[0]):
                ests.append(float(match["estimate"].iloc[0]))
                wts.append(sizes[g] if weight == "units" else 1.0)
        est = float(np.average(ests, weights=wts)) if ests and sum(wts) > 0 else math.nan
        rows.append({**{c: base[c] for c in key}, "estimate": est, "se": math.nan,
                     "se_null": math.nan, "z": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                     "ci_method": None, "boot_low": math.nan, "boot_high": math.nan,
                     "n_groups": len(ests),
                     "min": min(ests) if ests else math.nan,
                     "max": max(ests) if ests else math.nan})
    out = pd.DataFrame(rows, columns=[*COLUMNS, "n_groups", "min", "max"])
    for c in ("estimate", "se", "se_null", "z", "ci_low", "ci_high", "boot_low", "boot_high",
              "min", "max"):
        out[c] = out[c].astype(float)
    return out


def _same(column: pd.Series, value) -> np.ndarray:
    """Element-wise equality where None/NaN equals None/NaN (weights/level are None for some)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return column.isna().to_numpy()
    return np.array([v == value for v in column], dtype=bool)


def plot_confusion_matrices(mats: Mapping[tuple[str, str], pd.DataFrame],
                            labels: Sequence[str] | None = None, *, title: str | None = None,
                            wrap: int = 22):
    """One heatmap per rater pair, side by side: counts of units rater A (rows, y label) coded
    in one category and rater B (columns, x label) in another; one shared colour scale (0 to the
    largest count), counts written in the cells. ``labels``: the category labels in the order of
    the matrices (default: the matrices' category codes), wrapped at ``wrap`` characters; the
    rows are labelled on the first panel only (all panels share them). ``title``: the figure
    title, e.g. the question. ``mats``: output of
    :func:`~tweetstorm.reliability.confusion_matrices`. Returns the Figure (page width; saving
    is left to ``figures.save_figure``)."""
    import textwrap

    import matplotlib.pyplot as plt

    from tweetstorm import figures

    if not mats:
        raise ValueError("plot_confusion_matrices: no rater pair")
    first = next(iter(mats.values()))
    if labels is None:
        labels = [str(c) for c in first.index]
    if len(labels) != first.shape[0]:
        raise ValueError(f"plot_confusion_matrices: {len(labels)} labels for "
                         f"{first.shape[0]} categories")
    ticks = [textwrap.fill(str(lab), wrap) for lab in labels]
    figures.use_style()
    lines = max(t.count("\n") + 1 for t in ticks)
    longest = max(len(part) for t in ticks for part in t.split("\n"))
    label_in = 0.055 * longest + 0.35  # room for the row labels (left) and the rotated column labels
    panel = (figures.PAGE_WIDTH - label_in) / len(mats) - 0.1
    height = panel + label_in + 0.1 * lines + (0.35 if title else 0.1)
    fig, axes = plt.subplots(1, len(mats), figsize=(figures.PAGE_WIDTH, height),
                             squeeze=False, constrained_layout=True)
    vmax = max(int(m.to_numpy().max()) for m in mats.values())
    for j, (ax, ((r1, r2), m)) in enumerate(zip(axes[0], mats.items())):
        figures.heatmap(ax, m.to_numpy(), cmap="Blues", vmin=0, vmax=vmax, annot=True,
                        annot_size=6, xticklabels=ticks, yticklabels=ticks if j == 0 else False)
        ax.set_xlabel(r2)
        ax.set_ylabel(r1)
        ax.tick_params(length=0, labelsize=5)
        ax.set_xticklabels(ticks, rotation=90, fontsize=5)
        if j == 0:
            ax.set_yticklabels(ticks, rotation=0, fontsize=5)
    if title:
        fig.suptitle(title, fontsize=8)
    return fig


#: Category kappa (category against the rest) below which a category counts as weak: 0.6, the
#: upper end of Landis & Koch's (1977) "moderate" band.
WEAK_CATEGORY_KAPPA = 0.6


def weak_categories(categories: pd.DataFrame, threshold: float = WEAK_CATEGORY_KAPPA
                    ) -> pd.DataFrame:
    """The rows of a per-category table (columns question, category, label, n_ratings, kappa,
    as :func:`~tweetstorm.reliability.category_agreement_by_question`) whose category was used
    (n_ratings > 0) and whose kappa is below ``threshold``, in the table's order."""
    used = categories[categories["n_ratings"] > 0]
    return used[used["kappa"] < threshold]


def category_sentence(categories: pd.DataFrame, threshold: float = WEAK_CATEGORY_KAPPA) -> str:
    """The sentence on the category kappas: their range (with the categories' labels) and which
    used categories stay below ``threshold``."""
    used = categories[categories["n_ratings"] > 0]
    if not len(used):
        return "No category was used."
    best = used.loc[used["kappa"].idxmax()]
    worst = used.loc[used["kappa"].idxmin()]

    def name(r) -> str:
        return f"{r['question']} {r['label']}"

    text = (f"Category kappas range from {worst['kappa']:.3f} ({name(worst)}) to "
            f"{best['kappa']:.3f} ({name(best)}). ")
    weak = weak_categories(categories, threshold)
    if len(weak):
        text += (f"{len(weak)} of {len(used)} categories stay below {threshold:g} (moderate or "
                 "worse in Landis and Koch's terms): "
                 + ", ".join(f"{name(r)} ({r['kappa']:.3f})" for _, r in weak.iterrows()) + ".")
    else:
        text += f"All {len(used)} categories reach at least {threshold:g}."
    return text


def _interval(r) -> str:
    return f"[{r['ci_low']:.3f}, {r['ci_high']:.3f}]"


def question_verdicts(coefficients: pd.DataFrame, labels: Mapping[str, str]) -> list[str]:
    """One Markdown bullet per single-code question (and the mean over them): Krippendorff's
    alpha with its interval and Krippendorff's (2004) verdict, Fleiss' kappa with its Landis &
    Koch (1977) band. ``coefficients``: the table of
    :func:`~tweetstorm.reliability.agreement_by_question`; ``labels``: question -> label, in
    the order of the bullets."""
    main = coefficients[coefficients["category"].isna()]
    alpha = main[(main["coefficient"] == "krippendorff_alpha")].set_index("question")
    fleiss = main[main["coefficient"] == "fleiss_kappa"].set_index("question")
    lines = []
    single = [q for q in labels if q in alpha.index and q in fleiss.index]
    for q in labels:
        if q in alpha.index and q not in fleiss.index:  # multi-code: alpha over code sets
            a = alpha.loc[q]
            lines.append(f"- **{q}** ({labels[q]}, several codes per answer): Krippendorff's "
                         f"alpha with the MASI distance between the raters' code sets "
                         f"{a['estimate']:.3f} {_interval(a)}, "
                         f"{krippendorff_verdict(a['estimate'], text=True)}.")
        if q not in single:
            continue
        a, f = alpha.loc[q], fleiss.loc[q]
        lines.append(f"- **{q}** ({labels[q]}): Krippendorff's alpha {a['estimate']:.3f} "
                     f"{_interval(a)}, {krippendorff_verdict(a['estimate'], text=True)}; "
                     f"Fleiss' kappa {f['estimate']:.3f} {_interval(f)} "
                     f"({landis_koch_label(f['estimate'])} agreement in Landis and Koch's terms).")
    if "mean" in alpha.index and "mean" in fleiss.index:
        a, f = alpha.loc["mean"], fleiss.loc["mean"]
        n = len(single)
        lines.append(f"- **Mean over the {n} single-code question{'s' if n != 1 else ''}** "
                     f"(weighted by their answers): Krippendorff's alpha {a['estimate']:.3f} "
                     f"(per question {a['min']:.3f} to {a['max']:.3f}), "
                     f"{krippendorff_verdict(a['estimate'], text=True)}; Fleiss' kappa "
                     f"{f['estimate']:.3f} ({landis_koch_label(f['estimate'])}).")
    return lines


def overview(coefficients: pd.DataFrame, questions: Sequence[str]) -> pd.DataFrame:
    """The key numbers as a coefficient x question table of strings.

    ``coefficients``: a table like :func:`tweetstorm.coding.agreement_by_question` returns (raters
    joined with "-"). Each cell is "estimate [ci_low, ci_high]"; in the column ``mean`` it is
    "estimate (min-max)", the range of the per-question estimates. Cohen's kappa and Scott's pi
    get one row per rater pair. Rows of per-category (multi-code) results are left out.
    """
    main = coefficients[coefficients["category"].isna()].copy()
    main["coefficient"] = main["coefficient"].where(
        ~main["coefficient"].isin(["cohen_kappa", "scott_pi"]), main["coefficient"] + " " + main["raters"])
    is_mean = main["question"] == "mean"
    low = main["ci_low"].where(~is_mean, main.get("min"))
    high = main["ci_high"].where(~is_mean, main.get("max"))
    main["value"] = [f"{e:.3f} [{lo:.3f}, {hi:.3f}]" if not m else f"{e:.3f} ({lo:.3f}-{hi:.3f})"
                     for e, lo, hi, m in zip(main["estimate"], low, high, is_mean)]
    table = main.pivot(index="coefficient", columns="question", values="value")
    return table.reindex(index=pd.unique(main["coefficient"]),
                         columns=[c for c in [*questions, "mean"] if c in set(main["question"])])
