"""Look at each submission before nbgrader does, repair what can be repaired, report the rest.

nbgrader stops on some broken notebooks (a cell's grade_id twice) and quietly scores
others (a deleted or stripped test cell). Before autograde, :func:`prepare` checks one
learner's submission against the learners' release and:

* a notebook handed in under another file name is copied to the expected name;
* a notebook that is not valid JSON, or too large, is moved aside (and scores 0 until the
  learner hands in a new one);
* a cell whose grade_id appears twice keeps the first; later copies become ordinary cells;
* a locked cell (instructions, tests) that was deleted or stripped of its metadata is put
  back from the release; a deleted answer cell is put back blank (that part scores 0);
* an edited locked or test cell is reported (nbgrader restores the original at autograde).

The learner's own file is never lost: before any change it is kept in
``intake/STUDENT/ASSIGNMENT/`` in the course folder. Every change is a :class:`Finding`.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

MAX_MB = 100      # larger notebooks are set aside, not opened
NOTE_MB = 10      # above this, the report says the outputs were large (nbgrader clears them)


@dataclass
class Finding:
    kind: str          # missing, wrong-name, invalid, too-large, duplicate-cell, deleted-answer,
                       # restored-cell, edited-locked, unchanged, large-output, and run-time kinds
    message: str
    graded: bool = True  # False: the submission could not be graded as handed in


def _grade_id(cell) -> str | None:
    nbg = cell.get("metadata", {}).get("nbgrader") or {}
    return nbg.get("grade_id") if isinstance(nbg, dict) else None


def _keep_original(course_root: Path, student: str, assignment: str, path: Path) -> Path:
    target = course_root / "intake" / student / assignment / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():  # the first copy is the learner's own
        shutil.copy2(path, target)
    return target


def prepare(course_root: Path, assignment: str, student: str, notebook: str) -> list[Finding]:
    """Check and repair ``submitted/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb``; return what was found."""
    course_root = Path(course_root)
    folder = course_root / "submitted" / student / assignment
    expected = folder / f"{notebook}.ipynb"
    release_path = course_root / "release" / assignment / f"{notebook}.ipynb"
    findings: list[Finding] = []

    if not folder.is_dir():
        return [Finding("missing", "nothing was submitted", graded=False)]
    if not expected.exists():
        others = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
        if len(others) == 1:
            shutil.copy2(others[0], expected)
            findings.append(Finding("wrong-name", f"handed in as {others[0].name!r}; graded as {expected.name!r}"))
        else:
            names = ", ".join(repr(p.name) for p in others) or "no notebook at all"
            return [Finding("missing", f"no {expected.name!r} in the submission ({names})", graded=False)]

    size_mb = expected.stat().st_size / 1024 / 1024
    if size_mb > MAX_MB:
        kept = _keep_original(course_root, student, assignment, expected)
        expected.unlink()
        return findings + [Finding("too-large", f"the notebook is {size_mb:.0f} MB (the limit is {MAX_MB} MB); "
                                   f"it was set aside at {kept.relative_to(course_root)}", graded=False)]
    try:
        raw = json.loads(expected.read_text(encoding="utf-8"))
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        kept = _keep_original(course_root, student, assignment, expected)
        expected.unlink()
        detail = str(exc).splitlines()[0][:160]
        return findings + [Finding("invalid", f"not a valid notebook ({type(exc).__name__}: {detail}); "
                                   f"it was set aside at {kept.relative_to(course_root)}", graded=False)]
    if size_mb > NOTE_MB:
        findings.append(Finding("large-output", f"the notebook is {size_mb:.0f} MB, mostly outputs; "
                                "outputs are cleared before grading"))

    release = nbformat.read(release_path, as_version=4)
    changed = False

    # a grade_id twice: the first copy is graded, later copies become ordinary cells
    seen: set[str] = set()
    for cell in nb.cells:
        gid = _grade_id(cell)
        if gid is None:
            continue
        if gid in seen:
            cell.metadata.pop("nbgrader", None)
            changed = True
            findings.append(Finding("duplicate-cell", f"cell {gid!r} appears more than once; the first copy was graded"))
        seen.add(gid)

    # cells of the release that are gone (deleted, or their metadata stripped)
    present = {_grade_id(c): c for c in nb.cells if _grade_id(c)}
    position = 0
    for rcell in release.cells:
        gid = _grade_id(rcell)
        if gid is None:
            continue
        if gid in present:
            position = nb.cells.index(present[gid]) + 1
            cell = present[gid]
            nbg = rcell.metadata.nbgrader
            if nbg.get("locked") and not nbg.get("solution") and cell.source != rcell.source:
                what = "test cell" if nbg.get("grade") else "locked cell"
                findings.append(Finding("edited-locked", f"the {what} {gid!r} was edited; the original was used"))
            continue
        restored = nbformat.from_dict(json.loads(json.dumps(rcell)))
        nb.cells.insert(position, restored)
        position += 1
        changed = True
        if rcell.metadata.nbgrader.get("solution"):
            findings.append(Finding("deleted-answer", f"the answer cell {gid!r} was deleted; it scores 0"))
        else:
            findings.append(Finding("restored-cell", f"the cell {gid!r} was deleted or its metadata removed; "
                                    "it was put back from the release"))

    answers = [c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("solution")]
    blank = {_grade_id(c): c.source for c in release.cells if (c.metadata.get("nbgrader") or {}).get("solution")}
    if answers and all(blank.get(_grade_id(c)) == c.source for c in answers):
        findings.append(Finding("unchanged", "no answer was changed from the release"))

    if changed:
        _keep_original(course_root, student, assignment, expected)
        nbformat.write(nb, expected)
    return findings
