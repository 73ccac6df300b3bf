"""Intersectionality explorer: an outcome across two or three crossed categories,
next to the single-axis view of each category on its own.

Looking at one category at a time (women versus men, White versus not White)
averages over everyone else in each group. Crossing the categories shows groups
that those averages hide. This activity computes both views from the individual
records of the 2009 National Health Interview Survey extract
(``hesj.datasets.load("nhis_2009")``) with the survey weights, and shows how much
wider the crossed range is than the widest single-axis range.

The model (:func:`crosstab`, :func:`single_axis`, :class:`IntersectionModel`) is
plain pandas; :func:`build_chart` / :func:`update_chart` keep one figure and
change its bars in place; :func:`view` wires ipywidgets to the model.
"""
from __future__ import annotations

import itertools
import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

from ..charts import HATCHES, PALETTE, chart_html, style, table_html
from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _

CATEGORIES = ("sex", "race", "income", "income_groups", "employment")
OUTCOMES = ("insured", "health")
DEFAULT_CROSSING = ("race", "sex", "income")
MIN_N = 30  # fewer people than this in the survey: the group's value is shaky
MAX_LEVELS = 8  # single-axis bars at most: 2 + 2 + 4
MAX_CROSSED = 16  # crossed bars at most: 4 x 2 x 2
PATTERNS = HATCHES + ("--", "||", "**")  # enough hatches for 8 crossed sub-groups in one colour
SURVEY_COLUMNS = ("fml", "hi", "hlth", "nwhite", "empl", "inc", "perweight")


# -- labels --------------------------------------------------------------------------------------------
def category_label(key: str) -> str:
    return {"sex": _("Sex"), "race": _("White or not White"), "income": _("Income (lower or higher half)"),
            "income_groups": _("Income groups (near fifths)"), "employment": _("Employment")}.get(key, key)


def outcome_label(key: str) -> str:
    return {"insured": _("Percent with health insurance"), "health": _("Mean health index")}.get(key, key)


def limitation() -> str:
    return _("Data limits: race is recorded only as White or not White and sex only as women or men, so "
             "this survey extract cannot show the experience of Black, Hispanic, Asian, American Indian "
             "and other groups, or of people whose gender is not recorded here.")


def _money(x: float) -> str:
    return f"${x:,.0f}"


# -- categories from the records ----------------------------------------------------------------------------
def split_near_half(values, weights) -> float:
    """The income threshold that splits people (weighted) as close to half and half as the bands allow.

    People with income at or below the threshold are the lower half. Ties stay together.
    """
    import pandas as pd

    share = pd.Series(weights.to_numpy(dtype=float), index=values.to_numpy()).groupby(level=0).sum()
    cum = share.sort_index().cumsum() / share.sum()
    inner = cum.iloc[:-1]  # the highest value cannot be a threshold: nobody would be above it
    if inner.empty:
        raise InputError(_("Everyone in the table has the same income, so it cannot be split in two."))
    return float((inner - 0.5).abs().idxmin())


def levels(df, category: str):
    """(level number 0..k-1 per person, the k level labels) for one category."""
    import numpy as np
    import pandas as pd

    from .gradient import weighted_groups

    if category == "sex":
        return pd.Series(np.where(df["fml"] == 1, 0, 1), index=df.index), [_("Women"), _("Men")]
    if category == "race":
        return pd.Series(np.where(df["nwhite"] == 0, 0, 1), index=df.index), [_("White"), _("Not White")]
    if category == "employment":
        return pd.Series(np.where(df["empl"] == 1, 0, 1), index=df.index), [_("Employed"), _("Not employed")]
    if category == "income":
        cut = split_near_half(df["inc"], df["perweight"])
        return pd.Series(np.where(df["inc"] <= cut, 0, 1), index=df.index), [_("Lower income"), _("Higher income")]
    if category == "income_groups":
        steps = weighted_groups(df["inc"], df["perweight"])
        g = int(steps.max())
        labels = [_("Income group {i} (lowest)").format(i=1)]
        labels += [_("Income group {i}").format(i=i) for i in range(2, g)]
        labels += [_("Income group {i} (highest)").format(i=g)]
        return steps - 1, labels
    raise InputError(_("Unknown category {category!r}. Choose from: {known}.").format(
        category=category, known=", ".join(CATEGORIES)))


