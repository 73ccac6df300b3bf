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


def extract_messages(package_dir=None) -> dict[str, list[str]]:
    """Every string marked with ``_()`` in the package: {message: ["file:line", ...]}.

    Read with Python's own parser (``ast``), which also sees ``_()`` calls inside
    f-strings. A ``_()`` call whose argument is not a plain string literal is an
    error: a translator could never see that text.
    """
    import ast
    from pathlib import Path

    base = Path(package_dir or PACKAGE_DIR)
    found: dict[str, list[str]] = {}
    for path in sorted(base.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
                where = f"{path.relative_to(base)}:{node.lineno}"
                arg = node.args[0] if node.args else None
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)) or len(node.args) != 1:
                    raise ValueError(f"{where}: _() needs one plain string literal, so translators can see it.")
                found.setdefault(arg.value, []).append(where)
    return found


def write_template(target=None) -> str:
    """Write the catalog template (.pot) translators start from; return its path."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(project="hesj", domain="hesj")
    for message, places in sorted(extract_messages().items()):
        catalog.add(message, locations=[(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in places])
    target = target or LOCALE_DIR / "hesj.pot"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True)
    return str(target)
