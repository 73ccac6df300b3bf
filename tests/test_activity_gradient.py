"""Gradient explorer: survey computations, the learner's table parser (property-based),
the live view driven headless, and the printed version."""
import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hesj.activities import gradient as gr
from hesj.datasets import load
from hesj.display import WIDGET_MIME
from hesj.errors import InputError
from hesj.journal import Journal, JournalError

NHIS = load("nhis_2009")


# -- survey model ---------------------------------------------------------------------------------
def test_weighted_groups_give_true_quintiles_for_continuous_values():
    values = pd.Series(np.arange(100.0))
    groups = gr.weighted_groups(values, pd.Series(np.ones(100)))
    assert list(groups.value_counts().sort_index()) == [20] * 5
    assert groups.is_monotonic_increasing


def test_weighted_groups_keep_ties_together():
    groups = gr.weighted_groups(NHIS["inc"], NHIS["perweight"])
    assert groups.groupby(NHIS["inc"]).nunique().max() == 1  # one income value, one group
    assert groups.groupby(groups).apply(lambda s: NHIS.loc[s.index, "inc"].max()).is_monotonic_increasing


def test_compute_gradient_matches_a_hand_computed_weighted_mean():
    table, labels, note = gr.compute_gradient(NHIS, "insured", "education")
    assert labels == ["Under 12 years", "12 years", "13 to 15 years", "16 years or more"]
    low = NHIS[NHIS["yedu"] < 12]
    expected = np.average(low["hi"] * 100, weights=low["perweight"])
    got = table[(table["series"] == "all") & (table["step"] == 1)]["value"].iloc[0]
    assert got == pytest.approx(expected)
    assert table[table["series"] == "all"]["people"].sum() == len(NHIS)
    women = table[table["series"] == "women"]["people"].sum()
    assert women == (NHIS["fml"] == 1).sum()
    assert note == ""


def test_income_groups_say_why_they_are_not_exact_fifths():
    m = gr.GradientModel(NHIS, "insured", "income")
    assert m.survey_labels[0].endswith("(lowest)") and m.survey_labels[-1].endswith("(highest)")
    assert "cannot be cut into five equal fifths" in m.note
    assert f"{NHIS['inc'].nunique()} bands" in m.note


def test_summary_states_the_whole_gradient_from_the_data():
    m = gr.GradientModel(NHIS, "insured", "income")
    vals = list(m.survey_table[m.survey_table["series"] == "all"].sort_values("step")["value"])
    assert all(b > a for a, b in zip(vals, vals[1:]))
    s = m.summary()
    assert "rises at every step" in s
    assert f"from {vals[0]:.1f}% to {vals[-1]:.1f}%" in s
    assert "White or not White" in s  # the data limitation
    m.show("sex")
    assert "Women: from" in m.summary() and "Men: from" in m.summary()
    with pytest.raises(InputError, match="Unknown line group"):
        m.show("age")
    with pytest.raises(InputError, match="Unknown outcome"):
        m.recompute("wealth", "income")
    with pytest.raises(InputError, match="Unknown position"):
        m.recompute("insured", "postcode")
    assert (m.outcome, m.position) == ("insured", "income")  # bad requests change nothing
    with pytest.raises(InputError, match="missing the column"):
        gr.compute_gradient(NHIS.drop(columns=["perweight"]))


def test_describe_gradient_rising_falling_and_mixed():
    labs = ["A", "B", "C"]
    assert "rises at every step from A to C: from 1.0% to 3.0%" in gr.describe_gradient(labs, [1, 2, 3], "X", "insured")
    assert "falls at every step" in gr.describe_gradient(labs, [3, 2, 1], "X", "insured")
    mixed = gr.describe_gradient(labs, [1, 3, 2], "X", "health")
    assert "rises overall" in mixed and "falls or stays level from B to C" in mixed
    assert "biggest step is from A to B (2.00)" in mixed
    assert "too few steps" in gr.describe_gradient(labs, [1, float("nan"), float("nan")], "X", "user")


