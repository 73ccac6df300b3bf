"""Sphinx extension for the course book (listed in _config.yml).

* It sets ``HESJ_STATIC=1`` as the build starts. Notebook kernels started by
  the build inherit it, so every activity renders its printable version and the
  build never opens a journal: nobody's reflections can end up in the book.
* It writes the book's front door, ``index.html``, as an accessible page (title,
  language, a visible link) that forwards to the landing page, instead of a
  bare redirect.
* It keeps Thebe (live code from a CDN) off every page, sets the theme's light
  mode, and fixes two theme patterns that axe-core reports (icon-only sidebar
  toggles, a deprecated ARIA role in the bibliography).
"""
import html
import os
import re
from pathlib import Path

INDEX = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url={target}">
<title>{title}</title>{icon}
</head>
<body>
<main>
<h1>{title}</h1>
<p><a href="{target}">Open the course book</a>.</p>
</main>
</body>
</html>
"""


def write_index(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    index = Path(app.outdir) / "index.html"
    root = app.config.root_doc
    # never replace a real index page; our own front door is rewritten on every build
    if root == "index" or (index.exists() and "hesj-front-door" not in index.read_text(encoding="utf-8")):
        return
    # the book's title (Jupyter Book puts _config.yml's title in html_title; Sphinx's project is unset),
    # and an empty inline icon: this page moves on at once, so a real icon's request would be cut
    # off, and with no icon at all a browser asks for a /favicon.ico that is not there
    title = app.config.html_title or app.config.project
    icon = '\n<link rel="icon" href="data:,">'
    page = INDEX.format(lang=html.escape(app.config.language or "en"), target=f"{root}.html",
                        title=html.escape(title), icon=icon)
    index.write_text(page.replace("<head>", "<head>\n<!-- hesj-front-door -->", 1), encoding="utf-8")


def not_offered(app, env, node, contnode):
    """In a build of approved units only, a link to a unit that is not offered becomes plain text."""
    from docutils import nodes

    excluded = set(app.config.hesj_excluded_docs or ())
    if not excluded or node.get("reftype") not in ("doc", "myst", "any"):
        return None
    import posixpath

    target = str(node.get("reftarget", "")).split("#")[0]
    for ext in (".md", ".ipynb", ".html"):
        target = target.removesuffix(ext)
    doc = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join(posixpath.dirname(node.get("refdoc", "")), target))
    if doc not in excluded:
        return None
    return nodes.inline("", f"{contnode.astext()} (not offered here)")


def approved_only(app, config):
    """Course.complete_units lists only the approved units while a subset is built."""
    excluded = set(config.hesj_excluded_docs or ())
    if excluded:
        from .course import load_course

        keep = [u.id for u in load_course().complete_units
                if str(Path(u.chapter).with_suffix("")) not in excluded]
        os.environ["HESJ_APPROVED_UNITS"] = ",".join(keep)


def setup(app):
    os.environ["HESJ_STATIC"] = "1"
    app.add_config_value("hesj_excluded_docs", [], "env")
    app.connect("config-inited", approved_only)
    app.connect("missing-reference", not_offered)
    app.connect("build-finished", write_index, priority=100)
    setup_offline(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# -- offline and accessible pages -------------------------------------------------------------
# Jupyter Book 1 always loads sphinx-thebe, which declares THEBE_JS_URL (a CDN address) in an
# inline script that can be added twice (a console error) and ships a script that would fetch
# Thebe from unpkg. The book has no live code, so neither is put on any page or in the output.
THEBE_FILES = ("sphinx-thebe.js", "sphinx-thebe.css")


def drop_thebe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files") or []
    context["script_files"] = [s for s in scripts
                               if "thebe" not in str(s) and "THEBE" not in str(getattr(s, "attributes", {}).get("body", ""))]

    css = context.get("css_files") or []
    context["css_files"] = [c for c in css if "thebe" not in str(c)]


def interactive_figures(app, pagename, templatename, context, doctree):
    """Link plotly.js from _assets/ only on the pages that show an interactive figure."""
    from .interactive import MARKER

    if f'class="{MARKER}"' in (context.get("body") or ""):
        context.setdefault("script_files", []).append("_assets/plotly.min.js")
        app.env.hesj_plotly_pages = getattr(app.env, "hesj_plotly_pages", set()) | {pagename}


def copy_plotly(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    if getattr(app.env, "hesj_plotly_pages", None):
        import shutil

        from .interactive import plotly_js

        target = Path(app.outdir) / "_assets"
        target.mkdir(exist_ok=True)
        shutil.copy(plotly_js(), target / "plotly.min.js")


def light_mode(app, config):
    # pydata-sphinx-theme logs "Got invalid theme mode" when no default mode is set
    # (the theme's templates read it from the page context, not from its theme options)
    config.html_context = dict(config.html_context or {})
    config.html_context.setdefault("default_mode", "light")


# Fixes to the theme's HTML that axe-core reports, applied to every written page.
HTML_FIXES = (
    # the sidebar's expand/collapse toggles are <summary> elements with only an icon
    ('<summary><span class="toctree-toggle" role="presentation">',
     '<summary aria-label="Show or hide the pages in this section"><span class="toctree-toggle" role="presentation">'),
    # DPUB-ARIA 1.1 deprecates doc-biblioentry; the citation list already has role="list"
    ('role="doc-biblioentry"', 'role="listitem"'),
)


# The theme's template links fontawesome.js (1.5 MB: every icon as JavaScript) on every page.
# The theme's style sheet already draws the same icons from the Font Awesome web font it ships
# (_static/vendor/fontawesome/webfonts), which a browser fetches only for a page that shows one.
FONTAWESOME_JS = re.compile(r'<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\s*')


def fix_pages(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for name in THEBE_FILES:
        (out / "_static" / name).unlink(missing_ok=True)
    for name in ("fontawesome.js", "fontawesome.js.map"):
        (out / "_static" / "scripts" / name).unlink(missing_ok=True)
    for page in out.rglob("*.html"):
        if "_static" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        fixed = text
        for old, new in HTML_FIXES:
            fixed = fixed.replace(old, new)
        fixed = FONTAWESOME_JS.sub("", fixed)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def write_downloads(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from . import outreach
    from .worksheets import write_downloads as write

    write(Path(app.outdir))
    # the outreach deck and the printable booklet, built here with no network
    outreach.write_presentation(Path(app.outdir) / "downloads" / "presentation")
    outreach.write_booklet(Path(app.outdir) / "downloads" / "hesj-booklet.pdf")


def setup_offline(app):
    app.connect("html-page-context", interactive_figures, priority=950)
    app.connect("build-finished", copy_plotly, priority=40)
    app.connect("build-finished", write_downloads, priority=950)  # after myst-nb writes its CSS
    app.connect("config-inited", light_mode)
    app.connect("html-page-context", drop_thebe, priority=900)
    app.connect("build-finished", fix_pages, priority=50)
