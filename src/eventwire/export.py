"""Exports of merged events (default) or raw mentions: GDELT 2.0, PLOVER JSONL, Parquet, CSV.

- ``gdelt``: the 61 columns of the GDELT 2.0 event table, tab-separated, in GDELT's order (the names and
  what fills each are in data/gdelt_columns.tsv). Like GDELT's own files there is no header row unless
  ``header=True``; load with ``pandas.read_csv(path, sep="\\t", header=None, names=gdelt_column_names())``.
- ``plover``: one PLOVER JSON record per line (the manual's field names: id, date, actor, recipient,
  event, mode, context, event_loc, event_text, quad_code, event_scale, cite_info ...).
- ``parquet`` and ``csv``: the ``merged_events`` table, or the ``events_with_evidence`` view for
  mentions, as they are (DuckDB ``COPY``), for pandas, polars, R ...

GDELT and PLOVER rows are events that happened: with ``merged=False`` they leave out negated and
hypothetical mentions (``merged_events`` never holds them). Parquet and CSV of mentions keep everything,
with the ``negated`` and ``hypothetical`` columns.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Iterator, Optional, TextIO, Union

from . import ontology
from .store import EventStore

FORMATS = ("gdelt", "plover", "parquet", "csv")
CODER = "eventwire"

# One row shape for both sources, so the writers need not care whether events were merged.
_MERGED_SQL = """
SELECT m.merged_id AS id, m.*, e.sentence, d.title, d.source AS publication, d.url
FROM merged_events m
LEFT JOIN events_with_evidence e ON e.event_id = m.first_event_id
LEFT JOIN documents d ON d.doc_id = m.first_doc_id
ORDER BY m.event_date NULLS LAST, m.merged_id
"""
_MENTIONS_SQL = """
SELECT e.event_id AS id, e.* EXCLUDE (event_date), coalesce(e.event_date, d.pub_date) AS event_date, NULL::DATE AS date_end,
       1 AS num_mentions, 1 AS num_articles, 1 AS num_sources, 1 AS num_reports,
       e.sentence_index <= 1 AS is_root_event, d.coded_at AS first_seen,
       coalesce(d.url, d.origin) AS source_url, d.title, d.source AS publication, d.url
FROM events_with_evidence e JOIN documents d USING (doc_id)
WHERE NOT coalesce(e.negated, false) AND NOT coalesce(e.hypothetical, false)
ORDER BY event_date NULLS LAST, e.doc_id, e.sentence_index, e.event_id
"""
# Parquet/CSV: the stored relation as it is.
_TABLE_SQL = {
    True: "SELECT * FROM merged_events ORDER BY event_date NULLS LAST, merged_id",
    False: "SELECT * FROM events_with_evidence ORDER BY doc_id, sentence_index, trigger_start NULLS LAST, event_id",
}


# A spreadsheet runs a cell that begins with one of these as a formula ("CSV injection"): text taken from
# news articles must not. Such cells get a leading apostrophe, which spreadsheets show as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text starting with =, +, -, @, tab or CR is prefixed
    with an apostrophe; other values (numbers included) are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _read_tsv(name: str) -> list[dict[str, str]]:
    text = files("eventwire.data").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


@lru_cache(maxsize=None)
def gdelt_columns() -> tuple[tuple[str, str], ...]:
    """((name, GDELT type), ...) for the 61 columns of the GDELT 2.0 event table, in order."""
    return tuple((r["name"], r["type"]) for r in _read_tsv("gdelt_columns.tsv"))


def gdelt_column_names() -> list[str]:
    return [name for name, _ in gdelt_columns()]


@lru_cache(maxsize=None)
def _countries() -> dict[str, tuple[str, str]]:
    """ISO3 -> (FIPS 10-4 code, English name)."""
    return {r["iso3"]: (r["fips"], r["name"]) for r in _read_tsv("fips_countries.tsv")}


def _rows(store: EventStore, merged: bool) -> Iterator[dict[str, Any]]:
    cursor = store.con.cursor()  # its own cursor: writers may stream while other queries run
    cursor.execute(_MERGED_SQL if merged else _MENTIONS_SQL)
    names = [c[0] for c in cursor.description]
    while True:
        chunk = cursor.fetchmany(5000)
        if not chunk:
            break
        for values in chunk:
            yield dict(zip(names, values))


# -- GDELT ------------------------------------------------------------------------------------------

_GROUP_PREFIXES = ("IGO", "NGO", "IMG", "MNC")
_REGION_CODES = {"AFR", "ASA", "BLK", "CAS", "CAU", "CFR", "EAF", "EEU", "EUR", "LAM", "MDE", "MEA", "NAF",
                 "NMR", "PGS", "SAF", "SAM", "SAS", "SEA", "WAF", "WST", "CRB", "SCN", "BAL", "NAM", "ARB"}


def known_group(code: Optional[str]) -> Optional[str]:
    """GDELT's KnownGroupCode: the organisation part of an IGO/NGO/... actor code (IGOWSTNAT -> NAT)."""
    if not code or not code.startswith(_GROUP_PREFIXES):
        return None
    parts = [code[i : i + 3] for i in range(3, len(code) - 2, 3)]
    return next((p for p in parts if p not in _REGION_CODES), None)


