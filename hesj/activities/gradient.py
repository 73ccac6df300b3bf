"""Gradient explorer: an outcome across every step of an ordered social position.

Health inequity is rarely a gap between the poorest and everyone else: it is a
gradient, and each step up the ladder tends to do better than the one below.
This activity shows every step, not only the top-versus-bottom gap.

* Default data: the 2009 National Health Interview Survey extract
  (``hesj.datasets.load("nhis_2009")``, individual records with survey weights).
  Positions: income groups (weighted, as near to fifths as the income bands allow)
  or education bands; outcomes: percent with health insurance, mean health index;
  lines for all adults, by sex and by White / not White.
* The learner's own table: :func:`load_user_gradient` reads a CSV with columns
  ``position`` (in order), ``value`` and optional ``group``, all or nothing.

The model is plain pandas (:class:`GradientModel`, :func:`compute_gradient`,
:func:`describe_gradient`); :func:`view` wires ipywidgets to it; the chart is
built once and its lines are moved in place.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..charts import LINESTYLES, MARKERS, PALETTE, chart_html, new_figure, style
from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _

SURVEY_COLUMNS = ("fml", "hi", "hlth", "nwhite", "yedu", "inc", "perweight")
OUTCOMES = ("insured", "health")
POSITIONS = ("income", "education")
SETS = ("all", "sex", "race")  # the line groups a learner can switch on and off
SERIES = (("all", "all"), ("women", "sex"), ("men", "sex"), ("white", "race"), ("not_white", "race"))
MAX_GROUPS = len(PALETTE)  # each line gets its own colour, marker and line style
MAX_POSITIONS = 40
JOURNAL_KIND = "gradient-table"


class GradientInputError(InputError):
    """A learner's gradient table is not right; the message names the column and row."""


# -- labels (translatable, looked up when used) -----------------------------------------------
def outcome_label(key: str) -> str:
    return {"insured": _("Percent with health insurance"),
            "health": _("Mean health index")}.get(key, key)


def position_label(key: str) -> str:
    return {"income": _("Income group (as near to fifths as the data allow)"),
            "education": _("Years of education")}.get(key, key)


def series_label(key: str) -> str:
    return {"all": _("All adults"), "women": _("Women"), "men": _("Men"), "white": _("White"),
            "not_white": _("Not White")}.get(key, key)


def set_label(key: str) -> str:
    return {"all": _("All adults"), "sex": _("Women and men"), "race": _("White and not White")}.get(key, key)


def limitation() -> str:
    return _("Data limits: race is recorded only as White or not White, so the survey extract cannot show "
             "differences among Black, Hispanic, Asian, American Indian and other groups; sex is recorded "
             "only as women or men.")


# -- survey positions -------------------------------------------------------------------------
def weighted_groups(values, weights, k: int = 5):
    """Group numbers 1..g (g <= k) that split people into weighted k-tiles, keeping ties together.

    Walking up the sorted distinct values, a group closes once it reaches the next
    1/k of the total weight. With continuous values this gives true weighted
    quintiles; with banded values (many ties) the groups are as close to equal
    as the bands allow, and there may be fewer than k.
    """
    import pandas as pd

    share = pd.Series(weights.to_numpy(dtype=float), index=values.to_numpy()).groupby(level=0).sum()
    total = share.sum()
    if not total > 0:
        raise InputError(_("The survey weights add up to zero, so groups cannot be formed."))
    cum = share.sort_index().cumsum() / total
    group_of, group, target = {}, 1, 1
    for value, c in cum.items():
        group_of[value] = group
        if c >= target / k - 1e-9:
            while target <= k and c >= target / k - 1e-9:
                target += 1
            group += 1
    return values.map(group_of).astype(int)


def education_band(years) -> Any:
    """1: under 12 years; 2: 12 years; 3: 13 to 15 years; 4: 16 years or more."""
    import numpy as np

    return np.select([years < 12, years == 12, years < 16], [1, 2, 3], default=4)


