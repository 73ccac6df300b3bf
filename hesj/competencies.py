"""The competency matrix and the core paths, generated from the manifest for the book.

``hesj competencies`` writes ``book/adopting/competencies.md``; ``--check`` (run by
``./course book``) fails when the page no longer matches ``hesj/course.yml``.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from .course import REPO_ROOT, load_course
from .paths import PACKAGE_DIR

FRAMEWORK = PACKAGE_DIR / "data" / "core_competencies.yml"
PAGE = REPO_ROOT / "book" / "adopting" / "competencies.md"


@lru_cache(maxsize=1)
def framework() -> dict:
    return yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))


def check_framework(course=None) -> list[str]:
    """Problems between the manifest and the checked framework file (empty when they agree)."""
    course = course or load_course()
    fw = framework()
    names = {d["number"]: d["name"] for d in fw["domains"]}
    out = [f"domain {n}: the manifest says {course.competency_domains.get(n)!r}, the framework {names[n]!r}"
           for n in names if course.competency_domains.get(n) != names[n]]
    out += [f"domain {n} is in the manifest but not in the framework" for n in course.competency_domains if n not in names]
    return out


def _tiers_text(course, tiers) -> str:
    return ", ".join(f"{t}" for t in tiers)


def render_page() -> str:
    course = load_course()
    units = course.complete_units
    d = course.competency_domains
    lines = ["<!-- Generated from hesj/course.yml by `hesj competencies`. Edit the manifest, not this page. -->",
             "", "# Competencies and core paths", "",
             "This page shows how every unit, segment and assessment maps to the Core Competencies for Public Health "
             "Professionals, the national framework adopted by the Council on Linkages Between Academia and Public "
             "Health Practice in October 2021 {cite:p}`CouncilOnLinkages2021core`.",
             "The framework groups its competency statements into eight domains, and it describes three tiers of "
             "responsibility {cite:p}`CouncilOnLinkages2021core`.",
             "The course maps its segments to domains and tiers.",
             "It does not quote the framework's individual statements, because no copy of their exact wording could "
             "be checked while this page was written.",
             "A department that uses the statements can add them beside this map.", "",
             "## The domains and tiers", "", "| Domain | Name {cite:p}`CouncilOnLinkages2021core` |", "|---|---|"]
    lines += [f"| {n} | {name} |" for n, name in d.items()]
    lines += ["", "| Tier | Responsibilities {cite:p}`CouncilOnLinkages2021core` |", "|---|---|"]
    lines += [f"| {n} | {name} |" for n, name in course.tiers.items()]
    lines += ["", "## The matrix: segments by domain", "",
              "Each row is a segment.",
              "The domain columns say *builds* where the segment builds that domain, so the table reads the same "
              "with or without colour.", "",
              "| Unit | Segment | Minutes | " + " | ".join(f"D{n}" for n in d) + " | Tiers <!-- number-check: own --> |",
              "|---|---|---|" + "---|" * len(d) + "---|"]
    for u in units:
        for s in u.segments:
            cells = " | ".join("builds" if n in s.domains else "" for n in d)
            lines.append(f"| {u.series} {u.number} | {s.id}. {s.title} | {s.minutes} | {cells} | "
                         f"{_tiers_text(course, s.tiers)} <!-- number-check: own --> |")
    lines += ["", "## What the assessments assess", "",
              "Each unit's knowledge checks and graded exercise assess these domains.", "",
              "| Unit | Domains assessed <!-- number-check: own --> |", "|---|---|"]
    for u in units:
        lines.append(f"| {u.series} {u.number}: {u.title} | "
                     + "; ".join(f"{n} {d[n]}" for n in u.assessment_domains) + " <!-- number-check: own --> |")
    lines += ["", "## Core paths: at most six hours for each tier", "",
              "A department with little time can start each tier on a core path.",
              "Each path takes at most six hours and starts with health equity skills.", ""]
    for tier, p in sorted(course.core_paths.items()):
        covered = sorted({n for uid, sid in p.segments for n in course.unit(uid).segments[sid - 1].domains})
        lines += [f"### Tier {tier}: {course.tiers[tier]}", "", p.rationale + " <!-- number-check: own -->", "",
                  f"**Time:** {p.minutes // 60} hours {p.minutes % 60} minutes. "
                  f"**Domains covered:** {', '.join(map(str, covered))}. <!-- number-check: own -->", "",
                  "| Segment | Minutes <!-- number-check: own --> |", "|---|---|"]
        for uid, sid in p.segments:
            u = course.unit(uid)
            s = u.segments[sid - 1]
            lines.append(f"| {u.series} {u.number}, segment {sid}: {s.title} | {s.minutes} <!-- number-check: own --> |")
        lines.append("")
    return "\n".join(lines)
