"""Thin ipywidgets views over the share and progress models (the models are tested headless)."""
from __future__ import annotations

from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _
from ..paths import static_mode
from . import store
from .progress import ProgressModel
from .share import MAX_CHARS, ShareModel

STATIC_SHARE = _("In the course notebook, this shows your saved reflections. You choose one, edit the copy "
                 "to share, choose whether your name shows, see exactly what will be sent, and send it to "
                 "your group, or withdraw it before the meeting. Your journal itself never leaves your space.")
STATIC_PROGRESS = _("In the course notebook, this shows which segments you have completed (every knowledge-check "
                    "question answered) and sends that list to your group's facilitator only when you press "
                    "Send. No text you wrote is sent.")


def group_or_message(group: str | None, call: str, label: str, static_text: str):
    """The learner's group for a sending widget, or the Activity to show instead: the printable
    description in the book, or what to fix when the group is not given or not found."""
    import os

    if static_mode():
        return None, Activity(html=box(f"<p>{esc(static_text)}</p>", label))

    name = group or os.environ.get("HESJ_GROUP", "")
    if not name:  # the hub has exactly one group: use it
        root = store.groups_root()
        found = [p.name for p in root.iterdir() if (p / "inbox").is_dir()] if root.is_dir() else []
        name = found[0] if len(found) == 1 else ""
    if not name:
        return None, Activity(html=box(f"<p>{esc(_('Say which group, for example {call}. Your facilitator gives you the name.').format(call=call))}</p>", label))
    try:
        return store.group(name), None
    except InputError as exc:
        return None, Activity(html=box(f"<p>{esc(exc)}</p>", label))


def share_reflection(group: str | None = None, journal=None) -> Activity:
    label = _("Share a reflection with your group")
    g, message = group_or_message(group, "hesj.share_reflection(group='NAME')", label, STATIC_SHARE)
    if message:
        return message
    import ipywidgets as w

    model = ShareModel(g, journal)
    choices = model.choices()
    if not choices:
        return Activity(html=box(f"<p>{esc(_('You have no saved reflections yet. Save one in a unit first.'))}</p>", label),
                        model=model)
    pick = w.Dropdown(options=[(c.label, (c.unit, c.prompt_id)) for c in choices], value=None,
                      description=_("Reflection"), layout=w.Layout(width="100%"))
    text = w.Textarea(description=_("Copy to share"), layout=w.Layout(width="100%", height="10em"),
                      placeholder=_("Choose a reflection; edit this copy freely. Your journal is not changed."))
    show = w.Checkbox(value=False, description=_("Show my name with it"), indent=False)
    name = w.Text(description=_("Name to show"), placeholder=_("only used if the box above is ticked"))
    preview_btn = w.Button(description=_("Preview what will be sent"), tooltip=_("Preview"))
    send_btn = w.Button(description=_("Send to my group"), button_style="primary", tooltip=_("Send"))
    withdraw_btn = w.Button(description=_("Withdraw it"), tooltip=_("Withdraw"))
    out = w.HTML()

    def sync():
        model.text, model.show_name, model.name = text.value, show.value, name.value

    def on_pick(change):
        if change["new"]:
            text.value = model.select(*change["new"])

    def on_preview(_b):
        sync()
        try:
            out.value = (f"<p><strong>{esc(_('This is exactly what will be sent:'))}</strong></p>"
                         f'<pre role="region" aria-label="{esc(_("Preview"))}" style="white-space:pre-wrap">'
                         f"{esc(model.preview())}</pre>")
        except InputError as exc:
            out.value = f'<p role="alert">{esc(exc)}</p>'

    def on_send(_b):
        sync()
        try:
            model.send()
            out.value = f'<p role="status">{esc(_("Sent. You can send an edited version or withdraw it until the meeting."))}</p>'
        except (InputError, OSError) as exc:
            out.value = f'<p role="alert">{esc(exc)}</p>'

    def on_withdraw(_b):
        if not pick.value:
            out.value = f'<p role="alert">{esc(_("Choose the reflection to withdraw."))}</p>'
            return
        gone = model.withdraw(*pick.value)
        out.value = f'<p role="status">{esc(_("Withdrawn.") if gone else _("Nothing was sent for this reflection."))}</p>'

    pick.observe(on_pick, names="value")
    preview_btn.on_click(on_preview)
    send_btn.on_click(on_send)
    withdraw_btn.on_click(on_withdraw)
    note = w.HTML(f"<p>{esc(_('At most {n} characters are shared. Nothing is sent until you press Send.').format(n=MAX_CHARS))}</p>")
    view = w.VBox([note, pick, text, show, name, w.HBox([preview_btn, send_btn, withdraw_btn]), out])
    return Activity(widget=view, html=box(f"<p>{esc(STATIC_SHARE)}</p>", label), model=model,
                    controls={"pick": pick, "text": text, "show": show, "name": name, "preview": preview_btn,
                              "send": send_btn, "withdraw": withdraw_btn, "out": out})


def send_progress(group: str | None = None, journal=None) -> Activity:
    label = _("Send your progress to your group")
    g, message = group_or_message(group, "hesj.send_progress(group='NAME')", label, STATIC_PROGRESS)
    if message:
        return message
    import ipywidgets as w

    model = ProgressModel(g, journal)
    preview = w.HTML(f'<pre style="white-space:pre-wrap">{esc(model.preview())}</pre>')
    send_btn = w.Button(description=_("Send to my facilitator"), button_style="primary", tooltip=_("Send"))
    out = w.HTML()

    def on_send(_b):
        try:
            model.send()
            preview.value = f'<pre style="white-space:pre-wrap">{esc(model.preview())}</pre>'
            out.value = f'<p role="status">{esc(_("Sent."))}</p>'
        except OSError as exc:
            out.value = f'<p role="alert">{esc(exc)}</p>'

    send_btn.on_click(on_send)
    head = w.HTML(f"<p>{esc(_('This is exactly what will be sent:'))}</p>")
    return Activity(widget=w.VBox([head, preview, send_btn, out]), html=box(f"<p>{esc(STATIC_PROGRESS)}</p>", label),
                    model=model, controls={"send": send_btn, "out": out, "preview": preview})
