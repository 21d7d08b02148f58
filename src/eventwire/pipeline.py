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

Every step costs time in proportion to a document's length (bench/scaling.py), and two limits keep a bad
input from stalling a run:
- a sentence over ``max_sentence_tokens`` tokens (a list, a table, a text with no full stops) is cut into
  pieces (nlp.prefilter.cap_sentences), noted in `CodedDocument.notes`;
- a document that takes more than ``time_budget_s`` seconds, or raises anything while it is coded, comes back
  *skipped*: a `CodedDocument` with no sentences and no events and ``skipped`` set to a `records.Skipped`
  saying why. The other documents of its batch are coded as usual; `code_documents` still yields one
  `CodedDocument` per input, in order, with worker processes and on Dask (eventwire.scale) alike.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Optional, Protocol

import numpy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, NORM, POS, SENT_START, TAG
from spacy.language import Language
from spacy.tokens import Doc

from . import nlp as nlp_stage
from .nlp.attribute_rules import FastAttributeRules
from .events.extractor import DocumentContext, EventExtractor
from .nlp.prefilter import SentenceFilter, SentenceRange, cap_sentences, split_sentences
from .records import Document, Event, Skipped

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
    from eventwire.dates import DateStage
    from .places import PlaceStage
    from eventwire.events.plover_modes import PloverDetailStage

    return [DateStage(), PlaceStage(), PloverDetailStage()]


@dataclass
class CodedDocument:
    """One coded document. ``skipped`` is None for a coded document; for one that could not be coded (it raised,
    or ran over the pipeline's time budget) it says why, and ``sentences`` and ``events`` are empty: store it
    with `EventStore.save_skipped`, not `save_document`. ``notes``: what was done to code it that a reader
    of its events may want to know ("2 sentences over 300 tokens cut into pieces")."""
    document: Document
    sentences: list[Sentence]
    events: list[Event]
    skipped: Optional[Skipped] = None
    notes: list[str] = field(default_factory=list)


# Defaults of Pipeline(time_budget_s=..., max_sentence_tokens=...). A news article takes well under a second;
# at about 0.1 s per kB, a minute is a document of several hundred kB.
DEFAULT_TIME_BUDGET_S = 60.0
MAX_SENTENCE_TOKENS = 300  # the longest sentence of the Guardian sample has 176 tokens


class CodingError(ValueError):
    """Input that `eventwire.code` cannot code: text that is not a str, is not valid Unicode, holds NUL bytes or
    is longer than `MAX_TEXT_CHARS`; a title or doc_id that is not a str; a date that is not a date or an ISO date string
    ("2024-03-10"); a min_confidence outside 0-1; or a text whose coding failed or ran over the time budget
    (the message says which). The only exception `eventwire.code` raises for what it is given."""


MAX_TEXT_CHARS = 10_000_000  # eventwire.code(); the same as `eventwire code --max-bytes`'s default


