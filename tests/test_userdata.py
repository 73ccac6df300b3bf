"""A learner's own data: measure tables (CSV) and boundaries (GeoJSON), checked all-or-nothing."""
import csv
import io
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hesj.errors import InputError
from hesj.userdata import (UserDataError, census_counties, census_states, load_boundaries_geojson,
                           load_measure_csv)

PROPS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# extra variations on a loader that already has its 1000-case properties above them
EXTRA = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COUNTY_IDS = sorted(census_counties()[0])
STATE_IDS = sorted(census_states()[0])


def square(x=0.0, y=0.0, d=1.0):
    return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def feature(pid, geometry=None, **props):
    return {"type": "Feature", "properties": {"GEOID": pid, **props},
            "geometry": geometry or {"type": "Polygon", "coordinates": [square()]}}


# -- measure tables: what loads ---------------------------------------------------------------------
def test_county_csv_by_fips_with_a_name_column_and_missing_values():
    df = load_measure_csv("fips,county,poverty,uninsured\n01001,Autauga,12.5,8\n17031,Cook,,NA\n", level="county")
    assert list(df.columns) == ["id", "name", "poverty", "uninsured"]  # the name column is kept out of the measures
    assert list(df["id"]) == ["01001", "17031"]
    assert df["name"][1] == "Cook, IL"
    assert df["poverty"][0] == 12.5 and math.isnan(df["poverty"][1]) and math.isnan(df["uninsured"][1])
    assert df.attrs["userdata"]["level"] == "county" and df.attrs["userdata"]["id_column"] == "fips"


def test_state_csv_accepts_names_postal_codes_and_fips():
    df = load_measure_csv("State,Rate\nohio,1\nDC,2\n06,3\nSaint Kitts,4\n".replace("Saint Kitts,4\n", ""),
                          level="state")
    assert list(df["id"]) == ["39", "11", "06"]
    assert list(df["name"]) == ["Ohio", "District of Columbia", "California"]


def test_county_names_with_a_state_column_match_census_spellings():
    df = load_measure_csv("county,state,x\nDE KALB,IL,1\nSt. Clair County,IL,2\nFairfax,VA,3\nFairfax city,VA,4\n",
                          level="county")
    assert list(df["id"]) == ["17037", "17163", "51059", "51600"]


def test_reads_a_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes("\ufeffGEOID,rate\r\n39049,3.5\r\n".encode("utf-8"))
    df = load_measure_csv(path, level="county")
    assert list(df["id"]) == ["39049"] and df["rate"][0] == 3.5
    assert "mine.csv" in df.attrs["userdata"]["source"]
    assert list(load_measure_csv(str(path))["id"]) == ["39049"]


def test_custom_ids_are_kept_as_text():
    df = load_measure_csv("zip,name,asthma\n02134,Allston,7.5\n 00501 ,,1\n", level="custom")
    assert list(df["id"]) == ["02134", "00501"] and list(df["name"]) == ["Allston", "00501"]


# -- measure tables: clear errors ------------------------------------------------------------------
@pytest.mark.parametrize("text, level, words", [
    ("", "county", ["empty"]),
    ("   \n  \n", "county", ["empty"]),
    ("fips,rate\n", "county", ["no data rows"]),
    ("place_code,rate\n01001,3\n", "county", ["No id column", "fips", "place_code"]),
    ("fips,rate\n1001,3\n", "county", ["Row 2", "'fips'", "'1001'", "5", "'01001'"]),
    ("fips,rate\n6,3\n", "state", ["Row 2", "'06'"]),
    ("fips,rate\n01001,3\n99999,4\n", "county", ["Row 3", "'99999'", "not a county FIPS code"]),
    ("fips,rate\n123456,3\n", "county", ["6 digits"]),
    ("fips,rate\n01001,3\n01003,12%\n", "county", ["Row 3", "'rate'", "'12%'", "not a number"]),
    ("fips,rate\n01001,3\n01003,inf\n", "county", ["'inf'", "not a number"]),
    ("fips,rate\n01001,3\n01001,4\n", "county", ["Row 3", "'01001'", "row 2", "one row per place"]),
    ("state,rate\nOhio,3\nOH,4\n", "state", ["Row 3", "one row per place"]),
    ("fips\n01001\n", "county", ["no measure column"]),
    ("fips,rate\n01001,3,4\n", "county", ["Row 2", "3 values", "2 columns"]),
    ("fips,,rate\n01001,1,3\n", "county", ["Column 2", "no name"]),
    ("fips,rate,Rate\n01001,1,3\n", "county", ["two columns", "'Rate'"]),
    ("fips,rate\n01001,\n", "county", ["'rate'", "no numbers"]),
    ("state,rate\nOhiooo,3\n", "state", ["Row 2", "'Ohiooo'", "not a state"]),
    ("county,state,rate\nNowhere,OH,3\n", "county", ["Row 2", "'Nowhere'", "Ohio"]),
    ("fips,rate\n,3\n", "county", ["Row 2", "empty"]),
    ('fips,rate\n"01001,3\n', "county", ["Row"]),
    ("missing.csv", "county", ["no file called missing.csv"]),
])
def test_bad_tables_name_the_column_and_row(text, level, words):
    with pytest.raises(UserDataError) as err:
        load_measure_csv(text, level=level)
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def test_bad_level_and_id_column_arguments():
    with pytest.raises(InputError, match="state, county, custom"):
        load_measure_csv("fips,x\n01001,1\n", level="tract")
    with pytest.raises(InputError, match="no column called 'code'"):
        load_measure_csv("fips,x\n01001,1\n", id_column="code")
    assert list(load_measure_csv("code,x\n01001,1\n", id_column="code")["id"]) == ["01001"]


