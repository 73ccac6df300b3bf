"""Root-cause chain: start from a health outcome and keep asking "But why?".

The learner names a health outcome, then adds one cause per step (up to eight),
tagging each with a level: individual, community / living conditions,
institutional / policy, or structural (power, class, racism, gender). The model
checks the input, tells the learner whether the chain has reached a structural
cause yet, and saves the chain to the journal as JSON. The levels are the
course's own teaching scheme; asking "why" repeatedly to reach the root of a
health inequity is the "5 Whys" exercise of NACCHO's Roots of Health Inequity
course (NACCHOndwhyroot).

The diagram (boxes top to bottom, joined by "But why?" arrows) writes the step
number and the level in every box, so no meaning rests on colour. It is built
once and updated in place.
"""
from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field

from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _
from ..journal import Journal
from ..paths import static_mode
from . import record
from .reflection import Result

KIND = "root-cause"
LEVELS = ("individual", "community", "institutional", "structural")  # from the person outwards
MAX_CAUSES = 8
MAX_CAUSE_CHARS = 200
MAX_OUTCOME_CHARS = 150
SLOT_INCHES = 1.15  # height of one box and its arrow in the diagram


class ChainError(InputError):
    """A cause, the outcome or a saved chain is not right; the message says what to fix."""


def level_labels() -> dict[str, str]:
    """The levels as the learner sees them (translated when this is called)."""
    return {
        "individual": _("Individual"),
        "community": _("Community / living conditions"),
        "institutional": _("Institutional / policy"),
        "structural": _("Structural: power, class, racism, gender"),
    }


def level_label(level: str) -> str:
    return level_labels()[level]


@dataclass
class Cause:
    text: str
    level: str


# -- validation and parsing (pure functions) -----------------------------------------------
def check_outcome(text) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ChainError(_("Type a health outcome first, for example: repeated asthma attacks in children."))
    text = " ".join(text.split())
    if len(text) > MAX_OUTCOME_CHARS:
        raise ChainError(_("The health outcome is {n} characters long; keep it under {max}.").format(
            n=len(text), max=MAX_OUTCOME_CHARS))
    return text


def check_cause(text, level) -> Cause:
    if level not in LEVELS:
        raise ChainError(_("Choose a level for this cause: individual, community, institutional or structural."))
    if not isinstance(text, str) or not text.strip():
        raise ChainError(_("The Because... box is empty. Type the cause, then choose Add this cause."))
    text = " ".join(text.split())
    if len(text) > MAX_CAUSE_CHARS:
        raise ChainError(_("This cause is {n} characters long; keep each cause under {max} characters "
                           "(one idea per step).").format(n=len(text), max=MAX_CAUSE_CHARS))
    return Cause(text, level)


def chain_json(outcome: str, causes: list[Cause]) -> str:
    return json.dumps({"outcome": outcome, "causes": [{"text": c.text, "level": c.level} for c in causes]},
                      ensure_ascii=False)