class Pipeline:
    """Codes documents: ``Pipeline().code_documents(docs)`` yields one `CodedDocument` per input, in order.

    ``prefilter``: parse only the sentences that can hold an event (eventwire.nlp.prefilter); with False every
    sentence is parsed. ``min_confidence``: keep events the scorer gives at least this confidence
    (default: the packaged scorer's threshold; events.scorer). Sentences and their indices are the same either way. ``batch_size``: documents
    per batch; ``n_process``: worker processes that each code whole batches (the model is loaded once,
    before they start, and shared with them).

    ``time_budget_s``: seconds a document may take (None: no limit); one that takes longer is skipped, as is one
    that raises while it is coded (`CodedDocument.skipped`). ``max_sentence_tokens``: longer sentences are cut
    into pieces (None: no limit).
    """

    def __init__(self, *, nlp: Language | None = None, extractor: EventExtractor | None = None,
                 stages: list[EventStage] | None = None, batch_size: int = 16, n_process: int = 1,
                 prefilter: bool = True, min_confidence: Optional[float] = None,
                 time_budget_s: Optional[float] = DEFAULT_TIME_BUDGET_S,
                 max_sentence_tokens: Optional[int] = MAX_SENTENCE_TOKENS):
        self.nlp = nlp or build_nlp()
        self.extractor = extractor or EventExtractor(min_confidence=min_confidence)
        self.stages = default_stages() if stages is None else stages
        self.batch_size = max(1, batch_size)
        self.n_process = max(1, n_process)
        self.prefilter = prefilter
        self.time_budget_s = time_budget_s
        self.max_sentence_tokens = max_sentence_tokens
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
        """Code a list of documents in one go (the unit of work of worker processes and Dask tasks).

        Returns one `CodedDocument` per document, in order, and raises for none of them: a document that fails
        or runs over the time budget comes back skipped. When a step the batch shares (spaCy over the sentences
        of all its documents) raises, each document is coded again on its own, so only the faulty one is lost."""
        try:
            return self._code_batch(documents)
        except Exception as exc:
            if len(documents) == 1:
                return [_skipped_document(documents[0], _failure_reason(exc, "parsing"))]
            return [self.code_batch([document])[0] for document in documents]

    def _code_batch(self, documents: list[Document]) -> list[CodedDocument]:
        works = [_Work(document, _Clock(self.time_budget_s)) for document in documents]
        sentence_filter = self.sentence_filter if self.prefilter else None
        # (document number, sentence number) -> the sentence as its own Doc, for sentences still in the running
        todo: dict[tuple[int, int], Doc] = {}
        for i, work in enumerate(works):
            with work.step("reading"):
                self._prepare_document(i, work, sentence_filter, todo)
            if work.skipped is not None:
                _forget(todo, i)
        for components, gate in self._nlp_steps():
            todo = self._parse(todo, works, components, gate)
        coded = []
        for i, work in enumerate(works):
            if work.skipped is None:
                parsed = {k: todo[(i, k)] for k in range(len(work.ranges)) if (i, k) in todo}
                with work.step("events"):
                    coded.append(self._code_document(work, parsed))
            _forget(todo, i)
            if work.skipped is not None:
                coded.append(_skipped_document(work.document, work.skipped, work.notes))
        return coded

    def _prepare_document(self, i: int, work: "_Work", sentence_filter: Optional[SentenceFilter],
                          todo: dict[tuple[int, int], Doc]) -> None:
        """Tokenize a document, cut it into sentences and queue those worth parsing."""
        text = work.document.full_text
        if not isinstance(text, str):
            raise TypeError(f"the text is a {type(text).__name__}, not a str")
        doc = work.doc = self.nlp.make_doc(text)
        ranges, n_cut = cap_sentences(doc, split_sentences(doc), self.max_sentence_tokens)
        if n_cut:
            work.notes.append(f"{n_cut} sentence{'s' if n_cut > 1 else ''} over {self.max_sentence_tokens} tokens "
                              f"cut into pieces")
        work.ranges = ranges
        keep = sentence_filter.keep_sentences(doc, ranges) if sentence_filter else [True] * len(ranges)
        for k, (a, b) in enumerate(ranges):
            if keep[k]:
                todo[(i, k)] = _sentence_doc(self.nlp.tokenizer, doc, text, a, b)
            if k % 256 == 0:
                work.clock.check()

    def _parse(self, todo: dict[tuple[int, int], Doc], works: list["_Work"], components: list[str],
               gate: Optional[Callable[[Doc], bool]]) -> dict[tuple[int, int], Doc]:
        """Run spaCy components over the queued sentences, in batches of SENTENCE_BATCH in document order (the
        batches `nlp.pipe` would make). Each batch's time is charged to its documents by their share of its
        tokens; a document over budget is skipped and its remaining sentences leave the queue."""
        keys = [key for key in todo if works[key[0]].skipped is None]
        out: dict[tuple[int, int], Doc] = {}
        for at in range(0, len(keys), SENTENCE_BATCH):
            batch = [key for key in keys[at: at + SENTENCE_BATCH] if works[key[0]].skipped is None]
            if not batch:
                continue
            started = time.perf_counter()
            parsed = list(self._run_components((todo[key] for key in batch), components))
            elapsed = time.perf_counter() - started
            tokens = sum(len(todo[key]) for key in batch) or 1
            for key in batch:
                works[key[0]].clock.charge(elapsed * len(todo[key]) / tokens)
            for key, sent in zip(batch, parsed):
                if gate is None or gate(sent):
                    out[key] = sent
            for work in {id(works[key[0]]): works[key[0]] for key in batch}.values():
                if work.skipped is None and work.clock.over:
                    work.skipped = work.over_budget("parsing")
        return {key: sent for key, sent in out.items() if works[key[0]].skipped is None}

    def _code_document(self, work: "_Work", parsed: dict[int, Doc]) -> CodedDocument:
        document, doc, ranges = work.document, work.doc, work.ranges
        _copy_annotations(doc, ranges, parsed)
        context = DocumentContext(date=document.date)  # people's offices are dated
        events: list[Event] = []
        for k in parsed:  # in document order, so pronouns and people named earlier resolve
            work.clock.check()
            a, b = ranges[k]
            events.extend(self.extractor.extract_sentence(doc[a:b], document.id, k, context))
        coded = self._finish(doc, document, _sentences(doc, document.full_text, ranges), events, work)
        coded.notes = work.notes
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
                events: list[Event], work: Optional["_Work"] = None) -> CodedDocument:
        for stage in self.stages:
            if work is not None:
                work.clock.check()
                work.where = getattr(stage, "name", "stages")
            stage(parsed, document, events)
        if work is not None:
            work.clock.check()  # a document that took longer than its budget is skipped, wherever the time went
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


