"""The book's toolkit page (``book/toolkit.md``), generated from the toolkit data.

Every entry is written into the page as plain HTML, so the whole list reads
without JavaScript. A small script in the page (``hesj/data/toolkit_search.js``
and the wiring below, both inline: nothing is loaded from elsewhere) adds
ranked search and filters that run in the reader's browser.
"""
from __future__ import annotations

import html
import json

from .course import load_course
from .paths import PACKAGE_DIR
from .toolkit import AUDIENCES, TOPICS, TYPES, Entry, load_entries

SCRIPT = PACKAGE_DIR / "data" / "toolkit_search.js"
TYPE_LABELS = {"framework": "Framework", "tool": "Tool", "guide": "Guide", "report": "Report",
               "course": "Course", "data-source": "Data source", "article": "Article", "book": "Book"}

WIRING = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("hesj-toolkit-data").textContent);
  var index = HesjToolkit.buildIndex(data);
  var form = document.getElementById("hesj-toolkit-form");
  var list = document.getElementById("hesj-toolkit-results");
  var status = document.getElementById("hesj-toolkit-status");
  var items = {};
  Array.prototype.forEach.call(list.children, function (li) { items[li.getAttribute("data-id")] = li; });
  function num(id) { var v = parseInt(document.getElementById(id).value, 10); return isNaN(v) ? 0 : v; }
  function run() {
    var q = document.getElementById("hesj-tk-q").value;
    var f = { type: document.getElementById("hesj-tk-type").value,
              topic: document.getElementById("hesj-tk-topic").value,
              unit: document.getElementById("hesj-tk-unit").value,
              audience: document.getElementById("hesj-tk-audience").value,
              yearFrom: num("hesj-tk-from"), yearTo: num("hesj-tk-to") };
    var hits = HesjToolkit.search(index, q, f);
    var shown = {};
    hits.forEach(function (h) { shown[h.entry.id] = true; list.appendChild(items[h.entry.id]); });
    Object.keys(items).forEach(function (id) { items[id].hidden = !shown[id]; });
    var n = hits.length;
    status.textContent = n === 0 ? "No resources match. Try fewer or different words, or clear a filter." :
      (n === 1 ? "1 resource matches." : n + " resources match.") + (q.trim() ? " Best matches first." : " Newest first.");
  }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
  form.addEventListener("input", run);
  form.addEventListener("reset", function () { setTimeout(run, 0); });
  document.getElementById("hesj-toolkit-js-note").hidden = true;
  run();
})();
"""


def _options(values, labels=None) -> str:
    out = ['<option value="">Any</option>']
    for v in values:
        out.append(f'<option value="{html.escape(v)}">{html.escape((labels or {}).get(v, v))}</option>')
    return "".join(out)


def _entry_html(e: Entry, unit_titles: dict[str, str]) -> str:
    authors = ", ".join(e.authors)
    units = "; ".join(unit_titles.get(u, u) for u in e.units)
    link = html.escape(e.link)
    cite = f" {html.escape(e.citation)}." if e.citation else ""
    return (
        f'<li class="hesj-tk-entry" data-id="{html.escape(e.id)}" id="tk-{html.escape(e.id)}">'
        f'<h3><a href="{link}">{html.escape(e.title)}</a></h3>'
        f'<p class="hesj-tk-meta"><strong>{TYPE_LABELS[e.type]}</strong>, {e.year}. {html.escape(authors)}.{cite}</p>'
        f"<p>{html.escape(e.summary)}</p>"
        f'<p class="hesj-tk-meta">Topics: {html.escape(", ".join(e.topics))}. '
        f"For: {html.escape(', '.join(e.audience))}. Course units: {html.escape(units)}. "
        f"Access: {html.escape(e.access)}.</p></li>")


def render_page() -> str:
    entries = load_entries()
    course = load_course()
    unit_titles = {u.id: f"{u.series} {u.number}: {u.title}" if u.series != "Handbook" else u.title
                   for u in course.units}
    years = [e.year for e in entries]
    data = json.dumps([{k: v for k, v in e.as_dict().items() if k in
                        ("id", "title", "authors", "year", "type", "topics", "audience", "units", "summary")}
                       for e in entries], ensure_ascii=False, separators=(",", ":"))
    data = data.replace("</", "<\\/")  # never end the script element early
    script = SCRIPT.read_text(encoding="utf-8")
    counts = {t: sum(e.type == t for e in entries) for t in TYPES}
    count_text = ", ".join(f"{n} {TYPE_LABELS[t].lower()}{'s' if n != 1 else ''}" for t, n in counts.items() if n)
    form = f"""
