"""Where does our health department start? A self-rating across the unit's areas.

The learner rates statements about their own health department's practice;
the model turns the ratings into an average per area, names the strongest area
and the one with most room to grow, and saves the ratings to the journal.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..display import Activity, box, esc, figure_html
from ..i18n import _
from ..journal import Journal, JournalError


@dataclass
class SelfAssessmentModel:
    unit: str
    spec: dict
    journal: Journal | None = field(default_factory=Journal)
    ratings: dict[str, list[int | None]] = field(default_factory=dict)

    def __post_init__(self):
        for area in self.spec["areas"]:
            self.ratings.setdefault(area["id"], [None] * len(area["statements"]))

    @property
    def scale(self) -> list[str]:
        return self.spec["scale"]

    def rate(self, area_id: str, index: int, level: int | None) -> None:
        if area_id not in self.ratings:
            raise KeyError(f"There is no area {area_id!r}; areas are {', '.join(self.ratings)}.")
        if level is not None and not 1 <= level <= len(self.scale):
            raise ValueError(f"Ratings go from 1 to {len(self.scale)}; got {level}.")
        self.ratings[area_id][index] = level

    def area_scores(self) -> dict[str, float | None]:
        """Average rating per area over the statements rated (None if none rated)."""
        out = {}
        for aid, values in self.ratings.items():
            rated = [v for v in values if v is not None]
            out[aid] = round(sum(rated) / len(rated), 2) if rated else None
        return out

    def label(self, area_id: str) -> str:
        return next(a["label"] for a in self.spec["areas"] if a["id"] == area_id)

    def summary(self) -> str:
        scores = {k: v for k, v in self.area_scores().items() if v is not None}
        if not scores:
            return _("Rate at least one statement to see your profile.")
        order = list(self.ratings)  # ties go to the area listed first
        top = max(scores, key=lambda k: (scores[k], -order.index(k)))
        low = min(scores, key=lambda k: (scores[k], order.index(k)))
        unrated = sum(v is None for vs in self.ratings.values() for v in vs)
        text = _("Your ratings are strongest for {top} (average {ts} of {n}).").format(
            top=self.label(top), ts=scores[top], n=len(self.scale))
        if low != top:
            step = next((a.get("next_step", "") for a in self.spec["areas"] if a["id"] == low), "")
            text += " " + _("The area with the most room to grow is {low} (average {ls}).").format(
                low=self.label(low), ls=scores[low])
            if step:
                text += " " + step
        if unrated:
            text += " " + _("{k} statements are not rated yet.").format(k=unrated)
        return text

    def table(self) -> list[tuple[str, str]]:
        scores = self.area_scores()
        return [(self.label(a), "—" if s is None else f"{s:.2f}") for a, s in scores.items()]

    def save(self) -> str:
        if self.journal is None:
            return ""
        try:
            self.journal.save(self.unit, self.spec["id"], json.dumps(self.ratings), kind="activity",
                              prompt=self.spec.get("title", ""))
        except JournalError as exc:
            return str(exc)
        return _("Your ratings were saved to your private journal.")

    def restore(self) -> str:
        if self.journal is None:
            return ""
        try:
            entry = self.journal.get(self.unit, self.spec["id"], kind="activity")
        except JournalError as exc:
            return str(exc)
        if entry:
            saved = json.loads(entry.text)
            for aid, values in saved.items():
                if aid in self.ratings and len(values) == len(self.ratings[aid]):
                    self.ratings[aid] = values
        return ""

    def figure(self):
        """A horizontal bar chart of the averages; every bar is labelled with its value."""
        import matplotlib.pyplot as plt

        rows = [(lab, float(v)) for lab, v in self.table() if v != "—"]
        fig, ax = plt.subplots(figsize=(6.5, 0.55 * max(len(rows), 1) + 1))
        labels = [r[0] for r in rows][::-1]
        values = [r[1] for r in rows][::-1]
        bars = ax.barh(labels, values, color="#0072B2", edgecolor="#1a1a1a")
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], padding=3)
        ax.set_xlim(0, len(self.scale) + 0.5)
        ax.set_xticks(range(1, len(self.scale) + 1),
                      [f"{i}\n{s}" for i, s in enumerate(self.scale, start=1)])
        ax.set_xlabel(_("Average rating"))
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return fig


def table_html(model: SelfAssessmentModel) -> str:
    rows = "".join(f'<tr><th scope="row">{esc(a)}</th><td>{esc(s)}</td></tr>' for a, s in model.table())
    return (f"<table><caption>{_('Average rating by area')}</caption>"
            f'<thead><tr><th scope="col">{_("Area")}</th><th scope="col">{_("Average")}</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def static_html(spec: dict) -> str:
    """A printable worksheet: every statement with the rating scale."""
    scale = " · ".join(f"{i} {esc(s)}" for i, s in enumerate(spec["scale"], start=1))
    parts = [f"<p><strong>{esc(spec['title'])}</strong></p>", f"<p>{esc(spec.get('intro', ''))}</p>",
             f"<p>{_('Rate each statement for your own health department')}: {scale}.</p>"]
    for area in spec["areas"]:
        items = "".join(f"<li>{esc(s)} <span>({_('rating')}: ____ )</span></li>" for s in area["statements"])
        parts.append(f"<p><strong>{esc(area['label'])}</strong></p><ol>{items}</ol>")
    return box("".join(parts), spec["title"])


def view(model: SelfAssessmentModel) -> Activity:
    import ipywidgets as w

    problem = model.restore()
    rows, controls = [w.HTML(f"<p><strong>{esc(model.spec['title'])}</strong></p>"
                             f"<p>{esc(model.spec.get('intro', ''))}</p>")], {}
    options = [(_("Not rated"), None)] + [(f"{i} {s}", i) for i, s in enumerate(model.scale, start=1)]
    for area in model.spec["areas"]:
        rows.append(w.HTML(f"<p><strong>{esc(area['label'])}</strong></p>"))
        for i, statement in enumerate(area["statements"]):
            rows.append(w.HTML(f"<p>{esc(statement)}</p>"))
            dd = w.Dropdown(options=options, value=model.ratings[area["id"]][i],
                            description=_("Rating"), tooltip=statement)

            def changed(change, aid=area["id"], i=i):
                model.rate(aid, i, change["new"])

            dd.observe(changed, names="value")
            rows.append(dd)
            controls[f"{area['id']}/{i}"] = dd
    show = w.Button(description=_("Show my profile and save"), button_style="primary")
    result = w.HTML(value=esc(problem))

    def on_show(_b):
        import matplotlib.pyplot as plt

        note = model.save()
        summary = model.summary()
        chart = ""
        if any(v is not None for v in model.area_scores().values()):
            fig = model.figure()
            chart = figure_html(fig, alt=summary)
            plt.close(fig)
        result.value = (f'<p role="status">{esc(summary)}</p>{table_html(model)}{chart}'
                        f"<p><em>{esc(note)}</em></p>")

    show.on_click(on_show)
    rows += [show, result]
    controls.update({"show": show, "result": result})
    return Activity(w.VBox(rows), static_html(model.spec), model=model, controls=controls)
