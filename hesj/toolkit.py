"""The Health Equity and Social Justice Toolkit: a searchable database of real resources.

Entries live in ``hesj/data/toolkit/*.yml``. Each is a real framework, tool,
guide, report, course, data source, article or book that was checked against
a stored copy of the source (its ``verification`` says where, when and what
confirmed it) and that serves at least one course unit.

Search is ranked keyword search (BM25 over title, topics, summary and authors,
with field weights) plus filters by type, topic, unit, audience and year. The
same scoring runs in the book's search page (``hesj/data/toolkit_search.js``);
tests compare the two.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import InputError
from .paths import PACKAGE_DIR

TOOLKIT_DIR = PACKAGE_DIR / "data" / "toolkit"

TYPES = ("framework", "tool", "guide", "report", "course", "data-source", "article", "book")
TOPICS = ("health equity concepts", "social determinants", "structural racism", "class and income", "gender",
          "intersectionality", "community engagement", "organisational change", "workforce development",
          "leadership", "policy and advocacy", "data and assessment", "narrative and communication",
          "history of public health", "environmental justice", "housing and place", "health care access",
          "community organizing", "evaluation")
AUDIENCES = ("front-line staff", "program managers", "senior leaders", "epidemiologists and analysts",
             "community partners", "educators and facilitators")
REQUIRED = ("id", "title", "authors", "year", "type", "topics", "audience", "units", "serves", "summary",
            "access", "verification")
# field weights for ranking: a word in the title counts most
WEIGHTS = {"title": 3.0, "topics": 2.0, "authors": 1.5, "summary": 1.0}
K1, B = 1.2, 0.75
STOPWORDS = frozenset("a an and are as at be by for from how in into is it of on or that the this to with what "
                      "who why".split())


class ToolkitError(InputError):
    """Bad data or a bad search request; the message says what to fix."""


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    authors: tuple[str, ...]
    year: int
    type: str
    topics: tuple[str, ...]
    audience: tuple[str, ...]
    units: tuple[str, ...]
    serves: tuple[str, ...]
    summary: str
    access: str
    verification: dict = field(compare=False)
    url: str = ""
    doi: str = ""
    citation: str = ""

    @property
    def link(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else self.url

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "authors": list(self.authors), "year": self.year,
                "type": self.type, "topics": list(self.topics), "audience": list(self.audience),
                "units": list(self.units), "summary": self.summary, "link": self.link,
                "citation": self.citation, "access": self.access}


@dataclass(frozen=True)
class Result:
    entry: Entry
    score: float


# -- loading and validation -----------------------------------------------------------
def _unit_targets() -> dict[str, set[str]]:
    """What an entry's ``serves`` may point at: 'unit.N' objectives and 'unit:topic' topics."""
    from .course import load_course

    out: dict[str, set[str]] = {}
    for u in load_course().units:
        out[u.id] = {f"{u.id}.{i}" for i in range(1, len(u.objectives) + 1)} | {f"{u.id}:{t}" for t in u.topics}
    return out


