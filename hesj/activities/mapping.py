"""Map explorer: a choropleth of US states or counties, or of a learner's own areas.

The outlines are the Census Bureau's 2016 cartographic boundary files that the
plotly-geo package installs (``hesj.datasets.load("census_states")`` and
``"census_counties"``), so nothing is downloaded when a map is drawn. The lower
48 states use an Albers equal-area projection; Alaska and Hawaii are projected
on their own, scaled and moved into insets below the lower 48, as US
government and newspaper maps usually do. Territories are left out of the
state map.

Three layers, as the activity contract asks:

* the pure model (:class:`Geography`, :class:`MeasureData`, :class:`MapModel`,
  :func:`classify`): projection, joins, classes, ranks, summary and status
  text; numpy and pandas only;
* :class:`MapFigure`: one matplotlib figure with a PolyCollection built once;
  a change of measure only changes face colours, the hatched "no data" layer
  and the legend;
* :func:`view` (ipywidgets) and :func:`static_html` (the book).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..display import Activity, box, esc
from ..errors import InputError
from ..i18n import _
from ..userdata import TERRITORY_FIPS, UserDataError, census_states, norm_name

N_CLASSES = 5
METHODS = ("quantile", "equal")
LEVELS = ("state", "county", "custom")
NO_DATA_HATCH = "////"
NO_DATA_FACE = "#ffffff"
EDGE = "#ffffff"
OUTLINE = "#1a1a1a"


class MapError(InputError):
    """A request the map explorer cannot draw; the message says what to change."""


# -- measures ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MeasureSpec:
    """A built-in measure: which table and column, how to join it, how to say its values."""

    key: str
    level: str
    table: str
    column: str
    label: str
    template: str  # how one value reads, e.g. "{value} years"
    decimals: int
    join: str  # "fips" (state FIPS column), "state_name" or "county_state" (county name + postal code)


def builtin_measures() -> dict[str, MeasureSpec]:
    """The measures the map explorer offers without a learner's own data (labels translated at call time)."""
    specs = [
        MeasureSpec("life_expectancy_2019", "state", "state_life_expectancy_2019", "life_expectancy_years",
                    _("Life expectancy at birth, 2019"), _("{value} years"), 1, "fips"),
        MeasureSpec("life_expectancy_1970", "state", "state_facts_1977", "Life Exp",
                    _("Life expectancy, 1969-71"), _("{value} years"), 2, "state_name"),
        MeasureSpec("income_1974", "state", "state_facts_1977", "Income",
                    _("Income per person, 1974 (dollars)"), _("{value} dollars"), 0, "state_name"),
        MeasureSpec("illiteracy_1970", "state", "state_facts_1977", "Illiteracy",
                    _("Illiteracy, 1970 (percent of population)"), _("{value}%"), 1, "state_name"),
        MeasureSpec("hs_grad_1970", "state", "state_facts_1977", "HS Grad",
                    _("High school graduates, 1970 (percent)"), _("{value}%"), 1, "state_name"),
        MeasureSpec("poverty_2000", "county", "midwest_counties", "percbelowpoverty",
                    _("People below the poverty line, 2000 (percent)"), _("{value}%"), 1, "county_state"),
        MeasureSpec("black_2000", "county", "midwest_counties", "percblack",
                    _("Black residents, 2000 (percent)"), _("{value}%"), 1, "county_state"),
        MeasureSpec("hs_diploma_2000", "county", "midwest_counties", "perchsd",
                    _("Adults with a high school diploma, 2000 (percent)"), _("{value}%"), 1, "county_state"),
        MeasureSpec("college_2000", "county", "midwest_counties", "percollege",
                    _("College educated, 2000 (percent)"), _("{value}%"), 1, "county_state"),
    ]
    return {s.key: s for s in specs}


@dataclass
class MeasureData:
    """One measure joined to a geography: a value (or NaN) for every place, in the geography's order."""

    key: str
    label: str
    values: np.ndarray
    caption: str  # names the data source
    template: str = "{value}"
    decimals: int | None = None
    notes: list[str] = field(default_factory=list)  # join reports, e.g. rows that matched no outline

    def fmt(self, value: float) -> str:
        if value is None or not np.isfinite(value):
            return _("no data")
        if self.decimals is None:
            text = f"{value:,.2f}".rstrip("0").rstrip(".")
        else:
            text = f"{value:,.{self.decimals}f}"
        return self.template.format(value=text)

    def fmt_number(self, value: float) -> str:
        """The number alone (for ranges and tables)."""
        if self.decimals is None:
            return f"{value:,.2f}".rstrip("0").rstrip(".")
        return f"{value:,.{self.decimals}f}"


