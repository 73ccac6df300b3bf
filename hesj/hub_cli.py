"""``hesj hub``: run the course on a single-machine JupyterHub (as root).

    hesj hub install               copy the course to the prefix, build the learners' environment and the proxy
    hesj hub start                 install if needed, then start JupyterHub (deploy/hub/jupyterhub_config.py)
    hesj hub add-user NAME [--instructor] [--password-stdin]   a local account for a trial
    hesj hub backup FILE --users a,b,c                        learners' homes, gradebook, exchange
    hesj hub restore FILE [--only PATH]                       put them back, with their owners
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .course import REPO_ROOT


def run(args) -> int:
    from . import hub

    prefix = Path(args.prefix)
    try:
        if args.action == "install":
            hub.install(prefix)
            print(f"installed in {prefix}")
        elif args.action == "start":
            if not (prefix / ".installed").exists() or args.reinstall:
                hub.install(prefix)
            env = dict(os.environ, HESJ_HUB_PREFIX=str(prefix))
            config = REPO_ROOT / "deploy" / "hub" / "jupyterhub_config.py"
            jupyterhub = Path(sys.executable).parent / "jupyterhub"
            print(f"Starting JupyterHub on http://{env.get('HESJ_HUB_IP', '127.0.0.1')}:{env.get('HESJ_HUB_PORT', '8000')} "
                  "(stop it with Ctrl+C) ...", flush=True)
            os.chdir(prefix / "hub")
            os.execve(str(jupyterhub), [str(jupyterhub), "-f", str(config)], env)
        elif args.action == "add-user":
            hub.require_root()
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
            hub.ensure_account(args.name, password=password)
            hub.prepare_home(args.name, prefix)
            print(f"account {args.name} ready" + (" (add it to HESJ_HUB_INSTRUCTORS to let it grade)"
                                                   if args.instructor else ""))
        elif args.action == "backup":
            users = [u for u in (args.users or "").split(",") if u]
            print(f"wrote {hub.backup(args.file, users, prefix)}")
        elif args.action == "restore":
            print(f"restored {len(hub.restore(args.file, args.only))} file(s)")
        return 0
    except hub.HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def add_parser(sub) -> None:
    from .hub import DEFAULT_PREFIX

    s = sub.add_parser("hub", help="run the course on a single-machine JupyterHub (as root)", description=__doc__,
                       formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    s.add_argument("action", choices=["install", "start", "add-user", "backup", "restore"])
    s.add_argument("file", nargs="?", help="for backup and restore: the archive")
    s.add_argument("--prefix", default=str(DEFAULT_PREFIX), help=f"where the hub lives (default {DEFAULT_PREFIX})")
    s.add_argument("--reinstall", action="store_true", help="for start: copy the course and reinstall first")
    s.add_argument("--name", help="for add-user: the account name")
    s.add_argument("--instructor", action="store_true")
    s.add_argument("--password-stdin", action="store_true", help="for add-user: read a password from standard input")
    s.add_argument("--users", help="for backup: comma-separated learner accounts")
    s.add_argument("--only", help="for restore: only files under this path")
    s.set_defaults(func=run)
