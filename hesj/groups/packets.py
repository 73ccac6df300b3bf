"""Session packets: a handout for one group meeting, as HTML and Markdown.

From a lesson plan (its agenda, questions and readings), or from one segment of a unit (a
standard meeting shape around the segment, its discussion questions from the notebook, and
toolkit readings tagged for the unit). Nothing in a packet comes from a learner.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date as Date

from .. import toolkit
from ..course import REPO_ROOT, load_course
from ..display import standalone_page
from ..errors import InputError
from ..worksheets import questions_by_segment
from .lessons import AgendaItem, plan

START = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass
class Packet:
    title: str
    subtitle: str
    when: str
    objectives: list[str]
    agenda: list[AgendaItem]
    questions: list[str]
    readings: list[toolkit.Entry]
    materials: list[str]
    start: int  # minutes after midnight, or 0 for times relative to the start

    @property
    def minutes(self) -> int:
        return sum(a.minutes for a in self.agenda)

    def times(self) -> list[str]:
        out, t = [], self.start
        for a in self.agenda:
            out.append(f"{t // 60}:{t % 60:02d}–{(t + a.minutes) // 60}:{(t + a.minutes) % 60:02d}")
            t += a.minutes
        return out

    def to_markdown(self) -> str:
        lines = [f"# {self.title}", "", f"{self.subtitle}", ""]
        if self.when:
            lines += [f"**Date:** {self.when}", ""]
        lines += [f"**Time:** {self.minutes} minutes", ""]
        if self.objectives:
            lines += ["## By the end of the session", ""] + [f"- {o}" for o in self.objectives] + [""]
        lines += ["## Agenda", "", "| Time | Minutes | Item | How |", "|---|---|---|---|"]
        lines += [f"| {t} | {a.minutes} | {_cell(a.title)} | {_cell(a.how)} |" for t, a in zip(self.times(), self.agenda)]
        lines += ["", "## Questions for discussion", ""] + [f"{n}. {q}" for n, q in enumerate(self.questions, 1)]
        lines += ["", "## Readings from the toolkit", ""]
        lines += [f"- {e.title} ({', '.join(e.authors[:2])}{' and others' if len(e.authors) > 2 else ''}, "
                  f"{e.year}). {e.link}" for e in self.readings]
        if self.materials:
            lines += ["", "## Materials", ""] + [f"- {m}" for m in self.materials]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        e = lambda s: html.escape(str(s), quote=True)  # noqa: E731
        rows = "".join(f'<tr><th scope="row">{e(t)}</th><td>{a.minutes}</td><td>{e(a.title)}</td><td>{e(a.how)}</td></tr>'
                       for t, a in zip(self.times(), self.agenda))
        parts = [f"<h1>{e(self.title)}</h1>", f"<p>{e(self.subtitle)}</p>"]
        if self.when:
            parts.append(f"<p><strong>Date:</strong> {e(self.when)}</p>")
        parts.append(f"<p><strong>Time:</strong> {self.minutes} minutes</p>")
        if self.objectives:
            parts.append("<h2>By the end of the session</h2><ul>" + "".join(f"<li>{e(o)}</li>" for o in self.objectives) + "</ul>")
        parts.append('<h2>Agenda</h2><table><caption>Agenda with times</caption><thead><tr><th scope="col">Time</th>'
                     '<th scope="col">Minutes</th><th scope="col">Item</th><th scope="col">How</th></tr></thead>'
                     f"<tbody>{rows}</tbody></table>")
        parts.append("<h2>Questions for discussion</h2><ol>" + "".join(f"<li>{e(q)}</li>" for q in self.questions) + "</ol>")
        parts.append("<h2>Readings from the toolkit</h2><ul>" + "".join(
            f'<li><a href="{e(r.link)}">{e(r.title)}</a> ({e(", ".join(r.authors[:2]))}'
            f'{" and others" if len(r.authors) > 2 else ""}, {r.year})</li>' for r in self.readings) + "</ul>")
        if self.materials:
            parts.append("<h2>Materials</h2><ul>" + "".join(f"<li>{e(m)}</li>" for m in self.materials) + "</ul>")
        return standalone_page(self.title, "\n".join(parts))


def _cell(s: str) -> str:
    return s.replace("|", "/").replace("\n", " ")


def _start(start: str | None) -> int:
    if not start:
        return 0
    m = START.match(start)
    if not m:
        raise InputError(f"{start!r} is not a start time; give it as HH:MM on a 24-hour clock, for example 14:30.")
    return int(m.group(1)) * 60 + int(m.group(2))


def _when(when: str | None) -> str:
    if not when:
        return ""
    try:
        return Date.fromisoformat(when).strftime("%A %d %B %Y")
    except ValueError:
        raise InputError(f"{when!r} is not a date; give it as YYYY-MM-DD, for example 2026-12-03.") from None


def plan_packet(plan_id: str, *, when: str | None = None, start: str | None = None) -> Packet:
    p = plan(plan_id)
    return Packet(f"Session: {p.title}", f"Lesson plan on {p.practice_area.lower()}. For {p.audience}",
                  _when(when), list(p.objectives), list(p.agenda), list(p.discussion_questions),
                  [toolkit.get(r) for r in p.readings], list(p.materials), _start(start))


def segment_packet(unit_id: str, segment: int, *, when: str | None = None, start: str | None = None) -> Packet:
    u = load_course().published(unit_id, "session packets")
    seg = next((s for s in u.segments if s.id == segment), None)
    if seg is None:
        raise InputError(f"{unit_id} has segments {', '.join(str(s.id) for s in u.segments)}, not {segment}.")
    questions = questions_by_segment(REPO_ROOT / u.notebook).get(segment, [])
    discuss = 25 if len(questions) >= 3 else 20
    agenda = [AgendaItem(5, "Welcome and group agreements", "Check in briefly and restate the group's agreements."),
              AgendaItem(10, f"Recap of segment {segment}: {seg.title}",
                         f"Members worked through the segment beforehand (about {seg.minutes} minutes). "
                         "One member sums up what stood out."),
              AgendaItem(15, "Activity together", "Open the segment's activity on the shared screen and work "
                                                  "through it as a group; note what surprised people."),
              AgendaItem(discuss, "Discussion", "Use the questions below; the facilitator keeps time and makes "
                                                "room for quieter voices."),
              AgendaItem(5, "Close and next steps", "Each member names one thing to try at work before the next meeting.")]
    readings = [r.entry for r in toolkit.search(unit=unit_id, limit=3)]
    return Packet(f"Session: {u.series} {u.number}, segment {segment}: {seg.title}", f"{u.title}",
                  _when(when), [], agenda, questions, readings,
                  [f"The notebook {u.notebook} or the book chapter for this unit",
                   "The unit worksheet (one copy per member) for notes"], _start(start))
