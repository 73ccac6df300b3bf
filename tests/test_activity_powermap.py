"""Power map: validation, the CSV parser (property-based), grouping, the live view and the book version."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hesj.activities import powermap as pm
from hesj.activities.powermap import Stakeholder
from hesj.display import WIDGET_MIME
from hesj.errors import InputError
from hesj.journal import Journal, JournalError


# -- validation -------------------------------------------------------------------------------
def test_validation_names_the_row_and_the_fix():
    ok = pm.validate_stakeholders([("  City   council ", "9", 0), {"name": "Tenants", "power": 3, "position": "+5"}])
    assert ok == [Stakeholder("City council", 9, 0), Stakeholder("Tenants", 3, 5)]
    with pytest.raises(InputError, match=r'Row 2: "city COUNCIL" is already on the map \(Row 1\)'):
        pm.validate_stakeholders([("City council", 9, 0), (" city  COUNCIL", 2, 1)])
    with pytest.raises(InputError, match="Row 1: the stakeholder has no name"):
        pm.validate_stakeholders([("   ", 5, 0)])
    with pytest.raises(InputError, match="Row 1: power must be from 0 to 10; got 11"):
        pm.validate_stakeholders([("Mayor", 11, 0)])
    with pytest.raises(InputError, match="Row 1: position must be from -5 to 5; got -6"):
        pm.validate_stakeholders([("Mayor", 5, -6)])
    with pytest.raises(InputError, match="Row 1: power must be a whole number"):
        pm.validate_stakeholders([("Mayor", 2.5, 0)])
    with pytest.raises(InputError, match="power must be a whole number"):
        pm.validate_stakeholders([("Mayor", True, 0)])
    with pytest.raises(InputError, match="at most 30 stakeholders"):
        pm.validate_stakeholders([(f"s{i}", 1, 1) for i in range(31)])
    with pytest.raises(InputError, match="keep it under 60"):
        pm.validate_stakeholders([("n" * 61, 1, 1)])


def test_model_replaces_the_list_all_or_nothing():
    m = pm.PowerMapModel(journal=None)
    m.set_stakeholders([("A", 5, 1)])
    with pytest.raises(InputError):
        m.set_stakeholders([("A", 5, 1), ("B", 50, 1)])
    assert m.stakeholders == [Stakeholder("A", 5, 1)]
    with pytest.raises(InputError, match="keep it under 150"):
        m.set_issue("i" * 151)


# -- the CSV parser ------------------------------------------------------------------------------
def test_csv_parser_reads_a_facilitators_list():
    text = "\ufeffPosition, Name ,POWER,notes\n\n-4,Landlords' association,7,x\n5,\"Tenants, union\",4\n"
    assert pm.parse_stakeholders_csv(text) == [Stakeholder("Landlords' association", 7, -4),
                                               Stakeholder("Tenants, union", 4, 5)]


@pytest.mark.parametrize("text, message", [
    ("", "The list is empty"),
    ("name,power\nA,1", "position is missing"),
    ("name,power,position,name\nA,1,1,B", "column name appears twice"),
    ("name,power,position\n", "no stakeholders"),
    ("name,power,position\nA,1", "Line 2 has no value for position"),
    ("name,power,position\nA,high,1", "Line 2: power must be a whole number"),
    ("name,power,position\n\nA,1,9", "Line 3: position must be from -5 to 5"),
    ("name,power,position\nA,1,1\na ,2,2", 'Line 3: "a" is already in the list \\(line 2\\)'),
    ("name,power,position\n,1,1", "Line 2: the stakeholder has no name"),
])
def test_csv_parser_messages(text, message):
    with pytest.raises(InputError, match=message):
        pm.parse_stakeholders_csv(text)


names = st.text(min_size=1, max_size=pm.MAX_NAME_CHARS).map(pm.normalize_name).filter(bool)
stakeholder_lists = st.lists(
    st.builds(Stakeholder, names, st.integers(pm.POWER_MIN, pm.POWER_MAX),
              st.integers(pm.POSITION_MIN, pm.POSITION_MAX)),
    min_size=1, max_size=pm.MAX_STAKEHOLDERS, unique_by=lambda s: pm.name_key(s.name))


@settings(max_examples=1000, deadline=None)
@given(stakeholder_lists)
def test_csv_round_trip(stakeholders):
    assert pm.parse_stakeholders_csv(pm.stakeholders_csv(stakeholders)) == stakeholders


cells = st.one_of(st.text(max_size=12), st.integers(-20, 20).map(str), st.sampled_from(
    ["name", "power", "position", "NAME", " power ", "", '"', '""', "\n", "\r", "\x00", "5", "-5", "+3"]))
csv_like = st.lists(st.lists(cells, max_size=5).map(",".join), max_size=8).map("\n".join)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(max_size=400), csv_like, st.just("name,power,position\n").flatmap(
    lambda head: csv_like.map(lambda body: head + body))))
def test_csv_parser_raises_only_input_errors(text):
    try:
        result = pm.parse_stakeholders_csv(text)
    except InputError as exc:
        assert str(exc)
    else:
        assert 1 <= len(result) <= pm.MAX_STAKEHOLDERS
        assert len({pm.name_key(s.name) for s in result}) == len(result)
        assert all(pm.POWER_MIN <= s.power <= pm.POWER_MAX and pm.POSITION_MIN <= s.position <= pm.POSITION_MAX
                   for s in result)


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=200))
def test_saved_map_parser_raises_only_input_errors(text):
    try:
        pm.parse_saved(text)
    except InputError:
        pass


# -- grouping, summary, suggestions ---------------------------------------------------------------
def test_groups_summary_and_neutral_suggestions():
    m = pm.PowerMapModel(issue="Mould ordinance", journal=None)
    m.set_stakeholders([("Council", 10, 0), ("Mayor", 8, 2), ("Landlords", 7, -4), ("Tenants", 4, 5),
                        ("Owners", 3, -3), ("Paper", 2, 0)])
    g = m.by_group()
    assert [s.name for s in g["powerful-undecided"]] == ["Council"]
    assert [s.name for s in g["undecided"]] == ["Paper"]
    s = m.summary()
    assert s.startswith("Power map for: Mould ordinance.")
    assert "Powerful supporters: Mayor (power 8, position +2)." in s
    assert "Powerful and undecided: Council (power 10, position 0)." in s
    tips = " ".join(m.suggestions())
    assert "what would move them" in tips and "Tenants" in tips and "who influences them" in tips
    assert "Powerful supporters 1" in m.alt()
    t = m.table()
    assert list(t.columns) == ["Stakeholder", "Power (0-10)", "Position (-5 to +5)", "Quadrant"]
    weak = pm.PowerMapModel(journal=None)
    weak.set_stakeholders([("Tenants", 2, 5)])
    assert any("Who actually makes the decision" in x for x in weak.suggestions())


# -- live view ----------------------------------------------------------------------------------------
def test_view_by_keyboard_actions(home, monkeypatch):
    built = []
    real_build = pm.build_chart
    monkeypatch.setattr(pm, "build_chart", lambda fig, ax: built.append(1) or real_build(fig, ax))
    act = pm.activity(issue="Mould ordinance")
    c = act.controls
    builds = len(built)
    assert act.model.issue == "Mould ordinance"
    for name in ("issue", "add", "save", "csv", "load"):
        assert c[name].description
    empty_chart = c["chart"].value
    assert 'alt="Empty power map' in empty_chart
    c["add"].click()
    c["add"].click()
    assert [s.name for s in act.model.stakeholders] == ["Stakeholder 1", "Stakeholder 2"]
    row = c["rows"][0]
    assert row["name"].description and row["power"].description and row["position"].description
    row["name"].value = "Mayor <i>office</i>"
    row["power"].value = 9
    row["position"].value = 3
    assert act.model.stakeholders[0] == Stakeholder("Mayor <i>office</i>", 9, 3)
    assert row["power"].tooltip == "Power of Mayor <i>office</i> over the decision (0-10)"
    assert "Powerful supporters 1" in c["chart"].value and "<i>office" not in c["chart"].value
    assert "Mayor &lt;i&gt;office&lt;/i&gt;" in c["chart"].value  # in the summary and the table, escaped
    assert "how could they use their influence" in c["suggestions"].value
    # a duplicate name is refused with a message; the model keeps the last valid list
    c["rows"][1]["name"].value = "mayor <i>office</i>"
    assert "already on the map" in c["status"].value and "⚠" in c["status"].value
    assert [s.name for s in act.model.stakeholders] == ["Mayor <i>office</i>", "Stakeholder 2"]
    c["rows"][1]["remove"].click()
    assert len(act.model.stakeholders) == 1 and len(c["rows"]) == 1
    # a facilitator's list is added
    c["csv"].value = "name,power,position\nLandlords,7,-4\nTenants,4,5"
    c["load"].click()
    assert "Stakeholders added from the list: 2" in c["status"].value and len(c["rows"]) == 3
    c["csv"].value = "name,power,position\nTenants,4,5"
    c["load"].click()
    assert "already on the map" in c["status"].value and len(act.model.stakeholders) == 3
    c["save"].click()
    assert "saved to your private journal" in c["status"].value
    saved = json.loads(Journal().get("rhi-5", "power-map", kind="power-map").text)
    assert saved["issue"] == "Mould ordinance" and len(saved["stakeholders"]) == 3
    assert len(built) == builds  # updated in place, never rebuilt
    again = pm.activity()
    assert again.controls["issue"].value == "Mould ordinance"
    assert [r["name"].value for r in again.controls["rows"]] == ["Mayor <i>office</i>", "Landlords", "Tenants"]
    assert "restored" in again.controls["status"].value
    assert WIDGET_MIME in again._repr_mimebundle_()


def test_failed_save_keeps_the_map(home, monkeypatch):
    act = pm.activity(issue="Issue")
    act.controls["add"].click()

    def broken(self, *a, **k):
        raise JournalError("The journal is locked. Your answer was kept in /tmp/y.txt.")

    monkeypatch.setattr(Journal, "save", broken)
    act.controls["save"].click()
    assert "locked" in act.controls["status"].value
    assert len(act.model.stakeholders) == 1 and act.controls["issue"].value == "Issue"


# -- static (book) version ------------------------------------------------------------------------------
def test_static_version_is_a_labelled_fictional_example(home, monkeypatch):
    Journal().save("rhi-5", "power-map", json.dumps({"issue": "SECRET ISSUE", "stakeholders": []}), kind="power-map")
    monkeypatch.setenv("HESJ_STATIC", "1")

    def forbidden(self):
        raise AssertionError("the journal was opened in static mode")

    monkeypatch.setattr(Journal, "_connect", forbidden)
    act = pm.activity()
    bundle = act._repr_mimebundle_()
    assert WIDGET_MIME not in bundle and "SECRET" not in json.dumps(bundle)
    html = act.html
    alt = html.split('alt="', 1)[1].split('"', 1)[0]
    assert alt.startswith("Power map") and "Powerful supporters" in alt
    assert "<figcaption>Fictional example (an illustrative composite" in html
    assert "What this shows" in html and "<table" in html and 'scope="col"' in html
    assert "National Education Association, n.d." in html
