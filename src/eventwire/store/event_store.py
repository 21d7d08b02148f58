"""An embedded DuckDB store for coded documents and events.

The tables are plain SQL that a user can open and query directly (``duckdb eventwire.duckdb``):

- ``documents``  one row per coded document (with its content hash, to skip unchanged inputs)
- ``sentences``  the document's sentences; event spans are offsets into ``sentences.text``
- ``events``     one flat row per coded event (actors, date and location spread into columns)
- ``skipped``    inputs that could not be coded, and why (``skipped_at``: UTC time)
- ``events_with_evidence``  a view: events joined to their sentence, with the span texts cut out
- ``meta``       key/value pairs, including ``schema_version`` and ``coding_options`` (`coding_options()`)
- ``document_clusters``  near-duplicate articles (wire copies, updated versions); ``document_minhash`` and
  ``document_bands`` hold the MinHash/LSH index behind it (eventwire.corpus.dedupe)
- ``merged_events``  event records merged from the raw mentions in ``events``; ``event_mentions`` links
  each to every mention (eventwire.corpus.merge). Rebuilt by ``EventStore.merge_events()``

Re-coding a document replaces its sentences and events in one transaction, so a store never holds
duplicates. ``EventStore.events()`` reads rows back in the ``Event.to_dict()`` shape.
docs/data-model.md describes every table.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

import duckdb

from eventwire.corpus import dedupe, merge
from eventwire.records import Actor, Document, Event, Skipped, labels

# 2: document_minhash, document_bands, document_clusters, merged_events, event_mentions (new tables only,
# so a version-1 store is upgraded in place by creating them).
# 3: events.confidence (added in place to older stores).
SCHEMA_VERSION = 3

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS documents (
        doc_id VARCHAR PRIMARY KEY,
        title VARCHAR,
        text VARCHAR,
        pub_date DATE,
        source VARCHAR,
        url VARCHAR,
        origin VARCHAR,
        content_hash VARCHAR,
        n_sentences INTEGER,
        coded_at TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS sentences (
        doc_id VARCHAR,
        sentence_index INTEGER,
        start_char INTEGER,
        end_char INTEGER,
        text VARCHAR,
        PRIMARY KEY (doc_id, sentence_index)
    )""",
    """CREATE TABLE IF NOT EXISTS events (
        event_id VARCHAR PRIMARY KEY,
        doc_id VARCHAR,
        sentence_index INTEGER,
        cameo VARCHAR,
        cameo_root VARCHAR,
        trigger VARCHAR,
        plover VARCHAR,
        mode VARCHAR,
        context VARCHAR,
        goldstein DOUBLE,
        quad_class INTEGER,
        source_text VARCHAR,
        source_code VARCHAR,
        source_country VARCHAR,
        source_sector VARCHAR,
        target_text VARCHAR,
        target_code VARCHAR,
        target_country VARCHAR,
        target_sector VARCHAR,
        negated BOOLEAN,
        hypothetical BOOLEAN,
        attributed_to_text VARCHAR,
        attributed_to_code VARCHAR,
        attributed_to_country VARCHAR,
        attributed_to_sector VARCHAR,
        event_date DATE,
        date_precision VARCHAR,
        date_source VARCHAR,
        location_name VARCHAR,
        location_country VARCHAR,
        location_admin1 VARCHAR,
        location_lat DOUBLE,
        location_lon DOUBLE,
        location_geonames_id BIGINT,
        location_precision VARCHAR,
        location_rule VARCHAR,
        source_start INTEGER,
        source_end INTEGER,
        target_start INTEGER,
        target_end INTEGER,
        trigger_start INTEGER,
        trigger_end INTEGER,
        rule VARCHAR,
        confidence DOUBLE  -- the candidate scorer's probability that the event is right (NULL: no scorer)
    )""",
    # Stores of schema version 2 and older predate the scorer.
    "ALTER TABLE events ADD COLUMN IF NOT EXISTS confidence DOUBLE",
    """CREATE TABLE IF NOT EXISTS skipped (
        origin VARCHAR,
        doc_id VARCHAR,
        reason VARCHAR,
        skipped_at TIMESTAMP  -- not "at": a reserved word in DuckDB
    )""",
    # Span columns are 0-based [start, end) Python offsets; DuckDB substr() is 1-based.
    """CREATE OR REPLACE VIEW events_with_evidence AS
    SELECT
        e.*,
        s.text AS sentence,
        substr(s.text, e.source_start + 1, e.source_end - e.source_start) AS source_evidence,
        substr(s.text, e.target_start + 1, e.target_end - e.target_start) AS target_evidence,
        substr(s.text, e.trigger_start + 1, e.trigger_end - e.trigger_start) AS trigger_evidence
    FROM events e
    LEFT JOIN sentences s USING (doc_id, sentence_index)""",
    *dedupe.DEDUPE_SCHEMA,
    *merge.MERGE_SCHEMA,
]

