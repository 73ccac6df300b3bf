# JupyterHub for the HESJ course on one machine. Started by `sudo ./course hub` (or
# `hesj hub start`), which sets HESJ_HUB_PREFIX; every other setting below has a default and can
# be changed with an environment variable or in <prefix>/hub.env (KEY=VALUE lines).
#
#   HESJ_HUB_IP / HESJ_HUB_PORT     where people reach the hub (default 127.0.0.1:8000; put a
#                                   TLS-terminating proxy in front for real use, see the book)
#   HESJ_HUB_USERS                  comma-separated local accounts allowed to log in
#   HESJ_HUB_ALLOWED_GROUP          or: every member of this Unix group may log in
#   HESJ_HUB_INSTRUCTORS            accounts that may open the grading service
#   HESJ_HUB_AUTHENTICATOR          pam (default: local accounts and passwords), dummy (a trial on
#                                   127.0.0.1 only), or a class such as
#                                   oauthenticator.generic.GenericOAuthenticator (single sign-on)
#   HESJ_HUB_IDLE_TIMEOUT           stop a learner's server after this many idle seconds (3600)
#   HESJ_HUB_API_TOKEN              optional token for an admin service (automation, monitoring)
import os
from pathlib import Path

c = get_config()  # noqa: F821

prefix = Path(os.environ.get("HESJ_HUB_PREFIX", "/opt/hesj"))
env_file = prefix / "hub.env"
if env_file.exists():
    for line in env_file.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


def setting(name, default=""):
    return os.environ.get(name, default)


def names(value):
    return {n.strip() for n in value.split(",") if n.strip()}


ip, port = setting("HESJ_HUB_IP", "127.0.0.1"), int(setting("HESJ_HUB_PORT", "8000"))
venv = prefix / "venv"

# ---- the hub and its proxy (configurable-http-proxy from the npm registry) ----
c.JupyterHub.bind_url = f"http://{ip}:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(setting("HESJ_HUB_INTERNAL_PORT", str(port + 81)))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(setting('HESJ_HUB_PROXY_API_PORT', str(port + 1)))}"
c.ConfigurableHTTPProxy.command = [str(prefix / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(prefix / "hub" / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{prefix / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(prefix / "hub" / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(prefix / "hub" / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True

# ---- who may log in ----
auth = setting("HESJ_HUB_AUTHENTICATOR", "pam")
if auth == "dummy":
    if ip not in ("127.0.0.1", "localhost"):
        raise SystemExit("HESJ_HUB_AUTHENTICATOR=dummy accepts any password: it is only for a trial on 127.0.0.1.")
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = setting("HESJ_HUB_DUMMY_PASSWORD") or None
else:
    c.JupyterHub.authenticator_class = auth
instructors = names(setting("HESJ_HUB_INSTRUCTORS"))
c.Authenticator.allowed_users = names(setting("HESJ_HUB_USERS")) | instructors
if setting("HESJ_HUB_ALLOWED_GROUP"):
    c.LocalAuthenticator.allowed_groups = {setting("HESJ_HUB_ALLOWED_GROUP")}
c.Authenticator.admin_users = names(setting("HESJ_HUB_ADMINS"))

# ---- each learner's server: their own account, their own home, the course environment ----
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(venv / "bin" / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab/tree/notebooks"
# HESJ_GROUPS_DIR: learning groups' shared inboxes (members write, only the facilitator reads)
c.Spawner.environment = {"PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
                         "HESJ_GROUPS_DIR": str(prefix / "groups"),
                         "HESJ_LOCAL_DIR": str(prefix / "course" / "local")}  # the department's local/ material
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def prepare_home(spawner):
    from hesj.hub import prepare_home as prepare

    prepare(spawner.user.name, prefix)


c.Spawner.pre_spawn_hook = prepare_home

# ---- grading: one service per course, run as the grading account, open to instructors only ----
grader_home = Path(os.path.expanduser("~hesj-grader"))
service_port = int(setting("HESJ_HUB_SERVICE_PORT", str(port + 10)))
c.JupyterHub.services = [{
    "name": "hesj-grading",
    "url": f"http://127.0.0.1:{service_port}",
    "command": [str(venv / "bin" / "jupyterhub-singleuser")],
    "user": "hesj-grader",
    "cwd": str(grader_home / ".hesj" / "workspace"),
    "environment": {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HESJ_HOME": str(grader_home / ".hesj"),
        "HESJ_GROUPS_DIR": str(prefix / "groups"),
        "JUPYTER_CONFIG_PATH": str(grader_home / ".hesj" / "jupyter-config"),
        "JUPYTERHUB_DEFAULT_URL": "/lab",
    },
    "oauth_no_confirm": True,
}]
c.JupyterHub.load_groups = {"hesj-instructors": {"users": sorted(instructors)}}
roles = [
    {"name": "hesj-instructor", "groups": ["hesj-instructors"],
     "scopes": ["access:services!service=hesj-grading", "read:services"]},
]

# ---- stop idle servers (jupyterhub-idle-culler) ----
c.JupyterHub.services.append({
    "name": "idle-culler",
    "command": [str(venv / "bin" / "python"), "-m", "jupyterhub_idle_culler",
                f"--timeout={int(setting('HESJ_HUB_IDLE_TIMEOUT', '3600'))}"],
})
roles.append({"name": "idle-culler", "services": ["idle-culler"],
              "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})

# ---- optional: an admin token for automation (the end-to-end test uses it) ----
if setting("HESJ_HUB_API_TOKEN"):
    c.JupyterHub.services.append({"name": "hesj-admin", "api_token": setting("HESJ_HUB_API_TOKEN")})
    roles.append({"name": "hesj-admin", "services": ["hesj-admin"], "scopes": ["admin:users", "admin:servers",
                                                                              "tokens", "admin:groups", "list:services",
                                                                              "read:services"]})
c.JupyterHub.load_roles = roles

# ---- your own additions (TLS certificates, single sign-on settings, ...) ----
# <prefix>/jupyterhub_config.local.py is read last, so what it sets wins. See the book's deployment page.
local = prefix / "jupyterhub_config.local.py"
if local.exists():
    exec(compile(local.read_text(encoding="utf-8"), str(local), "exec"))
