"""Progress and the course's one completion rule.

**The rule** (:func:`unit_completion`, used by the certificate, the facilitator's progress table,
``hesj report`` and every export): a unit is complete when

1. every segment is done: every knowledge-check question in it has been answered;
2. the learner's last answers to the unit's knowledge checks are at least 80% right; and
3. the evaluation is submitted: the three-question reaction survey is saved for every segment.

Reflections never count: every reflection prompt may be skipped, and the text of a reflection is
never used to judge anything. The rule reads a :class:`Record`, which is built either in the
learner's own kernel from their journal (:func:`record_from_journal`) or, on the facilitator's side,
from the progress event the learner chose to send (:func:`record_from_event`). Both carry the same
counts, so both sides reach the same answer.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .course import load_content, load_course

PASS_MARK = 0.8  # the share of a unit's knowledge-check questions answered right


@dataclass(frozen=True)
class SegmentStatus:
    unit: str
    segment: int
    questions: int
    answered: int
    correct: int
    evaluated: bool = False

    @property
    def done(self) -> bool:
        return self.questions > 0 and self.answered == self.questions


def segment_statuses(journal, course=None) -> list[SegmentStatus]:
    """Every published segment with its check answers and whether its reaction survey is saved."""
    course = course or load_course()
    answers, evaluated = {}, set()
    for e in journal.entries(kind="check"):
        try:
            answers[(e.unit, e.prompt_id)] = bool(json.loads(e.text).get("correct"))
        except (ValueError, AttributeError):
            continue  # a damaged record counts as unanswered
    for e in journal.entries(kind="evaluation"):
        if e.prompt_id.startswith("reaction/"):
            try:
                evaluated.add((e.unit, int(e.prompt_id.split("/", 1)[1])))
            except ValueError:
                continue
    out = []
    for unit in course.complete_units:
        checks = load_content(unit.id).get("checks") or []
        for seg in unit.segments:
            keys = [f"{c['id']}/{q['id']}" for c in checks if c.get("segment") == seg.id for q in c["questions"]]
            got = [answers[(unit.id, k)] for k in keys if (unit.id, k) in answers]
            out.append(SegmentStatus(unit.id, seg.id, len(keys), len(got), sum(got), (unit.id, seg.id) in evaluated))
    return out


# -- the record the rule reads ----------------------------------------------------------------------
@dataclass
class Record:
    """What the rule needs about one learner: no text, only numbers and segment ids."""
    segments: dict[str, set[int]] = field(default_factory=dict)    # unit -> segments done
    checks: dict[str, dict] = field(default_factory=dict)          # unit -> {questions, answered, correct}
    evaluated: dict[str, set[int]] = field(default_factory=dict)   # unit -> segments with a reaction survey


def record_from_journal(journal, course=None) -> Record:
    r = Record()
    for s in segment_statuses(journal, course):
        if s.done:
            r.segments.setdefault(s.unit, set()).add(s.segment)
        if s.evaluated:
            r.evaluated.setdefault(s.unit, set()).add(s.segment)
        c = r.checks.setdefault(s.unit, {"questions": 0, "answered": 0, "correct": 0})
        c["questions"] += s.questions
        c["answered"] += s.answered
        c["correct"] += s.correct
    return r


def record_from_event(event: dict) -> Record:
    """A progress event as a learner sent it (already checked by the reader)."""
    return Record(segments={u: set(v) for u, v in (event.get("segments") or {}).items()},
                  checks={u: dict(c) for u, c in (event.get("checks") or {}).items()},
                  evaluated={u: set(v) for u, v in (event.get("evaluated") or {}).items()})


def record_to_event(record: Record) -> dict:
    return {"segments": {u: sorted(v) for u, v in record.segments.items() if v},
            "checks": {u: c for u, c in record.checks.items() if c.get("answered")},
            "evaluated": {u: sorted(v) for u, v in record.evaluated.items() if v}}


@dataclass(frozen=True)
class UnitCompletion:
    unit: str
    segments_done: int
    segments: int
    score: float | None  # share right of the unit's questions (None: no questions answered)
    evaluated: int
    missing: tuple[str, ...]  # what is still needed, in plain words (empty when complete)

    @property
    def complete(self) -> bool:
        return not self.missing


def unit_completion(record: Record, unit) -> UnitCompletion:
    """THE completion rule for one unit (see the module docstring)."""
    total = len(unit.segments)
    ids = {s.id for s in unit.segments}
    done = len(record.segments.get(unit.id, set()) & ids)
    evaluated = len(record.evaluated.get(unit.id, set()) & ids)
    c = record.checks.get(unit.id) or {}
    questions = int(c.get("questions", 0))
    score = (int(c.get("correct", 0)) / questions) if questions and c.get("answered") else None
    missing = []
    if done < total:
        missing.append(f"answer every knowledge check in {total - done} more segment{'s' if total - done > 1 else ''}")
    if score is None or score < PASS_MARK:
        missing.append(f"get at least {PASS_MARK:.0%} of the knowledge-check questions right "
                       f"(now {0 if score is None else score:.0%}; you can answer again)")
    if evaluated < total:
        missing.append(f"save the three-question survey at the end of {total - evaluated} more "
                       f"segment{'s' if total - evaluated > 1 else ''}")
    return UnitCompletion(unit.id, done, total, score, evaluated, tuple(missing))


def completed_units(record: Record, course=None) -> list:
    course = course or load_course()
    return [u for u in course.complete_units if unit_completion(record, u).complete]


def unit_hours(unit) -> float:
    """Hours of study credited for one unit: its manifest minutes, to the nearest quarter hour."""
    return round(unit.minutes / 15) / 4


def hours(units) -> float:
    """Hours for several units: the sum of each unit's hours, so a certificate's rows add up to its total."""
    return sum(unit_hours(u) for u in units)
