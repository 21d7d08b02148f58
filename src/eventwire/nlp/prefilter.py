"""Decide which sentences can hold an event, so that only those get parsed.

The parser, tagger and entity recogniser cost almost all of a coding run, yet most news sentences hold
no codable event. Two cheap steps run on the tokenizer's output only:

1. `split_sentences` cuts a tokenized document into sentences by rule: a line break always ends a
   sentence (titles and datelines have no full stop), and so does ".", "!" or "?" (with any closing
   quotes or brackets after it) when the next word does not start in lower case. Abbreviations such as
   "Mr." and "U.S." are single tokens, so they never end a sentence. Every run uses these sentences,
   with or without the filter, so a sentence has the same index either way.
2. `SentenceFilter.keep` passes a sentence only when it has both
   - a candidate predicate: some lexicon pattern whose lemma and words could all be lemmas of the
     sentence's words. The lemmas a word could get are worked out with the spaCy lemmatizer's own
     tables (exceptions such as "met" -> "meet" and suffix rules), so this never misses a verb the
     lemmatizer would find. Nominal patterns ("!talk with") count too: under a light verb ("held talks")
     or on their own ("the talks with Iran"; events.lexicon.trigger_matches).
     Plain statements (CAMEO 010), which the coder drops, count only next to an obligation word
     ("X said Y must withdraw" is coded as a demand); and
   - a possible actor: a country, organisation or sector term from the actor dictionary, a capitalised
     word that could be a name, or a pronoun.

A third test, `SentenceFilter.keep_parsed`, runs after the parser and before the entity recogniser: a
trigger (found as the coder finds them) whose doer could be an actor, or a violent one.

The tests over-approximate what the coder needs, so filtering changes no event (checked on the Guardian
sample and the dev sets: docs/benchmarks.md). They rely on how the coder works: triggers come from
`VerbLexicon.match_token` on verbs; an event needs a doer unless it is violence; the document context
(pronouns, people, "the group") only learns from sentences where a trigger is coded. Changing that
needs a matching change here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Optional

from spacy.attrs import ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from ..events import arguments as args
from ..events import modality
from ..events.lexicon import LEMMA_FIXES, LIGHT_VERBS, VerbLexicon, token_lemma, trigger_matches

if TYPE_CHECKING:
    from spacy.language import Language

    from ..actors.dictionary import ActorDictionary

SentenceRange = tuple[int, int]  # token indices [start, end) of a sentence in its document

SENTENCE_END = frozenset({".", "!", "?", "...", "…", "?!", "!?", "!!", "??"})
CLOSING = frozenset({'"', "'", "”", "’", ")", "]", "»"})
# Pronouns the coder can resolve to an earlier actor (DocumentContext) or to a reported-speech subject.
PRONOUNS = frozenset({"i", "me", "we", "us", "you", "he", "him", "she", "her", "it", "they", "them",
                      "myself", "ourselves", "yourself", "yourselves", "himself", "herself", "itself",
                      "themselves"})
# Parts of speech whose lemmatizer tables are consulted when guessing a word's possible lemmas.
_LEMMA_POS = ("verb", "noun", "adj", "adv")
# Fallback suffix rules (old ending -> new ending) when the pipeline has no rule lemmatizer.
_FALLBACK_RULES = (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
                   ("ing", "e"), ("ing", ""), ("ses", "s"), ("ves", "f"), ("men", "man"))


def split_sentences(doc: Doc) -> list[SentenceRange]:
    """Rule-based sentences of a tokenized document, as token ranges.

    Whitespace after a sentence belongs to it; leading whitespace of the document belongs to no
    sentence. The ranges are in order, do not overlap and cover the rest of the document.
    """
    ranges: list[SentenceRange] = []
    start: Optional[int] = None
    end_mark = _NO_END
    for tok in doc:
        if tok.is_space:
            if start is not None and "\n" in tok.text:
                end_mark = _LINE_BREAK
            continue
        text = tok.text
        if start is None:
            start = tok.i
        elif end_mark == _LINE_BREAK:
            ranges.append((start, tok.i))
            start, end_mark = tok.i, _NO_END
        elif end_mark == _FULL_STOP:
            if text in SENTENCE_END or (text in CLOSING and not _after_space(doc, tok)):
                continue  # "?!", a closing quote or bracket: still the same sentence
            if not text[:1].islower():
                ranges.append((start, tok.i))
                start = tok.i
            end_mark = _NO_END
        if text in SENTENCE_END:
            end_mark = _FULL_STOP
    if start is not None:
        ranges.append((start, len(doc)))
    return ranges


_NO_END, _FULL_STOP, _LINE_BREAK = 0, 1, 2

# Where an over-long sentence is cut, best first: after a clause mark, else after a comma.
_STRONG_CUTS = frozenset({";", ":", "—", "–", "--", "…", "..."})
_WEAK_CUTS = frozenset({","})


def cap_sentences(doc: Doc, ranges: list[SentenceRange], max_tokens: Optional[int]
                  ) -> tuple[list[SentenceRange], int]:
    """Cut sentences longer than ``max_tokens`` tokens into pieces of at most that many (plus the whitespace
    after them), so that no sentence costs more than a bounded amount: the coder's per-sentence work grows
    faster than the sentence, and a document with no full stop would otherwise be one sentence. A piece ends
    after a ";", ":" or dash in its second half if there is one, else after a comma, else at the limit.

    Returns the new ranges and the number of sentences that were cut (0: ``ranges`` unchanged)."""
    if not max_tokens or all(b - a <= max_tokens for a, b in ranges):
        return ranges, 0
    max_tokens = max(2, max_tokens)
    out: list[SentenceRange] = []
    n_cut = 0
    for a, b in ranges:
        if b - a <= max_tokens:
            out.append((a, b))
            continue
        n_cut += 1
        start = a
        while b - start > max_tokens:
            cut = _cut_point(doc, start, start + max_tokens)
            while cut < b and doc[cut].is_space:  # whitespace after a piece belongs to it
                cut += 1
            if cut >= b:
                break
            out.append((start, cut))
            start = cut
        out.append((start, b))
    return out, n_cut


def _cut_point(doc: Doc, start: int, limit: int) -> int:
    """Where to end a piece that starts at ``start`` and may run up to ``limit`` (exclusive)."""
    weak = None
    for i in range(limit, start + (limit - start) // 2, -1):
        text = doc[i - 1].text
        if text in _STRONG_CUTS:
            return i
        if weak is None and text in _WEAK_CUTS:
            weak = i
    return weak or limit
_SKIP = object()


def _after_space(doc: Doc, tok) -> bool:
    """A quote that follows a space opens the next sentence rather than closing this one."""
    prev = doc[tok.i - 1]
    return bool(prev.whitespace_) or prev.is_space


@dataclass(frozen=True)
class _Patterns:
    """For one lemma: the word sets that must also be present, minimal ones only."""
    verbal: tuple[frozenset[str], ...]
    nominal: tuple[frozenset[str], ...]


class SentenceFilter:
    """Does a sentence have a candidate predicate and a possible actor? (See the module docstring.)"""

    def __init__(self, lexicon: VerbLexicon, dictionary: "ActorDictionary | None" = None, *,
                 lemma_tables: Optional[tuple[dict, dict]] = None, keep_statements: bool = False):
        verbal: dict[str, list[frozenset[str]]] = {}
        nominal: dict[str, list[frozenset[str]]] = {}
        # Words that make a statement a demand: the obligation auxiliaries, and "have" for "has to".
        obligation = frozenset(modality.modality_words().obligation_auxiliaries) | {"have"}
        relevant: set[str] = set(LIGHT_VERBS) | obligation
        for pattern in lexicon.patterns:
            words = frozenset(pattern.words)
            if not keep_statements and _dropped_as_statement(pattern.code):
                # A statement is coded only when it turns into a demand ("said that Y must ..."): it needs
                # an obligation word; "has to" also counts, as "have".
                words = [words | {w} for w in obligation]
            else:
                words = [words]
            (nominal if pattern.nominal else verbal).setdefault(pattern.lemma, []).extend(words)
            relevant.add(pattern.lemma)
            relevant.update(pattern.words)
        self.lexicon = lexicon
        self.keep_statements = keep_statements
        self._obligation = obligation
        self._patterns = {
            lemma: _Patterns(_minimal(verbal.get(lemma, ())), _minimal(nominal.get(lemma, ())))
            for lemma in set(verbal) | set(nominal)
        }
        self._relevant = frozenset(relevant)
        self.dictionary = dictionary
        self._exceptions, self._rules = lemma_tables or ({}, {"": list(_FALLBACK_RULES)})
        self._lemmas_of: dict[str, frozenset[str]] = {}  # word -> its possible lemmas that matter
        self._actor_word: dict[str, bool] = {}
        self._words: dict[int, object] = {}  # orth id -> _word(...)
        self._sector_words = _multiword_sector_words(dictionary)

    @classmethod
    def for_pipeline(cls, nlp: "Language", extractor) -> "SentenceFilter":
        """The filter matching a pipeline: its lexicon, its actor dictionary, its lemmatizer tables."""
        resolver = getattr(extractor, "resolver", None)
        return cls(extractor.lexicon, getattr(resolver, "dictionary", None), lemma_tables=_lemma_tables(nlp),
                   keep_statements=getattr(extractor, "keep_statements", False))

    # ---- the test ----------------------------------------------------------------------------------
    def keep_sentences(self, doc: Doc, ranges: list[SentenceRange]) -> list[bool]:
        """`keep` for every sentence of a tokenized document; reads token arrays once, so it is faster."""
        vocab = doc.vocab
        words = self._words
        orths = doc.to_array(ORTH).tolist() if len(doc) else []
        out = []
        for a, b in ranges:
            lemmas: set[str] = set()
            actor = False
            first_word = True
            for orth in orths[a:b]:
                word = words.get(orth)
                if word is None:
                    word = words[orth] = self._word(vocab[orth])
                if word is _SKIP:
                    continue
                word_lemmas, always, unless_first = word
                lemmas.update(word_lemmas)
                actor = actor or always or (unless_first and not first_word)
                first_word = False
            out.append(actor and self.has_predicate(lemmas))
        return out

    def _word(self, lexeme):
        """What a word form tells the tests, cached: (possible lemmas, an actor anywhere, an actor unless
        it starts the sentence); _SKIP for whitespace and punctuation, which `keep` passes over."""
        if lexeme.is_space or lexeme.is_punct:
            return _SKIP
        text, lower = lexeme.orth_, lexeme.lower_
        return (self._possible_lemmas(lower), self._may_be_actor(text, lower, True),
                self._may_be_actor(text, lower, False))

    def keep(self, sent: Span) -> bool:
        lemmas: set[str] = set()
        actor = False
        first_word = True
        for tok in sent:
            if tok.is_space or tok.is_punct:
                continue
            text = tok.text
            lower = tok.lower_
            found = self._lemmas_of.get(lower)
            if found is None:
                found = self._lemmas_of[lower] = self._possible_lemmas(lower)
            lemmas.update(found)
            if not actor:
                actor = self._may_be_actor(text, lower, first_word)
            first_word = False
        return actor and self.has_predicate(lemmas)

    def keep_parsed(self, sent: Doc) -> bool:
        """The second test, on a parsed sentence before the entity recogniser runs: is there a trigger
        (as EventExtractor finds them) whose doer could be an actor? Violence counts without a doer, since
        the coder records it with an unknown perpetrator."""
        for tok, match in trigger_matches(sent, self.lexicon):
            code = match.pattern.code
            if code[:2] in _unknown_source_roots():
                return True
            if not self.keep_statements and _dropped_as_statement(code) and \
                    not any(token_lemma(t) in self._obligation for t in sent):
                continue
            if match.event_noun:  # "Russia's offensive", "the Turkish assault" (entities are not known yet)
                heads = [c for c in tok.children if c.dep_ == "poss" or (c.dep_ in ("prep", "agent") and c.lower_ == "by")]
                heads += [c for c in tok.lefts if c.dep_ in ("amod", "compound", "nmod", "npadvmod")]
                heads = [h for c in heads for h in ([c] if c.dep_ not in ("prep", "agent") else c.children)]
                if any(self._may_be_doer(head) for head in heads):
                    return True
                continue
            subject, passive = args.find_subject(tok)
            doer = args.passive_agent(tok) if passive else subject
            heads = [doer] if doer is not None else []
            if doer is None and tok.dep_ == "ROOT":  # headlines: "Pakistan backs Russian bid"
                heads = [c for c in tok.lefts if c.pos_ in ("PROPN", "ADJ", "NOUN")]
            if any(self._may_be_doer(head) for head in heads):
                return True
        return False

    def _may_be_doer(self, head) -> bool:
        """Could the phrase under ``head`` resolve to an actor (a name, a dictionary word or a pronoun)?"""
        if head.pos_ in ("PRON", "NOUN", "PROPN"):
            # Pronouns resolve through context and clauses; a noun can name an actor met earlier in the
            # document ("the group", "the ministry", "both countries": actors.coref).
            return True
        sent = head.doc
        for tok in sent[head.left_edge.i: head.right_edge.i + 1]:
            if tok.is_space or tok.is_punct:
                continue
            first_word = tok.i == 0 or (tok.i == 1 and sent[0].is_punct)
            if self._may_be_actor(tok.text, tok.lower_, first_word):
                return True
        return False

    def has_predicate(self, lemmas: set[str]) -> bool:
        """Could some pattern match, given every lemma the sentence's words could have?"""
        for lemma in lemmas:
            patterns = self._patterns.get(lemma)
            if patterns is None:
                continue
            if any(words <= lemmas for words in patterns.verbal):
                return True
            if patterns.nominal and any(words <= lemmas for words in patterns.nominal):
                return True  # under a light verb ("launched an attack") or on its own ("the attack on X")
        return False

    def possible_lemmas(self, word: str) -> frozenset[str]:
        """Lemmas (among those the lexicon uses) that the lemmatizer could give ``word``."""
        return self._possible_lemmas(word.lower())

    # ---- helpers -----------------------------------------------------------------------------------
    def _possible_lemmas(self, word: str) -> frozenset[str]:
        return frozenset(self._all_lemmas(word) & self._relevant)

    def _all_lemmas(self, word: str) -> set[str]:
        out = {word}
        fix = LEMMA_FIXES.get(word)
        if fix:
            out.add(fix)
        for table in self._exceptions.values():
            out.update(table.get(word, ()))
        for rules in self._rules.values():
            for old, new in rules:
                if word.endswith(old) and len(word) > len(old):
                    stem = word[: len(word) - len(old)]
                    out.add(stem + new)
                    if new == "" and old in ("ed", "ing") and len(stem) > 2 and stem[-1] == stem[-2]:
                        out.add(stem[:-1])  # "planned" -> "plan" when the exception table lacks it
        return out

    def _may_be_actor(self, text: str, lower: str, first_word: bool) -> bool:
        if lower in PRONOUNS:
            return True
        if text[:1].isupper() and not (first_word and lower in STOP_WORDS):
            return True  # a name, a demonym, a capitalised title, an acronym
        known = self._actor_word.get(text)
        if known is None:
            known = self._actor_word[text] = self._in_dictionary(text, lower)
        return known

    def _in_dictionary(self, text: str, lower: str) -> bool:
        if lower in self._sector_words:
            return True
        d = self.dictionary
        if d is None:
            return False
        match = d.name(text)
        if match is not None and not match.is_block:
            return True
        # Sector terms match on the lemma too ("children" -> "child").
        return any(d.sector(form) is not None for form in {text} | self._all_lemmas(lower))


