"""The course on a single-machine JupyterHub: install, configure, start, back up, restore.

    sudo ./course hub            install (once) into /opt/hesj and start the hub on 127.0.0.1:8000
    hesj hub install|start|backup|restore   (as root)

Layout under the prefix (default /opt/hesj; HESJ_HUB_PREFIX changes it):

    course/     a copy of the course (notebooks, assignments, the hesj package), readable by all
    venv/       the learners' environment, made from a Python every account can run
    venv/etc/jupyter/   system-wide Jupyter settings: nbgrader's exchange and course id; the
                formgrader switched off for learners
    proxy/      configurable-http-proxy, installed from the npm registry (deploy/hub/package.json)
    exchange/   nbgrader's shared exchange (learners submit, instructors release)
    groups/     learning groups (hesj group create, run in the grading service): members send shared
                reflections and progress into each group's inboxes; only the grading account reads them
    hub/        the hub's own database and cookie secret
    hub.env     settings read by deploy/hub/jupyterhub_config.py

Each learner is a local account (created by IT, or by `hesj hub add-user` for a trial); their
work stays in their home folder (mode 0700): notebooks/ with their own copies of the course
notebooks, and ~/.hesj/journal.sqlite. Grading runs as the `hesj-grader` account in a hub
service (`/services/hesj-grading/`) that only members of the hub group `hesj-instructors` may open.
"""
from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from .course import REPO_ROOT
from .errors import InputError

DEFAULT_PREFIX = Path(os.environ.get("HESJ_HUB_PREFIX", "/opt/hesj"))
GRADER = "hesj-grader"
SERVICE = "hesj-grading"
INSTRUCTORS_GROUP = "hesj-instructors"
COURSE_ID = "hesj"
SKIP = {".venv", "_build", ".git", "node_modules", "__pycache__", ".pytest_cache", "hesj.egg-info",
        ".ipynb_checkpoints", "drafts"}


class HubError(InputError):
    """A hub step failed; the message says what to do."""


def require_root() -> None:
    if os.geteuid() != 0:
        raise HubError("The hub runs each learner under their own account, so it must be set up and started as root "
                       "(for example: sudo ./course hub).")


def readable_by_all(path: Path) -> bool:
    """Can an ordinary account run or read ``path`` (every folder above it passable)?"""
    path = Path(os.path.realpath(path))
    for parent in list(path.parents)[::-1]:
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
    mode = os.stat(path).st_mode
    return bool(mode & stat.S_IROTH) and (not path.is_dir() or bool(mode & stat.S_IXOTH))


def find_shared_python() -> str:
    """A Python 3.11+ that every account can run (the learners' servers run as the learners)."""
    candidates = [os.environ.get("HESJ_HUB_PYTHON", ""), "/usr/bin/python3.11", "/usr/bin/python3.12",
                  "/usr/bin/python3.13", "/usr/local/bin/python3.11", "/usr/local/bin/python3.12", "/usr/bin/python3",
                  os.path.realpath(sys.executable)]
    for c in candidates:
        if not c or not os.path.exists(c) or not readable_by_all(Path(c)):
            continue
        ok = subprocess.run([c, "-c", "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"],
                            capture_output=True)
        if ok.returncode == 0:
            return c
    raise HubError("No Python 3.11 or newer that every account can run was found (the learners' servers run under "
                   "their own accounts). Install one (Debian: apt-get install python3.11 python3.11-venv) or set "
                   "HESJ_HUB_PYTHON.")


def _copy_course(target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)

    def ignore(folder, names):
        return [n for n in names if n in SKIP or n.endswith(".pyc")]

    shutil.copytree(REPO_ROOT, target, ignore=ignore, symlinks=False)


