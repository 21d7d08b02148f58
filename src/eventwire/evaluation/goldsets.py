"""Gold sets: read one, build the documents to code from it, and give its headline figures.

Four kinds, told apart by their records (`gold_kind`):

- ``petr``: sentences with CAMEO (source, target, code) triples (petr2_gsr);
- ``plover``: sentences with one PLOVER event each (plover_gsr);
- ``sentences``: sentences of whole articles with alternatives (guardian_sentences, ANNOTATION.md). Each
  record names its article by ``row`` in a corpus CSV (guardian_sample.csv); the articles are coded
  whole, as a user codes them, and the events are matched to the gold sentences;
- ``actors``: actor descriptions with the expected country and sector (actor_cases).

`headline` gives every kind the same three numbers (precision, recall, F1; None where the kind has no
such number) so one table can compare them (``eventwire eval DIR``).
"""
from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from eventwire.evaluation import metrics as evaluate
from eventwire.ingest.documents import parse_date
from eventwire.records import Document

KINDS = ("petr", "plover", "sentences", "actors")


class GoldSetError(ValueError):
    """A gold file that cannot be used as asked (unknown format, a sentence gold without its corpus)."""


@dataclass
class GoldSet:
    name: str
    kind: str
    records: list[dict]
    documents: list[Document] = field(default_factory=list)  # what to code (none for actor gold)


def gold_kind(records: list[dict]) -> str:
    if evaluate.detect_gold_kind(records) == "actors":
        return "actors"
    if evaluate.is_sentence_gold(records):
        return "sentences"
    origins = {str(r.get("origin", ""))[:4] for r in records}
    if origins <= {"PETR"}:
        return "petr"
    if origins <= {"PLOV"}:
        return "plover"
    if origins <= {"PETR", "PLOV"}:
        return "petr"  # a mixed file: score_events reports both parts
    raise GoldSetError("event gold records need an origin starting with PETR or PLOVER, or a 'row' "
                       "(sentences of corpus articles)")


def read_corpus_rows(path: Path) -> list[dict]:
    """The data rows of a corpus CSV with a ``text`` column (guardian_sample.csv), in file order."""
    csv.field_size_limit(sys.maxsize)  # some articles are longer than the csv module's default cell limit
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def default_corpus(gold_path: Path) -> Optional[Path]:
    """Where the shared data layout keeps the articles a sentence gold draws on: data/corpora/ next to
    data/gold/."""
    for parent in gold_path.resolve().parents:
        candidate = parent / "corpora" / "guardian_sample.csv"
        if candidate.exists():
            return candidate
    return None


def load_gold_set(path: Path, corpus: Optional[Path] = None, name: Optional[str] = None) -> GoldSet:
    records = evaluate.load_gold(path)
    kind = gold_kind(records)
    name = name or path.stem
    if kind == "sentences":
        corpus = corpus or default_corpus(path)
        if corpus is None:
            raise GoldSetError(f"{path.name} holds sentences of corpus articles (records with 'row'): "
                               "give the corpus CSV with --corpus")
        return sentence_set(name, records, read_corpus_rows(corpus))
    if kind == "actors":
        return GoldSet(name, kind, records)
    return record_set(name, kind, records)


def sentence_set(name: str, records: list[dict], rows: list[dict]) -> GoldSet:
    """Sentence gold over whole articles: each article a record draws on is one document ``row-N``."""
    needed = sorted({r["row"] for r in records})
    missing = [i for i in needed if i >= len(rows)]
    if missing:
        raise GoldSetError(f"the corpus has {len(rows)} rows; the gold needs row(s) {missing[:5]}")
    documents = [Document(id=f"row-{i}", text=rows[i]["text"], date=parse_date((rows[i].get("date") or "")[:10]))
                 for i in needed]
    return GoldSet(name, "sentences", records, documents)


def record_set(name: str, kind: str, records: list[dict]) -> GoldSet:
    """petr2_gsr / plover_gsr: each record is its own one-sentence document."""
    documents = [Document(id=str(r["id"]), text=r["text"], date=parse_date(r.get("date"))) for r in records]
    return GoldSet(name, kind, records, documents)


def score(gold: GoldSet, predicted: list[dict]) -> dict[str, Any]:
    """The full figures of a set (the shared scorer's keys)."""
    if gold.kind == "sentences":
        return evaluate.score_sentences(gold.records, predicted)
    if gold.kind == "actors":
        return evaluate.score_actors(gold.records, predicted)
    return evaluate.score_events(gold.records, predicted).to_dict()


def headline(kind: str, scores: dict[str, Any]) -> dict[str, Any]:
    """precision, recall, f1 and the set's own extra figure, the same names for every kind."""
    if kind == "sentences":
        return {"precision": scores["sent_precision"], "recall": scores["sent_recall"], "f1": scores["sent_f1"],
                "extra": f"detection F1 {scores['detect_f1']}, root recall {scores['root_recall']}"}
    if kind == "actors":
        return {"precision": None, "recall": None, "f1": None,
                "extra": f"country accuracy {scores['country_acc_all']}, sector accuracy {scores['sector_acc']}"}
    if "dyad_root_f1" in scores:
        return {"precision": scores["dyad_root_p"], "recall": scores["dyad_root_r"], "f1": scores["dyad_root_f1"],
                "extra": f"exact-code F1 {scores['dyad_code_f1']}"}
    return {"precision": None, "recall": scores["plover_type_recall"], "f1": None,
            "extra": f"type+actors recall {scores['plover_full_recall']}, "
                     f"{scores['events_per_record']} events/record"}
