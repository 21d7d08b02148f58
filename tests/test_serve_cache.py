"""serve.cache: reads answered again from memory until the store is written to."""
from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("fastapi", reason="eventwire serve needs the serve extra: pip install 'eventwire[serve]'")

from fastapi.testclient import TestClient  # noqa: E402

from eventwire.serve import create_app  # noqa: E402
from eventwire.serve.cache import ResponseCache  # noqa: E402
from eventwire.store import EventStore  # noqa: E402
from test_store import SENTENCES, accuse_event, make_doc  # noqa: E402


def _app_over_one_event(tmp_path):
    db = tmp_path / "s.duckdb"
    with EventStore(db) as store:
        store.save_document(make_doc("d1"), SENTENCES, [accuse_event("d1")])
    return create_app(db, api_key="k", pipeline=object())


def test_reads_are_kept_until_a_write_and_never_served_stale(tmp_path):
    app = _app_over_one_event(tmp_path)
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


def test_small_downloads_are_kept_and_served_byte_for_byte(tmp_path):
    app = _app_over_one_event(tmp_path)
    with TestClient(app) as client:
        first = client.get("/api/events?format=csv")
        assert first.status_code == 200 and first.text.count("\n") == 2  # header and one event
        calls = []
        for name in ("cursor", "read"):  # the two ways a download reaches the store
            original = getattr(app.state.db, name)
            setattr(app.state.db, name, lambda *a, _original=original, **k: (calls.append(1), _original(*a, **k))[1])
        again = client.get("/api/events?format=csv")
        assert again.content == first.content and not calls
        assert again.headers["content-disposition"] == first.headers["content-disposition"]


# The middleware on its own, over a toy ASGI app that counts how often it is asked.

class _Store:
    version = 1


class _ToyApp:
    def __init__(self, body: bytes, status: int = 200, pause: float = 0.0):
        self.body, self.status, self.pause, self.calls = body, status, pause, 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        if self.pause:
            await asyncio.sleep(self.pause)
        await send({"type": "http.response.start", "status": self.status, "headers": [(b"content-type", b"text/csv")]})
        await send({"type": "http.response.body", "body": self.body[:3], "more_body": True})
        await send({"type": "http.response.body", "body": self.body[3:], "more_body": False})


def _get(cache, path: str = "/api/events", query: bytes = b"format=csv"):
    sent: list = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "app": None}
    return cache(scope, receive, send), sent


def _run(*calls):
    async def main():
        await asyncio.gather(*(c for c, _ in calls))
    asyncio.run(main())
    return [b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body") for _, sent in calls]


def test_concurrent_identical_reads_are_computed_once():
    toy = _ToyApp(b"a,b\n1,2\n", pause=0.05)
    cache = ResponseCache(toy, version_of=lambda app: _Store.version)
    bodies = _run(*[_get(cache) for _ in range(10)])
    assert bodies == [b"a,b\n1,2\n"] * 10 and toy.calls == 1


def test_big_answers_errors_and_stale_answers_are_not_kept():
    big = _ToyApp(b"x" * 100)
    cache = ResponseCache(big, version_of=lambda app: _Store.version, max_body=50)
    assert _run(_get(cache), _get(cache, query=b"other")) == [b"x" * 100] * 2
    _run(_get(cache))
    assert big.calls == 3 and cache.size == (0, 0)  # streamed every time, nothing held

    failing = _ToyApp(b"not found", status=404)
    cache = ResponseCache(failing, version_of=lambda app: _Store.version)
    _run(_get(cache))
    _run(_get(cache))
    assert failing.calls == 2

    ok = _ToyApp(b"fresh")
    cache = ResponseCache(ok, version_of=lambda app: _Store.version)
    _run(_get(cache))
    _Store.version += 1  # a write: the kept answer no longer applies
    _run(_get(cache))
    assert ok.calls == 2


def test_the_byte_budget_drops_the_least_recently_used_answers():
    toy = _ToyApp(b"y" * 40)
    cache = ResponseCache(toy, version_of=lambda app: _Store.version, max_body=50, max_bytes=100)
    for q in (b"1", b"2", b"1", b"3"):  # 1 is used again after 2, so 2 is the one dropped
        _run(_get(cache, query=q))
    assert cache.size == (2, 80) and toy.calls == 3
    _run(_get(cache, query=b"1"))
    assert toy.calls == 3
    _run(_get(cache, query=b"2"))
    assert toy.calls == 4
