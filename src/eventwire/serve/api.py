"""JSON API under /api (OpenAPI at /docs and /openapi.json)."""
from __future__ import annotations

import hashlib
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Security
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from eventwire.corpus.panel import COLUMNS as PANEL_COLUMNS
from eventwire.records import Document
from eventwire.store import event_dict

from . import queries
from .auth import check_api_key
from .coding import CodingBusy, CodingFailed
from .db import Database
from .downloads import FetchedRows, Format, TableFormat, cap_headers, events_response, table_response
from .exports import ExportFormat, stream_export
from .filters import ACTOR_PATTERN, EventFilters, Sort, event_filters
from .markup import document_spans, full_text, highlight, sentence_offsets
from .mentions import mention_summary, mentions_of, representative
from .models import (DocumentOut, DocumentsCoded, DocumentsIn, EventDetail, EventPage, Health, NetworkOut,
                     PanelOut, SeriesOut)
from .queries import Level, PanelBy, PanelRole, Period
from .settings import ServeSettings

router = APIRouter(prefix="/api")

EVENT_ID = Path(pattern=r"^[A-Za-z0-9_.:-]{1,128}$", description="An event id (16 hex digits for coded events).")
DOC_ID = Path(min_length=1, max_length=500, description="A document id.")
ACTOR = Path(pattern=ACTOR_PATTERN, description="Actor code or country: PAK, PAKGOV, IGOUNO, ---REB.")
ERRORS = {422: {"description": "A parameter is not valid; `detail` says which and why."}}
NOT_FOUND = {404: {"description": "No such id in the store."}, **ERRORS}
TABLE_FORMAT = Query(description="json, or csv to download the table.")


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> ServeSettings:
    return request.app.state.settings


Db = Annotated[Database, Depends(get_db)]
Settings = Annotated[ServeSettings, Depends(get_settings)]
Filters = Annotated[EventFilters, Depends(event_filters)]


@router.get("/health", response_model=Health, summary="Is the server up, and how much does the store hold")
def health(db: Db) -> dict[str, Any]:
    with db.read() as con:
        return {"status": "ok", **queries.store_counts(con)}


def _next_url(request: Request, total: int, limit: int, offset: int) -> Optional[str]:
    if offset + limit >= total:
        return None
    return str(request.url.include_query_params(offset=offset + limit))


@router.get(
    "/events", response_model=EventPage, responses={**ERRORS, 200: {"content": {
        "application/x-ndjson": {}, "text/csv": {}, "application/vnd.apache.parquet": {}}}},
    summary="Events matching the filters, a page at a time, or all of them as a download",
)
def list_events(
    request: Request, db: Db, settings: Settings, f: Filters,
    sort: Annotated[Sort, Query(description="Order: -date (newest first), date, goldstein (most conflictual first), -goldstein.")] = Sort.newest,
    limit: Annotated[Optional[int], Query(ge=1, le=1000, description="Page size (default 50). Downloads return every matching event (up to the server's row cap) unless limit is given.")] = None,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
    format: Annotated[Format, Query(description="json (a page), or jsonl, csv, parquet (a file).")] = Format.json,
):
    if format is not Format.json:
        return _download_events(db, settings, f, sort, limit, offset, format)
    page_size = limit or 50
    with db.read() as con:
        total = queries.count_events(con, f)
        events = queries.event_page(con, f, sort, page_size, offset) if offset < total else []
    return {"total": total, "limit": page_size, "offset": offset,
            "next": _next_url(request, total, page_size, offset), "events": events}


SMALL_DOWNLOAD = 250  # rows: up to this many, fetching sentences by doc_id beats joining them all