def _money(x: float) -> str:
    return f"${x:,.0f}"


def position_steps(df, position: str):
    """(step number per person, ordered step labels, what each step holds, a note about the steps or '').

    Income steps hold bands of household income: ``spans`` gives the band values in each."""
    import pandas as pd

    if position == "income":
        steps = weighted_groups(df["inc"], df["perweight"])
        g = int(steps.max())
        labels, spans = [], []
        for i in range(1, g + 1):
            incomes = df.loc[steps == i, "inc"]
            lo, hi = _money(incomes.min()), _money(incomes.max())
            spans.append(lo if lo == hi else _("{lo} to {hi}").format(lo=lo, hi=hi))
            if i == 1:
                labels.append(_("Income group {i} (lowest)").format(i=i))
            elif i == g:
                labels.append(_("Income group {i} (highest)").format(i=i))
            else:
                labels.append(_("Income group {i}").format(i=i))
        shares = df["perweight"].groupby(steps).sum() / df["perweight"].sum() * 100
        note = ""
        if g < 5 or (shares - 20).abs().max() > 2:
            note = _("Income is recorded in {bands} bands in this extract, so it cannot be cut into five equal "
                     "fifths: the {g} groups hold {shares} of people (weighted).").format(
                bands=df["inc"].nunique(), g=g, shares=", ".join(f"{s:.0f}%" for s in shares))
        return steps, labels, spans, note
    if position == "education":
        labels = [_("Under 12 years"), _("12 years"), _("13 to 15 years"), _("16 years or more")]
        return pd.Series(education_band(df["yedu"].to_numpy()), index=df.index), labels, [""] * 4, ""
    raise InputError(_("Unknown position {position!r}. Choose one of: {known}.").format(
        position=position, known=", ".join(POSITIONS)))


def check_survey(df) -> None:
    missing = [c for c in SURVEY_COLUMNS if c not in getattr(df, "columns", [])]
    if missing:
        raise InputError(_("The survey table is missing the column(s) {missing}. Use "
                           "hesj.datasets.load('nhis_2009'), or give your own table with columns position "
                           "and value.").format(missing=", ".join(missing)))
    blank = [c for c in SURVEY_COLUMNS if df[c].isna().any()]
    if blank:
        raise InputError(_("The survey table has empty cells in column(s) {blank}. Drop or fill those rows "
                           "first.").format(blank=", ".join(blank)))


def compute_gradient(df, outcome: str = "insured", position: str = "income"):
    """The outcome at every step of the position, for every line group.

    Returns (table, step labels, note): the table has one row per step and line
    with columns step, position, series, people (unweighted count) and value
    (weighted by the survey weights).
    """
    import numpy as np
    import pandas as pd

    check_survey(df)
    if outcome not in OUTCOMES:
        raise InputError(_("Unknown outcome {outcome!r}. Choose one of: {known}.").format(
            outcome=outcome, known=", ".join(OUTCOMES)))
    steps, labels, spans, note = position_steps(df, position)
    y = df["hi"] * 100.0 if outcome == "insured" else df["hlth"].astype(float)
    members = {"all": np.ones(len(df), dtype=bool), "women": (df["fml"] == 1).to_numpy(),
               "men": (df["fml"] == 0).to_numpy(), "white": (df["nwhite"] == 0).to_numpy(),
               "not_white": (df["nwhite"] == 1).to_numpy()}
    rows = []
    w = df["perweight"].to_numpy(dtype=float)
    for key, _set in SERIES:
        for i, label in enumerate(labels, start=1):
            mask = members[key] & (steps.to_numpy() == i)
            n = int(mask.sum())
            value = float(np.average(y.to_numpy()[mask], weights=w[mask])) if n and w[mask].sum() > 0 else math.nan
            rows.append({"step": i, "position": label, "span": spans[i - 1], "series": key, "people": n,
                         "value": value})
    return pd.DataFrame(rows), labels, note


