"""Timeline explorer: dated events in US housing, labour, health care, civil rights,
immigration and public health, filtered by theme and zoomed by period.

The model (:class:`TimelineModel`, :func:`filter_events`, :func:`zoom`) is plain
pandas; :func:`build_chart` / :func:`update_chart` draw one matplotlib figure and
move its markers in place; :func:`view` wires ipywidgets to them;
:func:`static_html` is the printable version for the book (whole timeline and
its table). Data: ``hesj.datasets.load("us_timeline")``, one cited source per row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..charts import MARKERS, PALETTE, chart_html, new_figure, style, table_html
from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _

# the row order of the chart (the table's own domains, in the order the course teaches them)
THEME_ORDER = ("housing", "labour", "health care", "civil rights", "immigration", "public health")
MIN_SPAN = 10  # years: zooming in stops at a decade
STACK = (0.0, -0.2, 0.2, -0.1, 0.1, -0.3, 0.3)  # small row offsets for events in the same year and theme


def theme_label(theme: str) -> str:
    """The learner-facing name of a theme (translatable); unknown themes are shown as written."""
    labels = {
        "housing": _("Housing"),
        "labour": _("Labour"),
        "health care": _("Health care"),
        "civil rights": _("Civil rights"),
        "immigration": _("Immigration"),
        "public health": _("Public health"),
    }
    return labels.get(theme, str(theme).capitalize())


def load_events():
    """The course timeline table (with its provenance)."""
    from ..datasets import load

    return load("us_timeline")


# -- the model: plain functions ---------------------------------------------------------
def themes_in(df) -> list[str]:
    """The themes in the table: the course's order first, then any others alphabetically."""
    present = set(df["domain"].dropna().astype(str))
    return [t for t in THEME_ORDER if t in present] + sorted(present - set(THEME_ORDER))


def year_range(df) -> tuple[int, int]:
    years = df["year"].dropna()
    if years.empty:
        raise InputError(_("The timeline table has no years. Each event needs a year in the 'year' column."))
    return int(years.min()), int(years.max())


def _as_year(value: Any, what: str) -> int:
    """A year from an int-like value, or InputError naming the field."""
    if isinstance(value, bool):
        raise InputError(_("The {what} year should be a whole number such as 1950, not {value!r}.").format(
            what=what, value=value))
    if isinstance(value, str):
        value = value.strip()
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(_("The {what} year should be a whole number such as 1950, not {value!r}.").format(
            what=what, value=value)) from None
    if number != number or number in (float("inf"), float("-inf")) or number != int(number):
        raise InputError(_("The {what} year should be a whole number such as 1950, not {value!r}.").format(
            what=what, value=value))
    return int(number)


def filter_events(df, themes: Iterable[str] | None = None, start: Any = None, end: Any = None):
    """The events of the chosen themes between ``start`` and ``end`` (inclusive), oldest first.

    ``themes=None`` means every theme; ``start``/``end`` default to the first and
    last year in the table. Raises InputError for an unknown theme, a start after
    the end, or years outside the table.
    """
    known = themes_in(df)
    if themes is None:
        chosen = list(known)
    elif isinstance(themes, str):
        chosen = [themes]
    else:
        try:
            chosen = list(themes)
        except TypeError:
            raise InputError(_("Give the themes as a list, for example ['housing', 'labour'].")) from None
    unknown = [str(t) for t in chosen if t not in known]
    if unknown:
        raise InputError(_("Unknown theme(s): {unknown}. Choose from: {known}.").format(
            unknown=", ".join(unknown), known=", ".join(known)))
    lo, hi = year_range(df)
    start = lo if start is None else _as_year(start, _("start"))
    end = hi if end is None else _as_year(end, _("end"))
    if start > end:
        raise InputError(_("The start year ({start}) is after the end year ({end}). "
                           "Choose a start year that comes first.").format(start=start, end=end))
    if start < lo or end > hi:
        raise InputError(_("The years {start} to {end} go outside the timeline, which runs from {lo} to {hi}. "
                           "Choose years inside that range.").format(start=start, end=end, lo=lo, hi=hi))
    mask = df["domain"].isin(chosen) & (df["year"] >= start) & (df["year"] <= end)
    out = df[mask].sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    out.attrs = dict(df.attrs)
    return out


