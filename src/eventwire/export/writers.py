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

PLOVER ``mode`` and ``context`` are lists, in Parquet too; CSV has no lists and keeps them as ";"-joined
text. Every output says what made it (``eventwire.provenance.stamp()``): PLOVER in each record's
``cite_info``, Parquet in the file's key-value metadata, GDELT and CSV files in a sidecar
``FILE.meta.json``. CSV cells that a spreadsheet would run as a formula are neutralised unless
``raw_csv=True``.
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

from eventwire import ontology, provenance
from eventwire.corpus.merge import DATE_PRECISIONS, MENTION_DATE_SQL, MENTION_PRECISION_SQL, ensure_current
from eventwire.store import EventStore

FORMATS = ("gdelt", "plover", "parquet", "csv")
CODER = "eventwire"
SIDECAR_SUFFIX = ".meta.json"

# One row shape for both sources, so the writers need not care whether events were merged.
_MERGED_SQL = """
SELECT m.merged_id AS id, m.*, e.sentence, d.title, d.source AS publication, d.url
FROM merged_events m
LEFT JOIN events_with_evidence e ON e.event_id = m.first_event_id
LEFT JOIN documents d ON d.doc_id = m.first_doc_id
ORDER BY m.event_date NULLS LAST, m.merged_id
"""
_MENTIONS_SQL = f"""
SELECT e.event_id AS id, e.* EXCLUDE (event_date, date_precision), {MENTION_DATE_SQL} AS event_date,
       {MENTION_PRECISION_SQL} AS date_precision, NULL::DATE AS date_end,
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
# PLOVER mode and context are stored as ";"-joined text; Parquet carries them as lists (records.labels()).
LABEL_COLUMNS = ("mode", "context")


def _labels_sql(column: str) -> str:
    # A list comprehension rather than list_filter(..., lambda ...): it works in every DuckDB >= 1.2.
    return f"[x for x in string_split(coalesce({column}, ''), ';') if x <> ''] AS {column}"


def _parquet_sql(merged: bool) -> str:
    lists = ", ".join(_labels_sql(c) for c in LABEL_COLUMNS)
    return _TABLE_SQL[merged].replace("SELECT *", f"SELECT * REPLACE ({lists})", 1)


# A spreadsheet runs a cell that begins with one of these as a formula ("CSV injection"): text taken from
# news articles must not. Such cells get a leading apostrophe, which spreadsheets show as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text starting with =, +, -, @, tab or CR is prefixed
    with an apostrophe; other values (numbers included) are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def neutralise_sql(column: str) -> str:
    """neutralise_cell() as a DuckDB expression over a VARCHAR column (for the COPY path)."""
    col = _quote_identifier(column)
    prefixes = ", ".join(f"chr({ord(p)})" for p in FORMULA_PREFIXES)
    return f"CASE WHEN left({col}, 1) IN ({prefixes}) THEN chr(39) || {col} ELSE {col} END AS {col}"


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

# CAMEO actor codes are 3-character elements: a head (a country, IGO/NGO/IMG/MNC, or --- for unknown), then
# qualifiers. Sectors and roles say what kind of actor it is, regions and religions where or what it is
# affiliated with; what is left is the organisation ("known group"): IGO-BUS-IMF, IMG-MUS-ISI, AFG-INS-TAL.
_GROUP_PREFIXES = ("IGO", "NGO", "IMG", "MNC")
_ROLE_CODES = frozenset({
    "AGR", "BUS", "COP", "CRM", "CVL", "DEV", "EDU", "ELI", "ENV", "GOV", "HLH", "HRI", "IGO", "IMG", "INS",
    "INT", "JRN", "JUD", "LAB", "LEG", "MED", "MIL", "MNC", "MOD", "NGM", "NGO", "OPP", "PRE", "PRM", "PTY",
    "RAD", "REB", "REF", "REL", "SEP", "SET", "SPY", "UAF", "UIS", "UNK",
})
_REGION_CODES = frozenset({
    "AFR", "AMR", "ASA", "ASP", "BLK", "CAF", "CAS", "CAU", "CEU", "CFR", "CRB", "EAF", "EEU", "EIN", "EUR",
    "LAM", "MDT", "MEA", "NAF", "NMR", "PAC", "PGS", "SAF", "SAM", "SAS", "SCN", "SEA", "WAF", "WST",
})
_RELIGION_CODES = frozenset({
    "ADR", "ALE", "ATH", "BAH", "BUD", "CHR", "CON", "CPT", "CTH", "DOX", "HIN", "HSD", "ITR", "JAN", "JEW",
    "JHW", "LDS", "MOS", "MRN", "MUS", "OST", "PRO", "SHI", "SHN", "SIK", "SUN", "TAO", "UDO", "ZRO",
})


def known_group(code: Optional[str]) -> Optional[str]:
    """GDELT's KnownGroupCode: the code of the known organisation an actor code names, else None.

    IGOUNO -> UNO, IGOWSTNAT -> NAT, IGOBUSIMF -> IMF, IMGMUSISI -> ISI, NGOHRIAMN -> AMN,
    IGOWSTNATMIL -> NAT (NATO troops), AFGINSTAL -> TAL (the Taliban), PSEREBHMS -> HMS; PAKGOV -> None.
    """
    if not code or len(code) < 6:
        return None
    head, parts = code[:3], [code[i : i + 3] for i in range(3, len(code) - 2, 3)]
    if head in _GROUP_PREFIXES:
        # IGO<region|religion|sector...><org>[<role>]: the last part that is not a sector or role, unless it
        # is the region or religion qualifier itself (IGOAFR: some African IGO, no known group).
        named = [(i, p) for i, p in enumerate(parts) if p not in _ROLE_CODES]
        if not named:
            return None
        i, group = named[-1]
        return None if i == 0 and group in _REGION_CODES | _RELIGION_CODES else group
    # <country or --->: a group follows a sector (PSEREBHMS, AFGINSTAL); PAKMUS (Pakistani Muslims) is none.
    named = [p for i, p in enumerate(parts) if i > 0 and p not in _ROLE_CODES | _REGION_CODES | _RELIGION_CODES]
    return named[-1] if named else None


def fraction_date(day: dt.date) -> str:
    """GDELT's FractionDate: YYYY.FFFF, FFFF the share of the year gone by, approximated with 30-day months.

    The codebook writes the fraction as (MONTH * 30 + DAY) / 365 and says it ranges from 0 to 0.9999; only
    the month counted from 0 stays in that range (31 December is 0.9890, not 1.0712), and that is what
    GDELT's files hold: 1 January 1979 is 1979.0027, 18 February 2015 is 2015.1315.
    """
    return f"{day.year + ((day.month - 1) * 30 + day.day) / 365:.4f}"


# GDELT's geographic resolution: 0 where an event has no place (GDELT writes 0, not an empty field).
NO_GEOGRAPHY = 0


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
        "FractionDate": fraction_date(day) if day else None,
        "IsRootEvent": int(bool(row["is_root_event"])),
        "EventCode": cameo or None,
        "EventBaseCode": cameo[:3] or None,
        "EventRootCode": cameo[:2] or None,
        "QuadClass": row["quad_class"],
        "GoldsteinScale": row["goldstein"],
        "NumMentions": row["num_mentions"],
        "NumSources": row["num_sources"],
        "NumArticles": row["num_articles"],
        # eventwire does not locate the actors: their geography is "none", as GDELT writes it.
        "Actor1Geo_Type": NO_GEOGRAPHY,
        "Actor2Geo_Type": NO_GEOGRAPHY,
        "ActionGeo_Type": NO_GEOGRAPHY,
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
    for _, values in _gdelt_rows_with_precision(store, merged):
        yield values


def _gdelt_rows_with_precision(store: EventStore, merged: bool) -> Iterator[tuple[Optional[str], list[Any]]]:
    names = gdelt_column_names()
    for row in _rows(store, merged):
        values = _gdelt_values(row)
        yield row["date_precision"], [values.get(name) for name in names]


class _PrecisionTally:
    """What a GDELT file cannot say in a column: how precise each row's date is (for the sidecar)."""

    def __init__(self) -> None:
        self.rows = {p: 0 for p in (*DATE_PRECISIONS, "unknown")}
        self.coarse: dict[str, list[int]] = {p: [] for p in DATE_PRECISIONS[1:]}

    def add(self, precision: Optional[str], event_id: Optional[int], dated: bool) -> None:
        if not dated:
            return
        key = precision if precision in self.rows else "unknown"
        self.rows[key] += 1
        if key in self.coarse and event_id is not None:
            self.coarse[key].append(event_id)

    def describe(self) -> dict[str, Any]:
        return {
            "note": ("GDELT has no column for it. SQLDATE is the first day of the period the text names: the "
                     "day itself, the Monday of a week, the 1st of a month or 1 January of a year. Rows whose "
                     "date is only known to the week, month or year are listed by GLOBALEVENTID."),
            "rows": self.rows,
            "not_day_precise": self.coarse,
        }