# -- the learner's own table ----------------------------------------------------------------------
def _read_source(source) -> str:
    """The text of a CSV given as text, a path, or a DataFrame."""
    if hasattr(source, "to_csv") and hasattr(source, "columns"):
        return source.to_csv(index=False)
    if isinstance(source, (bytes, bytearray)):
        try:
            return bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GradientInputError(_("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.")) from None
    if isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        try:
            path = Path(source).expanduser()
        except RuntimeError:
            raise GradientInputError(_("The path {name} names a home folder that does not exist. Give the "
                                       "file's full path.").format(name=str(source))) from None
        try:
            return path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise GradientInputError(_("The file {name} is not UTF-8 text. Save it as 'CSV UTF-8' and "
                                       "try again.").format(name=path.name)) from None
        except OSError as exc:
            raise GradientInputError(_("The file {name} could not be read ({why}). Check the name and "
                                       "the folder.").format(name=str(path), why=exc.strerror or exc)) from None
    if not isinstance(source, str):
        raise GradientInputError(_("Give your table as CSV text, a file path or a table with columns "
                                   "position and value."))
    return source


def _looks_like_path(text: str) -> bool:
    """One line, no comma, naming a .csv file or an existing file: read it as a path."""
    one = text.strip()
    if not one or "\n" in one or "\r" in one or "," in one or "\x00" in one:
        return False
    if one.lower().endswith(".csv"):
        return True
    try:
        return Path(one).expanduser().is_file()
    except (OSError, ValueError, RuntimeError):  # RuntimeError: '~name' for a user who does not exist
        return False


def _number(text: str, row: int) -> float:
    raw = text.strip()
    if raw.endswith("%"):
        raw = raw[:-1].strip()
    if raw == "":
        raise GradientInputError(_("Row {row}, column 'value' is empty. Give a number for every "
                                   "position.").format(row=row))
    try:
        value = float(raw)
    except ValueError:
        raise GradientInputError(_("Row {row}, column 'value' is {text!r}, which is not a number. Write a "
                                   "number such as 84.5 (no units except an optional %).").format(
            row=row, text=text.strip())) from None
    if not math.isfinite(value):
        raise GradientInputError(_("Row {row}, column 'value' is {text!r}; write a finite number.").format(
            row=row, text=text.strip()))
    return value


