"""Run learners' code, at autograde, with no more rights than it needs.

nbgrader executes every submitted notebook in a kernel. Here that kernel is
started through a small launcher (``python -m hesj.grading.sandbox ... -- CMD``)
which, before it replaces itself with the kernel:

* gives the kernel a private, empty folder of its own: a copy of the submission's
  data files (never the notebook, which holds the hidden tests by then), which is
  also the only writable place it can see (its /tmp, /var/tmp and /dev/shm);
* when it runs as root (a grading service, a container, CI): enters a private
  mount namespace in which the course folder, the gradebook, the exchange and the
  source assignments are covered by empty file systems, and only the Python
  environment is made reachable; then switches to an unprivileged account (a
  numeric uid with no login, one per parallel grading slot, so two learners'
  kernels never share an account) with no supplementary groups;
* sets resource limits: CPU seconds, address space (memory), processes and
  threads, the size of any file written, and open files;
* passes on only a short list of environment variables (no tokens, no database
  passwords, no HESJ_HOME).

Without root the kernel runs as the instructor's own account with the limits and
the private folder only; :func:`isolation` says which applies, and ``hesj grade``
prints it. After each notebook every process left under the slot's uid is killed
and the private folder removed.

No container engine is needed: Linux mount namespaces, setuid and setrlimit do it.
"""
from __future__ import annotations

import ctypes
import os
import resource
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Integer, List, Unicode

UID_BASE = 64000
ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "TZ", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE")
SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# <linux/mount.h>, <sched.h>
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18
CLONE_NEWNS = 0x00020000


def slot_uid(slot: int | None = None) -> int:
    """The sandbox uid for a grading slot (HESJ_SANDBOX_SLOT, default 0)."""
    if slot is None:
        slot = int(os.environ.get("HESJ_SANDBOX_SLOT", "0"))
    base = int(os.environ.get("HESJ_SANDBOX_UID_BASE", str(UID_BASE)))
    return base + slot


_isolation: str | None = None


def _works_in_a_child(attempt) -> bool:
    """Run ``attempt`` in a throw-away child process; True when it did not raise."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            attempt()
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _can_unshare() -> bool:
    """Try a private mount namespace (containers often forbid it)."""
    return _works_in_a_child(_unshare_mounts)


def _can_unshare_user() -> bool:
    """Can this (unprivileged) account make a user and mount namespace? Most Linux systems allow it."""
    return _works_in_a_child(lambda: _unshare_user_mounts(os.getuid(), os.getgid()))


ISOLATION_LEVELS = ("full", "private", "limits")


def isolation() -> str:
    """How learners' code is isolated here, strongest first:

    * 'full': as root, a separate account in a private mount namespace, with limits;
    * 'private': as an ordinary account (an instructor's laptop, the hub's grading service), a user
      and mount namespace in which the grader's home, course folder, gradebook and exchange are
      covered by empty file systems; the code runs under the grader's own account, with limits;
    * 'limits': only the resource limits and a private working folder (where namespaces are not
      allowed, as in some containers).

    HESJ_SANDBOX_ISOLATION forces a weaker level ('private' or 'limits').
    """
    global _isolation
    if _isolation is None:
        forced = os.environ.get("HESJ_SANDBOX_ISOLATION", "")
        if forced not in ("", *ISOLATION_LEVELS):
            raise ValueError(f"HESJ_SANDBOX_ISOLATION must be one of {ISOLATION_LEVELS}, not {forced!r}")
        linux = sys.platform.startswith("linux")
        if linux and os.geteuid() == 0 and forced in ("", "full") and _can_unshare():
            _isolation = "full"
        elif linux and forced in ("", "full", "private") and _can_unshare_user():
            _isolation = "private"
        else:
            _isolation = "limits"
    return _isolation


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start through the sandbox launcher."""

    cpu_seconds = Integer(120, help="CPU seconds a notebook's kernel may use in all").tag(config=True)
    memory_mb = Integer(2048, help="address space of the kernel, in MiB").tag(config=True)
    processes = Integer(64, help="processes and threads the sandbox account may run (as root only)").tag(config=True)
    file_mb = Integer(50, help="largest file the kernel may write, in MiB").tag(config=True)
    open_files = Integer(256, help="open files").tag(config=True)
    hide = List(Unicode(), help="folders and files the kernel must not see (course, gradebook, exchange, source)").tag(config=True)
    uid = Integer(-1, help="the sandbox account (default: from HESJ_SANDBOX_SLOT)").tag(config=True)

    _homes: list[Path] = []

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments=extra_arguments)
        uid = self.uid if self.uid >= 0 else slot_uid()
        home = Path(tempfile.mkdtemp(prefix="hesj-sandbox-"))
        SandboxKernelManager._homes.append(home)
        launcher = [sys.executable, "-m", "hesj.grading.sandbox", "--isolation", isolation(),
                    "--home", str(home), "--uid", str(uid),
                    "--cpu", str(self.cpu_seconds), "--memory-mb", str(self.memory_mb),
                    "--processes", str(self.processes), "--file-mb", str(self.file_mb),
                    "--open-files", str(self.open_files)]
        for path in self.hide:
            launcher += ["--hide", path]
        return launcher + ["--"] + cmd


