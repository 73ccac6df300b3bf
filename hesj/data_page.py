"""The book's data page (``book/data.md``), generated from the tables' metadata.

One section per table: what it is, where it comes from (cited), the years it
covers, when the figures were checked, its licence, its columns and its known
limitations. The timeline is shown in full, as a table a screen reader can read.
"""
from __future__ import annotations

from . import datasets


def _md(text) -> str:
    """Text for a Markdown table cell or paragraph: no pipes, no line breaks, no HTML."""
    return (str(text).replace("|", "/").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")
            .replace("`", "'"))


def render_page() -> str:
    lines = [
        "<!-- Generated from hesj/data/ by `hesj data page`. Edit the tables' .meta.yml files, not this page. -->",
        "",
        "# Data and sources",
        "",
        "Every chart and number in the course comes from one of the tables below.",
        "Each table says where its figures come from, when they were checked against that source,",
        "and what the figures cannot tell you.",
        "In a notebook, `hesj.data(\"NAME\")` loads a table with this information attached,",
        "and `hesj data show NAME` prints it on the command line.",
        "",
        "Two kinds of table are used.",
        "*Curated* tables were typed from a published source and checked figure by figure.",
        "*Packaged* tables are real data that other open-source packages ship;",
        "the course loads them through those packages and never copies their files.",
        "",
    ]
    for kind, names in (("Curated tables", datasets.curated_tables()), ("Packaged tables", datasets.packaged_tables())):
        lines += [f"## {kind}", ""]
        for name in names:
            df = datasets.load(name)
            p = df.attrs["provenance"]
            years = p["data_years"]
            span = str(years[0]) if len(years) == 1 else f"{min(years)} to {max(years)}"
            lines += [f"### {_md(p['title'])}", "",
                      f"{_md(p['description'])}", "",
                      f"- **Name:** `{name}` ({len(df):,} rows)",
                      f"- **Source:** {_md(p['publisher'])} {{cite:p}}`{datasets.cite_key(df)}`",
                      f"- **Years covered:** {span}",
                      f"- **Figures checked against the source:** {p['checked']}",
                      f"- **Licence:** {_md(p['licence'])}",
                      ]
            if p.get("package"):
                lines.append(f"- **Loaded through:** the `{p['package']}` package (`{_md(p['dataset'])}`)")
            lines += ["", "| Column | Meaning |", "|---|---|"]
            lines += [f"| `{_md(c)}` | {_md(d)} |" for c, d in p["columns"].items()]
            lines += ["", f"**Notes.** {_md(p['notes'])}", "",
                      f"**Limitations.** {_md(p['limitations'])}", ""]
    lines += ["## The timeline in full", "",
              "The events of the `us_timeline` table, oldest first.", "",
              "| Date | Area | Event | Why it matters | Source |", "|---|---|---|---|---|"]
    tl = datasets.load("us_timeline").sort_values(["year", "date"], kind="stable")
    for r in tl.itertuples():
        lines.append(f"| {r.date} | {_md(r.domain)} | {_md(r.title)} | {_md(r.summary)} | {{cite:p}}`{r.source}` |")
    lines.append("")
    return "\n".join(lines)