def write_gdelt(store: EventStore, out: TextIO, merged: bool = True, header: bool = False,
                tally: Optional[_PrecisionTally] = None) -> int:
    if header:
        out.write("\t".join(gdelt_column_names()) + "\n")
    n = 0
    for precision, values in _gdelt_rows_with_precision(store, merged):
        out.write("\t".join(_tsv_field(v) for v in values) + "\n")
        if tally is not None:
            tally.add(precision, values[0], values[1] is not None)
        n += 1
    return n


# -- PLOVER -----------------------------------------------------------------------------------------

def _entity(row: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    code = row[f"{prefix}_code"]
    if code is None and row[f"{prefix}_text"] is None:
        return []
    return [{
        "code": ontology.plover_country(code, row[f"{prefix}_country"]),
        "sector": row[f"{prefix}_sector"],
        "entity_text": row[f"{prefix}_text"],
        "cameo_code": code,
    }]


def plover_record(row: dict[str, Any], stamp: Optional[dict[str, Any]] = None) -> dict[str, Any]:
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
        "date_precision": row.get("date_precision") if day else None,
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
        "cite_info": {"url": row["url"], "title": row["title"], "publication": row["publication"],
                      **(stamp if stamp is not None else provenance.stamp())},
        "coder": CODER,
        "coded_date": row["first_seen"].date().isoformat() if row["first_seen"] else None,
    }
    if row.get("merge_agreement") is not None:
        record["merge_agreement"] = row["merge_agreement"]
    if end and end != day:
        record["enddate"] = end.isoformat()
    return record


