"""nbgrader end to end through its Python API, on a temporary copy of the course.

(`nbgrader validate` exits 0 even when validation fails, so everything here
goes through the API and inspects results.)
"""
import csv
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.validator import Validator

from hesj.course import load_course
from hesj.grading.config import config
from hesj.grading.export import export_csv
from hesj.grading.modes import ApplyGradingMode, word_count

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
UNITS = [u.id for u in load_course().complete_units]


def make_course(tmp_path, mode):
    root = tmp_path / f"course-{mode}"
    source = root / "source"
    shutil.copytree(ROOT / "assignments", source)
    cfg = config(root=root, source=source, exchange=tmp_path / "exchange", mode=mode)
    cfg.Execute.timeout = 120
    api = NbGraderAPI(config=cfg)
    return root, cfg, api


def ok(result):
    assert result["success"], result.get("log", "") + result.get("error", "")
    return result


def submit(root, student, assignment, nb):
    target = root / "submitted" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target / f"{assignment}.ipynb")
    (target / "timestamp.txt").write_text("2026-11-25 12:00:00.000000 UTC")


def reflections(nb):
    return [c for c in nb.cells if str(c.metadata.get("nbgrader", {}).get("grade_id", "")).startswith("reflection-")
            and c.metadata["nbgrader"].get("solution")]


def total(gb, assignment, student):
    return gb.find_submission(assignment, student).score, gb.find_assignment(assignment).max_score


LEARNER_TEXT = ("In my team the weekly huddle is where decisions really happen, and it is run by supervisors only. "
                "That tells me we value speed and hierarchy more than shared planning, even though our plan names "
                "community voice. I think the unspoken assumption is that residents would slow us down. UNIQUE-LEARNER-PHRASE "
                "is how I will find this answer again.")


