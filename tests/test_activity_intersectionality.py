"""Intersectionality explorer: weighted crosstabs and their validation, the live view
driven headless, and the printed default crossing."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hesj.activities import intersectionality as ix
from hesj.datasets import load
from hesj.display import WIDGET_MIME
from hesj.errors import InputError
from hesj.journal import Journal

NHIS = load("nhis_2009")


# -- model --------------------------------------------------------------------------------------------
def test_crosstab_is_weighted_and_covers_everyone():
    t = ix.crosstab(NHIS, ("race", "sex"), "insured")
    assert len(t) == 4 and t["people"].sum() == len(NHIS)
    assert t["share"].sum() == pytest.approx(100)
    sub = NHIS[(NHIS["nwhite"] == 1) & (NHIS["fml"] == 1)]
    row = t[t["group"] == "Not White · Women"].iloc[0]
    assert row["people"] == len(sub)
    assert row["value"] == pytest.approx(np.average(sub["hi"] * 100, weights=sub["perweight"]))
    h = ix.crosstab(NHIS, ("employment", "sex"), "health")
    emp = NHIS[(NHIS["empl"] == 1) & (NHIS["fml"] == 0)]
    assert h[h["group"] == "Employed · Men"]["value"].iloc[0] == pytest.approx(
        np.average(emp["hlth"], weights=emp["perweight"]))


def test_income_split_is_as_close_to_half_as_the_bands_allow():
    cut = ix.split_near_half(NHIS["inc"], NHIS["perweight"])
    lower = NHIS.loc[NHIS["inc"] <= cut, "perweight"].sum() / NHIS["perweight"].sum()
    for v in sorted(NHIS["inc"].unique())[:-1]:
        other = NHIS.loc[NHIS["inc"] <= v, "perweight"].sum() / NHIS["perweight"].sum()
        assert abs(lower - 0.5) <= abs(other - 0.5) + 1e-12
    note = ix.income_note(NHIS, "income")
    assert "as close to equal as the bands allow" in note and "% of adults" in note


@pytest.mark.parametrize("cats, message", [
    (("sex",), "at least two different categories"),
    ((), "at least two different categories"),
    (("sex", "sex"), "Sex is chosen twice"),
    (("income", "income_groups"), "Income is chosen twice"),
    (("sex", "race", "income", "employment"), "at most three"),
    (("sex", "religion"), "Unknown category 'religion'"),
    (5, "as a list"),
])
def test_bad_requests_say_what_to_fix(cats, message):
    with pytest.raises(InputError, match=message):
        ix.crosstab(NHIS, cats, "insured")


def test_unknown_outcome_and_missing_columns():
    with pytest.raises(InputError, match="Unknown outcome"):
        ix.crosstab(NHIS, ("sex", "race"), "wealth")
    with pytest.raises(InputError, match="missing the column"):
        ix.crosstab(NHIS.drop(columns=["empl"]), ("sex", "race"), "insured")


@settings(max_examples=1000, deadline=None)
@given(cats=st.one_of(st.lists(st.one_of(st.sampled_from(ix.CATEGORIES + ("", "age")), st.none(),
                                         st.integers(), st.text(max_size=5)), max_size=5),
                      st.text(max_size=10), st.integers()),
       outcome=st.one_of(st.sampled_from(ix.OUTCOMES), st.text(max_size=8), st.none()))
def test_request_validation_only_ever_raises_input_error(cats, outcome):
    try:
        out = ix.check_request(NHIS, cats, outcome)
    except InputError as exc:
        assert str(exc)
        return
    assert 2 <= len(out) <= 3 and len(set(out)) == len(out) and outcome in ix.OUTCOMES


def test_crossed_range_is_never_narrower_than_a_single_axis_range():
    for cats in [("race", "sex"), ("race", "sex", "income"), ("income_groups", "employment", "race")]:
        m = ix.IntersectionModel(NHIS, cats, "insured")
        valid = m.crossed[m.crossed["people"] > 0]["value"]
        assert valid.max() - valid.min() >= max(m.single_ranges().values()) - 1e-9


def test_summary_names_lowest_and_highest_groups_and_compares_ranges():
    m = ix.IntersectionModel(NHIS)  # the default crossing: race x sex x income
    assert m.categories == ("race", "sex", "income")
    ok = m.crossed[m.crossed["people"] >= ix.MIN_N]
    lo, hi = ok.loc[ok["value"].idxmin()], ok.loc[ok["value"].idxmax()]
    s = m.summary()
    assert f"{lo['group']} has the lowest" in s and f"{hi['group']} the highest" in s
    assert f"({lo['value']:.1f}%, {lo['people']:,} people" in s
    widest = max(m.single_ranges().values())
    assert f"the widest spread is in" in s and f"{widest:.1f} percentage points" in s
    assert "times as wide" in s
    assert "race is recorded only as White or not White and sex only as women or men" in s
    # the single-axis race gap hides groups where it runs the other way
    assert any("other way round" in r for r in m.reversals())


def test_small_groups_are_flagged():
    sample = NHIS.sample(400, random_state=1)
    sample.attrs = NHIS.attrs
    m = ix.IntersectionModel(sample, ("income_groups", "race", "employment"), "insured")
    small = m.small_groups()
    assert small and all(m.crossed.set_index("group").loc[g, "people"] < ix.MIN_N for g in small)
    assert "Fewer than 30 people in the survey" in m.summary()
    assert "fewer than 30 people" in " ".join(m.crossed_table()["Note"])
    fig, art = ix.build_chart()
    ix.update_chart(fig, art, m)
    assert art["note"].get_visible()
    labels = [t.get_text() for t in art["crossed"][1] if t.get_visible()]
    assert any(label.endswith("*") for label in labels)


def test_bars_update_in_place_with_hatching_and_labels():
    m = ix.IntersectionModel(NHIS, ("race", "sex", "income"), "insured")
    fig, art = ix.build_chart()
    ix.update_chart(fig, art, m)
    bars, texts = art["crossed"]
    shown = [b for b in bars if b.get_visible()]
    assert len(shown) == 8
    assert len({(b.get_facecolor(), b.get_hatch()) for b in shown}) == 8  # colour is never the only cue
    assert [t.get_text() for t in art["right"].get_yticklabels()][0].startswith("White")
    widths = [b.get_width() for b in shown]
    m.set(("sex", "employment"), "health")
    ix.update_chart(fig, art, m)
    assert sum(b.get_visible() for b in bars) == 4
    assert [b.get_width() for b in bars if b.get_visible()] != widths[:4]
    assert art["right"].get_xlim()[1] == pytest.approx(5 * 1.25)


# -- live view -----------------------------------------------------------------------------------------
def test_view_dropdowns_change_the_crossing(home):
    act = ix.activity()
    c, m = act.controls, act.model
    for name in ("first", "second", "third", "outcome"):
        assert c[name].description
    assert c["third"].description == "Third category (optional)"
    before = c["chart"].value
    c["third"].value = ""
    assert m.categories == ("race", "sex") and "4 crossed groups" in c["status"].value
    assert c["chart"].value != before
    c["second"].value = "race"  # the same category twice: refused, nothing changes
    assert "chosen twice" in c["status"].value and 'role="status"' in c["status"].value
    assert m.categories == ("race", "sex")
    c["second"].value = "employment"
    assert m.categories == ("race", "employment")
    c["outcome"].value = "health"
    assert m.outcome == "health" and "Mean health index" in c["chart"].value
    assert "<table" in c["tables"].value and "<table" in c["chart"].value


# -- static version ---------------------------------------------------------------------------------------
def test_static_html_default_crossing():
    html = ix.static_html()
    assert '<img src="data:image/png;base64,' in html
    alt = html.split('alt="')[1].split('"')[0]
    assert "crossed groups" in alt and "spread" in alt
    assert "National Center for Health Statistics" in html
    assert "White or not White" in html and "women or men" in html
    assert "What this shows" in html and html.count("<table") == 2
    assert "Not White · Women · Lower income" in html


def test_static_mode_never_opens_the_journal(home, monkeypatch):
    monkeypatch.setenv("HESJ_STATIC", "1")
    monkeypatch.setattr(Journal, "_connect", lambda self: (_ for _ in ()).throw(AssertionError("journal opened")))
    bundle = ix.activity(("sex", "employment"), "health")._repr_mimebundle_()
    assert WIDGET_MIME not in bundle and "<table" in bundle["text/html"]
    json.dumps(bundle)