def load_user_gradient(source):
    """Read a learner's gradient table: columns position, value and optional group.

    Positions keep the order in which they first appear (lowest step first).
    Returns a DataFrame with columns position, group, value; raises
    GradientInputError (an InputError) naming the column and row of the first
    problem. Nothing is half-loaded: either the whole table reads, or nothing.
    """
    import pandas as pd

    text = _read_source(source)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise GradientInputError(_("The table is empty. Give a header row (position,value) and one row "
                                   "per step."))
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise GradientInputError(_("The table could not be read as CSV ({why}). Check the quotes and "
                                   "commas.").format(why=exc)) from None
    lines = [(n, row) for n, row in lines if any(cell.strip() for cell in row)]
    if not lines:
        raise GradientInputError(_("The table is empty. Give a header row (position,value) and one row "
                                   "per step."))
    header_line, header = lines[0]
    names = [h.strip().lower() for h in header]
    for name in names:
        if name and names.count(name) > 1:
            raise GradientInputError(_("The column {name!r} appears twice in the header row. Keep one.").format(
                name=name))
    missing = [c for c in ("position", "value") if c not in names]
    if missing:
        raise GradientInputError(_("The table has no column named {missing}. The header row needs position "
                                   "and value (and may have group); it has: {found}.").format(
            missing=" or ".join(repr(m) for m in missing),
            found=", ".join(repr(n) for n in names if n) or _("nothing")))
    col = {name: names.index(name) for name in ("position", "value", "group") if name in names}
    rows, seen = [], {}
    default_group = _("All")
    for n, row in lines[1:]:
        if len(row) > len(names) and any(cell.strip() for cell in row[len(names):]):
            raise GradientInputError(_("Row {row} has {k} cells but the header has {h} columns. Check for an "
                                       "extra comma, or put the text in quotes.").format(
                row=n, k=len(row), h=len(names)))
        cells = row + [""] * (len(names) - len(row))
        position = cells[col["position"]].strip()
        if not position:
            raise GradientInputError(_("Row {row}, column 'position' is empty. Name the step, for example "
                                       "'Lowest fifth'.").format(row=n))
        value = _number(cells[col["value"]], n)
        group = cells[col["group"]].strip() if "group" in col else ""
        group = group or default_group
        if (group, position) in seen:
            raise GradientInputError(_("Row {row}, column 'position': {position!r} appears twice for group "
                                       "{group!r} (first on row {first}). Give each step once per "
                                       "group.").format(row=n, position=position, group=group,
                                                        first=seen[(group, position)]))
        seen[(group, position)] = n
        rows.append({"position": position, "group": group, "value": value})
    if not rows:
        raise GradientInputError(_("The table has a header row but no data rows. Add one row per step."))
    table = pd.DataFrame(rows, columns=["position", "group", "value"])
    positions = list(dict.fromkeys(table["position"]))
    groups = list(dict.fromkeys(table["group"]))
    if len(positions) < 2:
        raise GradientInputError(_("Column 'position' has only one step. A gradient needs at least two "
                                   "positions, in order."))
    if len(positions) > MAX_POSITIONS:
        raise GradientInputError(_("Column 'position' has {n} steps; the chart can show at most {m}. "
                                   "Combine some steps.").format(n=len(positions), m=MAX_POSITIONS))
    if len(groups) > MAX_GROUPS:
        raise GradientInputError(_("Column 'group' has {n} groups; the chart can show at most {m}, so "
                                   "each line keeps its own marker and line style.").format(
            n=len(groups), m=MAX_GROUPS))
    table.attrs = {"positions": positions, "groups": groups}
    return table


def user_table(table):
    """A user table in the same long form as compute_gradient's (step, position, series, people, value)."""
    import pandas as pd

    order = {p: i for i, p in enumerate(table.attrs["positions"], start=1)}
    out = pd.DataFrame({"step": table["position"].map(order), "position": table["position"],
                        "series": table["group"], "people": pd.NA, "value": table["value"]})
    return out.sort_values(["step"], kind="stable").reset_index(drop=True)


# -- words from numbers ---------------------------------------------------------------------------
def _fmt(value: float, outcome: str) -> str:
    if outcome == "insured":
        return f"{value:.1f}%"
    if outcome == "health":
        return f"{value:.2f}"
    return f"{value:,.6g}"


def _breaks(diffs, against) -> str:
    return "; ".join(_("{p} to {q}").format(p=p, q=q) for p, q, d in diffs if against(d))


