"""The six lesson plans: one data file (``hesj/data/lesson_plans.yml``), checked on load.

The book's lesson-plan page and the session packets are both made from it, so they never
disagree. Every problem names the file, the plan and the field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..course import REPO_ROOT, load_course
from ..data_page import _md
from ..errors import InputError
from ..paths import PACKAGE_DIR

PLANS = PACKAGE_DIR / "data" / "lesson_plans.yml"
PAGE = REPO_ROOT / "book" / "facilitators" / "lesson-plans.md"
TEXT_LISTS = ("objectives", "materials", "preparation", "discussion_questions", "follow_up")


class LessonPlanError(InputError):
    pass


@dataclass(frozen=True)
class AgendaItem:
    minutes: int
    title: str
    how: str


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    practice_area: str
    summary: str
    audience: str
    minutes: int
    objectives: tuple[str, ...]
    materials: tuple[str, ...]
    preparation: tuple[str, ...]
    agenda: tuple[AgendaItem, ...]
    activities: tuple[dict, ...]
    readings: tuple[str, ...]
    units: tuple[str, ...]
    discussion_questions: tuple[str, ...]
    assessment: str
    follow_up: tuple[str, ...]
    sources: tuple[str, ...]


def _text(v) -> str:
    return " ".join(str(v).split())


def parse_plans(data, where: str = "lesson_plans.yml", *, check_links: bool = True) -> tuple[Plan, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("plans"), list) or not data["plans"]:
        raise LessonPlanError(f"{where}: needs a non-empty list under 'plans'.")
    unit_ids = {u.id for u in load_course().units} if check_links else None
    if check_links:
        from .. import toolkit
        from ..datasets import bib_keys as known_keys

        bib_keys = known_keys()
    plans, seen = [], set()
    for n, raw in enumerate(data["plans"], 1):
        at = f"{where}, plan {n}"
        if not isinstance(raw, dict):
            raise LessonPlanError(f"{at}: must be a mapping of fields.")
        pid = raw.get("id")
        if not isinstance(pid, str) or not re.match(r"^[a-z0-9][a-z0-9-]*$", pid):
            raise LessonPlanError(f"{at}: 'id' must be lower-case letters, digits and hyphens.")
        at = f"{where}, plan {pid!r}"
        if pid in seen:
            raise LessonPlanError(f"{at}: the id is used twice.")
        seen.add(pid)
        for key in ("title", "practice_area", "summary", "audience", "assessment"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise LessonPlanError(f"{at}: needs a text field {key!r}.")
        for key in TEXT_LISTS:
            v = raw.get(key)
            if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.strip() for x in v):
                raise LessonPlanError(f"{at}: {key!r} must be a non-empty list of text.")
        agenda = raw.get("agenda")
        if not isinstance(agenda, list) or not agenda:
            raise LessonPlanError(f"{at}: needs an 'agenda' list.")
        items = []
        for i, a in enumerate(agenda, 1):
            if (not isinstance(a, dict) or not isinstance(a.get("minutes"), int) or isinstance(a.get("minutes"), bool)
                    or a["minutes"] <= 0 or not isinstance(a.get("title"), str) or not isinstance(a.get("how"), str)):
                raise LessonPlanError(f"{at}, agenda item {i}: needs minutes (a whole number above 0), "
                                      "a title and how.")
            items.append(AgendaItem(a["minutes"], _text(a["title"]), _text(a["how"])))
        total = sum(a.minutes for a in items)
        if raw.get("minutes") != total:
            raise LessonPlanError(f"{at}: 'minutes' is {raw.get('minutes')!r} but the agenda adds up to {total}.")
        acts = raw.get("activities") or []
        if not isinstance(acts, list) or not all(isinstance(a, dict) and a.get("title") and a.get("description")
                                                 for a in acts):
            raise LessonPlanError(f"{at}: each activity needs a title and a description.")
        readings = raw.get("readings")
        if not isinstance(readings, list) or not readings:
            raise LessonPlanError(f"{at}: 'readings' must list toolkit entry ids.")
        units = raw.get("units") or []
        sources = raw.get("sources") or []
        if check_links:
            for r in readings:
                try:
                    toolkit.get(r)
                except Exception:
                    raise LessonPlanError(f"{at}: reading {r!r} is not a toolkit entry id "
                                          "(find one with `hesj toolkit search WORDS`).") from None
            for u in units:
                if u not in unit_ids:
                    raise LessonPlanError(f"{at}: unit {u!r} is not in hesj/course.yml.")
            for k in sources:
                if k not in bib_keys:
                    raise LessonPlanError(f"{at}: source {k!r} is not in references.bib.")
        plans.append(Plan(pid, _text(raw["title"]), _text(raw["practice_area"]), _text(raw["summary"]),
                          _text(raw["audience"]), total, *(tuple(_text(x) for x in raw[k]) for k in TEXT_LISTS[:3]),
                          tuple(items), tuple({k: _text(v) for k, v in a.items()} for a in acts),
                          tuple(readings), tuple(units), tuple(_text(x) for x in raw["discussion_questions"]),
                          _text(raw["assessment"]), tuple(_text(x) for x in raw["follow_up"]), tuple(sources)))
    return tuple(plans)


@lru_cache(maxsize=2)
def load_plans(path: str = str(PLANS)) -> tuple[Plan, ...]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LessonPlanError(f"{path}: could not be read ({exc.__class__.__name__}).") from None
    return parse_plans(data, Path(path).name)


def plan(plan_id: str) -> Plan:
    plans = load_plans()
    for p in plans:
        if p.id == plan_id:
            return p
    raise LessonPlanError(f"There is no lesson plan {plan_id!r}. The plans are: {', '.join(p.id for p in plans)}.")


def _cite(keys) -> str:
    return "{cite:p}`" + ",".join(keys) + "`"


def _cited(text: str, keys) -> str:
    """Plain text from the plan, with the plan's sources cited when it states a number."""
    return _md(text) + (" " + _cite(keys) if keys and re.search(r"\d", text) else "")