def _geo_type(precision: Optional[str], country: Optional[str]) -> Optional[int]:
    us = country == "USA"
    return {"country": 1, "admin1": 2 if us else 5, "city": 3 if us else 4}.get(precision or "")


def _gdelt_values(row: dict[str, Any]) -> dict[str, Any]:
    day: Optional[dt.date] = row["event_date"]
    cameo = row["cameo"] or ""
    country = row["location_country"]
    fips, country_name = _countries().get(country or "", (None, None))
    has_place = row["location_name"] is not None or country is not None
    if has_place:
        if row["location_precision"] == "country":
            full_name = country_name or row["location_name"]
        else:
            parts = [row["location_name"], row["location_admin1"], country_name]
            full_name = ", ".join(dict.fromkeys(p for p in parts if p))
    values = {
        "GLOBALEVENTID": int(row["id"][:15], 16) if row["id"] else None,
        "SQLDATE": int(day.strftime("%Y%m%d")) if day else None,
        "MonthYear": int(day.strftime("%Y%m")) if day else None,
        "Year": day.year if day else None,
        "FractionDate": f"{day.year + day.timetuple().tm_yday / 365:.4f}" if day else None,
        "IsRootEvent": int(bool(row["is_root_event"])),
        "EventCode": cameo or None,
        "EventBaseCode": cameo[:3] or None,
        "EventRootCode": cameo[:2] or None,
        "QuadClass": row["quad_class"],
        "GoldsteinScale": row["goldstein"],
        "NumMentions": row["num_mentions"],
        "NumSources": row["num_sources"],
        "NumArticles": row["num_articles"],
        "DATEADDED": int(row["first_seen"].strftime("%Y%m%d%H%M%S")) if row["first_seen"] else None,
        "SOURCEURL": row["source_url"],
    }
    for n, prefix in ((1, "source"), (2, "target")):
        code = row[f"{prefix}_code"]
        text = row[f"{prefix}_text"]
        values[f"Actor{n}Code"] = code
        values[f"Actor{n}Name"] = text.upper() if text else None
        values[f"Actor{n}CountryCode"] = row[f"{prefix}_country"]
        values[f"Actor{n}KnownGroupCode"] = known_group(code)
        values[f"Actor{n}Type1Code"] = row[f"{prefix}_sector"]
    if has_place:
        feature = row["location_geonames_id"] if row["location_precision"] in ("city", "admin1") else None
        values.update({
            "ActionGeo_Type": _geo_type(row["location_precision"], country) or 1,
            "ActionGeo_FullName": full_name,
            "ActionGeo_CountryCode": fips,
            "ActionGeo_ADM1Code": fips,
            "ActionGeo_Lat": row["location_lat"],
            "ActionGeo_Long": row["location_lon"],
            "ActionGeo_FeatureID": feature if feature is not None else fips,
        })
    return values


def _tsv_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # -2.0 -> "-2", 34.1234567 -> "34.123457": short, and ~0.1 m for coordinates
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def gdelt_rows(store: EventStore, merged: bool = True) -> Iterator[list[Any]]:
    """Each event as the 61 GDELT values, in GDELT's column order (None where eventwire has nothing)."""
    names = gdelt_column_names()
    for row in _rows(store, merged):
        values = _gdelt_values(row)
        yield [values.get(name) for name in names]


def write_gdelt(store: EventStore, out: TextIO, merged: bool = True, header: bool = False) -> int:
    if header:
        out.write("\t".join(gdelt_column_names()) + "\n")
    n = 0
    for values in gdelt_rows(store, merged):
        out.write("\t".join(_tsv_field(v) for v in values) + "\n")
        n += 1
    return n


