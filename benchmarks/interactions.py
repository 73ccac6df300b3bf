"""Interaction to redrawn output, in a real kernel, for every activity (a measurement, not a test).

For each activity a fresh IPython kernel builds it, then makes 50 interactions
(after 5 warm-up ones) the way a learner would: pick another measure, move the
years slider, press Next, type a search. Each interaction is timed in the kernel
from setting the control to the moment the activity's callback has finished
updating its output widgets (chart PNG, summary, table), which is when the new
output is sent to the browser. Browser painting is not included.

The baseline, measured in the same run and the same way, is the usual pattern:
``ipywidgets.interactive_output`` redrawing a new matplotlib figure each time.
"""
from __future__ import annotations

import json
import os
import statistics
import tempfile
import textwrap

N, WARMUP = 50, 5

BASELINE = ("baseline: interactive_output + new matplotlib figure", """
import ipywidgets as w, matplotlib.pyplot as plt, numpy as np
from IPython.display import display
slider = w.IntSlider(value=0, min=0, max=1000, description="x")
x = np.linspace(0, 10, 200)
def draw(k):
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(x, np.sin(x + k / 10))
    ax.set_title("k = %d" % k)
    plt.show()
out = w.interactive_output(draw, {"k": slider})
display(slider, out)
def interact(i):
    slider.value = i + 1
""")

SPECS = [
    ("timeline: change the first year shown", """
act = hesj.timeline()
first = act.controls["year_from"]
lo, hi = first.min, first.max
def interact(i):
    first.value = lo + (i * 7) % (hi - lo - 40)
"""),
    ("map, states: pick another measure", """
act = hesj.map_explorer()
m = act.controls["measure"]
def interact(i):
    m.index = (m.index + 1) % len(m.options)
"""),
    ("map, counties: pick another measure", """
act = hesj.map_explorer(level="county")
m = act.controls["measure"]
def interact(i):
    m.index = (m.index + 1) % len(m.options)
"""),
    ("story map: next and previous step", """
act = hesj.story_map()
def interact(i):
    act.controls["next" if (i // 3) % 2 == 0 else "previous"].click()
"""),
    ("gradient: switch outcome and position", """
act = hesj.gradient()
o, p = act.controls["outcome"], act.controls["position"]
def interact(i):
    if i % 2:
        o.index = (o.index + 1) % len(o.options)
    else:
        p.index = (p.index + 1) % len(p.options)
"""),
    ("intersectionality: switch outcome", """
act = hesj.intersectionality()
o = act.controls["outcome"]
def interact(i):
    o.index = (o.index + 1) % len(o.options)
"""),
    ("toolkit search: type a new search", """
act = hesj.toolkit_search()
words = act.controls["words"]
qs = ["redlining", "community engagement", "narrative", "data equity", "leadership", "history"]
def interact(i):
    words.value = qs[i % len(qs)] + (" " * (i // len(qs)))
"""),
    ("knowledge check: answer and check", """
act = hesj.check("rhi-1", "segment-1")
q = next(iter(act.controls.values()))
def interact(i):
    q["choices"].value = i % len(q["choices"].options)
    q["button"].click()
"""),
    ("root-cause chain: add and remove a cause", """
act = hesj.root_cause(outcome="Asthma attacks are more common in one neighbourhood")
c = act.controls
def interact(i):
    if i % 2 == 0:
        c["because"].value = "Because of reason %d" % i
        c["add"].click()
    else:
        c["remove"].click()
"""),
    ("power map: move a stakeholder", """
act = hesj.power_map(issue="A new bus route")
c = act.controls
c["add"].click()
row = c["rows"][0] if isinstance(c["rows"], list) else list(c["rows"].values())[0]
row["name"].value = "City council"
def interact(i):
    row["power"].value = i % 11
"""),
    ("narrative lab: paste a new text", """
act = hesj.narrative_lab()
box = act.controls["text"]
texts = ["People just need to make better choices about food and exercise. Taxpayers cannot afford more programs.",
         "Neighbourhoods without grocery stores and safe parks have more diabetes; city policy decides where they go."]
def interact(i):
    box.value = texts[i % 2] + (" " * (i // 2))
    act.controls["highlight"].click()
"""),
]

RUNNER = """
import json, statistics, time, warnings
warnings.simplefilter("ignore")
import hesj
{setup}
times = []
for i in range({total}):
    t0 = time.perf_counter()
    interact(i)
    times.append(time.perf_counter() - t0)
times = times[{warmup}:]
print("HESJ_RESULT " + json.dumps({{"median_ms": statistics.median(times) * 1000,
                                   "p90_ms": sorted(times)[int(len(times) * 0.9)] * 1000}}))
"""


def run_in_kernel(setup: str, timeout: int = 600) -> dict:
    from jupyter_client.manager import start_new_kernel

    with tempfile.TemporaryDirectory() as home:
        km, kc = start_new_kernel(kernel_name="python3", env=dict(os.environ, HESJ_HOME=home))
        try:
            out: list[str] = []
            errors: list[str] = []

            def hook(msg):
                t = msg["header"]["msg_type"]
                if t == "stream":
                    out.append(msg["content"]["text"])
                elif t == "error":
                    errors.append("\n".join(msg["content"]["traceback"]))

            code = RUNNER.format(setup=textwrap.dedent(setup), total=N + WARMUP, warmup=WARMUP)
            kc.execute_interactive(code, timeout=timeout, output_hook=hook)
            if errors:
                return {"error": errors[0][-800:]}
            line = next(ln for ln in "".join(out).splitlines() if ln.startswith("HESJ_RESULT "))
            return json.loads(line[len("HESJ_RESULT "):])
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def bench_interactions() -> dict:
    base = run_in_kernel(BASELINE[1])
    results = {"baseline": dict(base, name=BASELINE[0]), "interactions": N, "activities": {}}
    for name, setup in SPECS:
        r = run_in_kernel(setup)
        if "median_ms" in r and "median_ms" in base:
            r["ratio_to_baseline"] = r["median_ms"] / base["median_ms"]
        results["activities"][name] = r
        print(f"  {name}: {r}", flush=True)
    ok = [r["median_ms"] for r in results["activities"].values() if "median_ms" in r]
    results["median_of_medians_ms"] = statistics.median(ok) if ok else None
    return results


if __name__ == "__main__":
    print(json.dumps(bench_interactions(), indent=2))
