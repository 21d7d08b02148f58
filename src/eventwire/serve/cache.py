"""Answers to reads, kept until the store changes.

A dashboard's users ask the same few questions (this month's panel, a dyad's series, the first page of
events), and the answer only changes when the store does: `Database.version` goes up after every write
(a POSTed document, a merge). So a GET answered with 200 and a JSON or HTML body of modest size is kept
under (store version, path, query) and served again until the version moves on. Downloads and exports
stream or have their own cache (serve/exports.py) and are left alone.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

MAX_ENTRIES = 512
MAX_BODY = 1_000_000  # bytes: bigger answers are not worth holding in memory
CACHED_TYPES = (b"application/json", b"text/html")
NOT_CACHED = ("/api/export", "/api/documents", "/static/")


class ResponseCache:
    """Pure ASGI middleware. ``version_of(app)`` gives the store version the answers depend on."""

    def __init__(self, app: Any, version_of=lambda app: app.state.db.version):
        self.app = app
        self.version_of = version_of
        self._entries: OrderedDict[tuple, tuple[dict, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(NOT_CACHED) \
                or b"format=" in scope.get("query_string", b""):  # format=csv|jsonl|parquet: a download
            await self.app(scope, receive, send)
            return
        key = (self.version_of(scope["app"]), scope["path"], scope.get("query_string", b""))
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
        if hit is not None:
            start, body = hit
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        start: dict = {}
        chunks: list[bytes] = []
        keep = True

        async def record(message: dict) -> None:
            nonlocal keep
            if message["type"] == "http.response.start":
                start.update(message)
                headers = dict(message.get("headers", []))
                keep = message["status"] == 200 and headers.get(b"content-type", b"").startswith(CACHED_TYPES)
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_BODY:
                    keep = False
                    chunks.clear()
            await send(message)

        await self.app(scope, receive, record)
        if keep and start and self.version_of(scope["app"]) == key[0]:  # not written to meanwhile
            with self._lock:
                self._entries[key] = (start, b"".join(chunks))
                while len(self._entries) > MAX_ENTRIES:
                    self._entries.popitem(last=False)
