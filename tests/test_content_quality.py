"""Learner-facing prose: labels to avoid, reading grade, numbers with citations, and alignment of
each unit's objectives with its activities and assessments (hesj/content_checks.py)."""
from __future__ import annotations

import statistics

import pytest

from hesj import content_checks as cc
from hesj.course import load_course

PAGES = cc.learner_pages()
UNITS = load_course().complete_units


@pytest.mark.parametrize("page", PAGES, ids=[p.path for p in PAGES])
def test_no_labels_the_style_guide_asks_us_to_avoid(page):
    assert cc.flagged_labels(page.text) == []


@pytest.mark.parametrize("page", PAGES, ids=[p.path for p in PAGES])
def test_every_number_has_a_citation(page):
    assert cc.uncited_numbers(page.text) == []


def test_reading_grade_per_page_and_on_average():
    grades = {p.path: round(cc.grade(p.text), 1) for p in PAGES}
    print("Flesch-Kincaid grade per learner page:", grades)
    too_hard = {k: v for k, v in grades.items() if v > cc.MAX_GRADE}
    assert not too_hard, f"above grade {cc.MAX_GRADE}: {too_hard}"
    assert statistics.mean(grades.values()) <= cc.MAX_MEAN_GRADE, grades


@pytest.mark.parametrize("unit", UNITS, ids=[u.id for u in UNITS])
def test_every_objective_is_exercised_and_assessed(unit):
    result = cc.alignment(unit)
    assert result.not_exercised == [], f"{unit.id}: objectives with no activity or reflection: {result.not_exercised}"
    assert result.not_assessed == [], f"{unit.id}: objectives with no check question or graded item: {result.not_assessed}"


def test_the_checks_catch_what_they_should():
    assert cc.flagged_labels("We serve vulnerable populations and the poor.")
    assert not cc.flagged_labels("Racial and ethnic minorities were counted.")
    assert not cc.flagged_labels("Avoid 'the poor'. <!-- language-check: quoted -->")
    assert cc.uncited_numbers("Infant deaths fell by 40 percent.")
    assert not cc.uncited_numbers("Infant deaths fell by 40 percent {cite:p}`Key`.")
    assert not cc.uncited_numbers("Segment 2 takes 30 minutes.\n\n1. First step.")
    hard = "Notwithstanding institutional heterogeneity, epidemiological surveillance infrastructures necessitate " \
           "interdisciplinary operationalization of multidimensional determinants."
    assert cc.grade(hard) > cc.MAX_GRADE > cc.grade("We meet on Monday. We read the unit. We talk about it.")
