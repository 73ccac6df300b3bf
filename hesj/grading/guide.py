"""The instructor's grading guide, generated from the source assignments.

For each assignment: every reflection with its prompt, points and word minimum, the
exemplar answer, and each rubric criterion with its levels and an exemplar answer for
every level. All of it comes from the source notebooks (the mark schemes and solutions
that nbgrader removes from the learners' version), so the guide and the grading cannot
drift apart. Hidden tests are not printed.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from ..course import REPO_ROOT, load_course
from .config import DEFAULT_MIN_WORDS
from .modes import REFLECTION_PREFIX

HEADER = "<!-- Generated from assignments/*/*.ipynb by `hesj grade guide`. Edit the notebooks, not this page. -->\n"


def _between(text: str, begin: str, end: str) -> str:
    m = re.search(rf"### BEGIN {begin}\n(.*?)### END {end}", text, re.S)
    return m.group(1).strip() if m else ""


def _outside(text: str, begin: str, end: str) -> str:
    return re.sub(rf"### BEGIN {begin}\n.*?### END {end}\n?", "", text, flags=re.S).strip()


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def assignment_sections(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    title = next((c.source.splitlines()[0].lstrip("# ").strip() for c in cells if c.cell_type == "markdown"
                  and c.source.startswith("#")), path.stem)
    out = [f"## {title}", "", f"Source: `assignments/{path.parent.name}/{path.name}`.", ""]
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in cells}
    for cell in cells:
        nbg, meta = cell.metadata.get("nbgrader", {}), cell.metadata.get("hesj", {})
        gid = str(nbg.get("grade_id", ""))
        if gid.startswith(REFLECTION_PREFIX) and nbg.get("solution") and nbg.get("grade"):
            prompt = by_id.get(f"{gid}-prompt")
            heading = prompt.source.splitlines()[0].lstrip("# ").strip() if prompt else gid
            out += [f"### {heading}", ""]
            if prompt:
                out += ["The prompt learners see:", "", _quote("\n".join(prompt.source.splitlines()[1:]).strip()), ""]
            minimum = meta.get("min_words", DEFAULT_MIN_WORDS)
            out += [f"Completion mode: {nbg.get('points', 0):g} points when the answer has at least {minimum} words "
                    f"(grade id `{gid}`).", ""]
            exemplar = _between(cell.source, "SOLUTION", "SOLUTION")
            if exemplar:
                out += ["An exemplar answer (invented for this guide):", "", _quote(exemplar), ""]
            criteria = [c for c in cells if c.metadata.get("hesj", {}).get("rubric_for") == gid]
            if criteria:
                out += ["Rubric mode: each criterion is scored by hand.", ""]
            for crit in criteria:
                cn = crit.metadata.get("nbgrader", {})
                label = _outside(crit.source, "MARK SCHEME", "MARK SCHEME").splitlines()[0].strip("* ")
                label = label.replace("Rubric criterion (used only in rubric mode): ", "").rstrip(".")
                scheme = _between(crit.source, "MARK SCHEME", "MARK SCHEME")
                levels, _, exemplars = scheme.partition("Exemplar answers for each level")
                out += [f"#### Criterion: {label} (up to {cn.get('points', 0):g} points, grade id `{cn.get('grade_id')}`)",
                        "", levels.strip(), ""]
                if exemplars:
                    out += ["Exemplar answers for each level" + exemplars.rstrip(), ""]
    tests = [c for c in cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    for t in tests:
        out += [f"### Autograded: `{t.metadata['nbgrader']['grade_id']}` ({t.metadata['nbgrader'].get('points', 0):g} points)",
                "", "Scored by tests when the assignment is autograded; learners see some checks, and hidden tests "
                "run only at grading. Learners' code runs in the grading sandbox (see the grading page).", ""]
    return "\n".join(out).rstrip() + "\n"


def render_page(source: Path | None = None) -> str:
    source = source or REPO_ROOT / "assignments"
    order = [u.id for u in load_course().units]
    folders = sorted((p for p in source.iterdir() if p.is_dir() and (p / f"{p.name}.ipynb").exists()),
                     key=lambda p: (order.index(p.name) if p.name in order else len(order), p.name))
    parts = [HEADER, "# Grading guide for instructors", "",
             "This guide is for instructors and facilitators who grade the course's exercises.",
             "It holds each exercise's rubric, with an exemplar answer for every level.",
             "Learners' copies of the exercises do not contain it: nbgrader removes the mark schemes and exemplars "
             "when it makes the learners' version.",
             "Every criterion judges how a learner uses the unit's ideas and evidence, never the position the learner takes.",
             "How to run the grading is on {doc}`the grading page <grading>`.", ""]
    for folder in folders:
        parts.append(assignment_sections(folder / f"{folder.name}.ipynb"))
    return "\n".join(parts)
