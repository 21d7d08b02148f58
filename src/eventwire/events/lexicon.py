"""Verb-phrase lexicon: maps a predicate (verb lemma + lemmas of its dependents) to a CAMEO code.

The data lives in ``eventwire/data/verbs.yaml`` (format explained in its header). Users can pass extra
YAML files in the same format to :meth:`VerbLexicon.load`; they extend or override the packaged entries.

Matching is lemma based: :func:`dependent_lemmas` collects what a spaCy token governs, and
:meth:`VerbLexicon.match` returns the most specific pattern whose words are all among those lemmas.
"""
from __future__ import annotations

import csv
import functools
import importlib.resources
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

import yaml

if TYPE_CHECKING:  # spaCy is only needed by the token helpers, not by loading/matching
    from spacy.tokens import Token

PACKAGED_VERBS = "verbs.yaml"
PACKAGED_CODES = "cameo_codes.tsv"

# Verbs that carry little meaning of their own and let their object noun name the event
# ("held talks", "launched an air strike", "carried out a raid", "declared a ceasefire").
LIGHT_VERBS = frozenset({
    "hold", "launch", "stage", "carry", "conduct", "make", "take", "give", "issue", "mount", "begin",
    "start", "open", "order", "pay", "lead", "organise", "organize", "wage", "undertake", "unleash",
    "have", "resume", "continue", "intensify", "step", "declare", "announce", "impose", "adopt",
    "approve", "commit", "perpetrate", "perform", "conclude", "complete", "extend", "renew",
    "observe", "maintain", "enforce", "tighten", "deliver", "send", "express", "voice", "convey",
    "introduce", "unveil", "reimpose", "escalate", "set", "plan",
})

# Adverbs that behave like verb particles when spaCy tags them advmod ("stepped down", "hit back").
PARTICLE_ADVERBS = frozenset({
    "up", "down", "out", "off", "back", "away", "in", "on", "over", "aside", "forward", "together",
    "through", "around", "apart", "ahead", "alive", "firm", "sexually", "peacefully", "jointly",
})

# Verb forms the packaged spaCy model lemmatizes wrongly ("staged" -> "stag", "hoped" -> "hop"),
# keyed by the lowercased word form, so "rapped" (rap) is left alone while "raped" is fixed.
LEMMA_FIXES = {
    **dict.fromkeys(("staged", "staging"), "stage"),
    **dict.fromkeys(("hoped", "hopes", "hoping"), "hope"),
    **dict.fromkeys(("raped", "rapes", "raping"), "rape"),
    **dict.fromkeys(("waged", "waging"), "wage"),
    **dict.fromkeys(("fined", "fining"), "fine"),
    **dict.fromkeys(("sniped", "sniping"), "snipe"),
    **dict.fromkeys(("cordoned", "cordoning"), "cordon"),
    **dict.fromkeys(("deregistered", "deregistering"), "deregister"),
    **dict.fromkeys(("extolled", "extolling"), "extol"),
    **dict.fromkeys(("reoccupied", "reoccupies", "reoccupying"), "reoccupy"),
    **dict.fromkeys(("unbanned", "unbanning"), "unban"),
}

_OBJECT_DEPS = frozenset({"dobj", "attr", "oprd", "acomp", "nsubjpass", "obj"})
_PREP_DEPS = frozenset({"prep", "agent", "dative"})
_CLAUSE_DEPS = frozenset({"xcomp", "ccomp"})
_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "npadvmod"})
_WORD_RE = re.compile(r"^[a-z0-9][a-z0-9'\-\.]*$")


class LexiconError(ValueError):
    """The lexicon data is malformed (unknown code, duplicate pattern, bad key...)."""