def describe_gradient(labels: list[str], values: list[float], what: str, outcome: str) -> str:
    """One sentence about the whole gradient, computed from the values (NaN steps are skipped)."""
    pairs = [(lab, v) for lab, v in zip(labels, values) if v == v]
    if len(pairs) < 2:
        return _("{what}: there are too few steps with data to describe a gradient.").format(what=what)
    (first, a), (last, b) = pairs[0], pairs[-1]
    diffs = [(pairs[i][0], pairs[i + 1][0], pairs[i + 1][1] - pairs[i][1]) for i in range(len(pairs) - 1)]
    ends = dict(first=first, last=last, a=_fmt(a, outcome), b=_fmt(b, outcome), what=what)
    if all(d > 0 for *_x, d in diffs):
        text = _("{what} rises at every step from {first} to {last}: from {a} to {b}.").format(**ends)
    elif all(d < 0 for *_x, d in diffs):
        text = _("{what} falls at every step from {first} to {last}: from {a} to {b}.").format(**ends)
    elif b > a:
        text = _("{what} rises overall from {first} to {last} (from {a} to {b}), but not at every step: "
                 "it falls or stays level from {breaks}.").format(breaks=_breaks(diffs, lambda d: d <= 0), **ends)
    elif b < a:
        text = _("{what} falls overall from {first} to {last} (from {a} to {b}), but not at every step: "
                 "it rises or stays level from {breaks}.").format(breaks=_breaks(diffs, lambda d: d >= 0), **ends)
    else:
        text = _("{what} is the same at {first} and {last} ({a}), and goes up and down in between.").format(**ends)
    p, q, d = max(diffs, key=lambda t: abs(t[2]))
    if outcome == "insured":
        text += " " + _("The biggest step is from {p} to {q} ({size:.1f} percentage points).").format(
            p=p, q=q, size=abs(d))
    else:
        size = f"{abs(d):.2f}" if outcome == "health" else f"{abs(d):,.6g}"
        text += " " + _("The biggest step is from {p} to {q} ({size}).").format(p=p, q=q, size=size)
    return text


# -- the model --------------------------------------------------------------------------------------
def load_survey():
    from ..datasets import load

    return load("nhis_2009")


