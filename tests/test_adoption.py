"""Adopting the course: competencies and core paths, the one completion rule and everything that
uses it (certificate, progress table, report), the CE packet, evaluation, and local adaptation."""
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from hesj import completion
from hesj.cli import main
from hesj.course import CORE_PATH_MAX_MINUTES, load_content, load_course
from hesj.errors import InputError
from hesj.evaluation import ActionPlanModel, EvaluationSendModel, confidence_model, evaluation_event, reaction_model
from hesj.groups import store
from hesj.groups.progress import ProgressModel, progress_report
from hesj.journal import Journal

ROOT = Path(__file__).resolve().parents[1]
COURSE = load_course()


# -- competencies and core paths --------------------------------------------------------------------
def test_every_segment_and_assessment_maps_to_domains_and_tiers():
    for u in COURSE.complete_units:
        assert u.assessment_domains, u.id
        for s in u.segments:
            assert s.domains and s.tiers, (u.id, s.id)
            assert set(s.domains) <= {c.domain for c in u.competencies}, (u.id, s.id)


def test_a_core_path_of_at_most_six_hours_for_each_tier():
    assert sorted(COURSE.core_paths) == [1, 2, 3]
    for tier, p in COURSE.core_paths.items():
        assert 0 < p.minutes <= CORE_PATH_MAX_MINUTES
        for uid, sid in p.segments:
            assert tier in COURSE.unit(uid).segments[sid - 1].tiers, (tier, uid, sid)
        assert any(4 in COURSE.unit(uid).segments[sid - 1].domains for uid, sid in p.segments)


def test_matrix_page_is_current_and_the_framework_agrees_with_the_manifest():
    from hesj.competencies import PAGE, check_framework, render_page

    assert check_framework() == []
    assert PAGE.read_text(encoding="utf-8") == render_page(), "run `hesj competencies`"


def test_a_core_path_over_six_hours_is_refused():
    import copy

    import yaml

    from hesj.course import ManifestError, parse_course

    data = yaml.safe_load((ROOT / "hesj" / "course.yml").read_text())
    bad = copy.deepcopy(data)
    bad["core_paths"][1]["segments"] = [f"{u.id}:{s.id}" for u in COURSE.complete_units for s in u.segments]
    with pytest.raises(ManifestError, match="at most 360"):
        parse_course(bad)
    bad["core_paths"][1]["segments"] = ["rhi-1:9"]
    with pytest.raises(ManifestError, match="'rhi-1:9' is not a published segment"):
        parse_course(bad)


# -- learners in different states ---------------------------------------------------------------------
def answer(journal, unit, segments=None, right=1.0, survey=True, seed=0):
    """Answer every check question of the given segments (a share right), and save their surveys."""
    from hesj.activities.check import CheckModel

    rng = random.Random(seed)
    u = COURSE.unit(unit)
    segs = segments or [s.id for s in u.segments]
    for c in load_content(unit)["checks"]:
        if c["segment"] not in segs:
            continue
        m = CheckModel(unit, c, journal)
        for q in c["questions"]:
            good = rng.random() < right
            if "items" in q:
                order = list(range(len(q["items"])))
                m.answer(q["id"], order if good else order[::-1])
            elif q.get("type") == "multiple":
                want = {i for i, o in enumerate(q["options"]) if o.get("correct")}
                m.answer(q["id"], want if good else set(range(len(q["options"]))) - want or {0})
            else:
                idx = next(i for i, o in enumerate(q["options"]) if bool(o.get("correct")) == good)
                m.answer(q["id"], idx)
    if survey:
        for s in segs:
            r = reaction_model(unit, s, journal)
            for item in r.items:
                r.rate(item["id"], 4)
            r.save()


LEARNERS = {  # name -> how far they got
    "all-done": lambda j: [answer(j, u.id) for u in COURSE.complete_units[:2]],
    "no-survey": lambda j: answer(j, "rhi-1", survey=False),
    "low-score": lambda j: answer(j, "rhi-1", right=0.3, seed=3),
    "half-way": lambda j: answer(j, "rhi-1", segments=[1, 2]),
    "nothing": lambda j: None,
}


@pytest.fixture
def journals(tmp_path):
    out = {}
    for name, act in LEARNERS.items():
        j = Journal(tmp_path / f"{name}.sqlite")
        act(j)
        out[name] = j
    return out