# -- geography: projection and outlines -------------------------------------------------------------
@dataclass
class Geography:
    """Places to shade: ids, display names, and projected outlines (a compound path per place)."""

    level: str
    ids: list[str]
    names: list[str]
    verts: list[np.ndarray]  # per place: (n, 2) projected vertices of all its rings
    codes: list[np.ndarray]  # per place: matplotlib path codes (MOVETO/LINETO/CLOSEPOLY per ring)
    projection: str  # "albers-usa" (lower 48 + insets) or "local"
    source: str  # the boundary table's name ("census_states") or, for a learner's own file, where it came from
    insets: bool = False  # Alaska and Hawaii drawn in insets
    county_states: tuple[str, ...] | None = None  # a county map: postal codes of its states (() = all)
    frames: list[tuple[float, float, float, float]] = field(default_factory=list)  # inset frames
    lat0: float = 0.0  # for the local projection
    state_outlines: tuple[list, list] | None = None  # state borders drawn over a county map

    def __post_init__(self):
        self.index = {pid: i for i, pid in enumerate(self.ids)}

    # Words are made when shown, never stored: a cached geography must follow the learner's language.
    def caption(self) -> str:
        """Names the boundary source."""
        if self.projection == "local":
            return _("Boundaries: {source}.").format(source=self.source)
        from ..datasets import caption, load

        return _("Boundaries: {caption}").format(caption=caption(load(self.source)))

    def note(self) -> str:
        """How the map is drawn: insets and what is left out."""
        if self.projection == "local":
            return _("Areas drawn in longitude and latitude, with east-west distances scaled for the map's latitude.")
        parts = []
        if self.insets:
            parts.append(_("Alaska and Hawaii are drawn in boxes below the lower 48 states, each at its own scale, as "
                           "is usual on US maps: their sizes and positions are not true to life. The small "
                           "Northwestern Hawaiian Islands and the territories are left out."))
        if self.county_states is not None:
            parts.append(_("Counties are shown for {states}; white lines are state borders.").format(
                states=", ".join(self.county_states) if self.county_states else _("all 50 states and DC")))
        return " ".join(parts)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        allv = np.concatenate(self.verts)
        (x0, y0), (x1, y1) = allv.min(0), allv.max(0)
        for fx0, fy0, fx1, fy1 in self.frames:
            x0, y0, x1, y1 = min(x0, fx0), min(y0, fy0), max(x1, fx1), max(y1, fy1)
        return float(x0), float(y0), float(x1), float(y1)

    def find(self, text: str) -> str | None:
        """The id of a place given its id, name, or (states) postal code; None if unknown."""
        text = str(text).strip()
        if text in self.index:
            return text
        want = norm_name(text)
        for pid, name in zip(self.ids, self.names):
            if norm_name(name) == want:
                return pid
        if self.level == "state":
            fips = census_states()[2].get(want)
            if fips in self.index:
                return fips
        return None

    def project_box(self, box_lonlat) -> tuple[float, float, float, float]:
        """A longitude/latitude box (lon_min, lat_min, lon_max, lat_max) in map coordinates."""
        lon0, lat0, lon1, lat1 = box_lonlat
        t = np.linspace(0, 1, 25)
        lon = np.concatenate([lon0 + (lon1 - lon0) * t, np.full(25, lon1), lon1 - (lon1 - lon0) * t, np.full(25, lon0)])
        lat = np.concatenate([np.full(25, lat0), lat0 + (lat1 - lat0) * t, np.full(25, lat1), lat1 - (lat1 - lat0) * t])
        if self.projection == "albers-usa":
            x, y = albers(lon, lat, *L48)
        else:
            x, y = lon * math.cos(math.radians(self.lat0)), lat
        return float(x.min()), float(y.min()), float(x.max()), float(y.max())


# Albers equal-area conic parameters (lon0, lat0, standard parallels), as the USGS uses them
L48 = (-96.0, 37.5, 29.5, 45.5)
ALASKA = (-154.0, 50.0, 55.0, 65.0)
HAWAII = (-157.0, 3.0, 8.0, 18.0)


def albers(lon, lat, lon0, lat0, lat1, lat2):
    """Albers equal-area conic projection on the unit sphere (Snyder 1987, eq. 14-1 to 14-4)."""
    p0, p1, p2 = np.radians([lat0, lat1, lat2])
    n = (np.sin(p1) + np.sin(p2)) / 2
    c = np.cos(p1) ** 2 + 2 * n * np.sin(p1)
    rho0 = np.sqrt(c - 2 * n * np.sin(p0)) / n
    rho = np.sqrt(c - 2 * n * np.sin(np.radians(lat))) / n
    theta = n * np.radians(np.asarray(lon) - lon0)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


def _rings(geometry: dict) -> list[list]:
    """Every ring of a GeoJSON Polygon or MultiPolygon, as lists of [lon, lat]."""
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for poly in geometry["coordinates"] for ring in poly]


