"""Facilitator slides: every complete unit exports to a reveal.js deck that needs no network."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from hesj.course import load_course
from hesj.errors import InputError
from hesj.slides import export, mark_slides

pytestmark = pytest.mark.slow


class Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.sections, self.imgs, self.lang = [], 0, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag in ("script", "img", "iframe", "source") and a.get("src"):
            self.refs.append(a["src"])
        if tag == "link" and a.get("href"):
            self.refs.append(a["href"])
        if tag == "section":
            self.sections += 1
        if tag == "img":
            self.imgs.append(a)


@pytest.mark.parametrize("unit", [u.id for u in load_course().complete_units])
def test_deck_is_offline_and_complete(unit, tmp_path, monkeypatch):
    monkeypatch.delenv("HESJ_STATIC", raising=False)
    deck = export(unit, tmp_path)
    html = deck.read_text(encoding="utf-8")
    page = Refs()
    page.feed(html)
    assert page.lang == "en"
    for ref in page.refs:
        if ref.startswith("data:"):
            continue
        assert not re.match(r"^(https?:)?//", ref), f"the deck loads {ref} from the network"
        assert (tmp_path / ref).is_file(), f"{ref} is missing beside the deck"
    assert "Reveal.initialize" in html
    assert page.sections >= 6, "each heading should start a slide"
    assert "import hesj" not in html  # code is hidden
    assert "Segment 1" in html and ("Discussion questions" in html or "Questions for reflection and dialogue" in html)
    assert all(img.get("alt") for img in page.imgs)
    assert "application/vnd.jupyter.widget-state+json" not in html  # static activities only
    assert (tmp_path / "reveal.js" / "LICENSE").is_file()


def test_slide_marking_follows_headings():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import hesj", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_markdown_cell("## Segment 1"), nbformat.v4.new_markdown_cell("### Part"),
        nbformat.v4.new_code_cell("hesj.check('rhi-1', 'segment-1')"),
    ])
    mark_slides(nb)
    kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert kinds == ["skip", "slide", "-", "slide", "subslide", "-"]


def test_unknown_or_unwritten_unit(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="no unit 'rhi-99'"):
        export("rhi-99", tmp_path)
    import yaml

    from hesj.course import MANIFEST, parse_course

    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    last = data["units"][-1]
    last["status"] = "planned"
    for key in ("notebook", "chapter", "assignment"):
        last.pop(key)
    for path in data.get("core_paths", {}).values():  # a planned unit has no segments to be on a path
        path["segments"] = [s for s in path["segments"] if not s.startswith(last["id"] + ":")]
    monkeypatch.setattr("hesj.slides.load_course", lambda: parse_course(data))
    with pytest.raises(InputError, match="not written yet"):
        export(last["id"], tmp_path)
