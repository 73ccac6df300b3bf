"""A learner's own data for the map explorer: a measure table (CSV) and, optionally, boundaries (GeoJSON).

Local health department staff often have their own numbers (a county health
rankings download, a surveillance export) and sometimes their own areas
(census tracts, ZIP code areas, planning districts). Two loaders read them and
check them before anything is drawn:

* :func:`load_measure_csv` reads a CSV with one id column (FIPS code, GEOID or
  place name) and one or more numeric measure columns;
* :func:`load_boundaries_geojson` reads a GeoJSON FeatureCollection of
  Polygon/MultiPolygon features, each with a unique id property.

Both are all-or-nothing: they either return the whole table or raise a
:class:`UserDataError` (an :class:`~hesj.errors.InputError`) whose message names
the column and row to fix. Nothing is fetched from the network: state and county
codes are checked against the Census boundary files installed with the course.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from functools import lru_cache
from pathlib import Path

from .errors import InputError
from .i18n import _

LEVELS = ("state", "county", "custom")
# Census state codes of the territories (American Samoa, Guam, Northern Mariana Islands,
# Puerto Rico, US Virgin Islands). The state map leaves them out; county data may use them.
TERRITORY_FIPS = frozenset({"60", "66", "69", "72", "78"})
# Cells that mean "no value here" (suppressed or missing): shown as "no data" on the map.
MISSING = frozenset({"", "na", "n/a", "-", "--", "–"})
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
MAX_CHARS = 50_000_000  # a CSV or GeoJSON larger than this is not a table to map in a notebook

# Column names the loader recognises (compared lower-case, spaces and dashes as underscores).
CODE_COLUMNS = ("fips", "geoid", "fips_code", "county_fips", "state_fips", "statefp", "geo_id", "id")
STATE_NAME_COLUMNS = ("state", "state_name", "name", "place", "state_abbr", "abbr", "stusps", "postal")
COUNTY_NAME_COLUMNS = ("county", "county_name", "name", "place")
CUSTOM_ID_COLUMNS = ("id", "geoid", "fips", "zip", "zcta", "tract", "district", "area", "name", "place")
# Text columns that may sit beside the id (a name next to a code); they are kept, not mapped.
LABEL_COLUMNS = frozenset({"name", "place", "state", "state_name", "county", "county_name", "state_abbr",
                           "abbr", "stusps", "postal", "label"})


class UserDataError(InputError):
    """A learner's own file cannot be used as it is; the message says what to fix and where."""


# -- shared helpers (the map explorer uses them too) ----------------------------------------------
def norm_name(text: str) -> str:
    """A place name reduced for matching: 'St. Clair' = 'SAINT CLAIR' = 'st clair'; 'DeKalb' = 'DE KALB'."""
    s = re.sub(r"[^A-Z]", "", re.sub(r"\bSAINT\b", "ST", str(text).upper()))
    return s


@lru_cache(maxsize=None)
def census_states() -> tuple[dict, dict, dict]:
    """(FIPS -> name, FIPS -> postal code, normalised name or code -> FIPS) for states, DC and territories."""
    from .datasets import load

    df = load("census_states")
    names = dict(zip(df["STATEFP"], df["NAME"]))
    postal = dict(zip(df["STATEFP"], df["STUSPS"]))
    lookup = {}
    for fips, name in names.items():
        lookup[norm_name(name)] = fips
        lookup[norm_name(postal[fips])] = fips
    return names, postal, lookup


@lru_cache(maxsize=None)
def census_counties() -> tuple[dict, dict]:
    """(GEOID -> 'Name, ST', (state FIPS, normalised county name) -> GEOID) for every county equivalent."""
    from .datasets import load

    df = load("census_counties")
    _names, postal, _lookup = census_states()
    labels = {g: f"{n}{' city' if lsad == '25' else ''}, {postal.get(s, s)}"
              for g, n, s, lsad in zip(df["GEOID"], df["NAME"], df["STATEFP"], df["LSAD"])}
    by_name: dict = {}
    # A plain name means the county: Virginia's independent cities (LSAD 25) that share a county's
    # name (Fairfax, Richmond, Roanoke...) are matched only as "Fairfax city".
    for g, n, s, lsad in sorted(zip(df["GEOID"], df["NAME"], df["STATEFP"], df["LSAD"]), key=lambda r: r[3] == "25"):
        by_name.setdefault((s, norm_name(n)), g)
        if lsad == "25":
            by_name.setdefault((s, norm_name(n + " city")), g)
    return labels, by_name