# -- the learner's table ---------------------------------------------------------------------------
def test_load_user_gradient_reads_positions_in_order_and_groups():
    t = gr.load_user_gradient("Position, Value ,group\nLow,10%,A\nMid,20,A\nHigh,30,A\nLow,15,B\nHigh,40,B\n")
    assert t.attrs["positions"] == ["Low", "Mid", "High"] and t.attrs["groups"] == ["A", "B"]
    assert list(t["value"]) == [10, 20, 30, 15, 40]
    single = gr.load_user_gradient("position,value\nBottom,1\nTop,2\n")
    assert list(single["group"]) == ["All", "All"]


def test_load_user_gradient_reads_a_file(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("\ufeffposition,value\nfirst,1.5\nsecond,2.5\n", encoding="utf-8")
    assert list(gr.load_user_gradient(str(path))["value"]) == [1.5, 2.5]
    assert list(gr.load_user_gradient(path)["position"]) == ["first", "second"]
    with pytest.raises(InputError, match="could not be read"):
        gr.load_user_gradient(str(tmp_path / "missing.csv"))
    (tmp_path / "latin.csv").write_bytes("position,value\nca\xf1on,1\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        gr.load_user_gradient(tmp_path / "latin.csv")


@pytest.mark.parametrize("text, message", [
    ("", "The table is empty"),
    ("   \n\n", "The table is empty"),
    ("position,value\n", "no data rows"),
    ("step,value\nA,1\nB,2\n", "no column named 'position'"),
    ("position,amount\nA,1\nB,2\n", "no column named 'value'"),
    ("position,value\nA,1\nB,lots\n", "Row 3, column 'value' is 'lots', which is not a number"),
    ("position,value\nA,1\nB,\n", "Row 3, column 'value' is empty"),
    ("position,value\nA,1\n,2\n", "Row 3, column 'position' is empty"),
    ("position,value\nA,1\nB,inf\n", "Row 3, column 'value' is 'inf'; write a finite number"),
    ("position,value,group\nA,1,g\nB,2,g\nA,3,g\n", "Row 4, column 'position': 'A' appears twice for group 'g' \\(first on row 2\\)"),
    ("position,value\nA,1\n", "only one step"),
    ("position,value,value\nA,1,2\n", "appears twice in the header"),
    ("position,value\nA,1,9\nB,2\n", "Row 2 has 3 cells"),
    ('position,value\n"A,1\n', "no data rows|not a number|empty|only one step|could not be read"),
])
def test_load_user_gradient_messages_name_column_and_row(text, message):
    with pytest.raises(InputError, match=message):
        gr.load_user_gradient(text)


def test_same_position_in_different_groups_is_fine():
    t = gr.load_user_gradient("position,value,group\nA,1,x\nB,2,x\nA,3,y\nB,4,y\n")
    assert len(t) == 4


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(max_size=200),
                 st.lists(st.lists(st.text(max_size=8), max_size=4), max_size=6).map(
                     lambda rows: "\n".join(",".join(r) for r in [["position", "value", "group"]] + rows))))
def test_load_user_gradient_never_raises_anything_but_input_error(text):
    try:
        table = gr.load_user_gradient(text)
    except InputError as exc:
        assert str(exc)
        return
    assert list(table.columns) == ["position", "group", "value"]
    assert np.isfinite(table["value"]).all()
    assert not table.duplicated(["group", "position"]).any()


LABEL = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=1000, deadline=None)
@given(positions=st.lists(LABEL, min_size=2, max_size=8, unique=True),
       groups=st.lists(LABEL, min_size=1, max_size=3, unique=True),
       data=st.data())
def test_valid_tables_round_trip(positions, groups, data):
    rows = []
    for g in groups:
        for p in positions:
            rows.append((p, data.draw(st.floats(allow_nan=False, allow_infinity=False, width=64)), g))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["position", "value", "group"])
    writer.writerows(rows)
    table = gr.load_user_gradient(buf.getvalue())
    assert table.attrs["positions"] == positions
    assert table.attrs["groups"] == groups
    assert list(zip(table["position"], table["value"], table["group"])) == rows


def test_a_bad_table_never_half_loads():
    m = gr.GradientModel(NHIS)
    m.use_table("position,value\nLow,1\nHigh,2\n")
    good = m.user
    with pytest.raises(InputError):
        m.use_table("position,value\nLow,1\nHigh,oops\n")
    assert m.user is good and m.labels() == ["Low", "High"]
    assert "your own table" in m.caption()


