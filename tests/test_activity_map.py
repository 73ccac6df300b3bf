"""Map explorer: model, headless view, static rendering, user data, bad input, no network."""
import json
import re
import socket
import time
from pathlib import Path

import numpy as np
import pytest

from hesj import datasets
from hesj.activities import mapping
from hesj.activities.mapping import MapError, MapFigure, builtin_model, classify, ranks
from hesj.display import WIDGET_MIME
from hesj.errors import InputError
from hesj.journal import Journal
from hesj.userdata import load_boundaries_geojson, load_measure_csv

ROOT = Path(__file__).resolve().parent.parent


# -- the model ------------------------------------------------------------------------------------------
def test_classify_quantiles_and_equal_intervals():
    v = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan])
    q = classify(v, "quantile")
    assert q.k == 5 and q.counts == [2, 2, 2, 2, 2] and q.index[-1] == -1
    assert q.labels[0] == "1 to 2" and q.labels[-1] == "9 to 10"
    e = classify(np.array([0, 1, 2, 10]), "equal")
    assert list(e.edges) == [0, 2, 4, 6, 8, 10] and e.counts == [2, 1, 0, 0, 1]
    assert e.labels[2] == "4 to 6"  # an empty class shows its interval
    assert classify(np.array([3.0, 3.0]), "quantile").k == 1
    assert classify(np.array([np.nan]), "quantile").k == 0
    with pytest.raises(MapError, match="quantile"):
        classify(v, "natural")


def test_ranks_share_ties():
    assert list(ranks(np.array([5.0, 7.0, 7.0, np.nan, 1.0]))) == [3, 1, 1, 0, 4]


def test_state_map_geography_and_insets():
    m = builtin_model("state")
    geo = m.geography
    assert len(geo.ids) == 51 and "72" not in geo.ids and "11" in geo.ids  # territories out, DC in
    assert len(geo.frames) == 2  # Alaska and Hawaii insets
    assert "Alaska and Hawaii" in m.caption() and "not true to life" in m.caption()
    # the insets sit below the lower 48
    ak, ca = geo.verts[geo.index["02"]], geo.verts[geo.index["06"]]
    assert ak[:, 1].max() < ca[:, 1].min() + 0.1 and ak[:, 0].min() >= geo.extent[0]


def test_summary_is_computed_from_the_table():
    m = builtin_model("state", "life_expectancy_2019")
    df = datasets.load("state_life_expectancy_2019")
    hi, lo = df["life_expectancy_years"].max(), df["life_expectancy_years"].min()
    top = sorted(df.loc[df["life_expectancy_years"] == hi, "state"])
    low = sorted(df.loc[df["life_expectancy_years"] == lo, "state"])
    s = m.summary()
    assert " and ".join(top) in s and f"{hi:.1f} years" in s and low[0] in s and f"{lo:.1f} years" in s
    assert f"range is {hi - lo:.1f} years across 51 states" in s
    assert m.notes() == ["All 51 rows of the table matched a place on the map."]


def test_dc_missing_from_1970s_table_is_no_data():
    m = builtin_model("state", "hs_grad_1970")
    e = m.extremes()
    assert e["missing"] == ["District of Columbia"] and e["n"] == 50
    assert "No data (hatched): District of Columbia" in m.summary()
    table = m.table()
    row = table[table["Place"] == "District of Columbia"].iloc[0]
    assert row["Class"] == "no data" and row.iloc[2] == "no data"
    fig = MapFigure(m.geography)
    fig.update(m)
    assert len(fig.nodata.get_paths()) == 1 and fig.nodata.get_hatch() == mapping.NO_DATA_HATCH
    labels = [t.get_text() for t in fig.legend.get_texts()]
    assert labels[-1] == "No data (1 state)" and len(labels) == 6


def test_county_join_reports_matches():
    m = builtin_model("county", "poverty_2000")
    assert len(m.geography.ids) == 437 and m.notes() == ["All 437 rows of the table matched a place on the map."]
    midwest = datasets.load("midwest_counties")
    assert m.extremes()["high"] == pytest.approx(midwest["percbelowpoverty"].max())
    assert "Counties are shown for IL, IN, MI, OH, WI" in m.caption()


def test_place_details_value_rank_and_class():
    m = builtin_model("state", "life_expectancy_2019")
    m.set_place("MS")
    assert m.place == "28"
    assert m.status().startswith("Mississippi: 74.4 years. Rank 51 of 51 (1 = highest). Class 1 of 5")
    m.set_place("Hawaii")
    assert "Rank 1 of 51 (1 = highest), tied" in m.status()
    m.set_measure("life_expectancy_1970")
    m.set_place("District of Columbia")
    assert m.status() == "District of Columbia: no data for Life expectancy, 1969-71."
    with pytest.raises(MapError, match="no place called 'Atlantis'"):
        m.set_place("Atlantis")


# -- the live view ------------------------------------------------------------------------------------------
def test_view_controls_are_labelled_and_update_the_map(home):
    act = mapping.activity(measure="life_expectancy_2019")
    c = act.controls
    for name in ("measure", "classes", "place"):
        assert c[name].description and c[name].style.description_width == "initial"
    fig = c["figure"]
    places = fig.places
    before_face = places.get_facecolor().copy()
    before = c["chart"].value
    assert 'alt="Map of US states' in before and "<table" in before

    c["measure"].value = "income_1974"
    assert act.model.measure == "income_1974"
    assert c["chart"].value != before and "Income per person, 1974" in c["chart"].value
    assert fig.places is places  # the same artist: only its colours changed
    assert not np.array_equal(places.get_facecolor(), before_face)
    assert "No data" in c["chart"].value  # DC in the 1970s table

    c["classes"].value = "equal"
    assert act.model.method == "equal" and "equal-interval classes" in c["chart"].value

    c["place"].value = "39"
    assert act.model.place == "39"
    assert 'role="status"' in c["status"].value and "Ohio:" in c["status"].value and "Rank" in c["status"].value
    assert len(fig.outline.get_paths()) == 1 and "Outlined: Ohio" in c["chart"].value
    c["place"].value = ""
    assert len(fig.outline.get_paths()) == 0 and "Choose a place" in c["status"].value
    assert WIDGET_MIME in act._repr_mimebundle_()


