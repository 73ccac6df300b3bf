"""``hesj grade``: the instructor's steps, in the order they are run.

    hesj grade check [A]              source assignments follow the conventions; solutions pass; blanks fail
    hesj grade generate A             make the learners' version (release/A)
    hesj grade release A              put it in the shared exchange for learners to fetch
    hesj grade collect A [--zip F..]  bring in submissions from the exchange, or from zip files
    hesj grade autograde A [-j N]     check, repair, grade every submission; report each problem by name
    hesj grade todo A                 who has completed what, and what still needs a grader
    hesj grade score A LEARNER ITEM N [--comment TEXT]
    hesj grade feedback A [LEARNER]   feedback pages with scores per criterion and comments, released
    hesj grade export OUT.csv [A]     per-criterion CSV for the course record
    hesj grade guide [--check]        write (or check) the instructor's grading guide in the book

Every step exits 1 with a message that says what to fix when it failed. ``--course``
picks the course folder (default: the one `hesj setup-course` made).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _config(args):
    from ..cli import course_dirs
    from .workflow import load_config

    return load_config(Path(args.course) if args.course else course_dirs()["course"])


def run(args) -> int:
    from ..errors import InputError
    from . import batch, workflow

    try:
        if args.step == "guide":
            from ..cli import REPO_ROOT, _generated_page
            from .guide import render_page

            return _generated_page(REPO_ROOT / "book" / "instructors" / "grading-guide.md", render_page(),
                                   args.check, "hesj grade guide", source="assignments/*/*.ipynb")
        cfg = _config(args)
        if args.step == "check":
            problems = workflow.check(cfg, [args.assignment] if args.assignment else None)
            for p in problems:
                print(f"{p.assignment}: {p.message}", file=sys.stderr)
            names = [args.assignment] if args.assignment else workflow.source_assignments(cfg)
            print(f"checked {len(names)} assignment(s): " + ("all good" if not problems else f"{len(problems)} problem(s)"))
            return 1 if problems else 0
        if args.step == "generate":
            workflow.generate(cfg, args.assignment)
            print(f"generated {Path(cfg.CourseDirectory.root) / 'release' / args.assignment}")
        elif args.step == "release":
            workflow.release(cfg, args.assignment)
            print(f"released {args.assignment} to the exchange ({cfg.Exchange.root})")
        elif args.step == "collect":
            got = (workflow.collect_zip(cfg, args.assignment, args.zip) if args.zip
                   else workflow.collect(cfg, args.assignment))
            print(f"{len(got)} submission(s) of {args.assignment} in the course folder: {', '.join(got) or 'none'}")
        elif args.step == "autograde":
            results = batch.autograde(cfg, args.assignment, args.learner or None, jobs=args.jobs)
            if args.json:
                print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=1))
            else:
                print(batch.format_report(results))
            problems = batch.consistency_problems(cfg.CourseDirectory.db_url, args.assignment)
            for p in problems:
                print(f"gradebook: {p}", file=sys.stderr)
            return 1 if problems or any(not r.graded for r in results) else 0
        elif args.step == "todo":
            rows = workflow.status(cfg, args.assignment)
            for s in rows:
                state = "complete" if not s.incomplete and not s.to_grade else "incomplete"
                print(f"{s.student}: {s.score:g}/{s.max_score:g} {state}"
                      + (f"; to grade: {', '.join(s.to_grade)}" if s.to_grade else "")
                      + (f"; not yet complete: {', '.join(s.incomplete)}" if s.incomplete else ""))
            waiting = sum(len(s.to_grade) for s in rows)
            print(f"{len(rows)} learner(s); {waiting} item(s) waiting for a grader")
        elif args.step == "score":
            from .scores import set_manual_score

            workflow.safe_id(args.learner)
            value = set_manual_score(cfg.CourseDirectory.db_url, args.assignment, args.learner, args.item,
                                     args.points, args.comment, args.notebook)
            print(f"{args.learner} {args.item}: {value:g}")
        elif args.step == "feedback":
            pages = workflow.feedback(cfg, args.assignment, args.learner, release_to_exchange=not args.no_release)
            print(f"{len(pages)} feedback page(s)" + ("" if args.no_release else ", released to the exchange"))
        elif args.step == "export":
            print(f"wrote {workflow.export(cfg, args.output, args.assignment)}")
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def add_parser(sub) -> None:
    g = sub.add_parser("grade", help="grade assignments with nbgrader (instructors)",
                       description=__doc__.split("\n\n")[0] + "\n" + __doc__.split("\n\n")[1],
                       formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    g.add_argument("--course", help="the nbgrader course folder (default: the one `hesj setup-course` made)")
    steps = g.add_subparsers(dest="step", required=True)
    s = steps.add_parser("check", help="check source assignments before releasing them")
    s.add_argument("assignment", nargs="?")
    for name, text in (("generate", "make the learners' version"), ("release", "release to the shared exchange")):
        s = steps.add_parser(name, help=text)
        s.add_argument("assignment")
    s = steps.add_parser("collect", help="collect submissions from the exchange or from zip files")
    s.add_argument("assignment")
    s.add_argument("--zip", nargs="+", help="zip files holding one folder per learner id with their notebook inside")
    s = steps.add_parser("autograde", help="check, repair and grade every submission; report problems by name")
    s.add_argument("assignment")
    s.add_argument("--learner", action="append", help="only this learner (repeat for more)")
    s.add_argument("-j", "--jobs", type=int, default=1, help="grade this many submissions at once (default 1)")
    s.add_argument("--json", action="store_true", help="print the report as JSON")
    s = steps.add_parser("todo", help="who has completed what, and what still needs a grader")
    s.add_argument("assignment")
    s = steps.add_parser("score", help="enter a grader's score for one item (0..its maximum)")
    s.add_argument("assignment")
    s.add_argument("learner")
    s.add_argument("item", help="the grade_id of a rubric criterion or graded cell (see `hesj grade todo`)")
    s.add_argument("points", help="the score, from 0 to the item's maximum")
    s.add_argument("--comment", help="a comment for the learner's feedback")
    s.add_argument("--notebook", help="the notebook, when an assignment has several (default: the assignment's name)")
    s = steps.add_parser("feedback", help="make and release feedback pages")
    s.add_argument("assignment")
    s.add_argument("learner", nargs="?")
    s.add_argument("--no-release", action="store_true", help="make the pages but do not release them")
    s = steps.add_parser("export", help="per-criterion CSV of grades")
    s.add_argument("output")
    s.add_argument("assignment", nargs="?")
    s = steps.add_parser("guide", help="write the instructor's grading guide page from the source assignments")
    s.add_argument("--check", action="store_true", help="only check that the page is current")
    g.set_defaults(func=run)