# Column order used by the INSERT; keep in step with _event_row().
_EVENT_COLUMNS = (
    "event_id", "doc_id", "sentence_index", "cameo", "cameo_root", "trigger", "plover", "mode",
    "context", "goldstein", "quad_class",
    "source_text", "source_code", "source_country", "source_sector",
    "target_text", "target_code", "target_country", "target_sector",
    "negated", "hypothetical",
    "attributed_to_text", "attributed_to_code", "attributed_to_country", "attributed_to_sector",
    "event_date", "date_precision", "date_source",
    "location_name", "location_country", "location_admin1", "location_lat", "location_lon",
    "location_geonames_id", "location_precision", "location_rule",
    "source_start", "source_end", "target_start", "target_end", "trigger_start", "trigger_end",
    "rule", "confidence",
)

_SENTENCE_COLUMNS = ("doc_id", "sentence_index", "start_char", "end_char", "text")
_DOCUMENT_COLUMNS = (
    "doc_id", "title", "text", "pub_date", "source", "url", "origin", "content_hash", "n_sentences", "coded_at",
)

# Filters accepted by EventStore.events(); each maps to an equality test on one column.
EVENT_FILTERS = ("doc_id", "cameo_root", "source_country", "target_country")

# Relations to_pandas()/to_polars() may read; a fixed list because a table name can't be a parameter.
TABLES = (
    "documents", "sentences", "events", "skipped", "events_with_evidence", "meta",
    "document_clusters", "merged_events", "event_mentions",
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # TIMESTAMP columns hold naive UTC


def _span(span: Optional[Sequence[int]]) -> tuple[Optional[int], Optional[int]]:
    return (span[0], span[1]) if span else (None, None)


def _actor_columns(actor: Optional[Actor]) -> tuple:
    if actor is None:
        return (None, None, None, None)
    return (actor.text, actor.code, actor.country, actor.sector)


def _event_row(ev: Event) -> tuple:
    loc = ev.location
    location = (
        (loc.name, loc.country, loc.admin1, loc.lat, loc.lon, loc.geonames_id, loc.precision, loc.rule)
        if loc is not None
        else (None,) * 8
    )
    return (
        ev.event_id, ev.doc_id, ev.sentence_index, ev.cameo, ev.cameo[:2], ev.trigger, ev.plover,
        ev.mode, ev.context, ev.goldstein, ev.quad_class,
        *_actor_columns(ev.source),
        *_actor_columns(ev.target),
        ev.negated, ev.hypothetical,
        *_actor_columns(ev.attributed_to),
        ev.date, ev.date_precision, ev.date_source,
        *location,
        *_span(ev.source.span), *_span(ev.target.span if ev.target else None), *_span(ev.trigger_span),
        ev.rule, ev.confidence,
    )


def _actor_dict(row: dict[str, Any], prefix: str) -> Optional[dict[str, Any]]:
    if row[f"{prefix}_text"] is None and row[f"{prefix}_code"] is None:
        return None
    return {k: row[f"{prefix}_{k}"] for k in ("text", "code", "country", "sector")}


def _span_list(row: dict[str, Any], prefix: str) -> Optional[list[int]]:
    start, end = row[f"{prefix}_start"], row[f"{prefix}_end"]
    return None if start is None else [start, end]


def event_dict(row: dict[str, Any]) -> dict[str, Any]:
    """One events_with_evidence row in the Event.to_dict() shape."""
    location = None
    if row["location_name"] is not None:
        location = {
            k: row[f"location_{k}"]
            for k in ("name", "country", "admin1", "lat", "lon", "geonames_id", "precision", "rule")
        }
    return {
        "event_id": row["event_id"],
        "doc_id": row["doc_id"],
        "sentence_index": row["sentence_index"],
        "sentence": row["sentence"],
        "source": _actor_dict(row, "source"),
        "target": _actor_dict(row, "target"),
        "cameo": row["cameo"],
        "cameo_root": row["cameo_root"],
        "trigger": row["trigger"],
        "plover": row["plover"],
        "mode": labels(row["mode"]),
        "context": labels(row["context"]),
        "goldstein": row["goldstein"],
        "quad_class": row["quad_class"],
        "negated": row["negated"],
        "hypothetical": row["hypothetical"],
        "confidence": row.get("confidence"),
        "attributed_to": _actor_dict(row, "attributed_to"),
        "date": row["event_date"].isoformat() if row["event_date"] else None,
        "date_precision": row["date_precision"],
        "date_source": row["date_source"],
        "location": location,
        "evidence": {
            "source_span": _span_list(row, "source"),
            "target_span": _span_list(row, "target"),
            "trigger_span": _span_list(row, "trigger"),
            "rule": row["rule"],
        },
    }


def _first(cursor: duckdb.DuckDBPyConnection) -> Optional[tuple]:
    """The first row of a result, reading it to the end: DuckDB 2 refuses relation queries on a
    connection whose last result was only partly fetched (fetchone())."""
    rows = cursor.fetchall()
    return rows[0] if rows else None


def _insert_many(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    """One INSERT for all rows: each column goes in as one typed list that DuckDB unnests (about three
    times faster than a parameterised multi-row VALUES, and ten times executemany())."""
    if not rows:
        return
    types = _column_types(con, table)
    selects = ", ".join(f"unnest(?::{types[c]}[])" for c in columns)
    con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selects}",
                [list(values) for values in zip(*rows)])