def _paths(groups: list[list[np.ndarray]], tol: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Compound paths (verts, codes) per place, simplified by snapping to a grid of size ``tol``.

    Snapping drops vertices closer than about ``tol`` to the previous one (far
    below a pixel on the finished map), which keeps a national county map fast
    to draw. Rings that collapse are dropped; a place always keeps its largest ring.
    """
    from matplotlib.path import Path

    verts, codes = [], []
    for rings in groups:
        pv, pc = [], []
        for ring in rings:
            q = np.round(ring / tol)
            keep = np.ones(len(ring), bool)
            keep[1:] = (q[1:] != q[:-1]).any(axis=1)
            r = ring[keep]
            if len(r) >= 3 and (r[0] == r[-1]).all():
                r = r[:-1]
            if len(r) < 3:
                continue
            pv.append(np.vstack([r, r[:1]]))
            c = np.full(len(r) + 1, Path.LINETO, dtype=np.uint8)
            c[0], c[-1] = Path.MOVETO, Path.CLOSEPOLY
            pc.append(c)
        if not pv:  # everything collapsed: keep the biggest ring as it is
            r = max(rings, key=len)
            pv.append(np.vstack([r, r[:1]]))
            c = np.full(len(r) + 1, Path.LINETO, dtype=np.uint8)
            c[0], c[-1] = Path.MOVETO, Path.CLOSEPOLY
            pc.append(c)
        verts.append(np.concatenate(pv))
        codes.append(np.concatenate(pc))
    return verts, codes


def _project_us(rows) -> tuple[list[list[np.ndarray]], list]:
    """Project (state FIPS, geometry) rows: lower 48 in Albers, Alaska and Hawaii into insets."""
    groups, part = [], []
    for fips, geom in rows:
        rings = []
        for ring in _rings(geom):
            a = np.asarray(ring, dtype=float)[:, :2]
            if fips == "15" and a[:, 0].mean() < -161:
                continue  # the small Northwestern Hawaiian Islands: left out, as on most US maps
            if fips == "02":
                a[:, 0] = np.where(a[:, 0] > 0, a[:, 0] - 360, a[:, 0])  # the Aleutians cross 180°
            rings.append(a)
        groups.append(rings)
        part.append("AK" if fips == "02" else "HI" if fips == "15" else "L48")
    out = []
    for rings, where in zip(groups, part):
        params = {"AK": ALASKA, "HI": HAWAII, "L48": L48}[where]
        out.append([np.column_stack(albers(r[:, 0], r[:, 1], *params)) for r in rings])
    return out, part


@lru_cache(maxsize=None)
def _inset_transforms() -> dict:
    """Scale and shift that put Alaska and Hawaii below the lower 48 (from the state outlines)."""
    from ..datasets import load

    df = load("census_states")
    df = df[~df["STATEFP"].isin(TERRITORY_FIPS)]
    groups, part = _project_us(zip(df["STATEFP"], df["geometry"]))

    def bounds(which):
        pts = np.concatenate([r for g, p in zip(groups, part) if p == which for r in g])
        return pts.min(0), pts.max(0)

    (lx0, ly0), (lx1, ly1) = bounds("L48")
    width = lx1 - lx0
    out = {"L48": (1.0, np.zeros(2))}
    (ax0, ay0), (ax1, ay1) = bounds("AK")
    s_ak = 0.26 * width / (ax1 - ax0)  # Alaska at about a quarter of the lower 48's width
    shift_ak = np.array([lx0 - ax0 * s_ak, ly0 - 0.06 * width - ay0 * s_ak])
    out["AK"] = (s_ak, shift_ak)
    (hx0, hy0), (hx1, hy1) = bounds("HI")
    s_hi = 0.13 * width / (hx1 - hx0)
    ak_right = ax1 * s_ak + shift_ak[0]
    shift_hi = np.array([ak_right + 0.03 * width - hx0 * s_hi, ly0 - 0.06 * width - hy0 * s_hi])
    out["HI"] = (s_hi, shift_hi)
    frames = []
    for key, (x0, y0, x1, y1) in (("AK", (ax0, ay0, ax1, ay1)), ("HI", (hx0, hy0, hx1, hy1))):
        s, d = out[key]
        pad = 0.01 * width
        frames.append((x0 * s + d[0] - pad, y0 * s + d[1] - pad, x1 * s + d[0] + pad, y1 * s + d[1] + pad))
    out["frames"] = frames
    out["tol"] = width / 2500  # about a third of a pixel on an 8-inch map
    return out


def _place_us(rows) -> tuple[list[list[np.ndarray]], set]:
    groups, part = _project_us(rows)
    tr = _inset_transforms()
    placed = []
    for rings, where in zip(groups, part):
        s, d = tr[where]
        placed.append([r * s + d for r in rings])
    return placed, set(part)


@lru_cache(maxsize=None)
def us_geography(level: str, states: tuple[str, ...] | None = None) -> Geography:
    """States (50 and DC) or counties (of the given state FIPS codes, or of all 50 states and DC)."""
    from ..datasets import load

    names, postal, _lookup = census_states()
    if level == "state":
        df = load("census_states")
        df = df[~df["STATEFP"].isin(TERRITORY_FIPS)].sort_values("NAME")
        ids, labels = list(df["STATEFP"]), list(df["NAME"])
    elif level == "county":
        df = load("census_counties")
        keep = set(states) if states else set(names) - TERRITORY_FIPS
        df = df[df["STATEFP"].isin(keep)].sort_values(["STATEFP", "NAME"])
        ids = list(df["GEOID"])
        labels = [f"{n}{' city' if lsad == '25' else ''}, {postal[s]}"
                  for n, s, lsad in zip(df["NAME"], df["STATEFP"], df["LSAD"])]
    else:
        raise MapError(_("level must be 'state' or 'county' for US maps (you gave {level!r}).").format(level=level))
    groups, parts = _place_us(zip(df["STATEFP"], df["geometry"]))
    tr = _inset_transforms()
    verts, codes = _paths(groups, tr["tol"])
    frames = [f for f, key in zip(tr["frames"], ("AK", "HI")) if key in parts]
    outlines, shown = None, None
    if level == "county":
        st = load("census_states")
        st = st[st["STATEFP"].isin(set(df["STATEFP"]))]
        sgroups, _p = _place_us(zip(st["STATEFP"], st["geometry"]))
        outlines = _paths(sgroups, tr["tol"])
        shown = tuple(sorted(postal[s] for s in set(df["STATEFP"]))) if states else ()
    return Geography(level, ids, labels, verts, codes, "albers-usa",
                     "census_states" if level == "state" else "census_counties",
                     insets=bool(frames), county_states=shown, frames=frames, state_outlines=outlines)


def custom_geography(boundaries) -> Geography:
    """A learner's own areas (from :func:`hesj.userdata.load_boundaries_geojson`), in a simple local projection."""
    if "geometry" not in getattr(boundaries, "columns", ()) or "id" not in boundaries.columns:
        raise MapError(_("Load your boundaries with hesj.userdata.load_boundaries_geojson(path, id_property=...) "
                         "and pass the result as boundaries=."))
    lat = np.concatenate([np.asarray(r, float)[:, 1] for g in boundaries["geometry"] for r in _rings(g)])
    lat0 = float((lat.min() + lat.max()) / 2)
    k = math.cos(math.radians(lat0))
    groups = [[np.asarray(r, float)[:, :2] * [k, 1.0] for r in _rings(g)] for g in boundaries["geometry"]]
    allv = np.concatenate([r for g in groups for r in g])
    span = float(max(np.ptp(allv[:, 0]), np.ptp(allv[:, 1]), 1e-9))
    verts, codes = _paths(groups, span / 2500)
    src = boundaries.attrs.get("userdata", {}).get("source", _("your file"))
    return Geography("custom", [str(i) for i in boundaries["id"]], [str(n) for n in boundaries["name"]], verts, codes,
                     "local", src, lat0=lat0)


# -- joining tables to places -----------------------------------------------------------------------
def _values_for(geo: Geography, keys: list[str], values) -> tuple[np.ndarray, list[str]]:
    """Values aligned with the geography's places, and the keys that matched no place."""
    out = np.full(len(geo.ids), np.nan)
    unmatched = []
    for k, v in zip(keys, values):
        i = geo.index.get(k)
        if i is None:
            unmatched.append(k)
        else:
            out[i] = np.nan if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
    return out, unmatched


@lru_cache(maxsize=None)
def _builtin_table(name: str):
    from ..datasets import load

    return load(name)


def builtin_measure_data(spec: MeasureSpec, geo: Geography) -> MeasureData:
    """Join a built-in table to the map's places and report what did not match."""
    from ..datasets import caption

    df = _builtin_table(spec.table)
    names, postal, lookup = census_states()
    if spec.join == "fips":
        keys = list(df["fips"])
    elif spec.join == "state_name":
        keys = [lookup.get(norm_name(s), s) for s in df["state"]]
    else:  # county name + state postal code
        from ..userdata import census_counties

        _labels, by_name = census_counties()
        keys = []
        for county, st in zip(df["county"], df["state"]):
            fips = lookup.get(norm_name(st))
            keys.append(by_name.get((fips, norm_name(county)), f"{county}, {st}"))
    values, unmatched = _values_for(geo, keys, [None if v is None or v != v else float(v) for v in df[spec.column]])
    notes = []
    if unmatched:
        notes.append(_("{n} rows of the table matched no outline on the map and are not shown: {rows}.").format(
            n=len(unmatched), rows=", ".join(map(str, unmatched[:10])) + (" ..." if len(unmatched) > 10 else "")))
    else:
        notes.append(_("All {n} rows of the table matched a place on the map.").format(n=len(keys)))
    missing = int(np.isnan(values).sum())
    if missing:
        notes.append(_("Places on the map with no value in this table (hatched as no data): {n}.").format(n=missing))
    return MeasureData(spec.key, spec.label, values, caption(df), spec.template, spec.decimals, notes)


def user_measure_data(data, geo: Geography) -> dict[str, MeasureData]:
    """Every numeric column of a learner's table (from hesj.userdata.load_measure_csv), joined on ``id``."""
    if "id" not in getattr(data, "columns", ()):
        raise MapError(_("Load your table with hesj.userdata.load_measure_csv(path, level=...) and pass the result "
                         "as data=."))
    info = data.attrs.get("userdata", {})
    src = info.get("source", _("your table"))
    cap = _("Data: {source} (your own data; check its source and year before you share the map).").format(source=src)
    out = {}
    cols = [c for c in data.columns if c not in ("id", "name") and data[c].dtype.kind in "fi"]
    if not cols:
        raise MapError(_("Your table has no numeric measure columns to map."))
    for col in cols:
        values, unmatched = _values_for(geo, [str(i) for i in data["id"]], list(data[col]))
        notes = []
        if unmatched:
            notes.append(_("{n} rows of your data matched no area on the map and are not shown: {ids}.").format(
                n=len(unmatched), ids=", ".join(unmatched[:10]) + (" ..." if len(unmatched) > 10 else "")))
        else:
            notes.append(_("All {n} rows of your data matched an area on the map.").format(n=len(data)))
        missing = int(np.isnan(values).sum())
        if missing:
            notes.append(_("{n} areas on the map have no value; they are hatched as no data.").format(n=missing))
        out[str(col)] = MeasureData(str(col), str(col), values, cap, "{value}", None, notes)
    return out


# -- classes, ranks and words --------------------------------------------------------------------------
@dataclass
class Classes:
    edges: np.ndarray  # class boundaries, len(k + 1); class i is edges[i] <= v < edges[i+1] (the last is closed)
    index: np.ndarray  # class of each place, -1 = no data
    labels: list[str]
    counts: list[int]

    @property
    def k(self) -> int:
        return len(self.labels)


def classify(values: np.ndarray, method: str = "quantile", k: int = N_CLASSES, fmt=None) -> Classes:
    """Sort values into at most ``k`` classes: quantiles (equal counts) or equal intervals (equal widths).

    Labels give the range of values actually in each class and how many places
    it holds, so a legend never claims a value no place has.
    """
    if method not in METHODS:
        raise MapError(_("classes must be 'quantile' or 'equal' (you gave {method!r}).").format(method=method))
    fmt = fmt or (lambda v: f"{v:g}")
    values = np.asarray(values, dtype=float)
    ok = np.isfinite(values)
    index = np.full(len(values), -1)
    if not ok.any():
        return Classes(np.array([]), index, [], [])
    lo, hi = float(values[ok].min()), float(values[ok].max())
    if lo == hi:
        edges = np.array([lo, hi])
    elif method == "quantile":
        inner = np.quantile(values[ok], [i / k for i in range(1, k)])
        edges = np.unique(np.concatenate([[lo], inner, [hi]]))
    else:
        edges = np.linspace(lo, hi, k + 1)
    index[ok] = np.clip(np.searchsorted(edges[1:-1], values[ok], side="right"), 0, len(edges) - 2)
    labels, counts = [], []
    for c in range(len(edges) - 1):
        members = values[index == c]
        counts.append(len(members))
        a, b = (members.min(), members.max()) if len(members) else (edges[c], edges[c + 1])
        labels.append(fmt(a) if a == b else _("{low} to {high}").format(low=fmt(a), high=fmt(b)))
    return Classes(edges, index, labels, counts)


def class_colours(k: int) -> list:
    """k colours from cividis, light (low values) to dark (high values): lightness alone tells the order."""
    from matplotlib import colormaps

    from ..charts import SEQUENTIAL

    cmap = colormaps[SEQUENTIAL].reversed()
    return [cmap(x) for x in np.linspace(0.0, 1.0, max(k, 2))][: max(k, 1)] if k != 1 else [cmap(0.5)]


def ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1 = highest value; tied places share the better rank; NaN -> 0."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    out = np.zeros(len(v), dtype=int)
    finite = np.sort(v[ok])[::-1]
    out[ok] = 1 + np.searchsorted(-finite, -v[ok], side="left")
    return out


def _join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])


