"""Sphinx extension for the course book (listed in _config.yml).

* It sets ``HESJ_STATIC=1`` as the build starts. Notebook kernels started by
  the build inherit it, so every activity renders its printable version and the
  build never opens a journal: nobody's reflections can end up in the book.
* It writes the book's front door, ``index.html``, as an accessible page (title,
  language, a visible link) that forwards to the landing page, instead of a
  bare redirect.
"""
import html
import os
from pathlib import Path

INDEX = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url={target}">
<title>{title}</title>
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
    if root == "index" or (index.exists() and "hesj-front-door" in index.read_text(encoding="utf-8")):
        return
    page = INDEX.format(lang=html.escape(app.config.language or "en"), target=f"{root}.html",
                        title=html.escape(app.config.project))
    index.write_text(page.replace("<head>", "<head>\n<!-- hesj-front-door -->", 1), encoding="utf-8")


def setup(app):
    os.environ["HESJ_STATIC"] = "1"
    app.connect("build-finished", write_index, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
