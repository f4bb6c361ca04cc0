"""The compendium's figure style and the one way figures are saved.

``use_style()`` applies ``tweetstorm.mplstyle`` (column-width sizes, the Okabe-Ito palette) and makes
rendering independent of the machine: only the fonts bundled with matplotlib are used, so a PNG has the
same bytes wherever it is rebuilt. ``save_figure`` writes ``figures/<name>.png`` (300 dpi), ``.svg`` and
a ``.txt`` caption next to them, with no creation dates or software versions in the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from tweetstorm import paths, study

#: Okabe & Ito (2008) colour-blind-safe palette, in the order of the style file's colour cycle.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
)
#: Widths in inches: one journal column and the full page width.
COLUMN_WIDTH = 3.5
PAGE_WIDTH = 7.0

_STYLED = False


def _bundled_fonts_only() -> None:
    """Drop system fonts from matplotlib's font list (a system DejaVu of another version would
    change the PNG pixels); matplotlib's own bundled fonts remain."""
    bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    manager = font_manager.fontManager
    manager.ttflist = [f for f in manager.ttflist if Path(f.fname).parent == bundled]
    manager._findfont_cached.cache_clear()  # the lookup cache may hold a system font already


def use_style() -> None:
    """Apply the compendium's style (idempotent). Call before making a figure."""
    global _STYLED
    import matplotlib.pyplot as plt

    _bundled_fonts_only()
    plt.style.use(str(paths.STYLE))
    _STYLED = True


def palette(n: int | None = None) -> list[str]:
    """The first ``n`` colours of the palette (all eight when ``n`` is None); more than eight raises."""
    if n is None:
        n = len(OKABE_ITO)
    if n > len(OKABE_ITO):
        raise ValueError(f"palette: {n} colours asked, the colour-blind-safe palette has "
                         f"{len(OKABE_ITO)}; group small categories or use shapes as well")
    return list(OKABE_ITO[:n])


@dataclass(frozen=True)
class SavedFigure:
    """The files :func:`save_figure` wrote (``png``, ``svg``, ``txt``; also as ``saved["png"]``).
    In a notebook, ``display(saved)`` shows the saved SVG itself: what the reader sees is the file,
    and the figure is not drawn a third time for the screen."""

    png: Path
    svg: Path
    txt: Path

    def __getitem__(self, kind: str) -> Path:
        return {"png": self.png, "svg": self.svg, "txt": self.txt}[kind]

    def _repr_svg_(self) -> str:
        return self.svg.read_text(encoding="utf-8")

    def __repr__(self) -> str:  # the text a notebook keeps beside the image: no machine path
        return f"Figure {self.svg.stem} (saved as .png, .svg and .txt)"


def save_figure(fig: Figure, name: str, caption: str, *,
                directory: str | Path | None = None) -> SavedFigure:
    """Write ``<name>.png`` (300 dpi), ``<name>.svg`` and the caption ``<name>.txt``, then close
    ``fig``; ``display()`` the returned :class:`SavedFigure` to show it in a notebook.

    ``directory`` defaults to ``figures/`` at the repository root. The caption is preceded by the
    illustrative note when the study file says the data are illustrative
    (:func:`tweetstorm.study.label_caption`). Files carry no dates or versions, so rebuilding
    gives the same bytes.
    """
    import matplotlib.pyplot as plt

    if not _STYLED:
        use_style()
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"save_figure: figure name {name!r} must be a plain file stem, e.g. 'q1_goals'")
    out = paths.resolve(directory) if directory is not None else paths.FIGURES
    out.mkdir(parents=True, exist_ok=True)
    saved = SavedFigure(out / f"{name}.png", out / f"{name}.svg", out / f"{name}.txt")
    fig.savefig(saved.png, format="png", dpi=300, metadata={"Software": None})
    fig.savefig(saved.svg, format="svg", metadata={"Date": None, "Creator": None})
    saved.txt.write_text(study.label_caption(caption) + "\n", encoding="utf-8")
    plt.close(fig)  # shown from the saved file (display(saved)), not drawn again by the notebook
    return saved


def heatmap(ax, values, *, cmap: str, vmin: float, vmax: float, xticklabels, yticklabels,
            annot: bool = False, annot_size: float = 6, mask=None, linewidths: float = 0.0,
            linecolor: str = "white", square: bool = False, cbar_label: str | None = None):
    """A heatmap drawn as ``seaborn.heatmap`` draws it: the cells as a mesh with the first row at
    the top, ticks at the cell centres, no spines, integer counts written in each unmasked cell
    (``annot``) in dark grey or white by the cell's luminance, an optional colour bar without
    outline. Returns the mesh.

    Written here instead of calling ``seaborn.heatmap``: that function draws the whole figure at
    every call to decide whether its tick labels overlap (a figure of three panels is drawn three
    times before it is saved); our callers set the tick rotation themselves. The annotation colour
    rule is seaborn's own (``seaborn.utils.relative_luminance``).
    """
    import numpy as np
    from seaborn.utils import relative_luminance

    data = np.ma.masked_where(mask, values) if mask is not None else np.ma.asarray(values)
    rows, cols = data.shape
    mesh = ax.pcolormesh(data, cmap=cmap, vmin=vmin, vmax=vmax, linewidths=linewidths,
                         edgecolor=linecolor)
    ax.set(xlim=(0, cols), ylim=(0, rows))
    ax.invert_yaxis()
    if square:
        ax.set_aspect("equal")
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(cols) + 0.5, labels=list(xticklabels) if xticklabels is not False else [])
    ax.set_yticks(np.arange(rows) + 0.5, labels=list(yticklabels) if yticklabels is not False else [])
    if annot:
        hidden = np.ma.getmaskarray(data)
        for (i, j), value in np.ndenumerate(np.asarray(values)):
            if hidden[i, j]:
                continue
            colour = mesh.cmap(mesh.norm(value))
            ax.text(j + 0.5, i + 0.5, f"{int(value):d}", ha="center", va="center", fontsize=annot_size,
                    color=".15" if relative_luminance(colour) > .408 else "w")
    if cbar_label is not None:
        bar = ax.figure.colorbar(mesh, ax=ax, label=cbar_label)
        bar.outline.set_linewidth(0)
    return mesh