# ---- per-document time budget and failures ---------------------------------------------------------------


class _OverBudget(Exception):
    pass


class _Clock:
    """The time spent on one document: measured while its own steps run, charged for its share of the steps it
    shares with the other documents of a batch (spaCy batches)."""

    def __init__(self, budget: Optional[float]):
        self.budget = budget
        self.spent = 0.0
        self._since: Optional[float] = None

    def start(self) -> None:
        self._since = time.perf_counter()

    def stop(self) -> None:
        if self._since is not None:
            self.spent += time.perf_counter() - self._since
            self._since = None

    def charge(self, seconds: float) -> None:
        self.spent += seconds

    @property
    def elapsed(self) -> float:
        return self.spent + (time.perf_counter() - self._since if self._since is not None else 0.0)

    @property
    def over(self) -> bool:
        return self.budget is not None and self.elapsed > self.budget

    def check(self) -> None:
        """Stop coding the document (raise _OverBudget) once it has used up its budget."""
        if self.over:
            raise _OverBudget()


@dataclass
class _Work:
    """A document on its way through `Pipeline.code_batch`."""
    document: Document
    clock: _Clock
    doc: Optional[Doc] = None
    ranges: list[SentenceRange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: Optional[Skipped] = None
    where: str = ""

    def step(self, name: str) -> "_Step":
        return _Step(self, name)

    def over_budget(self, where: str) -> Skipped:
        # no measured time in the reason: the same document skipped again gives the same `skipped` row
        return _skip(self.document, f"over the time budget: coding took more than {self.clock.budget:g} s "
                                    f"(stopped in {where})")


class _Step:
    """``with work.step("events"):`` runs one of a document's own steps on its clock; an exception (or running
    over budget) marks the document skipped instead of propagating."""

    def __init__(self, work: _Work, name: str):
        self.work, self.name = work, name

    def __enter__(self) -> None:
        self.work.where = self.name
        self.work.clock.start()

    def __exit__(self, kind, exc, tb) -> bool:
        self.work.clock.stop()
        if exc is None or not isinstance(exc, Exception):
            return False  # KeyboardInterrupt and SystemExit stop the run
        where = self.work.where or self.name
        self.work.skipped = self.work.over_budget(where) if isinstance(exc, _OverBudget) \
            else _skip(self.work.document, _failure_reason(exc, where))
        return True


def _skip(document: Document, reason: str) -> Skipped:
    return Skipped(origin=document.origin or document.id, reason=reason, doc_id=document.id)


def _skipped_document(document: Document, skipped: Skipped | str, notes: Optional[list[str]] = None) -> CodedDocument:
    if isinstance(skipped, str):
        skipped = _skip(document, skipped)
    return CodedDocument(document, [], [], skipped=skipped, notes=list(notes or []))


def _failure_reason(exc: BaseException, where: str) -> str:
    """One printable line: "coding failed in dates: OverflowError: date value out of range"."""
    message = " ".join(str(exc).split())
    text = f"coding failed in {where}: {type(exc).__name__}" + (f": {message}" if message else "")
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= 300 else text[:299] + "…"


def _forget(todo: dict[tuple[int, int], Doc], i: int) -> None:
    """Drop document i's queued sentences (it is done, or skipped)."""
    for key in [key for key in todo if key[0] == i]:
        del todo[key]


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

    ``date``: the publication date, a `datetime.date` or an ISO date string ("2021-03-08"); relative dates in
    the text ("on Sunday") are resolved against it. ``min_confidence``: keep events at or above this
    confidence (default: the scorer's threshold; 0 keeps the best reading of every trigger).

    Raises `CodingError` (a ValueError), and nothing else, for input it cannot code: a text (or title, or
    doc_id) that is not a str or not valid Unicode (lone surrogates), a text with NUL bytes (binary content,
    refused as `eventwire code` refuses it),
    a text longer than `MAX_TEXT_CHARS` characters, a date that is neither a date nor an ISO date string, a
    min_confidence outside 0-1, and a text whose coding failed or took longer than the pipeline's time budget
    (`Pipeline.time_budget_s`; the message gives the reason)."""
    document = _document_to_code(text, date, title, doc_id, min_confidence)
    pipeline = default_pipeline()
    if min_confidence is None:
        coded = next(pipeline.code_documents([document]))
    else:
        previous, pipeline.extractor.min_confidence = pipeline.extractor.min_confidence, min_confidence
        try:
            coded = next(pipeline.code_documents([document]))
        finally:
            pipeline.extractor.min_confidence = previous
    if coded.skipped is not None:
        raise CodingError(coded.skipped.reason)
    return coded.events


def _document_to_code(text, date, title, doc_id, min_confidence) -> Document:
    """The Document `code` codes, or CodingError saying what is wrong with the arguments."""
    for name, value in (("text", text), ("title", title), ("doc_id", doc_id)):
        if value is None and name != "text":
            continue
        if not isinstance(value, str):
            raise CodingError(f"{name} must be a str, not {type(value).__name__}")
        if "\x00" in value:
            raise CodingError(f"{name} contains NUL bytes (binary content): it cannot be coded")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:  # lone surrogates, e.g. from bytes decoded with errors="surrogateescape"
            raise CodingError(f"{name} is not valid Unicode: {exc.reason} at position {exc.start}") from None
    if len(text) + len(title or "") > MAX_TEXT_CHARS:
        raise CodingError(f"text is {len(text) + len(title or ''):,} characters, over the {MAX_TEXT_CHARS:,} limit")
    if min_confidence is not None and (isinstance(min_confidence, bool) or not isinstance(min_confidence, (int, float))
                                       or not 0 <= min_confidence <= 1):
        raise CodingError(f"min_confidence must be a number from 0 to 1, not {min_confidence!r}")
    return Document(id=doc_id, text=text, title=title, date=_publication_date(date))


def _publication_date(date) -> Optional[dt.date]:
    if date is None:
        return None
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    if isinstance(date, str):
        try:
            return dt.date.fromisoformat(date.strip()[:10])
        except ValueError:
            raise CodingError(f"date must be an ISO date such as '2024-03-10', not {date[:40]!r}") from None
    raise CodingError(f"date must be a datetime.date or an ISO date string, not {type(date).__name__}")
