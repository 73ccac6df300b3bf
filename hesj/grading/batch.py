"""Autograde a whole batch: every submission checked, graded (in parallel if asked) and reported.

For each learner: :func:`hesj.grading.intake.prepare` first, then nbgrader's own autograde
(learners' code in :mod:`hesj.grading.sandbox`), then a look at the graded notebook for
what the sandbox stopped (time, memory, processes, file size, files it may not read or
write) and for truncated output. One learner's broken or hostile submission never stops
the others. Parallel workers each grade in their own process with their own sandbox
account; the gradebook is written in short transactions, with a wait for the lock on SQLite.
"""
from __future__ import annotations

import copy
import json
import multiprocessing
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .intake import Finding, prepare
from .sandbox import cleanup, isolation

RUNTIME = [
    # (ename or text pattern, kind, what to tell the instructor)
    (r"CellTimeoutError|KeyboardInterrupt", "timeout", "a cell ran past the time limit and was stopped"),
    (r"MemoryError", "memory-limit", "a cell used more memory than allowed and was stopped"),
    (r"PermissionError|Permission denied|Read-only file system", "blocked-file",
     "code tried to read or write a file outside its own folder and was refused"),
    (r"FileNotFoundError|No such file or directory", "missing-file",
     "code tried to open a file that is not in its own folder (graded code sees only the submission's own files)"),
    (r"File too large|Errno 27", "file-limit", "code tried to write a file larger than allowed"),
    (r"Resource temporarily unavailable|Errno 11|can't start new thread", "process-limit",
     "code tried to start more processes or threads than allowed"),
]


@dataclass
class Result:
    student: str
    score: float | None = None
    max_score: float | None = None
    graded: bool = True
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.kind != "unchanged"]

    def as_dict(self) -> dict:
        return {"student": self.student, "score": self.score, "max_score": self.max_score, "graded": self.graded,
                "findings": [f.__dict__ for f in self.findings]}


def students_with_submissions(course_root: Path, assignment: str) -> list[str]:
    folder = Path(course_root) / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir())


def _db_with_wait(db_url: str) -> str:
    """Concurrent graders on SQLite wait up to a minute for the write lock instead of failing."""
    if db_url.startswith("sqlite:") and "timeout=" not in db_url:
        return db_url + ("&" if "?" in db_url else "?") + "timeout=60"
    return db_url


def runtime_findings(notebook: Path) -> list[Finding]:
    """What the sandbox stopped, read from the graded notebook's error outputs."""
    if not notebook.exists():
        return []
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    out, seen = [], set()
    for cell in nb.get("cells", []):
        gid = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id") or "an unnamed cell"
        for o in cell.get("outputs", []):
            text = ""
            if o.get("output_type") == "error":
                text = f"{o.get('ename', '')}: {o.get('evalue', '')}"
            elif o.get("output_type") == "stream" and "... Output truncated ..." in "".join(o.get("text", "")):
                if ("output", gid) not in seen:
                    seen.add(("output", gid))
                    out.append(Finding("output-truncated", f"{gid}: printed more than the output limit; the rest was cut"))
                continue
            for pattern, kind, message in RUNTIME:
                if text and re.search(pattern, text) and (kind, gid) not in seen:
                    seen.add((kind, gid))
                    out.append(Finding(kind, f"{gid}: {message} ({text.strip()[:120]})"))
    return out


def _failure_reason(log: str) -> str:
    if "CellTimeoutError" in log:
        return "a cell ran past the time limit and did not stop when interrupted"
    if "DeadKernelError" in log or "Kernel died" in log or "kernel died" in log:
        return "the learner's kernel stopped (it reached the CPU-time limit or crashed)"
    errors = [line.strip() for line in log.splitlines() if re.match(r"\s*\w+(\.\w+)*(Error|Exception):", line)]
    return errors[-1][:200] if errors else "nbgrader could not grade it (see the log)"


