"""Run the stages in order: ingest -> nlp -> events (actors inside) -> dates -> store.

`Pipeline.code_documents` streams `CodedDocument`s; `eventwire.code()` is the one-call Python API.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Protocol

from spacy.language import Language
from spacy.tokens import Doc

from . import nlp as nlp_stage
from .events.extractor import EventExtractor
from .records import Document, Event

Sentence = tuple[int, int, str]  # start_char, end_char, text (offsets into Document.full_text)


@Language.component("eventwire_paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break always ends a sentence: titles and datelines have no final full stop."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if prev.is_space and "\n" in prev.text and not tok.is_space:
            tok.is_sent_start = True
    return doc


def build_nlp(model: str = nlp_stage.MODEL_NAME) -> Language:
    nlp = nlp_stage.load_nlp(model)
    if "eventwire_paragraph_boundaries" not in nlp.pipe_names:
        nlp.add_pipe("eventwire_paragraph_boundaries", before="parser")
    return nlp


class EventStage(Protocol):
    """A stage that runs after the event coder and fills in event fields (dates, places, ...).
    It gets the parsed document, the input document and the events of that document, and edits the events
    in place. Find an event's trigger token with `trigger_token(parsed, event)`."""

    name: str

    def __call__(self, parsed: Doc, document: Document, events: list[Event]) -> None: ...


def trigger_token(parsed: Doc, event: Event):
    """The spaCy token an event's trigger span points at."""
    start = event.sentence_start + (event.trigger_span[0] if event.trigger_span else 0)
    span = parsed.char_span(start, start + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def default_stages() -> list[EventStage]:
    """The stages after event coding, in order. Stages whose module is missing are skipped."""
    stages: list[EventStage] = []
    for module_name, factory in (("eventwire.dates", "DateStage"), ("eventwire.places", "PlaceStage")):
        try:
            module = __import__(module_name, fromlist=[factory])
        except ImportError:
            continue
        stages.append(getattr(module, factory)())
    return stages


@dataclass
class CodedDocument:
    document: Document
    sentences: list[Sentence]
    events: list[Event]


class Pipeline:
    def __init__(self, *, nlp: Language | None = None, extractor: EventExtractor | None = None,
                 stages: list[EventStage] | None = None, batch_size: int = 16, n_process: int = 1):
        self.nlp = nlp or build_nlp()
        self.extractor = extractor or EventExtractor()
        self.stages = default_stages() if stages is None else stages
        self.batch_size = batch_size
        self.n_process = n_process

    def code_documents(self, documents: Iterable[Document]) -> Iterator[CodedDocument]:
        docs_with_text = ((d.full_text, d) for d in documents)
        for parsed, document in self.nlp.pipe(docs_with_text, as_tuples=True, batch_size=self.batch_size,
                                              n_process=self.n_process):
            yield self.code_parsed(parsed, document)

    def code_parsed(self, parsed: Doc, document: Document) -> CodedDocument:
        sentences = [(s.start_char, s.start_char + len(s.text.rstrip()), s.text.rstrip()) for s in parsed.sents]
        events = self.extractor.extract(parsed, document.id)
        for stage in self.stages:
            stage(parsed, document, events)
        for event in events:
            if event.date is None and document.date is not None:
                event.date, event.date_precision, event.date_source = document.date, "day", "publication"
        return CodedDocument(document, sentences, events)


_default_pipeline: Optional[Pipeline] = None


def default_pipeline() -> Pipeline:
    global _default_pipeline  # one loaded model per process; building it costs seconds
    if _default_pipeline is None:
        _default_pipeline = Pipeline()
    return _default_pipeline


def code(text: str, date: dt.date | str | None = None, *, title: str | None = None,
         doc_id: str = "text") -> list[Event]:
    """Code one text and return its events: `eventwire.code("Russia accused Ukraine ...", date="2021-03-08")`."""
    if isinstance(date, str):
        date = dt.date.fromisoformat(date[:10])
    document = Document(id=doc_id, text=text, title=title, date=date)
    return next(default_pipeline().code_documents([document])).events
