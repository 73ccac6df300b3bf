"""Power map: place stakeholders by their power over a decision and their position on an issue.

Power mapping is a community-organizing practice: it identifies who has power
over a decision and what might move them, placing people and groups on a grid
from "against us" to "with us" by their influence (NEAndpower). Here the
learner lists stakeholders with a power score (0 to 10: influence over the
decision) and a position (-5 strongly opposed to +5 strongly support). The
quadrant chart marks each stakeholder with a marker shaped by its quadrant and
its name written beside it; the quadrant names are written in the corners.

Input is keyboard-only: rows of a name box and two number boxes, plus Add and
Remove buttons; facilitators can paste a prepared CSV list (name, power,
position), read by :func:`parse_stakeholders_csv`.

The model (validation, CSV parsing, grouping, summary) is pure Python; ``view``
wires ipywidgets to it; ``static_html`` shows a clearly labelled fictional example.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _
from ..journal import Journal
from ..paths import static_mode
from . import record
from .reflection import Result

KIND = "power-map"
POWER_MIN, POWER_MAX = 0, 10
POSITION_MIN, POSITION_MAX = -5, 5
HIGH_POWER = 5  # power 5 and above counts as "more power" (the dashed line on the chart)
MAX_STAKEHOLDERS = 30
MAX_NAME_CHARS = 60
MAX_ISSUE_CHARS = 150
MAX_CSV_CHARS = 20_000
COLUMNS = ("name", "power", "position")
GROUPS = ("powerful-supporters", "powerful-opponents", "powerful-undecided",
          "supporters", "opponents", "undecided")


class PowerMapError(InputError):
    """A stakeholder list, a row or a value is not right; the message says what to fix."""


def group_labels() -> dict[str, str]:
    return {
        "powerful-supporters": _("Powerful supporters"),
        "powerful-opponents": _("Powerful opponents"),
        "powerful-undecided": _("Powerful and undecided"),
        "supporters": _("Supporters with less power"),
        "opponents": _("Opponents with less power"),
        "undecided": _("Undecided with less power"),
    }


@dataclass(frozen=True)
class Stakeholder:
    name: str
    power: int
    position: int

    @property
    def group(self) -> str:
        high = self.power >= HIGH_POWER
        if self.position > 0:
            return "powerful-supporters" if high else "supporters"
        if self.position < 0:
            return "powerful-opponents" if high else "opponents"
        return "powerful-undecided" if high else "undecided"


# -- validation (pure functions) -------------------------------------------------------------
def signed(value: int) -> str:
    """A position as the learner reads it: +3, 0, -2."""
    return f"{value:+d}" if value else "0"


def normalize_name(name: str) -> str:
    """Surrounding and repeated whitespace removed."""
    return " ".join(name.split())


def name_key(name: str) -> str:
    """Names that differ only in case or spacing are the same stakeholder."""
    return normalize_name(name).casefold()


def check_number(value, field: str, lo: int, hi: int, where: str) -> int:
    """An integer from lo to hi (an int, or text such as "3" or "-2"); PowerMapError otherwise."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,6}\s*", value):
        value = int(value)
    if not isinstance(value, int):
        raise PowerMapError(_("{where}: {field} must be a whole number from {lo} to {hi}; got {value!r}.").format(
            where=where, field=field, lo=lo, hi=hi, value=value if not isinstance(value, str) else value[:20]))
    if not lo <= value <= hi:
        raise PowerMapError(_("{where}: {field} must be from {lo} to {hi}; got {value}.").format(
            where=where, field=field, lo=lo, hi=hi, value=value))
    return value


