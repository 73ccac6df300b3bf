"""Helpers for the tests that drive a real browser: Debian's Chromium, and axe-core from npm."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    pytest.fail("Chromium is needed for the browser tests: install Debian's chromium package "
                "(./course test does this when it can).")


def axe_source() -> str:
    assert AXE.is_file(), "axe-core is missing: run `npm ci` in tests/browser (./course test does this)."
    return AXE.read_text(encoding="utf-8")


def run_axe(page, include: list[str] | None) -> list[dict]:
    page.add_script_tag(content=axe_source())
    context = json.dumps({"include": [[s] for s in include]} if include else {"exclude": []})
    result = page.evaluate(
        f"async () => {{ const r = await axe.run({context}, "
        f"{{runOnly: {{type: 'tag', values: {json.dumps(WCAG)}}}, resultTypes: ['violations']}}); "
        "return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, "
        "nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200), "
        "summary: n.failureSummary}))})); }")
    return result


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for n in v["nodes"][:5]:
            lines.append(f"    {n['target']}: {n['html']}\n      {n['summary']}")
    return "\n".join(lines)
