"""Sphinx extension for the course book (listed in _config.yml).

It sets ``HESJ_STATIC=1`` as the build starts. Notebook kernels started by the
build inherit it, so every activity renders its printable version and the
build never opens a journal: nobody's reflections can end up in the book.
"""
import os


def setup(app):
    os.environ["HESJ_STATIC"] = "1"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
