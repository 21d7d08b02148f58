"""Cost per kB of one long document: is coding linear in a document's length?

    .venv/bin/python bench/scaling.py                          # 60 kB, 250 kB, 500 kB, 1 MB of Guardian articles
    .venv/bin/python bench/scaling.py --sizes 60 250 --repeat 2 --min-confidence 0
    .venv/bin/python bench/scaling.py --source dense           # a short story full of people, places and dates
    .venv/bin/python bench/scaling.py --source runon           # one sentence that never ends

Builds one long text by joining the Guardian sample's articles (blank line between them) and codes its
first 60 kB, 250 kB, 500 kB and 1 MB (kB: 1,000 characters, cut back to the last paragraph break) as one
document each: the same text, so the sizes differ only in length.
Each size is coded by `Pipeline.code_batch` (sentence pre-filter, parse, events, dates, places, PLOVER
detail) with no time budget, after a warm-up that loads every table. Prints, per size, the wall and CPU seconds
(this process) and the seconds per kB, the peak RSS so far, and the ratio of the largest size's CPU seconds
per kB to the smallest's; the target is at most 2. ``--time-budget S`` codes with that budget instead, to see
what a huge document does (``--sizes 9000 --time-budget 60``: skipped after about a minute). CPU time is reported because other work on the machine disturbs it less
than wall time. ``--repeat N`` keeps each size's best run. The last line is JSON.

To compare with another version of eventwire, run the script with that version first on the path:
``PYTHONPATH=/path/to/old/src .venv/bin/python bench/scaling.py``.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import inspect
import json
import resource
import sys
import time
from pathlib import Path

from eventwire.pipeline import Pipeline
from eventwire.records import Document

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpora" / "guardian_sample.csv"
DEFAULT_SIZES_KB = (60, 250, 500, 1000)
# --source dense: a short story written for this benchmark, repeated, with what used to cost a scan of the whole
# document per mention: people, pronouns, descriptions ("the group"), places, dates and "May" (month and name).
DENSE_STORY = (
    "Russian troops attacked a convoy near Kharkiv on Monday, Ukraine's defence ministry said. "
    "President Volodymyr Zelensky met the French foreign minister in Kyiv last week. He accused Moscow of war "
    "crimes. Pakistan's army said it had arrested 12 militants in Peshawar in May. The group denied the claim. "
    "Theresa May criticised Iran, and the Chinese government condemned the attack on Tuesday. "
    "They said the talks would resume in Geneva next month.\n\n")
# --source runon: a sentence that never ends (no full stop, no line break), with a trigger now and then.
RUN_ON = ("and the committee discussed the budget the weather and the schedule for the coming season while members "
          "of the public waited outside the hall for news of the vote which was expected later "
          "and Nigeria accused Niger of closing the border ")


def long_text(path: Path, size: int) -> str:
    """The corpus's articles joined into one text of at least ``size`` characters (repeated if it is
    shorter)."""
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8") as handle:
        articles = [row["text"].strip() for row in csv.DictReader(handle) if row.get("text", "").strip()]
    if not articles:
        raise SystemExit(f"no articles in {path}")
    parts, total = [], 0
    while total < size:
        for article in articles:
            parts.append(article)
            total += len(article) + 2
            if total >= size:
                break
    return "\n\n".join(parts)


def prefix(text: str, size: int) -> str:
    """The first ``size`` characters of ``text``, cut back to the last paragraph break (no half article)."""
    cut = text.rfind("\n\n", 0, size + 1)
    return text[:cut] if cut > size // 2 else text[:size]


def code_once(pipeline: Pipeline, text: str, kb: int) -> dict:
    document = Document(id=f"scaling-{kb}kb", text=text, date=dt.date(2019, 6, 1), source="guardian")
    wall, cpu = time.perf_counter(), time.process_time()
    [coded] = pipeline.code_batch([document])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    skipped = getattr(coded, "skipped", None)
    return {"kb": kb, "chars": len(text), "sentences": len(coded.sentences), "events": len(coded.events),
            "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "notes": getattr(coded, "notes", []),
            "skipped": skipped.reason if skipped is not None else None,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--source", choices=("guardian", "dense", "runon"), default="guardian",
                        help="guardian: the corpus's articles joined; dense: DENSE_STORY repeated; runon: RUN_ON "
                             "repeated (one sentence with no end)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES_KB), help="sizes in kB")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the best is kept")
    parser.add_argument("--time-budget", type=float, default=None,
                        help="Pipeline.time_budget_s (default: none, so that every size is coded)")
    parser.add_argument("--min-confidence", type=float, default=None,
                        help="the extractor's threshold (default: the scorer's); 0 keeps every trigger's best reading")
    args = parser.parse_args(argv)
    if args.source == "guardian" and not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (../shared is absent)", file=sys.stderr)
        return 2

    sizes = sorted(args.sizes)
    if args.source == "guardian":
        text = long_text(args.corpus, max(sizes) * 1000)
    else:
        unit = DENSE_STORY if args.source == "dense" else RUN_ON
        text = unit * (max(sizes) * 1000 // len(unit) + 1)
    options = {"min_confidence": args.min_confidence}
    if "time_budget_s" in inspect.signature(Pipeline).parameters:  # (older versions, for comparisons, have none)
        options["time_budget_s"] = args.time_budget
    pipeline = Pipeline(**options).prepare(warm_up=True)
    rows = []
    for kb in sizes:
        runs = [code_once(pipeline, prefix(text, kb * 1000), kb) for _ in range(max(1, args.repeat))]
        best = min(runs, key=lambda r: r["cpu_s"])
        best["wall_s_per_kb"] = round(best["wall_s"] / kb, 4)
        best["cpu_s_per_kb"] = round(best["cpu_s"] / kb, 4)
        rows.append(best)
        outcome = f"SKIPPED: {best['skipped']}" if best["skipped"] else \
            f"{best['sentences']} sentences, {best['events']} events"
        print(f"{kb:>5} kB: {best['wall_s']:7.1f} s wall, {best['cpu_s']:7.1f} s CPU -> "
              f"{best['wall_s_per_kb'] * 1000:6.1f} ms/kB wall, {best['cpu_s_per_kb'] * 1000:6.1f} ms/kB CPU "
              f"({outcome}; peak RSS {best['peak_rss_mb']} MB)", file=sys.stderr, flush=True)
    coded = [r for r in rows if not r["skipped"]] or rows
    ratio = coded[-1]["cpu_s_per_kb"] / coded[0]["cpu_s_per_kb"] if coded[0]["cpu_s_per_kb"] else float("nan")
    wall_ratio = coded[-1]["wall_s_per_kb"] / coded[0]["wall_s_per_kb"] if coded[0]["wall_s_per_kb"] else float("nan")
    print(f"CPU time per kB at {coded[-1]['kb']} kB / at {coded[0]['kb']} kB: {ratio:.2f} (wall: {wall_ratio:.2f}; "
          f"target: at most 2)", file=sys.stderr)
    print(json.dumps({"sizes": rows, "cpu_ratio": round(ratio, 3), "wall_ratio": round(wall_ratio, 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