<form id="hesj-toolkit-form" class="hesj-tk-form" role="search" aria-label="Search the toolkit">
<p><label for="hesj-tk-q">Search words</label><br>
<input type="search" id="hesj-tk-q" name="q" size="40" aria-describedby="hesj-tk-q-help">
<br><span id="hesj-tk-q-help">For example: redlining asthma, community engagement, narrative. Matches in titles rank highest.</span></p>
<fieldset><legend>Filters</legend>
<p><label for="hesj-tk-type">Type</label> <select id="hesj-tk-type" name="type">{_options(TYPES, TYPE_LABELS)}</select>
<label for="hesj-tk-topic">Topic</label> <select id="hesj-tk-topic" name="topic">{_options(sorted(TOPICS))}</select></p>
<p><label for="hesj-tk-unit">Course unit</label> <select id="hesj-tk-unit" name="unit">{_options([u.id for u in course.units], unit_titles)}</select>
<label for="hesj-tk-audience">Audience</label> <select id="hesj-tk-audience" name="audience">{_options(AUDIENCES)}</select></p>
<p><label for="hesj-tk-from">From year</label> <input type="number" id="hesj-tk-from" name="from" min="{min(years)}" max="{max(years)}" inputmode="numeric">
<label for="hesj-tk-to">to year</label> <input type="number" id="hesj-tk-to" name="to" min="{min(years)}" max="{max(years)}" inputmode="numeric"></p>
</fieldset>
<p><button type="submit">Search</button> <button type="reset">Clear search and filters</button></p>
</form>
<p id="hesj-toolkit-status" role="status" aria-live="polite"></p>
<p id="hesj-toolkit-js-note">All {len(entries)} resources are listed below, newest first. Search and filters need JavaScript, which is off in this browser.</p>
"""
    listing = "\n".join(_entry_html(e, unit_titles) for e in
                        sorted(entries, key=lambda e: (-e.year, e.title.lower())))
    style = """
<style>
.hesj-tk-form fieldset { border: 1px solid #595959; padding: 0.5em 1em; }
.hesj-tk-form select, .hesj-tk-form input { margin: 0.2em 0.8em 0.2em 0.2em; }
.hesj-tk-form input:focus, .hesj-tk-form select:focus, .hesj-tk-form button:focus { outline: 3px solid #1a5fb4; outline-offset: 2px; }
#hesj-toolkit-results { padding-left: 1.2em; }
.hesj-tk-entry { margin-bottom: 1.2em; }
.hesj-tk-entry h3 { font-size: 1.1em; margin-bottom: 0.2em; }
.hesj-tk-meta { font-size: 0.95em; }
</style>"""
    return "\n".join([
        "<!-- Generated from hesj/data/toolkit/*.yml by `hesj toolkit page`. Edit those files, not this one. -->",
        "",
        "# Toolkit of resources",
        "",
        f"The toolkit lists {len(entries)} resources on health equity and social justice for public health practice:",
        f"{count_text}.",
        "Each one was checked against the publisher's own record before it was added,",
        "and each one serves at least one unit of the course.",
        "The summaries are ours; follow the link to read the resource itself.",
        "",
        "Search works in this page, with no internet connection and no Jupyter server.",
        "Type words, choose filters, or both.",
        "In a notebook, `hesj.toolkit_search()` offers the same search,",
        "and on the command line `hesj toolkit search WORDS` does too.",
        "",
        "## Search the toolkit",
        "",
        "```{raw} html",
        style,
        form,
        f'<ol id="hesj-toolkit-results" aria-label="Toolkit resources">\n{listing}\n</ol>',
        f'<script type="application/json" id="hesj-toolkit-data">{data}</script>',
        f"<script>\n{script}\n{WIRING}</script>",
        "```",
        "",
    ])