def _read_text(path_or_text, what: str) -> tuple[str, str]:
    """(text, where it came from). A Path, or a string naming an existing file, is read; other strings are the text."""
    if isinstance(path_or_text, bytes):
        path_or_text = path_or_text.decode("utf-8", errors="replace")
    if isinstance(path_or_text, os.PathLike) or (
            isinstance(path_or_text, str) and "\n" not in path_or_text and len(path_or_text) < 4096
            and path_or_text.strip() and _is_file(path_or_text)):
        path = Path(path_or_text)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UserDataError(_("Could not open the file {path}: {reason}. Check the name and the folder.").format(
                path=path, reason=exc.strerror or exc.__class__.__name__)) from None
        if len(raw) > MAX_CHARS:
            raise UserDataError(_("{path} is too large to map here (over 50 MB). Keep only the rows and columns you need.")
                                .format(path=path.name))
        return raw.decode("utf-8-sig", errors="replace"), _("the file {name}").format(name=path.name)
    if not isinstance(path_or_text, str):
        raise UserDataError(_("Give the {what} as a file path or as text, not as {kind}.").format(
            what=what, kind=type(path_or_text).__name__))
    if len(path_or_text) > MAX_CHARS:
        raise UserDataError(_("The {what} is too large to map here (over 50 MB).").format(what=what))
    text = path_or_text[1:] if path_or_text.startswith("\ufeff") else path_or_text
    if "\n" not in text and re.search(r"\.(csv|txt|json|geojson)$", text.strip(), flags=re.I):
        raise UserDataError(_("There is no file called {path}. Check the name and the folder (the path is relative "
                              "to the notebook's folder).").format(path=text.strip()))
    return text, _("the text you gave")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _is_file(name: str) -> bool:
    try:
        return os.path.isfile(name)
    except (OSError, ValueError):
        return False


def _key(column: str) -> str:
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


def _parse_number(cell: str) -> float | None:
    """A number from a cell, None for a missing-value marker; raises ValueError for anything else."""
    s = cell.strip()
    if s.lower() in MISSING:
        return None
    if not NUMBER_RE.match(s):
        raise ValueError(s)
    value = float(s)
    if not math.isfinite(value):
        raise ValueError(s)
    return value


# -- measure tables --------------------------------------------------------------------------------
def load_measure_csv(path_or_text, level: str = "county", id_column: str | None = None):
    """A learner's measure table, checked: one row per place, an id and numeric measures.

    ``level`` is "state" (two-digit FIPS, state name or postal code), "county"
    (five-digit FIPS/GEOID, or a county column plus a state column) or "custom"
    (any id that matches the ``id_property`` of boundaries you load with
    :func:`load_boundaries_geojson`). Empty cells and NA mean "no value".

    Returns a pandas DataFrame with columns ``id`` and ``name`` and then one float
    column per measure, in the file's order; ``df.attrs["userdata"]`` records the
    level, the id column used and where the data came from.
    Raises :class:`UserDataError` naming the column and line to fix.
    """
    import pandas as pd

    if level not in LEVELS:
        raise UserDataError(_("level must be one of: state, county, custom (you gave {level!r}).").format(level=level))
    text, source = _read_text(path_or_text, _("measure table"))
    if not text.strip():
        raise UserDataError(_("{source} is empty. A measure table needs a header row (for example: fips,poverty) "
                              "and one row per place.").format(source=_cap(source)))
    if "\x00" in text:
        raise UserDataError(_("{source} is not a text CSV file (it contains binary data). Save it from your "
                              "spreadsheet as 'CSV UTF-8'.").format(source=_cap(source)))
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        body = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise UserDataError(_("{source} could not be read as CSV ({reason}). Check for an unclosed quotation mark.")
                            .format(source=_cap(source), reason=exc)) from None
    header = [h.strip() for h in header]
    for i, h in enumerate(header, start=1):
        if not h:
            raise UserDataError(_("Column {n} of the header has no name. Give every column a name in the first row.")
                                .format(n=i))
    keys = [_key(h) for h in header]
    for k in keys:
        if keys.count(k) > 1:
            dupes = [h for h, kk in zip(header, keys) if kk == k]
            raise UserDataError(_("The header has two columns called {name!r}. Give each column its own name.")
                                .format(name=dupes[1]))
    rows = [(line, row) for line, row in body if any(c.strip() for c in row)]
    if not rows:
        raise UserDataError(_("{source} has a header row but no data rows.").format(source=_cap(source)))
    for line, row in rows:
        if len(row) != len(header):
            raise UserDataError(_("Row {line} has {n} values but the header (row 1) has {m} columns. Check for a missing "
                                  "value or an unquoted comma.").format(line=line, n=len(row), m=len(header)))

    id_cols = _id_columns(header, keys, level, id_column)
    ids, names = _resolve_ids(rows, header, id_cols, level)
    seen: dict[str, int] = {}
    for (line, _row), pid in zip(rows, ids):
        if pid in seen:
            raise UserDataError(_("Row {line} repeats the place {place!r} already in row {first}. Keep one row per "
                                  "place.").format(line=line, place=pid, first=seen[pid]))
        seen[pid] = line

    used = set(id_cols)
    # every other column is a measure, except names and codes kept beside the id
    measure_idx = [i for i, k in enumerate(keys) if i not in used and k not in LABEL_COLUMNS and k not in CODE_COLUMNS]
    if not measure_idx:
        raise UserDataError(_("There is no measure column: after the id column {col!r}, add at least one column "
                              "of numbers (for example: poverty_rate).").format(col=header[id_cols[0]]))
    data = {"id": ids, "name": names}
    for i in measure_idx:
        values = []
        for line, row in rows:
            try:
                values.append(_parse_number(row[i]))
            except ValueError:
                raise UserDataError(_("Row {line}, column {col!r}: {value!r} is not a number. Write numbers with "
                                      "digits and a decimal point (no %, $ or thousands commas); leave the cell empty "
                                      "or write NA if there is no value.").format(
                    line=line, col=header[i], value=row[i].strip()[:40])) from None
        if all(v is None for v in values):
            raise UserDataError(_("Column {col!r} has no numbers at all. Remove it or fill in its values.")
                                .format(col=header[i]))
        data[header[i]] = [math.nan if v is None else v for v in values]
    df = pd.DataFrame(data)
    for h in data:
        if h not in ("id", "name"):
            df[h] = df[h].astype(float)
    df.attrs["userdata"] = {"level": level, "id_column": ", ".join(header[i] for i in id_cols),
                            "source": source, "rows": len(df)}
    return df


