"""The instructor's grading steps, each a thin call into nbgrader's Python API.

``hesj grade`` (see cli.py) calls these. Each returns what happened and raises
:class:`GradingError` with a message that says what to fix when a step failed,
so the command exits non-zero (nbgrader's own ``validate`` exits 0 either way).
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError


class GradingError(InputError):
    """A grading step failed; the message names the assignment, learner or file."""


def ensure_tools() -> None:
    """nbgrader runs `alembic` from PATH: make the course environment's scripts findable."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def load_config(course_root: Path | str):
    """The course's own nbgrader_config.py (written by `hesj setup-course`), as a Config."""
    from traitlets.config.loader import PyFileConfigLoader

    course_root = Path(course_root)
    path = course_root / "nbgrader_config.py"
    if not path.exists():
        raise GradingError(f"No nbgrader_config.py in {course_root}. Run `hesj setup-course` first "
                           "(or pass --course to the folder that has one).")
    return PyFileConfigLoader(path.name, str(course_root)).load_config()


def _api(cfg):
    from nbgrader.apps import NbGraderAPI

    ensure_tools()
    return NbGraderAPI(config=cfg)


def _ok(result: dict, what: str) -> dict:
    if not result.get("success"):
        log = (result.get("log") or "") + (result.get("error") or "")
        errors = [line.strip() for line in log.splitlines() if "ERROR" in line or "Error" in line]
        raise GradingError(f"{what} failed: " + ("; ".join(errors[-3:]) or "see nbgrader's log"))
    return result


def source_assignments(cfg) -> list[str]:
    src = Path(cfg.CourseDirectory.source_directory)
    return sorted(p.name for p in src.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))) if src.is_dir() else []


# ---- check -------------------------------------------------------------------------------

@dataclass
class Problem:
    assignment: str
    message: str


def check(cfg, assignments: list[str] | None = None) -> list[Problem]:
    """Check source assignments before release: conventions, solutions pass, the blank release fails."""
    import json

    import nbformat
    from nbgrader.validator import Validator
    from traitlets.config import Config

    from .modes import REFLECTION_PREFIX

    problems: list[Problem] = []
    names = assignments or source_assignments(cfg)
    if not names:
        return [Problem("-", f"no source assignments in {cfg.CourseDirectory.source_directory}")]
    for name in names:
        folder = Path(cfg.CourseDirectory.source_directory) / name
        notebooks = sorted(folder.glob("*.ipynb"))
        if not notebooks:
            problems.append(Problem(name, f"no notebook in {folder}"))
            continue
        for path in notebooks:
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception as exc:  # noqa: BLE001 - any unreadable notebook is a problem to report
                problems.append(Problem(name, f"{path.name} cannot be read: {exc}"))
                continue
            ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
            ids = [i for i in ids if i]
            for dup in sorted({i for i in ids if ids.count(i) > 1}):
                problems.append(Problem(name, f"{path.name}: grade_id {dup!r} is used more than once"))
            reflections = set()
            for cell in nb.cells:
                nbg, meta = cell.metadata.get("nbgrader", {}), cell.metadata.get("hesj", {})
                gid = nbg.get("grade_id", "")
                if str(gid).startswith(REFLECTION_PREFIX) and nbg.get("solution"):
                    reflections.add(gid)
                    if cell.cell_type != "markdown" or not nbg.get("grade"):
                        problems.append(Problem(name, f"{path.name}: reflection {gid!r} must be a Markdown "
                                                      "manually graded answer cell"))
                    if "### BEGIN SOLUTION" not in cell.source:
                        problems.append(Problem(name, f"{path.name}: reflection {gid!r} has no exemplar answer "
                                                      "(### BEGIN SOLUTION)"))
            for cell in nb.cells:
                target = cell.metadata.get("hesj", {}).get("rubric_for")
                if target is None:
                    continue
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if target not in reflections:
                    problems.append(Problem(name, f"{path.name}: rubric criterion {gid!r} is for {target!r}, "
                                                  "which is not a reflection in this notebook"))
                if not cell.metadata.get("nbgrader", {}).get("task"):
                    problems.append(Problem(name, f"{path.name}: rubric criterion {gid!r} must be a manually graded task cell"))
                if "### BEGIN MARK SCHEME" not in cell.source:
                    problems.append(Problem(name, f"{path.name}: rubric criterion {gid!r} has no mark scheme"))
            if Validator(config=cfg).validate(str(path)):
                problems.append(Problem(name, f"{path.name}: the instructor's solutions do not pass their own tests"))
        # generate in scratch courses, in both grading modes: nbgrader's own metadata checks, nothing
        # for instructors' eyes only in the learners' version, and (completion mode, where every graded
        # cell carries points) the blank release must fail every test
        for mode in ("completion", "rubric"):
            with tempfile.TemporaryDirectory() as tmp:
                scratch = Config(json.loads(json.dumps(cfg)))
                scratch.CourseDirectory.root = tmp
                scratch.CourseDirectory.db_url = f"sqlite:///{Path(tmp) / 'check.db'}"
                scratch.ApplyGradingMode.mode = mode
                result = _api(scratch).generate_assignment(name)
                if not result["success"]:
                    problems.append(Problem(name, f"nbgrader cannot generate it ({mode} mode): " + _ok_message(result)))
                    continue
                for path in sorted((Path(tmp) / "release" / name).glob("*.ipynb")):
                    if mode == "completion" and Validator(config=scratch, invert=True).validate(str(path)) != {}:
                        problems.append(Problem(name, f"{path.name}: the blank release passes a test; "
                                                      "some test does not check the learner's answer"))
                    text = path.read_text(encoding="utf-8")
                    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", "Exemplar answers"):
                        if marker in text:
                            problems.append(Problem(name, f"{path.name}: the learners' version ({mode} mode) "
                                                          f"still holds {marker!r}"))
    return problems


