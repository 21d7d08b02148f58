"""The dashboard: server-rendered HTML pages over the same queries as the API.

Pages take the API's filter parameters, so any view can be narrowed (`/?start=2024-01-01&factual=true`)
and every table links to the API call that downloads it as CSV.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from eventwire import ontology
from eventwire.corpus import panel as country_panel
from eventwire.store import event_dict

from . import charts, colors, queries, worldmap
from .api import document_view, get_db
from .db import Database
from .exports import ExportFormat
from .filters import ACTOR_PATTERN, DatePrecision, EventFilters, PloverType, Sort, event_filters
from .markup import sentence_highlight
from .mentions import mention_summary, mentions_of, representative
from .queries import Level, PanelBy, PanelRole, Period

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

Db = Annotated[Database, Depends(get_db)]
Filters = Annotated[EventFilters, Depends(event_filters)]
Offset = Annotated[int, Query(ge=0, le=100_000_000)]
PAGE_SIZE = 50


# -- template helpers -----------------------------------------------------------------------------


def cameo_name(code: Optional[str]) -> str:
    return ontology.cameo(code).name if code and ontology.is_cameo_code(code) else ""


def actor_url(code: Optional[str]) -> str:
    return f"/actors/{quote(code, safe='')}" if code else "#"


def dyad_url(a: str, b: str) -> str:
    return f"/dyads/{quote(a, safe='')}/{quote(b, safe='')}"


def event_url(event_id: str) -> str:
    return f"/events/{quote(event_id, safe='')}"


def document_url(doc_id: str, event_id: Optional[str] = None) -> str:
    url = f"/documents/{quote(doc_id, safe='')}"
    return f"{url}?event={quote(event_id, safe='')}#e-{event_id}" if event_id else url


def with_params(path: str, f: Optional[EventFilters] = None, **extra: Any) -> str:
    """`path` with the filters and extra parameters as a query string (None values left out)."""
    items = list(f.query_items()) if f else []
    names = set(extra)
    items = [(k, v) for k, v in items if k not in names]
    for k, v in extra.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            items.extend((k, str(x)) for x in v)
        else:
            items.append((k, str(v).lower() if isinstance(v, bool) else str(v)))
    return f"{path}?{urlencode(items)}" if items else path


def side_name(actor: Optional[dict[str, Any]]) -> Optional[str]:
    """An event side as the country level names it: the country, else (IGOs, "---REB") the code."""
    if not actor:
        return None
    country = actor.get("country")
    return country if country and country != "---" else actor.get("code")


def safe_url(url: Optional[str]) -> Optional[str]:
    """Only http(s) links from stored documents become hrefs (a posted "javascript:" URL must not)."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def goldstein(value: Optional[float]) -> str:
    return "" if value is None else f"{value:+.1f}"


def make_templates(directory: Path) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(directory))
    templates.env.finalize = lambda value: "" if value is None else value  # a missing field shows as blank
    templates.env.globals.update(
        cameo_name=cameo_name, root_name=lambda r: cameo_name(r), quad_names=ontology.QUAD_CLASS_NAMES,
        quad_colors=charts.QUAD_COLORS, actor_url=actor_url, dyad_url=dyad_url, event_url=event_url,
        document_url=document_url, with_params=with_params, goldstein=goldstein, side_name=side_name,
        safe_url=safe_url,
        goldstein_color=charts.goldstein_color, gs_class=colors.goldstein_class,
        plover_types=[p.value for p in PloverType], precisions=[p.value for p in DatePrecision],
        quad_mix=charts.quad_mix, export_formats=[f.value for f in ExportFormat],
        highlight=lambda e: sentence_highlight(e.get("sentence") or "", e["evidence"], e["event_id"]),
    )
    return templates


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, status=status_code, message=message,
                  f=EventFilters())


def _auto_period(first: Optional[dt.date], last: Optional[dt.date], shortest: Period = Period.day) -> Period:
    """A period that keeps a timeline readable: at most ~150 bars."""
    if not first or not last:
        return Period.week
    days = (last - first).days
    for period, max_days in ((Period.day, 150), (Period.week, 150 * 7), (Period.month, 150 * 30)):
        if days <= max_days and list(Period).index(period) >= list(Period).index(shortest):
            return period
    return Period.year


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _label_roots(mix: list[dict[str, Any]]) -> None:
    for m in mix:
        m["label"] = _short(f"{m['cameo_root']} {cameo_name(m['cameo_root']).lower()}", 30)


def _pager(total: int, offset: int, limit: int = PAGE_SIZE) -> dict[str, Any]:
    return {"total": total, "offset": offset, "limit": limit,
            "prev": max(0, offset - limit) if offset > 0 else None,
            "next": offset + limit if offset + limit < total else None,
            "first": offset + 1 if total else 0, "last": min(total, offset + limit)}


