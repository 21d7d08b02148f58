"""schemathesis against the API's own OpenAPI spec: generated requests, valid and invalid, must never get
a 5xx. Bounded: a few dozen examples per operation, a deadline per example.

The store is built by hand (no spaCy) with the awkward cases in it: events without a target, without a
date, with a place, negated ones, unknown actors ("---"), non-ASCII text, and merged mentions. POSTs
are sent with the API key, and coded by a stub pipeline that finds no events, so the write path is
fuzzed as well without loading a model.
"""
from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install schemathesis)")
pytest.importorskip("fastapi", reason="eventwire serve needs the serve extra: pip install 'eventwire[serve]'")

from hypothesis import HealthCheck, settings  # noqa: E402

from eventwire.pipeline import CodedDocument  # noqa: E402
from eventwire.records import Actor, Document, Event, Location  # noqa: E402
from eventwire.serve import create_app  # noqa: E402
from eventwire.store import EventStore  # noqa: E402

KEY = "fuzz-key"
SEEN: Counter = Counter()  # (method, status class) -> responses, filled by test_no_server_errors


class NoEventsPipeline:
    """Codes every posted document into sentences split on '. ' and no events."""

    def code_documents(self, documents):
        for doc in documents:
            text, sentences, start = doc.full_text, [], 0
            for part in text.split(". "):
                sentences.append((start, start + len(part), part))
                start += len(part) + 2
            yield CodedDocument(doc, sentences, [])


def _event(doc_id: str, i: int, sentence: str, source: Actor, target, cameo: str, goldstein: float, quad: int,
           trigger_span, date=None, location=None, negated=False) -> Event:
    return Event(doc_id=doc_id, sentence_index=i, sentence=sentence, source=source, target=target, cameo=cameo,
                 trigger=sentence[trigger_span[0]:trigger_span[1]], rule="fuzz", goldstein=goldstein,
                 quad_class=quad, plover="ACCUSE" if cameo.startswith("11") else None, trigger_span=trigger_span,
                 date=date, date_precision="day" if date else None, date_source="text" if date else None,
                 location=location, negated=negated)


def build_store(path) -> None:
    s1 = "Pakistan accused Russia of meddling."
    s2 = "Rebels attacked Güstrow near Kraków."
    s3 = "The unknown group did not attack anyone."
    text = f"{s1} {s2} {s3}"
    doc = Document(id="fuzz/doc 1", text=text, title="Ünïcode — title", date=dt.date(2024, 3, 1), source="Wire")
    off = len(doc.title) + 2
    sentences = [(off, off + len(s1), s1), (off + len(s1) + 1, off + len(s1) + 1 + len(s2), s2),
                 (off + len(s1) + len(s2) + 2, off + len(text), s3)]
    pak = Actor("Pakistan", "PAK", "PAK", None, span=(0, 8))
    rus = Actor("Russia", "RUS", "RUS", None, span=(17, 23))
    reb = Actor("Rebels", "---REB", None, "REB", span=(0, 6))
    unknown = Actor("The unknown group", "---", None, None, span=(0, 17))
    events = [
        _event(doc.id, 0, s1, pak, rus, "112", -2.0, 3, (9, 16), dt.date(2024, 2, 28)),
        _event(doc.id, 1, s2, reb, None, "190", -10.0, 4, (7, 15), None,
               Location("Kraków", "POL", "Lesser Poland", 50.06, 19.94, 3094802, "city", "fuzz")),
        _event(doc.id, 2, s3, unknown, None, "190", -10.0, 4, (26, 32), dt.date(2024, 3, 1), negated=True),
    ]
    copy = Document(id="copy", text=s1, date=dt.date(2024, 3, 2), source="Other wire")
    with EventStore(path) as store:
        store.save_document(doc, sentences, events)
        store.save_document(copy, [(0, len(s1), s1)],
                            [_event("copy", 0, s1, pak, rus, "112", -2.0, 3, (9, 16), dt.date(2024, 2, 28))])
        if hasattr(store, "merge_events"):
            store.merge_events(window_days=3)


# schemathesis reads the spec when the module is collected, so the app (over a small store in a temporary
# folder) is made then; the folder is removed when the module's tests are done.
_STORE_DIR = Path(tempfile.mkdtemp(prefix="eventwire-fuzz-"))
build_store(_STORE_DIR / "fuzz.duckdb")
APP = create_app(_STORE_DIR / "fuzz.duckdb", api_key=KEY, pipeline=NoEventsPipeline(), max_body_bytes=200_000)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _remove_store():
    yield
    APP.state.db.close()
    shutil.rmtree(_STORE_DIR, ignore_errors=True)


@pytest.fixture(scope="module")
def fuzz_app():
    return APP


def test_fuzz_store_is_served(fuzz_app):
    """Runs before the fuzzing (file order), which may add documents."""
    from fastapi.testclient import TestClient

    with TestClient(fuzz_app) as client:
        assert client.get("/api/health").json()["events"] == 4
        assert client.get("/api/events/" + client.get("/api/events?limit=1").json()["events"][0]["event_id"]).status_code == 200
        assert client.get("/api/documents/fuzz/doc 1").json()["doc_id"] == "fuzz/doc 1"


@schema.parametrize()
@settings(max_examples=25, deadline=5000, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    response = case.call(headers={"X-API-Key": KEY})
    SEEN[(case.method, response.status_code // 100)] += 1
    if case.method == "POST":
        SEEN[("POST", response.status_code)] += 1
    not_a_server_error_check(response, case)


def test_fuzzing_reached_success_and_rejection():
    """The run above got answers of both kinds, and stored posted documents (201)."""
    if not SEEN:
        pytest.skip("the fuzz test did not run")
    assert SEEN[("GET", 2)] > 0 and SEEN[("GET", 4)] > 0, SEEN
    assert SEEN[("POST", 201)] > 0 and SEEN[("POST", 422)] > 0, SEEN


def not_a_server_error_check(response, case) -> None:
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query or ''} -> {response.status_code}: {response.text[:500]}"
    )
