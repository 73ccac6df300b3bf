"""Sharing one reflection with a learning group: the learner's side.

Runs in the learner's own kernel, the only place their journal is read. The learner picks one
saved reflection, edits the copy that will be shared (the journal is never changed), chooses
whether their name shows, sees exactly what will be sent, and sends it to the group's inbox.
Until the facilitator builds the digest they can send an edited version or withdraw it.

A record of what was sent (file name, unit, prompt, time; never the text) stays in the learner's
own HESJ folder, so withdrawing works from any later session.
"""
from __future__ import annotations

import getpass
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import InputError
from ..paths import hesj_home
from .store import Group, write_event

MAX_CHARS = 4000
MAX_NAME = 80
FORMAT = "hesj-shared-reflection/1"


class ShareError(InputError):
    """Something to fix before sharing; the message says what."""


def learner_id() -> str:
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def _sent_path() -> Path:
    return hesj_home() / "shared.json"


@dataclass(frozen=True)
class Choice:
    unit: str
    prompt_id: str
    prompt: str

    @property
    def label(self) -> str:
        short = " ".join(self.prompt.split())
        return f"{self.unit}: {short[:70]}{'…' if len(short) > 70 else ''}"


class ShareModel:
    """The pure model behind the share widget (tests drive it without a browser)."""

    def __init__(self, group: Group, journal=None):
        from ..journal import Journal

        self.group = group
        self.journal = journal or Journal()
        self.choice: Choice | None = None
        self.text = ""
        self.show_name = False
        self.name = ""

    # -- choosing and editing ------------------------------------------------------------
    def choices(self) -> list[Choice]:
        return [Choice(e.unit, e.prompt_id, e.prompt or e.prompt_id)
                for e in self.journal.entries(kind="reflection") if e.text.strip()]

    def select(self, unit: str, prompt_id: str) -> str:
        entry = self.journal.get(unit, prompt_id)
        if entry is None or not entry.text.strip():
            raise ShareError(f"There is no saved reflection for {unit} / {prompt_id}. Save it first, "
                             "then choose it here.")
        self.choice = Choice(unit, prompt_id, entry.prompt or prompt_id)
        self.text = entry.text  # a copy: editing it never changes the journal
        return self.text

    def _checked(self) -> dict:
        if self.choice is None:
            raise ShareError("Choose one of your saved reflections first.")
        text = self.text.strip()
        if not text:
            raise ShareError("The text to share is empty. Write something, or choose another reflection.")
        if len(text) > MAX_CHARS:
            raise ShareError(f"The text to share is {len(text)} characters; shorten it to at most {MAX_CHARS} "
                             "(your journal keeps the full version).")
        name = " ".join(self.name.split())
        if self.show_name and not name:
            raise ShareError("You chose to show your name: type the name you want shown, or untick "
                             "'Show my name'.")
        if len(name) > MAX_NAME:
            raise ShareError(f"The name to show is longer than {MAX_NAME} characters.")
        record = {"format": FORMAT, "group": self.group.name, "unit": self.choice.unit,
                  "prompt_id": self.choice.prompt_id, "prompt": self.choice.prompt, "text": text}
        if self.show_name:
            record["name"] = name
        return record

    def preview(self) -> str:
        """Exactly what will be sent, as plain text (the file adds only the time it was sent)."""
        r = self._checked()
        lines = [f"Group: {r['group']}", f"Unit: {r['unit']}", f"Prompt: {r['prompt']}",
                 f"Shown as: {r.get('name', 'anonymous (no name)')}", "", r["text"]]
        return "\n".join(lines)

    # -- sending and withdrawing ---------------------------------------------------------
    def sent(self) -> list[dict]:
        """What this learner has sent to this group and not withdrawn (no text)."""
        return [s for s in _load_sent() if s.get("group") == self.group.name
                and (self.group.inbox / s["file"]).exists()]

    def send(self) -> dict:
        record = self._checked()
        record["sent_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        sent = _load_sent()
        same = [s for s in sent if s.get("group") == self.group.name and s.get("unit") == record["unit"]
                and s.get("prompt_id") == record["prompt_id"]]
        filename = same[0]["file"] if same else secrets.token_hex(16) + ".json"
        write_event(self.group.inbox, filename, record)
        sent = [s for s in sent if s is not (same[0] if same else None)]
        sent.append({"group": self.group.name, "unit": record["unit"], "prompt_id": record["prompt_id"],
                     "file": filename, "sent_at": record["sent_at"]})
        _save_sent(sent)
        return sent[-1]

    def withdraw(self, unit: str, prompt_id: str) -> bool:
        """Delete what was sent for this prompt; True if there was something to delete."""
        sent = _load_sent()
        keep, gone = [], False
        for s in sent:
            if s.get("group") == self.group.name and s.get("unit") == unit and s.get("prompt_id") == prompt_id:
                try:
                    (self.group.inbox / s["file"]).unlink()
                    gone = True
                except FileNotFoundError:
                    pass
            else:
                keep.append(s)
        _save_sent(keep)
        return gone


def _load_sent() -> list[dict]:
    try:
        data = json.loads(_sent_path().read_text(encoding="utf-8"))
        return [d for d in data if isinstance(d, dict) and isinstance(d.get("file"), str)
                and "/" not in d["file"] and not d["file"].startswith(".")]
    except (FileNotFoundError, ValueError, TypeError):
        return []


def _save_sent(items: list[dict]) -> None:
    path = _sent_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(items, f, indent=1)
    os.replace(tmp, path)