def test_the_rule(journals):
    rhi1 = COURSE.unit("rhi-1")
    status = {n: completion.unit_completion(completion.record_from_journal(j), rhi1) for n, j in journals.items()}
    assert status["all-done"].complete
    assert not status["no-survey"].complete and "survey" in status["no-survey"].missing[0]
    assert not status["low-score"].complete and any("80%" in m for m in status["low-score"].missing)
    assert not status["half-way"].complete and "1 more segment" in status["half-way"].missing[0]
    assert len(status["nothing"].missing) == 3


def test_certificate_progress_and_report_agree_with_the_rule(journals, tmp_path, monkeypatch):
    """One rule: the certificate lists, the progress table marks and the report counts the same units."""
    from hesj.certificate import write_certificate
    from hesj.report import build_report

    monkeypatch.setenv("HESJ_GROUPS_DIR", str(tmp_path / "groups"))
    roster = tmp_path / "r.csv"
    names = list(journals)
    roster.write_text("id,first_name,last_name,division,role\n"
                      + "".join(f"{n},{n.title()},X,Nursing,nurse\n" for n in names))
    g, _ = store.create_group("g", roster)
    expected = {}
    for n, j in journals.items():
        rec = completion.record_from_journal(j)
        expected[n] = {u.id for u in completion.completed_units(rec)}
        ProgressModel(g, j, learner=n).send()
        if expected[n]:
            page, pdf = write_certificate(f"Learner {n}", tmp_path / n, journal=j, when=date(2026, 11, 26))
            listed = set(re.findall(r'<th scope="row">([^<]+)</th>', page.read_text()))
            assert listed == {f"{u.series} {u.number}: {u.title}".replace("'", "&#x27;")
                              for u in COURSE.complete_units if u.id in expected[n]}
            hours = completion.hours([COURSE.unit(u) for u in expected[n]])
            assert f"Total: {hours:g} hours" in page.read_text() and pdf.read_bytes().startswith(b"%PDF")
        else:
            with pytest.raises(InputError, match="No unit is complete yet"):
                write_certificate(f"Learner {n}", tmp_path / n, journal=j)
    rows = {r["id"]: r for r in progress_report(g).table()}
    for n in names:
        for u in COURSE.complete_units:
            assert (rows[n][f"{u.id} complete"] == "yes") == (u.id in expected[n]), (n, u.id)
    report = build_report([g])
    total = next(r for r in report if r.table == "Completion" and r.dimension == "division" and r.group == "All")
    for u in COURSE.complete_units:
        assert total.values[f"{u.id} complete"] == sum(u.id in e for e in expected.values())


def test_certificate_is_tagged_and_says_no_accredited_credit(journals, tmp_path):
    from hesj.certificate import write_certificate
    from hesj.outreach import booklet_pdf

    page, _ = write_certificate("Ana <b>Díaz</b>", tmp_path, journal=journals["all-done"], when=date(2026, 11, 26))
    text = page.read_text()
    assert "Ana &lt;b&gt;Díaz&lt;/b&gt;" in text and "26 November 2026" in text
    assert "grants no continuing-education credit" in text
    raw = booklet_pdf(text, tmp_path / "u.pdf", uncompressed=True).read_bytes()
    assert b"/StructTreeRoot" in raw and re.search(rb"/Lang\s*\(en", raw)
    with pytest.raises(InputError, match="Give the name"):
        write_certificate("  ", tmp_path, journal=journals["all-done"])


