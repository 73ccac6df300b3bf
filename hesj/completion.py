"""Which segments a learner has completed, worked out in the learner's own kernel.

A segment is complete when every knowledge-check question in it has been answered. Reflections
do not count: every reflection prompt may be skipped, and the text of a reflection is never
used to judge progress. Scores (questions right at the last attempt) are counted alongside, so a
learner can see them before choosing to send their progress to a group.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from .course import load_content, load_course


@dataclass(frozen=True)
class SegmentStatus:
    unit: str
    segment: int
    questions: int
    answered: int
    correct: int

    @property
    def done(self) -> bool:
        return self.questions > 0 and self.answered == self.questions


def segment_statuses(journal, course=None) -> list[SegmentStatus]:
    """Every published segment with how many of its check questions the journal has answers for."""
    course = course or load_course()
    answers = {}
    for e in journal.entries(kind="check"):
        try:
            answers[(e.unit, e.prompt_id)] = bool(json.loads(e.text).get("correct"))
        except (ValueError, AttributeError):
            continue  # a damaged record counts as unanswered
    out = []
    for unit in course.complete_units:
        checks = load_content(unit.id).get("checks") or []
        for seg in unit.segments:
            keys = [f"{c['id']}/{q['id']}" for c in checks if c.get("segment") == seg.id for q in c["questions"]]
            got = [answers[(unit.id, k)] for k in keys if (unit.id, k) in answers]
            out.append(SegmentStatus(unit.id, seg.id, len(keys), len(got), sum(got)))
    return out


def completed_segments(journal, course=None) -> dict[str, list[int]]:
    """{unit id: [completed segment ids]} for units with at least one completed segment."""
    out: dict[str, list[int]] = {}
    for s in segment_statuses(journal, course):
        if s.done:
            out.setdefault(s.unit, []).append(s.segment)
    return out
