"""The toolkit database: real, verified entries that serve the course; ranked search with
filters in Python, on the command line, in a notebook widget and in the book's page."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from hesj import toolkit
from hesj.toolkit import ToolkitError, search

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = toolkit.load_entries()


def test_at_least_120_verified_entries_that_serve_the_course():
    assert len(ENTRIES) >= 120
    for e in ENTRIES:
        assert e.serves and e.units
        assert e.link.startswith(("https://", "http://"))
        assert all(e.verification.get(k) for k in ("where", "checked", "confirms")), e.id
        assert len(e.summary) <= 600, e.id
    kinds = {e.type for e in ENTRIES}
    assert {"framework", "tool", "guide", "report", "article", "book", "data-source"} <= kinds
    # every unit of the course has resources
    from hesj.course import load_course

    for u in load_course().units:
        assert any(u.id in e.units for e in ENTRIES), f"no toolkit entry serves {u.id}"


def test_summaries_are_not_copied_between_entries():
    summaries = [e.summary.lower() for e in ENTRIES]
    assert len(set(summaries)) == len(summaries)


def test_ranked_search_puts_the_obvious_match_first():
    top = search("ladder of citizen participation")[0].entry
    assert "arnstein" in " ".join(top.authors).lower() or "ladder" in top.title.lower()
    hits = search("redlining")
    assert hits and all("redlin" in (h.entry.title + h.entry.summary).lower() for h in hits[:3])
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    # a word in the title outranks the same word only in a summary
    word = "intersectionality"
    ranked = search(word, limit=None)
    in_title = [i for i, h in enumerate(ranked) if word in h.entry.title.lower()]
    only_summary = [i for i, h in enumerate(ranked) if word not in h.entry.title.lower()
                    and word not in " ".join(h.entry.topics)]
    if in_title and only_summary:
        assert min(in_title) < min(only_summary)


def test_search_handles_plurals_accents_and_case():
    assert [h.entry.id for h in search("Communities")] == [h.entry.id for h in search("community")]
    assert toolkit.tokens("Déjà Vu, Policies!") == ["deja", "vu", "policy"]


def test_filters_narrow_the_results():
    for kind in ("article", "data-source"):
        hits = search("", type=kind, limit=None)
        assert hits and all(h.entry.type == kind for h in hits)
        years = [h.entry.year for h in hits]
        assert years == sorted(years, reverse=True)  # browsing: newest first
    hits = search("health", unit="rhi-1", year="2000-2015", limit=None)
    assert hits and all("rhi-1" in h.entry.units and 2000 <= h.entry.year <= 2015 for h in hits)
    hits = search("", topic="community engagement", audience="community partners", limit=None)
    assert all("community engagement" in h.entry.topics and "community partners" in h.entry.audience
               for h in hits)
    assert len(search("equity", limit=3)) == 3


@pytest.mark.parametrize("kwargs,message", [
    ({"query": ""}, "Type one or more words"),
    ({"query": "   "}, "Type one or more words"),
    ({"query": "the of and"}, "no words to search for"),
    ({"query": "x", "type": "blog"}, "Unknown type 'blog'"),
    ({"query": "x", "topic": "racism"}, "Did you mean 'structural racism'"),
    ({"query": "x", "unit": "rhi-9"}, "Unknown unit"),
    ({"query": "x", "year": "2020-2010"}, "runs backwards"),
    ({"query": "x", "year": "last year"}, "not a year or range"),
    ({"query": "x", "limit": 0}, "limit should be"),
    ({"query": 42}, "should be text"),
])
def test_bad_requests_get_clear_messages(kwargs, message):
    with pytest.raises(ToolkitError) as exc:
        search(**kwargs)
    assert message in str(exc.value)


def test_year_parsing():
    assert toolkit.parse_years("2010") == (2010, 2010)
    assert toolkit.parse_years("2010-") == (2010, 9999)
    assert toolkit.parse_years("-2010") == (0, 2010)
    assert toolkit.parse_years("2001 to 2014") == (2001, 2014)


# -- malformed data files ---------------------------------------------------------------
@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "toolkit"
    d.mkdir()
    for p in toolkit.TOOLKIT_DIR.glob("*.yml"):
        shutil.copy(p, d / p.name)
    return d


def _first_file(folder):
    return sorted(folder.glob("*.yml"))[0]


@pytest.mark.parametrize("change,message", [
    (lambda e: e.update(type="podcast"), "type 'podcast' is not one of"),
    (lambda e: e.update(topics=["vibes"]), "unknown topic"),
    (lambda e: e.update(serves=["rhi-1.99"]), "not an objective number or topic"),
    (lambda e: e.update(serves=["rhi-4:racism"], units=["rhi-1"]), "is not in its units"),
    (lambda e: e.pop("verification"), "missing verification"),
    (lambda e: e.update(year="recent"), "four-digit year"),
    (lambda e: (e.pop("url", None), e.pop("doi", None)), "give a url or a doi"),
    (lambda e: e.update(summary="One. Two. Three. Four."), "one to three sentences"),
])
def test_a_bad_entry_is_named_with_file_and_id(folder, change, message):
    path = _first_file(folder)
    data = yaml.safe_load(path.read_text())
    change(data[0])
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ToolkitError) as exc:
        toolkit.load_entries(folder)
    assert message in str(exc.value)
    assert path.name in str(exc.value)


def test_duplicate_ids_and_broken_yaml(folder):
    path = _first_file(folder)
    data = yaml.safe_load(path.read_text())
    (folder / "extra.yml").write_text(yaml.safe_dump([data[0]], sort_keys=False))
    with pytest.raises(ToolkitError, match="used twice"):
        toolkit.load_entries(folder)
    (folder / "extra.yml").write_text("- id: [unclosed\n")
    with pytest.raises(ToolkitError, match="not valid YAML"):
        toolkit.load_entries(folder)
    (folder / "extra.yml").write_text("id: not-a-list\n")
    with pytest.raises(ToolkitError, match="should be a list"):
        toolkit.load_entries(folder)


# -- the command line ---------------------------------------------------------------------
def _hesj(*args):
    return subprocess.run([sys.executable, "-m", "hesj.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_search_show_and_errors():
    r = _hesj("toolkit", "search", "redlining", "--limit", "3")
    assert r.returncode == 0 and r.stdout.count("id: ") == 3
    r = _hesj("toolkit", "search", "community", "--type", "tool", "--json")
    hits = json.loads(r.stdout)
    assert hits and all(h["type"] == "tool" for h in hits)
    r = _hesj("toolkit", "show", hits[0]["id"])
    assert r.returncode == 0 and "verification" in r.stdout
    for args, message in [(("toolkit", "search"), "Type one or more words"),
                          (("toolkit", "search", "x", "--type", "blog"), "Unknown type"),
                          (("toolkit", "show", "no-such-entry"), "no toolkit entry"),
                          (("toolkit", "search", "x", "--year", "soon"), "not a year")]:
        r = _hesj(*args)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr


# -- the notebook widget ----------------------------------------------------------------------
def test_widget_searches_headless():
    import hesj

    act = hesj.toolkit_search()
    c = act.controls
    c["words"].value = "redlining"
    assert "redlin" in c["results"].value.lower()
    c["type"].value = "article"
    c["button"].click()
    assert all(r.entry.type == "article" for r in act.model.results)
    c["words"].value = ""
    c["type"].value = ""
    c["button"].click()
    assert "Type one or more words" in c["results"].value  # the message, never a traceback
    for name in ("words", "type", "topic", "unit", "audience", "year_from", "year_to"):
        assert c[name].description, f"{name} has no visible label"
    pre = hesj.toolkit_search("community engagement", type="tool")
    assert pre.model.results and "role='status'" in pre.controls["results"].value


# -- the book page: generated, current, searchable with no network ------------------------------
def test_book_page_is_current_and_lists_every_entry():
    from hesj.toolkit_page import render_page

    page = render_page()
    assert (ROOT / "book" / "toolkit.md").read_text(encoding="utf-8") == page, \
        "book/toolkit.md is stale: run `hesj toolkit page`"
    for e in ENTRIES:
        assert f'data-id="{e.id}"' in page
    assert "src=" not in page.split("```{raw} html", 1)[1].split("<ol", 1)[0]  # no script or style fetched


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.controls, self.labels = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select"):
            self.controls.append(a.get("id"))
        if tag == "label":
            self.labels.add(a.get("for"))


def test_every_page_control_has_a_label():
    from hesj.toolkit_page import render_page

    form = _Form()
    form.feed(render_page())
    assert form.controls and all(c in form.labels for c in form.controls), (form.controls, form.labels)


NODE_RUNNER = r"""
const tk = require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const index = tk.buildIndex(input.entries);
const out = input.cases.map(c => tk.search(index, c.q, c.f).map(h => [h.entry.id, h.score]));
process.stdout.write(JSON.stringify(out));
"""


def _node():
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, ("Node.js is needed to test the book's in-page search: install it "
                  "(Debian: apt-get install nodejs); .ci/run does this.")
    return node


def test_in_page_search_matches_python(tmp_path):
    """The browser's search (toolkit_search.js, run here in Node) ranks exactly as Python does."""
    from hesj.toolkit_page import render_page

    page = render_page()
    data = json.loads(re.search(r'id="hesj-toolkit-data">(.*?)</script>', page, re.S).group(1)
                      .replace("<\\/", "</"))
    cases = [("redlining", {}), ("community engagement", {}), ("structural racism health", {}),
             ("narrative", {"type": "guide"}), ("equity", {"unit": "rhi-1", "yearFrom": 2000, "yearTo": 2015}),
             ("", {"type": "article"}), ("Communities organizing", {}), ("data", {"topic": "data and assessment"}),
             ("life expectancy income", {}), ("ladder of citizen participation", {})]
    runner = tmp_path / "run.js"
    runner.write_text(NODE_RUNNER)
    proc = subprocess.run([_node(), str(runner), str(toolkit.PACKAGE_DIR / "data" / "toolkit_search.js")],
                          input=json.dumps({"entries": data, "cases": [{"q": q, "f": f} for q, f in cases]}),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    js = json.loads(proc.stdout)
    for (q, f), got in zip(cases, js):
        year = None
        if f.get("yearFrom") or f.get("yearTo"):
            year = f"{f.get('yearFrom', '')}-{f.get('yearTo', '')}"
        py = search(q, type=f.get("type"), topic=f.get("topic"), unit=f.get("unit"), year=year, limit=None)
        assert [i for i, _ in got] == [h.entry.id for h in py], (q, f)
        for (_, s_js), h in zip(got, py):
            assert s_js == pytest.approx(h.score, rel=1e-12, abs=1e-12)
        assert got, (q, f)
