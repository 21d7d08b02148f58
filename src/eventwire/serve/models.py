"""Request and response shapes of the HTTP API (they are what /docs and /openapi.json show).

`EventOut` is the `Event.to_dict()` JSONL contract of README "Output format"; the other models wrap it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_DOCUMENTS_PER_POST = 50
MAX_TEXT_CHARS = 200_000


class ActorOut(BaseModel):
    text: Optional[str] = None
    code: Optional[str] = None
    country: Optional[str] = None
    sector: Optional[str] = None


class LocationOut(BaseModel):
    name: Optional[str] = None
    country: Optional[str] = None
    admin1: Optional[str] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    geonames_id: Optional[int] = None
    precision: Optional[str] = None
    rule: Optional[str] = None


class EvidenceOut(BaseModel):
    source_span: Optional[list[int]] = None
    target_span: Optional[list[int]] = None
    trigger_span: Optional[list[int]] = None
    rule: Optional[str] = None


class EventOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    event_id: str
    doc_id: str
    sentence_index: int
    sentence: Optional[str] = None
    source: Optional[ActorOut] = None
    target: Optional[ActorOut] = None
    cameo: str
    cameo_root: Optional[str] = None
    trigger: Optional[str] = None
    plover: Optional[str] = None
    mode: list[str] = Field(default_factory=list, description="PLOVER mode(s).")
    context: list[str] = Field(default_factory=list, description="PLOVER context(s).")
    goldstein: Optional[float] = None
    quad_class: Optional[int] = None
    negated: Optional[bool] = None
    hypothetical: Optional[bool] = None
    confidence: Optional[float] = Field(None, description="The scorer's probability that the event is right (0-1).")
    attributed_to: Optional[ActorOut] = None
    date: Optional[str] = None
    date_precision: Optional[str] = None
    date_source: Optional[str] = None
    location: Optional[LocationOut] = None
    evidence: EvidenceOut


class EventPage(BaseModel):
    total: int = Field(description="Events matching the filters.")
    limit: int
    offset: int
    next: Optional[str] = Field(None, description="URL of the next page, if there is one.")
    events: list[EventOut]


class MentionOut(BaseModel):
    event_id: str
    doc_id: str
    sentence_index: int
    sentence: Optional[str] = None
    date: Optional[str] = None
    document_title: Optional[str] = None
    document_source: Optional[str] = None
    document_url: Optional[str] = None
    evidence: EvidenceOut


class EventDetail(BaseModel):
    event: EventOut
    document: Optional[dict[str, Any]] = None
    merged_id: Optional[str] = Field(None, description="The merged event record (merged_events) it belongs to, if any.")
    num_mentions: int = Field(description="Reports of this event (1 when it is in no merged record).")
    num_articles: int
    num_sources: int
    mentions: list[MentionOut]


class SpanOut(BaseModel):
    start: int = Field(description="Offset into the document text.")
    end: int
    role: str = Field(description="source, target or trigger")
    event_id: str


class DocumentOut(BaseModel):
    doc_id: str
    title: Optional[str] = None
    date: Optional[str] = None
    source: Optional[str] = None
    url: Optional[str] = None
    origin: Optional[str] = None
    text: str = Field(description="The coded text: the title, a blank line, then the body.")
    sentences: list[dict[str, int]]
    events: list[EventOut]
    spans: list[SpanOut]
    html: str = Field(description="`text` as HTML with every span in a <mark> element.")


class SeriesPoint(BaseModel):
    period: str
    events: int
    goldstein_sum: float
    goldstein_mean: Optional[float] = None
    quad1: int
    quad2: int
    quad3: int
    quad4: int


class SeriesOut(BaseModel):
    by: str
    dyad: Optional[str] = None
    series: list[SeriesPoint]


class PanelRow(BaseModel):
    country: str = Field(description="ISO3 country of the actor (source, target or either, as asked).")
    period: str = Field(description="First day of the month or week (Monday).")
    events: int
    goldstein_sum: float
    goldstein_mean: Optional[float] = None
    quad1: int
    quad2: int
    quad3: int
    quad4: int


class PanelOut(BaseModel):
    by: str
    role: str
    merged: bool
    rows: list[PanelRow] = Field(description="Every country x every period from the first to the last, zeros included.")


class NetworkEdge(BaseModel):
    source: str
    target: str
    events: int
    goldstein_mean: Optional[float] = None
    conflict: int = Field(description="Events in QuadClass 3 or 4.")


class NetworkNode(BaseModel):
    id: str
    events: int


class NetworkOut(BaseModel):
    level: str
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]


class Health(BaseModel):
    status: str
    events: int
    documents: int
    schema_version: Optional[str] = None


def _utf8(value: Optional[str]) -> Optional[str]:
    """Reject strings DuckDB cannot store (lone surrogates from JSON "\\ud800" escapes), and NUL characters
    (no article has one; they cut strings short in C code and logs), with a 422."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"not valid Unicode text: {exc.reason} at position {exc.start}") from None
        if "\x00" in value:
            raise ValueError(f"contains a NUL character (\\u0000) at position {value.index(chr(0))}")
    return value


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Optional[str] = Field(None, min_length=1, max_length=500,
                              description="Document id; re-posting an id replaces that document. Default: a hash of the text.")
    title: Optional[str] = Field(None, max_length=2000)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    date: Optional[dt.date] = Field(None, description="Publication date: the base for relative dates.")
    source: Optional[str] = Field(None, max_length=500)
    url: Optional[str] = Field(None, max_length=2000)

    _check_utf8 = field_validator("id", "title", "text", "source", "url")(_utf8)

    @field_validator("text")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value


class DocumentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[DocumentIn] = Field(min_length=1, max_length=MAX_DOCUMENTS_PER_POST)


class CodedDocumentOut(BaseModel):
    doc_id: str
    events: int
    event_ids: list[str]


class DocumentsCoded(BaseModel):
    documents: list[CodedDocumentOut]
    events: list[EventOut]
