"""`create_app(db_path)`: the FastAPI application behind `eventwire serve`.

    uvicorn --factory 'eventwire.serve:app_from_env'      # EVENTWIRE_DB, EVENTWIRE_API_KEY
    from eventwire.serve import create_app; app = create_app("eventwire.duckdb", api_key="...")

The JSON API lives under /api (Swagger UI at /docs, ReDoc at /redoc, both served from bundled files),
the dashboard at /. Nothing is fetched from outside: no CDN, no web fonts, no map tiles.
"""
from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qsl, urlencode

import duckdb
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .auth import GuardMiddleware
from .coding import CodingWorker
from .db import Database
from .exports import ExportCache
from .cache import ResponseCache
from .security import SecurityHeadersMiddleware
from .settings import ServeSettings

HERE = Path(__file__).parent
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

DESCRIPTION = """Events coded by eventwire (CAMEO/PLOVER) from a DuckDB store: filter, page and download
them, follow an event to its evidence and its document, and get series and networks for analysis.

Filters shared by the event endpoints: `start`, `end`, `actor`, `country`, `source`, `target`, `dyad`
(+`directed`), `root`, `cameo`, `plover`, `quad_class`, `place`, `q`, `doc_id`, `factual`, `min_confidence`.
Bad parameters get a 422 whose `detail` names the parameter and the problem.
`POST /api/documents` needs the server's API key (`X-API-Key` header)."""


def _make_fastapi(**kwargs: Any) -> FastAPI:
    """FastAPI with Swagger UI and ReDoc served from fastapi_offline's bundled files, not a CDN."""
    try:
        from fastapi_offline import FastAPIOffline
    except ImportError:  # the API works; /docs is left out rather than loading scripts from the internet
        return FastAPI(docs_url=None, redoc_url=None, **kwargs)
    return FastAPIOffline(**kwargs)


def create_app(db_path: str | os.PathLike, api_key: Optional[str] = None, *, pipeline: Any = None,
               max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, settings: Optional[ServeSettings] = None) -> FastAPI:
    """The app over the store at `db_path` (created, empty, if missing).

    api_key: the key POST /api/documents requires; defaults to $EVENTWIRE_API_KEY. Without one, POST is
    refused (401) and the server only reads. pipeline: an `eventwire.pipeline.Pipeline` to code posted
    documents with (default: built on the first POST). max_body_bytes: larger requests get a 413.
    settings: time limits, the download row cap and raw CSV (`ServeSettings`; default: its defaults).
    """
    from . import api, pages

    key = api_key if api_key is not None else (os.environ.get("EVENTWIRE_API_KEY") or None)
    settings = settings or ServeSettings()
    db = Database(db_path, query_timeout=settings.query_timeout)
    coder = CodingWorker(db, (lambda: pipeline) if pipeline is not None else _default_pipeline,
                         budget=settings.coding_timeout)
    exports = ExportCache()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        db.open()
        coder.start()
        coder.update_merged()  # in the background: reads go on meanwhile
        yield
        coder.close()
        exports.close()
        db.close()

    app = _make_fastapi(title="eventwire", version=_version(), description=DESCRIPTION, lifespan=lifespan)
    app.state.db = db
    app.state.api_key = key
    app.state.coder = coder
    app.state.exports = exports
    app.state.pipeline = pipeline
    app.state.settings = settings
    app.state.templates = pages.make_templates(HERE / "templates")
    app.add_middleware(ResponseCache)  # innermost: keyed on the cleaned query, served with the headers below
    app.add_middleware(DropEmptyFormFields)
    app.add_middleware(GuardMiddleware, api_key=key, max_body_bytes=max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: 401s and 413s get the headers too
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _add_error_handlers(app)
    return app


def _default_pipeline() -> Any:
    from eventwire.pipeline import Pipeline

    return Pipeline()  # loading spaCy takes seconds: done by the coding worker, on the first POST


class DropEmptyFormFields:
    """Dashboard forms submit every field, empty ones too (`?start=&actor=`): on pages (not /api, where
    an empty value is the caller's to fix) drop them so they mean "no filter" rather than a 422."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/api") and scope.get("query_string"):
            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            kept = [(k, v) for k, v in pairs if v.strip()]
            if len(kept) != len(pairs):
                scope = dict(scope, query_string=urlencode(kept).encode("latin-1"))
        await self.app(scope, receive, send)


def app_from_env() -> FastAPI:
    """For `uvicorn --factory eventwire.serve:app_from_env`: the store named by $EVENTWIRE_DB, limits from
    EVENTWIRE_QUERY_TIMEOUT, EVENTWIRE_MAX_DOWNLOAD_ROWS ... (see ServeSettings.from_env)."""
    return create_app(os.environ.get("EVENTWIRE_DB", "eventwire.duckdb"), settings=ServeSettings.from_env())


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("eventwire")
    except Exception:  # not installed as a distribution (running from a source tree)
        return "0"


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and request.url.path not in ("/openapi.json",)


def _clean_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation errors without the raw input and exception objects (not always JSON, may be huge)."""
    return [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in errors]


def _summary(errors: list[dict[str, Any]]) -> str:
    parts = []
    for e in errors:
        loc = [str(x) for x in e["loc"]]
        where = f"{loc[0]} parameter '{'.'.join(loc[1:])}'" if len(loc) > 1 and loc[0] in ("query", "path") \
            else ".".join(loc) or "request"
        parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)


def _add_error_handlers(app: FastAPI) -> None:
    from .pages import error_page

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = _clean_errors(list(exc.errors()))
        message = _summary(errors)
        if _wants_html(request):
            return error_page(request, 422, message)
        return JSONResponse({"detail": errors, "message": message}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _wants_html(request) and exc.status_code in (404, 422):
            return error_page(request, exc.status_code, str(exc.detail))
        body = {"detail": exc.detail}
        if exc.status_code == 422:
            body["message"] = str(exc.detail)
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    # A query the watchdog cut off (QueryWatchdog): the server's limit, not the caller's mistake.
    @app.exception_handler(duckdb.InterruptException)
    async def query_timeout(request: Request, exc: Exception):
        settings = request.app.state.settings
        message = (f"the query took longer than this server allows ({settings.query_timeout:g} s, downloads "
                   f"{settings.download_timeout:g} s): narrow the filters (a date range, an actor) and try again")
        if _wants_html(request):
            return error_page(request, 503, message)
        return JSONResponse({"detail": message}, status_code=503, headers={"Retry-After": "10"})

    # Input DuckDB cannot convert (an out-of-range date, say): the caller's mistake, so a 422.
    @app.exception_handler(duckdb.ConversionException)
    @app.exception_handler(duckdb.InvalidInputException)
    async def duckdb_input_error(request: Request, exc: Exception):
        message = f"a parameter could not be used in the query: {str(exc).splitlines()[0]}"
        if _wants_html(request):
            return error_page(request, 422, message)
        return JSONResponse({"detail": message}, status_code=422)
