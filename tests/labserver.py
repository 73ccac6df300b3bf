"""Start and stop the course's JupyterLab (`hesj start`) for tests: headless, 127.0.0.1,
a temporary home, stopped by process id."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

TOKEN = "hesj-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def shutdown_kernels(base: str) -> None:
    """Stop every kernel the server runs (a closed browser tab leaves its kernel running)."""
    import json

    status, body = get(base + "/api/kernels")
    for kernel in json.loads(body) if status == 200 else []:
        req = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}", method="DELETE",
                                     headers={"Authorization": f"token {TOKEN}"})
        urllib.request.urlopen(req, timeout=30).close()


@contextmanager
def lab_server(tmp: Path, extra: list[str] | None = None, env_extra: dict | None = None):
    home, hesj_home, runtime = tmp / "home", tmp / "hesj-home", tmp / "runtime"
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = dict(os.environ, HOME=str(home), HESJ_HOME=str(hesj_home),
               JUPYTER_RUNTIME_DIR=str(runtime), MPLBACKEND="Agg", **(env_extra or {}))
    env.pop("JUPYTER_CONFIG_DIR", None)
    env.pop("HESJ_STATIC", None)
    logfile = tmp / "server.log"
    log = open(logfile, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hesj.cli", "start", "--no-browser", "--port", str(port), "--",
         f"--IdentityProvider.token={TOKEN}", *(extra or [])],
        cwd=str(tmp), env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError("the server exited early:\n" + logfile.read_text())
            try:
                if get(base + "/api/status", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer within 90 s:\n" + logfile.read_text())
            time.sleep(0.5)
        yield {"base": base, "proc": proc, "runtime": runtime, "hesj_home": hesj_home, "log": logfile,
               "workspace": hesj_home / "workspace", "token": TOKEN}
    finally:
        os.kill(proc.pid, signal.SIGTERM)  # stop by process id
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()
