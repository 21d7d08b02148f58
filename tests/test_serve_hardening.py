"""eventwire serve under pressure: security headers and CSP, CSV formula cells, download caps and exports,
query time limits, and POST /api/documents coded off the event loop within a time budget.

The store is built by hand (no spaCy): a few events with cells that a spreadsheet would run as formulas,
negative Goldstein values, a located event, and a wire copy so that merging has something to merge.
Posted documents are coded by stub pipelines that find one event, fail, or wait for the test.
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
import threading
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="eventwire serve needs the serve extra: pip install 'eventwire[serve]'")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")

import duckdb  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from eventwire import export as exporter  # noqa: E402
from eventwire.pipeline import CodedDocument  # noqa: E402
from eventwire.records import Actor, Document, Event, Location  # noqa: E402
from eventwire.serve import create_app  # noqa: E402
from eventwire.serve.settings import ServeSettings  # noqa: E402
from eventwire.store import EventStore  # noqa: E402

KEY = "hardening-key"
D = dt.date


def _event(doc_id, i, sentence, source, target, cameo, goldstein, quad, day, **extra) -> Event:
    return Event(doc_id=doc_id, sentence_index=i, sentence=sentence, source=source, target=target, cameo=cameo,
                 trigger="accused", rule="test", goldstein=goldstein, quad_class=quad, plover="ACCUSE",
                 trigger_span=(0, 2), date=day, date_precision="day", date_source="text", **extra)


def build_store(path: Path) -> None:
    s1 = "=HYPERLINK(\"x\") Pakistan accused India of shelling."
    s2 = "-Russia attacked Kyiv on Monday."
    s3 = "@channel Chile praised Peru."
    text = f"{s1} {s2} {s3}"
    sentences = [(0, len(s1), s1), (len(s1) + 1, len(s1) + 1 + len(s2), s2),
                 (len(s1) + len(s2) + 2, len(text), s3)]
    pak, ind = Actor("+Pakistan", "PAK", "PAK", None, span=(17, 25)), Actor("India", "IND", "IND", None, span=(35, 40))
    rus, ukr = Actor("Russia", "RUS", "RUS", None, span=(1, 7)), Actor("Kyiv", "UKR", "UKR", None, span=(17, 21))
    chl, per = Actor("Chile", "CHL", "CHL", None, span=(9, 14)), Actor("Peru", "PER", "PER", None, span=(23, 27))
    kyiv = Location("Kyiv", "UKR", None, 50.45, 30.52, 703448, "city", "test")
    events = [
        _event("doc-1", 0, s1, pak, ind, "112", -2.0, 3, D(2024, 3, 1)),
        _event("doc-1", 1, s2, rus, ukr, "190", -10.0, 4, D(2024, 3, 4), location=kyiv),
        _event("doc-1", 2, s3, chl, per, "051", 3.4, 1, D(2024, 4, 2)),
    ]
    copy = [_event("copy-1", 0, s1, pak, ind, "112", -2.0, 3, D(2024, 3, 1))]
    with EventStore(path) as store:
        store.save_document(Document(id="doc-1", text=text, title="=cmd|' /C calc'!A0", date=D(2024, 3, 5),
                                     source="Wire A"), sentences, events)
        store.save_document(Document(id="copy-1", text=s1, date=D(2024, 3, 6), source="Wire B"),
                            [(0, len(s1), s1)], copy)
        store.merge_events(window_days=1)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hardening") / "store.duckdb"
    build_store(path)
    return path


class OneEventPipeline:
    """Codes each document's text as one sentence with one event: its first word accuses its last."""

    def __init__(self):
        self.calls = 0

    def code_documents(self, documents):
        self.calls += 1
        for doc in documents:
            text = doc.full_text
            words = text.split()
            event = _event(doc.id, 0, text, Actor(words[0], "PAK", "PAK", None, span=(0, len(words[0]))),
                           Actor(words[-1], "IND", "IND", None, span=(len(text) - len(words[-1]), len(text))),
                           "112", -2.0, 3, doc.date or D(2024, 5, 1))
            yield CodedDocument(doc, [(0, len(text), text)], [event])


class FailingPipeline:
    def code_documents(self, documents):
        raise ValueError("spaCy choked on this input")
        yield  # a generator, like the real one


