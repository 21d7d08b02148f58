"""The SQL behind the API and the dashboard. Every value is a `?` parameter.

Filters are applied to `events` alone in a CTE (`filtered`) and the evidence sentence is joined in
afterwards, only for the rows that are returned: joining a million sentences first and paging after is
several times slower.
"""
from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Iterable, Optional

import duckdb

from eventwire.corpus import panel as country_panel
from eventwire.store import event_dict  # the Event.to_dict() shape of a stored row

from .db import one, rows, table_columns
from .filters import SORTS, EventFilters, Sort, side_match


class Period(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


class Level(str, Enum):
    country = "country"
    actor = "actor"


PanelBy = Enum("PanelBy", {p: p for p in country_panel.PERIODS}, type=str)
PanelRole = Enum("PanelRole", {r: r for r in country_panel.ROLES}, type=str)


# How an actor is named at each level. Actors without a known country (IGOs, "---REB", whose country
# column is NULL or "---") keep their full code, so unknown rebels and unknown police stay apart.
_ACTOR_EXPR = {
    Level.country: tuple(
        f"CASE WHEN {side}_country IS NULL OR {side}_country = '---' THEN {side}_code ELSE {side}_country END"
        for side in ("source", "target")),
    Level.actor: ("source_code", "target_code"),
}
# Graph views (dyads, actors, partners, network) leave out "---", the code of an actor the coder could
# not identify at all: it is not one actor, and as a node it would join unrelated events.
_KNOWN = {side: f"{side}_code IS NOT NULL AND {side}_code <> '---'" for side in ("source", "target")}
BOTH_KNOWN = f"{_KNOWN['source']} AND {_KNOWN['target']}"


def _filtered(f: EventFilters) -> tuple[str, list[Any]]:
    where, params = f.where()
    return f"WITH filtered AS (SELECT * FROM events WHERE {where})", params


# -- events ---------------------------------------------------------------------------------------


def count_events(con: duckdb.DuckDBPyConnection, f: EventFilters) -> int:
    where, params = f.where()
    return con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()[0]


def _page_sql(f: EventFilters, sort: Sort, limit: Optional[int], offset: int,
              with_sentence: bool = True) -> tuple[str, list[Any]]:
    cte, params = _filtered(f)
    order = SORTS[sort]
    page = f"SELECT * FROM filtered ORDER BY {order}"
    if limit is not None:
        page += " LIMIT ?"
        params.append(limit)
    if offset:
        page += " OFFSET ?"
        params.append(offset)
    if not with_sentence:
        return f"{cte} {page}", params
    sql = (f"{cte}, page AS ({page}) "
           "SELECT page.*, s.text AS sentence FROM page "
           "LEFT JOIN sentences s ON s.doc_id = page.doc_id AND s.sentence_index = page.sentence_index "
           f"ORDER BY {order}")
    return sql, params


def _attach_sentences(con: duckdb.DuckDBPyConnection, page: list[dict[str, Any]]) -> None:
    """Add each row's evidence sentence. One `doc_id IN (...)` lookup, which the sentences(doc_id) index
    answers in milliseconds, where a join would scan every sentence of the store."""
    doc_ids = sorted({r["doc_id"] for r in page})
    found: dict[tuple[str, int], str] = {}
    for i in range(0, len(doc_ids), 500):
        chunk = doc_ids[i:i + 500]
        found.update(((d, n), t) for d, n, t in con.execute(
            f"SELECT doc_id, sentence_index, text FROM sentences WHERE doc_id IN ({', '.join('?' for _ in chunk)})",
            chunk).fetchall())
    for r in page:
        r["sentence"] = found.get((r["doc_id"], r["sentence_index"]))


PAGE_JOIN_LIMIT = 1000  # pages up to this size fetch sentences by doc_id; bigger ones (downloads) join


def event_page(con: duckdb.DuckDBPyConnection, f: EventFilters, sort: Sort = Sort.newest,
               limit: Optional[int] = 50, offset: int = 0) -> list[dict[str, Any]]:
    if limit is None or limit > PAGE_JOIN_LIMIT:
        sql, params = _page_sql(f, sort, limit, offset)
        return [event_dict(r) for r in rows(con, sql, params)]
    return [event_dict(r) for r in flat_page(con, f, sort, limit, offset)]


def flat_page(con: duckdb.DuckDBPyConnection, f: EventFilters, sort: Sort, limit: int,
              offset: int) -> list[dict[str, Any]]:
    """A page of flat rows (events columns + sentence), for pages up to PAGE_JOIN_LIMIT."""
    # Sort and cut on the ids alone, then fetch those rows by primary key: sorting whole rows to keep
    # fifty of them costs twice as much on a large store.
    cte, params = _filtered(f)
    ids = [r[0] for r in con.execute(
        f"{cte} SELECT event_id FROM filtered ORDER BY {SORTS[sort]} LIMIT ? OFFSET ?",
        [*params, limit, offset]).fetchall()]
    if not ids:
        return []
    position = {event_id: i for i, event_id in enumerate(ids)}
    page = sorted(rows(con, f"SELECT * FROM events WHERE event_id IN ({', '.join('?' for _ in ids)})", ids),
                  key=lambda r: position[r["event_id"]])
    _attach_sentences(con, page)
    return page


def event_cursor(con: duckdb.DuckDBPyConnection, f: EventFilters, sort: Sort, limit: Optional[int],
                 offset: int) -> duckdb.DuckDBPyConnection:
    """The flat rows (events columns + sentence) of a download, as an executed cursor to fetch from."""
    sql, params = _page_sql(f, sort, limit, offset)
    return con.execute(sql, params)


def event_row(con: duckdb.DuckDBPyConnection, event_id: str) -> Optional[dict[str, Any]]:
    return one(con, "SELECT e.*, s.text AS sentence FROM events e "
                    "LEFT JOIN sentences s ON s.doc_id = e.doc_id AND s.sentence_index = e.sentence_index "
                    "WHERE e.event_id = ?", [event_id])


def event_by_id(con: duckdb.DuckDBPyConnection, event_id: str) -> Optional[dict[str, Any]]:
    row = event_row(con, event_id)
    return event_dict(row) if row else None


# -- documents ------------------------------------------------------------------------------------


def document_row(con: duckdb.DuckDBPyConnection, doc_id: str) -> Optional[dict[str, Any]]:
    return one(con, "SELECT * FROM documents WHERE doc_id = ?", [doc_id])


def document_sentences(con: duckdb.DuckDBPyConnection, doc_id: str) -> list[dict[str, Any]]:
    return rows(con, "SELECT sentence_index, start_char, end_char, text FROM sentences WHERE doc_id = ? "
                     "ORDER BY sentence_index", [doc_id])


def document_events(con: duckdb.DuckDBPyConnection, doc_id: str) -> list[dict[str, Any]]:
    """A document's events in reading order."""
    events = event_page(con, EventFilters(doc_id=doc_id), Sort.oldest, limit=None)
    return sorted(events, key=lambda e: (e["sentence_index"], (e["evidence"]["trigger_span"] or [0])[0], e["event_id"]))


def document_summaries(con: duckdb.DuckDBPyConnection, limit: int = 100) -> list[dict[str, Any]]:
    return rows(con, "SELECT d.doc_id, d.title, d.pub_date, d.source, count(e.event_id) AS events "
                     "FROM documents d LEFT JOIN events e ON e.doc_id = d.doc_id "
                     "GROUP BY ALL ORDER BY d.pub_date DESC NULLS LAST, d.doc_id LIMIT ?", [limit])


# -- aggregates -----------------------------------------------------------------------------------


def _period_start(day: dt.date, by: Period) -> dt.date:
    if by is Period.week:
        return day - dt.timedelta(days=day.weekday())
    if by is Period.month:
        return day.replace(day=1)
    if by is Period.year:
        return day.replace(month=1, day=1)
    return day


def _next_period(day: dt.date, by: Period) -> dt.date:
    if by is Period.day:
        return day + dt.timedelta(days=1)
    if by is Period.week:
        return day + dt.timedelta(days=7)
    if by is Period.month:
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day.replace(year=day.year + 1)


MAX_FILLED_POINTS = 5000  # past this many periods (a 14-year daily series) empty periods are not filled in


def _filled(found: list[dict[str, Any]], by: Period) -> list[dict[str, Any]]:
    """`found` with zero rows for the empty periods between the first and the last, unless that would
    make more than MAX_FILLED_POINTS rows."""
    by_period = {r["period"]: r for r in found}
    out: list[dict[str, Any]] = []
    day, last = _period_start(found[0]["period"], by), found[-1]["period"]
    while day <= last:
        if len(out) >= MAX_FILLED_POINTS:
            return found
        out.append(by_period.get(day) or {"period": day, "events": 0, "goldstein_sum": 0.0, "goldstein_mean": None,
                                          "quad1": 0, "quad2": 0, "quad3": 0, "quad4": 0})
        try:
            day = _next_period(day, by)
        except (OverflowError, ValueError):  # past 9999-12-31
            break
    return out


def series(con: duckdb.DuckDBPyConnection, f: EventFilters, by: Period) -> list[dict[str, Any]]:
    """Per period: event count, Goldstein sum and mean, and the count in each QuadClass.
    Periods without events between the first and the last are included with zero counts."""
    cte, params = _filtered(f)
    found = rows(con, f"""{cte}
        SELECT CAST(date_trunc(?, event_date) AS DATE) AS period,
               count(*) AS events,
               coalesce(sum(goldstein), 0) AS goldstein_sum,
               avg(goldstein) AS goldstein_mean,
               count(*) FILTER (WHERE quad_class = 1) AS quad1,
               count(*) FILTER (WHERE quad_class = 2) AS quad2,
               count(*) FILTER (WHERE quad_class = 3) AS quad3,
               count(*) FILTER (WHERE quad_class = 4) AS quad4
        FROM filtered WHERE event_date IS NOT NULL
        GROUP BY period ORDER BY period""", [*params, by.value])
    if not found:
        return []
    out = _filled(found, by)
    for r in out:
        r["period"] = r["period"].isoformat()
        r["goldstein_sum"] = round(float(r["goldstein_sum"]), 3)
        if r["goldstein_mean"] is not None:
            r["goldstein_mean"] = round(float(r["goldstein_mean"]), 3)
    return out


def network(con: duckdb.DuckDBPyConnection, f: EventFilters, level: Level = Level.country,
            limit: int = 200) -> dict[str, Any]:
    """Directed edges source -> target with event count, mean Goldstein and conflict count; the
    `limit` busiest edges, and the nodes they touch."""
    src, tgt = _ACTOR_EXPR[level]
    cte, params = _filtered(f)
    edges = rows(con, f"""{cte}
        SELECT {src} AS source, {tgt} AS target, count(*) AS events,
               round(avg(goldstein), 3) AS goldstein_mean,
               count(*) FILTER (WHERE quad_class >= 3) AS conflict
        FROM filtered WHERE {BOTH_KNOWN}
        GROUP BY ALL ORDER BY events DESC, source, target LIMIT ?""", [*params, limit])
    weight: dict[str, int] = {}
    for e in edges:
        weight[e["source"]] = weight.get(e["source"], 0) + e["events"]
        weight[e["target"]] = weight.get(e["target"], 0) + e["events"]
    nodes = [{"id": k, "events": v} for k, v in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"level": level.value, "nodes": nodes, "edges": edges}


def top_dyads(con: duckdb.DuckDBPyConnection, f: EventFilters, level: Level = Level.country,
              limit: int = 20) -> list[dict[str, Any]]:
    """Actor pairs (either direction) by number of events, with mean Goldstein and QuadClass counts."""
    src, tgt = _ACTOR_EXPR[level]
    cte, params = _filtered(f)
    return rows(con, f"""{cte}, pairs AS (
            SELECT least({src}, {tgt}) AS actor1, greatest({src}, {tgt}) AS actor2, goldstein, quad_class
            FROM filtered WHERE {BOTH_KNOWN} AND {src} <> {tgt})
        SELECT actor1, actor2, count(*) AS events, round(avg(goldstein), 2) AS goldstein_mean,
               count(*) FILTER (WHERE quad_class = 1) AS quad1, count(*) FILTER (WHERE quad_class = 2) AS quad2,
               count(*) FILTER (WHERE quad_class = 3) AS quad3, count(*) FILTER (WHERE quad_class = 4) AS quad4
        FROM pairs GROUP BY ALL ORDER BY events DESC, actor1, actor2 LIMIT ?""", [*params, limit])


def top_actors(con: duckdb.DuckDBPyConnection, f: EventFilters, level: Level = Level.country,
               limit: int = 20) -> list[dict[str, Any]]:
    """Actors by events they take part in, as source and as target."""
    src, tgt = _ACTOR_EXPR[level]
    cte, params = _filtered(f)
    return rows(con, f"""{cte}, sides AS (
            SELECT {src} AS actor, 1 AS as_source, 0 AS as_target, goldstein FROM filtered WHERE {_KNOWN['source']}
            UNION ALL
            SELECT {tgt}, 0, 1, goldstein FROM filtered WHERE {_KNOWN['target']})
        SELECT actor, count(*) AS events, sum(as_source) AS as_source, sum(as_target) AS as_target,
               round(avg(goldstein), 2) AS goldstein_mean
        FROM sides GROUP BY actor ORDER BY events DESC, actor LIMIT ?""", [*params, limit])


def partners(con: duckdb.DuckDBPyConnection, f: EventFilters, actor: str, level: Level = Level.country,
             limit: int = 30) -> list[dict[str, Any]]:
    """Who `actor` deals with: per counterpart, events in each direction and the mean Goldstein."""
    src, tgt = _ACTOR_EXPR[level]
    cte, params = _filtered(f)
    src_match, src_params = side_match("source", actor)
    tgt_match, tgt_params = side_match("target", actor)
    return rows(con, f"""{cte}, sides AS (
            SELECT {tgt} AS partner, 1 AS outgoing, 0 AS incoming, goldstein, quad_class
            FROM filtered WHERE {src_match} AND {_KNOWN['target']}
            UNION ALL
            SELECT {src}, 0, 1, goldstein, quad_class
            FROM filtered WHERE {tgt_match} AND {_KNOWN['source']})
        SELECT partner, count(*) AS events, sum(outgoing) AS outgoing, sum(incoming) AS incoming,
               round(avg(goldstein), 2) AS goldstein_mean,
               count(*) FILTER (WHERE quad_class <= 2) AS cooperation,
               count(*) FILTER (WHERE quad_class >= 3) AS conflict
        FROM sides WHERE partner IS NOT NULL GROUP BY partner ORDER BY events DESC, partner LIMIT ?""",
        [*params, *src_params, *tgt_params, limit])


def event_mix(con: duckdb.DuckDBPyConnection, f: EventFilters) -> list[dict[str, Any]]:
    """Events per CAMEO root, with QuadClass."""
    cte, params = _filtered(f)
    return rows(con, f"""{cte}
        SELECT cameo_root, min(quad_class) AS quad_class, count(*) AS events, round(avg(goldstein), 2) AS goldstein_mean
        FROM filtered GROUP BY cameo_root ORDER BY events DESC, cameo_root""", params)


def panel(con: duckdb.DuckDBPyConnection, f: EventFilters, by: "PanelBy", role: "PanelRole", merged: bool = True,
          all_precisions: bool = False) -> list[dict[str, Any]]:
    """The country x period panel of eventwire.corpus.panel, narrowed by the other filters. Dates and confidence
    go to the panel itself (for merged events they are the record's own); the rest select mentions
    (for merged events, their first mention)."""
    from fastapi import HTTPException

    spec = country_panel.PanelSpec(by=by.value, role=role.value, start=f.start, end=f.end, merged=merged,
                                   min_confidence=f.min_confidence, all_precisions=all_precisions)
    where, params = f.but(start=None, end=None, min_confidence=None, factual=False).where()
    try:
        return country_panel.panel_rows(con, spec, mention_where=where, mention_params=params)
    except country_panel.PanelError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


def quad_counts(con: duckdb.DuckDBPyConnection, f: EventFilters) -> dict[int, int]:
    cte, params = _filtered(f)
    return {r[0]: r[1] for r in con.execute(
        f"{cte} SELECT quad_class, count(*) FROM filtered WHERE quad_class IS NOT NULL GROUP BY 1", params).fetchall()}


def map_points(con: duckdb.DuckDBPyConnection, f: EventFilters, limit: int = 2000) -> list[dict[str, Any]]:
    """Located events grouped by place: name, country, coordinates, count and mean Goldstein."""
    cte, params = _filtered(f)
    return rows(con, f"""{cte}
        SELECT location_name AS name, location_country AS country,
               round(avg(location_lat), 4) AS lat, round(avg(location_lon), 4) AS lon,
               count(*) AS events, round(avg(goldstein), 2) AS goldstein_mean,
               count(*) FILTER (WHERE quad_class >= 3) AS conflict
        FROM filtered
        WHERE location_lat BETWEEN -90 AND 90 AND location_lon BETWEEN -180 AND 180
        GROUP BY location_name, location_country, round(location_lat, 2), round(location_lon, 2)
        ORDER BY events DESC, name LIMIT ?""", [*params, limit])


def totals(con: duckdb.DuckDBPyConnection, f: EventFilters) -> dict[str, Any]:
    cte, params = _filtered(f)
    found = one(con, f"""{cte}
        SELECT count(*) AS events, count(DISTINCT doc_id) AS documents,
               min(event_date) AS first_date, max(event_date) AS last_date,
               count(*) FILTER (WHERE location_lat IS NOT NULL) AS located,
               round(avg(goldstein), 2) AS goldstein_mean
        FROM filtered""", params)
    return found or {}


def store_counts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    version = None
    if table_columns(con, "meta"):
        found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = found[0] if found else None
    return {"events": events, "documents": documents, "schema_version": version}


def plain(rows_: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with dates as ISO strings, ready for JSON."""
    out = []
    for r in rows_:
        out.append({k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in r.items()})
    return out
