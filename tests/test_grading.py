"""Grading that instructors can trust: a hostile batch, the sandbox, `hesj grade`, PostgreSQL.

The sandbox tests need root (a separate account and a private mount namespace); `./course test`
runs as root in CI. Elsewhere they skip, and HESJ_NO_SKIPS=1 turns a skip into a failure.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

import submissions as S
from hesj.errors import InputError
from hesj.grading import batch, workflow
from hesj.grading.config import config, write_config
from hesj.grading.scores import check_bounds, set_manual_score
from hesj.grading.sandbox import isolation

ROOT = Path(__file__).resolve().parent.parent
A = "rhi-1"
pytestmark = pytest.mark.slow
needs_root = pytest.mark.skipif(isolation() != "full", reason="the sandbox's own account needs root (CI runs as root)")


def make_course(tmp_path: Path, *, db_url: str | None = None, mode: str = "completion"):
    root = tmp_path / "course"
    source = root / "source"
    shutil.copytree(ROOT / "assignments", source)
    kwargs = dict(root=str(root), source=str(source), exchange=str(tmp_path / "exchange"), mode=mode, db_url=db_url)
    write_config(root / "nbgrader_config.py", **kwargs)
    cfg = config(**kwargs)
    cfg.Execute.timeout = 20  # generous: a loaded machine must not turn a normal cell into a timeout
    cfg.SandboxKernelManager.cpu_seconds = 30
    cfg.SandboxKernelManager.memory_mb = 1536
    workflow.generate(cfg, A)
    release = nbformat.read(root / "release" / A / f"{A}.ipynb", as_version=4)
    return root, cfg, release


def hidden_test_lines() -> list[str]:
    text = (ROOT / "assignments" / A / f"{A}.ipynb").read_text()
    src = json.loads(text)
    out = []
    for cell in src["cells"]:
        s = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if "### BEGIN HIDDEN TESTS" in s:
            block = s.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            out += [line.strip() for line in block.splitlines() if len(line.strip()) > 20]
    return out


@needs_root
def test_hostile_batch_is_graded_reported_and_contained(tmp_path):
    root, cfg, release = make_course(tmp_path)
    outside = tmp_path / "written-by-a-learner.txt"
    paths = dict(gradebook=str(root / "gradebook.db"), source=str(root / "source" / A / f"{A}.ipynb"),
                 other=str(root / "submitted" / "perfect" / A / f"{A}.ipynb"), outside=str(outside))
    S.write(root, "perfect", A, S.perfect(release))
    S.write(root, "untouched", A, release)
    S.write(root, "duplicated", A, S.duplicated_answer(release))
    S.write(root, "deleted", A, S.deleted_answer(release))
    S.write(root, "edited-tests", A, S.edited_tests(release))
    S.write(root, "gutted-tests", A, S.gutted_tests(release))
    S.write(root, "loop", A, S.infinite_loop(release))
    S.write(root, "floods", A, S.floods_output(release))
    S.write(root, "not-json", A, raw=b'{"cells": [{"cell_type": "markdown", "sour')
    S.write(root, "big-output", A, S.big_output(release, 50))
    S.write(root, "wrong-name", A, S.perfect(release), name="rhi-1 (final) copy.ipynb")
    S.write(root, "zoë-李-née", A, S.perfect(release))
    for kind in S.ATTEMPTS:
        S.write(root, f"tries-{kind}", A, S.attempt(release, kind, **paths))
    S.write(root, "tries-read-hidden-tests", A,
            S.with_code(release, "for p in ['rhi-1.ipynb', '../rhi-1.ipynb']:\n    print(open(p).read())"))

    results = {r.student: r for r in batch.autograde(cfg, A, jobs=2)}
    report = batch.format_report(list(results.values()))
    kinds = {s: {f.kind for f in r.findings} for s, r in results.items()}

    full, reflections_only = 6.0, 4.0
    expected = {"perfect": full, "untouched": 0.0, "duplicated": full, "deleted": reflections_only,
                "edited-tests": reflections_only, "gutted-tests": reflections_only, "loop": reflections_only,
                "floods": full, "not-json": 0.0, "big-output": full, "wrong-name": full, "zoë-李-née": full,
                "tries-read-hidden-tests": reflections_only}
    expected.update({f"tries-{k}": reflections_only for k in S.ATTEMPTS})
    with Gradebook(cfg.CourseDirectory.db_url) as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(A)}
        assert gb.find_assignment(A).max_score == full
    assert scores == expected, report

    # every broken or hostile submission is reported by name, with the reason
    assert kinds["untouched"] == {"unchanged"}
    assert "duplicate-cell" in kinds["duplicated"]
    assert "deleted-answer" in kinds["deleted"]
    assert "edited-locked" in kinds["edited-tests"]
    assert "restored-cell" in kinds["gutted-tests"]
    assert "timeout" in kinds["loop"]
    assert "output-truncated" in kinds["floods"]
    assert "invalid" in kinds["not-json"] and not results["not-json"].graded
    assert "large-output" in kinds["big-output"]
    assert "wrong-name" in kinds["wrong-name"]
    assert kinds["perfect"] == set() and kinds["zoë-李-née"] == set()
    # files under the course folder are not there at all in the sandbox's view; system files are refused
    for kind in ("read-gradebook", "read-source", "read-other-learner", "write-outside", "read-hidden-tests"):
        assert kinds[f"tries-{kind}"] & {"blocked-file", "missing-file"}, (kind, report)
    for kind in ("write-system", "read-instructor-home"):
        assert "blocked-file" in kinds[f"tries-{kind}"], (kind, report)
    assert not Path("/etc/hesj-was-here").exists()
    assert "memory-limit" in kinds["tries-exhaust-memory"], report
    assert "process-limit" in kinds["tries-fork-bomb"], report
    assert "file-limit" in kinds["tries-huge-file"], report
    for student in expected:
        if student not in ("perfect", "zoë-李-née"):
            assert student in report
    assert not outside.exists(), "a learner's code wrote outside its own folder"

    # no learner's code saw the hidden tests: none of their text is in any learner-run output
    secret = hidden_test_lines()
    assert secret
    for nb_path in (root / "autograded").glob(f"*/{A}/{A}.ipynb"):
        nb = json.loads(nb_path.read_text())
        for cell in nb["cells"]:
            if (cell["metadata"].get("nbgrader") or {}).get("grade_id") == "data-answer":
                shown = json.dumps(cell.get("outputs", []))
                assert not any(line in shown for line in secret), nb_path

    # the learner's own files are kept: the unreadable one and the renamed one
    assert (root / "intake" / "not-json" / A / f"{A}.ipynb").read_bytes().startswith(b'{"cells"')
    assert (root / "submitted" / "wrong-name" / A / "rhi-1 (final) copy.ipynb").exists()
    assert batch.consistency_problems(cfg.CourseDirectory.db_url, A) == []


@needs_root
def test_regrading_keeps_what_an_instructor_scored_by_hand(tmp_path):
    root, cfg, release = make_course(tmp_path)
    S.write(root, "learner", A, S.perfect(release))
    batch.autograde(cfg, A)
    set_manual_score(cfg.CourseDirectory.db_url, A, "learner", "reflection-culture", 1.5,
                     comment="HAND-COMMENT: tie it to the levels of culture.")
    # the learner hands in again, and the batch is graded again (twice)
    S.write(root, "learner", A, S.perfect(release))
    batch.autograde(cfg, A)
    batch.autograde(cfg, A, jobs=2)
    with Gradebook(cfg.CourseDirectory.db_url) as gb:
        grade = gb.find_grade("reflection-culture", A, A, "learner")
        assert grade.manual_score == 1.5 and grade.score == 1.5
        assert gb.find_comment("reflection-culture", A, A, "learner").manual_comment.startswith("HAND-COMMENT")
    assert batch.consistency_problems(cfg.CourseDirectory.db_url, A) == []


def test_manual_scores_outside_the_range_are_refused(tmp_path):
    root, cfg, release = make_course(tmp_path, mode="rubric")
    S.write(root, "learner", A, S.perfect(release))
    os.environ.setdefault("HESJ_SANDBOX_SLOT", "0")
    batch.grade_one(cfg, A, "learner")
    db = cfg.CourseDirectory.db_url
    for bad in (-1, 2.5, "lots", float("nan")):
        with pytest.raises(InputError, match="from 0 to 2"):
            set_manual_score(db, A, "learner", "reflection-culture-rubric-framework", bad)
    # the same rule holds for anything that writes the gradebook model (the formgrader does)
    with Gradebook(db) as gb:
        grade = gb.find_grade("reflection-culture-rubric-framework", A, A, "learner")
        with pytest.raises(InputError):
            grade.manual_score = 3
    assert set_manual_score(db, A, "learner", "reflection-culture-rubric-framework", 2) == 2
    assert check_bounds(None, 2) is None
    with pytest.raises(InputError, match="no graded item"):
        set_manual_score(db, A, "learner", "no-such-item", 1)


def run_cli(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hesj.cli", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def fetch_and_submit(exchange: Path, student: str, answer) -> None:
    """What a learner's `nbgrader fetch_assignment` and `submit` do, through nbgrader's exchange classes."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import ExchangeFetchAssignment, ExchangeSubmit
    from traitlets.config import Config

    home = exchange.parent / "learners" / student
    home.mkdir(parents=True, exist_ok=True)
    c = Config()
    c.Exchange.root = str(exchange)
    c.CourseDirectory.course_id = "hesj"
    c.CourseDirectory.assignment_id = A
    c.CourseDirectory.student_id = student
    c.CourseDirectory.root = str(home)
    coursedir = CourseDirectory(config=c)
    auth = Authenticator(config=c)
    old = os.getcwd()
    os.chdir(home)
    try:
        ExchangeFetchAssignment(coursedir=coursedir, authenticator=auth, config=c).start()
        path = home / A / f"{A}.ipynb"
        nbformat.write(answer(nbformat.read(path, as_version=4)), path)
        ExchangeSubmit(coursedir=coursedir, authenticator=auth, config=c).start()
    finally:
        os.chdir(old)


