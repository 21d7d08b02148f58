"""Answers to reads, kept until the store changes.

A dashboard's users ask the same few questions (this month's panel, a dyad's series, the first page of
events, this week's CSV), and the answer only changes when the store does: `Database.version` goes up
after every write (a POSTed document, a merge). So a GET answered with 200 is kept under (store version,
path, query) and served again until the version moves on. Downloads are kept too when they are small
(at most MAX_BODY bytes; the server's row cap keeps most of them so): on two cores a 2,000-row CSV costs
about 0.1 s of Python, and fifty clients asking for it at once queued for seconds. Bigger answers stream
as before; whole-store exports also have their own file cache (serve/exports.py).

When several clients ask the same uncached question at once, the first computes it and the others wait
for its answer instead of computing it again.
"""
from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from typing import Any

MAX_BODY = 8_000_000  # bytes per answer: bigger ones stream and are not held in memory
MAX_BYTES = 256_000_000  # bytes in all: the least recently used answers go first
NOT_CACHED = ("/api/documents", "/api/health", "/static/")  # health: a live check, not a kept one


class ResponseCache:
    """Pure ASGI middleware. ``version_of(app)`` gives the store version the answers depend on."""

    def __init__(self, app: Any, version_of=lambda app: app.state.db.version,
                 max_body: int = MAX_BODY, max_bytes: int = MAX_BYTES):
        self.app = app
        self.version_of = version_of
        self.max_body = max_body
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[dict, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._computing: dict[tuple, asyncio.Event] = {}

    def _get(self, key: tuple) -> tuple[dict, bytes] | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
            return hit

    def _put(self, key: tuple, start: dict, body: bytes) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (start, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes and self._entries:
                _, (_, old) = self._entries.popitem(last=False)
                self._bytes -= len(old)

    @property
    def size(self) -> tuple[int, int]:
        """(answers kept, bytes kept)."""
        with self._lock:
            return len(self._entries), self._bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(NOT_CACHED):
            await self.app(scope, receive, send)
            return
        key = (self.version_of(scope["app"]), scope["path"], scope.get("query_string", b""))
        hit = self._get(key)
        if hit is None and key in self._computing:  # someone is computing this answer: wait for it
            await self._computing[key].wait()
            hit = self._get(key)
        if hit is not None:
            start, body = hit
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        leader = key not in self._computing
        if leader:
            self._computing[key] = asyncio.Event()
        try:
            await self._compute(scope, receive, send, key)
        finally:
            if leader:
                self._computing.pop(key).set()

    async def _compute(self, scope: dict, receive: Any, send: Any, key: tuple) -> None:
        start: dict = {}
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def record(message: dict) -> None:
            nonlocal keep, size
            if message["type"] == "http.response.start":
                start.update(message)
                keep = message["status"] == 200
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                if size > self.max_body:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(body)
            await send(message)

        await self.app(scope, receive, record)  # an error or a client gone raises here: nothing is kept
        if keep and start and self.version_of(scope["app"]) == key[0]:  # not written to meanwhile
            body = b"".join(chunks)
            # A streamed answer had no length; the kept one is whole, so it says how long it is.
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            self._put(key, {**start, "headers": headers + [(b"content-length", str(len(body)).encode())]}, body)
