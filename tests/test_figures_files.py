"""Every figure under figures/ is a readable image of the expected size, with an SVG twin and a
caption; and rebuilding a figure gives the same bytes.

Expected size: PNG at 300 dpi (the pHYs chunk), its pixel size equal to the figure size in inches
(the SVG twin's width and height in pt / 72) times 300, and a width the style allows: one journal
column (the style file's ``figure.figsize`` width) or the full page (``figures.PAGE_WIDTH``).
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest
from PIL import Image

from tweetstorm import figures, paths

matplotlib.use("Agg")

DPI = 300
STYLE_WIDTH = matplotlib.rc_params_from_file(str(paths.STYLE), use_default_template=False)[
    "figure.figsize"][0]
ALLOWED_WIDTHS = sorted({float(STYLE_WIDTH), float(figures.PAGE_WIDTH)})  # inches
MAX_HEIGHT = 9.5  # inches: a figure has to fit on a page
SVG_NS = "{http://www.w3.org/2000/svg}"

FOUND_PNG = sorted(paths.FIGURES.glob("*.png")) if paths.FIGURES.is_dir() else []
FOUND_SVG = sorted(paths.FIGURES.glob("*.svg")) if paths.FIGURES.is_dir() else []
EMPTY = "figures/ holds no figure yet: run `make all` (the notebooks write the figures)"


def _png_chunks(data: bytes) -> list[bytes]:
    # The chunk types of a PNG file, in order (PNG spec: length, type, data, CRC). Pillow reads the
    # chunks but does not list them, and we want to see whether a tIME or text chunk is there.
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    types, i = [], 8
    while i < len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        types.append(data[i + 4:i + 8])
        i += 12 + length
    return types


def _svg_size_in(svg: Path) -> tuple[float, float]:
    root = ET.parse(svg).getroot()  # raises on malformed XML
    assert root.tag == f"{SVG_NS}svg", f"{svg.name}: root element is {root.tag}, not svg"
    sizes = []
    for attr in ("width", "height"):
        value = root.get(attr, "")
        assert value.endswith("pt"), f"{svg.name}: {attr}={value!r}, expected points"
        sizes.append(float(value[:-2]) / 72)
    return sizes[0], sizes[1]


def check_figure(png: Path) -> None:
    """All the checks on one PNG and its twins; an AssertionError names the file and the problem."""
    svg, txt = png.with_suffix(".svg"), png.with_suffix(".txt")
    assert svg.is_file(), f"{png.name} has no SVG twin {svg.name}"
    assert txt.is_file(), f"{png.name} has no caption {txt.name}"
    assert txt.read_text(encoding="utf-8").strip(), f"{txt.name} is empty"

    with Image.open(png) as im:
        im.verify()  # a truncated or corrupt file raises
    with Image.open(png) as im:
        im.load()
        assert im.format == "PNG"
        dpi = im.info.get("dpi")
        width_px, height_px = im.size
    assert dpi is not None, f"{png.name}: no pHYs chunk (resolution)"
    assert round(dpi[0]) == DPI and round(dpi[1]) == DPI, f"{png.name}: {dpi} dpi, not {DPI}"
    chunks = _png_chunks(png.read_bytes())
    assert b"tIME" not in chunks, f"{png.name}: carries a modification time"

    width_in, height_in = _svg_size_in(svg)
    assert abs(width_px - width_in * DPI) <= 1 and abs(height_px - height_in * DPI) <= 1, (
        f"{png.name}: {width_px}x{height_px} px, but the figure is "
        f"{width_in:.3f}x{height_in:.3f} in (SVG twin) = {width_in * DPI:.0f}x{height_in * DPI:.0f} px at {DPI} dpi")
    assert any(abs(width_in - w) < 0.01 for w in ALLOWED_WIDTHS), (
        f"{png.name}: {width_in:.3f} in wide; the style allows {ALLOWED_WIDTHS} in "
        "(column or page width)")
    assert 0.5 < height_in <= MAX_HEIGHT, f"{png.name}: {height_in:.3f} in high"
    assert "<dc:date>" not in svg.read_text(encoding="utf-8"), f"{svg.name}: carries a date"


@pytest.mark.parametrize(
    "png", FOUND_PNG or [pytest.param(None, marks=pytest.mark.skip(reason=EMPTY))],
    ids=lambda p: p.name if isinstance(p, Path) else "none")
def test_figure_file(png):
    check_figure(png)


@pytest.mark.parametrize(
    "svg", FOUND_SVG or [pytest.param(None, marks=pytest.mark.skip(reason=EMPTY))],
    ids=lambda p: p.name if isinstance(p, Path) else "none")
def test_every_svg_has_a_png_twin(svg):
    assert svg.with_suffix(".png").is_file(), f"{svg.name} has no PNG twin"


# Builds the two PLN figures from a small fixed contact list into the folder given as argv[1].
_BUILD = textwrap.dedent("""
    import sys
    import pandas as pd
    from tweetstorm import pln
    from tweetstorm.figures import save_figure
    rows = [("P01", "X001", "person", "daily"), ("P01", "Wiki", "resource", "weekly"),
            ("P01", "P02", "person", "monthly"), ("P02", "X001", "person", "rarely"),
            ("P02", "GroupA", "group", "weekly"), ("P03", "X001", "person", "daily"),
            ("P03", "GroupA", "group", "daily"), ("P03", "X002", "person", "rarely")]
    G = pln.build_network(pd.DataFrame(rows, columns=["participant", "contact", "contact_type",
                                                      "frequency"]))
    save_figure(pln.draw_network(G), "pln_network", "The network.", directory=sys.argv[1])
    save_figure(pln.composition_figure(pln.ego_summary(G)), "pln_composition", "Composition.",
                directory=sys.argv[1])
