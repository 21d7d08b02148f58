"""Run the stages in order: ingest -> sentences -> pre-filter -> nlp -> events (actors inside) -> dates -> store.

`Pipeline.code_documents` streams `CodedDocument`s; `eventwire.code()` is the one-call Python API.

How a batch of documents is coded (`Pipeline.code_batch`):
1. tokenize each document (tokenizer only) and cut it into sentences by rule (nlp.prefilter.split_sentences);
2. keep the sentences that can hold an event (nlp.prefilter.SentenceFilter), or all of them with prefilter=False;
3. run the rest of the spaCy pipeline over the kept sentences only, each as its own Doc with its
   boundaries fixed, in batches (`nlp.pipe`);
4. copy their annotations back into the document's Doc, so offsets refer to Document.full_text and the
   stages after the coder see one Doc per document (sentences left out carry tokens only);
5. code the kept sentences in document order with one DocumentContext (pronouns, people named earlier);
   sentence indices count all sentences, so they are the same with or without the filter.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional, Protocol

import numpy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, NORM, POS, SENT_START, TAG
from spacy.language import Language
from spacy.tokens import Doc

from . import nlp as nlp_stage
from .nlp.attribute_rules import FastAttributeRules
from .events.extractor import DocumentContext, EventExtractor
from .nlp.prefilter import SentenceFilter, SentenceRange, split_sentences
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
    """The stages after event coding, in order: dates (resolved against publication), places (GeoNames),
    then PLOVER mode and context."""
    from .dates import DateStage
    from .places import PlaceStage
    from .plover_modes import PloverDetailStage

    return [DateStage(), PlaceStage(), PloverDetailStage()]


@dataclass
class CodedDocument:
    document: Document
    sentences: list[Sentence]
    events: list[Event]


class Pipeline:
    """Codes documents: ``Pipeline().code_documents(docs)`` yields one `CodedDocument` per input, in order.

    ``prefilter``: parse only the sentences that can hold an event (eventwire.nlp.prefilter); with False every
    sentence is parsed. ``min_confidence``: keep events the scorer gives at least this confidence
    (default: the packaged scorer's threshold; events.scorer). Sentences and their indices are the same either way. ``batch_size``: documents
    per batch; ``n_process``: worker processes that each code whole batches (the model is loaded once,
    before they start, and shared with them).
    """

    def __init__(self, *, nlp: Language | None = None, extractor: EventExtractor | None = None,
                 stages: list[EventStage] | None = None, batch_size: int = 16, n_process: int = 1,
                 prefilter: bool = True, min_confidence: Optional[float] = None):
        self.nlp = nlp or build_nlp()
        self.extractor = extractor or EventExtractor(min_confidence=min_confidence)
        self.stages = default_stages() if stages is None else stages
        self.batch_size = max(1, batch_size)
        self.n_process = max(1, n_process)
        self.prefilter = prefilter
        self._sentence_filter: Optional[SentenceFilter] = None
        self._fast_rules: FastAttributeRules | bool | None = None  # False: the ruler has rules it can't copy
        self._warmed_up = False

    @property
    def sentence_filter(self) -> SentenceFilter:
        if self._sentence_filter is None:
            self._sentence_filter = SentenceFilter.for_pipeline(self.nlp, self.extractor)
        return self._sentence_filter

    def code_documents(self, documents: Iterable[Document]) -> Iterator[CodedDocument]:
        batches = _batches(documents, self.batch_size)
        if self.n_process > 1:
            yield from _code_in_processes(self, batches)
            return
        for batch in batches:
            yield from self.code_batch(batch)

    def code_batch(self, documents: list[Document]) -> list[CodedDocument]:
        """Code a list of documents in one go (the unit of work of worker processes and Dask tasks)."""
        docs = [self.nlp.make_doc(d.full_text) for d in documents]
        ranges = [split_sentences(doc) for doc in docs]
        sentence_filter = self.sentence_filter if self.prefilter else None
        # (document number, sentence number) -> the sentence as its own Doc, for sentences still in the running
        todo: dict[tuple[int, int], Doc] = {}
        for i, (document, doc, doc_ranges) in enumerate(zip(documents, docs, ranges)):
            text = document.full_text
            keep = sentence_filter.keep_sentences(doc, doc_ranges) if sentence_filter else [True] * len(doc_ranges)
            for k, (a, b) in enumerate(doc_ranges):
                if keep[k]:
                    todo[(i, k)] = _sentence_doc(self.nlp.tokenizer, doc, text, a, b)
        for components, gate in self._nlp_steps():
            keys = list(todo)
            parsed = self._run_components((todo[key] for key in keys), components)
            todo = {key: sent for key, sent in zip(keys, parsed) if gate is None or gate(sent)}
        coded = []
        for i, (document, doc, doc_ranges) in enumerate(zip(documents, docs, ranges)):
            parsed = {k: todo[(i, k)] for k in range(len(doc_ranges)) if (i, k) in todo}
            _copy_annotations(doc, doc_ranges, parsed)
            context = DocumentContext(date=document.date)  # people's offices are dated
            events: list[Event] = []
            for k in parsed:  # in document order, so pronouns and people named earlier resolve
                a, b = doc_ranges[k]
                events.extend(self.extractor.extract_sentence(doc[a:b], document.id, k, context))
            coded.append(self._finish(doc, document, _sentences(doc, document.full_text, doc_ranges), events))
        return coded

    def prepare(self, *, warm_up: bool = False) -> "Pipeline":
        """Build what is otherwise built on first use (the sentence filter's tables, the fast attribute
        rules), e.g. before worker processes are forked so that they share it. ``warm_up`` also codes a
        short built-in document, so that the stages load their own tables (the places gazetteer takes
        seconds) once here rather than in every worker."""
        if self.prefilter:
            self.sentence_filter  # noqa: B018
        if self._fast_rules is None:
            ruler = self.nlp.get_pipe("attribute_ruler") if "attribute_ruler" in self.nlp.pipe_names else None
            self._fast_rules = (FastAttributeRules.for_ruler(ruler) if ruler is not None else None) or False
        if warm_up and not self._warmed_up:
            self._warmed_up = True
            self.code_batch([WARM_UP_DOCUMENT])
        return self

    def _run_components(self, docs: Iterable[Doc], names: list[str]) -> Iterator[Doc]:
        """Run the named spaCy components over tokenized Docs, as `nlp.pipe` would; the attribute ruler is
        replaced by an equivalent that gives the same annotations faster (eventwire.nlp.attribute_rules)."""
        self.prepare()
        for name, component in self.nlp.pipeline:
            if name not in names:
                continue
            if name == "attribute_ruler" and self._fast_rules:
                docs = self._fast_rules.pipe(docs)
            elif hasattr(component, "pipe"):
                docs = component.pipe(docs, batch_size=SENTENCE_BATCH)
            else:
                docs = map(component, docs)
        return iter(docs)

    def _nlp_steps(self) -> list[tuple[list[str], Optional[Callable[[Doc], bool]]]]:
        """The spaCy components in order, cut into steps with a test between them that drops sentences.
        With the filter on, the entity recogniser (the costliest component) only sees sentences whose parse
        has a trigger with a possible actor (SentenceFilter.keep_parsed)."""
        names = list(self.nlp.pipe_names)
        if not self.prefilter or "ner" not in names or names.index("ner") == 0:
            return [(names, None)]
        cut = names.index("ner")
        return [(names[:cut], self.sentence_filter.keep_parsed), (names[cut:], None)]

    def code_parsed(self, parsed: Doc, document: Document) -> CodedDocument:
        """Code a document the caller parsed whole (every sentence, the parser's sentence boundaries)."""
        sentences = [(s.start_char, s.start_char + len(s.text.rstrip()), s.text.rstrip()) for s in parsed.sents]
        events = self.extractor.extract(parsed, document.id, date=document.date)
        return self._finish(parsed, document, sentences, events)

    def _finish(self, parsed: Doc, document: Document, sentences: list[Sentence],
                events: list[Event]) -> CodedDocument:
        for stage in self.stages:
            stage(parsed, document, events)
        for event in events:
            if event.date is None and document.date is not None:
                event.date, event.date_precision, event.date_source = document.date, "day", "publication"
        return CodedDocument(document, sentences, events)


# Coded once before worker processes start (Pipeline.prepare): an event, a date and a place, so that every
# stage loads what it loads on first use.
WARM_UP_DOCUMENT = Document(
    id="eventwire-warm-up", title="Russia accuses Ukraine", date=dt.date(2024, 3, 10),
    text="Russian troops attacked a convoy near Kharkiv on Monday, Ukraine's defence ministry said. "
         "President Zelensky met the French foreign minister in Kyiv last week.")

# Sentences per spaCy batch: short sentence Docs batch well.
SENTENCE_BATCH = 128
# Token annotations copied from the parsed sentences into the document's Doc.
_ANNOTATIONS = [TAG, POS, MORPH, LEMMA, NORM, DEP, HEAD, ENT_IOB, ENT_TYPE]


def _batches(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _sentence_doc(tokenizer: Callable[[str], Doc], doc: Doc, text: str, start: int, end: int) -> Doc:
    """One sentence as its own Doc (with the whitespace after it), with its boundaries fixed so the parser
    keeps it one sentence. ``text`` is the document's text (``doc.text`` would rebuild it on every call)."""
    first = doc[start]
    text = text[first.idx: doc[end].idx if end < len(doc) else len(text)]
    sent = tokenizer(text)  # cheaper than Span.as_doc()
    if len(sent) != end - start or sent[-1].idx != doc[end - 1].idx - first.idx:
        sent = doc[start:end].as_doc()  # the tokenizer cut differently without the context: copy the tokens
    starts = numpy.full((len(sent), 1), -1, dtype="int64")
    starts[0, 0] = 1
    sent.from_array([SENT_START], starts.view("uint64"))
    return sent


def _copy_annotations(doc: Doc, ranges: list[SentenceRange], parsed: dict[int, Doc]) -> None:
    """Write the parsed sentences' annotations into the document's Doc. A sentence left unparsed (and any
    leading whitespace) becomes a flat tree under its first token, which keeps sentence boundaries right."""
    if not len(doc):
        return
    array = numpy.zeros((len(doc), len(_ANNOTATIONS)), dtype="uint64")
    head, dep = _ANNOTATIONS.index(HEAD), _ANNOTATIONS.index(DEP)
    strings = doc.vocab.strings
    root, flat = strings.add("ROOT"), strings.add("dep")
    norm = _ANNOTATIONS.index(NORM)
    array[:, norm] = doc.to_array(NORM)
    unparsed = [(0, ranges[0][0] if ranges else len(doc))]
    for k, (a, b) in enumerate(ranges):
        if k in parsed:
            array[a:b] = parsed[k].to_array(_ANNOTATIONS)
        else:
            unparsed.append((a, b))
    for a, b in unparsed:
        if b <= a:
            continue
        array[a, dep] = root
        array[a + 1:b, dep] = flat
        array[a + 1:b, head] = (a - numpy.arange(a + 1, b, dtype="int64")).view("uint64")
    doc.from_array(_ANNOTATIONS, array)


def _sentences(doc: Doc, text: str, ranges: list[SentenceRange]) -> list[Sentence]:
    out = []
    for a, b in ranges:
        start = doc[a].idx
        last = doc[b - 1]
        sentence = text[start:last.idx + len(last.text)].rstrip()
        out.append((start, start + len(sentence), sentence))
    return out


# ---- worker processes ----------------------------------------------------------------------------------

_worker_pipeline: Optional[Pipeline] = None  # set once in each worker process (see _code_in_processes)


def _start_worker(pipeline: Pipeline) -> None:
    global _worker_pipeline
    _worker_pipeline = pipeline


def _code_batch_in_worker(batch: list[Document]) -> list[CodedDocument]:
    return _worker_pipeline.code_batch(batch)


def _code_in_processes(pipeline: Pipeline, batches: Iterator[list[Document]]) -> Iterator[CodedDocument]:
    """Code batches in `pipeline.n_process` worker processes, yielding results in input order.

    Workers are forked from this process, so they share the loaded model instead of loading their own;
    where fork is not available they get a pickled copy. At most four batches per worker are in flight,
    so a huge input is never read ahead into memory.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pipeline.prepare(warm_up=True)  # load every lazily loaded table once, before forking
    with context.Pool(pipeline.n_process, initializer=_start_worker, initargs=(pipeline,)) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.apply_async(_code_batch_in_worker, (batch,)))
            if len(pending) >= 4 * pipeline.n_process:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


_default_pipeline: Optional[Pipeline] = None


def default_pipeline() -> Pipeline:
    global _default_pipeline  # one loaded model per process; building it costs seconds
    if _default_pipeline is None:
        _default_pipeline = Pipeline()
    return _default_pipeline


def code(text: str, date: dt.date | str | None = None, *, title: str | None = None,
         doc_id: str = "text", min_confidence: Optional[float] = None) -> list[Event]:
    """Code one text and return its events: `eventwire.code("Russia accused Ukraine ...", date="2021-03-08")`.

    ``min_confidence``: keep events at or above this confidence (default: the scorer's threshold; 0 keeps
    the best reading of every trigger)."""
    if isinstance(date, str):
        date = dt.date.fromisoformat(date[:10])
    document = Document(id=doc_id, text=text, title=title, date=date)
    pipeline = default_pipeline()
    if min_confidence is None:
        return next(pipeline.code_documents([document])).events
    previous, pipeline.extractor.min_confidence = pipeline.extractor.min_confidence, min_confidence
    try:
        return next(pipeline.code_documents([document])).events
    finally:
        pipeline.extractor.min_confidence = previous