# -- pages ----------------------------------------------------------------------------------------


@router.get("/")
def overview(request: Request, db: Db, f: Filters, by: Annotated[Optional[Period], Query()] = None):
    with db.read() as con:
        totals = queries.totals(con, f)
        period = by or _auto_period(totals.get("first_date"), totals.get("last_date"))
        points = queries.series(con, f, period)
        dyads = queries.top_dyads(con, f, Level.country, 12)
        actors = queries.top_actors(con, f, Level.country, 12)
        recent = queries.event_page(con, f, Sort.newest, 10, 0)
        quads = queries.quad_counts(con, f)
        documents = queries.document_summaries(con, 12) if f.is_empty() else []
    return render(request, "overview.html", f=f, totals=totals, period=period.value,
                  chart=charts.quad_stacked_bars(points), dyads=dyads, actors=actors, events=recent,
                  quads=quads, documents=documents)


@router.get("/events")
def events_page(request: Request, db: Db, f: Filters, offset: Offset = 0,
                sort: Annotated[Sort, Query()] = Sort.newest):
    with db.read() as con:
        total = queries.count_events(con, f)
        events = queries.event_page(con, f, sort, PAGE_SIZE, offset)
    return render(request, "events.html", f=f, events=events, paging=_pager(total, offset), sort=sort.value)


@router.get("/events/{event_id}")
def event_page(request: Request, db: Db, event_id: Annotated[str, PathParam(max_length=128)]):
    with db.read() as con:
        found, merged = mentions_of(con, event_id)
        if not found:
            raise HTTPException(status_code=404, detail=f"No event {event_id!r} in this store.")
        row = representative(found, merged, event_id)
        document = queries.document_row(con, row["doc_id"])
    event = event_dict(row)
    return render(request, "event.html", f=EventFilters(), event=event, document=document,
                  merged=mention_summary(found, merged), sentence=sentence_highlight(event["sentence"] or "",
                                                                            event["evidence"], event["event_id"]))


@router.get("/documents")
def documents_page(request: Request, db: Db):
    with db.read() as con:
        documents = queries.document_summaries(con, 500)
    return render(request, "documents.html", f=EventFilters(), documents=documents)


@router.get("/documents/{doc_id:path}")
def document_page(request: Request, db: Db, doc_id: Annotated[str, PathParam(max_length=500)],
                  event: Annotated[Optional[str], Query(max_length=128)] = None):
    view = document_view(db, doc_id)
    if view is None:
        raise HTTPException(status_code=404, detail=f"No document {doc_id!r} in this store.")
    return render(request, "document.html", f=EventFilters(doc_id=doc_id), doc=view,
                  html=Markup(view["html"]), focus=event)


@router.get("/dyads/{a}/{b}")
def dyad_page(request: Request, db: Db, f: Filters,
              a: Annotated[str, PathParam(pattern=ACTOR_PATTERN)], b: Annotated[str, PathParam(pattern=ACTOR_PATTERN)],
              offset: Offset = 0, by: Annotated[Optional[Period], Query()] = None):
    a, b = a.upper(), b.upper()
    f = replace(f, dyad=f"{a}-{b}")
    with db.read() as con:
        totals = queries.totals(con, f)
        # Goldstein per week, unless the dyad's events span too many weeks to read
        by = by or _auto_period(totals.get("first_date"), totals.get("last_date"), shortest=Period.week)
        points = queries.series(con, f, by)
        total = queries.count_events(con, f)
        events = queries.event_page(con, f, Sort.newest, PAGE_SIZE, offset)
        forward = queries.count_events(con, replace(f, directed=True))
        mix = queries.event_mix(con, f)
    _label_roots(mix)
    return render(request, "dyad.html", f=f, a=a, b=b, by=by.value, total=total, forward=forward,
                  totals=totals, events=events, paging=_pager(total, offset),
                  chart=charts.goldstein_timeline(points, period=by.value),
                  mix_chart=charts.hbars(mix, "label", "events",
                                         color_of=lambda m: charts.QUAD_COLORS.get(m["quad_class"], "#999"),
                                         link_of=lambda m: with_params("/events", f, root=m["cameo_root"])),
                  mix=mix)