def plover_records(store: EventStore, merged: bool = True) -> Iterator[dict[str, Any]]:
    """PLOVER records; events whose CAMEO code has no PLOVER type (root 01) are left out."""
    stamp = provenance.stamp()
    for row in _rows(store, merged):
        if row["plover"]:
            yield plover_record(row, stamp)


def write_plover(store: EventStore, out: TextIO, merged: bool = True) -> int:
    n = 0
    for record in plover_records(store, merged):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


# -- Parquet / CSV ----------------------------------------------------------------------------------

def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_sql(store: EventStore, merged: bool, raw: bool) -> str:
    """The CSV relation: text columns neutralised (unless raw), so COPY writes what write_csv() writes."""
    sql = _TABLE_SQL[merged]
    if raw:
        return sql
    described = store.con.execute(f"DESCRIBE {sql}").fetchall()  # (name, type, ...)
    columns = [neutralise_sql(name) if kind == "VARCHAR" else _quote_identifier(name) for name, kind, *_ in described]
    return f"SELECT {', '.join(columns)} FROM ({sql})"


def write_table(store: EventStore, path: Union[str, Path], fmt: str, merged: bool = True, *,
                raw_csv: bool = False) -> int:
    """merged_events (or events_with_evidence) to a Parquet or CSV file with DuckDB COPY.

    Parquet: mode and context as lists, the provenance stamp as key-value metadata. CSV: mode and context as
    ";"-joined text, cells neutralised unless raw_csv.
    """
    if fmt == "parquet":
        metadata = ", ".join(f"{key}: {_sql_string(str(value))}" for key, value in provenance.stamp().items())
        sql, options = _parquet_sql(merged), f"FORMAT parquet, KV_METADATA {{{metadata}}}"
    elif fmt == "csv":
        sql, options = _csv_sql(store, merged, raw_csv), "FORMAT csv, HEADER"
    else:
        raise ValueError(f"write_table writes parquet or csv, not {fmt!r}")
    written = store.con.execute(f"COPY ({sql}) TO {_sql_string(str(path))} ({options})").fetchall()
    return written[0][0] if written else 0  # COPY answers with the number of rows written


