"""Checks on learner-facing prose: labels to avoid, reading grade, numbers without a citation,
and the alignment of each unit's objectives with its activities and assessments.

Used by tests/test_content_quality.py and by `hesj check-content` (a report for authors).
Learner-facing pages are the unit notebooks and the book's learner pages; instructors' and IT
pages (book/instructors, book/about/deploy.md, book/about/jupyterhub.md) and generated reference
pages (glossary, toolkit, data, references) are left out.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .course import REPO_ROOT

NOT_LEARNER_FACING = {"book/instructors", "book/about/deploy.md", "book/about/jupyterhub.md", "book/glossary.md",
                      "book/toolkit.md", "book/data.md", "book/references.md"}
# the style guide: name the cause, not a label (CDC's inclusive communication principles)
LABELS = [
    (r"\bvulnerable (?:populations?|groups?|communities|people|residents)\b", "name who is placed at risk and by what"),
    (r"\bhigh[- ]risk (?:groups?|populations?|communities)\b", "name the group and the cause of the risk"),
    (r"(?<!ethnic )(?<!racial )(?<!and )\bminorities\b", "name the specific groups (for example 'Black and Latino residents')"),
    (r"\bthe poor\b", "say 'people with low incomes' or name the condition"),
    (r"\bthe homeless\b", "say 'people experiencing homelessness'"),
    (r"\bthe disabled\b", "say 'disabled people' or 'people with disabilities'"),
    (r"\billegal (?:aliens?|immigrants?)\b|\billegals\b", "say 'undocumented immigrants'"),
    (r"\binner[- ]city\b", "name the neighbourhood or the conditions"),
]
QUOTED_OK = "<!-- language-check: quoted -->"  # a line that discusses a label as an example to avoid
OWN_FIGURE = "<!-- number-check: own -->"  # a sentence whose numbers are the course's own (a version, a test run)
MAX_GRADE, MAX_MEAN_GRADE = 12.0, 10.0
# numbers that describe the course itself, not facts about the world
STRUCTURAL = [
    r"\bHESJ 101\b",
    r"\b(?:Unit|Units|Segment|Segments|Part|Parts|Step|Steps|Reflection|Question|Questions|Lesson|Chapter)\s+\d+(?:\s*(?:to|and|-|–)\s*\d+)?",
    r"\b\d+\s*(?:to|-|–)?\s*\d*\s*(?:minutes?|min|hours?|seconds?|words?|points?|questions?|people|members|staff)\b",
    r"\brhi-\d+|\bhesj-?\d*|\b\d+(?:st|nd|rd|th)\b(?= (?:tier|level|rung))",
    r"\b(?:level|tier|rung|band|option|item|criterion)\s+\d+\b",
    r"^\s*\d+\.\s", r"^\s*#+\s", r"`[^`]*`", r"\{[a-z:]+\}`[^`]*`", r"<[^>]+>", r"\]\([^)]*\)", r"https?://\S+",
    r"\b\d+\s*(?:out of|of the)\s+\d+\s+(?:questions|segments|units)\b", r"\bpage\s+\d+\b", r"\bgrade\s+\d+\b",
    r"\bAttribution \d\.\d\b", r"\bWCAG \d(?:\.\d)*\b", r"\bCC BY(?:-SA)? \d\.\d\b", r"\b\d+\.\d+\.\d+\b",
]


@dataclass
class Page:
    path: str
    text: str  # Markdown source of the learner-facing prose


def _notebook_markdown(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                       for c in nb["cells"] if c["cell_type"] == "markdown")


def learner_pages(root: Path = REPO_ROOT) -> list[Page]:
    pages = [Page(str(p.relative_to(root)), _notebook_markdown(p)) for p in sorted((root / "notebooks").glob("*.ipynb"))]
    for p in sorted((root / "book").rglob("*.md")):
        rel = str(p.relative_to(root))
        if rel in NOT_LEARNER_FACING or any(rel.startswith(x + "/") for x in NOT_LEARNER_FACING):
            continue
        pages.append(Page(rel, p.read_text(encoding="utf-8")))
    return pages


def _strip_blocks(text: str) -> str:
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)          # front matter
    text = re.sub(r"^(```|~~~|:::)[^\n]*\n.*?^\1[^\n]*$", "", text, flags=re.S | re.M)  # code and directives
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return text


def prose(text: str) -> str:
    """Readable sentences: markup, code, citations and links removed; each line one sentence."""
    text = _strip_blocks(text)
    text = re.sub(r"\{cite:?[a-z]*\}`[^`]*`", "", text)
    text = re.sub(r"\{(?:term|doc|ref|numref)\}`([^`<]*?)(?:\s*<[^>]*>)?`", r"\1", text)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"[*_]{1,2}", "", text)
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:#+|[-*+]|\d+\.|>|\|)\s*", "", line).strip(" |")
        if len(re.findall(r"[A-Za-z]+", line)) < 3:
            continue
        lines.append(line if line[-1:] in ".?!:;" else line + ".")
    return "\n".join(lines)


def grade(text: str) -> float:
    import textstat

    body = prose(text)
    return float(textstat.flesch_kincaid_grade(body)) if body.strip() else 0.0


def flagged_labels(text: str) -> list[str]:
    out = []
    kept = re.sub(r"^(```|~~~|:::)[^\n]*\n.*?^\1[^\n]*$", "", re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S),
                  flags=re.S | re.M)
    for n, line in enumerate(kept.splitlines(), 1):
        if QUOTED_OK in line:
            continue
        line = re.sub(r"<!--.*?-->", "", line)
        for pattern, advice in LABELS:
            for m in re.finditer(pattern, line, flags=re.I):
                out.append(f"line {n}: {m.group(0)!r}: {advice}")
    return out


def sentences(text: str) -> list[str]:
    """Sentences of the Markdown source (a paragraph's lines joined, then split at . ? !)."""
    out = []
    for para in re.split(r"\n\s*\n", _strip_blocks_keep_markers(text)):
        for line_group in re.split(r"\n(?=\s*(?:[-*+]|\d+\.|#+)\s)", para):
            joined = " ".join(x.strip() for x in line_group.splitlines())
            out += [x for x in re.split(r"(?<=[.?!])\s+(?=[A-Z*{])", joined)
                    if x.strip() and not re.fullmatch(r"\s*\d+\.\s*", x)]
    return out


def _strip_blocks_keep_markers(text: str) -> str:
    text = re.sub(r"^---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^(```|~~~|:::)[^\n]*\n.*?^\1[^\n]*$", "", text, flags=re.S | re.M)
    return re.sub(r"<!--(?! number-check).*?-->", "", text, flags=re.S)


def uncited_numbers(text: str) -> list[str]:
    """Sentences that state a number but carry no citation."""
    out = []
    for sentence in sentences(text):
        if "{cite" in sentence or OWN_FIGURE in sentence:
            continue
        bare = sentence
        for pattern in STRUCTURAL:
            bare = re.sub(pattern, " ", bare, flags=re.I | re.M)
        if re.search(r"\d", bare):
            out.append(sentence.strip()[:140])
    return out


@dataclass
class Alignment:
    unit: str
    not_exercised: list[int] = field(default_factory=list)
    not_assessed: list[int] = field(default_factory=list)


def alignment(unit, root: Path = REPO_ROOT) -> Alignment:
    """Each objective (1-based) must be exercised (a reflection or an activity cell lists it) and
    assessed (a knowledge-check question or a graded assignment cell lists it)."""
    import yaml

    n = len(unit.objectives)
    exercised, assessed = set(), set()
    content = yaml.safe_load((root / "hesj" / "content" / f"{unit.id}.yml").read_text(encoding="utf-8"))
    for r in content.get("reflections", []):
        exercised.update(r.get("objectives", []))
    for check in content.get("checks", []):
        for q in check.get("questions", []):
            assessed.update(q.get("objectives", []))
    nb = json.loads((root / unit.notebook).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exercised.update(cell.get("metadata", {}).get("hesj", {}).get("objectives", []))
    folder = root / unit.assignment
    for path in folder.glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            meta = cell.get("metadata", {})
            if meta.get("nbgrader", {}).get("grade") or meta.get("nbgrader", {}).get("task"):
                assessed.update(meta.get("hesj", {}).get("objectives", []))
    everything = set(range(1, n + 1))
    return Alignment(unit.id, sorted(everything - exercised), sorted(everything - assessed))