@dataclass
class MapModel:
    """State of one map: which places, which measures, the chosen measure, classes and place."""

    geography: Geography
    measures: dict[str, MeasureData]
    measure: str = ""
    method: str = "quantile"
    place: str = ""  # id of the place whose details are shown ("" = none)
    highlight: list[str] = field(default_factory=list)  # extra outlined places (story maps)
    zoom: tuple | None = None  # lon/lat box (story maps)

    def __post_init__(self):
        if not self.measures:
            raise MapError(_("There is nothing to map: no measure was given."))
        if not self.measure:
            self.measure = next(iter(self.measures))
        self.set_measure(self.measure)
        self.set_method(self.method)

    # -- changes (the view calls these) --
    def set_measure(self, key: str) -> None:
        if key not in self.measures:
            raise MapError(_("There is no measure {key!r} on this map. Choose one of: {keys}.").format(
                key=key, keys=", ".join(self.measures)))
        self.measure = key

    def set_method(self, method: str) -> None:
        if method not in METHODS:
            raise MapError(_("classes must be 'quantile' or 'equal' (you gave {method!r}).").format(method=method))
        self.method = method

    def set_place(self, place: str | None) -> None:
        if not place:
            self.place = ""
            return
        pid = self.geography.find(place)
        if pid is None:
            raise MapError(_("There is no place called {place!r} on this map.").format(place=place))
        self.place = pid

    # -- computed --
    @property
    def data(self) -> MeasureData:
        return self.measures[self.measure]

    @property
    def values(self) -> np.ndarray:
        return self.data.values

    def classes(self) -> Classes:
        return classify(self.values, self.method, N_CLASSES, self.data.fmt_number)

    def places_word(self, n: int) -> str:
        if self.geography.level == "state":
            return _("state") if n == 1 else _("states")
        if self.geography.level == "county":
            return _("county") if n == 1 else _("counties")
        return _("area") if n == 1 else _("areas")

    def extremes(self) -> dict:
        """Highest and lowest places (all tied ones), range, counts: the facts the summary states."""
        v, names = self.values, self.geography.names
        ok = np.isfinite(v)
        if not ok.any():
            return {"n": 0, "missing": [names[i] for i in range(len(v))]}
        hi, lo = float(v[ok].max()), float(v[ok].min())
        order = np.argsort(-np.where(ok, v, -np.inf), kind="stable")
        return {
            "n": int(ok.sum()), "high": hi, "low": lo, "range": hi - lo, "median": float(np.median(v[ok])),
            "highest": sorted(names[i] for i in np.flatnonzero(ok & (v == hi))),
            "lowest": sorted(names[i] for i in np.flatnonzero(ok & (v == lo))),
            "order": [int(i) for i in order if ok[i]],
            "missing": sorted(names[i] for i in np.flatnonzero(~ok)),
        }

    def top(self, n: int, lowest: bool = False) -> list[str]:
        """The n highest (or lowest) places, plus any tied with the n-th."""
        v = self.values
        ok = np.flatnonzero(np.isfinite(v))
        if len(ok) == 0:
            return []
        srt = sorted(ok, key=lambda i: (v[i] if lowest else -v[i], self.geography.names[i]))
        cut = v[srt[min(n, len(srt)) - 1]]
        return [self.geography.names[i] for i in srt if (v[i] <= cut if lowest else v[i] >= cut)]

    def summary(self) -> str:
        e, d = self.extremes(), self.data
        if e["n"] == 0:
            return _("No place on this map has a value for {measure}.").format(measure=d.label)
        text = _("{measure}: highest in {highest} ({high}); lowest in {lowest} ({low}). The range is {range} across "
                 "{n} {places} with data.").format(
            measure=d.label, highest=_join_names(e["highest"]), high=d.fmt(e["high"]),
            lowest=_join_names(e["lowest"]), low=d.fmt(e["low"]), range=d.fmt(e["range"]), n=e["n"],
            places=self.places_word(e["n"]))
        if e["missing"]:
            shown = e["missing"] if len(e["missing"]) <= 5 else e["missing"][:5] + ["..."]
            text += " " + _("No data (hatched): {places}.").format(places=", ".join(shown))
        return text

    def alt(self) -> str:
        e, d = self.extremes(), self.data
        kind = {"state": _("US states"), "county": _("US counties")}.get(self.geography.level, _("areas"))
        if e["n"] == 0:
            return _("Map of {kind}: no place has a value for {measure}.").format(kind=kind, measure=d.label)
        text = _("Map of {kind} in {k} shades, darker for higher values, showing {measure}. Highest: {highest} "
                 "({high}); lowest: {lowest} ({low}).").format(
            kind=kind, measure=d.label, k=self.classes().k, highest=_join_names(e["highest"]), high=d.fmt(e["high"]),
            lowest=_join_names(e["lowest"]), low=d.fmt(e["low"]))
        if e["missing"]:
            text += " " + _("Hatched, no data: {places}.").format(
                places=", ".join(e["missing"][:5]) + (" ..." if len(e["missing"]) > 5 else ""))
        shown = [p for p in dict.fromkeys(([self.place] if self.place else []) + list(self.highlight))
                 if p in self.geography.index]
        if shown:
            text += " " + _("Outlined: {places}.").format(
                places=_join_names([self.geography.names[self.geography.index[p]] for p in shown]))
        if self.zoom:
            text += " " + _("The map is zoomed in on part of the country.")
        return text

    def caption(self) -> str:
        method = _("quantile classes") if self.method == "quantile" else _("equal-interval classes")
        parts = [f"{self.data.label} ({method}).", self.data.caption, self.geography.caption()]
        if self.geography.note():
            parts.append(self.geography.note())
        return " ".join(parts)

    def status(self) -> str:
        """Details of the chosen place: value, rank and class (the keyboard version of clicking it)."""
        if not self.place:
            return _("Choose a place to see its value and rank; it is outlined on the map.")
        i = self.geography.index[self.place]
        name, v, d = self.geography.names[i], self.values[i], self.data
        if not np.isfinite(v):
            return _("{place}: no data for {measure}.").format(place=name, measure=d.label)
        cls = self.classes()
        c = int(cls.index[i])
        tied = int((self.values == v).sum()) > 1
        rank = int(ranks(self.values)[i])
        text = _("{place}: {value}. Rank {rank} of {n} (1 = highest){tied}. Class {c} of {k} ({label}).").format(
            place=name, value=d.fmt(v), rank=rank, n=int(np.isfinite(self.values).sum()),
            tied=_(", tied") if tied else "", c=c + 1, k=cls.k, label=cls.labels[c])
        return text

    def table(self):
        """All places with their value, class and rank, highest first, no data last."""
        import pandas as pd

        cls, rk, d = self.classes(), ranks(self.values), self.data
        rows = []
        for i in sorted(range(len(self.values)), key=lambda i: (rk[i] == 0, rk[i], self.geography.names[i])):
            v = self.values[i]
            ok = bool(np.isfinite(v))
            rows.append({_("Place"): self.geography.names[i], _("Code"): self.geography.ids[i],
                         d.label: d.fmt_number(v) if ok else _("no data"),
                         _("Rank (1 = highest)"): int(rk[i]) if ok else "",
                         _("Class"): cls.labels[cls.index[i]] if ok else _("no data")})
        return pd.DataFrame(rows)

    def notes(self) -> list[str]:
        return list(self.data.notes)


