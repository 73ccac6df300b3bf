"""Root-cause chain ("But why?"): model rules, the saved-chain parser, the live view and the book version."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hesj.activities import rootcause as rc
from hesj.display import WIDGET_MIME
from hesj.errors import InputError
from hesj.journal import Journal, JournalError


# -- model -------------------------------------------------------------------------------------
def test_model_validates_input_with_plain_messages():
    m = rc.ChainModel(journal=None)
    with pytest.raises(InputError, match="health outcome at the top first"):
        m.add_cause("Damp housing", "community")
    with pytest.raises(InputError, match="Type a health outcome"):
        m.set_outcome("   ")
    with pytest.raises(InputError, match="health outcome is 151 characters"):
        m.set_outcome("x" * 151)
    m.set_outcome("  Repeated   asthma attacks ")
    assert m.outcome == "Repeated asthma attacks"
    with pytest.raises(InputError, match="Because... box is empty"):
        m.add_cause("  ", "individual")
    with pytest.raises(InputError, match="201 characters"):
        m.add_cause("y" * 201, "individual")
    with pytest.raises(InputError, match="Choose a level"):
        m.add_cause("Mould at home", "cosmic")
    for i in range(rc.MAX_CAUSES):
        m.add_cause(f"cause {i}", "individual")
    with pytest.raises(InputError, match="already has 8 causes"):
        m.add_cause("one too many", "structural")
    assert len(m.causes) == rc.MAX_CAUSES
    assert m.remove_last().text == "cause 7" and len(m.causes) == 7
    assert rc.ChainModel(journal=None).remove_last() is None


def test_status_suggests_whether_the_chain_is_structural_yet():
    m = rc.ChainModel(journal=None)
    assert "Start by typing a health outcome" in m.status()
    m.set_outcome("Asthma attacks")
    assert "But why?" in m.status()
    m.add_cause("Mould at home", "individual")
    m.add_cause("Landlords do not repair", "institutional")
    s = m.status()
    assert "deepest level so far is Institutional / policy" in s and "step 2" in s
    assert m.structural_step() is None
    m.add_cause("Redlining steered investment away", "structural")
    assert m.structural_step() == 3
    assert "reaches a structural cause at step 3" in m.status()
    m.add_cause("People do not complain", "individual")
    assert "Step 4 goes back to a less structural level than step 3" in m.status()
    assert "structural cause at step 3" in m.alt() and "Redlining" in m.alt()
    assert "Step 2 (Institutional / policy): because Landlords do not repair." in m.summary()
    table = m.table()
    assert list(table.columns) == ["Step", "Level", "Statement"] and len(table) == 5


def test_save_and_restore_round_trip(home):
    m = rc.ChainModel("rhi-4", "asthma-chain")
    assert not m.save().ok  # nothing to save
    m.set_outcome("Asthma attacks")
    m.add_cause("Mould <b>at</b> home", "community")
    r = m.save()
    assert r.ok and "saved to your private journal" in r.message
    entry = Journal().get("rhi-4", "asthma-chain", kind="root-cause")
    assert json.loads(entry.text) == {"outcome": "Asthma attacks",
                                      "causes": [{"text": "Mould <b>at</b> home", "level": "community"}]}
    again = rc.ChainModel("rhi-4", "asthma-chain")
    assert again.restore().ok and again.causes == m.causes and again.outcome == "Asthma attacks"


def test_damaged_saved_chain_is_reported_not_raised(home):
    Journal().save("rhi-4", "asthma-chain", "{not json", kind="root-cause")
    m = rc.ChainModel("rhi-4", "asthma-chain")
    r = m.restore()
    assert not r.ok and "could not be read" in r.message and m.causes == []


# -- the saved-chain parser (property-based) ------------------------------------------------------
cause_text = st.text(min_size=1, max_size=rc.MAX_CAUSE_CHARS).map(lambda t: " ".join(t.split())).filter(bool)
causes = st.lists(st.builds(rc.Cause, cause_text, st.sampled_from(rc.LEVELS)), max_size=rc.MAX_CAUSES)
outcomes = st.text(max_size=rc.MAX_OUTCOME_CHARS).map(lambda t: " ".join(t.split()))


@settings(max_examples=1000, deadline=None)
@given(outcomes, causes)
def test_valid_chains_round_trip(outcome, chain):
    assert rc.parse_chain(rc.chain_json(outcome, chain)) == (outcome, chain)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=10) | st.dictionaries(
        st.sampled_from(["outcome", "causes", "text", "level", "x"]), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(max_size=300), json_values.map(json.dumps)))
def test_parser_raises_only_input_errors(text):
    try:
        outcome, chain = rc.parse_chain(text)
    except InputError as exc:
        assert str(exc)
    else:
        assert isinstance(outcome, str) and len(chain) <= rc.MAX_CAUSES
        assert all(c.level in rc.LEVELS and c.text.strip() for c in chain)


# -- live view -------------------------------------------------------------------------------------
def test_view_builds_a_chain_by_keyboard_actions(home, monkeypatch):
    built = []
    real_build = rc.build_diagram
    monkeypatch.setattr(rc, "build_diagram", lambda fig, ax: built.append(1) or real_build(fig, ax))
    act = rc.activity(outcome="Repeated asthma attacks")
    c = act.controls
    builds = len(built)  # the live figure and the static version's figure
    for name in ("outcome", "because", "level", "add", "remove", "save"):
        assert c[name].description  # every control has a visible label
    assert act.model.outcome == "Repeated asthma attacks"
    first_chart = c["chart"].value
    assert 'alt="Root-cause diagram with the health outcome' in first_chart
    c["add"].click()  # empty cause
    assert "⚠" in c["status"].value and "Because... box is empty" in c["status"].value
    c["because"].value = "Mould and pests <script>at home</script>"
    c["level"].value = "community"
    c["add"].click()
    assert act.model.causes == [rc.Cause("Mould and pests <script>at home</script>", "community")]
    assert c["because"].value == ""  # ready for the next step
    assert "Step 1 added" in c["status"].value and 'role="status"' in c["status"].value
    assert "<script>" not in c["status"].value and "<script>" not in c["chart"].value
    assert c["chart"].value != first_chart and "<table" in c["chart"].value
    c["because"].value = "Redlining steered investment away"
    c["level"].value = "structural"
    c["add"].click()
    assert "reaches a structural cause at step 2" in c["status"].value
    assert "Step 3 of 8" in c["question"].value
    c["remove"].click()
    assert len(act.model.causes) == 1 and c["because"].value == "Redlining steered investment away"
    c["level"].value = "structural"
    c["add"].click()
    c["save"].click()
    assert "saved to your private journal" in c["status"].value
    assert len(built) == builds  # interactions update the live figure in place, never rebuild it
    again = rc.activity()
    assert again.controls["outcome"].value == "Repeated asthma attacks"
    assert len(again.model.causes) == 2 and "restored" in again.controls["status"].value
    bundle = again._repr_mimebundle_()
    assert WIDGET_MIME in bundle and "text/html" in bundle


def test_failed_save_keeps_the_chain_and_says_why(home, monkeypatch):
    act = rc.activity(outcome="Asthma")
    act.controls["because"].value = "Mould"
    act.controls["add"].click()

    def broken(self, *a, **k):
        raise JournalError("The disk is full. Your answer was kept in /tmp/x.txt.")

    monkeypatch.setattr(Journal, "save", broken)
    act.controls["save"].click()
    assert "The disk is full" in act.controls["status"].value and "⚠" in act.controls["status"].value
    assert act.model.causes == [rc.Cause("Mould", "individual")]
    assert act.controls["outcome"].value == "Asthma"


def test_bad_outcome_in_the_box_shows_a_message(home):
    act = rc.activity()
    act.controls["outcome"].value = "z" * 400
    assert "characters long" in act.controls["status"].value and act.model.outcome == ""


# -- static (book) version ---------------------------------------------------------------------------
def test_static_version_is_an_accessible_illustrative_example(home, monkeypatch):
    Journal().save("rhi-4", "asthma-chain", rc.chain_json("SECRET OUTCOME", []), kind="root-cause")
    monkeypatch.setenv("HESJ_STATIC", "1")

    def forbidden(self):
        raise AssertionError("the journal was opened in static mode")

    monkeypatch.setattr(Journal, "_connect", forbidden)
    act = rc.activity()
    bundle = act._repr_mimebundle_()
    assert WIDGET_MIME not in bundle and "SECRET" not in json.dumps(bundle)
    html = act.html
    assert '<img src="data:image/png;base64,' in html
    alt = html.split('alt="', 1)[1].split('"', 1)[0]
    assert "structural cause" in alt and "asthma" in alt
    assert "<figcaption>Illustrative example written for this course" in html
    assert "What this shows" in html and "<table" in html and 'scope="row"' in html
    assert "redlining" in html.lower() and "Illustrative example" in html