def _download_events(db: Database, settings: ServeSettings, f: EventFilters, sort: Sort, limit: Optional[int],
                     offset: int, format: Format):
    """Every matching event (or `limit`), at most max_download_rows of them, streamed under download_timeout."""
    cap = settings.max_download_rows
    with db.read() as con:
        total = queries.count_events(con, f)
        wanted = max(0, total - offset) if limit is None else min(limit, max(0, total - offset))
        if 0 < wanted <= SMALL_DOWNLOAD and format is not Format.parquet:
            fetched = FetchedRows(queries.flat_page(con, f, sort, min(wanted, cap), offset))
            return events_response(fetched, format, event_dict, lambda: None, raw=settings.raw_csv,
                                   headers=cap_headers(total, wanted, cap))
    cursor = db.cursor()
    token = db.watchdog.watch(cursor, settings.download_timeout)

    def close() -> None:
        db.watchdog.release(token)
        cursor.close()

    try:
        executed = queries.event_cursor(cursor, f, sort, min(limit or cap, cap), offset)
    except BaseException:
        close()
        raise
    return events_response(executed, format, event_dict, close, raw=settings.raw_csv,
                           headers=cap_headers(total, wanted, cap))


@router.get("/events/{event_id}", response_model=EventDetail, responses=NOT_FOUND,
            summary="One event with its evidence and every report (mention) of it")
def get_event(db: Db, event_id: Annotated[str, EVENT_ID]) -> dict[str, Any]:
    with db.read() as con:
        found, merged = mentions_of(con, event_id)
        if not found:
            raise HTTPException(status_code=404, detail=f"no event {event_id!r}")
        row = representative(found, merged, event_id)
        document = queries.document_row(con, row["doc_id"])
    return {
        "event": event_dict(row),
        "document": _document_summary(document) if document else None,
        **mention_summary(found, merged),
    }


@router.get("/events/{event_id}/mentions", responses={**NOT_FOUND, 200: {"content": {"text/csv": {}}}},
            summary="The reports of one event as a table")