def income_note(df, category: str) -> str:
    """What the income levels hold, in words computed from the data ('' for other categories)."""
    if category not in ("income", "income_groups"):
        return ""
    codes, labels = levels(df, category)
    w = df["perweight"].astype(float)
    parts = []
    for k, label in enumerate(labels):
        inc = df.loc[codes == k, "inc"]
        lo, hi = _money(inc.min()), _money(inc.max())
        span = lo if lo == hi else _("{lo} to {hi}").format(lo=lo, hi=hi)
        parts.append(_("{label}: household income {span}, {share:.0f}% of adults").format(
            label=label, span=span, share=w[codes == k].sum() / w.sum() * 100))
    return _("Income is recorded in {bands} bands, so the groups are as close to equal as the bands "
             "allow. {parts}.").format(bands=df["inc"].nunique(), parts="; ".join(parts))


def check_request(df, categories, outcome: str) -> tuple[str, ...]:
    """The categories as a tuple, or InputError saying what to fix."""
    missing = [c for c in SURVEY_COLUMNS if c not in getattr(df, "columns", [])]
    if missing:
        raise InputError(_("The table is missing the column(s) {missing}. Use "
                           "hesj.datasets.load('nhis_2009').").format(missing=", ".join(missing)))
    blank = [c for c in SURVEY_COLUMNS if df[c].isna().any()]
    if blank:
        raise InputError(_("The table has empty cells in column(s) {blank}. Drop or fill those rows "
                           "first.").format(blank=", ".join(blank)))
    if isinstance(categories, str):
        categories = (categories,)
    try:
        cats = tuple(c for c in categories if c not in (None, ""))
    except TypeError:
        raise InputError(_("Give the categories as a list, for example ('race', 'sex').")) from None
    unknown = [str(c) for c in cats if c not in CATEGORIES]
    if unknown:
        raise InputError(_("Unknown category {unknown}. Choose from: {known}.").format(
            unknown=", ".join(repr(u) for u in unknown), known=", ".join(CATEGORIES)))
    if len(cats) < 2:
        raise InputError(_("Choose at least two different categories to cross (and at most three)."))
    if len(cats) > 3:
        raise InputError(_("Choose at most three categories: with more, most groups become too small to read."))
    repeated = [c for c in dict.fromkeys(cats) if cats.count(c) > 1]
    incomes = [c for c in cats if c in ("income", "income_groups")]
    if repeated or len(incomes) > 1:
        twice = category_label(repeated[0]) if repeated else _("Income")
        raise InputError(_("{category} is chosen twice. Choose a different category for each "
                           "dropdown.").format(category=twice))
    if outcome not in OUTCOMES:
        raise InputError(_("Unknown outcome {outcome!r}. Choose one of: {known}.").format(
            outcome=outcome, known=", ".join(OUTCOMES)))
    return cats


def _outcome_values(df, outcome: str):
    return df["hi"] * 100.0 if outcome == "insured" else df["hlth"].astype(float)


def _weighted(frame, y, w):
    """Unweighted count, weighted share and weighted mean per group of the frame's index."""
    import pandas as pd

    wy = (y * w).groupby(frame).sum()
    sw = w.groupby(frame).sum()
    n = y.groupby(frame).size()
    return pd.DataFrame({"people": n, "weight": sw, "value": wy / sw})


