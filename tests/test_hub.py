"""The course on a real JupyterHub, end to end, on 127.0.0.1 (needs root: one local account per person).

Two learners and one instructor. Through the hub's REST API and the Jupyter Server API
(kernel websockets): learners' servers start; a learner runs Unit 1 and saves a reflection to
the journal; the instructor releases the exercise through the grading service; each learner
fetches, answers and submits; the instructor collects, autogrades, grades by rubric and
releases feedback; each learner fetches their own feedback and cannot reach the other's
journal, submission or feedback, by the API or the file system. A backup is restored.
Everything is stopped by process id at the end, pass or fail (tests/hubclient.py).
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from hubclient import Kernel, running_hub

ROOT = Path(__file__).resolve().parent.parent
A = "rhi-1"
ANA, BEN, INES = "hesj-t-ana", "hesj-t-ben", "hesj-t-ines"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"),
                                 reason="the hub runs each person under their own account: needs root (CI runs as root)")]

REFLECTION = ("Our weekly huddle is run by supervisors only, which suggests we value speed over shared planning. "
              "Our plan says community voice matters, yet residents are never invited, so the stated value and the "
              "routine do not match. The unspoken assumption is that residents would slow us down. {marker}")


@pytest.fixture(scope="module")
def hub():
    with running_hub(learners=(ANA, BEN), instructors=(INES,), mode="rubric") as h:
        yield h


def learner_kernel(hub, user) -> Kernel:
    return Kernel(f"{hub.url}/user/{user}", hub.token_for(user))


def grader_kernel(hub) -> Kernel:
    return Kernel(f"{hub.url}/services/hesj-grading", hub.token_for(INES))


GRADEBOOK_PROBE = (
    "import os\n"
    "try:\n"
    "    print('GRADEBOOK-READ:', len(open('/home/hesj-grader/.hesj/workspace/course/gradebook.db', 'rb').read()))\n"
    "except OSError as e:\n"
    "    print('GRADEBOOK-REFUSED', type(e).__name__)\n"
    "print('GRADER-HOME:', sorted(os.listdir('/home/hesj-grader')) if os.path.isdir('/home/hesj-grader') else None)\n")

FETCH_ANSWER_SUBMIT = '''
import os, subprocess, nbformat
os.chdir(os.path.expanduser("~"))
r = subprocess.run(["nbgrader", "fetch_assignment", "{a}"], capture_output=True, text=True)
assert os.path.exists("{a}/{a}.ipynb"), r.stdout + r.stderr
nb = nbformat.read("{a}/{a}.ipynb", as_version=4)
for cell in nb.cells:
    meta = cell.metadata.get("nbgrader", {{}})
    if meta.get("solution") and cell.cell_type == "markdown":
        cell.source = {text!r}
    if meta.get("grade_id") == "data-answer":
        cell.source = {probe!r} + 'staff["share"] = staff["trained"] / staff["staff"]\\nlowest = "Administration"'
nbformat.write(nb, "{a}/{a}.ipynb")
r = subprocess.run(["nbgrader", "submit", "{a}"], capture_output=True, text=True)
assert r.returncode == 0, r.stdout + r.stderr
print("submitted")
'''


def test_learners_servers_start_and_unit_1_runs_with_the_journal(hub):
    for user in (ANA, BEN):
        hub.start_server(user)
    k = learner_kernel(hub, ANA)
    try:
        nb = json.loads((ROOT / "notebooks" / "rhi-1-where-do-we-start.ipynb").read_text())
        cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        assert cells
        for source in cells:
            k.ok(source)
        out = k.ok("from hesj.journal import Journal\nj = Journal()\n"
                   "j.save('rhi-1', 'culture-now', 'ANA-PRIVATE-JOURNAL-TEXT')\nprint(j.path)")
        assert out["stdout"].strip() == f"/home/{ANA}/.hesj/journal.sqlite"
        # the learner's own copies of the notebooks, in a home folder nobody else can open
        out = k.ok("import os, stat\nprint(sorted(os.listdir(os.path.expanduser('~/notebooks'))))\n"
                   "print(oct(stat.S_IMODE(os.stat(os.path.expanduser('~')).st_mode)))")
        assert "rhi-1-where-do-we-start.ipynb" in out["stdout"] and "0o700" in out["stdout"]
    finally:
        k.close()


def test_only_instructors_reach_the_grading_service(hub):
    r = hub.api("GET", "/services/hesj-grading/api/status", token=hub.token_for(ANA))
    assert r.status_code in (403, 404) or "login" in r.url, (r.status_code, r.url)
    r = hub.api("GET", "/services/hesj-grading/api/status", token=hub.token_for(INES))
    assert r.status_code == 200, r.text


def test_release_fetch_submit_grade_feedback(hub):
    g = grader_kernel(hub)
    try:
        g.ok("import os\nfrom hesj.grading import workflow, batch\nfrom hesj.grading.scores import set_manual_score\n"
             "cfg = workflow.load_config(os.path.expanduser('~/.hesj/workspace/course'))\n"
             f"workflow.generate(cfg, '{A}')\nworkflow.release(cfg, '{A}')")
        for user, marker in ((ANA, "ANA-SUBMISSION-PHRASE"), (BEN, "BEN-SUBMISSION-PHRASE")):
            k = learner_kernel(hub, user)
            # Ben's answer also tries to read the gradebook while it is being graded
            probe = GRADEBOOK_PROBE if user == BEN else ""
            try:
                out = k.ok(FETCH_ANSWER_SUBMIT.format(a=A, text=REFLECTION.format(marker=marker), probe=probe))
                assert "submitted" in out["stdout"]
            finally:
                k.close()
        out = g.ok(f"print(workflow.collect(cfg, '{A}'))\n"
                   f"results = batch.autograde(cfg, '{A}')\nprint(batch.format_report(results))")
        assert ANA in out["stdout"] and BEN in out["stdout"]
        report = out["stdout"]
        assert "!!" not in report, report  # every submission graded
        # the grading service is an ordinary account: its sandbox hides its home and the gradebook
        assert "isolation: private" in out["stdout"], out["stdout"]
        out = g.ok("import json\n"
                   f"nb = json.load(open(os.path.expanduser('~/.hesj/workspace/course/autograded/{BEN}/{A}/{A}.ipynb')))\n"
                   "print(''.join(''.join(o.get('text', '')) for c in nb['cells'] for o in c.get('outputs', [])\n"
                   "              if c['metadata'].get('nbgrader', {}).get('grade_id') == 'data-answer'))")
        assert "GRADEBOOK-REFUSED" in out["stdout"] and "GRADEBOOK-READ:" not in out["stdout"]
        assert ".hesj" not in out["stdout"].split("GRADER-HOME:")[1].split("\\n")[0]
        criteria = ["reflection-culture-rubric-framework", "reflection-culture-rubric-evidence",
                    "reflection-pressure-rubric-tradeoffs"]
        code = "".join(f"set_manual_score(cfg.CourseDirectory.db_url, '{A}', {u!r}, {c!r}, {s})\n"
                       for u, s in ((ANA, 2), (BEN, 1)) for c in criteria)
        code += (f"set_manual_score(cfg.CourseDirectory.db_url, '{A}', {ANA!r}, 'reflection-culture', 0, "
                 f"comment='FEEDBACK-FOR-ANA')\n"
                 f"set_manual_score(cfg.CourseDirectory.db_url, '{A}', {BEN!r}, 'reflection-culture', 0, "
                 f"comment='FEEDBACK-FOR-BEN')\n"
                 f"print(len(workflow.feedback(cfg, '{A}')))\n"
                 f"print({{s.student: s.score for s in workflow.status(cfg, '{A}')}})")
        out = g.ok(code)
        assert f"'{ANA}': 8.0" in out["stdout"] and f"'{BEN}': 5.0" in out["stdout"], out
    finally:
        g.close()
    for user, mine, theirs in ((ANA, "FEEDBACK-FOR-ANA", "FEEDBACK-FOR-BEN"), (BEN, "FEEDBACK-FOR-BEN", "FEEDBACK-FOR-ANA")):
        k = learner_kernel(hub, user)
        try:
            out = k.ok("import os, glob, subprocess\nos.chdir(os.path.expanduser('~'))\n"
                       f"r = subprocess.run(['nbgrader', 'fetch_feedback', '{A}'], capture_output=True, text=True)\n"
                       f"pages = glob.glob('{A}/feedback/*/{A}.html')\nassert pages, r.stdout + r.stderr\n"
                       "print(open(pages[0]).read())")
            assert mine in out["stdout"] and theirs not in out["stdout"]
        finally:
            k.close()


PROBE = '''
import os, glob, json
found, refused = [], []
paths = [{journal!r}, {home!r}, {grader!r}]
paths += glob.glob({exchange!r} + "/**", recursive=True)
for p in paths:
    try:
        if os.path.isdir(p):
            os.listdir(p)
        else:
            text = open(p, errors="replace").read()
            if {secret!r} in text or "FEEDBACK-FOR-BEN" in text:
                found.append(p)
    except (PermissionError, FileNotFoundError):
        refused.append(p)
print(json.dumps({{"found": found, "refused": refused}}))
'''


def test_a_learner_cannot_reach_another_learners_work(hub):
    # through the API: another learner's server, files and kernels
    ana = hub.token_for(ANA)
    for path in (f"/user/{BEN}/api/contents", f"/user/{BEN}/api/kernels", f"/hub/api/users/{BEN}"):
        r = hub.api("GET", path, token=ana)
        assert r.status_code in (403, 404) or "login" in r.url, (path, r.status_code)
    # through the file system, from Ana's own kernel
    k = learner_kernel(hub, ANA)
    try:
        out = k.ok(PROBE.format(journal=f"/home/{BEN}/.hesj/journal.sqlite", home=f"/home/{BEN}",
                                grader="/home/hesj-grader/.hesj/workspace/course/gradebook.db",
                                exchange=str(hub.prefix / "exchange"), secret="BEN-SUBMISSION-PHRASE"))
        result = json.loads(out["stdout"])
        assert result["found"] == [], result
        for p in (f"/home/{BEN}/.hesj/journal.sqlite", f"/home/{BEN}",
                  "/home/hesj-grader/.hesj/workspace/course/gradebook.db"):
            assert p in result["refused"]
    finally:
        k.close()


def test_a_learning_group_shares_through_inboxes_only_the_facilitator_reads(hub):
    """The facilitator makes a group in the grading service; Ana and Ben share a reflection and send
    progress from their own kernels; neither can list the inbox or read the roster; the digest and
    the progress table (built as the grading account) hold what they sent; Ana withdraws hers."""
    roster = f"id,first_name,last_name,email,division,role\n{ANA},Ana,D,,Nursing,nurse\n{BEN},Ben,L,,Epi,analyst\n"
    g = grader_kernel(hub)
    try:
        g.ok(f"open('/tmp/roster.csv', 'w').write({roster!r})\nfrom hesj.cli import main\n"
             "assert main(['group', 'create', 'team', '--roster', '/tmp/roster.csv']) == 0")
    finally:
        g.close()
    share = ("from hesj.journal import Journal\nfrom hesj.groups import store\n"
             "from hesj.groups.share import ShareModel\nfrom hesj.groups.progress import ProgressModel\n"
             "j = Journal()\nj.save('rhi-1', 'inequity-test', {text!r}, prompt='p')\n"
             "m = ShareModel(store.group('team'), j)\nm.select('rhi-1', 'inequity-test')\n"
             "m.show_name, m.name = {show!r}, {name!r}\nm.send()\nProgressModel(store.group('team'), j).send()\n"
             "import os\nfor probe in ('inbox', 'progress', 'group.yml'):\n"
             "    try:\n"
             "        p = os.path.join(store.group('team').folder, probe)\n"
             "        print(probe, 'READ', os.listdir(p) if os.path.isdir(p) else open(p).read()[:20])\n"
             "    except PermissionError:\n"
             "        print(probe, 'REFUSED')\n")
    for user, text, show, name in ((ANA, "ANA-SHARED-TEXT <script>x</script>", False, ""),
                                   (BEN, "BEN-SHARED-TEXT", True, "Ben L.")):
        k = learner_kernel(hub, user)
        try:
            out = k.ok(share.format(text=text, show=show, name=name))["stdout"]
            assert out.count("REFUSED") == 3, out
        finally:
            k.close()
    g = grader_kernel(hub)
    try:
        out = g.ok("from hesj.groups import store\nfrom hesj.groups.digest import build_digest\n"
                   "from hesj.groups.progress import progress_report\n"
                   "d = build_digest(store.group('team'))\nprint(d.to_html())\nprint('SKIPPED', d.skipped)\n"
                   "print(progress_report(store.group('team')).to_csv())")["stdout"]
    finally:
        g.close()
    assert "ANA-SHARED-TEXT &lt;script&gt;" in out and "BEN-SHARED-TEXT" in out and "(Ben L.)" in out
    assert "(Anonymous)" in out and "SKIPPED []" in out
    assert re.search(rf"{ANA},Ana D,Nursing,nurse,20\d\d-", out), out  # her progress arrived, sent by her own account
    k = learner_kernel(hub, ANA)
    try:
        k.ok("from hesj.journal import Journal\nfrom hesj.groups import store\nfrom hesj.groups.share import ShareModel\n"
             "assert ShareModel(store.group('team'), Journal()).withdraw('rhi-1', 'inequity-test')")
    finally:
        k.close()
    g = grader_kernel(hub)
    try:
        out = g.ok("from hesj.groups import store\nfrom hesj.groups.digest import build_digest\n"
                   "print(build_digest(store.group('team')).to_html())")["stdout"]
    finally:
        g.close()
    assert "ANA-SHARED-TEXT" not in out and "BEN-SHARED-TEXT" in out


def test_backup_and_restore_bring_back_journals_and_the_gradebook(hub, tmp_path):
    from hesj import hub as hubmod
    from hesj.journal import Journal
    from nbgrader.api import Gradebook

    gradebook = Path("/home/hesj-grader/.hesj/workspace/course/gradebook.db")
    journal = Path(f"/home/{ANA}/.hesj/journal.sqlite")
    with Gradebook(f"sqlite:///{gradebook}") as gb:
        before = {s.student.id: s.score for s in gb.assignment_submissions(A)}
    archive = hubmod.backup(tmp_path / "backup.tar.gz", [ANA, BEN], hub.prefix)
    journal.unlink()
    gradebook.unlink()
    restored = hubmod.restore(archive)
    assert str(journal) in restored and str(gradebook) in restored
    assert Journal(journal).get("rhi-1", "culture-now").text == "ANA-PRIVATE-JOURNAL-TEXT"
    assert journal.stat().st_uid == os.stat(f"/home/{ANA}").st_uid, "restored files keep their owner"
    with Gradebook(f"sqlite:///{gradebook}") as gb:
        assert {s.student.id: s.score for s in gb.assignment_submissions(A)} == before