def _dropped_as_statement(code: str) -> bool:
    """The coder drops plain statements unless they turn into an intention or a demand (EventExtractor)."""
    from ..events.extractor import STATEMENT_CODES  # imported late: the extractor imports much of eventwire

    return code in STATEMENT_CODES and modality.intent_code(code) is None


def _unknown_source_roots() -> frozenset[str]:
    from ..events.extractor import UNKNOWN_SOURCE_ROOTS

    return frozenset(UNKNOWN_SOURCE_ROOTS)


def _minimal(word_sets: Iterable[frozenset[str]]) -> tuple[frozenset[str], ...]:
    """Drop word sets that contain another one: if the smaller is present, so is a match."""
    unique = sorted(set(word_sets), key=len)
    kept: list[frozenset[str]] = []
    for words in unique:
        if not any(k <= words for k in kept):
            kept.append(words)
    return tuple(kept)


def _lemma_tables(nlp: "Language") -> Optional[tuple[dict, dict]]:
    """(exceptions by POS, suffix rules by POS) from the pipeline's rule lemmatizer, if it has one."""
    if "lemmatizer" not in nlp.pipe_names:
        return None
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_rules"):
        return None
    rules_table = lookups.get_table("lemma_rules")
    exc_table = lookups.get_table("lemma_exc") if lookups.has_table("lemma_exc") else {}
    exceptions = {pos: dict(exc_table.get(pos, {}) or {}) for pos in _LEMMA_POS}
    rules = {pos: [tuple(r) for r in rules_table.get(pos, []) or []] for pos in _LEMMA_POS}
    rules[""] = list(_FALLBACK_RULES)  # cheap insurance for words the tables treat oddly
    return exceptions, rules


def _multiword_sector_words(dictionary) -> frozenset[str]:
    """Each word of the multi-word sector terms ("head of state"), whose single words may not be terms."""
    terms = getattr(dictionary, "_sectors", None) or {}
    words: set[str] = set()
    for term in terms:
        parts = term.split()
        if len(parts) > 1:
            words.update(p for p in parts if p not in STOP_WORDS)
    return frozenset(words)
