"""Features of a candidate event, for the learned scorer (events.scorer).

Every feature is general: it describes the grammar around the trigger, how the actors were found and
resolved, and the event's modality, never a particular word of a particular sentence. Names are
``kind=value`` with value 1.0 (one-hot) or ``kind`` with a number; the scorer's weights file uses the
same names, so a user can read which evidence raises or lowers a candidate's confidence.
"""
from __future__ import annotations

from typing import Optional

from spacy.tokens import Token

from ..records import Actor
from . import modality
from .candidates import Candidate

MAX_PATH = 4  # dependency steps; longer paths are one value, "long"
QUOTES = frozenset('"“”')
MODALS = frozenset({"will", "would", "could", "may", "might", "should", "must", "can", "shall", "ought"})


def candidate_features(c: Candidate) -> dict[str, float]:
    e = c.event
    root = e.cameo[:2]
    clause = clause_type(c.verb)
    f: dict[str, float] = {
        "bias": 1.0,
        f"root={root}": 1.0,
        f"quad={e.quad_class}": 1.0,
        f"clause={clause}": 1.0,
        f"root_clause={root}|{clause}": 1.0,
        f"tag={c.verb.tag_}": 1.0,
        f"trigger_pos={'nominal' if c.trigger is not c.verb else 'verb'}": 1.0,
        "specificity": min(c.specificity, 3) / 3,
        f"pattern_words={min(len(c.pattern.words), 3)}": 1.0,
        f"source_reading={c.source_reading}": 1.0,
        f"target_reading={c.target_reading}": 1.0,
        f"readings={c.source_reading}|{c.target_reading}": 1.0,
        f"root_target_reading={root}|{c.target_reading}": 1.0,
        "n_triggers": min(c.n_triggers, 6) / 6,
        "n_mentions": min(c.n_mentions, 8) / 8,
        "sentence_tokens": min(len(c.sentence), 60) / 60,
        "title": float(e.sentence_index == 0),
        f"doc_size={_bucket(len(c.sentence.doc), (60, 250, 1000))}": 1.0,
        f"position={_bucket(e.sentence_index, (1, 4, 12))}": 1.0,
        f"lemma={c.trigger.lemma_.lower()}": 1.0,
        f"code={e.cameo[:3]}": 1.0,
        f"governor={_governor_kind(c.verb)}": 1.0,
    }
    for note in c.notes:
        f[f"note={note}"] = 1.0
    if e.negated:
        f["negated"] = 1.0
    if e.hypothetical:
        f["hypothetical"] = 1.0
    if e.attributed_to is not None:
        f["attributed"] = 1.0
    modal = _modal(c.verb)
    if modal:
        f[f"modal={modal}"] = 1.0
    if _inside_quote(c.trigger, c.sentence):
        f["in_quote"] = 1.0
    _actor_features(f, "source", e.source, c.source_head, c.verb)
    _actor_features(f, "target", e.target, c.target_head, c.verb)
    s_kind, t_kind = actor_origin(e.source), actor_origin(e.target)
    f[f"origins={s_kind}|{t_kind}"] = 1.0
    s_country = e.source.country if e.source else None
    t_country = e.target.country if e.target else None
    if s_country and t_country:
        f["same_country" if s_country == t_country else "two_countries"] = 1.0
    elif e.target is not None and e.source.code[:3] == e.target.code[:3]:
        f["same_code_prefix"] = 1.0
    return f


def _actor_features(f: dict[str, float], role: str, actor: Optional[Actor], head: Optional[Token],
                    verb: Token) -> None:
    origin = actor_origin(actor)
    f[f"{role}_origin={origin}"] = 1.0
    if actor is None:
        return
    f[f"{role}_known_country"] = float(bool(actor.country))
    if actor.sector:
        f[f"{role}_sector={actor.sector[:3]}"] = 1.0
    confidence = getattr(actor, "confidence", None)
    if confidence is not None:
        f[f"{role}_coref_confidence"] = float(confidence)
    if head is not None:
        path = dependency_path(verb, head)
        f[f"{role}_path={path}"] = 1.0
        f[f"{role}_distance"] = min(abs(head.i - verb.i), 20) / 20
        f[f"{role}_{'before' if head.i < verb.i else 'after'}"] = 1.0
        if head.pos_ == "PRON":
            f[f"{role}_pronoun"] = 1.0


