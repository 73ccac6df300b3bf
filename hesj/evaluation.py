"""Evaluation: the pre- and post-assessment, the end-of-segment survey and the 90-day check-in.

Items live in ``hesj/data/evaluation.yml``. Every answer is saved in the learner's own journal
(kind "evaluation") and nowhere else. Only numbers can leave it, and only when the learner sends
them (:class:`EvaluationSendModel`, previewed first); the action plan's text never leaves.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import yaml

from .display import Activity, box, esc
from .errors import InputError
from .i18n import _
from .paths import PACKAGE_DIR, static_mode

ITEMS = PACKAGE_DIR / "data" / "evaluation.yml"
KIND = "evaluation"
COURSE = "course"  # the journal's unit for course-wide answers (pre/post, action plan)
FORMAT = "hesj-evaluation/1"


@lru_cache(maxsize=1)
def items() -> dict:
    data = yaml.safe_load(ITEMS.read_text(encoding="utf-8"))
    for key in ("scale", "confidence", "reaction", "action_plan"):
        if key not in data:
            raise InputError(f"{ITEMS.name}: the section {key!r} is missing.")
    return data


class RatingsModel:
    """Likert ratings for a list of items, saved as one journal entry (numbers 1..n or None)."""

    def __init__(self, unit: str, prompt_id: str, item_list: list[dict], scale: list[str], title: str, journal=None):
        from .journal import Journal

        self.unit, self.prompt_id, self.items, self.scale, self.title = unit, prompt_id, item_list, scale, title
        self.journal = journal if journal is not None else Journal()
        self.ratings: dict[str, int | None] = {i["id"]: None for i in item_list}
        saved = self.journal.get(unit, prompt_id, kind=KIND)
        if saved:
            try:
                for k, v in json.loads(saved.text).items():
                    if k in self.ratings and (v is None or 1 <= int(v) <= len(scale)):
                        self.ratings[k] = v
            except (ValueError, TypeError, AttributeError):
                pass

    def rate(self, item_id: str, value: int | None) -> None:
        if item_id not in self.ratings:
            raise InputError(f"There is no item {item_id!r}.")
        if value is not None and not (isinstance(value, int) and 1 <= value <= len(self.scale)):
            raise InputError(f"Ratings run from 1 to {len(self.scale)}.")
        self.ratings[item_id] = value

    def save(self) -> str:
        if all(v is None for v in self.ratings.values()):
            return _("Choose at least one answer first. Every question may be skipped.")
        self.journal.save(self.unit, self.prompt_id, json.dumps(self.ratings), kind=KIND, prompt=self.title)
        return _("Saved to your private journal.")


def _reaction_spec(unit: str, segment: int) -> dict:
    r = items()["reaction"]
    return dict(unit=unit, prompt_id=f"reaction/{segment}", item_list=r["items"], scale=r["scale"],
                title=_("Survey at the end of segment {n}").format(n=segment))


def _confidence_spec(phase: str) -> dict:
    if phase not in ("pre", "post"):
        raise InputError("The phase is 'pre' (before the course) or 'post' (after it).")
    title = _("Before the course: how confident are you?") if phase == "pre" else \
        _("After the course: how confident are you now?")
    return dict(unit=COURSE, prompt_id=f"confidence/{phase}", item_list=items()["confidence"], scale=items()["scale"],
                title=title)


def reaction_model(unit: str, segment: int, journal=None) -> RatingsModel:
    return RatingsModel(**_reaction_spec(unit, segment), journal=journal)


def confidence_model(phase: str, journal=None) -> RatingsModel:
    return RatingsModel(**_confidence_spec(phase), journal=journal)


class ActionPlanModel:
    """The learner's action plan (text: stays in the journal) and the check-in 90 days later."""

    def __init__(self, journal=None, today: date | None = None):
        from .journal import Journal

        self.journal = journal if journal is not None else Journal()
        self.spec = items()["action_plan"]
        self.today = today or datetime.now(timezone.utc).date()
        saved = self.journal.get(COURSE, "action-plan", kind=KIND)
        self.plan = json.loads(saved.text) if saved else {}
        saved = self.journal.get(COURSE, "action-checkin", kind=KIND)
        self.checkin = json.loads(saved.text) if saved else {}

    def save_plan(self, answers: dict[str, str]) -> str:
        plan = {k: " ".join(str(answers.get(k, "")).split()) for k in self.spec["prompts"]}
        if not plan.get("plan"):
            raise InputError(_("Write the change you plan to make first."))
        plan["saved_on"] = self.today.isoformat()
        self.journal.save(COURSE, "action-plan", json.dumps(plan), kind=KIND, prompt=_("My action plan"))
        self.plan = plan
        return _("Saved. Your check-in is due on {d}.").format(d=self.due().isoformat())

    def due(self) -> date | None:
        if not self.plan.get("saved_on"):
            return None
        return date.fromisoformat(self.plan["saved_on"]) + timedelta(days=int(self.spec["days"]))

    def checkin_open(self) -> bool:
        d = self.due()
        return d is not None and self.today >= d

    def save_checkin(self, status: int, ratings: dict[str, int | None]) -> str:
        if self.due() is None:
            raise InputError(_("Make an action plan first; the check-in comes {n} days later.").format(n=self.spec["days"]))
        if not self.checkin_open():
            raise InputError(_("The check-in opens on {d}.").format(d=self.due().isoformat()))
        if not (isinstance(status, int) and 1 <= status <= len(self.spec["status"])):
            raise InputError(_("Choose how far the plan has got."))
        n = len(items()["reaction"]["scale"])
        clean = {i["id"]: ratings.get(i["id"]) for i in self.spec["checkin_items"]}
        if any(v is not None and not (isinstance(v, int) and 1 <= v <= n) for v in clean.values()):
            raise InputError(_("Ratings run from 1 to {n}.").format(n=n))
        self.checkin = {"status": status, **clean, "saved_on": self.today.isoformat()}
        self.journal.save(COURSE, "action-checkin", json.dumps(self.checkin), kind=KIND, prompt=_("90-day check-in"))
        return _("Saved to your private journal.")


