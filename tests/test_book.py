"""The strict book build, and what it must (and must not) contain."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.imgs, self.ids, self.lang, self.headings = [], [], set(), None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("script", "img", "iframe", "audio", "video", "source") and a.get("src"):
            self.refs.append((tag, a["src"]))
        if tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {"stylesheet", "preload", "icon"}:
            self.refs.append((tag, a["href"]))
        if tag == "img":
            self.imgs.append(a)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


@pytest.fixture(scope="module")
def built(built_book):
    return built_book


def test_strict_build_passes_with_zero_warnings(built):
    rc, log, html = built
    assert rc == 0, log[-5000:]
    assert "WARNING" not in log.replace("[IPKernelApp] WARNING | Kernel is running over TCP", ""), log[-5000:]
    assert (html / "notebooks" / "rhi-1-where-do-we-start.html").is_file()


def pages(html):
    return [p for p in html.rglob("*.html") if "_static" not in p.parts]


def test_nothing_is_fetched_from_elsewhere(built):
    _, _, html = built
    for p in pages(html):
        parser = Page()
        parser.feed(p.read_text(encoding="utf-8"))
        external = [r for r in parser.refs if re.match(r"^(https?:)?//", r[1])]
        assert not external, f"{p.relative_to(html)} loads {external}"


def test_pages_are_accessible_basics(built):
    _, _, html = built
    for p in pages(html):
        text = p.read_text(encoding="utf-8")
        if "http-equiv=\"refresh\"" in text:
            continue  # the redirect index.html
        parser = Page()
        parser.feed(text)
        assert parser.lang == "en", p
        for img in parser.imgs:
            assert img.get("alt") is not None, f"{p.relative_to(html)}: image without alt text"
        # headings never skip a level going down
        for a, b in zip(parser.headings, parser.headings[1:]):
            assert b <= a + 1, f"{p.relative_to(html)}: heading h{a} followed by h{b}"


def test_unit_page_content(built):
    _, _, html = built
    page = (html / "notebooks" / "rhi-1-where-do-we-start.html").read_text(encoding="utf-8")
    assert "Segment 1" in page and "Discussion questions" in page
    assert "illustrative composite" in page.lower()
    assert "By the end of this unit you will be able to" in page  # overview from the manifest
    assert "Show the answer and feedback" in page  # knowledge checks work without a kernel
    assert "import hesj" not in page  # the setup cell is hidden
    # citations and glossary terms are links that resolve
    parser = Page()
    glossary = (html / "book" / "glossary.html").read_text(encoding="utf-8")
    parser.feed(glossary)
    for anchor in re.findall(r'href="\.\./book/glossary\.html#([^"]+)"', page):
        assert anchor in parser.ids, f"glossary link #{anchor} does not resolve"
    assert re.search(r'href="\.\./book/references\.html#id\d+"', page), "citations do not link to the bibliography"
    assert "Jones" in (html / "book" / "references.html").read_text(encoding="utf-8")


def test_no_journal_text_and_no_widget_state_in_the_book(built):
    _, _, html = built
    for p in html.rglob("*"):
        if p.is_file() and p.suffix in (".html", ".js", ".json", ".ipynb", ".txt"):
            text = p.read_text(encoding="utf-8", errors="ignore")
            assert "PRIVATE-MARKER-7731" not in text, p
            assert "application/vnd.jupyter.widget-state+json" not in text, p


def test_front_door_names_the_book_and_its_icon(built):
    """index.html sends readers to the first page at once. It carries the book's title and an empty
    inline icon: with no icon a browser asks for /favicon.ico (not there: a 404), and a real icon's
    request is cut off by the redirect (an aborted request)."""
    _, _, html_dir = built
    front = (html_dir / "index.html").read_text(encoding="utf-8")
    assert "<title>Health Equity and Social Justice for Public Health Practice</title>" in front
    assert '<link rel="icon" href="data:,">' in front