def _ok_message(result: dict) -> str:
    try:
        _ok(result, "")
    except GradingError as exc:
        return str(exc)[len(" failed: "):]
    return ""


# ---- generate, release, collect -----------------------------------------------------------

def generate(cfg, assignment: str) -> None:
    _ok(_api(cfg).generate_assignment(assignment), f"Generating {assignment!r}")


def release(cfg, assignment: str) -> None:
    release_dir = Path(cfg.CourseDirectory.root) / "release" / assignment
    if not release_dir.is_dir():
        raise GradingError(f"{assignment!r} has not been generated yet: run `hesj grade generate {assignment}`.")
    _ok(_api(cfg).release_assignment(assignment), f"Releasing {assignment!r}")


def collect(cfg, assignment: str) -> list[str]:
    """Collect from the shared exchange; returns the learners whose submissions are now in submitted/."""
    from .batch import students_with_submissions

    _ok(_api(cfg).collect(assignment), f"Collecting {assignment!r}")
    return students_with_submissions(Path(cfg.CourseDirectory.root), assignment)


ZIP_LAYOUT = r".*/(?P<student_id>[^/]+)/(?P<file_id>[^/]+\.ipynb)$"


def collect_zip(cfg, assignment: str, archives: list[Path | str], regexp: str = ZIP_LAYOUT) -> list[str]:
    """Collect from zip files (an upload from a learning management system).

    By default each archive holds one folder per learner, named with their id, with their
    notebook inside: ``jdoe/rhi-1.ipynb``. ``regexp`` (nbgrader's ``named_regexp``) reads
    other layouts.
    """
    import json

    from nbgrader.apps import ZipCollectApp
    from traitlets.config import Config

    from .batch import students_with_submissions

    ensure_tools()
    root = Path(cfg.CourseDirectory.root)
    archive_dir = root / "downloaded" / assignment / "archive"
    archive_dir.mkdir(parents=True, exist_ok=True)
    for archive in archives:
        archive = Path(archive)
        if not archive.is_file():
            raise GradingError(f"No such file: {archive}. Give the path of the zip file you downloaded.")
        shutil.copy2(archive, archive_dir / archive.name)
    zcfg = Config(json.loads(json.dumps(cfg)))
    zcfg.FileNameCollectorPlugin.named_regexp = regexp
    zcfg.ZipCollectApp.force = True
    app = ZipCollectApp(config=zcfg, coursedir=None)
    app.initialize([assignment])
    try:
        app.start()
    except BaseException as exc:  # nbgrader exits the app on some errors
        raise GradingError(f"Collecting {assignment!r} from zip files failed: {exc}") from None
    # nbgrader needs a submission time for late penalties and feedback: without one in the
    # file names, the time of this upload is recorded
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    students = students_with_submissions(root, assignment)
    for student in students:
        stamp = root / "submitted" / student / assignment / "timestamp.txt"
        if not stamp.exists():
            stamp.write_text(now, encoding="utf-8")
    return students