def check_name(name, where: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise PowerMapError(_("{where}: the stakeholder has no name. Type a name (a person, group or "
                              "organisation) or remove the row.").format(where=where))
    name = normalize_name(name)
    if len(name) > MAX_NAME_CHARS:
        raise PowerMapError(_("{where}: the name is {n} characters long; keep it under {max}.").format(
            where=where, n=len(name), max=MAX_NAME_CHARS))
    return name


def validate_stakeholders(rows, *, where: str | None = None, first: int = 1) -> list[Stakeholder]:
    """Stakeholders from (name, power, position) rows, Stakeholders or dicts; PowerMapError names the row.

    ``where`` is a label for messages, with ``{n}`` for the row number (default "Row {n}").
    """
    if len(rows) > MAX_STAKEHOLDERS:
        raise PowerMapError(_("The map holds at most {max} stakeholders; this list has {n}. "
                              "Combine similar stakeholders or make two maps.").format(max=MAX_STAKEHOLDERS,
                                                                                       n=len(rows)))
    out, seen = [], {}
    for n, row in enumerate(rows, start=first):
        label = (where or _("Row {n}")).format(n=n)
        if isinstance(row, Stakeholder):
            name, power, position = row.name, row.power, row.position
        elif isinstance(row, dict):
            name, power, position = row.get("name"), row.get("power"), row.get("position")
        elif isinstance(row, (list, tuple)) and len(row) == 3:
            name, power, position = row
        else:
            raise PowerMapError(_("{where} should give a name, a power and a position.").format(where=label))
        name = check_name(name, label)
        key = name_key(name)
        if key in seen:
            raise PowerMapError(_("{where}: \"{name}\" is already on the map ({other}). Give each stakeholder "
                                  "a different name, or remove one.").format(where=label, name=name,
                                                                             other=seen[key]))
        seen[key] = label
        out.append(Stakeholder(name, check_number(power, _("power"), POWER_MIN, POWER_MAX, label),
                               check_number(position, _("position"), POSITION_MIN, POSITION_MAX, label)))
    return out


def parse_stakeholders_csv(text) -> list[Stakeholder]:
    """Stakeholders from CSV text with the columns name, power and position (any order, any case).

    Blank lines are skipped and other columns are ignored. Messages name the line of the file.
    """
    if not isinstance(text, str) or not text.strip():
        raise PowerMapError(_("The list is empty. Paste CSV text with a header line: name, power, position."))
    if len(text) > MAX_CSV_CHARS:
        raise PowerMapError(_("The list is {n} characters long; paste at most {max}.").format(
            n=f"{len(text):,}", max=f"{MAX_CSV_CHARS:,}"))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header, index, rows = None, {}, []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            line = reader.line_num
            if header is None:
                header = [c.strip().lower() for c in cells]
                missing = [c for c in COLUMNS if c not in header]
                if missing:
                    raise PowerMapError(_("The first line must name the columns name, power and position; "
                                          "{missing} is missing. For example: name,power,position").format(
                        missing=", ".join(missing)))
                for c in COLUMNS:
                    if header.count(c) > 1:
                        raise PowerMapError(_("The column {col} appears twice in the first line.").format(col=c))
                index = {c: header.index(c) for c in COLUMNS}
                continue
            if len(rows) >= MAX_STAKEHOLDERS:
                raise PowerMapError(_("The map holds at most {max} stakeholders; the list has more.").format(
                    max=MAX_STAKEHOLDERS))
            values = []
            for c in COLUMNS:
                if index[c] >= len(cells):
                    raise PowerMapError(_("Line {line} has no value for {col}.").format(line=line, col=c))
                values.append(cells[index[c]])
            rows.append((line, values))
    except csv.Error as exc:
        raise PowerMapError(_("The list could not be read as CSV near line {line} ({error}). Check its quotes "
                              "and commas.").format(line=reader.line_num, error=exc)) from None
    if not rows:
        raise PowerMapError(_("The list has a header line but no stakeholders. Add one line per stakeholder."))
    out, seen = [], {}
    for line, (name, power, position) in rows:
        where = _("Line {line}").format(line=line)
        (s,) = validate_stakeholders([(name, power, position)], where=where)
        key = name_key(s.name)
        if key in seen:
            raise PowerMapError(_("{where}: \"{name}\" is already in the list (line {other}). Give each "
                                  "stakeholder a different name.").format(where=where, name=s.name,
                                                                          other=seen[key]))
        seen[key] = line
        out.append(s)
    return out


def stakeholders_csv(stakeholders: list[Stakeholder]) -> str:
    """CSV text that parse_stakeholders_csv reads back."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for s in stakeholders:
        writer.writerow([s.name, s.power, s.position])
    return buf.getvalue()


def check_issue(text) -> str:
    if not isinstance(text, str):
        raise PowerMapError(_("The issue must be text."))
    text = " ".join(text.split())
    if len(text) > MAX_ISSUE_CHARS:
        raise PowerMapError(_("The issue is {n} characters long; keep it under {max}.").format(
            n=len(text), max=MAX_ISSUE_CHARS))
    return text


def parse_saved(text: str) -> tuple[str, list[Stakeholder]]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise PowerMapError(_("The saved power map could not be read (it is not valid JSON).")) from None
    if not isinstance(data, dict) or not isinstance(data.get("stakeholders", []), list):
        raise PowerMapError(_("The saved power map could not be read (it should hold an issue and stakeholders)."))
    return check_issue(data.get("issue", "")), validate_stakeholders(data.get("stakeholders", []))


# -- the model -----------------------------------------------------------------------------------
@dataclass
class PowerMapModel:
    unit: str = "rhi-5"
    prompt_id: str = "power-map"
    issue: str = ""
    stakeholders: list[Stakeholder] = field(default_factory=list)
    journal: Journal | None = field(default_factory=Journal)

    def set_issue(self, text: str) -> str:
        self.issue = check_issue(text)
        return self.issue

    def set_stakeholders(self, rows) -> list[Stakeholder]:
        """Replace the list (all or nothing: on PowerMapError the old list stays)."""
        self.stakeholders = validate_stakeholders(rows)
        return self.stakeholders

    def add_stakeholders(self, new: list[Stakeholder]) -> list[Stakeholder]:
        return self.set_stakeholders(self.stakeholders + list(new))

    def by_group(self) -> dict[str, list[Stakeholder]]:
        groups = {g: [] for g in GROUPS}
        for s in sorted(self.stakeholders, key=lambda s: (-s.power, -abs(s.position), s.name.casefold())):
            groups[s.group].append(s)
        return groups

    def summary(self) -> str:
        """Stakeholders by quadrant, then questions on where organizing attention could go."""
        if not self.stakeholders:
            return _("No stakeholders yet. Add the people, groups and organisations that have a say in the decision.")
        labels = group_labels()
        groups = self.by_group()
        lead = (_("Power map for: {issue}.").format(issue=self.issue) if self.issue
                else _("Power map (no issue named yet)."))
        listed = " ".join(
            _("{group}: {names}.").format(group=labels[g], names=", ".join(
                _("{name} (power {p}, position {q})").format(name=s.name, p=s.power, q=signed(s.position))
                for s in members))
            for g, members in groups.items() if members)
        return f"{lead} {listed}"

    def suggestions(self) -> list[str]:
        """Neutral questions for each group on the map, as organizers ask them when power mapping."""
        g = self.by_group()
        names = {k: ", ".join(s.name for s in v) for k, v in g.items()}
        out = []
        if g["powerful-undecided"]:
            out.append(_("Powerful and undecided ({names}): what would move them, and whom do they listen to?").format(
                names=names["powerful-undecided"]))
        if g["powerful-supporters"]:
            out.append(_("Powerful supporters ({names}): how could they use their influence and connections "
                         "with the people who decide?").format(names=names["powerful-supporters"]))
        if g["supporters"]:
            out.append(_("Supporters with less power ({names}): how could they organize together around shared "
                         "goals and resources to build collective power?").format(names=names["supporters"]))
        if g["powerful-opponents"]:
            out.append(_("Powerful opponents ({names}): what are their interests, and who influences them?").format(
                names=names["powerful-opponents"]))
        if not out and self.stakeholders:
            out.append(_("Who has power over this decision and is missing from the map?"))
        if self.stakeholders and not any(s.power >= HIGH_POWER for s in self.stakeholders):
            out.append(_("No one on the map has power 5 or more. Who actually makes the decision? Name that person "
                         "or body and add them."))
        return out

    def table(self):
        import pandas as pd

        labels = group_labels()
        rows = [(s.name, s.power, signed(s.position), labels[s.group]) for s in self.stakeholders]
        return pd.DataFrame(rows, columns=[_("Stakeholder"), _("Power (0-10)"), _("Position (-5 to +5)"),
                                           _("Quadrant")])

    def alt(self) -> str:
        if not self.stakeholders:
            return _("Empty power map: no stakeholders placed yet.")
        labels = group_labels()
        counts = [(labels[k], len(v)) for k, v in self.by_group().items() if v]
        return _("Power map{issue}. Stakeholders: {n}; {counts}.").format(
            issue=(" — " + self.issue) if self.issue else "", n=len(self.stakeholders),
            counts="; ".join(f"{lab} {k}" for lab, k in counts))

    # -- journal ------------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps({"issue": self.issue, "stakeholders": [s.__dict__ for s in self.stakeholders]},
                          ensure_ascii=False)

    def save(self) -> Result:
        if self.journal is not None and not self.stakeholders and not self.issue:
            return Result(False, _("There is nothing to save yet. Name the issue and add at least one stakeholder."))
        entry, problem = record.save(self.journal, self.unit, self.prompt_id, KIND, self.to_json(),
                                     _("Power map: stakeholders by power and position"))
        if problem:
            return problem
        return Result(True, _("Your power map was saved to your private journal at {time} UTC (stakeholders: {n}).").format(
            n=len(self.stakeholders), time=entry.updated_at[11:19]))

    def restore(self) -> Result:
        saved, problem = record.load(self.journal, self.unit, self.prompt_id, KIND)
        if problem or saved is None:
            return problem or Result(True, "")
        try:
            self.issue, self.stakeholders = parse_saved(saved)
        except PowerMapError as exc:
            return Result(False, str(exc))
        return Result(True, _("Your saved power map was restored."))


# -- chart -----------------------------------------------------------------------------------------
def build_chart(fig, ax) -> dict:
    """The quadrant grid, one marker series per group and a pool of name labels, all built once."""
    from ..charts import MARKERS, PALETTE, TEXT_COLOUR, style

    ax.set_xlim(POSITION_MIN - 0.8, POSITION_MAX + 0.8)
    ax.set_ylim(POWER_MIN - 0.8, POWER_MAX + 1.2)
    ax.axvline(0, color=TEXT_COLOUR, linestyle="--", linewidth=0.8)
    ax.axhline(HIGH_POWER - 0.5, color=TEXT_COLOUR, linestyle="--", linewidth=0.8)
    ax.set_xticks(range(POSITION_MIN, POSITION_MAX + 1),
                  [signed(v) for v in range(POSITION_MIN, POSITION_MAX + 1)])
    ax.set_yticks(range(POWER_MIN, POWER_MAX + 1))
    ax.set_xlabel(_("Position on the issue: -5 strongly opposed, 0 undecided, +5 strongly support"))
    ax.set_ylabel(_("Power over the decision (0-10)"))
    labels = group_labels()
    corner = {"powerful-opponents": (POSITION_MIN - 0.7, POWER_MAX + 1.0, "left", "top"),
              "powerful-supporters": (POSITION_MAX + 0.7, POWER_MAX + 1.0, "right", "top"),
              "opponents": (POSITION_MIN - 0.7, POWER_MIN - 0.7, "left", "bottom"),
              "supporters": (POSITION_MAX + 0.7, POWER_MIN - 0.7, "right", "bottom")}
    for g, (x, y, ha, va) in corner.items():
        ax.text(x, y, labels[g].upper(), ha=ha, va=va, fontsize=8.5, fontweight="bold", color=TEXT_COLOUR)
    series = {}
    for i, g in enumerate(GROUPS):
        series[g] = ax.scatter([], [], s=70, marker=MARKERS[i % len(MARKERS)], color=PALETTE[i % len(PALETTE)],
                               edgecolors=TEXT_COLOUR, linewidths=0.8, zorder=3, label=labels[g])
    names = [ax.text(0, 0, "", fontsize=8.5, color=TEXT_COLOUR, va="center", visible=False, zorder=4)
             for _i in range(MAX_STAKEHOLDERS)]
    style(ax)
    return {"series": series, "names": names}


def update_chart(ax, artists: dict, stakeholders: list[Stakeholder]) -> None:
    import numpy as np

    for g, coll in artists["series"].items():
        pts = [(s.position, s.power) for s in stakeholders if s.group == g]
        coll.set_offsets(np.array(pts, dtype=float).reshape(-1, 2))
    stacked: dict[tuple[int, int], int] = {}
    for label, s in zip(artists["names"], stakeholders):
        k = stacked.get((s.position, s.power), 0)  # stakeholders on the same spot: stack their names
        stacked[(s.position, s.power)] = k + 1
        right = s.position <= 2
        label.set_position((s.position + (0.22 if right else -0.22), s.power - 0.42 * k))
        label.set_ha("left" if right else "right")
        label.set_text(s.name)
        label.set_visible(True)
    for label in artists["names"][len(stakeholders):]:
        label.set_visible(False)


def suggestions_html(model: PowerMapModel) -> str:
    items = "".join(f"<li>{esc(t)}</li>" for t in model.suggestions())
    if not items:
        return ""
    return (f"<p><strong>{esc(_('Where could organizing attention go? Questions to discuss'))}:</strong></p>"
            f"<ul>{items}</ul><p><small>{esc(_('Power mapping asks who has power over a decision and what would move them (National Education Association, n.d.); community organizing helps groups identify common goals, mobilize resources and act on them together (Minkler and Wallerstein, 2004).'))}</small></p>")


# -- static version ---------------------------------------------------------------------------------
def example() -> tuple[str, tuple[Stakeholder, ...]]:
    """The fictional map of the book version (translated when this is called)."""
    return _("A city ordinance requiring landlords to fix mould and pests (fictional)"), (
        Stakeholder(_("City council majority"), 10, 0),
        Stakeholder(_("Mayor's office"), 8, 2),
        Stakeholder(_("Local health department"), 6, 4),
        Stakeholder(_("Landlords' association"), 7, -4),
        Stakeholder(_("Tenants' union"), 4, 5),
        Stakeholder(_("Parents of children with asthma"), 3, 5),
        Stakeholder(_("Neighbourhood clinic"), 4, 3),
        Stakeholder(_("Local newspaper"), 5, 0),
        Stakeholder(_("Chamber of commerce"), 6, -2),
        Stakeholder(_("Small property owners"), 3, -3),
    )


def static_html(issue: str | None = None, stakeholders: tuple[Stakeholder, ...] | None = None) -> str:
    """The book version: how power mapping works and a fictional, illustrative map."""
    from ..charts import chart_html, new_figure

    if issue is None or stakeholders is None:
        issue, stakeholders = example()

    model = PowerMapModel(issue=issue, stakeholders=list(stakeholders), journal=None)
    fig, ax = new_figure(7.5, 5.5)
    artists = build_chart(fig, ax)
    update_chart(ax, artists, model.stakeholders)
    caption = _("Fictional example (an illustrative composite written for this course): the stakeholders and "
                "scores are invented, not data about any real place.")
    intro = (
        f"<p><strong>{esc(_('Power map'))}</strong></p>"
        f"<p>{esc(_('Power mapping asks who has power over a decision and what would move them, placing people and groups on a grid from “against us” to “with us”, by their influence (National Education Association, n.d.).'))}</p>"
        f"<p>{esc(_('For each stakeholder, score their power over the decision (0 to 10) and their position on the issue (-5 strongly opposed to +5 strongly support). In the course notebook you enter the list in number boxes (or paste a CSV list with the columns name, power, position) and the map saves to your private journal. On paper, draw the grid and write each name where it belongs.'))}</p>"
        f"<p><strong>{esc(_('Fictional example'))}:</strong> {esc(issue)}</p>"
    )
    return box(intro + chart_html(fig, model.alt(), caption, model.summary(), model.table())
               + suggestions_html(model), _("Power map"))


# -- live view -----------------------------------------------------------------------------------------
def view(model: PowerMapModel) -> Activity:
    import ipywidgets as w

    from ..charts import LiveChart

    style = {"description_width": "initial"}
    restored = model.restore()

    def update(fig, ax, artists, _state):
        update_chart(ax, artists, model.stakeholders)
        return model.alt(), model.summary(), model.table()

    chart = LiveChart(build_chart, update, caption=_("Your power map (your own entries and scores)."),
                      width=7.5, height=5.5)
    issue = w.Text(value=model.issue, description=_("Issue"), continuous_update=False,
                   placeholder=_("the decision or policy you want to change"),
                   layout=w.Layout(width="100%"), style=style)
    rows_box = w.VBox()
    rows: list[dict] = []
    add = w.Button(description=_("Add stakeholder"), tooltip=_("Add a row for another stakeholder"))
    save = w.Button(description=_("Save to my journal"), button_style="success",
                    tooltip=_("Save your power map to your private journal"))
    csv_area = w.Textarea(description=_("Paste a list (CSV: name, power, position)"),
                          placeholder=_("name,power,position\nCity council,9,0"),
                          layout=w.Layout(width="100%", height="6em"), style=style)
    load = w.Button(description=_("Add the pasted list"), tooltip=_("Add the stakeholders in the pasted CSV list"))
    status = w.HTML()
    ideas = w.HTML()
    syncing = {"on": False}  # no redraw while rows are being built

    def say(message: str, ok: bool = True):
        status.value = f'<p role="status">{"✔" if ok else "⚠"} {esc(message)}</p>' if message else ""

    def redraw():
        chart.refresh(None)
        ideas.value = suggestions_html(model)

    def sync(_change=None):
        if syncing["on"]:
            return
        try:
            model.set_stakeholders([(r["name"].value, r["power"].value, r["position"].value) for r in rows])
        except PowerMapError as exc:
            say(str(exc), ok=False)
            return
        say(_("Map updated. Stakeholders on the map: {n}.").format(n=len(model.stakeholders)))
        redraw()

    def make_row(s: Stakeholder) -> dict:
        name = w.Text(value=s.name, description=_("Stakeholder"), continuous_update=False, style=style)
        # labelled number boxes rather than sliders: ipywidgets' slider handles have no accessible name
        power = w.BoundedIntText(value=s.power, min=POWER_MIN, max=POWER_MAX, description=_("Power (0 to 10)"),
                                 style=style, layout=w.Layout(width="13em"))
        position = w.BoundedIntText(value=s.position, min=POSITION_MIN, max=POSITION_MAX,
                                    description=_("Position (-5 oppose to +5 support)"), style=style,
                                    layout=w.Layout(width="22em"))
        remove = w.Button(description=_("Remove"), tooltip=_("Remove this stakeholder"),
                          layout=w.Layout(width="auto"))
        row = {"name": name, "power": power, "position": position, "remove": remove,
               "box": w.HBox([name, power, position, remove])}
        label_row(row)
        name.observe(lambda _c, row=row: label_row(row), names="value")
        for control in (name, power, position):
            control.observe(sync, names="value")
        remove.on_click(lambda _b, row=row: on_remove(row))
        return row

    def label_row(row):
        """Tooltips that say whose power and position a number box sets (the rows look alike otherwise)."""
        who = normalize_name(row["name"].value) or _("this stakeholder")
        row["power"].tooltip = _("Power of {name} over the decision (0-10)").format(name=who)
        row["position"].tooltip = _("Position of {name} on the issue (-5 to +5)").format(name=who)
        row["remove"].tooltip = _("Remove {name} from the map").format(name=who)

    def set_rows(stakeholders):
        syncing["on"] = True
        rows.clear()
        rows.extend(make_row(s) for s in stakeholders)
        rows_box.children = [r["box"] for r in rows]
        syncing["on"] = False

    def on_remove(row):
        if row in rows:
            rows.remove(row)
            rows_box.children = [r["box"] for r in rows]
            sync()

    def on_add(_b):
        if len(rows) >= MAX_STAKEHOLDERS:
            say(_("The map holds at most {max} stakeholders.").format(max=MAX_STAKEHOLDERS), ok=False)
            return
        taken = {name_key(r["name"].value) for r in rows}
        n = len(rows) + 1
        while name_key(_("Stakeholder {n}").format(n=n)) in taken:
            n += 1
        row = make_row(Stakeholder(_("Stakeholder {n}").format(n=n), HIGH_POWER, 0))
        rows.append(row)
        rows_box.children = [r["box"] for r in rows]
        sync()

    def on_load(_b):
        try:
            new = parse_stakeholders_csv(csv_area.value)
            model.add_stakeholders(new)
        except PowerMapError as exc:
            say(str(exc), ok=False)
            return
        set_rows(model.stakeholders)
        say(_("Stakeholders added from the list: {k}.").format(k=len(new)))
        redraw()

    def on_issue(change):
        try:
            model.set_issue(change["new"])
        except PowerMapError as exc:
            say(str(exc), ok=False)
            return
        redraw()

    def on_save(_b):
        result = model.save()
        say(result.message, ok=result.ok)

    add.on_click(on_add)
    load.on_click(on_load)
    issue.observe(on_issue, names="value")
    save.on_click(on_save)
    set_rows(model.stakeholders)
    redraw()
    say(restored.message, ok=restored.ok)
    intro = w.HTML(f"<p><strong>{esc(_('Power map'))}</strong></p><p>"
                   f"{esc(_('Name the issue, then add each stakeholder with their power over the decision (0-10) and their position (-5 strongly opposed to +5 strongly support).'))}</p>")
    ui = w.VBox([intro, issue, rows_box, w.HBox([add, save]), status, chart.widget, ideas,
                 w.HTML(f"<p><strong>{esc(_('For facilitators: paste a prepared list'))}</strong></p>"),
                 csv_area, load])
    controls = {"issue": issue, "rows": rows, "add": add, "save": save, "csv": csv_area, "load": load,
                "status": status, "chart": chart.widget, "suggestions": ideas}
    return Activity(ui, static_html(), model=model, controls=controls)


def activity(unit: str = "rhi-5", prompt_id: str = "power-map", issue: str = "") -> Activity:
    """The power map: live in a notebook (restored from the journal), a fictional example in the book."""
    if static_mode():
        return Activity(html=static_html())
    model = PowerMapModel(unit=unit, prompt_id=prompt_id)
    act = view(model)
    if issue and not model.issue:
        act.controls["issue"].value = issue
    return act
