"""Outreach: the course presentation (offline slides) and the booklet (a tagged PDF built offline)."""
import re
import socket

import pytest

from hesj import outreach
from hesj.errors import InputError
from test_slides import Refs


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("the build tried to open a network connection")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_booklet_is_a_tagged_pdf_built_offline(tmp_path, no_network):
    pdf = outreach.booklet_pdf(outreach.booklet_html(), tmp_path / "b.pdf", uncompressed=True)
    raw = pdf.read_bytes()
    assert raw.startswith(b"%PDF-")
    assert b"/StructTreeRoot" in raw and re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", raw)
    assert re.search(rb"/Lang\s*\(en", raw), "the document language is set"
    assert b"/Title" in raw and b"/H1" in raw and b"/H2" in raw, "title and headings are tagged"
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", raw)) >= 2, "the booklet runs to more than one page"


def test_booklet_numbers_its_sources_and_escapes_text():
    page = outreach.booklet_html()
    assert "{cite" not in page and "{term}" not in page and "<!--" not in page.split("</style>", 1)[1]
    assert re.search(r"\[\d+(, \d+)*\]", page) and "<h2 id=\"refs\">Sources</h2>" in page
    n = len(re.findall(r"<li>", page.split('id="refs"', 1)[1]))
    assert n == max(int(x) for x in re.findall(r"\[(\d+)", page.split('id="refs"', 1)[0]))


def test_the_pdf_never_fetches_a_url():
    with pytest.raises(InputError, match="built offline"):
        outreach._offline_fetcher("https://example.org/logo.png")
    with pytest.raises(InputError, match="built offline"):
        outreach._offline_fetcher("file:///etc/passwd")


def test_presentation_is_an_offline_deck_with_notes_and_sources(tmp_path, no_network):
    nb = outreach.presentation_notebook()
    kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert kinds.count("notes") >= 10 and kinds[0] == "slide"
    assert nb.cells[-1].source.startswith("## Sources")
    text = "\n".join(c.source for c in nb.cells)
    assert "{cite" not in text and "{term}" not in text
    deck = outreach.write_presentation(tmp_path)
    page = Refs()
    page.feed(deck.read_text(encoding="utf-8"))
    assert page.lang == "en" and page.sections >= 12
    for ref in page.refs:
        if not ref.startswith("data:"):
            assert not re.match(r"^(https?:)?//", ref), ref
            assert (tmp_path / ref).is_file(), ref


def test_presentation_source_errors_say_what_to_fix():
    with pytest.raises(InputError, match="start each slide with a '## ' heading"):
        outreach.parse_presentation("# Title\n\nNo slides here.\n")
    with pytest.raises(InputError, match="'Empty' has no bullet lines"):
        outreach.parse_presentation("## Empty\n\nJust prose.\n")
    with pytest.raises(InputError, match="'Nobody2099' is not in references.bib"):
        outreach.Citations().number("A claim {cite:p}`Nobody2099`.")