def zoom(start: int, end: int, lo: int, hi: int, factor: float) -> tuple[int, int]:
    """A period ``factor`` times as long around the same middle, kept inside lo..hi.

    factor 0.5 zooms in (never below MIN_SPAN years), 2 zooms out (never past the data).
    """
    full = hi - lo
    span = min(full, max(min(MIN_SPAN, full), round((end - start) * factor)))
    middle = (start + end) / 2
    new_start = int(round(middle - span / 2))
    new_start = max(lo, min(new_start, hi - span))  # slide back inside the data
    return new_start, new_start + span


def events_table(events, *, with_source: bool = False):
    """The shown events as a table for screen readers: date, theme, title, summary (and source)."""
    import pandas as pd

    cols = {_("Date"): events["date"], _("Theme"): events["domain"].map(theme_label),
            _("Event"): events["title"], _("What happened"): events["summary"]}
    if with_source:
        cols[_("Source (references.bib key)")] = events["source"]
    return pd.DataFrame(cols)


def source_text(key: str) -> str:
    """A source's title and address from references.bib; the key itself when it cannot be read."""
    from ..datasets import bib_entry

    try:
        entry = bib_entry(str(key))
    except (InputError, OSError):
        return str(key)
    fields = {}
    for name in ("title", "url", "year"):
        m = re.search(r"^\s*" + name + r"\s*=\s*[{\"](.*?)[}\"]\s*,?\s*$", entry, flags=re.M | re.I)
        if m:
            fields[name] = m.group(1).replace("{", "").replace("}", "").strip()
    parts = [fields.get("title") or str(key)]
    if fields.get("year"):
        parts[0] += f" ({fields['year']})"
    if fields.get("url"):
        parts.append(fields["url"])
    return ". ".join(parts)


