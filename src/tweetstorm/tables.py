"""Tables for reuse and for the write-up: CSV, Markdown and LaTeX (booktabs) under ``results/``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from tweetstorm import paths, study
from tweetstorm.safeio import write_csv


def _missing(value: object) -> bool:
    return pd.api.types.is_scalar(value) and pd.isna(value)


def _rounded(df: pd.DataFrame, digits: int) -> pd.DataFrame:
    """Display copy: floats with ``digits`` decimals, missing values as empty cells."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if _missing(v) else f"{v:.{digits}f}")
        else:
            out[col] = out[col].map(lambda v: "" if _missing(v) else str(v)).astype(object)
    return out


_LATEX_SPECIALS = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
                   "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                   "\\": r"\textbackslash{}"}


def _latex_escape(text: str) -> str:
    # Styler escapes cells but not captions; this is the same character table, for the caption.
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)


def write_table(df: pd.DataFrame, name: str, caption: str, *, digits: int = 3,
                directory: str | Path | None = None,
                headers: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Write ``df`` as ``<name>.csv`` (12 significant digits, :func:`tweetstorm.safeio.write_csv`), ``<name>.md`` and ``<name>.tex``.

    The Markdown (via tabulate) and LaTeX (pandas Styler, booktabs rules) versions round floats to
    ``digits`` decimals and carry the caption, preceded by the illustrative note when the study
    file says the data are illustrative (:func:`tweetstorm.study.label_caption`). The index is not
    written: put what matters in columns. ``headers`` renames columns in the Markdown and LaTeX versions only (headers for a
    reader; the CSV keeps the data's column names). ``directory`` defaults to ``results/``.
    Returns the paths written.
    """
    if not name or "/" in name:
        raise ValueError(f"write_table: table name {name!r} must be a plain file stem")
    out = paths.resolve(directory) if directory is not None else paths.RESULTS
    out.mkdir(parents=True, exist_ok=True)
    written = {"csv": out / f"{name}.csv", "md": out / f"{name}.md", "tex": out / f"{name}.tex"}
    caption = study.label_caption(caption)
    flat = df.reset_index(drop=True)
    write_csv(flat, written["csv"])
    shown = _rounded(flat, digits)
    if headers:
        shown = shown.rename(columns=dict(headers))
    md = shown.to_markdown(index=False, disable_numparse=True)
    written["md"].write_text(f"{caption.strip()}\n\n{md}\n", encoding="utf-8")
    styler = shown.style.hide(axis="index").format(escape="latex").format_index(escape="latex", axis=1)
    tex = styler.to_latex(
        hrules=True, caption=_latex_escape(caption.strip()),
        column_format="".join("r" if pd.api.types.is_numeric_dtype(flat[c]) else "l" for c in flat.columns), label=f"tab:{name}", position="htbp",
        position_float="centering",
    )
    written["tex"].write_text(tex, encoding="utf-8")
    return written