@dataclass(frozen=True)
class Pattern:
    code: str
    lemma: str
    words: tuple[str, ...]
    nominal: bool
    text: str  # the pattern as written in the YAML file
    origin: str = field(default="", compare=False)  # file name it came from

    @property
    def rule(self) -> str:
        """Human-readable provenance, e.g. ``verbs.yaml:112 accuse``."""
        return f"{self.origin or '?'}:{self.code} {self.text}"

    @property
    def key(self) -> tuple[bool, str, frozenset[str]]:
        """Identity for duplicate detection: word order does not matter when matching."""
        return (self.nominal, self.lemma, frozenset(self.words))


def parse_pattern(text: str, code: str, origin: str = "") -> Pattern:
    """Parse one pattern string ("!strike air", "call off") into a :class:`Pattern`."""
    raw = str(text).strip()
    nominal = raw.startswith("!")
    parts = raw.lstrip("!").lower().split()
    if not parts:
        raise LexiconError(f"{origin}: empty pattern under code {code!r}")
    bad = [p for p in parts if not _WORD_RE.match(p)]
    if bad:
        raise LexiconError(f"{origin}: pattern {raw!r} under {code!r} has odd word(s) {bad}")
    if len(set(parts[1:])) != len(parts) - 1:
        raise LexiconError(f"{origin}: pattern {raw!r} under {code!r} repeats a word")
    return Pattern(code=code, lemma=parts[0], words=tuple(parts[1:]), nominal=nominal, text=raw,
                   origin=origin)


def read_known_codes(path: Optional[Path] = None) -> Optional[frozenset[str]]:
    """CAMEO codes from a TSV with a ``code`` column (lines starting with '#' are comments).

    Without a path, reads the packaged ``cameo_codes.tsv``; returns None when that file is absent.
    """
    if path is None:
        resource = importlib.resources.files("eventwire.data").joinpath(PACKAGED_CODES)
        if not resource.is_file():
            return None
        text = resource.read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t")
    if not reader.fieldnames or "code" not in reader.fieldnames:
        raise LexiconError(f"code list {path or PACKAGED_CODES} has no 'code' column")
    return frozenset(row["code"].strip() for row in reader if row.get("code"))


