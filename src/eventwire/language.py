"""Language identification, so that only English documents reach the (English) coder.

Uses py3langid (langid.py's naive Bayes model over byte n-grams; the model ships inside the wheel,
so nothing is downloaded). It is deterministic and cheap: about 0.1 ms on the ~1000 characters
looked at, against tens of milliseconds to parse a document.

Only a confident verdict skips a document: texts that are too short to tell (fewer than
`MIN_WORDS` words) and texts whose best guess is unsure are kept, since coding an odd document
costs little and losing an English one costs an event.
"""
from __future__ import annotations

import functools
from typing import Optional

from eventwire.records import Document

MIN_WORDS = 20  # shorter texts are not checked: a headline or two can look like anything
SAMPLE_CHARS = 1000  # the start of a document is enough to tell its language
MIN_CONFIDENCE = 0.9  # below this the guess is not trusted and the document is kept
CODED_LANGUAGES = frozenset({"en"})


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> Optional[tuple[str, float]]:
    """(ISO 639-1 code, probability) for the start of `text`, or None if it is too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.split(None, MIN_WORDS)) < MIN_WORDS:  # split stops early: cheap on long texts
        return None
    lang, prob = _identifier().classify(sample)
    return str(lang), float(prob)


def language_problem(doc: Document) -> Optional[str]:
    """A skip reason such as ``not English (detected: fr)`` if the document is confidently not English."""
    found = detect_language(doc.full_text)
    if found is None:
        return None
    lang, prob = found
    if lang in CODED_LANGUAGES or prob < MIN_CONFIDENCE:
        return None
    return f"not English (detected: {lang})"