""")


def _build(directory: Path, hash_seed: str) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": hash_seed}
    subprocess.run([sys.executable, "-c", _BUILD, str(directory)], check=True, env=env,
                   capture_output=True, text=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_rebuilding_a_figure_gives_the_same_bytes(tmp_path):
    # Two fresh processes with different hash seeds: nothing may depend on set or dict order.
    a, b = tmp_path / "a", tmp_path / "b"
    _build(a, "1")
    _build(b, "2")
    for name in ("pln_network", "pln_composition"):
        for ext in ("png", "svg", "txt"):
            assert _sha256(a / f"{name}.{ext}") == _sha256(b / f"{name}.{ext}"), f"{name}.{ext}"
        check_figure(a / f"{name}.png")  # and the rebuilt files pass the checks above


def test_heatmap_draws_as_seaborn_does_without_drawing_the_figure():
    """figures.heatmap: first row at the top, ticks at the cell centres, counts in the unmasked
    cells only, dark text on light cells and white on dark ones (seaborn's rule), and no draw of
    the figure while it is built (the reason it replaces seaborn.heatmap)."""
    import matplotlib.pyplot as plt
    import numpy as np

    values = np.array([[0, 9], [4, 1]])
    fig, ax = plt.subplots()
    draws = []
    fig.canvas.mpl_connect("draw_event", draws.append)
    try:
        figures.heatmap(ax, values, cmap="Blues", vmin=0, vmax=9, annot=True,
                        mask=np.array([[False, False], [False, True]]),
                        xticklabels=["a", "b"], yticklabels=["c", "d"])
        assert draws == []
        assert ax.get_ylim() == (2.0, 0.0)  # inverted: row 0 at the top
        assert list(ax.get_xticks()) == [0.5, 1.5] and [t.get_text() for t in ax.get_yticklabels()] == ["c", "d"]
        cells = {(t.get_position(), t.get_text()): t.get_color() for t in ax.texts}
        assert cells == {((0.5, 0.5), "0"): ".15", ((1.5, 0.5), "9"): "w", ((0.5, 1.5), "4"): ".15"}
    finally:
        plt.close(fig)
    import seaborn as sns  # the reference: the same cells, texts and colours from seaborn itself

    fig, ax = plt.subplots()
    try:
        sns.heatmap(values, mask=np.array([[False, False], [False, True]]), ax=ax, cmap="Blues",
                    vmin=0, vmax=9, annot=True, fmt="d", cbar=False)
        assert {(t.get_position(), t.get_text()): t.get_color() for t in ax.texts} == cells
    finally:
        plt.close(fig)


def test_a_saved_figure_is_shown_from_its_file_and_closed(tmp_path):
    """save_figure closes the figure (a notebook does not draw it again) and what display()
    shows is the saved SVG; the text beside it names the figure, never a path of the machine."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    saved = figures.save_figure(fig, "probe", "A probe.", directory=tmp_path)
    assert not plt.fignum_exists(fig.number)
    assert saved["svg"] == saved.svg == tmp_path / "probe.svg" and saved["png"].is_file()
    assert saved._repr_svg_() == (tmp_path / "probe.svg").read_text(encoding="utf-8")
    assert repr(saved) == "Figure probe (saved as .png, .svg and .txt)" and str(tmp_path) not in repr(saved)
