"""Activities, driven headless: models directly, views by setting widget values
and clicking buttons (as ipywidgets' own tests do)."""
import json

import pytest

import hesj
from hesj.activities.check import CheckModel
from hesj.activities.reflection import ReflectionModel
from hesj.activities.self_assessment import SelfAssessmentModel
from hesj.course import load_content
from hesj.display import WIDGET_MIME
from hesj.journal import Journal

SPEC = load_content("rhi-1")


def test_reflection_model_saves_restores_and_refuses_blank(home):
    m = ReflectionModel("rhi-1", "culture-now", "Prompt?")
    assert m.previous() == ("", "")
    r = m.save("   ")
    assert not r.ok and "nothing to save" in r.message.lower()
    assert Journal().entries() == []
    r = m.save("Our meetings favour speed.")
    assert r.ok and "version 1" in r.message and "4 words" in r.message
    assert ReflectionModel("rhi-1", "culture-now", "Prompt?").previous()[0] == "Our meetings favour speed."
    assert m.skip().ok


def test_reflection_view_round_trip(home):
    act = hesj.reflect("rhi-1", "culture-now")
    area, save, status = act.controls["text"], act.controls["save"], act.controls["status"]
    assert area.description  # a visible label
    area.value = "Text typed by a learner <b>with markup</b>"
    save.click()
    assert "Saved to your private journal" in status.value
    assert "<b>with" not in status.value
    # re-running the cell restores the answer
    again = hesj.reflect("rhi-1", "culture-now")
    assert again.controls["text"].value == "Text typed by a learner <b>with markup</b>"
    assert "restored" in again.controls["status"].value
    # skipping saves nothing and never blocks
    other = hesj.reflect("rhi-1", "pressure-plan")
    other.controls["skip"].click()
    assert "Skipped" in other.controls["status"].value
    assert Journal().get("rhi-1", "pressure-plan") is None


def test_failed_save_keeps_the_text_in_the_box(home):
    home.mkdir(parents=True)
    (home / "journal.sqlite").write_bytes(b"not a database at all" * 50)
    act = hesj.reflect("rhi-1", "culture-now")
    assert "could not be read" in act.controls["status"].value
    act.controls["text"].value = "precious words"
    act.controls["save"].click()
    assert act.controls["text"].value == "precious words"
    assert "Saved" in act.controls["status"].value  # the unreadable file was moved aside; a new journal took it


def test_activity_bundle_has_live_and_static_versions(home):
    bundle = hesj.reflect("rhi-1", "culture-now")._repr_mimebundle_()
    assert WIDGET_MIME in bundle and "text/html" in bundle and "text/plain" in bundle


def test_static_mode_never_opens_the_journal(home, monkeypatch):
    Journal().save("rhi-1", "culture-now", "SECRET-REFLECTION-TEXT")
    monkeypatch.setenv("HESJ_STATIC", "1")

    def forbidden(self):
        raise AssertionError("the journal was opened in static mode")

    monkeypatch.setattr(Journal, "_connect", forbidden)
    outputs = [hesj.setup(), hesj.reflect("rhi-1", "culture-now"), hesj.check("rhi-1", "segment-1"),
               hesj.self_assessment("rhi-1"), hesj.overview("rhi-1"), hesj.key_terms("rhi-1")]
    for out in outputs[1:]:
        bundle = out._repr_mimebundle_()
        assert WIDGET_MIME not in bundle
        assert "SECRET-REFLECTION-TEXT" not in json.dumps(bundle)
    assert outputs[0] is None
    assert 'href="../book/glossary.html#term-' in outputs[-1].html


def test_check_model_feedback_and_record(home):
    chk = SPEC["checks"][0]
    m = CheckModel("rhi-1", chk)
    q = chk["questions"][0]
    right = next(i for i, o in enumerate(q["options"]) if o["correct"])
    wrong = next(i for i, o in enumerate(q["options"]) if not o["correct"])
    fb = m.answer(q["id"], right)
    assert fb.correct and fb.message.startswith("Correct.")
    fb = m.answer(q["id"], wrong)
    assert not fb.correct and fb.message.startswith("Not quite.")
    assert q["options"][wrong]["feedback"] in fb.message
    assert "Choose one" in m.answer(q["id"], None).message
    with pytest.raises(ValueError):
        m.answer(q["id"], 99)
    saved = Journal().get("rhi-1", f"{chk['id']}/{q['id']}", kind="check")
    assert json.loads(saved.text) == {"type": "single", "response": wrong, "correct": False}
    assert len(Journal().revisions("rhi-1", f"{chk['id']}/{q['id']}", kind="check")) == 2  # every attempt kept
    assert m.score() == (0, len(chk["questions"]))


def _question(qtype):
    for chk in SPEC["checks"]:
        for q in chk["questions"]:
            if q.get("type", "single") == qtype:
                return chk, q
    raise AssertionError(f"rhi-1 has no {qtype} question")


