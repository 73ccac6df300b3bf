"""Outreach material built from the book's own pages, with no network:

* the course presentation: ``book/outreach/presentation.md`` as a reveal.js deck (each ``##``
  heading a slide, each "Speaker notes:" paragraph the slide's notes, citations numbered with a
  sources slide at the end);
* the informational booklet: ``book/outreach/booklet.md`` as a printable, tagged PDF (PDF/UA-1,
  made by WeasyPrint from HTML; only local fonts; any attempt to fetch a URL is refused).

``hesj.sphinxext`` writes both into the book's ``downloads/`` at the end of every build;
``hesj outreach slides|booklet OUT`` writes them anywhere.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .course import REPO_ROOT
from .errors import InputError

PRESENTATION = REPO_ROOT / "book" / "outreach" / "presentation.md"
BOOKLET = REPO_ROOT / "book" / "outreach" / "booklet.md"
BIB = REPO_ROOT / "references.bib"
TITLE = "Health Equity and Social Justice for Public Health Practice"

_CITE = re.compile(r"\s*\{cite:[pt]\}`([^`]+)`")
_ROLE = re.compile(r"\{(?:term|doc|ref|numref)\}`([^`<]*?)\s*(?:<[^>]*>)?`")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@lru_cache(maxsize=1)
def _bibliography() -> dict[str, str]:
    """BibTeX key -> a plain reference: Authors (Year). Title. Container."""
    from pybtex.database import parse_file

    out = {}
    for key, e in parse_file(str(BIB)).entries.items():
        people = e.persons.get("author") or e.persons.get("editor") or []
        names = [" ".join(p.last_names) + (", " + " ".join(n[0] + "." for n in p.first_names) if p.first_names else "")
                 for p in people]
        who = ", ".join(names[:3]) + (" and others" if len(names) > 3 else "") if names else \
            _clean(e.fields.get("organization") or e.fields.get("institution") or e.fields.get("publisher") or "")
        year = _clean(e.fields.get("year", "n.d."))
        title = _clean(e.fields.get("title", key))
        where = _clean(e.fields.get("journal") or e.fields.get("booktitle") or e.fields.get("publisher")
                       or e.fields.get("institution") or e.fields.get("howpublished") or "")
        out[key] = f"{who} ({year}). {title}." + (f" {where}." if where and where != who else "")
    return out


def _clean(text: str) -> str:
    t = re.sub(r"\\url\{([^}]*)\}", r"\1", str(text))
    t = re.sub(r"\\[a-zA-Z]+\s*", "", t).replace("{", "").replace("}", "").replace("--", "–")
    return " ".join(t.split())


@dataclass
class Citations:
    keys: list[str] = field(default_factory=list)

    def number(self, text: str) -> str:
        """Replace {cite:p}`A,B` with [1, 2] (numbers in order of first use)."""
        def one(m):
            nums = []
            for k in (x.strip() for x in m.group(1).split(",")):
                if k not in _bibliography():
                    raise InputError(f"The citation key {k!r} is not in references.bib.")
                if k not in self.keys:
                    self.keys.append(k)
                nums.append(str(self.keys.index(k) + 1))
            return " [" + ", ".join(nums) + "]"
        return _CITE.sub(one, text)

    def references(self) -> list[str]:
        bib = _bibliography()
        return [bib[k] for k in self.keys]


def _plain(text: str, cites: Citations) -> str:
    return _ROLE.sub(r"\1", cites.number(_COMMENT.sub("", text)))


# -- the presentation ----------------------------------------------------------------------------
@dataclass
class Slide:
    title: str
    bullets: list[str]
    notes: str


def parse_presentation(text: str, where: str = "presentation.md") -> list[Slide]:
    sections = re.split(r"^##\s+", text, flags=re.M)[1:]
    if not sections:
        raise InputError(f"{where}: no slides found; start each slide with a '## ' heading.")
    slides = []
    for sec in sections:
        title, _, body = sec.partition("\n")
        notes_part = re.split(r"^Speaker notes:\s*", body, maxsplit=1, flags=re.M)
        bullets = re.findall(r"^-\s+(.+)$", notes_part[0], flags=re.M)
        if not bullets:
            raise InputError(f"{where}: the slide {title.strip()!r} has no bullet lines ('- ...').")
        notes = " ".join(notes_part[1].split()) if len(notes_part) > 1 else ""
        slides.append(Slide(title.strip(), bullets, notes))
    return slides


def presentation_notebook(path: Path = PRESENTATION):
    import nbformat

    text = path.read_text(encoding="utf-8")
    slides = parse_presentation(text, path.name)
    cites = Citations()
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell(f"# {TITLE}\n\nAn open course for the public health workforce.",
                                           metadata={"slideshow": {"slide_type": "slide"}})]
    for s in slides:
        body = "\n".join(f"- {_plain(b, cites)}" for b in s.bullets)
        cells.append(nbformat.v4.new_markdown_cell(f"## {_plain(s.title, cites)}\n\n{body}",
                                                   metadata={"slideshow": {"slide_type": "slide"}}))
        if s.notes:
            cells.append(nbformat.v4.new_markdown_cell(_plain(s.notes, cites),
                                                       metadata={"slideshow": {"slide_type": "notes"}}))
    if cites.keys:
        refs = "\n".join(f"{n}. {r}" for n, r in enumerate(cites.references(), 1))
        cells.append(nbformat.v4.new_markdown_cell(f"## Sources\n\n{refs}",
                                                   metadata={"slideshow": {"slide_type": "slide"}}))
    nb.cells = cells
    nb.metadata["title"] = TITLE
    return nb


def write_presentation(out_dir: Path | str) -> Path:
    from .slides import write_deck

    return write_deck(presentation_notebook(), out_dir, "hesj-presentation.html")


# -- the booklet -----------------------------------------------------------------------------------
PRINT_CSS = """
@page { size: Letter; margin: 2cm 2.2cm; @bottom-center { content: "Page " counter(page) " of " counter(pages);
        font-size: 9pt; color: #333; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 11pt; line-height: 1.45; color: #1a1a1a; }
h1 { font-size: 20pt; color: #0b3d6b; margin: 0 0 0.6em; }
h2 { font-size: 14pt; color: #0b3d6b; margin: 1.2em 0 0.4em; break-after: avoid; }
p, li { orphans: 2; widows: 2; }
.refs { font-size: 9pt; }
a { color: #0b3d6b; }
"""


def booklet_html(path: Path = BOOKLET) -> str:
    from markdown_it import MarkdownIt

    cites = Citations()
    text = _plain(path.read_text(encoding="utf-8"), cites)
    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    refs = "".join(f"<li>{html.escape(r)}</li>" for r in cites.references())
    title = re.search(r"^#\s+(.+)$", text, flags=re.M)
    title = title.group(1).strip() if title else TITLE
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="author" content="The HESJ curriculum package contributors">'
            f'<meta name="description" content="{html.escape(TITLE)}: purpose, why it matters and why now">'
            f"<style>{PRINT_CSS}</style></head><body><main>{body}"
            + (f'<section class="refs" aria-labelledby="refs"><h2 id="refs">Sources</h2><ol>{refs}</ol></section>' if refs else "")
            + "</main></body></html>\n")


def _offline_fetcher(url: str, *args, **kwargs):
    """WeasyPrint's URL fetcher: data URLs only; anything that would reach a network or disk is refused."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise InputError(f"The booklet asked for {url!r}; the PDF is built offline and may use no outside files.")


def booklet_pdf(html_text: str, target: Path | str, *, uncompressed: bool = False) -> Path:
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango is missing
        raise InputError("Building the PDF needs the Pango library: on Debian or Ubuntu, "
                         f"sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 ({exc}).") from None
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html_text, url_fetcher=_offline_fetcher).write_pdf(target, pdf_variant="pdf/ua-1",
                                                                      uncompressed_pdf=uncompressed)
    return target


def write_booklet(target: Path | str) -> Path:
    return booklet_pdf(booklet_html(), target)
