"""The certificate of completion: HTML, and a tagged PDF (PDF/UA-1) built with no network.

Made by the learner, in their own space, from their own journal: the course's one completion
rule (``hesj.completion.unit_completion``) decides which units it lists, and the hours come from
the manifest's minutes for those units. The package itself grants no accredited credit, and the
certificate says so.
"""
from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from .completion import completed_units, hours, record_from_journal, unit_completion, unit_hours
from .course import load_course
from .errors import InputError

NO_CREDIT = ("This certificate records completion of the units listed, under the course's completion rule: "
             "every segment's knowledge checks answered, at least 80% of them right, and every end-of-segment "
             "survey saved. The course is open educational material. Its package is not an accredited provider "
             "and grants no continuing-education credit; an accredited provider may review the course and award "
             "credit under its own rules.")

CSS = """
@page { size: Letter landscape; margin: 1.6cm; }
html { font-family: "DejaVu Sans", system-ui, sans-serif; color: #1a1a1a; background: #fff; }
main { border: 3px solid #0b3d6b; padding: 1.4cm 1.8cm; }
h1 { font-size: 26pt; color: #0b3d6b; margin: 0 0 0.4em; }
.name { font-size: 22pt; font-weight: bold; margin: 0.3em 0; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #595959; padding: 0.2em 0.6em; text-align: left; }
.small { font-size: 9pt; }
"""


def check_name(name: str) -> str:
    clean = " ".join(str(name).split())
    if not clean:
        raise InputError("Give the name to print on the certificate, for example: --name \"Ana Díaz\".")
    if len(clean) > 100 or any(ord(c) < 32 for c in clean):
        raise InputError("The name must be at most 100 characters of ordinary text.")
    return clean


def certificate_html(name: str, units, when: date, course=None) -> str:
    course = course or load_course()
    e = lambda s: html.escape(str(s), quote=True)  # noqa: E731
    rows = "".join(f'<tr><th scope="row">{e(u.series)} {u.number}: {e(u.title)}</th><td>{unit_hours(u):g}</td></tr>'
                   for u in units)
    title = f"Certificate of completion: {course.title}"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f'<meta name="author" content="{e(course.title)}"><link rel="icon" href="data:,">'
            f"<style>{CSS}</style></head><body><main>"
            f"<h1>Certificate of completion</h1>"
            f"<p>This certifies that</p><p class=\"name\">{e(name)}</p>"
            f"<p>completed the following parts of <em>{e(course.title)}</em>:</p>"
            f'<table><caption>Units completed and hours of study</caption><thead><tr><th scope="col">Unit</th>'
            f'<th scope="col">Hours</th></tr></thead><tbody>{rows}</tbody></table>'
            f"<p><strong>Total: {hours(units):g} hours</strong>, computed from the course's planned time for each unit.</p>"
            f"<p>Date: {e(when.strftime('%d %B %Y'))}</p>"
            f'<p class="small">{e(NO_CREDIT)}</p>'
            "</main></body></html>\n")


def write_certificate(name: str, out_dir: Path | str, *, journal=None, when: date | None = None,
                      units: list[str] | None = None) -> tuple[Path, Path]:
    """Write certificate.html and certificate.pdf for the units the learner's journal shows complete."""
    from .journal import Journal
    from .outreach import booklet_pdf

    name = check_name(name)
    course = load_course()
    record = record_from_journal(journal if journal is not None else Journal(), course)
    done = completed_units(record, course)
    if units:
        unknown = [u for u in units if u not in {x.id for x in course.complete_units}]
        if unknown:
            raise InputError(f"Unknown unit {', '.join(unknown)}; units are "
                             + ", ".join(u.id for u in course.complete_units) + ".")
        done = [u for u in done if u.id in units]
    if not done:
        near = max(course.complete_units, key=lambda u: unit_completion(record, u).segments_done)
        missing = "; ".join(unit_completion(record, near).missing)
        raise InputError(f"No unit is complete yet, so there is nothing to certify. The closest is {near.id}: "
                         f"to complete it, {missing}.")
    page = certificate_html(name, done, when or date.today(), course)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "certificate.html").write_text(page, encoding="utf-8")
    pdf = booklet_pdf(page, out / "certificate.pdf")
    return out / "certificate.html", pdf
