"""How much does geolocation cost? Code a corpus end to end with and without the PlaceStage.

    .venv/bin/python bench/geo_overhead.py [CSV] [--limit N] [--repeat R]

CSV defaults to ../shared/data/corpora/guardian_sample.csv (columns date, text). Both configurations share
one spaCy model and event coder and run interleaved, R times each, on the same documents; the report gives
the best and median CPU time of each (process time: other programs on a shared machine do not count), the
overhead of adding places, the time spent inside the PlaceStage itself, and the one-time cost of building
the gazetteer.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

from eventwire.dates import DateStage
from eventwire.events.extractor import EventExtractor
from eventwire.pipeline import Pipeline, build_nlp
from eventwire.places import PlaceStage, load_gazetteer
from eventwire.records import Document

DEFAULT_CSV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "corpora" / "guardian_sample.csv"


class Timed:
    """Wrap a stage and add up the time spent in it."""

    def __init__(self, stage):
        self.stage, self.name, self.seconds = stage, stage.name, 0.0

    def __call__(self, parsed, document, events):
        start = time.process_time()
        self.stage(parsed, document, events)
        self.seconds += time.process_time() - start


def read_corpus(path: Path, limit: int | None) -> list[Document]:
    csv.field_size_limit(sys.maxsize)
    docs = []
    with open(path, newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if limit is not None and i >= limit:
                break
            date = dt.date.fromisoformat(row["date"][:10]) if row.get("date") else None
            docs.append(Document(id=f"guardian-{i}", text=row["text"], date=date))
    return docs


def run(pipeline: Pipeline, docs: list[Document]) -> tuple[float, int, int]:
    start = time.process_time()
    n_events = n_located = 0
    for coded in pipeline.code_documents(docs):
        n_events += len(coded.events)
        n_located += sum(e.location is not None for e in coded.events)
    return time.process_time() - start, n_events, n_located


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.csv.exists():
        sys.exit(f"corpus not found: {args.csv}")
    docs = read_corpus(args.csv, args.limit)
    words = sum(len(d.text.split()) for d in docs)

    start = time.process_time()
    load_gazetteer()
    gazetteer_seconds = time.process_time() - start

    nlp, extractor = build_nlp(), EventExtractor()
    places = Timed(PlaceStage())
    without = Pipeline(nlp=nlp, extractor=extractor, stages=[DateStage()])
    with_places = Pipeline(nlp=nlp, extractor=extractor, stages=[DateStage(), places])
    run(without, docs[:5])  # warm up caches (model, dictionaries, dateparser)
    run(with_places, docs[:5])
    places.seconds = 0.0

    times = {"without places": [], "with places": []}
    n_events = n_located = 0
    for _ in range(args.repeat):
        t, n_events, _ = run(without, docs)
        times["without places"].append(t)
        t, _, n_located = run(with_places, docs)
        times["with places"].append(t)
    in_stage = places.seconds / args.repeat

    base = statistics.median(times["without places"])
    geo = statistics.median(times["with places"])
    print(f"corpus: {args.csv.name}, {len(docs)} documents, {words:,} words; {n_events} events, "
          f"{n_located} located ({n_located / max(n_events, 1):.0%}); {args.repeat} runs each")
    for name, ts in times.items():
        print(f"  {name:15s} median {statistics.median(ts):7.2f}s  best {min(ts):7.2f}s  "
              f"({len(docs) / statistics.median(ts):.1f} docs/s, {words / statistics.median(ts):,.0f} words/s)")
    print(f"  overhead of places (median CPU time): {100 * (geo - base) / base:+.1f}%")
    print(f"  time inside PlaceStage: {in_stage:.2f}s per run = {100 * in_stage / geo:.1f}% of the run with places")
    print(f"  one-time gazetteer build: {gazetteer_seconds:.2f}s")


if __name__ == "__main__":
    main()
