"""Typed records passed between pipeline stages.

`Document` comes out of ingest, `Event` out of the event coder. `Event.to_dict()` is the public
JSONL contract (field names are fixed; see README "Output format").
Spans are character offsets ``[start, end)`` relative to the evidence sentence.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

Span = tuple[int, int]


def labels(value: Optional[str]) -> list[str]:
    """PLOVER mode or context as the list every output uses; stored as ";"-joined text ("military;legal")."""
    return [x for x in (value or "").split(";") if x]


@dataclass
class Document:
    id: str
    text: str
    title: Optional[str] = None
    date: Optional[dt.date] = None  # publication date: the base for resolving relative dates
    source: Optional[str] = None
    url: Optional[str] = None
    origin: Optional[str] = None  # the file (and line) it came from

    @property
    def full_text(self) -> str:
        """What gets coded: the title as its own paragraph, then the body. Sentence offsets refer to this."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text

    @property
    def content_hash(self) -> str:
        return hashlib.sha1((self.title or "").encode() + b"\x00" + self.text.encode()).hexdigest()


@dataclass
class Skipped:
    """An input that could not be coded, with the reason. Counted in the run summary."""
    origin: str
    reason: str
    doc_id: Optional[str] = None


@dataclass
class Actor:
    text: str
    code: str  # CAMEO-style: "PAK", "PAKGOV", "USAMIL", "IGOUNO", "AFGINS"
    country: Optional[str] = None  # ISO3, or None for actors with no country (IGOs, transnational groups)
    sector: Optional[str] = None  # GOV, MIL, REB, JUD, OPP, IGO, ...
    span: Optional[Span] = None  # within the sentence
    how: str = ""  # which dictionary entry or rule resolved it

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "code": self.code, "country": self.country, "sector": self.sector}


@dataclass
class Evidence:
    sentence: str
    source_span: Optional[Span]
    target_span: Optional[Span]
    trigger_span: Optional[Span]
    rule: str  # lexicon entry or rule that fired, e.g. "verbs.yaml:112 accuse"


@dataclass
class Location:
    name: str
    country: Optional[str] = None
    admin1: Optional[str] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    geonames_id: Optional[int] = None
    precision: str = "country"  # city | admin1 | country
    rule: str = ""


@dataclass
class Event:
    doc_id: str
    sentence_index: int
    sentence: str
    source: Actor
    target: Optional[Actor]
    cameo: str
    trigger: str
    rule: str
    goldstein: Optional[float] = None
    quad_class: Optional[int] = None
    plover: Optional[str] = None
    mode: str = ""
    context: str = ""
    negated: bool = False
    hypothetical: bool = False
    attributed_to: Optional[Actor] = None
    trigger_span: Optional[Span] = None
    sentence_start: int = 0  # offset of the sentence in the document text
    date: Optional[dt.date] = None
    date_precision: Optional[str] = None
    date_source: Optional[str] = None
    location: Optional[Location] = None
    confidence: Optional[float] = None  # the learned scorer's probability that the event is right (0-1)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def evidence(self) -> Evidence:
        return Evidence(
            sentence=self.sentence,
            source_span=self.source.span,
            target_span=self.target.span if self.target else None,
            trigger_span=self.trigger_span,
            rule=self.rule,
        )

    @property
    def event_id(self) -> str:
        """Stable id: the same mention coded twice gets the same id."""
        key = "|".join(
            str(x)
            for x in (
                self.doc_id, self.sentence_index, self.source.code, self.source.span,
                self.target.code if self.target else "", self.target.span if self.target else "",
                self.cameo, self.trigger_span,
            )
        )
        return hashlib.sha1(key.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        ev = self.evidence
        return {
            "event_id": self.event_id,
            "doc_id": self.doc_id,
            "sentence_index": self.sentence_index,
            "sentence": self.sentence,
            "source": self.source.to_dict(),
            "target": self.target.to_dict() if self.target else None,
            "cameo": self.cameo,
            "cameo_root": self.cameo[:2],
            "trigger": self.trigger,
            "plover": self.plover,
            "mode": labels(self.mode),
            "context": labels(self.context),
            "goldstein": self.goldstein,
            "quad_class": self.quad_class,
            "negated": self.negated,
            "hypothetical": self.hypothetical,
            "confidence": self.confidence,
            "attributed_to": self.attributed_to.to_dict() if self.attributed_to else None,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "date_source": self.date_source,
            "location": asdict(self.location) if self.location else None,
            "evidence": {
                "source_span": list(ev.source_span) if ev.source_span else None,
                "target_span": list(ev.target_span) if ev.target_span else None,
                "trigger_span": list(ev.trigger_span) if ev.trigger_span else None,
                "rule": ev.rule,
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)
