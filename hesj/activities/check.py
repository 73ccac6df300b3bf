"""A knowledge check: questions stored as data (hesj/schemas/check.schema.json), feedback on
every option, every attempt recorded in the learner's journal.

Question types:
  single    choose the one right answer (radio buttons)
  multiple  tick every right answer (check boxes); feedback on each option ticked or missed
  ordering  put the items in order (one position menu per item); the file lists them in the right order
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _
from ..journal import Journal, JournalError


@dataclass
class Feedback:
    correct: bool
    message: str
    note: str = ""  # trouble recording the attempt (the feedback still shows)
    details: list[str] = field(default_factory=list)  # one line per option or item


def kind(q: dict) -> str:
    return q.get("type", "single")


def display_order(q: dict, salt: str) -> list[int]:
    """The order an ordering question shows its items in: shuffled, the same every time
    for the same question, and never already correct."""
    n = len(q["items"])
    order = list(range(n))
    rng = random.Random(f"{salt}/{q['id']}")
    for _attempt in range(20):
        rng.shuffle(order)
        if order != list(range(n)):
            break
    return order


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
        raise InputError(_("Check {check} has no question {qid}.").format(check=self.check["id"], qid=qid))

    # -- marking: pure functions of the question and the response ---------------------
    def mark(self, q: dict, response) -> Feedback:
        k = kind(q)
        if k == "single":
            if response is None:
                return Feedback(False, _("Choose one of the answers first, then select Check answer."))
            if not isinstance(response, int) or not 0 <= response < len(q["options"]):
                raise InputError(_("Question {qid} has {n} options; choose one of them.").format(
                    qid=q["id"], n=len(q["options"])))
            option = q["options"][response]
            correct = bool(option.get("correct"))
            lead = _("Correct.") if correct else _("Not quite.")
            return Feedback(correct, "{} {}".format(lead, option["feedback"]))
        if k == "multiple":
            chosen = set(response or ())
            if not chosen:
                return Feedback(False, _("Tick every answer you think is right, then select Check answer."))
            if not all(isinstance(i, int) and 0 <= i < len(q["options"]) for i in chosen):
                raise InputError(_("Question {qid} has {n} options; tick only those.").format(
                    qid=q["id"], n=len(q["options"])))
            right = {i for i, o in enumerate(q["options"]) if o.get("correct")}
            details = []
            for i, o in enumerate(q["options"]):
                if i in chosen or i in right:
                    if i in chosen and i in right:
                        tag = _("You ticked this, and it is right.")
                    elif i in chosen:
                        tag = _("You ticked this, but it is not right.")
                    else:
                        tag = _("You missed this one.")
                    details.append("{} — {} {}".format(o["text"], tag, o["feedback"]))
            correct = chosen == right
            if correct:
                msg = _("Correct: you found all {n} right answers.").format(n=len(right))
            else:
                msg = _("Not quite: {hit} of {n} right answers ticked, {wrong} ticked that should not be.").format(
                    hit=len(chosen & right), n=len(right), wrong=len(chosen - right))
            return Feedback(correct, msg, details=details)
        # ordering: response is the learner's order as a list of item indices
        n = len(q["items"])
        if response is None or sorted(response) != list(range(n)):
            return Feedback(False, _("Give each item a different position from 1 to {n}, then select Check answer.")
                            .format(n=n))
        right = sum(1 for pos, item in enumerate(response) if item == pos)
        details = []
        for pos, item in enumerate(response):
            text = q["items"][item]["text"]
            if item == pos:
                details.append(_("Position {p}: {text} — right.").format(p=pos + 1, text=text))
            else:
                extra = q["items"][item].get("feedback", "")
                details.append(_("Position {p}: {text} — belongs at position {right}.").format(
                    p=pos + 1, text=text, right=item + 1) + (" " + extra if extra else ""))
        correct = right == n
        lead = (_("Correct: every item is in its place.") if correct else
                _("Not quite: {right} of {n} items are in the right place.").format(right=right, n=n))
        return Feedback(correct, "{} {}".format(lead, q["feedback"]), details=details)

    def answer(self, qid: str, response) -> Feedback:
        """Feedback on a response, recorded in the journal as an attempt (each attempt is a revision)."""
        q = self.question(qid)
        fb = self.mark(q, response)
        incomplete = (response is None or response == [] or response == ()
                      or (kind(q) == "ordering" and sorted(response) != list(range(len(q["items"])))))
        if self.journal is not None and not incomplete:
            try:
                value = response if not isinstance(response, (set, tuple)) else sorted(response)
                self.journal.save(self.unit, f"{self.check['id']}/{qid}",
                                  json.dumps({"type": kind(q), "response": value, "correct": fb.correct}),
                                  kind="check", prompt=q["prompt"])
            except JournalError as exc:
                fb.note = str(exc)
        return fb

    def score(self) -> tuple[int, int]:
        """(questions answered correctly at the last attempt, questions) from the journal."""
        if self.journal is None:
            return 0, len(self.questions)
        right = 0
        for q in self.questions:
            try:
                e = self.journal.get(self.unit, f"{self.check['id']}/{q['id']}", kind="check")
            except JournalError:
                e = None
            if e is not None and json.loads(e.text).get("correct"):
                right += 1
        return right, len(self.questions)


# -- the book's version: answers and feedback behind <details>, no script needed ------------
CHECK_SCRIPT = """<script>
(function () {
  if (window.hesjChecks) { return; }
  window.hesjChecks = true;
  function show(block, html) { var s = block.querySelector('.hesj-q-status'); s.innerHTML = html; }
  function esc(t) { var d = document.createElement('div'); d.textContent = t; return d.innerHTML; }
  document.addEventListener('click', function (e) {
    var btn = e.target.closest && e.target.closest('button.hesj-q-check');
    if (!btn) { return; }
    var q = btn.closest('.hesj-q'), m = q.dataset, kind = m.kind;
    var right = (m.correct || '').split(',').filter(Boolean).map(Number);
    var fbs = [].slice.call(q.querySelectorAll('.hesj-q-fb')).map(function (x) { return x.textContent; });
    if (kind === 'ordering') {
      var sels = [].slice.call(q.querySelectorAll('select'));
      var pos = sels.map(function (s) { return Number(s.value); });
      if (pos.some(function (p) { return !p; }) || new Set(pos).size !== pos.length) {
        return show(q, '<p>' + esc(m.msgPositions) + '</p>');
      }
      var ok = 0, lines = [];
      sels.forEach(function (s, i) {
        var item = Number(s.dataset.item), p = pos[i];
        if (item === p - 1) { ok++; } else { lines.push(esc(s.dataset.text) + ': ' + esc(m.msgBelongs) + ' ' + (item + 1)); }
      });
      var all = ok === sels.length;
      return show(q, '<p>' + (all ? '\u2714 ' + esc(m.msgRight) : '\u2718 ' + esc(m.msgWrong)) + ' ' +
        esc(m.feedback) + '</p>' + (lines.length ? '<ul><li>' + lines.join('</li><li>') + '</li></ul>' : ''));
    }
    var chosen = [].slice.call(q.querySelectorAll('input')).map(function (x, i) { return x.checked ? i : -1; })
      .filter(function (i) { return i >= 0; });
    if (!chosen.length) { return show(q, '<p>' + esc(m.msgChoose) + '</p>'); }
    var good = chosen.length === right.length && chosen.every(function (i) { return right.indexOf(i) >= 0; });
    var shown = kind === 'single' ? chosen : chosen.concat(right.filter(function (i) { return chosen.indexOf(i) < 0; }));
    var items = shown.map(function (i) { return '<li>' + esc(fbs[i]) + '</li>'; }).join('');
    show(q, '<p>' + (good ? '\u2714 ' + esc(m.msgRight) : '\u2718 ' + esc(m.msgWrong)) + '</p><ul>' + items + '</ul>');
  });
})();
</script>"""


def static_html(check: dict) -> str:
    """The book's version: each question answerable in the page (a small script gives the
    feedback, no kernel), with the answers and feedback also behind <details> (no script needed)."""
    cid = check["id"]
    msgs = {"msg-right": _("Correct."), "msg-wrong": _("Not quite."),
            "msg-choose": _("Choose an answer first, then select Check answer."),
            "msg-positions": _("Give each item a different position, then select Check answer."),
            "msg-belongs": _("belongs at position")}
    data_msgs = " ".join(f'data-{k}="{esc(v)}"' for k, v in msgs.items())
    parts = [f"<p><strong>{esc(check.get('title') or _('Check your understanding'))}</strong></p><ol>"]
    for n, q in enumerate(check["questions"], start=1):
        k = kind(q)
        qid = f"hesjq-{cid}-{q['id']}"
        button = (f'<button type="button" class="hesj-q-check">{esc(_("Check answer"))}</button>'
                  f'<div class="hesj-q-status" role="status" aria-live="polite"></div>')
        if k == "ordering":
            order = display_order(q, cid)
            positions = "".join(f'<option value="{p}">{p}</option>' for p in range(1, len(order) + 1))
            selects = "".join(
                f'<li><label for="{qid}-{i}">{esc(q["items"][i]["text"])}</label> '
                f'<select id="{qid}-{i}" data-item="{i}" data-text="{esc(q["items"][i]["text"])}">'
                f'<option value="">{esc(_("Choose a position"))}</option>{positions}</select></li>'
                for i in order)
            right = "".join(f"<li>{esc(i['text'])}</li>" for i in q["items"])
            parts.append(
                f'<li><div class="hesj-q" data-kind="ordering" data-feedback="{esc(q["feedback"])}" {data_msgs}>'
                f'<fieldset><legend>{esc(q["prompt"])}</legend><p>{esc(_("Put these in order:"))}</p>'
                f"<ul>{selects}</ul></fieldset>{button}"
                f"<details><summary>{esc(_('Show the answer and feedback'))}</summary>"
                f"<p>{esc(_('The right order:'))}</p><ol>{right}</ol><p>{esc(q['feedback'])}</p></details></div></li>")
            continue
        hint = _("Tick every right answer.") if k == "multiple" else _("Choose one answer.")
        kind_input = "checkbox" if k == "multiple" else "radio"
        correct = ",".join(str(i) for i, o in enumerate(q["options"]) if o.get("correct"))
        opts = "".join(
            f'<li><input type="{kind_input}" name="{qid}" id="{qid}-{i}" value="{i}"> '
            f'<label for="{qid}-{i}">{esc(o["text"])}</label>'
            f'<span class="hesj-q-fb" hidden>{esc(o["text"])}: '
            f'{esc(_("Right.") if o.get("correct") else _("Not right."))} {esc(o["feedback"])}</span></li>'
            for i, o in enumerate(q["options"]))
        fb = "".join(
            f"<li><strong>{esc(o['text'])}</strong>: "
            f"{esc(_('Right.') if o.get('correct') else _('Not right.'))} {esc(o['feedback'])}</li>"
            for o in q["options"])
        parts.append(
            f'<li><div class="hesj-q" data-kind="{k}" data-correct="{correct}" {data_msgs}>'
            f"<fieldset><legend>{esc(q['prompt'])}</legend><p><em>{esc(hint)}</em></p>"
            f'<ul class="hesj-q-options" style="list-style:none;padding-left:0">{opts}</ul></fieldset>{button}'
            f"<details><summary>{esc(_('Show the answer and feedback'))}</summary><ul>{fb}</ul></details></div></li>")
    parts.append("</ol>")
    return box("".join(parts), check.get("title") or _("Knowledge check")) + CHECK_SCRIPT


# -- the live view: controls wired to the model ----------------------------------------------
def view(model: CheckModel) -> Activity:
    import ipywidgets as w

    rows, controls = [], {}
    title = model.check.get("title") or _("Check your understanding")
    rows.append(w.HTML(f"<p><strong>{esc(title)}</strong></p>"))
    for n, q in enumerate(model.questions, start=1):
        k = kind(q)
        button = w.Button(description=_("Check answer"),
                          tooltip=_("Check your answer to question {n}").format(n=n))
        result = w.HTML()
        c: dict = {"button": button, "result": result}
        if k == "single":
            choices = w.RadioButtons(options=[(o["text"], i) for i, o in enumerate(q["options"])], value=None,
                                     description=_("Answer"), layout=w.Layout(width="100%"))
            c["choices"] = choices
            inputs = [choices]
            response = lambda choices=choices: choices.value  # noqa: E731
        elif k == "multiple":
            boxes = [w.Checkbox(value=False, description=o["text"], indent=False,
                                layout=w.Layout(width="100%")) for o in q["options"]]
            c["boxes"] = boxes
            inputs = [w.HTML(f"<p><em>{esc(_('Tick every right answer.'))}</em></p>"), *boxes]
            response = lambda boxes=boxes: [i for i, b in enumerate(boxes) if b.value]  # noqa: E731
        else:
            order = display_order(q, model.check["id"])
            positions = [(_("Choose a position"), 0)] + [(str(p), p) for p in range(1, len(order) + 1)]
            menus = {}
            for item in order:
                menus[item] = w.Dropdown(options=positions, value=0, description=q["items"][item]["text"],
                                         style={"description_width": "initial"}, layout=w.Layout(width="100%"))
            c["positions"] = menus
            inputs = [w.HTML(f"<p><em>{esc(_('Give each item its position, 1 first.'))}</em></p>"),
                      *[menus[i] for i in order]]

            def response(menus=menus):
                placed = {m.value: item for item, m in menus.items() if m.value}
                if len(placed) != len(menus):
                    return None
                return [placed[p] for p in range(1, len(menus) + 1)]

        def on_check(_b, q=q, result=result, response=response):
            fb = model.answer(q["id"], response())
            mark = "✔" if fb.correct else "✘"
            details = "".join(f"<li>{esc(d)}</li>" for d in fb.details)
            extra = f"<br><em>{esc(fb.note)}</em>" if fb.note else ""
            result.value = (f'<div role="status"><p>{mark} {esc(fb.message)}{extra}</p>'
                            + (f"<ul>{details}</ul>" if details else "") + "</div>")

        button.on_click(on_check)
        rows += [w.HTML(f"<p>{n}. {esc(q['prompt'])}</p>"), *inputs, button, result]
        controls[q["id"]] = c
    return Activity(w.VBox(rows), static_html(model.check), model=model, controls=controls)
