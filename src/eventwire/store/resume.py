"""Idempotent, resumable coding runs: skip what the store already holds.

`EventStore.save_document` writes each document (its row, sentences and events) in one
transaction, so after a crash — even ``kill -9`` — every document is either fully stored or
absent. Running the same command again therefore only has to skip the documents already stored
with the same content (`Document.content_hash`) to end with exactly the tables an uninterrupted
run gives. That is `filter_already_coded`; `SkipLog` keeps the ``skipped`` table from growing a
second copy of each bad input on the rerun.

A document whose id is stored with *other* content is coded again (it was updated), replacing
the old version. Coding is keyed on content only: after changing the lexicons, the model or
``--factual-only``, re-code with ``--recode`` (i.e. don't filter) to refresh stored events.
Each run keeps its options in the store (`coding_options`, `EventStore.record_coding_options`), and
`options_change` says, before a run starts, when they differ from the ones the stored events were coded
with, so that a store does not silently mix two thresholds.
"""
from __future__ import annotations

import base64
import pickle
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional, TypeVar

from eventwire.records import Document, Skipped
from eventwire.store import EventStore

T = TypeVar("T")

# Options that change which events a document gets; the version is kept for the record only.
_COMPARED = ("threshold", "include_negated", "prefilter", "data_hash")


def coding_options(min_confidence: Optional[float], include_negated: bool, prefilter: bool) -> dict[str, Any]:
    """What a run codes with: the options it was given, the confidence threshold they come to (the
    packaged scorer's when min_confidence is None), and the provenance stamp."""
    from eventwire import provenance
    from eventwire.events.scorer import packaged_scorer

    scorer = packaged_scorer()
    threshold = min_confidence if min_confidence is not None else (scorer.threshold if scorer is not None else None)
    return {"min_confidence": min_confidence, "threshold": threshold, "include_negated": include_negated,
            "prefilter": prefilter, "version": provenance.version(), "data_hash": provenance.data_hash()}


def describe_options(options: dict[str, Any]) -> str:
    """E.g. ``--min-confidence 0.55, --include-negated, --prefilter (data 61e1e7caca36db70)``."""
    threshold = options.get("threshold")
    parts = [f"--min-confidence {threshold:g}" if threshold is not None else "no confidence threshold",
             "--include-negated" if options.get("include_negated", True) else "--factual-only",
             "--prefilter" if options.get("prefilter", True) else "--no-prefilter"]
    return ", ".join(parts) + f" (data {options.get('data_hash', '?')})"


def options_change(stored: Optional[dict[str, Any]], now: dict[str, Any]) -> Optional[str]:
    """A one-line warning when a run's options differ from those the stored events were coded with,
    or None when they agree (or nothing says how the store was coded)."""
    if stored is None or all(stored.get(k) == now.get(k) for k in _COMPARED):
        return None
    return (f"this store was coded with {describe_options(stored)}; this run uses {describe_options(now)}. "
            "Documents already stored keep their events: --recode codes them again with this run's options.")


@dataclass
class ResumeStats:
    """What the filter passed over, for the run summary."""
    already_coded: int = 0  # stored with the same content: not coded again
    changed: int = 0  # stored with other content: coded again, replacing the stored version

    def summary(self) -> str:
        """E.g. ``40 already coded, 2 changed since they were coded``; empty when there is nothing to say."""
        parts = []
        if self.already_coded:
            parts.append(f"{self.already_coded} already coded")
        if self.changed:
            parts.append(f"{self.changed} changed since they were coded")
        return ", ".join(parts)


def filter_already_coded(documents: Iterable[T], store: EventStore,
                         stats: Optional[ResumeStats] = None,
                         on_already_coded: Optional[Callable[[Document], None]] = None) -> Iterator[T]:
    """Yield the documents that still need coding; anything that is not a `Document` passes through.
    `on_already_coded` is called for each document passed over (the CLI prints its stored events).

    Lazy, one indexed look-up per document, so it works on a stream of any length and sees
    documents saved while it runs (the store must only be written from the same thread).
    """
    stats = stats if stats is not None else ResumeStats()
    # Ids stored with other content that this run has already sent to be coded. A later input
    # with the same id must then be coded too, even if the store (still) holds its content:
    # otherwise an input holding two versions of one id could end on the wrong one after a
    # restart. Only changed ids go here, so the set stays small.
    replaced: set[str] = set()
    for doc in documents:
        if not isinstance(doc, Document) or doc.id in replaced:
            yield doc
            continue
        stored = store.stored_hash(doc.id)  # one look-up: same content, other content, or not stored
        if stored == doc.content_hash:
            stats.already_coded += 1
            if on_already_coded is not None:
                on_already_coded(doc)
            continue
        if stored is not None:
            stats.changed += 1
            replaced.add(doc.id)
        yield doc


class SkipLog:
    """Saves each `Skipped` once: a rerun over the same inputs doesn't duplicate rows of ``skipped``.

    The rows already stored are read on the first call (the table holds one row per bad input,
    so this stays small next to the documents).
    """

    def __init__(self, store: EventStore):
        self._store = store
        self._seen: Optional[set[tuple]] = None

    def save(self, skipped: Skipped) -> bool:
        """Store `skipped` unless an identical one is stored already; True if it was stored."""
        if self._seen is None:
            rows = self._store.query("SELECT origin, doc_id, reason FROM skipped")
            self._seen = {(r["origin"], r["doc_id"], r["reason"]) for r in rows}
        key = (skipped.origin, skipped.doc_id, skipped.reason)
        if key in self._seen:
            return False
        self._store.save_skipped(skipped)
        self._seen.add(key)
        return True


# ---- runs interrupted and resumed ------------------------------------------------------------------
# A run codes with the actor memory as it was when the run started (a snapshot), so that the result does
# not depend on document order. A run that is killed and started again must code its remaining documents
# with that same snapshot, not with one that includes what the killed run learned: the snapshot is kept
# in the store's meta table until the run finishes.

RUN_SNAPSHOT_KEY = "unfinished_run_memory"


def start_run(store: EventStore, memory) -> Any:
    """The memory snapshot to code with: the one of an unfinished earlier run on this store if there is
    one (this run resumes it), else a new one, saved until `finish_run`."""
    from eventwire.corpus.dedupe import meta_value, set_meta_value

    saved = meta_value(store.con, RUN_SNAPSHOT_KEY)
    if saved:
        try:
            return pickle.loads(base64.b64decode(saved))
        except Exception:  # written by another version: start afresh
            pass
    snapshot = memory.snapshot()
    set_meta_value(store.con, RUN_SNAPSHOT_KEY, base64.b64encode(pickle.dumps(snapshot)).decode("ascii"))
    return snapshot


def finish_run(store: EventStore) -> None:
    store.con.execute("DELETE FROM meta WHERE key = ?", [RUN_SNAPSHOT_KEY])
