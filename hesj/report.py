"""``hesj report``: what the course achieved, for leadership, with no free text and no small groups.

Built from one or more learning groups: the roster (division and role), the progress events and
the evaluation ratings members chose to send. Completion uses the course's one rule
(``hesj.completion.unit_completion``). Any group of fewer than :data:`MIN_CELL` learners is
suppressed; when one group alone in a table would be suppressed next to a total, the next smallest
is suppressed too, so the hidden figure cannot be worked out by subtraction. Nothing a learner wrote
appears: only counts and mean ratings.
"""
from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from statistics import mean

from .completion import unit_completion
from .course import load_course
from .display import standalone_page
from .errors import InputError
from .groups.progress import progress_report
from .groups.roster import csv_cell
from .groups.store import Group, member_events

MIN_CELL = 5
SUPPRESSED = "suppressed (fewer than 5)"


@dataclass
class Row:
    table: str
    dimension: str
    group: str
    n: int
    values: dict  # measure -> number, or SUPPRESSED


def _evaluations(group: Group, members: set[str]) -> dict[str, dict]:
    """Each member's newest evaluation event (files that are not one are left out)."""
    events, _ = member_events(group.folder / "evaluation", members, "hesj-evaluation/1", "an evaluation event")
    return dict(events)  # in the order sent, so the newest wins


def _rating(v) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5 else None


def build_report(groups: list[Group]) -> list[Row]:
    from .evaluation import items

    course = load_course()
    units = list(course.complete_units)
    people: dict[str, dict] = {}
    for g in groups:
        rep = progress_report(g)
        evals = _evaluations(g, {m.id for m in g.members()})
        for mp in rep.rows:
            people[mp.member.id] = {"division": mp.member.division or "Not given", "role": mp.member.role or "Not given",
                                    "record": mp.record, "eval": evals.get(mp.member.id)}
    if not people:
        raise InputError("The groups have no members; make them with `hesj group create`.")
    domain_of = {i["id"]: int(i["domain"]) for i in items()["confidence"]}
    rows: list[Row] = []

    def add(table: str, dimension: str, key, measures):
        groups_ = {}
        for p in people.values():
            groups_.setdefault(key(p), []).append(p)
        block = []
        for name in sorted(groups_):
            members = groups_[name]
            block.append(Row(table, dimension, name, len(members), measures(members)))
        block.append(Row(table, dimension, "All", len(people), measures(list(people.values()))))
        _suppress(block)
        rows.extend(block)

    def completion(members):
        out = {}
        for u in units:
            out[f"{u.id} complete"] = sum(unit_completion(p["record"], u).complete for p in members)
        out["any unit complete"] = sum(any(unit_completion(p["record"], u).complete for u in units) for p in members)
        return out

    def confidence(members):
        out = {}
        sent = [p["eval"] for p in members if p["eval"]]
        out["sent evaluation"] = len(sent)
        for d in sorted(set(domain_of.values())):
            for phase in ("pre", "post"):
                vals = [_rating(e.get("confidence", {}).get(phase, {}).get(i)) for e in sent
                        for i, dd in domain_of.items() if dd == d]
                vals = [v for v in vals if v is not None]
                out[f"domain {d} {phase} mean"] = round(mean(vals), 2) if vals else ""
        return out

    def reaction(members):
        out = {}
        sent = [p["eval"] for p in members if p["eval"]]
        for u in units:
            answers = [r for e in sent for r in (e.get("reaction", {}).get(u.id) or {}).values()]
            out[f"{u.id} respondents"] = sum(1 for e in sent if e.get("reaction", {}).get(u.id))
            for item in items()["reaction"]["items"]:
                vals = [v for v in (_rating(a.get(item["id"])) for a in answers) if v is not None]
                out[f"{u.id} {item['id']} mean"] = round(mean(vals), 2) if vals else ""
        return out

    add("Completion", "division", lambda p: p["division"], completion)
    add("Completion", "role", lambda p: p["role"], completion)
    add("Confidence (1 to 5)", "division", lambda p: p["division"], confidence)
    add("Confidence (1 to 5)", "role", lambda p: p["role"], confidence)
    add("End-of-segment surveys (1 to 5)", "all", lambda p: "All learners", reaction)
    # the survey table has one group: its "All" duplicate is dropped
    rows = [r for r in rows if not (r.dimension == "all" and r.group == "All")]
    _suppress_respondents(rows)
    return rows


