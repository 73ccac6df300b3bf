"""Message catalogs for every string a learner sees in a widget.

Strings are marked with ``_()`` and looked up in ``hesj/locale/<lang>/LC_MESSAGES/hesj.mo``
(GNU gettext). With no catalog for the learner's language the English text is used.
``HESJ_LANG`` picks the language (for example ``es``); otherwise gettext reads
LANGUAGE, LC_ALL, LC_MESSAGES and LANG as usual.
"""
from __future__ import annotations

import gettext
import os

from .paths import PACKAGE_DIR

LOCALE_DIR = PACKAGE_DIR / "locale"


def translation() -> gettext.NullTranslations:
    lang = os.environ.get("HESJ_LANG")
    return gettext.translation(
        "hesj", localedir=str(LOCALE_DIR), languages=[lang] if lang else None, fallback=True
    )


def _(message: str) -> str:
    return translation().gettext(message)
