import multiprocessing as mp
import os
import sqlite3

import pytest

from hesj.journal import (Journal, JournalCorruptError, JournalError, choose_journal_mode,
                          filesystem_type)


def test_save_restore_and_revisions(home):
    j = Journal()
    assert j.get("rhi-1", "culture-now") is None
    j.save("rhi-1", "culture-now", "first", prompt="What do we value?")
    e = j.save("rhi-1", "culture-now", "second, longer")
    assert e.text == "second, longer"
    assert e.prompt == "What do we value?" or e.prompt == ""
    assert [t for _, t in j.revisions("rhi-1", "culture-now")] == ["first", "second, longer"]
    assert j.count() == (1, 2)
    assert j.path == home / "journal.sqlite"
    assert oct(os.stat(home).st_mode & 0o777) == "0o700"


def test_wal_on_local_disk(home):
    j = Journal()
    j.save("u", "p", "x")
    assert j.mode == "wal"


MOUNTS = """\
/dev/vda / ext4 rw 0 0
server:/export/home /home nfs4 rw,relatime 0 0
//fs/share /mnt/share cifs rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


def test_network_file_system_detection():
    assert filesystem_type("/home/ana/.hesj", MOUNTS) == "nfs4"
    assert filesystem_type("/homes/ana", MOUNTS) == "ext4"  # /homes is not under /home
    assert filesystem_type("/mnt/share/x", MOUNTS) == "cifs"
    assert choose_journal_mode("/home/ana/.hesj", MOUNTS) == "delete"
    assert choose_journal_mode("/mnt/share/x", MOUNTS) == "delete"
    assert choose_journal_mode("/var/lib/x", MOUNTS) == "wal"


def test_forced_rollback_mode(home, monkeypatch):
    monkeypatch.setenv("HESJ_JOURNAL_MODE", "delete")
    j = Journal()
    j.save("u", "p", "x")
    assert j.mode == "delete"
    assert not (home / "journal.sqlite-wal").exists()
    monkeypatch.setenv("HESJ_JOURNAL_MODE", "sometimes")
    with pytest.raises(JournalError, match="HESJ_JOURNAL_MODE"):
        Journal().get("u", "p")


def _writer(path, worker, n):
    j = Journal(path)
    for i in range(n):
        j.save("stress", f"w{worker}-{i}", f"answer {i} from writer {worker}")
        if i % 100 == 0:  # revisions of an existing answer interleave with new answers
            j.save("stress", f"w{worker}-0", f"revision {i}")


@pytest.mark.parametrize("mode", ["wal", "delete"])
def test_two_processes_write_1000_answers_each(tmp_path, monkeypatch, mode):
    monkeypatch.setenv("HESJ_JOURNAL_MODE", mode)
    path = tmp_path / "journal.sqlite"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, w, 1000)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    j = Journal(path)
    answers, revisions = j.count()
    assert answers == 2000
    assert revisions == 2000 + 2 * 10
    assert j.get("stress", "w2-999").text == "answer 999 from writer 2"
    assert not (tmp_path / "unsaved").exists()


def test_corrupt_file_is_moved_aside_not_overwritten(home):
    home.mkdir(parents=True)
    bad = home / "journal.sqlite"
    garbage = b"this is not a database " * 200
    bad.write_bytes(garbage)
    j = Journal()
    with pytest.raises(JournalCorruptError) as info:
        j.get("rhi-1", "culture-now")
    moved = info.value.moved_to
    assert moved.read_bytes() == garbage
    assert "moved" in str(info.value) and str(moved) in str(info.value)
    assert not bad.exists()
    # the next save starts a fresh journal and the old file is untouched
    Journal().save("rhi-1", "culture-now", "new text")
    assert moved.read_bytes() == garbage
    assert Journal().get("rhi-1", "culture-now").text == "new text"


def test_save_into_corrupt_file_rescues_the_text(home):
    home.mkdir(parents=True)
    (home / "journal.sqlite").write_bytes(b"\x00garbage" * 500)
    with pytest.raises(JournalCorruptError) as info:
        Journal().save("rhi-1", "p", "words I must not lose")
    rescued = list((home / "unsaved").iterdir())
    assert len(rescued) == 1 and rescued[0].read_text() == "words I must not lose"
    assert str(rescued[0]) in str(info.value)


def test_locked_journal_keeps_text(home):
    j = Journal(retries=2, timeout=0.05)
    j.save("u", "p", "before")
    blocker = sqlite3.connect(j.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(JournalError, match="kept in"):
            j.save("u", "p", "typed while locked")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert (home / "unsaved").is_dir()
    assert any(p.read_text() == "typed while locked" for p in (home / "unsaved").iterdir())


def test_unwritable_folder_message(tmp_path):
    if os.geteuid() == 0:
        # root can write anywhere; use a path below a regular file instead
        (tmp_path / "file").write_text("x")
        j = Journal(tmp_path / "file" / "journal.sqlite")
    else:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        j = Journal(ro / "sub" / "journal.sqlite")
    with pytest.raises(JournalError, match="still only in the box"):
        j.save("u", "p", "x")


HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)> **bold**'


def test_exports_escape_learner_text(home, tmp_path):
    j = Journal()
    j.save("rhi-1", "culture-now", HOSTILE, prompt="Prompt <b>with markup</b>")
    html = j.export_html(tmp_path / "p.html").read_text()
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Prompt &lt;b&gt;with markup&lt;/b&gt;" in html
    assert '<html lang="en">' in html
    md = j.export_markdown(tmp_path / "p.md").read_text()
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "**bold**" in md  # Markdown itself is kept


def test_delete_removes_everything(home):
    j = Journal()
    j.save("u", "p", "x")
    (home / "unsaved").mkdir()
    (home / "unsaved" / "r.txt").write_text("rescued")
    kernel = sqlite3.connect(j.path)  # another kernel still has the journal open
    kernel.execute("SELECT count(*) FROM answers").fetchone()
    assert (home / "journal.sqlite-wal").exists() and (home / "journal.sqlite-shm").exists()
    removed = j.delete()
    kernel.close()
    assert home / "journal.sqlite" in removed
    assert not any(p.name.startswith("journal.sqlite") for p in home.iterdir())
    assert not (home / "unsaved").exists()
    assert Journal().entries() == []


def test_import_reflections_from_an_assignment_notebook(home, tmp_path):
    import nbformat

    from hesj import cli
    from hesj.errors import InputError

    nb = nbformat.read("assignments/rhi-1/rhi-1.ipynb", as_version=4)
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("reflection-")
               and c.metadata["nbgrader"].get("solution")]
    answers[0].source = "My own answer about <culture> & practice."
    answers[1].source = "YOUR ANSWER HERE"  # not answered yet: skipped
    path = tmp_path / "rhi-1.ipynb"
    nbformat.write(nb, path)
    j = Journal()
    saved = j.import_assignment(path)
    assert [e.prompt_id for e in saved] == [f"assignment/{answers[0].metadata.nbgrader.grade_id}"]
    assert saved[0].unit == "rhi-1" and saved[0].prompt.startswith("Reflection 1")
    assert j.import_assignment(path) == []  # unchanged text: no new revision
    assert cli.main(["journal", "import", str(path)]) == 0
    out = tmp_path / "portfolio.html"
    j.export_html(out)
    assert "My own answer about &lt;culture&gt; &amp; practice." in out.read_text()
    with pytest.raises(InputError, match="There is no notebook"):
        j.import_assignment(tmp_path / "missing.ipynb")
    (tmp_path / "bad.ipynb").write_text("not json")
    with pytest.raises(InputError, match="could not be read as a notebook"):
        j.import_assignment(tmp_path / "bad.ipynb")
    assert cli.main(["journal", "import", str(tmp_path / "bad.ipynb")]) == 2
