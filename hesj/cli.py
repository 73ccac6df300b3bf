"""The ``hesj`` command line: a thin layer over the library's functions.

    hesj start                 open the course in JupyterLab (what `./course start` runs)
    hesj setup-course          write the nbgrader configuration for a course directory
    hesj journal path|export|import|delete
    hesj glossary [--check]    write (or check) book/glossary.md from the glossary data
    hesj lexicon [--check]     write (or check) book/handbook/lexicon.md from the narrative lexicon
    hesj lessons [--check]     write (or check) book/facilitators/lesson-plans.md from the lesson plans
    hesj outreach slides DIR | booklet FILE.pdf   the course presentation or booklet, built offline
    hesj competencies [--check]   write (or check) the competency matrix and core paths page
    hesj certificate --name NAME  your certificate of completion, from your own journal
    hesj ce-kit UNIT              the continuing-education packet for one unit (schema-checked)
    hesj report GROUP...          completion and evaluation for leadership, groups under 5 suppressed
    hesj group ...             learning groups: create, packet, digest, progress (see hesj group -h)
    hesj export-grades DB OUT  per-criterion CSV from an nbgrader gradebook
    hesj grade STEP            the instructor's grading steps (check, generate, release, collect,
                               autograde, todo, score, feedback, export, guide)
    hesj hub install|start|add-user|backup|restore   the course on a single-machine JupyterHub (root)
    hesj toolkit search WORDS  search the toolkit of resources (also: show ID, page [--check])
    hesj slides UNIT           the unit as an offline reveal.js slide deck for a facilitator
    hesj data list|show NAME   the course's data tables and where each comes from (page [--check]: book/data.md)
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from .course import REPO_ROOT
from .paths import hesj_home


def course_dirs(home: Path | None = None) -> dict[str, Path]:
    """Where `hesj start` keeps things under HESJ_HOME.

    JupyterLab serves ``workspace/``: ``workspace/notebooks`` holds the learner's own
    copies of the course notebooks (the start folder) and ``workspace/course`` is the
    instructor's nbgrader course folder, which nbgrader's formgrader needs
    inside the server's root. The journal stays outside the served folder.
    """
    home = home or hesj_home()
    workspace = home / "workspace"
    return {
        "home": home,
        "workspace": workspace,
        "notebooks": workspace / "notebooks",
        "course": workspace / "course",
        "exchange": home / "exchange",
        "jupyter_config": home / "jupyter-config",
    }


def copy_notebooks(folder: Path) -> list[Path]:
    """Give the learner their own copy of each course notebook in ``folder``.

    Only notebooks missing from the folder are copied: a learner's own copy, with their
    outputs and notes, is never overwritten, and the course's files stay clean (JupyterLab
    saves whatever it runs). To get a fresh copy of a unit, rename or delete your copy and
    start the course again. A link left by an older version of the course is replaced by a folder.
    """
    if folder.is_symlink():
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for source in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        target = folder / source.name
        if not target.exists():
            shutil.copyfile(source, target)
            copied.append(target)
    return copied


def setup_course(home: Path | None = None, mode: str = "completion", db_url: str | None = None,
                 exchange: Path | str | None = None) -> dict[str, Path]:
    """Create the workspace, course, exchange and config folders and write nbgrader_config.py."""
    from .grading.config import write_config

    dirs = course_dirs(home)
    for key in ("workspace", "course", "exchange", "jupyter_config"):
        dirs[key].mkdir(parents=True, exist_ok=True)
    os.chmod(dirs["home"], 0o700)
    copy_notebooks(dirs["notebooks"])
    kwargs = dict(root=str(dirs["course"]), source=str(REPO_ROOT / "assignments"),
                  exchange=str(exchange or dirs["exchange"]), mode=mode, db_url=db_url)
    write_config(dirs["jupyter_config"] / "nbgrader_config.py", **kwargs)
    # nbgrader commands run in the course folder read this copy
    write_config(dirs["course"] / "nbgrader_config.py", **kwargs)
    return dirs


def lab_command(dirs: dict[str, Path], port: int = 8888, open_browser: bool = True,
                extra: list[str] | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "jupyterlab",
           f"--ServerApp.root_dir={dirs['workspace']}",
           "--FileContentsManager.preferred_dir=notebooks",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # containers and CI machines often run as root; Jupyter refuses that unless told
        cmd.append("--allow-root")
    return cmd + (extra or [])


def lab_env(dirs: dict[str, Path]) -> dict[str, str]:
    env = dict(os.environ)
    env["HESJ_HOME"] = str(dirs["home"])
    # nbgrader runs programs from this environment (alembic) by name
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    paths = [str(dirs["jupyter_config"])] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    return env


def cmd_start(args) -> int:
    try:
        dirs = setup_course(mode=args.mode)
    except OSError as exc:
        print(f"The course could not be set up: {exc}", file=sys.stderr)
        return 1
    print("HESJ course")
    print(f"  notebooks:     {dirs['notebooks']} (your own copies; the course's files stay as they are)")
    print(f"  your journal:  {dirs['home'] / 'journal.sqlite'} (private to you)")
    print(f"  gradebook:     {dirs['course'] / 'gradebook.db'}")
    print(f"  course URL:    http://127.0.0.1:{args.port}/lab  (JupyterLab prints the full address with its token below)")
    print("Stop the server with Ctrl+C.", flush=True)
    os.execve(sys.executable, lab_command(dirs, args.port, not args.no_browser, args.jupyter_args), lab_env(dirs))
    return 0  # not reached


def cmd_setup_course(args) -> int:
    try:
        dirs = setup_course(Path(args.home) if args.home else None, mode=args.mode, db_url=args.db_url,
                            exchange=args.exchange)
    except OSError as exc:
        print(f"The course could not be set up: {exc}", file=sys.stderr)
        return 1
    print(f"nbgrader configuration written to {dirs['course'] / 'nbgrader_config.py'}")
    return 0


def cmd_journal(args) -> int:
    from .journal import Journal, JournalError

    j = Journal()
    try:
        if args.action == "path":
            print(j.path)
        elif args.action == "export":
            target = Path(args.output)
            if target.suffix.lower() in (".html", ".htm"):
                j.export_html(target)
            elif target.suffix.lower() == ".md":
                j.export_markdown(target)
            else:
                print("Name the output file .md (Markdown) or .html (web page).", file=sys.stderr)
                return 2
            print(f"Your portfolio was written to {target}")
        elif args.action == "import":
            if not args.output:
                print("Give your assignment notebook, for example: hesj journal import rhi-1.ipynb", file=sys.stderr)
                return 2
            from .errors import InputError

            try:
                saved = j.import_assignment(args.output, unit=args.unit)
            except InputError as exc:
                print(exc, file=sys.stderr)
                return 2
            print(f"{len(saved)} reflection(s) copied into your journal." if saved else
                  "Nothing new to copy: no answered reflections, or they are already in your journal.")
        elif args.action == "delete":
            files = j.files()
            if not files:
                print("There is no journal to delete.")
                return 0
            if not args.yes:
                answer = input(f"Delete your journal for good ({len(files)} files under {j.path.parent})? [y/N] ")
                if answer.strip().lower() not in ("y", "yes"):
                    print("Nothing was deleted.")
                    return 1
            for p in j.delete():
                print(f"deleted {p}")
    except JournalError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _generated_page(target: Path, page: str, check: bool, how: str, source: str = "") -> int:
    """Write a page generated from data, or (check) say so and return 1 when it is stale."""
    if check:
        if not target.exists() or target.read_text(encoding="utf-8") != page:
            print(f"{target} is out of date{' with ' + source if source else ''}: run `{how}`.", file=sys.stderr)
            return 1
        return 0
    target.write_text(page, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def cmd_glossary(args) -> int:
    from .glossary import render_page

    return _generated_page(REPO_ROOT / "book" / "glossary.md", render_page(), args.check, "hesj glossary",
                           source="hesj/data/glossary.yml")


def cmd_lexicon(args) -> int:
    from .activities.narrative import NarrativeError, load_lexicon
    from .lexicon_page import PAGE, missing_sources, render_page

    try:
        lexicon = load_lexicon()
    except NarrativeError as exc:
        print(exc, file=sys.stderr)
        return 1
    from .datasets import bib_keys

    missing = missing_sources(lexicon, bib_keys())
    if missing:
        print("The narrative lexicon cites works that references.bib lacks; add them there: "
              + "; ".join(missing), file=sys.stderr)
        return 1
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    return _generated_page(PAGE, render_page(lexicon), args.check, "hesj lexicon",
                           source="hesj/data/narrative_lexicon.yml")


def cmd_outreach(args) -> int:
    from . import outreach
    from .errors import InputError

    try:
        if args.what == "slides":
            print(f"wrote {outreach.write_presentation(args.out)} (reveal.js beside it; works offline)")
        else:
            print(f"wrote {outreach.write_booklet(args.out)} (tagged PDF/UA-1)")
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_competencies(args) -> int:
    from .competencies import PAGE, check_framework, render_page

    problems = check_framework()
    if problems:
        print("hesj/course.yml and hesj/data/core_competencies.yml disagree: " + "; ".join(problems), file=sys.stderr)
        return 1
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    return _generated_page(PAGE, render_page(), args.check, "hesj competencies", source="hesj/course.yml")


def cmd_certificate(args) -> int:
    from .certificate import write_certificate
    from .errors import InputError

    try:
        page, pdf = write_certificate(args.name, args.out, units=args.units or None)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"wrote {page} and {pdf}")
    return 0


def cmd_cekit(args) -> int:
    from .cekit import write_kit
    from .errors import InputError

    try:
        out = write_kit(args.unit, args.out or f"ce-kit-{args.unit}")
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"wrote {out}/ce-kit.json, ce-kit.md, ce-kit.html and certificate-template.html (checked against the schema)")
    return 0


def cmd_report(args) -> int:
    from .errors import InputError
    from .groups import store
    from .report import build_report, to_csv, to_html

    try:
        groups = [store.group(g, args.root) for g in args.groups]
        rows = build_report(groups)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 1
    except PermissionError as exc:
        print(f"Permission denied: {exc.filename}. Run this as the groups' facilitator.", file=sys.stderr)
        return 1
    if args.csv:
        sys.stdout.write(to_csv(rows))
        return 0
    out = Path(args.out or "hesj-report.html")
    out.write_text(to_html(rows, "Course report: " + ", ".join(args.groups)), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def cmd_subset(args) -> int:
    """Print the jupyter-book options for a board-approved subset (nothing for the whole course)."""
    from .errors import InputError
    from .subset import prepare

    try:
        paths = prepare(args.out)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 1
    if paths:
        config, toc = paths
        print(f"--config {config} --toc {toc}")
    return 0


def cmd_export_grades(args) -> int:
    from .grading.export import export_csv

    db = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    print(f"wrote {export_csv(db, args.output, args.assignment)}")
    return 0


def cmd_toolkit(args) -> int:
    import json

    from . import toolkit
    from .toolkit_page import render_page

    try:
        if args.action == "page":
            return _generated_page(REPO_ROOT / "book" / "toolkit.md", render_page(), args.check,
                                   "hesj toolkit page")
        if args.action == "show":
            if not args.words:
                print("Say which entry to show, for example: hesj toolkit show jones-2000-levels-of-racism",
                      file=sys.stderr)
                return 2
            e = toolkit.get(args.words[0])
            d = e.as_dict()
            d["serves"], d["verification"] = list(e.serves), e.verification
            if args.json:
                print(json.dumps(d, indent=2, default=str))
            else:
                for k, v in d.items():
                    print(f"{k:>12}: {', '.join(map(str, v)) if isinstance(v, list) else v}")
            return 0
        results = toolkit.search(" ".join(args.words), type=args.type, topic=args.topic, unit=args.unit,
                                 audience=args.audience, year=args.year, limit=args.limit)
    except toolkit.ToolkitError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([dict(r.entry.as_dict(), score=round(r.score, 4)) for r in results], indent=2))
        return 0
    if not results:
        print("Nothing matches. Try fewer or different words, or drop a filter.")
        return 0
    for n, r in enumerate(results, 1):
        e = r.entry
        print(f"{n:>2}. {e.title} ({e.type}, {e.year})")
        print(f"    {', '.join(e.authors)}. {e.link}")
        print(f"    id: {e.id}")
    return 0


def cmd_data(args) -> int:
    from . import datasets

    try:
        if args.action == "page":
            from .data_page import render_page

            return _generated_page(REPO_ROOT / "book" / "data.md", render_page(), args.check, "hesj data page")
        if args.action == "list":
            for name in datasets.tables():
                print(f"{name:<28} {datasets.provenance(name)['title']}")
            return 0
        if not args.name:
            print("Say which table, for example: hesj data show life_expectancy_race", file=sys.stderr)
            return 2
        print(datasets.describe(args.name))
        return 0
    except datasets.DataError as exc:
        print(exc, file=sys.stderr)
        return 2


def cmd_slides(args) -> int:
    from .errors import InputError
    from .slides import export

    try:
        deck = export(args.unit, args.output)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {deck} (open it in a browser; the reveal.js folder beside it must stay with it)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hesj", description="Health Equity and Social Justice course tools.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("start", help="open the course in JupyterLab on 127.0.0.1")
    s.add_argument("--port", type=int, default=int(os.environ.get("HESJ_PORT", "8888")))
    s.add_argument("--no-browser", action="store_true", help="print the address instead of opening a browser")
    s.add_argument("--mode", choices=["completion", "rubric"], default="completion", help="grading mode")
    s.add_argument("jupyter_args", nargs="*", help="options passed on to JupyterLab (after --)")
    s.set_defaults(func=cmd_start)

    s = sub.add_parser("setup-course", help="write the nbgrader configuration")
    s.add_argument("--home", help="folder for the course (default: $HESJ_HOME or ~/.hesj)")
    s.add_argument("--mode", choices=["completion", "rubric"], default="completion")
    s.add_argument("--db-url", help="gradebook database URL (default: SQLite in the course folder)")
    s.add_argument("--exchange", help="nbgrader's shared exchange folder (default: HESJ_HOME/exchange)")
    s.set_defaults(func=cmd_setup_course)

    s = sub.add_parser("journal", help="your private journal: where it is, export it, delete it")
    s.add_argument("action", choices=["path", "export", "import", "delete"])
    s.add_argument("output", nargs="?", help="for export: a .md or .html file to write; for import: your assignment notebook")
    s.add_argument("--unit", help="for import: the unit the assignment belongs to (default: the notebook's name)")
    s.add_argument("--yes", action="store_true", help="for delete: do not ask to confirm")
    s.set_defaults(func=cmd_journal)

    s = sub.add_parser("glossary", help="write book/glossary.md from hesj/data/glossary.yml")
    s.add_argument("--check", action="store_true", help="only check that the page is current")
    s.set_defaults(func=cmd_glossary)

    s = sub.add_parser("lexicon", help="write book/handbook/lexicon.md from the narrative lab's cue lexicon")
    s.add_argument("--check", action="store_true", help="only check that the page is up to date")
    s.set_defaults(func=cmd_lexicon)

    s = sub.add_parser("outreach", help="the course presentation (slides) or the printable booklet (PDF)")
    s.add_argument("what", choices=["slides", "booklet"])
    s.add_argument("out", help="slides: a folder; booklet: the PDF file to write")
    s.set_defaults(func=cmd_outreach)

    s = sub.add_parser("competencies", help="write book/adopting/competencies.md (matrix and core paths)")
    s.add_argument("--check", action="store_true", help="only check that the page is up to date")
    s.set_defaults(func=cmd_competencies)

    s = sub.add_parser("certificate", help="your certificate of completion (HTML and tagged PDF), from your journal")
    s.add_argument("--name", required=True, help="the name to print, e.g. \"Ana Díaz\"")
    s.add_argument("--out", default="certificate", help="the folder to write (default: ./certificate)")
    s.add_argument("--units", nargs="*", help="only these units (default: every unit you completed)")
    s.set_defaults(func=cmd_certificate)

    s = sub.add_parser("ce-kit", help="the packet an accredited continuing-education provider asks for, for one unit")
    s.add_argument("unit", help="a unit id, e.g. rhi-1")
    s.add_argument("--out", help="the folder to write (default: ce-kit-UNIT)")
    s.set_defaults(func=cmd_cekit)

    s = sub.add_parser("report", help="completion and evaluation by unit, division and role; small groups suppressed")
    s.add_argument("groups", nargs="+", help="one or more learning groups")
    s.add_argument("--root", help="the folder that holds groups (default: $HESJ_GROUPS_DIR or ~/hesj-groups)")
    s.add_argument("--csv", action="store_true", help="print CSV instead of writing HTML")
    s.add_argument("--out", help="the HTML file to write (default: hesj-report.html)")
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("subset", help="the book options for only the units in local/local.yml approved_units")
    s.add_argument("--out", help="where to write the subset's _toc.yml and _config.yml (default: _build/subset)")
    s.set_defaults(func=cmd_subset)

    s = sub.add_parser("export-grades", help="per-criterion CSV from an nbgrader gradebook")
    s.add_argument("db", help="gradebook.db path or database URL")
    s.add_argument("output", help="CSV file to write")
    s.add_argument("--assignment", help="only this assignment")
    s.set_defaults(func=cmd_export_grades)

    from .toolkit import AUDIENCES, TOPICS, TYPES

    s = sub.add_parser("toolkit", help="search the toolkit of resources",
                       description="Search the toolkit: hesj toolkit search WORDS [filters]; "
                                   "hesj toolkit show ID; hesj toolkit page [--check] writes book/toolkit.md.")
    s.add_argument("action", choices=["search", "show", "page"])
    s.add_argument("words", nargs="*", help="search words (for show: the entry id)")
    s.add_argument("--type", help=f"one of: {', '.join(TYPES)}")
    s.add_argument("--topic", help=f"one of: {', '.join(TOPICS)}")
    s.add_argument("--unit", help="a unit id, for example rhi-4")
    s.add_argument("--audience", help=f"one of: {', '.join(AUDIENCES)}")
    s.add_argument("--year", help="a year or a range: 2010, 2010-2020, 2010-, -2020")
    s.add_argument("--limit", type=int, default=20, help="how many results (default 20)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--check", action="store_true", help="for page: only check that book/toolkit.md is current")
    s.set_defaults(func=cmd_toolkit)

    s = sub.add_parser("slides", help="a unit as a slide deck for a facilitator (works offline)")
    s.add_argument("unit", help="the unit id, for example rhi-1")
    s.add_argument("--output", default="slides", help="folder to write into (default: ./slides)")
    s.set_defaults(func=cmd_slides)

    from .grading.cli import add_parser as add_grade_parser
    from .hub_cli import add_parser as add_hub_parser

    from .groups.cli import add_parser as add_group_parser

    add_grade_parser(sub)
    add_hub_parser(sub)
    add_group_parser(sub)

    s = sub.add_parser("data", help="the course's data tables and their sources")
    s.add_argument("action", choices=["list", "show", "page"])
    s.add_argument("name", nargs="?", help="for show: the table's name")
    s.add_argument("--check", action="store_true", help="for page: only check that book/data.md is current")
    s.set_defaults(func=cmd_data)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "journal" and args.action == "export" and not args.output:
        print("Say where to write the portfolio, for example: hesj journal export my-portfolio.html", file=sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
