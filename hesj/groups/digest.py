"""The facilitator's discussion digest: what members chose to share, made anonymous.

Built only from the files in the group's inbox (what members sent with ``hesj.share_reflection``),
never from a journal. A name appears only where its author chose to show it. Entries are grouped
by prompt and put in an order that depends on neither who sent them nor when, so the order gives
no one away. Every piece of text is escaped, in the HTML and in the Markdown.
"""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from ..course import load_course
from ..display import standalone_page
from ..errors import InputError
from .share import FORMAT, MAX_CHARS, MAX_NAME
from .store import Group, owner_name, read_event

_FILE = re.compile(r"^[0-9a-f]{32}\.json$")


@dataclass(frozen=True)
class Shared:
    unit: str
    prompt_id: str
    prompt: str
    text: str
    name: str  # "" unless the author chose to show a name


@dataclass
class Digest:
    group: str
    items: list[Shared]
    skipped: list[str]
    built_at: str

    def by_prompt(self) -> list[tuple[str, str, list[Shared]]]:
        order: dict[tuple[str, str], list[Shared]] = {}
        for s in self.items:
            order.setdefault((s.unit, s.prompt_id), []).append(s)
        titles = {u.id: f"{u.series} {u.number}: {u.title}" for u in load_course().units}
        return [(titles.get(u, u), items[0].prompt, items) for (u, _), items in sorted(order.items())]

    def to_html(self) -> str:
        e = lambda s: html.escape(str(s), quote=True)  # noqa: E731
        title = f"Discussion digest: {self.group}"
        parts = [f"<h1>{e(title)}</h1>",
                 f"<p>Built {e(self.built_at)} from {len(self.items)} reflection"
                 f"{'s' if len(self.items) != 1 else ''} that members chose to share. Names appear only where "
                 "the author chose to show theirs. The order says nothing about who wrote what.</p>"]
        for unit_title, prompt, items in self.by_prompt():
            parts.append(f"<h2>{e(unit_title)}</h2><p><strong>Prompt:</strong> {e(prompt)}</p>")
            for n, s in enumerate(items, 1):
                who = e(s.name) if s.name else "Anonymous"
                paras = "".join(f"<p>{e(p)}</p>" for p in re.split(r"\n\s*\n", s.text) if p.strip())
                parts.append(f'<section aria-label="{e(f"Response {n}")}"><h3>Response {n} ({who})</h3>'
                             f"{paras}</section>")
        if self.skipped:
            parts.append("<h2>Files not used</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in self.skipped) + "</ul>")
        return standalone_page(title, "\n".join(parts),
                               "section{border-left:4px solid #0b5394;padding-left:0.8rem;margin:1rem 0}")

    def to_markdown(self) -> str:
        lines = [f"# Discussion digest: {md(self.group)}", "",
                 f"Built {md(self.built_at)} from {len(self.items)} shared reflections. "
                 "Names appear only where the author chose to show theirs.", ""]
        for unit_title, prompt, items in self.by_prompt():
            lines += [f"## {md(unit_title)}", "", f"**Prompt:** {md(prompt)}", ""]
            for n, s in enumerate(items, 1):
                lines += [f"### Response {n} ({md(s.name) if s.name else 'Anonymous'})", ""]
                lines += [md(p) + "\n" for p in re.split(r"\n\s*\n", s.text) if p.strip()]
        if self.skipped:
            lines += ["## Files not used", ""] + [f"- {md(s)}" for s in self.skipped]
        return "\n".join(lines) + "\n"


def md(text: str) -> str:
    """Learner text made inert in Markdown: HTML escaped, Markdown and MyST syntax characters escaped."""
    t = " ".join(str(text).split())
    t = html.escape(t, quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|~>:$-])", r"\\\1", t)


def build_digest(group: Group) -> Digest:
    members = {m.id for m in group.members()}
    items, skipped = [], []
    for path in sorted(group.inbox.iterdir()) if group.inbox.is_dir() else []:
        if path.name.startswith("."):
            continue  # a file still being written
        if not _FILE.match(path.name):
            skipped.append(f"{path.name}: not a shared reflection")
            continue
        owner = owner_name(path)
        if owner is not None and owner not in members:
            skipped.append(f"{path.name}: sent by an account that is not in the group")
            continue
        try:
            d = read_event(path)
            if d.get("format") != FORMAT or d.get("group") != group.name:
                raise InputError(f"{path.name}: not a reflection shared with this group")
            fields = {k: d.get(k) for k in ("unit", "prompt_id", "prompt", "text")}
            if not all(isinstance(v, str) and v.strip() for v in fields.values()):
                raise InputError(f"{path.name}: a field is missing")
            name = d.get("name", "")
            if not isinstance(name, str):
                raise InputError(f"{path.name}: the name is not text")
            items.append(Shared(fields["unit"][:40], fields["prompt_id"][:80], fields["prompt"][:1000],
                                fields["text"][:MAX_CHARS], " ".join(name.split())[:MAX_NAME]))
        except (InputError, OSError) as exc:
            skipped.append(str(exc) if isinstance(exc, InputError) else f"{path.name}: could not be read")
    # an order that reveals nothing: by a hash of the text, not by file time, owner or name
    items.sort(key=lambda s: hashlib.sha256((s.unit + s.prompt_id + s.text).encode()).hexdigest())
    return Digest(group.name, items, skipped, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