@dataclass
class GradientModel:
    """State: the data (survey records or the learner's table), outcome, position and lines shown."""

    survey: Any = None
    outcome: str = "insured"
    position: str = "income"
    shown: set = field(default_factory=lambda: {"all"})
    user: Any = None  # a table from load_user_gradient; when set, it is what the chart shows

    def __post_init__(self):
        if self.survey is None:
            self.survey = load_survey()
        self.recompute(self.outcome, self.position)

    def recompute(self, outcome=None, position=None):
        """Change outcome or position; on bad input nothing changes."""
        outcome = self.outcome if outcome is None else outcome
        position = self.position if position is None else position
        table, labels, note = compute_gradient(self.survey, outcome, position)
        self.outcome, self.position = outcome, position
        self.survey_spans = list(table.drop_duplicates("step").sort_values("step")["span"])
        self.survey_table, self.survey_labels, self.note = table, labels, note

    def show(self, key: str, on: bool = True):
        if key not in SETS:
            raise InputError(_("Unknown line group {key!r}. Choose one of: {known}.").format(
                key=key, known=", ".join(SETS)))
        (self.shown.add if on else self.shown.discard)(key)

    def use_table(self, source):
        """Load the learner's table; if it has a problem, keep what was shown before."""
        self.user = load_user_gradient(source)
        return self.user

    def use_survey(self):
        self.user = None

    # what is drawn
    @property
    def mode(self) -> str:
        return "user" if self.user is not None else "survey"

    def labels(self) -> list[str]:
        return list(self.user.attrs["positions"]) if self.user is not None else list(self.survey_labels)

    def series(self) -> list[tuple[str, str, list[float]]]:
        """The lines to draw: (key, label, value at each step)."""
        if self.user is not None:
            t = self.user
            out = []
            for g in t.attrs["groups"]:
                sub = t[t["group"] == g].set_index("position")["value"]
                out.append((g, g, [float(sub[p]) if p in sub.index else math.nan for p in t.attrs["positions"]]))
            return out
        t = self.survey_table
        return [(key, series_label(key), list(t[t["series"] == key].sort_values("step")["value"]))
                for key, s in SERIES if s in self.shown]

    def what(self) -> str:
        return _("The value") if self.user is not None else outcome_label(self.outcome)

    def table(self):
        """The data behind the chart, one row per step and line, for the screen-reader table."""
        import pandas as pd

        if self.user is not None:
            t = user_table(self.user)
            return pd.DataFrame({_("Position"): t["position"], _("Group"): t["series"], _("Value"): t["value"]})
        t = self.survey_table
        keys = [k for k, s in SERIES if s in self.shown]
        t = t[t["series"].isin(keys)]
        value = t["value"].round(1 if self.outcome == "insured" else 2)
        cols = {position_label(self.position): t["position"]}
        if self.position == "income":
            cols[_("Household incomes in the group")] = t["span"]
        return pd.DataFrame({**cols, _("Group"): t["series"].map(series_label),
                             _("People in the survey (unweighted)"): t["people"],
                             outcome_label(self.outcome) + " " + _("(weighted)"): value}).reset_index(drop=True)

    def summary(self) -> str:
        series = self.series()
        if not series:
            return _("No lines are switched on. Tick All adults, Women and men, or White and not White.")
        outcome = "user" if self.user is not None else self.outcome
        labels = self.labels()
        key, label, values = series[0]
        lead = describe_gradient(labels, values, self.what() if self.user is None or len(series) == 1
                                 else _("For {group}, the value").format(group=label), outcome)
        if self.user is None and key != "all":
            lead = _("For {group}: ").format(group=label) + lead
        parts = [lead]
        for _key, label, values in series[1:]:
            pairs = [v for v in values if v == v]
            if len(pairs) >= 2:
                parts.append(_("{group}: from {a} at the first step to {b} at the last.").format(
                    group=label, a=_fmt(pairs[0], outcome), b=_fmt(pairs[-1], outcome)))
        if self.user is None:
            if self.note:
                parts.append(self.note)
            if self.outcome == "health":
                lo, hi = int(self.survey["hlth"].min()), int(self.survey["hlth"].max())
                parts.append(_("The health index runs from {lo} to {hi} in this table; the extract's "
                               "documentation does not define it further.").format(lo=lo, hi=hi))
            parts.append(limitation())
        return " ".join(parts)

    def alt(self) -> str:
        series = self.series()
        if not series:
            return _("An empty line chart: no lines are switched on.")
        names = ", ".join(label for _k, label, _v in series)
        pos = _("position") if self.user is not None else position_label(self.position).lower()
        outcome = "user" if self.user is not None else self.outcome
        _k, _label, values = series[0]
        return _("Line chart of {what} at every step of {position}, for {names}. {point}").format(
            what=self.what().lower(), position=pos, names=names,
            point=describe_gradient(self.labels(), values, self.what(), outcome))

    def caption(self) -> str:
        if self.user is not None:
            return _("Data: your own table. Its source is yours to name; the course has not checked it.")
        from ..datasets import caption

        try:
            text = caption(self.survey)
        except InputError:
            text = _("Data: the survey table you gave (no source recorded).")
        return text + " " + _("Values use the survey weights.") + " " + limitation()


# -- the chart ------------------------------------------------------------------------------------
def build_chart():
    """One figure with a pool of lines (one style each), reused for every view."""
    fig, ax = new_figure(8.0, 4.4)
    lines = []
    for i in range(MAX_GROUPS):
        (line,) = ax.plot([], [], color=PALETTE[i], marker=MARKERS[i], linestyle=LINESTYLES[i], linewidth=2,
                          markersize=7, markeredgecolor="#1a1a1a", markeredgewidth=0.5, visible=False)
        lines.append(line)
    style(ax)
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.8)
    return fig, ax, lines


