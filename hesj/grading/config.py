"""nbgrader configuration for a course directory.

``apply(c, ...)`` fills a traitlets Config; ``write_config`` writes the
``nbgrader_config.py`` that JupyterLab's formgrader and the nbgrader command
line read. Both go through ``apply`` so they cannot drift apart.
"""
from __future__ import annotations

from pathlib import Path

from ..course import REPO_ROOT

MODES = ("completion", "rubric")
DEFAULT_MIN_WORDS = 40


def apply(c, *, root: Path | str, source: Path | str | None = None, exchange: Path | str | None = None,
          db_url: str | None = None, mode: str = "completion", course_id: str = "hesj"):
    """Configure nbgrader for a course kept in ``root``.

    source   - the source assignments (default: the repository's assignments/)
    exchange - the shared exchange folder learners submit to (default: root/../exchange)
    db_url   - the gradebook (default: SQLite in root/gradebook.db); PostgreSQL URLs work too
    mode     - "completion" (default: reflections earn points by meeting a word minimum)
               or "rubric" (each reflection is graded by hand on named criteria)
    """
    if mode not in MODES:
        raise ValueError(f"The grading mode must be one of {MODES}, not {mode!r}.")
    root = Path(root).resolve()
    c.CourseDirectory.course_id = course_id
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = str(Path(source or REPO_ROOT / "assignments").resolve())
    c.CourseDirectory.db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
    c.Exchange.root = str(Path(exchange).resolve() if exchange else root.parent / "exchange")
    c.ApplyGradingMode.mode = mode
    c.GenerateAssignment.preprocessors = [
        "hesj.grading.modes.ApplyGradingMode",
        "nbgrader.preprocessors.IncludeHeaderFooter",
        "nbgrader.preprocessors.InstantiateTests",
        "nbgrader.preprocessors.LockCells",
        "nbgrader.preprocessors.ClearSolutions",
        "nbgrader.preprocessors.ClearOutput",
        "nbgrader.preprocessors.CheckCellMetadata",
        "nbgrader.preprocessors.ComputeChecksums",
        "nbgrader.preprocessors.SaveCells",
        "nbgrader.preprocessors.ClearHiddenTests",
        "nbgrader.preprocessors.ClearMarkScheme",
        "nbgrader.preprocessors.ComputeChecksums",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    # learners' code runs in the sandbox (hesj/grading/sandbox.py), never with the grader's rights
    c.Autograde.autograde_preprocessors = [
        "hesj.grading.sandbox.SandboxExecute",
        "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor",
        "nbgrader.preprocessors.LimitOutput",
        "hesj.grading.modes.SaveCompletionGrades",
        "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    hidden = [str(root), c.Exchange.root, c.CourseDirectory.source_directory]
    if c.CourseDirectory.db_url.startswith("sqlite:///"):
        hidden.append(c.CourseDirectory.db_url[len("sqlite:///"):].split("?")[0])
    c.SandboxKernelManager.hide = hidden
    return c


def config(**kwargs):
    from traitlets.config import Config

    return apply(Config(), **kwargs)


def write_config(target: Path | str, **kwargs) -> Path:
    """Write nbgrader_config.py that applies the same settings."""
    target = Path(target)
    args = ", ".join(f"{k}={str(v)!r}" for k, v in kwargs.items() if v is not None)
    target.write_text(
        "# Written by `hesj` (hesj/grading/config.py). Re-run `hesj setup-course` to change it.\n"
        "from hesj.grading.config import apply\n\n"
        f"apply(get_config(), {args})\n",
        encoding="utf-8",
    )
    return target


# any process that reads the course's configuration (the formgrader too) refuses out-of-range scores
from .scores import install_bounds  # noqa: E402

install_bounds()