# -- PLOVER -----------------------------------------------------------------------------------------

def _entity(row: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    code = row[f"{prefix}_code"]
    if code is None and row[f"{prefix}_text"] is None:
        return []
    return [{
        "code": row[f"{prefix}_country"] or (code[:3] if code else None),
        "sector": row[f"{prefix}_sector"],
        "entity_text": row[f"{prefix}_text"],
        "cameo_code": code,
    }]


def plover_record(row: dict[str, Any]) -> dict[str, Any]:
    plover, mode = row["plover"], row["mode"] or ""
    day, end = row["event_date"], row["date_end"]
    location = None
    if row["location_name"] is not None or row["location_country"] is not None:
        location = {
            "extracted_place": row["location_name"],
            "geonameid": row["location_geonames_id"],
            "lat": row["location_lat"],
            "lon": row["location_lon"],
            "province": row["location_admin1"],
            "country_code": row["location_country"],
            "resolution": {"country": 1, "admin1": 2, "city": 4}.get(row["location_precision"] or ""),
        }
    record = {
        "id": row["id"],
        "date": day.isoformat() if day else None,
        "actor": _entity(row, "source"),
        "recipient": _entity(row, "target"),
        "event": [plover],
        "event_type": plover,
        "mode": [mode] if mode else [],
        "context": [c for c in (row["context"] or "").split(";") if c],
        "quad_code": ontology.plover_quad_class(plover),
        "event_scale": ontology.plover_score(plover, mode),
        "event_loc": location,
        "event_text": [row["sentence"]] if row["sentence"] else [],
        "cameo": row["cameo"],
        "goldstein": row["goldstein"],
        "confidence": row.get("confidence"),
        "num_mentions": row["num_mentions"],
        "num_sources": row["num_sources"],
        "num_articles": row["num_articles"],
        "cite_info": {"url": row["url"], "title": row["title"], "publication": row["publication"]},
        "coder": CODER,
        "coded_date": row["first_seen"].date().isoformat() if row["first_seen"] else None,
    }
    if end and end != day:
        record["enddate"] = end.isoformat()
    return record


def plover_records(store: EventStore, merged: bool = True) -> Iterator[dict[str, Any]]:
    """PLOVER records; events whose CAMEO code has no PLOVER type (root 01) are left out."""
    for row in _rows(store, merged):
        if row["plover"]:
            yield plover_record(row)


def write_plover(store: EventStore, out: TextIO, merged: bool = True) -> int:
    n = 0
    for record in plover_records(store, merged):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


# -- Parquet / CSV ----------------------------------------------------------------------------------

def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_table(store: EventStore, path: Union[str, Path], fmt: str, merged: bool = True) -> int:
    """merged_events (or events_with_evidence) to a Parquet or CSV file with DuckDB COPY."""
    options = {"parquet": "FORMAT parquet", "csv": "FORMAT csv, HEADER"}[fmt]
    written = store.con.execute(f"COPY ({_TABLE_SQL[merged]}) TO {_sql_string(str(path))} ({options})").fetchall()
    return written[0][0] if written else 0  # COPY answers with the number of rows written


def write_csv(store: EventStore, out: TextIO, merged: bool = True) -> int:
    """CSV to a text stream (stdout), for when there is no file to COPY to."""
    cursor = store.con.cursor()
    cursor.execute(_TABLE_SQL[merged])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c[0] for c in cursor.description])
    n = 0
    while chunk := cursor.fetchmany(5000):
        writer.writerows(chunk)
        n += len(chunk)
    return n


def export(store: EventStore, fmt: str, output: Union[str, Path, TextIO, None] = None, *,
           merged: bool = True, header: bool = False) -> int:
    """Write the store's events in `fmt` to a path or text stream (default stdout); returns the row count.

    With merged=True, merged_events is brought up to date first.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if merged:
        store.ensure_merged()
    if fmt == "parquet" or (fmt == "csv" and isinstance(output, (str, Path))):
        if not isinstance(output, (str, Path)):
            raise ValueError("Parquet is binary: give a file to write it to")
        return write_table(store, output, fmt, merged)
    if isinstance(output, (str, Path)):
        with open(output, "w", encoding="utf-8", newline="") as stream:
            return export(store, fmt, stream, merged=merged, header=header)
    stream = output if output is not None else sys.stdout
    if fmt == "gdelt":
        return write_gdelt(store, stream, merged, header)
    if fmt == "plover":
        return write_plover(store, stream, merged)
    return write_csv(store, stream, merged)