def _as_list(value, where: str, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ToolkitError(f"{where}: '{name}' should be a non-empty list of words or phrases.")
    return tuple(v.strip() for v in value)


def validate_entry(raw: dict, where: str, targets: dict[str, set[str]]) -> Entry:
    if not isinstance(raw, dict):
        raise ToolkitError(f"{where}: each entry should be a mapping of fields (id, title, ...).")
    where = f"{where} ({raw.get('id') or 'no id'})"
    missing = [k for k in REQUIRED if raw.get(k) in (None, "", [], {})]
    if missing:
        raise ToolkitError(f"{where}: missing {', '.join(missing)}.")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", str(raw["id"])):
        raise ToolkitError(f"{where}: id should be lower-case words joined by hyphens.")
    if not (raw.get("url") or raw.get("doi")):
        raise ToolkitError(f"{where}: give a url or a doi so a reader can find the resource.")
    if raw.get("url") and not str(raw["url"]).startswith(("https://", "http://")):
        raise ToolkitError(f"{where}: url should start with https://.")
    year = raw["year"]
    if not isinstance(year, int) or not 1800 <= year <= _dt.date.today().year + 1:
        raise ToolkitError(f"{where}: year should be a four-digit year, not {year!r}.")
    if raw["type"] not in TYPES:
        raise ToolkitError(f"{where}: type {raw['type']!r} is not one of {', '.join(TYPES)}.")
    topics = _as_list(raw["topics"], where, "topics")
    bad = [t for t in topics if t not in TOPICS]
    if bad:
        raise ToolkitError(f"{where}: unknown topic(s) {bad}; use topics from hesj.toolkit.TOPICS.")
    audience = _as_list(raw["audience"], where, "audience")
    bad = [a for a in audience if a not in AUDIENCES]
    if bad:
        raise ToolkitError(f"{where}: unknown audience {bad}; use one of {', '.join(AUDIENCES)}.")
    units = _as_list(raw["units"], where, "units")
    bad = [u for u in units if u not in targets]
    if bad:
        raise ToolkitError(f"{where}: unknown unit(s) {bad}; units are {', '.join(targets)}.")
    serves = _as_list(raw["serves"], where, "serves")
    for s in serves:
        unit = re.split(r"[.:]", s, maxsplit=1)[0]
        if unit not in units:
            raise ToolkitError(f"{where}: serves {s!r}, but {unit!r} is not in its units.")
        if s not in targets.get(unit, set()):
            raise ToolkitError(f"{where}: serves {s!r}, which is not an objective number or topic of {unit} "
                               "in hesj/course.yml.")
    ver = raw["verification"]
    if not isinstance(ver, dict) or any(not ver.get(k) for k in ("where", "checked", "confirms")):
        raise ToolkitError(f"{where}: verification needs where, checked and confirms.")
    summary = " ".join(str(raw["summary"]).split())
    sentences = count_sentences(summary)
    if not 1 <= sentences <= 3:
        raise ToolkitError(f"{where}: the summary should be one to three sentences (it has {sentences}).")
    return Entry(id=raw["id"], title=" ".join(str(raw["title"]).split()),
                 authors=_as_list(raw["authors"], where, "authors"), year=year, type=raw["type"], topics=topics,
                 audience=audience, units=units, serves=serves, summary=summary, access=str(raw["access"]),
                 verification=dict(ver), url=str(raw.get("url") or ""), doi=str(raw.get("doi") or ""),
                 citation=str(raw.get("citation") or ""))


def load_entries(folder: Path | None = None) -> tuple[Entry, ...]:
    """Every toolkit entry, validated (a bad file gives a ToolkitError naming the file and entry)."""
    folder = Path(folder) if folder else TOOLKIT_DIR
    files = sorted(folder.glob("*.yml"))
    stamp = tuple((str(p), p.stat().st_mtime) for p in files)
    return _load_entries(stamp)


@lru_cache(maxsize=8)
def _load_entries(stamp: tuple) -> tuple[Entry, ...]:
    targets = _unit_targets()
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for path_str, _ in stamp:
        path = Path(path_str)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ToolkitError(f"{path.name} is not valid YAML: {str(exc).splitlines()[0]}. Fix the syntax.") from None
        if data is None:
            continue
        if not isinstance(data, list):
            raise ToolkitError(f"{path.name} should be a list of entries (each starting with '- id:').")
        for i, raw in enumerate(data, start=1):
            e = validate_entry(raw, f"{path.name} entry {i}", targets)
            if e.id in seen:
                raise ToolkitError(f"{path.name}: the id {e.id!r} is used twice (also in {seen[e.id]}).")
            seen[e.id] = path.name
            entries.append(e)
    dup_titles = [t for t, n in Counter(e.title.lower() for e in entries).items() if n > 1]
    if dup_titles:
        raise ToolkitError(f"The toolkit lists the same title twice: {dup_titles}. Merge the entries.")
    return tuple(sorted(entries, key=lambda e: e.id))


def count_sentences(text: str) -> int:
    """Sentence ends, not counting initials and abbreviations such as 'H. Jack', 'U.S.' or 'et al.'."""
    return len(re.findall(r"(?<![A-Z])(?<! al)(?<!e\.g)(?<!i\.e)[.!?](?=\s|$)", text))


# -- search -----------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    """Lower-case word stems: accents dropped, simple English suffixes removed.

    Mirrored exactly by ``tokens`` in toolkit_search.js.
    """
    text = re.sub("[\u0300-\u036f]", "", unicodedata.normalize("NFKD", text.lower()))
    return [stem(w) for w in re.findall(r"[a-z0-9]+", text) if w not in STOPWORDS]


def stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


@dataclass
class Index:
    entries: tuple[Entry, ...]
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: tuple[Entry, ...]) -> "Index":
        fields = {e.id: _field_tokens(e) for e in entries}
        avg = {f: (sum(len(fields[e.id][f]) for e in entries) / max(len(entries), 1)) or 1.0 for f in WEIGHTS}
        postings: dict[str, list[tuple[int, float]]] = {}
        df: Counter = Counter()
        for i, e in enumerate(entries):
            weights: dict[str, float] = {}
            for f, toks in fields[e.id].items():
                norm = 1 - B + B * len(toks) / avg[f]
                for term, tf in Counter(toks).items():
                    weights[term] = weights.get(term, 0.0) + WEIGHTS[f] * tf / (tf + K1 * norm)
            for term, w in weights.items():
                postings.setdefault(term, []).append((i, w))
                df[term] += 1
        n = len(entries)
        idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        return cls(entries, postings, idf)


def _field_tokens(e: Entry) -> dict[str, list[str]]:
    return {"title": tokens(e.title), "topics": tokens(" ".join(e.topics)),
            "authors": tokens(" ".join(e.authors)), "summary": tokens(e.summary)}


@lru_cache(maxsize=4)
def _index(entries: tuple[Entry, ...]) -> Index:
    return Index.build(entries)


def parse_years(year) -> tuple[int, int] | None:
    if year in (None, ""):
        return None
    if isinstance(year, int):
        return year, year
    m = re.fullmatch(r"\s*(\d{4})?\s*(-|–|to)?\s*(\d{4})?\s*", str(year))
    if not m or not (m.group(1) or m.group(3)) or (m.group(2) is None and m.group(3)):
        raise ToolkitError(f"Year filter {year!r} is not a year or range: write 2010, 2010-2020, 2010- or -2020.")
    lo = int(m.group(1)) if m.group(1) else 0
    hi = int(m.group(3)) if m.group(3) else (lo if m.group(2) is None else 9999)
    if lo > hi:
        raise ToolkitError(f"Year range {year!r} runs backwards; put the earlier year first.")
    return lo, hi


def _check_choice(value, allowed: tuple[str, ...], what: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        near = [a for a in allowed if str(value).lower() in a.lower()]
        hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
        raise ToolkitError(f"Unknown {what} {value!r}.{hint} Choose from: {', '.join(allowed)}.")
    return value


def search(query: str = "", *, type: str | None = None, topic: str | None = None, unit: str | None = None,
           audience: str | None = None, year=None, limit: int | None = 20,
           entries: tuple[Entry, ...] | None = None) -> list[Result]:
    """Ranked keyword search with filters.

    A query with no filters must contain a word to search for. With filters and
    no query, every matching entry is listed, newest first.
    """
    entries = entries if entries is not None else load_entries()
    if query is not None and not isinstance(query, str):
        raise ToolkitError("The search words should be text, for example 'community engagement'.")
    query = (query or "").strip()
    type = _check_choice(type, TYPES, "type")
    topic = _check_choice(topic, TOPICS, "topic")
    audience = _check_choice(audience, AUDIENCES, "audience")
    unit = _check_choice(unit, tuple(_unit_targets()), "unit")
    years = parse_years(year)
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ToolkitError("limit should be a whole number of results, 1 or more.")
    filters = any(v is not None for v in (type, topic, audience, unit, years))
    if not query and not filters:
        raise ToolkitError("Type one or more words to search for (for example: redlining asthma), "
                           "or choose a filter such as a type, topic, unit or year.")

    def keep(e: Entry) -> bool:
        return ((type is None or e.type == type) and (topic is None or topic in e.topics)
                and (audience is None or audience in e.audience) and (unit is None or unit in e.units)
                and (years is None or years[0] <= e.year <= years[1]))

    if not query:
        hits = [Result(e, 0.0) for e in entries if keep(e)]
        hits.sort(key=lambda r: (-r.entry.year, r.entry.title.lower()))
        return hits[:limit] if limit else hits
    terms = tokens(query)
    if not terms:
        raise ToolkitError(f"{query!r} has no words to search for (only very common words or symbols). "
                           "Try a more specific word.")
    index = _index(entries)
    scores: dict[int, float] = {}
    for term in dict.fromkeys(terms):
        for i, w in index.postings.get(term, ()):
            scores[i] = scores.get(i, 0.0) + index.idf[term] * w
    phrase = " ".join(terms)
    out = []
    for i, s in scores.items():
        e = entries[i]
        if not keep(e):
            continue
        if len(terms) > 1 and phrase in " ".join(tokens(e.title)):
            s *= 1.5  # the whole query as a phrase in the title
        out.append(Result(e, s))
    out.sort(key=lambda r: (-r.score, -r.entry.year, r.entry.id))
    return out[:limit] if limit else out


def get(entry_id: str) -> Entry:
    for e in load_entries():
        if e.id == entry_id:
            return e
    raise ToolkitError(f"There is no toolkit entry {entry_id!r}. Search for it with hesj toolkit search WORDS.")


def facets(entries: tuple[Entry, ...] | None = None) -> dict[str, Counter]:
    entries = entries if entries is not None else load_entries()
    return {"type": Counter(e.type for e in entries),
            "topic": Counter(t for e in entries for t in e.topics),
            "unit": Counter(u for e in entries for u in e.units)}
