"""Find the source and target of an event verb in the dependency parse.

Everything here works on spaCy tokens and knows nothing about codes: it answers "which noun phrase is the
doer and which the receiver", including passives, controlled infinitives, relative clauses and
coordinated ("compound") actors.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Span, Token

SUBJECT_DEPS = ("nsubj", "csubj")
PASSIVE_SUBJECT_DEPS = ("nsubjpass", "csubjpass")
OBJECT_DEPS = ("dobj", "dative", "oprd")
# Prepositions that introduce the receiver of an action, in order of preference.
TARGET_PREPOSITIONS = ("against", "on", "at", "with", "to", "toward", "towards", "upon", "into", "over", "from",
                       "for", "of", "between", "among")
# Dependents that are not part of an actor's noun phrase.
NOT_IN_PHRASE = {"relcl", "acl", "punct", "cc", "conj", "advcl", "prep", "appos", "parataxis", "ccomp"}
# Heads we climb through to find the subject of a verb that has none of its own.
# advcl: "Police opened fire, killing one and arresting 12" and "... fired to disperse them" share the subject.
CLIMB_DEPS = ("xcomp", "conj", "acomp", "auxpass", "aux")


@dataclass
class Argument:
    """A noun phrase filling a role: its head token and the span to resolve as an actor."""
    head: Token
    span: Span
    role: str  # subject | passive_agent | object | prep:<word> | possessor | ...


def phrase_span(head: Token) -> Span:
    """The noun phrase headed by `head`: pre-modifiers, possessor and the head, plus an 'of' phrase and
    appositive name ("Special Representative of the Russian President, Ambassador Kabulov"), but no
    relative clause, coordination or other prepositional phrase."""
    doc = head.doc
    left = head.left_edge.i
    # Drop left material that belongs to coordination or punctuation.
    while left < head.i and (doc[left].dep_ in ("cc", "punct", "preconj") or doc[left].is_punct):
        left += 1
    right = head.i
    for child in head.rights:
        if child.dep_ == "punct":
            continue
        if child.dep_ == "prep" and child.lower_ == "of":
            right = max(right, child.right_edge.i)
        elif (child.dep_ == "appos" and not is_list_appositive(child) or is_misparsed_appositive(child)) and \
                all(doc[i].is_punct for i in range(right + 1, child.left_edge.i)):
            right = max(right, _appos_end(child))
        elif child.dep_ in ("compound", "amod", "nummod", "case", "nmod", "flat") and child.i == right + 1:
            right = child.right_edge.i
        else:
            break
    while right > head.i and (doc[right].is_punct or doc[right].dep_ in ("cc",)):
        right -= 1
    return doc[left: right + 1]


def _appos_end(appos: Token) -> int:
    """End of an appositive, without its own relative clauses or trailing prepositional phrases."""
    end = appos.i
    for child in appos.rights:
        if child.dep_ in ("relcl", "acl", "punct", "cc", "conj", "prep", "advcl"):
            break
        end = child.right_edge.i
    return end


def conjuncts(head: Token) -> list[Token]:
    """The head and every token coordinated with it: "Pakistan, the US, China and Iran"."""
    out = [head, *[t for t in head.conjuncts if t.i > head.i and not is_misparsed_appositive(t)]]
    for child in head.children:
        if is_list_appositive(child):
            out += [child, *[t for t in child.conjuncts if t.i > child.i]]
    return out


def is_list_appositive(tok: Token) -> bool:
    """"The US, Russia, and Switzerland met": the parser makes "Russia" an appositive of "US". An appositive
    place or organisation next to another one, itself heading a coordination, is a list member."""
    return (tok.dep_ == "appos" and tok.ent_type_ in ("GPE", "ORG", "NORP")
            and tok.head.ent_type_ in ("GPE", "ORG", "NORP") and any(t.i > tok.i for t in tok.conjuncts))


def is_misparsed_appositive(conj: Token) -> bool:
    """"the Russian envoy, Ambassador Zamir Kabulov, visited ...": the parser sometimes makes the name a
    conjunct. A last conjunct joined by a comma alone (no "and"/"or") that names a person is an appositive."""
    if conj.dep_ != "conj" or conj.ent_type_ != "PERSON":
        return False
    if any(t.i > conj.i for t in conj.head.conjuncts):
        return False
    between = conj.doc[conj.head.i + 1: conj.left_edge.i]
    return not any(t.dep_ == "cc" or t.lower_ in ("and", "or", "&") for t in between)


def find_subject(verb: Token) -> tuple[Optional[Token], bool]:
    """Return (subject head, is_passive_subject). Climbs through xcomp/conj/acomp chains so that
    "X agreed to meet Y" gives X as the subject of "meet"."""
    tok = verb
    for _ in range(6):
        for child in tok.children:
            if child.dep_ in SUBJECT_DEPS:
                return _expletive_fix(child), False
        for child in tok.children:
            if child.dep_ in PASSIVE_SUBJECT_DEPS:
                return child, True
        if tok.dep_ == "relcl" and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok.head, _is_passive(tok)
        if tok.dep_ == "acl" and tok.tag_ == "VBN":  # "soldiers killed by ..." : the noun is the patient
            return tok.head, True
        if tok.dep_ == "xcomp":
            # Object control: "urged Iran to talk" -> Iran is the subject of "talk".
            obj = next((c for c in tok.head.children if c.dep_ in ("dobj", "dative")), None)
            if obj is not None:
                return obj, False
        if tok.dep_ in CLIMB_DEPS and tok.head is not tok:
            tok = tok.head
            continue
        if is_manner_gerund(tok) or is_infinitive_of_object(tok):
            tok = tok.head.head
            continue
        if is_participle_adjunct(tok):
            tok = tok.head
            continue
        break
    # Headlines drop articles and confuse the tagger: "Pakistan backs Russian bid" parses "Pakistan" as a
    # modifier of the verb. A proper noun left of a subjectless main verb is its subject.
    if verb.dep_ == "ROOT":
        left = [c for c in verb.lefts if c.dep_ in ("amod", "compound", "nmod", "npadvmod", "dep")
                and c.pos_ in ("PROPN", "ADJ", "NOUN") and c.ent_type_]
        if left:
            return left[0], False
    return None, False


def is_participle_adjunct(tok: Token) -> bool:
    """"Police opened fire, killing one person and arresting 12": the -ing clause shares the subject."""
    return (tok.dep_ == "advcl" and tok.tag_ == "VBG" and tok.head is not tok
            and not any(c.dep_ in ("mark", "nsubj", "nsubjpass") for c in tok.children))


def is_manner_gerund(tok: Token) -> bool:
    """"Moscow retaliated by imposing sanctions": a gerund after a preposition of the clause shares its subject."""
    return (tok.dep_ == "pcomp" and tok.tag_ == "VBG" and tok.head.dep_ == "prep"
            and tok.head.head.pos_ in ("VERB", "AUX"))


def is_infinitive_of_object(tok: Token) -> bool:
    """"Trump missed no chance to vilify Iran": an infinitive on the object noun shares the clause subject."""
    return (tok.dep_ == "acl" and tok.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
            and tok.head.dep_ in ("dobj", "attr") and tok.head.head.pos_ in ("VERB", "AUX"))


def _expletive_fix(tok: Token) -> Token:
    return tok


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)


def passive_agent(verb: Token) -> Optional[Token]:
    """"by X" in a passive clause."""
    for child in verb.children:
        if child.dep_ == "agent":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    return None


def direct_object(verb: Token) -> Optional[Token]:
    for child in verb.children:
        if child.dep_ in OBJECT_DEPS:
            return child
    return None


def prepositional_objects(verb: Token, preferred: tuple[str, ...] = ()) -> list[tuple[str, Token]]:
    """(preposition, object) pairs on the verb, the preferred prepositions first."""
    pairs = []
    for child in verb.children:
        if child.dep_ in ("prep", "dative") and child.lower_ in TARGET_PREPOSITIONS:
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                pairs.append((child.lower_, pobj))
    order = {p: i for i, p in enumerate(preferred + TARGET_PREPOSITIONS)}
    pairs.sort(key=lambda pair: order.get(pair[0], 99))
    return pairs


def inner_actor_candidates(noun: Token, *, venue: bool = False, depth: int = 2) -> list[Token]:
    """Tokens inside a non-actor object that may name the real receiver: possessor ("Pakistan's support"),
    then pre-modifiers ("an Indian proposal"), then 'of/from/with/for' objects ("a proposal from India"),
    then the agent of a participle or relative clause ("a meeting convened by Russia"). With `venue`
    (meetings and visits), the place of the object counts too: "a summit in Switzerland"."""
    out = [c for c in noun.children if c.dep_ == "poss"]
    out += [c for c in noun.children if c.dep_ in ("amod", "compound", "nmod") and c.i < noun.i]
    preps = ("of", "from", "with", "for", "by", "against", "to", "between")
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in preps:
            out += [c for c in prep.children if c.dep_ == "pobj"]
    for clause in noun.children:
        if clause.dep_ in ("relcl", "acl"):
            agent = passive_agent(clause)
            if agent is not None:
                out.append(agent)
    # Last resort: where the object is ("the refineries in Iran"); for meetings, the host.
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in ("in", "at", "inside"):
            out += [c for c in prep.children if c.dep_ == "pobj" and (venue or c.ent_type_ in ("GPE", "LOC"))]
    # One level further down: "responsibility for an attack on a mall in Kenya's capital".
    if depth > 1:
        nested = [c for p in noun.children if p.dep_ == "prep" for c in p.children if c.dep_ == "pobj"]
        nested += [c for cl in noun.children if cl.dep_ == "acl" for c in cl.children if c.dep_ == "dobj"]
        for inner in nested:
            if inner.pos_ == "NOUN":
                out += [t for t in inner_actor_candidates(inner, venue=True, depth=depth - 1) if t not in out]
    return out


def venue_objects(verb: Token) -> list[Token]:
    """Places the action happens in ("attended talks in Geneva"): hosts of meetings and visits."""
    out = []
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.lower_ in ("in", "at"):
            out += [c for c in prep.children if c.dep_ == "pobj" and c.ent_type_ in ("GPE", "LOC", "FAC")]
    return out


def modifier_conjuncts(head: Token) -> list[Token]:
    """Coordinated pre-modifiers that each make a separate actor with the same head noun:
    "the US and Afghan government" -> [US, Afghan]."""
    for child in head.lefts:
        if child.dep_ in ("nmod", "compound", "amod", "poss") and any(t.i > child.i for t in child.conjuncts):
            return [child, *[t for t in child.conjuncts if t.i > child.i and t.i < head.i]]
    return []


# ---- event nouns ("the Turkish assault on Afrin") ---------------------------------------------------

ACTOR_ENTITIES = ("NORP", "GPE", "ORG", "PERSON")


def nominal_source(noun: Token) -> Optional[Token]:
    """The doer of an event noun: its possessor ("Russia's offensive"), a "by" phrase ("concessions by
    Ankara"), or a named pre-modifier ("the Turkish assault", "a US-led airstrike")."""
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    for child in noun.children:
        if child.dep_ in ("prep", "agent") and child.lower_ == "by":
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    for child in noun.lefts:
        if child.dep_ in ("amod", "compound", "nmod", "npadvmod"):
            named = [t for t in child.subtree if t.ent_type_ in ACTOR_ENTITIES]
            if named:
                return named[0]
    return None


def nominal_targets(noun: Token, preferred: tuple[str, ...] = ()) -> list[Token]:
    """Receivers of an event noun: its prepositional objects ("an assault on Afrin", "talks with Iran");
    for a noun that is a clause's subject, that clause's object ("an airstrike hit the depot")."""
    heads = [pobj for prep, pobj in prepositional_objects(noun, preferred) if prep != "by"]
    if noun.dep_ in ("nsubj",) and noun.head.pos_ == "VERB":
        obj = direct_object(noun.head)
        if obj is not None:
            heads.append(obj)
    return heads
