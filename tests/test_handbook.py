"""The public narrative handbook: its lexicon page, and discussion questions per segment."""
import html
import re
from pathlib import Path

import nbformat
import pytest

from hesj.activities.narrative import load_lexicon, parse_lexicon
from hesj.datasets import bib_keys
from hesj.lexicon_page import PAGE, missing_sources, render_page
from hesj.worksheets import questions_by_segment, render_worksheet

ROOT = Path(__file__).resolve().parents[1]
BIB = bib_keys()


def test_lexicon_page_is_current_and_documents_every_cue_with_its_sources():
    lex = load_lexicon()
    page = PAGE.read_text(encoding="utf-8")
    assert page == render_page(lex), "book/handbook/lexicon.md is stale: run `hesj lexicon`"
    for c in lex.categories:
        section = page.split(f"### {c.name}", 1)[1].split("\n### ", 1)[0]
        for cue in c.cues:
            assert f"*{cue}*" in section, (c.id, cue)
        for key in c.source:
            assert f"`{key}`" in section, (c.id, key)
    assert "course's own choice" in page  # says the cue lists are ours, not a source's


def test_every_lexicon_source_is_in_the_bibliography():
    assert missing_sources(load_lexicon(), BIB) == []


def test_a_lexicon_citing_an_unknown_work_is_named():
    lex = parse_lexicon({"sources": {"Nobody2099": "x"}, "categories": [
        {"id": "x", "name": "X", "kind": "dominant", "description": "d", "reframe": "r",
         "cues": ["cue"], "source": ["Nobody2099", "HIPndnarrative"]}]})
    assert missing_sources(lex, BIB) == ["x: Nobody2099", "sources list: Nobody2099"]


def test_lexicon_page_escapes_markup_from_the_data():
    lex = parse_lexicon({"categories": [
        {"id": "x", "name": "<script>alert(1)</script>", "kind": "dominant", "description": "a | b",
         "reframe": "r", "cues": ["cue"], "source": ["HIPndnarrative"]}]})
    page = render_page(lex)
    assert "<script>" not in page and "&lt;script&gt;" in page and "a / b" in page


def _notebook(tmp_path, cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(c) for c in cells])
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    return path


def test_questions_are_read_per_segment_under_either_heading(tmp_path):
    path = _notebook(tmp_path, [
        "# Title\n\n## Segment 1: One\n\nText.\n\n### Discussion questions for learning groups\n\n"
        "1. First {term}`Narrative` question?\n2. Second\n   question?\n\n### Reflection\n\n1. Not a discussion item.",
        "## Segment 2: Two\n\n### Questions for reflection and dialogue\n\n1. Third?",
        "## Key terms, resources and further reading\n\n### Discussion questions\n\n1. Closing?",
    ])
    assert questions_by_segment(path) == {1: ["First Narrative question?", "Second question?"],
                                          2: ["Third?"], None: ["Closing?"]}


@pytest.mark.parametrize("unit", ["rhi-6", "hesj101-3"])
def test_worksheet_has_every_segments_questions(unit):
    from hesj.course import load_course

    u = load_course().unit(unit)
    by_segment = questions_by_segment(ROOT / u.notebook)
    assert len(by_segment) >= 2, "these units ask questions in more than one segment"
    sheet = html.unescape(render_worksheet(unit))
    for qs in by_segment.values():
        for q in qs:
            assert q in sheet, q
    # each segment's questions follow its own heading
    for seg, qs in by_segment.items():
        if seg is not None and qs:
            after = sheet.split(f"Segment {seg}:", 1)[1]
            assert after.index(qs[0]) < (after.index(f"Segment {seg + 1}:") if f"Segment {seg + 1}:" in after
                                         else len(after))
    assert not re.search(r"<script", sheet)
