"""kill -9 at random moments, resume, and compare every table with a clean run.

    .venv/bin/python bench/crash.py                          # Guardian sample, 10 kills
    .venv/bin/python bench/crash.py --kills 3 --limit 60     # a quick look

One clean run codes the corpus (`eventwire code CORPUS --db clean.duckdb`, the defaults). Then, for each
kill: a run on a fresh store is killed with SIGKILL after a random delay (between the model having
loaded and the run ending), the same command is run again to resume, and every table is compared with the
clean run's: documents, sentences, events, skipped, document_clusters, merged_events, event_mentions,
actor_memory (timestamps of when a row was written left out). Prints one line per kill and the number
that ended identical; the last line is JSON.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "corpora" / "guardian_sample.csv"

# Each table in a stable order, without the columns that record when a row was written.
TABLES = {
    "documents": "SELECT * EXCLUDE (coded_at) FROM documents ORDER BY doc_id",
    "sentences": "SELECT * FROM sentences ORDER BY doc_id, sentence_index",
    "events": "SELECT * FROM events ORDER BY event_id",
    "skipped": "SELECT origin, doc_id, reason FROM skipped ORDER BY ALL",
    "document_clusters": "SELECT * FROM document_clusters ORDER BY doc_id",
    "merged_events": "SELECT * EXCLUDE (first_seen) FROM merged_events ORDER BY merged_id",
    "event_mentions": "SELECT * FROM event_mentions ORDER BY ALL",
    "actor_memory": "SELECT * EXCLUDE (updated_at) FROM actor_memory ORDER BY ALL",
}


def code(corpus: Path, db: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "eventwire.cli", "code", str(corpus), "--db", str(db),
                             "--no-progress", "--format", "jsonl"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def tables(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for name, sql in TABLES.items():
            try:
                out[name] = con.execute(sql).fetchall()
            except duckdb.CatalogException:
                out[name] = None  # not created in this store
        return out
    finally:
        con.close()


def corpus_file(path: Path, limit: int | None, tmp: Path) -> Path:
    if limit is None:
        return path
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8") as f:
        rows = [row for _, row in zip(range(limit), csv.DictReader(f))]
    out = tmp / "corpus.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--seed", type=int, default=2026)
    opts = ap.parse_args()
    rng = random.Random(opts.seed)
    with tempfile.TemporaryDirectory(prefix="eventwire-crash-") as tmp_name:
        tmp = Path(tmp_name)
        corpus = corpus_file(opts.corpus, opts.limit, tmp)
        started = time.monotonic()
        clean = code(corpus, tmp / "clean.duckdb")
        _, err = clean.communicate()
        clean_s = time.monotonic() - started
        if clean.returncode not in (0, 3):
            sys.exit(f"the clean run failed:\n{err}")
        reference = tables(tmp / "clean.duckdb")
        print(f"clean run: {clean_s:.1f} s, {len(reference['events'])} events", flush=True)
        identical = 0
        for k in range(opts.kills):
            db = tmp / f"killed-{k}.duckdb"
            delay = rng.uniform(0.3 * clean_s, 0.97 * clean_s)  # start-up (model, gazetteer) takes the first seconds
            victim = code(corpus, db)
            try:
                victim.wait(timeout=delay)
                killed = False
            except subprocess.TimeoutExpired:
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                killed = True
            victim.stderr.close()
            stored = 0
            if db.exists():
                con = duckdb.connect(str(db), read_only=True)
                stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]
                con.close()
            resume = code(corpus, db)
            _, err = resume.communicate()
            got = tables(db)
            differ = [name for name in TABLES if got[name] != reference[name]]
            identical += not differ
            print(f"kill {k + 1}: after {delay:.1f} s ({'killed' if killed else 'had finished'}, "
                  f"{stored} documents stored) -> {'identical' if not differ else 'DIFFERS in ' + ', '.join(differ)}",
                  flush=True)
        print(f"{identical} of {opts.kills} resumed runs ended identical to the clean run")
        print(json.dumps({"kills": opts.kills, "identical": identical, "clean_seconds": round(clean_s, 1),
                          "corpus": str(opts.corpus), "limit": opts.limit}))


if __name__ == "__main__":
    main()