def _id_columns(header: list[str], keys: list[str], level: str, id_column: str | None) -> list[int]:
    """Index(es) of the id column(s): given by name, or found by a recognised name."""
    if id_column is not None:
        want = _key(str(id_column))
        if want not in keys:
            raise UserDataError(_("There is no column called {col!r}. The columns are: {cols}.").format(
                col=id_column, cols=", ".join(header)))
        return [keys.index(want)]
    if level == "custom":
        candidates = CUSTOM_ID_COLUMNS
    else:
        candidates = CODE_COLUMNS + (STATE_NAME_COLUMNS if level == "state" else ())
    for c in candidates:
        if c in keys:
            return [keys.index(c)]
    if level == "county":
        county = next((keys.index(c) for c in COUNTY_NAME_COLUMNS if c in keys), None)
        state = next((keys.index(c) for c in ("state", "state_abbr", "stusps", "abbr", "postal", "state_name")
                      if c in keys), None)
        if county is not None and state is not None:
            return [county, state]
    accepted = {"state": _("fips, geoid, state (name or postal code)"),
                "county": _("fips or geoid (five-digit county code), or a county column and a state column"),
                "custom": _("id, geoid, fips, zip, tract, district, area or name")}[level]
    raise UserDataError(_("No id column found. Name the column that identifies each place one of: {accepted}; "
                          "or say which column it is with id_column='...'. The columns are: {cols}.").format(
        accepted=accepted, cols=", ".join(header)))


def _resolve_ids(rows, header, id_cols, level) -> tuple[list[str], list[str]]:
    """Normalised ids and display names for every row; raises on the first id that cannot be used."""
    ids, names = [], []
    for line, row in rows:
        cells = [row[i].strip() for i in id_cols]
        col = header[id_cols[0]]
        if not cells[0]:
            raise UserDataError(_("Row {line}, column {col!r}: the place id is empty. Every row needs one.")
                                .format(line=line, col=col))
        if level == "custom":
            ids.append(cells[0])
            label = next((row[i].strip() for i, h in enumerate(header) if _key(h) in ("name", "place", "label")
                          and i not in id_cols and row[i].strip()), "")
            names.append(label or cells[0])
        elif level == "state":
            fips = _state_id(cells[0], line, col)
            ids.append(fips)
            names.append(census_states()[0][fips])
        elif len(id_cols) == 2:
            geoid = _county_by_name(cells[0], cells[1], line, col, header[id_cols[1]])
            ids.append(geoid)
            names.append(census_counties()[0][geoid])
        else:
            geoid = _county_id(cells[0], line, col)
            ids.append(geoid)
            names.append(census_counties()[0][geoid])
    return ids, names


