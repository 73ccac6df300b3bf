"""A reflection prompt saved to the learner's journal."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..display import Activity, box, esc
from ..i18n import _
from ..journal import Journal, JournalError


@dataclass
class Result:
    ok: bool
    message: str


@dataclass
class ReflectionModel:
    unit: str
    prompt_id: str
    prompt: str
    journal: Journal = field(default_factory=Journal)

    def previous(self) -> tuple[str, str]:
        """(text saved before, message). The message is non-empty on trouble."""
        try:
            entry = self.journal.get(self.unit, self.prompt_id)
        except JournalError as exc:
            return "", str(exc)
        return (entry.text if entry else ""), ""

    def save(self, text: str) -> Result:
        if not text.strip():
            return Result(False, _("There is nothing to save yet. Type your reflection in the box, or choose Skip for now."))
        try:
            entry = self.journal.save(self.unit, self.prompt_id, text, prompt=self.prompt)
        except JournalError as exc:
            return Result(False, str(exc))
        n = len(self.journal.revisions(self.unit, self.prompt_id))
        words = len(text.split())
        return Result(
            True,
            _("Saved to your private journal at {time} UTC ({words} words, version {n}).").format(
                time=entry.updated_at[11:19], words=words, n=n
            ),
        )

    def skip(self) -> Result:
        return Result(True, _("Skipped. Nothing was saved. You can come back to this prompt at any time."))


def static_html(prompt: str) -> str:
    inner = (
        f"<p><strong>{_('Reflection')}:</strong> {esc(prompt)}</p>"
        f"<p>{_('Write your answer in your own notes or on the unit worksheet. In the course notebook, answers save to your private journal. You may skip any prompt.')}</p>"
    )
    return box(inner, _("Reflection prompt"))


def view(model: ReflectionModel) -> Activity:
    import ipywidgets as w

    text, problem = model.previous()
    prompt = w.HTML(f"<p><strong>{_('Reflection')}:</strong> {esc(model.prompt)}</p>")
    area = w.Textarea(
        value=text,
        description=_("Your answer"),
        placeholder=_("Type your reflection here. Only you can read your journal."),
        layout=w.Layout(width="100%", height="9em"),
        style={"description_width": "initial"},
        # send the text when the box loses focus (before a click on Save lands), not in throttled
        # pieces while typing: a save right after typing then holds every character typed
        continuous_update=False,
    )
    save = w.Button(description=_("Save to my journal"), button_style="primary",
                    tooltip=_("Save this answer to your private journal"))
    skip = w.Button(description=_("Skip for now"), tooltip=_("Move on without saving"))
    status = w.HTML(value=esc(problem) if problem else
                    (esc(_("Your saved answer was restored.")) if text else ""))

    def on_save(_button):
        result = model.save(area.value)
        mark = "✔" if result.ok else "⚠"
        status.value = f'<p role="status">{mark} {esc(result.message)}</p>'

    def on_skip(_button):
        status.value = f'<p role="status">→ {esc(model.skip().message)}</p>'

    save.on_click(on_save)
    skip.on_click(on_skip)
    ui = w.VBox([prompt, area, w.HBox([save, skip]), status])
    return Activity(ui, static_html(model.prompt), model=model,
                    controls={"text": area, "save": save, "skip": skip, "status": status})