# -- building models -----------------------------------------------------------------------------------
def builtin_model(level: str = "state", measure: str | None = None, method: str = "quantile") -> MapModel:
    """A map of the built-in measures for one level."""
    if level not in ("state", "county"):
        raise MapError(_("level must be 'state' or 'county' (you gave {level!r}).").format(level=level))
    specs = {k: s for k, s in builtin_measures().items() if s.level == level}
    if measure is not None and measure not in specs:
        all_specs = builtin_measures()
        hint = ""
        if measure in all_specs:
            hint = " " + _("{measure!r} is a {level}-level measure: use level={level!r}.").format(
                measure=measure, level=all_specs[measure].level)
        raise MapError(_("There is no {level} measure {measure!r}. Choose one of: {keys}.").format(
            level=level, measure=measure, keys=", ".join(specs)) + hint)
    if level == "state":
        geo = us_geography("state")
    else:
        df = _builtin_table("midwest_counties")
        lookup = census_states()[2]
        geo = us_geography("county", tuple(sorted({lookup[norm_name(s)] for s in df["state"]})))
    measures = {k: builtin_measure_data(s, geo) for k, s in specs.items()}
    return MapModel(geo, measures, measure or next(iter(measures)), method)


def user_model(data, boundaries=None, level: str | None = None, measure: str | None = None,
               method: str = "quantile") -> MapModel:
    """A map of a learner's own table, on Census states or counties or on their own boundaries."""
    if boundaries is not None:
        geo = custom_geography(boundaries)
    else:
        lvl = level or getattr(data, "attrs", {}).get("userdata", {}).get("level", "county")
        if lvl not in ("state", "county"):
            raise MapError(_("A table with custom ids needs your boundaries too: pass boundaries= "
                             "(from hesj.userdata.load_boundaries_geojson)."))
        if "id" not in getattr(data, "columns", ()):
            raise MapError(_("Load your table with hesj.userdata.load_measure_csv(path, level=...) and pass the "
                             "result as data=."))
        if lvl == "state":
            geo = us_geography("state")
        else:
            geo = us_geography("county", tuple(sorted({str(i)[:2] for i in data["id"]})))
    measures = user_measure_data(data, geo)
    return MapModel(geo, measures, measure or next(iter(measures)), method)


