"""The `hesj` command line: each subcommand through main(), plus the installed script."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hesj import cli
from hesj.course import REPO_ROOT
from hesj.journal import Journal


def test_glossary_page_is_current(capsys):
    # book/glossary.md is generated from hesj/data/glossary.yml; a stale page fails here
    assert cli.main(["glossary", "--check"]) == 0


def test_glossary_check_reports_a_stale_page(monkeypatch, tmp_path, capsys):
    fake_root = tmp_path / "repo"
    (fake_root / "book").mkdir(parents=True)
    (fake_root / "book" / "glossary.md").write_text("# Glossary\n\nold text\n", encoding="utf-8")
    monkeypatch.setattr(cli, "REPO_ROOT", fake_root)
    assert cli.main(["glossary", "--check"]) == 1
    assert "run `hesj glossary`" in capsys.readouterr().err
    assert cli.main(["glossary"]) == 0
    assert cli.main(["glossary", "--check"]) == 0


def test_journal_path_export_and_delete(home, tmp_path, capsys, monkeypatch):
    j = Journal()
    j.save("rhi-1", "culture-now", "Our <b>values</b> & what we do", prompt="What do we value?")
    assert cli.main(["journal", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(home / "journal.sqlite")

    md, page = tmp_path / "mine.md", tmp_path / "mine.html"
    assert cli.main(["journal", "export", str(md)]) == 0
    text = md.read_text()
    assert "Our &lt;b&gt;values&lt;/b&gt; &amp; what we do" in text and "<b>" not in text
    assert cli.main(["journal", "export", str(page)]) == 0
    html = page.read_text()
    assert "&lt;b&gt;values&lt;/b&gt; &amp; what we do" in html
    assert "<b>values</b>" not in html

    assert cli.main(["journal", "export", str(tmp_path / "mine.pdf")]) == 2
    assert "Name the output file .md" in capsys.readouterr().err
    assert cli.main(["journal", "export"]) == 2
    assert "Say where to write" in capsys.readouterr().err

    # delete asks first; anything but yes keeps the journal
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert cli.main(["journal", "delete"]) == 1
    assert (home / "journal.sqlite").exists()
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert cli.main(["journal", "delete"]) == 0
    assert not list(home.glob("journal.sqlite*"))
    assert cli.main(["journal", "delete", "--yes"]) == 0
    assert "no journal" in capsys.readouterr().out


def test_setup_course_builds_the_workspace(home, capsys):
    assert cli.main(["setup-course"]) == 0
    dirs = cli.course_dirs()
    course_notebooks = sorted(p.name for p in (REPO_ROOT / "notebooks").glob("*.ipynb"))
    assert not dirs["notebooks"].is_symlink()  # the learner's own copies, not the course's files
    assert sorted(p.name for p in dirs["notebooks"].glob("*.ipynb")) == course_notebooks
    config = (dirs["course"] / "nbgrader_config.py").read_text()
    assert str(dirs["course"]) in config
    assert str(REPO_ROOT / "assignments") in config
    assert (dirs["jupyter_config"] / "nbgrader_config.py").exists()
    # the journal is never inside the folder JupyterLab serves
    assert not str(home / "journal.sqlite").startswith(str(dirs["workspace"]))
    assert oct(home.stat().st_mode & 0o777) == "0o700"
    # running it again is harmless
    assert cli.main(["setup-course", "--mode", "rubric"]) == 0
    assert "rubric" in (dirs["course"] / "nbgrader_config.py").read_text()


def test_learners_copies_are_never_overwritten(home, tmp_path):
    dirs = cli.course_dirs()
    assert cli.main(["setup-course"]) == 0
    unit = sorted(dirs["notebooks"].glob("*.ipynb"))[0]
    unit.write_text('{"my": "work"}')  # the learner ran and saved it
    (dirs["notebooks"] / "my-notes.ipynb").write_text("{}")
    assert cli.main(["setup-course"]) == 0
    assert unit.read_text() == '{"my": "work"}'
    assert (dirs["notebooks"] / "my-notes.ipynb").read_text() == "{}"
    unit.unlink()  # deleting a copy brings back a fresh one
    assert cli.main(["setup-course"]) == 0
    assert unit.read_bytes() == (REPO_ROOT / "notebooks" / unit.name).read_bytes()
    # a link left by an earlier version of the course becomes a folder of copies
    import shutil

    shutil.rmtree(dirs["notebooks"])
    dirs["notebooks"].symlink_to(tmp_path, target_is_directory=True)
    assert cli.main(["setup-course"]) == 0
    assert not dirs["notebooks"].is_symlink() and unit.exists()


def test_lab_command_serves_the_workspace_on_loopback(home):
    dirs = cli.course_dirs()
    cmd = cli.lab_command(dirs, port=9999, open_browser=False, extra=["--foo"])
    assert f"--ServerApp.root_dir={dirs['workspace']}" in cmd
    assert "--ServerApp.ip=127.0.0.1" in cmd
    assert "--FileContentsManager.preferred_dir=notebooks" in cmd
    assert "--no-browser" in cmd and cmd[-1] == "--foo"
    env = cli.lab_env(dirs)
    assert env["HESJ_HOME"] == str(home)
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == str(dirs["jupyter_config"])


def test_bad_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["journal", "shred"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_installed_script_runs(home):
    exe = Path(sys.executable).parent / "hesj"
    assert exe.exists(), "the hesj command is installed with the package"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    for sub in ("start", "setup-course", "journal", "glossary", "export-grades"):
        assert sub in out
