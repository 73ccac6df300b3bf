"""Story map: stories as checked data, the step-through view, the book version, and facts from the tables."""
import re
import socket

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hesj import datasets
from hesj.activities import mapping, storymap
from hesj.activities.storymap import STORIES_DIR, StoryError, StoryModel, load_story, validate_story
from hesj.display import WIDGET_MIME
from hesj.errors import InputError
from hesj.journal import Journal

STORY = "life-expectancy-by-state"


def good_step(**changes):
    step = {"title": "A step", "measure": "life_expectancy_2019", "text": "Highest: {highest}."}
    step.update(changes)
    return step


def story(*steps, **changes):
    data = {"id": "test-story", "title": "A story", "steps": list(steps) or [good_step()]}
    data.update(changes)
    return data


# -- the example story ---------------------------------------------------------------------------------
def test_example_story_loads_with_three_to_five_steps():
    s = load_story(STORY)
    assert 3 <= len(s.steps) <= 5 and s.id == STORY
    assert STORY in storymap.story_ids()
    used = {step.measure for step in s.steps}
    assert used <= {"life_expectancy_2019", "life_expectancy_1970"}  # only the two state tables
    assert {mapping.builtin_measures()[k].table for k in used} == {"state_life_expectancy_2019", "state_facts_1977"}


def test_story_text_states_no_number_of_its_own():
    """Every number in the narrative comes from a placeholder filled from the data (years excepted)."""
    raw = yaml.safe_load((STORIES_DIR / f"{STORY}.yml").read_text(encoding="utf-8"))
    prose = " ".join([raw["title"], raw["summary"]] + [s["title"] + " " + s["text"] for s in raw["steps"]])
    prose = re.sub(r"\{[^{}]*\}", "", prose.replace("COVID-19", "COVID"))  # placeholders are filled from data
    assert set(re.findall(r"\d+(?:\.\d+)?", prose)) <= {"2019", "1969", "1971", "1977", "1970"}


def test_story_facts_match_the_tables():
    m = StoryModel(load_story(STORY))
    le = datasets.load("state_life_expectancy_2019")
    old = datasets.load("state_facts_1977")
    # step 1: highest, lowest and range from the 2019 table
    text = " ".join(m.text(m.story.steps[0]).split())
    hi, lo = le["life_expectancy_years"].max(), le["life_expectancy_years"].min()
    for state in le.loc[le["life_expectancy_years"] == hi, "state"]:
        assert state in text
    assert le.loc[le["life_expectancy_years"] == lo, "state"].iloc[0] in text
    assert f"{hi:.1f} years" in text and f"{lo:.1f} years" in text and f"gap of {hi - lo:.1f} years" in text
    # step 2: "the five states with the shortest lives": exactly five, no tie at the cut
    bottom = le.sort_values("life_expectancy_years").reset_index(drop=True)
    assert bottom["life_expectancy_years"][4] < bottom["life_expectancy_years"][5]
    text2 = " ".join(m.text(m.story.steps[1]).split())
    assert "The five states" in text2
    for state in bottom["state"][:5]:
        assert state in text2
    # step 3: the 1969-71 figures, and DC missing
    text3 = " ".join(m.text(m.story.steps[2]).split())
    assert old.loc[old["Life Exp"].idxmax(), "state"] in text3 and f"{old['Life Exp'].max():.2f} years" in text3
    assert old.loc[old["Life Exp"].idxmin(), "state"] in text3
    assert f"{old['Life Exp'].max() - old['Life Exp'].min():.2f} years" in text3
    assert "District of Columbia" in text3 and "District of Columbia" not in set(old["state"])


def test_story_mentions_its_limitations():
    m = StoryModel(load_story(STORY))
    all_text = " ".join(" ".join(m.text(s).split()) for s in m.story.steps)
    assert "hides the differences" in all_text  # state averages hide differences within states
    assert "different era" in all_text and '"no data": District of Columbia' in all_text


def test_zoomed_step_shows_the_places_it_names():
    m = StoryModel(load_story(STORY))
    step = m.story.steps[1]
    mm = m.map_model(step)
    x0, y0, x1, y1 = mm.geography.project_box(step.zoom)
    assert len(mm.highlight) == 5
    for pid in mm.highlight:
        v = mm.geography.verts[mm.geography.index[pid]]
        assert x0 <= v[:, 0].min() and v[:, 0].max() <= x1 and y0 <= v[:, 1].min() and v[:, 1].max() <= y1


# -- the live view --------------------------------------------------------------------------------------
def test_view_steps_through_the_story(home):
    act = storymap.activity(STORY)
    c, m = act.controls, act.model
    n = m.n
    assert c["previous"].description == "Previous" and c["next"].description == "Next"
    assert 'role="status"' in c["status"].value and f"Step 1 of {n}" in c["status"].value
    first_text, first_chart = c["text"].value, c["chart"].value
    c["previous"].click()
    assert m.index == 0 and "This is the first step." in c["status"].value
    c["next"].click()
    assert m.index == 1 and f"Step 2 of {n}" in c["status"].value
    assert c["text"].value != first_text and c["chart"].value != first_chart
    assert "zoomed in" in c["chart"].value  # the alt text says the map is zoomed
    for _ in range(n + 2):
        c["next"].click()
    assert m.index == n - 1 and "This is the last step." in c["status"].value
    assert "1969-71" in c["chart"].value or "2019" in c["chart"].value
    c["previous"].click()
    assert m.index == n - 2
    assert WIDGET_MIME in act._repr_mimebundle_()


