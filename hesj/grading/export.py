"""A per-criterion CSV of grades (nbgrader's own export has only totals)."""
from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook

COLUMNS = ["assignment", "student_id", "notebook", "item", "score", "max_score",
           "auto_score", "manual_score", "needs_manual_grade", "comment"]


def rows(db_url: str, assignment: str | None = None) -> list[dict]:
    out = []
    with Gradebook(db_url) as gb:
        assignments = [gb.find_assignment(assignment)] if assignment else gb.assignments
        for a in assignments:
            for sub in gb.assignment_submissions(a.name):
                for nb in sub.notebooks:
                    comments = {c.name: (c.manual_comment or c.auto_comment or "") for c in nb.comments}
                    for g in sorted(nb.grades, key=lambda g: g.name):
                        out.append({
                            "assignment": a.name, "student_id": sub.student.id, "notebook": nb.name,
                            "item": g.name, "score": g.score, "max_score": g.max_score,
                            "auto_score": g.auto_score, "manual_score": g.manual_score,
                            "needs_manual_grade": g.needs_manual_grade,
                            "comment": comments.get(g.name, ""),
                        })
    return out


def export_csv(db_url: str, target: Path | str, assignment: str | None = None) -> Path:
    target = Path(target)
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows(db_url, assignment))
    return target