_TYPES: dict[str, dict[str, str]] = {}  # table -> column -> SQL type (the schema is this module's, fixed)


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    if table not in _TYPES:
        rows = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
                           [table]).fetchall()
        _TYPES[table] = {name: kind for name, kind in rows}
    return _TYPES[table]


def _sentence_rows(doc_id: str, sentences: list[tuple[int, int, str]], events: Iterable[Event]) -> list[tuple]:
    """Rows for the sentences table; events whose sentence is missing from `sentences` add it."""
    by_index = {i: (start, end, text) for i, (start, end, text) in enumerate(sentences)}
    for ev in events:
        known = by_index.get(ev.sentence_index)
        if known is None:
            start = ev.sentence_start
            by_index[ev.sentence_index] = (start, start + len(ev.sentence), ev.sentence)
        elif known[2] != ev.sentence:
            # Spans are offsets into the stored sentence, so a mismatch would corrupt the evidence.
            raise ValueError(
                f"event {ev.event_id} in {doc_id!r}: its sentence text differs from sentence "
                f"{ev.sentence_index} passed to save_document"
            )
    return [(doc_id, i, start, end, text) for i, (start, end, text) in sorted(by_index.items())]


def _event_where(*, min_confidence: Optional[float] = None, start: Optional[dt.date] = None,
                 end: Optional[dt.date] = None, dyad: Optional[tuple[str, str]] = None, both_directions: bool = False,
                 country: Optional[str] = None, cameo: Optional[str] = None, **filters: Any) -> tuple[str, list]:
    """The WHERE clause and parameters for EventStore.events()/count_events() filters."""
    unknown = set(filters) - set(EVENT_FILTERS)
    if unknown:
        raise TypeError(f"unknown event filter(s) {sorted(unknown)}; use {', '.join(EVENT_FILTERS)}, "
                        "min_confidence, start, end, dyad, both_directions, country, cameo, limit")
    clauses: list[str] = []
    params: list[Any] = []

    def add(sql: str, *values: Any) -> None:
        clauses.append(sql)
        params.extend(values)

    if min_confidence is not None:
        add("(confidence IS NULL OR confidence >= ?)", float(min_confidence))
    for name in EVENT_FILTERS:  # column names come from the fixed list, values are parameters
        if filters.get(name) is not None:
            add(f"{name} = ?", filters[name])
    if start is not None:
        add("event_date >= ?", start)
    if end is not None:
        add("event_date <= ?", end)
    if country is not None:
        add("(source_country = ? OR target_country = ?)", country, country)
    if cameo is not None:
        add("starts_with(cameo, ?)", cameo)
    if dyad is not None:
        one_way = "(starts_with(coalesce(source_code, ''), ?) AND starts_with(coalesce(target_code, ''), ?))"
        if both_directions:
            add(f"({one_way} OR {one_way})", dyad[0], dyad[1], dyad[1], dyad[0])
        else:
            add(one_way, dyad[0], dyad[1])
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


class StoreError(RuntimeError):
    """The store cannot be opened as asked: missing, or locked by another process. The message is one
    line a command can print as it is."""


class StoreLockedError(StoreError):
    pass


def _lock_holder(message: str) -> str:
    m = re.search(r"held in (.+?) \(PID (\d+)\)", message)
    return f"process {m.group(2)} ({Path(m.group(1)).name})" if m else "another process"


