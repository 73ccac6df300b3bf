"""The course manifest (``hesj/course.yml``) and each unit's content file.

The manifest is the one source of truth for what the course holds: units and
series parts, objectives, segments and their minutes, key terms, competencies,
and where each unit's notebook, book chapter and assignment live. Loading it
validates it, and every error names the unit and the field to fix.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .paths import PACKAGE_DIR

MANIFEST = PACKAGE_DIR / "course.yml"
CONTENT_DIR = PACKAGE_DIR / "content"
REPO_ROOT = PACKAGE_DIR.parent  # where notebooks/, book/ and assignments/ live in a checkout

# The reading-time model behind each segment's minutes (see CONTRIBUTING.md).
WORDS_PER_MINUTE = 150
MINUTES_PER = {
    "reflection": 6.0,       # hesj.reflect(...)
    "question": 1.5,         # each question of hesj.check(...)
    "self_assessment": 15.0, # hesj.self_assessment(...)
    "discussion": 4.0,       # each numbered discussion question
    "activity": 8.0,         # each interactive explorer (timeline, map, gradient, power map, narrative lab, ...)
    "toolkit_search": 3.0,   # hesj.toolkit_search(...)
}
# interactive activities: time to explore one and read what it shows (the course authors' estimate)
_ACTIVITY = re.compile(r"hesj\.(timeline|map_explorer|story_map|gradient|intersectionality|root_cause|power_map|"
                       r"narrative_lab|toolkit_search)\(")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class ManifestError(ValueError):
    """The manifest or a content file is wrong; the message says where."""


@dataclass(frozen=True)
class Segment:
    id: int
    title: str
    minutes: int
    domains: tuple[int, ...] = ()  # Core Competencies domains the segment builds, strongest first
    tiers: tuple[int, ...] = ()


@dataclass(frozen=True)
class Competency:
    domain: int
    tiers: tuple[int, ...]


@dataclass(frozen=True)
class Unit:
    id: str
    series: str
    number: int
    title: str
    status: str
    topics: tuple[str, ...] = ()
    notebook: str | None = None
    chapter: str | None = None
    assignment: str | None = None
    objectives: tuple[str, ...] = ()
    key_terms: tuple[str, ...] = ()
    competencies: tuple[Competency, ...] = ()
    segments: tuple[Segment, ...] = ()
    assessment_domains: tuple[int, ...] = ()  # domains its knowledge checks and assignment assess

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.segments)


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    max_segment_minutes: int
    competency_domains: dict[int, str]
    tiers: dict[int, str]
    units: tuple[Unit, ...] = field(default=())
    core_paths: dict = field(default_factory=dict)  # tier -> CorePath

    def unit(self, unit_id: str) -> Unit:
        for u in self.units:
            if u.id == unit_id:
                return u
        known = ", ".join(u.id for u in self.units)
        raise KeyError(f"There is no unit {unit_id!r} in the course. Known units: {known}.")

    def published(self, unit_id: str, what: str) -> Unit:
        """A published unit, for something made from it (slides, a packet); otherwise an InputError
        that says which units have one."""
        from .errors import InputError

        try:
            unit = self.unit(unit_id)
        except KeyError as exc:
            raise InputError(str(exc).strip("'\"")) from None
        if not unit.complete:
            raise InputError(f"Unit {unit_id} is not written yet, so it has no {what}. "
                             f"Units with {what}: {', '.join(u.id for u in self.complete_units)}.")
        return unit

    @property
    def complete_units(self) -> tuple[Unit, ...]:
        """Published units; while a board-approved subset is built (HESJ_APPROVED_UNITS), only those."""
        import os

        approved = {x.strip() for x in os.environ.get("HESJ_APPROVED_UNITS", "").split(",") if x.strip()}
        return tuple(u for u in self.units if u.complete and (not approved or u.id in approved))


@dataclass(frozen=True)
class CorePath:
    tier: int
    rationale: str
    segments: tuple[tuple[str, int], ...]  # (unit id, segment id)
    minutes: int


CORE_PATH_MAX_MINUTES = 360


def _req(d: dict, key: str, where: str):
    if key not in d or d[key] in (None, ""):
        raise ManifestError(f"{where}: the field '{key}' is missing.")
    return d[key]


def parse_course(data: dict) -> Course:
    """Validate a manifest already read from YAML and build the Course."""
    if not isinstance(data, dict):
        raise ManifestError("course.yml must be a mapping with 'course', 'units', ... at the top.")
    c = _req(data, "course", "course.yml")
    domains = {int(k): str(v) for k, v in _req(data, "competency_domains", "course.yml").items()}
    tiers = {int(k): str(v) for k, v in _req(data, "tiers", "course.yml").items()}
    max_minutes = int(_req(c, "max_segment_minutes", "course.yml: course"))
    units, seen = [], set()
    for i, raw in enumerate(_req(data, "units", "course.yml")):
        where = f"course.yml: unit #{i + 1}"
        uid = _req(raw, "id", where)
        where = f"course.yml: unit {uid}"
        if not _ID.match(uid):
            raise ManifestError(f"{where}: ids use lower-case letters, digits and hyphens (like rhi-1).")
        if uid in seen:
            raise ManifestError(f"{where}: the id is used twice.")
        seen.add(uid)
        status = _req(raw, "status", where)
        if status not in ("complete", "planned"):
            raise ManifestError(f"{where}: status must be 'complete' or 'planned', not {status!r}.")
        kw = dict(
            id=uid,
            series=str(_req(raw, "series", where)),
            number=int(_req(raw, "number", where)),
            title=str(_req(raw, "title", where)),
            status=status,
            topics=tuple(raw.get("topics") or ()),
        )
        if status == "complete":
            for key in ("notebook", "chapter", "assignment"):
                kw[key] = str(_req(raw, key, where))
            kw["objectives"] = tuple(_req(raw, "objectives", where))
            kw["key_terms"] = tuple(_req(raw, "key_terms", where))
            comps = []
            for comp in _req(raw, "competencies", where):
                d = int(comp["domain"])
                if d not in domains:
                    raise ManifestError(f"{where}: competency domain {d} is not one of {sorted(domains)}.")
                ts = tuple(int(t) for t in comp["tiers"])
                if not ts or any(t not in tiers for t in ts):
                    raise ManifestError(f"{where}: tiers {list(ts)} must be drawn from {sorted(tiers)}.")
                comps.append(Competency(d, ts))
            kw["competencies"] = tuple(comps)
            segs = []
            for n, s in enumerate(_req(raw, "segments", where), start=1):
                sc = tuple(int(x) for x in s.get("domains") or ())
                if any(x not in domains for x in sc):
                    raise ManifestError(f"{where}: segment {n}: domains must be drawn from {sorted(domains)}.")
                st = tuple(int(t) for t in s.get("tiers") or ())
                if any(t not in tiers for t in st):
                    raise ManifestError(f"{where}: segment {n}: tiers must be drawn from {sorted(tiers)}.")
                seg = Segment(int(s["id"]), str(s["title"]), int(s["minutes"]), sc, st)
                if seg.id != n:
                    raise ManifestError(f"{where}: segments must be numbered 1, 2, 3, ... in order.")
                if not 0 < seg.minutes <= max_minutes:
                    raise ManifestError(
                        f"{where}: segment {seg.id} is {seg.minutes} minutes; "
                        f"segments must take 1 to {max_minutes} minutes. Split it."
                    )
                segs.append(seg)
            kw["segments"] = tuple(segs)
            ac = tuple(int(x) for x in raw.get("assessment_domains") or ())
            if any(x not in domains for x in ac):
                raise ManifestError(f"{where}: assessment_domains must be drawn from {sorted(domains)}.")
            kw["assessment_domains"] = ac
        elif any(raw.get(k) for k in ("notebook", "chapter", "assignment")):
            raise ManifestError(
                f"{where}: a planned unit is not published; remove notebook/chapter/assignment "
                "or set status: complete."
            )
        units.append(Unit(**kw))
    by_id = {u.id: u for u in units}
    paths = {}
    for tier, raw in (data.get("core_paths") or {}).items():
        where = f"course.yml: core_paths: tier {tier}"
        if int(tier) not in tiers:
            raise ManifestError(f"{where}: tiers are {sorted(tiers)}.")
        refs, minutes = [], 0
        for ref in _req(raw, "segments", where):
            m = re.match(r"^([a-z0-9-]+):(\d+)$", str(ref))
            u = by_id.get(m.group(1)) if m else None
            seg = next((s for s in u.segments if s.id == int(m.group(2))), None) if u else None
            if seg is None:
                raise ManifestError(f"{where}: {ref!r} is not a published segment (write it as unit-id:number).")
            refs.append((u.id, seg.id))
            minutes += seg.minutes
        if minutes > CORE_PATH_MAX_MINUTES:
            raise ManifestError(f"{where}: the path takes {minutes} minutes; a core path takes at most "
                                f"{CORE_PATH_MAX_MINUTES} (6 hours). Drop a segment.")
        paths[int(tier)] = CorePath(int(tier), str(raw.get("rationale", "")), tuple(refs), minutes)
    return Course(
        id=str(_req(c, "id", "course.yml: course")),
        title=str(_req(c, "title", "course.yml: course")),
        max_segment_minutes=max_minutes,
        competency_domains=domains,
        tiers=tiers,
        units=tuple(units),
        core_paths=paths,
    )


@lru_cache(maxsize=None)
def load_course(path: str | None = None) -> Course:
    p = Path(path) if path else MANIFEST
    return parse_course(yaml.safe_load(p.read_text(encoding="utf-8")))


# -- a unit's content: reflection prompts, knowledge checks, activities ------------

def content_path(unit_id: str, lang: str | None = None) -> Path:
    """A unit's content file in the learner's language (HESJ_LANG), falling back to English.

    Translations live beside the English files: hesj/content/<lang>/<unit>.yml.
    """
    import os

    lang = lang or os.environ.get("HESJ_LANG")
    if lang:
        translated = CONTENT_DIR / lang / f"{unit_id}.yml"
        if translated.exists():
            return translated
    return CONTENT_DIR / f"{unit_id}.yml"


def load_content(unit_id: str) -> dict:
    """The unit's content file, validated."""
    path = content_path(unit_id)
    if not path.exists():
        raise ManifestError(f"Unit {unit_id} has no content file; expected {path}.")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    validate_content(data, unit_id)
    return data