# -- drawing ---------------------------------------------------------------------------------------------
class MapFigure:
    """One matplotlib figure for a geography; ``update(model)`` changes colours, hatching, outline and legend."""

    def __init__(self, geo: Geography, width: float = 8.0, height: float = 4.8):
        from matplotlib.collections import PolyCollection
        from matplotlib.patches import Rectangle

        from ..charts import new_figure

        self.geo = geo
        self.fig, ax = new_figure(width, height)
        # the map and, in its own column to the right, the legend (never drawn over the map or cut off)
        self.fig.delaxes(ax)
        grid = self.fig.add_gridspec(1, 2, width_ratios=[3.3, 1.2])
        self.ax = ax = self.fig.add_subplot(grid[0])
        self.key = self.fig.add_subplot(grid[1])
        self.key.set_axis_off()
        lw = 0.4 if geo.level == "state" else 0.15
        # all places, built once: later changes only touch face colours
        self.places = PolyCollection([], closed=False, edgecolors=EDGE, linewidths=lw, zorder=1)
        self.places.set_verts_and_codes(geo.verts, geo.codes)
        ax.add_collection(self.places)
        if geo.state_outlines:
            borders = PolyCollection([], closed=False, facecolors="none", edgecolors=EDGE, linewidths=0.9, zorder=2)
            borders.set_verts_and_codes(*geo.state_outlines)
            ax.add_collection(borders)
        # places with no data: white with hatching (colour is not the only cue)
        self.nodata = PolyCollection([], closed=False, facecolors=NO_DATA_FACE, edgecolors="#595959",
                                     linewidths=lw, hatch=NO_DATA_HATCH, zorder=3)
        ax.add_collection(self.nodata)
        # the chosen place and story highlights: a white halo under a dark outline, visible on every class colour
        self.halo = PolyCollection([], closed=False, facecolors="none", edgecolors="#ffffff", linewidths=4.0, zorder=4)
        self.outline = PolyCollection([], closed=False, facecolors="none", edgecolors=OUTLINE, linewidths=2.0, zorder=5)
        ax.add_collection(self.halo)
        ax.add_collection(self.outline)
        for x0, y0, x1, y1 in geo.frames:
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#8c8c8c", linewidth=0.8))
        x0, y0, x1, y1 = geo.extent
        pad = 0.02 * max(x1 - x0, y1 - y0)
        self.full = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        self._zoom(None)
        self.legend = None

    def _subset(self, idx) -> tuple[list, list]:
        return [self.geo.verts[i] for i in idx], [self.geo.codes[i] for i in idx]

    def _zoom(self, box_lonlat) -> None:
        x0, y0, x1, y1 = self.geo.project_box(box_lonlat) if box_lonlat else self.full
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)

    def update(self, model: MapModel) -> None:
        from matplotlib.patches import Patch

        cls = model.classes()
        colours = class_colours(cls.k)
        face = np.array([colours[c] if c >= 0 else (1, 1, 1, 1) for c in cls.index])
        self.places.set_facecolor(face)
        missing = np.flatnonzero(cls.index < 0)
        self.nodata.set_verts_and_codes(*self._subset(missing))
        shown = list(dict.fromkeys(([model.place] if model.place else []) + list(model.highlight)))
        idx = [self.geo.index[p] for p in shown if p in self.geo.index]
        self.halo.set_verts_and_codes(*self._subset(idx))
        self.outline.set_verts_and_codes(*self._subset(idx))
        self._zoom(model.zoom)
        word = model.places_word
        handles = [Patch(facecolor=colours[c], edgecolor="#595959",
                         label=_("{range} ({n} {places})").format(range=cls.labels[c], n=cls.counts[c],
                                                                  places=word(cls.counts[c])))
                   for c in reversed(range(cls.k))]
        if len(missing):
            handles.append(Patch(facecolor=NO_DATA_FACE, edgecolor="#595959", hatch=NO_DATA_HATCH,
                                 label=_("No data ({n} {places})").format(n=len(missing), places=word(len(missing)))))
        if idx:
            label = _("Outlined: the chosen place") if not model.highlight else _("Outlined: places named in the text")
            handles.append(Patch(facecolor="none", edgecolor=OUTLINE, linewidth=2.0, label=_wrap(label, 24)))
        if self.legend is not None:
            self.legend.remove()
        self.legend = self.key.legend(handles=handles, title=_wrap(model.data.label, 24), loc="upper left",
                                      bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize=9, title_fontsize=10,
                                      alignment="left")

    def html(self, model: MapModel) -> str:
        """The accessible block: figure, alt text, caption, summary and the full data table."""
        from ..charts import chart_html, table_html

        self.update(model)
        table = model.table()
        block = chart_html(self.fig, model.alt(), model.caption(), model.summary())
        return (block + f"<details><summary>{esc(_('Show the data as a table'))}</summary>"
                f"{table_html(table, model.data.label, max_rows=len(table))}</details>")


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


