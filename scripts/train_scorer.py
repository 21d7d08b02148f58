#!/usr/bin/env python3
"""Rebuild the candidate scorer (src/eventwire/data/candidate_scorer.json) from the gold sets in ../shared.

    pip install -e ".[train]"
    python scripts/train_scorer.py                 # collect candidates, cross-validate, write the model
    python scripts/train_scorer.py --reuse         # reuse the candidates collected last time (build/scorer/)

Training data: guardian_sentences (dev), the Guardian annotations in training/guardian/ (joined with
guardian_sample.csv), petr2_gsr and plover_gsr (dev halves). Folds split by document. The default
threshold is the lowest at which cross-validated precision on the Guardian sentences reaches
--target-precision. Prints the cross-validated and training-set figures and the precision/recall
table; writes the plot to docs/img/scorer_precision_recall.png.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from eventwire.evaluation import goldsets  # noqa: E402
from eventwire.events import training  # noqa: E402
from eventwire.events.scorer import MODEL_FORMAT  # noqa: E402

THRESHOLDS = [round(0.025 * i, 3) for i in range(2, 39)]
MIN_EVENTS = 30  # a precision measured on fewer cross-validated events says too little to choose by


def build_sets(shared: Path) -> list[goldsets.GoldSet]:
    rows = goldsets.read_corpus_rows(shared / "data/corpora/guardian_sample.csv")
    dev = shared / "data/gold/dev"
    annotations = [a for p in sorted((REPO / "training/guardian").glob("batch-*.jsonl"))
                   for a in training.read_jsonl(p)]
    return [
        goldsets.sentence_set("guardian_dev", training.read_jsonl(dev / "guardian_sentences.jsonl"), rows),
        goldsets.sentence_set("guardian_extra", training.join_annotations(annotations, rows), rows),
        goldsets.record_set("petr2", "petr", training.read_jsonl(dev / "petr2_gsr.jsonl")),
        goldsets.record_set("plover", "plover", training.read_jsonl(dev / "plover_gsr.jsonl")),
    ]


def collect(sets: list[goldsets.GoldSet], cache: Path, reuse: bool) -> dict[str, list[dict]]:
    """The labelled candidates of each set (coded now, or read from the cache of the last run)."""
    cache.mkdir(parents=True, exist_ok=True)
    pipeline = None
    out = {}
    for s in sets:
        path = cache / f"candidates-{s.name}.jsonl"
        if reuse and path.exists():
            out[s.name] = training.read_jsonl(path)
            continue
        if pipeline is None:
            from eventwire.events.extractor import EventExtractor
            from eventwire.pipeline import Pipeline
            pipeline = Pipeline(extractor=EventExtractor(scorer=None, collect=True), stages=[])
        out[s.name] = training.collect_candidates(s, pipeline)
        path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in out[s.name]))
    for s in sets:
        pos = sum(c["label"] for c in out[s.name])
        print(f"{s.name}: {len(s.records)} gold records, {len(s.documents)} documents, "
              f"{len(out[s.name])} candidates ({pos} right)", file=sys.stderr)
    return out


def evaluate_all(sets, candidates, confidences_by_set, threshold):
    return {s.name: training.score_set(s, training.select_events(candidates[s.name], confidences_by_set[s.name],
                                                                 threshold))
            for s in sets}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--cache", type=Path, default=REPO / "build/scorer")
    ap.add_argument("--reuse", action="store_true", help="reuse collected candidates")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--C", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    ap.add_argument("--target-precision", type=float, default=0.75)
    ap.add_argument("--tune-on", default="guardian", help="set-name prefix whose precision sets the threshold")
    ap.add_argument("--out", type=Path, default=REPO / "src/eventwire/data/candidate_scorer.json")
    ap.add_argument("--plot", type=Path, default=REPO / "docs/img/scorer_precision_recall.png")
    ap.add_argument("--report", type=Path, default=REPO / "build/scorer/report.json")
    ap.add_argument("--dry-run", action="store_true", help="cross-validate only; do not write the model")
    opts = ap.parse_args()

    sets = build_sets(opts.shared)
    candidates = collect(sets, opts.cache, opts.reuse)
    pooled = [c for s in sets for c in candidates[s.name]]
    groups = [training.document_of(s, c) for s in sets for c in candidates[s.name]]
    offsets, start = {}, 0
    for s in sets:
        offsets[s.name] = (start, start + len(candidates[s.name]))
        start += len(candidates[s.name])
    tune = goldsets.GoldSet("tune", "sentences", [r for s in sets if s.name.startswith(opts.tune_on)
                                                 for r in s.records])

    def split(conf):
        return {name: conf[a:b] for name, (a, b) in offsets.items()}

    def tune_scores(conf_by_set, threshold):
        cands = [c for s in sets if s.name.startswith(opts.tune_on) for c in candidates[s.name]]
        conf = [p for s in sets if s.name.startswith(opts.tune_on) for p in conf_by_set[s.name]]
        return training.score_set(tune, training.select_events(cands, conf, threshold))

    results = {}
    for C in opts.C:
        oof = split(training.cross_validate(pooled, groups, folds=opts.folds, C=C))
        table = [(t, tune_scores(oof, t)) for t in THRESHOLDS]
        ok = [(t, s) for t, s in table if s["precision"] >= opts.target_precision and s["predicted"] >= MIN_EVENTS]
        best_f1 = max(s["f1"] for _, s in table)
        enough = [(t, s) for t, s in table if s["predicted"] >= MIN_EVENTS] or table
        chosen = ok[0] if ok else max(enough, key=lambda ts: ts[1]["precision"])
        results[C] = {"oof": oof, "table": table, "chosen": chosen, "best_f1": best_f1}
        print(f"C={C}: threshold {chosen[0]} -> {chosen[1]}; best CV F1 at any threshold {best_f1}",
              file=sys.stderr)
    C = max(results, key=lambda c: (results[c]["chosen"][1]["f1"], results[c]["best_f1"]))
    res = results[C]
    threshold = res["chosen"][0]

    model = training.fit([c["features"] for c in pooled], [c["label"] for c in pooled], C=C)
    train_conf = split(model.predict([c["features"] for c in pooled]))
    cv = evaluate_all(sets, candidates, res["oof"], threshold)
    train = evaluate_all(sets, candidates, train_conf, threshold)
    cv_any = evaluate_all(sets, candidates, res["oof"], 0.0)
    train_table = [(t, tune_scores(train_conf, t)) for t in THRESHOLDS]

    report = {
        "C": C, "threshold": threshold, "folds": opts.folds, "target_precision": opts.target_precision,
        "cross_validated": cv, "training_set": train, "cross_validated_no_threshold": cv_any,
        "tradeoff_cross_validated": [{"threshold": t, **s} for t, s in res["table"]],
        "tradeoff_training_set": [{"threshold": t, **s} for t, s in train_table],
        "data": {s.name: {"records": len(s.records), "documents": len(s.documents),
                          "candidates": len(candidates[s.name]), "right": sum(c["label"] for c in candidates[s.name])}
                 for s in sets},
    }
    opts.report.parent.mkdir(parents=True, exist_ok=True)
    opts.report.write_text(json.dumps(report, indent=1))
    print(json.dumps({k: report[k] for k in ("C", "threshold", "cross_validated", "training_set")}, indent=1))
    print_table(res["table"], train_table)
    if not opts.dry_run:
        write_model(opts.out, model, threshold, report)
        plot(opts.plot, res["table"], train_table, threshold)


def print_table(cv_table, train_table) -> None:
    print("\n| threshold | CV precision | CV recall | CV F1 | CV events | train precision | train recall | train F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for (t, s), (_, tr) in zip(cv_table, train_table):
        if round(t * 1000) % 50:
            continue
        print(f"| {t:.2f} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['predicted']} | "
              f"{tr['precision']:.3f} | {tr['recall']:.3f} | {tr['f1']:.3f} |")


def write_model(path: Path, model: training.Model, threshold: float, report: dict) -> None:
    data = {
        "format": MODEL_FORMAT,
        "description": "Logistic regression over eventwire.events.features; confidence = sigmoid(intercept + "
                       "sum of weights of the candidate's features). Rebuild: python scripts/train_scorer.py",
        "trained": dt.date.today().isoformat(),
        "C": report["C"], "folds": report["folds"], "target_precision": report["target_precision"],
        "data": report["data"],
        "cross_validated": report["cross_validated"],
        "training_set": report["training_set"],
        "threshold": threshold,
        "intercept": model.intercept,
        "weights": dict(sorted(model.weights.items(), key=lambda kv: -abs(kv[1]))),
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {path} ({len(model.weights)} weights, threshold {threshold})", file=sys.stderr)


def plot(path: Path, cv_table, train_table, threshold: float) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for table, label, style in ((cv_table, "cross-validated (folds by article)", "o-"),
                                (train_table, "training set (optimistic)", "s--")):
        points = [s for _, s in table if s["predicted"]]
        ax.plot([s["recall"] for s in points], [s["precision"] for s in points], style, label=label, ms=4)
    for t, s in cv_table:
        if s["predicted"] and (abs(t - threshold) < 1e-9 or t in (0.1, 0.3, 0.5, 0.7, 0.9)):
            ax.annotate(f"{t:.2f}", (s["recall"], s["precision"]), textcoords="offset points", xytext=(4, 4),
                        fontsize=7)
    chosen = dict(cv_table)[threshold]
    ax.scatter([chosen["recall"]], [chosen["precision"]], s=120, facecolors="none", edgecolors="red",
               label=f"default threshold {threshold:.2f}")
    ax.set_xlabel("recall (Guardian sentences)")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title("Candidate scorer: precision/recall by threshold")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