def _suppress(block: list[Row]) -> None:
    parts = [r for r in block if r.group != "All"]
    small = [r for r in parts if r.n < MIN_CELL]
    if len(small) == 1 and len(parts) > 1:
        # secondary suppression: otherwise All minus the others reveals the one hidden group
        small.append(min((r for r in parts if all(r is not s for s in small)), key=lambda r: r.n))
    for r in small:
        r.values = {k: SUPPRESSED for k in r.values}
    total = next((r for r in block if r.group == "All"), None)
    if total is not None and total.n < MIN_CELL:
        total.values = {k: SUPPRESSED for k in total.values}


def _suppress_respondents(rows: list[Row]) -> None:
    """A mean of fewer than five people's ratings is hidden too, even inside a large group."""
    for r in rows:
        if r.table.startswith("Confidence") and r.values.get("sent evaluation") != SUPPRESSED \
                and isinstance(r.values.get("sent evaluation"), int) and r.values["sent evaluation"] < MIN_CELL:
            r.values = {k: (v if k == "sent evaluation" else SUPPRESSED) for k, v in r.values.items()}
        if r.table.startswith("End-of-segment"):
            for k in list(r.values):
                if k.endswith("respondents"):
                    unit = k.split()[0]
                    if isinstance(r.values[k], int) and r.values[k] < MIN_CELL:
                        for kk in list(r.values):
                            if kk.startswith(unit + " ") and kk.endswith("mean"):
                                r.values[kk] = SUPPRESSED


def to_csv(rows: list[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["table", "dimension", "group", "learners", "measure", "value"])
    for r in rows:
        n = r.n if r.n >= MIN_CELL else SUPPRESSED
        for k, v in r.values.items():
            w.writerow([csv_cell(r.table), r.dimension, csv_cell(r.group), n, k, v])
    return buf.getvalue()


def to_html(rows: list[Row], title: str = "Course report") -> str:
    e = lambda s: html.escape(str(s), quote=True)  # noqa: E731
    parts = [f"<h1>{e(title)}</h1>",
             "<p>Counts of learners and mean ratings only; no text that any learner wrote. Any group of fewer "
             f"than {MIN_CELL} learners, and any mean of fewer than {MIN_CELL} people's ratings, is suppressed. "
             "A unit counts as complete under the course's rule: every segment's knowledge checks answered, at "
             "least 80% right, and every end-of-segment survey saved, as each learner last chose to send.</p>"]
    seen = []
    for key in dict.fromkeys((r.table, r.dimension) for r in rows):
        block = [r for r in rows if (r.table, r.dimension) == key]
        measures = list(block[0].values)
        head = "".join(f'<th scope="col">{e(m)}</th>' for m in measures)
        body = "".join(f'<tr><th scope="row">{e(r.group)}</th>'
                       f'<td>{r.n if r.n >= MIN_CELL else e(SUPPRESSED)}</td>'
                       + "".join(f"<td>{e(v)}</td>" for v in r.values.values()) + "</tr>" for r in block)
        caption = f"{key[0]}, by {key[1]}" if key[1] != "all" else key[0]
        if key[0] not in seen:
            parts.append(f"<h2>{e(key[0])}</h2>")
            seen.append(key[0])
        parts.append(f'<table><caption>{e(caption)}</caption><thead><tr><th scope="col">{e(key[1].title())}</th>'
                     f'<th scope="col">Learners</th>{head}</tr></thead><tbody>{body}</tbody></table>')
    return standalone_page(title, "\n".join(parts), "body{max-width:none}")
