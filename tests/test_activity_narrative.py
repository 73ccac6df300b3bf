"""Narrative lab: the cited lexicon, cue matching, sentence splitting and escaping (property-based),
the learner's table, the live view and the book version."""
import html
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hesj.activities import narrative as nl
from hesj.display import WIDGET_MIME
from hesj.errors import InputError
from hesj.journal import Journal, JournalError

ROOT = Path(__file__).resolve().parent.parent
LEX = nl.load_lexicon()


# -- the lexicon ---------------------------------------------------------------------------------
def bib_keys() -> set[str]:
    files = [ROOT / "references.bib", *sorted((ROOT / "drafts" / "bib").glob("*.bib"))]
    text = "\n".join(p.read_text(encoding="utf-8") for p in files if p.exists())
    return set(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.M))


def test_lexicon_is_complete_and_every_category_is_cited():
    kinds = [c.kind for c in LEX.categories]
    assert kinds.count("structural") >= 1 and kinds.count("dominant") >= 5
    keys = bib_keys()
    for c in LEX.categories:
        assert c.description and c.reframe and c.cues
        assert all(cue == cue.lower() for cue in c.cues)
        for k in c.source:
            assert k in keys, f"{c.id} cites {k}, which is in no .bib file"
            assert k in LEX.sources, f"{k} has no short citation in the lexicon's sources"
    header = (ROOT / "hesj" / "data" / "narrative_lexicon.yml").read_text(encoding="utf-8").split("version:")[0]
    assert "course's own curation" in header


def test_lexicon_parser_names_the_bad_field():
    with pytest.raises(InputError, match="non-empty list under 'categories'"):
        nl.parse_lexicon({})
    good = {"id": "a", "name": "A", "kind": "dominant", "description": "d", "reframe": "r", "cues": ["x"],
            "source": ["K"]}
    with pytest.raises(InputError, match="kind must be one of"):
        nl.parse_lexicon({"categories": [dict(good, kind="odd")]})
    with pytest.raises(InputError, match="must be lower case"):
        nl.parse_lexicon({"categories": [dict(good, cues=["Upper"])]})
    with pytest.raises(InputError, match="used twice"):
        nl.parse_lexicon({"categories": [good, good]})
    with pytest.raises(InputError, match="'source' list"):
        nl.parse_lexicon({"categories": [dict(good, source=[])]})


# -- matching ------------------------------------------------------------------------------------
def cues_in(text):
    return [(text[m.start:m.end], m.category) for m in nl.find_cues(text, LEX)]


def test_cue_matching_rules():
    assert cues_in("Taxpayers and a taxpayer.") == [("Taxpayers", "scarcity-taxpayers"),
                                                    ("taxpayer", "scarcity-taxpayers")]
    assert ("policies", "structural") in cues_in("New policies matter.")  # policy -> policies
    assert cues_in("Some self control.") == [("self control", "personal-responsibility")]  # hyphen or space
    assert cues_in("They can’t afford it") == [("can’t afford", "scarcity-taxpayers")]  # curly apostrophe
    assert cues_in("Her willpower; a lawn.") == [("willpower", "personal-responsibility")]  # no 'power', no 'law'
    # the longer cue wins where cues overlap
    assert cues_in("It is a lifestyle choice.") == [("lifestyle choice", "personal-responsibility")]
    assert cues_in("PERSONAL\nRESPONSIBILITY") == [("PERSONAL\nRESPONSIBILITY", "personal-responsibility")]


def test_sentences_and_highlighting():
    text = "Dr. Lee said the U.S. has a plan. Taxpayers pay!\nNew line <b>here</b>"
    assert [s.text for s in nl.split_sentences(text)] == [
        "Dr. Lee said the U.S. has a plan.", "Taxpayers pay!", "New line <b>here</b>"]
    out = nl.highlight_html(text, nl.find_cues(text, LEX), LEX)
    assert '<mark class="hesj-cue">Taxpayers</mark><span class="hesj-cue-label"> [Scarcity / cost to taxpayers]</span>' in out
    assert "&lt;b&gt;here&lt;/b&gt;" in out and "<b>" not in out


@pytest.mark.parametrize("bad, message", [("", "empty"), ("   \n", "empty"), (None, "Paste some text"),
                                          ("x" * (nl.MAX_TEXT_CHARS + 1), "at most 20,000")])
