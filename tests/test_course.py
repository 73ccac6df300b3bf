"""The manifest is the one source of truth: _toc.yml, notebooks/, book/ and
assignments/ must agree with it, and its minutes must match the notebooks."""
import json
import re
from pathlib import Path

import pytest
import yaml

from hesj.course import (ManifestError, count_words, estimate_segments, load_content, load_course,
                         parse_course, validate_content)
from hesj.glossary import load_glossary

ROOT = Path(__file__).resolve().parent.parent
COURSE = load_course()


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                found.append(e["file"])
            walk(e.get("sections"))
            walk(e.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return found


def test_every_part_of_the_program_is_listed():
    ids = [u.id for u in COURSE.units]
    assert ids == [f"rhi-{n}" for n in range(1, 7)] + ["hesj101-1", "hesj101-2", "hesj101-3",
                                                        "narrative-handbook"]
    assert COURSE.unit("rhi-1").complete


# the handbook's pages beside its chapter and notebook: the dialogue series guide and the lexicon
HANDBOOK_PAGES = {"book/handbook/dialogue-guide", "book/handbook/lexicon"}
# the one notebook that is not a unit: the orientation (a tour and an index of the units)
ORIENTATION = {"notebooks/start-here.ipynb"}


def test_toc_notebooks_book_and_assignments_agree_with_manifest():
    toc = set(toc_files())
    complete = COURSE.complete_units
    listed_notebooks = {u.notebook for u in complete}
    listed_chapters = {u.chapter for u in complete}
    listed_assignments = {u.assignment for u in complete}
    for u in complete:
        assert (ROOT / u.notebook).is_file(), u.notebook
        assert (ROOT / u.chapter).is_file(), u.chapter
        assert (ROOT / u.assignment / f"{u.id}.ipynb").is_file(), u.assignment
        assert u.notebook.removesuffix(".ipynb") in toc, f"{u.notebook} missing from _toc.yml"
        assert u.chapter.removesuffix(".md") in toc, f"{u.chapter} missing from _toc.yml"
        assert (ROOT / "hesj" / "content" / f"{u.id}.yml").is_file()
    # nothing on disk or in the toc that the manifest does not know about
    assert {str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb")} == listed_notebooks | ORIENTATION
    assert {str(p.relative_to(ROOT)) for p in (ROOT / "assignments").iterdir() if p.is_dir()} == listed_assignments
    unit_pages = {f for f in toc if f.startswith("notebooks/") or f.startswith(("book/rhi/", "book/hesj101/",
                                                                                "book/handbook/"))}
    assert unit_pages == {p.removesuffix(".ipynb") for p in listed_notebooks | ORIENTATION} | {
        p.removesuffix(".md") for p in listed_chapters} | HANDBOOK_PAGES
    chapters_on_disk = {str(p.relative_to(ROOT)) for d in ("rhi", "hesj101", "handbook")
                        for p in (ROOT / "book" / d).glob("*.md")}
    assert chapters_on_disk == listed_chapters | {f"{p}.md" for p in HANDBOOK_PAGES}
    # every toc entry exists
    for f in toc:
        assert (ROOT / f"{f}.md").is_file() or (ROOT / f"{f}.ipynb").is_file(), f


def test_planned_units_are_not_published():
    toc = " ".join(toc_files())
    for u in COURSE.units:
        if not u.complete:
            assert u.notebook is None and u.chapter is None and u.assignment is None
            assert u.id not in toc


@pytest.mark.parametrize("unit", [u.id for u in COURSE.complete_units])
def test_segment_minutes_match_the_estimate_within_20_percent(unit):
    u = COURSE.unit(unit)
    estimate = estimate_segments(ROOT / u.notebook)
    assert sorted(estimate) == [s.id for s in u.segments], "notebook segments differ from the manifest"
    for seg in u.segments:
        est = estimate[seg.id]["minutes"]
        assert abs(est - seg.minutes) <= 0.2 * seg.minutes, (seg, estimate[seg.id])
        assert seg.minutes <= COURSE.max_segment_minutes


@pytest.mark.parametrize("unit", [u.id for u in COURSE.complete_units])
def test_notebook_segment_titles_match(unit):
    u = COURSE.unit(unit)
    nb = json.loads((ROOT / u.notebook).read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for seg in u.segments:
        assert f"## Segment {seg.id}: {seg.title}" in text


@pytest.mark.parametrize("unit", [u.id for u in COURSE.complete_units])
def test_unit_content_is_complete(unit):
    u = COURSE.unit(unit)
    assert 3 <= len(u.objectives) <= 8
    weak = ("understand", "know", "learn about", "appreciate")
    for o in u.objectives:
        assert not o.lower().startswith(weak), f"objective is not measurable: {o}"
    content = load_content(unit)
    assert content["reflections"] and content["checks"]
    glossary = load_glossary()
    for term in u.key_terms:
        assert term.lower() in glossary, f"key term {term} has no glossary entry"
    nb = json.loads((ROOT / u.notebook).read_text())
    first = nb["cells"][0]
    assert first["cell_type"] == "code" and "hesj.setup()" in "".join(first["source"])
    assert "remove-cell" in first["metadata"].get("tags", [])
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    for r in content["reflections"]:
        assert f'hesj.reflect("{unit}", "{r["id"]}")' in code, f"reflection {r['id']} is never shown"
    for c in content["checks"]:
        assert f'hesj.check("{unit}", "{c["id"]}")' in code, f"check {c['id']} is never shown"
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "illustrative composite" in md.lower()
    assert re.search(r"^#+ (Discussion questions|Questions for reflection and dialogue)", md, re.M)
    assert "Further reading" in md


def test_notebooks_are_committed_without_outputs():
    for nb_path in list((ROOT / "notebooks").glob("*.ipynb")) + list((ROOT / "assignments").glob("*/*.ipynb")):
        nb = json.loads(nb_path.read_text())
        for c in nb["cells"]:
            if c["cell_type"] == "code":
                assert not c["outputs"] and c["execution_count"] is None, nb_path


def test_glossary_terms_used_in_notebooks_exist():
    import re
    glossary = load_glossary()
    for nb_path in (ROOT / "notebooks").glob("*.ipynb"):
        text = nb_path.read_text()
        for m in re.finditer(r"\{term\}`([^`<]+?)(?:\s*<([^>]+)>)?`", text):
            term = (m.group(2) or m.group(1)).strip().lower()
            assert term in glossary, f"{nb_path.name}: {{term}} {term!r} is not in the glossary"


def test_citations_resolve_and_are_verified():
    import re
    bib = (ROOT / "references.bib").read_text()
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    # each entry has a verification note just above it
    lines = bib.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("@"):
            assert lines[i - 1].startswith("% verified:"), f"{line}: add a '% verified:' line above it"
    sources = [p for p in ROOT.glob("notebooks/*.ipynb")] + list(ROOT.glob("book/**/*.md"))
    used = set()
    for p in sources:
        for m in re.finditer(r"\{cite(?::[pt])?\}`([^`]+)`", p.read_text()):
            used |= {k.strip() for k in m.group(1).split(",")}
    for e in load_glossary().values():
        if e["source"]:
            used.add(e["source"])
    missing = used - keys
    assert not missing, f"cited but not in references.bib: {missing}"


def test_manifest_errors_say_what_to_fix():
    import copy
    data = yaml.safe_load((ROOT / "hesj" / "course.yml").read_text())
    bad = copy.deepcopy(data)
    bad["units"][0]["segments"][0]["minutes"] = 75
    with pytest.raises(ManifestError, match="segment 1 is 75 minutes.*Split it"):
        parse_course(bad)
    bad = copy.deepcopy(data)
    planned = bad["units"][-1]  # every part is published now: make one planned again, still with a notebook
    planned["status"] = "planned"
    for key in ("chapter", "assignment"):
        planned.pop(key, None)
    with pytest.raises(ManifestError, match="planned unit is not published"):
        parse_course(bad)
    bad = copy.deepcopy(data)
    del bad["units"][0]["objectives"]
    with pytest.raises(ManifestError, match="unit rhi-1: the field 'objectives' is missing"):
        parse_course(bad)
    bad = copy.deepcopy(data)
    bad["units"][0]["competencies"][0]["domain"] = 9
    with pytest.raises(ManifestError, match="domain 9"):
        parse_course(bad)
    with pytest.raises(KeyError, match="no unit 'rhi-9'"):
        load_course().unit("rhi-9")


def test_content_errors_say_what_to_fix():
    content = {"unit": "x", "checks": [{"id": "c", "questions": [
        {"id": "q", "prompt": "?", "options": [{"text": "a", "feedback": "f", "correct": True},
                                               {"text": "b", "feedback": "f", "correct": True}]}]}]}
    with pytest.raises(ManifestError, match="exactly one option"):
        validate_content(content, "x")


def test_word_count_ignores_markup():
    # a citation reads as one short "(Author year)" and counts as one word
    assert count_words("## Heading\nA {term}`health equity` goal {cite:p}`Jones2000levels`.") == 6
    assert count_words("```python\ncode here\n```\nTwo words") == 2
