#!/usr/bin/env python3
"""Pick random Guardian sentences for annotation and write a worklist for the annotators.

Only rows listed in ../shared/data/gold/guardian_open_rows.txt are used, and rows that the dev gold
already draws on are left out (they stay an evaluation set). Sentences are cut with eventwire's own
rule-based splitter. The worklist holds the Guardian text, so it is written outside the repository
(default: build/worklist/); the annotations that come back hold only row, offsets and events
(training/guardian/*.jsonl), and scripts/join_annotations.py puts the text back for training.

    python scripts/guardian_worklist.py --rows-per-batch 10 --sentences-per-row 8 --batches 6
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "data/corpora/guardian_sample.csv"
OPEN_ROWS = SHARED / "data/gold/guardian_open_rows.txt"
DEV_GOLD = SHARED / "data/gold/dev/guardian_sentences.jsonl"
ANNOTATED = Path(__file__).resolve().parents[1] / "training/guardian"


def read_rows(path: Path = CORPUS) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def open_rows(path: Path = OPEN_ROWS) -> list[int]:
    return [int(line) for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def sentence_offsets(text: str, nlp) -> list[tuple[int, int]]:
    """Character offsets [start, end) of each sentence, trailing whitespace left out."""
    from eventwire.nlp.prefilter import split_sentences

    doc = nlp.make_doc(text)
    out = []
    for a, b in split_sentences(doc):
        start = doc[a].idx
        last = doc[b - 1]
        end = last.idx + len(last.text)
        while end > start and text[end - 1].isspace():
            end -= 1
        out.append((start, end))
    return out


def already_annotated() -> set[int]:
    rows = set()
    for path in ANNOTATED.glob("batch-*.jsonl"):
        for line in path.read_text().splitlines():
            if line.strip():
                rows.add(json.loads(line)["row"])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batches", type=int, default=6)
    ap.add_argument("--rows-per-batch", type=int, default=10)
    ap.add_argument("--sentences-per-row", type=int, default=8)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--first-batch", type=int, default=1, help="number of the first batch file")
    ap.add_argument("--out", type=Path, default=Path("build/worklist"))
    opts = ap.parse_args()

    import spacy

    nlp = spacy.blank("en")
    rows = read_rows()
    dev_rows = {json.loads(l)["row"] for l in DEV_GOLD.read_text().splitlines() if l.strip()}
    done = already_annotated()
    candidates = [r for r in open_rows() if r not in dev_rows and r not in done]
    rng = random.Random(opts.seed)
    rng.shuffle(candidates)
    opts.out.mkdir(parents=True, exist_ok=True)
    for b in range(opts.batches):
        batch_rows = candidates[b * opts.rows_per_batch:(b + 1) * opts.rows_per_batch]
        items = []
        for row in sorted(batch_rows):
            text = rows[row]["text"]
            offsets = sentence_offsets(text, nlp)
            usable = [k for k, (s, e) in enumerate(offsets) if len(text[s:e].split()) >= 5]
            for k in sorted(rng.sample(usable, min(opts.sentences_per_row, len(usable)))):
                s, e = offsets[k]
                context = [text[a:z] for a, z in offsets[max(0, k - 3):k]]
                items.append({"row": row, "start": s, "end": e, "date": rows[row]["date"][:10],
                              "lede": text[offsets[0][0]:offsets[0][1]] if k > 3 else "",
                              "context": " ".join(context), "text": text[s:e]})
        path = opts.out / f"batch-{opts.first_batch + b:02d}.jsonl"
        path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
        print(f"{path}: {len(items)} sentences from {len(batch_rows)} rows")


if __name__ == "__main__":
    main()