@needs_root
def test_hesj_grade_steps_from_check_to_export(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "HESJ_HOME": str(home)}
    assert run_cli("setup-course", "--mode", "rubric", env=env).returncode == 0
    course = home / "workspace" / "course"

    r = run_cli("grade", "check", A, env=env)  # every assignment is checked by test_nbgrader_pipeline
    assert r.returncode == 0, r.stderr
    for step in (["generate", A], ["release", A]):
        r = run_cli("grade", *step, env=env)
        assert r.returncode == 0, r.stderr

    def answered(nb):
        return S.perfect(nb)

    fetch_and_submit(home / "exchange", "ana", answered)
    fetch_and_submit(home / "exchange", "ben", lambda nb: nb)
    r = run_cli("grade", "collect", A, env=env)
    assert r.returncode == 0 and "ana" in r.stdout and "ben" in r.stdout, r.stdout + r.stderr

    # a zip upload from a learning management system: one folder per learner
    upload = tmp_path / "upload.zip"
    release = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    with zipfile.ZipFile(upload, "w") as z:
        z.writestr(f"export/cleo/{A}.ipynb", nbformat.writes(S.perfect(release)))
    r = run_cli("grade", "collect", A, "--zip", str(upload), env=env)
    assert r.returncode == 0 and "cleo" in r.stdout, r.stdout + r.stderr

    r = run_cli("grade", "autograde", A, "-j", "2", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ben" in r.stdout and "unchanged" in r.stdout

    r = run_cli("grade", "todo", A, env=env)
    assert r.returncode == 0 and "reflection-culture-rubric-framework" in r.stdout, r.stdout
    r = run_cli("grade", "feedback", A, env=env)
    assert r.returncode == 1 and "still need a grader" in r.stderr

    r = run_cli("grade", "score", A, "ana", "reflection-culture-rubric-framework", "7", env=env)
    assert r.returncode == 1 and "from 0 to 2" in r.stderr
    criteria = ["reflection-culture-rubric-framework", "reflection-culture-rubric-evidence",
                "reflection-pressure-rubric-tradeoffs"]
    for learner in ("ana", "ben", "cleo"):
        for item in criteria:
            args = ["grade", "score", A, learner, item, "2" if learner != "ben" else "0"]
            r = run_cli(*args, env=env)
            assert r.returncode == 0, r.stderr
    r = run_cli("grade", "score", A, "ana", "reflection-culture", "0",
                "--comment", "FEEDBACK-COMMENT: clear link to stated values.", env=env)
    assert r.returncode == 0, r.stderr
    r = run_cli("grade", "feedback", A, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    page = (course / "feedback" / "ana" / A / f"{A}.html").read_text()
    assert "FEEDBACK-COMMENT" in page and "reflection-culture-rubric-framework" in page
    assert list((home / "exchange" / "hesj" / "feedback").iterdir()), "feedback was not released to the exchange"

    out = tmp_path / "grades.csv"
    r = run_cli("grade", "export", str(out), A, env=env)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open()))
    by = {(row["student_id"], row["item"]): row for row in rows}
    assert float(by[("ana", "reflection-culture-rubric-framework")]["score"]) == 2
    assert float(by[("ben", "reflection-pressure-rubric-tradeoffs")]["score"]) == 0
    assert {row["student_id"] for row in rows} == {"ana", "ben", "cleo"}