def clock(start: int, minutes: int) -> str:
    a, b = start, start + minutes
    return f"{a // 60}:{a % 60:02d}–{b // 60}:{b % 60:02d}"


def render_page() -> str:
    from .. import toolkit

    course = load_course()
    plans = load_plans()
    lines = ["<!-- Generated from hesj/data/lesson_plans.yml by `hesj lessons`. Edit that file, not this page. -->",
             "", "# Lesson plans", "",
             "These six lesson plans each take one part of a health department's daily work",
             "and plan a group session around it.",
             "Each lists objectives, time, materials, an agenda with minutes, activities, readings from the toolkit,",
             "a reflection that shows what was learned, and what to do afterwards.",
             "`hesj group packet GROUP --plan ID` turns any plan into a handout for members.",
             "", "| Plan | Practice area | Time |", "|---|---|---|"]
    for p in plans:
        lines.append(f"| [{_md(p.title)}](#plan-{p.id}) | {_md(p.practice_area)} | {p.minutes} minutes |"
                     " <!-- number-check: own -->")
    lines.append("")
    for p in plans:
        lines += [f"(plan-{p.id})=", f"## {_md(p.title)}", "",
                  f"**Practice area:** {_md(p.practice_area)}.",
                  f"**Time:** {p.minutes} minutes. <!-- number-check: own -->",
                  f"**For:** {_md(p.audience)}", "",
                  _cited(p.summary, p.sources), "",
                  "### Objectives", "", "By the end of the session, members will be able to:", ""]
        lines += [f"1. {_cited(o, p.sources)}" for o in p.objectives] + ["", "### Materials", ""]
        lines += [f"- {_cited(m, p.sources)}" for m in p.materials] + ["", "### Before the session", ""]
        lines += [f"- {_cited(m, p.sources)}" for m in p.preparation] + ["", "### Agenda", "",
                                                             "| Time | Minutes | Item | How <!-- number-check: own --> |", "|---|---|---|---|"]
        t = 0
        for a in p.agenda:
            sourced = re.search(r"\d", a.title + a.how) and p.sources
            tail = (" " + _cite(p.sources)) if sourced else " <!-- number-check: own -->"
            lines.append(f"| {clock(t, a.minutes)} | {a.minutes} | {_md(a.title)} | {_md(a.how)}{tail} |")
            t += a.minutes
        lines += ["", "### Activities", ""]
        for a in p.activities:
            tool = f" (`{_md(a['activity'])}`)" if a.get("activity") and a["activity"] != "none" else ""
            lines.append(f"- **{_md(a['title'])}**{tool}: {_cited(a['description'], p.sources)}")
        lines += ["", "### Readings from the toolkit", ""]
        for r in p.readings:
            e = toolkit.get(r)
            lines.append(f"- [{_md(e.title)}]({e.link}) ({_md(', '.join(e.authors[:2]))}"
                         f"{' and others' if len(e.authors) > 2 else ''}, {e.year}) <!-- number-check: own -->")
        if p.units:
            lines += ["", "### Course units that go with it", ""]
            for uid in p.units:
                u = course.unit(uid)
                ref = f"{{doc}}`../{Path(u.chapter).with_suffix('').relative_to('book')}`" if u.complete else _md(u.title)
                lines.append(f"- {ref}")
        lines += ["", "### Questions for discussion", ""]
        lines += [f"1. {_cited(q, p.sources)}" for q in p.discussion_questions]
        lines += ["", "### Reflection or assessment", "", _cited(p.assessment, p.sources), "", "### Follow-up", ""]
        lines += [f"- {_cited(f, p.sources)}" for f in p.follow_up]
        if p.sources:
            lines += ["", "Sources for this plan: " + "; ".join(f"{{cite:t}}`{k}`" for k in p.sources) + "."]
        lines.append("")
    return "\n".join(lines)
