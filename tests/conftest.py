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
