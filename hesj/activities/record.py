"""Saving and restoring an activity's record (a chain, a power map, a lab table) in the
learner's journal: the journal calls and their error handling, written once."""
from __future__ import annotations

from ..i18n import _
from ..journal import Entry, Journal, JournalError
from .reflection import Result


def save(journal: Journal | None, unit: str, prompt_id: str, kind: str, text: str,
         prompt: str) -> tuple[Entry | None, Result | None]:
    """(entry, None) when saved; (None, a Result saying why) when not."""
    if journal is None:
        return None, Result(False, _("There is no journal to save to."))
    try:
        return journal.save(unit, prompt_id, text, kind=kind, prompt=prompt), None
    except JournalError as exc:
        return None, Result(False, str(exc))


def load(journal: Journal | None, unit: str, prompt_id: str, kind: str) -> tuple[str | None, Result | None]:
    """(saved text, None); (None, None) when nothing was saved; (None, a Result) when it could not be read."""
    if journal is None:
        return None, None
    try:
        entry = journal.get(unit, prompt_id, kind=kind)
    except JournalError as exc:
        return None, Result(False, str(exc))
    return (entry.text if entry else None), None
