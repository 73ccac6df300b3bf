"""Narrative lab: spot the cues of dominant narratives in a text, then reframe passages.

The learner pastes a text (a news piece, a policy statement). The tool marks the
cues of dominant narratives (individual responsibility, market solutions,
scarcity, meritocracy, "culture" blame) and of structural, social-justice framing,
using the course's lexicon in ``hesj/data/narrative_lexicon.yml``: each category
there cites the works that name the idea, while the cue phrases are the course's
own curation (the file's header says so). Every cue is marked with ``<mark>``
and the category name in brackets, so colour is never the only cue.

The learner then picks passages, names the dominant frame and writes a reframe;
the rows build a side-by-side table that saves to the journal.

The model (lexicon loading, sentence splitting, cue matching, escaping, the
table) is pure Python; ``view`` wires ipywidgets to it; ``static_html`` is the
book version: the lexicon as a table and a worked example on an illustrative,
original sentence pair.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _
from ..journal import Journal
from ..paths import PACKAGE_DIR, static_mode
from . import record
from .reflection import Result

LEXICON_PATH = PACKAGE_DIR / "data" / "narrative_lexicon.yml"
KIND = "narrative-lab"
MAX_TEXT_CHARS = 20_000  # about eight pages of prose: plenty for a news piece or a policy statement
MAX_REFRAME_CHARS = 2_000
MAX_ROWS = 50
OTHER = "other"  # the frame id for "other or not sure"
KINDS = ("dominant", "structural")

# Words before a full stop that do not end a sentence.
ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "st", "vs", "etc", "e.g", "i.e", "jr", "sr", "no", "inc",
                 "co", "dept", "gov", "sen", "rep", "fig", "approx", "u.s", "u.k"}


class NarrativeError(InputError):
    """Text, a table row or the lexicon is not right; the message says what to fix."""


# -- the lexicon ----------------------------------------------------------------------
@dataclass(frozen=True)
class Category:
    id: str
    name: str
    kind: str  # dominant | structural
    description: str
    cues: tuple[str, ...]
    reframe: str
    source: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (it holds a dict)
class Lexicon:
    categories: tuple[Category, ...]
    sources: dict  # BibTeX key -> short citation text

    def category(self, cid: str) -> Category:
        for c in self.categories:
            if c.id == cid:
                return c
        raise NarrativeError(_("There is no frame {cid!r}. Choose one of: {ids}.").format(
            cid=cid, ids=", ".join(c.id for c in self.categories)))

    @property
    def dominant(self) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.kind == "dominant")

    def citation(self, c: Category) -> str:
        return "; ".join(self.sources.get(k, k) for k in c.source)


def parse_lexicon(data) -> Lexicon:
    """Check a lexicon mapping (from YAML) and build a Lexicon; NarrativeError names the bad field."""
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list) or not data["categories"]:
        raise NarrativeError("The lexicon needs a non-empty list under 'categories'.")
    sources = data.get("sources") or {}
    if not isinstance(sources, dict):
        raise NarrativeError("The lexicon's 'sources' must map BibTeX keys to short citations.")
    cats, seen = [], set()
    for n, raw in enumerate(data["categories"], start=1):
        if not isinstance(raw, dict):
            raise NarrativeError(f"Lexicon category {n} must be a mapping of fields.")
        for key in ("id", "name", "kind", "description", "reframe"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise NarrativeError(f"Lexicon category {n} needs a text field {key!r}.")
        cid = raw["id"]
        if cid in seen or cid == OTHER:
            raise NarrativeError(f"Lexicon category id {cid!r} is used twice or reserved; ids must be unique.")
        seen.add(cid)
        if raw["kind"] not in KINDS:
            raise NarrativeError(f"Lexicon category {cid!r}: kind must be one of {', '.join(KINDS)}.")
        cues = raw.get("cues")
        if not isinstance(cues, list) or not cues or not all(isinstance(c, str) and c.strip() for c in cues):
            raise NarrativeError(f"Lexicon category {cid!r} needs a non-empty list of text 'cues'.")
        for cue in cues:
            if cue != cue.lower() or not re.match(r"^\w", cue) or not re.search(r"\w$", cue):
                raise NarrativeError(f"Lexicon category {cid!r}: cue {cue!r} must be lower case and start "
                                     "and end with a letter or digit.")
        src = raw.get("source")
        if not isinstance(src, list) or not src or not all(isinstance(k, str) for k in src):
            raise NarrativeError(f"Lexicon category {cid!r} needs a 'source' list of BibTeX keys.")
        cats.append(Category(cid, raw["name"].strip(), raw["kind"], " ".join(raw["description"].split()),
                             tuple(c.strip() for c in cues), " ".join(raw["reframe"].split()), tuple(src)))
    return Lexicon(tuple(cats), dict(sources))


@lru_cache(maxsize=4)
def load_lexicon(path: Path | str = LEXICON_PATH) -> Lexicon:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NarrativeError(f"The narrative lexicon {path} could not be read ({exc.__class__.__name__}).") from None
    return parse_lexicon(data)


# -- cue matching ------------------------------------------------------------------------
def cue_pattern(cue: str) -> str:
    """The regular expression for one cue (see the matching rules in the lexicon's header)."""
    words = [w for w in re.split(r"[\s\-]+", cue.strip()) if w]
    parts = [re.escape(w).replace("'", "['’]") for w in words]
    last = words[-1]
    if len(last) > 1 and last.endswith("y") and last[-2] not in "aeiouy":
        parts[-1] = re.escape(last[:-1]) + "(?:y|ies)"
    else:
        parts[-1] += "(?:es|s)?"
    return r"\b" + r"[\s\-]+".join(parts) + r"\b"


@lru_cache(maxsize=8)
def _compiled(lexicon: Lexicon) -> tuple[tuple[str, str, re.Pattern], ...]:
    return tuple((c.id, cue, re.compile(cue_pattern(cue), re.IGNORECASE))
                 for c in lexicon.categories for cue in c.cues)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    category: str  # category id
    cue: str  # the lexicon cue that matched

    def text(self, source: str) -> str:
        return source[self.start:self.end]


def check_text(text) -> str:
    """The text to analyse, or NarrativeError if it is missing, empty or too long."""
    if not isinstance(text, str):
        raise NarrativeError(_("Paste some text to analyse into the box first."))
    if not text.strip():
        raise NarrativeError(_("The text box is empty. Paste a news piece or a policy statement, then try again."))
    if len(text) > MAX_TEXT_CHARS:
        raise NarrativeError(_("The text is {n} characters long; the lab takes at most {max}. "
                               "Paste a shorter part, for example the first few paragraphs.").format(
            n=f"{len(text):,}", max=f"{MAX_TEXT_CHARS:,}"))
    return text


def find_cues(text: str, lexicon: Lexicon | None = None) -> list[Match]:
    """Every cue in ``text``, in order, without overlaps (where two overlap, the longer wins)."""
    check_text(text)
    lexicon = lexicon or load_lexicon()
    found = []
    for cid, cue, pattern in _compiled(lexicon):
        for m in pattern.finditer(text):
            if m.end() > m.start():
                found.append(Match(m.start(), m.end(), cid, cue))
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    taken = bytearray(len(text))
    kept = []
    for m in found:
        if not any(taken[m.start:m.end]):
            taken[m.start:m.end] = b"\x01" * (m.end - m.start)
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def count_by_category(matches: list[Match], lexicon: Lexicon | None = None) -> dict[str, int]:
    lexicon = lexicon or load_lexicon()
    counts = {c.id: 0 for c in lexicon.categories}
    for m in matches:
        counts[m.category] = counts.get(m.category, 0) + 1
    return counts


# -- sentences ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|\n")


def split_sentences(text: str) -> list[Sentence]:
    """Sentences (or lines) of ``text`` with their spans; whitespace around them is left out.

    A sentence ends at . ! ? or … followed by a space or the end of the text, or at a line
    break. A full stop after a common abbreviation (Dr., e.g., U.S.) or an initial does not end it.
    """
    check_text(text)
    cuts, last = [], 0
    for m in _END.finditer(text):
        if m.group() != "\n" and m.group().startswith("."):
            word = re.search(r"([\w.]+)$", text[max(last, m.start() - 12):m.start()])
            token = word.group(1).lower().rstrip(".") if word else ""
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        cuts.append(m.end())
        last = m.end()
    cuts.append(len(text))
    out, begin = [], 0
    for cut in cuts:
        piece = text[begin:cut]
        stripped = piece.strip()
        if stripped:
            s = begin + (len(piece) - len(piece.lstrip()))
            out.append(Sentence(s, s + len(stripped), stripped))
        begin = cut
    return out


# -- escaping and highlighting ------------------------------------------------------------
def highlight_html(text: str, matches: list[Match], lexicon: Lexicon | None = None) -> str:
    """The text as HTML, every cue in <mark> followed by its category in brackets; all text escaped."""
    lexicon = lexicon or load_lexicon()
    names = {c.id: c.name for c in lexicon.categories}
    parts, pos = [], 0
    for m in sorted(matches, key=lambda m: m.start):
        if m.start < pos:
            continue  # overlapping input: keep the first
        parts.append(esc(text[pos:m.start]))
        parts.append(f'<mark class="hesj-cue">{esc(text[m.start:m.end])}</mark>'
                     f'<span class="hesj-cue-label"> [{esc(names.get(m.category, m.category))}]</span>')
        pos = m.end
    parts.append(esc(text[pos:]))
    return ('<div class="hesj-narrative" style="white-space:pre-wrap;line-height:1.7">'
            + "".join(parts) + "</div>")


# -- the learner's table -------------------------------------------------------------------
@dataclass
class TableRow:
    passage: str
    frame: str  # a category id or OTHER
    reframe: str


def frame_name(frame: str, lexicon: Lexicon | None = None) -> str:
    if frame == OTHER:
        return _("Other or not sure")
    return (lexicon or load_lexicon()).category(frame).name


def parse_saved(text: str, lexicon: Lexicon | None = None) -> tuple[str, list[TableRow]]:
    """(pasted text, table rows) from a journal entry; NarrativeError if it cannot be read."""
    lexicon = lexicon or load_lexicon()
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise NarrativeError(_("The saved narrative lab could not be read (it is not valid JSON).")) from None
    if not isinstance(data, dict):
        raise NarrativeError(_("The saved narrative lab could not be read (it should be a mapping)."))
    pasted = data.get("text", "")
    rows_raw = data.get("rows", [])
    if not isinstance(pasted, str) or not isinstance(rows_raw, list) or len(rows_raw) > MAX_ROWS:
        raise NarrativeError(_("The saved narrative lab could not be read (text or rows are damaged)."))
    ids = {c.id for c in lexicon.categories} | {OTHER}
    rows = []
    for n, r in enumerate(rows_raw, start=1):
        if (not isinstance(r, dict) or not all(isinstance(r.get(k), str) for k in ("passage", "frame", "reframe"))
                or r["frame"] not in ids):
            raise NarrativeError(_("The saved narrative lab could not be read (row {n} is damaged).").format(n=n))
        rows.append(TableRow(r["passage"], r["frame"], r["reframe"]))
    return pasted, rows


def rows_table_html(rows: list[TableRow], lexicon: Lexicon | None = None) -> str:
    """The side-by-side table: passage | dominant frame | your social-justice reframe."""
    caption = _("My narrative table: passages, the frame they use, and my reframes")
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in
                   (_("Passage"), _("Dominant frame"), _("Your social-justice reframe")))
    if not rows:
        body = f'<tr><td colspan="3">{esc(_("No rows yet. Pick a passage, name its frame, write a reframe, then choose Add to my table."))}</td></tr>'
    else:
        body = "".join(
            f'<tr><th scope="row" style="text-align:left;font-weight:normal">{esc(r.passage)}</th>'
            f"<td>{esc(frame_name(r.frame, lexicon))}</td><td>{esc(r.reframe)}</td></tr>" for r in rows)
    return (f'<table class="hesj-data hesj-narrative-table"><caption>{esc(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


# -- the model -----------------------------------------------------------------------------
@dataclass
class NarrativeLabModel:
    unit: str = "rhi-6"
    prompt_id: str = "narrative-lab"
    journal: Journal | None = field(default_factory=Journal)
    lexicon: Lexicon = field(default_factory=load_lexicon)
    text: str = ""
    sentences: list[Sentence] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)

    def analyse(self, text: str) -> list[Match]:
        """Split and match ``text``; NarrativeError (and nothing changes) if it is empty or too long."""
        check_text(text)
        self.sentences = split_sentences(text)
        self.matches = find_cues(text, self.lexicon)
        self.text = text
        return self.matches

    def counts(self) -> dict[str, int]:
        return count_by_category(self.matches, self.lexicon)

    def sentence_matches(self, index: int) -> list[Match]:
        s = self.sentences[index]
        return [m for m in self.matches if m.start >= s.start and m.end <= s.end]

    def suggest_frame(self, index: int) -> str:
        """The dominant category with most cues in sentence ``index`` (ties: lexicon order), else OTHER."""
        if not 0 <= index < len(self.sentences):
            return OTHER
        per = {c.id: 0 for c in self.lexicon.dominant}
        for m in self.sentence_matches(index):
            if m.category in per:
                per[m.category] += 1
        best = max(per, key=lambda k: per[k], default=OTHER)
        return best if per.get(best) else OTHER

    def add_row(self, index: int | None, frame: str, reframe: str) -> TableRow:
        if not self.sentences:
            raise NarrativeError(_("Paste a text and choose Highlight the cues first; then pick a passage."))
        if index is None or not 0 <= index < len(self.sentences):
            raise NarrativeError(_("Choose a passage from the Passage list first."))
        if frame != OTHER:
            self.lexicon.category(frame)
        if not isinstance(reframe, str) or not reframe.strip():
            raise NarrativeError(_("Write your reframe in the Your reframe box before adding the row."))
        if len(reframe) > MAX_REFRAME_CHARS:
            raise NarrativeError(_("Your reframe is {n} characters long; keep it under {max}.").format(
                n=len(reframe), max=MAX_REFRAME_CHARS))
        if len(self.rows) >= MAX_ROWS:
            raise NarrativeError(_("The table already has {max} rows. Remove a row or save and start a new text.").format(
                max=MAX_ROWS))
        row = TableRow(self.sentences[index].text, frame, reframe.strip())
        self.rows.append(row)
        return row

    def remove_last_row(self) -> TableRow | None:
        return self.rows.pop() if self.rows else None

    def summary(self) -> str:
        """A plain-language summary of the cues found, computed from the counts shown."""
        counts = self.counts()
        total = sum(counts.values())
        if not total:
            return _("No cues from the lexicon were found in this text. A text can still carry a frame "
                     "without these words: read it again with the reframing questions in mind.")
        dom = {c.id: counts[c.id] for c in self.lexicon.dominant}
        structural = sum(counts[c.id] for c in self.lexicon.categories if c.kind == "structural")
        dom_total = sum(dom.values())
        text = _("Cues found: {total} in {n} sentences (dominant narratives: {d}; structural framing: {s}).").format(
            total=total, n=len(self.sentences), d=dom_total, s=structural)
        if dom_total:
            top = max(dom, key=lambda k: dom[k])
            text += " " + _("The most frequent dominant narrative is {name} (cues: {k}).").format(
                name=self.lexicon.category(top).name, k=dom[top])
        return text

    def data_table(self):
        import pandas as pd

        counts = self.counts()
        return pd.DataFrame({_("Frame"): [c.name for c in self.lexicon.categories],
                             _("Kind"): [kind_label(c.kind) for c in self.lexicon.categories],
                             _("Cues found"): [counts[c.id] for c in self.lexicon.categories]})

    # -- journal --------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps({"text": self.text, "rows": [r.__dict__ for r in self.rows]}, ensure_ascii=False)

    def save(self) -> Result:
        if self.journal is not None and not self.text.strip() and not self.rows:
            return Result(False, _("There is nothing to save yet. Paste a text or add a row to your table first."))
        entry, problem = record.save(self.journal, self.unit, self.prompt_id, KIND, self.to_json(),
                                     _("Narrative lab: passages, frames and my reframes"))
        if problem:
            return problem
        return Result(True, _("Saved to your private journal at {time} UTC ({n} table rows).").format(
            time=entry.updated_at[11:19], n=len(self.rows)))

    def restore(self) -> Result:
        """Load the saved text and rows. ok is False (with the reason) when they could not be read."""
        saved, problem = record.load(self.journal, self.unit, self.prompt_id, KIND)
        if problem or saved is None:
            return problem or Result(True, "")
        try:
            text, rows = parse_saved(saved, self.lexicon)
        except NarrativeError as exc:
            return Result(False, str(exc))
        self.rows = rows
        if text.strip():
            try:
                self.analyse(text)
            except NarrativeError:
                self.text = text
        return Result(True, _("Your saved text and table were restored."))