class GatedPipeline(OneEventPipeline):
    """Waits for the test to open the gate before coding (or for `hold` seconds per document)."""

    def __init__(self, hold: float = 30.0):
        super().__init__()
        self.started = threading.Event()
        self.gate = threading.Event()
        self.hold = hold

    def code_documents(self, documents):
        self.started.set()
        self.gate.wait(self.hold)
        yield from super().code_documents(documents)


def make_app(pristine: Path, tmp_path: Path, name: str = "app.duckdb", **kwargs):
    path = Path(shutil.copy(pristine, tmp_path / name))
    settings = kwargs.pop("settings", None)
    return create_app(path, api_key=KEY, pipeline=kwargs.pop("pipeline", OneEventPipeline()), settings=settings,
                      **kwargs)


@pytest.fixture
def client(pristine, tmp_path):
    with TestClient(make_app(pristine, tmp_path)) as c:
        yield c


def fingerprint(app) -> dict:
    with app.state.db.read() as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("documents", "sentences", "events", "merged_events")}


def post(client, documents, key=KEY):
    return client.post("/api/documents", json={"documents": documents}, headers={"X-API-Key": key})


# -- headers ------------------------------------------------------------------------------------------


PAGES = ["/", "/events", "/panel", "/map", "/documents", "/documents/doc-1", "/actors/PAK", "/dyads/PAK/IND"]


def test_every_response_has_the_security_headers(client):
    responses = [client.get(u) for u in PAGES + ["/api/health", "/api/events?format=csv", "/static/style.css",
                                                  "/colors.css", "/nope", "/api/events?quad_class=9",
                                                  "/api/export?format=gdelt", "/openapi.json"]]
    responses.append(client.post("/api/documents", json={"documents": []}))  # 401 from the guard middleware
    responses.append(client.post("/api/documents", content=b"x" * (5 * 1024 * 1024),
                                 headers={"X-API-Key": KEY, "content-type": "application/json"}))  # 413
    assert {r.status_code for r in responses} >= {200, 401, 404, 413, 422}
    for r in responses:
        assert r.headers["x-frame-options"] == "DENY", r.url
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, r.url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, r.url


def test_docs_pages_allow_exactly_their_inline_scripts(client):
    for url in ("/docs", "/docs/oauth2-redirect"):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
        inline = re.findall(r"<script>(.*?)</script>", r.text, re.S)
        assert inline, url
        for body in inline:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in script_src, url
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src


def test_dashboard_pages_have_no_inline_script_or_style(client):
    for url in PAGES + ["/panel?value=goldstein_sum", "/events/" + client.get("/api/events?limit=1").json()["events"][0]["event_id"]]:
        html = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"<style\b", html), url
        assert not re.search(r"""\sstyle\s*=\s*["']""", html), url
        assert not re.search(r"""\son[a-z]+\s*=\s*["']""", html), url


def test_colour_classes_used_on_pages_are_in_colors_css(client):
    css = client.get("/colors.css").text
    defined = set(re.findall(r"\.((?:gs|heat|gb)-[a-z0-9]+)\s*\{", css))
    used = set()
    for url in PAGES + ["/panel?value=goldstein_sum"]:
        used |= set(re.findall(r'class="[^"]*?\b((?:gs|heat|gb)-[a-z0-9]+)\b', client.get(url).text))
    assert used and used <= defined, used - defined
    from eventwire.serve.charts import goldstein_color

    for v in (-10, -3, 0, 4, 10):
        name = f"m{-v}" if v < 0 else f"p{v}" if v > 0 else "0"
        assert f".gs-{name} {{ color: {goldstein_color(v)}; }}" in css


# -- CSV formula cells ------------------------------------------------------------------------------


