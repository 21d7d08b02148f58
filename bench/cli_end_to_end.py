"""`eventwire code CORPUS` with its defaults, start-up included, against spaCy parsing every article.

    .venv/bin/python bench/cli_end_to_end.py                 # Guardian sample, 2 rounds
    .venv/bin/python bench/cli_end_to_end.py --repeat 3

Both are whole processes timed by the wall clock, from start to exit:
- eventwire: `eventwire code CORPUS --db NEW.duckdb --format jsonl --no-progress > /dev/null`, every option
  at its default (processes: the cores this process may use);
- spaCy: a Python process that loads the same model with the components the coder uses and runs
  `nlp.pipe` over every article's text with the same number of processes, nothing else.
The rounds alternate and each keeps its best time. The last line is JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "corpora" / "guardian_sample.csv"

SPACY_ONLY = """
import csv, sys, spacy
from eventwire.nlp import MODEL_NAME, NEEDED_COMPONENTS
csv.field_size_limit(sys.maxsize)
texts = [row["text"] for row in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))]
nlp = spacy.load(MODEL_NAME)
nlp.select_pipes(enable=[name for name in nlp.pipe_names if name in NEEDED_COMPONENTS])
nlp.max_length = 12_000_000
for doc in nlp.pipe(texts, batch_size=16, n_process=int(sys.argv[2])):
    pass
"""


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def timed(cmd: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--repeat", type=int, default=2)
    opts = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    n = cores()
    best = {"eventwire": float("inf"), "spacy": float("inf")}
    with tempfile.TemporaryDirectory(prefix="eventwire-e2e-") as tmp:
        for round_ in range(opts.repeat):
            db = Path(tmp) / f"run{round_}.duckdb"
            with open(os.devnull, "w") as devnull:
                t = timed([sys.executable, "-m", "eventwire.cli", "code", str(opts.corpus), "--db", str(db),
                           "--format", "jsonl", "--no-progress"], env=env, stdout=devnull, stderr=devnull)
            best["eventwire"] = min(best["eventwire"], t)
            s = timed([sys.executable, "-c", SPACY_ONLY, str(opts.corpus), str(n)], env=env)
            best["spacy"] = min(best["spacy"], s)
            print(f"round {round_ + 1}: eventwire {t:.1f} s, spaCy parse only {s:.1f} s", flush=True)
    ratio = best["spacy"] / best["eventwire"]
    print(f"best: eventwire {best['eventwire']:.1f} s, spaCy {best['spacy']:.1f} s, processes {n}: "
          f"eventwire is {ratio:.2f}x the speed of parsing alone")
    print(json.dumps({"eventwire_s": round(best["eventwire"], 2), "spacy_s": round(best["spacy"], 2),
                      "ratio": round(ratio, 3), "processes": n, "corpus": str(opts.corpus)}))


if __name__ == "__main__":
    main()
