"""serve.cache: reads answered again from memory until the store is written to."""
from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="eventwire serve needs the serve extra: pip install 'eventwire[serve]'")

from fastapi.testclient import TestClient  # noqa: E402

from eventwire.serve import create_app  # noqa: E402
from eventwire.store import EventStore  # noqa: E402
from test_store import SENTENCES, accuse_event, make_doc  # noqa: E402


def test_reads_are_kept_until_a_write_and_never_served_stale(tmp_path):
    db = tmp_path / "s.duckdb"
    with EventStore(db) as store:
        store.save_document(make_doc("d1"), SENTENCES, [accuse_event("d1")])
    app = create_app(db, api_key="k", pipeline=object())
    with TestClient(app) as client:
        first = client.get("/api/events?limit=5")
        assert first.status_code == 200 and first.json()["total"] == 1
        calls = []
        original = app.state.db.read

        def counting_read(*args, **kwargs):
            calls.append(1)
            return original(*args, **kwargs)

        app.state.db.read = counting_read
        again = client.get("/api/events?limit=5")
        assert again.json() == first.json() and not calls  # answered without touching the store
        assert again.headers["x-content-type-options"] == "nosniff"  # headers still added
        with app.state.db.write() as store:  # a write: every kept answer is stale
            store.save_document(make_doc("d2"), SENTENCES, [accuse_event("d2")])
        after = client.get("/api/events?limit=5")
        assert after.json()["total"] == 2 and calls
