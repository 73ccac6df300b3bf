"""Progress for a learning group: the learner sends completion events; the facilitator reads them.

The learner's side (:class:`ProgressModel`) works out completed segments in the learner's own
kernel (``hesj.completion``), shows exactly what will be sent, and sends it only when asked. The
event holds segment numbers and check counts, never any text a learner wrote.

The facilitator's side (:func:`progress_report`) reads those events and, if asked, nbgrader's
gradebook (which assignments each member submitted, and their scores). It never opens a journal,
and never reads the text of a reflection or a submission.
"""
from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field

from ..completion import Record, record_from_event, record_from_journal, record_to_event, unit_completion
from ..course import load_course
from ..display import standalone_page
from .roster import Member, csv_cell
from .share import learner_id
from .store import Group, member_events, send_event

FORMAT = "hesj-progress/1"


class ProgressModel:
    """What the learner would send, before they send it."""

    def __init__(self, group: Group, journal=None, learner: str | None = None):
        from ..journal import Journal

        self.group = group
        self.journal = journal or Journal()
        self.learner = learner or learner_id()

    def event(self) -> dict:
        return {"format": FORMAT, "group": self.group.name, "learner": self.learner,
                **record_to_event(record_from_journal(self.journal))}

    def preview(self) -> str:
        e = self.event()
        course = load_course()
        lines = [f"Group: {e['group']}", f"Your id: {e['learner']}",
                 "Segments completed (every knowledge-check question answered):"]
        if not e["segments"]:
            lines.append("  none yet")
        for unit, segs in e["segments"].items():
            u = course.unit(unit)
            lines.append(f"  {u.series} {u.number}, {u.title}: segment{'s' if len(segs) > 1 else ''} "
                         + ", ".join(map(str, segs)) + f" of {len(u.segments)}")
        for unit, c in e["checks"].items():
            lines.append(f"  {unit} knowledge checks: {c['answered']} of {c['questions']} answered, "
                         f"{c['correct']} right")
        for unit, segs in e["evaluated"].items():
            lines.append(f"  {unit} end-of-segment surveys saved (whether saved, not your answers): segments "
                         + ", ".join(map(str, segs)))
        lines.append("No text you wrote is sent.")
        return "\n".join(lines)

    def send(self) -> str:
        e = self.event()
        return send_event(self.group.progress, self.learner, e)


@dataclass
class MemberProgress:
    member: Member
    record: Record = field(default_factory=Record)
    sent_at: str = ""
    submitted: dict[str, float | None] = field(default_factory=dict)  # assignment -> score (None: not graded)


@dataclass
class ProgressReport:
    group: str
    rows: list[MemberProgress]
    units: list
    skipped: list[str]

    def table(self) -> list[dict]:
        out = []
        for r in self.rows:
            row = {"id": r.member.id, "name": r.member.name, "division": r.member.division,
                   "role": r.member.role, "last sent": r.sent_at or "never"}
            for u in self.units:
                c = unit_completion(r.record, u)
                row[f"{u.id} segments"] = f"{c.segments_done}/{c.segments}"
                row[f"{u.id} complete"] = "yes" if c.complete else "no"
                if u.id in r.submitted:
                    s = r.submitted[u.id]
                    row[f"{u.id} assignment"] = "submitted" if s is None else f"submitted, score {s:g}"
                else:
                    row[f"{u.id} assignment"] = ""
            out.append(row)
        return out

    def to_csv(self) -> str:
        rows = self.table()
        buf = io.StringIO()
        if rows:
            w = csv.writer(buf)
            w.writerow(list(rows[0]))
            for r in rows:
                w.writerow([csv_cell(v) for v in r.values()])
        return buf.getvalue()

    def to_html(self) -> str:
        esc = lambda s: html.escape(str(s), quote=True)  # noqa: E731
        rows = self.table()
        head = "".join(f'<th scope="col">{esc(k)}</th>' for k in (rows[0] if rows else {"id": 0}))
        body = "".join("<tr>" + "".join((f'<th scope="row">{esc(v)}</th>' if i == 0 else f"<td>{esc(v)}</td>")
                                        for i, v in enumerate(r.values())) + "</tr>" for r in rows)
        notes = "".join(f"<li>{esc(s)}</li>" for s in self.skipped)
        title = f"Progress: {self.group}"
        return standalone_page(title, (
            f"<h1>{esc(title)}</h1><p>Segments count as completed when the member answered every "
            "knowledge-check question in them, as the member last chose to send. A unit is complete when "
            "every segment is done, at least 80% of its knowledge-check questions are right and its "
            "end-of-segment surveys are saved. Assignments come from the gradebook. No reflection text "
            "is read.</p>"
            f"<table><caption>{esc(title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            + (f"<h2>Files not used</h2><ul>{notes}</ul>" if notes else "")), "body{max-width:none}")


def progress_report(group: Group, *, gradebook_url: str | None = None) -> ProgressReport:
    members = group.members()
    by_id = {m.id: MemberProgress(m) for m in members}
    course = load_course()
    units = list(course.complete_units)
    valid = {u.id: {s.id for s in u.segments} for u in units}
    events, skipped = member_events(group.progress, by_id, FORMAT, "a progress event")
    newest: dict[str, dict] = {}
    for mid, e in events:  # in the order sent: the newest well-formed one counts
        try:
            segs = {u: sorted({int(s) for s in v if int(s) in valid[u]})
                    for u, v in (e.get("segments") or {}).items() if u in valid}
            evaluated = {u: sorted({int(s) for s in v if int(s) in valid[u]})
                         for u, v in (e.get("evaluated") or {}).items() if u in valid}
            checks = {u: {k: int(c.get(k, 0)) for k in ("questions", "answered", "correct")}
                      for u, c in (e.get("checks") or {}).items() if u in valid and isinstance(c, dict)}
        except (TypeError, ValueError, AttributeError):
            skipped.append(f"{e['_file']}: malformed")
            continue
        newest[mid] = {"segments": segs, "checks": checks, "evaluated": evaluated,
                       "sent_at": str(e.get("sent_at", ""))[:32]}
    for mid, e in newest.items():
        r = by_id[mid]
        r.record, r.sent_at = record_from_event(e), e["sent_at"]
    if gradebook_url:
        _add_gradebook(by_id, gradebook_url)
    return ProgressReport(group.name, list(by_id.values()), units, skipped)


def _add_gradebook(by_id: dict[str, MemberProgress], db_url: str) -> None:
    """Which assignments each member submitted, and the total score once graded (no answer text)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        for a in gb.assignments:
            for mid, r in by_id.items():
                try:
                    sub = gb.find_submission(a.name, mid)
                except MissingEntry:
                    continue
                graded = all(n.needs_manual_grade is False for n in sub.notebooks)
                r.submitted[a.name] = float(sub.score) if graded else None
