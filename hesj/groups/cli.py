"""``hesj group`` and ``hesj lessons``: the facilitator's commands, thin over hesj.groups.

    hesj group create GROUP --roster staff.csv [--replace-roster] [--no-gradebook]
    hesj group packet GROUP (--plan PLAN | --unit UNIT --segment N) [--date D] [--start HH:MM]
    hesj group digest GROUP                the anonymised digest of what members chose to share
    hesj group progress GROUP [--gradebook] [--csv]
    hesj lessons [--check]                 write (or check) the book's lesson-plan page

Outputs go into the group's own folders (packets/, digests/), readable only by the facilitator.
Each command exits 1 with a message that says what to fix.
"""
from __future__ import annotations

import sys
from pathlib import Path


def _gradebook_url(args) -> str:
    if getattr(args, "db", None):
        return args.db
    from ..cli import course_dirs

    course = Path(args.course) if getattr(args, "course", None) else course_dirs()["course"]
    return f"sqlite:///{(course / 'gradebook.db').resolve()}"


def run(args) -> int:
    from ..errors import InputError
    from . import store

    try:
        root = Path(args.root) if args.root else None
        if args.action == "create":
            url = None if args.no_gradebook else _gradebook_url(args)
            g, members = store.create_group(args.group, args.roster, root, gradebook_url=url,
                                            replace_roster=args.replace_roster)
            print(f"group {g.name}: {len(members)} member(s), folder {g.folder}")
            if url:
                print(f"added them to the nbgrader course roster ({url})")
            print(f"members share with: hesj.share_reflection(group={g.name!r}) and "
                  f"hesj.send_progress(group={g.name!r})")
            return 0
        g = store.group(args.group, root)
        if args.action == "packet":
            from .packets import plan_packet, segment_packet

            if bool(args.plan) == bool(args.unit):
                raise InputError("Give either --plan PLAN or --unit UNIT --segment N.")
            if args.unit and args.segment is None:
                raise InputError("Say which segment: --segment N.")
            p = (plan_packet(args.plan, when=args.date, start=args.start) if args.plan
                 else segment_packet(args.unit, args.segment, when=args.date, start=args.start))
            stem = args.plan or f"{args.unit}-segment-{args.segment}"
            stem += f"-{args.date}" if args.date else ""
            out = Path(args.out) if args.out else g.folder / "packets"
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{stem}.html").write_text(p.to_html(), encoding="utf-8")
            (out / f"{stem}.md").write_text(p.to_markdown(), encoding="utf-8")
            print(f"wrote {out / (stem + '.html')} and {out / (stem + '.md')} ({p.minutes} minutes)")
            return 0
        if args.action == "digest":
            from datetime import datetime

            from .digest import build_digest

            d = build_digest(g)
            out = Path(args.out) if args.out else g.folder / "digests"
            out.mkdir(parents=True, exist_ok=True)
            stem = f"digest-{datetime.now():%Y-%m-%d-%H%M}"
            (out / f"{stem}.html").write_text(d.to_html(), encoding="utf-8")
            (out / f"{stem}.md").write_text(d.to_markdown(), encoding="utf-8")
            print(f"wrote {out / (stem + '.html')}: {len(d.items)} shared reflection(s)"
                  + (f"; {len(d.skipped)} file(s) not used (listed at the end)" if d.skipped else ""))
            return 0
        if args.action == "progress":
            from .progress import progress_report

            r = progress_report(g, gradebook_url=_gradebook_url(args) if args.gradebook else None)
            if args.csv:
                sys.stdout.write(r.to_csv())
            else:
                out = Path(args.out) if args.out else g.folder / "digests"
                out.mkdir(parents=True, exist_ok=True)
                (out / "progress.html").write_text(r.to_html(), encoding="utf-8")
                for row in r.table():
                    print(f"{row['id']:<16} " + "  ".join(f"{k.split()[0]} {v}" for k, v in row.items()
                                                          if k.endswith("segments")))
                print(f"wrote {out / 'progress.html'}")
            for s in r.skipped:
                print(f"not used: {s}", file=sys.stderr)
            return 0
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 1
    except PermissionError as exc:
        print(f"Permission denied: {exc.filename}. Run this as the group's facilitator.", file=sys.stderr)
        return 1
    return 2


def run_lessons(args) -> int:
    from ..cli import _generated_page
    from .lessons import PAGE, LessonPlanError, render_page

    try:
        page = render_page()
    except LessonPlanError as exc:
        print(exc, file=sys.stderr)
        return 1
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    return _generated_page(PAGE, page, args.check, "hesj lessons", source="hesj/data/lesson_plans.yml")


def add_parser(sub) -> None:
    s = sub.add_parser("group", help="learning groups: create from a roster, session packets, digest, progress")
    s.add_argument("action", choices=["create", "packet", "digest", "progress"])
    s.add_argument("group", help="the group's name, e.g. fall-2026-nursing")
    s.add_argument("--root", help="the folder that holds groups (default: $HESJ_GROUPS_DIR or ~/hesj-groups)")
    s.add_argument("--roster", help="create: the roster CSV (id,first_name,last_name,email,division,role)")
    s.add_argument("--replace-roster", action="store_true", help="create: replace an existing group's roster")
    s.add_argument("--no-gradebook", action="store_true", help="create: do not add members to the nbgrader roster")
    s.add_argument("--course", help="the nbgrader course folder (default: the one `hesj setup-course` made)")
    s.add_argument("--db", help="the gradebook URL, instead of the course folder's gradebook.db")
    s.add_argument("--plan", help="packet: a lesson plan id (see the book's lesson-plan page)")
    s.add_argument("--unit", help="packet: a unit id, e.g. rhi-2")
    s.add_argument("--segment", type=int, help="packet: the segment number")
    s.add_argument("--date", help="packet: the meeting date, YYYY-MM-DD")
    s.add_argument("--start", help="packet: the start time, HH:MM (default: times from the start)")
    s.add_argument("--gradebook", action="store_true", help="progress: add assignments from the gradebook")
    s.add_argument("--csv", action="store_true", help="progress: print CSV instead of writing HTML")
    s.add_argument("--out", help="where to write (default: the group's packets/ or digests/ folder)")
    s.set_defaults(func=run)

    s = sub.add_parser("lessons", help="write book/facilitators/lesson-plans.md from the lesson plans")
    s.add_argument("--check", action="store_true", help="only check that the page is up to date")
    s.set_defaults(func=run_lessons)
