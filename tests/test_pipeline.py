"""The stages chained: Document in, events with offsets into the document out; the Python API."""
import datetime as dt

import pytest

import eventwire
from eventwire.pipeline import Pipeline, trigger_token
from eventwire.records import Document


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline(stages=[])


def test_title_is_its_own_sentence(pipeline):
    doc = Document(id="d1", title="Chile recalls ambassador to Peru",
                   text="Chile recalled its ambassador to Peru on Monday.", date=dt.date(2024, 5, 6))
    coded = next(pipeline.code_documents([doc]))
    assert coded.sentences[0][2] == "Chile recalls ambassador to Peru"
    assert all(e.doc_id == "d1" for e in coded.events)
    assert {e.sentence_index for e in coded.events} <= {0, 1}


def test_sentence_offsets_point_into_the_coded_text(pipeline):
    doc = Document(id="d2", title="Talks", text="Talks began.\nNigeria accused Niger of closing the border.")
    coded = next(pipeline.code_documents([doc]))
    full = doc.full_text
    for start, end, text in coded.sentences:
        assert full[start:end] == text
    [event] = [e for e in coded.events if e.cameo.startswith("11")]
    start = event.sentence_start + event.trigger_span[0]
    assert full[start:start + len("accused")] == "accused"


def test_publication_date_is_the_default_event_date(pipeline):
    doc = Document(id="d3", text="Nigeria accused Niger of closing the border.", date=dt.date(2023, 8, 1))
    [event] = [e for e in next(pipeline.code_documents([doc])).events if e.cameo.startswith("11")]
    assert event.date is not None
    assert event.date_source in ("publication", "text")


def test_trigger_token_finds_the_verb(pipeline):
    doc = Document(id="d4", text="Nigeria accused Niger of closing the border.")
    parsed = pipeline.nlp(doc.full_text)
    [event] = [e for e in pipeline.extractor.extract(parsed, "d4") if e.cameo.startswith("11")]
    assert trigger_token(parsed, event).lemma_ == "accuse"


def test_python_api_returns_typed_events():
    events = eventwire.code("Nigeria accused Niger of closing the border.", date="2023-08-01")
    assert events and isinstance(events[0], eventwire.Event)
    record = events[0].to_dict()
    for key in ("doc_id", "sentence", "source", "target", "cameo", "plover", "mode", "context", "goldstein",
                "quad_class", "negated", "hypothetical", "attributed_to", "evidence"):
        assert key in record
    assert set(record["evidence"]) == {"source_span", "target_span", "trigger_span", "rule"}


# ---------------------------------------------------------------- faults, time budget, long sentences

class _FailingStage:
    """A stage that raises for the document with id "bad"."""
    name = "failing"

    def __call__(self, parsed, document, events):
        if document.id == "bad":
            raise RuntimeError("boom\nsecond line")


class _SlowStage:
    """A stage that takes `seconds` for the document with id "slow" (a stand-in for a pathological document)."""
    name = "slow"

    def __init__(self, seconds):
        self.seconds = seconds

    def __call__(self, parsed, document, events):
        if document.id == "slow":
            import time
            time.sleep(self.seconds)


def _docs(*ids):
    return [Document(id=i, text=f"Nigeria accused Niger of closing the border. Story {i}.", origin=f"file.jsonl:{n}")
            for n, i in enumerate(ids)]


def _event_keys(coded):
    return [(c.document.id, [e.event_id for e in c.events]) for c in coded]


def test_a_failing_document_is_skipped_and_the_others_are_coded(pipeline):
    faulty = Pipeline(nlp=pipeline.nlp, extractor=pipeline.extractor, stages=[_FailingStage()])
    coded = list(faulty.code_documents(_docs("a", "bad", "c")))
    assert [c.document.id for c in coded] == ["a", "bad", "c"]
    bad = coded[1]
    assert bad.events == [] and bad.sentences == []
    assert (bad.skipped.origin, bad.skipped.doc_id) == ("file.jsonl:1", "bad")
    assert bad.skipped.reason == "coding failed in failing: RuntimeError: boom second line"
    assert coded[0].skipped is None and coded[2].skipped is None
    assert _event_keys([coded[0], coded[2]]) == _event_keys(list(pipeline.code_documents(_docs("a", "c"))))
    assert all(c.events for c in (coded[0], coded[2]))


def test_a_failure_in_the_shared_parse_isolates_the_document(pipeline, monkeypatch):
    """spaCy runs over the sentences of a whole batch: when that raises, each document is coded on its own."""
    faulty = Pipeline(nlp=pipeline.nlp, extractor=pipeline.extractor, stages=[])
    run = faulty._run_components

    def explode(docs, names):
        docs = list(docs)
        if any("EXPLODE" in d.text for d in docs):
            raise ValueError("parser exploded")
        return run(docs, names)

    monkeypatch.setattr(faulty, "_run_components", explode)
    docs = _docs("a", "c")
    docs.insert(1, Document(id="x", text="Nigeria accused Niger of closing the border at EXPLODE."))
    coded = faulty.code_batch(docs)
    assert [c.document.id for c in coded] == ["a", "x", "c"]
    assert coded[1].skipped.reason == "coding failed in parsing: ValueError: parser exploded"
    assert coded[1].skipped.origin == "x"  # no origin: the id
    assert coded[0].events and coded[2].events and coded[0].skipped is None