# -- hesj report: suppression on a roster of 60 -------------------------------------------------------------
def test_report_of_sixty_suppresses_small_groups_and_holds_no_text(tmp_path, monkeypatch):
    from hesj.report import SUPPRESSED, build_report, to_csv, to_html

    monkeypatch.setenv("HESJ_GROUPS_DIR", str(tmp_path / "groups"))
    divisions = ["Nursing"] * 30 + ["Epidemiology"] * 20 + ["Environmental Health"] * 6 + ["Finance"] * 3 + ["Director's Office"]
    roles = ["nurse", "analyst", "manager", "director"]
    rng = random.Random(60)
    roster = tmp_path / "staff.csv"
    roster.write_text("id,first_name,last_name,division,role\n" + "".join(
        f"s{i:02d},Name{i},Surname{i},{d},{roles[0] if i < 40 else roles[1] if i < 56 else roles[2] if i < 59 else roles[3]}\n"
        for i, d in enumerate(divisions)))
    g, members = store.create_group("county", roster)
    record = {}
    for m in members:
        rec = completion.Record()
        if rng.random() < 0.6:  # a learner who finished rhi-1 with 90%
            u = COURSE.unit("rhi-1")
            q = 20
            rec = completion.Record({"rhi-1": {s.id for s in u.segments}}, {"rhi-1": {"questions": q, "answered": q, "correct": 18}},
                                    {"rhi-1": {s.id for s in u.segments}})
        record[m.id] = rec
        event = {"format": "hesj-progress/1", "group": "county", "learner": m.id, **completion.record_to_event(rec),
                 "sent_at": "2026-11-26T00:00:00+00:00"}
        store.write_event(g.progress, f"{m.id}--20261126T000000000000-aa.json", event)
        ev = {"format": "hesj-evaluation/1", "group": "county", "learner": m.id,
              "confidence": {"pre": {"c-4-a": 2}, "post": {"c-4-a": 4}}, "reaction": {"rhi-1": {"1": {"relevant": 5}}},
              "checkin": None, "text": "SECRET FREE TEXT"}
        store.write_event(g.folder / "evaluation", f"{m.id}--20261126T000000000000-bb.json", ev)
    rows = build_report([g])
    by = {(r.table, r.dimension, r.group): r for r in rows}
    for small in ("Finance", "Director's Office"):
        r = by[("Completion", "division", small)]
        assert all(v == SUPPRESSED for v in r.values.values()), small
    big = by[("Completion", "division", "Nursing")]
    assert big.values["rhi-1 complete"] == sum(completion.unit_completion(record[m.id], COURSE.unit("rhi-1")).complete
                                               for m in members if m.division == "Nursing")
    assert by[("Completion", "division", "Environmental Health")].values["rhi-1 complete"] != SUPPRESSED
    # one small role alone would be revealed by subtraction: the next smallest is hidden too
    role_rows = [r for r in rows if r.table == "Completion" and r.dimension == "role" and r.group != "All"]
    hidden = [r.group for r in role_rows if r.values["rhi-1 complete"] == SUPPRESSED]
    assert set(hidden) == {"director", "manager"}
    conf = by[("Confidence (1 to 5)", "division", "All")]
    assert conf.values["domain 4 pre mean"] == 2 and conf.values["domain 4 post mean"] == 4
    out = to_html(rows) + to_csv(rows)
    assert "SECRET" not in out and "Name1" not in out and "Surname" not in out and "s01" not in out
    assert main(["report", "county", "--root", str(tmp_path / "groups"), "--out", str(tmp_path / "r.html")]) == 0


# -- evaluation ---------------------------------------------------------------------------------------------
def test_evaluation_answers_stay_home_until_sent(tmp_path, monkeypatch):
    j = Journal(tmp_path / "j.sqlite")
    pre = confidence_model("pre", j)
    pre.rate("c-4-a", 2)
    pre.save()
    assert confidence_model("pre", j).ratings["c-4-a"] == 2  # restored from the journal
    with pytest.raises(InputError):
        pre.rate("c-4-a", 9)
    plan = ActionPlanModel(j, today=date(2026, 1, 1))
    plan.save_plan({"plan": "PRIVATE PLAN TEXT", "first_step": "x", "support": "y"})
    assert plan.due() == date(2026, 1, 1) + timedelta(days=90)
    with pytest.raises(InputError, match="opens on 2026-04-01"):
        plan.save_checkin(2, {"progress": 4})
    later = ActionPlanModel(j, today=date(2026, 4, 2))
    later.save_checkin(3, {"progress": 4, "barriers-named": 5})
    event = evaluation_event(j)
    assert event["confidence"]["pre"]["c-4-a"] == 2 and event["checkin"]["status"] == 3
    assert "PRIVATE" not in json.dumps(event)
    monkeypatch.setenv("HESJ_GROUPS_DIR", str(tmp_path / "groups"))
    roster = tmp_path / "r.csv"
    roster.write_text("id,first_name,last_name\nana,Ana,D\n")
    g, _ = store.create_group("g", roster)
    s = EvaluationSendModel(g, j, learner="ana")
    assert "no words you wrote" in s.preview() and "PRIVATE" not in s.preview()
    assert list((g.folder / "evaluation").iterdir()) == []
    s.send()
    assert len(list((g.folder / "evaluation").iterdir())) == 1