def _cells(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_cells_that_look_like_formulas_are_neutralised(client):
    rows = _cells(client.get("/api/events?format=csv&sort=date").text)
    sentences = {r["sentence"] for r in rows}
    assert "'=HYPERLINK(\"x\") Pakistan accused India of shelling." in sentences
    assert "'-Russia attacked Kyiv on Monday." in sentences and "'@channel Chile praised Peru." in sentences
    assert "'+Pakistan" in {r["source_text"] for r in rows}
    assert {r["goldstein"] for r in rows} >= {"-2.0", "-10.0"}  # numbers stay numbers
    docs = _cells(client.get("/api/documents?format=csv").text)
    assert "'=cmd|' /C calc'!A0" in {d["title"] for d in docs}
    export = _cells(client.get("/api/export?format=csv&merged=false").text)
    assert "'+Pakistan" in {r["source_text"] for r in export}
    assert {r["goldstein"] for r in export} >= {"-2.0", "-10.0"}
    assert not any(v.startswith(("=", "+", "@")) or (v.startswith("-") and not _number(v))
                   for r in export for v in r.values() if v)


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_raw_csv_keeps_cells_as_stored(pristine, tmp_path):
    app = make_app(pristine, tmp_path, settings=ServeSettings(raw_csv=True))
    with TestClient(app) as client:
        rows = _cells(client.get("/api/events?format=csv").text)
        assert "=HYPERLINK(\"x\") Pakistan accused India of shelling." in {r["sentence"] for r in rows}
        assert "=cmd|' /C calc'!A0" in {d["title"] for d in _cells(client.get("/api/documents?format=csv").text)}
        with app.state.db.write() as store:
            want = io.StringIO()
            exporter.write_csv(store, want, merged=False)
        assert client.get("/api/export?format=csv&merged=false").text == want.getvalue()


def test_serve_command_has_raw_csv_and_the_limits():
    from typer.testing import CliRunner

    from eventwire.cli import app as cli_app

    result = CliRunner().invoke(cli_app, ["serve", "--help"], terminal_width=200)
    for option in ("--raw-csv", "--query-timeout", "--download-timeout", "--coding-timeout", "--max-download-rows"):
        assert option in result.output, option
    assert "SECONDS" in result.output and "<float>" not in result.output


# -- downloads: caps and exports --------------------------------------------------------------------


def test_downloads_stop_at_the_row_cap_and_say_so(pristine, tmp_path):
    app = make_app(pristine, tmp_path, settings=ServeSettings(max_download_rows=2))
    with TestClient(app) as client:
        total = client.get("/api/events").json()["total"]
        assert total > 2
        r = client.get("/api/events?format=csv")
        assert len(_cells(r.text)) == 2
        assert (r.headers["x-truncated"], r.headers["x-total-count"], r.headers["x-row-limit"]) == ("true", str(total), "2")
        r = client.get("/api/events?format=jsonl")
        assert len(r.text.splitlines()) == 2 and r.headers["x-truncated"] == "true"
        r = client.get("/api/events?format=csv&limit=1")
        assert len(_cells(r.text)) == 1 and r.headers["x-truncated"] == "false"
        import pyarrow.parquet as pq

        r = client.get("/api/events?format=parquet")
        assert pq.read_table(io.BytesIO(r.content)).num_rows == 2 and r.headers["x-truncated"] == "true"
        gdelt = client.get("/api/export?format=gdelt&merged=false")
        assert len(gdelt.text.splitlines()) == 2 and gdelt.headers["x-truncated"] == "true"
        plover = client.get("/api/export?format=plover&merged=false")
        assert len(plover.text.splitlines()) == 2
        table = client.get("/api/export?format=csv&merged=false")
        assert len(_cells(table.text)) == 2
        r = client.get("/api/export?format=parquet&merged=false")
        assert r.status_code == 413 and "cap" in r.json()["detail"]


def test_exports_are_what_eventwire_export_writes(client):
    app = client.app
    with app.state.db.write() as store:
        for merged in (True, False):
            gdelt, plover = io.StringIO(), io.StringIO()
            exporter.write_gdelt(store, gdelt, merged=merged, header=True)
            exporter.write_plover(store, plover, merged=merged)
            flag = str(merged).lower()
            r = client.get(f"/api/export?format=gdelt&merged={flag}&header=true")
            assert r.text == gdelt.getvalue() and r.headers["content-type"].startswith("text/tab-separated-values")
            assert len(r.text.splitlines()[0].split("\t")) == len(exporter.gdelt_column_names())
            assert client.get(f"/api/export?format=plover&merged={flag}").text == plover.getvalue()
        n_merged = store.con.execute("SELECT count(*) FROM merged_events").fetchone()[0]
    import pyarrow.parquet as pq

    r = client.get("/api/export?format=parquet")
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.parquet"')
    assert pq.read_table(io.BytesIO(r.content)).num_rows == n_merged == int(r.headers["x-total-count"])
    assert client.get("/api/export?format=xml").status_code == 422


# -- query time limit -------------------------------------------------------------------------------


def test_watchdog_interrupts_a_long_query():
    from eventwire.serve.watchdog import QueryWatchdog

    watchdog, con = QueryWatchdog(), duckdb.connect()
    try:
        with pytest.raises(duckdb.InterruptException):
            with watchdog.limit(con, 0.2):
                con.execute("SELECT count(*) FROM range(100000000000) a, range(10) b").fetchall()
        assert watchdog.interrupted == 1
        with watchdog.limit(con, 5):  # released in time: not interrupted
            assert con.execute("SELECT 42").fetchone() == (42,)
        assert watchdog.interrupted == 1
    finally:
        watchdog.stop()
        con.close()


def test_a_slow_query_gets_503_and_the_server_goes_on(pristine, tmp_path, monkeypatch):
    from eventwire.serve import queries

    slow = "SELECT count(*) FROM range(100000000000) a, range(10) b"
    monkeypatch.setattr(queries, "count_events", lambda con, f: con.execute(slow).fetchone()[0])
    app = make_app(pristine, tmp_path, settings=ServeSettings(query_timeout=0.3))
    with TestClient(app) as client:
        r = client.get("/api/events")
        assert r.status_code == 503 and "longer than this server allows (0.3 s" in r.json()["detail"]
        page = client.get("/events")
        assert page.status_code == 503 and "<html" in page.text
        assert client.get("/api/health").status_code == 200
        assert app.state.db.watchdog.interrupted >= 2


# -- POST: coded in a worker, within a budget -------------------------------------------------------


DOC = {"id": "post-1", "title": "Pakistan and India", "text": "Pakistan accused India.", "date": "2024-05-02"}


def test_a_pipeline_error_is_a_422_with_the_reason(pristine, tmp_path):
    app = make_app(pristine, tmp_path, pipeline=FailingPipeline())
    with TestClient(app) as client:
        before = fingerprint(app)
        r = post(client, [DOC])
        assert r.status_code == 422
        assert "could not be coded" in r.json()["detail"] and "spaCy choked" in r.json()["detail"]
        assert fingerprint(app) == before


@pytest.mark.parametrize("field", ["text", "title", "id", "source"])
def test_nul_characters_are_refused(client, field):
    before = fingerprint(client.app)
    r = post(client, [dict(DOC, **{field: "Pakistan\x00 accused India."})])
    assert r.status_code == 422 and "NUL" in json.dumps(r.json())
    assert fingerprint(client.app) == before


def test_coding_past_the_budget_stores_nothing(pristine, tmp_path):
    pipeline = GatedPipeline(hold=2.0)  # never opened: each batch takes 2 s, the budget is 0.3 s
    app = make_app(pristine, tmp_path, pipeline=pipeline, settings=ServeSettings(coding_timeout=0.3))
    with TestClient(app) as client:
        before = fingerprint(app)
        r = post(client, [DOC])
        assert r.status_code == 422 and "budget" in r.json()["detail"]
        assert app.state.coder.wait_idle()
        assert fingerprint(app) == before
        assert client.get("/api/documents/post-1").status_code == 404


def test_a_post_that_waits_past_its_budget_for_another_is_503(pristine, tmp_path):
    pipeline = GatedPipeline()
    app = make_app(pristine, tmp_path, pipeline=pipeline, settings=ServeSettings(coding_timeout=1.0))
    with TestClient(app) as client:
        first: dict = {}
        worker = threading.Thread(target=lambda: first.update(r=post(client, [DOC])))
        worker.start()
        assert pipeline.started.wait(10)
        second = post(client, [dict(DOC, id="post-2")])  # queued behind the first, which holds the worker
        pipeline.gate.set()
        worker.join(10)
        assert second.status_code == 503 and second.headers.get("retry-after")
        assert client.get("/api/documents/post-2").status_code == 404


def test_reads_do_not_wait_for_a_post_being_coded(pristine, tmp_path):
    pipeline = GatedPipeline()
    app = make_app(pristine, tmp_path, pipeline=pipeline)
    with TestClient(app) as client:
        answer: dict = {}
        worker = threading.Thread(target=lambda: answer.update(r=post(client, [DOC])))
        worker.start()
        assert pipeline.started.wait(10)
        # The POST is being coded (the pipeline waits for the gate): reads are answered meanwhile.
        for url in ("/api/health", "/api/events", "/", "/panel", "/api/export?format=gdelt"):
            assert client.get(url).status_code == 200, url
        assert not pipeline.gate.is_set() and worker.is_alive()
        pipeline.gate.set()
        worker.join(10)
        assert answer["r"].status_code == 201


def test_merged_tables_are_brought_up_to_date_after_a_write(client):
    app = client.app
    r = post(client, [DOC, dict(DOC, id="post-2", text="Pakistan accused India again.")])
    assert r.status_code == 201, r.text
    new_ids = {e["event_id"] for e in r.json()["events"]}
    assert len(new_ids) == 2
    assert app.state.coder.wait_idle()
    with app.state.db.write() as store:
        assert store.merged_is_current()
        linked = {row[0] for row in store.con.execute("SELECT event_id FROM event_mentions").fetchall()}
    assert new_ids <= linked


def test_a_stale_store_is_merged_on_start(pristine, tmp_path):
    path = Path(shutil.copy(pristine, tmp_path / "stale.duckdb"))
    with EventStore(path) as store:
        text = "Chile accused Peru."
        store.save_document(Document(id="late", text=text, date=D(2024, 6, 1)), [(0, len(text), text)],
                            [_event("late", 0, text, Actor("Chile", "CHL", "CHL", None, span=(0, 5)),
                                    Actor("Peru", "PER", "PER", None, span=(14, 18)), "112", -2.0, 3, D(2024, 6, 1))])
        assert not store.merged_is_current()
    app = create_app(path)
    with TestClient(app):
        assert app.state.coder.wait_idle()
        with app.state.db.write() as store:
            assert store.merged_is_current()


def test_settings_from_the_environment():
    s = ServeSettings.from_env({"EVENTWIRE_QUERY_TIMEOUT": "2.5", "EVENTWIRE_MAX_DOWNLOAD_ROWS": "10",
                                "EVENTWIRE_RAW_CSV": "true"})
    assert (s.query_timeout, s.max_download_rows, s.raw_csv, s.coding_timeout) == (2.5, 10, True, 120.0)
    with pytest.raises(ValueError):
        ServeSettings(max_download_rows=0)


def test_a_repeated_export_is_served_from_a_file_until_the_store_changes(client):
    app = client.app
    first = client.get("/api/export?format=gdelt&merged=false")
    again = client.get("/api/export?format=gdelt&merged=false")
    assert again.text == first.text and again.headers["content-length"] == str(len(again.content))
    assert post(client, [DOC]).status_code == 201
    assert app.state.coder.wait_idle()
    after = client.get("/api/export?format=gdelt&merged=false")
    assert len(after.text.splitlines()) == len(first.text.splitlines()) + 1  # the posted event is in it
    with app.state.db.write() as store:
        want = io.StringIO()
        exporter.write_gdelt(store, want, merged=False)
    assert after.text == want.getvalue()


def test_the_download_time_limit_reaches_the_export_query(pristine, tmp_path, monkeypatch):
    """eventwire.export runs its query on a cursor of its own: the watchdog must reach that one too."""
    slow = "SELECT count(*) FROM range(100000000000) a, range(10) b"

    def slow_writer(store, out, merged=True, header=False):
        cursor = store.con.cursor()  # as eventwire.export's writers do
        cursor.execute(slow).fetchall()

    monkeypatch.setattr(exporter, "write_gdelt", slow_writer)
    app = make_app(pristine, tmp_path, settings=ServeSettings(download_timeout=0.3))
    with TestClient(app) as client:
        r = client.get("/api/export?format=gdelt")
        assert r.status_code == 503 and "downloads 0.3 s" in r.json()["detail"]
        assert client.get("/api/health").status_code == 200
