"""In a real browser: JupyterLab (from `hesj start`) in Debian's headless Chromium, driven by
Playwright, with the Unit 1 notebook and every activity displayed. axe-core checks what the
package renders (cell outputs and rendered Markdown) for WCAG 2.1 A and AA: zero violations.

JupyterLab's own interface is outside this test; what axe-core reports there is listed in
book/about/accessibility.md (`python tests/test_browser.py --lab-report` prints it).
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest

from browsing import axe_source, chromium, describe, run_axe
from labserver import lab_server, shutdown_kernels

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
OURS = [".jp-Notebook .jp-OutputArea-output", ".jp-Notebook .jp-RenderedMarkdown"]

# one cell per activity, as a learner's notebook would call them
ACTIVITY_CELLS = [
    "import hesj\nhesj.setup()",
    'hesj.reflect("rhi-1", "culture-now")',
    'hesj.check("rhi-1", "segment-2")',
    'hesj.self_assessment("rhi-1")',
    'hesj.toolkit_search("community engagement")',
    "hesj.timeline()",
    "hesj.map_explorer()",
    'hesj.map_explorer(level="county")',
    "hesj.story_map()",
    "hesj.gradient()",
    "hesj.intersectionality()",
    "hesj.root_cause()",
    "hesj.power_map()",
    "hesj.narrative_lab()",
]


def open_notebook(page, base: str, token: str, path: str):
    page.set_default_timeout(120_000)
    page.goto(f"{base}/lab/tree/{path}?token={token}", wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext", timeout=90_000)
    page.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget; "
                           "const k = w.sessionContext.session && w.sessionContext.session.kernel; "
                           "return k && k.status === 'idle'; }", timeout=90_000)


def run_all(page, timeout_s: float = 180):
    # start the run without waiting on the command's promise (a dialog would leave it pending)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    time.sleep(1.0)
    state = """() => {
          const w = window.jupyterapp.shell.currentWidget;
          const k = w.sessionContext.session.kernel;
          const cells = Array.from(w.content.model.cells).filter(c => c.type === 'code');
          return {status: k.status, counts: cells.map(c => c.executionCount)};
        }"""
    try:
        page.wait_for_function(f"() => {{ const s = ({state})(); return s.status === 'idle' && s.counts.length > 0 "
                               "&& s.counts.every(n => n !== null); }", timeout=timeout_s * 1000)
    except Exception:
        raise AssertionError(f"the notebook did not finish running: {page.evaluate(state)}") from None
    time.sleep(1.5)  # let widget views render


def errors_in_outputs(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="
                         "\"application/vnd.jupyter.stderr\"], .jp-RenderedText[data-mime-type="
                         "\"application/vnd.jupyter.error\"]')].map(e => e.textContent.slice(0, 500))")


def lab_settings(home: Path) -> None:
    """Render every cell (JupyterLab 4 otherwise leaves cells outside the window out of the page)."""
    folder = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    lab_settings(tmp / "home")
    with lab_server(tmp, extra=["--LabApp.expose_app_in_browser=True"]) as server:
        demo = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in ACTIVITY_CELLS])
        demo.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(demo, server["workspace"] / "activities.ipynb")
        # a copy of Unit 1: JupyterLab saves what it runs, and the course's own file must stay clean
        shutil.copy(ROOT / "notebooks" / "rhi-1-where-do-we-start.ipynb", server["workspace"] / "unit-1.ipynb")
        yield server


@pytest.mark.parametrize("notebook", ["unit-1.ipynb", "activities.ipynb"])
def test_no_wcag_violations_in_what_the_package_renders(lab, browser, notebook):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    open_notebook(page, lab["base"], lab["token"], notebook)
    run_all(page)
    assert not errors_in_outputs(page), errors_in_outputs(page)
    n_outputs = page.evaluate("() => document.querySelectorAll('.jp-Notebook .jp-OutputArea-output').length")
    assert n_outputs >= 5
    widgets = page.evaluate("() => document.querySelectorAll('.jp-Notebook .widget-box, .jupyter-widgets').length")
    assert widgets > 0, "no widget rendered: the widget manager did not load"
    violations = run_axe(page, OURS)
    assert not violations, "axe-core found WCAG 2.1 A/AA violations in the package's output:\n" + describe(violations)
    # what axe-core finds in JupyterLab's own interface must be listed in the accessibility statement
    statement = (ROOT / "book" / "about" / "accessibility.md").read_text(encoding="utf-8")
    lab_rules = {v["id"] for v in run_axe(page, None)}
    unlisted = sorted(r for r in lab_rules if f"`{r}`" not in statement)
    assert not unlisted, f"JupyterLab problems missing from book/about/accessibility.md: {unlisted}"
    outside = [u for u in requests if not u.startswith(lab["base"]) and not u.startswith("data:")]
    assert not outside, f"the browser fetched from outside the machine: {outside[:5]}"
    page.close()
    shutdown_kernels(lab["base"])  # the next notebook gets the machine to itself


def test_activities_work_with_the_keyboard_alone(lab, browser):
    """Tab to a control, type, press Enter/Space: a reflection saves and a check answers."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    open_notebook(page, lab["base"], lab["token"], "activities.ipynb")
    run_all(page)
    area = page.locator(".jp-Notebook textarea").first
    area.focus()
    page.keyboard.type("Typed with the keyboard only.")
    page.keyboard.press("Tab")  # from the answer box to the save button
    focused = page.evaluate("() => document.activeElement && document.activeElement.textContent")
    assert "Save" in (focused or ""), focused
    page.keyboard.press("Enter")
    page.wait_for_function("() => [...document.querySelectorAll('.jp-Notebook [role=status]')]"
                           ".some(e => e.textContent.includes('Saved'))", timeout=20_000)
    page.close()
    shutdown_kernels(lab["base"])  # the next notebook gets the machine to itself
    from hesj.journal import Journal

    entry = Journal(lab["hesj_home"] / "journal.sqlite").get("rhi-1", "culture-now")
    assert entry is not None and entry.text == "Typed with the keyboard only."


if __name__ == "__main__" and "--lab-report" in sys.argv:
    # What axe-core reports for JupyterLab's own interface (for the accessibility statement).
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as d:
        lab_settings(Path(d) / "home")
    with tempfile.TemporaryDirectory() as d, lab_server(Path(d), ["--LabApp.expose_app_in_browser=True"]) as s, \
            sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = b.new_page(viewport={"width": 1280, "height": 900})
        shutil.copy(ROOT / "notebooks" / "rhi-1-where-do-we-start.ipynb", s["workspace"] / "unit-1.ipynb")
        open_notebook(page, s["base"], s["token"], "unit-1.ipynb")
        run_all(page)
        page.add_script_tag(content=axe_source())
        print(describe(run_axe(page, None)))
        b.close()