def test_every_segment_ends_with_the_survey_and_the_orientation_holds_pre_and_post():
    for u in COURSE.complete_units:
        code = "\n".join("".join(c["source"]) for c in json.loads((ROOT / u.notebook).read_text())["cells"]
                         if c["cell_type"] == "code")
        for s in u.segments:
            assert f'hesj.reaction("{u.id}", {s.id})' in code, (u.id, s.id)
        assert f'hesj.local("{u.id}")' in code
    start = (ROOT / "notebooks" / "start-here.ipynb").read_text()
    assert 'hesj.confidence(\\"pre\\")' in start and 'hesj.confidence(\\"post\\")' in start
    assert "hesj.action_plan()" in start


# -- the CE packet --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", [u.id for u in COURSE.complete_units])
def test_ce_kit_for_every_unit_matches_its_schema(unit):
    from hesj.cekit import build_kit

    kit = build_kit(unit, when=date(2026, 11, 26))
    u = COURSE.unit(unit)
    assert kit["objectives"] == list(u.objectives) and kit["assessment"]["pass_mark"] == completion.PASS_MARK
    assert sum(o["minutes"] for o in kit["outline"]) == u.minutes
    assert kit["contact_hours"] == completion.hours([u])
    assert "{{NAME}}" in kit["certificate_template"] and "{{DATE}}" in kit["certificate_template"]
    assert kit["references"] and kit["disclosure"]["authors"]


def test_ce_kit_schema_refuses_a_broken_packet_and_the_cli_writes_it(tmp_path):
    from hesj.cekit import build_kit, validate

    kit = build_kit("rhi-2")
    bad = dict(kit, objectives=[])
    with pytest.raises(InputError, match="at objectives"):
        validate(bad)
    bad = dict(kit, assessment=dict(kit["assessment"], pass_mark=0.2))
    with pytest.raises(InputError, match="pass_mark"):
        validate(bad)
    assert main(["ce-kit", "rhi-2", "--out", str(tmp_path / "k")]) == 0
    assert {p.name for p in (tmp_path / "k").iterdir()} == {"ce-kit.json", "ce-kit.md", "ce-kit.html",
                                                             "certificate-template.html"}
    assert main(["ce-kit", "rhi-99"]) == 1


# -- local adaptation --------------------------------------------------------------------------------------------
GOOD_LOCAL = """department: "Example County Health Department (invented)"
cases:
  - unit: rhi-1
    segment: 2
    title: "Our clinic hours"
    text: "A case written by the department. <script>alert(1)</script>"
resources:
  - title: "County equity plan"
    url: "https://example.org/plan"
    units: [rhi-1]
contacts:
  - name: "Equity office"
    role: "Questions about the course"
    email: "equity@example.org"
data:
  - name: county_rates
    file: data/rates.csv
    title: "Invented rates by zip code"
    source: "Invented for the test"
"""


def test_local_material_is_merged_and_marked(tmp_path, monkeypatch):
    import hesj

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rates.csv").write_text("zip,rate\n12345,3.1\n")
    (tmp_path / "local.yml").write_text(GOOD_LOCAL)
    monkeypatch.setenv("HESJ_LOCAL_DIR", str(tmp_path))
    page = hesj.local("rhi-1").html
    assert "Our clinic hours" in page and "not reviewed by the course project" in page
    assert "&lt;script&gt;" in page and "<script" not in page and "equity@example.org" in page
    assert hesj.local("rhi-4").html.count("Our clinic hours") == 0  # cases belong to their unit
    assert "County equity plan" not in hesj.local("rhi-4").html  # a resource for rhi-1 only
    df = hesj.local_data("county_rates")
    assert df["rate"].iloc[0] == 3.1 and df.attrs["provenance"]["local"] is True
    assert "Example County" in hesj.local_page().html
    monkeypatch.setenv("HESJ_LOCAL_DIR", str(tmp_path / "none"))
    assert hesj.local("rhi-1").html == "" and "no local material" in hesj.local_page().html


