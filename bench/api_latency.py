"""Latency of `eventwire serve` over loopback on a store with 1,000,000 synthetic events.

    .venv/bin/python bench/api_latency.py                    # build /tmp/eventwire-bench-1m.duckdb, then measure
    .venv/bin/python bench/api_latency.py --events 200000    # a smaller store
    .venv/bin/python bench/api_latency.py --reuse            # keep an existing store of the right size

The store is filled with DuckDB SQL (documents, sentences and events with real CAMEO codes, Goldstein
values and evidence spans; actors drawn from a skewed list of countries and sectors), through the same
schema as `EventStore`, and merged once. The server runs as `eventwire serve` in a subprocess; each URL
is requested `--repeat` times (100) over one keep-alive connection after a warm-up, and the median, p90
and max are printed. The last line is JSON: {"events": N, "results": {name: {"median_ms": .., "p90_ms": ..}}}.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from eventwire import ontology
from eventwire.store import EventStore

# Actor countries, most frequent first: the generator draws index floor(n * r^2), so early ones dominate.
COUNTRIES = [
    "USA", "RUS", "CHN", "UKR", "PAK", "IND", "ISR", "IRN", "GBR", "FRA", "DEU", "TUR", "SYR", "AFG",
    "SAU", "EGY", "JPN", "PRK", "KOR", "IRQ", "NGA", "KEN", "ETH", "SDN", "BRA", "MEX", "COL", "VEN",
    "PHL", "IDN", "POL", "LTU", "SRB", "XKX", "MWI", "ZAF", "AUS", "CAN", "ITA", "ESP",
]
SECTORS = ["", "", "", "GOV", "MIL", "GOV", "OPP", "REB", "JUD", "COP", "BUS", "MED"]
SOURCES = ["Wire A", "Wire B", "Daily C", "Gazette D", "Herald E"]

URLS = {
    "series_dyad_week": "/api/series?dyad=PAK-RUS&by=week",
    "series_all_month": "/api/series?by=month",
    "events_filtered_page": "/api/events?country=RUS&quad_class=4&start=2020-01-01&end=2023-12-31&limit=50",
    "events_dyad_text_page": "/api/events?dyad=USA-CHN&q=accuse&limit=50",
    "events_offset_page": "/api/events?actor=IRN&offset=500&limit=50",
    "event_detail": None,  # filled in with a real id
    "network_year": "/api/network?start=2022-01-01&end=2022-12-31",
    "panel_two_years": "/api/panel?start=2022-01-01&end=2023-12-31",
}


def build_synthetic_store(path: Path, n_events: int, sentences_per_doc: int = 10) -> None:
    """Fill `path` with n_events events (one per sentence) in n_events / sentences_per_doc documents."""
    if path.exists():
        path.unlink()
    EventStore(path).close()  # the real schema, meta row included
    n_docs = max(1, n_events // sentences_per_doc)
    con = duckdb.connect(str(path))
    con.execute("SET enable_progress_bar = false")
    codes = [c for c in ontology.all_cameo_codes() if len(c.code) == 3]
    con.execute("CREATE TEMP TABLE codes (i INTEGER, code VARCHAR, name VARCHAR, goldstein DOUBLE, "
                "quad_class INTEGER, plover VARCHAR, mode VARCHAR, context VARCHAR)")
    con.executemany("INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(i, c.code, c.name.lower(), c.goldstein, c.quad_class, c.plover or None, c.mode, c.context)
                     for i, c in enumerate(codes)])
    con.execute("CREATE TEMP TABLE countries AS SELECT unnest(?) AS iso3, generate_subscripts(?, 1) - 1 AS i",
                [COUNTRIES, COUNTRIES])
    con.execute("CREATE TEMP TABLE sectors AS SELECT unnest(?) AS sector, generate_subscripts(?, 1) - 1 AS i",
                [SECTORS, SECTORS])
    con.execute("SELECT setseed(0.42)")
    con.execute(
        """INSERT INTO documents
        SELECT 'doc-' || d, 'Synthetic report ' || d, 'Body of synthetic report ' || d || '.',
               DATE '2015-01-01' + CAST(floor(random() * 3650) AS INTEGER),
               ?[1 + d % ?], NULL, 'synthetic', md5(d::VARCHAR), ?, now()::TIMESTAMP
        FROM range(?) t(d)""",
        [SOURCES, len(SOURCES), sentences_per_doc, n_docs],
    )
    # One event per sentence; actor indexes skewed towards the head of COUNTRIES.
    con.execute(
        f"""CREATE TEMP TABLE draws AS
        SELECT i, i // {sentences_per_doc} AS d, i % {sentences_per_doc} AS s,
               CAST(floor(pow(random(), 2) * {len(COUNTRIES)}) AS INTEGER) AS src,
               CAST(floor(pow(random(), 2) * {len(COUNTRIES)}) AS INTEGER) AS tgt,
               CAST(floor(random() * {len(SECTORS)}) AS INTEGER) AS src_sector,
               CAST(floor(random() * {len(SECTORS)}) AS INTEGER) AS tgt_sector,
               CAST(floor(random() * {len(codes)}) AS INTEGER) AS code_i,
               random() < 0.15 AS no_target,
               random() < 0.03 AS negated,
               random() < 0.08 AS hypothetical,
               random() < 0.3 AS located,
               random() AS r1, random() AS r2
        FROM range(?) t(i)""",
        [n_docs * sentences_per_doc],
    )
    con.execute(
        """CREATE TEMP TABLE drawn AS
        SELECT dr.*, sc.iso3 AS src_iso, tc.iso3 AS tgt_iso, ss.sector AS src_sec, ts.sector AS tgt_sec,
               c.code, c.name, c.goldstein, c.quad_class, c.plover, c.mode, c.context,
               doc.pub_date,
               'The ' || sc.iso3 || ' side' AS src_text,
               'the ' || tc.iso3 || ' side' AS tgt_text
        FROM draws dr
        JOIN countries sc ON sc.i = dr.src JOIN countries tc ON tc.i = dr.tgt
        JOIN sectors ss ON ss.i = dr.src_sector JOIN sectors ts ON ts.i = dr.tgt_sector
        JOIN codes c ON c.i = dr.code_i
        JOIN documents doc ON doc.doc_id = 'doc-' || dr.d"""
    )
    # Sentence: "<src_text> <verb> <tgt_text> on day N." with spans that point into it.
    con.execute(
        """INSERT INTO sentences
        SELECT 'doc-' || d, s, s * 100, s * 100 + length(sentence), sentence
        FROM (SELECT d, s, src_text || ' ' || replace(name, ' ', '-') || ' ' || tgt_text || ' on day ' || i || '.'
                         AS sentence FROM drawn)
        ORDER BY 1, 2"""
    )
    con.execute(
        """INSERT INTO events (event_id, doc_id, sentence_index, cameo, cameo_root, trigger, plover, mode, context,
                goldstein, quad_class, source_text, source_code, source_country, source_sector,
                target_text, target_code, target_country, target_sector, negated, hypothetical,
                event_date, date_precision, date_source,
                location_name, location_country, location_lat, location_lon, location_precision, location_rule,
                source_start, source_end, target_start, target_end, trigger_start, trigger_end, rule)
        SELECT substr(md5(i::VARCHAR), 1, 16), 'doc-' || d, s, code, substr(code, 1, 2),
               replace(name, ' ', '-'), plover, mode, context, goldstein, quad_class,
               src_text, src_iso || src_sec, src_iso, nullif(src_sec, ''),
               CASE WHEN no_target THEN NULL ELSE tgt_text END,
               CASE WHEN no_target THEN NULL ELSE tgt_iso || tgt_sec END,
               CASE WHEN no_target THEN NULL ELSE tgt_iso END,
               CASE WHEN no_target THEN NULL ELSE nullif(tgt_sec, '') END,
               negated, hypothetical,
               pub_date - CAST(floor(r1 * 3) AS INTEGER), 'day', 'text',
               CASE WHEN located THEN 'Place ' || src_iso END, CASE WHEN located THEN src_iso END,
               CASE WHEN located THEN -60 + r1 * 130 END, CASE WHEN located THEN -170 + r2 * 340 END,
               CASE WHEN located THEN 'city' END, CASE WHEN located THEN 'synthetic' END,
               0, length(src_text),
               CASE WHEN no_target THEN NULL ELSE length(src_text) + length(name) + 2 END,
               CASE WHEN no_target THEN NULL ELSE length(src_text) + length(name) + 2 + length(tgt_text) END,
               length(src_text) + 1, length(src_text) + 1 + length(name),
               'synthetic:' || code
        FROM drawn ORDER BY d, s"""
    )
    con.execute("CHECKPOINT")
    con.close()


def ensure_store(path: Path, n_events: int, reuse: bool) -> None:
    """Build the store unless `reuse` and it has n_events events; then merge it once (kept in the file).
    Unmerged, the server would merge it in the background on start, which would skew the timings."""
    fresh = False
    if reuse and path.exists():
        con = duckdb.connect(str(path), read_only=True)
        fresh = con.execute("SELECT count(*) FROM events").fetchone()[0] == n_events
        con.close()
    if not fresh:
        t0 = time.perf_counter()
        build_synthetic_store(path, n_events)
        print(f"built {path} with {n_events:,} events in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    with EventStore(path) as store:
        if not store.merged_is_current():
            t0 = time.perf_counter()
            store.merge_events()
            print(f"merged in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(host: str, port: int, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not answer /api/health in time")


def measure(host: str, port: int, url: str, repeat: int, warmup: int = 3) -> dict[str, float]:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    times = []
    for n in range(warmup + repeat):
        t0 = time.perf_counter()
        conn.request("GET", url)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}: {body[:300]!r}")
        if n >= warmup:
            times.append(elapsed)
    conn.close()
    times.sort()
    return {"median_ms": round(statistics.median(times), 1),
            "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
            "max_ms": round(times[-1], 1), "bytes": len(body)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/eventwire-bench-1m.duckdb"))
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="reuse --db if it already holds --events events")
    args = parser.parse_args()

    ensure_store(args.db, args.events, args.reuse)

    con = duckdb.connect(str(args.db), read_only=True)
    n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    some_id = con.execute("SELECT event_id FROM events LIMIT 1 OFFSET ?", [n_events // 2]).fetchone()[0]
    con.close()
    urls = dict(URLS, event_detail=f"/api/events/{some_id}")

    host, port = "127.0.0.1", _free_port()
    eventwire = Path(sys.executable).with_name("eventwire")
    command = [str(eventwire), "serve", "--db", str(args.db), "--host", host, "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if k != "EVENTWIRE_API_KEY"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(host, port, proc)
        print(f"server up in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        results = {}
        for name, url in urls.items():
            results[name] = measure(host, port, url, args.repeat)
            r = results[name]
            print(f"{name:24s} median {r['median_ms']:7.1f} ms  p90 {r['p90_ms']:7.1f} ms  "
                  f"max {r['max_ms']:7.1f} ms  {url}", file=sys.stderr)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(json.dumps({"events": n_events, "repeat": args.repeat, "cores": os.cpu_count(), "results": results}))


if __name__ == "__main__":
    main()