class EventStore:
    """DuckDB-backed store. Use as a context manager, or call close() when done.

    ``read_only``: open an existing store for reading only (several readers may share it); the schema
    is neither created nor upgraded. DuckDB lets one process write a file and no other process open it
    meanwhile: opening a store another process writes (`eventwire code`, `eventwire serve`) raises
    `StoreLockedError` with a one-line message."""

    def __init__(self, path: str | Path = "eventwire.duckdb", *, read_only: bool = False):
        self.path = str(path)
        self.read_only = read_only
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(f"No store at {self.path}. Run `eventwire code INPUT --db {self.path}` first.")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"{self.path} is in use by {_lock_holder(str(exc))} (e.g. eventwire code or serve); "
                    "wait for it to finish or stop it, then try again.") from None
            raise
        if not read_only:
            self._create_schema()

    # -- lifecycle -------------------------------------------------------------------------------

    def _create_schema(self) -> None:
        for statement in _SCHEMA:
            self.con.execute(statement)
        row = _first(self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'"))
        if row is None:
            self.con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        elif int(row[0]) > SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path} has schema version {row[0]}; this eventwire supports up to {SCHEMA_VERSION}"
            )
        elif int(row[0]) < SCHEMA_VERSION:  # the statements above created the newer tables
            self.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "EventStore":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- how the store was coded ---------------------------------------------------------------

    def coding_options(self) -> Optional[dict[str, Any]]:
        """The options of the last `eventwire code` run into this store (min_confidence, threshold,
        include_negated, prefilter, version, data_hash), or None for a store coded before they were kept."""
        row = _first(self.con.execute("SELECT value FROM meta WHERE key = 'coding_options'"))
        return json.loads(row[0]) if row else None

    def record_coding_options(self, options: dict[str, Any]) -> None:
        """Keep ``options`` as the store's coding options (`coding_options`), replacing earlier ones."""
        self.con.execute("INSERT OR REPLACE INTO meta VALUES ('coding_options', ?)",
                         [json.dumps(options, sort_keys=True)])

    # -- writing ---------------------------------------------------------------------------------

    def save_document(self, doc: Document, sentences: list[tuple[int, int, str]], events: list[Event],
                      *, then: Optional[Callable[[], Any]] = None) -> None:
        """Store a coded document: `sentences` are (start_char, end_char, text), indexed by position.

        Replaces whatever was stored for doc.id before, all in one transaction. ``then`` runs inside that
        transaction after the rows are written (e.g. learning the document's people into the actor
        memory), so a run killed at any moment leaves both or neither.
        """
        for ev in events:
            if ev.doc_id != doc.id:
                raise ValueError(f"event {ev.event_id} belongs to {ev.doc_id!r}, not {doc.id!r}")
        # The same mention coded twice has the same event_id; keep the first.
        first_by_id: dict[str, Event] = {}
        for ev in events:
            first_by_id.setdefault(ev.event_id, ev)
        unique_events = list(first_by_id.values())
        sentence_rows = _sentence_rows(doc.id, sentences, unique_events)
        document_row = (
            doc.id, doc.title, doc.text, doc.date, doc.source, doc.url, doc.origin,
            doc.content_hash, len(sentence_rows), _now(),
        )
        event_rows = [_event_row(ev) for ev in unique_events]
        self.con.begin()
        try:
            for table in ("events", "sentences", "documents"):
                self.con.execute(f"DELETE FROM {table} WHERE doc_id = ?", [doc.id])
            _insert_many(self.con, "documents", _DOCUMENT_COLUMNS, [document_row])
            _insert_many(self.con, "sentences", _SENTENCE_COLUMNS, sentence_rows)
            _insert_many(self.con, "events", _EVENT_COLUMNS, event_rows)
            if then is not None:
                then()
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    def save_skipped(self, skipped: Skipped) -> None:
        self.con.execute(
            "INSERT INTO skipped (origin, doc_id, reason, skipped_at) VALUES (?, ?, ?, ?)",
            [skipped.origin, skipped.doc_id, skipped.reason, _now()],
        )

    # -- duplicates and merged events ----------------------------------------------------------------

    def update_duplicates(self, *, threshold: Optional[float] = None, rebuild: bool = False) -> dedupe.ClusterStats:
        """Find near-duplicate articles among documents not indexed yet; fills document_clusters.

        `threshold` (estimated Jaccard similarity, default 0.5) is remembered; changing it rebuilds the index.
        """
        return dedupe.update_clusters(self.con, threshold=threshold, rebuild=rebuild)

    def merge_events(self, window_days: Optional[int] = None, *, match: Optional[str] = None,
                     include_negated: Optional[bool] = None, dedupe: bool = True,
                     threshold: Optional[float] = None, rebuild_duplicates: bool = False) -> merge.MergeStats:
        """Rebuild merged_events and event_mentions from the raw mentions (re-runnable at any time).

        Mentions merge when they have the same source and target codes, the same CAMEO code (`match`:
        "code", "base" for its first 3 digits, "root"), the same place, and dates at most `window_days`
        (default 1) apart. Negated and hypothetical mentions are left out unless `include_negated`.
        Arguments left at None keep the values of the last merge. `dedupe` first brings the
        near-duplicate article clusters up to date (with `threshold`; `rebuild_duplicates` re-indexes
        every article), so that copies count once.
        """
        return merge.merge_events(self.con, window_days=window_days, match=match, include_negated=include_negated,
                                  dedupe=dedupe, threshold=threshold, rebuild_duplicates=rebuild_duplicates)

    def merged_is_current(self) -> bool:
        """True if merged_events was rebuilt after the last document was coded."""
        return merge.merge_is_current(self.con)

    def ensure_merged(self) -> Optional[merge.MergeStats]:
        """Rebuild merged_events if documents were coded since, with the parameters of the last merge."""
        if self.merged_is_current():
            return None
        return self.merge_events()

    # -- reading ---------------------------------------------------------------------------------

    def has_document(self, doc_id: str, content_hash: Optional[str] = None) -> bool:
        """True if doc_id is stored (and, when content_hash is given, was coded from the same content)."""
        sql = "SELECT 1 FROM documents WHERE doc_id = ?"
        params: list[Any] = [doc_id]
        if content_hash is not None:
            sql += " AND content_hash = ?"
            params.append(content_hash)
        return _first(self.con.execute(sql, params)) is not None

    def stored_hash(self, doc_id: str) -> Optional[str]:
        """The content hash of the stored document ``doc_id``, or None if it is not stored."""
        row = _first(self.con.execute("SELECT content_hash FROM documents WHERE doc_id = ?", [doc_id]))
        return row[0] if row else None

    def events(self, *, limit: Optional[int] = None, **filters: Any) -> list[dict[str, Any]]:
        """Stored events in the Event.to_dict() shape, in document and sentence order.

        Filters (None means "don't filter"): doc_id, cameo_root, source_country, target_country (equality);
        ``min_confidence`` keeps events whose confidence is at least that (events coded without a scorer
        have none and are kept); ``start``/``end``: event dates (inclusive); ``dyad``: (source, target) code
        prefixes, ``both_directions`` also the other way; ``country``: either side's country; ``cameo``: a
        code prefix. ``limit``: at most this many.
        """
        where, params = _event_where(**filters)
        tail = ""
        if limit is not None:
            tail = " LIMIT ?"
            params.append(int(limit))
        rows = self.query(
            f"SELECT * FROM events_with_evidence {where} "
            f"ORDER BY doc_id, sentence_index, trigger_start NULLS LAST, event_id{tail}",
            params,
        )
        return [event_dict(row) for row in rows]

    def count_events(self, **filters: Any) -> int:
        """How many stored events match the filters of `events`."""
        where, params = _event_where(**filters)
        return _first(self.con.execute(f"SELECT count(*) FROM events {where}", params))[0]

    def counts(self) -> dict[str, int]:
        return {
            table: _first(self.con.execute(f"SELECT count(*) FROM {table}"))[0]
            for table in ("documents", "sentences", "events", "skipped")
        }

    def query(self, sql: str, params: Optional[Sequence[Any] | dict[str, Any]] = None) -> list[dict[str, Any]]:
        """Run SQL (with ? or $name parameters) and return the rows as dicts."""
        cursor = self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        if cursor.description is None:  # a statement with no result set
            return []
        names = [col[0] for col in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def _relation(self, table: str) -> duckdb.DuckDBPyRelation:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
        return self.con.sql(f"SELECT * FROM {table}")

    def to_pandas(self, table: str = "events"):
        """A table or view as a pandas DataFrame (needs pandas: pip install 'eventwire[data]')."""
        relation = self._relation(table)
        try:
            import pandas  # noqa: F401  (DuckDB needs it; import here for a clearer error)
        except ImportError as exc:
            raise ImportError("EventStore.to_pandas() needs pandas: pip install 'eventwire[data]'") from exc
        return relation.df()

    def to_polars(self, table: str = "events"):
        """A table or view as a polars DataFrame (needs polars: pip install polars)."""
        relation = self._relation(table)
        try:
            import polars  # noqa: F401
        except ImportError as exc:
            raise ImportError("EventStore.to_polars() needs polars: pip install polars") from exc
        return relation.pl()