@router.get("/actors/{code}")
def actor_page(request: Request, db: Db, f: Filters, code: Annotated[str, PathParam(pattern=ACTOR_PATTERN)],
               offset: Offset = 0, level: Annotated[Level, Query()] = Level.country):
    code = code.upper()
    scoped = replace(f, actor=code)
    with db.read() as con:
        partners = queries.partners(con, f, code, level, 30)
        mix = queries.event_mix(con, scoped)
        totals = queries.totals(con, scoped)
        points = queries.series(con, scoped, _auto_period(totals.get("first_date"), totals.get("last_date")))
        total = queries.count_events(con, scoped)
        events = queries.event_page(con, scoped, Sort.newest, PAGE_SIZE, offset)
    _label_roots(mix)
    return render(request, "actor.html", f=scoped, code=code, level=level.value, partners=partners, mix=mix,
                  totals=totals, events=events, paging=_pager(total, offset), total=total,
                  network=charts.ego_network(code, partners, actor_url),
                  mix_chart=charts.hbars(mix, "label", "events",
                                         color_of=lambda m: charts.QUAD_COLORS.get(m["quad_class"], "#999"),
                                         link_of=lambda m: with_params("/events", scoped, root=m["cameo_root"])),
                  chart=charts.quad_stacked_bars(points))


@router.get("/map")
def map_page(request: Request, db: Db, f: Filters):
    with db.read() as con:
        points = queries.map_points(con, f, 2000)
        totals = queries.totals(con, f)
    return render(request, "map.html", f=f, points=points, totals=totals,
                  chart=worldmap.world_map(points, lambda p: with_params("/events", f, place=p["name"] or p["country"])))


class PanelValue(str, Enum):
    events = "events"
    goldstein_sum = "goldstein_sum"


PANEL_COUNTRIES = 40   # rows on the page; the CSV has every country
PANEL_PERIODS = 60     # the latest this many columns


@router.get("/panel")
def panel_page(request: Request, db: Db, f: Filters, by: Annotated[PanelBy, Query()] = PanelBy.month,
               role: Annotated[PanelRole, Query()] = PanelRole.either, merged: Annotated[bool, Query()] = True,
               all_precisions: Annotated[bool, Query()] = False,
               value: Annotated[PanelValue, Query()] = PanelValue.events):
    with db.read() as con:
        rows = queries.panel(con, f, by, role, merged, all_precisions)
        unmerged = merged and not rows and con.execute("SELECT count(*) FROM merged_events").fetchone()[0] == 0
    options = {"by": by.value, "role": role.value, "merged": merged, "all_precisions": all_precisions or None,
               "value": value.value}
    return render(request, "panel.html", f=f, options=options, unmerged=unmerged,
                  panel=panel_view(rows, f, by.value, role.value, value.value),
                  csv_url=with_params("/api/panel", f, **{k: v for k, v in options.items() if k != "value"},
                                      format="csv"))


def panel_view(rows: list[dict[str, Any]], f: EventFilters, by: str, role: str, value: str) -> dict[str, Any]:
    """The heatmap table: the busiest countries down, the latest periods across, each cell with its colour
    class, tooltip and a link to its events."""
    countries, periods, _ = country_panel.matrix(rows, "events", PANEL_COUNTRIES)
    shown = periods[-PANEL_PERIODS:]
    by_cell = {(r["country"], r["period"]): r for r in rows}
    cells = [by_cell[(c, p)] for c in countries for p in shown]
    top = max((r["events"] for r in cells), default=0)
    extent = max((abs(r["goldstein_sum"] or 0) for r in cells), default=0)
    side = {"either": "country", "source": "source", "target": "target"}[role]
    table = []
    for c in countries:
        own = [by_cell[(c, p)] for p in periods]
        row = {"country": c, "events": sum(r["events"] for r in own),
               "goldstein_sum": round(sum(r["goldstein_sum"] or 0 for r in own), 1), "cells": []}
        for p in shown:
            r = by_cell[(c, p)]
            last = _period_end(p, by)
            start, end = max(p, f.start or p), min(last, f.end or last)
            row["cells"].append({
                "text": (r["events"] or "") if value == "events" else (f"{r['goldstein_sum']:+.0f}" if r["events"] else ""),
                "class": colors.heat_class(r["events"], top) if value == "events"
                else colors.sum_class(r["goldstein_sum"] or 0, extent),
                "title": f"{c} · {country_panel.period_label(p, by)}: {r['events']} events, Goldstein sum "
                         f"{r['goldstein_sum']:+.1f}" + (f", mean {r['goldstein_mean']:+.2f}" if r["goldstein_mean"] is not None else ""),
                "href": with_params("/events", f.but(**{side: c}), start=start.isoformat(), end=end.isoformat())
                if r["events"] else None,
            })
        table.append(row)
    return {"rows": table, "periods": [country_panel.period_label(p, by) for p in shown], "n_periods": len(periods),
            "n_countries": len({r["country"] for r in rows})}


def _period_end(start: dt.date, by: str) -> dt.date:
    if by == "week":
        return start + dt.timedelta(days=6)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@router.get("/colors.css")
def colors_css() -> Response:
    return Response(colors.stylesheet(), media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})
