"""What a reader without any Jupyter server downloads from the book, per unit:

* a worksheet (one accessible HTML page): the unit's reflection prompts by segment, with a
  labelled box to type in or space to write after printing, and the discussion questions;
* an offline package (a zip): the unit's pages, the glossary and references, their figures,
  styles and scripts, and the worksheet, with an index.html that opens the unit.

``hesj.sphinxext`` writes both into ``_build/html/downloads/`` at the end of each build.
Nothing typed into a worksheet leaves the reader's browser; the page has no script.
"""
from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from .course import QUESTION_HEADINGS, REPO_ROOT, load_content, load_course
from .i18n import _

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a;
       background: #fff; max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2rem; } h3 { font-size: 1.1rem; }
label { display: block; font-weight: 600; margin-top: 0.5rem; }
textarea { width: 100%; min-height: 10rem; font: inherit; border: 1px solid #595959; padding: 0.4rem; box-sizing: border-box; }
textarea:focus { outline: 3px solid #0b5394; outline-offset: 2px; }
.note { border-left: 4px solid #0b5394; padding-left: 0.8rem; }
@media print { textarea { border: 1px solid #000; min-height: 14rem; } .note { border-color: #000; } }
"""


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def _clean(item: str) -> str:
    return " ".join(re.sub(r"\{[a-z:]+\}`([^`<]*)(?:<[^>]*>)?`", r"\1", item).split())


def questions_by_segment(notebook: Path) -> dict[int | None, list[str]]:
    """The numbered questions under every 'Discussion questions' or 'Questions for reflection and
    dialogue' heading, keyed by the segment they sit in (None: before the first segment heading)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    out: dict[int | None, list[str]] = {}
    segment = None
    # split into heading-led blocks; a block runs to the next heading of any level
    for block in re.split(r"(?=^#+\s)", text, flags=re.M):
        head = block.split("\n", 1)[0]
        m = re.match(r"^##\s+Segment\s+(\d+)\s*:", head)
        if m:
            segment = int(m.group(1))
        elif re.match(r"^##\s", head):
            segment = None  # a closing section after the segments
        if re.match(r"^#+\s*" + QUESTION_HEADINGS, head):
            body = block.split("\n", 1)[1] if "\n" in block else ""
            items = re.findall(r"^\s*\d+\.\s+(.+?)(?=^\s*\d+\.\s|\Z)", body, flags=re.M | re.S)
            out.setdefault(segment, []).extend(_clean(i) for i in items)
    return out


def discussion_questions(notebook: Path) -> list[str]:
    """Every discussion question of a notebook, in order."""
    return [q for qs in questions_by_segment(notebook).values() for q in qs]


def render_worksheet(unit_id: str) -> str:
    course = load_course()
    unit = course.unit(unit_id)
    content = load_content(unit_id)
    title = _("Worksheet: {series} {number}, {title}").format(series=unit.series, number=unit.number,
                                                             title=unit.title)
    parts = [f"<h1>{esc(title)}</h1>",
             f'<p class="note">{esc(_("Use this page on your own or in a learning group. Type your answers in the boxes and print the page, or print it blank and write by hand. Nothing you type here is saved or sent anywhere: this page has no script, and closing it discards what you typed. Every prompt can be skipped."))}</p>']
    n = 0
    by_segment = questions_by_segment(REPO_ROOT / unit.notebook)
    for seg in unit.segments:
        prompts = [r for r in content.get("reflections") or [] if r.get("segment") == seg.id]
        questions = by_segment.get(seg.id, [])
        if not prompts and not questions:
            continue
        parts.append(f"<h2>{esc(_('Segment {n}: {title}').format(n=seg.id, title=seg.title))}</h2>")
        for r in prompts:
            n += 1
            parts.append(f"<h3>{esc(_('Reflection {n}').format(n=n))}</h3><p>{esc(' '.join(r['prompt'].split()))}</p>"
                         f'<label for="r-{esc(r["id"])}">{esc(_("Your answer"))}</label>'
                         f'<textarea id="r-{esc(r["id"])}" rows="8"></textarea>')
        if questions:
            parts.append(f"<h3>{esc(_('Discussion questions for a learning group'))}</h3><ol>"
                         + "".join(f"<li>{esc(q)}</li>" for q in questions) + "</ol>")
    rest = [q for k, qs in by_segment.items() if k not in {s.id for s in unit.segments} for q in qs]
    if rest:
        parts.append(f"<h2>{esc(_('Discussion questions for a learning group'))}</h2><ol>"
                     + "".join(f"<li>{esc(q)}</li>" for q in rest) + "</ol>")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<link rel="icon" href="data:,">\n'
            f'<title>{esc(title)}</title>\n'
            f"<style>{STYLE}</style>\n</head>\n<body>\n<main>\n" + "\n".join(parts) + "\n</main>\n</body>\n</html>\n")


def unit_pages(unit) -> list[str]:
    """Paths (in the built book) of the pages that make up a unit, chapter first."""
    return [str(Path(unit.chapter).with_suffix(".html")), str(Path(unit.notebook).with_suffix(".html"))]


def write_downloads(html_dir: Path) -> list[Path]:
    """Write each complete unit's worksheet and offline package into html_dir/downloads."""
    html_dir = Path(html_dir)
    out = html_dir / "downloads"
    out.mkdir(exist_ok=True)
    written = []
    for unit in load_course().complete_units:
        sheet = out / f"{unit.id}-worksheet.html"
        sheet.write_text(render_worksheet(unit.id), encoding="utf-8")
        written.append(sheet)
        pages = unit_pages(unit) + ["book/glossary.html", "book/references.html"]
        first = pages[0]
        index = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                 f'<meta http-equiv="refresh" content="0; url={esc(first)}"><title>{esc(unit.title)}</title></head>'
                 f'<body><main><h1>{esc(unit.title)}</h1><p><a href="{esc(first)}">{esc(_("Open the unit"))}</a>. '
                 f'<a href="downloads/{esc(sheet.name)}">{esc(_("Open the worksheet"))}</a>.</p></main></body></html>\n')
        package = out / f"{unit.id}-offline.zip"
        with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("index.html", index)
            for page in pages:
                if (html_dir / page).is_file():
                    zf.write(html_dir / page, page)
            zf.write(sheet, f"downloads/{sheet.name}")
            for asset in sorted((html_dir / "_static").rglob("*")):
                if asset.is_file() and not asset.name.endswith((".map", ".ttf")):
                    zf.write(asset, asset.relative_to(html_dir).as_posix())
        written.append(package)
    return written