def test_check_fails_with_a_message_for_a_broken_source(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT / "assignments", source)
    path = source / A / f"{A}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "data-answer":
            cell.source = "### BEGIN SOLUTION\nlowest = 'wrong'\n### END SOLUTION"
        if gid == "reflection-culture-rubric-evidence":
            cell.metadata["hesj"]["rubric_for"] = "reflection-missing"
    nbformat.write(nb, path)
    cfg = config(root=tmp_path / "course", source=source, exchange=tmp_path / "exchange")
    problems = [p.message for p in workflow.check(cfg, [A])]
    assert any("do not pass their own tests" in p for p in problems), problems
    assert any("reflection-missing" in p for p in problems), problems
    assert workflow.check(config(root=tmp_path / "c2", source=ROOT / "assignments", exchange=tmp_path / "e2"), [A]) == []
    (tmp_path / "course").mkdir(exist_ok=True)
    write_config(tmp_path / "course" / "nbgrader_config.py", root=str(tmp_path / "course"), source=str(source))
    r = run_cli("grade", "--course", str(tmp_path / "course"), "check", A)
    assert r.returncode == 1 and "reflection-missing" in r.stderr
    r = run_cli("grade", "--course", str(tmp_path / "nowhere"), "check")
    assert r.returncode == 1 and "setup-course" in r.stderr