def _state_id(cell: str, line: int, col: str) -> str:
    names, _postal, lookup = census_states()
    if cell.isascii() and cell.isdigit():
        if len(cell) == 1:
            raise UserDataError(_("Row {line}, column {col!r}: {value!r} has 1 digit; state FIPS codes have 2. "
                                  "If a spreadsheet dropped the leading zero, write {fixed!r}.").format(
                line=line, col=col, value=cell, fixed=cell.zfill(2)))
        if len(cell) != 2:
            raise UserDataError(_("Row {line}, column {col!r}: {value!r} has {n} digits; state FIPS codes have 2 "
                                  "(for example 06 for California).").format(line=line, col=col, value=cell, n=len(cell)))
        if cell not in names:
            raise UserDataError(_("Row {line}, column {col!r}: {value!r} is not a state FIPS code in the Census "
                                  "boundary file (01 Alabama to 56 Wyoming, 72 Puerto Rico).").format(
                line=line, col=col, value=cell))
        return cell
    fips = lookup.get(norm_name(cell)) if norm_name(cell) else None
    if fips is None:
        raise UserDataError(_("Row {line}, column {col!r}: {value!r} is not a state name, postal code or FIPS "
                              "code. Check the spelling (for example: Ohio, OH or 39).").format(
            line=line, col=col, value=cell[:60]))
    return fips


def _county_id(cell: str, line: int, col: str) -> str:
    labels, _by_name = census_counties()
    if not (cell.isascii() and cell.isdigit()):
        raise UserDataError(_("Row {line}, column {col!r}: {value!r} is not a county FIPS code. County codes have "
                              "five digits, state then county (for example 17031 for Cook County, Illinois).").format(
            line=line, col=col, value=cell[:60]))
    if len(cell) in (3, 4):
        raise UserDataError(_("Row {line}, column {col!r}: {value!r} has {n} digits; county FIPS codes have 5. "
                              "If a spreadsheet dropped the leading zero, write {fixed!r}.").format(
            line=line, col=col, value=cell, n=len(cell), fixed=cell.zfill(5)))
    if len(cell) != 5:
        raise UserDataError(_("Row {line}, column {col!r}: {value!r} has {n} digits; county FIPS codes have 5 "
                              "(for example 17031).").format(line=line, col=col, value=cell[:60], n=len(cell)))
    if cell not in labels:
        raise UserDataError(_("Row {line}, column {col!r}: {value!r} is not a county FIPS code in the Census 2016 "
                              "boundary file. Check the code; codes that changed after 2016 (for example "
                              "Connecticut's 2022 planning regions) need a crosswalk.").format(
            line=line, col=col, value=cell))
    return cell


def _county_by_name(county: str, state: str, line: int, col: str, state_col: str) -> str:
    labels, by_name = census_counties()
    fips = _state_id(state, line, state_col) if state else None
    if fips is None:
        raise UserDataError(_("Row {line}, column {col!r}: the state is empty. Every row needs one.").format(
            line=line, col=state_col))
    base = re.sub(r"\s+(county|parish|borough|census area|municipality|city and borough)$", "", county,
                  flags=re.I)
    geoid = by_name.get((fips, norm_name(base))) or by_name.get((fips, norm_name(county)))
    if geoid is None:
        raise UserDataError(_("Row {line}, column {col!r}: no county called {value!r} in {state} in the Census "
                              "boundary file. Check the spelling, or use five-digit FIPS codes instead.").format(
            line=line, col=col, value=county[:60], state=census_states()[0][fips]))
    return geoid