def test_book_version_shows_every_step_in_order(home, monkeypatch):
    monkeypatch.setenv("HESJ_STATIC", "1")
    monkeypatch.setattr(Journal, "_connect", lambda self: (_ for _ in ()).throw(AssertionError("journal opened")))
    act = storymap.activity(STORY)
    html = act.html
    s = load_story(STORY)
    assert act.widget is None
    positions = [html.index(f"Step {k} of {len(s.steps)}: {step.title}") for k, step in enumerate(s.steps, 1)]
    assert positions == sorted(positions)
    alts = re.findall(r'<img [^>]*alt="([^"]+)"', html)
    assert len(alts) == len(s.steps) and all(a.strip() for a in alts)
    caps = re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)
    assert "National Center for Health Statistics" in caps[0] and "Bureau of the Census" in caps[2]
    assert html.count("What this shows") == len(s.steps) and html.count("<table") == len(s.steps)
    assert "{highest}" not in html and "California and Hawaii" in html


# -- checking story files ---------------------------------------------------------------------------------
@pytest.mark.parametrize("data, words", [
    (None, ["a story is a mapping"]),
    (story(steps=[]), ["no steps"]),
    ({"id": "x", "title": "T"}, ["no steps"]),
    (story(title=""), ["'title' is missing"]),
    (story(good_step(measure="happiness")), ["step 1", "unknown measure 'happiness'", "life_expectancy_2019"]),
    (story(good_step(), "just text"), ["step 2", "a step is a mapping"]),
    (story(good_step(text="")), ["step 1", "'text' is missing"]),
    (story(good_step(colour="red")), ["step 1", "unknown field(s) colour"]),
    (story(good_step(level="county")), ["mapped by state"]),
    (story(good_step(classes="jenks")), ["quantile or equal"]),
    (story(good_step(highlight="Ohio")), ["list of place names"]),
    (story(good_step(highlight=["Atlantis"])), ["'Atlantis'", "not a place"]),
    (story(good_step(zoom=[-75, 28, -95, 42])), ["lon_min, lat_min, lon_max, lat_max"]),
    (story(good_step(zoom=[-95, 28])), ["zoom"]),
    (story(good_step(text="The best is {best}.")), ["unknown placeholder {best}"]),
    (story(good_step(text="Oops {highest")), ["unmatched"]),
    (story(good_step(text="{highest:>10}")), ["placeholder"]),
    (story(id="Bad Id"), ["lower-case letters"]),
    (story(extra=1), ["unknown field(s) extra"]),
])
def test_bad_stories_get_clear_messages(data, words):
    with pytest.raises(StoryError) as err:
        validate_story(data, "stories/test.yml")
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def test_good_story_with_every_option():
    s = validate_story(story(good_step(highlight=["OH", "Texas", "06", "highest_three", "lowest"], zoom=[-100, 25, -80, 45],
                                       classes="equal", text="{measure}: {highest_three}; {lowest_two}; {median}; {n}; {{x}}"),
                             good_step(measure="poverty_2000", highlight=["Cook, IL"])))
    m = StoryModel(s)
    assert "{x}" in m.text(s.steps[0]) and "51" in m.text(s.steps[0])
    assert set(m.map_model(s.steps[0]).highlight) >= {"39", "48", "06", "28"}
    assert m.map_model(s.steps[1]).highlight == ["17031"]
    with pytest.raises(StoryError, match="steps 1 to 2"):
        m.go(5)


def test_unknown_or_unsafe_story_ids():
    with pytest.raises(StoryError, match="no story called 'nope'"):
        load_story("nope")
    with pytest.raises(StoryError, match="lower-case"):
        load_story("../course")


def test_story_maps_use_no_network(home, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a story map tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert "<img" in storymap.activity(STORY).controls["chart"].value


SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
VALUES = st.recursive(SCALARS, lambda kids: st.lists(kids, max_size=4), max_leaves=8)
STEPS = st.fixed_dictionaries({}, optional={
    "title": SCALARS, "text": st.sampled_from(["{highest}", "{x}", "{", "ok", "{highest_three} {n}", ""]) | SCALARS,
    "measure": st.sampled_from(list(mapping.builtin_measures()) + ["nope"]) | SCALARS,
    "level": st.sampled_from(["state", "county", "x"]) | SCALARS,
    "classes": st.sampled_from(["quantile", "equal"]) | VALUES,
    "highlight": st.lists(st.sampled_from(["OH", "highest", "highest_five", "Cook, IL", "lowest_eleven", "x"]), max_size=3) | VALUES,
    "zoom": st.lists(st.integers(-200, 200), min_size=4, max_size=4) | VALUES,
    "other": VALUES})


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={"id": st.sampled_from(["ok-id", "Bad"]) | SCALARS,
                                           "title": SCALARS, "summary": SCALARS,
                                           "steps": st.lists(STEPS | VALUES, max_size=3) | VALUES,
                                           "extra": VALUES}) | VALUES)
def test_story_checker_raises_only_input_errors(data):
    try:
        s = validate_story(data)
    except InputError:
        return
    m = StoryModel(s)
    for step in s.steps:  # a story that passes the checks renders its text without error
        assert isinstance(m.text(step), str)
        assert not np.isnan(m.map_model(step).values).all()