def test_the_grading_guide_page_is_current_and_holds_every_rubric():
    from hesj.grading.guide import render_page

    page = render_page()
    assert (ROOT / "book" / "instructors" / "grading-guide.md").read_text() == page, "run `hesj grade guide`"
    for path in sorted((ROOT / "assignments").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("hesj", {}).get("rubric_for"):
                gid = cell.metadata["nbgrader"]["grade_id"]
                assert f"`{gid}`" in page
                levels = [line for line in cell.source.splitlines() if line.startswith("- ") and "points" in line
                          or line.startswith("- 1 point")]
                assert len([x for x in levels if '"' in x]) >= 3, f"{gid}: an exemplar answer for every level"
    assert "HIDDEN TESTS" not in page and "math.isclose" not in page


# ---- PostgreSQL: a real server, started here -------------------------------------------------

def _pg_bin(name: str) -> str | None:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else shutil.which(name)


@pytest.fixture
def postgres():
    """A real PostgreSQL server on 127.0.0.1, stopped (and killed by pid) at the end, pass or fail."""
    import socket
    import tempfile

    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql; ./course test does it as root)")
    base = Path(tempfile.mkdtemp(prefix="hesj-pg-"))  # outside pytest's root-only folder
    data = base / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(base, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    pid = None
    try:
        subprocess.run(as_user + [initdb, "-D", str(data), "-A", "trust", "-U", "grader", "--no-sync"],
                       check=True, capture_output=True)
        subprocess.run(as_user + [pg_ctl, "-D", str(data), "-w", "-l", str(base / "log.txt"), "-o",
                                  f"-h 127.0.0.1 -p {port} -k {base}", "start"], check=True, capture_output=True)
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        subprocess.run(as_user + [_pg_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(port),
                                  "-U", "grader", "gradebook"], check=True, capture_output=True)
        yield f"postgresql://grader@127.0.0.1:{port}/gradebook"
    finally:
        if pid:
            subprocess.run(as_user + [pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        shutil.rmtree(base, ignore_errors=True)


@needs_root
def test_pipeline_on_a_postgresql_gradebook_with_two_graders_at_once(tmp_path, postgres):
    root, cfg, release = make_course(tmp_path, db_url=postgres, mode="rubric")
    for i in range(4):
        S.write(root, f"learner-{i}", A, S.perfect(release) if i % 2 == 0 else release)
    results = batch.autograde(cfg, A, jobs=2)
    assert all(r.graded for r in results)
    for i in (0, 2):
        set_manual_score(postgres, A, f"learner-{i}", "reflection-pressure-rubric-tradeoffs", 2, notebook=A)
    with Gradebook(postgres) as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(A)}
    assert scores == {"learner-0": 4.0, "learner-1": 0.0, "learner-2": 4.0, "learner-3": 0.0}
    assert batch.consistency_problems(postgres, A) == []
    out = workflow.export(cfg, tmp_path / "grades.csv", A)
    assert len(list(csv.DictReader(out.open()))) == 4 * 6


def test_limits_still_hold_where_namespaces_are_not_allowed(tmp_path, monkeypatch):
    """As an ordinary user, or in a container that forbids mount namespaces: limits and a private folder."""
    from hesj.grading import sandbox

    monkeypatch.setenv("HESJ_SANDBOX_ISOLATION", "limits")
    monkeypatch.setattr(sandbox, "_isolation", None)
    root, cfg, release = make_course(tmp_path)
    cfg.SandboxKernelManager.cpu_seconds = 4
    S.write(root, "perfect", A, S.perfect(release))
    S.write(root, "huge-file", A, S.attempt(release, "huge-file"))
    S.write(root, "exhaust-memory", A, S.attempt(release, "exhaust-memory"))
    S.write(root, "ignores-interrupts", A, S.stubborn_loop(release))
    results = {r.student: r for r in batch.autograde(cfg, A)}
    kinds = {s: {f.kind for f in r.findings} for s, r in results.items()}
    report = batch.format_report(list(results.values()))
    assert "isolation: limits" in report
    assert results["perfect"].score == 6 and kinds["perfect"] == set()
    assert "file-limit" in kinds["huge-file"] and results["huge-file"].score == 4
    assert "memory-limit" in kinds["exhaust-memory"] and results["exhaust-memory"].score == 4
    # a loop that swallows the interrupt is ended by the CPU-time limit; the batch goes on
    assert not results["ignores-interrupts"].graded and "not-graded" in kinds["ignores-interrupts"], report
    assert batch.consistency_problems(cfg.CourseDirectory.db_url, A) == []
    assert not list(Path(tempfile.gettempdir()).glob("hesj-sandbox-*")), "private folders are removed after grading"


def test_the_kernels_folder_gets_data_files_but_never_links_or_notebooks(tmp_path):
    from hesj.grading.sandbox import copy_workdir

    src, home = tmp_path / "submission", tmp_path / "home"
    (src / "sub").mkdir(parents=True)
    home.mkdir()
    (src / "data.csv").write_text("a,b\n")
    (src / "sub" / "more.txt").write_text("x")
    (src / "rhi-1.ipynb").write_text("{}")  # holds the hidden tests at autograde time
    os.symlink("/etc", src / "a-folder-link")
    os.symlink("/etc/hostname", src / "a-file-link")
    copy_workdir(src, home)
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == ["data.csv", "sub", "sub/more.txt"]
