"""Event reports merged into event records: ``merged_events`` and ``event_mentions``.

GDELT counts reports, not events: one event reported by 40 outlets becomes 40 rows. ``merge_events``
groups raw mentions (the ``events`` table) into ``merged_events``: the same source code, target code and
CAMEO code (or its base or root code, ``match``), the same place, and dates no more than ``window_days``
apart (pairwise). ``event_mentions`` links each merged event to every mention. Counts are taken over the
article clusters of ``eventwire.corpus.dedupe``, so wire copies, and a corpus coded twice under other ids, do not
inflate them. Mentions whose source or target is unknown (no code, or a code starting with "---") merge
only within one story (article cluster): "unknown gunmen attacked" in two unrelated articles is not one
event. Each record says how well its mentions agree (``agree_*`` columns, ``merge_agreement``) and how
precise its date is (``date_precision``). It is a full rebuild in SQL plus one sorted pass in Python: about
10 s for 500,000 mentions. docs/data-model.md describes the tables and the rules.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Optional

import duckdb

from eventwire.corpus.dedupe import ClusterStats, in_transaction, meta_value, set_meta_value, update_clusters

DEFAULT_WINDOW_DAYS = 1
MATCH_LEVELS = {"code": "e.cameo", "base": "substr(e.cameo, 1, 3)", "root": "e.cameo_root"}
_MATCH_NAMES = {"code": "CAMEO code", "base": "CAMEO base code", "root": "CAMEO root"}

MERGE_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS merged_events (
        merged_id VARCHAR,      -- unique; no PRIMARY KEY: the index makes each full rebuild slow to commit
        source_code VARCHAR, source_text VARCHAR, source_country VARCHAR, source_sector VARCHAR,
        target_code VARCHAR, target_text VARCHAR, target_country VARCHAR, target_sector VARCHAR,
        cameo VARCHAR, cameo_root VARCHAR, plover VARCHAR, mode VARCHAR, context VARCHAR,
        goldstein DOUBLE, quad_class INTEGER,
        event_date DATE,        -- the earliest mention date (event_date, else the article's pub_date)
        date_end DATE,          -- the latest; date_end - event_date <= window_days
        location_name VARCHAR, location_country VARCHAR, location_admin1 VARCHAR,
        location_lat DOUBLE, location_lon DOUBLE, location_geonames_id BIGINT, location_precision VARCHAR,
        num_mentions INTEGER,   -- mentions; copies of an article count as their richest version
        num_articles INTEGER,   -- distinct article clusters (near-duplicates count once)
        num_sources INTEGER,    -- distinct outlets (documents.source, else URL domain), one per cluster
        num_reports INTEGER,    -- raw mention rows, copies included
        is_root_event BOOLEAN,  -- some mention is in an article's title or first sentence
        first_seen TIMESTAMP,   -- when the first of its articles was coded (UTC)
        first_doc_id VARCHAR,   -- the earliest article (pub_date, doc_id) and its mention
        first_event_id VARCHAR,
        source_url VARCHAR,
        confidence DOUBLE,      -- the highest confidence among its mentions (NULL: coded without a scorer)
        date_precision VARCHAR, -- day | week | month | year: that of the mention whose date event_date is
        merge_scope VARCHAR,    -- 'dyad': mentions from any article; 'story': an actor is unknown, one story only
        agree_actors INTEGER,   -- mentions whose source and target are known (the merge makes them equal)
        agree_code INTEGER,     -- mentions with the record's full CAMEO code
        agree_place INTEGER,    -- mentions at the record's place (not a vaguer one that joined it)
        agree_date INTEGER,     -- mentions on event_date with the record's date_precision
        merge_agreement DOUBLE  -- (agree_actors + agree_code + agree_place + agree_date) / (4 * num_reports)
    )""",
    "ALTER TABLE merged_events ADD COLUMN IF NOT EXISTS confidence DOUBLE",
    # Columns added after schema version 3: older stores get them here (NULL until the next merge, which
    # ensure_merged() runs: MERGE_RULES is part of the merge fingerprint).
    *(f"ALTER TABLE merged_events ADD COLUMN IF NOT EXISTS {column}" for column in (
        "date_precision VARCHAR", "merge_scope VARCHAR", "agree_actors INTEGER", "agree_code INTEGER",
        "agree_place INTEGER", "agree_date INTEGER", "merge_agreement DOUBLE")),
    """CREATE TABLE IF NOT EXISTS event_mentions (
        merged_id VARCHAR,
        event_id VARCHAR,
        doc_id VARCHAR,
        cluster_id VARCHAR,
        counted BOOLEAN         -- in the article that stands for its cluster in num_mentions
    )""",
]


