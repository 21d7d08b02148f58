"""eventwire.serve: the JSON API, downloads, the API key guard, body cap, and the dashboard pages.

The store is coded from the bundled examples/ articles (spaCy, once per module), then merged
(eventwire.corpus.merge) so that events have mentions. Expected answers are recomputed in Python from
`EventStore.events()` rather than written down, so the tests follow the coder as it improves.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="eventwire serve needs the serve extra: pip install 'eventwire[serve]'")
pytest.importorskip("jinja2", reason="eventwire serve needs the serve extra: pip install 'eventwire[serve]'")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx")

from fastapi.testclient import TestClient  # noqa: E402

from eventwire.serve import create_app  # noqa: E402
from eventwire.store import EventStore  # noqa: E402

pytestmark = pytest.mark.slow  # the store is coded with the spaCy model

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
KEY = "test-key-123"


@pytest.fixture(scope="module")
def pipeline():
    from eventwire.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="module")
def pristine_db(tmp_path_factory, pipeline) -> Path:
    """examples/ coded into a store, merged, and closed: tests copy it."""
    from eventwire.ingest import read_inputs
    from eventwire.records import Skipped

    path = tmp_path_factory.mktemp("serve") / "examples.duckdb"
    docs = [d for d in read_inputs([str(EXAMPLES)]) if not isinstance(d, Skipped)]
    with EventStore(path) as store:
        for coded in pipeline.code_documents(docs):
            store.save_document(coded.document, coded.sentences, coded.events)
        if hasattr(store, "merge_events"):
            store.merge_events(window_days=3)
    return path


def _copy(pristine: Path, dest: Path) -> Path:
    shutil.copy(pristine, dest)
    return dest


@pytest.fixture(scope="module")
def app(pristine_db, tmp_path_factory, pipeline):
    path = _copy(pristine_db, tmp_path_factory.mktemp("read") / "read.duckdb")
    return create_app(path, api_key=KEY, pipeline=pipeline)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def all_events(app):
    """Every stored event in the Event.to_dict() shape, read straight from the store."""
    with app.state.db.write() as store:
        return store.events()


def get_all(client, url: str) -> list[dict]:
    """Every event of a filtered listing, following `next`."""
    out, page = [], client.get(url).json()
    out += page["events"]
    while page["next"]:
        page = client.get(page["next"]).json()
        out += page["events"]
    return out


# -- basics ---------------------------------------------------------------------------------------


def test_health_counts_the_store(client, all_events, app):
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["events"] == len(all_events) > 20
    with app.state.db.read() as con:
        assert body["documents"] == con.execute("SELECT count(*) FROM documents").fetchone()[0] >= 5


def test_openapi_lists_the_endpoints_and_docs_are_served_offline(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/events", "/api/events/{event_id}", "/api/documents/{doc_id}", "/api/series",
                 "/api/network", "/api/documents", "/api/health"):
        assert path in spec["paths"], path
    assert "post" in spec["paths"]["/api/documents"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text
    script = re.search(r'src="([^"]+\.js)"', docs.text).group(1)
    assert client.get(script).status_code == 200  # Swagger UI from the package, not the internet


def test_events_page_has_total_limit_and_next(client, all_events):
    page = client.get("/api/events?limit=7").json()
    assert page["total"] == len(all_events)
    assert page["limit"] == 7 and len(page["events"]) == 7
    assert "offset=7" in page["next"]
    every = get_all(client, "/api/events?limit=50")
    assert sorted(e["event_id"] for e in every) == sorted(e["event_id"] for e in all_events)
    dates = [e["date"] for e in every if e["date"]]
    assert dates == sorted(dates, reverse=True)  # newest first by default


def test_events_have_the_jsonl_contract_shape(client, all_events):
    by_id = {e["event_id"]: e for e in all_events}
    for e in client.get("/api/events?limit=30").json()["events"]:
        assert e == json.loads(json.dumps(by_id[e["event_id"]], default=str))


def _side(actor, code):
    return actor is not None and (actor["country"] == code or (actor["code"] or "").startswith(code))


FILTER_CASES = {
    "country=PHL": lambda e: "PHL" in ((e["source"] or {}).get("country"), (e["target"] or {}).get("country")),
    "actor=RUS": lambda e: _side(e["source"], "RUS") or _side(e["target"], "RUS"),
    "actor=rus": lambda e: _side(e["source"], "RUS") or _side(e["target"], "RUS"),
    "source=PHL": lambda e: _side(e["source"], "PHL"),
    "target=CHN": lambda e: _side(e["target"], "CHN"),
    "dyad=CHN-PHL": lambda e: (_side(e["source"], "CHN") and _side(e["target"], "PHL"))
    or (_side(e["source"], "PHL") and _side(e["target"], "CHN")),
    "dyad=PHL-CHN&directed=true": lambda e: _side(e["source"], "PHL") and _side(e["target"], "CHN"),
    "root=19": lambda e: e["cameo_root"] == "19",
    "cameo=11": lambda e: e["cameo"].startswith("11"),
    "plover=ACCUSE": lambda e: e["plover"] == "ACCUSE",
    "quad_class=3&quad_class=4": lambda e: e["quad_class"] in (3, 4),
    "q=police": lambda e: "police" in e["sentence"].lower() or "police" in (e["trigger"] or "").lower()
    or any("police" in ((e[s] or {}).get("text") or "").lower() for s in ("source", "target")),
    "start=2024-01-01&end=2024-06-30": lambda e: e["date"] is not None and "2024-01-01" <= e["date"] <= "2024-06-30",
    "factual=true": lambda e: not e["negated"] and not e["hypothetical"],
    "doc_id=sudan_truce_appeal.txt": lambda e: e["doc_id"] == "sudan_truce_appeal.txt",
    "precision=day": lambda e: e["date_precision"] == "day",
    "precision=month&precision=year": lambda e: e["date_precision"] in ("month", "year"),
    "both_known=true": lambda e: all(e[s] and e[s]["code"] and not e[s]["code"].startswith("---")
                                     for s in ("source", "target")),
    "min_confidence=0.8": lambda e: e["confidence"] is None or e["confidence"] >= 0.8,
}


@pytest.mark.parametrize("query", list(FILTER_CASES))
def test_each_filter_matches_a_python_recount(client, all_events, query):
    expected = sorted(e["event_id"] for e in all_events if FILTER_CASES[query](e))
    got = sorted(e["event_id"] for e in get_all(client, f"/api/events?{query}&limit=100"))
    assert got == expected
    if query not in ("factual=true",):
        assert 0 < len(got) < len(all_events), "the examples should exercise this filter"


def test_place_filter_matches_location_fields(client, all_events):
    located = [e for e in all_events if e["location"] and e["location"]["name"]]
    if not located:
        assert client.get("/api/events?place=Nairobi").json()["total"] == 0
        return
    name = located[0]["location"]["name"]
    expected = {e["event_id"] for e in all_events if e["location"] and (
        name.lower() in (e["location"]["name"] or "").lower() or e["location"]["country"] == name.upper()
        or (e["location"]["admin1"] or "").lower() == name.lower())}
    assert {e["event_id"] for e in get_all(client, f"/api/events?place={name}&limit=100")} == expected


def test_sort_orders(client):
    gold = [e["goldstein"] for e in client.get("/api/events?sort=goldstein&limit=100").json()["events"]]
    gold = [g for g in gold if g is not None]
    assert gold == sorted(gold)
    gold = [e["goldstein"] for e in client.get("/api/events?sort=-goldstein&limit=100").json()["events"]]
    gold = [g for g in gold if g is not None]
    assert gold == sorted(gold, reverse=True)


# -- downloads --------------------------------------------------------------------------------------


def test_downloads_hold_every_matching_event(client, all_events):
    n_conflict = sum(1 for e in all_events if e["quad_class"] in (3, 4))
    r = client.get("/api/events?format=csv&quad_class=3&quad_class=4")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == n_conflict
    assert {"event_id", "source_code", "cameo", "goldstein", "sentence"} <= set(rows[0])

    r = client.get("/api/events?format=jsonl&quad_class=3&quad_class=4")
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert len(lines) == n_conflict and all(line["quad_class"] in (3, 4) for line in lines)
    assert "evidence" in lines[0] and "source" in lines[0]

    import pyarrow.parquet as pq

    r = client.get("/api/events?format=parquet&limit=5")
    table = pq.read_table(io.BytesIO(r.content))
    assert table.num_rows == 5 and "event_id" in table.column_names


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_small_and_large_downloads_are_the_same_file(client, monkeypatch, fmt):
    """Small downloads are cut like pages (sentences by doc_id), large ones join: same bytes either way."""
    from eventwire.serve import api

    url = f"/api/events?format={fmt}&sort=goldstein&quad_class=3&quad_class=4&limit=40"
    small = client.get(url)
    monkeypatch.setattr(api, "SMALL_DOWNLOAD", 0)
    large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert small.text == large.text and len(small.text.splitlines()) > 5
    assert small.headers["x-total-count"] == large.headers["x-total-count"]


# -- one event, its mentions, its document ---------------------------------------------------------


def test_event_detail_cuts_the_evidence_spans(client, all_events):
    for e in all_events[:40]:
        body = client.get(f"/api/events/{e['event_id']}").json()
        event = body["event"]
        assert event["event_id"] == e["event_id"]
        sentence, ev = event["sentence"], event["evidence"]
        if ev["trigger_span"]:
            a, b = ev["trigger_span"]
            assert sentence[a:b].strip(), "trigger span is empty"
        if ev["source_span"] and e["source"]["text"]:
            a, b = ev["source_span"]
            assert sentence[a:b] == e["source"]["text"] or sentence[a:b] in e["source"]["text"] or e["source"]["text"] in sentence
        assert body["num_mentions"] >= 1 and len(body["mentions"]) >= 1
        assert any(m["event_id"] == e["event_id"] for m in body["mentions"])
        assert body["document"]["doc_id"] == e["doc_id"]


def test_merged_event_lists_all_its_mentions(app, client):
    with app.state.db.read() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "event_mentions" not in tables:
            pytest.skip("this store has no merged events (eventwire.corpus.merge not available)")
        found = con.execute("SELECT merged_id, list(event_id ORDER BY event_id) FROM event_mentions "
                            "GROUP BY merged_id HAVING count(*) > 1 LIMIT 1").fetchone()
        lone = con.execute("SELECT event_id FROM events WHERE event_id NOT IN (SELECT event_id FROM event_mentions) "
                           "LIMIT 1").fetchone()
    if found is None:
        pytest.skip("no event of the examples was reported twice")
    merged_id, ids = found
    for asked in (ids[0], ids[-1], merged_id):
        body = client.get(f"/api/events/{asked}").json()
        assert sorted(m["event_id"] for m in body["mentions"]) == ids
        assert body["merged_id"] == merged_id
    assert body["event"]["event_id"] in ids  # a merged id shows its first mention
    table = client.get(f"/api/events/{ids[0]}/mentions?format=csv")
    assert len(list(csv.DictReader(io.StringIO(table.text)))) == len(ids)
    if lone is not None:  # an event outside every merged record is its own single mention
        body = client.get(f"/api/events/{lone[0]}").json()
        assert body["num_mentions"] == 1 and [m["event_id"] for m in body["mentions"]] == [lone[0]]


def test_event_without_merged_tables_is_its_own_mention(tmp_path, pristine_db):
    path = _copy(pristine_db, tmp_path / "unmerged.duckdb")
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("DROP TABLE IF EXISTS event_mentions")
    con.execute("DROP TABLE IF EXISTS merged_events")
    event_id = con.execute("SELECT event_id FROM events LIMIT 1").fetchone()[0]
    con.close()
    from eventwire.serve.mentions import mention_summary, mentions_of

    # Read the file directly: the server opens stores through EventStore, which would re-create the tables.
    con = duckdb.connect(str(path), read_only=True)
    found, merged = mentions_of(con, event_id)
    con.close()
    assert merged is None and [r["event_id"] for r in found] == [event_id]
    summary = mention_summary(found, merged)
    assert summary["num_mentions"] == summary["num_articles"] == summary["num_sources"] == 1


def test_document_spans_point_at_the_event_text(client, all_events):
    doc_ids = sorted({e["doc_id"] for e in all_events})
    for doc_id in doc_ids:
        doc = client.get(f"/api/documents/{doc_id}").json()
        text = doc["text"]
        if doc["title"]:  # Document.full_text: the title, a blank line, the body
            assert text.startswith(doc["title"] + "\n\n")
        events = {e["event_id"]: e for e in doc["events"]}
        assert len(events) == sum(1 for e in all_events if e["doc_id"] == doc_id)
        for s in doc["spans"]:
            e = events[s["event_id"]]
            a, b = e["evidence"][f"{s['role']}_span"]
            assert text[s["start"]:s["end"]] == e["sentence"][a:b]
        assert doc["html"].count("<mark") >= 1
        assert doc["html"].count('<span class="sent"') == len(doc["sentences"])
        plain = re.sub(r"<[^>]+>", "", doc["html"])
        import html as html_lib

        assert html_lib.unescape(plain) == text  # markup only adds tags


def test_unknown_ids_are_404(client):
    assert client.get("/api/events/0000000000000000").status_code == 404
    assert client.get("/api/documents/no-such-doc").status_code == 404


# -- aggregates --------------------------------------------------------------------------------------


def test_series_for_a_dyad_adds_up(client, all_events):
    pick = FILTER_CASES["dyad=CHN-PHL"]
    expected = [e for e in all_events if pick(e) and e["date"]]
    body = client.get("/api/series?dyad=PHL-CHN&by=week").json()
    assert body["by"] == "week" and body["dyad"] == "PHL-CHN"
    series = body["series"]
    assert sum(p["events"] for p in series) == len(expected)
    assert sum(p["quad1"] + p["quad2"] + p["quad3"] + p["quad4"] for p in series) == len(expected)
    assert round(sum(p["goldstein_sum"] for p in series), 2) == round(sum(e["goldstein"] or 0 for e in expected), 2)
    for p in series:
        if p["events"]:
            assert p["goldstein_mean"] is not None
    import datetime as dt

    periods = [dt.date.fromisoformat(p["period"]) for p in series]
    assert all(p.weekday() == 0 for p in periods)  # weeks start on Monday
    assert all((b - a).days == 7 for a, b in zip(periods, periods[1:]))  # empty weeks filled in


@pytest.mark.parametrize("by", ["day", "month", "year"])
def test_series_periods(client, all_events, by):
    series = client.get(f"/api/series?by={by}").json()["series"]
    assert sum(p["events"] for p in series) == sum(1 for e in all_events if e["date"])
    r = client.get(f"/api/series?by={by}&format=csv")
    assert r.text.splitlines()[0] == "period,events,goldstein_sum,goldstein_mean,quad1,quad2,quad3,quad4"


def test_network_edges(client, all_events):
    body = client.get("/api/network?start=2023-01-01&end=2024-12-31").json()
    assert body["level"] == "country" and body["edges"]
    ids = {n["id"] for n in body["nodes"]}
    for e in body["edges"]:
        assert e["source"] in ids and e["target"] in ids
        assert e["events"] >= 1 and e["conflict"] <= e["events"]
    with_target = [e for e in all_events if e["target"] and e["date"] and "2023-01-01" <= e["date"] <= "2024-12-31"
                   and "---" not in (e["source"]["code"], e["target"]["code"])]  # "---": no actor identified
    assert sum(e["events"] for e in body["edges"]) == len(with_target)
    actors = client.get("/api/network?level=actor&limit=3").json()
    assert len(actors["edges"]) == 3
    assert client.get("/api/network?format=csv").text.startswith("source,target,events")


def test_top_tables_and_their_csv(client, all_events):
    dyads = client.get("/api/dyads?limit=5").json()
    assert len(dyads) == 5 and dyads[0]["events"] >= dyads[-1]["events"]
    actors = client.get("/api/actors").json()
    counts = Counter()
    for e in all_events:
        for side in ("source", "target"):
            a = e[side]
            if a and a["code"] and a["code"] != "---":
                counts[a["country"] if a["country"] and a["country"] != "---" else a["code"]] += 1
    assert {a["actor"]: a["events"] for a in actors[:3]} == {k: counts[k] for k in [a["actor"] for a in actors[:3]]}
    partners = client.get("/api/actors/PHL/partners").json()
    assert partners and all(p["outgoing"] + p["incoming"] == p["events"] for p in partners)
    mix = client.get("/api/mix?actor=PHL").json()
    assert sum(m["events"] for m in mix) == client.get("/api/events?actor=PHL").json()["total"]
    for url in ("/api/dyads", "/api/actors", "/api/actors/PHL/partners", "/api/mix", "/api/places",
                "/api/documents"):
        r = client.get(url + "?format=csv")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), url


# -- the country x period panel ---------------------------------------------------------------------


def panel_recount(events, by_month=True):
    """/api/panel?merged=false&role=either recomputed from the events: factual mentions dated to the day,
    week or month, counted once for each country on either side."""
    import datetime as dt

    counts = Counter()
    sums = Counter()
    for e in events:
        if e["negated"] or e["hypothetical"] or not e["date"] or e["date_precision"] not in ("day", "week", "month"):
            continue
        day = dt.date.fromisoformat(e["date"])
        period = day.replace(day=1) if by_month else day - dt.timedelta(days=day.weekday())
        countries = {(e[s] or {}).get("country") for s in ("source", "target")} - {None, "", "---"}
        for c in countries:
            counts[(c, period.isoformat())] += 1
            sums[(c, period.isoformat())] += e["goldstein"] or 0
    return {k: (counts[k], round(sums[k], 3)) for k in counts}


@pytest.mark.parametrize("query,keep", [
    ("", lambda e: True),
    ("&actor=RUS", FILTER_CASES["actor=RUS"]),
    ("&quad_class=3&quad_class=4", FILTER_CASES["quad_class=3&quad_class=4"]),
])
def test_panel_counts_match_a_recount(client, all_events, query, keep):
    body = client.get(f"/api/panel?merged=false{query}").json()
    assert body["by"] == "month" and body["role"] == "either" and body["merged"] is False
    got = {(r["country"], r["period"]): (r["events"], round(r["goldstein_sum"], 3)) for r in body["rows"] if r["events"]}
    assert got == panel_recount([e for e in all_events if keep(e)])
    countries = {r["country"] for r in body["rows"]}
    periods = {r["period"] for r in body["rows"]}
    assert len(body["rows"]) == len(countries) * len(periods)  # balanced: zeros included


def test_panel_is_eventwire_panel_and_downloads(app, client):
    from eventwire.corpus.panel import COLUMNS, PanelSpec, panel_rows

    with app.state.db.read() as con:
        want = panel_rows(con, PanelSpec(by="week", role="source", merged=True))
    body = client.get("/api/panel?by=week&role=source").json()
    assert [(r["country"], r["period"], r["events"]) for r in body["rows"]] == \
           [(r["country"], r["period"].isoformat(), r["events"]) for r in want]
    r = client.get("/api/panel?by=week&role=source&format=csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert r.headers["content-type"].startswith("text/csv") and list(rows[0]) == list(COLUMNS)
    assert len(rows) == len(want)
    for bad in ("by=day", "role=anyone", "merged=maybe", "start=2024-05-01&end=2024-01-01"):
        assert client.get(f"/api/panel?{bad}").status_code == 422, bad


def test_panel_page_cells_link_to_their_events(client):
    html = client.get("/panel?merged=false").text
    assert 'id="panel"' in html and "heat-" in html
    cells = re.findall(r'<td class="cell heat-\d+" title="([A-Z]{3}) · [^"]*: (\d+) events[^"]*"><a href="([^"]+)">', html)
    assert cells
    for country, n, href in cells[:6]:
        page = client.get(href.replace("&amp;", "&").replace("/events?", "/api/events?"))
        assert page.json()["total"] >= int(n), href  # the list holds negated/hypothetical mentions too
        assert f"country={country}" in href and "start=" in href and "end=" in href
    for url in ("/panel?by=week&role=source", "/panel?value=goldstein_sum", "/panel?all_precisions=true",
                "/panel?actor=RUS&merged=false", "/panel?precision=day&both_known=true&min_confidence=0.5"):
        r = client.get(url)
        assert r.status_code == 200 and ("gb-" in r.text or "heat-" in r.text), url


def test_filter_form_offers_precision_known_actors_and_confidence(client):
    html = client.get("/events?precision=day&precision=week&both_known=true&min_confidence=0.75").text
    for p in ("day", "week"):
        assert re.search(rf'name="precision" value="{p}" checked', html), p
    assert not re.search(r'name="precision" value="year" checked', html)
    assert re.search(r'name="both_known" value="true" checked', html)
    assert 'name="min_confidence"' in html and 'value="0.75"' in html
    total = client.get("/api/events?precision=day&precision=week&both_known=true&min_confidence=0.75").json()["total"]
    assert f"{total} match" in html


# -- bad input: 422 with a message, never 500 --------------------------------------------------------

BAD = [
    "/api/events?start=yesterday",
    "/api/events?start=2024-13-01",
    "/api/events?start=2024-05-01&end=2024-01-01",
    "/api/events?quad_class=5",
    "/api/events?quad_class=x",
    "/api/events?dyad=PAK",
    "/api/events?dyad=PAK--",
    "/api/events?actor=PAK%3BDROP",
    "/api/events?country=PAKISTAN",
    "/api/events?root=1",
    "/api/events?cameo=abc",
    "/api/events?plover=NOT_A_TYPE",
    "/api/events?limit=0",
    "/api/events?limit=100000",
    "/api/events?offset=-1",
    "/api/events?sort=random()",
    "/api/events?format=xml",
    "/api/events?q=" + "x" * 500,
    "/api/series?by=hour",
    "/api/series?dyad=%27--",
    "/api/network?level=planet",
    "/api/network?limit=0",
    "/api/actors/PAK%20GOV/partners",
]


@pytest.mark.parametrize("url", BAD)
def test_bad_parameters_get_422_with_a_message(client, url):
    r = client.get(url)
    assert r.status_code == 422, r.text
    body = r.json()
    text = json.dumps(body)
    assert body["detail"] and len(text) < 5000
    assert "Traceback" not in text


def test_sql_in_values_is_just_text(app, client):
    before = client.get("/api/health").json()
    for q in ("'; DROP TABLE events; --", "%' OR '1'='1", "\\", "_%_", "\"events\"", "é ü 漢字 \u0000"):
        r = client.get("/api/events", params={"q": q})
        assert r.status_code == 200, q
        assert r.json()["total"] == 0
    assert client.get("/api/events", params={"place": "' OR 1=1 --"}).json()["total"] == 0
    assert client.get("/api/health").json() == before


# -- POST /api/documents: key, cap, and writing ------------------------------------------------------

ARTICLE = {"id": "api-test-1", "title": "Chile and Peru sign fisheries accord",
           "text": "Chile and Peru signed a fisheries agreement on Monday. Peru accused Bolivia of smuggling.",
           "date": "2024-03-04", "source": "Test Wire"}


def fingerprint(app) -> dict:
    """Row count and content hash of every table: equal fingerprints mean nothing was written."""
    out = {}
    with app.state.db.read() as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
        ).fetchall()]
        for t in sorted(tables):
            assert re.fullmatch(r"[a-z_]+", t)
            out[t] = con.execute(f"SELECT count(*), md5(coalesce(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR), '')) "
                                 f"FROM {t} x").fetchone()
    return out


class RecordingPipeline:
    """Stands in for the spaCy pipeline: remembers whether anything reached it."""

    def __init__(self, real=None):
        self.calls = 0
        self.real = real

    def code_documents(self, documents):
        self.calls += 1
        return self.real.code_documents(documents)


@pytest.fixture
def write_app(tmp_path, pristine_db, pipeline):
    recording = RecordingPipeline(pipeline)
    app = create_app(_copy(pristine_db, tmp_path / "write.duckdb"), api_key=KEY, pipeline=recording)
    app.state.recording = recording
    with TestClient(app) as c:
        app.state.client = c
        yield app


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {KEY}"}, {"X-API-Key": ""}])
def test_post_without_a_valid_key_is_401_and_writes_nothing(write_app, headers):
    client = write_app.state.client
    before = fingerprint(write_app)
    r = client.post("/api/documents", json={"documents": [ARTICLE]}, headers=headers)
    assert r.status_code == 401
    assert "key" in r.json()["detail"]
    r = client.post("/api/documents", content=b"{not json", headers={**headers, "content-type": "application/json"})
    assert r.status_code == 401  # refused before the body is even read
    assert fingerprint(write_app) == before
    assert write_app.state.recording.calls == 0


def test_post_is_refused_when_the_server_has_no_key(tmp_path, pristine_db, monkeypatch):
    monkeypatch.delenv("EVENTWIRE_API_KEY", raising=False)
    recording = RecordingPipeline()
    app = create_app(_copy(pristine_db, tmp_path / "nokey.duckdb"), pipeline=recording)
    with TestClient(app) as client:
        before = fingerprint(app)
        for headers in ({}, {"X-API-Key": "anything"}, {"X-API-Key": ""}):
            r = client.post("/api/documents", json={"documents": [ARTICLE]}, headers=headers)
            assert r.status_code == 401 and "EVENTWIRE_API_KEY" in r.json()["detail"]
        assert fingerprint(app) == before and recording.calls == 0


def test_api_key_from_the_environment(tmp_path, pristine_db, monkeypatch):
    monkeypatch.setenv("EVENTWIRE_API_KEY", "from-env")
    app = create_app(_copy(pristine_db, tmp_path / "env.duckdb"), pipeline=RecordingPipeline())
    assert app.state.api_key == "from-env"


def test_post_with_the_key_codes_and_stores(write_app):
    client = write_app.state.client
    before = client.get("/api/health").json()
    r = client.post("/api/documents", json={"documents": [ARTICLE]}, headers={"X-API-Key": KEY})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["documents"][0]["doc_id"] == "api-test-1"
    assert body["documents"][0]["events"] == len(body["events"]) >= 1
    after = client.get("/api/health").json()
    assert after["documents"] == before["documents"] + 1
    assert after["events"] == before["events"] + len(body["events"])
    doc = client.get("/api/documents/api-test-1").json()
    assert doc["title"] == ARTICLE["title"] and len(doc["events"]) == len(body["events"])
    # Posting the same id again replaces it instead of adding duplicates.
    r = client.post("/api/documents", json={"documents": [ARTICLE]}, headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 201
    assert client.get("/api/health").json() == after


@pytest.mark.parametrize("body", [
    {"documents": []},
    {"documents": [{"text": ""}]},
    {"documents": [{"text": "   "}]},
    {"documents": [{"text": "ok", "date": "someday"}]},
    {"documents": [{"text": "ok", "colour": "red"}]},
    {"documents": [{"id": "same", "text": "a b"}, {"id": "same", "text": "c d"}]},
    {"documents": [{"text": "lone surrogate \ud800 here"}]},
    {"text": "not wrapped"},
])
def test_post_with_a_bad_body_is_422_and_writes_nothing(write_app, body):
    client = write_app.state.client
    before = fingerprint(write_app)
    payload = json.dumps(body, ensure_ascii=True).encode()
    r = client.post("/api/documents", content=payload, headers={"X-API-Key": KEY, "content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert fingerprint(write_app) == before


def test_request_body_is_capped(tmp_path, pristine_db):
    app = create_app(_copy(pristine_db, tmp_path / "cap.duckdb"), api_key=KEY, pipeline=RecordingPipeline(),
                     max_body_bytes=10_000)
    big = {"documents": [{"text": "word " * 5000}]}
    with TestClient(app) as client:
        before = fingerprint(app)
        r = client.post("/api/documents", json=big, headers={"X-API-Key": KEY})
        assert r.status_code == 413

        def chunks():  # no Content-Length: the cap must hold while reading
            for _ in range(30):
                yield b"x" * 1000

        r = client.post("/api/documents", content=chunks(), headers={"X-API-Key": KEY, "content-type": "application/json"})
        assert r.status_code == 413
        assert fingerprint(app) == before and app.state.pipeline.calls == 0


def test_concurrent_reads_during_a_write(write_app):
    client = write_app.state.client
    errors: list[str] = []
    urls = ["/api/events?limit=20", "/api/series?by=month", "/api/network", "/", "/api/dyads",
            "/api/events?q=police", "/api/documents/sudan_truce_appeal.txt"]

    def reader(n: int) -> None:
        for i in range(12):
            url = urls[(n + i) % len(urls)]
            r = client.get(url)
            if r.status_code != 200:
                errors.append(f"{url}: {r.status_code}")

    def writer() -> None:
        for i in range(2):
            doc = dict(ARTICLE, id=f"concurrent-{i}")
            r = client.post("/api/documents", json={"documents": [doc]}, headers={"X-API-Key": KEY})
            if r.status_code != 201:
                errors.append(f"POST: {r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert client.get("/api/documents/concurrent-1").status_code == 200


# -- dashboard pages ---------------------------------------------------------------------------------


def test_pages_render(client, all_events):
    e = all_events[0]
    pages = ["/", "/events", "/events?q=police&quad_class=3", "/map", "/documents",
             f"/events/{e['event_id']}", f"/documents/{e['doc_id']}", f"/documents/{e['doc_id']}?event={e['event_id']}",
             "/dyads/CHN/PHL", "/dyads/CHN/PHL?by=day", "/actors/PHL", "/actors/---GOV", "/actors/PHL?level=actor",
             "/?start=2024-01-01", "/events?offset=50", "/panel", "/panel?by=week&role=target&merged=false"]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("text/html")
        assert "<svg" in r.text or url.startswith(("/events", "/documents", "/panel")), url
        assert "http://" not in r.text.replace('xmlns="http://www.w3.org/2000/svg"', "") or url.startswith("/events/")


def test_empty_form_fields_mean_no_filter_on_pages(client):
    r = client.get("/events?start=&end=&actor=&dyad=&cameo=&plover=&place=&q=")
    assert r.status_code == 200
    assert client.get("/api/events?start=").status_code == 422  # the API says what is wrong instead


def test_page_errors_are_html(client):
    r = client.get("/events/0000000000000000")
    assert r.status_code == 404 and "<html" in r.text
    r = client.get("/events?quad_class=9")
    assert r.status_code == 422 and "quad_class" in r.text and "<html" in r.text
    r = client.get("/dyads/PAK/not%20a%20code")
    assert r.status_code == 422


def test_every_table_on_every_page_downloads_as_csv(client, all_events):
    e = all_events[0]
    for page in ("/", "/events", "/map", "/documents", "/dyads/CHN/PHL", "/actors/PHL", f"/events/{e['event_id']}",
                 f"/documents/{e['doc_id']}", "/panel"):
        html = client.get(page).text
        n_tables = html.count("<table")
        links = set(re.findall(r'<a class="download" href="([^"]+)"', html))
        csv_links = {link for link in links if "format=csv" in link}
        assert len(csv_links) >= n_tables - html.count('<table class="compact exports"'), page
        for link in csv_links:
            r = client.get(link.replace("&amp;", "&"))
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), (page, link)


def test_highlighted_evidence_on_the_event_page(client, all_events):
    e = next(x for x in all_events if x["evidence"]["trigger_span"] and x["target"])
    html = client.get(f"/events/{e['event_id']}").text
    a, b = e["evidence"]["trigger_span"]
    trigger = e["sentence"][a:b]
    import html as html_lib

    assert re.search(r'<mark class="ev-trigger[^"]*"[^>]*>' + re.escape(html_lib.escape(trigger, quote=False)), html)


def test_empty_store(tmp_path):
    app = create_app(tmp_path / "new.duckdb", api_key=KEY, pipeline=RecordingPipeline())
    with TestClient(app) as client:
        assert client.get("/api/health").json()["events"] == 0
        assert client.get("/api/events").json() == {"total": 0, "limit": 50, "offset": 0, "next": None, "events": []}
        assert client.get("/api/series?dyad=PAK-RUS").json()["series"] == []
        assert client.get("/api/network").json()["edges"] == []
        for page in ("/", "/events", "/map", "/documents", "/dyads/PAK/RUS", "/actors/PAK"):
            assert client.get(page).status_code == 200, page
        assert "No events with coordinates" in client.get("/map").text


def test_map_plots_located_events(tmp_path, pristine_db):
    import duckdb

    path = _copy(pristine_db, tmp_path / "located.duckdb")
    con = duckdb.connect(str(path))
    con.execute("UPDATE events SET location_name = 'Nairobi', location_country = 'KEN', location_lat = -1.2864, "
                "location_lon = 36.8172 WHERE doc_id = 'kenya_ethiopia_border_deal.txt'")
    n = con.execute("SELECT count(*) FROM events WHERE doc_id = 'kenya_ethiopia_border_deal.txt'").fetchone()[0]
    con.close()
    app = create_app(path)
    with TestClient(app) as client:
        places = client.get("/api/places").json()
        nairobi = next(p for p in places if p["name"] == "Nairobi")
        assert nairobi["events"] >= n and nairobi["country"] == "KEN"
        html = client.get("/map").text
        assert html.count('class="point"') >= 1 and "Nairobi" in html


def test_serve_command_is_registered():
    from typer.testing import CliRunner

    from eventwire.cli import app as cli_app

    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--db" in result.output


def test_posted_markup_is_escaped_on_pages(write_app):
    client = write_app.state.client
    doc = {"id": "xss-1", "title": "<script>alert(1)</script> Chile accuses Peru",
           "text": "Chile accused Peru of <b>smuggling</b> on Monday.", "url": "javascript:alert(1)",
           "source": "<img src=x onerror=alert(1)>"}
    assert client.post("/api/documents", json={"documents": [doc]}, headers={"X-API-Key": KEY}).status_code == 201
    events = client.get("/api/documents/xss-1").json()["events"]
    pages = ["/documents/xss-1", "/documents", "/events?doc_id=xss-1"] + [f"/events/{e['event_id']}" for e in events]
    for page in pages:
        html = client.get(page).text
        assert "<script>alert" not in html and "<b>smuggling" not in html and "<img src=x" not in html, page
        assert 'href="javascript:' not in html, page


def test_event_page_lists_plover_mode_and_context_as_words(client, all_events):
    labelled = [e for e in all_events if e["mode"] or e["context"]]
    if not labelled:
        pytest.skip("no example event has a PLOVER mode or context")
    for e in labelled[:5]:
        html = client.get(f"/events/{e['event_id']}").text
        assert "[&#39;" not in html and "['" not in html  # not a Python list's repr
        for word in e["mode"] + e["context"]:
            assert word in html
