"""Where the package keeps a learner's files.

Everything a learner writes lives under one folder, ``$HESJ_HOME`` (default
``~/.hesj``), in their own home directory. See book/about/privacy.md.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def hesj_home() -> Path:
    """The learner's HESJ folder: ``$HESJ_HOME`` or ``~/.hesj``."""
    env = os.environ.get("HESJ_HOME")
    return Path(env).expanduser() if env else Path.home() / ".hesj"


def journal_path() -> Path:
    return hesj_home() / "journal.sqlite"


def static_mode() -> bool:
    """True while the published book is built.

    The book's Sphinx extension (``hesj.sphinxext``) sets ``HESJ_STATIC=1`` before
    any notebook runs, so a book build never opens anybody's journal and pages
    show printable versions of the activities instead of live widgets.
    """
    return os.environ.get("HESJ_STATIC", "") not in ("", "0")
