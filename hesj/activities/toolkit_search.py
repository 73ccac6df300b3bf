"""Toolkit search in a notebook: a pure model over hesj.toolkit plus a thin ipywidgets view."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..display import Activity, box, esc
from ..i18n import _
from ..toolkit import AUDIENCES, TOPICS, TYPES, Result, ToolkitError, search

BOOK_TOOLKIT = "../book/toolkit.html"


@dataclass
class ToolkitSearchModel:
    """State of one search: words, filters, and the last results or message."""

    query: str = ""
    type: str | None = None
    topic: str | None = None
    unit: str | None = None
    audience: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    limit: int = 10
    results: list[Result] = field(default_factory=list)
    message: str = ""

    def run(self) -> list[Result]:
        year = None
        if self.year_from or self.year_to:
            year = f"{self.year_from or ''}-{self.year_to or ''}"
        try:
            self.results = search(self.query, type=self.type or None, topic=self.topic or None,
                                  unit=self.unit or None, audience=self.audience or None, year=year,
                                  limit=self.limit)
        except ToolkitError as exc:
            self.results, self.message = [], str(exc)
            return self.results
        n = len(self.results)
        self.message = (_("No resources match. Try fewer or different words, or clear a filter.") if n == 0
                        else _("{n} resources shown, best matches first.").format(n=n))
        return self.results

    def results_html(self) -> str:
        items = "".join(
            f"<li><p><a href='{esc(r.entry.link)}' target='_blank' rel='noopener'>{esc(r.entry.title)}</a> "
            f"({esc(r.entry.type)}, {r.entry.year}). {esc(', '.join(r.entry.authors))}.</p>"
            f"<p>{esc(r.entry.summary)}</p></li>" for r in self.results)
        return f"<p role='status'>{esc(self.message)}</p>" + (f"<ol>{items}</ol>" if items else "")


def static_html() -> str:
    return box(f"<p>{esc(_('Search the toolkit of resources on the toolkit page of the book:'))} "
               f"<a href='{BOOK_TOOLKIT}'>{esc(_('Toolkit of resources'))}</a>.</p>", _("Toolkit search"))


def view(model: ToolkitSearchModel) -> Activity:
    import ipywidgets as w

    def dropdown(label, values):
        return w.Dropdown(options=[(_("Any"), "")] + [(v, v) for v in values], value="", description=label,
                          style={"description_width": "initial"})

    from ..course import load_course

    words = w.Text(description=_("Search words"), placeholder=_("for example: redlining asthma"),
                   style={"description_width": "initial"}, continuous_update=False,
                   layout=w.Layout(width="32em"))
    kind, topic = dropdown(_("Type"), TYPES), dropdown(_("Topic"), sorted(TOPICS))
    unit = dropdown(_("Course unit"), [u.id for u in load_course().units])
    audience = dropdown(_("Audience"), AUDIENCES)
    year_from = w.BoundedIntText(value=0, min=0, max=2100, description=_("From year (0 = any)"),
                                 style={"description_width": "initial"})
    year_to = w.BoundedIntText(value=0, min=0, max=2100, description=_("To year (0 = any)"),
                               style={"description_width": "initial"})
    button = w.Button(description=_("Search"), tooltip=_("Search the toolkit"))
    out = w.HTML()

    def on_search(_b=None):
        model.query, model.type, model.topic = words.value, kind.value, topic.value
        model.unit, model.audience = unit.value, audience.value
        model.year_from, model.year_to = year_from.value or None, year_to.value or None
        model.run()
        out.value = model.results_html()

    button.on_click(on_search)
    words.observe(lambda change: on_search(), names="value")  # Enter in the box searches too
    controls = {"words": words, "type": kind, "topic": topic, "unit": unit, "audience": audience,
                "year_from": year_from, "year_to": year_to, "button": button, "results": out}
    ui = w.VBox([words, w.HBox([kind, topic]), w.HBox([unit, audience]), w.HBox([year_from, year_to]),
                 button, out])
    return Activity(ui, static_html(), model=model, controls=controls)
