"""events.candidates, events.features and events.scorer: several readings per trigger, the learned
confidence, the selection of one reading per trigger, and confidence in the store, CLI and API."""
from __future__ import annotations

import json
import math

import pytest

from eventwire.events import features as feats
from eventwire.events.extractor import DocumentContext, EventExtractor
from eventwire.events.scorer import (
    MODEL_FORMAT,
    CandidateScorer,
    ScorerModelError,
    best_readings,
    packaged_scorer,
)

# --------------------------------------------------------------------------- the model file


def model(weights, intercept=0.0, threshold=0.5):
    return {"format": MODEL_FORMAT, "weights": weights, "intercept": intercept, "threshold": threshold}


def test_confidence_is_the_logistic_of_the_weighted_features():
    scorer = CandidateScorer.from_dict(model({"root=19": 1.5, "negated": -2.0}, intercept=-0.5))
    assert scorer.confidence({"root=19": 1.0}) == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert scorer.confidence({"root=19": 1.0, "negated": 1.0}) == pytest.approx(1 / (1 + math.exp(1.0)))
    assert scorer.confidence({"unknown feature": 1.0}) == pytest.approx(1 / (1 + math.exp(0.5)))
    assert [name for name, _ in scorer.explain({"root=19": 1.0, "negated": 1.0})] == ["negated", "root=19"]


def test_a_file_of_another_format_is_refused_with_its_name(tmp_path):
    path = tmp_path / "weights.json"
    path.write_text(json.dumps({"format": "something/else", "weights": {}}))
    with pytest.raises(ScorerModelError, match="weights.json"):
        CandidateScorer.load(path)
    with pytest.raises(ScorerModelError, match="malformed"):
        CandidateScorer.from_dict({"format": MODEL_FORMAT, "weights": {"a": "x"}, "intercept": 0, "threshold": 0.5})


def test_the_packaged_model_is_readable_and_documents_its_figures():
    scorer = packaged_scorer()
    assert scorer is not None, "the package ships src/eventwire/data/candidate_scorer.json"
    assert 0 < scorer.threshold < 1
    assert scorer.weights and all(isinstance(v, float) for v in scorer.weights.values())
    meta = scorer.meta
    # Cross-validated figures are stored next to training-set ones, for every set it was trained on.
    assert set(meta["cross_validated"]) == set(meta["training_set"]) >= {"guardian_dev", "guardian_extra"}
    assert meta["folds"] >= 2 and "train_scorer.py" in meta["description"]


# --------------------------------------------------------------------------- selection


def test_best_readings_keeps_the_most_confident_reading_of_each_group():
    items = [  # (group, reading, confidence, key)
        ("t1", "parse", 0.6, "a"), ("t1", "parse", 0.55, "b"),  # one reading with two events (two sources)
        ("t1", "sentence", 0.7, "c"),  # a rival reading of the same trigger wins
        ("t2", "parse", 0.4, "d"), ("t2", "none", 0.3, "e"),
        ("t3", "parse", 0.9, "f"), ("t3", "parse", 0.95, "f"),  # the same event twice: one kept
    ]
    kept = best_readings(items, group=lambda i: i[0], reading=lambda i: i[1], confidence=lambda i: i[2],
                         key=lambda i: i[3], min_confidence=0.5)
    assert sorted((i[3], i[2]) for i in kept) == [("c", 0.7), ("f", 0.95)]
    everything = best_readings(items, group=lambda i: i[0], reading=lambda i: i[1], confidence=lambda i: i[2],
                               key=lambda i: i[3], min_confidence=None)
    assert sorted(i[3] for i in everything) == ["c", "d", "f"]


# --------------------------------------------------------------------------- candidates from sentences


@pytest.fixture(scope="module")
def nlp():
    from eventwire.pipeline import build_nlp

    return build_nlp()


def candidates(nlp, text, **kw):
    extractor = EventExtractor(collect=True, **kw)
    doc = nlp(text)
    context = DocumentContext()
    out = []
    for i, sent in enumerate(doc.sents):
        out += extractor.candidates(sent, "t", i, context)
    return out


def readings(cands):
    return {(c.event.source.code, c.event.target.code if c.event.target else None, c.target_reading)
            for c in cands}


@pytest.mark.slow
def test_an_actor_inside_the_trigger_phrase_is_a_reading(nlp):
    found = readings(candidates(nlp, "Russia demanded concrete steps against the rebels in Idlib."))
    assert ("RUS", "SYR", "subtree") in found  # "demanded steps against ... in Idlib"
    assert ("RUS", None, "none") in found or any(r[2] == "none" for r in found)


@pytest.mark.slow
def test_a_venue_is_its_own_reading_not_the_target(nlp):
    cands = candidates(nlp, "NATO defence ministers met in Brussels on Thursday.")
    parse = [c for c in cands if c.source_reading == "parse" and c.target_reading not in ("venue", "sentence")]
    assert all(c.event.target is None or c.event.target.country != "BEL" for c in parse)
    assert any(c.target_reading == "venue" and c.event.target.country == "BEL" for c in cands)