def parse_chain(text: str) -> tuple[str, list[Cause]]:
    """(outcome, causes) from saved JSON; ChainError if it is damaged or breaks a rule."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise ChainError(_("The saved chain could not be read (it is not valid JSON).")) from None
    if not isinstance(data, dict) or not isinstance(data.get("causes", []), list):
        raise ChainError(_("The saved chain could not be read (it should hold an outcome and a list of causes)."))
    outcome = data.get("outcome", "")
    outcome = check_outcome(outcome) if isinstance(outcome, str) and outcome.strip() else ""
    raw = data.get("causes", [])
    if len(raw) > MAX_CAUSES:
        raise ChainError(_("The saved chain has {n} causes; a chain holds at most {max}.").format(
            n=len(raw), max=MAX_CAUSES))
    causes = []
    for n, c in enumerate(raw, start=1):
        if not isinstance(c, dict):
            raise ChainError(_("The saved chain could not be read (cause {n} is damaged).").format(n=n))
        causes.append(check_cause(c.get("text"), c.get("level")))
    return outcome, causes


# -- the model ---------------------------------------------------------------------------------
@dataclass
class ChainModel:
    unit: str = "rhi-4"
    prompt_id: str = "asthma-chain"
    outcome: str = ""
    causes: list[Cause] = field(default_factory=list)
    journal: Journal | None = field(default_factory=Journal)

    def set_outcome(self, text: str) -> str:
        self.outcome = check_outcome(text)
        return self.outcome

    def add_cause(self, text: str, level: str) -> Cause:
        if not self.outcome:
            raise ChainError(_("Type the health outcome at the top first; then ask why it happens."))
        if len(self.causes) >= MAX_CAUSES:
            raise ChainError(_("The chain already has {max} causes, the most it holds. Remove the last one "
                               "to change it, or save your chain.").format(max=MAX_CAUSES))
        cause = check_cause(text, level)
        self.causes.append(cause)
        return cause

    def remove_last(self) -> Cause | None:
        return self.causes.pop() if self.causes else None

    def structural_step(self) -> int | None:
        """The first step (1-based) tagged structural, or None."""
        return next((i for i, c in enumerate(self.causes, start=1) if c.level == "structural"), None)

    def deepest(self) -> str | None:
        return max((c.level for c in self.causes), key=LEVELS.index, default=None)

    def status(self) -> str:
        """What to do next, suggested from the level tags."""
        if not self.outcome:
            return _("Start by typing a health outcome, for example a health problem your department sees.")
        n = len(self.causes)
        if n == 0:
            return _("Now ask: But why? Type the first cause in the Because... box, choose its level, "
                     "then choose Add this cause.")
        k = self.structural_step()
        if k is not None:
            text = _("Your chain reaches a structural cause at step {k} ({level}). A root-cause approach looks "
                     "for who and what generates health inequity; you can keep asking why, or save your chain.").format(
                k=k, level=level_label("structural"))
        else:
            text = _("Steps so far: {n}. The deepest level so far is {level}. Ask But why? again: "
                     "what institution, policy or structure of power sits behind step {n}?").format(
                n=n, level=level_label(self.deepest()))
        back = next((i for i in range(2, n + 1)
                     if LEVELS.index(self.causes[i - 1].level) < LEVELS.index(self.causes[i - 2].level)), None)
        if back:
            text += " " + _("Step {i} goes back to a less structural level than step {j}. That can be right; "
                            "check that each step explains the one above it.").format(i=back, j=back - 1)
        if n >= MAX_CAUSES:
            text += " " + _("The chain is full ({max} causes).").format(max=MAX_CAUSES)
        return text

    def rows(self) -> list[tuple[str, str, str]]:
        out = [(_("Outcome"), _("Health outcome"), self.outcome)]
        out += [(str(i), level_label(c.level), c.text) for i, c in enumerate(self.causes, start=1)]
        return out

    def table(self):
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=[_("Step"), _("Level"), _("Statement")])

    def alt(self) -> str:
        if not self.outcome:
            return _("Empty root-cause diagram: no health outcome yet.")
        n = len(self.causes)
        if not n:
            return _("Root-cause diagram with the health outcome \"{outcome}\" and no causes yet.").format(
                outcome=self.outcome)
        k = self.structural_step()
        if k is not None:
            return _("Root-cause diagram: asking But why? step by step (steps: {n}) leads from \"{outcome}\" to a "
                     "structural cause at step {k}: \"{cause}\".").format(n=n, outcome=self.outcome, k=k,
                                                               cause=self.causes[k - 1].text)
        return _("Root-cause diagram: causes below \"{outcome}\": {n}; none is structural yet, the deepest "
                 "level is {level}.").format(n=n, outcome=self.outcome, level=level_label(self.deepest()))

    def summary(self) -> str:
        if not self.outcome:
            return self.status()
        parts = [_("Health outcome: {outcome}.").format(outcome=self.outcome)]
        parts += [_("Step {i} ({level}): because {text}").format(i=i, level=level_label(c.level),
                                                                text=c.text.rstrip("."))
                  + "." for i, c in enumerate(self.causes, start=1)]
        return " ".join(parts)

    # -- journal ---------------------------------------------------------------------------
    def save(self) -> Result:
        if self.journal is not None and not self.outcome and not self.causes:
            return Result(False, _("There is nothing to save yet. Type a health outcome and at least one cause."))
        entry, problem = record.save(self.journal, self.unit, self.prompt_id, KIND,
                                     chain_json(self.outcome, self.causes), _("Root-cause chain: But why?"))
        if problem:
            return problem
        return Result(True, _("Your chain was saved to your private journal at {time} UTC (steps: {n}).").format(
            n=len(self.causes), time=entry.updated_at[11:19]))

    def restore(self) -> Result:
        """Load the saved chain, if any. ok is False (with the reason) when it could not be read."""
        saved, problem = record.load(self.journal, self.unit, self.prompt_id, KIND)
        if problem or saved is None:
            return problem or Result(True, "")
        try:
            self.outcome, self.causes = parse_chain(saved)
        except ChainError as exc:
            return Result(False, str(exc))
        return Result(True, _("Your saved chain was restored."))


# -- the diagram ---------------------------------------------------------------------------------
# Light fills (dark text stays above 4.5:1 contrast on each); the level is also written in the box
# and structural boxes get a thicker border, so colour is never the only cue.
FILLS = {"outcome": "#FFFFFF", "individual": "#E3EEF7", "community": "#E0F2EC",
         "institutional": "#F9E6DA", "structural": "#F3E3EE"}


def build_diagram(fig, ax) -> dict:
    """Nine boxes (the outcome and up to eight causes) and eight arrows, created once, hidden until used."""
    from ..charts import TEXT_COLOUR

    ax.set_axis_off()
    ax.set_xlim(0, 1)
    boxes, arrows, whys = [], [], []
    for i in range(MAX_CAUSES + 1):
        boxes.append(ax.text(0.5, -i, "", ha="center", va="center", fontsize=9, color=TEXT_COLOUR, wrap=False,
                             bbox={"boxstyle": "round,pad=0.5", "facecolor": "#FFFFFF", "edgecolor": TEXT_COLOUR,
                                   "linewidth": 1.0}))
    for i in range(MAX_CAUSES):
        arrows.append(ax.annotate("", xy=(0.5, -(i + 1) + 0.36), xytext=(0.5, -i - 0.36),
                                  arrowprops={"arrowstyle": "-|>", "color": TEXT_COLOUR, "linewidth": 1.2}))
        whys.append(ax.text(0.53, -i - 0.5, _("But why?"), ha="left", va="center", fontsize=8.5,
                            style="italic", color=TEXT_COLOUR))
    return {"boxes": boxes, "arrows": arrows, "whys": whys}


def update_diagram(fig, ax, artists: dict, outcome: str, causes: list[Cause]) -> None:
    shown = 1 + len(causes)
    texts = [(_("Health outcome"), outcome or _("(not named yet)"), "outcome")]
    texts += [(_("Step {i}: {level}").format(i=i, level=level_label(c.level)), c.text, c.level)
              for i, c in enumerate(causes, start=1)]
    for i, b in enumerate(artists["boxes"]):
        if i < shown:
            head, body, kind = texts[i]
            b.set_text(head.upper() + "\n" + textwrap.fill(body, 80))
            b.get_bbox_patch().set_facecolor(FILLS[kind])
            b.get_bbox_patch().set_linewidth(2.5 if kind == "structural" else 1.0)
            b.set_fontweight("bold" if kind == "outcome" else "normal")
        b.set_visible(i < shown)
    for i, (a, why) in enumerate(zip(artists["arrows"], artists["whys"])):
        a.set_visible(i < shown - 1)
        why.set_visible(i < shown - 1)
    fig.set_size_inches(7.0, SLOT_INCHES * shown + 0.2)
    ax.set_ylim(-(shown - 1) - 0.5, 0.5)


# -- static version -----------------------------------------------------------------------------
def example_chain() -> tuple[str, tuple[Cause, ...]]:
    """The illustrative chain of the book version (translated when this is called)."""
    return _("A child has repeated asthma attacks"), (
        Cause(_("The child breathes in asthma triggers at home, such as mould and pests."), "individual"),
        Cause(_("The family's apartment is damp and in poor repair, and a healthier home costs more than the "
                "family can pay."), "community"),
        Cause(_("Housing codes are weakly enforced, so landlords face little pressure to make repairs."),
              "institutional"),
        Cause(_("For decades, little public or private money was invested in this neighbourhood's housing."),
              "institutional"),
        Cause(_("Historical redlining and racial segregation steered investment away from neighbourhoods where "
                "Black families and other families of colour were allowed to live."), "structural"),
    )


def static_html(outcome: str | None = None, causes: tuple[Cause, ...] | None = None) -> str:
    """The book version: how the activity works and an illustrative example chain."""
    from ..charts import chart_html, new_figure

    if outcome is None or causes is None:
        outcome, causes = example_chain()

    model = ChainModel(outcome=outcome, causes=list(causes), journal=None)
    fig, ax = new_figure(7.0, 4.0)
    artists = build_diagram(fig, ax)
    update_diagram(fig, ax, artists, model.outcome, model.causes)
    caption = _("Illustrative example written for this course, not data about any real child or place. "
                "Studies link historical redlining with present-day health-relevant outcomes "
                "(Swope et al., 2022).")
    levels = "".join(f"<li>{esc(v)}</li>" for v in level_labels().values())
    intro = (
        f"<p><strong>{esc(_('Root-cause chain: But why?'))}</strong></p>"
        f"<p>{esc(_('Start from a health outcome and ask But why? again and again, one cause per step (up to eight). Asking why repeatedly, the 5 Whys exercise, helps get to the root of a health inequity (NACCHO, n.d.). Tag each cause with a level:'))}</p>"
        f"<ul>{levels}</ul>"
        f"<p>{esc(_('The levels are the course’s own scheme. In the course notebook your chain is drawn as you build it and saves to your private journal. On paper, write the outcome at the top and draw one box per step.'))}</p>"
        f"<p><strong>{esc(_('Illustrative example'))}</strong></p>"
    )
    return box(intro + chart_html(fig, model.alt(), caption, model.summary(), model.table()),
               _("Root-cause chain"))


# -- live view ------------------------------------------------------------------------------------
def view(model: ChainModel) -> Activity:
    import ipywidgets as w

    from ..charts import LiveChart

    style = {"description_width": "initial"}
    restored = model.restore()

    def update(fig, ax, artists, _state):
        update_diagram(fig, ax, artists, model.outcome, model.causes)
        return model.alt(), model.summary(), model.table()

    chart = LiveChart(build_diagram, update, caption=_("Your root-cause chain (your own entries)."),
                      width=7.0, height=SLOT_INCHES + 0.2)
    outcome = w.Text(value=model.outcome, description=_("Health outcome"), continuous_update=False,
                     placeholder=_("for example: repeated asthma attacks in children"),
                     layout=w.Layout(width="100%"), style=style)
    question = w.HTML()
    because = w.Text(description=_("Because..."), placeholder=_("one cause, in one sentence"),
                     layout=w.Layout(width="100%"), style=style)
    level = w.Dropdown(options=[(label, key) for key, label in level_labels().items()], value="individual",
                       description=_("Level of this cause"), style=style)
    add = w.Button(description=_("Add this cause"), button_style="primary",
                   tooltip=_("Add the cause as the next step of the chain"))
    remove = w.Button(description=_("Remove last"), tooltip=_("Remove the last cause of the chain"))
    save = w.Button(description=_("Save to my journal"), button_style="success",
                    tooltip=_("Save your chain to your private journal"))
    status = w.HTML()

    def redraw(message: str = "", ok: bool = True):
        chart.refresh(None)
        n = len(model.causes)
        last = model.causes[-1].text if model.causes else model.outcome
        question.value = (f"<p><strong>{esc(_('But why?'))}</strong> "
                          + esc(_("Step {k} of {max}: why does this happen? “{last}”").format(
                              k=min(n + 1, MAX_CAUSES), max=MAX_CAUSES, last=last or "…")) + "</p>")
        mark = "✔" if ok else "⚠"
        lead = f"{mark} {esc(message)} " if message else ""
        status.value = f'<p role="status">{lead}{esc(model.status())}</p>'

    def on_outcome(change):
        try:
            model.set_outcome(change["new"])
        except ChainError as exc:
            redraw(str(exc), ok=False)
            return
        redraw()

    def on_add(_b):
        try:
            if outcome.value.strip():
                model.set_outcome(outcome.value)
            model.add_cause(because.value, level.value)
        except ChainError as exc:
            redraw(str(exc), ok=False)
            return
        because.value = ""
        redraw(_("Step {n} added.").format(n=len(model.causes)))

    def on_remove(_b):
        gone = model.remove_last()
        if gone:
            because.value = gone.text  # nothing typed is lost: the removed cause goes back in the box
        redraw(_("The last cause was removed and put back in the Because... box.") if gone
               else _("There is no cause to remove."), ok=bool(gone))

    def on_save(_b):
        if outcome.value.strip() and outcome.value != model.outcome:
            try:
                model.set_outcome(outcome.value)
            except ChainError as exc:
                redraw(str(exc), ok=False)
                return
        result = model.save()
        redraw(result.message, ok=result.ok)

    outcome.observe(on_outcome, names="value")
    add.on_click(on_add)
    remove.on_click(on_remove)
    save.on_click(on_save)
    redraw(restored.message, ok=restored.ok)
    intro = w.HTML(f"<p><strong>{esc(_('Root-cause chain: But why?'))}</strong></p><p>"
                   f"{esc(_('Name a health outcome, then keep asking But why? Add one cause per step and tag its level. Try to reach a structural cause.'))}</p>")
    ui = w.VBox([intro, outcome, question, because, level, w.HBox([add, remove, save]), status, chart.widget])
    controls = {"outcome": outcome, "because": because, "level": level, "add": add, "remove": remove,
                "save": save, "status": status, "question": question, "chart": chart.widget}
    return Activity(ui, static_html(), model=model, controls=controls)


def activity(unit: str = "rhi-4", prompt_id: str = "asthma-chain", outcome: str = "") -> Activity:
    """The root-cause chain: live in a notebook (restored from the journal), an illustrative example in the book."""
    if static_mode():
        return Activity(html=static_html())
    model = ChainModel(unit=unit, prompt_id=prompt_id)
    act = view(model)
    if outcome and not model.outcome:
        act.controls["outcome"].value = outcome  # the observer checks it and redraws
    return act