def crosstab(df, categories=DEFAULT_CROSSING, outcome: str = "insured", weight: str = "perweight"):
    """The outcome for every crossed group (all combinations of the categories' levels).

    One row per group, in a fixed order: a column per category (its level), then
    group (the levels joined), people (unweighted count), share (weighted percent
    of everyone) and value (weighted by ``weight``; empty for a group with nobody).
    """
    import numpy as np
    import pandas as pd

    cats = check_request(df, categories, outcome)
    coded = [levels(df, c) for c in cats]
    sizes = [len(labels) for _c, labels in coded]
    key = np.zeros(len(df), dtype=int)  # one number per crossed group (mixed radix of the level numbers)
    for (codes, _labels), size in zip(coded, sizes):
        key = key * size + codes.to_numpy(dtype=int)
    y = _outcome_values(df, outcome).reset_index(drop=True)
    w = df[weight].astype(float).reset_index(drop=True)
    stats = _weighted(pd.Series(key), y, w)
    total = w.sum()
    rows = []
    for combo in itertools.product(*[range(size) for size in sizes]):
        k = 0
        for code, size in zip(combo, sizes):
            k = k * size + code
        names = [coded[i][1][c] for i, c in enumerate(combo)]
        has = k in stats.index
        row = {category_label(c): name for c, name in zip(cats, names)}
        row.update(group=" · ".join(names), codes=combo, people=int(stats.loc[k, "people"]) if has else 0,
                   share=float(stats.loc[k, "weight"] / total * 100) if has else 0.0,
                   value=float(stats.loc[k, "value"]) if has else np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def single_axis(df, categories=DEFAULT_CROSSING, outcome: str = "insured", weight: str = "perweight"):
    """The outcome for each level of each category on its own (the single-axis view)."""
    import pandas as pd

    cats = check_request(df, categories, outcome)
    y = _outcome_values(df, outcome)
    w = df[weight].astype(float)
    rows = []
    for c in cats:
        codes, labels = levels(df, c)
        stats = _weighted(codes, y, w)
        for k, label in enumerate(labels):
            has = k in stats.index
            rows.append({"category": c, "level": label, "people": int(stats.loc[k, "people"]) if has else 0,
                         "value": float(stats.loc[k, "value"]) if has else math.nan})
    return pd.DataFrame(rows)


# -- the model ----------------------------------------------------------------------------------------------
def load_survey():
    from ..datasets import load

    return load("nhis_2009")


def _fmt(value: float, outcome: str) -> str:
    return f"{value:.1f}%" if outcome == "insured" else f"{value:.2f}"


def _points(value: float, outcome: str) -> str:
    return (_("{v:.1f} percentage points").format(v=value) if outcome == "insured"
            else _("{v:.2f} points").format(v=value))


@dataclass
class IntersectionModel:
    """State: the survey records, the categories crossed and the outcome; results computed from them."""

    df: Any = None
    categories: tuple = DEFAULT_CROSSING
    outcome: str = "insured"
    crossed: Any = field(default=None, init=False)
    single: Any = field(default=None, init=False)

    def __post_init__(self):
        if self.df is None:
            self.df = load_survey()
        self.set(self.categories, self.outcome)

    def set(self, categories, outcome=None):
        """Change the crossing or outcome; with bad input nothing changes."""
        outcome = self.outcome if outcome is None else outcome
        cats = check_request(self.df, categories, outcome)
        crossed, single = crosstab(self.df, cats, outcome), single_axis(self.df, cats, outcome)
        self.categories, self.outcome, self.crossed, self.single = cats, outcome, crossed, single

    # numbers the text uses
    def reliable(self):
        """Crossed groups with at least MIN_N people (all groups with anyone, if none has that many)."""
        ok = self.crossed[self.crossed["people"] >= MIN_N]
        return ok if not ok.empty else self.crossed[self.crossed["people"] > 0]

    def small_groups(self) -> list[str]:
        return list(self.crossed.loc[self.crossed["people"] < MIN_N, "group"])

    def single_ranges(self) -> dict[str, float]:
        return {c: float(g["value"].max() - g["value"].min()) for c, g in self.single.groupby("category", sort=False)}

    def reversals(self) -> list[str]:
        """Sentences for each two-level category whose gap flips direction inside the crossed groups."""
        o, t = self.outcome, self.crossed
        out = []
        single = self.single
        for i, c in enumerate(self.categories):
            lv = single[single["category"] == c]
            if len(lv) != 2:
                continue
            (a, va), (b, vb) = zip(lv["level"], lv["value"])
            if _fmt(va, o) == _fmt(vb, o):  # no visible gap overall
                continue
            top, low = (a, b) if va > vb else (b, a)
            flips = []
            others = t["codes"].map(lambda codes: codes[:i] + codes[i + 1:])
            for _key, sub in t.groupby(others, sort=False):
                if len(sub) != 2 or (sub["people"] < MIN_N).any():
                    continue
                values = dict(zip(sub["codes"].map(lambda codes: codes[i]), sub["value"]))
                groups = dict(zip(sub["codes"].map(lambda codes: codes[i]), sub["group"]))
                hi_code, lo_code = (0, 1) if va > vb else (1, 0)
                if values[lo_code] > values[hi_code] and _fmt(values[lo_code], o) != _fmt(values[hi_code], o):
                    flips.append((values[lo_code] - values[hi_code], groups[lo_code], values[lo_code],
                                  groups[hi_code], values[hi_code]))
            if flips:
                gap, g_low, v_low, g_top, v_top = max(flips)
                out.append(_("Overall, the group {top} has a higher {what} than the group {low} ({vt} against "
                             "{vl}), but in {k} of the crossed pairs it is the other way round: for example "
                             "{g_low} {v_low} against {g_top} {v_top}.").format(
                    top=top, low=low, what=outcome_label(o).lower(), vt=_fmt(max(va, vb), o),
                    vl=_fmt(min(va, vb), o), k=len(flips), g_low=g_low, v_low=_fmt(v_low, o), g_top=g_top,
                    v_top=_fmt(v_top, o)))
        return out

    def summary(self) -> str:
        o = self.outcome
        ok = self.reliable()
        lo, hi = ok.loc[ok["value"].idxmin()], ok.loc[ok["value"].idxmax()]
        spread = float(hi["value"] - lo["value"])
        ranges = self.single_ranges()
        widest = max(ranges, key=lambda c: ranges[c])
        parts = [_("Across the {n} crossed groups, {low} has the lowest {what} ({lv}, {ln} people in the "
                   "survey) and {high} the highest ({hv}, {hn} people): a spread of {spread}.").format(
            n=len(self.crossed), low=lo["group"], what=outcome_label(o).lower(), lv=_fmt(lo["value"], o),
            ln=f"{lo['people']:,}", high=hi["group"], hv=_fmt(hi["value"], o), hn=f"{hi['people']:,}",
            spread=_points(spread, o))]
        single = _("One category at a time, the widest spread is in {category}: {s}.").format(
            s=_points(ranges[widest], o), category=category_label(widest))
        if ranges[widest] > 0 and spread > ranges[widest]:
            single += " " + _("The crossed groups spread {times:.1f} times as wide, {more} more: looking at "
                              "one category at a time hides how far apart some groups are.").format(
                times=spread / ranges[widest], more=_points(spread - ranges[widest], o))
        elif spread > ranges[widest]:
            single += " " + _("The crossed groups spread {more} more.").format(more=_points(spread - ranges[widest], o))
        else:
            single += " " + _("Here the crossed groups spread no wider than that.")
        parts.append(single)
        parts += self.reversals()
        for c in self.categories:
            if income_note(self.df, c):
                parts.append(income_note(self.df, c))
        small = self.small_groups()
        if small:
            parts.append(_("Fewer than {m} people in the survey: {groups}. Their values are uncertain and are "
                           "left out of the lowest and highest above.").format(m=MIN_N, groups="; ".join(small)))
        if o == "health":
            parts.append(_("The health index runs from {lo} to {hi} in this table; the extract's documentation "
                           "does not define it further.").format(lo=int(self.df["hlth"].min()),
                                                                 hi=int(self.df["hlth"].max())))
        parts.append(limitation())
        return " ".join(parts)

    def alt(self) -> str:
        o = self.outcome
        ok = self.reliable()
        lo, hi = ok.loc[ok["value"].idxmin()], ok.loc[ok["value"].idxmax()]
        ranges = self.single_ranges()
        widest = max(ranges.values())
        return _("Two bar charts of {what}. Left: each category on its own, widest spread {s}. Right: the {n} "
                 "crossed groups of {cats}, from {low} ({lv}) to {high} ({hv}), a spread of {c}.").format(
            what=outcome_label(o).lower(), s=_points(widest, o), n=len(self.crossed),
            cats=", ".join(category_label(c) for c in self.categories), low=lo["group"],
            lv=_fmt(lo["value"], o), high=hi["group"], hv=_fmt(hi["value"], o),
            c=_points(float(hi["value"] - lo["value"]), o))

    def caption(self) -> str:
        from ..datasets import caption

        try:
            text = caption(self.df)
        except InputError:
            text = _("Data: the survey table you gave (no source recorded).")
        return (text + " " + _("Values use the survey weights; group sizes are unweighted counts.") + " "
                + limitation())

    def crossed_table(self):
        import pandas as pd

        t = self.crossed
        return pd.DataFrame({_("Crossed group"): t["group"],
                             _("People in the survey (unweighted)"): t["people"],
                             _("Share of adults (weighted %)"): t["share"].round(1),
                             outcome_label(self.outcome): t["value"].round(1 if self.outcome == "insured" else 2),
                             _("Note"): [_("fewer than {m} people").format(m=MIN_N) if n < MIN_N else ""
                                         for n in t["people"]]})

    def single_table(self):
        import pandas as pd

        t = self.single
        return pd.DataFrame({_("Category"): t["category"].map(category_label), _("Group"): t["level"],
                             _("People in the survey (unweighted)"): t["people"],
                             outcome_label(self.outcome): t["value"].round(1 if self.outcome == "insured" else 2)})


# -- the chart: one figure, bars changed in place ---------------------------------------------------------------
def build_chart():
    from matplotlib.figure import Figure

    # two panels side by side (hesj.charts.new_figure gives one panel; same settings otherwise)
    fig = Figure(figsize=(10.0, 6.0), dpi=100, layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.25], sharex=True)
    art = {"left": left, "right": right}
    for name, ax, n in (("single", left, MAX_LEVELS), ("crossed", right, MAX_CROSSED)):
        bars = ax.barh(range(n), [0] * n, height=0.7, edgecolor="#1a1a1a", linewidth=0.8)
        texts = [ax.text(0, i, "", va="center", ha="left", fontsize=8, color="#1a1a1a") for i in range(n)]
        art[name] = (list(bars), texts)
        style(ax)
        ax.tick_params(axis="y", length=0, labelsize=8)
    art["note"] = fig.text(0.99, 0.005, _("* fewer than {m} people in the survey (paler bar): treat with "
                                          "caution").format(m=MIN_N),
                           ha="right", va="bottom", fontsize=8, color="#1a1a1a", visible=False)
    left.set_title(_("One category at a time"), fontsize=11)
    right.set_title(_("Crossed groups"), fontsize=11)
    return fig, art


