"""A learning group's roster: read and check a CSV of members.

Every problem is reported with the file and line it is on, and what to change. Nothing is
partly accepted: a roster with any problem is refused whole, so a facilitator never ends up
with half a group.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

REQUIRED = ("id", "first_name", "last_name")
OPTIONAL = ("email", "division", "role")
# A member id is their JupyterHub user name and their nbgrader student id.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")
MAX_MEMBERS = 500
MAX_FIELD = 200


class RosterError(InputError):
    """A roster cannot be used; ``problems`` lists every problem found, each naming file and line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = f"The roster has {len(problems)} problem{'s' if len(problems) != 1 else ''}; fix "
        head += "it and try again:" if len(problems) == 1 else "them and try again:"
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Member:
    id: str
    first_name: str
    last_name: str
    email: str = ""
    division: str = ""
    role: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in REQUIRED + OPTIONAL}


def read_roster(path: Path | str) -> list[Member]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError([f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})."]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise RosterError([f"{path}, line {line}: the file is not UTF-8 text. In a spreadsheet, save it "
                           "as 'CSV UTF-8'."]) from None
    return parse_roster(text, str(path))


def parse_roster(text: str, where: str = "roster") -> list[Member]:
    if not text.strip():
        raise RosterError([f"{where}: the file is empty. The first line must name the columns: "
                           + ",".join(REQUIRED + OPTIONAL) + "."])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise RosterError([f"{where}, line 1: not readable as CSV ({exc})."]) from None
    cols = [h.strip().lower().replace(" ", "_") for h in header]
    problems = []
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        problems.append(f"{where}, line 1: the header lacks the column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(missing)}. The first line must name the columns, for example: "
                        + ",".join(REQUIRED + OPTIONAL) + ".")
    unknown = [h for h in cols if h and h not in REQUIRED + OPTIONAL]
    if unknown:
        problems.append(f"{where}, line 1: unknown column{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(repr(u) for u in unknown)}; the columns are "
                        + ", ".join(REQUIRED + OPTIONAL) + ".")
    dupes = {c for c in cols if c and cols.count(c) > 1}
    if dupes:
        problems.append(f"{where}, line 1: the column{'s' if len(dupes) > 1 else ''} "
                        f"{', '.join(sorted(dupes))} appear{'' if len(dupes) > 1 else 's'} twice.")
    if problems:
        raise RosterError(problems)

    members: list[Member] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    rows = []
    while True:
        line = reader.line_num + 1  # the line the next record starts on (a quoted value may span lines)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RosterError([f"{where}, line {line}: not readable as CSV ({exc})."]) from None
        rows.append((line, row))
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed
        if len(row) != len(cols):
            problems.append(f"{where}, line {line}: {len(row)} fields where the header has {len(cols)}. "
                            "Check for a missing or extra comma (put a value with a comma in double quotes).")
            continue
        rec = {c: v.strip() for c, v in zip(cols, row)}
        bad = False
        for c in REQUIRED:
            if not rec.get(c):
                problems.append(f"{where}, line {line}: {c} is empty; every member needs one.")
                bad = True
        for c, v in rec.items():
            if len(v) > MAX_FIELD:
                problems.append(f"{where}, line {line}: {c} is longer than {MAX_FIELD} characters.")
                bad = True
            if any(ord(ch) < 32 for ch in v):
                problems.append(f"{where}, line {line}: {c} contains a control character; retype it.")
                bad = True
        mid = rec.get("id", "")
        if mid and not ID_PATTERN.match(mid):
            problems.append(f"{where}, line {line}: the id {mid!r} is not allowed. An id is the member's "
                            "JupyterHub user name: 1 to 32 lower-case letters, digits, '-' or '_', "
                            "starting with a letter or digit.")
            bad = True
        elif mid in seen_ids:
            problems.append(f"{where}, line {line}: the id {mid!r} is already used on line {seen_ids[mid]}; "
                            "each member needs their own id.")
            bad = True
        email = rec.get("email", "")
        if email and not EMAIL_PATTERN.match(email):
            problems.append(f"{where}, line {line}: {email!r} is not an email address; fix it or leave it empty.")
            bad = True
        elif email and email.lower() in seen_emails:
            problems.append(f"{where}, line {line}: the email {email!r} is already on line "
                            f"{seen_emails[email.lower()]}; is this the same person twice?")
            bad = True
        if mid and mid not in seen_ids:
            seen_ids[mid] = line
        if email and email.lower() not in seen_emails:
            seen_emails[email.lower()] = line
        if not bad:
            members.append(Member(**{k: rec.get(k, "") for k in REQUIRED + OPTIONAL}))
    if not members and not problems:
        problems.append(f"{where}: the roster has a header but no members.")
    if len(seen_ids) > MAX_MEMBERS:
        problems.append(f"{where}: {len(seen_ids)} members; a group holds at most {MAX_MEMBERS}. "
                        "Split the roster into several groups.")
    if problems:
        raise RosterError(problems)
    return members


def csv_cell(value) -> str:
    """A value safe to put in a CSV a spreadsheet opens: never read as a formula."""
    s = str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s