def test_a_document_over_the_time_budget_is_skipped(pipeline):
    slow = Pipeline(nlp=pipeline.nlp, extractor=pipeline.extractor, stages=[_SlowStage(1.0)], time_budget_s=0.5)
    coded = slow.code_batch(_docs("a", "slow", "c"))
    assert [c.skipped is None for c in coded] == [True, False, True]
    assert coded[1].skipped.reason.startswith("over the time budget: coding took more than 0.5 s")
    assert coded[1].events == [] and coded[1].sentences == [] and coded[0].events
    unlimited = Pipeline(nlp=pipeline.nlp, extractor=pipeline.extractor, stages=[_SlowStage(0.6)], time_budget_s=None)
    assert all(c.skipped is None for c in unlimited.code_batch(_docs("slow")))


def test_skipped_documents_with_worker_processes(pipeline):
    faulty = Pipeline(nlp=pipeline.nlp, extractor=pipeline.extractor, stages=[_FailingStage()], n_process=2,
                      batch_size=1)
    ids = ["a", "bad", "c", "d", "bad", "f"]
    coded = list(faulty.code_documents(_docs(*ids)))
    assert [c.document.id for c in coded] == ids
    assert [c.skipped is not None for c in coded] == [i == "bad" for i in ids]
    assert all(c.events for c in coded if c.skipped is None)


def test_a_text_with_no_full_stop_is_cut_into_sentences(pipeline):
    """Regression: a run of 200,000 tokens with no full stop was one sentence, and coding it never finished."""
    from eventwire.pipeline import MAX_SENTENCE_TOKENS

    words = ("Nigeria accused Niger of closing the border while officials met in Abuja and "
             "talks went on without a break ").split()
    text = " ".join(words * 60)  # about 1,000 words, no full stop
    doc = Document(id="run-on", text=text)
    coded = next(pipeline.code_documents([doc]))
    assert coded.skipped is None
    assert coded.notes == [f"1 sentence over {MAX_SENTENCE_TOKENS} tokens cut into pieces"]
    tokens = pipeline.nlp.make_doc(text)
    assert len(coded.sentences) >= len(tokens) // MAX_SENTENCE_TOKENS
    for start, end, sentence in coded.sentences:
        assert text[start:end] == sentence
        assert len(pipeline.nlp.make_doc(sentence)) <= MAX_SENTENCE_TOKENS
    assert coded.events


def test_cap_sentences_cuts_after_clause_marks():
    from eventwire.nlp.prefilter import cap_sentences, split_sentences
    from eventwire.pipeline import build_nlp

    nlp = build_nlp()
    doc = nlp.make_doc("one two three; four five, six seven eight nine ten eleven twelve")
    ranges = split_sentences(doc)
    assert cap_sentences(doc, ranges, 100) == (ranges, 0)
    cut, n = cap_sentences(doc, ranges, 6)
    assert n == 1 and [doc[a:b].text.strip() for a, b in cut][0] == "one two three;"
    assert all(b - a <= 6 + 1 for a, b in cut) and cut[0][0] == 0 and cut[-1][1] == len(doc)
    assert all(cut[k][1] == cut[k + 1][0] for k in range(len(cut) - 1))


# ---------------------------------------------------------------- eventwire.code: one error type

@pytest.mark.parametrize("kwargs,message", [
    (dict(text=b"Russia accused Ukraine."), "text must be a str, not bytes"),
    (dict(text=None), "text must be a str, not NoneType"),
    (dict(text="Russia accused\x00 Ukraine."), "NUL bytes"),
    (dict(text="Russia accused Ukraine.", title="Russia\x00"), "title contains NUL bytes"),
    (dict(text="Russia accused \udc80Ukraine."), "not valid Unicode"),
    (dict(text="Russia accused Ukraine.", date="2024-13-45"), "date must be an ISO date"),
    (dict(text="Russia accused Ukraine.", date="yesterday"), "date must be an ISO date"),
    (dict(text="Russia accused Ukraine.", date=20240310), "date must be a datetime.date"),
    (dict(text="Russia accused Ukraine.", doc_id=7), "doc_id must be a str"),
    (dict(text="Russia accused Ukraine.", min_confidence=2), "min_confidence"),
])
def test_code_raises_coding_error_for_input_it_cannot_code(kwargs, message):
    with pytest.raises(eventwire.CodingError, match=message):
        eventwire.code(**kwargs)


def test_code_refuses_text_over_the_size_limit(monkeypatch):
    import eventwire.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "MAX_TEXT_CHARS", 100)
    with pytest.raises(eventwire.CodingError, match="over the 100 limit"):
        eventwire.code("Russia accused Ukraine. " * 5)
    assert issubclass(eventwire.CodingError, ValueError)


def test_code_raises_coding_error_for_a_skipped_document(monkeypatch):
    from eventwire.pipeline import default_pipeline

    monkeypatch.setattr(default_pipeline(), "time_budget_s", 0.0)
    with pytest.raises(eventwire.CodingError, match="over the time budget"):
        eventwire.code("Nigeria accused Niger of closing the border.", date="2023-08-01")


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", dt.date(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59)])
def test_code_with_a_publication_date_at_the_ends_of_the_calendar(date):
    """Regression: "on Sunday" with the publication date 0001-01-01 raised OverflowError."""
    events = eventwire.code("Nigeria accused Niger on Sunday of closing the border. Nigeria will meet Niger on "
                            "Sunday next week.", date=date)
    assert events and all(e.date is not None for e in events)
