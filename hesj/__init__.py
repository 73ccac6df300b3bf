"""hesj: the library behind the Health Equity and Social Justice course.

Notebook cells call one short function each::

    import hesj
    hesj.setup()
    hesj.overview("rhi-1")
    hesj.reflect("rhi-1", "culture-now")
    hesj.check("rhi-1", "segment-1")
    hesj.self_assessment("rhi-1")
    hesj.key_terms("rhi-1")

``import hesj`` stays light: widgets, pandas and matplotlib load only when an
activity needs them.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["setup", "overview", "reflect", "check", "self_assessment", "key_terms", "journal",
           "toolkit_search", "data", "timeline", "map_explorer", "story_map", "gradient", "intersectionality",
           "root_cause", "power_map", "narrative_lab"]


def setup():
    """The hidden first cell of every unit notebook: display defaults and a privacy note."""
    from .paths import journal_path, static_mode

    if static_mode():
        return None  # the book build: nothing to set up, and the journal is never opened
    import matplotlib

    matplotlib.rcParams.update({"font.size": 12, "axes.titlesize": 13, "figure.dpi": 100})
    from .display import Activity, box, esc
    from .i18n import _

    note = _("Your answers save to your private journal at {path}. Only you can read it. Any prompt can be skipped.")
    return Activity(html=box(f"<p>{esc(note.format(path=journal_path()))}</p>", _("Course setup")))


def overview(unit_id: str):
    from .display import overview as _overview

    return _overview(unit_id)


def course_index():
    """A table of every unit and part of the course with its segments and minutes."""
    from .display import course_index as _course_index

    return _course_index()


def key_terms(unit_id: str):
    from .display import key_terms as _key_terms

    return _key_terms(unit_id)


def reflect(unit_id: str, prompt_id: str):
    """A reflection prompt whose answer saves to the learner's journal."""
    from .activities import reflection
    from .course import reflection as find
    from .paths import static_mode

    prompt = find(unit_id, prompt_id)["prompt"]
    if static_mode():
        from .display import Activity

        return Activity(html=reflection.static_html(prompt))
    return reflection.view(reflection.ReflectionModel(unit_id, prompt_id, prompt))


def check(unit_id: str, check_id: str):
    """A knowledge check with feedback on every answer."""
    from .activities import check as chk
    from .course import check as find
    from .paths import static_mode

    spec = find(unit_id, check_id)
    if static_mode():
        from .display import Activity

        return Activity(html=chk.static_html(spec))
    return chk.view(chk.CheckModel(unit_id, spec))


def self_assessment(unit_id: str):
    """The unit's self-assessment activity."""
    from .activities import self_assessment as sa
    from .course import load_content
    from .paths import static_mode

    spec = load_content(unit_id).get("self_assessment")
    if not spec:
        raise KeyError(f"Unit {unit_id} has no self_assessment in its content file.")
    if static_mode():
        from .display import Activity

        return Activity(html=sa.static_html(spec))
    return sa.view(sa.SelfAssessmentModel(unit_id, spec))


def toolkit_search(query: str = "", **filters):
    """Search the course's toolkit of resources (words, type, topic, unit, audience, years)."""
    from .activities import toolkit_search as ts
    from .paths import static_mode

    if static_mode():
        from .display import Activity

        return Activity(html=ts.static_html())
    model = ts.ToolkitSearchModel(query=query, **filters)
    activity = ts.view(model)
    if query or filters:
        activity.controls["words"].value = query
        model.run()
        activity.controls["results"].value = model.results_html()
    return activity


def _activity(module: str, **kwargs):
    from importlib import import_module

    return import_module(f".activities.{module}", __name__).activity(**kwargs)


def timeline(**kwargs):
    """Timeline explorer: dated US events by theme and period (see hesj.activities.timeline)."""
    return _activity("timeline", **kwargs)


def map_explorer(**kwargs):
    """Map explorer: a measure across US states or counties, or your own places (hesj.activities.mapping)."""
    return _activity("mapping", **kwargs)


def story_map(**kwargs):
    """A geographic story told in steps of maps and text (hesj.activities.storymap)."""
    return _activity("storymap", **kwargs)


def gradient(**kwargs):
    """Gradient explorer: an outcome at every step of a social position (hesj.activities.gradient)."""
    return _activity("gradient", **kwargs)


def intersectionality(**kwargs):
    """Intersectionality explorer: crossed groups beside the single-axis view (hesj.activities.intersectionality)."""
    return _activity("intersectionality", **kwargs)


def root_cause(**kwargs):
    """The "but why?" root-cause chain, saved to your journal (hesj.activities.rootcause)."""
    return _activity("rootcause", **kwargs)


def power_map(**kwargs):
    """Power map of stakeholders on an issue, saved to your journal (hesj.activities.powermap)."""
    return _activity("powermap", **kwargs)


def narrative_lab(**kwargs):
    """Narrative lab: find dominant-narrative cues in a text and reframe them (hesj.activities.narrative)."""
    return _activity("narrative", **kwargs)


def share_reflection(group: str | None = None):
    """Choose one saved reflection, edit the copy, preview it and send it to your learning group."""
    from .groups.widgets import share_reflection as _share

    return _share(group)


def send_progress(group: str | None = None):
    """Preview and send which segments you have completed to your group's facilitator (no text)."""
    from .groups.widgets import send_progress as _send

    return _send(group)


def reaction(unit_id: str, segment: int):
    """The three-question survey at the end of a segment (saved to your journal)."""
    from .evaluation import reaction as _reaction

    return _reaction(unit_id, segment)


def confidence(phase: str):
    """The self-rated confidence assessment: phase 'pre' (before the course) or 'post' (after it)."""
    from .evaluation import confidence as _confidence

    return _confidence(phase)


def action_plan():
    """Your action plan, and its check-in about 90 days later (kept in your journal)."""
    from .evaluation import action_plan as _action_plan

    return _action_plan()


def send_evaluation(group: str | None = None):
    """Preview and send your evaluation ratings (numbers only) to your group's facilitator."""
    from .evaluation import send_evaluation as _send

    return _send(group)


def local(unit_id: str):
    """Your health department's own cases, resources and contacts for this unit (from local/), if any."""
    from .local_material import show_unit

    return show_unit(unit_id)


def local_page():
    """All of your health department's local material (the book's local page)."""
    from .local_material import show_all

    return show_all()


def local_data(name: str):
    """A data table your health department added in local/, marked as local."""
    from .local_material import load_data

    return load_data(name)


def data(name: str):
    """A course data table as a pandas DataFrame, with its source in ``df.attrs['provenance']``."""
    from .datasets import load

    return load(name)


def journal():
    """The learner's own journal (see hesj.journal.Journal)."""
    from .journal import Journal

    return Journal()