def update_chart(fig, ax, lines, model: GradientModel) -> None:
    import textwrap

    labels = model.labels()
    xs = list(range(len(labels)))
    series = model.series()
    # survey lines keep one style per group whatever else is shown; user groups take them in order
    slot = {key: i for i, (key, _s) in enumerate(SERIES)} if model.user is None else {}
    used = []
    for i, (key, label, values) in enumerate(series):
        line = lines[slot.get(key, i)]
        line.set_data(xs, values)
        line.set_label(label.replace("$", r"\$"))  # a literal $, not matplotlib maths
        line.set_visible(True)
        used.append(line)
    for line in lines:
        if line not in used:
            line.set_visible(False)
    spans = model.survey_spans if model.user is None else [""] * len(labels)
    ticks = [textwrap.fill(lab, 16) + (f"\n{span}" if span else "") for lab, span in zip(labels, spans)]
    ax.set_xticks(xs, [t.replace("$", r"\$") for t in ticks])  # a literal $, not matplotlib maths
    ax.set_xlim(-0.4, max(len(labels) - 0.6, 0.6))
    if model.user is None and model.outcome == "insured":
        ax.set_ylim(0, 100)
    elif model.user is None:
        ax.set_ylim(1, 5)
    else:
        vals = [v for _k, _l, vs in series for v in vs if v == v] or [0.0]
        lo, hi = min(vals + [0.0]), max(vals + [0.0])
        pad = (hi - lo) * 0.08 or 1.0
        ax.set_ylim(lo - (pad if lo < 0 else 0), hi + pad)
    ax.set_ylabel(model.what() + ("" if model.user is not None else " " + _("(weighted)")))
    ax.set_xlabel(_("Position, lowest step on the left") if model.user is not None
                  else position_label(model.position))
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    if used:
        ax.legend(handles=used, loc="best", fontsize=9, frameon=False)


# -- static version --------------------------------------------------------------------------------
def static_html(outcome: str = "insured", position: str = "income", data=None,
                shown=("all", "sex", "race")) -> str:
    model = make_model(outcome, position, data, shown)
    fig, ax, lines = build_chart()
    update_chart(fig, ax, lines, model)
    body = chart_html(fig, model.alt(), model.caption(), model.summary(), model.table(),
                      _("The gradient as a table"))
    return box(f"<p><strong>{esc(_('Gradient explorer'))}</strong></p>{body}", _("Gradient explorer"))


def make_model(outcome="insured", position="income", data=None, shown=("all",)) -> GradientModel:
    """A model for the survey (data=None or a survey DataFrame) or for the learner's own table."""
    survey_like = data is not None and hasattr(data, "columns") and "perweight" in data.columns
    model = GradientModel(data if survey_like else None, outcome, position, set(shown))
    if data is not None and not survey_like:
        model.use_table(data)
    return model


