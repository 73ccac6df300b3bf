"""Measure the facilitator's and the adoption lead's commands at realistic sizes.

    python benchmarks/adoption.py [--learners 60] [--runs 3]

A group of N learners (each with a progress event, an evaluation event and one shared reflection,
as they would send them) in a scratch folder; then the time of: the digest, the progress table,
``hesj report``, a certificate (HTML and tagged PDF), the booklet PDF and one CE packet.
Prints the median of the runs for each. Nothing here is asserted: it is a measurement.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, default=60)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    from hesj import completion, outreach
    from hesj.cekit import write_kit
    from hesj.certificate import certificate_html
    from hesj.course import load_course
    from hesj.groups import store
    from hesj.groups.digest import build_digest
    from hesj.groups.progress import progress_report
    from hesj.report import build_report, to_html

    course = load_course()
    units = course.complete_units
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        divisions = ["Nursing", "Epidemiology", "Environmental Health", "Administration"]
        roster = tmp / "staff.csv"
        roster.write_text("id,first_name,last_name,division,role\n" + "".join(
            f"s{i:03d},First{i},Last{i},{rng.choice(divisions)},{rng.choice(['nurse', 'analyst', 'manager'])}\n"
            for i in range(args.learners)))
        g, members = store.create_group("bench", roster, tmp / "groups")
        for m in members:
            done = [u for u in units if rng.random() < 0.5]
            rec = completion.Record({u.id: {s.id for s in u.segments} for u in done},
                                    {u.id: {"questions": 10, "answered": 10, "correct": rng.randint(6, 10)} for u in done},
                                    {u.id: {s.id for s in u.segments} for u in done})
            store.send_event(g.progress, m.id, {"format": "hesj-progress/1", "group": "bench", "learner": m.id,
                                                **completion.record_to_event(rec)})
            store.send_event(g.folder / "evaluation", m.id, {
                "format": "hesj-evaluation/1", "group": "bench", "learner": m.id,
                "confidence": {"pre": {"c-4-a": rng.randint(1, 5)}, "post": {"c-4-a": rng.randint(1, 5)}},
                "reaction": {u.id: {"1": {"relevant": rng.randint(1, 5)}} for u in done}, "checkin": None})
            store.write_event(g.inbox, f"{rng.getrandbits(128):032x}.json", {
                "format": "hesj-shared-reflection/1", "group": "bench", "unit": "rhi-1", "prompt_id": "p",
                "prompt": "A prompt", "text": "A shared reflection. " * 40})

        def timed(fn):
            out = []
            for _ in range(args.runs):
                t = time.perf_counter()
                fn()
                out.append(time.perf_counter() - t)
            return statistics.median(out)

        results = {
            f"digest of {args.learners} shared reflections": timed(lambda: build_digest(g).to_html()),
            f"progress table for {args.learners}": timed(lambda: progress_report(g).to_html()),
            f"hesj report for {args.learners}": timed(lambda: to_html(build_report([g]))),
            "certificate, HTML and tagged PDF (all units)": timed(lambda: outreach.booklet_pdf(
                certificate_html("A Learner", units, __import__("datetime").date.today()), tmp / "c.pdf")),
            "booklet PDF": timed(lambda: outreach.write_booklet(tmp / "b.pdf")),
            "CE packet for rhi-1": timed(lambda: write_kit("rhi-1", tmp / "kit")),
        }
    print(json.dumps({k: round(v, 3) for k, v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
