"""A knowledge check: multiple-choice questions with feedback on every option."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..display import Activity, box, esc
from ..i18n import _
from ..journal import Journal, JournalError


@dataclass
class Feedback:
    correct: bool
    message: str
    note: str = ""  # trouble recording the attempt (the feedback still shows)


@dataclass
class CheckModel:
    unit: str
    check: dict
    journal: Journal | None = field(default_factory=Journal)

    @property
    def questions(self) -> list[dict]:
        return self.check["questions"]

    def question(self, qid: str) -> dict:
        for q in self.questions:
            if q["id"] == qid:
                return q
        raise KeyError(f"Check {self.check['id']} has no question {qid!r}.")

    def answer(self, qid: str, choice: int | None) -> Feedback:
        """Feedback for option ``choice`` (0-based) of question ``qid``."""
        q = self.question(qid)
        if choice is None:
            return Feedback(False, _("Choose one of the answers first, then select Check answer."))
        if not 0 <= choice < len(q["options"]):
            raise ValueError(f"Question {qid} has {len(q['options'])} options; got option {choice}.")
        option = q["options"][choice]
        correct = bool(option.get("correct"))
        lead = _("Correct.") if correct else _("Not quite.")
        note = ""
        if self.journal is not None:
            try:
                self.journal.save(self.unit, f"{self.check['id']}/{qid}",
                                  json.dumps({"choice": choice, "correct": correct}),
                                  kind="check", prompt=q["prompt"])
            except JournalError as exc:
                note = str(exc)
        return Feedback(correct, f"{lead} {option['feedback']}", note)


def static_html(check: dict) -> str:
    """Questions with each answer and its feedback behind a <details> toggle (no script needed)."""
    parts = [f"<p><strong>{esc(check.get('title') or _('Check your understanding'))}</strong></p><ol>"]
    for q in check["questions"]:
        opts = "".join(f"<li>{esc(o['text'])}</li>" for o in q["options"])
        fb = "".join(
            f"<li><strong>{esc(o['text'])}</strong>: "
            f"{_('Correct.') if o.get('correct') else _('Not quite.')} {esc(o['feedback'])}</li>"
            for o in q["options"]
        )
        parts.append(
            f"<li><p>{esc(q['prompt'])}</p><ol type='a'>{opts}</ol>"
            f"<details><summary>{_('Show the answer and feedback')}</summary><ul>{fb}</ul></details></li>"
        )
    parts.append("</ol>")
    return box("".join(parts), check.get("title") or _("Knowledge check"))


def view(model: CheckModel) -> Activity:
    import ipywidgets as w

    rows, controls = [], {}
    title = model.check.get("title") or _("Check your understanding")
    rows.append(w.HTML(f"<p><strong>{esc(title)}</strong></p>"))
    for n, q in enumerate(model.questions, start=1):
        choices = w.RadioButtons(
            options=[(o["text"], i) for i, o in enumerate(q["options"])],
            value=None,
            description=_("Answer"),
            layout=w.Layout(width="100%"),
        )
        button = w.Button(description=_("Check answer"), tooltip=_("Check answer to question {n}").format(n=n))
        result = w.HTML()

        def on_check(_b, q=q, choices=choices, result=result):
            fb = model.answer(q["id"], choices.value)
            mark = "✔" if fb.correct else "✘"
            extra = f"<br><em>{esc(fb.note)}</em>" if fb.note else ""
            result.value = f'<p role="status">{mark} {esc(fb.message)}{extra}</p>'

        button.on_click(on_check)
        rows += [w.HTML(f"<p>{n}. {esc(q['prompt'])}</p>"), choices, button, result]
        controls[q["id"]] = {"choices": choices, "button": button, "result": result}
    return Activity(w.VBox(rows), static_html(model.check), model=model, controls=controls)
