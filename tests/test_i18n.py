"""No hard-coded learner-facing text: with a fake language catalog installed, every string a
learner sees in an activity comes from the catalog or from course data (content, tables)."""
from __future__ import annotations

import html as htmlmod
import re
from pathlib import Path

import pytest
import yaml

import hesj
from hesj import i18n

ROOT = Path(__file__).resolve().parent.parent
L, R = "\u27ea", "\u27eb"  # ⟪ ⟫ wrap every pseudo-translated message


@pytest.fixture
def pseudo(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="eo", domain="hesj")
    for message in i18n.extract_messages():
        catalog.add(message, string=f"{L}{message}{R}")
    folder = tmp_path / "locale" / "eo" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "hesj.mo", "wb") as fh:
        write_mo(fh, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setenv("HESJ_LANG", "eo")
    return catalog


def _data_strings() -> list[str]:
    """Text that is course data, not interface: content files, glossary, tables, manifest."""
    out: set[str] = set()

    def walk(x):
        if isinstance(x, str):
            text = " ".join(x.split())
            out.add(text)
            # templates in content files ("highest in {highest} and ...") show as the parts between fields
            out.update(p.strip() for p in re.split(r"\{[a-z_]+\}", text) if p.strip())
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    for p in (list((ROOT / "hesj" / "content").rglob("*.yml")) + [ROOT / "hesj" / "course.yml"]
              + list((ROOT / "hesj" / "data").glob("*.yml"))):
        walk(yaml.safe_load(p.read_text(encoding="utf-8")))
    for p in (ROOT / "hesj" / "data" / "packaged").glob("*.meta.yml"):
        walk(yaml.safe_load(p.read_text(encoding="utf-8")))
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    walk([re.sub(r"[{}]", "", t) for t in re.findall(r"^\s*title\s*=\s*\{(.*)\},?\s*$", bib, flags=re.M)])
    from hesj import datasets, toolkit

    for e in toolkit.load_entries():
        walk([e.title, e.summary, e.type, e.access, *e.topics, *e.audience, *e.units, *e.authors])
    from hesj.toolkit import AUDIENCES, TOPICS, TYPES

    walk([*AUDIENCES, *TOPICS, *TYPES])
    for name in datasets.curated_tables():
        df = datasets.load(name)
        for col in df.columns:
            walk([str(v) for v in df[col].tolist()])
        walk(df.attrs["provenance"])
    return sorted((s for s in out if s), key=len, reverse=True)


def _strings(widget) -> list[str]:
    """Every piece of text a widget tree shows."""
    found = []
    for attr in ("description", "tooltip", "placeholder"):
        v = getattr(widget, attr, None)
        if isinstance(v, str) and v:
            found.append(v)
    if widget.__class__.__name__ in ("HTML", "Label", "HTMLMath"):
        found.append(widget.value)
    for opt in getattr(widget, "_options_labels", ()) or ():
        found.append(opt)
    for child in getattr(widget, "children", ()) or ():
        found += _strings(child)
    return found


def _text_nodes(markup: str) -> list[str]:
    markup = re.sub(r'src="data:[^"]*"', "", markup)
    markup = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    parts = []
    for attr in re.findall(r'(?:alt|aria-label|title)="([^"]*)"', markup):
        parts.append(htmlmod.unescape(attr))
    parts += [htmlmod.unescape(t) for t in re.split(r"<[^>]+>", markup)]
    return [" ".join(p.split()) for p in parts if p.strip()]


def _untranslated(texts: list[str], data: list[str]) -> list[str]:
    bad = []
    for t in texts:
        inner = re.compile(f"{L}[^{L}{R}]*{R}")  # translated text, innermost first (labels inside sentences)
        rest = t
        while inner.search(rest):
            rest = inner.sub(" ", rest)
        for d in data:
            if len(d) >= 3 and d in rest:
                rest = rest.replace(d, " ")
        if re.search(r"[A-Za-z]{3,}", rest):
            bad.append(" … ".join(p.strip() for p in re.split(r"\s{2,}", rest) if re.search(r"[A-Za-z]{3,}", p)))
    return bad


def _live_activities():
    yield "setup", hesj.setup()
    yield "overview", hesj.overview("rhi-1")
    yield "key_terms", hesj.key_terms("rhi-1")
    yield "reflect", hesj.reflect("rhi-1", "culture-now")
    for chk in ("segment-1", "segment-2"):
        yield f"check {chk}", hesj.check("rhi-1", chk)
    yield "self_assessment", hesj.self_assessment("rhi-1")
    yield "toolkit_search", hesj.toolkit_search("community")
    for name in ("timeline", "map_explorer", "story_map", "gradient", "intersectionality", "root_cause",
                 "power_map", "narrative_lab"):
        fn = getattr(hesj, name, None)
        if fn is not None:
            yield name, fn()


def test_every_marked_message_is_a_literal():
    messages = i18n.extract_messages()
    assert len(messages) > 50
    for m in messages:
        for field in re.findall(r"\{([^}]*)\}", m.replace("{{", "").replace("}}", "")):  # named placeholders only, so translators can reorder
            assert re.fullmatch(r"[a-z_]+(![rs])?(:[^}]*)?", field), (m, field)


def test_no_hard_coded_text_in_widgets(pseudo, home):
    data = _data_strings()
    problems = {}
    for name, act in _live_activities():
        texts = []
        if act.widget is not None:
            for s in _strings(act.widget):
                texts += [" ".join(_text_nodes(s))] if "<" in s else [s]
        else:
            texts += [" ".join(_text_nodes(act.html))]
        bad = _untranslated(texts, data)
        if bad:
            problems[name] = bad[:5]
    assert not problems, f"text shown without the message catalog: {problems}"


def test_no_hard_coded_text_in_static_versions(pseudo, monkeypatch):
    monkeypatch.setenv("HESJ_STATIC", "1")
    data = _data_strings()
    problems = {}
    for name, act in _live_activities():
        if act is None:  # hesj.setup() shows nothing in the book
            continue
        bad = _untranslated([" ".join(_text_nodes(act.html))], data)
        if bad:
            problems[name] = bad[:5]
    assert not problems, f"text shown without the message catalog: {problems}"


def test_catalog_template_can_be_written(tmp_path):
    path = i18n.write_template(tmp_path / "hesj.pot")
    text = Path(path).read_text(encoding="utf-8")
    assert 'msgid "Save to my journal"' in text


def test_question_banks_and_glossary_per_language(tmp_path, monkeypatch, home):
    """A translation of a unit's content file and of the glossary is used when HESJ_LANG asks for it."""
    import shutil

    from hesj import course, glossary

    content = tmp_path / "content"
    shutil.copytree(ROOT / "hesj" / "content", content)
    data = yaml.safe_load((content / "rhi-1.yml").read_text(encoding="utf-8"))
    data["reflections"][0]["prompt"] = "EO: " + data["reflections"][0]["prompt"]
    data["checks"][0]["questions"][0]["prompt"] = "EO: question"
    (content / "eo").mkdir()
    (content / "eo" / "rhi-1.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(course, "CONTENT_DIR", content)
    gl = tmp_path / "data" / "glossary.yml"
    gl.parent.mkdir()
    shutil.copy(ROOT / "hesj" / "data" / "glossary.yml", gl)
    (gl.parent / "eo").mkdir()
    (gl.parent / "eo" / "glossary.yml").write_text(yaml.safe_dump(
        [{"term": "Health equity", "definition": "EO: definition", "source": "Braveman2003defining"}]))
    monkeypatch.setattr(glossary, "GLOSSARY", gl)
    monkeypatch.setenv("HESJ_LANG", "eo")
    rid = data["reflections"][0]["id"]
    assert "EO: " in hesj.reflect("rhi-1", rid).html
    assert "EO: question" in hesj.check("rhi-1", data["checks"][0]["id"]).html
    assert glossary.lookup("Health equity")["definition"] == "EO: definition"
    monkeypatch.setenv("HESJ_LANG", "fr")  # no French files: English
    assert "EO: " not in hesj.reflect("rhi-1", rid).html
    assert glossary.lookup("Health equity")["definition"] != "EO: definition"
