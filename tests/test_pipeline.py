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
