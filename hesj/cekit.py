"""``hesj ce-kit UNIT``: the packet an accredited continuing-education provider asks for.

Everything comes from the manifest and the unit's own files: objectives, a timed outline with the
competencies each segment builds, the references the unit cites, a disclosure template for authors
and planners, the assessment (the unit's knowledge checks, answers marked) with its pass mark, the
evaluation form and the certificate template. The packet is checked against
``hesj/schemas/ce-kit.schema.json`` before anything is written.
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from .completion import PASS_MARK, hours
from .course import REPO_ROOT, load_content, load_course
from .display import standalone_page
from .errors import InputError
from .paths import PACKAGE_DIR

SCHEMA = PACKAGE_DIR / "schemas" / "ce-kit.schema.json"
FRAMEWORK = "Council on Linkages, Core Competencies for Public Health Professionals (2021), by domain"
CREDIT = ("The course package grants no continuing-education credit. This packet helps an accredited provider "
          "review the unit and decide, under its own rules, whether to award credit.")
DISCLOSURE = ("Everyone who controls the content of this activity (authors, planners, reviewers and "
              "facilitators) discloses all financial relationships with companies whose business is producing, "
              "marketing or selling health care products, and any other interest that could bias the content. "
              "The provider records how each relevant relationship is mitigated. Fill in one row per person.")
OPEN_QUESTIONS = ["What will you do differently in your work because of this unit?",
                  "What in this unit needs improving, and how?",
                  "Did you notice any bias in the content? If so, where?"]
_CITE = re.compile(r"\{cite:[pt]\}`([^`]+)`")
_ACTIVITY = re.compile(r"hesj\.(timeline|map_explorer|story_map|gradient|intersectionality|root_cause|power_map|"
                       r"narrative_lab|toolkit_search|self_assessment)\(")
_METHOD = {"timeline": "interactive timeline", "map_explorer": "interactive map", "story_map": "story map",
           "gradient": "data exploration (gradient)", "intersectionality": "data exploration (intersectionality)",
           "root_cause": "root-cause chain exercise", "power_map": "power-mapping exercise",
           "narrative_lab": "narrative analysis lab", "toolkit_search": "resource search",
           "self_assessment": "self-assessment"}


def _segment_sources(unit) -> dict[int, str]:
    nb = json.loads((REPO_ROOT / unit.notebook).read_text(encoding="utf-8"))
    out, current = {}, 0
    for c in nb["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        m = re.search(r"^##\s+Segment\s+(\d+)\s*:", src, re.M)
        if m:
            current = int(m.group(1))
        elif c["cell_type"] == "markdown" and re.match(r"^##\s", src):
            current = -1
        out[current] = out.get(current, "") + "\n" + src
    return out


def build_kit(unit_id: str, *, when: date | None = None) -> dict:
    from .certificate import certificate_html
    from .evaluation import items
    from .outreach import _bibliography

    course = load_course()
    unit = course.published(unit_id, "continuing-education packet")
    texts = _segment_sources(unit)
    outline, start = [], 0
    for s in unit.segments:
        src = texts.get(s.id, "")
        methods = ["reading with discussion questions"]
        methods += sorted({_METHOD[m] for m in _ACTIVITY.findall(src)})
        if "hesj.reflect(" in src:
            methods.append("written reflection")
        if "hesj.check(" in src:
            methods.append("knowledge check with feedback")
        outline.append({"segment": s.id, "title": s.title, "minutes": s.minutes,
                        "start": f"{start // 60}:{start % 60:02d}", "domains": list(s.domains),
                        "tiers": list(s.tiers), "methods": methods})
        start += s.minutes
    ids = sorted({d for s in unit.segments for d in s.domains} | set(unit.assessment_domains))
    bib = _bibliography()
    page_text = "\n".join(texts.values()) + (REPO_ROOT / unit.chapter).read_text(encoding="utf-8")
    keys = list(dict.fromkeys(k.strip() for m in _CITE.findall(page_text) for k in m.split(",")))
    missing = [k for k in keys if k not in bib]
    if missing:
        raise InputError(f"{unit_id} cites {', '.join(missing)}, which references.bib lacks.")
    questions = []
    for check in load_content(unit_id).get("checks") or []:
        for q in check["questions"]:
            qtype = q.get("type", "single")
            if qtype == "ordering":
                answers = [{"text": it["text"], "correct": n} for n, it in enumerate(q["items"], 1)]
            else:
                answers = [{"text": o["text"], "correct": bool(o.get("correct")), "feedback": o["feedback"]}
                           for o in q["options"]]
            questions.append({"id": f"{check['id']}/{q['id']}", "segment": int(check.get("segment", 1)),
                              "type": qtype, "prompt": " ".join(q["prompt"].split()), "answers": answers,
                              "objectives": list(q.get("objectives") or [])})
    ev = items()
    confidence = [i["text"] for i in ev["confidence"] if int(i["domain"]) in ids]
    kit = {
        "kit_version": 1,
        "course": {"title": course.title, "credit_statement": CREDIT},
        "unit": {"id": unit.id, "series": unit.series, "number": unit.number, "title": unit.title},
        "contact_hours": hours([unit]),
        "objectives": list(unit.objectives),
        "outline": outline,
        "competency_domains": {"framework": FRAMEWORK, "assessed": list(unit.assessment_domains),
                               "domains": [{"number": d, "name": course.competency_domains[d]} for d in ids]},
        "references": [{"key": k, "citation": bib[k]} for k in keys],
        "disclosure": {"statement": DISCLOSURE, "commercial_support": "",
                       "authors": [{"name": "", "role": "", "financial_relationships": "", "other_conflicts": "",
                                    "mitigation": ""}]},
        "assessment": {"pass_mark": PASS_MARK,
                       "instructions": (f"The unit's knowledge checks, answered in the notebook or the book. A learner "
                                        f"passes with at least {PASS_MARK:.0%} of the questions right at their last "
                                        "attempt; feedback is shown for every answer and the questions may be "
                                        "answered again."),
                       "questions": questions},
        "evaluation_form": {"scale": ev["reaction"]["scale"], "reaction_items": [i["text"] for i in ev["reaction"]["items"]],
                            "confidence_scale": ev["scale"], "confidence_items": confidence,
                            "open_questions": OPEN_QUESTIONS},
        "certificate_template": certificate_html("{{NAME}}", [unit], when or date.today(), course)
                                .replace((when or date.today()).strftime("%d %B %Y"), "{{DATE}}"),
    }
    validate(kit)
    return kit


def validate(kit: dict) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(kit), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        raise InputError(f"The CE packet does not match {SCHEMA.name} at {where}: {e.message}")


def to_markdown(kit: dict) -> str:
    u = kit["unit"]
    lines = [f"# Continuing-education packet: {u['series']} {u['number']}, {u['title']}", "",
             f"*{kit['course']['title']}*", "", kit["course"]["credit_statement"], "",
             f"**Time:** {kit['contact_hours']:g} hours ({sum(o['minutes'] for o in kit['outline'])} minutes)", "",
             "## Learning objectives", ""] + [f"{n}. {o}" for n, o in enumerate(kit["objectives"], 1)]
    names = {d["number"]: d["name"] for d in kit["competency_domains"]["domains"]}
    lines += ["", "## Timed outline", "", "| Start | Minutes | Segment | Methods | Competency domains | Tiers |",
              "|---|---|---|---|---|---|"]
    lines += [f"| {o['start']} | {o['minutes']} | {o['segment']}. {o['title']} | {', '.join(o['methods'])} | "
              f"{'; '.join(f'{d} {names[d]}' for d in o['domains'])} | {', '.join(map(str, o['tiers']))} |"
              for o in kit["outline"]]
    cd = kit["competency_domains"]
    lines += ["", f"## {cd['framework']}", ""]
    lines += [f"- Domain {d['number']}: {d['name']}" for d in cd["domains"]]
    lines += ["", "Assessed by the knowledge checks and the assignment: "
              + "; ".join(f"domain {d} ({names.get(d, '')})" for d in cd["assessed"]) + "."]
    lines += ["", "## Disclosure of financial relationships and conflicts of interest", "", kit["disclosure"]["statement"],
              "", "| Name | Role | Financial relationships | Other conflicts | Mitigation |", "|---|---|---|---|---|",
              "|  |  |  |  |  |", "", "Commercial support for this activity: ______", ""]
    lines += ["## Assessment", "", kit["assessment"]["instructions"], ""]
    for n, q in enumerate(kit["assessment"]["questions"], 1):
        lines.append(f"{n}. {q['prompt']} (segment {q['segment']}, {q['type']})")
        for a in q["answers"]:
            mark = (f"[{a['correct']}]" if q["type"] == "ordering" else ("[correct]" if a["correct"] else "[ ]"))
            lines.append(f"   - {mark} {a['text']}")
    ev = kit["evaluation_form"]
    lines += ["", "## Evaluation form", "", "Rate each statement: " + "; ".join(f"{n} {s}" for n, s in enumerate(ev["scale"], 1)), ""]
    lines += [f"- {t}" for t in ev["reaction_items"]]
    if ev["confidence_items"]:
        lines += ["", "Confidence, before and after (" + "; ".join(f"{n} {s}" for n, s in enumerate(ev["confidence_scale"], 1)) + "):", ""]
        lines += [f"- {t}" for t in ev["confidence_items"]]
    lines += ["", "Open questions:", ""] + [f"- {t}" for t in ev["open_questions"]]
    lines += ["", "## References", ""] + [f"- {r['citation']}" for r in kit["references"]]
    lines += ["", "## Certificate template", "", "See `certificate-template.html` ({{NAME}} and {{DATE}} are filled in per learner)."]
    return "\n".join(lines) + "\n"


def write_kit(unit_id: str, out_dir: Path | str) -> Path:
    kit = build_kit(unit_id)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ce-kit.json").write_text(json.dumps(kit, indent=1, ensure_ascii=False), encoding="utf-8")
    md = to_markdown(kit)
    (out / "ce-kit.md").write_text(md, encoding="utf-8")
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(md)
    (out / "ce-kit.html").write_text(standalone_page(f"CE packet: {kit['unit']['title']}", body), encoding="utf-8")
    (out / "certificate-template.html").write_text(kit["certificate_template"], encoding="utf-8")
    return out