def test_empty_or_oversized_text_is_refused(bad, message):
    for fn in (nl.find_cues, nl.split_sentences):
        with pytest.raises(InputError, match=message):
            fn(bad)


# -- property-based tests of the pure functions -------------------------------------------------
ALL_CUES = sorted({cue for c in LEX.categories for cue in c.cues})
pieces = st.one_of(
    st.sampled_from(ALL_CUES),
    st.sampled_from(ALL_CUES).map(str.upper),
    st.sampled_from(ALL_CUES).map(lambda c: c + "s"),
    st.text(max_size=8),
    st.sampled_from([" ", "  ", "\n", ". ", "! ", "? ", "<", ">", "&", "&amp;", '"', "'", "-", "Dr. ", "U.S. ",
                     "<script>alert(1)</script>", "</mark>", "’", "…", "\r\n"]),
)
texts = st.lists(pieces, max_size=40).map("".join)
LABEL = re.compile(r'<span class="hesj-cue-label"> \[[^<]*\]</span>')
OURS = re.compile(r'</?div[^>]*>|<mark class="hesj-cue">|</mark>')


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_matcher_splitter_and_escaping_properties(text):
    try:
        matches = nl.find_cues(text, LEX)
    except InputError:
        assert not text.strip()
        return
    patterns = {cue: re.compile(nl.cue_pattern(cue), re.IGNORECASE) for cue in ALL_CUES}
    last = 0
    for m in matches:  # every reported span really is a cue, in order, without overlaps
        assert 0 <= m.start < m.end <= len(text) and m.start >= last
        assert patterns[m.cue].fullmatch(text[m.start:m.end])
        assert m.cue in LEX.category(m.category).cues
        last = m.end
    sentences = nl.split_sentences(text)
    covered = set()
    prev = 0
    for s in sentences:
        assert s.text and s.text == s.text.strip() and text[s.start:s.end] == s.text and s.start >= prev
        covered.update(range(s.start, s.end))
        prev = s.end
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    out = nl.highlight_html(text, matches, LEX)
    bare = OURS.sub("", LABEL.sub("", out))
    assert "<" not in bare and ">" not in bare  # nothing from the learner's text is raw markup
    assert html.unescape(bare) == text  # and nothing was lost
    assert out.count("<mark") == len(matches)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(max_size=50), st.just("x" * (nl.MAX_TEXT_CHARS + 1)), st.none(), st.integers()))
def test_pure_functions_raise_only_input_errors(value):
    for fn in (nl.find_cues, nl.split_sentences, nl.check_text):
        try:
            fn(value)
        except InputError:
            pass


rows = st.lists(st.fixed_dictionaries({"passage": st.text(max_size=20), "reframe": st.text(max_size=20),
                                       "frame": st.sampled_from([c.id for c in LEX.categories] + [nl.OTHER, "x"])}),
                max_size=4)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(max_size=100), st.fixed_dictionaries({"text": st.text(max_size=30), "rows": rows}).map(json.dumps)))
def test_saved_lab_parser_raises_only_input_errors(text):
    try:
        pasted, table = nl.parse_saved(text, LEX)
    except InputError:
        return
    assert isinstance(pasted, str) and all(r.frame == nl.OTHER or LEX.category(r.frame) for r in table)


# -- the model -------------------------------------------------------------------------------------
def test_model_table_rows_and_suggested_frames():
    m = nl.NarrativeLabModel(journal=None)
    with pytest.raises(InputError, match="Highlight the cues first"):
        m.add_row(0, nl.OTHER, "x")
    m.analyse("People must take responsibility for bad choices. Zoning and disinvestment shaped this.")
    assert len(m.sentences) == 2
    assert m.suggest_frame(0) == "personal-responsibility" and m.suggest_frame(1) == nl.OTHER
    with pytest.raises(InputError, match="Write your reframe"):
        m.add_row(0, "personal-responsibility", "  ")
    with pytest.raises(InputError, match="Choose a passage"):
        m.add_row(None, "personal-responsibility", "x")
    with pytest.raises(InputError, match="no frame 'nope'"):
        m.add_row(0, "nope", "x")
    row = m.add_row(0, "personal-responsibility", "Landlords and zoning shape the choices families have.")
    assert row.passage == "People must take responsibility for bad choices."
    assert "(dominant narratives: 2; structural framing: 2)" in m.summary()
    table = nl.rows_table_html(m.rows, LEX)
    assert "Individual responsibility / personal choice" in table and "<caption>" in table
    assert m.remove_last_row() == row and m.remove_last_row() is None
    counts = m.data_table()
    assert counts["Cues found"].sum() == 4