def validate_content(data: dict, unit_id: str) -> None:
    where = f"content/{unit_id}.yml"
    if data.get("unit") != unit_id:
        raise ManifestError(f"{where}: 'unit' must be {unit_id!r}.")
    ids = set()
    for r in data.get("reflections") or []:
        rid = _req(r, "id", f"{where}: a reflection")
        _req(r, "prompt", f"{where}: reflection {rid}")
        if rid in ids:
            raise ManifestError(f"{where}: reflection id {rid!r} is used twice.")
        ids.add(rid)
    check_ids = set()
    for chk in data.get("checks") or []:
        cid = chk.get("id") if isinstance(chk, dict) else None
        validate_check(chk, f"{where}: check {cid or '(no id)'}")
        if cid in check_ids:
            raise ManifestError(f"{where}: check id {cid!r} is used twice.")
        check_ids.add(cid)
    sa = data.get("self_assessment")
    if sa:
        w = f"{where}: self_assessment"
        scale = _req(sa, "scale", w)
        if len(scale) < 2:
            raise ManifestError(f"{w}: the scale needs at least two levels.")
        for area in _req(sa, "areas", w):
            aid = _req(area, "id", w)
            _req(area, "label", f"{w}, area {aid}")
            if not _req(area, "statements", f"{w}, area {aid}"):
                raise ManifestError(f"{w}, area {aid}: give at least one statement.")