def _wrap(text: str, width: int = 30) -> str:
    return textwrap.fill(text, width).replace("$", r"\$")  # a literal $, not matplotlib maths


def update_chart(fig, art, model: IntersectionModel) -> None:
    o = model.outcome
    top = 100.0 if o == "insured" else 5.0
    # left: the first category's levels in the colours they have on the right; others grey; hatch = level
    bars, texts = art["single"]
    rows = list(model.single.itertuples(index=False))
    cat_index = {c: i for i, c in enumerate(model.categories)}
    level_index: dict[str, int] = {}
    for i, (bar, text) in enumerate(zip(bars, texts)):
        if i < len(rows):
            r = rows[i]
            k = level_index[r.category] = level_index.get(r.category, -1) + 1
            value = 0.0 if r.value != r.value else r.value
            bar.set_width(value)
            bar.set_facecolor(PALETTE[k % len(PALETTE)] if cat_index[r.category] == 0 else "#c8c8c8")
            bar.set_hatch(HATCHES[k % len(HATCHES)])
            bar.set_visible(True)
            text.set_position((value + top * 0.01, i))
            text.set_text(f"{_fmt(r.value, o)}  n={r.people:,}" if r.people else "n=0")
            text.set_visible(True)
        else:
            bar.set_visible(False)
            text.set_visible(False)
    left = art["left"]
    left.set_yticks(range(len(rows)), [_wrap(f"{category_label(r.category)}: {r.level}") for r in rows])
    left.set_ylim(len(rows) - 0.5, -0.5)
    # right: colour by the first category's level, hatch by the second's (and the label says it all)
    bars, texts = art["crossed"]
    crossed = list(model.crossed.itertuples(index=False))
    size3 = 1 + max((r.codes[2] for r in crossed), default=0) if len(model.categories) > 2 else 1
    for i, (bar, text) in enumerate(zip(bars, texts)):
        if i < len(crossed):
            r = crossed[i]
            codes, n, v = r.codes, r.people, r.value
            value = 0.0 if v != v else v
            bar.set_width(value)
            bar.set_facecolor(PALETTE[codes[0] % len(PALETTE)])
            bar.set_hatch(PATTERNS[(codes[1] * size3 + (codes[2] if len(codes) > 2 else 0)) % len(PATTERNS)])
            bar.set_alpha(0.45 if n < MIN_N else 1.0)
            bar.set_visible(True)
            text.set_position((value + top * 0.01, i))
            mark = " *" if n < MIN_N else ""
            text.set_text(f"{_fmt(v, o)}  n={n:,}{mark}" if n else f"n=0{mark}")
            text.set_visible(True)
        else:
            bar.set_visible(False)
            text.set_visible(False)
    right = art["right"]
    right.set_yticks(range(len(crossed)), [_wrap(r.group) for r in crossed])
    right.set_ylim(len(crossed) - 0.5, -0.5)
    for ax in (left, right):
        ax.set_xlim(0, top * 1.25)  # room for the value labels
        ax.set_xticks([top * q / 4 for q in range(5)])
        ax.set_xlabel(outcome_label(o) + " " + _("(weighted)"))
    art["note"].set_visible(bool(model.small_groups()))


