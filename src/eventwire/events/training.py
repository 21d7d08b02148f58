"""Training and cross-validating the candidate scorer (events.scorer) on gold sets.

1. Each gold set is turned into documents and coded with an extractor that keeps every candidate
   (``EventExtractor(collect=True)``), so each candidate carries its features, trigger group and reading.
2. Candidates in gold sentences are labelled: right (1) when their (source country, target country,
   CAMEO root) is one the gold accepts, wrong (0) otherwise. Candidates in sentences nobody annotated are
   not used.
3. Folds split by *document*, never by sentence: candidates from one article are all in the training
   part or all in the test part. Out-of-fold confidences are selected exactly as at run time
   (scorer.select: best reading per trigger, then the threshold) and scored with the set's own rules
   (evaluate.score_sentences / score_events), so cross-validated figures are what a user would see.

scikit-learn is needed here only (``pip install eventwire[train]``); coding uses the JSON weights.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from eventwire.evaluation import metrics as evaluate, goldsets
from eventwire.evaluation.goldsets import GoldSet
from .scorer import best_readings


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def join_annotations(annotations: Iterable[dict], rows: list[dict]) -> list[dict]:
    """Sentence gold records from annotations that hold only a corpus row, character offsets and events:
    the sentence text and date come from the corpus (``rows``: guardian_sample.csv's data rows)."""
    out = []
    for a in annotations:
        row = rows[a["row"]]
        text = row["text"][a["start"]:a["end"]]
        if not text.strip():
            raise ValueError(f"annotation of row {a['row']} at {a['start']}:{a['end']} covers no text")
        out.append({"id": f"ga-{a['row']}-{a['start']}", "row": a["row"], "date": row["date"][:10],
                    "text": text, "events": a["events"]})
    return out


def document_of(gold_set: GoldSet, candidate: dict) -> str:
    """The fold group of a candidate: its document, prefixed by the set name."""
    return f"{gold_set.name}:{candidate['doc_id']}"


# --------------------------------------------------------------------------- candidates and labels


def collect_candidates(gold_set: GoldSet, pipeline) -> list[dict]:
    """Code the set's documents with a collecting extractor and return the candidates in gold sentences,
    labelled. ``pipeline``: a Pipeline whose extractor has ``collect=True``."""
    events = []
    for coded in pipeline.code_documents(gold_set.documents):
        for e in coded.events:
            d = e.to_dict()
            d.update(features=e.extra["features"], group=e.extra["group"], reading=e.extra["reading"])
            events.append(d)
    return label_candidates(gold_set, events)


def label_candidates(gold_set: GoldSet, events: list[dict]) -> list[dict]:
    """The events that fall in gold sentences, each with ``label`` 1 (right) or 0 (wrong)."""
    out = []
    if gold_set.kind == "sentences":
        by_row = evaluate.group_by_row(events)
        for g in gold_set.records:
            allowed = set()
            for ev in g["events"]:
                allowed |= evaluate.gold_alternatives(ev)
            for e in evaluate.events_of_sentence(by_row, g):
                out.append({**e, "label": int(evaluate.predicted_triple(e) in allowed), "gold_id": g["id"]})
        return out
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        by_doc[str(e["doc_id"])].append(e)
    for g in gold_set.records:
        for e in by_doc.get(str(g["id"]), []):
            if gold_set.kind == "petr":
                want = {(evaluate.actor_country(x["source"]), evaluate.actor_country(x["target"]),
                         evaluate.cameo_root(x["cameo"])) for x in g["events"]}
                label = (evaluate.actor_country(e.get("source")), evaluate.actor_country(e.get("target")),
                         evaluate.cameo_root(e.get("cameo"))) in want
            else:
                ge = g["events"][0]
                sources = {evaluate.actor_country(a["code"]) for a in ge["sources"]}
                targets = {evaluate.actor_country(a["code"]) for a in ge["targets"]}
                label = (e.get("plover") == ge["plover"] and evaluate.actor_country(e.get("source")) in sources
                         and (not targets or evaluate.actor_country(e.get("target")) in targets))
            out.append({**e, "label": int(label), "gold_id": g["id"]})
    return out


# --------------------------------------------------------------------------- selection and scoring


def select_events(candidates: list[dict], confidences: list[float], threshold: float) -> list[dict]:
    """What a run at ``threshold`` would output (scorer.best_readings, the rule coding applies)."""
    scored = [{**c, "confidence": p} for c, p in zip(candidates, confidences)]
    return best_readings(
        scored, group=lambda c: c["group"], reading=lambda c: c["reading"], confidence=lambda c: c["confidence"],
        key=lambda c: (c["doc_id"], c["sentence_index"], (c["source"] or {}).get("code"),
                       tuple(c["evidence"]["source_span"] or ()), (c["target"] or {}).get("code"), c["cameo"]),
        min_confidence=threshold)


def score_set(gold_set: GoldSet, events: list[dict]) -> dict[str, Any]:
    """The set's headline figures (goldsets.headline) for these predicted events, with the event count."""
    scores = goldsets.score(gold_set, events)
    out = goldsets.headline(gold_set.kind, scores)
    out.pop("extra")
    if gold_set.kind == "plover":
        out["full_recall"] = scores["plover_full_recall"]
    out["predicted"] = scores.get("pred_events", len(events))
    return out


# --------------------------------------------------------------------------- model


@dataclass
class Model:
    """A fitted logistic regression as plain weights (what events.scorer applies)."""
    weights: dict[str, float]
    intercept: float

    def predict(self, features: list[dict[str, float]]) -> list[float]:
        import math
        out = []
        for f in features:
            z = self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in f.items())
            out.append(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))
        return out


def fit(features: list[dict[str, float]], labels: list[int], *, C: float = 1.0,
        weights: Optional[list[float]] = None) -> Model:
    """L2-regularised logistic regression (scikit-learn); features seen fewer than twice are dropped."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts: dict[str, int] = defaultdict(int)
    for f in features:
        for k in f:
            counts[k] += 1
    kept = [{k: v for k, v in f.items() if counts[k] >= 2 and k != "bias"} for f in features]
    vectorizer = DictVectorizer()
    X = vectorizer.fit_transform(kept)
    clf = LogisticRegression(C=C, max_iter=5000)
    clf.fit(X, labels, sample_weight=weights)
    names = vectorizer.get_feature_names_out()
    return Model({str(n): round(float(w), 5) for n, w in zip(names, clf.coef_[0]) if abs(w) > 1e-6},
                 round(float(clf.intercept_[0]), 5))


def cross_validate(candidates: list[dict], groups: list[str], *, folds: int = 5, C: float = 1.0,
                   weight_of: Callable[[dict], float] = lambda c: 1.0, seed: int = 0) -> list[float]:
    """Out-of-fold confidences: each candidate scored by a model that never saw its document."""
    import random

    docs = sorted(set(groups))
    random.Random(seed).shuffle(docs)
    fold_of = {d: i % folds for i, d in enumerate(docs)}
    out = [0.0] * len(candidates)
    for k in range(folds):
        train = [i for i, g in enumerate(groups) if fold_of[g] != k]
        test = [i for i, g in enumerate(groups) if fold_of[g] == k]
        if not test:
            continue
        model = fit([candidates[i]["features"] for i in train], [candidates[i]["label"] for i in train], C=C,
                    weights=[weight_of(candidates[i]) for i in train])
        for i, p in zip(test, model.predict([candidates[i]["features"] for i in test])):
            out[i] = p
    return out
