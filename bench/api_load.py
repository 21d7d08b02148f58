"""Load on `eventwire serve`: N concurrent clients doing reads for a bounded time, over loopback only.

    .venv/bin/python bench/api_load.py                       # 50 clients, 30 s, the 1M-event store of api_latency.py
    .venv/bin/python bench/api_load.py --reuse               # keep an existing store of the right size
    .venv/bin/python bench/api_load.py --reuse --mix light   # without free text and the 2,000-row download
    .venv/bin/python bench/api_load.py --reuse --cold        # every request a new one: no answer is reused
    .venv/bin/python bench/api_load.py --clients 10 --duration 10 --events 100000

The store is the synthetic one of bench/api_latency.py (built if missing, then merged once so that merged
counts exist). The server runs as `eventwire serve` in a subprocess on 127.0.0.1, with downloads capped
at --max-download-rows. Each client thread holds one keep-alive connection and requests the URLs of the
mix (MIXES: `full` by default, `light` without the two costly reads) in turn (each client starting at a different one) until the time is up; every request is timed. It
prints requests/s, the median and p99 latency, and the errors (any status but 200, or a dropped
connection), overall and per URL. The last line is JSON with the same figures.

The server keeps answers until the store changes (serve/cache.py), so after the warm-up a repeated mix
measures answers from memory. --cold adds a parameter the API ignores (`_n=<counter>`) to every request,
so each one is computed afresh: the worst case, where no two clients ask the same question.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from api_latency import _free_port, _wait_for, ensure_store  # noqa: E402

# Reads a dashboard and its users make: filtered event pages, series, the panel, downloads. "full" adds
# the two costly ones: free text (scans every sentence) and a 2,000-row CSV download.
MIXES = {"full": {
    "events_filtered": "/api/events?country=RUS&quad_class=4&start=2020-01-01&end=2023-12-31&limit=50",
    "events_actor_offset": "/api/events?actor=IRN&offset=500&limit=50",
    "events_precision_known": "/api/events?precision=day&both_known=true&min_confidence=0.5&limit=50",
    "events_dyad_text": "/api/events?dyad=USA-CHN&q=accuse&limit=50",
    "series_dyad_week": "/api/series?dyad=PAK-RUS&by=week",
    "series_all_month": "/api/series?by=month",
    "panel_month": "/api/panel?start=2022-01-01&end=2023-12-31",
    "panel_week_mentions": "/api/panel?by=week&role=source&merged=false&start=2023-01-01&end=2023-06-30",
    "download_events_csv": "/api/events?format=csv&country=UKR&start=2023-01-01",
    "download_export_gdelt": "/api/export?format=gdelt",
}}
MIXES["light"] = {**{k: v for k, v in MIXES["full"].items() if k not in ("events_dyad_text", "download_events_csv")},
                  "download_events_csv_100": "/api/events?format=csv&country=UKR&start=2023-01-01&limit=100"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def client(host: str, port: int, start: int, deadline: float, results: list, lock: threading.Lock,
           mix: dict[str, str], cold: bool = False) -> None:
    names = list(mix)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    local = []
    i = start
    while time.monotonic() < deadline:
        name = names[i % len(names)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn.request("GET", f"{mix[name]}&_n={start}-{i}" if cold else mix[name])
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
        local.append((name, time.perf_counter() - t0, status))
    conn.close()
    with lock:
        results.extend(local)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/eventwire-bench-1m.duckdb"))
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="reuse --db if it already holds --events events")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (at most 600)")
    parser.add_argument("--max-download-rows", type=int, default=2000, help="the server's download row cap")
    parser.add_argument("--mix", choices=sorted(MIXES), default="full",
                        help="full: every kind of read; light: without free text and the 2,000-row download")
    parser.add_argument("--cold", action="store_true",
                        help="make every request distinct, so that no answer is served from the server's cache")
    args = parser.parse_args()
    mix = MIXES[args.mix]
    duration = min(args.duration, 600.0)

    ensure_store(args.db, args.events, args.reuse)
    host, port = "127.0.0.1", _free_port()
    eventwire = Path(sys.executable).with_name("eventwire")
    command = [str(eventwire), "serve", "--db", str(args.db), "--host", host, "--port", str(port),
               "--max-download-rows", str(args.max_download_rows)]
    env = {k: v for k, v in os.environ.items() if k != "EVENTWIRE_API_KEY"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(host, port, proc)
        for url in mix.values():  # warm-up: one of each
            conn = http.client.HTTPConnection(host, port, timeout=120)
            conn.request("GET", url)
            conn.getresponse().read()
            conn.close()
        results: list = []
        lock = threading.Lock()
        deadline = time.monotonic() + duration
        threads = [threading.Thread(target=client, args=(host, port, n, deadline, results, lock, mix, args.cold))
                   for n in range(args.clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

    times = [r[1] * 1000 for r in results]
    errors = sum(1 for r in results if r[2] != 200)
    summary = {"mix": args.mix, "cold": args.cold, "events": args.events, "clients": args.clients, "seconds": round(elapsed, 1), "requests": len(results),
               "requests_per_s": round(len(results) / elapsed, 1), "p50_ms": round(statistics.median(times), 1),
               "p99_ms": round(percentile(times, 0.99), 1), "errors": errors, "cores": os.cpu_count(), "per_url": {}}
    print(f"{len(results)} requests in {elapsed:.1f} s from {args.clients} clients: "
          f"{summary['requests_per_s']} requests/s, p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
          f"{errors} errors", file=sys.stderr)
    for name in mix:
        mine = [r for r in results if r[0] == name]
        ms = [r[1] * 1000 for r in mine]
        bad = sum(1 for r in mine if r[2] != 200)
        summary["per_url"][name] = {"n": len(mine), "p50_ms": round(statistics.median(ms), 1) if ms else None,
                                    "p99_ms": round(percentile(ms, 0.99), 1) if ms else None, "errors": bad}
        print(f"  {name:24s} n {len(mine):5d}  p50 {summary['per_url'][name]['p50_ms']:8.1f} ms  "
              f"p99 {summary['per_url'][name]['p99_ms']:8.1f} ms  errors {bad}", file=sys.stderr)
    summary["load_average"] = round(os.getloadavg()[0], 1)  # the machine may be shared: figures are upper bounds
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
