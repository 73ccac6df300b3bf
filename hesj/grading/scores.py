"""Manual scores stay within 0..max, whoever enters them.

:func:`set_manual_score` is what ``hesj grade score`` calls. :func:`install_bounds` adds the
same check to nbgrader's gradebook model itself, so a score typed into the formgrader is
refused too: the course's nbgrader_config.py imports :mod:`hesj.grading.config`, which
installs it in every process that reads that configuration.
"""
from __future__ import annotations

from nbgrader.api import Gradebook, Grade, MissingEntry
from sqlalchemy import event

from ..errors import InputError

_installed = False


def check_bounds(value, max_score, item: str = "this item"):
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise InputError(f"The score for {item} must be a number from 0 to {max_score:g}, not {value!r}.") from None
    if value != value or not 0 <= value <= max_score:
        raise InputError(f"The score for {item} must be from 0 to {max_score:g}; {value:g} is outside that range. "
                         "Use extra credit for points above the maximum.")
    return value


def _on_set(target, value, oldvalue, initiator):
    cell = target.cell
    if cell is None or cell.max_score is None:
        return value
    return check_bounds(value, cell.max_score, cell.name)


def install_bounds() -> None:
    global _installed
    if not _installed:
        event.listen(Grade.manual_score, "set", _on_set, retval=True)
        _installed = True


def set_manual_score(db_url: str, assignment: str, student: str, item: str, score, comment: str | None = None,
                     notebook: str | None = None) -> float:
    """Enter a grader's score (and comment) for one rubric criterion or graded cell."""
    install_bounds()
    notebook = notebook or assignment
    with Gradebook(db_url) as gb:
        try:
            grade = gb.find_grade(item, notebook, assignment, student)
        except MissingEntry:
            raise InputError(f"There is no graded item {item!r} for {student!r} in {assignment!r}/{notebook!r}. "
                             "`hesj grade todo` lists the items that need a score.") from None
        grade.manual_score = score
        grade.needs_manual_grade = False
        if comment is not None:
            try:
                gb.find_comment(item, notebook, assignment, student).manual_comment = comment
            except MissingEntry:
                raise InputError(f"{item!r} takes no comment; put the comment on the reflection it grades.") from None
        gb.db.commit()
        return grade.manual_score