# -- live view ---------------------------------------------------------------------------------------
def test_view_changes_outcome_position_and_lines(home):
    act = gr.activity()
    c, m = act.controls, act.model
    for name in ("outcome", "position", "table_text", "use_table", "back"):
        assert c[name].description
    assert all(b.description for b in c["lines"].values())
    before = c["chart"].value
    c["outcome"].value = "health"
    assert m.outcome == "health" and c["chart"].value != before
    assert "Mean health index" in c["chart"].value
    c["position"].value = "education"
    assert m.position == "education" and "16 years or more" in c["chart"].value
    c["lines"]["race"].value = True
    assert [k for k, _l, _v in m.series()] == ["all", "white", "not_white"]
    assert "Not White" in c["chart"].value and 'role="status"' in c["status"].value
    c["lines"]["all"].value = False
    c["lines"]["race"].value = False
    assert "No lines are switched on" in c["chart"].value


def test_chart_lines_update_in_place_with_distinct_styles():
    m = gr.GradientModel(NHIS, shown={"all", "sex", "race"})
    fig, ax, lines = gr.build_chart()
    gr.update_chart(fig, ax, lines, m)
    shown = [line for line in lines if line.get_visible()]
    assert len(shown) == 5
    assert len({(line.get_marker(), str(line.get_linestyle())) for line in shown}) == 5
    m.shown = {"all"}
    m.recompute("health", "education")
    gr.update_chart(fig, ax, lines, m)
    assert sum(line.get_visible() for line in lines) == 1 and len(lines[0].get_xdata()) == 4


def test_view_own_table_saves_to_journal_and_restores(home):
    act = gr.activity(unit="rhi-2")
    c, m = act.controls, act.model
    c["table_text"].value = "position,value\nLow,1\nLow,2\n"
    c["use_table"].click()
    assert "appears twice" in c["status"].value and "still shows" in c["status"].value
    assert m.mode == "survey"
    assert Journal().get("rhi-2", "gradient/own-table", kind=gr.JOURNAL_KIND).text.endswith("Low,2\n")
    c["table_text"].value = "position,value\nLow,1\nHigh,2\n"
    c["use_table"].click()
    assert "✔" in c["status"].value and m.mode == "user" and c["outcome"].disabled
    assert "Low" in c["chart"].value and "your own table" in c["chart"].value
    again = gr.activity(unit="rhi-2")
    assert again.controls["table_text"].value == "position,value\nLow,1\nHigh,2\n"
    assert "restored" in again.controls["status"].value
    c["back"].click()
    assert m.mode == "survey" and not c["outcome"].disabled


def test_failed_journal_save_keeps_the_text(home):
    class BrokenJournal:
        def get(self, *a, **k):
            return None

        def save(self, *a, **k):
            raise JournalError("Your journal could not be saved: the disk is full.")

    act = gr.view(gr.GradientModel(NHIS), journal=BrokenJournal())
    act.controls["table_text"].value = "position,value\nLow,1\nHigh,2\n"
    act.controls["use_table"].click()
    assert act.controls["table_text"].value == "position,value\nLow,1\nHigh,2\n"
    assert "disk is full" in act.controls["status"].value
    assert act.model.mode == "user"  # the chart still works


# -- static version ----------------------------------------------------------------------------------
def test_static_html_has_alt_caption_summary_limitation_and_table():
    html = gr.static_html()
    assert '<img src="data:image/png;base64,' in html
    alt = html.split('alt="')[1].split('"')[0]
    assert "rises at every step" in alt
    assert "National Center for Health Statistics" in html  # the caption names the source
    assert "race is recorded only as White or not White" in html
    assert "What this shows" in html and "<table" in html and "Not White" in html


def test_static_html_for_a_users_table():
    html = gr.static_html(data="position,value\nLow,1\nHigh,2\n")
    assert "your own table" in html and "<table" in html


def test_static_mode_never_opens_the_journal(home, monkeypatch):
    monkeypatch.setenv("HESJ_STATIC", "1")
    monkeypatch.setattr(Journal, "_connect", lambda self: (_ for _ in ()).throw(AssertionError("journal opened")))
    bundle = gr.activity(outcome="health", position="education")._repr_mimebundle_()
    assert WIDGET_MIME not in bundle and "<table" in bundle["text/html"]
    json.dumps(bundle)