def evaluation_event(journal) -> dict:
    """Everything the learner may send: ratings only, no text (the action plan's words stay home)."""
    out = {"confidence": {}, "reaction": {}, "checkin": None}
    for e in journal.entries(kind=KIND):
        try:
            data = json.loads(e.text)
        except ValueError:
            continue
        if e.unit == COURSE and e.prompt_id in ("confidence/pre", "confidence/post"):
            out["confidence"][e.prompt_id.split("/")[1]] = {k: v for k, v in data.items() if isinstance(v, int)}
        elif e.prompt_id.startswith("reaction/"):
            out["reaction"].setdefault(e.unit, {})[e.prompt_id.split("/")[1]] = \
                {k: v for k, v in data.items() if isinstance(v, int)}
        elif e.unit == COURSE and e.prompt_id == "action-checkin":
            out["checkin"] = {k: v for k, v in data.items() if isinstance(v, int)}
    return out


class EvaluationSendModel:
    """Preview and send the evaluation numbers to the group's evaluation inbox."""

    def __init__(self, group, journal=None, learner: str | None = None):
        from .groups.share import learner_id
        from .journal import Journal

        self.group = group
        self.journal = journal if journal is not None else Journal()
        self.learner = learner or learner_id()

    def event(self) -> dict:
        return {"format": FORMAT, "group": self.group.name, "learner": self.learner, **evaluation_event(self.journal)}

    def preview(self) -> str:
        e = self.event()
        lines = [f"Group: {e['group']}", f"Your id: {e['learner']}",
                 "Only these numbers are sent (1 is the lowest answer); no words you wrote:"]
        for phase, r in e["confidence"].items():
            lines.append(f"  confidence ({phase}): " + ", ".join(f"{k}={v}" for k, v in r.items()))
        for unit, segs in e["reaction"].items():
            for seg, r in segs.items():
                lines.append(f"  {unit} segment {seg} survey: " + ", ".join(f"{k}={v}" for k, v in r.items()))
        if e["checkin"]:
            lines.append("  90-day check-in: " + ", ".join(f"{k}={v}" for k, v in e["checkin"].items()))
        if len(lines) == 3:
            lines.append("  nothing yet")
        return "\n".join(lines)

    def send(self) -> str:
        from .groups.store import send_event

        return send_event(self.group.folder / "evaluation", self.learner, self.event())


# -- thin views ---------------------------------------------------------------------------------------
def _ratings_view(spec: dict, intro: str) -> Activity:
    """The printable questions (the book), or the live questions over a RatingsModel (a notebook)."""
    title = spec["title"]
    scale = " · ".join(f"{i} {esc(s)}" for i, s in enumerate(spec["scale"], 1))
    static = box(f"<p><strong>{esc(title)}</strong></p><p>{esc(intro)}</p><p>{scale}</p><ol>"
                 + "".join(f"<li>{esc(i['text'])} ({_('answer')}: ____ )</li>" for i in spec["item_list"]) + "</ol>",
                 title)
    if static_mode():
        return Activity(html=static)
    import ipywidgets as w

    model = RatingsModel(**spec)
    options = [(_("Skip"), None)] + [(f"{n} {s}", n) for n, s in enumerate(model.scale, 1)]
    rows, controls = [w.HTML(f"<p><strong>{esc(title)}</strong></p><p>{esc(intro)}</p>")], {}
    for item in model.items:
        rows.append(w.HTML(f"<p>{esc(item['text'])}</p>"))
        dd = w.Dropdown(options=options, value=model.ratings[item["id"]], description=_("Answer"),
                        tooltip=item["text"])
        dd.observe(lambda ch, iid=item["id"]: model.rate(iid, ch["new"]), names="value")
        rows.append(dd)
        controls[item["id"]] = dd
    save = w.Button(description=_("Save"), button_style="primary", tooltip=_("Save to my journal"))
    out = w.HTML()

    def on_save(_b):
        out.value = f'<p role="status">{esc(model.save())}</p>'

    save.on_click(on_save)
    controls.update(save=save, out=out)
    return Activity(w.VBox(rows + [save, out]), static, model=model, controls=controls)


