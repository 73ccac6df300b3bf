"""Where a learning group lives on disk, and making one from a roster.

    <groups root>/<group>/          0711: members can pass through, nobody but the facilitator lists it
        group.yml                   0600: the roster (names, emails): the facilitator's only
        inbox/                      1733: reflections members chose to share (one file each, random name)
        progress/                   1733: completion events members chose to send (<member id>--<time>.json)
        evaluation/                 1733: evaluation ratings members chose to send (numbers only)
        packets/  digests/          0700: what the facilitator builds

The inboxes work like nbgrader's exchange: a member can write a file and delete their own (the
sticky bit), but cannot list the folder or read anyone else's file. The groups root is
``$HESJ_GROUPS_DIR`` (set for everyone on the course's JupyterHub), else ``~/hesj-groups``.
"""
from __future__ import annotations

import json
import os
import pwd
import re
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from ..errors import InputError
from .roster import Member, read_roster

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
EVENT_FILE = re.compile(r"^([a-z0-9][a-z0-9_-]{0,31})--[0-9T]+-[0-9a-f]+\.json$")  # see send_event
INBOX_MODE = 0o1733
MAX_FILE = 64 * 1024  # a shared file or progress event is small; anything bigger is not ours


class GroupError(InputError):
    """A group cannot be found or made; the message says what to do."""


def groups_root() -> Path:
    env = os.environ.get("HESJ_GROUPS_DIR")
    return Path(env).expanduser() if env else Path.home() / "hesj-groups"


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise GroupError(f"{name!r} is not a group name. Use 1 to 48 lower-case letters, digits, '-' or '_', "
                         "for example 'fall-2026-nursing'.")
    return name


@dataclass(frozen=True)
class Group:
    name: str
    folder: Path

    @property
    def inbox(self) -> Path:
        return self.folder / "inbox"

    @property
    def progress(self) -> Path:
        return self.folder / "progress"

    @property
    def roster_file(self) -> Path:
        return self.folder / "group.yml"

    def members(self) -> list[Member]:
        try:
            data = yaml.safe_load(self.roster_file.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise GroupError(f"{self.roster_file} is missing: make the group with `hesj group create`.") from None
        except PermissionError:
            raise GroupError(f"{self.roster_file} can be read only by the group's facilitator.") from None
        return [Member(**m) for m in data.get("members", [])]


def group(name: str, root: Path | str | None = None) -> Group:
    """A group that exists (for learners: one whose inbox they can reach)."""
    folder = Path(root) if root else groups_root()
    g = Group(check_name(name), folder / name)
    if not g.inbox.is_dir():
        raise GroupError(f"There is no group {name!r} in {folder}. Check the name with your facilitator.")
    return g


def create_group(name: str, roster: Path | str, root: Path | str | None = None, *,
                 gradebook_url: str | None = None, replace_roster: bool = False) -> tuple[Group, list[Member]]:
    """Make (or update) a group from a roster CSV; with ``gradebook_url`` also add its members to the
    nbgrader course roster. Returns the group and its members."""
    members = read_roster(roster)  # refuses the whole roster on any problem, before anything is written
    folder = Path(root) if root else groups_root()
    g = Group(check_name(name), folder / name)
    if g.roster_file.exists() and not replace_roster:
        raise GroupError(f"The group {name!r} already exists ({g.folder}). To replace its roster, add "
                         "--replace-roster; what members shared and sent is kept.")
    folder.mkdir(parents=True, exist_ok=True)
    g.folder.mkdir(exist_ok=True)
    os.chmod(g.folder, 0o711)
    for sub, mode in (("inbox", INBOX_MODE), ("progress", INBOX_MODE), ("evaluation", INBOX_MODE),
                      ("packets", 0o700), ("digests", 0o700)):
        (g.folder / sub).mkdir(exist_ok=True)
        os.chmod(g.folder / sub, mode)
    data = {"name": name, "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "members": [m.as_dict() for m in members]}
    tmp = g.roster_file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, sort_keys=False, allow_unicode=True)
    os.replace(tmp, g.roster_file)
    if gradebook_url:
        add_to_gradebook(members, gradebook_url)
    return g, members


def add_to_gradebook(members: list[Member], db_url: str) -> None:
    """Add (or update) each member as an nbgrader student: id, first and last name, email."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        for m in members:
            gb.update_or_create_student(m.id, first_name=m.first_name, last_name=m.last_name,
                                        email=m.email or None)


def owner_name(path: Path) -> str | None:
    try:
        uid = path.lstat().st_uid
    except OSError:
        return None
    if uid == os.getuid():
        return None  # our own file: on a one-person machine everything is
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def read_event(path: Path) -> dict:
    """A small JSON file from an inbox, refusing links, special files and anything too large."""
    st = path.lstat()
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path.name}: not a regular file")
    if st.st_size > MAX_FILE:
        raise InputError(f"{path.name}: larger than {MAX_FILE} bytes")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        raw = f.read(MAX_FILE + 1)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{path.name}: not JSON text") from None
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: not a JSON object")
    return data


def write_event(folder: Path, filename: str, data: dict) -> Path:
    """Write one JSON file into an inbox (readable by the facilitator, who owns the folder)."""
    target = folder / filename
    tmp = folder / f".{filename}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target


def send_event(folder: Path, learner: str, event: dict) -> str:
    """A learner's progress or evaluation event, one file per send (the newest counts), named
    <learner>--<time>-<random>.json: the random part keeps other members from guessing the name."""
    import secrets

    now = datetime.now(timezone.utc)
    event = dict(event, sent_at=now.isoformat(timespec="seconds"))
    name = f"{learner}--{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(8)}.json"
    write_event(folder, name, event)
    return name


def member_events(folder: Path, members, fmt: str, what: str) -> tuple[list[tuple[str, dict]], list[str]]:
    """Every event in an inbox that a member of the group sent from their own account, in the order
    they were sent: [(member id, event)], and the files not used, each with the reason."""
    events, skipped = [], []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.name.startswith("."):
            continue  # still being written
        m = EVENT_FILE.match(path.name)
        if not m or m.group(1) not in members:
            skipped.append(f"{path.name}: not from a member of this group")
            continue
        owner = owner_name(path)
        if owner is not None and owner != m.group(1):
            skipped.append(f"{path.name}: sent by account {owner}, not by {m.group(1)}")
            continue
        try:
            e = read_event(path)
            if e.get("format") != fmt or e.get("learner") != m.group(1):
                raise InputError(f"{path.name}: not {what} from {m.group(1)}")
        except (InputError, OSError) as exc:
            skipped.append(str(exc) if isinstance(exc, InputError) else f"{path.name}: could not be read")
            continue
        events.append((m.group(1), dict(e, _file=path.name)))
    return events, skipped
