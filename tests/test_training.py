"""events.training and goldsets: annotations joined with their corpus, candidate labels, the selection
used for cross-validated figures, folds by document, and the annotation files themselves."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventwire.evaluation import goldsets
from eventwire.events import training

REPO = Path(__file__).resolve().parents[1]
ANNOTATIONS = REPO / "training" / "guardian"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "data" / "corpora" / "guardian_sample.csv"
OPEN_ROWS = SHARED / "data" / "gold" / "guardian_open_rows.txt"
DEV_GOLD = SHARED / "data" / "gold" / "dev" / "guardian_sentences.jsonl"

ROWS = [{"date": "2019-02-17 00:00", "text": "Turkey shelled Afrin. The weather was mild."},
        {"date": "2019-03-01", "text": "Russia accused Britain of lying."}]


def candidate(doc_id, sentence, source, target, cameo, group, reading, label=0, span=(0, 1)):
    return {"doc_id": doc_id, "sentence_index": 0, "sentence": sentence, "cameo": cameo,
            "source": {"code": source, "country": source[:3]}, "target": target and {"code": target, "country": target[:3]},
            "evidence": {"source_span": list(span)}, "group": group, "reading": reading, "label": label,
            "negated": False, "hypothetical": False}


def test_annotations_join_the_corpus_text_by_offsets():
    gold = training.join_annotations([{"row": 0, "start": 0, "end": 20, "events": []},
                                      {"row": 1, "start": 0, "end": 32, "events": [{"root": ["11"]}]}], ROWS)
    assert [g["text"] for g in gold] == ["Turkey shelled Afrin", "Russia accused Britain of lying."]
    assert gold[0]["date"] == "2019-02-17"
    assert gold[1]["id"] == "ga-1-0" and gold[1]["row"] == 1
    with pytest.raises(ValueError, match="covers no text"):
        training.join_annotations([{"row": 0, "start": 21, "end": 22, "events": []}], ROWS)


def test_sentence_candidates_are_labelled_by_the_gold_alternatives():
    gold = goldsets.sentence_set("g", [
        {"id": "a", "row": 0, "text": "Turkey shelled Afrin.",
         "events": [{"source": ["TUR"], "target": ["SYR", "---"], "root": ["19"], "factual": True}]},
        {"id": "b", "row": 0, "text": "The weather was mild.", "events": []},
    ], ROWS)
    assert [d.id for d in gold.documents] == ["row-0"]
    events = [candidate("row-0", "Turkey shelled Afrin.", "TUR", "SYR", "195", "g1", "parse"),
              candidate("row-0", "Turkey shelled Afrin.", "TURMIL", None, "195", "g1", "none"),
              candidate("row-0", "The weather was mild.", "TUR", None, "190", "g2", "parse"),
              candidate("row-0", "A sentence nobody annotated.", "TUR", None, "190", "g3", "parse")]
    labelled = training.label_candidates(gold, events)
    assert [(c["gold_id"], c["label"]) for c in labelled] == [("a", 1), ("a", 0), ("b", 0)]


def test_selection_for_figures_is_the_runtime_rule():
    cands = [candidate("d", "s", "TUR", "SYR", "190", "g1", "parse"),
             candidate("d", "s", "TUR", "USA", "190", "g1", "sentence", span=(3, 4)),
             candidate("d", "s", "RUS", None, "111", "g2", "parse")]
    kept = training.select_events(cands, [0.4, 0.6, 0.2], threshold=0.3)
    assert [(c["target"] or {}).get("code") for c in kept] == ["USA"]
    assert kept[0]["confidence"] == 0.6


def test_folds_never_train_on_the_document_they_score(monkeypatch):
    seen_train: list[set] = []

    class Recorder:
        def __init__(self, docs):
            self.docs = docs

        def predict(self, features):
            return [0.5] * len(features)

    def fake_fit(features, labels, C=1.0, weights=None):
        docs = {f["doc"] for f in features}
        seen_train.append(docs)
        return Recorder(docs)

    monkeypatch.setattr(training, "fit", fake_fit)
    cands = [{"features": {"doc": f"d{i % 7}"}, "label": i % 2} for i in range(70)]
    groups = [c["features"]["doc"] for c in cands]
    out = training.cross_validate(cands, groups, folds=5)
    assert len(out) == 70 and len(seen_train) == 5
    all_docs = set(groups)
    for train_docs in seen_train:  # each fold's test documents are exactly the ones it did not train on
        assert train_docs < all_docs


def test_fit_gives_plain_weights_that_predict_like_the_scorer():
    pytest.importorskip("sklearn", reason="training needs scikit-learn: pip install 'eventwire[train]'")
    from eventwire.events.scorer import CandidateScorer, MODEL_FORMAT

    features = [{"bias": 1.0, "good": 1.0}] * 20 + [{"bias": 1.0, "bad": 1.0}] * 20
    labels = [1] * 18 + [0] * 2 + [0] * 18 + [1] * 2
    model = training.fit(features, labels, C=1.0)
    assert model.weights["good"] > 0 > model.weights["bad"]
    scorer = CandidateScorer.from_dict({"format": MODEL_FORMAT, "weights": model.weights,
                                        "intercept": model.intercept, "threshold": 0.5})
    assert scorer.confidence({"good": 1.0}) == pytest.approx(model.predict([{"good": 1.0}])[0])


def test_gold_kinds_and_headlines():
    assert goldsets.gold_kind([{"id": "1", "origin": "PETR2_GSR", "text": "x", "events": []}]) == "petr"
    assert goldsets.gold_kind([{"id": "1", "origin": "PLOVER_GSR", "text": "x", "events": []}]) == "plover"
    assert goldsets.gold_kind([{"id": "1", "row": 3, "text": "x", "events": []}]) == "sentences"
    assert goldsets.gold_kind([{"text": "Putin", "country": "RUS"}]) == "actors"
    with pytest.raises(goldsets.GoldSetError):
        goldsets.gold_kind([{"id": "1", "origin": "OTHER", "text": "x", "events": []}])
    for kind, scores in (("sentences", {"sent_precision": 0.5, "sent_recall": 0.25, "sent_f1": 0.333,
                                        "detect_f1": 0.6, "root_recall": 0.4}),
                         ("petr", {"dyad_root_p": 0.5, "dyad_root_r": 0.5, "dyad_root_f1": 0.5, "dyad_code_f1": 0.3}),
                         ("plover", {"plover_type_recall": 0.7, "plover_full_recall": 0.3, "events_per_record": 1.2})):
        assert set(goldsets.headline(kind, scores)) == {"precision", "recall", "f1", "extra"}


def test_a_sentence_gold_without_its_corpus_is_a_clear_error(tmp_path):
    gold = tmp_path / "sentences.jsonl"
    gold.write_text(json.dumps({"id": "a", "row": 0, "text": "x", "events": []}) + "\n")
    with pytest.raises(goldsets.GoldSetError, match="--corpus"):
        goldsets.load_gold_set(gold)
    corpus = tmp_path / "corpus.csv"
    corpus.write_text("date,text\n2019-01-01,Turkey shelled Afrin.\n")
    assert goldsets.load_gold_set(gold, corpus=corpus).documents[0].text == "Turkey shelled Afrin."


# --------------------------------------------------------------------------- the annotation files


def annotation_records():
    return [(p.name, json.loads(line)) for p in sorted(ANNOTATIONS.glob("batch-*.jsonl"))
            for line in p.read_text().splitlines() if line.strip()]


def test_annotation_files_hold_offsets_and_events_but_no_text():
    records = annotation_records()
    assert len(records) >= 900
    for name, r in records:
        assert set(r) == {"row", "start", "end", "events"}, (name, r)
        assert 0 <= r["start"] < r["end"]
        for ev in r["events"]:
            assert set(ev) == {"source", "target", "root", "plover", "factual", "note"}, (name, ev)
            assert ev["root"] and all(len(x) == 2 and x.isdigit() for x in ev["root"])
            assert len(ev["note"].split()) <= 16


@pytest.mark.skipif(not CORPUS.exists(), reason=f"{CORPUS} is absent (../shared is only beside a development checkout)")
def test_annotations_come_from_open_rows_only_and_never_from_dev_rows():
    open_rows = {int(x) for x in OPEN_ROWS.read_text().split() if x.isdigit()}
    dev_rows = {json.loads(line)["row"] for line in DEV_GOLD.read_text().splitlines() if line.strip()}
    rows = goldsets.read_corpus_rows(CORPUS)
    for name, r in annotation_records():
        assert r["row"] in open_rows and r["row"] not in dev_rows, (name, r["row"])
        assert rows[r["row"]]["text"][r["start"]:r["end"]].strip()
