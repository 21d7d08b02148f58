"""Language identification, so that only English documents reach the (English) coder.

Two checks, both deterministic and cheap (well under a millisecond on the ~1000 characters looked at):

1. Script. English is written in Latin letters, so a text whose letters are mostly in another script
   (Han, Arabic, Cyrillic, ...) is not English, however short, even with Latin names in it. Word counts
   can't be used for this: Chinese and Japanese don't put spaces between words. A CJK character counts
   as `CJK_WEIGHT` Latin letters (it carries about a short word); the text is judged not English when
   such letters make up at least `NON_LATIN_SHARE` of the weighted letters, and there are at least
   `MIN_SCRIPT_LETTERS` of them.
2. Language, for Latin-script text: py3langid (langid.py's naive Bayes model over byte n-grams; the
   model ships inside the wheel, so nothing is downloaded). Only a confident verdict skips a
   document: texts that are too short to tell (fewer than `MIN_WORDS` words) and texts whose best
   guess is unsure are kept, since coding an odd document costs little and losing an English one
   costs an event.

The reason names the language: for Han, kana and Hangul the script tells it (zh, ja, ko; py3langid
would sometimes name a Chinese variety such as wuu); otherwise py3langid's most likely guess.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from typing import Optional

from eventwire.records import Document

MIN_WORDS = 20  # shorter texts are not checked: a headline or two can look like anything
SAMPLE_CHARS = 1000  # the start of a document is enough to tell its language
MIN_CONFIDENCE = 0.9  # below this the guess is not trusted and the document is kept
CODED_LANGUAGES = frozenset({"en"})
NON_LATIN_SHARE = 1 / 3  # of the (weighted) letters in a script other than Latin: not English
MIN_SCRIPT_LETTERS = 5  # fewer letters than this in another script are a name or two, not a text
CJK_WEIGHT = 3  # a Han, kana or Hangul character carries about as much as three Latin letters


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
    sample = doc.full_text[:SAMPLE_CHARS]
    script = other_script(sample)
    if script in _CJK:  # the script says which: kana is Japanese, Hangul Korean, Han alone Chinese
        lang = "ja" if _KANA.search(sample) else {"Hangul": "ko"}.get(script, "zh")
        return f"not English (detected: {lang})"
    if script:
        lang, _ = _identifier().classify(sample)
        return f"not English (detected: {lang if lang not in CODED_LANGUAGES | {'zxx'} else script})"
    found = detect_language(sample)
    if found is None:
        return None
    lang, prob = found
    if lang in CODED_LANGUAGES or prob < MIN_CONFIDENCE:
        return None
    return f"not English (detected: {lang})"


def other_script(text: str) -> Optional[str]:
    """The main script of `text` (e.g. "Han", "Arabic") if it is mostly written in one other than Latin."""
    latin = len(_ASCII_LETTERS.findall(text))
    others: Counter = Counter()
    for ch in _NON_ASCII_LETTER.findall(text):
        script = _script(ch)
        if script == "Latin":
            latin += 1
        elif script:
            others[script] += CJK_WEIGHT if script in _CJK else 1
    if not others:
        return None
    script = others.most_common(1)[0][0]
    total = sum(others.values())
    letters = sum(n // CJK_WEIGHT if s in _CJK else n for s, n in others.items())
    if letters < MIN_SCRIPT_LETTERS or total < NON_LATIN_SHARE * (total + latin):
        return None
    return script


def _script(ch: str) -> Optional[str]:
    """The script of a letter from its Unicode name ("ARABIC LETTER ALEF" -> "Arabic"), None if not a letter."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for prefix, script in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return script
    return name.split(" ", 1)[0].title() or None


_ASCII_LETTERS = re.compile(r"[A-Za-z]")
_NON_ASCII_LETTER = re.compile(r"[^\x00-\x7f]")
_SCRIPT_PREFIXES = (("LATIN", "Latin"), ("FULLWIDTH LATIN", "Latin"), ("CJK", "Han"), ("HIRAGANA", "Kana"),
                    ("KATAKANA", "Kana"), ("HALFWIDTH KATAKANA", "Kana"), ("HANGUL", "Hangul"))
_CJK = frozenset({"Han", "Kana", "Hangul"})
_KANA = re.compile(r"[\u3040-\u30ff]")