def get_mentions(db: Db, settings: Settings, event_id: Annotated[str, EVENT_ID],
                 format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    with db.read() as con:
        found, merged = mentions_of(con, event_id)
    if not found:
        raise HTTPException(status_code=404, detail=f"no event {event_id!r}")
    mentions = mention_summary(found, merged)["mentions"]
    if format is TableFormat.csv:
        flat = [{k: v for k, v in m.items() if k != "evidence"} | {"rule": m["evidence"]["rule"]} for m in mentions]
        return table_response(flat, f"mentions-{event_id}", raw=settings.raw_csv)
    return mentions


def _document_summary(doc: dict[str, Any]) -> dict[str, Any]:
    return {"doc_id": doc["doc_id"], "title": doc["title"],
            "date": doc["pub_date"].isoformat() if doc["pub_date"] else None,
            "source": doc["source"], "url": doc["url"], "origin": doc["origin"]}


def document_view(db: Database, doc_id: str) -> Optional[dict[str, Any]]:
    """A document with its text, events, spans in document offsets and the marked-up HTML."""
    with db.read() as con:
        doc = queries.document_row(con, doc_id)
        if doc is None:
            return None
        sentences = queries.document_sentences(con, doc_id)
        events = queries.document_events(con, doc_id)
    text = full_text(doc["title"], doc["text"])
    offsets = sentence_offsets(text, sentences)
    spans = document_spans(text, offsets, events)
    return {
        **_document_summary(doc),
        "text": text,
        "sentences": [{"index": s["sentence_index"], "start": offsets[s["sentence_index"]],
                       "end": offsets[s["sentence_index"]] + len(s["text"] or "")}
                      for s in sentences if s["sentence_index"] in offsets],
        "events": events,
        "spans": spans,
        "html": str(highlight(text, spans, offsets, sentences)),
    }


@router.get("/documents", responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="Stored documents, newest first, with their number of events")
def list_documents(db: Db, settings: Settings, limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
                   format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    with db.read() as con:
        found = queries.plain(queries.document_summaries(con, limit))
    return table_response(found, "documents", raw=settings.raw_csv) if format is TableFormat.csv else found


@router.get("/documents/{doc_id:path}", response_model=DocumentOut, responses=NOT_FOUND,
            summary="A document's text with the source, target and trigger spans of every event marked up")
def get_document(db: Db, doc_id: Annotated[str, DOC_ID]) -> dict[str, Any]:
    view = document_view(db, doc_id)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no document {doc_id!r}")
    return view


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                               description="The server's API key (EVENTWIRE_API_KEY). `Authorization: Bearer KEY` works too.")


def require_api_key(request: Request, _key: Annotated[Optional[str], Security(_api_key_header)] = None) -> None:
    """Checked before the body is read by the middleware in app.py too; this documents it and checks again."""
    problem = check_api_key(request.headers, request.app.state.api_key)
    if problem:
        raise HTTPException(status_code=401, detail=problem, headers={"WWW-Authenticate": "Bearer"})


@router.post(
    "/documents", status_code=201, response_model=DocumentsCoded,
    dependencies=[Depends(require_api_key)],
    responses={401: {"description": "No valid API key: nothing is coded or written."},
               413: {"description": "The request body is larger than the server accepts."},
               422: {"description": "A bad body, or documents that could not be coded (the pipeline failed, or "
                                    "coding ran past the server's time budget); `detail` says why. Nothing is stored."},
               503: {"description": "The server was busy coding other posts for the whole budget; try again."}},
    summary="Code new articles and store them (needs the API key)",
)
async def post_documents(request: Request, body: DocumentsIn) -> dict[str, Any]:
    documents = [
        Document(id=d.id or "api-" + hashlib.sha1(((d.title or "") + "\x00" + d.text).encode()).hexdigest()[:16],
                 text=d.text, title=d.title, date=d.date, source=d.source, url=d.url, origin="api")
        for d in body.documents
    ]
    ids = [d.id for d in documents]
    if len(set(ids)) != len(ids):
        raise HTTPException(status_code=422, detail="two documents in one request have the same id")
    try:
        coded = await request.app.state.coder.code_and_store(documents)
    except CodingFailed as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except CodingBusy as exc:
        raise HTTPException(status_code=503, detail=str(exc), headers={"Retry-After": "5"}) from None
    return await run_in_threadpool(_coded_answer, request.app.state.db, coded)


def _coded_answer(db: Database, coded: list) -> dict[str, Any]:
    out_docs, out_events = [], []
    with db.read() as con:
        for c in coded:
            events = queries.document_events(con, c.document.id)
            out_docs.append({"doc_id": c.document.id, "events": len(events),
                             "event_ids": [e["event_id"] for e in events]})
            out_events.extend(events)
    return {"documents": out_docs, "events": out_events}


@router.get("/series", response_model=SeriesOut, responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="Per period: event count, Goldstein sum and mean, and QuadClass counts")
def get_series(db: Db, settings: Settings, f: Filters,
               by: Annotated[Period, Query(description="day, week (starting Monday), month or year")] = Period.week,
               format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    with db.read() as con:
        points = queries.series(con, f, by)
    if format is TableFormat.csv:
        return table_response(points, f"series-{f.dyad or 'all'}-{by.value}",
                              ["period", "events", "goldstein_sum", "goldstein_mean", "quad1", "quad2", "quad3", "quad4"],
                              raw=settings.raw_csv)
    return {"by": by.value, "dyad": f.dyad, "series": points}


@router.get("/panel", response_model=PanelOut, responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="Country x period panel: events and Goldstein sum per country and month (or week)")
def get_panel(db: Db, settings: Settings, f: Filters,
              by: Annotated[PanelBy, Query(description="month, or week (starting Monday)")] = PanelBy.month,
              role: Annotated[PanelRole, Query(description="Whose country: source, target, or either (both sides).")] = PanelRole.either,
              merged: Annotated[bool, Query(description="Count merged events (one per real-world event; filters apply to "
                                                        "their first mention) or raw mentions (false).")] = True,
              all_precisions: Annotated[bool, Query(description="Also count events dated only to the year.")] = False,
              format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    """Every country that has an event, for every period from the first to the last (zeros included), as
    `eventwire panel` makes it. Negated and hypothetical mentions are never counted."""
    with db.read() as con:
        rows = queries.panel(con, f, by, role, merged, all_precisions)
    if format is TableFormat.csv:
        return table_response(queries.plain(rows), f"panel-{role.value}-{by.value}", list(PANEL_COLUMNS),
                              raw=settings.raw_csv)
    return {"by": by.value, "role": role.value, "merged": merged, "rows": queries.plain(rows)}


@router.get("/export", responses={**ERRORS, 413: {"description": "A Parquet export over the server's row cap."},
                                  200: {"content": {"text/tab-separated-values": {}, "application/x-ndjson": {},
                                                    "text/csv": {}, "application/vnd.apache.parquet": {}}}},
            summary="The whole store as `eventwire export` writes it: GDELT 2.0, PLOVER JSONL, Parquet or CSV")
def get_export(request: Request, db: Db, settings: Settings,
               format: Annotated[ExportFormat, Query(description="gdelt (61 tab-separated GDELT 2.0 columns), plover "
                                                                 "(JSONL), parquet or csv.")],
               merged: Annotated[bool, Query(description="Merged event records (default) or every raw mention.")] = True,
               header: Annotated[bool, Query(description="gdelt: add a row of GDELT column names.")] = False):
    """At most the server's row cap (`X-Row-Limit`); `X-Total-Count` and `X-Truncated` say whether the file
    was cut. Filters do not apply: for a filtered set use `/api/events?format=csv|jsonl|parquet`."""
    return stream_export(db, request.app.state.exports, format, merged, header=header, cap=settings.max_download_rows,
                         raw_csv=settings.raw_csv,
                         timeout=settings.download_timeout)


@router.get("/network", response_model=NetworkOut, responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="Actor graph: directed edges with event counts and mean Goldstein")
def get_network(db: Db, settings: Settings, f: Filters,
                level: Annotated[Level, Query(description="country (PAKGOV counts as PAK) or actor (full codes)")] = Level.country,
                limit: Annotated[int, Query(ge=1, le=5000, description="The busiest edges to return.")] = 200,
                format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    with db.read() as con:
        graph = queries.network(con, f, level, limit)
    if format is TableFormat.csv:
        return table_response(graph["edges"], "network", ["source", "target", "events", "goldstein_mean", "conflict"],
                              raw=settings.raw_csv)
    return graph


def _table(name: str, found: list[dict[str, Any]], format: TableFormat, settings: ServeSettings):
    found = queries.plain(found)
    return table_response(found, name, raw=settings.raw_csv) if format is TableFormat.csv else found


@router.get("/dyads", responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="The busiest actor pairs (either direction) with mean Goldstein and QuadClass counts")
def get_dyads(db: Db, settings: Settings, f: Filters, level: Annotated[Level, Query()] = Level.country,
              limit: Annotated[int, Query(ge=1, le=1000)] = 20,
              format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    with db.read() as con:
        return _table("dyads", queries.top_dyads(con, f, level, limit), format, settings)


@router.get("/actors", responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="The most active actors, as source and as target")
def get_actors(db: Db, settings: Settings, f: Filters, level: Annotated[Level, Query()] = Level.country,
               limit: Annotated[int, Query(ge=1, le=1000)] = 20,
               format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    with db.read() as con:
        return _table("actors", queries.top_actors(con, f, level, limit), format, settings)


@router.get("/actors/{code}/partners", responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="Who an actor deals with: events each way and mean Goldstein per partner")
def get_partners(db: Db, settings: Settings, f: Filters, code: Annotated[str, ACTOR],
                 level: Annotated[Level, Query()] = Level.country,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 30,
                 format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    with db.read() as con:
        return _table(f"partners-{code.upper()}", queries.partners(con, f, code.upper(), level, limit), format, settings)


@router.get("/mix", responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="Events per CAMEO root (the event mix)")
def get_mix(db: Db, settings: Settings, f: Filters, format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    with db.read() as con:
        return _table("event-mix", queries.event_mix(con, f), format, settings)


@router.get("/places", responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
            summary="Located events grouped by place, with coordinates")
def get_places(db: Db, settings: Settings, f: Filters, limit: Annotated[int, Query(ge=1, le=10_000)] = 2000,
               format: Annotated[TableFormat, TABLE_FORMAT] = TableFormat.json):
    with db.read() as con:
        return _table("places", queries.map_points(con, f, limit), format, settings)