class SandboxExecute(Execute):
    """nbgrader's Execute, with kernels started in the sandbox and cleaned up after."""

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxKernelManager
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        try:
            return super().preprocess(nb, resources, km=km)
        finally:
            cleanup()


def cleanup() -> None:
    """Kill what is left under the sandbox uid and remove the private folders."""
    if isolation() == "full":
        kill_all(slot_uid())
    while SandboxKernelManager._homes:
        shutil.rmtree(SandboxKernelManager._homes.pop(), ignore_errors=True)


def kill_all(uid: int) -> None:
    """SIGKILL every process that runs as ``uid`` (kill(-1) from a child that has become uid)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


# ---- the launcher (runs as the kernel's parent, then execs the kernel) ----

_libc = None


def _mount(source, target, fstype, flags, data=None):
    global _libc
    _libc = _libc or ctypes.CDLL(None, use_errno=True)
    enc = lambda s: None if s is None else str(s).encode()  # noqa: E731
    if _libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _unshare_mounts():
    global _libc
    _libc = _libc or ctypes.CDLL(None, use_errno=True)
    if _libc.unshare(CLONE_NEWNS) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare(CLONE_NEWNS): {os.strerror(err)}")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)


CLONE_NEWUSER = 0x10000000


def _unshare_user_mounts(uid: int, gid: int):
    """A user namespace mapping only our own ids, with a private mount namespace inside it."""
    global _libc
    _libc = _libc or ctypes.CDLL(None, use_errno=True)
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare(CLONE_NEWUSER|CLONE_NEWNS): {os.strerror(err)}")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)


def _cover(folder: Path, keep_names, stage_root: Path, mode: str = "0711") -> None:
    """Cover ``folder`` with an empty tmpfs, mounting back only its children named in ``keep_names``."""
    staged = []
    for name in sorted(keep_names):
        stage = Path(tempfile.mkdtemp(dir=stage_root))
        _mount(folder / name, stage, None, MS_BIND | MS_REC)
        staged.append((name, stage))
    _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode},size=64k")
    for name, stage in staged:
        target = folder / name
        if stage.is_dir():
            target.mkdir()
        else:
            target.touch()
        _mount(stage, target, None, MS_MOVE)
        stage.rmdir()


def cover(folder, keep, stage_root: Path) -> None:
    """Hide everything in ``folder`` except what the paths in ``keep`` need."""
    folder = Path(folder).resolve()
    names = set()
    for p in keep:
        p = Path(p).resolve()
        if folder in p.parents:
            names.add(p.relative_to(folder).parts[0])
    if folder.is_dir():
        _cover(folder, names, stage_root, mode="0700")


def _blocked(path: Path) -> tuple[Path, str] | None:
    """The first folder on the way to ``path`` that other accounts cannot pass through."""
    current = Path("/")
    for name in path.parts[1:]:
        if not os.stat(current).st_mode & 0o001:
            return current, name
        current = current / name
    return None


def expose(paths, stage_root: Path) -> None:
    """Inside the private namespace, make ``paths`` reachable by other accounts.

    A folder that others cannot enter (such as /root when Python was installed under
    it) is covered with an empty tmpfs that others may pass through but not list, and
    only the needed children are mounted back into it. Everything else in it stays
    out of sight.
    """
    paths = [Path(p).resolve() for p in paths if Path(p).exists()]
    for _ in range(32):
        blocked = {}
        for p in paths:
            hit = _blocked(p)
            if hit:
                blocked.setdefault(hit[0], set()).add(hit[1])
        if not blocked:
            return
        folder = min(blocked, key=lambda f: len(f.parts))
        _cover(folder, blocked[folder], stage_root)
    raise OSError("could not make the Python environment reachable for the sandbox account")


def _holds(folder: str, paths) -> bool:
    f = Path(folder).resolve()
    return any(f == Path(p).resolve() or f in Path(p).resolve().parents for p in paths)


def confine_scratch(home: Path, needed) -> None:
    """The kernel's own folder is the only place it can write.

    Shared scratch places (/var/tmp, /dev/shm, /run/lock) become its own folder; /tmp stays
    visible (Python itself may live there) but read-only, except the kernel's own folder in it.
    """
    for tmp in ("/var/tmp", "/dev/shm", "/run/lock"):
        if os.path.isdir(tmp) and not os.path.islink(tmp) and not _holds(tmp, [*needed, home]):
            try:
                _mount(home, tmp, None, MS_BIND)
            except OSError:
                pass  # a place this account could not write to anyway
    # the kernel's folder becomes a mount of its own first, so the recursive bind of /tmp carries it
    # as a writable submount when /tmp itself is made read-only
    _mount(home, home, None, MS_BIND)
    _mount("/tmp", "/tmp", None, MS_BIND | MS_REC)
    _mount(None, "/tmp", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def hide(paths) -> None:
    for p in paths:
        p = Path(p)
        if p.is_dir():
            _mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0000,size=4k")
        elif p.exists():
            _mount("/dev/null", p, None, MS_BIND)


def needed_paths(exclude=()) -> list[str]:
    """What the kernel must be able to read: the interpreter, its libraries, the course package.

    Never the launcher's working folder (the submission inside the course folder) or anything
    under ``exclude``.
    """
    import hesj

    out = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.realpath(sys.executable),
           str(Path(hesj.__file__).resolve().parent.parent)}
    out.update(p for p in sys.path if p and os.path.isdir(p))
    banned = [Path(x).resolve() for x in (*exclude, os.getcwd())]
    return sorted(p for p in out
                  if not any(Path(p).resolve() == b or b in Path(p).resolve().parents for b in banned))


COPY_MAX_FILES, COPY_MAX_BYTES = 2000, 500 * 1024 * 1024


def copy_workdir(source: Path, home: Path) -> None:
    """Copy the submission's data files (never notebooks) into the kernel's own folder
    (at most COPY_MAX_FILES files and COPY_MAX_BYTES bytes: an assignment's data, not a disk).

    Symbolic links are never followed or copied: as root, following one could hand the kernel a
    file it may not read."""
    files = size = 0
    for folder, dirs, names in os.walk(source, followlinks=False):
        rel_folder = Path(folder).relative_to(source)
        dirs[:] = [d for d in dirs if not d.startswith(".ipynb_checkpoints")
                   and not os.path.islink(os.path.join(folder, d))]
        (home / rel_folder).mkdir(parents=True, exist_ok=True)
        for name in names:
            path = Path(folder) / name
            if path.suffix == ".ipynb" or path.is_symlink() or not path.is_file():
                continue
            if files >= COPY_MAX_FILES or size >= COPY_MAX_BYTES:
                print(f"hesj sandbox: stopped copying {source} after {files} files ({size} bytes)", file=sys.stderr)
                return
            target = home / rel_folder / name
            shutil.copyfile(path, target, follow_symlinks=False)
            files += 1
            size += target.stat().st_size


def _chown_tree(home: Path, uid: int) -> None:
    for path in [home, *home.rglob("*")]:
        os.lchown(path, uid, uid)


def launch(argv: list[str]) -> None:  # pragma: no cover - replaced by exec; exercised by the tests
    import argparse

    p = argparse.ArgumentParser(prog="python -m hesj.grading.sandbox")
    p.add_argument("--isolation", choices=list(ISOLATION_LEVELS), default="limits")
    p.add_argument("--home", required=True)
    p.add_argument("--uid", type=int, required=True)
    p.add_argument("--cpu", type=int, default=120)
    p.add_argument("--memory-mb", type=int, default=2048)
    p.add_argument("--processes", type=int, default=64)
    p.add_argument("--file-mb", type=int, default=50)
    p.add_argument("--open-files", type=int, default=256)
    p.add_argument("--hide", action="append", default=[])
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    home = Path(args.home)
    full = args.isolation == "full" and os.geteuid() == 0

    copy_workdir(Path.cwd(), home)
    # the connection file lives in the instructor's runtime folder: give the kernel its own copy
    if "-f" in cmd:
        i = cmd.index("-f") + 1
        own = home / ".connection.json"
        shutil.copyfile(cmd[i], own)
        cmd[i] = str(own)
    view = home
    if full:
        needed = needed_paths(exclude=[h for h in args.hide if h])
        stage_root = Path(tempfile.mkdtemp(prefix="hesj-stage-"))
        _unshare_mounts()
        expose(needed, stage_root)
        stage_root.rmdir()
        hide([h for h in args.hide if h])
        _chown_tree(home, args.uid)
        os.chmod(home, 0o700)
        confine_scratch(home, needed)
        try:
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible")
        except OSError:
            pass  # older kernels: other accounts' processes stay listed (their details do not)
    elif args.isolation == "private":
        import pwd

        needed = needed_paths(exclude=[h for h in args.hide if h])
        stage_root = Path(tempfile.mkdtemp(prefix="hesj-stage-"))
        _unshare_user_mounts(os.getuid(), os.getgid())
        # the grader's own home (course folder, gradebook, journal, keys) is covered; only what
        # Python needs from it, if anything, is mounted back
        for h in {os.path.expanduser("~"), pwd.getpwuid(os.getuid()).pw_dir}:
            if h and os.path.isdir(h) and Path(h).resolve() != Path("/"):
                cover(h, needed, stage_root)
        stage_root.rmdir()
        hide([h for h in args.hide if h])
        os.chmod(home, 0o700)
        confine_scratch(home, needed)

    env = {k: v for k, v in os.environ.items() if k in ENV_KEEP or k.startswith("LC_")}
    env.update(SINGLE_THREAD)
    env.update(HOME=str(view), TMPDIR=str(view), USER="hesj-sandbox", LOGNAME="hesj-sandbox",
               IPYTHONDIR=str(view / ".ipython"), JUPYTER_RUNTIME_DIR=str(view / ".runtime"),
               JUPYTER_DATA_DIR=str(view / ".jupyter-data"), MPLCONFIGDIR=str(view / ".matplotlib"),
               JUPYTER_PLATFORM_DIRS="1", HESJ_SANDBOXED="1")

    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_CPU, (args.cpu, args.cpu + 5))
    resource.setrlimit(resource.RLIMIT_AS, (args.memory_mb * mb, args.memory_mb * mb))
    resource.setrlimit(resource.RLIMIT_FSIZE, (args.file_mb * mb, args.file_mb * mb))
    resource.setrlimit(resource.RLIMIT_NOFILE, (args.open_files, args.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # a file past the limit makes write() fail with an error the learner sees, not a silent kill
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if full:
        resource.setrlimit(resource.RLIMIT_NPROC, (args.processes, args.processes))
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)
    os.chdir(view)
    os.umask(0o077)
    # the kernel's own start-up chatter goes to a log in its folder, not into the grader's terminal
    log = os.open(".kernel-log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.execvpe(cmd[0], cmd, env)


if __name__ == "__main__":  # pragma: no cover
    launch(sys.argv[1:])