@pytest.mark.slow
def test_an_actor_is_never_its_own_target(nlp):
    for c in candidates(nlp, "Turkey said Ankara would close its border with Syria, and Turkish troops attacked Turkey."):
        if c.event.target is not None:
            assert c.event.source.code != c.event.target.code


@pytest.mark.slow
def test_event_nouns_are_triggers_with_their_own_doer_and_receiver(nlp):
    cands = candidates(nlp, "Erdogan spoke as a Turkish military assault on the town of Afrin in Syria continued.")
    assault = [c for c in cands if c.trigger.lower_ == "assault"]
    assert assault and all(c.event.source.country == "TUR" for c in assault)
    assert any(c.event.target is not None and c.event.target.country == "SYR" for c in assault)


@pytest.mark.slow
def test_a_local_institution_takes_the_country_it_is_in(nlp):
    cands = candidates(nlp, "A court in Guyana jailed two opposition activists.", scorer=None)
    assert {c.event.source.code for c in cands} == {"GUYJUD"}


@pytest.mark.slow
def test_features_describe_grammar_resolution_and_modality(nlp):
    cands = candidates(nlp, "Officials said Russia would not attack Ukraine.")
    c = next(c for c in cands if c.event.target is not None and c.event.target.country == "UKR")
    f = feats.candidate_features(c)
    assert f["bias"] == 1.0 and f[f"root={c.event.cameo[:2]}"] == 1.0
    assert f["source_origin=country"] == 1.0 and f["target_origin=country"] == 1.0
    assert f["two_countries"] == 1.0 and "same_country" not in f
    assert any(name.startswith("clause=") for name in f) and any(name.startswith("source_path=") for name in f)


@pytest.mark.slow
def test_dependency_paths_and_clause_types(nlp):
    doc = nlp("Russia said that Iran attacked the convoy that Iraq sent.")
    attacked = next(t for t in doc if t.lower_ == "attacked")
    sent = next(t for t in doc if t.lower_ == "sent")
    iran = next(t for t in doc if t.lower_ == "iran")
    assert feats.clause_type(attacked) == "reported"
    assert feats.clause_type(sent) == "relative"
    assert feats.dependency_path(attacked, iran) == "nsubj"
    assert feats.dependency_path(sent, iran).startswith("^")


@pytest.mark.slow
def test_min_confidence_zero_keeps_at_least_what_the_default_keeps(nlp):
    import eventwire

    text = "Chile recalled its ambassador to Peru. Peru expelled two Chilean diplomats on Friday."
    default = eventwire.code(text)
    everything = eventwire.code(text, min_confidence=0)
    assert {e.event_id for e in default} <= {e.event_id for e in everything}
    assert all(e.confidence is not None and 0 <= e.confidence <= 1 for e in everything)
    assert all(e.confidence >= packaged_scorer().threshold for e in default)


# --------------------------------------------------------------------------- confidence downstream


def test_confidence_is_stored_filtered_and_survives_old_stores(tmp_path):
    from eventwire.records import Actor, Document, Event
    from eventwire.store import EventStore

    doc = Document(id="d", text="Chile recalled its ambassador. Peru protested.")
    sentences = [(0, 30, "Chile recalled its ambassador."), (31, 46, "Peru protested.")]

    def event(i, conf):
        return Event(doc_id="d", sentence_index=i, sentence=sentences[i][2], cameo="161", trigger="x", rule="r",
                     source=Actor("Chile", "CHL", "CHL", span=(0, 5)), target=None, confidence=conf,
                     sentence_start=sentences[i][0])

    path = tmp_path / "s.duckdb"
    with EventStore(path) as store:
        store.save_document(doc, sentences, [event(0, 0.9), event(1, 0.3)])
        assert sorted(e["confidence"] for e in store.events()) == [0.3, 0.9]
        assert [e["confidence"] for e in store.events(min_confidence=0.5)] == [0.9]
        store.con.execute("ALTER TABLE events DROP COLUMN confidence")  # as a store of schema version 2
        store.con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with EventStore(path) as store:  # reopened: the column is added back, old rows have no confidence
        assert [e["confidence"] for e in store.events(min_confidence=0.5)] == [None, None]


def test_plover_export_carries_confidence():
    from eventwire.export import plover_record

    row = {k: None for k in ("plover", "mode", "event_date", "date_end", "location_name", "location_country",
                             "context", "sentence", "cameo", "goldstein", "num_mentions", "num_sources",
                             "num_articles", "url", "title", "publication", "first_seen", "id")}
    row.update(plover="ACCUSE", confidence=0.81, source_code="RUS", source_text="Russia", source_country="RUS",
               source_sector=None, target_code=None, target_text=None, target_country=None, target_sector=None)
    assert plover_record(row)["confidence"] == 0.81