def _make_readable(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        if p.is_symlink():
            continue
        mode = os.stat(p).st_mode
        extra = stat.S_IROTH | stat.S_IRGRP
        if p.is_dir() or mode & stat.S_IXUSR:
            extra |= stat.S_IXOTH | stat.S_IXGRP
        os.chmod(p, mode | extra)


def _run(cmd, **kw) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise HubError(f"{' '.join(map(str, cmd))} failed:\n{(r.stdout + r.stderr)[-2000:]}")


def system_config(exchange: Path | str) -> dict[str, str]:
    """Files for <env>/etc/jupyter: learners' nbgrader settings; formgrader and authoring tools off."""
    return {
        "nbgrader_config.py": (
            "# Written by hesj.hub.write_system_config. Learners' servers read this: where the exchange is.\n"
            "c = get_config()  # noqa: F821\n"
            f"c.Exchange.root = {str(exchange)!r}\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"),
        "jupyter_server_config.d/hesj-learners.json": (
            '{"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": false, '
            '"nbgrader.server_extensions.course_list": false}}}\n'),
        "labconfig/page_config.json": (
            '{"disabledExtensions": {"@jupyter/nbgrader:formgrader": true, '
            '"@jupyter/nbgrader:create-assignment": true, "@jupyter/nbgrader:course-list": true}}\n'),
    }


def write_system_config(env_prefix: Path | str, exchange: Path | str) -> list[Path]:
    """Write the learners' Jupyter settings into an environment (a venv, or an image's conda env)."""
    written = []
    for rel, text in system_config(exchange).items():
        target = Path(env_prefix) / "etc" / "jupyter" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def install(prefix: Path = DEFAULT_PREFIX, *, log=print) -> Path:
    """Copy the course, build the learners' environment and the proxy, create the grader account."""
    require_root()
    prefix = Path(prefix)
    prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    log(f"copying the course to {prefix / 'course'} ...")
    _copy_course(prefix / "course")
    venv = prefix / "venv"
    if not (venv / "bin" / "jupyterhub-singleuser").exists():
        python = find_shared_python()
        log(f"creating the learners' environment in {venv} with {python} ...")
        _run([python, "-m", "venv", str(venv)])
    log("installing the course and its pinned dependencies (requirements/constraints.txt) ...")
    constraints = prefix / "course" / "requirements" / "constraints.txt"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "-c", str(constraints)]
    _run(pip + ["--upgrade", "pip"])
    _run(pip + ["-e", f"{prefix / 'course'}[hub]"])
    write_system_config(venv, prefix / "exchange")
    proxy = prefix / "proxy"
    proxy.mkdir(exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(REPO_ROOT / "deploy" / "hub" / name, proxy / name)
    if not (proxy / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        if not shutil.which("npm"):
            raise HubError("npm is needed to install configurable-http-proxy (Debian: apt-get install nodejs npm).")
        log("installing configurable-http-proxy from the npm registry (npm ci) ...")
        _run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=proxy)
    exchange = prefix / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o777 | stat.S_ISVTX)  # nbgrader's exchange: everyone writes, nobody deletes others' files
    (prefix / "hub").mkdir(exist_ok=True)
    os.chmod(prefix / "hub", 0o700)
    _make_readable(prefix / "course")
    _make_readable(venv)
    _make_readable(proxy)
    grader = ensure_account(GRADER)
    groups = prefix / "groups"  # learning groups: the facilitator (the grading account) owns them
    groups.mkdir(exist_ok=True)
    os.chown(groups, grader.pw_uid, grader.pw_gid)
    os.chmod(groups, 0o755)
    setup_grader(prefix)
    (prefix / ".installed").write_text(time.strftime("%Y-%m-%d %H:%M:%S"), encoding="utf-8")
    return prefix


def ensure_account(name: str, *, password: str | None = None) -> pwd.struct_passwd:
    """A local account with a private home folder (mode 0700)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _run(["useradd", "--create-home", "--shell", "/bin/bash", name])
        entry = pwd.getpwnam(name)
    if password is not None:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True, capture_output=True)
    os.chmod(entry.pw_dir, 0o700)
    return entry


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    for p in [path, *path.rglob("*")]:
        os.lchown(p, uid, gid)


def prepare_home(username: str, prefix: Path = DEFAULT_PREFIX) -> Path:
    """Before a learner's server starts: a private home with their own copies of the notebooks."""
    entry = pwd.getpwnam(username)
    home = Path(entry.pw_dir)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chmod(home, 0o700)
    notebooks = home / "notebooks"
    new = not notebooks.exists()
    notebooks.mkdir(exist_ok=True)
    for source in sorted((prefix / "course" / "notebooks").glob("*.ipynb")):
        target = notebooks / source.name
        if not target.exists():  # a learner's own copy is never overwritten
            shutil.copyfile(source, target)
            os.chown(target, entry.pw_uid, entry.pw_gid)
    if new:
        os.chown(notebooks, entry.pw_uid, entry.pw_gid)
    return home