def _read_yaml(text: str, origin: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LexiconError(f"{origin}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LexiconError(f"{origin}: top level must be a mapping of CAMEO code -> list of patterns")
    return data


def _parse_file(data: dict, origin: str, known_codes: Optional[frozenset[str]],
                errors: list[str]) -> tuple[list[Pattern], list[Pattern]]:
    """Patterns to add and patterns to remove ('-' prefix), in file order. Problems go to ``errors``."""
    added: list[Pattern] = []
    removed: list[Pattern] = []
    seen: dict[tuple, Pattern] = {}
    for code, patterns in data.items():
        if not isinstance(code, str):
            errors.append(f"{origin}: key {code!r} is not a string; quote CAMEO codes (\"042\")")
            continue
        code = code.strip()
        if known_codes is not None and code not in known_codes:
            errors.append(f"{origin}: unknown CAMEO code {code!r}")
            continue
        if patterns is None:
            continue
        if not isinstance(patterns, list):
            errors.append(f"{origin}: code {code!r} must map to a list of patterns")
            continue
        for text in patterns:
            if not isinstance(text, str):
                errors.append(f"{origin}: pattern {text!r} under {code!r} is not a string")
                continue
            removal = text.strip().startswith("-")
            try:
                pattern = parse_pattern(text.strip().lstrip("-"), code, origin)
            except LexiconError as exc:
                errors.append(str(exc))
                continue
            if removal:
                removed.append(pattern)
                continue
            previous = seen.get(pattern.key)
            if previous is not None:
                where = "twice" if previous.code == code else f"also under {previous.code!r} ({previous.text!r})"
                errors.append(f"{origin}: pattern {pattern.text!r} under {code!r} is listed {where}")
                continue
            seen[pattern.key] = pattern
            added.append(pattern)
    return added, removed


class VerbLexicon:
    """Predicate patterns indexed by lemma. Build it with :meth:`load` (or from patterns directly)."""

    def __init__(self, patterns: Iterable[Pattern]):
        # ``patterns`` is in priority order: earlier wins ties of equal specificity.
        self.patterns: tuple[Pattern, ...] = tuple(patterns)
        by_lemma: dict[str, list[tuple[int, Pattern]]] = {}
        for rank, pattern in enumerate(self.patterns):
            by_lemma.setdefault(pattern.lemma, []).append((rank, pattern))
        # Specificity order, so match() just returns the first fit: most *informative* words first,
        # then most words, then priority (file) order.
        self._by_lemma: dict[str, tuple[Pattern, ...]] = {}
        self._informative: dict[Pattern, int] = {}
        for lemma, items in by_lemma.items():
            patterns = [p for _, p in items]
            for p in patterns:
                self._informative[p] = _informative_words(p, patterns)
            rank_of = {p: rank for rank, p in items}
            self._by_lemma[lemma] = tuple(sorted(
                patterns, key=lambda p: (-self._informative[p], -len(p.words), rank_of[p])))
        self.lemmas: frozenset[str] = frozenset(p.lemma for p in self.patterns if not p.nominal)
        self.noun_lemmas: frozenset[str] = frozenset(p.lemma for p in self.patterns if p.nominal)

    @classmethod
    def load(cls, paths: Optional[list[Path]] = None, *, include_default: bool = True,
             known_codes: Optional[Iterable[str]] = None) -> "VerbLexicon":
        """Load the packaged lexicon, then each user file in ``paths`` on top of it.

        A user pattern identical to an earlier one replaces it (taking the user's code); user patterns
        win ties against packaged ones; "-pattern" removes a pattern. Codes are checked against
        ``known_codes`` or, by default, the packaged ``cameo_codes.tsv`` when it exists.
        Raises :class:`LexiconError` listing every problem found.
        """
        codes = frozenset(known_codes) if known_codes is not None else read_known_codes()
        sources: list[tuple[str, str]] = []
        if include_default:
            resource = importlib.resources.files("eventwire.data").joinpath(PACKAGED_VERBS)
            sources.append((PACKAGED_VERBS, resource.read_text(encoding="utf-8")))
        for path in paths or []:
            path = Path(path)
            sources.append((path.name, path.read_text(encoding="utf-8")))

        errors: list[str] = []
        layers: list[list[Pattern]] = []  # one per file, in load order
        for origin, text in sources:
            added, removed = _parse_file(_read_yaml(text, origin), origin, codes, errors)
            drop = {p.key for p in added} | {p.key for p in removed}
            unknown = [p.text for p in removed if not any(q.key == p.key for layer in layers for q in layer)]
            if unknown:
                errors.append(f"{origin}: cannot remove patterns that are not loaded: {unknown}")
            layers = [[q for q in layer if q.key not in drop] for layer in layers]
            layers.append(added)
        if errors:
            raise LexiconError("verb lexicon has problems:\n  " + "\n  ".join(errors))
        # Later files first so that, at equal specificity, user entries beat packaged ones.
        return cls(p for layer in reversed(layers) for p in layer)

    def candidates(self, lemma: str) -> list[Pattern]:
        """Patterns (verbal and nominal) whose lemma is ``lemma``, most specific first."""
        return list(self._by_lemma.get(lemma.lower(), ()))

    def match(self, lemma: str, dependent_lemmas: Iterable[str], *,
              nominal: Optional[bool] = False) -> Optional[Pattern]:
        """The most specific pattern for ``lemma`` whose words are all in ``dependent_lemmas``.

        Most specific = most words, where words that merely repeat a shorter pattern of the same code
        do not count ("sign agreement" is no more specific than "sign" when both are 057); then most
        words; then first listed (user files before the packaged lexicon).
        ``nominal=False`` (default) considers verb patterns only, ``True`` nominal ('!') patterns only,
        ``None`` both.
        """
        deps = {d.lower() for d in dependent_lemmas}
        for pattern in self._by_lemma.get(lemma.lower(), ()):
            if nominal is not None and pattern.nominal != nominal:
                continue
            if deps.issuperset(pattern.words):
                return pattern
        return None

    def has_lemma(self, lemma: str, *, nominal: Optional[bool] = False) -> bool:
        """Is there any pattern for this lemma (verbal by default; see :meth:`match`)?"""
        lemma = lemma.lower()
        if nominal is None:
            return lemma in self.lemmas or lemma in self.noun_lemmas
        return lemma in (self.noun_lemmas if nominal else self.lemmas)

    def codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.patterns)

    def match_token(self, token: "Token") -> Optional["TriggerMatch"]:
        """Match a spaCy verb token, letting a light verb's object noun compete as a nominal trigger.

        A nominal match counts its head noun as one extra word, so "launched an air strike" prefers
        "!strike air" (2) over "launch strike" (1); at equal score the verb pattern wins.
        """
        verb_lemma = token_lemma(token)
        best = self.match(verb_lemma, dependent_lemmas(token))
        best_score = self.specificity(best) if best else -1
        trigger = token
        if verb_lemma in LIGHT_VERBS:
            for noun in _governed_nouns(token):
                found = self.match(token_lemma(noun), dependent_lemmas(noun), nominal=True)
                if found and self.specificity(found) + 1 > best_score:
                    best, best_score, trigger = found, self.specificity(found) + 1, noun
        return TriggerMatch(best, trigger) if best else None

    def specificity(self, pattern: Pattern) -> int:
        """Number of the pattern's words that distinguish its code (see the ranking in :meth:`match`)."""
        return self._informative.get(pattern, len(pattern.words))

    def __len__(self) -> int:
        return len(self.patterns)

    def __repr__(self) -> str:
        return f"VerbLexicon({len(self.patterns)} patterns, {len(self.lemmas)} verb lemmas)"


def _informative_words(pattern: Pattern, siblings: list[Pattern]) -> int:
    """How many of the pattern's words change its code: a pattern that only adds words to a shorter
    pattern of the same code and kind ("sign agreement" next to "sign", both 057) is no more specific
    than that shorter pattern, so it must not outrank a genuinely more specific one ("sign ceasefire")."""
    words = set(pattern.words)
    return min((len(s.words) for s in siblings
                if s.code == pattern.code and s.nominal == pattern.nominal and words.issuperset(s.words)),
               default=len(words))


@dataclass(frozen=True)
class TriggerMatch:
    pattern: Pattern
    token: "Token"  # the verb, or the object noun when a nominal pattern won

    event_noun = False  # a nominal trigger standing on its own (EventNounMatch)


@dataclass(frozen=True)
class EventNounMatch(TriggerMatch):
    """A nominal pattern matched on a noun that no light verb governs: the noun is its own clause."""

    event_noun = True


def trigger_matches(tokens, lexicon: "VerbLexicon"):
    """(clause token, match) for every trigger in `tokens`: the one definition of a trigger, shared by
    the event coder and the pre-filter.

    Verbs the lexicon codes come first (with nominal patterns under light verbs: "launched an attack");
    then event nouns that stand on their own ("the Turkish assault on Afrin", "Ankara's complaints"),
    whose clause token is the noun itself."""
    tokens = list(tokens)
    taken: set[int] = set()
    for tok in tokens:
        if tok.pos_ != "VERB" and not (tok.pos_ == "AUX" and tok.dep_ not in ("aux", "auxpass")):
            continue
        match = lexicon.match_token(tok)
        if match is not None:
            taken.add(match.token.i)
            yield tok, match
    for tok in tokens:
        if tok.pos_ != "NOUN" or tok.i in taken or tok.lemma_.lower() not in lexicon.noun_lemmas:
            continue
        if tok.head.pos_ == "VERB" and token_lemma(tok.head) in LIGHT_VERBS and tok.dep_ in ("dobj", "nsubjpass"):
            continue  # the light verb's own nominal trigger, when the verb had a better pattern
        pattern = lexicon.match(token_lemma(tok), dependent_lemmas(tok), nominal=True)
        if pattern is not None:
            yield tok, EventNounMatch(pattern, tok)


@functools.lru_cache(maxsize=1)
def default_lexicon() -> VerbLexicon:
    """The packaged lexicon, loaded once."""
    return VerbLexicon.load()


# --- spaCy helpers --------------------------------------------------------------------------------

def token_lemma(token: "Token") -> str:
    """Lowercased lemma, with known lemmatizer slips of the packaged model corrected."""
    return LEMMA_FIXES.get(token.lower_) or token.lemma_.lower()


def _add_nominal(token: "Token", out: set[str], with_preps: bool = True) -> None:
    """A noun-ish dependent: its lemma, pre-modifiers, coordinated nouns and (one level) its preps."""
    out.add(token_lemma(token))
    for child in token.children:
        dep = child.dep_
        if dep in _MODIFIER_DEPS:
            out.add(token_lemma(child))
            if dep == "compound":  # compound chains: "car bomb attack", "roadside bomb blast"
                out.update(token_lemma(c) for c in child.children if c.dep_ in ("compound", "amod"))
        elif dep == "conj":
            _add_nominal(child, out, with_preps=False)
        elif with_preps and dep == "prep":
            out.add(token_lemma(child))
            for grandchild in child.children:
                if grandchild.dep_ in ("pobj", "pcomp"):
                    out.add(token_lemma(grandchild))
                    out.update(token_lemma(c) for c in grandchild.children if c.dep_ in _MODIFIER_DEPS)


def _add_prep(prep: "Token", out: set[str]) -> None:
    """A preposition, its object (with modifiers and the object's own preps) and stacked preps
    ("out of", "away from")."""
    out.add(token_lemma(prep))
    for child in prep.children:
        dep = child.dep_
        if dep == "pobj":
            _add_nominal(child, out)
        elif dep == "pcomp":  # "accused X of violating the treaty"
            out.add(token_lemma(child))
            for grandchild in child.children:
                if grandchild.dep_ in _OBJECT_DEPS:
                    _add_nominal(grandchild, out, with_preps=False)
                elif grandchild.dep_ == "prt":
                    out.add(token_lemma(grandchild))
        elif dep == "prep":
            _add_prep(child, out)


def dependent_lemmas(token: "Token", _depth: int = 0) -> set[str]:
    """Lowercased lemmas a pattern can refer to, for a spaCy token (normally a verb).

    Collects: particles (prt, and particle-like advmods such as "down" in "stepped down"); prepositions
    (prep, agent, dative) with their objects and stacked prepositions; objects/complements (dobj, attr,
    oprd, acomp, and the passive subject, which is the logical object) with their compound/amod
    modifiers and their own prepositions; xcomp/ccomp verbs and, one level down, their dependents;
    and the token's own compound/amod modifiers (for nominal triggers). Negation is never included.
    """
    out: set[str] = set()
    for child in token.children:
        dep = child.dep_
        if dep == "neg":
            continue
        if dep == "prt":
            out.add(token_lemma(child))
        elif dep == "advmod" and token_lemma(child) in PARTICLE_ADVERBS:
            out.add(token_lemma(child))
        elif dep in _PREP_DEPS:
            _add_prep(child, out)
        elif dep in _OBJECT_DEPS:
            _add_nominal(child, out)
        elif dep in _CLAUSE_DEPS:
            out.add(token_lemma(child))
            if _depth == 0:
                out |= dependent_lemmas(child, _depth + 1)
        elif dep in _MODIFIER_DEPS:
            out.add(token_lemma(child))
            if dep == "compound":
                out.update(token_lemma(c) for c in child.children if c.dep_ in ("compound", "amod"))
    return out


def _governed_nouns(verb: "Token") -> list["Token"]:
    """Object nouns of a (light) verb, including the passive subject and coordinated objects."""
    nouns = []
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass", "attr", "obj") and child.pos_ in ("NOUN", "PROPN", "X"):
            nouns.append(child)
            nouns.extend(c for c in child.children if c.dep_ == "conj" and c.pos_ == "NOUN")
    return nouns
