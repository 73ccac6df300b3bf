"""The handbook's lexicon page (``book/handbook/lexicon.md``), generated from the narrative lexicon.

The narrative lab marks words and phrases ("cues") that often carry a dominant narrative. The
handbook documents every cue list with the works behind each category, and says plainly which
parts are sourced and which are the course's own choice. ``hesj lexicon`` writes the page and
``hesj lexicon --check`` (run by ``./course book``) fails when it is stale.
"""
from __future__ import annotations

from .activities.narrative import LEXICON_PATH, Lexicon, load_lexicon
from .course import REPO_ROOT
from .data_page import _md

PAGE = REPO_ROOT / "book" / "handbook" / "lexicon.md"
KIND_LABEL = {"dominant": "Dominant narrative", "structural": "Structural (social-justice) framing"}


def missing_sources(lexicon: Lexicon, keys) -> list[str]:
    """Category sources that are not among the bibliography's keys (hesj.datasets.bib_keys), as
    'category: key' (empty when all are there)."""
    out = [f"{c.id}: {k}" for c in lexicon.categories for k in c.source if k not in keys]
    out += [f"sources list: {k}" for k in lexicon.sources if k not in keys]
    return out


def render_page(lexicon: Lexicon | None = None) -> str:
    lex = lexicon or load_lexicon()
    n_cues = sum(len(c.cues) for c in lex.categories)
    lines = [
        "<!-- Generated from hesj/data/narrative_lexicon.yml by `hesj lexicon`. "
        "Edit the lexicon file, not this page. -->",
        "",
        "# The narrative lab's cue lexicon",
        "",
        "The narrative lab marks words and phrases that often carry a dominant narrative,",
        "and words that point to structural causes instead.",
        "This page lists every one of them, grouped into the categories the lab uses,",
        "with the published works each category rests on.",
        "",
        "## What is sourced and what is ours",
        "",
        "Keep three things apart when you use the lab in a dialogue.",
        "",
        "- **The categories are sourced.**",
        "  Each category names an idea that the works listed under it describe.",
        "  For example, Human Impact Partners name individualism, faith in free markets and distrust of "
        "government as dominant narratives that work against health equity {cite:p}`HIPndnarrative`.",
        "- **The cue phrases are the course's own choice.**",
        "  The course team picked them as common ways each idea shows up in news stories, reports and "
        "public comment.",
        "  No published study produced these lists, and nobody has tested how well they pick out a "
        "narrative.",
        "- **The reframing prompts are the course's own questions.**",
        "  They are written in the spirit of the sources, not copied from them.",
        "",
        "A cue is a reason to look closer, never proof.",
        "The word *choice* can appear in a sentence that argues for better options for everyone.",
        "A passage can also carry a dominant narrative without using any cue on this page.",
        "That is why the lab asks you to judge each sentence yourself and write down the frame you see.",
        "",
        "## How the lab matches cues",
        "",
        "- Matching ignores capital letters and finds whole words only: *lifestyle* does not match inside "
        "a longer word.",
        "- A space or hyphen inside a cue matches a space, a hyphen or a line break, so *self-control* "
        "also finds *self control*.",
        "- The last word of a cue may take a plural ending, so *taxpayer* also finds *taxpayers* and "
        "*policy* also finds *policies*.",
        "- A straight apostrophe in a cue also matches a curly one.",
        "- Where two cues overlap, the longer one wins.",
        "",
        "## Changing the lexicon for your group",
        "",
        f"The lexicon is a plain text file, `hesj/data/{LEXICON_PATH.name}`.",
        "A facilitator can add cues heard in local debate, such as the words a local newspaper uses about a "
        "housing vote.",
        "Keep the cues lower case.",
        "Name the source of any new category in the same file, and add that work to the course's "
        "references.",
        "The lab checks the file when it loads and says which line to fix.",
        "",
        "## The categories",
        "",
        f"The lexicon has {len(lex.categories)} categories and {n_cues} cue phrases in all. "
        "<!-- number-check: own -->",
        "",
    ]
    for c in lex.categories:
        cites = "; ".join(f"{{cite:t}}`{k}`" for k in c.source)
        lines += [
            f"### {_md(c.name)}",
            "",
            f"**Kind:** {KIND_LABEL[c.kind]}.",
            "",
            f"**What it is.** {_md(c.description)}",
            "",
            f"**Sources for the category:** {cites}.",
            "",
            f"**Reframing prompt in the lab:** {_md(c.reframe)}",
            "",
            f"**Cues ({len(c.cues)}):** " + ", ".join(f"*{_md(q)}*" for q in c.cues) + ".",
            "<!-- number-check: own -->",
            "",
        ]
    return "\n".join(lines)
