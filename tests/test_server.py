"""Smoke test of the main command's server (what `./course start` opens).

`hesj start --no-browser` is started headless on 127.0.0.1 with a temporary
home. The test checks that it serves the course notebooks, that nbgrader's lab
extension and server extension are enabled, and that a unit notebook runs in
one of the server's kernels. The server is stopped by process id afterwards.
"""
from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path

import nbformat
import pytest

from hesj.course import load_course
from labserver import TOKEN, get, lab_server

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def post(url: str, body: dict) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"token {TOKEN}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with lab_server(tmp_path_factory.mktemp("server")) as s:
        yield s


def test_start_prints_the_url_and_listens_on_loopback_only(server):
    text = server["log"].read_text()
    assert "course URL:" in text and "/lab" in text
    assert "127.0.0.1" in text
    port = int(server["base"].rsplit(":", 1)[1])
    # not reachable from any other interface address of this machine
    others = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} - {"127.0.0.1"}
    for addr in others:
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((addr, port)) != 0, f"server reachable on {addr}"


def test_serves_every_course_notebook(server):
    status, body = get(server["base"] + "/api/contents/")
    assert status == 200
    top = {item["name"] for item in json.loads(body)["content"]}
    assert top == {"notebooks", "course"}, top  # the journal is not in the served folder
    status, body = get(server["base"] + "/api/contents/notebooks")
    assert status == 200
    names = {item["name"] for item in json.loads(body)["content"]}
    units = load_course().complete_units
    assert units
    for unit in units:
        assert Path(unit.notebook).name in names
        status, body = get(server["base"] + "/api/contents/notebooks/" + Path(unit.notebook).name)
        assert status == 200
        assert json.loads(body)["type"] == "notebook"


def test_nbgrader_extensions_enabled(server):
    status, body = get(server["base"] + "/lab")
    assert status == 200
    page = body.decode()
    start = page.index('id="jupyter-config-data"')
    data = json.loads(page[page.index(">", start) + 1: page.index("</script>", start)])
    assert data.get("preferredPath") in ("/notebooks", "notebooks"), data.get("preferredPath")
    federated = {ext["name"] for ext in data.get("federated_extensions", [])}
    assert "@jupyter/nbgrader" in federated, federated
    disabled = data.get("disabledExtensions", [])
    assert not any(d.startswith("@jupyter/nbgrader") for d in disabled)
    # the server extension answers: formgrader is behind the course's nbgrader config
    status, _ = get(server["base"] + "/formgrader")
    assert status == 200
    status, body = get(server["base"] + "/courses")
    assert status == 200
    reply = json.loads(body)
    assert reply["success"], reply
    assert reply["value"] == []  # nothing released yet; the exchange answers
    assert "not a subdirectory" not in server["log"].read_text()
    # the course's nbgrader configuration was written under the temporary home
    assert (server["hesj_home"] / "workspace" / "course" / "nbgrader_config.py").exists()


def test_unit_notebook_runs_in_a_server_kernel(server):
    from jupyter_client import BlockingKernelClient

    status, body = post(server["base"] + "/api/kernels", {"name": "python3"})
    assert status == 201
    kernel_id = json.loads(body)["id"]
    conn = next(server["runtime"].glob(f"kernel-{kernel_id}.json"))
    client = BlockingKernelClient(connection_file=str(conn))
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        unit = load_course().complete_units[0]
        nb = nbformat.read(ROOT / unit.notebook, as_version=4)
        client.execute_interactive(f"import os; os.chdir({str(ROOT / 'notebooks')!r})", timeout=30)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            errors = []

            def hook(msg, errors=errors):
                if msg["header"]["msg_type"] == "error":
                    errors.append("\n".join(msg["content"]["traceback"]))

            reply = client.execute_interactive(cell.source, timeout=120, output_hook=hook)
            assert reply["content"]["status"] == "ok", "".join(errors) or reply["content"]
        # the kernel wrote its journal under the server's temporary home, not the test's
        printed: list[str] = []
        client.execute_interactive(
            "import hesj.paths; print(hesj.paths.hesj_home())", timeout=30,
            output_hook=lambda m: printed.append(m["content"].get("text", ""))
            if m["header"]["msg_type"] == "stream" else None)
        assert str(server["hesj_home"]) in "".join(printed)
    finally:
        client.stop_channels()
        req = urllib.request.Request(server["base"] + f"/api/kernels/{kernel_id}", method="DELETE",
                                     headers={"Authorization": f"token {TOKEN}"})
        urllib.request.urlopen(req, timeout=30).close()
