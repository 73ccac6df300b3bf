"""Drive a real JupyterHub on 127.0.0.1 through its REST API and the Jupyter Server API.

Used by tests/test_hub.py and benchmarks/hub.py. ``running_hub`` installs the course into a
throw-away prefix (its own learners' environment and proxy), creates local accounts, starts
the hub with an admin service token, and stops everything by process id at the end.
"""
from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
import websocket  # websocket-client

ROOT = Path(__file__).resolve().parent.parent


def free_port_block(size: int = 100) -> int:
    """A base port whose neighbours the hub config uses (+1 proxy API, +10 service, +81 hub)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + size > 65000:
            continue
        ok = True
        for offset in (0, 1, 10, 81):
            with socket.socket() as t:
                try:
                    t.bind(("127.0.0.1", base + offset))
                except OSError:
                    ok = False
        if ok:
            return base
    raise RuntimeError("no free block of ports")


@dataclass
class Hub:
    url: str
    prefix: Path
    admin_token: str
    process: subprocess.Popen
    users: list[str]
    instructors: list[str]
    started_s: float
    tokens: dict[str, str] = field(default_factory=dict)

    def api(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"token {token or self.admin_token}"}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kw)

    def token_for(self, user: str) -> str:
        if user not in self.tokens:
            r = self.api("POST", f"/hub/api/users/{user}/tokens", json={"note": "e2e test", "expires_in": 3600})
            r.raise_for_status()
            self.tokens[user] = r.json()["token"]
        return self.tokens[user]

    def start_server(self, user: str, timeout: float = 180) -> float:
        t0 = time.perf_counter()
        r = self.api("POST", f"/hub/api/users/{user}/server")
        assert r.status_code in (201, 202), r.text
        while time.perf_counter() - t0 < timeout:
            info = self.api("GET", f"/hub/api/users/{user}").json()
            server = info.get("servers", {}).get("", {})
            if server.get("ready"):
                return time.perf_counter() - t0
            time.sleep(0.2)
        raise TimeoutError(f"{user}'s server did not start in {timeout} s: {self.log_tail()}")

    def stop_server(self, user: str, timeout: float = 60) -> None:
        self.api("DELETE", f"/hub/api/users/{user}/server")
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            if not self.api("GET", f"/hub/api/users/{user}").json().get("servers"):
                return
            time.sleep(0.2)

    def log_tail(self) -> str:
        log = self.prefix / "hub" / "hub.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""


class Kernel:
    """A kernel on a user's (or a service's) Jupyter server, driven over its websocket."""

    def __init__(self, base: str, token: str, timeout: float = 120):
        self.base, self.token = base, token
        t0 = time.perf_counter()
        r = requests.post(f"{base}/api/kernels", headers=self._h(), json={"name": "python3"}, timeout=60)
        r.raise_for_status()
        self.id = r.json()["id"]
        ws_url = base.replace("http://", "ws://") + f"/api/kernels/{self.id}/channels"
        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=timeout)
        self.session = uuid.uuid4().hex
        self.run("1")
        self.start_s = time.perf_counter() - t0

    def _h(self):
        return {"Authorization": f"token {self.token}"}

    def run(self, code: str, timeout: float = 300) -> dict:
        """Execute ``code``; return its stdout, the text result and any error (ename, evalue)."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "test", "session": self.session, "msg_type": "execute_request",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        out = {"stdout": "", "result": None, "error": None}
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out["stdout"] += content["text"]
            elif kind == "execute_result":
                out["result"] = content["data"].get("text/plain")
            elif kind == "error":
                out["error"] = (content["ename"], content["evalue"])
            elif kind == "status" and content["execution_state"] == "idle":
                return out
        raise TimeoutError(code[:200])

    def ok(self, code: str, timeout: float = 300) -> dict:
        out = self.run(code, timeout)
        assert out["error"] is None, (code[:300], out)
        return out

    def close(self):
        with contextlib.suppress(Exception):
            self.ws.close()
        with contextlib.suppress(Exception):
            requests.delete(f"{self.base}/api/kernels/{self.id}", headers=self._h(), timeout=30)


def pss_kib(pid: int, field: str = "Pss") -> int:
    """Proportional set size (shared libraries counted once across processes), or Rss."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def user_pids(user: str) -> list[int]:
    uid = pwd.getpwnam(user).pw_uid
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            with contextlib.suppress(OSError):
                if p.stat().st_uid == uid:
                    pids.append(int(p.name))
    return pids


def memory_mib(user: str, field: str = "Pss") -> float:
    return sum(pss_kib(p, field) for p in user_pids(user)) / 1024


def _kill_user_processes(users):
    for user in users:
        with contextlib.suppress(KeyError):
            for pid in user_pids(user):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def running_hub(learners=("hesj-t-ana", "hesj-t-ben"), instructors=("hesj-t-ines",), mode="rubric"):
    from hesj import hub as hubmod

    prefix = Path(tempfile.mkdtemp(prefix="hesj-hub-"))
    os.chmod(prefix, 0o755)
    users = [*learners, *instructors]
    created = []
    proc = None
    pids: list[int] = []
    try:
        for u in users:
            try:
                pwd.getpwnam(u)
            except KeyError:
                created.append(u)
            hubmod.ensure_account(u)
        if not shutil.which("useradd"):
            raise RuntimeError("useradd is needed")
        try:
            pwd.getpwnam(hubmod.GRADER)
        except KeyError:
            created.append(hubmod.GRADER)
        hubmod.install(prefix, log=lambda *a: None)
        hubmod.setup_grader(prefix, mode=mode)
        base = free_port_block()
        token = secrets.token_hex(24)
        env = dict(os.environ, HESJ_HUB_PREFIX=str(prefix), HESJ_HUB_PORT=str(base), HESJ_HUB_AUTHENTICATOR="dummy",
                   HESJ_HUB_DUMMY_PASSWORD=secrets.token_hex(8), HESJ_HUB_USERS=",".join(learners),
                   HESJ_HUB_INSTRUCTORS=",".join(instructors), HESJ_HUB_API_TOKEN=token)
        log = (prefix / "hub" / "hub.log").open("w")
        t0 = time.perf_counter()
        # the documented command (what `sudo ./course hub` runs); installed above, so it goes straight
        # to JupyterHub with deploy/hub/jupyterhub_config.py
        proc = subprocess.Popen([sys.executable, "-m", "hesj.cli", "hub", "start", "--prefix", str(prefix)],
                                cwd=prefix, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        pids.append(proc.pid)
        url = f"http://127.0.0.1:{base}"
        while True:
            if proc.poll() is not None:
                raise RuntimeError("the hub stopped:\n" + (prefix / "hub" / "hub.log").read_text()[-3000:])
            try:
                if requests.get(f"{url}/hub/api/", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.perf_counter() - t0 > 120:
                raise TimeoutError("the hub did not answer in 120 s")
            time.sleep(0.1)
        started = time.perf_counter() - t0
        proxy_pid = prefix / "hub" / "proxy.pid"
        if proxy_pid.exists():
            pids.append(int(proxy_pid.read_text().strip()))
        yield Hub(url, prefix, token, proc, list(learners), list(instructors), started)
    finally:
        for pid in pids:  # the hub, then the proxy, by process id
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM) if pid == (proc.pid if proc else -1) else os.kill(pid, signal.SIGTERM)
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        # learners' servers, kernels and the grading service run as their own accounts
        _kill_user_processes([*users, hubmod.GRADER])
        for u in created:
            subprocess.run(["userdel", "--remove", u], capture_output=True)
        shutil.rmtree(prefix, ignore_errors=True)
