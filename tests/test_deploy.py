"""The deployment files: hub configuration, proxy pin, Zero to JupyterHub values, repo2docker environment.

The chart's values schema cannot be fetched here (only package registries are reachable), so the
Helm values are checked for the structure and types the chart's schema requires for the keys used
(the chart's values.schema.yaml defines cpu as a number, memory as a number or string, storage.type
as one of dynamic/static/none, and so on).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
VALUES = ROOT / "deploy" / "k8s" / "values.yaml"


def load_hub_config(env: dict) -> dict:
    """Run deploy/hub/jupyterhub_config.py as JupyterHub would, in a child process, and return its config."""
    code = (
        "import json, sys\n"
        "from traitlets.config import Config\n"
        "c = Config()\n"
        "ns = {'get_config': lambda: c}\n"
        f"exec(compile(open({str(ROOT / 'deploy' / 'hub' / 'jupyterhub_config.py')!r}).read(), 'cfg', 'exec'), ns)\n"
        "def plain(v):\n"
        "    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}\n"
        "    if isinstance(v, (list, tuple, set)): return [plain(x) for x in sorted(v, key=str)] if isinstance(v, set) else [plain(x) for x in v]\n"
        "    if callable(v): return 'callable'\n"
        "    return v\n"
        "print(json.dumps(plain(c)))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, **env}, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout)


def test_hub_config_roles_services_and_spawner(tmp_path):
    cfg = load_hub_config({"HESJ_HUB_PREFIX": str(tmp_path), "HESJ_HUB_USERS": "ana,ben",
                           "HESJ_HUB_INSTRUCTORS": "ines", "HESJ_HUB_PORT": "8000"})
    hub = cfg["JupyterHub"]
    assert hub["bind_url"] == "http://127.0.0.1:8000"
    assert hub["authenticator_class"] == "pam"
    assert cfg["Authenticator"]["allowed_users"] == ["ana", "ben", "ines"]
    services = {s["name"]: s for s in hub["services"]}
    grading = services["hesj-grading"]
    assert grading["user"] == "hesj-grader" and grading["command"][0].endswith("jupyterhub-singleuser")
    assert "hesj-admin" not in services, "no admin token unless one is configured"
    assert "idle-culler" in services
    roles = {r["name"]: r for r in hub["load_roles"]}
    assert roles["hesj-instructor"]["groups"] == ["hesj-instructors"]
    assert roles["hesj-instructor"]["scopes"] == ["access:services!service=hesj-grading", "read:services"]
    assert hub["load_groups"] == {"hesj-instructors": {"users": ["ines"]}}
    assert cfg["Spawner"]["cmd"] == [str(tmp_path / "venv" / "bin" / "jupyterhub-singleuser")]
    assert cfg["Spawner"]["pre_spawn_hook"] == "callable"
    assert cfg["ConfigurableHTTPProxy"]["command"][0].endswith("node_modules/.bin/configurable-http-proxy")


def test_hub_refuses_the_trial_authenticator_off_localhost(tmp_path):
    with pytest.raises(RuntimeError, match="only for a trial on 127.0.0.1"):
        load_hub_config({"HESJ_HUB_PREFIX": str(tmp_path), "HESJ_HUB_AUTHENTICATOR": "dummy",
                         "HESJ_HUB_IP": "0.0.0.0"})


def test_hub_env_file_is_read(tmp_path):
    (tmp_path / "hub.env").write_text("# settings\nHESJ_HUB_PORT=9100\nHESJ_HUB_INSTRUCTORS=zoe\n")
    cfg = load_hub_config({"HESJ_HUB_PREFIX": str(tmp_path)})
    assert cfg["JupyterHub"]["bind_url"].endswith(":9100")
    assert cfg["JupyterHub"]["load_groups"]["hesj-instructors"]["users"] == ["zoe"]


def test_proxy_is_pinned_from_the_npm_registry():
    pkg = json.loads((ROOT / "deploy" / "hub" / "package.json").read_text())
    lock = json.loads((ROOT / "deploy" / "hub" / "package-lock.json").read_text())
    version = pkg["dependencies"]["configurable-http-proxy"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "an exact version"
    entry = lock["packages"]["node_modules/configurable-http-proxy"]
    assert entry["version"] == version and entry["integrity"].startswith("sha512-")


def _quantity(value) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]i?)?", str(value))
    assert m, f"{value!r} is not a Kubernetes quantity"
    scale = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    return float(m.group(1)) * scale.get(m.group(2) or "", 1)


def test_zero_to_jupyterhub_values_structure():
    values = yaml.safe_load(VALUES.read_text())
    assert set(values) <= {"hub", "proxy", "singleuser", "cull", "scheduling", "prePuller", "ingress", "debug"}
    su = values["singleuser"]
    assert su["image"]["tag"] not in ("latest", "") and isinstance(su["image"]["tag"], str)
    assert su["image"]["pullPolicy"] in ("IfNotPresent", "Always", "Never")
    for key in ("guarantee", "limit"):
        assert isinstance(su["cpu"][key], (int, float)), "the chart's schema wants cpu as a number"
        assert isinstance(su["memory"][key], (str, int, float))
    assert _quantity(su["memory"]["guarantee"]) <= _quantity(su["memory"]["limit"])
    assert su["cpu"]["guarantee"] <= su["cpu"]["limit"]
    # the guarantee covers the measured resident memory of an active learner, 267 MiB (benchmarks/hub.py)
    assert _quantity(su["memory"]["guarantee"]) >= 267 * 2**20
    assert su["storage"]["type"] in ("dynamic", "static", "none")
    mounts = {m["mountPath"]: m["name"] for m in su["storage"]["extraVolumeMounts"]}
    assert mounts["/srv/nbgrader/exchange"] in {v["name"] for v in su["storage"]["extraVolumes"]}
    assert su["lifecycleHooks"]["postStart"]["exec"]["command"][0] == "gitpuller"
    assert values["cull"]["enabled"] is True and isinstance(values["cull"]["timeout"], int)
    assert isinstance(values["hub"]["extraConfig"], dict), "extraConfig is a mapping of named snippets"
    compile(values["hub"]["extraConfig"]["hesj-profiles"], "extraConfig", "exec")
    assert isinstance(values["hub"]["loadRoles"], dict)
    assert values["proxy"]["https"]["enabled"] is True


def test_repo2docker_environment_matches_the_pins():
    binder = ROOT / "binder"
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    post = binder / "postBuild"
    assert os.access(post, os.X_OK)
    assert "-c requirements/constraints.txt" in post.read_text()
    constraints = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            constraints[name.lower().replace("_", "-")] = version.strip()
    for line in (binder / "requirements.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-c")):
            continue
        name, version = line.split("==")
        assert constraints.get(name.lower()) in (None, version), f"{name} pinned differently from constraints.txt"
    values = yaml.safe_load(VALUES.read_text())
    assert "/srv/nbgrader/exchange" in post.read_text(), "the image's exchange path matches the mounted volume"
    assert any(m["mountPath"] == "/srv/nbgrader/exchange" for m in values["singleuser"]["storage"]["extraVolumeMounts"])


def test_every_pinned_package_runs_on_debian_12s_python():
    """Debian 12 ships Python 3.11.2: the hub's learners' environment (and `./course start` on such a
    server) is built from it, so no pinned package may require a newer 3.11."""
    from importlib.metadata import distributions

    from packaging.specifiers import SpecifierSet

    too_new = []
    for dist in distributions():
        spec = dist.metadata.get("Requires-Python")
        if spec and not SpecifierSet(spec).contains("3.11.2"):
            too_new.append(f"{dist.metadata['Name']} {dist.version} (Requires-Python {spec})")
    assert not too_new, too_new


def test_local_additions_are_read_last(tmp_path):
    (tmp_path / "jupyterhub_config.local.py").write_text(
        "c.JupyterHub.ssl_cert = '/etc/ssl/hesj.crt'\nc.JupyterHub.bind_url = 'https://0.0.0.0:443'\n")
    cfg = load_hub_config({"HESJ_HUB_PREFIX": str(tmp_path)})
    assert cfg["JupyterHub"]["ssl_cert"] == "/etc/ssl/hesj.crt"
    assert cfg["JupyterHub"]["bind_url"] == "https://0.0.0.0:443"
