"""Local adaptation without forking: a health department's own cases, resources, contacts and data.

Everything lives in one folder, ``local/`` beside the course (or ``$HESJ_LOCAL_DIR``), with one file,
``local/local.yml``, and any data files it names. The entries are merged into the notebooks (the
``hesj.local(UNIT)`` cell at the end of each unit) and into the book (the *From your health
department* page) whenever they run or are built. Every entry is marked as local and as not
reviewed by the course project. A department can also list the units its board of health approved
(``approved_units``): the book is then built with only those units (see :mod:`hesj.subset`).

A malformed entry is refused with the file and line it starts on, and what to fix.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .course import REPO_ROOT, load_course
from .display import Activity, box, esc
from .errors import InputError

MARK = "Local: added by {dept}; not reviewed by the course project."
_URL = re.compile(r"^https?://[^\s<>\"']+$")
_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")
MAX_TEXT = 4000


class LocalError(InputError):
    pass


def local_dir() -> Path:
    env = os.environ.get("HESJ_LOCAL_DIR")
    return Path(env).expanduser() if env else REPO_ROOT / "local"


@dataclass
class Local:
    department: str = ""
    approved_units: tuple[str, ...] | None = None
    cases: list[dict] = field(default_factory=list)
    resources: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    data: list[dict] = field(default_factory=list)
    folder: Path | None = None

    @property
    def empty(self) -> bool:
        return not (self.cases or self.resources or self.contacts or self.data)

    def for_unit(self, unit: str) -> "Local":
        keep = lambda e: not e.get("units") or unit in e["units"]  # noqa: E731
        return Local(self.department, self.approved_units, [c for c in self.cases if c["unit"] == unit],
                     [r for r in self.resources if keep(r)], [c for c in self.contacts if keep(c)],
                     [d for d in self.data if keep(d)], self.folder)


def _lines(node) -> tuple[dict, dict]:
    """Where each top-level key is, and where each item of each top-level list starts (1-based)."""
    keys, items = {}, {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            keys[k.value] = k.start_mark.line + 1
            if isinstance(v, yaml.SequenceNode):
                items[k.value] = [item.start_mark.line + 1 for item in v.value]
    return keys, items


def parse_local(text: str, where: str = "local/local.yml", folder: Path | None = None) -> Local:
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise LocalError(f"{where}{line}: not valid YAML ({getattr(exc, 'problem', exc)}). "
                         "Check the indentation and that text with a colon is in quotes.") from None
    if data is None:
        return Local(folder=folder)
    if not isinstance(data, dict):
        raise LocalError(f"{where}, line 1: the file must be a mapping with keys such as department, cases, resources.")
    key_line, lines = _lines(node)
    known = {"department", "approved_units", "cases", "resources", "contacts", "data"}
    for k in data:
        if k not in known:
            raise LocalError(f"{where}, line {key_line.get(k, 1)}: unknown key {k!r}; the keys are "
                             f"{', '.join(sorted(known))}.")
    course = load_course()
    unit_ids = {u.id for u in course.complete_units}
    dept = data.get("department")
    if not isinstance(dept, str) or not dept.strip():
        raise LocalError(f"{where}, line 1: name your health department: department: \"Example County Health Department\".")
    approved = data.get("approved_units")
    if approved is not None:
        if not isinstance(approved, list) or not approved or any(u not in unit_ids for u in approved):
            bad = [u for u in approved or [] if u not in unit_ids] if isinstance(approved, list) else approved
            raise LocalError(f"{where}, line {key_line.get('approved_units')}: approved_units must list course units "
                             f"({', '.join(sorted(unit_ids))}); not {bad!r}.")
        approved = tuple(approved)

    def items(key: str):
        raw = data.get(key) or []
        if not isinstance(raw, list):
            raise LocalError(f"{where}, line {key_line.get(key)}: {key} must be a list of entries (each starting with '- ').")
        for n, (item, line) in enumerate(zip(raw, lines.get(key, [])), 1):
            at = f"{where}, line {line}: {key[:-1] if key != 'data' else 'data'} entry {n}"
            if not isinstance(item, dict):
                raise LocalError(f"{at} must be a mapping of fields (title: ..., text: ...).")
            yield at, item

    def text(at, item, key, required=True, limit=MAX_TEXT):
        v = item.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                raise LocalError(f"{at} needs {key!r}.")
            return ""
        if not isinstance(v, (str, int, float)):
            raise LocalError(f"{at}: {key!r} must be text.")
        v = " ".join(str(v).split())
        if len(v) > limit:
            raise LocalError(f"{at}: {key!r} is longer than {limit} characters.")
        return v

    def units(at, item):
        us = item.get("units") or []
        if not isinstance(us, list) or any(u not in unit_ids for u in us):
            raise LocalError(f"{at}: units must list course unit ids ({', '.join(sorted(unit_ids))}).")
        return us

    out = Local(dept.strip(), approved, folder=folder)
    for at, item in items("cases"):
        unit = item.get("unit")
        if unit not in unit_ids:
            raise LocalError(f"{at}: unit must be one of {', '.join(sorted(unit_ids))}, not {unit!r}.")
        segs = [s.id for s in course.unit(unit).segments]
        seg = item.get("segment")
        if seg is not None and seg not in segs:
            raise LocalError(f"{at}: {unit} has segments {', '.join(map(str, segs))}; not {seg!r}.")
        out.cases.append({"unit": unit, "segment": seg, "title": text(at, item, "title", limit=200),
                          "text": text(at, item, "text"), "source": text(at, item, "source", False, 500)})
    for at, item in items("resources"):
        url = text(at, item, "url", limit=500)
        if not _URL.match(url):
            raise LocalError(f"{at}: url must start with http:// or https:// and contain no spaces.")
        out.resources.append({"title": text(at, item, "title", limit=300), "url": url,
                              "description": text(at, item, "description", False), "units": units(at, item)})
    for at, item in items("contacts"):
        email = text(at, item, "email", False, 200)
        if email and not _EMAIL.match(email):
            raise LocalError(f"{at}: {email!r} is not an email address.")
        out.contacts.append({"name": text(at, item, "name", limit=200), "role": text(at, item, "role", limit=200),
                             "email": email, "phone": text(at, item, "phone", False, 50),
                             "units": units(at, item)})
    for at, item in items("data"):
        name = text(at, item, "name", limit=60)
        if not re.match(r"^[a-z][a-z0-9_]*$", name):
            raise LocalError(f"{at}: name must be lower case letters, digits and underscores, like county_asthma.")
        file = text(at, item, "file", limit=300)
        path = (folder or local_dir()) / file
        if ".." in Path(file).parts or Path(file).is_absolute() or path.suffix != ".csv":
            raise LocalError(f"{at}: file must be a .csv file inside the local folder, like data/county.csv.")
        if not path.is_file():
            raise LocalError(f"{at}: the file {file} is not in {folder or local_dir()}.")
        out.data.append({"name": name, "file": file, "title": text(at, item, "title", limit=300),
                         "source": text(at, item, "source", limit=500),
                         "description": text(at, item, "description", False), "units": units(at, item)})
    return out


def load_local(folder: Path | str | None = None) -> Local:
    folder = Path(folder) if folder else local_dir()
    path = folder / "local.yml"
    if not path.is_file():
        return Local(folder=folder)
    try:
        rel = path.relative_to(REPO_ROOT)
    except ValueError:
        rel = path
    return parse_local(path.read_text(encoding="utf-8"), str(rel), folder)


def load_data(name: str, local: Local | None = None):
    """A local data table as a pandas DataFrame, marked as local in its provenance."""
    import pandas as pd

    local = local or load_local()
    entry = next((d for d in local.data if d["name"] == name), None)
    if entry is None:
        raise LocalError(f"There is no local table {name!r}. Local tables: "
                         + (", ".join(d["name"] for d in local.data) or "none") + ".")
    df = pd.read_csv(local.folder / entry["file"])
    df.attrs["provenance"] = {"title": entry["title"], "publisher": entry["source"], "local": True,
                              "note": MARK.format(dept=local.department)}
    return df


# -- display -----------------------------------------------------------------------------------------
def _section(local: Local, heading: str) -> str:
    mark = esc(MARK.format(dept=local.department))
    parts = [f"<p><strong>{esc(heading)}</strong></p><p><em>{mark}</em></p>"]
    course = load_course()
    for c in local.cases:
        u = course.unit(c["unit"])
        where = f"{u.series} {u.number}" + (f", segment {c['segment']}" if c["segment"] else "")
        src = f" <em>Source: {esc(c['source'])}</em>" if c["source"] else ""
        parts.append(f"<p><strong>{esc(c['title'])}</strong> ({esc(where)})</p><p>{esc(c['text'])}{src}</p>")
    if local.resources:
        parts.append("<p><strong>Local resources</strong></p><ul>" + "".join(
            f'<li><a href="{esc(r["url"])}">{esc(r["title"])}</a>'
            + (f": {esc(r['description'])}" if r["description"] else "") + "</li>" for r in local.resources) + "</ul>")
    if local.contacts:
        parts.append("<p><strong>Who to contact</strong></p><ul>" + "".join(
            f"<li>{esc(c['name'])}, {esc(c['role'])}"
            + (f', <a href="mailto:{esc(c["email"])}">{esc(c["email"])}</a>' if c["email"] else "")
            + (f", {esc(c['phone'])}" if c["phone"] else "") + "</li>" for c in local.contacts) + "</ul>")
    if local.data:
        parts.append("<p><strong>Local data</strong> (load one with <code>hesj.local_data(\"NAME\")</code>)</p><ul>"
                     + "".join(f"<li><code>{esc(d['name'])}</code>: {esc(d['title'])}. Source: {esc(d['source'])}</li>"
                               for d in local.data) + "</ul>")
    return "".join(parts)


def show_unit(unit_id: str) -> Activity:
    """The local material for one unit, or nothing at all when the department added none."""
    local = load_local().for_unit(unit_id)
    if local.empty:
        return Activity(html="", text="")
    label = f"From {local.department}"
    return Activity(html=box(_section(local, label), label))


def show_all() -> Activity:
    local = load_local()
    if local.empty:
        msg = ("This copy of the course has no local material. A health department adds its own cases, resources, "
               "contacts and data in the folder local/ (see the adoption guide); they then appear here and at the end "
               "of each unit, marked as local.")
        return Activity(html=box(f"<p>{esc(msg)}</p>", "Local material"))
    label = f"From {local.department}"
    return Activity(html=box(_section(local, label), label))