def test_county_map_first_draw_is_fast(home):
    mapping.us_geography.cache_clear()
    start = time.perf_counter()
    act = mapping.activity(level="county", measure="poverty_2000")
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, f"the county map took {elapsed:.2f} s to draw"  # about 1.3 s on a laptop
    start = time.perf_counter()
    act.controls["measure"].value = "college_2000"
    assert time.perf_counter() - start < 1.0
    assert len(act.controls["place"].options) == 438


# -- static rendering -------------------------------------------------------------------------------------
def test_static_mode_gives_the_book_version_and_never_opens_the_journal(home, monkeypatch):
    monkeypatch.setenv("HESJ_STATIC", "1")
    monkeypatch.setattr(Journal, "_connect", lambda self: (_ for _ in ()).throw(AssertionError("journal opened")))
    act = mapping.activity(measure="life_expectancy_1970")
    assert act.widget is None and WIDGET_MIME not in act._repr_mimebundle_()
    html = act.html
    alt = re.search(r'<img [^>]*alt="([^"]+)"', html).group(1)
    assert "Map of US states" in alt and "Highest: Hawaii" in alt
    cap = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S).group(1)
    assert "Bureau of the Census" in cap and "Census cartographic boundaries" in cap
    assert "What this shows" in html and "<table" in html and "District of Columbia" in html
    assert "How the table joins the map" in html


def test_static_table_lists_every_place():
    m = builtin_model("county")
    html = mapping.static_html(m)
    assert html.count('<th scope="row">') == 437 and "Showing the first" not in html


# -- a learner's own data ---------------------------------------------------------------------------------
def test_users_state_table_maps_on_census_states(home):
    df = load_measure_csv("state,smoking,obesity\nOhio,20.1,35\nTexas,14,\n", level="state")
    act = mapping.activity(data=df)
    assert [o[1] for o in act.controls["measure"].options] == ["smoking", "obesity"]
    assert act.model.extremes()["n"] == 2
    assert "your own data" in act.model.caption()
    act.controls["measure"].value = "obesity"
    assert "Ohio" in act.controls["chart"].value and act.model.extremes()["n"] == 1


def test_users_county_table_draws_only_its_states():
    df = load_measure_csv("fips,rate\n39049,3\n39035,4\n", level="county")
    m = mapping.user_model(df)
    assert {i[:2] for i in m.geography.ids} == {"39"} and m.extremes()["n"] == 2


def test_users_boundaries_and_table_join_on_the_id_and_report_mismatches():
    gj = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"district": d, "name": f"District {d}"},
         "geometry": {"type": "Polygon", "coordinates": [[[x, 40], [x + 1, 40], [x + 1, 41], [x, 41], [x, 40]]]}}
        for d, x in (("A", -84), ("B", -83), ("C", -82))]})
    bounds = load_boundaries_geojson(gj, "district")
    data = load_measure_csv("district,asthma\nA,7.5\nB,9\nZ,3\n", level="custom")
    act = mapping.activity(data=data, boundaries=bounds, level="custom")
    m = act.model
    assert m.geography.names == ["District A", "District B", "District C"]
    notes = " ".join(m.notes())
    assert "1 rows of your data matched no area" in notes and "Z" in notes
    assert "1 areas on the map have no value" in notes
    assert "District C" in m.summary()  # the no-data area is named
    html = mapping.static_html(m)
    assert "<img" in html and "areas" in html


# -- bad input ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, words", [
    ({"measure": "wealth"}, ["no state measure 'wealth'", "life_expectancy_2019"]),
    ({"measure": "poverty_2000"}, ["county-level measure", "level='county'"]),
    ({"level": "tract"}, ["'state', 'county' or 'custom'"]),
    ({"level": "custom"}, ["boundaries= and data="]),
    ({"classes": "jenks"}, ["quantile", "equal"]),
    ({"place": "Narnia"}, ["no place called 'Narnia'"]),
    ({"data": "not a table"}, ["load_measure_csv"]),
])
def test_bad_requests_say_what_to_change(kwargs, words, home):
    with pytest.raises(InputError) as err:
        mapping.activity(**kwargs)
    for w in words:
        assert w in str(err.value)


def test_boundaries_without_data_are_refused():
    with pytest.raises(MapError, match="data= too"):
        mapping.activity(boundaries=object())


# -- nothing from the network -----------------------------------------------------------------------------
MODULES = [ROOT / "hesj" / "activities" / "mapping.py", ROOT / "hesj" / "activities" / "storymap.py",
           ROOT / "hesj" / "userdata.py"]


def test_no_urls_or_network_modules_in_the_code():
    for path in MODULES:
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|ftp://|www\.", code), path.name
        assert not re.search(r"^\s*(import|from)\s+(urllib|requests|http|socket|httpx|aiohttp)\b", code, re.M), path.name


def test_maps_draw_with_the_network_switched_off(home, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a map tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    mapping.us_geography.cache_clear()
    mapping._builtin_table.cache_clear()
    assert "<img" in mapping.activity(level="county").controls["chart"].value
    assert "<img" in mapping.activity(measure="hs_grad_1970").controls["chart"].value