def grade_one(cfg, assignment: str, student: str) -> Result:
    """Intake, autograde and runtime findings for one learner. Never raises for a bad submission."""
    from nbgrader.apps import NbGraderAPI

    cfg = copy.deepcopy(cfg)
    root = Path(cfg.CourseDirectory.root)
    db_url = _db_with_wait(cfg.CourseDirectory.db_url)
    cfg.CourseDirectory.db_url = db_url
    with Gradebook(db_url) as gb:
        notebooks = [n.name for n in gb.find_assignment(assignment).notebooks]
    result = Result(student)
    for name in notebooks:
        for f in prepare(root, assignment, student, name):
            result.findings.append(f)
            result.graded = result.graded and f.graded
    api = NbGraderAPI(config=cfg)
    if not result.graded and not any((root / "submitted" / student / assignment / f"{n}.ipynb").exists()
                                     for n in notebooks):
        # nothing nbgrader can open: record zeros (keeping any score a grader gave) so the gradebook stays whole
        _record_zero(db_url, assignment, student)
        outcome = {"success": True}
    else:
        outcome = api.autograde(assignment, student, force=True, create=True)
    if not outcome["success"]:
        result.graded = False
        result.findings.append(Finding("not-graded", _failure_reason(outcome.get("log", "") + outcome.get("error", "")),
                                       graded=False))
    for name in notebooks:
        result.findings += runtime_findings(root / "autograded" / student / assignment / f"{name}.ipynb")
    try:
        with Gradebook(db_url) as gb:
            sub = gb.find_submission(assignment, student)
            result.score, result.max_score = sub.score, sub.max_score
    except MissingEntry:
        pass
    return result


def _record_zero(db_url: str, assignment: str, student: str) -> None:
    with Gradebook(db_url) as gb:
        gb.update_or_create_student(student)
        sub = gb.update_or_create_submission(assignment, student)
        for nb in sub.notebooks:
            for grade in nb.grades:
                grade.auto_score = 0.0
                grade.needs_manual_grade = grade.manual_score is not None
        gb.db.commit()


_cfg = None


def _init_worker(slots, cfg):
    global _cfg
    os.environ["HESJ_SANDBOX_SLOT"] = str(slots.get())
    _cfg = cfg


def _grade_in_worker(assignment, student):
    try:
        return grade_one(_cfg, assignment, student)
    finally:
        cleanup()


def autograde(cfg, assignment: str, students: list[str] | None = None, jobs: int = 1) -> list[Result]:
    """Autograde each learner's submission; ``jobs`` > 1 grades that many at once."""
    from .workflow import ensure_tools

    ensure_tools()
    root = Path(cfg.CourseDirectory.root)
    students = students if students is not None else students_with_submissions(root, assignment)
    if jobs > 1 and isolation() != "full":
        # parallel kernels under one account could reach each other: one at a time without root
        print("hesj grade: grading one submission at a time (parallel grading needs a separate account "
              "per worker, which needs root)", file=sys.stderr)
        jobs = 1
    if jobs <= 1 or len(students) <= 1:
        os.environ.setdefault("HESJ_SANDBOX_SLOT", "0")
        return [grade_one(cfg, assignment, s) for s in students]
    ctx = multiprocessing.get_context("spawn")
    slots = ctx.Manager().Queue()
    for i in range(jobs):
        slots.put(i + 1)
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(slots, cfg)) as pool:
        futures = [pool.submit(_grade_in_worker, assignment, s) for s in students]
        return [f.result() for f in futures]


def consistency_problems(db_url: str, assignment: str) -> list[str]:
    """Checks that the gradebook is whole: every submission has each grade once, within its bounds."""
    problems = []
    with Gradebook(db_url) as gb:
        a = gb.find_assignment(assignment)
        expected = {nb.name: sorted(c.name for c in [*nb.grade_cells, *nb.task_cells]) for nb in a.notebooks}
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                names = sorted(g.name for g in nb.grades)
                if names != expected.get(nb.name):
                    problems.append(f"{sub.student.id}/{nb.name}: grades {names} instead of {expected.get(nb.name)}")
                for g in nb.grades:
                    for label, value in (("auto", g.auto_score), ("manual", g.manual_score)):
                        if value is not None and not 0 <= value <= g.max_score:
                            problems.append(f"{sub.student.id}/{g.name}: {label} score {value} outside 0..{g.max_score}")
            if sub.score > sub.max_score + 1e-9:
                problems.append(f"{sub.student.id}: total {sub.score} above {sub.max_score}")
    return problems


def format_report(results: list[Result]) -> str:
    notes = {"full": " (a separate account; course files, gradebook and other learners' work out of sight)",
             "private": " (your own account, with your home, the course files and the gradebook out of sight)",
             "limits": " (resource limits and a private folder only: this system does not allow namespaces)"}
    lines = [f"Learner code ran with isolation: {isolation()}{notes[isolation()]}"]
    for r in results:
        score = "not graded" if r.score is None else f"{r.score:g} / {r.max_score:g}"
        mark = "OK " if r.graded and not r.problems else ("!! " if not r.graded else "?  ")
        lines.append(f"{mark}{r.student}: {score}")
        for f in r.findings:
            lines.append(f"     - {f.kind}: {f.message}")
    bad = [r.student for r in results if not r.graded]
    lines.append(f"{len(results)} submissions; {len(results) - len(bad)} graded"
                 + (f"; not graded as handed in: {', '.join(bad)}" if bad else ""))
    return "\n".join(lines)
