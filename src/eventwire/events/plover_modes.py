"""PLOVER mode and context from the words of the event's sentence (the "plover_detail" stage).

The event coder gives each event the mode and context its CAMEO code implies (cameo_codes.tsv). This stage
reads the sentence for more direct evidence, with the keyword lists of ``data/plover_keywords.yaml``:

* **mode** ("how"): a keyword of one of the event type's modes, closest to the trigger first — on the trigger
  itself ("shelled": heavy-weapons), then in the trigger's clause ("killed ... with machetes": primitive), then
  anywhere in the sentence ("A roadside bombing ... killed": explosives). Text evidence replaces the mode the
  CAMEO code implies; without any, the event keeps it.
* **context** ("why"): every context whose keywords occur in the sentence, most specific first (cbrn and
  terrorism before military, diplomatic last), added after the contexts the CAMEO code implies; at most
  ``MAX_CONTEXTS`` in all, joined with ";" like `CameoCode.context`.

The keyword that decided is kept in ``Event.extra`` ("mode_rule", "context_rule").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional

import yaml
from spacy.tokens import Doc, Token

from eventwire import ontology
from eventwire.pipeline import trigger_token
from eventwire.records import Document, Event

MAX_CONTEXTS = 3
KEYWORD_CONTEXTS = 1  # at most this many contexts from keywords


@dataclass(frozen=True)
class _Pattern:
    label: str  # mode or context name
    regex: re.Pattern
    exclude: Optional[re.Pattern] = None


def _word_pattern(keyword: str) -> str:
    """A keyword as a regex: a single word also matches its inflections ("bomb" -> "bombs", "bombed",
    "bombing"; "rally" -> "rallies"); a phrase matches as written, with flexible spaces."""
    words = keyword.split()
    if len(words) > 1 or "-" in keyword or not keyword.isalpha():
        return r"\s+".join(re.escape(w) for w in words)
    w = re.escape(keyword)
    forms = ["s", "es", "d", "ed", "ing"] if not keyword.endswith("e") else ["s", "d"]
    if keyword[-1] not in "aeiouyws" and len(keyword) > 2 and keyword[-2] in "aeiou" and keyword[-3] not in "aeiou":
        forms += [keyword[-1] + "ed", keyword[-1] + "ing"]  # "stab" -> "stabbed", "stabbing"
    pattern = w + "(?:" + "|".join(forms) + ")?"
    if keyword.endswith("y") and len(keyword) > 2:
        pattern = f"(?:{pattern}|{re.escape(keyword[:-1])}(?:ies|ied))"
    return pattern


def _compile(keywords: list[str]) -> Optional[re.Pattern]:
    """One regex for a keyword list. Acronyms ("WHO", "IED", "ICC") match case-sensitively."""
    if not keywords:
        return None
    parts = []
    for kw in keywords:
        kw = str(kw).strip()
        if not kw:
            continue
        body = _word_pattern(kw)
        case_sensitive = sum(c.isupper() for c in kw) >= 2
        parts.append(body if case_sensitive else f"(?i:{body})")
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")


@dataclass
class KeywordTables:
    modes: dict[str, list[_Pattern]]  # PLOVER type -> patterns in priority order
    contexts: list[_Pattern]  # priority order


@lru_cache(maxsize=4)
def load_keywords(path: Optional[str] = None) -> KeywordTables:
    """The keyword tables (the built-in YAML, or ``path``), checked against the PLOVER vocabulary."""
    text = open(path, encoding="utf-8").read() if path else \
        resources.files("eventwire.data").joinpath("plover_keywords.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    known_types = set(ontology.plover_types())
    known_contexts = set(ontology.plover_contexts())
    modes: dict[str, list[_Pattern]] = {}
    for plover, table in (data.get("modes") or {}).items():
        if plover not in known_types:
            raise ValueError(f"plover_keywords: unknown PLOVER type {plover!r}")
        valid = set(ontology.plover_modes(plover))
        modes[plover] = []
        for mode, keywords in table.items():
            if mode not in valid:
                raise ValueError(f"plover_keywords: {mode!r} is not a mode of {plover} (modes: {sorted(valid)})")
            regex = _compile(keywords)
            if regex is not None:
                modes[plover].append(_Pattern(mode, regex))
    contexts = []
    for context, entry in (data.get("contexts") or {}).items():
        if context not in known_contexts:
            raise ValueError(f"plover_keywords: unknown context {context!r}")
        regex = _compile(entry.get("words") or [])
        if regex is not None:
            contexts.append(_Pattern(context, regex, _compile(entry.get("not") or [])))
    return KeywordTables(modes, contexts)


def _matches(pattern: _Pattern, text: str) -> list[tuple[int, int, str]]:
    excluded = [m.span() for m in pattern.exclude.finditer(text)] if pattern.exclude else []
    out = []
    for m in pattern.regex.finditer(text):
        if any(a <= m.start() < b for a, b in excluded):
            continue
        out.append((m.start(), m.end(), m.group(0)))
    return out


class _SentenceHits:
    """`_matches` of a pattern in an event's sentence, worked out once per sentence and pattern within a
    document (a sentence with several events is read once, not once per event)."""

    def __init__(self) -> None:
        self._memo: dict[tuple[int, int, str], list[tuple[int, int, str]]] = {}

    def __call__(self, pattern: _Pattern, event: Event) -> list[tuple[int, int, str]]:
        key = (id(pattern), event.sentence_start, event.sentence)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = _matches(pattern, event.sentence)
        return found


class PloverDetailStage:
    """Fill PLOVER mode and context from keywords in the event's sentence."""

    name = "plover_detail"

    def __init__(self, keywords: KeywordTables | None = None):
        self.keywords = keywords or load_keywords()

    def __call__(self, parsed: Doc, document: Document, events: list[Event]) -> None:
        hits = _SentenceHits()  # the events of one sentence share its keyword matches
        for event in events:
            if not event.plover:
                continue
            tok = trigger_token(parsed, event)
            self._mode(parsed, event, tok, hits)
            self._context(event, hits)

    # ---------------------------------------------------------------- mode

    def _mode(self, parsed: Doc, event: Event, trigger: Optional[Token], hits: "_SentenceHits | None" = None) -> None:
        patterns = self.keywords.modes.get(event.plover)
        if not patterns:
            return
        best = None
        for order, pattern in enumerate(patterns):
            for start, end, word in (hits or _SentenceHits())(pattern, event):
                rank = (self._distance(parsed, event, trigger, start, end), order)
                if best is None or rank < best[0]:
                    best = (rank, pattern.label, word)
        if best is None:
            return
        event.mode = best[1]
        event.extra["mode_rule"] = f"plover_keywords.yaml:{event.plover}/{best[1]} '{best[2]}'"

    @staticmethod
    def _distance(parsed: Doc, event: Event, trigger: Optional[Token], start: int, end: int) -> int:
        """0: the keyword is the trigger, 1: in the trigger's clause, 2: elsewhere in the sentence."""
        if trigger is None:
            return 2
        offset = event.sentence_start
        if trigger.idx < offset + end and offset + start < trigger.idx + len(trigger):
            return 0
        span = parsed.char_span(offset + start, offset + end, alignment_mode="expand")
        if span is None:
            return 2
        verb = trigger
        while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
            verb = verb.head
        clause = {t.i for t in verb.subtree}
        return 1 if span.root.i in clause else 2

    # ---------------------------------------------------------------- context

    def _context(self, event: Event, hits: "_SentenceHits | None" = None) -> None:
        found: list[tuple[str, str]] = []
        for pattern in self.keywords.contexts:
            matched = (hits or _SentenceHits())(pattern, event)
            if matched:
                found.append((pattern.label, matched[0][2]))
            if len(found) >= KEYWORD_CONTEXTS:
                break
        if not found:
            return
        contexts = [c for c in event.context.split(";") if c]
        for label, _ in found:
            if label not in contexts:
                contexts.append(label)
        event.context = ";".join(contexts[:MAX_CONTEXTS])
        event.extra["context_rule"] = "; ".join(f"plover_keywords.yaml:{label} '{word}'" for label, word in found)