def write_csv(store: EventStore, out: TextIO, merged: bool = True, *, raw_csv: bool = False) -> int:
    """CSV to a text stream (stdout), for when there is no file to COPY to."""
    cursor = store.con.cursor()
    cursor.execute(_TABLE_SQL[merged])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c[0] for c in cursor.description])
    n = 0
    while chunk := cursor.fetchmany(5000):
        writer.writerows([_csv_cell(v, raw_csv) for v in row] for row in chunk)
        n += len(chunk)
    return n


def _csv_cell(value: Any, raw: bool) -> Any:
    # Written as DuckDB's COPY writes them, so that a file and stdout agree.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):  # COPY drops trailing zeros of the fraction: 12:00:01.5, 12:00:01
        text = value.isoformat(sep=" ")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value if raw else neutralise_cell(value)


# -- sidecars ---------------------------------------------------------------------------------------

def sidecar_path(path: Union[str, Path]) -> Path:
    """Where the description of an exported file goes: events.tsv -> events.tsv.meta.json."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _write_sidecar(path: Union[str, Path], fmt: str, merged: bool, rows: int, **extra: Any) -> Path:
    meta = {
        **provenance.stamp(),
        "file": Path(path).name,
        "format": fmt,
        "records": "merged events (merged_events)" if merged else "raw mentions (events)",
        "rows": rows,
        "exported_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        **extra,
    }
    target = sidecar_path(path)
    target.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def _csv_sidecar(store: EventStore, path: Union[str, Path], merged: bool, rows: int, raw_csv: bool) -> Path:
    columns = [c[0] for c in store.con.execute(f"DESCRIBE {_TABLE_SQL[merged]}").fetchall()]
    return _write_sidecar(
        path, "csv", merged, rows, columns=columns,
        lists={c: "';'-joined text (CSV has no lists; Parquet and PLOVER carry lists)" for c in LABEL_COLUMNS},
        cells_neutralised=not raw_csv,
        neutralised=("text cells starting with =, +, -, @, tab or CR have a leading apostrophe (' ) so that "
                     "spreadsheets show them as text; export with --raw-csv to turn this off"),
    )


def export(store: EventStore, fmt: str, output: Union[str, Path, TextIO, None] = None, *,
           merged: bool = True, header: bool = False, raw_csv: bool = False) -> int:
    """Write the store's events in `fmt` to a path or text stream (default stdout); returns the row count.

    With merged=True, merged_events is brought up to date first; a store opened read-only cannot be, and
    a stale one raises StoreError (run `eventwire merge`). GDELT and CSV files get a sidecar
    FILE.meta.json (provenance stamp, row count; for GDELT the date precision of the rows).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "parquet" and not isinstance(output, (str, Path)):
        raise ValueError("Parquet is binary: give a file to write it to")
    if merged:
        ensure_current(store)
    if fmt == "parquet":
        return write_table(store, output, fmt, merged)
    if fmt == "csv" and isinstance(output, (str, Path)):
        n = write_table(store, output, fmt, merged, raw_csv=raw_csv)
        _csv_sidecar(store, output, merged, n, raw_csv)
        return n
    if isinstance(output, (str, Path)):
        tally = _PrecisionTally() if fmt == "gdelt" else None
        with open(output, "w", encoding="utf-8", newline="") as stream:
            n = (write_gdelt(store, stream, merged, header, tally) if fmt == "gdelt"
                 else write_plover(store, stream, merged))
        if tally is not None:
            _write_sidecar(output, fmt, merged, n, columns=gdelt_column_names(), header=header,
                           date_precision=tally.describe())
        return n
    stream = output if output is not None else sys.stdout
    if fmt == "gdelt":
        return write_gdelt(store, stream, merged, header)
    if fmt == "plover":
        return write_plover(store, stream, merged)
    return write_csv(store, stream, merged, raw_csv=raw_csv)
