"""Accessible charts for every activity: one look, one set of rules.

Every chart the course shows is

* drawn with a colour-blind-safe palette (Okabe and Ito), with markers, line
  styles or hatching so colour is never the only cue;
* a PNG inside a ``<figure>`` with alt text that states the chart's point and a
  caption that names the data source;
* followed by a short text summary and the data as an HTML table a screen
  reader can read (inside ``<details>``, so it does not crowd the page).

``chart_html`` gives that block for the book and for static output.
``LiveChart`` is the notebook version: it keeps one matplotlib figure and
redraws only what changed, so an interaction updates quickly.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any, Callable

from .display import esc
from .i18n import _

# Okabe & Ito (2008) colour-universal-design palette, minus yellow (too pale on white for lines)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)))
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo")
# sequential scale for maps: light to dark, readable in greyscale (matplotlib's cividis is CVD-safe)
SEQUENTIAL = "cividis"
TEXT_COLOUR = "#1a1a1a"


def style(ax) -> None:
    """House style: readable sizes, no chart junk, dark text."""
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=10, colors=TEXT_COLOUR)
    ax.title.set_color(TEXT_COLOUR)
    ax.xaxis.label.set_color(TEXT_COLOUR)
    ax.yaxis.label.set_color(TEXT_COLOUR)


def new_figure(width: float = 7.0, height: float = 4.0):
    """A figure that is never shown through pyplot's global state (safe in tests and the book)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def _layout_key(fig) -> tuple:
    """What the margins depend on, coarsely: how many axes, and the number and length (in
    steps of three characters) of tick labels, axis labels, titles and legend entries.
    New data, limits or colours with labels of about the same size keep the layout."""
    def size(texts) -> tuple:
        return tuple(len(t) // 3 for t in texts)

    key = [tuple(fig.get_size_inches()), len(fig.axes), size(t.get_text() for t in fig.texts)]
    for ax in fig.axes:
        key.append((ax.get_visible(), size([ax.get_xlabel(), ax.get_ylabel(), ax.get_title()])))
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t.get_text() for t in axis.get_majorticklabels()]
            key.append((len(labels), max((len(t) for t in labels), default=0) // 3))
        legend = ax.get_legend()
        if legend is not None:
            key.append(size(t.get_text() for t in legend.get_texts()))
    for legend in fig.legends:
        key.append(size(t.get_text() for t in legend.get_texts()))
    return tuple(key)


def png(fig, dpi: int = 100) -> bytes:
    """The figure as PNG, quickly: the layout engine runs again only when the labels around
    the axes changed size since the last render (an interaction that recolours, moves or
    re-scales marks keeps the layout), and the PNG is compressed lightly (lossless either way)."""
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    buf = io.BytesIO()
    engine = fig.get_layout_engine()
    key = _layout_key(fig)
    reuse = (engine is not None and not isinstance(engine, PlaceHolderLayoutEngine)
             and getattr(fig, "_hesj_layout_key", None) == key)
    if reuse:
        fig.set_layout_engine("none")  # keep the positions the last layout gave
    try:
        fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    finally:
        if reuse:
            fig.set_layout_engine(engine)
    fig._hesj_layout_key = key
    return buf.getvalue()


def table_html(df, caption: str, max_rows: int = 200) -> str:
    """A data table for screen readers: caption, column headers with scope, row headers."""
    shown = df.head(max_rows)
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in shown.columns)
    rows = []
    for _i, r in shown.iterrows():
        cells = list(r)
        first = f'<th scope="row">{esc(_fmt(cells[0]))}</th>'
        rest = "".join(f"<td>{esc(_fmt(v))}</td>" for v in cells[1:])
        rows.append(f"<tr>{first}{rest}</tr>")
    more = ""
    if len(df) > max_rows:
        more = f"<p>{esc(_('Showing the first {n} of {total} rows.').format(n=max_rows, total=len(df)))}</p>"
    return (f'<table class="hesj-data"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{more}")


def _fmt(v: Any) -> str:
    try:
        import pandas as pd

        if pd.isna(v):
            return "–"
    except (TypeError, ValueError):
        pass
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".")
    return str(v)


def chart_html(fig_or_png, alt: str, caption: str, summary: str = "", table=None,
               table_caption: str | None = None) -> str:
    """The whole accessible block: figure with alt and caption, text summary, data table."""
    data = fig_or_png if isinstance(fig_or_png, (bytes, bytearray)) else png(fig_or_png)
    b64 = base64.b64encode(data).decode("ascii")
    parts = [f'<figure class="hesj-chart"><img src="data:image/png;base64,{b64}" alt="{esc(alt)}" '
             f'style="max-width:100%;height:auto"><figcaption>{esc(caption)}</figcaption></figure>']
    if summary:
        parts.append(f'<p class="hesj-summary"><strong>{esc(_("What this shows"))}:</strong> {esc(summary)}</p>')
    if table is not None:
        parts.append(f"<details><summary>{esc(_('Show the data as a table'))}</summary>"
                     f"{table_html(table, table_caption or caption)}</details>")
    return "".join(parts)


@dataclass
class LiveChart:
    """A notebook chart that redraws in place.

    ``draw(fig, ax)`` builds the figure once; ``update(state)`` changes artists
    (``set_data``, ``set_height``, ``set_facecolor``) and returns
    (alt, summary, table); the view re-renders only the PNG and the text.
    """

    build: Callable
    update: Callable
    caption: str
    width: float = 7.0
    height: float = 4.0
    widget: Any = None
    fig: Any = None
    ax: Any = None
    artists: dict = field(default_factory=dict)
    last_html: str = ""

    def __post_init__(self):
        import ipywidgets as w

        self.fig, self.ax = new_figure(self.width, self.height)
        self.artists = self.build(self.fig, self.ax) or {}
        self.widget = w.HTML()

    def refresh(self, state) -> str:
        alt, summary, table = self.update(self.fig, self.ax, self.artists, state)
        self.last_html = chart_html(self.fig, alt, self.caption, summary, table)
        self.widget.value = self.last_html
        return self.last_html
