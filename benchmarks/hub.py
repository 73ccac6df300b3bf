"""JupyterHub measurements for the deployment note (as root: `python benchmarks/hub.py`). Not a test.

Starts the course's hub (tests/hubclient.py: a throw-away prefix, local accounts, the real proxy),
then measures: hub start-up; a learner's server spawn, cold (first start) and warm (started again
after a stop); kernel start (to the first reply over the websocket); memory per learner, as the
proportional set size (PSS) of every process the learner's account runs, with the server idle and
after a kernel has run the Unit 1 notebook. From that: learners one machine of this size holds.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> dict:
    from hubclient import Kernel, memory_mib, running_hub

    learners = tuple(f"hesj-b-{i}" for i in range(3))
    out: dict = {}
    nb = json.loads((ROOT / "notebooks" / "rhi-1-where-do-we-start.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    with running_hub(learners=learners, instructors=("hesj-b-ins",)) as hub:
        out["hub_start_s"] = round(hub.started_s, 2)
        cold, warm, kernel, idle, active, active_rss = [], [], [], [], [], []
        for user in learners:
            cold.append(hub.start_server(user))
            time.sleep(2)
            idle.append(memory_mib(user))
            hub.stop_server(user)
            warm.append(hub.start_server(user))
            k = Kernel(f"{hub.url}/user/{user}", hub.token_for(user))
            kernel.append(k.start_s)
            for source in cells:
                k.ok(source)
            time.sleep(1)
            active.append(memory_mib(user))
            active_rss.append(memory_mib(user, "Rss"))
        out.update({
            "spawn_cold_s": [round(x, 2) for x in cold], "spawn_warm_s": [round(x, 2) for x in warm],
            "kernel_start_s": [round(x, 2) for x in kernel],
            "memory_idle_server_mib": [round(x) for x in idle],
            "memory_active_learner_mib": [round(x) for x in active],
            "memory_active_learner_rss_mib": [round(x) for x in active_rss],
        })
    per = statistics.median(active)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    reserve = 2048  # the hub, proxy, grading service and the operating system
    out["machine_memory_mib"] = round(total)
    out["learners_per_machine"] = int((total - reserve) // per)
    return out


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
