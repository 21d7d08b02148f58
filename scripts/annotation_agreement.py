#!/usr/bin/env python3
"""Agreement between our blind re-annotation of 40 dev sentences and the dev gold.

    python scripts/annotation_agreement.py [--shared ../shared]

training/guardian/blind_dev40.jsonl was coded without looking at the gold's events. Reported:
- sentence level: does the sentence hold a (factual) event? Raw agreement and Cohen's kappa;
- event level, with the alternatives of both sides: a gold event is matched when some blind event
  shares an acceptable (source, target, root) triple, and vice versa; precision, recall and F1 of the
  blind annotation taken as predictions against the gold;
- roots only: the same with the CAMEO root alone.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from eventwire.evaluation.metrics import gold_alternatives  # noqa: E402


def roots(event: dict) -> set[str]:
    return set(event["root"])


def match_rate(these: list[dict], those: list[dict], key) -> tuple[int, int]:
    """How many events of ``these`` share a value of ``key`` with some event of ``those``."""
    return sum(1 for e in these if any(key(e) & key(o) for o in those)), len(these)


def agreement(gold: list[dict], blind: list[dict]) -> dict:
    by_id = {g["id"]: g for g in gold}
    counts = {"both": 0, "neither": 0, "gold_only": 0, "blind_only": 0}
    totals = {k: [0, 0] for k in ("recall", "precision", "root_recall", "root_precision")}
    for b in blind:
        g = by_id[b["id"]]
        ge = [e for e in g["events"] if e.get("factual", True)]
        be = [e for e in b["events"] if e.get("factual", True)]
        counts["both" if ge and be else "gold_only" if ge else "blind_only" if be else "neither"] += 1
        for name, these, those, key in (("recall", ge, be, gold_alternatives), ("precision", be, ge, gold_alternatives),
                                        ("root_recall", ge, be, roots), ("root_precision", be, ge, roots)):
            hit, n = match_rate(these, those, key)
            totals[name][0] += hit
            totals[name][1] += n
    n = len(blind)
    observed = (counts["both"] + counts["neither"]) / n
    p_gold = (counts["both"] + counts["gold_only"]) / n
    p_blind = (counts["both"] + counts["blind_only"]) / n
    expected = p_gold * p_blind + (1 - p_gold) * (1 - p_blind)
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    out = {"sentences": n, "sentence_agreement": round(observed, 3), "sentence_kappa": round(kappa, 3), **counts}
    for name, (hit, total) in totals.items():
        out[name] = round(hit / total, 3) if total else None
        out[f"{name}_n"] = f"{hit}/{total}"
    p, r = out["precision"] or 0, out["recall"] or 0
    out["f1"] = round(2 * p * r / (p + r), 3) if p + r else 0.0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--blind", type=Path, default=REPO / "training/guardian/blind_dev40.jsonl")
    opts = ap.parse_args()
    gold_path = opts.shared / "data/gold/dev/guardian_sentences.jsonl"
    gold = [json.loads(line) for line in gold_path.read_text().splitlines() if line.strip()]
    blind = [json.loads(line) for line in opts.blind.read_text().splitlines() if line.strip()]
    print(json.dumps(agreement(gold, blind), indent=1))


if __name__ == "__main__":
    main()