def kind_label(kind: str) -> str:
    return _("Dominant narrative") if kind == "dominant" else _("Structural framing")


# -- chart -----------------------------------------------------------------------------------
def build_chart(fig, ax, lexicon: Lexicon, series: tuple[str, ...] = ("",)) -> dict:
    """Horizontal bars: cues found per category, one bar per series; built once, updated in place."""
    import textwrap

    from ..charts import HATCHES, PALETTE, TEXT_COLOUR, style

    cats = lexicon.categories
    n = len(series)
    height = 0.8 / n
    bars, labels = [], []
    for j, name in enumerate(series):
        ys = [len(cats) - 1 - i + (n - 1 - 2 * j) * height / 2 for i in range(len(cats))]
        b = ax.barh(ys, [0] * len(cats), height=height * 0.95, color=PALETTE[j], edgecolor=TEXT_COLOUR,
                    hatch=HATCHES[j + 1] if n > 1 else None, label=name or None)
        if n == 1:  # one series: hatch the structural bars so the two kinds differ by more than position
            for bar, c in zip(b, cats):
                bar.set_hatch(HATCHES[1] if c.kind == "structural" else "")
        bars.append(b)
        labels.append([ax.text(0, y, "", va="center", ha="left", fontsize=9, color=TEXT_COLOUR) for y in ys])
    ax.set_yticks(range(len(cats)), [textwrap.fill(c.name, 26) for c in reversed(cats)])
    ax.set_xlabel(_("Cues found"))
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    style(ax)
    if n > 1:
        fig.legend(loc="outside upper center", ncol=n, frameon=False, fontsize=9)
    return {"bars": bars, "labels": labels}


