"""Dask engine: 1 worker against 2 workers on the Guardian sample, and the merged store against a
single-process run.

    .venv/bin/python bench/dask_scaling.py                  # the whole corpus
    .venv/bin/python bench/dask_scaling.py --limit 60 --workers 1 2 4

For each worker count a LocalCluster is started (processes, one thread per worker) and the coding pipeline
is loaded on every worker (`startup_s`, not part of the rate); then `code_into_store` codes the corpus
into a fresh DuckDB file (`seconds`, `articles_per_s`: shards out, Parquet shards back, merged).
Finally the corpus is coded in this process with `Pipeline` + `EventStore.save_document`, and the tables
of every Dask store are compared with it (documents without coded_at, sentences, events).

The last line is JSON: {"runs": [...], "speedup": rate(2)/rate(1), "identical": true|false, ...}.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from throughput import DEFAULT_CORPUS, read_corpus

from eventwire.pipeline import Pipeline
from eventwire.scale import CodingOptions, code_into_store, differences
from eventwire.scale.dask_engine import PLUGIN_NAME, PipelinePlugin
from eventwire.store import EventStore


def fresh(path: Path) -> Path:
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def run_dask(documents, workers: int, db: Path, options: CodingOptions) -> dict:
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        client.wait_for_workers(workers)
        client.register_plugin(PipelinePlugin(options), name=PLUGIN_NAME)  # loads the model on each worker
        startup = time.perf_counter() - start
        start, cpu = time.perf_counter(), time.process_time()
        with EventStore(fresh(db)) as store:
            stats = code_into_store(documents, store, client=client, options=options)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"workers": workers, "startup_s": round(startup, 2), "seconds": round(seconds, 2),
            "client_cpu_s": round(cpu, 2),
            "articles_per_s": round(len(documents) / seconds, 3), "events": stats.events, "db": str(db)}


def run_single(documents, db: Path, options: CodingOptions) -> dict:
    pipeline = Pipeline(batch_size=options.batch_size, prefilter=options.prefilter)
    start = time.perf_counter()
    with EventStore(fresh(db)) as store:
        for coded in pipeline.code_documents(documents):
            store.save_document(coded.document, coded.sentences, coded.events)
    seconds = time.perf_counter() - start
    return {"workers": 0, "seconds": round(seconds, 2), "articles_per_s": round(len(documents) / seconds, 3),
            "db": str(db)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shard-size", type=int, default=8, help="documents per shard (task)")
    parser.add_argument("--dir", type=Path, default=None, help="where the DuckDB files go (default: a temp dir)")
    parser.add_argument("--no-check", action="store_true", help="skip the single-process run and comparison")
    args = parser.parse_args(argv)

    documents = read_corpus(args.corpus, args.limit)
    out_dir = args.dir or Path(tempfile.mkdtemp(prefix="eventwire-dask-"))
    options = CodingOptions(batch_size=args.shard_size)
    runs = []
    for workers in args.workers:
        run = run_dask(documents, workers, out_dir / f"dask-{workers}.duckdb", options)
        runs.append(run)
        print(f"{workers} worker(s): {run['articles_per_s']:.2f} articles/s ({run['seconds']:.1f} s, "
              f"model loaded in {run['startup_s']:.1f} s), {run['events']} events", flush=True)
    rate = {r["workers"]: r["articles_per_s"] for r in runs}
    speedup = round(rate[2] / rate[1], 3) if 1 in rate and 2 in rate else None
    if speedup is not None:
        print(f"speedup 2 workers / 1 worker: {speedup:.2f}")
    result: dict = {"articles": len(documents), "runs": runs, "speedup": speedup}
    if not args.no_check:
        single = run_single(documents, out_dir / "single.duckdb", options)
        problems = {r["workers"]: differences(single["db"], r["db"]) for r in runs}
        result["single_process"] = single
        result["identical"] = not any(problems.values())
        result["differences"] = {str(k): v for k, v in problems.items() if v}
        print(f"single process: {single['articles_per_s']:.2f} articles/s; merged stores identical to it: "
              f"{result['identical']}" + (f" {result['differences']}" if not result["identical"] else ""))
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
