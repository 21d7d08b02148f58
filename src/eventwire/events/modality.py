"""Is the event asserted as a fact? Negation, future/conditional/possible statements, reported speech
and stated intentions. Word lists live in data/modality.yaml so users can extend them."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional

import yaml
from spacy.tokens import Token


@dataclass(frozen=True)
class ModalityWords:
    negators: frozenset[str]
    future_auxiliaries: frozenset[str]
    possibility_auxiliaries: frozenset[str]
    conditional_markers: frozenset[str]
    uncertainty_heads: frozenset[str]
    speech_verbs: frozenset[str]
    obligation_auxiliaries: frozenset[str]
    reflexives: frozenset[str]
    allegation_verbs: frozenset[str]
    intent_verbs: frozenset[str]
    plan_verbs: frozenset[str]
    symmetric_verbs: frozenset[str]
    intent_codes: dict[str, str]
    threat_codes: dict[str, str]
    reject_codes: dict[str, str]
    demand_codes: dict[str, str]


@lru_cache(maxsize=1)
def modality_words() -> ModalityWords:
    raw = yaml.safe_load(resources.files("eventwire.data").joinpath("modality.yaml").read_text("utf-8"))
    lists = {k: frozenset(str(w).lower() for w in v) for k, v in raw.items() if isinstance(v, list)}
    tables = {k: {str(code): str(mapped) for code, mapped in raw[k].items()}
              for k in ("intent_codes", "threat_codes", "reject_codes", "demand_codes")}
    return ModalityWords(**tables, **lists)


def _governors(verb: Token, max_up: int = 4):
    """The verb and the verbs/adjectives that govern it through control and coordination."""
    tok = verb
    yield tok
    for _ in range(max_up):
        if tok.dep_ in ("xcomp", "acomp", "conj", "aux") and tok.head is not tok:
            tok = tok.head
            yield tok
        else:
            return


def is_negated(verb: Token) -> bool:
    words = modality_words()
    for tok in _governors(verb):
        for child in tok.children:
            if child.dep_ == "neg" or (child.dep_ in ("advmod", "det") and child.lower_ in words.negators):
                return True
        if tok.dep_ == "conj":  # "did not X and Y": negation scopes over the first conjunct only
            break
    return False


def is_hypothetical(verb: Token) -> bool:
    """Future, possible, conditional or uncertain statements."""
    words = modality_words()
    for tok in _governors(verb):
        for child in tok.children:
            if child.dep_ in ("aux", "auxpass") and child.lower_ in (words.future_auxiliaries | words.possibility_auxiliaries):
                return True
            if child.dep_ == "mark" and child.lower_ in words.conditional_markers:
                return True
        # "going to attack", "likely to attend", "is scheduled to meet"
        if tok is not verb and tok.lemma_.lower() in words.plan_verbs:
            return True
        if tok.lemma_.lower() in words.uncertainty_heads and tok is not verb:
            return True
    # Clause introduced by "if/unless/whether" anywhere up the tree (e.g. "It is not clear if ...").
    tok = verb
    for _ in range(6):
        if any(c.dep_ == "mark" and c.lower_ in words.conditional_markers for c in tok.children):
            return True
        if tok.dep_ in ("advcl", "ccomp", "xcomp", "conj", "acomp") and tok.head is not tok:
            tok = tok.head
        else:
            break
    return False


def is_conditional(verb: Token) -> bool:
    """"X will withdraw unless Y ...": the action depends on a condition."""
    words = modality_words()
    for tok in _governors(verb):
        for child in tok.children:
            if child.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in words.conditional_markers
                                             for m in child.children):
                return True
            if child.dep_ == "mark" and child.lower_ in words.conditional_markers:
                return True
    return False


def intent_governor(verb: Token) -> Optional[Token]:
    """The verb/adjective stating an intention to do `verb` ("agreed to meet", "ready to send",
    "pledged to provide"), if any."""
    words = modality_words()
    tok = verb
    for _ in range(3):
        if tok.dep_ not in ("xcomp", "acomp") or tok.head is tok:
            return None
        tok = tok.head
        if tok.lemma_.lower() in words.intent_verbs:
            return tok
    return None


def _lookup(table: dict[str, str], code: str) -> Optional[str]:
    for key in (code, code[:3], code[:2]):
        if key in table:
            return table[key]
    return None


def intent_code(code: str) -> Optional[str]:
    """CAMEO codes intentions to cooperate under 03: map an action code to its intent code."""
    return _lookup(modality_words().intent_codes, code)


def threat_code(code: str) -> Optional[str]:
    """A stated intention to act against someone is a threat (CAMEO 13)."""
    return _lookup(modality_words().threat_codes, code)


def reject_code(code: str) -> Optional[str]:
    """A stated refusal to cooperate is a rejection (CAMEO 12)."""
    return _lookup(modality_words().reject_codes, code)


def demand_code(code: str) -> str:
    """"X said Y must do A": X demands A of Y (CAMEO 10); plain 100 when A has no specific demand code."""
    return _lookup(modality_words().demand_codes, code) or "100"


def has_obligation(verb: Token) -> bool:
    """"must/should/has to ..." on the verb."""
    words = modality_words()
    for tok in _governors(verb):
        for child in tok.children:
            if child.dep_ == "aux" and child.lower_ in words.obligation_auxiliaries:
                return True
        if tok is not verb and tok.lemma_ == "have" and verb.dep_ == "xcomp":  # "has to withdraw"
            return True
    return False


def has_will(verb: Token) -> bool:
    """Plain future ("will/shall"): what an actor announces it is going to do."""
    words = modality_words()
    auxes = [c.lower_ for t in _governors(verb) for c in t.children if c.dep_ in ("aux", "auxpass")]
    return any(a in words.future_auxiliaries for a in auxes) and \
        not any(a in words.possibility_auxiliaries for a in auxes)


def has_future(verb: Token) -> bool:
    """"will/would/shall ..." (a statement of what the actor is going to do), and no "may/might/could"
    (a mere possibility)."""
    words = modality_words()
    auxes = [c.lower_ for t in _governors(verb) for c in t.children if c.dep_ in ("aux", "auxpass")]
    return (any(a in words.future_auxiliaries or a == "would" for a in auxes)
            and not any(a in words.possibility_auxiliaries and a != "would" for a in auxes))


def stated_intention(code: str, *, negated: bool, conditional: bool = False) -> Optional[tuple[str, str]]:
    """Recode an actor's own statement about its future action: (new code, why) or None.
    Cooperation -> intent (03), conflict -> threat (13), refused cooperation -> rejection (12);
    any action made conditional ("will withdraw unless ...") -> threat."""
    root = code[:2]
    if conditional and not negated:
        return (threat_code(code) or "130", "conditional threat")
    if negated:
        mapped = reject_code(code) if "03" <= root <= "08" else None
        return (mapped, "refusal") if mapped else None
    if "03" < root <= "08":
        mapped = intent_code(code)
        return (mapped, "intent") if mapped else None
    if root >= "14":
        mapped = threat_code(code)
        return (mapped, "threat") if mapped else None
    return None


def speech_frame(verb: Token) -> Optional[Token]:
    """If `verb` is reported by a speech verb ("X said Y attacked Z"), return the speech verb."""
    words = modality_words()
    tok = verb
    for _ in range(4):
        if tok.dep_ in ("ccomp", "parataxis") and tok.head.lemma_.lower() in words.speech_verbs:
            return tok.head
        if tok.dep_ in ("conj", "xcomp", "advcl") and tok.head is not tok:
            tok = tok.head
            continue
        return None
    return None