# -- static and live views ----------------------------------------------------------------------------
def static_html(model: MapModel, figure: MapFigure | None = None) -> str:
    """The printable map: figure, caption naming the source, summary, notes on the join, the data table."""
    figure = figure or MapFigure(model.geography)
    notes = "".join(f"<li>{esc(n)}</li>" for n in model.notes())
    inner = (f"<p><strong>{esc(_('Map explorer'))}: {esc(model.data.label)}</strong></p>"
             + figure.html(model)
             + (f"<p>{esc(_('How the table joins the map'))}:</p><ul>{notes}</ul>" if notes else "")
             + (interactive_html(model) if len(model.geography.ids) <= 100 else ""))
    return box(inner, _("Map explorer"))


def interactive_html(model: MapModel, div_id: str = "hesj-map-interactive") -> str:
    """The same map for the book's interactive figure (plotly.js, no kernel): hover a place for
    its value and rank, drag to zoom. One filled shape per place, in the static map's colours."""
    from matplotlib.colors import to_hex
    from matplotlib.path import Path as MplPath

    from ..interactive import figure_html

    geo, values, classes = model.geography, model.values, model.classes()
    colours = [to_hex(c) for c in class_colours(classes.k)] if classes.k else []
    rank = ranks(values)
    x0, y0, x1, y1 = geo.extent
    tol = max(x1 - x0, y1 - y0) / 600  # drop points closer than a pixel or so at page size
    scale = 1000 / max(x1 - x0, y1 - y0)  # whole numbers from 0 to 1000 keep the page small
    data, centres = [], []
    for i, (pid, name) in enumerate(zip(geo.ids, geo.names)):
        xs, ys = [], []
        last = None
        for (x, y), code in zip(geo.verts[i], geo.codes[i]):
            if code == MplPath.MOVETO and xs:
                xs.append(None)
                ys.append(None)
                last = None
            if code == MplPath.CLOSEPOLY:
                continue
            if last is not None and code != MplPath.MOVETO and abs(x - last[0]) + abs(y - last[1]) < tol:
                continue
            xs.append(int(round((x - x0) * scale)))
            ys.append(int(round((y - y0) * scale)))
            last = (x, y)
        v = values[i]
        known = bool(np.isfinite(v))
        label = (_("{place}: {value} (rank {rank} of {n})").format(place=name, value=model.data.fmt(v),
                                                                  rank=int(rank[i]), n=int(np.isfinite(values).sum()))
                 if known else _("{place}: no data").format(place=name))
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself", "name": name,
                     "fillcolor": colours[classes.index[i]] if known and colours else "#ffffff",
                     "line": {"width": 0.6, "color": "#1a1a1a"}, "hoverinfo": "skip"})
        pts = [(x, y) for x, y in zip(xs, ys) if x is not None]
        centres.append((sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts), label))
    # one hover point per place, at the middle of its outline: hover it to read the value and rank
    data.append({"type": "scatter", "mode": "markers", "x": [c[0] for c in centres], "y": [c[1] for c in centres],
                 "text": [c[2] for c in centres], "hovertemplate": "%{text}<extra></extra>",
                 "marker": {"size": 9, "color": "#ffffff", "line": {"width": 1.2, "color": "#1a1a1a"}}})
    layout = {"height": 420, "showlegend": False, "margin": {"l": 5, "r": 5, "t": 5, "b": 5},
              "xaxis": {"visible": False}, "yaxis": {"visible": False, "scaleanchor": "x"},
              "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff", "hovermode": "closest"}
    return figure_html(div_id, data, layout,
                       _("hover over the dot in a place to read its value and rank, drag a box to zoom in, double-click to "
                         "see the whole map again."))