@lru_cache(maxsize=1)
def _check_validator():
    import json

    from jsonschema import Draft202012Validator

    schema = json.loads((Path(__file__).parent / "schemas" / "check.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def validate_check(check: dict, where: str) -> None:
    """A knowledge check against hesj/schemas/check.schema.json, then the rules a schema cannot say.

    Errors name the question and field: "check segment-1, question q2: 'feedback' is a required property".
    """
    errors = sorted(_check_validator().iter_errors(check), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        path = list(e.absolute_path)
        place = where
        if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
            q = check["questions"][path[1]]
            place += f", question {q.get('id', path[1] + 1) if isinstance(q, dict) else path[1] + 1}"
            path = path[2:]
        field = ".".join(str(p + 1 if isinstance(p, int) else p) for p in path)
        raise ManifestError(f"{place}{' (' + field + ')' if field else ''}: {e.message}.")
    qids = set()
    for q in check["questions"]:
        w = f"{where}, question {q['id']}"
        if q["id"] in qids:
            raise ManifestError(f"{w}: the question id is used twice.")
        qids.add(q["id"])
        kind = q.get("type", "single")
        if kind == "single" and sum(bool(o.get("correct")) for o in q["options"]) != 1:
            raise ManifestError(f"{w}: exactly one option must have correct: true (or make it type: multiple).")
        if kind == "multiple" and not any(o.get("correct") for o in q["options"]):
            raise ManifestError(f"{w}: mark at least one option correct: true.")
        if kind == "ordering" and len({i["text"] for i in q["items"]}) != len(q["items"]):
            raise ManifestError(f"{w}: two items have the same text, so their order cannot be checked.")


def reflection(unit_id: str, prompt_id: str) -> dict:
    for r in load_content(unit_id).get("reflections") or []:
        if r["id"] == prompt_id:
            return r
    known = ", ".join(r["id"] for r in load_content(unit_id).get("reflections") or [])
    raise KeyError(f"Unit {unit_id} has no reflection prompt {prompt_id!r}. Its prompts: {known}.")


def check(unit_id: str, check_id: str) -> dict:
    for c in load_content(unit_id).get("checks") or []:
        if c["id"] == check_id:
            return c
    known = ", ".join(c["id"] for c in load_content(unit_id).get("checks") or [])
    raise KeyError(f"Unit {unit_id} has no knowledge check {check_id!r}. Its checks: {known}.")


# -- estimating a segment's minutes from its notebook --------------------------------

_CALL = re.compile(r"hesj\.(reflect|check|self_assessment)\(\s*['\"]([^'\"]+)['\"](?:\s*,\s*['\"]([^'\"]+)['\"])?")
_SEGMENT = re.compile(r"^##\s+Segment\s+(\d+)\s*:", re.M)
_MYST_ROLE = re.compile(r"\{[a-z:]+\}`([^`<]*)(?:<[^>]*>)?`")
_NUMBERED = re.compile(r"^\s*\d+\.\s+\S", re.M)
# the headings a notebook's numbered discussion questions sit under (also read by hesj.worksheets)
QUESTION_HEADINGS = r"(?:Discussion questions|Questions for reflection and dialogue)"


def count_words(markdown: str) -> int:
    """Words a reader reads: MyST roles count as their text, markup is dropped."""
    text = _MYST_ROLE.sub(lambda m: m.group(1), markdown)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"[#*_>`|\[\]()]", " ", text)
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’\-]*", text))


def estimate_segments(notebook_path: Path | str) -> dict[int, dict]:
    """Per segment of a unit notebook: words, activities and estimated minutes.

    Everything from the first "## Segment N:" heading to the next level-2 heading that is not a
    segment belongs to the segments; a closing part after them (key terms, resources, further
    reading) is reference material and is not timed."""
    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    segments: dict[int, dict] = {}
    current = None
    in_discussion = False
    opening_words = 0  # the unit's opening (title, overview, why it matters) counts toward segment 1
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            if current is not None and re.search(r"^##\s+(?!Segment\s+\d)", src, re.M):
                break  # a closing part after the segments (key terms, resources): reference, not timed
            for m in _SEGMENT.finditer(src):
                current = int(m.group(1))
                segments[current] = {"words": 0, "reflection": 0, "question": 0,
                                     "self_assessment": 0, "discussion": 0, "activity": 0, "toolkit_search": 0}
                in_discussion = False
            if current is None:
                opening_words += count_words(src)
                continue
            if re.search(r"^#{2,4}\s+" + QUESTION_HEADINGS, src, re.M):
                in_discussion = True
            elif re.search(r"^#{2,4}\s+", src, re.M):
                in_discussion = False
            if in_discussion:
                segments[current]["discussion"] += len(_NUMBERED.findall(src))
            segments[current]["words"] += count_words(src)
        elif cell["cell_type"] == "code" and current is not None:
            for kind, unit_id, item in _CALL.findall(src):
                if kind == "check":
                    segments[current]["question"] += len(check(unit_id, item)["questions"])
                else:
                    segments[current]["reflection" if kind == "reflect" else kind] += 1
            for name in _ACTIVITY.findall(src):
                segments[current]["toolkit_search" if name == "toolkit_search" else "activity"] += 1
    if segments:
        segments[min(segments)]["words"] += opening_words
    for s in segments.values():
        s["minutes"] = s["words"] / WORDS_PER_MINUTE + sum(
            MINUTES_PER[k] * s[k] for k in MINUTES_PER
        )
    return segments