def grader_dirs(prefix: Path = DEFAULT_PREFIX) -> dict[str, Path]:
    home = Path(pwd.getpwnam(GRADER).pw_dir)
    return {"home": home, "hesj_home": home / ".hesj", "course": home / ".hesj" / "workspace" / "course",
            "workspace": home / ".hesj" / "workspace", "jupyter_config": home / ".hesj" / "jupyter-config"}


def setup_grader(prefix: Path = DEFAULT_PREFIX, mode: str = "completion", db_url: str | None = None) -> dict[str, Path]:
    """The grading account's course folder and nbgrader settings, written as that account."""
    dirs = grader_dirs(prefix)
    cmd = ["runuser", "-u", GRADER, "--", "env", f"HESJ_HOME={dirs['hesj_home']}",
           str(prefix / "venv" / "bin" / "hesj"), "setup-course", "--mode", mode,
           "--exchange", str(prefix / "exchange")]
    if db_url:
        cmd += ["--db-url", db_url]
    _run(cmd, cwd="/")
    # the grading service's own server switches the formgrader back on
    conf = dirs["jupyter_config"] / "jupyter_server_config.d"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "hesj-grader.json").write_text(
        '{"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": true}}}\n', encoding="utf-8")
    labconf = dirs["jupyter_config"] / "labconfig"
    labconf.mkdir(exist_ok=True)
    (labconf / "page_config.json").write_text('{"disabledExtensions": {}}\n', encoding="utf-8")
    entry = pwd.getpwnam(GRADER)
    _chown_tree(dirs["hesj_home"], entry.pw_uid, entry.pw_gid)
    return dirs


# ---- backups -------------------------------------------------------------------------------

def _sqlite_snapshot(db: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API, not a file copy)."""
    import sqlite3

    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def backup(target: Path | str, users: list[str], prefix: Path = DEFAULT_PREFIX) -> Path:
    """One archive of learners' homes (notebooks and journals), the grader's course and gradebook,
    and the exchange. SQLite files are copied with SQLite's backup API so a running hub is safe."""
    require_root()
    target = Path(target)
    tmp = target.with_suffix(".snapshots")
    tmp.mkdir(parents=True, exist_ok=True)
    homes = [Path(pwd.getpwnam(u).pw_dir) for u in [*users, GRADER]]
    with tarfile.open(target, "w:gz") as tar:
        for home in homes:
            for path in sorted(home.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    if path.suffix in (".sqlite", ".db"):
                        snap = tmp / f"{abs(hash(str(path)))}.db"
                        _sqlite_snapshot(path, snap)
                        info = tar.gettarinfo(str(snap), arcname=str(path).lstrip("/"))
                        st = path.stat()
                        info.uid, info.gid, info.mode = st.st_uid, st.st_gid, st.st_mode
                        with snap.open("rb") as fh:
                            tar.addfile(info, fh)
                    elif not path.name.endswith(("-wal", "-shm", "-journal")):
                        tar.add(str(path), arcname=str(path).lstrip("/"), recursive=False)
        tar.add(str(prefix / "exchange"), arcname=str(prefix / "exchange").lstrip("/"))
        if (prefix / "groups").is_dir():
            tar.add(str(prefix / "groups"), arcname=str(prefix / "groups").lstrip("/"))
    shutil.rmtree(tmp, ignore_errors=True)
    os.chmod(target, 0o600)
    return target


def restore(archive: Path | str, only: str | None = None) -> list[str]:
    """Put files back from a backup (all of them, or those under the path ``only``), with owners."""
    require_root()
    restored = []
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar.getmembers() if only is None or ("/" + m.name).startswith(str(only).rstrip("/"))]
        for m in members:
            if m.isfile():
                for sidecar in ("-wal", "-shm"):
                    Path("/" + m.name + sidecar).unlink(missing_ok=True)
        tar.extractall("/", members=members, numeric_owner=True, filter="fully_trusted")
        restored = ["/" + m.name for m in members if m.isfile()]
    return restored