@pytest.mark.parametrize("text, message", [
    ("department: X\ncases:\n  - unit: rhi-1\n    title: T\n  - unit: rhi-77\n    title: T\n    text: x\n",
     "line 3: case entry 1 needs 'text'"),
    ("department: X\ncases:\n  - unit: rhi-1\n    title: T\n    text: x\n  - unit: rhi-77\n    title: T\n    text: x\n",
     "line 6: case entry 2: unit must be one of"),
    ("department: X\nresources:\n  - title: T\n    url: example.org\n", "line 3: resource entry 1: url must start with http"),
    ("department: X\ncontacts:\n  - name: N\n    role: R\n    email: nope\n", "line 3: contact entry 1: 'nope' is not an email"),
    ("department: X\ndata:\n  - {name: d, file: ../../etc/passwd.csv, title: t, source: s}\n", "line 3: data entry 1: file must be a .csv"),
    ("department: X\ncases: [\n", "line "),
    ("department: X\ncolour: blue\n", "line 2: unknown key 'colour'"),
    ("cases: []\n", "name your health department"),
    ("department: X\napproved_units: [rhi-1, rhi-99]\n", "line 2: approved_units must list course units"),
])
def test_a_malformed_local_entry_names_the_file_and_line(tmp_path, text, message):
    from hesj.local_material import LocalError, load_local

    (tmp_path / "local.yml").write_text(text)
    with pytest.raises(LocalError) as err:
        load_local(tmp_path)
    assert "local.yml" in str(err.value) and message in str(err.value), str(err.value)


def test_subset_toc_and_config(tmp_path, monkeypatch):
    import yaml

    from hesj.subset import prepare

    monkeypatch.delenv("HESJ_APPROVED_UNITS", raising=False)
    monkeypatch.setenv("HESJ_LOCAL_DIR", str(tmp_path / "nolocal"))
    assert prepare(tmp_path) is None  # the whole course
    monkeypatch.setenv("HESJ_APPROVED_UNITS", "rhi-1,rhi-4")
    config, toc = prepare(tmp_path)
    text = toc.read_text()
    assert "book/rhi/unit-1" in text and "notebooks/rhi-4-root-causes" in text
    assert "book/rhi/unit-2" not in text and "book/handbook" not in text and "hesj101" not in text
    cfg = yaml.safe_load(config.read_text())
    assert "book/rhi/unit-2.*" in cfg["exclude_patterns"] and "book/handbook/lexicon" in cfg["sphinx"]["config"]["hesj_excluded_docs"]
    assert [u.id for u in load_course().complete_units] == ["rhi-1", "rhi-4"]
    monkeypatch.setenv("HESJ_APPROVED_UNITS", "rhi-1,rhi-99")
    with pytest.raises(InputError, match="rhi-99"):
        prepare(tmp_path)


def test_the_shipped_example_of_local_material_loads(monkeypatch):
    from hesj.local_material import load_local

    ex = load_local(ROOT / "local.example")
    assert ex.department.startswith("Example County") and "invented" in ex.department
    assert ex.cases and ex.resources and ex.contacts and ex.data and ex.approved_units is None


def test_certificate_rows_add_up_to_its_total():
    units = COURSE.complete_units
    assert completion.hours(units) == sum(completion.unit_hours(u) for u in units)
    from hesj.certificate import certificate_html

    page = certificate_html("A", units, date(2026, 11, 26))
    rows = [float(x) for x in re.findall(r"</th><td>([\d.]+)</td></tr>", page)]
    assert len(rows) == len(units) and f"Total: {sum(rows):g} hours" in page


def test_the_adoption_guide_quotes_the_manifest_correctly():
    """The guide states counts, times and hours from the manifest: they must match it."""
    page = (ROOT / "book" / "adopting" / "index.md").read_text(encoding="utf-8")
    units = COURSE.complete_units
    m = sum(u.minutes for u in units)
    assert (f"{len(units)} units and {sum(len(u.segments) for u in units)} segments, with about "
            f"{m // 60} hours and {m % 60} minutes") in page
    for u in units:
        row = re.search(rf"\| [^|]*{re.escape(u.title)} \| (\d+) minutes \| ([\d.]+) ", page)
        assert row and int(row.group(1)) == u.minutes and float(row.group(2)) == completion.unit_hours(u), u.id
    for tier, p in COURSE.core_paths.items():
        row = re.search(rf"^\| {tier} \| [^|]+ \| (\d+) \| (\d+) hours (\d+) minutes \|", page, re.M)
        assert row and int(row.group(1)) == len(p.segments), tier
        assert int(row.group(2)) * 60 + int(row.group(3)) == p.minutes, tier
