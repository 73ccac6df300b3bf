"""What a notebook cell shows, live in JupyterLab and printed in the book.

An :class:`Activity` carries a live ipywidgets view (in a learner's kernel) and
a static HTML version (the book, nbconvert, or a front end without widgets).
The static version never contains anything from a learner's journal.
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from typing import Any

from .course import load_course
from .glossary import anchor, lookup
from .i18n import _
from .paths import static_mode

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
BOOK_GLOSSARY = "../book/glossary.html"  # from a notebook page to the glossary page in the built book


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


@dataclass
class Activity:
    """A cell's output: a live widget (or None) plus its static HTML version."""

    widget: Any = None
    html: str = ""
    text: str = ""
    model: Any = None  # the pure model behind the widget (tests drive it)
    controls: dict = field(default_factory=dict)  # named controls of the view

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle: dict[str, Any] = {"text/html": self.html, "text/plain": self.text or _strip(self.html)}
        if self.widget is not None:
            live = self.widget._repr_mimebundle_()
            if WIDGET_MIME in live:
                bundle[WIDGET_MIME] = live[WIDGET_MIME]
        return bundle


def _strip(markup: str) -> str:
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


PAGE_CSS = ("body{font-family:system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:52rem;margin:1.5rem auto;"
            "padding:0 1rem;line-height:1.5}table{border-collapse:collapse;margin-bottom:1.5rem}"
            "th,td{border:1px solid #595959;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}"
            "caption{text-align:left;font-weight:bold}a{color:#0b5394}@media print{a{color:#000}}")


def standalone_page(title: str, body: str, css: str = "") -> str:
    """A complete, self-contained HTML page (no scripts, nothing fetched) for a generated handout or
    report: English, a title, a viewport, an empty inline icon, the course's plain styles."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f"<style>{PAGE_CSS}{css}</style></head><body><main>{body}</main></body></html>\n")


def box(inner: str, label: str) -> str:
    """A bordered, labelled region for a static activity."""
    return (
        f'<section class="hesj-activity" aria-label="{esc(label)}" '
        'style="border:1px solid #595959;border-radius:4px;padding:0.75rem 1rem;margin:1rem 0;'
        f'background:#fff;color:#1a1a1a">{inner}</section>'
    )


def figure_html(fig, alt: str, caption: str = "") -> str:
    """A matplotlib figure as an <img> with alt text (and an optional caption)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    img = f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}" style="max-width:100%">'
    if caption:
        return f"<figure>{img}<figcaption>{esc(caption)}</figcaption></figure>"
    return img


def overview(unit_id: str) -> Activity:
    """Objectives, time by segment and competencies, from the manifest."""
    course = load_course()
    u = course.unit(unit_id)
    segs = "".join(
        f"<li>{_('Segment')} {s.id}: {esc(s.title)} ({s.minutes} {_('minutes')})</li>" for s in u.segments
    )
    objectives = "".join(f"<li>{esc(o)}</li>" for o in u.objectives)
    comps = "".join(
        f"<li>{_('Domain')} {c.domain}, {esc(course.competency_domains[c.domain])} "
        f"({_('tiers')}: {', '.join(esc(course.tiers[t]) for t in c.tiers)})</li>"
        for c in u.competencies
    )
    inner = (
        f"<p><strong>{_('Time')}:</strong> {u.minutes} {_('minutes in')} {len(u.segments)} "
        f"{_('segments of at most')} {course.max_segment_minutes} {_('minutes each')}.</p>"
        f"<ul>{segs}</ul>"
        f"<p><strong>{_('By the end of this unit you will be able to')}:</strong></p><ul>{objectives}</ul>"
        f"<p><strong>{_('Core Competencies for Public Health Professionals (Council on Linkages, 2021) this unit builds')}:"
        f"</strong></p><ul>{comps}</ul>"
    )
    return Activity(html=box(inner, _("Unit overview")))


def course_index() -> Activity:
    """Every published unit and part, with its segments, minutes and notebook, from the manifest."""
    course = load_course()
    rows = []
    for u in course.complete_units:
        segs = "".join(f"<li>{_('Segment')} {s.id}: {esc(s.title)} ({s.minutes} {_('minutes')})</li>"
                       for s in u.segments)
        rows.append(f"<tr><th scope=\"row\">{esc(u.series)} {u.number}: {esc(u.title)}</th>"
                    f"<td><ul>{segs}</ul></td><td>{u.minutes}</td><td><code>{esc(u.notebook)}</code></td></tr>")
    total = sum(u.minutes for u in course.complete_units)
    inner = (f"<table><caption>{esc(_('The course: every unit and part, its segments and its notebook'))}</caption>"
             f"<thead><tr><th scope=\"col\">{_('Unit or part')}</th><th scope=\"col\">{_('Segments')}</th>"
             f"<th scope=\"col\">{_('Minutes')}</th><th scope=\"col\">{_('Notebook')}</th></tr></thead>"
             f"<tbody>{''.join(rows)}</tbody></table>"
             f"<p>{esc(_('In all: {n} units and parts, {h} hours and {m} minutes.').format(n=len(rows), h=total // 60, m=total % 60))}</p>")
    return Activity(html=box(inner, _("Course index")))


def key_terms(unit_id: str) -> Activity:
    """The unit's key terms with their glossary definitions."""
    u = load_course().unit(unit_id)
    items = []
    for term in u.key_terms:
        e = lookup(term)
        name = esc(e["term"])
        if static_mode():
            name = f'<a href="{BOOK_GLOSSARY}#{anchor(e["term"])}">{name}</a>'
        items.append(f"<dt><strong>{name}</strong></dt><dd>{esc(e['definition'])}</dd>")
    inner = f"<p><strong>{_('Key terms')}</strong></p><dl>{''.join(items)}</dl>"
    return Activity(html=box(inner, _("Key terms")))