# -- live view ---------------------------------------------------------------------------------------
def view(model: GradientModel, unit: str = "explorers", journal=None) -> Activity:
    import ipywidgets as w

    from ..journal import Journal, JournalError

    wide = {"description_width": "initial"}
    journal = journal if journal is not None else Journal()
    fig, ax, lines = build_chart()
    outcome = w.Dropdown(options=[(outcome_label(k), k) for k in OUTCOMES], value=model.outcome,
                         description=_("Outcome"), style=wide)
    position = w.Dropdown(options=[(position_label(k), k) for k in POSITIONS], value=model.position,
                          description=_("Social position"), style=wide)
    toggles = {k: w.Checkbox(value=k in model.shown, description=set_label(k), indent=False, style=wide,
                             layout=w.Layout(width="auto", margin="0 1.2em 0 0")) for k in SETS}
    toggle_row = w.HBox([w.HTML(f"<strong>{esc(_('Lines shown'))}:</strong>&nbsp;")] + list(toggles.values()),
                        layout=w.Layout(flex_flow="row wrap", align_items="center"))
    chart = w.HTML()
    status = w.HTML()
    how = _("Or chart your own table: paste CSV with the columns position and value "
            "(and group, if you have more than one line), lowest position first.")
    own_help = w.HTML(f"<p>{esc(how)}</p>")
    text = w.Textarea(description=_("Your table (CSV)"), style=wide,
                      placeholder=_("position,value\nLowest fifth,71.2\nSecond fifth,80.5"),
                      layout=w.Layout(width="40em", height="8em"))
    use = w.Button(description=_("Use my table"), tooltip=_("Save the table to your journal and chart it"))
    back = w.Button(description=_("Back to the survey data"), tooltip=_("Chart the survey data again"))
    prompt_id = "gradient/own-table"
    try:
        entry = journal.get(unit, prompt_id, kind=JOURNAL_KIND)
        text.value = entry.text if entry else ""
        restored = _("Your saved table was restored. Select Use my table to chart it.") if entry else ""
    except JournalError as exc:
        restored = str(exc)

    def say(message: str, mark: str = ""):
        status.value = f'<p role="status">{esc((mark + " " + message).strip())}</p>'

    def refresh():
        update_chart(fig, ax, lines, model)
        chart.value = chart_html(fig, model.alt(), model.caption(), model.summary(), model.table(),
                                 _("The gradient as a table"))
        survey = model.user is None
        for c in [outcome, position, *toggles.values()]:
            c.disabled = not survey

    def on_choice(_change):
        try:
            model.recompute(outcome.value, position.value)
        except InputError as exc:
            return say(str(exc), "⚠")
        refresh()
        say(_("Showing {what} by {position}.").format(what=outcome_label(model.outcome).lower(),
                                                      position=position_label(model.position).lower()))

    def on_toggle(_change):
        for k, box_ in toggles.items():
            model.show(k, box_.value)
        refresh()
        say(_("{n} lines shown.").format(n=len(model.series())))

    def on_use(_button):
        notes = []
        if text.value.strip():
            try:  # save first, so the text is kept even if the table has a problem
                journal.save(unit, prompt_id, text.value, kind=JOURNAL_KIND,
                             prompt=_("Your own gradient table (CSV)"))
                notes.append(_("Saved to your journal."))
            except JournalError as exc:
                notes.append(str(exc))
        try:
            table = model.use_table(text.value)
        except InputError as exc:
            return say(" ".join([str(exc), _("The chart still shows the data from before.")] + notes), "⚠")
        refresh()
        say(" ".join([_("Your table is charted: {p} positions, {g} group(s).").format(
            p=len(table.attrs["positions"]), g=len(table.attrs["groups"]))] + notes), "✔")

    def on_back(_button):
        model.use_survey()
        refresh()
        say(_("Showing the survey data again. Your table is still in the box."))

    outcome.observe(on_choice, names="value")
    position.observe(on_choice, names="value")
    for b in toggles.values():
        b.observe(on_toggle, names="value")
    use.on_click(on_use)
    back.on_click(on_back)
    refresh()
    if restored:
        say(restored)
    elif model.user is not None:
        say(_("Your table is charted: {p} positions, {g} group(s).").format(
            p=len(model.user.attrs["positions"]), g=len(model.user.attrs["groups"])))
    else:
        say(_("Showing {what} by {position}.").format(what=model.what().lower(),
                                                      position=position_label(model.position).lower()))
    ui = w.VBox([w.HBox([outcome, position], layout=w.Layout(flex_flow="row wrap")), toggle_row, chart, status,
                 own_help, text, w.HBox([use, back])])
    controls = {"outcome": outcome, "position": position, "lines": toggles, "chart": chart, "status": status,
                "table_text": text, "use_table": use, "back": back}
    static = static_html(model.outcome, model.position, model.user if model.user is not None else model.survey,
                         tuple(model.shown))
    return Activity(ui, static, model=model, controls=controls)


def activity(outcome: str = "insured", position: str = "income", data=None, unit: str = "explorers") -> Activity:
    """The gradient explorer: live in a notebook, printed (all lines) in the book.

    ``data``: None for the 2009 NHIS extract, a survey DataFrame with the same
    columns, or the learner's own table (CSV text, a path, or a DataFrame with
    columns position, value and optional group).
    """
    from ..paths import static_mode

    if static_mode():
        return Activity(html=static_html(outcome, position, data))
    model = make_model(outcome, position, data)
    return view(model, unit=unit)