def test_nothing_is_half_loaded():
    rows = "".join(f"{g},1\n" for g in COUNTY_IDS[:200])
    with pytest.raises(UserDataError, match="Row 202"):
        load_measure_csv("fips,x\n" + rows + "01001,oops\n")
    # the loader keeps no state: the good part loads on its own, the same as before
    assert len(load_measure_csv("fips,x\n" + rows)) == 200


# -- measure tables: properties ------------------------------------------------------------------
CELLS = st.one_of(st.sampled_from(["01001", "1001", "17031", "99999", "39", "6", "Ohio", "OH", "", "NA", "1.5", "-2",
                                   "1e3", "abc", "12%", '"', "1,000", " ", "nan", "inf", "\x00", "Cook", "IL"]),
                  st.text(max_size=8))
HEADERS = st.sampled_from(["fips", "geoid", "state", "county", "name", "id", "rate", "x", "", "FIPS", "zip"])


@PROPS
@given(st.text(max_size=300), st.sampled_from(["state", "county", "custom"]))
def test_any_text_loads_or_raises_input_error(text, level):
    try:
        load_measure_csv(text, level=level)
    except InputError:
        pass


@EXTRA
@given(st.lists(HEADERS, min_size=1, max_size=4), st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=6),
       st.sampled_from(["state", "county", "custom"]))
def test_csv_shaped_input_loads_or_raises_input_error(header, rows, level):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    try:
        df = load_measure_csv(buf.getvalue(), level=level)
    except InputError:
        return
    assert len(df) >= 1 and df["id"].is_unique


FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)


@PROPS
@given(st.lists(st.sampled_from(COUNTY_IDS), min_size=1, max_size=6, unique=True),
       st.integers(min_value=1, max_value=3), st.data())
def test_valid_county_tables_load_exactly(ids, ncols, data):
    values = [[data.draw(st.one_of(FINITE, st.none())) for _c in range(ncols)] for _i in ids]
    for c in range(ncols):  # every measure column needs at least one number
        if all(row[c] is None for row in values):
            values[0][c] = 1.0
    names = [f"m{c}" for c in range(ncols)]
    lines = ["fips," + ",".join(names)] + [
        g + "," + ",".join("" if v is None else repr(v) for v in row) for g, row in zip(ids, values)]
    df = load_measure_csv("\n".join(lines) + "\n", level="county")
    assert list(df["id"]) == ids
    for c, name in enumerate(names):
        got = list(df[name])
        for g, want in zip(got, (row[c] for row in values)):
            assert (math.isnan(g) if want is None else g == want)


@EXTRA
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=10)
                .filter(lambda s: s.strip() and s.strip().lower() not in ("id",)),
                min_size=1, max_size=8, unique_by=lambda s: s.strip()),
       st.lists(FINITE, min_size=8, max_size=8))
def test_valid_custom_tables_load_exactly(ids, values):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "value"])
    w.writerows([[i, repr(v)] for i, v in zip(ids, values)])
    df = load_measure_csv(buf.getvalue(), level="custom")
    assert list(df["id"]) == [i.strip() for i in ids]
    assert list(df["value"]) == values[:len(ids)]


@EXTRA
@given(st.lists(st.sampled_from(STATE_IDS), min_size=1, max_size=8, unique=True), st.data())
def test_valid_state_tables_load_exactly_by_name(ids, data):
    names = census_states()[0]
    values = [data.draw(FINITE) for _ in ids]
    text = "state,value\n" + "".join(f'"{names[i]}",{v!r}\n' for i, v in zip(ids, values))
    df = load_measure_csv(text, level="state")
    assert list(df["id"]) == ids and list(df["value"]) == values


# -- boundaries --------------------------------------------------------------------------------------
def test_valid_boundaries_load():
    multi = {"type": "MultiPolygon", "coordinates": [[square()], [square(5, 5), square(5.2, 5.2, 0.1)]]}
    df = load_boundaries_geojson(collection(feature("A1", name="North"), feature(2, multi)), "GEOID")
    assert list(df["id"]) == ["A1", "2"] and list(df["name"]) == ["North", "2"]
    assert df["geometry"][1]["type"] == "MultiPolygon" and len(df["geometry"][1]["coordinates"][1]) == 2
    assert df.attrs["userdata"]["id_property"] == "GEOID"