def update_chart(ax, artists: dict, counts: list[list[int]]) -> None:
    top = max([max(c) for c in counts] + [1])
    for bars, labels, values in zip(artists["bars"], artists["labels"], counts):
        for bar, label, v in zip(bars, labels, values):
            bar.set_width(v)
            label.set_x(v + top * 0.02)
            label.set_text(str(v))
    ax.set_xlim(0, top * 1.15 + 0.5)


def chart_alt(counts: dict[str, int], lexicon: Lexicon, what: str) -> str:
    total = sum(counts.values())
    if not total:
        return _("Bar chart: no cues from the lexicon were found in {what}.").format(what=what)
    top = max(lexicon.categories, key=lambda c: counts[c.id])
    return _("Bar chart of cues found in {what}: {total} in all; the most is {name} with {k}.").format(
        what=what, total=total, name=top.name, k=counts[top.id])


# -- static version --------------------------------------------------------------------------
def example_pair() -> tuple[str, str]:
    """An ORIGINAL sentence pair written for this course (not quoted from any real source): a sentence
    in dominant-narrative language and its structural reframe. The cues are English; so is the example."""
    return (_("Diabetes keeps rising because people make poor choices about food, and taxpayers should not "
              "have to pay for a lack of willpower."),
            _("Diabetes rises where grocery stores close and jobs pay too little; shared policy decisions about "
              "food, transport and wages can make the healthy option the easy one for everyone."))


