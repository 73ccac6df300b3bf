"""The learner journal: a private SQLite file in the learner's own HESJ folder.

One row per answer (``answers``) with the unit, the prompt id, the text and
timestamps; every save also appends to ``revisions``, so earlier wordings are
kept. Only the learner's own kernel opens this file; nothing in the package
sends its contents anywhere. Exports are files the learner asks for.

Safety rules this module keeps:

* writes are single ``BEGIN IMMEDIATE`` transactions, retried while another
  kernel holds the lock, so two kernels can write at once;
* WAL mode on local disks; the rollback journal on network file systems
  (NFS, SMB, ...), where SQLite's WAL mode is not safe;
* a file that is not a readable SQLite database is moved aside (never
  overwritten) and a clear error says where it went;
* if a save still fails, the text is written to a plain rescue file and the
  error says where, so nothing a learner typed is lost silently.
"""
from __future__ import annotations

import html
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from .paths import journal_path

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,            -- reflection | check | activity
    unit TEXT NOT NULL,
    prompt_id TEXT NOT NULL,
    prompt TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, unit, prompt_id)
);
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    prompt_id TEXT NOT NULL,
    text TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS revisions_by_prompt ON revisions (kind, unit, prompt_id);
"""

# File-system types on which SQLite's WAL mode is unsafe (shared memory
# across hosts does not work there): https://www.sqlite.org/wal.html
NETWORK_FS = {
    "nfs", "nfs4", "cifs", "smbfs", "smb3", "afs", "fuse.sshfs", "sshfs",
    "lustre", "gpfs", "ceph", "fuse.ceph", "glusterfs", "fuse.glusterfs",
    "9p", "davfs", "fuse.gcsfuse", "fuse.s3fs", "beegfs",
}


class JournalError(RuntimeError):
    """A journal problem, with a message that says what to do."""


class JournalCorruptError(JournalError):
    """The journal file could not be read as a database and was moved aside."""

    def __init__(self, message: str, moved_to: Path):
        super().__init__(message)
        self.moved_to = moved_to


@dataclass(frozen=True)
class Entry:
    kind: str
    unit: str
    prompt_id: str
    prompt: str
    text: str
    created_at: str
    updated_at: str


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def filesystem_type(path: Path, mounts_text: str | None = None) -> str:
    """The type of the file system holding ``path`` (from /proc/mounts).

    Returns "" when it cannot be told (no /proc, e.g. macOS or Windows).
    """
    if mounts_text is None:
        try:
            mounts_text = Path("/proc/mounts").read_text()
        except OSError:
            return ""
    target = os.path.realpath(path)
    best, best_type = "", ""
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        prefix = mount_point.rstrip("/") + "/"
        if (target == mount_point or target.startswith(prefix) or mount_point == "/") and len(
            mount_point
        ) >= len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def choose_journal_mode(folder: Path, mounts_text: str | None = None) -> str:
    """'wal' on local disks, 'delete' (rollback journal) on network file systems.

    ``HESJ_JOURNAL_MODE`` (wal or delete) overrides the detection.
    """
    forced = os.environ.get("HESJ_JOURNAL_MODE", "").strip().lower()
    if forced in ("wal", "delete"):
        return forced
    if forced:
        raise JournalError(
            f"HESJ_JOURNAL_MODE is {forced!r}; set it to 'wal', 'delete', or leave it unset."
        )
    return "delete" if filesystem_type(folder, mounts_text) in NETWORK_FS else "wal"


class Journal:
    """A learner's journal file. Cheap to create; connects per operation."""

    def __init__(self, path: Path | str | None = None, *, retries: int = 50, timeout: float = 10.0):
        self.path = Path(path) if path is not None else journal_path()
        self.retries = retries
        self.timeout = timeout
        self._ready = False
        self.mode = ""

    # -- connection and set-up ------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(self.path.parent, 0o700)  # the learner's alone
        except PermissionError as exc:
            raise JournalError(
                f"The journal folder {self.path.parent} cannot be used ({exc.strerror}). "
                "Set HESJ_HOME to a folder you can write to, then restart the kernel."
            ) from None
        except OSError:
            pass  # e.g. chmod on a file system that ignores it
        if self.path.exists() and not os.access(self.path, os.R_OK | os.W_OK):
            raise JournalError(
                f"The journal {self.path} cannot be read or written by you. "
                "Ask whoever runs your hub to restore your permissions on it; it was left as it is."
            )
        con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        if not self._ready:
            try:
                self._prepare(con)
            except sqlite3.DatabaseError as exc:
                con.close()
                message = str(exc)
                if any(s in message for s in ("not a database", "malformed", "integrity check failed")):
                    raise self._move_aside(exc) from None
                raise
            self._ready = True
        return con

    def _prepare(self, con: sqlite3.Connection) -> None:
        check = con.execute("PRAGMA quick_check").fetchone()
        if not check or check[0] != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check}")
        wanted = choose_journal_mode(self.path.parent)
        current = con.execute("PRAGMA journal_mode").fetchone()[0].lower()
        if current != wanted:
            current = self._retry(
                lambda: con.execute(f"PRAGMA journal_mode = {wanted}").fetchone()[0].lower()
            )
        self.mode = current
        self._retry(lambda: con.executescript(_SCHEMA))
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _move_aside(self, exc: Exception) -> JournalCorruptError:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        moved = self.path.with_name(f"{self.path.name}.unreadable-{stamp}")
        n = 1
        while moved.exists():
            moved = self.path.with_name(f"{self.path.name}.unreadable-{stamp}-{n}")
            n += 1
        os.replace(self.path, moved)
        for suffix in ("-wal", "-shm", "-journal"):
            side = Path(str(self.path) + suffix)
            if side.exists():
                os.replace(side, Path(str(moved) + suffix))
        return JournalCorruptError(
            f"Your journal file could not be read ({exc}). It was moved, unchanged, to {moved} "
            "so nothing in it is lost. A new, empty journal will be started the next time you save. "
            "Ask your course team for help recovering the old file.",
            moved,
        )

    def _retry(self, fn):
        delay = 0.01
        for attempt in range(self.retries):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if attempt == self.retries - 1:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    # -- writing ----------------------------------------------------------------
    def save(self, unit: str, prompt_id: str, text: str, *, kind: str = "reflection", prompt: str = "") -> Entry:
        """Save an answer (a new revision if one exists). Returns the stored entry.

        If the journal cannot be written, the text goes to a rescue file and a
        JournalError says where.
        """
        if not isinstance(text, str):
            raise TypeError("text must be a string")
        try:
            return self._save(unit, prompt_id, text, kind, prompt)
        except JournalCorruptError as exc:
            raise JournalCorruptError(f"{exc} {self._rescue(unit, prompt_id, text)}", exc.moved_to) from None
        except (sqlite3.Error, OSError, JournalError) as exc:
            raise JournalError(
                f"Your answer could not be saved to the journal ({exc}). "
                f"{self._rescue(unit, prompt_id, text)} Try saving again in a moment."
            ) from None

    def _save(self, unit, prompt_id, text, kind, prompt) -> Entry:
        con = self._connect()
        try:
            def write():
                now = _now()
                con.execute("BEGIN IMMEDIATE")
                try:
                    con.execute(
                        "INSERT INTO answers (kind, unit, prompt_id, prompt, text, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (kind, unit, prompt_id) DO UPDATE SET"
                        " text = excluded.text, prompt = excluded.prompt, updated_at = excluded.updated_at",
                        (kind, unit, prompt_id, prompt, text, now, now),
                    )
                    con.execute(
                        "INSERT INTO revisions (kind, unit, prompt_id, text, saved_at) VALUES (?, ?, ?, ?, ?)",
                        (kind, unit, prompt_id, text, now),
                    )
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise

            self._retry(write)
            return self._get(con, kind, unit, prompt_id)
        finally:
            con.close()

    def _rescue(self, unit: str, prompt_id: str, text: str) -> str:
        """Keep text that could not be saved in a plain file; say where (or what to do)."""
        try:
            folder = self.path.parent / "unsaved"
            folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in f"{unit}-{prompt_id}")
            target = folder / f"{stamp}-{safe}.txt"
            target.write_text(text, encoding="utf-8")
        except OSError:
            return ("It could not be copied to a file either, so it is still only in the box: "
                    "copy it somewhere safe before you close the notebook.")
        return f"Your answer was kept in {target}."

    # -- reading ----------------------------------------------------------------
    @staticmethod
    def _get(con, kind, unit, prompt_id) -> Entry | None:
        row = con.execute(
            "SELECT kind, unit, prompt_id, prompt, text, created_at, updated_at FROM answers"
            " WHERE kind = ? AND unit = ? AND prompt_id = ?",
            (kind, unit, prompt_id),
        ).fetchone()
        return Entry(*row) if row else None

    def get(self, unit: str, prompt_id: str, *, kind: str = "reflection") -> Entry | None:
        if not self.path.exists():
            return None
        con = self._connect()
        try:
            return self._get(con, kind, unit, prompt_id)
        finally:
            con.close()

    def entries(self, *, kind: str | None = None, unit: str | None = None) -> list[Entry]:
        if not self.path.exists():
            return []
        sql = "SELECT kind, unit, prompt_id, prompt, text, created_at, updated_at FROM answers WHERE 1=1"
        args: list[str] = []
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        if unit:
            sql += " AND unit = ?"
            args.append(unit)
        sql += " ORDER BY unit, created_at, id"
        con = self._connect()
        try:
            return [Entry(*row) for row in con.execute(sql, args)]
        finally:
            con.close()

    def revisions(self, unit: str, prompt_id: str, *, kind: str = "reflection") -> list[tuple[str, str]]:
        """(saved_at, text) of every saved version, oldest first."""
        if not self.path.exists():
            return []
        con = self._connect()
        try:
            return list(
                con.execute(
                    "SELECT saved_at, text FROM revisions WHERE kind = ? AND unit = ? AND prompt_id = ? ORDER BY id",
                    (kind, unit, prompt_id),
                )
            )
        finally:
            con.close()

    def count(self) -> tuple[int, int]:
        """(answers, revisions) stored."""
        if not self.path.exists():
            return (0, 0)
        con = self._connect()
        try:
            return (
                con.execute("SELECT count(*) FROM answers").fetchone()[0],
                con.execute("SELECT count(*) FROM revisions").fetchone()[0],
            )
        finally:
            con.close()

    # -- leaving the journal: exports and deletion --------------------------------
    def export_markdown(self, target: Path | str, *, units: Iterable[str] | None = None) -> Path:
        """Write the learner's reflections as a Markdown portfolio.

        Learner text is escaped (``&``, ``<``, ``>``) so that no Markdown viewer
        runs HTML or script that happened to be typed into an answer.
        """
        target = Path(target)
        lines = ["# My HESJ reflection portfolio", "", f"Exported {_now()[:19]} UTC.", ""]
        for unit, items in _by_unit(self.entries(kind="reflection"), units):
            lines += [f"## {_md(unit)}", ""]
            for e in items:
                lines += [f"### {_md(e.prompt or e.prompt_id)}", ""]
                lines += [_md(e.text), "", f"*Last saved {e.updated_at[:19]} UTC*", ""]
        target.write_text("\n".join(lines), encoding="utf-8")
        return target

    def export_html(self, target: Path | str, *, units: Iterable[str] | None = None) -> Path:
        """Write the learner's reflections as a self-contained, accessible HTML page."""
        target = Path(target)
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>My HESJ reflection portfolio</title>",
            "<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;"
            "padding:0 1rem;line-height:1.5;color:#1a1a1a;background:#fff}"
            "blockquote{white-space:pre-wrap;border-left:4px solid #595959;margin:0;padding:.25rem 1rem}"
            "p.meta{color:#4a4a4a;font-size:.9rem}</style>",
            "</head><body><main>",
            "<h1>My HESJ reflection portfolio</h1>",
            f'<p class="meta">Exported {html.escape(_now()[:19])} UTC.</p>',
        ]
        for unit, items in _by_unit(self.entries(kind="reflection"), units):
            parts.append(f"<section><h2>{html.escape(unit)}</h2>")
            for e in items:
                parts.append(f"<h3>{html.escape(e.prompt or e.prompt_id)}</h3>")
                parts.append(f"<blockquote>{html.escape(e.text)}</blockquote>")
                parts.append(f'<p class="meta">Last saved {html.escape(e.updated_at[:19])} UTC</p>')
            parts.append("</section>")
        parts.append("</main></body></html>")
        target.write_text("\n".join(parts), encoding="utf-8")
        return target

    def files(self) -> list[Path]:
        """Every file that holds journal text: the database, its WAL and rollback
        files, copies moved aside as unreadable, and rescue files."""
        folder = self.path.parent
        found = [p for p in folder.glob(self.path.name + "*") if p.is_file()]
        rescue = folder / "unsaved"
        if rescue.is_dir():
            found += [p for p in rescue.iterdir() if p.is_file()]
        return sorted(found)

    def delete(self) -> list[Path]:
        """Delete the journal entirely. Returns the files removed."""
        removed = []
        for p in self.files():
            p.unlink()
            removed.append(p)
        rescue = self.path.parent / "unsaved"
        if rescue.is_dir() and not any(rescue.iterdir()):
            rescue.rmdir()
        self._ready = False
        return removed

    def import_assignment(self, notebook: Path | str, unit: str | None = None) -> list[Entry]:
        """Copy the learner's own reflection answers from an nbgrader assignment notebook.

        Graded reflections are answer cells in the assignment, not journal entries;
        importing them (the learner's choice, from their own copy) makes the
        portfolio complete. Answers still holding nbgrader's placeholder are
        skipped; importing twice adds a revision only when the text changed.
        """
        import nbformat

        from .errors import InputError

        path = Path(notebook)
        try:
            nb = nbformat.read(path, as_version=4)
        except FileNotFoundError:
            raise InputError(f"There is no notebook at {path}. Give the path of your copy of the assignment.") from None
        except Exception as exc:  # nbformat raises several kinds for a file that is not a notebook
            raise InputError(f"{path.name} could not be read as a notebook ({exc.__class__.__name__}). "
                             "Give the .ipynb file of your assignment.") from None
        unit = unit or path.stem
        prompts = {}
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if gid.endswith("-prompt"):
                lines = [ln for ln in cell.source.splitlines() if ln.strip()]
                prompts[gid[: -len("-prompt")]] = lines[0].lstrip("# ").strip() if lines else gid
        saved = []
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            gid = meta.get("grade_id", "")
            if cell.cell_type != "markdown" or not meta.get("solution") or not gid.startswith("reflection-"):
                continue
            text = cell.source.strip()
            if not text or text == "YOUR ANSWER HERE":
                continue
            prompt_id = f"assignment/{gid}"
            before = self.get(unit, prompt_id)
            if before is not None and before.text == text:
                continue
            saved.append(self.save(unit, prompt_id, text, prompt=prompts.get(gid, gid)))
        return saved

    def dump_json(self) -> str:
        """Every answer and revision as JSON (for the learner's own backup)."""
        data = {"answers": [e.__dict__ for e in self.entries()]}
        return json.dumps(data, indent=2, ensure_ascii=False)


def _md(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _by_unit(entries: list[Entry], units: Iterable[str] | None):
    wanted = set(units) if units is not None else None
    grouped: dict[str, list[Entry]] = {}
    for e in entries:
        if wanted is None or e.unit in wanted:
            grouped.setdefault(e.unit, []).append(e)
    return grouped.items()
