"""End-to-end coding throughput on the Guardian sample against a parse-every-sentence baseline.

    .venv/bin/python bench/throughput.py                       # the whole corpus, 2 processes each
    .venv/bin/python bench/throughput.py --limit 60 --db /tmp/x.duckdb

In one run:
1. baseline: the same spaCy model and components the coder uses (tok2vec, tagger, parser, attribute_ruler,
   lemmatizer, ner), `nlp.pipe` over every article's full text with `--n-process` processes, nothing else;
2. eventwire: `Pipeline(n_process=...)` codes every article (sentence pre-filter, parse, events, dates,
   places) and `EventStore.save_document` writes each one to a fresh DuckDB file.
Both have the model loaded before the clock starts; each includes starting its worker processes.
`--repeat 2` alternates the two measurements and keeps each one's best time, which damps noise from
other work on the machine; the CPU time of each (this process and its workers) is printed too, as a
figure that other jobs on the machine disturb less.

Prints both rates, their ratio and the peak resident memory (this process plus its largest child, as
`resource.getrusage` reports them); the last line is JSON: {"articles_per_s", "baseline_articles_per_s",
"ratio", "peak_rss_mb", ...}.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from eventwire.pipeline import Pipeline, build_nlp
from eventwire.records import Document
from eventwire.store import EventStore

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpora" / "guardian_sample.csv"


def read_corpus(path: Path, limit: int | None = None) -> list[Document]:
    csv.field_size_limit(sys.maxsize)  # some articles are longer than the csv module's default cell limit
    documents = []
    with path.open(newline="", encoding="utf-8") as handle:
        for n, row in enumerate(csv.DictReader(handle)):
            if limit is not None and n >= limit:
                break
            date = dt.date.fromisoformat(row["date"][:10]) if row.get("date") else None
            documents.append(Document(id=f"guardian-{n}", text=row["text"], date=date, source="guardian"))
    return documents


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (worker processes count once joined)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_baseline(nlp, texts: list[str], n_process: int, batch_size: int) -> tuple[float, float]:
    start, cpu = time.perf_counter(), cpu_seconds()
    for _ in nlp.pipe(texts, n_process=n_process, batch_size=batch_size):
        pass
    return time.perf_counter() - start, cpu_seconds() - cpu


def run_eventwire(pipeline: Pipeline, documents: list[Document], db: Path) -> tuple[float, float, int]:
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    n_events = 0
    start, cpu = time.perf_counter(), cpu_seconds()
    with EventStore(db) as store:
        for coded in pipeline.code_documents(documents):
            store.save_document(coded.document, coded.sentences, coded.events)
            n_events += len(coded.events)
    return time.perf_counter() - start, cpu_seconds() - cpu, n_events


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident set of this process and of its largest (finished) child, in MB (Linux: KiB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="code only the first N articles")
    parser.add_argument("--db", type=Path, default=None, help="DuckDB file to write (default: a temporary one)")
    parser.add_argument("--n-process", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16, help="documents per batch (eventwire)")
    parser.add_argument("--baseline-batch-size", type=int, default=16, help="texts per batch (baseline)")
    parser.add_argument("--repeat", type=int, default=1, help="alternate both runs this many times, keep the best")
    parser.add_argument("--no-prefilter", action="store_true", help="parse every sentence in the eventwire run")
    args = parser.parse_args(argv)

    documents = read_corpus(args.corpus, args.limit)
    texts = [d.full_text for d in documents]
    db = args.db or Path(tempfile.mkdtemp(prefix="eventwire-bench-")) / "throughput.duckdb"
    nlp = build_nlp()
    pipeline = Pipeline(nlp=nlp, n_process=args.n_process, batch_size=args.batch_size,
                        prefilter=not args.no_prefilter)
    list(pipeline.code_documents(documents[:2]))  # load lazily built tables before the clock starts

    baseline_times, eventwire_times, baseline_cpu, eventwire_cpu, n_events = [], [], [], [], 0
    eventwire_child_rss = 0.0
    for _ in range(args.repeat):  # eventwire first, so the peak memory of its workers is seen on its own
        seconds, cpu, n_events = run_eventwire(pipeline, documents, db)
        eventwire_times.append(seconds)
        eventwire_cpu.append(cpu)
        eventwire_child_rss = eventwire_child_rss or peak_rss_mb()[1]
        seconds, cpu = run_baseline(nlp, texts, args.n_process, args.baseline_batch_size)
        baseline_times.append(seconds)
        baseline_cpu.append(cpu)
    baseline_rate = len(documents) / min(baseline_times)
    rate = len(documents) / min(eventwire_times)
    own, child = peak_rss_mb()
    result = {
        "articles": len(documents),
        "events": n_events,
        "n_process": args.n_process,
        "prefilter": not args.no_prefilter,
        "seconds": round(min(eventwire_times), 2),
        "baseline_seconds": round(min(baseline_times), 2),
        "articles_per_s": round(rate, 3),
        "baseline_articles_per_s": round(baseline_rate, 3),
        "ratio": round(rate / baseline_rate, 3),
        "peak_rss_mb": round(own + child, 1),
        "peak_rss_parent_mb": round(own, 1),
        "peak_rss_largest_child_mb": round(child, 1),
        "peak_rss_eventwire_child_mb": round(eventwire_child_rss, 1),
        "cpu_s": round(min(eventwire_cpu), 1),
        "baseline_cpu_s": round(min(baseline_cpu), 1),
        "cpu_ratio": round(min(baseline_cpu) / min(eventwire_cpu), 3),
        "all_seconds": [round(s, 2) for s in eventwire_times],
        "all_baseline_seconds": [round(s, 2) for s in baseline_times],
    }
    print(f"baseline (parse every sentence, n_process={args.n_process}): "
          f"{baseline_rate:.2f} articles/s ({min(baseline_times):.1f} s)")
    print(f"eventwire end to end into {db} (n_process={args.n_process}): "
          f"{rate:.2f} articles/s ({min(eventwire_times):.1f} s, {n_events} events)")
    print(f"ratio {rate / baseline_rate:.2f} (CPU time: {result['cpu_ratio']:.2f}); peak RSS {own + child:.0f} MB "
          f"(parent {own:.0f} MB + largest child {child:.0f} MB; eventwire's largest worker "
          f"{eventwire_child_rss:.0f} MB)")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
