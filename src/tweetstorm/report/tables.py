"""Tables for the report: chosen columns, readable headers, one number format per column.

A :class:`Col` names the source column(s) of a results CSV, the header a reader sees and the
format of every cell of that column; a column whose source is absent from the CSV is left out, so
the report follows the results when a step adds or drops a column. Hand-written rather than
great-tables: the output must be plain HTML that WeasyPrint lays out and that carries no
generated ids, so that a rebuild gives the same bytes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA \
        or (pd.api.types.is_scalar(value) and pd.isna(value))


def fmt_int(v: object) -> str:
    return f"{int(round(float(v))):,}".replace(",", "\u2009")  # thin space groups thousands


def fmt_dec(digits: int) -> Callable[[object], str]:
    def f(v: object) -> str:
        text = f"{float(v):.{digits}f}"
        return text.replace("-", "\u2212")  # a true minus sign
    return f


def fmt_pct(v: object) -> str:
    return f"{100 * float(v):.1f}"


def fmt_p(v: object) -> str:
    p = float(v)
    return "< 0.001" if p < 0.0005 else f"{p:.3f}"


def fmt_text(v: object) -> str:
    return str(v)


def fmt_bool(v: object) -> str:
    text = str(v).strip().lower()
    return {"true": "yes", "false": "no"}.get(text, str(v))


FORMATS: dict[str, Callable[[object], str]] = {
    "int": fmt_int, "dec1": fmt_dec(1), "dec2": fmt_dec(2), "dec3": fmt_dec(3), "pct": fmt_pct,
    "p": fmt_p, "text": fmt_text, "bool": fmt_bool,
    "numtext": fmt_text,  # numbers already written as text by the caller (right-aligned)
}


@dataclass(frozen=True)
class Col:
    """One column of a report table.

    ``source``: the CSV column, or two columns ``(low, high)`` shown as one interval
    ``low–high``; ``label``: the header; ``fmt``: a key of :data:`FORMATS` applied to every cell
    (both ends of an interval); ``numeric``: right-aligned; ``group``: a header spanning the
    neighbouring columns of the same group (e.g. "Participants" over n, share and interval).
    """

    source: str | tuple[str, str]
    label: str
    fmt: str = "text"
    group: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        return self.source if isinstance(self.source, tuple) else (self.source,)

    @property
    def numeric(self) -> bool:
        return self.fmt not in ("text", "bool")

    def cell(self, row: pd.Series) -> str:
        f = FORMATS[self.fmt]
        values = [row[s] for s in self.sources]
        if any(_missing(v) or (isinstance(v, str) and not v.strip()) for v in values):
            return ""
        return "\u2013".join(f(v) for v in values)


_NUM = ' class="num"'


def _group_row(cols: Sequence[Col]) -> str:
    """The spanning header row of the column groups ('' when no column has a group)."""
    if not any(c.group for c in cols):
        return ""
    cells, i = [], 0
    while i < len(cols):
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == cols[i].group:
            j += 1
        span = j - i + 1
        if cols[i].group:
            cells.append(f'<th scope="colgroup" colspan="{span}" class="group">'
                         f"{html.escape(cols[i].group)}</th>")
        else:
            cells.extend(['<td class="blank"></td>'] * span)
        i = j + 1
    return '<tr class="groups">' + "".join(cells) + "</tr>"


def present(columns: Sequence[Col], df: pd.DataFrame) -> list[Col]:
    """The columns whose sources are all in ``df``."""
    return [c for c in columns if all(s in df.columns for s in c.sources)]


def html_table(df: pd.DataFrame, columns: Sequence[Col], number: int, caption: str,
               source: str | None = None, table_id: str | None = None) -> str:
    """``<table>`` with a numbered ``<caption>``, a header row and no index column."""
    cols = present(columns, df)
    # a column with no value in any row says nothing: leave it out
    cols = [c for c in cols if any(c.cell(row) for _, row in df.iterrows())] or cols
    if not cols:
        raise ValueError(f"table {number}: none of the columns {[c.label for c in columns]} "
                         f"is in the data ({list(df.columns)})")
    out = [f'<table id="{table_id or f"table-{number}"}">',
           f'<caption><span class="label">Table {number}.</span> {html.escape(caption)}'
           + (f' <span class="source">Full table: <code>{html.escape(source)}</code>.</span>'
              if source else "") + "</caption>",
           "<thead>" + _group_row(cols) + "<tr>"
           + "".join(f'<th scope="col"{_NUM if c.numeric else ""}>{html.escape(c.label)}</th>'
                     for c in cols)
           + "</tr></thead>", "<tbody>"]
    for _, row in df.iterrows():
        cells = "".join(f'<td{_NUM if c.numeric else ""}>{html.escape(c.cell(row))}</td>'
                        for c in cols)
        out.append(f"<tr>{cells}</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)