@dataclass
class MergeStats:
    mentions: int  # raw mentions considered (factual ones unless include_negated)
    merged: int
    window_days: int
    match: str
    clusters: Optional[ClusterStats] = None

    def __str__(self) -> str:
        text = (f"{self.mentions} mentions merged into {self.merged} events "
                f"(dates within {self.window_days} day(s), same {_MATCH_NAMES[self.match]})")
        return text + (f"; {self.clusters}" if self.clusters else "")


# Bumped when the merge rules or the merged_events columns change: a store merged under older rules is out
# of date, so ensure_merged() rebuilds it. 2: unknown actors merge within a story; date precision, agreement.
MERGE_RULES = 2


def events_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a document is (re-)coded, or the merge rules change: tells whether merged_events is
    out of date."""
    docs, last, n_events = con.execute(
        "SELECT count(*), max(coded_at), (SELECT count(*) FROM events) FROM documents"
    ).fetchall()[0]
    return f"{docs}|{last}|{n_events}|rules {MERGE_RULES}"


def merge_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    return meta_value(con, "merge_fingerprint") == events_fingerprint(con)


def stale_message(path: str, read_only: bool = True) -> str:
    """One line: the merged tables are out of date, and what to do."""
    return (f"The merged events in {path} are out of date (documents were coded, or the merge rules changed, "
            "since the last merge)" + (" and the store is open read-only" if read_only else "")
            + f": run `eventwire merge --db {path}`, or use the raw mentions (--mentions).")


def open_for_reading(path, *, merged: bool = True):
    """An ``EventStore`` opened read-only, for commands that only read (`eventwire export`, `series`).

    With ``merged``, its merged events must be current. When they are not and no other process has the store
    open, they are rebuilt first in a short writable session, as `eventwire merge` would; when another
    process reads it (a read-only `eventwire serve`, another export), merging would have to wait for it, so
    a ``StoreError`` says in one line to run `eventwire merge` later or to use the raw mentions. A store
    that another process writes raises ``StoreLockedError`` as it is.
    """
    from eventwire.store import EventStore, StoreError, StoreLockedError

    store = EventStore(path, read_only=True)
    if not merged or store.merged_is_current():
        return store
    store.close()
    try:
        with EventStore(path) as writer:
            writer.ensure_merged()
    except (StoreLockedError, duckdb.ConnectionException) as exc:  # other readers: another process, or this one
        holder = re.search(r"in use by (process \d+ \([^)]*\))", str(exc))
        who = holder.group(1) if holder else "another connection"
        raise StoreError(
            f"The merged events in {path} are out of date and {who} has the store open, so they cannot be "
            f"rebuilt now: run `eventwire merge --db {path}` when it is free, or use the raw mentions "
            "(--mentions).") from None
    return EventStore(path, read_only=True)


def ensure_current(store) -> Optional["MergeStats"]:
    """``store.ensure_merged()`` for a store that may be open read-only (``EventStore(path, read_only=True)``).

    A writable store is merged when it is out of date. A read-only store cannot be: rather than export or
    count stale records, this raises ``StoreError`` with one line saying to run `eventwire merge`.
    """
    if store.merged_is_current():
        return None
    if getattr(store, "read_only", False):
        from eventwire.store import StoreError  # store imports this module: import it when needed

        raise StoreError(stale_message(store.path))
    return store.ensure_merged()


def last_merge_params(con: duckdb.DuckDBPyConnection) -> dict:
    """window_days, match and include_negated of the last merge ({} if there was none)."""
    stored = meta_value(con, "merge_params")
    return json.loads(stored) if stored else {}


# The date of a mention is its event_date, else its article's pub_date (a publication date is day-precise).
MENTION_DATE_SQL = "coalesce(e.event_date, d.pub_date)"
MENTION_PRECISION_SQL = ("CASE WHEN e.event_date IS NOT NULL THEN e.date_precision "
                         "WHEN d.pub_date IS NOT NULL THEN 'day' END")
# Finest first: among mentions on the record's date, the most precise one gives date_precision.
DATE_PRECISIONS = ("day", "week", "month", "year")
_PRECISION_RANK = ("CASE {p} WHEN 'day' THEN 0 WHEN 'week' THEN 1 WHEN 'month' THEN 2 WHEN 'year' THEN 3 "
                   "ELSE 4 END")


def unknown_actor_sql(column: str) -> str:
    """SQL: the actor code in `column` names nobody (no code, or an unknown one: '---', '---REB')."""
    return f"(coalesce({column}, '') = '' OR starts_with({column}, '---'))"


# A place known only to the country: it may be the same place as any more precise one in that country.
_COUNTRY_LEVEL = "(e.location_country IS NOT NULL AND (e.location_precision = 'country' OR e.location_name IS NULL))"

_OUTLET_SQL = """coalesce(
    nullif(lower(trim(d.source)), ''),
    nullif(regexp_extract(lower(d.url), '^[a-z][a-z0-9+.-]*://(?:www\\.)?([^/:?#]+)', 1), ''),
    'doc:' || coalesce(c.cluster_id, d.doc_id))"""


def merge_events(con: duckdb.DuckDBPyConnection, *, window_days: Optional[int] = None, match: Optional[str] = None,
                 include_negated: Optional[bool] = None, dedupe: bool = True,
                 threshold: Optional[float] = None, rebuild_duplicates: bool = False) -> MergeStats:
    """Rebuild merged_events and event_mentions from events (after updating article clusters).

    Parameters left at None take the value of the last merge, else the default (window 1 day, the full
    CAMEO code, factual mentions only), so a store keeps the rules its user chose.
    """
    last = last_merge_params(con)
    window_days = window_days if window_days is not None else last.get("window_days", DEFAULT_WINDOW_DAYS)
    match = match if match is not None else last.get("match", "code")
    include_negated = include_negated if include_negated is not None else last.get("include_negated", False)
    if match not in MATCH_LEVELS:
        raise ValueError(f"match must be one of {', '.join(MATCH_LEVELS)}, not {match!r}")
    if window_days < 0:
        raise ValueError("window_days must be >= 0")
    clusters = update_clusters(con, threshold=threshold, rebuild=rebuild_duplicates) if dedupe else None
    factual = "" if include_negated else "WHERE NOT coalesce(e.negated, false) AND NOT coalesce(e.hypothetical, false)"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _m AS
            SELECT e.event_id, e.doc_id, e.sentence_index,
                   coalesce(e.source_code, '') AS k_source, coalesce(e.target_code, '') AS k_target,
                   coalesce({MATCH_LEVELS[match]}, '') AS k_code,
                   CASE WHEN e.location_name IS NULL AND e.location_country IS NULL THEN NULL
                        WHEN {_COUNTRY_LEVEL} THEN e.location_country || '|*'  -- "Syria", "Syrian Arab Republic"
                        ELSE coalesce(e.location_country, '') || '|' || lower(trim(coalesce(e.location_name, '')))
                   END AS k_place,
                   coalesce({_COUNTRY_LEVEL}, false) AS k_country_level,
                   CASE WHEN e.location_name IS NULL AND e.location_country IS NULL THEN 4
                        WHEN {_COUNTRY_LEVEL} THEN 3
                        ELSE coalesce(CASE e.location_precision WHEN 'city' THEN 0 WHEN 'admin1' THEN 1 END, 2)
                   END AS place_rank,  -- the record takes the most precise place among its mentions
                   {MENTION_DATE_SQL} AS mention_date,
                   {MENTION_PRECISION_SQL} AS mention_precision,
                   {_PRECISION_RANK.format(p=MENTION_PRECISION_SQL)} AS precision_rank,
                   e.cameo AS full_code,
                   {unknown_actor_sql("e.source_code")} OR {unknown_actor_sql("e.target_code")} AS k_unknown,
                   -- an unknown actor is not evidence of the same event: such mentions merge within a story
                   CASE WHEN {unknown_actor_sql("e.source_code")} OR {unknown_actor_sql("e.target_code")}
                        THEN coalesce(c.cluster_id, e.doc_id) ELSE '' END AS k_scope,
                   coalesce(c.cluster_id, e.doc_id) AS cluster_id,
                   {_OUTLET_SQL} AS outlet,
                   coalesce(strftime(d.pub_date, '%Y-%m-%d'), '9999-99-99') || e.doc_id AS doc_order,
                   d.coded_at, e.confidence
            FROM events e JOIN documents d USING (doc_id)
            LEFT JOIN document_clusters c USING (doc_id)
            {factual}"""
    )
    rows = con.execute(
        """SELECT event_id, k_source, k_target, k_code, k_place, mention_date, k_country_level, k_scope FROM _m
           ORDER BY k_source, k_target, k_code, k_scope, mention_date NULLS LAST, k_place NULLS LAST, event_id"""
    ).fetchall()
    groups = _group_mentions(rows, window_days)

    def rebuild() -> None:
        con.execute("CREATE OR REPLACE TEMP TABLE _g AS SELECT unnest(?::VARCHAR[]) AS event_id, "
                    "unnest(?::VARCHAR[]) AS group_key", [[r[0] for r in rows], groups])
        con.execute("DELETE FROM event_mentions")
        con.execute("DELETE FROM merged_events")
        con.execute(_MERGE_SQL)
        con.execute(
            """INSERT INTO event_mentions
               SELECT merged_id, event_id, doc_id, cluster_id, counted FROM _mg ORDER BY merged_id, doc_order, event_id"""
        )
        for table in ("_m", "_g", "_mg"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        set_meta_value(con, "merge_fingerprint", events_fingerprint(con))
        set_meta_value(con, "merge_params", json.dumps(
            {"window_days": window_days, "match": match, "include_negated": include_negated}))

    in_transaction(con, rebuild)
    merged = con.execute("SELECT count(*) FROM merged_events").fetchall()[0][0]
    return MergeStats(len(rows), merged, window_days, match, clusters)


_MERGE_SQL = """
CREATE OR REPLACE TEMP TABLE _mg AS
WITH grouped AS (
    SELECT m.*, substr(md5(g.group_key), 1, 16) AS merged_id,
           count(*) OVER (PARTITION BY g.group_key, m.doc_id) AS in_article,
           row_number() OVER (PARTITION BY g.group_key ORDER BY m.doc_order, m.sentence_index, m.event_id) AS pos,
           row_number() OVER (PARTITION BY g.group_key
                              ORDER BY m.place_rank, m.doc_order, m.sentence_index, m.event_id) AS place_pos
    FROM _m m JOIN _g g USING (event_id)
), counted_article AS (  -- per cluster: the article with the most mentions of the event (then the earliest)
    SELECT merged_id, cluster_id, arg_min(doc_id, (-in_article, doc_order)) AS doc_id
    FROM grouped GROUP BY merged_id, cluster_id
)
SELECT g.*, c.doc_id IS NOT NULL AS counted
FROM grouped g LEFT JOIN counted_article c USING (merged_id, cluster_id, doc_id);

INSERT INTO merged_events (
    merged_id, source_code, source_text, source_country, source_sector,
    target_code, target_text, target_country, target_sector,
    cameo, cameo_root, plover, mode, context, goldstein, quad_class, event_date, date_end,
    location_name, location_country, location_admin1, location_lat, location_lon, location_geonames_id,
    location_precision, num_mentions, num_articles, num_sources, num_reports, is_root_event, first_seen,
    first_doc_id, first_event_id, source_url, confidence,
    date_precision, merge_scope, agree_actors, agree_code, agree_place, agree_date, merge_agreement)
WITH per_cluster AS (  -- one outlet per article cluster: that of its first article mentioning the event
    SELECT merged_id, cluster_id, arg_min(outlet, doc_order) AS outlet FROM _mg GROUP BY ALL
), counts AS (
    SELECT merged_id,
           count(*) FILTER (WHERE counted) AS num_mentions,
           count(DISTINCT cluster_id) AS num_articles,
           count(*) AS num_reports,
           bool_or(sentence_index <= 1) AS is_root_event,
           min(mention_date) AS event_date,
           max(mention_date) AS date_end,
           -- the precision of the mention whose date the record takes (the earliest; the finest on that day)
           arg_min(mention_precision, (coalesce(mention_date, DATE '9999-12-31'), precision_rank)) AS date_precision,
           bool_or(k_unknown) AS story_only,
           min(coded_at) AS first_seen,
           max(confidence) AS confidence
    FROM _mg GROUP BY merged_id
), sources AS (
    SELECT merged_id, count(DISTINCT outlet) AS num_sources FROM per_cluster GROUP BY merged_id
), places AS (
    SELECT merged_id, event_id AS place_event_id, k_place AS record_place FROM _mg WHERE place_pos = 1
), agreement AS (  -- how many mentions say what the record says (the merge only asks them to be compatible)
    SELECT m.merged_id,
           count(*) FILTER (WHERE NOT m.k_unknown) AS agree_actors,
           count(*) FILTER (WHERE m.full_code IS NOT DISTINCT FROM f.full_code) AS agree_code,
           count(*) FILTER (WHERE m.k_place IS NOT DISTINCT FROM p.record_place) AS agree_place,
           count(*) FILTER (WHERE m.mention_date IS NOT DISTINCT FROM c.event_date
                              AND m.mention_precision IS NOT DISTINCT FROM c.date_precision) AS agree_date
    FROM _mg m
    JOIN _mg f ON f.merged_id = m.merged_id AND f.pos = 1
    JOIN places p ON p.merged_id = m.merged_id
    JOIN counts c ON c.merged_id = m.merged_id
    GROUP BY m.merged_id
)
SELECT r.merged_id,
       e.source_code, e.source_text, e.source_country, e.source_sector,
       e.target_code, e.target_text, e.target_country, e.target_sector,
       e.cameo, e.cameo_root, e.plover, e.mode, e.context, e.goldstein, e.quad_class,
       c.event_date, c.date_end,
       p.location_name, p.location_country, p.location_admin1, p.location_lat, p.location_lon,
       p.location_geonames_id, p.location_precision,
       c.num_mentions, c.num_articles, s.num_sources, c.num_reports, c.is_root_event, c.first_seen,
       r.doc_id, r.event_id, coalesce(d.url, d.origin), c.confidence,
       c.date_precision, CASE WHEN c.story_only THEN 'story' ELSE 'dyad' END,
       a.agree_actors, a.agree_code, a.agree_place, a.agree_date,
       round((a.agree_actors + a.agree_code + a.agree_place + a.agree_date) / (4.0 * c.num_reports), 4)
FROM _mg r
JOIN counts c USING (merged_id)
JOIN sources s USING (merged_id)
JOIN places USING (merged_id)
JOIN agreement a USING (merged_id)
JOIN events e ON e.event_id = r.event_id
JOIN events p ON p.event_id = places.place_event_id
JOIN documents d ON d.doc_id = r.doc_id
WHERE r.pos = 1
ORDER BY c.event_date NULLS LAST, r.merged_id;
"""


def _partition(row: tuple) -> tuple:
    """(source, target, code, scope): mentions can merge only within one. The scope is '' (any article)
    unless an actor is unknown, then the mention's story cluster."""
    return (*row[1:4], row[7])


def _group_mentions(rows: list[tuple], window_days: int) -> list[str]:
    """A group key per row. Rows: (event_id, source, target, code, place, date, country_level, scope), sorted
    by source, target, code, scope, date, place.

    Within one (source, target, code, scope), mentions at the same place are grouped greedily from the earliest
    date: a group takes every mention up to window_days after its first. Then the vaguer mentions join a
    group when exactly one place fits: a country-level mention ("in Syria") a group at a place in that
    country ("Homs"), a mention without a place any located group. Dates always stay within window_days
    of each other. Undated mentions group with undated ones.
    """
    keys: list[Optional[str]] = [None] * len(rows)
    start = 0
    while start < len(rows):
        end = start
        part = _partition(rows[start])
        while end < len(rows) and _partition(rows[end]) == part:
            end += 1
        _group_partition(rows, range(start, end), window_days, keys)
        start = end
    return keys  # type: ignore[return-value]


class _Group:
    __slots__ = ("key", "first", "last", "place", "country")

    def __init__(self, key: str, day: Optional[dt.date], place: Optional[str]):
        self.key, self.first, self.last, self.place = key, day, day, place
        self.country = place.split("|", 1)[0] if place else None

    def fits(self, day: Optional[dt.date], window: int) -> bool:
        """Would its dates, with `day` added, span at most `window` days? Undated goes with undated."""
        if day is None or self.first is None:
            return day is None and self.first is None
        return (max(self.last, day) - min(self.first, day)).days <= window

    def add(self, day: Optional[dt.date]) -> None:
        if day is not None:
            self.first, self.last = min(self.first, day), max(self.last, day)


class _Located:
    """Groups in the order of their first date, to find the ones near a day without scanning them all."""

    def __init__(self) -> None:
        self.dated: list[_Group] = []
        self.anchors: list[int] = []  # first date (as created) of each: a group fitting `day` starts near it
        self.undated: list[_Group] = []

    def add(self, group: _Group) -> None:
        if group.first is None:
            self.undated.append(group)
        else:
            self.dated.append(group)
            self.anchors.append(group.first.toordinal())

    def near(self, day: Optional[dt.date], window: int) -> list[_Group]:
        if day is None:
            return self.undated
        ordinal = day.toordinal()
        return self.dated[bisect_left(self.anchors, ordinal - window) : bisect_right(self.anchors, ordinal + window)]


def _group_partition(rows: list[tuple], indexes: range, window: int, keys: list[Optional[str]]) -> None:
    source, target, code, scope = _partition(rows[indexes.start])
    # The scope joins the key only when there is one, so that records of known actors keep their ids.
    part = "\x1f".join((source, target, code) + ((scope,) if scope else ()))
    latest: dict[Optional[str], _Group] = {}  # place -> its latest group (rows come in date order)

    def greedy(i: int, place: Optional[str], day: Optional[dt.date], located: Optional[_Located]) -> None:
        group = latest.get(place)
        if group is None or not group.fits(day, window):
            group = _Group(f"{part}\x1f{place or ''}\x1f{day}", day, place)
            latest[place] = group
            if located is not None:
                located.add(group)
        group.add(day)
        keys[i] = group.key

    def attach(i: int, candidates: list[_Group], day: Optional[dt.date]) -> bool:
        fitting = [g for g in candidates if g.fits(day, window)]
        if len({g.place for g in fitting}) != 1:
            return False  # no place fits, or several: it would be a guess
        fitting[0].add(day)
        keys[i] = fitting[0].key
        return True

    precise, countries = _Located(), _Located()
    country_level: list[int] = []
    unlocated: list[int] = []
    for i in indexes:
        place, day, is_country = rows[i][4], rows[i][5], rows[i][6]
        if place is None:
            unlocated.append(i)
        elif is_country:
            country_level.append(i)
        else:
            greedy(i, place, day, precise)
    for i in country_level:
        place, day = rows[i][4], rows[i][5]
        country = place.split("|", 1)[0]
        in_country = [g for g in precise.near(day, window) if g.country == country]
        if not attach(i, in_country, day):
            greedy(i, place, day, countries)
    for i in unlocated:
        day = rows[i][5]
        if not attach(i, precise.near(day, window) + countries.near(day, window), day):
            greedy(i, None, day, None)
