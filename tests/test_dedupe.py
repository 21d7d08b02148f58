"""Near-duplicate articles: MinHash signatures, LSH candidates in DuckDB, clusters, incremental updates.

Texts are generated from a made-up vocabulary, so the tests need no corpus and no spaCy.
"""
from __future__ import annotations

import datetime as dt
import random
import time

import numpy as np
import pytest

from eventwire.corpus import dedupe
from eventwire.records import Document
from eventwire.store import EventStore

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "gu", "be", "fi", "ho"]
VOCAB = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "n", "r")]


def paragraphs(seed: int, n: int = 5, words: int = 60) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(VOCAB, k=words)).capitalize() + "." for _ in range(n)]


def story(seed: int, n: int = 5) -> str:
    return "\n\n".join(paragraphs(seed, n))


def wire_copy(text: str, seed: int, edits: int = 8) -> str:
    """The same story as another outlet runs it: a few words changed, punctuation and case differ."""
    rng = random.Random(seed)
    words = text.split(" ")
    for _ in range(edits):
        words[rng.randrange(len(words))] = rng.choice(VOCAB)
    return " ".join(words).upper().replace(".", " -")


def add(store: EventStore, doc_id: str, text: str, day: int = 1, title: str = "A title") -> None:
    doc = Document(id=doc_id, text=text, title=title, date=dt.date(2024, 3, day), source="Outlet " + doc_id)
    store.save_document(doc, [], [])


def clusters(store: EventStore) -> dict[str, str]:
    return {r["doc_id"]: r["cluster_id"] for r in store.query("SELECT doc_id, cluster_id FROM document_clusters")}