# -- static version ----------------------------------------------------------------------------------------------
def _tables_html(model: IntersectionModel) -> str:
    return (f"<details><summary>{esc(_('Show the single-axis data as a table'))}</summary>"
            f"{table_html(model.single_table(), _('Each category on its own'))}</details>")


def static_html(categories=DEFAULT_CROSSING, outcome: str = "insured", df=None) -> str:
    model = IntersectionModel(df, categories, outcome)
    fig, art = build_chart()
    update_chart(fig, art, model)
    body = chart_html(fig, model.alt(), model.caption(), model.summary(), model.crossed_table(),
                      _("The crossed groups"))
    return box(f"<p><strong>{esc(_('Intersectionality explorer'))}</strong></p>{body}{_tables_html(model)}",
               _("Intersectionality explorer"))


# -- live view ----------------------------------------------------------------------------------------------------
def view(model: IntersectionModel) -> Activity:
    import ipywidgets as w

    wide = {"description_width": "initial"}
    fig, art = build_chart()
    options = [(category_label(c), c) for c in CATEGORIES]
    cats = list(model.categories) + [""] * (3 - len(model.categories))
    first = w.Dropdown(options=options, value=cats[0], description=_("First category"), style=wide)
    second = w.Dropdown(options=options, value=cats[1], description=_("Second category"), style=wide)
    third = w.Dropdown(options=[(_("None"), "")] + options, value=cats[2], description=_("Third category (optional)"),
                       style=wide)
    outcome = w.Dropdown(options=[(outcome_label(k), k) for k in OUTCOMES], value=model.outcome,
                         description=_("Outcome"), style=wide)
    how = _("Choose two or three categories to cross and an outcome. The left chart shows each category on "
            "its own; the right chart shows the crossed groups.")
    chart = w.HTML()
    status = w.HTML()
    tables = w.HTML()
    caption = model.caption()

    def refresh():
        update_chart(fig, art, model)
        chart.value = chart_html(fig, model.alt(), caption, model.summary(), model.crossed_table(),
                                 _("The crossed groups"))
        tables.value = _tables_html(model)

    def on_change(_change):
        try:
            model.set((first.value, second.value, third.value), outcome.value)
        except InputError as exc:
            status.value = f'<p role="status">⚠ {esc(exc)} {esc(_("The chart still shows the choice before."))}</p>'
            return
        refresh()
        status.value = '<p role="status">{}</p>'.format(esc(_("Showing {n} crossed groups of {cats}.").format(
            n=len(model.crossed), cats=", ".join(category_label(c) for c in model.categories))))

    for c in (first, second, third, outcome):
        c.observe(on_change, names="value")
    refresh()
    status.value = '<p role="status">{}</p>'.format(esc(_("Showing {n} crossed groups of {cats}.").format(
        n=len(model.crossed), cats=", ".join(category_label(c) for c in model.categories))))
    ui = w.VBox([w.HTML(f"<p>{esc(how)}</p>"),
                 w.HBox([first, second, third], layout=w.Layout(flex_flow="row wrap")), outcome,
                 status, chart, tables])
    controls = {"first": first, "second": second, "third": third, "outcome": outcome, "chart": chart,
                "status": status, "tables": tables}
    return Activity(ui, static_html(model.categories, model.outcome, model.df), model=model, controls=controls)


def activity(categories=DEFAULT_CROSSING, outcome: str = "insured") -> Activity:
    """The intersectionality explorer: live in a notebook, the default crossing printed in the book."""
    from ..paths import static_mode

    if static_mode():
        return Activity(html=static_html(categories, outcome))
    return view(IntersectionModel(None, categories, outcome))
