"""Measurements for the issue notes (`./course bench`). Not tests: nothing here passes or fails.

Reports, on this machine:
  * import cost: `import hesj` (and hesj with its activity stack loaded) against
    `import pandas, ipywidgets, matplotlib.pyplot`, each in fresh interpreters (median of N);
  * executing each complete unit notebook in a fresh kernel, and the kernel's
    peak resident memory (VmHWM) after running it;
  * toolkit search (median over the whole toolkit) and loading each curated table;
  * interaction to redrawn output for every activity, against a bare interactive_output baseline
    (benchmarks/interactions.py);
  * autograding a batch of 50 generated submissions with 1 and 2 workers (benchmarks/grading.py);
  * a clean book build (`jupyter-book build . -n -W --keep-going` after removing _build);
  * the test command on a warm environment (`./course test`).

Usage: python benchmarks/run.py [--repeat N] [--skip-book] [--skip-tests] [--skip-interactions] [--skip-grading] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def fresh_import_seconds(code: str, repeat: int) -> float:
    """Median wall time of `code` in a fresh interpreter, timed inside the process."""
    timer = ("import time; t0 = time.perf_counter()\n" + code +
             "\nprint(repr(time.perf_counter() - t0))")
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", timer], capture_output=True, text=True, check=True,
                             env=dict(os.environ, MPLBACKEND="Agg"))
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def bench_imports(repeat: int) -> dict:
    # warm the file cache once so the first measured run is not a disk read
    fresh_import_seconds("import hesj.activities.reflection, pandas, ipywidgets, matplotlib.pyplot", 1)
    base = fresh_import_seconds("import pandas, ipywidgets, matplotlib.pyplot", repeat)
    light = fresh_import_seconds("import hesj", repeat)
    full = fresh_import_seconds(
        "import hesj, hesj.course, hesj.display, hesj.journal, hesj.activities.reflection, "
        "hesj.activities.check, hesj.activities.self_assessment, ipywidgets, pandas, matplotlib.pyplot", repeat)
    return {"baseline_pandas_ipywidgets_matplotlib_s": base, "import_hesj_s": light,
            "hesj_with_activity_stack_s": full,
            "ratio_import_hesj": light / base, "ratio_hesj_with_activity_stack": full / base,
            "repeat": repeat}


PEAK = "import resource; print('HESJ_PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def bench_notebook(path: Path) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK))
    with tempfile.TemporaryDirectory() as home:
        os.environ["HESJ_HOME"] = home
        client = NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        t0 = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - t0
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    peak_kb = int(text.split("HESJ_PEAK_KB")[1].split()[0])
    return {"notebook": str(path.relative_to(ROOT)), "execute_s": elapsed,
            "kernel_peak_rss_mib": peak_kb / 1024,
            "note": "execute_s includes starting the kernel"}


def bench_toolkit(repeat: int = 200) -> dict:
    """Median time of a toolkit search over the whole toolkit (index built once, as in a session)."""
    from hesj import toolkit

    queries = ["redlining", "community engagement", "structural racism health", "narrative",
               "life expectancy income", "organisational culture leadership", "data", "intersectionality",
               "ladder of citizen participation", "environmental justice"]
    entries = toolkit.load_entries()
    toolkit.search("warm up", entries=entries)
    times = []
    for i in range(repeat):
        q = queries[i % len(queries)]
        t0 = time.perf_counter()
        toolkit.search(q, entries=entries, limit=None)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    toolkit.Index.build(entries)
    build = time.perf_counter() - t0
    return {"entries": len(entries), "search_median_ms": statistics.median(times) * 1000,
            "search_max_ms": max(times) * 1000, "index_build_ms": build * 1000, "searches": repeat}


def bench_tables(repeat: int = 5) -> dict:
    """Time to load each curated table from its CSV (caches cleared each time; pandas already imported)."""
    import pandas  # noqa: F401  (not part of a table's load time)

    from hesj import datasets

    out = {}
    for name in datasets.curated_tables():
        times = []
        for _ in range(repeat):
            datasets._load_curated_cached.cache_clear()
            t0 = time.perf_counter()
            datasets.load(name)
            times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times) * 1000
    return {"median_load_ms": out, "slowest_ms": max(out.values())}


def bench_book() -> dict:
    cmd = [str(BIN / "jupyter-book"), "build", ".", "-n", "-W", "--keep-going", "-q"]
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    clean = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    nochange = time.perf_counter() - t0
    # change one page (a trailing blank line), rebuild, put it back
    page = ROOT / "book" / "about" / "privacy.md"
    original = page.read_text(encoding="utf-8")
    try:
        page.write_text(original + "\n", encoding="utf-8")
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        one_page = time.perf_counter() - t0
    finally:
        page.write_text(original, encoding="utf-8")
    out = {"clean_build_s": clean, "rebuild_no_changes_s": nochange, "rebuild_after_one_page_s": one_page}
    out.update(bench_pages(ROOT / "_build" / "html"))
    return out


def bench_pages(html: Path) -> dict:
    """Page weight (the HTML plus every file it loads; shared files counted once per page) and
    time to first contentful paint, in Chromium, served from 127.0.0.1."""
    import functools
    import http.server
    import socketserver
    import threading

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    weights, paints = {}, {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=["--no-sandbox"])
        for page_path in sorted(html.rglob("*.html")):
            if "_static" in page_path.parts:
                continue
            rel = page_path.relative_to(html).as_posix()
            page = browser.new_page()
            loaded: set[str] = set()
            page.on("requestfinished", lambda r: loaded.add(r.url.split("?")[0]))
            page.goto(f"{base}/{rel}", wait_until="networkidle")
            size = 0
            for url in loaded:
                local = html / url[len(base) + 1:]
                if url.startswith(base) and local.is_file():
                    size += local.stat().st_size
            weights[rel] = size
            fcp = page.evaluate("() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime")
            paints[rel] = fcp
            page.close()
        browser.close()
    server.shutdown()
    mb = sorted(w / 1e6 for w in weights.values())
    fcps = sorted(v for v in paints.values() if v)
    largest = max(weights, key=weights.get)
    return {"pages": len(weights), "page_weight_median_mb": statistics.median(mb), "page_weight_largest_mb": mb[-1],
            "largest_page": largest, "first_contentful_paint_median_ms": statistics.median(fcps) if fcps else None,
            "first_contentful_paint_max_ms": fcps[-1] if fcps else None}


def bench_tests() -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run([str(ROOT / "course"), "test", "-q", "-p", "no:cacheprovider"], cwd=ROOT,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    return {"test_command_s": elapsed, "exit_code": proc.returncode, "summary": last}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--skip-book", action="store_true")
    ap.add_argument("--skip-tests", action="store_true")
    ap.add_argument("--skip-interactions", action="store_true")
    ap.add_argument("--skip-grading", action="store_true")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from hesj.course import load_course

    results: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                 "platform": platform.platform()}}
    print("import cost ...", flush=True)
    results["imports"] = bench_imports(args.repeat)
    print("toolkit search and table loading ...", flush=True)
    results["toolkit"] = bench_toolkit()
    results["tables"] = bench_tables()
    results["notebooks"] = []
    for unit in load_course().complete_units:
        print(f"executing {unit.notebook} ...", flush=True)
        results["notebooks"].append(bench_notebook(ROOT / unit.notebook))
    if not args.skip_interactions:
        print("interaction to redrawn output, per activity, in a real kernel ...", flush=True)
        sys.path.insert(0, str(Path(__file__).parent))
        from interactions import bench_interactions

        results["interactions"] = bench_interactions()
    if not args.skip_grading:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from grading import bench_grading

        print("autograding 50 generated submissions with 1 and 2 workers ...", flush=True)
        results["grading"] = bench_grading()
    if not args.skip_book:
        print("clean book build ...", flush=True)
        results["book"] = bench_book()
    if not args.skip_tests:
        print("test command (./course test) ...", flush=True)
        results["tests"] = bench_tests()
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