def long_enough(text, source_nb, grade_id):
    """The learner's text, repeated until it meets the reflection's word minimum in the source."""
    cell = next(c for c in source_nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    minimum = cell.metadata.get("hesj", {}).get("min_words", 40)
    out = text
    while word_count(out) < minimum:
        out += " " + text
    return out


def solution_of(source_nb, grade_id):
    cell = next(c for c in source_nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S).group(1)


@pytest.mark.parametrize("unit", UNITS)
def test_completion_mode_end_to_end(tmp_path, unit):
    root, cfg, api = make_course(tmp_path, "completion")
    ok(api.generate_assignment(unit))
    release = root / "release" / unit / f"{unit}.ipynb"
    released = release.read_text()

    # the learners' version holds no solution, hidden test or mark scheme, and no rubric-only cells
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "MARK SCHEME", "rubric_for"):
        assert marker not in released, marker
    src_nb = nbformat.read(root / "source" / unit / f"{unit}.ipynb", as_version=4)
    for cell in src_nb.cells:
        for block in re.findall(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END", cell.source, re.S):
            for line in block.strip().splitlines():
                if len(line.strip()) > 25:
                    assert line.strip() not in released, f"solution or hidden test text leaked: {line}"

    # the blank release fails its tests: validate --invert passes
    v = Validator(config=cfg, invert=True)
    assert v.validate(str(release)) == {}, "the blank release passes a test"
    # and the instructor's solutions pass validate
    assert Validator(config=cfg).validate(str(root / "source" / unit / f"{unit}.ipynb")) == {}

    blank = nbformat.read(release, as_version=4)
    submit(root, "blank", unit, blank)
    # the instructor's solutions, as this grading mode lays the notebook out
    solutions, _ = ApplyGradingMode(mode="completion").preprocess(nbformat.read(
        root / "source" / unit / f"{unit}.ipynb", as_version=4), {})
    submit(root, "solutions", unit, solutions)
    learner = nbformat.read(release, as_version=4)
    cells = reflections(learner)
    cells[0].source = long_enough(LEARNER_TEXT, src_nb, cells[0].metadata.nbgrader["grade_id"])
    cells[1].source = "Too short to count."
    for c in learner.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == "data-answer":
            c.source = solution_of(src_nb, "data-answer")  # a learner who gets the data task right
    submit(root, "learner", unit, learner)
    for student in ("blank", "solutions", "learner"):
        ok(api.autograde(unit, student))

    with Gradebook(cfg.CourseDirectory.db_url) as gb:
        score, max_score = total(gb, unit, "solutions")
        assert max_score > 0 and score == max_score, "the instructor's solutions do not earn full marks"
        assert total(gb, unit, "blank")[0] == 0, "the blank release earns points"
        nb_sub = gb.find_submission_notebook(unit, unit, "learner")
        grades = {g.name: g for g in nb_sub.grades}
        first, second = cells[0].metadata.nbgrader["grade_id"], cells[1].metadata.nbgrader["grade_id"]
        # a reflection that meets its minimum earns its points with no manual step
        assert grades[first].score == grades[first].max_score > 0
        assert not grades[first].needs_manual_grade
        assert grades[second].score == 0 and not grades[second].needs_manual_grade
        assert not gb.find_submission(unit, "learner").needs_manual_grade
        assert grades["data-tests"].score == grades["data-tests"].max_score

    # the learner's words reach the grader's view (the autograded notebook) and the feedback
    autograded = (root / "autograded" / "learner" / unit / f"{unit}.ipynb").read_text()
    assert "UNIQUE-LEARNER-PHRASE" in autograded
    ok(api.generate_feedback(unit, "learner"))
    feedback = (root / "feedback" / "learner" / unit / f"{unit}.html").read_text()
    assert "UNIQUE-LEARNER-PHRASE" in feedback


@pytest.mark.parametrize("unit", UNITS)
def test_rubric_mode_manual_scores_reach_feedback_and_csv(tmp_path, unit):
    root, cfg, api = make_course(tmp_path, "rubric")
    ok(api.generate_assignment(unit))
    released = nbformat.read(root / "release" / unit / f"{unit}.ipynb", as_version=4)
    criteria = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("task")]
    assert criteria, "rubric mode keeps one manually graded cell per criterion"
    assert all("MARK SCHEME" not in c.source for c in criteria)
    learner = released
    reflections(learner)[0].source = LEARNER_TEXT
    submit(root, "learner", unit, learner)
    ok(api.autograde(unit, "learner"))
    criterion = criteria[0].metadata.nbgrader["grade_id"]
    with Gradebook(cfg.CourseDirectory.db_url) as gb:
        assert gb.find_submission(unit, "learner").needs_manual_grade
        grade = gb.find_grade(criterion, unit, unit, "learner")
        assert grade.needs_manual_grade and grade.max_score > 0
        grade.manual_score = 1.5
        comment = gb.find_comment(reflections(learner)[0].metadata.nbgrader["grade_id"], unit, unit, "learner")
        comment.manual_comment = "GRADER-COMMENT: you tied the routine to two levels of culture."
        gb.db.commit()
    ok(api.generate_feedback(unit, "learner"))
    feedback = (root / "feedback" / "learner" / unit / f"{unit}.html").read_text()
    assert "GRADER-COMMENT" in feedback
    assert "1.5" in feedback
    assert "UNIQUE-LEARNER-PHRASE" in feedback
    out = export_csv(cfg.CourseDirectory.db_url, tmp_path / "grades.csv", unit)
    rows = list(csv.DictReader(out.open()))
    by_item = {r["item"]: r for r in rows}
    assert float(by_item[criterion]["manual_score"]) == 1.5
    assert float(by_item[criterion]["score"]) == 1.5
    assert any("GRADER-COMMENT" in r["comment"] for r in rows)
    assert {r["student_id"] for r in rows} == {"learner"}


def test_word_count():
    assert word_count("It's a well-known fact: **bold** _words_ count once.") == 8
    assert word_count("YOUR ANSWER HERE") == 3
