"""Interactive figures in the published book, with no kernel: plotly.js draws a figure spec
written into the page (hover for details, drag to zoom, double-click to reset).

The script is the ``plotly.min.js`` that the plotly wheel ships, copied by ``hesj.sphinxext``
into the book's ``_assets/`` folder (not ``_static/``, whose scripts Jupyter Book 1 puts on
every page) and linked only from pages that show an interactive figure. Nothing is fetched
from elsewhere. The interactive figure is for mouse and touch; the static figure, its text
summary and its data table beside it carry the same information for keyboard and
screen-reader users, so the interactive copy is hidden from assistive technology.
"""
from __future__ import annotations

import json
from pathlib import Path

from .display import esc
from .i18n import _

MARKER = "hesj-plotly"


def plotly_js() -> Path:
    """The plotly.min.js file inside the installed plotly package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js is not in the plotly package ({path}); reinstall plotly.")
    return path


def figure_html(div_id: str, data: list[dict], layout: dict, how: str) -> str:
    """A div that plotly.js fills in, its spec, and a one-line note on how to use it."""
    spec = json.dumps({"data": data, "layout": layout}, separators=(",", ":")).replace("</", "<\\/")
    note = _("Interactive version, for mouse and touch: {how} The figure, summary and table above show the same "
             "information.").format(how=how)
    return (f'<div class="{MARKER}-block"><p class="{MARKER}-note"><em>{esc(note)}</em></p>'
            f'<div id="{esc(div_id)}" class="{MARKER}" aria-hidden="true" style="width:100%;min-height:340px"></div>'
            f'<script type="application/json" id="{esc(div_id)}-spec">{spec}</script>'
            "<script>(function () { var el = document.getElementById(" + json.dumps(div_id) + ");"
            " if (!el || !window.Plotly) { return; }"
            " var spec = JSON.parse(document.getElementById(" + json.dumps(div_id + "-spec") + ").textContent);"
            " window.Plotly.newPlot(el, spec.data, spec.layout, {responsive: true, displayModeBar: false,"
            " scrollZoom: false}); })();</script></div>")
