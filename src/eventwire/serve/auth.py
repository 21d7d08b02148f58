"""The API key that guards POST /api/documents, and the request body cap.

Both are enforced by `GuardMiddleware` before the application reads a byte of the body: a request
without a valid key is answered 401 and never reaches the code that codes and stores documents.
"""
from __future__ import annotations

import hmac
import json
from typing import Any, Mapping, Optional

# (method, path) pairs that need the API key.
PROTECTED = {("POST", "/api/documents")}


def presented_key(headers: Mapping[str, str]) -> Optional[str]:
    """The key from `X-API-Key: KEY` or `Authorization: Bearer KEY`."""
    key = headers.get("x-api-key")
    if key:
        return key
    auth = headers.get("authorization") or ""
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def check_api_key(headers: Mapping[str, str], expected: Optional[str]) -> Optional[str]:
    """None when the request carries the expected key, else the reason to refuse it."""
    if not expected:
        return "writing is disabled: the server has no API key (set EVENTWIRE_API_KEY and restart it)"
    given = presented_key(headers)
    if not given:
        return "missing API key: send it as 'X-API-Key: KEY' or 'Authorization: Bearer KEY'"
    # Header values arrive decoded as latin-1 (ASGI, Starlette): compare the raw bytes with the key's UTF-8.
    if not hmac.compare_digest(given.encode("latin-1", "replace"), expected.encode("utf-8", "replace")):
        return "invalid API key"
    return None


class GuardMiddleware:
    """Pure ASGI middleware: refuse protected requests without the key (401) and bodies over
    `max_body_bytes` (413), whether or not they declare a Content-Length."""

    def __init__(self, app: Any, *, api_key: Optional[str], max_body_bytes: int):
        self.app = app
        self.api_key = api_key
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if (scope["method"], scope["path"].rstrip("/") or "/") in PROTECTED:
            problem = check_api_key(headers, self.api_key)
            if problem:
                await _json(send, 401, {"detail": problem}, {"www-authenticate": "Bearer"})
                return
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                await _json(send, 400, {"detail": "Content-Length is not a number"})
                return
            if int(length) > self.max_body_bytes:
                await _json(send, 413, {"detail": f"request body over {self.max_body_bytes} bytes"})
                return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        # Read the body up to the cap, then hand it on: a chunked upload cannot slip past the limit.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_body_bytes:
                await _json(send, 413, {"detail": f"request body over {self.max_body_bytes} bytes"})
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = b"".join(chunks)
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _json(send: Any, status: int, payload: dict, extra_headers: Optional[dict[str, str]] = None) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in (extra_headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