# ---- what is left to do -----------------------------------------------------------------

@dataclass
class Status:
    student: str
    score: float
    max_score: float
    completed: list[str]       # items at full marks (completion mode: reflections that met the minimum)
    incomplete: list[str]      # items not at full marks
    to_grade: list[str]        # items waiting for a grader's score


def status(cfg, assignment: str) -> list[Status]:
    """Per learner: what is complete, what is not, and what still needs a grader (no learner text)."""
    from nbgrader.api import Gradebook, MissingEntry

    out = []
    with Gradebook(cfg.CourseDirectory.db_url) as gb:
        try:
            subs = gb.assignment_submissions(assignment)
        except MissingEntry:
            raise GradingError(f"No assignment {assignment!r} in the gradebook; generate it first.") from None
        for sub in sorted(subs, key=lambda s: s.student.id):
            done, not_done, todo = [], [], []
            for nb in sub.notebooks:
                for g in sorted(nb.grades, key=lambda g: g.name):
                    if g.needs_manual_grade:
                        todo.append(g.name)
                    elif g.max_score > 0 and g.score >= g.max_score:
                        done.append(g.name)
                    elif g.max_score > 0:
                        not_done.append(g.name)
            out.append(Status(sub.student.id, sub.score, sub.max_score, done, not_done, todo))
    return out


# ---- feedback and export ----------------------------------------------------------------

def feedback(cfg, assignment: str, student: str | None = None, release_to_exchange: bool = True) -> list[Path]:
    """Feedback HTML (scores per criterion, the grader's comments), released to the exchange
    for learners who submitted through it; returns every page made."""
    pending = [s.student for s in status(cfg, assignment) if s.to_grade and (student is None or s.student == student)]
    if pending:
        raise GradingError(f"Some items of {assignment!r} still need a grader's score ({', '.join(pending)}). "
                           "Score them first (`hesj grade todo`), so nobody gets a half-graded feedback page.")
    api = _api(cfg)
    _ok(api.generate_feedback(assignment, student), f"Making feedback for {assignment!r}")
    root = Path(cfg.CourseDirectory.root)
    if release_to_exchange:
        # only submissions that came through the exchange can get feedback back through it;
        # those from a zip upload are returned the way they came (the pages are in feedback/)
        for learner in sorted(p.parent.parent.name for p in root.glob(f"submitted/*/{assignment}/submission_secret.txt")):
            if student is None or learner == student:
                _ok(api.release_feedback(assignment, learner), f"Releasing feedback for {assignment!r} to {learner!r}")
    return sorted((root / "feedback").glob(f"{student or '*'}/{assignment}/*.html"))


def export(cfg, target: Path | str, assignment: str | None = None) -> Path:
    from .export import export_csv

    return export_csv(cfg.CourseDirectory.db_url, target, assignment)


def safe_id(student: str) -> str:
    """Refuse learner ids that cannot be folder names."""
    if not student or student in {".", ".."} or re.search(r"[/\\\x00]", student):
        raise GradingError(f"{student!r} cannot be a learner id: use letters, digits, '-', '_' or '.'.")
    return student