@dataclass
class TimelineModel:
    """The explorer's state: which themes, which years, which event is open."""

    df: Any = field(default_factory=load_events)
    themes: list[str] | None = None
    start: int | None = None
    end: int | None = None
    selected: str | None = None

    def __post_init__(self):
        self.all_themes = themes_in(self.df)
        self.lo, self.hi = year_range(self.df)
        self.set_view(self.themes, self.start, self.end)

    # state changes (each validates through filter_events, so bad input never half-applies)
    def set_view(self, themes=None, start=None, end=None):
        events = filter_events(self.df, themes, start, end)
        self.themes = list(self.all_themes) if themes is None else ([themes] if isinstance(themes, str)
                                                                     else list(themes))
        self.start = self.lo if start is None else _as_year(start, _("start"))
        self.end = self.hi if end is None else _as_year(end, _("end"))
        self.events = events
        ids = list(events["id"])
        if self.selected not in ids:
            self.selected = ids[0] if ids else None
        return events

    def set_themes(self, themes):
        return self.set_view(themes, self.start, self.end)

    def set_period(self, start, end):
        return self.set_view(self.themes, start, end)

    def zoom_in(self):
        return self.set_period(*zoom(self.start, self.end, self.lo, self.hi, 0.5))

    def zoom_out(self):
        return self.set_period(*zoom(self.start, self.end, self.lo, self.hi, 2.0))

    def show_all(self):
        return self.set_period(self.lo, self.hi)

    def select(self, event_id: str | None):
        ids = list(self.events["id"])
        if event_id is not None and event_id not in ids:
            raise InputError(_("Event {id!r} is not among the events shown. Choose one from the list.").format(
                id=event_id))
        self.selected = event_id

    # what the learner reads
    def counts(self) -> dict[str, int]:
        counts = self.events["domain"].value_counts()
        return {t: int(counts.get(t, 0)) for t in self.themes}

    def busiest_decade(self) -> tuple[int, int] | None:
        if self.events.empty:
            return None
        decades = (self.events["year"].astype(int) // 10 * 10).value_counts()
        top = int(decades.max())
        return int(min(d for d, n in decades.items() if n == top)), top

    def status(self) -> str:
        if not self.themes:
            return _("No themes are chosen. Tick at least one theme to see its events.")
        return _("Showing {n} of {total} events, {start} to {end}.").format(
            n=len(self.events), total=len(self.df), start=self.start, end=self.end)

    def summary(self) -> str:
        if self.events.empty:
            return _("No events match these themes and years. Choose more themes or select Show all years.")
        by_theme = "; ".join(f"{theme_label(t)} {n}" for t, n in self.counts().items())
        decade, top = self.busiest_decade()
        return _("{n} events from {start} to {end}. Events by theme: {by_theme}. "
                 "The decade with the most events shown is the {decade}s ({top} events).").format(
            n=len(self.events), start=self.start, end=self.end, by_theme=by_theme, decade=decade, top=top)

    def alt(self) -> str:
        if self.events.empty:
            return _("An empty timeline from {start} to {end}: no events match the chosen themes.").format(
                start=self.start, end=self.end)
        decade, top = self.busiest_decade()
        counts = self.counts()
        most = max(counts, key=lambda t: counts[t])
        return _("Timeline of {n} events from {start} to {end}, one row per theme. Events cluster in the "
                 "{decade}s ({top} events); {theme} has the most events shown ({k}).").format(
            n=len(self.events), start=self.start, end=self.end, decade=decade, top=top,
            theme=theme_label(most), k=counts[most])

    def details(self) -> dict | None:
        """The open event: date, theme, title, summary and its source."""
        if self.selected is None:
            return None
        row = self.events[self.events["id"] == self.selected].iloc[0]
        return {"id": row["id"], "date": row["date"], "theme": theme_label(row["domain"]),
                "title": row["title"], "summary": row["summary"], "source": row["source"],
                "source_text": source_text(row["source"])}

    def details_html(self) -> str:
        d = self.details()
        if d is None:
            return f"<p>{esc(_('No event is open. Choose one from the Event details list.'))}</p>"
        return (f"<div aria-live='polite'><p><strong>{esc(d['title'])}</strong> ({esc(d['date'])}, "
                f"{esc(d['theme'])})</p><p>{esc(d['summary'])}</p>"
                f"<p><strong>{esc(_('Source'))}:</strong> {esc(d['source_text'])}</p></div>")


# -- the chart: built once, markers moved in place ----------------------------------------
def _positions(events, themes_all: list[str]) -> dict[str, tuple[list[int], list[float]]]:
    """x (year) and y (row) of every shown event; events in the same year and row stack a little."""
    rows = {t: i for i, t in enumerate(themes_all)}
    out: dict[str, tuple[list[int], list[float]]] = {t: ([], []) for t in themes_all}
    seen: dict[tuple[str, int], int] = {}
    for theme, year in zip(events["domain"], events["year"].astype(int)):
        k = seen.get((theme, year), 0)
        seen[(theme, year)] = k + 1
        offset = STACK[k % len(STACK)]
        out[theme][0].append(year)
        out[theme][1].append(rows[theme] + offset)
    return out


def build_chart(themes_all: list[str], width: float = 8.0):
    fig, ax = new_figure(width, max(2.8, 0.55 * len(themes_all) + 1.2))
    lines = {}
    for i, t in enumerate(themes_all):
        colour, marker = PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]
        (lines[t],) = ax.plot([], [], linestyle="none", marker=marker, markersize=8, color=colour,
                              markeredgecolor="#1a1a1a", markeredgewidth=0.6, label=theme_label(t))
        ax.axhline(i, color="#d0d0d0", linewidth=0.8, zorder=0)
    ax.set_yticks(range(len(themes_all)), [theme_label(t) for t in themes_all])
    ax.set_ylim(len(themes_all) - 0.5, -0.5)  # first theme on top
    ax.set_xlabel(_("Year"))
    style(ax)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return fig, ax, lines