def test_multiple_answer_question(home):
    chk, q = _question("multiple")
    act = hesj.check("rhi-1", chk["id"])
    ctl = act.controls[q["id"]]
    right = [i for i, o in enumerate(q["options"]) if o.get("correct")]
    wrong = [i for i, o in enumerate(q["options"]) if not o.get("correct")]
    ctl["boxes"][right[0]].value = True
    ctl["boxes"][wrong[0]].value = True
    ctl["button"].click()
    html = ctl["result"].value
    assert "✘" in html and "You missed this one." in html and "it is not right" in html
    for b in ctl["boxes"]:
        b.value = False
    for i in right:
        ctl["boxes"][i].value = True
    ctl["button"].click()
    assert "✔" in ctl["result"].value
    assert all(b.description for b in ctl["boxes"])  # every box is labelled by its option


def test_ordering_question(home):
    chk, q = _question("ordering")
    act = hesj.check("rhi-1", chk["id"])
    menus = act.controls[q["id"]]["positions"]
    result = act.controls[q["id"]]["result"]
    act.controls[q["id"]]["button"].click()
    assert "different position" in result.value
    n = len(q["items"])
    for item, menu in menus.items():  # the reverse of the right order
        menu.value = n - item
    act.controls[q["id"]]["button"].click()
    assert "✘" in result.value and "belongs at position" in result.value
    for item, menu in menus.items():
        menu.value = item + 1
    act.controls[q["id"]]["button"].click()
    assert "✔" in result.value
    # items are never shown already in order, and the order is stable
    from hesj.activities.check import display_order
    assert display_order(q, chk["id"]) != list(range(n)) == sorted(display_order(q, chk["id"]))
    assert display_order(q, chk["id"]) == display_order(q, chk["id"])


@pytest.mark.parametrize("change,message", [
    (lambda q: q.pop("prompt"), "'prompt' is a required property"),
    (lambda q: q.update(type="essay"), "is not one of"),
    (lambda q: q["options"][0].pop("feedback"), "'feedback' is a required property"),
    (lambda q: [o.update(correct=True) for o in q["options"]], "exactly one option"),
    (lambda q: q.update(type="ordering"), "'items' is a required property"),
    (lambda q: q["options"][0].update(text="   "), "does not match"),
])
def test_check_schema_errors_name_the_question(change, message):
    import copy

    from hesj.course import ManifestError, validate_check

    chk = copy.deepcopy(SPEC["checks"][0])
    change(chk["questions"][1])
    with pytest.raises(ManifestError) as exc:
        validate_check(chk, "content/rhi-1.yml: check segment-1")
    assert message in str(exc.value)
    assert "question q2" in str(exc.value)


def test_check_view_by_keyboard_equivalent_actions(home):
    act = hesj.check("rhi-1", "segment-1")
    q = SPEC["checks"][0]["questions"][0]
    ctl = act.controls[q["id"]]
    assert ctl["choices"].description and ctl["button"].description == "Check answer"
    ctl["button"].click()
    assert "Choose one" in ctl["result"].value
    right = next(i for i, o in enumerate(q["options"]) if o["correct"])
    ctl["choices"].value = right
    ctl["button"].click()
    assert "✔" in ctl["result"].value and "Correct." in ctl["result"].value


def test_self_assessment_model_summary():
    spec = SPEC["self_assessment"]
    m = SelfAssessmentModel("rhi-1", spec, journal=None)
    assert "Rate at least one" in m.summary()
    areas = [a["id"] for a in spec["areas"]]
    for a in areas:
        for i in range(len(m.ratings[a])):
            m.rate(a, i, 3)
    m.rate(areas[0], 0, 1)  # lowest area: the first one
    m.rate(areas[1], 0, 4)
    m.rate(areas[1], 1, 4)
    scores = m.area_scores()
    assert scores[areas[1]] == pytest.approx((4 + 4 + 3) / 3, abs=0.01)
    summary = m.summary()
    assert spec["areas"][1]["label"] in summary.split(".")[0]
    assert f"most room to grow is {spec['areas'][0]['label']}" in summary
    with pytest.raises(ValueError, match="Ratings go from 1 to 4"):
        m.rate(areas[0], 0, 7)
    with pytest.raises(KeyError, match="no area"):
        m.rate("nope", 0, 1)


def test_self_assessment_view_saves_and_restores(home):
    act = hesj.self_assessment("rhi-1")
    first = next(k for k in act.controls if "/" in k)
    act.controls[first].value = 2
    act.controls["show"].click()
    result = act.controls["result"].value
    assert "saved to your private journal" in result
    assert '<img src="data:image/png;base64,' in result and 'alt="' in result
    assert "<caption>" in result and 'scope="row"' in result
    again = hesj.self_assessment("rhi-1")
    assert again.controls[first].value == 2


def test_overview_and_key_terms_come_from_the_manifest():
    from hesj.course import load_course
    u = load_course().unit("rhi-1")
    html = hesj.overview("rhi-1").html
    for o in u.objectives:
        assert o.replace("'", "&#x27;") in html or o in html
    assert f"{u.minutes} minutes" in html
    kt = hesj.key_terms("rhi-1").html
    for t in u.key_terms:
        assert t in kt


def test_unknown_ids_give_clear_errors():
    with pytest.raises(KeyError, match="no reflection prompt 'nope'. Its prompts:"):
        hesj.reflect("rhi-1", "nope")
    with pytest.raises(KeyError, match="no knowledge check"):
        hesj.check("rhi-1", "nope")
    with pytest.raises(KeyError, match="no unit"):
        hesj.overview("rhi-99")
