"""Event filters shared by the API and the dashboard, turned into a parameterised SQL WHERE clause.

Values only ever reach DuckDB as `?` parameters. The only identifiers that go into SQL text are the
column names written in this module (and the sort orders in SORTS), never anything from a request.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields, replace
from enum import Enum, IntEnum
from typing import Annotated, Any, Optional

from fastapi import HTTPException, Query

from eventwire import ontology

# Actor codes: "PAK", "PAKGOV", "IGOUNO", "---REB" (rebels of unknown country).
ACTOR_PATTERN = r"^[A-Za-z0-9-]{1,40}$"
_DYAD_SIDE = r"(?:-{3}[A-Z0-9]*|[A-Z0-9]+)"
_DYAD = re.compile(rf"^({_DYAD_SIDE})-({_DYAD_SIDE})$")

PloverType = Enum("PloverType", {t: t for t in ontology.plover_types()}, type=str)


class QuadClass(IntEnum):
    verbal_cooperation = 1
    material_cooperation = 2
    verbal_conflict = 3
    material_conflict = 4


class DatePrecision(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


class Sort(str, Enum):
    newest = "-date"
    oldest = "date"
    most_conflictual = "goldstein"
    most_cooperative = "-goldstein"


# ORDER BY for each Sort; event_id last so pages are stable.
SORTS = {
    Sort.newest: "event_date DESC NULLS LAST, event_id",
    Sort.oldest: "event_date ASC NULLS LAST, event_id",
    Sort.most_conflictual: "goldstein ASC NULLS LAST, event_id",
    Sort.most_cooperative: "goldstein DESC NULLS LAST, event_id",
}


def unprocessable(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


def parse_dyad(value: str) -> tuple[str, str]:
    """'PAK-RUS' -> ('PAK', 'RUS'); '---REB-COL' -> ('---REB', 'COL')."""
    match = _DYAD.match(value.strip().upper())
    if not match:
        raise unprocessable(
            f"dyad {value!r} is not two actor codes joined by '-', e.g. 'PAK-RUS', 'USAGOV-CHN' or '---REB-COL'"
        )
    return match.group(1), match.group(2)


def side_match(side: str, code: str) -> tuple[str, list[Any]]:
    """One side of an event (side is the literal 'source' or 'target') matches an actor code or country:
    'PAK' matches country PAK and codes PAK, PAKGOV, PAKMIL ...; 'IGOUNO' matches IGOUNO and IGOUNOMIL."""
    assert side in ("source", "target")
    return f"({side}_country = ? OR starts_with({side}_code, ?))", [code, code]


@dataclass
class EventFilters:
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None
    actor: Optional[str] = None
    country: Optional[str] = None
    source: Optional[str] = None
    target: Optional[str] = None
    dyad: Optional[str] = None
    directed: bool = False
    root: Optional[str] = None
    cameo: Optional[str] = None
    plover: Optional[str] = None
    quad_class: list[int] = field(default_factory=list)
    place: Optional[str] = None
    q: Optional[str] = None
    doc_id: Optional[str] = None
    factual: bool = False
    min_confidence: Optional[float] = None
    precision: list[str] = field(default_factory=list)
    both_known: bool = False

    def __post_init__(self) -> None:
        for name in ("actor", "country", "source", "target", "dyad"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value.strip().upper() or None)
        if self.dyad:
            parse_dyad(self.dyad)
        if self.start and self.end and self.start > self.end:
            raise unprocessable(f"start {self.start} is after end {self.end}")
        for name in ("q", "place"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value.strip() or None)

    def where(self) -> tuple[str, list[Any]]:
        """SQL condition over the events table and its parameters (use it on `events` alone, not in a join)."""
        clauses: list[str] = []
        params: list[Any] = []

        def add(clause: str, *values: Any) -> None:
            clauses.append(clause)
            params.extend(values)

        if self.start:
            add("event_date >= ?", self.start)
        if self.end:
            add("event_date <= ?", self.end)
        if self.actor:
            src, src_params = side_match("source", self.actor)
            tgt, tgt_params = side_match("target", self.actor)
            add(f"({src} OR {tgt})", *src_params, *tgt_params)
        if self.country:
            add("(source_country = ? OR target_country = ?)", self.country, self.country)
        if self.source:
            add(*_clause(side_match("source", self.source)))
        if self.target:
            add(*_clause(side_match("target", self.target)))
        if self.dyad:
            a, b = parse_dyad(self.dyad)
            sa, pa = side_match("source", a)
            tb, pb = side_match("target", b)
            forward = f"({sa} AND {tb})"
            if self.directed:
                add(forward, *pa, *pb)
            else:
                sb, pb2 = side_match("source", b)
                ta, pa2 = side_match("target", a)
                add(f"({forward} OR ({sb} AND {ta}))", *pa, *pb, *pb2, *pa2)
        if self.root:
            add("cameo_root = ?", self.root)
        if self.cameo:
            add("starts_with(cameo, ?)", self.cameo)
        if self.plover:
            add("plover = ?", self.plover)
        if self.quad_class:
            add(f"quad_class IN ({', '.join('?' for _ in self.quad_class)})", *self.quad_class)
        if self.place:
            add("(contains(lower(location_name), lower(?)) OR location_country = upper(?) "
                "OR lower(location_admin1) = lower(?))", self.place, self.place, self.place)
        if self.q:
            # Free text: the actor texts, the trigger, or the evidence sentence.
            add("(contains(lower(source_text), lower(?)) OR contains(lower(target_text), lower(?)) "
                "OR contains(lower(trigger), lower(?)) OR (doc_id, sentence_index) IN "
                "(SELECT doc_id, sentence_index FROM sentences WHERE contains(lower(text), lower(?))))",
                self.q, self.q, self.q, self.q)
        if self.doc_id:
            add("doc_id = ?", self.doc_id)
        if self.factual:
            clauses.append("NOT coalesce(negated, false) AND NOT coalesce(hypothetical, false)")
        if self.min_confidence is not None:  # events coded without a scorer have no confidence: kept
            add("(confidence IS NULL OR confidence >= ?)", self.min_confidence)
        if self.precision:
            add(f"date_precision IN ({', '.join('?' for _ in self.precision)})", *self.precision)
        if self.both_known:  # "---" is an actor the coder could not identify; "---REB" has no country either
            clauses.append("source_code IS NOT NULL AND target_code IS NOT NULL AND NOT starts_with(source_code, '---') "
                           "AND NOT starts_with(target_code, '---')")
        if not clauses:
            return "TRUE", []
        return " AND ".join(clauses), params

    def query_items(self) -> list[tuple[str, str]]:
        """The filters as (name, value) pairs for building links (None and defaults left out)."""
        items: list[tuple[str, str]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value is False or value == []:
                continue
            if isinstance(value, list):
                items.extend((f.name, str(v)) for v in value)
            elif value is True:
                items.append((f.name, "true"))
            else:
                items.append((f.name, str(value)))
        return items

    def but(self, **changes: Any) -> "EventFilters":
        """A copy with some filters changed (None removes one)."""
        return replace(self, **changes)

    def is_empty(self) -> bool:
        return not self.query_items()


def _clause(pair: tuple[str, list[Any]]) -> tuple[Any, ...]:
    return (pair[0], *pair[1])


def event_filters(
    start: Annotated[Optional[dt.date], Query(description="Events on or after this date (YYYY-MM-DD).")] = None,
    end: Annotated[Optional[dt.date], Query(description="Events on or before this date (YYYY-MM-DD).")] = None,
    actor: Annotated[Optional[str], Query(pattern=ACTOR_PATTERN,
                                          description="Actor code or country on either side: PAK matches PAK, PAKGOV, PAKMIL.")] = None,
    country: Annotated[Optional[str], Query(pattern=r"^[A-Za-z]{3}$",
                                            description="ISO3 country of the source or the target.")] = None,
    source: Annotated[Optional[str], Query(pattern=ACTOR_PATTERN, description="Source actor code or country (prefix).")] = None,
    target: Annotated[Optional[str], Query(pattern=ACTOR_PATTERN, description="Target actor code or country (prefix).")] = None,
    dyad: Annotated[Optional[str], Query(pattern=r"^[A-Za-z0-9-]{3,81}$",
                                         description="Two actors joined by '-', e.g. PAK-RUS; either direction unless directed=true.")] = None,
    directed: Annotated[bool, Query(description="With dyad: only events from the first actor to the second.")] = False,
    root: Annotated[Optional[str], Query(pattern=r"^[0-9]{2}$", description="CAMEO root, e.g. 19.")] = None,
    cameo: Annotated[Optional[str], Query(pattern=r"^[0-9]{2,4}$",
                                          description="CAMEO code or code prefix, e.g. 112 (matches 112, 1121, ...).")] = None,
    plover: Annotated[Optional[PloverType], Query(description="PLOVER event type.")] = None,
    quad_class: Annotated[Optional[list[QuadClass]], Query(
        description="QuadClass: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict. Repeat for several.")] = None,
    place: Annotated[Optional[str], Query(max_length=100,
                                          description="Place name (substring), ISO3 country or admin1 region of the event location.")] = None,
    q: Annotated[Optional[str], Query(max_length=200,
                                      description="Free text in the evidence sentence, actor texts or trigger (case-insensitive).")] = None,
    doc_id: Annotated[Optional[str], Query(max_length=500, description="Only events of this document.")] = None,
    factual: Annotated[bool, Query(description="Leave out negated and hypothetical events.")] = False,
    min_confidence: Annotated[Optional[float], Query(
        ge=0.0, le=1.0, description="Only events the scorer gave at least this confidence (0-1).")] = None,
    precision: Annotated[Optional[list[DatePrecision]], Query(
        description="Only events whose date is known to this precision: day, week, month, year. Repeat for several.")] = None,
    both_known: Annotated[bool, Query(
        description="Only events whose source and target are both identified (codes present, not starting with '---').")] = False,
) -> EventFilters:
    return EventFilters(
        start=start, end=end, actor=actor, country=country, source=source, target=target, dyad=dyad,
        directed=directed, root=root, cameo=cameo, plover=plover.value if plover else None,
        quad_class=sorted({int(c) for c in quad_class or []}), place=place, q=q, doc_id=doc_id, factual=factual,
        min_confidence=min_confidence, precision=[p.value for p in DatePrecision if p in set(precision or [])],
        both_known=both_known,
    )