def update_chart(fig, ax, lines, model: TimelineModel) -> None:
    pos = _positions(model.events, model.all_themes)
    for t, line in lines.items():
        xs, ys = pos[t]
        line.set_data(xs, ys)
        line.set_visible(t in model.themes)
    pad = max(1, (model.end - model.start) // 40)
    ax.set_xlim(model.start - pad, model.end + pad)
    # dim the row labels of themes that are switched off (the text says so too)
    for label, t in zip(ax.get_yticklabels(), model.all_themes):
        label.set_color("#1a1a1a" if t in model.themes else "#767676")


def chart_caption(df) -> str:
    from ..datasets import caption

    return caption(df) + " " + _("Each event's source is listed with it.")


# -- static version ------------------------------------------------------------------------
def static_html(themes=None, start=None, end=None, df=None) -> str:
    """The whole timeline (or the chosen part) as a figure, a summary and the table of events."""
    model = TimelineModel(df if df is not None else load_events(), themes, start, end)
    fig, ax, lines = build_chart(model.all_themes)
    update_chart(fig, ax, lines, model)
    body = chart_html(fig, model.alt(), chart_caption(model.df), model.summary())
    table = table_html(events_table(model.events, with_source=True),
                       _("Events shown on the timeline, oldest first"), max_rows=500)
    return box(f"<p><strong>{esc(_('Timeline of events'))}</strong></p>{body}"
               f"<p>{esc(model.status())}</p>{table}{interactive_html(model)}", _("Timeline explorer"))


def interactive_html(model: TimelineModel) -> str:
    """The same events for the book's interactive figure (plotly.js, no kernel)."""
    from ..interactive import figure_html

    data = []
    for k, theme in enumerate(model.all_themes):
        ev = model.events[model.events["domain"] == theme]
        if not len(ev):
            continue
        data.append({"type": "scatter", "mode": "markers", "name": theme_label(theme),
                     "x": [int(y) for y in ev["year"]], "y": [theme_label(theme)] * len(ev),
                     "text": [f"{d}: {t}" for d, t in zip(ev["date"], ev["title"])],
                     "hovertemplate": "%{text}<extra></extra>",
                     "marker": {"size": 11, "color": PALETTE[k % len(PALETTE)],
                                "symbol": PLOTLY_SYMBOLS[k % len(PLOTLY_SYMBOLS)],
                                "line": {"width": 1, "color": "#1a1a1a"}}})
    layout = {"height": 360, "showlegend": False, "margin": {"l": 110, "r": 20, "t": 10, "b": 50},
              "xaxis": {"title": {"text": _("Year")}}, "yaxis": {"automargin": True},
              "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff", "font": {"color": "#1a1a1a"}}
    return figure_html("hesj-timeline-interactive", data, layout,
                       _("hover over a point to read its event, drag across years to zoom in, double-click to "
                         "see all years again."))


# plotly marker shapes in the same order as the static chart's (hesj.charts.MARKERS)
PLOTLY_SYMBOLS = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross", "x")


# -- live view -------------------------------------------------------------------------------
def view(model: TimelineModel) -> Activity:
    import ipywidgets as w

    wide = {"description_width": "initial"}
    fig, ax, lines = build_chart(model.all_themes)
    how = _("Tick the themes to show, and choose the years with the From and To boxes or the zoom buttons. "
            "Choose an event in the Event details list to read about it.")
    intro = w.HTML(f"<p>{esc(how)}</p>")
    boxes = {t: w.Checkbox(value=t in model.themes, description=theme_label(t), indent=False, style=wide,
                           layout=w.Layout(width="auto", margin="0 1.2em 0 0"))
             for t in model.all_themes}
    theme_row = w.HBox([w.HTML(f"<strong>{esc(_('Themes shown'))}:</strong>&nbsp;")] + list(boxes.values()),
                       layout=w.Layout(flex_flow="row wrap", align_items="center"))
    # two number boxes rather than a range slider: ipywidgets' slider handles have no accessible
    # name (axe-core: aria-input-field-name), while a labelled number box works with every screen reader
    year_from = w.BoundedIntText(value=model.start, min=model.lo, max=model.hi, step=1,
                                 description=_("From year"), style=wide, layout=w.Layout(width="14em"))
    year_to = w.BoundedIntText(value=model.end, min=model.lo, max=model.hi, step=1,
                               description=_("To year"), style=wide, layout=w.Layout(width="14em"))
    zoom_in = w.Button(description=_("Zoom in"), tooltip=_("Show half as many years, around the same middle"))
    zoom_out = w.Button(description=_("Zoom out"), tooltip=_("Show twice as many years"))
    show_all = w.Button(description=_("Show all years"), tooltip=_("Show the whole timeline"))
    chart = w.HTML()
    status = w.HTML()
    table = w.HTML()
    details_list = w.Select(description=_("Event details"), style=wide, rows=6, layout=w.Layout(width="44em"))
    details = w.HTML()
    caption = chart_caption(model.df)
    busy = [False]

    def refresh_details():
        details.value = model.details_html()

    def refresh():
        update_chart(fig, ax, lines, model)
        chart.value = chart_html(fig, model.alt(), caption, model.summary())
        status.value = f'<p role="status">{esc(model.status())}</p>'
        # a scrolling region that keyboard users can reach and scroll (tabindex) and that is named
        table.value = ('<div role="region" tabindex="0" aria-label="{}" style="max-height:28em;overflow:auto">{}'
                       "</div>").format(esc(_("Events shown on the timeline")),
                                        table_html(events_table(model.events),
                                                   _("Events shown on the timeline, oldest first"), max_rows=500)
                                        ) if len(model.events) else ""
        options = [(f"{d} · {t}", i) for d, t, i in zip(model.events["date"], model.events["title"],
                                                         model.events["id"])]
        busy[0] = True  # the list is being refilled: its value changes are not the learner's choice
        try:
            details_list.options = options
            details_list.value = model.selected
        finally:
            busy[0] = False
        refresh_details()

    def problem(exc: InputError):
        status.value = f'<p role="status">⚠ {esc(exc)}</p>'

    def on_themes(_change):
        try:
            model.set_themes([t for t, b in boxes.items() if b.value])
        except InputError as exc:
            return problem(exc)
        refresh()

    def on_years(_change):
        if busy[0]:
            return
        try:
            model.set_period(year_from.value, year_to.value)
        except InputError as exc:
            return problem(exc)
        refresh()

    def show_period():
        """Put the model's period in the boxes without redrawing twice."""
        busy[0] = True
        try:
            year_from.value, year_to.value = model.start, model.end
        finally:
            busy[0] = False

    def move(step):
        def handler(_button):
            try:
                step()
            except InputError as exc:
                return problem(exc)
            show_period()
            refresh()
        return handler

    def on_select(change):
        if busy[0]:
            return
        try:
            model.select(change["new"])
        except InputError as exc:
            return problem(exc)
        refresh_details()

    for b in boxes.values():
        b.observe(on_themes, names="value")
    year_from.observe(on_years, names="value")
    year_to.observe(on_years, names="value")
    zoom_in.on_click(move(model.zoom_in))
    zoom_out.on_click(move(model.zoom_out))
    show_all.on_click(move(model.show_all))
    details_list.observe(on_select, names="value")
    refresh()
    ui = w.VBox([intro, theme_row, w.HBox([year_from, year_to]), w.HBox([zoom_in, zoom_out, show_all]), chart,
                 status, table,
                 details_list, details])
    controls = {"themes": boxes, "year_from": year_from, "year_to": year_to, "zoom_in": zoom_in, "zoom_out": zoom_out,
                "show_all": show_all, "chart": chart, "status": status, "events": table,
                "event_details": details_list, "details": details}
    return Activity(ui, static_html(model.themes, model.start, model.end, model.df), model=model,
                    controls=controls)


def activity(themes=None, start=None, end=None) -> Activity:
    """The timeline explorer: live in a notebook, the printed timeline in the book."""
    from ..paths import static_mode

    if static_mode():
        return Activity(html=static_html(themes, start, end))
    return view(TimelineModel(load_events(), themes, start, end))
