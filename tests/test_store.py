"""EventStore: schema, round trip to Event.to_dict(), idempotent re-coding, filters, exports.

Events are built by hand so these tests need no spaCy model.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from eventwire.records import Actor, Document, Event, Location, Skipped
from eventwire.store import SCHEMA_VERSION, EventStore

TEXT = "Pakistan accused India of shelling. The UN said talks would resume in Genève."
SENTENCES = [(0, 35, "Pakistan accused India of shelling."), (36, 77, "The UN said talks would resume in Genève.")]


def make_doc(doc_id: str = "d1", text: str = TEXT) -> Document:
    return Document(
        id=doc_id, text=text, title="Border row", date=dt.date(2024, 3, 1),
        source="Wire", url="https://example.org/1", origin="news.jsonl:1",
    )


def accuse_event(doc_id: str = "d1", cameo: str = "112") -> Event:
    return Event(
        doc_id=doc_id, sentence_index=0, sentence=SENTENCES[0][2],
        source=Actor("Pakistan", "PAK", "PAK", None, span=(0, 8), how="countries"),
        target=Actor("India", "IND", "IND", None, span=(17, 22)),
        cameo=cameo, trigger="accused", rule="verbs.yaml:112 accuse",
        goldstein=-2.0, quad_class=3, plover="ACCUSE", mode="", context="military",
        trigger_span=(9, 16), date=dt.date(2024, 2, 29), date_precision="day", date_source="relative",
        location=Location("Kashmir", "IND", "Jammu and Kashmir", 34.1, 74.8, 1269320, "admin1", "gazetteer"),
    )


def un_event(doc_id: str = "d1") -> Event:
    """No target, an attributed speaker, hypothetical, no location or date; non-ASCII sentence."""
    return Event(
        doc_id=doc_id, sentence_index=1, sentence=SENTENCES[1][2],
        source=Actor("The UN", "IGOUNO", None, "IGO", span=(0, 6)),
        target=None, cameo="036", trigger="resume", rule="verbs.yaml:36 meet",
        goldstein=4.0, quad_class=1, hypothetical=True, sentence_start=36,
        attributed_to=Actor("The UN", "IGOUNO", None, "IGO"), trigger_span=(24, 30),
    )


@pytest.fixture
def store():
    with EventStore(":memory:") as s:
        yield s


def test_schema_is_created_with_version(store):
    tables = {r["table_name"] for r in store.query("SELECT table_name FROM information_schema.tables")}
    assert {"meta", "documents", "sentences", "events", "skipped", "events_with_evidence",
            "document_minhash", "document_bands", "document_clusters", "merged_events", "event_mentions"} <= tables
    assert store.query("SELECT value FROM meta WHERE key = 'schema_version'") == [{"value": str(SCHEMA_VERSION)}]
    assert store.counts() == {"documents": 0, "sentences": 0, "events": 0, "skipped": 0}


def test_round_trip_equals_event_to_dict(store):
    events = [accuse_event(), un_event()]
    store.save_document(make_doc(), SENTENCES, events)
    assert store.events() == [e.to_dict() for e in events]
    # and it serialises like the CLI's JSONL
    assert json.dumps(store.events()[0]) == json.dumps(events[0].to_dict())


def test_document_and_sentence_rows(store):
    doc = make_doc()
    store.save_document(doc, SENTENCES, [accuse_event()])
    [row] = store.query("SELECT * FROM documents")
    assert row["doc_id"] == "d1" and row["pub_date"] == dt.date(2024, 3, 1)
    assert row["content_hash"] == doc.content_hash and row["n_sentences"] == 2
    assert isinstance(row["coded_at"], dt.datetime)
    sentences = store.query("SELECT sentence_index, start_char, end_char, text FROM sentences ORDER BY 1")
    assert [(r["start_char"], r["end_char"], r["text"]) for r in sentences] == SENTENCES
    assert all(TEXT[s:e] == t for s, e, t in SENTENCES)


def test_evidence_view_cuts_span_texts(store):
    store.save_document(make_doc(), SENTENCES, [accuse_event(), un_event()])
    rows = store.query(
        "SELECT source_evidence, target_evidence, trigger_evidence, sentence "
        "FROM events_with_evidence ORDER BY sentence_index"
    )
    assert rows[0] == {"source_evidence": "Pakistan", "target_evidence": "India",
                       "trigger_evidence": "accused", "sentence": SENTENCES[0][2]}
    assert rows[1]["target_evidence"] is None and rows[1]["trigger_evidence"] == "resume"


def test_resave_replaces_without_duplicates(store):
    store.save_document(make_doc(), SENTENCES, [accuse_event(), un_event()])
    store.save_document(make_doc(), SENTENCES, [accuse_event(), un_event()])
    assert store.counts() == {"documents": 1, "sentences": 2, "events": 2, "skipped": 0}

    changed = accuse_event(cameo="111")  # recoded differently: a new event_id, the old event must go
    store.save_document(make_doc(), SENTENCES, [changed])
    assert store.events() == [changed.to_dict()]
    assert store.counts()["events"] == 1


def test_duplicate_mentions_in_one_call_are_stored_once(store):
    store.save_document(make_doc(), SENTENCES, [accuse_event(), accuse_event()])
    assert store.counts()["events"] == 1


def test_event_sentence_must_match_stored_sentence(store):
    store.save_document(make_doc(), SENTENCES, [accuse_event()])
    bad = accuse_event()
    bad.sentence = "A different sentence."
    with pytest.raises(ValueError, match="sentence text differs"):
        store.save_document(make_doc(), SENTENCES, [bad])
    assert store.events() == [accuse_event().to_dict()]


def test_failure_inside_the_transaction_rolls_back(store):
    store.save_document(make_doc(), SENTENCES, [accuse_event()])
    bad = accuse_event(cameo="111")
    bad.quad_class = "not a number"  # fails in the INSERT, after the old rows were deleted
    with pytest.raises(Exception):
        store.save_document(make_doc(), SENTENCES, [bad])
    assert store.events() == [accuse_event().to_dict()]
    assert store.counts() == {"documents": 1, "sentences": 2, "events": 1, "skipped": 0}
    store.save_document(make_doc(), SENTENCES, [un_event()])  # the connection is still usable
    assert store.counts()["events"] == 1


def test_event_for_other_document_is_rejected(store):
    with pytest.raises(ValueError, match="belongs to"):
        store.save_document(make_doc("d1"), SENTENCES, [accuse_event("d2")])
    assert store.counts()["documents"] == 0


def test_missing_sentence_is_taken_from_the_event(store):
    store.save_document(make_doc(), SENTENCES[:1], [accuse_event(), un_event()])
    assert store.counts()["sentences"] == 2
    assert store.events()[1]["sentence"] == SENTENCES[1][2]


def test_has_document_checks_content_hash(store):
    doc = make_doc()
    assert not store.has_document("d1")
    store.save_document(doc, SENTENCES, [])
    assert store.has_document("d1")
    assert store.has_document("d1", doc.content_hash)
    assert not store.has_document("d1", make_doc(text=TEXT + " More.").content_hash)


def test_skipped_rows(store):
    store.save_skipped(Skipped(origin="news.jsonl:7", reason="empty text"))
    store.save_skipped(Skipped(origin="news.jsonl:9", reason="bad date", doc_id="d9"))
    rows = store.query("SELECT origin, doc_id, reason, skipped_at FROM skipped ORDER BY origin")
    assert [(r["origin"], r["doc_id"], r["reason"]) for r in rows] == [
        ("news.jsonl:7", None, "empty text"), ("news.jsonl:9", "d9", "bad date"),
    ]
    assert all(isinstance(r["skipped_at"], dt.datetime) for r in rows)
    assert store.counts()["skipped"] == 2


def test_filters(store):
    store.save_document(make_doc("d1"), SENTENCES, [accuse_event("d1"), un_event("d1")])
    store.save_document(make_doc("d2"), SENTENCES, [accuse_event("d2")])
    assert len(store.events()) == 3
    assert {e["doc_id"] for e in store.events(doc_id="d2")} == {"d2"}
    assert [e["cameo"] for e in store.events(cameo_root="03")] == ["036"]
    assert len(store.events(source_country="PAK", target_country="IND")) == 2
    assert len(store.events(doc_id="d1", target_country=None)) == 2  # None: no filter
    with pytest.raises(TypeError, match="unknown event filter"):
        store.events(nation="PAK")


def test_date_dyad_country_code_and_limit_filters(store):
    store.save_document(make_doc("d1"), SENTENCES, [accuse_event("d1"), un_event("d1")])
    store.save_document(make_doc("d2"), SENTENCES, [accuse_event("d2", cameo="111")])
    assert store.count_events() == 3
    assert {e["doc_id"] for e in store.events(country="IND")} == {"d1", "d2"}  # either side
    assert store.count_events(dyad=("PAK", "IND")) == 2 and store.count_events(dyad=("IND", "PAK")) == 0
    assert store.count_events(dyad=("IND", "PAK"), both_directions=True) == 2
    assert [e["cameo"] for e in store.events(cameo="111")] == ["111"]
    assert store.count_events(start=dt.date(2024, 2, 29), end=dt.date(2024, 2, 29)) == 2  # undated ones are out
    assert store.count_events(start=dt.date(2024, 3, 1)) == 0
    assert len(store.events(limit=1)) == 1


def test_filter_value_with_quote_is_a_parameter(store):
    doc_id = "o'brien's story'; DROP TABLE events; --"
    store.save_document(make_doc(doc_id), SENTENCES, [accuse_event(doc_id)])
    assert [e["doc_id"] for e in store.events(doc_id=doc_id)] == [doc_id]
    assert store.events(doc_id="o'brien") == []
    assert store.has_document(doc_id)
    assert store.query("SELECT count(*) AS n FROM events WHERE doc_id = ?", [doc_id]) == [{"n": 1}]


def test_persists_across_reopen(tmp_path):
    path = tmp_path / "events.duckdb"
    with EventStore(path) as s:
        s.save_document(make_doc(), SENTENCES, [accuse_event(), un_event()])
        s.save_skipped(Skipped(origin="x", reason="y"))
    with EventStore(path) as s:
        assert s.counts() == {"documents": 1, "sentences": 2, "events": 2, "skipped": 1}
        assert s.events() == [accuse_event().to_dict(), un_event().to_dict()]
        assert s.query("SELECT count(*) AS n FROM meta WHERE key = 'schema_version'") == [{"n": 1}]  # not re-added


def test_newer_schema_version_is_refused(tmp_path):
    path = tmp_path / "future.duckdb"
    with EventStore(path) as s:
        s.query("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    with pytest.raises(RuntimeError, match="schema version"):
        EventStore(path)


def test_to_pandas(store):
    pytest.importorskip("pandas")
    store.save_document(make_doc(), SENTENCES, [accuse_event(), un_event()])
    df = store.to_pandas()
    assert len(df) == 2 and {"event_id", "cameo_root", "source_code"} <= set(df.columns)
    assert len(store.to_pandas("events_with_evidence")) == 2
    with pytest.raises(ValueError, match="unknown table"):
        store.to_pandas("events; DROP TABLE events")


def test_merged_tables_are_readable_as_frames(store):
    pytest.importorskip("pandas")
    store.save_document(make_doc(), SENTENCES, [accuse_event(), un_event()])
    store.merge_events()
    assert len(store.to_pandas("merged_events")) == 1  # the hypothetical UN statement is not merged
    assert len(store.to_pandas("event_mentions")) == 1
    assert store.to_pandas("document_clusters")["cluster_id"].tolist() == ["d1"]


def test_counts_stay_the_four_coding_tables(store):
    store.save_document(make_doc(), SENTENCES, [accuse_event()])
    store.merge_events()
    assert set(store.counts()) == {"documents", "sentences", "events", "skipped"}


def test_to_polars_gives_clear_error_or_frame(store):
    store.save_document(make_doc(), SENTENCES, [accuse_event()])
    try:
        import polars  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install polars"):
            store.to_polars()
    else:
        assert store.to_polars().height == 1


def test_many_events_are_inserted_in_batches(store):
    events = []
    for k in range(450):  # more than one multi-row INSERT's worth
        ev = accuse_event()
        ev.trigger_span = (k, k + 1)
        events.append(ev)
    store.save_document(make_doc(), SENTENCES, events)
    assert store.events() == [ev.to_dict() for ev in events]
