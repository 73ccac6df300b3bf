"""Submissions for grading tests and benchmarks: good ones, broken ones, hostile ones.

Each maker takes the learners' release notebook (and the instructor's solutions where it
needs them) and returns what a learner would hand in. ``hostile_batch`` is the batch the
grading issue lists.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

from hesj.grading.modes import ApplyGradingMode

REFLECTION = ("In my team the weekly huddle is where decisions really happen, and it is run by supervisors only. "
              "That tells me we value speed and hierarchy more than shared planning, even though our plan names "
              "community voice. I think the unspoken assumption is that residents would slow us down, so we never "
              "ask them. Sharing the agenda with partners a week ahead is one change we could make.")
GOOD_ANSWER = 'staff["share"] = staff["trained"] / staff["staff"]\nlowest = "Administration"'


def grade_id(cell) -> str:
    return str(cell.metadata.get("nbgrader", {}).get("grade_id", ""))


def answer_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]


def code_answer(nb):
    return next(c for c in answer_cells(nb) if c.cell_type == "code")


def solutions(source_path: Path, mode: str = "completion"):
    nb, _ = ApplyGradingMode(mode=mode).preprocess(nbformat.read(source_path, as_version=4), {})
    return nb


def perfect(release):
    nb = copy.deepcopy(release)
    for cell in answer_cells(nb):
        cell.source = REFLECTION if cell.cell_type == "markdown" else GOOD_ANSWER
    return nb


def with_code(release, code: str):
    """A complete submission whose code answer runs ``code`` first (the hostile attempts)."""
    nb = perfect(release)
    code_answer(nb).source = code + "\n" + GOOD_ANSWER
    return nb


def duplicated_answer(release):
    nb = perfect(release)
    cell = code_answer(nb)
    twin = copy.deepcopy(cell)
    twin.source = "# the learner pasted the answer cell twice\n" + GOOD_ANSWER
    twin.pop("id", None)
    nb.cells.insert(nb.cells.index(cell) + 1, nbformat.v4.new_code_cell(twin.source, metadata=twin.metadata))
    return nb


def deleted_answer(release):
    nb = perfect(release)
    nb.cells.remove(code_answer(nb))
    return nb


def edited_tests(release):
    nb = perfect(release)
    for cell in nb.cells:
        if grade_id(cell) == "data-tests":
            cell.source = "pass  # the learner emptied the test cell"
    code_answer(nb).source = "staff['share'] = 0.5\nlowest = 'nobody'"
    return nb


def gutted_tests(release):
    """The test cell's metadata is stripped so it no longer looks like a test."""
    nb = edited_tests(release)
    for cell in nb.cells:
        if grade_id(cell) == "data-tests":
            cell.metadata = {}
    return nb


def infinite_loop(release):
    return with_code(release, "while True:\n    pass")


def stubborn_loop(release):
    """Ignores the interrupt that a cell timeout sends."""
    return with_code(release, "while True:\n    try:\n        sum(range(10**6))\n    except KeyboardInterrupt:\n        pass")


def floods_output(release, lines: int = 200_000):
    return with_code(release, f"for i in range({lines}):\n    print('line', i)")


def big_output(release, megabytes: int = 50):
    nb = perfect(release)
    code_answer(nb).outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (megabytes * 1024 * 1024))]
    code_answer(nb).execution_count = 1
    return nb


ATTEMPTS = {
    # what the code tries to do -> the code
    "read-gradebook": "open({gradebook!r}, 'rb').read()",
    "read-source": "open({source!r}).read()",
    "read-other-learner": "open({other!r}).read()",
    "write-outside": "open({outside!r}, 'w').write('x')",
    "exhaust-memory": "hog = []\nwhile True:\n    hog.append(bytearray(50 * 1024 * 1024))",
    "fork-bomb": ("import os, time\nkids = []\nfor i in range(500):\n    pid = os.fork()\n"
                  "    if pid == 0:\n        time.sleep(60)\n        os._exit(0)\n    kids.append(pid)"),
    "write-system": "open('/etc/hesj-was-here', 'w').write('x')",
    "read-instructor-home": "import os\nprint(os.listdir(os.path.expanduser('~root')))",
    "huge-file": "open('big.bin', 'wb').write(b'0' * (200 * 1024 * 1024))",
}


def attempt(release, kind: str, **paths):
    return with_code(release, ATTEMPTS[kind].format(**paths))


def write(root: Path, student: str, assignment: str, nb=None, *, raw: bytes | None = None,
          name: str | None = None) -> Path:
    """Put a submission where nbgrader's collect step would: submitted/STUDENT/ASSIGNMENT/."""
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or f"{assignment}.ipynb")
    if raw is not None:
        target.write_bytes(raw)
    else:
        target.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    (folder / "timestamp.txt").write_text("2026-11-25 12:00:00.000000 UTC")
    return target
