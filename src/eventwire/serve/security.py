"""Security headers on every response: Content-Security-Policy, X-Frame-Options, X-Content-Type-Options.

The dashboard has no inline script or style (app.js and style.css are files; colours are classes), so
its policy allows scripts and styles from the server alone. The API docs pages come from FastAPI with a
small inline script each; their policy allows exactly those scripts, by SHA-256 hash computed from the
page being sent, and inline styles (ReDoc and Swagger UI set them at run time).
"""
from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

DASHBOARD_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                 "frame-ancestors 'none'")
DOCS_CSP = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
COMMON = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def script_hashes(html: bytes) -> list[str]:
    """CSP source expressions ('sha256-...') for every inline <script> in a page."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'"
            for body in _INLINE_SCRIPT.findall(html)]


class SecurityHeadersMiddleware:
    """Pure ASGI: adds the headers to every HTTP response, streamed ones included."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in DOCS_PATHS:
            await self._docs_page(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = dict(message, headers=_with(message.get("headers", []),
                                                      {"content-security-policy": DASHBOARD_CSP, **COMMON}))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs_page(self, scope: dict, receive: Any, send: Any) -> None:
        """Hold the (small) page back until its inline scripts are hashed into the policy."""
        start: dict = {}
        body: list[bytes] = []

        async def hold(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                page = b"".join(body)
                csp = DOCS_CSP.format(hashes=" ".join(script_hashes(page)))
                await send(dict(start, headers=_with(start.get("headers", []),
                                                     {"content-security-policy": csp, **COMMON})))
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app(scope, receive, hold)


def _with(headers: list, extra: dict[str, str]) -> list:
    names = {k.encode() for k in extra}
    kept = [(k, v) for k, v in headers if k.lower() not in names]
    return kept + [(k.encode(), v.encode()) for k, v in extra.items()]
