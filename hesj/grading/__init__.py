"""The instructor's layer over nbgrader: course configuration, completion and
rubric grading modes, and a per-criterion export. One job per module."""