def partition(mapping: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for doc, cluster in mapping.items():
        groups.setdefault(cluster, set()).add(doc)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture
def store():
    with EventStore(":memory:") as s:
        yield s


# -- signatures ---------------------------------------------------------------------------------------

def test_signature_is_deterministic_and_ignores_case_and_punctuation():
    text = story(1)
    a = dedupe.minhash(dedupe.shingle_hashes(dedupe.words(text)))
    b = dedupe.minhash(dedupe.shingle_hashes(dedupe.words(text.upper().replace(".", " ,"))))
    assert a.dtype == np.uint32 and a.shape == (dedupe.NUM_PERM,)
    assert np.array_equal(a, b)
    assert dedupe.minhash(dedupe.shingle_hashes([])) is None


def test_similarity_estimates_jaccard():
    base = paragraphs(2, 10)
    a = dedupe.fingerprint("a", " ".join(base))
    half = dedupe.fingerprint("b", " ".join(base[:5] + paragraphs(3, 5)))
    other = dedupe.fingerprint("c", story(4, 10))
    jac_half, _ = dedupe.similarity(a.signature, a.n_shingles, half.signature, half.n_shingles)
    jac_other, _ = dedupe.similarity(a.signature, a.n_shingles, other.signature, other.n_shingles)
    assert 0.2 < jac_half < 0.5  # true Jaccard ~ 1/3
    assert jac_other < 0.05


def test_containment_catches_a_short_first_version():
    full = paragraphs(5, 8)
    first = dedupe.fingerprint("first", " ".join(full[:2]))  # the breaking-news version: 2 paragraphs of 8
    final = dedupe.fingerprint("final", " ".join(full))
    jac, cont = dedupe.similarity(first.signature, first.n_shingles, final.signature, final.n_shingles)
    assert jac < dedupe.DEFAULT_THRESHOLD and cont > dedupe.DEFAULT_CONTAINMENT
    assert dedupe.is_near_duplicate(jac, cont, first.n_shingles, final.n_shingles)
    assert not dedupe.is_near_duplicate(jac, cont, 5, final.n_shingles)  # too short to judge


def test_band_buckets_are_equal_for_equal_signatures():
    sig = dedupe.fingerprint("a", story(6)).signature
    other = dedupe.fingerprint("b", story(7)).signature
    buckets = dedupe.band_buckets(np.stack([sig, sig, other]))
    assert buckets.shape == (3, dedupe.BANDS) and buckets.dtype == np.int64
    assert np.array_equal(buckets[0], buckets[1])
    assert not np.any(buckets[0] == buckets[2])


# -- clusters in the store ----------------------------------------------------------------------------

def test_wire_copies_and_updates_cluster_with_the_original(store):
    original = story(10)
    add(store, "orig", original, day=1)
    add(store, "copy", wire_copy(original, 1), day=2, title="Another headline")
    add(store, "update", original + "\n\n" + "\n\n".join(paragraphs(11, 2)), day=3)
    add(store, "brief", "\n\n".join(original.split("\n\n")[:2]), day=1)  # published first, shorter
    add(store, "other", story(12), day=1)
    add(store, "empty", "", day=1, title="")
    stats = store.update_duplicates()
    assert stats.indexed == 6
    got = clusters(store)
    assert partition(got) == {frozenset({"orig", "copy", "update", "brief"}), frozenset({"other"}),
                              frozenset({"empty"})}
    # The label is the earliest document: day 1, then doc_id ("brief" < "orig").
    assert got["copy"] == got["update"] == "brief"
    rows = {r["doc_id"]: r for r in store.query("SELECT * FROM document_clusters")}
    assert rows["copy"]["method"] == "minhash" and rows["copy"]["duplicate_of"] in {"orig", "brief"}
    assert rows["other"]["duplicate_of"] is None and rows["other"]["cluster_id"] == "other"
    assert stats.clusters == 3 and stats.duplicates == 3


def test_exact_copies_match_without_bands(store):
    text = story(20)
    for i in range(5):
        add(store, f"c{i}", text, day=1 + i)
    store.update_duplicates()
    assert set(clusters(store).values()) == {"c0"}
    banded = store.query("SELECT count(*) AS n FROM document_minhash WHERE banded")[0]["n"]
    assert banded == 1  # one banded copy; the others are found by their text hash
    methods = {r["method"] for r in store.query("SELECT method FROM document_clusters WHERE doc_id <> 'c0'")}
    assert methods == {"exact"}


def test_incremental_updates_give_the_same_clusters_as_a_rebuild(store):
    rng = random.Random(0)
    texts = {}
    for i in range(60):
        if i >= 10 and rng.random() < 0.4:
            source = rng.choice(sorted(texts))
            texts[f"d{i:02d}"] = wire_copy(texts[source], i) if rng.random() < 0.5 else texts[source] + " " + story(i, 1)
        else:
            texts[f"d{i:02d}"] = story(100 + i)
    ids = sorted(texts)
    for chunk in (ids[:25], ids[25:40], ids[40:]):
        for doc_id in chunk:
            add(store, doc_id, texts[doc_id], day=1 + int(doc_id[1:]) % 5)
        dedupe.update_clusters(store.con, batch_size=7)  # small batches: pairs inside and across batches
    incremental = clusters(store)
    assert len(set(incremental.values())) < len(incremental)  # there are duplicates to find
    store.update_duplicates(rebuild=True)
    assert clusters(store) == incremental  # same partition and same labels


def test_a_bridging_article_joins_two_clusters_under_the_earliest_label(store):
    p1, p2, p3 = (" ".join(paragraphs(seed, 3)) for seed in (31, 32, 33))
    add(store, "a", p1 + " " + p2, day=2)
    add(store, "b", p2 + " " + p3, day=1)
    store.update_duplicates()
    assert clusters(store) == {"a": "a", "b": "b"}  # Jaccard ~1/3: not near-duplicates of each other
    add(store, "c", p1 + " " + p2 + " " + p3, day=3)  # contains both
    store.update_duplicates()
    assert clusters(store) == {"a": "b", "b": "b", "c": "b"}


def test_recoded_document_with_new_content_is_reindexed(store):
    text = story(40)
    add(store, "a", text)
    add(store, "b", wire_copy(text, 2), day=2)
    store.update_duplicates()
    assert clusters(store)["b"] == "a"
    add(store, "b", story(41), day=2)  # re-coded: now a different story
    assert store.update_duplicates().indexed == 1
    assert clusters(store) == {"a": "a", "b": "b"}


def test_removed_banded_copy_hands_its_bands_to_another_copy(store):
    text = story(45)
    add(store, "a", text)
    add(store, "b", text, day=2)  # exact copy: not banded
    store.update_duplicates()
    add(store, "a", story(46))  # the banded one changes
    store.update_duplicates()
    add(store, "c", wire_copy(text, 3), day=3)  # still found through b
    store.update_duplicates()
    assert clusters(store)["c"] == "b"


def test_nothing_new_means_nothing_indexed(store):
    add(store, "a", story(50))
    assert store.update_duplicates().indexed == 1
    assert store.update_duplicates().indexed == 0


def test_threshold_is_remembered_and_a_change_rebuilds(store):
    text = story(60, 6)
    add(store, "a", text)
    add(store, "b", text + " " + story(61, 6), day=2)  # Jaccard ~0.5, containment 1
    store.update_duplicates()
    assert clusters(store)["b"] == "a"
    stats = dedupe.update_clusters(store.con, threshold=0.9, containment=0.99)
    assert stats.indexed == 2  # rebuilt under the new rule
    assert clusters(store)["b"] == "a"  # containment still 1
    dedupe.update_clusters(store.con, threshold=0.9, containment=1.5)  # containment can't be reached
    assert clusters(store)["b"] == "b"
    assert store.update_duplicates().indexed == 0  # None keeps the stored rule


def test_thousands_of_articles_index_quickly(store):
    rng = random.Random(1)
    base = [" ".join(rng.choices(VOCAB, k=300)) for _ in range(300)]
    texts = [base[i % 300] if i < 300 else wire_copy(base[i % 300], i, edits=5) for i in range(2000)]
    texts = [t if i < 300 or i % 3 else " ".join(rng.choices(VOCAB, k=300)) for i, t in enumerate(texts)]
    store.con.execute(
        "INSERT INTO documents (doc_id, text, content_hash) SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), 'h'",
        [[f"d{i:04d}" for i in range(len(texts))], texts],
    )
    started = time.perf_counter()
    stats = store.update_duplicates()
    elapsed = time.perf_counter() - started
    assert stats.indexed == 2000
    copies = sum(1 for i in range(300, 2000) if i % 3)
    assert stats.duplicates == copies
    assert elapsed < 20, f"indexing 2000 articles took {elapsed:.1f}s"  # ~1-4 s; generous for a busy CI