def reaction(unit: str, segment: int) -> Activity:
    return _ratings_view(_reaction_spec(unit, segment),
                         _("Three quick questions about this segment. Your answers stay in your journal "
                           "unless you choose to send them; they count towards completing the unit."))


def confidence(phase: str) -> Activity:
    return _ratings_view(_confidence_spec(phase),
                         _("Rate how confident you feel about each skill today. There are no right answers; "
                           "your ratings stay in your journal unless you choose to send them."))


def action_plan() -> Activity:
    spec = items()["action_plan"]
    label = _("Action plan and 90-day check-in")
    static = box(f"<p><strong>{esc(label)}</strong></p><ol>"
                 + "".join(f"<li>{esc(t)}</li>" for t in spec["prompts"].values())
                 + f"</ol><p>{esc(_('About {n} days later, come back to this cell for a short check-in.').format(n=spec['days']))}</p>",
                 label)
    if static_mode():
        return Activity(html=static)
    import ipywidgets as w

    model = ActionPlanModel()
    fields = {k: w.Textarea(value=model.plan.get(k, ""), description=_("Answer"), tooltip=t,
                            layout=w.Layout(width="100%"))
              for k, t in spec["prompts"].items()}
    rows = []
    for k, t in spec["prompts"].items():
        rows += [w.HTML(f"<p>{esc(t)}</p>"), fields[k]]
    save = w.Button(description=_("Save my plan"), button_style="primary")
    out = w.HTML()
    status = w.Dropdown(options=[(s, n) for n, s in enumerate(spec["status"], 1)], description=_("Status"))
    scale = [(_("Skip"), None)] + [(f"{n} {s}", n) for n, s in enumerate(items()["reaction"]["scale"], 1)]
    checks = {i["id"]: w.Dropdown(options=scale, description=_("Answer"), tooltip=i["text"]) for i in spec["checkin_items"]}
    checkin = w.Button(description=_("Save my check-in"))

    def on_save(_b):
        try:
            out.value = f'<p role="status">{esc(model.save_plan({k: f.value for k, f in fields.items()}))}</p>'
        except InputError as exc:
            out.value = f'<p role="alert">{esc(exc)}</p>'

    def on_checkin(_b):
        try:
            out.value = f'<p role="status">{esc(model.save_checkin(status.value, {k: d.value for k, d in checks.items()}))}</p>'
        except InputError as exc:
            out.value = f'<p role="alert">{esc(exc)}</p>'

    save.on_click(on_save)
    checkin.on_click(on_checkin)
    due = model.due()
    note = (_("Your check-in is due on {d}.").format(d=due.isoformat()) if due else
            _("Save a plan; the check-in opens {n} days later.").format(n=spec["days"]))
    rows += [save, w.HTML(f"<p><strong>{esc(_('90-day check-in'))}</strong> {esc(note)}</p>"), status]
    for i in spec["checkin_items"]:
        rows += [w.HTML(f"<p>{esc(i['text'])}</p>"), checks[i["id"]]]
    rows += [checkin, out]
    return Activity(w.VBox(rows), static, model=model,
                    controls={"save": save, "checkin": checkin, "status": status, "out": out, **fields, **checks})


def send_evaluation(group: str | None = None) -> Activity:
    label = _("Send your evaluation answers to your group")
    text = _("In the course notebook, this shows the numbers from your surveys and self-ratings (never your words) "
             "and sends them to your facilitator only when you press Send. They are reported only in groups of five "
             "or more people.")
    from .groups.widgets import group_or_message

    g, message = group_or_message(group, "hesj.send_evaluation(group='NAME')", label, text)
    if message:
        return message
    import ipywidgets as w

    model = EvaluationSendModel(g)
    preview = w.HTML(f'<pre style="white-space:pre-wrap">{esc(model.preview())}</pre>')
    send = w.Button(description=_("Send to my facilitator"), button_style="primary")
    out = w.HTML()

    def on_send(_b):
        model.send()
        out.value = f'<p role="status">{esc(_("Sent."))}</p>'

    send.on_click(on_send)
    return Activity(w.VBox([w.HTML(f"<p>{esc(text)}</p>"), preview, send, out]), box(f"<p>{esc(text)}</p>", label),
                    model=model, controls={"send": send, "out": out, "preview": preview})