def test_boundaries_from_a_file_and_feature_level_ids(tmp_path):
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "d1", "properties": None,
         "geometry": {"type": "Polygon", "coordinates": [square()]}}]}))
    df = load_boundaries_geojson(path, "id")
    assert list(df["id"]) == ["d1"] and "districts.geojson" in df.attrs["userdata"]["source"]


@pytest.mark.parametrize("text, words", [
    ("", ["empty"]),
    ("{not json", ["not valid JSON", "line 1"]),
    ("[1, 2]", ["FeatureCollection", "'list'"]),
    ('{"type": "Feature"}', ["FeatureCollection", "'Feature'"]),
    ('{"type": "FeatureCollection", "features": []}', ["no features"]),
    (collection({"type": "Feature", "properties": {}, "geometry": None}), ["Feature 1", "'GEOID'"]),
    (collection(feature("a"), feature("a")), ["Feature 2", "'a'", "feature 1", "unique"]),
    (collection(feature("a"), feature(True)), ["Feature 2", "'GEOID'"]),
    (collection(feature("a", {"type": "Point", "coordinates": [0, 0]})), ["'Point'", "Polygon"]),
    (collection(feature("a", {"type": "LineString", "coordinates": [[0, 0], [1, 1]]})), ["'LineString'"]),
    (collection(feature("a", {"type": "Polygon", "coordinates": [[[0, 0], [1, "x"], [1, 1], [0, 0]]]})),
     ["Feature 1", "position", "longitude, latitude"]),
    (collection(feature("a", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 95], [0, 0]]]})),
     ["[1, 95]", "latitude"]),
    (collection(feature("a", {"type": "Polygon", "coordinates": [[[500000, 0], [1, 0], [1, 1], [500000, 0]]]})),
     ["longitude", "re-project"]),
    (collection(feature("a", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]})), ["at least 4"]),
    (collection(feature("a", {"type": "Polygon", "coordinates": []})), ["no rings"]),
    (collection(feature("a"), "not a feature"), ["Feature 2", "not a GeoJSON Feature"]),
    ("tracts.geojson", ["no file called tracts.geojson"]),
])
def test_bad_boundaries_say_what_to_fix(text, words):
    with pytest.raises(UserDataError) as err:
        load_boundaries_geojson(text, "GEOID")
    for w in words:
        assert w in str(err.value), (w, str(err.value))


def test_boundaries_need_an_id_property_name():
    with pytest.raises(UserDataError, match="id_property"):
        load_boundaries_geojson(collection(feature("a")), "")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4),
                    max_leaves=20)
GEOMS = st.fixed_dictionaries({"type": st.sampled_from(["Polygon", "MultiPolygon", "Point", "x"]),
                               "coordinates": JSON | st.lists(st.lists(st.lists(JSON, max_size=3), max_size=5),
                                                              max_size=2)})
FEATURES = st.fixed_dictionaries({"type": st.sampled_from(["Feature", "feature"]),
                                  "properties": st.dictionaries(st.sampled_from(["GEOID", "name", "x"]), JSON,
                                                                max_size=3) | JSON,
                                  "geometry": GEOMS | JSON})


@PROPS
@given(st.one_of(st.text(max_size=200), JSON.map(json.dumps),
                 st.lists(FEATURES | JSON, max_size=4).map(lambda fs: collection(*fs))))
def test_any_geojson_loads_or_raises_input_error(text):
    try:
        load_boundaries_geojson(text, "GEOID")
    except InputError:
        pass


LON = st.floats(min_value=-180, max_value=180, allow_nan=False)
LAT = st.floats(min_value=-90, max_value=90, allow_nan=False)
AREA = st.tuples(st.one_of(st.integers(0, 10**9), st.text(min_size=1, max_size=6).filter(str.strip)),
                 st.lists(st.tuples(LON, LAT), min_size=3, max_size=5), st.booleans())


@PROPS
@given(st.lists(AREA, min_size=1, max_size=3, unique_by=lambda t: str(t[0]).strip()))
def test_valid_geojson_loads_exactly(areas):
    feats, wants = [], []
    for pid, pts, multi in areas:
        ring = [list(p) for p in pts] + [list(pts[0])]
        coords = [[ring], [ring[::-1]]] if multi else [ring]
        feats.append(feature(pid, {"type": "MultiPolygon" if multi else "Polygon", "coordinates": coords}))
        wants.append(coords)
    df = load_boundaries_geojson(collection(*feats), "GEOID")
    assert list(df["id"]) == [str(pid).strip() for pid, _p, _m in areas]
    for want, geom in zip(wants, df["geometry"]):
        assert geom["coordinates"] == json.loads(json.dumps(want))
