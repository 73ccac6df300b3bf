"""Shared test set-up.

* Every test run gets its own HESJ_HOME, so no test (and no notebook kernel
  that nbval starts) ever touches a real learner's journal.
* Under ``./course test`` (HESJ_NO_SKIPS=1) a skipped test fails the run:
  the full suite must run everything.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_skipped: list[str] = []


def pytest_configure(config):
    home = Path(tempfile.mkdtemp(prefix="hesj-test-home-"))
    os.environ["HESJ_HOME"] = str(home)
    os.environ.pop("HESJ_STATIC", None)
    os.environ.setdefault("MPLBACKEND", "Agg")
    # nbgrader runs helper programs (alembic) found on PATH: use this environment's
    import sys
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("HESJ_NO_SKIPS") == "1" and _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if os.environ.get("HESJ_NO_SKIPS") == "1" and _skipped:
        terminalreporter.write_line(
            f"FAILED: {len(_skipped)} test(s) were skipped; the full suite runs everything: "
            + ", ".join(_skipped), red=True)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh HESJ_HOME for one test."""
    h = tmp_path / "hesj-home"
    monkeypatch.setenv("HESJ_HOME", str(h))
    return h


@pytest.fixture
def root():
    return ROOT


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """One strict build of the book for the whole run, shared by the book tests:
    (return code, build log, html folder). A learner's journal with something private
    in it sits in the build's HESJ_HOME: it must never reach the book."""
    import subprocess
    import sys

    from hesj.journal import Journal

    out = tmp_path_factory.mktemp("book")
    home = tmp_path_factory.mktemp("book-home")
    Journal(home / "journal.sqlite").save("rhi-1", "culture-now", "PRIVATE-MARKER-7731")
    env = dict(os.environ, HESJ_HOME=str(home))
    env.pop("HESJ_STATIC", None)
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--path-output", str(out),
           "-n", "-W", "--keep-going"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    return proc.returncode, proc.stdout + proc.stderr, out / "_build" / "html"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright, shared by the browser tests."""
    from playwright.sync_api import sync_playwright

    from browsing import chromium

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