def view(model: MapModel) -> Activity:
    import ipywidgets as w

    figure = MapFigure(model.geography)
    wide = {"description_width": "initial"}
    measure = w.Dropdown(options=[(d.label, k) for k, d in model.measures.items()], value=model.measure,
                         description=_("Measure"), style=wide, layout=w.Layout(width="34em"))
    method = w.Dropdown(options=[(_("Quantiles: about the same number of places in each class"), "quantile"),
                                 (_("Equal intervals: each class covers the same range of values"), "equal")],
                        value=model.method, description=_("Classes"), style=wide, layout=w.Layout(width="34em"))
    order = sorted(range(len(model.geography.ids)), key=lambda i: model.geography.names[i])
    place = w.Dropdown(options=[(_("(no place chosen)"), "")] + [(model.geography.names[i], model.geography.ids[i])
                                                                  for i in order],
                       value=model.place or "", description=_("Place details"), style=wide,
                       layout=w.Layout(width="34em"))
    status = w.HTML()
    chart = w.HTML()
    notes = w.HTML()

    def show_status():
        status.value = f'<p role="status">{esc(model.status())}</p>'

    def redraw():
        chart.value = figure.html(model)
        notes.value = "".join(f"<p>{esc(n)}</p>" for n in model.notes())
        show_status()

    def on_measure(change):
        model.set_measure(change["new"])
        redraw()

    def on_method(change):
        model.set_method(change["new"])
        redraw()

    def on_place(change):
        model.set_place(change["new"])
        redraw()

    measure.observe(on_measure, names="value")
    method.observe(on_method, names="value")
    place.observe(on_place, names="value")
    redraw()
    controls = {"measure": measure, "classes": method, "place": place, "status": status, "chart": chart,
                "notes": notes, "figure": figure}
    ui = w.VBox([measure, method, place, status, chart, notes])
    return Activity(ui, static_html(model, figure), model=model, controls=controls)


def activity(measure: str | None = None, level: str = "state", data=None, boundaries=None,
             classes: str = "quantile", place: str | None = None) -> Activity:
    """The map explorer.

    ``hesj.activities.mapping.activity(measure="life_expectancy_2019")`` maps a
    built-in measure (state: life_expectancy_2019, life_expectancy_1970,
    income_1974, illiteracy_1970, hs_grad_1970; county: poverty_2000,
    black_2000, hs_diploma_2000, college_2000). Pass ``data=`` (from
    :func:`hesj.userdata.load_measure_csv`) to map your own table, and
    ``boundaries=`` (from :func:`hesj.userdata.load_boundaries_geojson`) to map
    it on your own areas.
    """
    from ..paths import static_mode

    if level not in LEVELS:
        raise MapError(_("level must be 'state', 'county' or 'custom' (you gave {level!r}).").format(level=level))
    if boundaries is not None and data is None:
        raise MapError(_("Boundaries alone have nothing to shade: pass your measure table as data= too."))
    if data is not None:
        # a table from load_measure_csv knows its level (its ids were checked for it)
        lvl = None if boundaries is not None else (
            getattr(data, "attrs", {}).get("userdata", {}).get("level") or level)
        model = user_model(data, boundaries, lvl, measure, classes)
    else:
        if level == "custom":
            raise MapError(_("A custom map needs your boundaries and your data: pass boundaries= and data=."))
        model = builtin_model(level, measure, classes)
    if place:
        model.set_place(place)
    if static_mode():
        return Activity(html=static_html(model), model=model)
    return view(model)


__all__ = ["activity", "builtin_measures", "builtin_model", "user_model", "MapModel", "MapFigure", "classify",
           "static_html", "view", "MapError", "UserDataError"]
