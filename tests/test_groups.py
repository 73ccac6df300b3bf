"""Learning groups: rosters, sharing, the digest, progress, packets and lesson plans."""
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hesj.cli import main
from hesj.course import load_content, load_course
from hesj.groups import store
from hesj.groups.digest import build_digest
from hesj.groups.lessons import LessonPlanError, load_plans, parse_plans, render_page, PAGE
from hesj.groups.packets import plan_packet, segment_packet
from hesj.groups.progress import ProgressModel, progress_report
from hesj.groups.roster import RosterError, parse_roster, read_roster
from hesj.groups.share import ShareError, ShareModel
from hesj.journal import Journal

ROOT = Path(__file__).resolve().parents[1]
HEADER = "id,first_name,last_name,email,division,role\n"
SCRIPT = "<script>alert('x')</script>"


def roster_file(tmp_path, rows, name="staff.csv"):
    p = tmp_path / name
    p.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


STAFF = [f"m{i:02d},First{i},Last{i},m{i}@example.org,Division {i % 3},nurse" for i in range(1, 16)]


# -- rosters ---------------------------------------------------------------------------------
def test_a_good_roster_of_fifteen():
    members = parse_roster(HEADER + "\n".join(STAFF) + "\n\n")
    assert len(members) == 15 and members[0].id == "m01" and members[0].name == "First1 Last1"
    assert members[0].division == "Division 1"


@pytest.mark.parametrize("rows, expected", [
    (["ana,Ana,Díaz,a@x.org,,", "ana,Ana,Other,b@x.org,,"], ["line 3: the id 'ana' is already used on line 2"]),
    (["ana,,Díaz,a@x.org,,"], ["line 2: first_name is empty"]),
    (["Ana Díaz,Ana,Díaz,,,"], ["line 2: the id 'Ana Díaz' is not allowed"]),
    (["ana,Ana,Díaz,not-an-email,,"], ["line 2: 'not-an-email' is not an email address"]),
    (["ana,Ana,Díaz,a@x.org,,", "ben,Ben,Lee,A@x.org,,"], ["line 3: the email 'A@x.org' is already on line 2"]),
    (["ana,Ana"], ["line 2: 2 fields where the header has 6"]),
    (['ana,Ana,"Díaz,', 'Jr",a@x.org,,', "ana,A,B,,,"], ["line 4: the id 'ana' is already used on line 2"]),
])
def test_malformed_rosters_name_the_file_and_line(tmp_path, rows, expected):
    path = roster_file(tmp_path, rows)
    with pytest.raises(RosterError) as err:
        read_roster(path)
    for e in expected:
        assert f"{path}, {e}" in str(err.value)


