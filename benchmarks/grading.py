"""Autograde timing for the grading issue's note (run by `./course bench`, or alone:
`python benchmarks/grading.py [--n 50] [--jobs 1 2]`). A measurement, not a test.

Generates N submissions of Unit 1's exercise (a mix: 60% complete, 20% untouched, 20% with a
wrong data answer; the same mix every run), then autogrades the whole batch with 1 and with 2
workers, each on a fresh course, and reports seconds per submission and for the batch.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

A = "rhi-1"


def batch_seconds(n: int, jobs: int) -> dict:
    import nbformat
    from nbgrader.api import Gradebook

    import submissions as S
    from hesj.grading import batch, workflow
    from hesj.grading.config import config
    from hesj.grading.sandbox import isolation

    with tempfile.TemporaryDirectory(prefix="hesj-bench-") as tmp:
        tmp = Path(tmp)
        root = tmp / "course"
        shutil.copytree(ROOT / "assignments", root / "source")
        cfg = config(root=root, source=root / "source", exchange=tmp / "exchange")
        workflow.generate(cfg, A)
        release = nbformat.read(root / "release" / A / f"{A}.ipynb", as_version=4)
        for i in range(n):
            nb = S.perfect(release) if i % 5 < 3 else (release if i % 5 == 3 else S.edited_tests(release))
            S.write(root, f"learner-{i:03d}", A, nb)
        t0 = time.perf_counter()
        results = batch.autograde(cfg, A, jobs=jobs)
        seconds = time.perf_counter() - t0
        with Gradebook(cfg.CourseDirectory.db_url) as gb:
            graded = len(gb.assignment_submissions(A))
        problems = batch.consistency_problems(cfg.CourseDirectory.db_url, A)
    return {"submissions": n, "jobs": jobs, "isolation": isolation(), "batch_s": round(seconds, 1),
            "per_submission_s": round(seconds / n, 2), "graded": graded,
            "all_graded": all(r.graded for r in results), "gradebook_problems": len(problems)}


def bench_grading(n: int = 50, jobs=(1, 2)) -> dict:
    return {"runs": [batch_seconds(n, j) for j in jobs]}


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    print(json.dumps(bench_grading(args.n, args.jobs), indent=1))