def actor_origin(actor: Optional[Actor]) -> str:
    """How an actor was resolved, in a few classes: dictionary entries, people, learned memory, in-document
    coreference, unresolved names, unknown perpetrators."""
    if actor is None:
        return "none"
    how = actor.how or ""
    if how.startswith("unknown perpetrator"):
        return "unknown"
    if how.startswith("unresolved"):
        return "unresolved"
    if how.startswith("gazetteer:"):
        return "place"
    if how.startswith(("coref:", "pronoun ->", "reflexive")):
        return "coref"
    if how.startswith(("document:", "same ")):
        return "document"
    if how.startswith(("memory:", "correction:")):
        return "memory"
    if "people.tsv" in how or how.startswith("person:"):
        return "people"
    if how.startswith("countries.tsv") or "countries.tsv" in how.split("+")[0]:
        return "country" if actor.sector is None else "country_sector"
    if how.startswith("organisations.tsv"):
        return "organisation"
    if how.startswith("sectors.tsv"):
        return "sector_only" if not actor.country else "sector_context"
    return "other"


def clause_type(verb: Token) -> str:
    """Where the trigger's clause sits: main, relative, adverbial, participle, reported (the complement of
    a speech verb), complement, controlled, prepositional, modifier (a noun or adjective use), parataxis."""
    tok = verb
    speech = modality.modality_words().speech_verbs
    for _ in range(6):
        dep = tok.dep_
        if dep == "ROOT":
            return "main"
        if dep == "conj" and tok.head is not tok:
            tok = tok.head
            continue
        if dep in ("relcl", "acl"):
            return "relative" if tok.tag_ != "VBG" else "participle"
        if dep == "advcl":
            return "participle" if tok.tag_ in ("VBG", "VBN") and not any(
                c.dep_ in ("nsubj", "nsubjpass") for c in tok.children) else "adverbial"
        if dep in ("ccomp", "parataxis"):
            return "reported" if tok.head.lemma_.lower() in speech else (
                "complement" if dep == "ccomp" else "parataxis")
        if dep == "xcomp":
            return "controlled"
        if dep in ("pcomp", "pobj"):
            return "prepositional"
        if dep in ("csubj", "csubjpass", "nsubj", "dobj"):
            return "nominal"
        return "modifier"
    return "other"


def dependency_path(verb: Token, head: Token) -> str:
    """Dependency labels from `verb` up to the lowest common ancestor and down to `head`:
    "nsubj", "dobj", "prep>pobj", "^ccomp>nsubj" ("^" marks a step up from the verb)."""
    up: list[str] = []
    ancestors = {verb.i: 0}
    tok, steps = verb, 0
    while tok.head is not tok and steps < 8:
        tok = tok.head
        steps += 1
        ancestors.setdefault(tok.i, steps)
    down: list[str] = []
    tok = head
    for _ in range(10):
        if tok.i in ancestors:
            break
        down.append(tok.dep_)
        if tok.head is tok:
            return "unconnected"
        tok = tok.head
    else:
        return "long"
    lca = tok
    walker = verb
    while walker.i != lca.i:
        up.append(walker.dep_)
        walker = walker.head
    path = ["^" + d for d in up] + list(reversed(down))
    if len(path) > MAX_PATH:
        return "long"
    return ">".join(path) or "self"


def _bucket(value: int, edges: tuple[int, ...]) -> str:
    """"<60", "<250", ... or ">=1000": coarse sizes that generalise better than raw counts."""
    for edge in edges:
        if value < edge:
            return f"<{edge}"
    return f">={edges[-1]}"


def _governor_kind(verb: Token) -> str:
    """What kind of word the trigger's clause hangs from: a speech verb, an intention, another verb, a
    noun, or nothing (a main clause)."""
    head = verb.head
    if head is verb:
        return "none"
    words = modality.modality_words()
    lemma = head.lemma_.lower()
    if lemma in words.speech_verbs:
        return "speech"
    if lemma in words.intent_verbs or lemma in words.plan_verbs:
        return "intent"
    return head.pos_.lower()


def _modal(verb: Token) -> Optional[str]:
    for tok in (verb, verb.head if verb.dep_ in ("xcomp", "conj") else verb):
        for child in tok.children:
            if child.dep_ == "aux" and child.lower_ in MODALS:
                return child.lower_
    return None


def _inside_quote(token: Token, sentence) -> bool:
    """An odd number of quotation marks before the trigger: it is inside a quotation."""
    count = sum(1 for t in sentence if t.i < token.i and t.text in QUOTES)
    return count % 2 == 1
