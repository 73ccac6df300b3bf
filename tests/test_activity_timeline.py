"""Timeline explorer: the model (filtering, zoom, validation), the live view driven
headless, and the printed version for the book."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hesj.activities import timeline as tl
from hesj.datasets import load
from hesj.display import WIDGET_MIME
from hesj.errors import InputError
from hesj.journal import Journal

DF = load("us_timeline")
LO, HI = int(DF["year"].min()), int(DF["year"].max())


# -- model ---------------------------------------------------------------------------------------
def test_filter_events_by_theme_and_years():
    every = tl.filter_events(DF)
    assert len(every) == len(DF)
    assert list(every["date"]) == sorted(every["date"])  # oldest first
    housing = tl.filter_events(DF, ["housing"], 1900, 1970)
    assert len(housing) > 0
    assert set(housing["domain"]) == {"housing"}
    assert housing["year"].between(1900, 1970).all()
    assert len(tl.filter_events(DF, [], LO, HI)) == 0  # no theme ticked: nothing, not an error
    assert len(tl.filter_events(DF, "labour")) == (DF["domain"] == "labour").sum()


def test_filter_events_rejects_bad_input_with_plain_messages():
    with pytest.raises(InputError, match="Unknown theme.*housng. Choose from: housing"):
        tl.filter_events(DF, ["housng"])
    with pytest.raises(InputError, match=r"start year \(1990\) is after the end year \(1950\)"):
        tl.filter_events(DF, None, 1990, 1950)
    with pytest.raises(InputError, match=f"outside the timeline, which runs from {LO} to {HI}"):
        tl.filter_events(DF, None, 1700, 1950)
    with pytest.raises(InputError, match="whole number"):
        tl.filter_events(DF, None, "nineteen-fifty", 1960)
    with pytest.raises(InputError, match="whole number"):
        tl.filter_events(DF, None, 1950.5, 1960)
    with pytest.raises(InputError, match="as a list"):
        tl.filter_events(DF, 42)


def test_zoom_stays_inside_the_data_and_never_below_a_decade():
    assert tl.zoom(LO, HI, LO, HI, 0.5)[1] - tl.zoom(LO, HI, LO, HI, 0.5)[0] == round((HI - LO) / 2)
    s, e = 1960, 1970
    assert tl.zoom(s, e, LO, HI, 0.5) == (1960, 1970)  # a decade is as close as it goes
    assert tl.zoom(LO, LO + 10, LO, HI, 2.0)[0] == LO  # slides back inside the data
    assert tl.zoom(LO, HI, LO, HI, 2.0) == (LO, HI)


def test_model_summary_and_alt_are_computed_from_the_events():
    m = tl.TimelineModel(DF, ["housing", "labour"], 1930, 1970)
    n = len(m.events)
    counts = m.events["domain"].value_counts()
    assert f"{n} events from 1930 to 1970" in m.summary()
    assert f"Housing {counts['housing']}; Labour {counts['labour']}" in m.summary()
    decade, top = m.busiest_decade()
    assert f"{decade}s ({top} events)" in m.alt()
    assert m.status() == f"Showing {n} of {len(DF)} events, 1930 to 1970."
    with pytest.raises(InputError):
        m.set_period(1970, 1930)
    assert (m.start, m.end) == (1930, 1970)  # a bad request changes nothing
    with pytest.raises(InputError, match="not among the events shown"):
        m.select("no-such-event")
    d = m.details()
    assert d["id"] == m.events["id"].iloc[0] and d["summary"] and d["source"]


@settings(max_examples=1000, deadline=None)
@given(themes=st.one_of(st.none(), st.text(max_size=12), st.lists(st.sampled_from(
           list(tl.THEME_ORDER) + ["", "Housing", "x"]), max_size=4), st.integers()),
       start=st.one_of(st.none(), st.integers(1500, 2200), st.text(max_size=6), st.floats(allow_nan=True)),
       end=st.one_of(st.none(), st.integers(1500, 2200), st.text(max_size=6), st.booleans()))
def test_filter_events_only_ever_raises_input_error(themes, start, end):
    try:
        out = tl.filter_events(DF, themes, start, end)
    except InputError as exc:
        assert str(exc)
        return
    assert set(out["domain"]) <= set(tl.THEME_ORDER)
    assert len(out) <= len(DF)


# -- live view ---------------------------------------------------------------------------------------
def test_view_filters_zooms_and_opens_details(home):
    act = tl.activity()
    c, m = act.controls, act.model
    assert all(b.description for b in c["themes"].values())
    assert c["year_from"].description == "From year" and c["year_to"].description == "To year"
    assert c["event_details"].description == "Event details"
    assert f"Showing {len(DF)} of {len(DF)} events" in c["status"].value and 'role="status"' in c["status"].value
    chart_before = c["chart"].value
    c["themes"]["housing"].value = False
    assert "housing" not in m.themes
    assert f"Showing {len(DF) - (DF['domain'] == 'housing').sum()} of" in c["status"].value
    assert c["chart"].value != chart_before
    assert "<table" in c["events"].value and "Housing" not in c["events"].value.split("<tbody>")[1]
    c["zoom_in"].click()
    assert m.end - m.start < HI - LO and (c["year_from"].value, c["year_to"].value) == (m.start, m.end)
    c["year_to"].value = 1945
    c["year_from"].value = 1930
    assert (m.start, m.end) == (1930, 1945)
    assert all(1930 <= y <= 1945 for y in m.events["year"])
    c["zoom_out"].click()
    assert m.end - m.start == 30
    c["show_all"].click()
    assert (m.start, m.end) == (LO, HI) and (c["year_from"].value, c["year_to"].value) == (LO, HI)
    # a start after the end is refused with a message, and the chart keeps the last good period
    c["year_from"].value = 2000
    c["year_to"].value = 1990
    assert "⚠" in c["status"].value
    # the details list is keyboard-usable (a Select) and shows the chosen event
    target = c["event_details"].options[3][1]
    c["event_details"].value = target
    row = DF[DF["id"] == target].iloc[0]
    assert m.selected == target
    assert row["title"].replace("'", "&#x27;") in c["details"].value or row["title"] in c["details"].value
    for b in c["themes"].values():
        b.value = False
    assert "Tick at least one theme" in c["status"].value
    assert "No events match" in c["chart"].value


def test_chart_markers_update_in_place():
    m = tl.TimelineModel(DF)
    fig, ax, lines = tl.build_chart(m.all_themes)
    tl.update_chart(fig, ax, lines, m)
    first = {t: len(line.get_xdata()) for t, line in lines.items()}
    assert first == {t: (DF["domain"] == t).sum() for t in m.all_themes}
    assert len({line.get_marker() for line in lines.values()}) == len(lines)  # a marker per theme
    m.set_view(["labour"], 1930, 1940)
    tl.update_chart(fig, ax, lines, m)
    assert not lines["housing"].get_visible()
    assert all(1930 <= x <= 1940 for x in lines["labour"].get_xdata())
    assert ax.get_xlim()[0] < 1930 < 1940 < ax.get_xlim()[1]


# -- static version ------------------------------------------------------------------------------------
def test_static_html_has_figure_alt_caption_summary_and_table():
    html = tl.static_html()
    assert '<img src="data:image/png;base64,' in html
    alt = html.split('alt="')[1].split('"')[0]
    assert alt.startswith("Timeline of 72 events") or "events from" in alt
    assert "Source: HESJ course authors" in html  # the caption names the data source
    assert "What this shows" in html and "<table" in html and 'scope="col"' in html
    for title in DF["title"].head(5):
        assert title.replace("'", "&#x27;").replace("&", "&amp;") in html or title in html


def test_static_mode_gives_html_and_never_opens_the_journal(home, monkeypatch):
    monkeypatch.setenv("HESJ_STATIC", "1")
    monkeypatch.setattr(Journal, "_connect", lambda self: (_ for _ in ()).throw(AssertionError("journal opened")))
    act = tl.activity(themes=["housing"], start=1900, end=2000)
    bundle = act._repr_mimebundle_()
    assert WIDGET_MIME not in bundle and "<table" in bundle["text/html"]
    json.dumps(bundle)