def lexicon_table_html(lexicon: Lexicon | None = None) -> str:
    lexicon = lexicon or load_lexicon()
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in (
        _("Category"), _("What it sounds like"), _("Cues (the course's own list)"), _("Reframing question"),
        _("Sources")))
    rows = "".join(
        f'<tr><th scope="row" style="text-align:left">{esc(c.name)} <br><small>({esc(kind_label(c.kind))})</small></th>'
        f"<td>{esc(c.description)}</td><td>{esc(', '.join(c.cues))}</td><td>{esc(c.reframe)}</td>"
        f"<td>{esc(lexicon.citation(c))}</td></tr>" for c in lexicon.categories)
    caption = _("The narrative lab's lexicon. Categories cite the works that name each idea; "
                "the cue lists are the course's own curation.")
    return (f'<table class="hesj-data"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def static_html(lexicon: Lexicon | None = None) -> str:
    """The book version: what the lab does, the lexicon as a table and a worked, illustrative example."""
    import pandas as pd

    from ..charts import chart_html, new_figure

    lexicon = lexicon or load_lexicon()
    original, reframed = example_pair()
    before, after = find_cues(original, lexicon), find_cues(reframed, lexicon)
    cb, ca = count_by_category(before, lexicon), count_by_category(after, lexicon)
    label_b, label_a = _("Original sentence"), _("Reframed sentence")
    fig, ax = new_figure(7.0, 4.2)
    artists = build_chart(fig, ax, lexicon, (label_b, label_a))
    update_chart(ax, artists, [[cb[c.id] for c in lexicon.categories], [ca[c.id] for c in lexicon.categories]])
    dom_b = sum(cb[c.id] for c in lexicon.dominant)
    dom_a = sum(ca[c.id] for c in lexicon.dominant)
    st_b, st_a = sum(cb.values()) - dom_b, sum(ca.values()) - dom_a
    alt = _("Bar chart comparing the illustrative sentence pair: the original has {db} dominant-narrative cues and "
            "{sb} structural cues; the reframe has {da} and {sa}.").format(db=dom_b, sb=st_b, da=dom_a, sa=st_a)
    summary = _("Cues of dominant narratives in the original sentence: {db} ({names}). In the reframe: structural "
                "framing {sa}, dominant narratives {da}.").format(
        db=dom_b, names=", ".join(c.name for c in lexicon.dominant if cb[c.id]) or "–", sa=st_a, da=dom_a)
    table = pd.DataFrame({_("Frame"): [c.name for c in lexicon.categories],
                          label_b: [cb[c.id] for c in lexicon.categories],
                          label_a: [ca[c.id] for c in lexicon.categories]})
    caption = _("Cues counted with the course's narrative lexicon (hesj/data/narrative_lexicon.yml) in an "
                "illustrative sentence pair written for this course; not data from any real text.")
    chart = chart_html(fig, alt, caption, summary, table)
    intro = (
        f"<p><strong>{esc(_('Narrative lab'))}</strong></p>"
        f"<p>{esc(_('To frame is to select some aspects of reality and make them more salient, promoting a particular problem definition, cause, moral evaluation and remedy (Entman, 1993). Dominant narratives that favour individualism, free-market solutions and anti-government sentiment often work against health equity; naming them is a first step to changing them (Human Impact Partners, n.d.).'))}</p>"
        f"<p>{esc(_('In the course notebook you paste a text (a news piece, a policy statement). The lab marks each cue with the name of its category in brackets, lists the sentences, and lets you name each passage’s frame and write a social-justice reframe. Your table saves to your private journal.'))}</p>"
    )
    example = (
        f"<p><strong>{esc(_('Worked example (illustrative: an original sentence pair written for this course)'))}</strong></p>"
        f"<p>{esc(_('Original sentence'))}:</p>{highlight_html(original, before, lexicon)}"
        f"<p>{esc(_('Reframed sentence'))}:</p>{highlight_html(reframed, after, lexicon)}"
        + rows_table_html([TableRow(original, "personal-responsibility", reframed)], lexicon)
    )
    note = (f"<p><small>{esc(_('A cue is a hint to look closer, not proof of a frame. The cue lists are the course’s own curation; the categories follow the sources named in the table. A reframe can also tell a story of self, of us and of now (Ganz, 2011).'))}</small></p>")
    return box(intro + lexicon_table_html(lexicon) + example + chart + note, _("Narrative lab"))


# -- live view -------------------------------------------------------------------------------
def view(model: NarrativeLabModel) -> Activity:
    import ipywidgets as w

    from ..charts import LiveChart

    style = {"description_width": "initial"}
    restored = model.restore()
    lex = model.lexicon

    def build(fig, ax):
        return build_chart(fig, ax, lex)

    def update(fig, ax, artists, _state):
        counts = model.counts()
        update_chart(ax, artists, [[counts[c.id] for c in lex.categories]])
        return chart_alt(counts, lex, _("your text")), model.summary(), model.data_table()

    chart = LiveChart(build, update, caption=_("Cues found in your text, counted with the course's narrative "
                                               "lexicon (hesj/data/narrative_lexicon.yml)."), height=3.6)
    intro = w.HTML(f"<p><strong>{esc(_('Narrative lab'))}</strong></p><p>"
                   f"{esc(_('Paste a news piece or a policy statement, then choose Highlight the cues. Each cue is marked and followed by its category in brackets.'))}</p>")
    area = w.Textarea(value=model.text, description=_("Text to analyse"),
                      placeholder=_("Paste the text here (up to 20,000 characters)."),
                      layout=w.Layout(width="100%", height="10em"), style=style)
    go = w.Button(description=_("Highlight the cues"), button_style="primary",
                  tooltip=_("Find the narrative cues in the text"))
    status = w.HTML()
    marked = w.HTML()
    passage = w.Dropdown(options=[], description=_("Passage"), style=style, layout=w.Layout(width="100%"))
    frames = [(c.name, c.id) for c in lex.categories] + [(_("Other or not sure"), OTHER)]
    frame = w.Dropdown(options=frames, value=OTHER, description=_("Frame this passage uses"), style=style)
    hint = w.HTML()
    reframe = w.Textarea(description=_("Your reframe"),
                         placeholder=_("Rewrite the passage so it names conditions, systems and who decides."),
                         layout=w.Layout(width="100%", height="6em"), style=style)
    add = w.Button(description=_("Add to my table"), tooltip=_("Add the passage, frame and reframe to your table"))
    remove = w.Button(description=_("Remove last row"), tooltip=_("Remove the last row of your table"))
    save = w.Button(description=_("Save to my journal"), button_style="success",
                    tooltip=_("Save your text and table to your private journal"))
    table = w.HTML(rows_table_html(model.rows, lex))

    def say(message: str, ok: bool = True):
        status.value = f'<p role="status">{"✔" if ok else "⚠"} {esc(message)}</p>'

    def show_analysis():
        marked.value = highlight_html(model.text, model.matches, lex)
        passage.options = [(f"{i}. {s.text[:90]}{'…' if len(s.text) > 90 else ''}", i - 1)
                           for i, s in enumerate(model.sentences, start=1)]
        passage.value = 0 if model.sentences else None
        on_passage({"new": passage.value})  # the value may not change, so refresh the hint here
        chart.refresh(None)

    def on_go(_b=None):
        try:
            model.analyse(area.value)
        except NarrativeError as exc:
            say(str(exc), ok=False)
            return
        show_analysis()
        say(model.summary())

    def on_passage(change):
        i = change["new"]
        if i is None or not model.sentences:
            hint.value = ""
            return
        frame.value = model.suggest_frame(i)
        cues = model.sentence_matches(i)
        found = "; ".join(f"{model.text[m.start:m.end]} [{lex.category(m.category).name}]" for m in cues)
        tip = (lex.category(frame.value).reframe if frame.value != OTHER else
               _("No dominant-narrative cue here. Read it again: what does it say causes the problem, and who should act?"))
        hint.value = (f"<p><strong>{esc(_('Cues in this passage'))}:</strong> {esc(found or _('none'))}</p>"
                      f"<p><strong>{esc(_('Reframing question'))}:</strong> {esc(tip)}</p>")

    def on_add(_b):
        try:
            model.add_row(passage.value, frame.value, reframe.value)
        except NarrativeError as exc:
            say(str(exc), ok=False)
            return
        table.value = rows_table_html(model.rows, lex)
        reframe.value = ""
        say(_("Row {n} added. Choose Save to my journal to keep your table.").format(n=len(model.rows)))

    def on_remove(_b):
        gone = model.remove_last_row()
        table.value = rows_table_html(model.rows, lex)
        say(_("The last row was removed.") if gone else _("The table has no rows to remove."), ok=bool(gone))

    def on_save(_b):
        if area.value.strip() and area.value != model.text:
            try:  # save what is in the box, even if the learner did not re-run the highlighting
                model.analyse(area.value)
                show_analysis()
            except NarrativeError:
                model.text = area.value
        result = model.save()
        say(result.message, ok=result.ok)

    go.on_click(on_go)
    passage.observe(on_passage, names="value")
    add.on_click(on_add)
    remove.on_click(on_remove)
    save.on_click(on_save)
    if model.text and model.sentences:
        show_analysis()
    else:
        chart.refresh(None)
    if restored.message:
        say(restored.message, ok=restored.ok)
    controls = {"text": area, "highlight": go, "status": status, "marked": marked, "chart": chart.widget,
                "passage": passage, "frame": frame, "hint": hint, "reframe": reframe, "add": add,
                "remove": remove, "save": save, "table": table}
    ui = w.VBox([intro, area, go, status, marked, chart.widget,
                 w.HTML(f"<p><strong>{esc(_('Tag and reframe passages'))}</strong></p>"),
                 passage, frame, hint, reframe, w.HBox([add, remove, save]), table])
    return Activity(ui, static_html(lex), model=model, controls=controls)


def activity(unit: str = "rhi-6", prompt_id: str = "narrative-lab") -> Activity:
    """The narrative lab: live in a notebook, the lexicon and a worked example in the book."""
    if static_mode():
        return Activity(html=static_html())
    return view(NarrativeLabModel(unit=unit, prompt_id=prompt_id))
