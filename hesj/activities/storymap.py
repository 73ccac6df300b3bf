"""Story map: a guided sequence of map views, each with a short narrative.

A story is data, not code: a YAML file in ``hesj/content/stories/<id>.yml``::

    id: life-expectancy-by-state
    title: ...
    summary: ...                 # optional, one or two sentences
    steps:
      - title: ...
        measure: life_expectancy_2019   # a built-in map measure (see mapping.builtin_measures)
        level: state             # optional; must match the measure's level
        classes: quantile        # optional: quantile (default) or equal
        highlight: [highest, lowest]    # optional: place names, postal codes, FIPS codes,
                                        # or highest / lowest / highest_five / lowest_three ..., worked out from the data
        zoom: [-95, 28, -75, 42] # optional: lon_min, lat_min, lon_max, lat_max
        text: >
          Narrative. {highest}, {lowest}, {range} ... are filled in from the step's data,
          so the story never states a number the table does not give.

Placeholders: {measure} {highest} {lowest} {high} {low} {range} {median} {n}
{missing} {highest_N} {lowest_N} (N a word from two to ten: {lowest_five}). Loading a story checks every field
and raises :class:`StoryError` (an InputError) naming the step and field to fix.

The live view steps through the story with Previous and Next buttons and a
"Step k of n" status; the book shows every step in order (heading, text, map).
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _
from ..paths import PACKAGE_DIR
from . import mapping

STORIES_DIR = PACKAGE_DIR / "content" / "stories"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
STEP_KEYS = {"title", "text", "measure", "level", "classes", "highlight", "zoom"}
STORY_KEYS = {"id", "title", "summary", "steps"}
PLACEHOLDERS = {"measure", "highest", "lowest", "high", "low", "range", "median", "n", "missing"}
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
RANKED = re.compile(r"^(highest|lowest)_(" + "|".join(NUMBER_WORDS) + r")$")  # e.g. lowest_five
HIGHLIGHT_TOKENS = {"highest", "lowest"}


class StoryError(InputError):
    """A story file that cannot be shown as it is; the message names the step and field to fix."""


@dataclass
class Step:
    title: str
    text: str
    measure: str
    level: str
    classes: str = "quantile"
    highlight: list[str] = field(default_factory=list)
    zoom: tuple[float, float, float, float] | None = None


@dataclass
class Story:
    id: str
    title: str
    steps: list[Step]
    summary: str = ""


# -- loading and checking ------------------------------------------------------------------------------
def story_ids() -> list[str]:
    """The stories shipped with the course."""
    return sorted(p.stem for p in STORIES_DIR.glob("*.yml"))


def load_story(story_id: str) -> Story:
    """Read and check ``hesj/content/stories/<story_id>.yml``."""
    import yaml

    if not isinstance(story_id, str) or not ID_RE.match(story_id):
        raise StoryError(_("A story id uses lower-case letters, digits and dashes, for example "
                           "'life-expectancy-by-state' (you gave {sid!r}).").format(sid=story_id))
    path = STORIES_DIR / f"{story_id}.yml"
    if not path.exists():
        raise StoryError(_("There is no story called {sid!r}. Stories available: {ids}.").format(
            sid=story_id, ids=", ".join(story_ids()) or _("none")))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StoryError(_("stories/{sid}.yml is not valid YAML ({reason}). Fix the file's syntax.").format(
            sid=story_id, reason=str(exc).splitlines()[0])) from None
    story = validate_story(data, f"stories/{story_id}.yml")
    if story.id != story_id:
        raise StoryError(_("stories/{sid}.yml: 'id' must be {sid!r}, the file's name (it is {got!r}).").format(
            sid=story_id, got=story.id))
    return story


def validate_story(data, where: str = "story") -> Story:
    """A checked :class:`Story` from parsed YAML; raises StoryError naming the step and field."""
    if not isinstance(data, dict):
        raise StoryError(_("{where}: a story is a mapping with id, title and steps.").format(where=where))
    unknown = sorted(set(map(str, data)) - STORY_KEYS)
    if unknown:
        raise StoryError(_("{where}: unknown field(s) {fields}. A story has: id, title, summary, steps.").format(
            where=where, fields=", ".join(unknown)))
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise StoryError(_("{where}: '{key}' is missing or empty.").format(where=where, key=key))
    if not ID_RE.match(data["id"]):
        raise StoryError(_("{where}: 'id' uses lower-case letters, digits and dashes only.").format(where=where))
    summary = data.get("summary") or ""
    if not isinstance(summary, str):
        raise StoryError(_("{where}: 'summary' should be text.").format(where=where))
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise StoryError(_("{where}: the story has no steps. Add a list of steps, each with title, measure and "
                           "text.").format(where=where))
    return Story(data["id"].strip(), data["title"].strip(),
                 [_step(s, _("{where}, step {n}").format(where=where, n=n)) for n, s in enumerate(steps, start=1)],
                 summary.strip())


def _step(raw, where: str) -> Step:
    if not isinstance(raw, dict):
        raise StoryError(_("{where}: a step is a mapping with title, measure and text.").format(where=where))
    unknown = sorted(set(map(str, raw)) - STEP_KEYS)
    if unknown:
        raise StoryError(_("{where}: unknown field(s) {fields}. A step may have: {allowed}.").format(
            where=where, fields=", ".join(unknown), allowed=", ".join(sorted(STEP_KEYS))))
    for key in ("title", "text", "measure"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise StoryError(_("{where}: '{key}' is missing or empty.").format(where=where, key=key))
    specs = mapping.builtin_measures()
    measure = raw["measure"].strip()
    if measure not in specs:
        raise StoryError(_("{where}: unknown measure {measure!r}. Use one of: {keys}.").format(
            where=where, measure=measure, keys=", ".join(specs)))
    level = raw.get("level", specs[measure].level)
    if level != specs[measure].level:
        raise StoryError(_("{where}: the measure {measure!r} is mapped by {right}, not by {level!r}.").format(
            where=where, measure=measure, right=specs[measure].level, level=level))
    classes = raw.get("classes", "quantile")
    if classes not in mapping.METHODS:
        raise StoryError(_("{where}: 'classes' must be quantile or equal (it is {value!r}).").format(
            where=where, value=classes))
    highlight = raw.get("highlight") or []
    if not isinstance(highlight, list) or not all(isinstance(h, str) and h.strip() for h in highlight):
        raise StoryError(_("{where}: 'highlight' should be a list of place names, codes, or highest, lowest, "
                           "highest_five, lowest_five (two to ten).").format(where=where))
    geo = _geography(level)
    for h in highlight:
        if h not in HIGHLIGHT_TOKENS and not RANKED.match(h) and geo.find(h) is None:
            raise StoryError(_("{where}: 'highlight' names {place!r}, which is not a place on the {level} map.")
                             .format(where=where, place=h, level=level))
    zoom = raw.get("zoom")
    if zoom is not None:
        zoom = _zoom(zoom, where)
    text = raw["text"].strip()
    _check_placeholders(text, where)
    return Step(raw["title"].strip(), text, measure, level, classes, [h.strip() for h in highlight], zoom)


def _zoom(zoom, where: str) -> tuple[float, float, float, float]:
    ok = (isinstance(zoom, list) and len(zoom) == 4
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in zoom))
    if ok:
        lon0, lat0, lon1, lat1 = map(float, zoom)
        ok = -180 <= lon0 < lon1 <= 180 and -90 <= lat0 < lat1 <= 90
    if not ok:
        raise StoryError(_("{where}: 'zoom' should be [lon_min, lat_min, lon_max, lat_max] in degrees, west and "
                           "south first, for example [-95, 28, -75, 42].").format(where=where))
    return lon0, lat0, lon1, lat1


def _check_placeholders(text: str, where: str) -> None:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise StoryError(_("{where}: the text has an unmatched curly bracket. Write placeholders as a name in "
                           "curly brackets, for example {example}, and double a bracket to show it as text.").format(
            where=where, example="{highest}")) from None
    for _lit, name, spec, conv in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS and not RANKED.match(name) or spec or conv:
            raise StoryError(_("{where}: unknown placeholder {name} in the text. Use: {allowed}, highest_five, lowest_five (two to ten).").format(
                where=where, name="{" + str(name) + "}", allowed=", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))))


def _geography(level: str):
    if level == "state":
        return mapping.us_geography("state")
    return mapping.builtin_model("county").geography


# -- the model -------------------------------------------------------------------------------------------
@dataclass
class StoryModel:
    story: Story
    index: int = 0
    maps: dict = field(default_factory=dict)  # level -> MapModel, built when a step first needs it

    @property
    def n(self) -> int:
        return len(self.story.steps)

    @property
    def step(self) -> Step:
        return self.story.steps[self.index]

    def go(self, index: int) -> None:
        if not 0 <= index < self.n:
            raise StoryError(_("This story has steps 1 to {n}.").format(n=self.n))
        self.index = index

    def next(self) -> str:
        """Move on; returns a note when already at the last step."""
        if self.index == self.n - 1:
            return _("This is the last step.")
        self.index += 1
        return ""

    def previous(self) -> str:
        if self.index == 0:
            return _("This is the first step.")
        self.index -= 1
        return ""

    def status(self, note: str = "") -> str:
        text = _("Step {k} of {n}: {title}").format(k=self.index + 1, n=self.n, title=self.step.title)
        return f"{note} {text}" if note else text

    def map_model(self, step: Step | None = None) -> mapping.MapModel:
        """The map for a step: its measure, classes, highlighted places and zoom."""
        step = step or self.step
        if step.level not in self.maps:
            self.maps[step.level] = mapping.builtin_model(step.level, step.measure, step.classes)
        m = self.maps[step.level]
        m.set_measure(step.measure)
        m.set_method(step.classes)
        m.place = ""
        m.highlight = self._highlight(m, step.highlight)
        m.zoom = step.zoom
        return m

    @staticmethod
    def _highlight(m: mapping.MapModel, names: list[str]) -> list[str]:
        geo, ids = m.geography, []
        for h in names:
            if h in ("highest", "lowest"):
                e = m.extremes()
                found = e.get(h, [])
            elif RANKED.match(h):
                kind, k = RANKED.match(h).groups()
                found = m.top(NUMBER_WORDS[k], lowest=kind == "lowest")
            else:
                found = [h]
            ids += [geo.find(x) for x in found if geo.find(x)]
        return list(dict.fromkeys(ids))

    def facts(self, step: Step | None = None) -> dict:
        """The values the placeholders take for a step, all computed from its table."""
        m = self.map_model(step)
        e, d, join = m.extremes(), m.data, mapping._join_names
        out = {"measure": d.label, "n": str(e["n"]), "missing": join(e["missing"]) or _("none")}
        if e["n"]:
            out.update(highest=_("{places} ({value})").format(places=join(e["highest"]), value=d.fmt(e["high"])),
                       lowest=_("{places} ({value})").format(places=join(e["lowest"]), value=d.fmt(e["low"])),
                       high=d.fmt(e["high"]), low=d.fmt(e["low"]), range=d.fmt(e["range"]), median=d.fmt(e["median"]))
        for word, k in NUMBER_WORDS.items():
            out[f"highest_{word}"] = join(m.top(k))
            out[f"lowest_{word}"] = join(m.top(k, lowest=True))
        return out

    def text(self, step: Step | None = None) -> str:
        step = step or self.step
        return step.text.format(**self.facts(step))

    def text_html(self, step: Step | None = None) -> str:
        """The narrative as HTML paragraphs; each value filled in from the data is a <span class="hesj-fact">."""
        step = step or self.step
        facts = {k: f'<span class="hesj-fact">{esc(v)}</span>' for k, v in self.facts(step).items()}
        out = []
        for para in re.split(r"\n\s*\n", step.text):
            if para.strip():
                parts = [(esc(lit) + (facts[name] if name is not None else ""))
                         for lit, name, _spec, _conv in string.Formatter().parse(" ".join(para.split()))]
                out.append(f"<p>{''.join(parts)}</p>")
        return "".join(out)


# -- rendering -----------------------------------------------------------------------------------------
def _paragraphs(text: str) -> str:
    return "".join(f"<p>{esc(' '.join(p.split()))}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())


def static_html(model: StoryModel) -> str:
    """Every step in order: heading, narrative, the map with its summary and data table."""
    figures: dict = {}
    parts = [f"<p><strong>{esc(model.story.title)}</strong></p>"]
    if model.story.summary:
        parts.append(_paragraphs(model.story.summary))
    for k, step in enumerate(model.story.steps, start=1):
        m = model.map_model(step)
        fig = figures.setdefault(step.level, mapping.MapFigure(m.geography))
        heading = _("Step {k} of {n}: {title}").format(k=k, n=model.n, title=step.title)
        parts.append(f"<h3>{esc(heading)}</h3>{model.text_html(step)}{fig.html(m)}")
    return box("".join(parts), _("Story map: {title}").format(title=model.story.title))


def view(model: StoryModel) -> Activity:
    import ipywidgets as w

    figures: dict = {}
    title = w.HTML(f"<p><strong>{esc(model.story.title)}</strong></p>"
                   + (_paragraphs(model.story.summary) if model.story.summary else ""))
    prev = w.Button(description=_("Previous"), tooltip=_("Go back to the previous step of the story"),
                    icon="arrow-left")
    nxt = w.Button(description=_("Next"), tooltip=_("Go on to the next step of the story"), icon="arrow-right",
                   button_style="primary")
    status = w.HTML()
    narrative = w.HTML()
    chart = w.HTML()

    def show(note: str = ""):
        step = model.step
        m = model.map_model(step)
        if step.level not in figures:
            figures[step.level] = mapping.MapFigure(m.geography)
        status.value = f'<p role="status">{esc(model.status(note))}</p>'
        narrative.value = f"<h3>{esc(step.title)}</h3>{model.text_html(step)}"
        chart.value = figures[step.level].html(m)

    prev.on_click(lambda _b: show(model.previous()))
    nxt.on_click(lambda _b: show(model.next()))
    show()
    ui = w.VBox([title, w.HBox([prev, nxt]), status, narrative, chart])
    controls = {"previous": prev, "next": nxt, "status": status, "text": narrative, "chart": chart}
    return Activity(ui, static_html(StoryModel(model.story)), model=model, controls=controls)


def activity(story_id: str = "life-expectancy-by-state") -> Activity:
    """A story map: ``hesj.activities.storymap.activity("life-expectancy-by-state")``."""
    from ..paths import static_mode

    model = StoryModel(load_story(story_id))
    if static_mode():
        return Activity(html=static_html(model), model=model)
    return view(model)