def test_roster_header_encoding_and_empty_files(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("id,first,last_name\nana,Ana,Díaz\n", encoding="utf-8")
    msg = str(pytest.raises(RosterError, read_roster, p).value)
    assert "line 1: the header lacks the column first_name" in msg and "unknown column 'first'" in msg
    p.write_bytes(HEADER.encode() + "ana,Ana,D\xedaz,,,\n".encode("latin-1"))
    assert "line 2: the file is not UTF-8" in str(pytest.raises(RosterError, read_roster, p).value)
    p.write_text("")
    assert "the file is empty" in str(pytest.raises(RosterError, read_roster, p).value)
    p.write_text(HEADER)
    assert "no members" in str(pytest.raises(RosterError, read_roster, p).value)
    assert "cannot be read" in str(pytest.raises(RosterError, read_roster, tmp_path / "missing.csv").value)


def test_a_bad_roster_writes_nothing(tmp_path):
    bad = roster_file(tmp_path, ["ana,Ana,Díaz,,,", "ana,Ana,Díaz,,,"])
    with pytest.raises(RosterError):
        store.create_group("g1", bad, tmp_path / "groups")
    assert not (tmp_path / "groups" / "g1").exists()
    assert main(["group", "create", "g1", "--roster", str(bad), "--root", str(tmp_path / "groups"),
                 "--no-gradebook"]) == 1


def test_create_group_makes_private_folders_and_an_nbgrader_roster(tmp_path):
    from nbgrader.api import Gradebook

    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    g, members = store.create_group("fall-2026", roster_file(tmp_path, STAFF), tmp_path / "groups", gradebook_url=db)
    assert len(members) == 15
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(g.folder) == 0o711 and mode(g.inbox) == 0o1733 and mode(g.progress) == 0o1733
    assert mode(g.roster_file) == 0o600 and mode(g.folder / "digests") == 0o700
    with Gradebook(db) as gb:
        students = {s.id: s for s in gb.students}
    assert set(students) == {m.id for m in members} and students["m01"].last_name == "Last1"
    with pytest.raises(store.GroupError, match="already exists"):
        store.create_group("fall-2026", roster_file(tmp_path, STAFF), tmp_path / "groups")
    with pytest.raises(store.GroupError, match="not a group name"):
        store.create_group("../etc", roster_file(tmp_path, STAFF), tmp_path / "groups")


# -- sharing and the digest -------------------------------------------------------------------
@pytest.fixture
def group(tmp_path, monkeypatch):
    monkeypatch.setenv("HESJ_GROUPS_DIR", str(tmp_path / "groups"))
    g, _ = store.create_group("g", roster_file(tmp_path, ["ana,Ana,Díaz,,Nursing,nurse", "ben,Ben,Lee,,Epi,analyst"]),
                              gradebook_url=None)
    return g


def as_learner(monkeypatch, tmp_path, who):
    monkeypatch.setenv("HESJ_HOME", str(tmp_path / f"home-{who}"))
    monkeypatch.setenv("JUPYTERHUB_USER", who)
    return Journal()


def test_share_preview_edit_send_withdraw(group, tmp_path, monkeypatch):
    j = as_learner(monkeypatch, tmp_path, "ana")
    original = "Our clinic hours fit office workers, not night-shift staff.\n\nI want to raise it. " + SCRIPT
    j.save("rhi-1", "inequity-test", original, prompt="Is it an inequity?")
    m = ShareModel(group, j)
    assert [c.prompt_id for c in m.choices()] == ["inequity-test"]
    with pytest.raises(ShareError, match="Choose one"):
        m.preview()
    m.select("rhi-1", "inequity-test")
    m.text = m.text.replace("night-shift staff", "staff on night shifts")  # edit the copy only
    preview = m.preview()
    assert "staff on night shifts" in preview and "anonymous" in preview and "ana" not in preview.split("\n")[3]
    m.send()
    files = list(group.inbox.iterdir())
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o644
    sent = json.loads(files[0].read_text())
    assert sent["text"] == m.text.strip() and "name" not in sent and "ana" not in json.dumps(sent)
    assert j.get("rhi-1", "inequity-test").text == original  # the journal is never changed
    # sending again replaces the same file; showing a name needs a name
    m.show_name = True
    with pytest.raises(ShareError, match="type the name"):
        m.send()
    m.name = "Ana D."
    m.send()
    assert len(list(group.inbox.iterdir())) == 1
    assert json.loads(next(group.inbox.iterdir()).read_text())["name"] == "Ana D."
    m.text = "x" * 5000
    with pytest.raises(ShareError, match="shorten it"):
        m.preview()
    assert len(ShareModel(group, j).sent()) == 1  # remembered across sessions
    assert m.withdraw("rhi-1", "inequity-test") and list(group.inbox.iterdir()) == []
    assert not m.withdraw("rhi-1", "inequity-test")


def test_digest_is_anonymous_escaped_and_skips_what_is_not_a_shared_reflection(group, tmp_path, monkeypatch):
    for who, text, show in (("ana", "Ana's view " + SCRIPT + " [link](javascript:alert(1))", False),
                            ("ben", "Ben's view {eval-rst}`x` <img src=x onerror=alert(1)>", True)):
        j = as_learner(monkeypatch, tmp_path, who)
        j.save("rhi-2", "frames", text, prompt="Which frame?")
        m = ShareModel(group, j)
        m.select("rhi-2", "frames")
        m.show_name, m.name = show, ("Ben <b>L</b>" if show else "")
        m.send()
    (group.inbox / ("0" * 32 + ".json")).write_text("{not json")
    (group.inbox / ("1" * 32 + ".json")).write_text(json.dumps({"format": "other"}))
    (group.inbox / ("2" * 32 + ".json")).symlink_to(ROOT / "README.md")
    (group.inbox / ("3" * 32 + ".json")).write_text(json.dumps({"format": "hesj-shared-reflection/1"}) + " " * 70000)
    (group.inbox / "notes.txt").write_text("hello")
    d = build_digest(group)
    assert len(d.items) == 2 and len(d.skipped) == 5
    page, md = d.to_html(), d.to_markdown()
    assert "<script" not in page and "<img" not in page and "<b>" not in page and "&lt;script&gt;" in page
    assert "<script" not in md and "<img" not in md and "](javascript" not in md and "{eval-rst}`" not in md
    assert "(Anonymous)" in page and "(Ben &lt;b&gt;L&lt;/b&gt;)" in page and "(ana" not in page.lower()
    assert page.count("<h3>") == 2 and 'lang="en"' in page


# -- progress -----------------------------------------------------------------------------------
def answer_segment(journal, unit, segment, right=True):
    from hesj.activities.check import CheckModel

    for c in load_content(unit)["checks"]:
        if c["segment"] != segment:
            continue
        m = CheckModel(unit, c, journal)
        for q in c["questions"]:
            if "options" in q and not q.get("multiple"):
                idx = next((i for i, o in enumerate(q["options"]) if o.get("correct") == right), 0)
                try:
                    m.answer(q["id"], idx)
                    continue
                except Exception:
                    pass
            if "items" in q:
                m.answer(q["id"], list(range(len(q["items"]))))
            else:
                m.answer(q["id"], {i for i, o in enumerate(q["options"]) if o.get("correct")})


def test_progress_preview_send_and_report(group, tmp_path, monkeypatch):
    j = as_learner(monkeypatch, tmp_path, "ana")
    j.save("rhi-1", "inequity-test", "PRIVATE REFLECTION TEXT", prompt="p")
    answer_segment(j, "rhi-1", 1)
    answer_segment(j, "rhi-1", 2)
    m = ProgressModel(group, j)
    e = m.event()
    assert e["segments"] == {"rhi-1": [1, 2]} and e["learner"] == "ana"
    assert "PRIVATE" not in json.dumps(e) and "PRIVATE" not in m.preview()
    assert "segments 1, 2 of 3" in m.preview()
    m.send()
    # a forged file for ben, a malformed one, and one from outside the group
    (group.progress / "ben--20260101T000000000000-ab.json").write_text("[1, 2]")
    (group.progress / "eve--20260101T000000000000-ab.json").write_text("{}")
    r = progress_report(group)
    rows = {row["id"]: row for row in r.table()}
    assert rows["ana"]["rhi-1 segments"] == "2/3" and rows["ben"]["rhi-1 segments"] == "0/3"
    assert rows["ben"]["last sent"] == "never" and len(r.skipped) == 2
    assert "PRIVATE" not in r.to_html() + r.to_csv()
    # a later send counts, not the earlier one
    answer_segment(j, "rhi-1", 3)
    m.send()
    assert {row["id"]: row for row in progress_report(group).table()}["ana"]["rhi-1 segments"] == "3/3"


def test_csv_export_is_safe_in_a_spreadsheet(group, tmp_path):
    store.create_group("g", roster_file(tmp_path, ['ana,"=HYPERLINK(""x"")",Díaz,,@evil,nurse']),
                       replace_roster=True)
    out = progress_report(group).to_csv()
    assert "'=HYPERLINK" in out and ",'@evil," in out


def test_digest_and_progress_never_open_a_journal(group, tmp_path, monkeypatch):
    """Every learner's journal is unreadable (mode 000) and an audit hook fails the run if anything
    so much as tries to open a file in a learner's home: digest and progress still work."""
    homes = []
    for who in ("ana", "ben"):
        j = as_learner(monkeypatch, tmp_path, who)
        j.save("rhi-1", "inequity-test", f"{who} wrote this", prompt="p")
        answer_segment(j, "rhi-1", 1)
        m = ShareModel(group, j)
        m.select("rhi-1", "inequity-test")
        m.send()
        ProgressModel(group, j).send()
        homes.append(tmp_path / f"home-{who}")
    for h in homes:
        for f in h.rglob("*"):
            os.chmod(f, 0)
        os.chmod(h, 0)
    code = textwrap.dedent(f"""
        import sys
        HOMES = {[str(h) for h in homes]!r}
        def hook(event, args):
            if event in ("open", "sqlite3.connect", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes)):
                p = args[0].decode() if isinstance(args[0], bytes) else args[0]
                if any(p.startswith(h) for h in HOMES):
                    raise SystemExit("opened a learner's file: " + p)
        sys.addaudithook(hook)
        from hesj.cli import main
        root = {str(group.folder.parent)!r}
        assert main(["group", "digest", "g", "--root", root]) == 0
        assert main(["group", "progress", "g", "--root", root]) == 0
        print("OK")
    """)
    env = dict(os.environ, HESJ_HOME=str(tmp_path / "facilitator"))
    env.pop("JUPYTERHUB_USER", None)
    try:
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    finally:
        for h in homes:
            os.chmod(h, 0o700)
            for f in h.rglob("*"):
                os.chmod(f, 0o700)
    assert res.returncode == 0 and "OK" in res.stdout, res.stdout + res.stderr
    digest = next((group.folder / "digests").glob("digest-*.html")).read_text()
    assert "ana wrote this" in digest and "ben wrote this" in digest
    assert "1/3" in (group.folder / "digests" / "progress.html").read_text()


def test_progress_with_the_gradebook(group, tmp_path):
    from nbgrader.api import Gradebook

    db = f"sqlite:///{tmp_path / 'gb.db'}"
    with Gradebook(db) as gb:
        gb.add_assignment("rhi-1")
        gb.add_student("ana")
        gb.add_submission("rhi-1", "ana")
    rows = {r["id"]: r for r in progress_report(group, gradebook_url=db).table()}
    assert rows["ana"]["rhi-1 assignment"].startswith("submitted") and rows["ben"]["rhi-1 assignment"] == ""


# -- packets and lesson plans ---------------------------------------------------------------------
def test_six_lesson_plans_and_their_page():
    plans = load_plans()
    assert len(plans) == 6 and len({p.id for p in plans}) == 6
    for p in plans:
        assert p.minutes == sum(a.minutes for a in p.agenda) and p.objectives and p.readings and p.follow_up
    assert PAGE.read_text(encoding="utf-8") == render_page(), "run `hesj lessons`"


def test_lesson_plan_errors_name_the_plan_and_field():
    import yaml

    data = yaml.safe_load((ROOT / "hesj" / "data" / "lesson_plans.yml").read_text())
    data["plans"][0]["minutes"] += 5
    with pytest.raises(LessonPlanError, match=rf"plan '{data['plans'][0]['id']}': 'minutes' is \d+ but the agenda adds up to"):
        parse_plans(data)
    data["plans"][0]["minutes"] -= 5
    data["plans"][1]["readings"] = ["no-such-entry"]
    with pytest.raises(LessonPlanError, match="reading 'no-such-entry' is not a toolkit entry id"):
        parse_plans(data)


def test_packets_from_a_plan_and_from_a_segment(tmp_path):
    p = load_plans()[0]
    pk = plan_packet(p.id, when="2026-12-03", start="14:30")
    assert pk.minutes == p.minutes and pk.times()[0].startswith("14:30")
    page = pk.to_html()
    assert "Thursday 03 December 2026" in page and '<th scope="col">Time</th>' in page and "<caption>" in page
    assert all(q.replace("'", "&#x27;") in page for q in p.discussion_questions)
    md = pk.to_markdown()
    assert "## Agenda" in md and all(f"| {a.minutes} |" in md for a in p.agenda)
    seg = segment_packet("rhi-4", 2)
    from hesj.worksheets import questions_by_segment

    assert seg.questions == questions_by_segment(ROOT / load_course().unit("rhi-4").notebook)[2] and seg.questions
    assert seg.readings and all("rhi-4" in r.units for r in seg.readings)
    for bad, msg in ((dict(when="03/12/2026"), "YYYY-MM-DD"), (dict(start="2pm"), "HH:MM")):
        with pytest.raises(Exception, match=msg):
            plan_packet(p.id, **bad)
    with pytest.raises(Exception, match="segments 1, 2, 3, not 9"):
        segment_packet("rhi-4", 9)


def test_group_commands_end_to_end(tmp_path, capsys):
    root = tmp_path / "groups"
    roster = roster_file(tmp_path, STAFF)
    assert main(["group", "create", "team", "--roster", str(roster), "--root", str(root),
                 "--db", f"sqlite:///{tmp_path / 'gb.db'}"]) == 0
    plan_id = load_plans()[2].id
    assert main(["group", "packet", "team", "--root", str(root), "--plan", plan_id, "--date", "2026-12-03"]) == 0
    assert (root / "team" / "packets" / f"{plan_id}-2026-12-03.html").is_file()
    assert main(["group", "packet", "team", "--root", str(root), "--unit", "rhi-2", "--segment", "1"]) == 0
    assert main(["group", "packet", "team", "--root", str(root), "--unit", "rhi-2"]) == 1
    assert "--segment N" in capsys.readouterr().err
    assert main(["group", "digest", "team", "--root", str(root)]) == 0
    capsys.readouterr()
    assert main(["group", "progress", "team", "--root", str(root), "--csv"]) == 0
    assert capsys.readouterr().out.count("\n") == 16  # a header and fifteen members
    assert main(["group", "digest", "nope", "--root", str(root)]) == 1
    assert "There is no group 'nope'" in capsys.readouterr().err


def test_share_and_progress_widgets_drive_the_models(group, tmp_path, monkeypatch):
    import hesj

    j = as_learner(monkeypatch, tmp_path, "ana")
    j.save("rhi-1", "inequity-test", "My reflection " + SCRIPT, prompt="Is it an inequity?")
    a = hesj.share_reflection(group="g")
    c = a.controls
    c["preview"].click()
    assert "Choose one of your saved reflections" in c["out"].value  # nothing chosen yet
    c["pick"].value = ("rhi-1", "inequity-test")
    assert c["text"].value.startswith("My reflection")
    c["text"].value = "Edited copy " + SCRIPT
    c["preview"].click()
    assert "Edited copy &lt;script&gt;" in c["out"].value and "<script" not in c["out"].value
    c["send"].click()
    assert "Sent" in c["out"].value and len(list(group.inbox.iterdir())) == 1
    c["withdraw"].click()
    assert list(group.inbox.iterdir()) == []
    assert j.get("rhi-1", "inequity-test").text == "My reflection " + SCRIPT
    p = hesj.send_progress()  # the only group on this machine is found without its name
    assert "No text you wrote is sent" in p.controls["preview"].value
    p.controls["send"].click()
    assert len(list(group.progress.iterdir())) == 1
    monkeypatch.setenv("HESJ_STATIC", "1")  # in the book: a description, never a journal
    assert "never leaves your space" in hesj.share_reflection(group="g").html


def test_orientation_notebook_lists_every_unit():
    import hesj

    table = hesj.course_index().html
    for u in load_course().complete_units:
        assert u.title.replace("'", "&#x27;") in table
