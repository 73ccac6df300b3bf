"""Completion mode and rubric mode, as nbgrader preprocessors.

Conventions for source assignments (see assignments/README.md):

* a reflection is a Markdown *manually graded answer* cell whose grade_id
  starts with ``reflection-``; its minimum word count is
  ``metadata.hesj.min_words`` in the source notebook (default 40);
* each rubric criterion for a reflection is a Markdown *manually graded task*
  cell with ``metadata.hesj.rubric_for`` set to the reflection's grade_id.

Completion mode (the default): criterion cells are removed when the assignment
is generated, and at autograde a reflection that meets its minimum earns its
points with no manual step (an instructor may still override the score).
Rubric mode: the reflection cell itself is worth 0 points (it stays an answer
cell, so the learner's text reaches the grader); each criterion cell is scored
by hand, and criteria judge the use of evidence and frameworks, never the
position the learner takes.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
from nbgrader import utils
from traitlets import Enum, Integer

from .config import DEFAULT_MIN_WORDS

REFLECTION_PREFIX = "reflection-"


def is_reflection(cell) -> bool:
    nbg = cell.metadata.get("nbgrader", {})
    return (cell.cell_type == "markdown" and nbg.get("solution") and nbg.get("grade")
            and str(nbg.get("grade_id", "")).startswith(REFLECTION_PREFIX))


def word_count(text: str) -> int:
    """Words in a Markdown answer (markup characters are not words)."""
    return len(re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", text))


class ApplyGradingMode(NbGraderPreprocessor):
    """At generate time: keep or drop the rubric criterion cells."""

    mode = Enum(["completion", "rubric"], default_value="completion").tag(config=True)

    def preprocess(self, nb, resources):
        cells = []
        for cell in nb.cells:
            rubric_for = cell.metadata.get("hesj", {}).get("rubric_for")
            if rubric_for and self.mode == "completion":
                continue
            if self.mode == "rubric" and is_reflection(cell):
                # nbgrader needs Markdown answers to be graded cells: keep it one,
                # worth 0 points, so the text still reaches the grader.
                cell.metadata.nbgrader["points"] = 0
            cells.append(cell)
        nb.cells = cells
        return nb, resources


class SaveCompletionGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, plus completion credit for reflections."""

    default_min_words = Integer(DEFAULT_MIN_WORDS).tag(config=True)

    def preprocess(self, nb, resources):
        self._minimums = self._source_minimums(resources)
        return super().preprocess(nb, resources)

    def _source_minimums(self, resources) -> dict[str, int]:
        """Word minimums from the instructor's source notebook (learners cannot change them)."""
        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"])) / (
            info["notebook"] + ".ipynb")
        out = {}
        if path.exists():
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                mw = cell.get("metadata", {}).get("hesj", {}).get("min_words")
                if gid and mw is not None:
                    out[gid] = int(mw)
        return out

    def _add_score(self, cell, resources):
        super()._add_score(cell, resources)
        if not is_reflection(cell):
            return
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        unchanged = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
        minimum = self._minimums.get(cell.metadata["nbgrader"]["grade_id"], self.default_min_words)
        met = not unchanged and word_count(cell.source) >= minimum
        grade.auto_score = float(cell.metadata["nbgrader"]["points"]) if met else 0.0
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
