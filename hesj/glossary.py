"""The course glossary: ``hesj/data/glossary.yml`` is the single source.

The book's glossary page (``book/glossary.md``) is generated from it with
``hesj glossary`` (``make glossary``); a test fails when the page is stale.
"""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from .course import ManifestError
from .paths import PACKAGE_DIR

GLOSSARY = PACKAGE_DIR / "data" / "glossary.yml"


def glossary_path(lang: str | None = None):
    """The glossary in the learner's language (HESJ_LANG): hesj/data/<lang>/glossary.yml, else English."""
    import os

    lang = lang if lang is not None else os.environ.get("HESJ_LANG", "")
    if lang and (GLOSSARY.parent / lang / "glossary.yml").exists():
        return GLOSSARY.parent / lang / "glossary.yml"
    return GLOSSARY


def load_glossary(lang: str | None = None) -> dict[str, dict]:
    """Terms keyed by lower-case term, validated."""
    return _load_glossary(str(glossary_path(lang)))


@lru_cache(maxsize=None)
def _load_glossary(path: str) -> dict[str, dict]:
    from pathlib import Path

    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    out: dict[str, dict] = {}
    for i, e in enumerate(entries, start=1):
        term = (e or {}).get("term")
        if not term or not (e.get("definition") or "").strip():
            raise ManifestError(f"glossary.yml entry #{i}: each entry needs a term and a definition.")
        key = term.strip().lower()
        if key in out:
            raise ManifestError(f"glossary.yml: the term {term!r} is defined twice.")
        out[key] = {"term": term.strip(), "definition": " ".join(e["definition"].split()),
                    "source": e.get("source")}
    return out


def lookup(term: str) -> dict:
    g = load_glossary()
    try:
        return g[term.strip().lower()]
    except KeyError:
        raise KeyError(f"{term!r} is not in the glossary (hesj/data/glossary.yml); add it there.") from None


def anchor(term: str) -> str:
    """The HTML id Sphinx gives a glossary term: 'term-' and the term's words joined
    by hyphens, case kept (tests/test_book.py checks it against a real build)."""
    return "term-" + "-".join(re.findall(r"[A-Za-z0-9]+", term))


def render_page() -> str:
    """The MyST source of book/glossary.md."""
    lines = [
        "<!-- Generated from hesj/data/glossary.yml by `hesj glossary`. Edit that file, not this one. -->",
        "",
        "# Glossary",
        "",
        "Plain-language definitions of the terms this course uses.",
        "Where a definition draws on a published source, the source is cited.",
        "",
        "```{glossary}",
    ]
    for key in sorted(load_glossary("")):
        e = load_glossary("")[key]
        definition = e["definition"]
        if e["source"]:
            definition += f" {{cite:p}}`{e['source']}`"
        lines += [e["term"], f"  {definition}", ""]
    lines[-1:] = ["```", ""]
    return "\n".join(lines)