def test_model_save_and_restore(home):
    m = nl.NarrativeLabModel()
    assert not m.save().ok
    m.analyse("Taxpayers <em>pay</em> for handouts.")
    m.add_row(0, "scarcity-taxpayers", "Public goods serve all of us.")
    assert m.save().ok
    again = nl.NarrativeLabModel()
    assert again.restore().ok and again.text == m.text and again.rows == m.rows and again.matches


# -- live view -----------------------------------------------------------------------------------------
def test_view_highlights_tags_and_saves(home):
    act = nl.activity()
    c = act.controls
    for name in ("text", "highlight", "passage", "frame", "reframe", "add", "remove", "save"):
        assert c[name].description
    c["highlight"].click()
    assert "empty" in c["status"].value and "⚠" in c["status"].value
    c["text"].value = "Families should make healthy choices. <img src=x onerror=alert(1)> Budgets are limited resources."
    c["highlight"].click()
    assert '<mark class="hesj-cue">healthy choices</mark>' in c["marked"].value
    assert "[Individual responsibility / personal choice]" in c["marked"].value
    assert "<img src=x" not in c["marked"].value and "&lt;img" in c["marked"].value
    assert "Cues found" in c["status"].value and 'role="status"' in c["status"].value
    assert 'alt="Bar chart of cues found in your text' in c["chart"].value and "<table" in c["chart"].value
    assert len(c["passage"].options) == 2
    assert c["frame"].value == "personal-responsibility"  # suggested from the cues of passage 1
    assert "Who or what shapes the choices" in c["hint"].value
    c["passage"].value = 1
    assert c["frame"].value == "scarcity-taxpayers"
    c["add"].click()
    assert "Write your reframe" in c["status"].value
    c["reframe"].value = "Budgets are choices we make together."
    c["add"].click()
    assert "Row 1 added" in c["status"].value and c["reframe"].value == ""
    assert "Budgets are choices we make together." in c["table"].value
    c["save"].click()
    assert "Saved to your private journal" in c["status"].value
    saved = json.loads(Journal().get("rhi-6", "narrative-lab", kind="narrative-lab").text)
    assert saved["rows"][0]["frame"] == "scarcity-taxpayers"
    again = nl.activity()
    assert again.controls["text"].value == c["text"].value
    assert "Budgets are choices we make together." in again.controls["table"].value
    assert "<mark" in again.controls["marked"].value and "restored" in again.controls["status"].value
    assert WIDGET_MIME in again._repr_mimebundle_()


def test_failed_save_keeps_the_text(home, monkeypatch):
    act = nl.activity()
    act.controls["text"].value = "Precious words about taxpayers."

    def broken(self, *a, **k):
        raise JournalError("Your answer could not be saved. It was kept in /tmp/z.txt.")

    monkeypatch.setattr(Journal, "save", broken)
    act.controls["save"].click()
    assert "could not be saved" in act.controls["status"].value
    assert act.controls["text"].value == "Precious words about taxpayers."


# -- static (book) version ---------------------------------------------------------------------------
def test_static_version_has_the_lexicon_table_and_a_worked_example(home, monkeypatch):
    Journal().save("rhi-6", "narrative-lab", json.dumps({"text": "SECRET TEXT", "rows": []}), kind="narrative-lab")
    monkeypatch.setenv("HESJ_STATIC", "1")

    def forbidden(self):
        raise AssertionError("the journal was opened in static mode")

    monkeypatch.setattr(Journal, "_connect", forbidden)
    act = nl.activity()
    bundle = act._repr_mimebundle_()
    assert WIDGET_MIME not in bundle and "SECRET" not in json.dumps(bundle)
    out = act.html
    for c in LEX.categories:
        assert html.escape(c.name, quote=True) in out
    assert "Human Impact Partners (n.d.), Build Narrative Power" in out
    assert "illustrative" in out.lower() and "<mark" in out
    alt = out.split('alt="', 1)[1].split('"', 1)[0]
    assert "dominant-narrative cues" in alt
    assert "<figcaption>Cues counted with the course" in out and "What this shows" in out
    assert out.count("<table") >= 3  # lexicon, worked-example table, data table
