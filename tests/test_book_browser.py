"""Every page of the built book in a real browser (Debian's Chromium, driven by Playwright),
served from 127.0.0.1: nothing fetched from elsewhere, no failed request, no console error,
no WCAG 2.1 A/AA violation (axe-core, no rule disabled), alt text, heading order, keyboard
access to search and navigation, search that works offline, and no broken internal link."""
from __future__ import annotations

import functools
import http.server
import os
import re
import socketserver
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from browsing import describe, run_axe

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def serve(html: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def subset_book(tmp_path_factory):
    """A strict build of only the units a board approved (three of them), served from 127.0.0.1."""
    out = tmp_path_factory.mktemp("subset")
    env = dict(os.environ, HESJ_APPROVED_UNITS="rhi-1,rhi-4,hesj101-2", HESJ_HOME=str(out / "home"))
    env.pop("HESJ_STATIC", None)
    bindir = Path(sys.executable).parent
    opts = subprocess.run([str(bindir / "hesj"), "subset", "--out", str(out / "cfg")], env=env, capture_output=True,
                          text=True, check=True).stdout.split()
    proc = subprocess.run([str(bindir / "jupyter-book"), "build", str(ROOT), "--path-output", str(out), "-n", "-W",
                           "--keep-going", *opts], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    html = out / "_build" / "html"
    server = serve(html)
    yield {"html": html, "base": f"http://127.0.0.1:{server.server_address[1]}"}
    server.shutdown()


def test_a_board_approved_subset_builds_strictly_and_passes_the_browser_checks(subset_book, browser):
    html = subset_book["html"]
    built = set(pages(html))
    assert "book/rhi/unit-1.html" in built and "notebooks/rhi-4-root-causes.html" in built
    assert "book/rhi/unit-2.html" not in built and not any(p.startswith("book/handbook/") for p in built)
    assert {p.name for p in (html / "downloads").glob("*-worksheet.html")} == {
        "rhi-1-worksheet.html", "rhi-4-worksheet.html", "hesj101-2-worksheet.html"}
    start = (html / "book" / "orientation" / "start-here.html").read_text(encoding="utf-8")
    assert "(not offered here)" in start  # a link to a unit the board did not approve is plain text
    check_every_page(subset_book, browser)
    check_links(html)


@pytest.fixture(scope="module")
def book(built_book):
    """The shared strict build (tests/conftest.py), served from 127.0.0.1."""
    rc, log, html = built_book
    assert rc == 0, log[-4000:]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"html": html, "base": f"http://127.0.0.1:{server.server_address[1]}"}
    server.shutdown()


def pages(html: Path) -> list[str]:
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html") if "_static" not in p.parts)


def test_every_page_loads_offline_cleanly_and_passes_axe(book, browser):
    check_every_page(book, browser)


def check_every_page(book, browser):
    problems = []
    for rel in pages(book["html"]):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests, failed, console = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
        page.goto(f"{book['base']}/{rel}", wait_until="networkidle")
        outside = [u for u in requests if not u.startswith(book["base"]) and not u.startswith("data:")]
        if outside or failed or console:
            problems.append(f"{rel}: outside={outside[:3]} failed={failed[:3]} console={console[:3]}")
        # what a reader loads is checked above; axe-core then runs on the loaded page (its own
        # stylesheet fetches are not the reader's traffic)
        violations = run_axe(page, None)
        if violations:
            problems.append(f"{rel}: axe-core found\n{describe(violations)}")
        info = page.evaluate("""() => ({
            imgs: [...document.images].filter(i => !i.hasAttribute('alt')).map(i => i.src.slice(0, 80)),
            heads: [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]
                     .map(h => +h.tagName[1]),
            lang: document.documentElement.lang })""")
        if info["imgs"]:
            problems.append(f"{rel}: images without alt: {info['imgs']}")
        if info["lang"] != "en" and "http-equiv" not in page.content():
            problems.append(f"{rel}: lang is {info['lang']!r}")
        for a, b in zip(info["heads"], info["heads"][1:]):
            if b > a + 1:
                problems.append(f"{rel}: heading h{a} followed by h{b}")
                break
        page.close()
    assert not problems, "\n".join(problems)


def test_keyboard_reaches_search_and_navigation(book, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{book['base']}/book/intro.html", wait_until="networkidle")
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        el = page.evaluate("""() => { const e = document.activeElement; if (!e) return '';
            return [e.tagName, e.getAttribute('aria-label') || '', e.className || '', e.textContent.trim().slice(0, 40),
                    e.getAttribute('href') || ''].join('|'); }""")
        low = el.lower()
        if "search" in low:
            reached.add("search")
        if "next" in low or "rhi/unit-1" in low or "privacy" in low:
            reached.add("navigation")
        if reached == {"search", "navigation"}:
            break
    assert reached == {"search", "navigation"}, reached
    page.close()


def test_search_finds_a_known_term_offline(book, browser):
    page = browser.new_page()
    page.goto(f"{book['base']}/search.html?q=redlining", wait_until="networkidle")
    page.wait_for_selector("#search-results li, .search li", timeout=20_000)
    text = page.inner_text("body")
    assert "glossary" in text.lower() or "data" in text.lower()
    page.close()


def test_toolkit_page_searches_in_the_browser(book, browser):
    page = browser.new_page()
    page.goto(f"{book['base']}/book/toolkit.html", wait_until="networkidle")
    page.fill("#hesj-tk-q", "redlining")
    page.wait_for_function("() => document.getElementById('hesj-toolkit-status').textContent.includes('match')")
    visible = page.evaluate("() => [...document.querySelectorAll('#hesj-toolkit-results li')]"
                            ".filter(li => !li.hidden).map(li => li.textContent)")
    assert visible and "redlin" in visible[0].lower()
    page.select_option("#hesj-tk-type", "book")
    status = page.inner_text("#hesj-toolkit-status")
    assert "match" in status
    page.close()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag in ("a", "link") and a.get("href"):
            self.hrefs.append(a["href"])
        if tag in ("img", "script") and a.get("src"):
            self.hrefs.append(a["src"])


def test_no_broken_internal_links_or_anchors(book):
    check_links(book["html"])


def check_links(html):
    parsed = {}
    for rel in pages(html):
        p = Links()
        p.feed((html / rel).read_text(encoding="utf-8"))
        parsed[rel] = p
    broken = []
    for rel, p in parsed.items():
        for href in p.hrefs:
            if re.match(r"^(https?:|mailto:|data:|javascript:|//)", href):
                continue
            target = urlparse(urljoin(f"http://x/{rel}", href))
            path = unquote(target.path.lstrip("/")) or rel
            if not (html / path).exists():
                broken.append(f"{rel}: {href}")
                continue
            if target.fragment and path.endswith(".html"):
                ids = parsed[path].ids if path in parsed else set()
                if target.fragment not in ids:
                    broken.append(f"{rel}: {href} (no such anchor)")
    assert not broken, "\n".join(broken[:30])


def test_hub_launch_button_is_an_nbgitpuller_link(tmp_path, book):
    """With the hub address set in _config.yml, notebook pages link to the hub through nbgitpuller;
    every notebook page offers its .ipynb for download."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["repository"]["url"] = "https://github.com/example-health-dept/hesj-course"
    config["launch_buttons"]["jupyterhub_url"] = "https://hub.example.org"
    alt = tmp_path / "hub-config.yml"
    alt.write_text(yaml.safe_dump(config), encoding="utf-8")
    out = tmp_path / "out"
    env = dict(os.environ, HESJ_HOME=str(tmp_path / "home"))
    env.pop("HESJ_STATIC", None)
    proc = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--config", str(alt),
                           "--path-output", str(out), "-n", "-W", "--keep-going"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    page = (out / "_build" / "html" / "notebooks" / "rhi-1-where-do-we-start.html").read_text(encoding="utf-8")
    hub = re.search(r'href="(https://hub\.example\.org/hub/user-redirect/git-pull\?[^"]+)"', page)
    assert hub, "no JupyterHub launch link"
    link = hub.group(1).replace("&amp;", "&")
    assert "repo=https%3A//github.com/example-health-dept/hesj-course" in link or \
        "repo=https://github.com/example-health-dept/hesj-course" in link
    assert "rhi-1-where-do-we-start.ipynb" in link
    # the default book: a download link to the notebook file, which exists
    default = (book["html"] / "notebooks" / "rhi-1-where-do-we-start.html").read_text(encoding="utf-8")
    dl = re.search(r'href="([^"]*_sources/notebooks/rhi-1-where-do-we-start\.ipynb)"', default)
    assert dl and (book["html"] / "notebooks" / dl.group(1)).resolve().is_file()
    assert "hub.example.org" not in default


def test_pages_fit_a_360_pixel_screen(book, browser):
    """Tablets and phones: no page is wider than the screen (wide tables scroll inside the page)."""
    too_wide = []
    page = browser.new_page(viewport={"width": 360, "height": 740})
    for rel in pages(book["html"]):
        page.goto(f"{book['base']}/{rel}", wait_until="networkidle")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 362:
            too_wide.append(f"{rel}: {width}px")
    page.close()
    assert not too_wide, too_wide


def test_print_style_shows_only_the_content(book, browser):
    page = browser.new_page()
    page.goto(f"{book['base']}/book/intro.html", wait_until="networkidle")
    page.emulate_media(media="print")
    hidden = page.evaluate("() => getComputedStyle(document.querySelector('.bd-sidebar-primary')).display")
    assert hidden == "none"
    pdf = page.pdf()  # Chromium's print-to-PDF of the page, as a reader would print it
    assert pdf[:4] == b"%PDF" and len(pdf) > 5000
    page.close()


def test_publishing_workflow_builds_with_the_readme_command():
    import yaml

    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    steps = wf["jobs"]["build"]["steps"]
    assert any(s.get("run") == "./course book" for s in steps)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in wf["jobs"]["deploy"]["steps"])


def test_knowledge_checks_answer_in_the_page(book, browser):
    """No kernel: choose an answer, press Check answer (keyboard), read the feedback."""
    from hesj.course import load_content

    chk = load_content("rhi-1")["checks"][0]
    q = chk["questions"][0]
    right = next(i for i, o in enumerate(q["options"]) if o.get("correct"))
    wrong = next(i for i, o in enumerate(q["options"]) if not o.get("correct"))
    qid = f"hesjq-{chk['id']}-{q['id']}"
    page = browser.new_page()
    page.goto(f"{book['base']}/notebooks/rhi-1-where-do-we-start.html", wait_until="networkidle")
    block = page.locator(f"#{qid}-0").locator("xpath=ancestor::div[contains(@class,'hesj-q')]")
    page.check(f"#{qid}-{wrong}")
    block.locator("button.hesj-q-check").focus()
    page.keyboard.press("Enter")
    status = block.locator(".hesj-q-status")
    assert "Not quite." in status.inner_text() and q["options"][wrong]["feedback"][:30] in status.inner_text()
    page.check(f"#{qid}-{right}")
    block.locator("button.hesj-q-check").click()
    assert "Correct." in status.inner_text()
    # an ordering question
    order_q = next(qq for c in load_content("rhi-1")["checks"] for qq in c["questions"] if qq.get("type") == "ordering")
    oc = next(c for c in load_content("rhi-1")["checks"] if order_q in c["questions"])
    oid = f"hesjq-{oc['id']}-{order_q['id']}"
    for i in range(len(order_q["items"])):
        page.select_option(f"#{oid}-{i}", str(i + 1))
    oblock = page.locator(f"#{oid}-0").locator("xpath=ancestor::div[contains(@class,'hesj-q')]")
    oblock.locator("button.hesj-q-check").click()
    assert "Correct." in oblock.locator(".hesj-q-status").inner_text()
    page.close()


def test_worksheet_and_offline_package(book, browser):
    import zipfile

    html = book["html"]
    sheet = html / "downloads" / "rhi-1-worksheet.html"
    package = html / "downloads" / "rhi-1-offline.zip"
    assert sheet.is_file() and package.is_file()
    unit_page = (html / "book" / "rhi" / "unit-1.html").read_text(encoding="utf-8")
    assert "../../downloads/rhi-1-worksheet.html" in unit_page and "../../downloads/rhi-1-offline.zip" in unit_page
    from hesj.course import load_content

    text = sheet.read_text(encoding="utf-8")
    for r in load_content("rhi-1")["reflections"]:
        assert " ".join(r["prompt"].split())[:60].replace("'", "&#x27;") in text
    assert "<script" not in text  # nothing typed into it can be sent anywhere
    # accessible: axe-core finds nothing on the worksheet
    page = browser.new_page()
    page.goto(f"{book['base']}/downloads/rhi-1-worksheet.html", wait_until="networkidle")
    assert not run_axe(page, None)
    page.close()
    # the package opens offline: every page in it finds the files it loads inside the zip
    with zipfile.ZipFile(package) as zf:
        names = set(zf.namelist())
        assert {"index.html", "book/rhi/unit-1.html", "notebooks/rhi-1-where-do-we-start.html",
                "downloads/rhi-1-worksheet.html"} <= names
        for page_name in ("book/rhi/unit-1.html", "notebooks/rhi-1-where-do-we-start.html"):
            refs = Links()
            refs.feed(zf.read(page_name).decode("utf-8"))
            for href in refs.hrefs:
                if "_static/" in href and not re.match(r"^(https?:|//|data:)", href):
                    target = urlparse(urljoin(f"http://x/{page_name}", href)).path.lstrip("/")
                    assert target in names, f"{page_name} loads {href}, missing from the package"


def test_interactive_figure_renders_with_no_kernel(book, browser):
    """The timeline's interactive copy: plotly.js from the book itself draws it; hovering shows an event."""
    assert (book["html"] / "_assets" / "plotly.min.js").is_file()
    assert not (book["html"] / "_static" / "plotly.min.js").exists()  # not put on every page
    intro = (book["html"] / "book" / "intro.html").read_text(encoding="utf-8")
    assert "plotly.min.js" not in intro  # linked only where a page shows an interactive figure
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{book['base']}/book/activities.html", wait_until="networkidle")
    page.wait_for_selector("#hesj-timeline-interactive .main-svg", timeout=20_000)
    points = page.locator("#hesj-timeline-interactive .scatterlayer .point")
    assert points.count() >= 60
    points.first.hover(force=True)
    page.wait_for_selector("#hesj-timeline-interactive .hovertext, .hoverlayer .hovertext", timeout=10_000)
    page.close()


def test_interactive_map_hover_names_a_place(book, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{book['base']}/book/activities.html", wait_until="networkidle")
    page.wait_for_selector("#hesj-map-interactive .main-svg", timeout=20_000)
    shapes = page.locator("#hesj-map-interactive .scatterlayer .trace")
    assert shapes.count() >= 52  # one shape per state and DC, and the hover points
    points = page.locator("#hesj-map-interactive .scatterlayer .point")
    assert points.count() >= 51  # a hover point per place
    points.nth(10).hover(force=True)
    page.wait_for_function("() => [...document.querySelectorAll('#hesj-map-interactive .hoverlayer text')]"
                           ".some(t => t.textContent.includes('rank'))", timeout=10_000)
    page.close()
