"""Facilitator slides: a unit notebook as a reveal.js deck that works offline.

``export(unit_id, out_dir)`` runs the unit notebook with the book's static
activities (``HESJ_STATIC=1``: no journal is opened, no widget state is kept),
turns each heading into a slide, hides the code, and writes
``<unit>-slides.html`` with reveal.js copied beside it (``reveal.js/``), so the
deck opens from a USB stick or a shared drive with no network.

Slide structure: a ``#`` or ``##`` heading starts a new slide, a ``###``
heading a sub-slide (down arrow); other cells continue the slide they follow.
Discussion questions become speaker notes too, so a facilitator sees them
in the notes view (press S).
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .course import REPO_ROOT, load_course
from .paths import PACKAGE_DIR

STATIC = PACKAGE_DIR / "static"
TEMPLATES = PACKAGE_DIR / "templates"


def mark_slides(nb) -> None:
    """Set reveal.js slide types from the notebook's headings (in place)."""
    for i, cell in enumerate(nb.cells):
        meta = cell.setdefault("metadata", {})
        tags = set(meta.get("tags", []))
        if "remove-cell" in tags or "remove-input" in tags and cell.cell_type == "code" and not cell.get("outputs"):
            meta["slideshow"] = {"slide_type": "skip"}
            continue
        first = cell.source.lstrip().splitlines()[0] if cell.cell_type == "markdown" and cell.source.strip() else ""
        if i == 0 or re.match(r"#{1,2}\s", first):
            kind = "slide"
        elif re.match(r"###\s", first):
            kind = "subslide"
        else:
            kind = "-"
        meta["slideshow"] = {"slide_type": kind}


def export(unit_id: str, out_dir: Path | str, *, timeout: int = 300) -> Path:
    """Write the unit's deck and its reveal.js files into out_dir; return the deck's path."""
    import nbformat
    from nbclient import NotebookClient

    unit = load_course().published(unit_id, "slides")
    path = REPO_ROOT / unit.notebook
    nb = nbformat.read(path, as_version=4)
    before = os.environ.get("HESJ_STATIC")
    os.environ["HESJ_STATIC"] = "1"  # static activities; the kernel inherits it
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if before is None:
            os.environ.pop("HESJ_STATIC", None)
        else:
            os.environ["HESJ_STATIC"] = before
    mark_slides(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["title"] = f"{unit.series} {unit.number}: {unit.title}"

    return write_deck(nb, out_dir, f"{unit_id}-slides.html")


def write_deck(nb, out_dir: Path | str, filename: str) -> Path:
    """Write a marked notebook as a reveal.js deck with reveal.js copied beside it (no network)."""
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(template_name="hesj_slides", extra_template_basedirs=[str(TEMPLATES)],
                              exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                              reveal_url_prefix="reveal.js", reveal_theme="hesj")
    body, _resources = exporter.from_notebook_node(nb)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    assets = out / "reveal.js"
    if assets.exists():
        shutil.rmtree(assets)
    shutil.copytree(STATIC / "reveal.js", assets)
    (assets / "dist" / "theme").mkdir(parents=True, exist_ok=True)
    shutil.copy(STATIC / "hesj-slides.css", assets / "dist" / "theme" / "hesj.css")
    deck = out / filename
    deck.write_text(body, encoding="utf-8")
    return deck