# -- boundaries ---------------------------------------------------------------------------------------
def load_boundaries_geojson(path_or_text, id_property: str):
    """A learner's own boundaries (tracts, ZIP code areas, districts) from GeoJSON, checked.

    The file must be a FeatureCollection whose features are Polygons or
    MultiPolygons in longitude/latitude (WGS 84 or NAD83, as GeoJSON requires),
    each with the property ``id_property`` present and unique. Returns a pandas
    DataFrame with columns ``id`` (text), ``name`` and ``geometry`` (a GeoJSON
    geometry mapping with float coordinates); ``df.attrs["userdata"]`` says where
    it came from. Raises :class:`UserDataError` naming the feature to fix.
    """
    import pandas as pd

    if not isinstance(id_property, str) or not id_property.strip():
        raise UserDataError(_("Say which property holds each area's id, for example id_property='GEOID'."))
    text, source = _read_text(path_or_text, _("boundary file"))
    if not text.strip():
        raise UserDataError(_("{source} is empty. It should hold a GeoJSON FeatureCollection.").format(source=_cap(source)))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            where = _(" (line {line}, column {col})").format(line=exc.lineno, col=exc.colno)
        raise UserDataError(_("{source} is not valid JSON{where}. Export it again as GeoJSON, or check it with a "
                              "GeoJSON validator.").format(source=_cap(source), where=where)) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise UserDataError(_("{source} should be a GeoJSON FeatureCollection, but its type is {kind!r}.").format(
            source=_cap(source), kind=str(kind)[:40]))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise UserDataError(_("{source} has no features: 'features' should be a list of areas.").format(source=_cap(source)))
    ids, names, geoms, first = [], [], [], {}
    for n, feat in enumerate(features, start=1):
        where = _("Feature {n}").format(n=n)
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise UserDataError(_("{where} is not a GeoJSON Feature (it needs \"type\": \"Feature\").").format(where=where))
        props = feat.get("properties")
        props = props if isinstance(props, dict) else {}
        raw = props.get(id_property, feat.get("id") if id_property == "id" else None)
        if isinstance(raw, bool) or not isinstance(raw, (str, int)) or not str(raw).strip():
            raise UserDataError(_("{where} has no {prop!r} property (or it is empty). Every area needs an id there; "
                                  "the properties it has are: {props}.").format(
                where=where, prop=id_property, props=", ".join(map(str, list(props)[:12])) or _("none")))
        pid = str(raw).strip()
        if pid in first:
            raise UserDataError(_("{where} repeats the id {pid!r} of feature {first}. Ids must be unique; merge the "
                                  "two areas or give them different ids.").format(where=where, pid=pid[:60],
                                                                                 first=first[pid]))
        first[pid] = n
        geoms.append(_check_geometry(feat.get("geometry"), _("{where} (id {pid})").format(where=where, pid=pid[:60])))
        name = next((props[k] for k in ("name", "NAME", "Name") if isinstance(props.get(k), str) and props[k].strip()),
                    pid)
        ids.append(pid)
        names.append(name.strip())
    df = pd.DataFrame({"id": ids, "name": names, "geometry": geoms})
    df.attrs["userdata"] = {"level": "custom", "id_property": id_property, "source": source, "rows": len(df)}
    return df


def _check_geometry(geom, where: str) -> dict:
    if not isinstance(geom, dict):
        raise UserDataError(_("{where} has no geometry. Every area needs a Polygon or MultiPolygon.").format(where=where))
    kind = geom.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise UserDataError(_("{where} is a {kind!r}, not an area. Only Polygon and MultiPolygon features can be "
                              "shaded on a map.").format(where=where, kind=str(kind)[:40]))
    coords = geom.get("coordinates")
    polys = [coords] if kind == "Polygon" else coords
    if not isinstance(polys, list) or not polys:
        raise UserDataError(_("{where}: its coordinates are missing or empty.").format(where=where))
    clean = []
    for poly in polys:
        if not isinstance(poly, list) or not poly:
            raise UserDataError(_("{where}: a polygon has no rings of coordinates.").format(where=where))
        rings = []
        for ring in poly:
            if not isinstance(ring, list) or len(ring) < 4:
                raise UserDataError(_("{where}: each ring of a polygon needs at least 4 positions (the first repeated "
                                      "at the end).").format(where=where))
            rings.append([_position(p, where) for p in ring])
        clean.append(rings)
    return {"type": kind, "coordinates": clean[0] if kind == "Polygon" else clean}


def _position(p, where: str) -> list[float]:
    if not isinstance(p, list) or len(p) not in (2, 3) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in p):
        raise UserDataError(_("{where}: a position is {value}; each should be [longitude, latitude] numbers.")
                            .format(where=where, value=json.dumps(p)[:60] if _jsonable(p) else type(p).__name__))
    try:
        lon, lat = float(p[0]), float(p[1])
    except OverflowError:
        lon = lat = math.inf
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise UserDataError(_("{where}: the position [{lon}, {lat}] is outside longitude -180 to 180 and latitude "
                              "-90 to 90. GeoJSON must be in longitude/latitude (WGS 84), longitude first; "
                              "re-project the file (for example from State Plane feet).").format(
            where=where, lon=p[0], lat=p[1]))
    return [lon, lat]


def _jsonable(p) -> bool:
    try:
        json.dumps(p)
        return True
    except (TypeError, ValueError, RecursionError):
        return False
