"""The learned scorer: a confidence (0-1) for every candidate event, and the best reading of each trigger.

The model is a logistic regression over the features of events.features, stored as a readable JSON file
of weights (``eventwire/data/candidate_scorer.json``): the feature names with their weights, the
intercept, the default threshold and the cross-validated figures it was chosen with.
``scripts/train_scorer.py`` rebuilds it from the gold sets; applying it needs no machine-learning library.

Selection: the candidates of one trigger compete (`Candidate.group`); the reading whose best event has
the highest confidence wins, and its events at or above ``min_confidence`` are kept.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Hashable, Iterable, Optional, TypeVar

from ..records import Event
from .candidates import Candidate
from .features import candidate_features

T = TypeVar("T")
MODEL_FILE = "candidate_scorer.json"
MODEL_FORMAT = "eventwire-candidate-scorer/1"


class ScorerModelError(ValueError):
    """The scorer's weights file is missing fields or has another format."""


class CandidateScorer:
    def __init__(self, weights: dict[str, float], intercept: float, threshold: float, meta: dict | None = None):
        self.weights = weights
        self.intercept = intercept
        self.threshold = threshold
        self.meta = meta or {}

    @classmethod
    def load(cls, path: str | Path) -> "CandidateScorer":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")), origin=str(path))

    @classmethod
    def from_dict(cls, data: dict, origin: str = "model") -> "CandidateScorer":
        if data.get("format") != MODEL_FORMAT:
            raise ScorerModelError(f"{origin}: not an eventwire scorer model (format {data.get('format')!r}, "
                                   f"expected {MODEL_FORMAT!r})")
        try:
            return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data["intercept"]),
                       float(data["threshold"]), data)
        except (KeyError, TypeError, ValueError) as exc:
            raise ScorerModelError(f"{origin}: malformed scorer model ({exc})") from exc

    def to_dict(self) -> dict:
        return {**self.meta, "format": MODEL_FORMAT, "intercept": self.intercept, "threshold": self.threshold,
                "weights": self.weights}

    def confidence(self, features: dict[str, float]) -> float:
        z = self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def explain(self, features: dict[str, float], top: int = 8) -> list[tuple[str, float]]:
        """The features that moved this candidate's confidence most, with their contributions."""
        parts = [(name, self.weights.get(name, 0.0) * value) for name, value in features.items()]
        return sorted((p for p in parts if p[1]), key=lambda p: -abs(p[1]))[:top]


@lru_cache(maxsize=1)
def packaged_scorer() -> Optional[CandidateScorer]:
    """The scorer shipped in the package, or None if the package has none (then readings are chosen by rule)."""
    ref = resources.files("eventwire.data").joinpath(MODEL_FILE)
    if not ref.is_file():
        return None
    return CandidateScorer.from_dict(json.loads(ref.read_text("utf-8")), origin=MODEL_FILE)


def best_readings(items: Iterable[T], *, group: Callable[[T], Hashable], reading: Callable[[T], Hashable],
                  confidence: Callable[[T], float], key: Callable[[T], Hashable],
                  min_confidence: Optional[float]) -> list[T]:
    """The selection rule, on any kind of item (candidates here, candidate dicts in events.training): per
    group, the reading whose best item is most confident wins; its items at or above ``min_confidence``
    are kept, one per ``key`` (the most confident)."""
    items = list(items)
    best: dict[Hashable, dict[Hashable, float]] = defaultdict(dict)
    for item in items:
        readings = best[group(item)]
        readings[reading(item)] = max(readings.get(reading(item), 0.0), confidence(item))
    top = {g: max(r, key=r.get) for g, r in best.items()}
    kept: dict[Hashable, T] = {}
    for item in items:
        p = confidence(item)
        if reading(item) != top[group(item)] or (min_confidence is not None and p < min_confidence):
            continue
        k = key(item)
        if k not in kept or p > confidence(kept[k]):
            kept[k] = item
    return list(kept.values())


def select(candidates: Iterable[Candidate], scorer: Optional[CandidateScorer],
           min_confidence: Optional[float] = None) -> list[Event]:
    """Score candidates and keep the best reading of each trigger.

    With no scorer, the first reading of each trigger is kept (the argument rules' own choice) and
    confidences stay None. ``min_confidence`` defaults to the scorer's threshold."""
    candidates = list(candidates)
    if scorer is None:  # the rules' own reading: the first one proposed for each trigger
        first: dict[tuple, tuple] = {}
        for c in candidates:
            first.setdefault(c.group, c.reading)
        chosen = best_readings(candidates, group=lambda c: c.group, reading=lambda c: c.reading,
                               confidence=lambda c: float(c.reading == first[c.group]), key=_event_key,
                               min_confidence=1.0)
    else:
        if min_confidence is None:
            min_confidence = scorer.threshold
        for c in candidates:
            c.event.confidence = round(scorer.confidence(candidate_features(c)), 4)
        chosen = best_readings(candidates, group=lambda c: c.group, reading=lambda c: c.reading,
                               confidence=lambda c: c.event.confidence, key=_event_key,
                               min_confidence=min_confidence)
    return sorted((c.event for c in chosen), key=lambda e: (e.sentence_index, e.trigger_span or (0, 0)))


def _event_key(c: Candidate) -> tuple:
    e = c.event
    return (e.source.code, e.source.span, e.target.code if e.target else None, e.cameo)
