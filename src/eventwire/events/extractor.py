"""The event coder: parsed sentences in, `Event` records out.

For each sentence:
1. find trigger verbs (and nouns governed by light verbs: "held talks") that match the verb lexicon;
2. resolve frames between triggers: intentions ("agreed to meet" -> 036), reported speech ("X said Y
   accused Z" -> Y->Z attributed to X), allegations ("X claimed Y attacked Z" -> X accuses Y);
3. take source and target actors from the parse (events.arguments) and code them (actors.resolver);
4. flag negation and hypothetical statements (events.modality) and attach CAMEO/PLOVER attributes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from spacy.tokens import Doc, Span, Token

from .. import ontology
from ..actors.coref import DocumentActors
from ..actors.resolver import ActorResolver
from ..records import Actor, Event
from . import arguments as args
from . import modality
from .lexicon import Pattern, VerbLexicon, default_lexicon, token_lemma, trigger_matches

FALLBACK_ENTITY_LABELS = {"PERSON", "ORG", "NORP", "GPE"}
UNKNOWN_SOURCE_ROOTS = {"18", "19", "20"}
# The receiver of a withdrawal is where it withdraws from ("withdrew from Syria to Israel").
PREFERRED_PREPOSITIONS = {"08": ("from",), "16": ("from",)}  # violence is coded even when the perpetrator is not named
STATEMENT_CODES = {"010", "01"}


@dataclass
class Trigger:
    token: Token  # the verb (or the noun for nominal triggers)
    pattern: Pattern
    verb: Token  # the clause verb whose arguments we use (the light verb for nominal triggers)
    notes: list[str] = field(default_factory=list)
    code: str = ""
    intent_by: Optional[Token] = None
    speech_by: Optional[Token] = None
    target_override: Optional[Token] = None  # set by frames that know the receiver ("X said Y must ...")


class EventExtractor:
    def __init__(self, lexicon: VerbLexicon | None = None, resolver: ActorResolver | None = None,
                 *, fallback_actors: bool = True, keep_statements: bool = False):
        self.lexicon = lexicon or default_lexicon()
        self.resolver = resolver or ActorResolver()
        self.fallback_actors = fallback_actors
        self.keep_statements = keep_statements

    # ---- public -------------------------------------------------------------------------------------
    def extract(self, doc: Doc, doc_id: str, date=None) -> list[Event]:
        events: list[Event] = []
        context = DocumentContext(date=date)
        for index, sent in enumerate(doc.sents):
            events.extend(self.extract_sentence(sent, doc_id, index, context))
        return events

    def extract_sentence(self, sent: Span, doc_id: str, index: int,
                         context: "DocumentContext | None" = None) -> list[Event]:
        context = context or DocumentContext()
        triggers = self._find_triggers(sent)
        triggers = self._resolve_frames(triggers)
        events: list[Event] = []
        seen = set()
        for trig in triggers:
            for event in self._code_trigger(trig, sent, doc_id, index, context):
                key = (event.source.code, event.source.span, event.target.code if event.target else None,
                       event.cameo)
                if key not in seen:
                    seen.add(key)
                    events.append(event)
        return events

    # ---- step 1: triggers -----------------------------------------------------------------------------
    def _find_triggers(self, sent: Span) -> list[Trigger]:
        found = []
        for tok, match in trigger_matches(sent, self.lexicon):
            trig = Trigger(match.token, match.pattern, tok, code=match.pattern.code)
            if match.token is not tok:
                trig.notes.append(f"nominal via '{tok.lemma_}'")
            found.append(trig)
        return found

    # ---- step 2: frames -------------------------------------------------------------------------------
    def _resolve_frames(self, triggers: list[Trigger]) -> list[Trigger]:
        by_token = {t.verb.i: t for t in triggers}
        words = modality.modality_words()
        drop: set[int] = set()
        for trig in triggers:
            verb = trig.verb
            # Controlled verb: "agreed to meet", "urged Iran to talk".
            if verb.dep_ in ("xcomp", "acomp") and verb.head.i in by_token:
                head = by_token[verb.head.i]
                if token_lemma(verb) in head.pattern.words:
                    drop.add(id(trig))  # the head's pattern already covers it ("threaten to attack")
                    continue
                if token_lemma(head.verb) in words.intent_verbs or head.code in STATEMENT_CODES:
                    drop.add(id(head))
                else:
                    drop.add(id(trig))
                    continue
            governor = modality.intent_governor(verb)
            if governor is not None:
                # "agreed to send aid" is an intent (03); "vowed to attack", "prepared to impose martial law" a threat (13)
                mapped = modality.intent_code(trig.code) or (
                    modality.threat_code(trig.code) if trig.code[:2] >= "14" else None)
                if mapped:
                    trig.notes.append(f"intent via '{governor.lemma_}': {trig.code}->{mapped}")
                    trig.code = mapped
                    trig.intent_by = governor
            speech = modality.speech_frame(verb)
            if speech is not None:
                trig.speech_by = speech
                if speech.i in by_token:
                    drop.add(id(by_token[speech.i]))
        kept = [t for t in triggers if id(t) not in drop]
        for trig in kept:
            if trig.code in STATEMENT_CODES and token_lemma(trig.verb) in words.speech_verbs:
                self._statement_as_demand(trig)
        if not self.keep_statements:
            kept = [t for t in kept if t.code not in STATEMENT_CODES]
        return kept

    @staticmethod
    def _statement_as_demand(trig: Trigger) -> None:
        """"X declared that Y must drop its barriers": a statement of what someone else must do is a
        demand (CAMEO 100), even when the demanded action is not in the lexicon."""
        for clause in trig.verb.children:
            if clause.dep_ != "ccomp" or not modality.has_obligation(clause):
                continue
            subject, _ = args.find_subject(clause)
            if subject is not None and subject.pos_ != "PRON":
                trig.code, trig.target_override = "100", subject
                trig.notes.append(f"demand: '{trig.verb.text} that ... {clause.text}'")
                return

    # ---- step 3: arguments and actors -----------------------------------------------------------------
    def _code_trigger(self, trig: Trigger, sent: Span, doc_id: str, index: int,
                      context: "DocumentContext") -> list[Event]:
        verb = trig.verb
        subject, passive = args.find_subject(verb)
        if passive:
            target_heads = [subject] if subject is not None else []
            agent = args.passive_agent(verb)
            source_head = agent
            notes = ["passive"]
        else:
            source_head = subject
            target_heads = [trig.target_override] if trig.target_override is not None else \
                self._target_candidates(trig)
            notes = []
        sources = self._actors_for(source_head, sent, context) if source_head is not None else []
        if not sources and trig.code[:2] not in UNKNOWN_SOURCE_ROOTS:
            return []
        targets: list[Actor] = []
        venue = trig.code[:2] in ("04", "14")  # where a meeting or protest happens names its target
        for head in target_heads:
            targets = self._actors_for(head, sent, context)
            if targets:
                break
            for inner in args.inner_actor_candidates(head, venue=venue):
                targets = self._actors_for(inner, sent, context)
                if targets:
                    context.remember_object(head, targets)
                    break
            if not targets:
                # "attend the meeting": the meeting named earlier ("a meeting in Moscow convened by Russia")
                targets = context.earlier_object(head, sent)
                if targets:
                    notes.append(f"target from earlier '{head.lemma_}'")
            if targets:
                break
        if not targets and venue and not (len(sources) >= 2 and self._is_symmetric(trig)):
            for place in args.venue_objects(verb):
                targets = [t for t in self._actors_for(place, sent, context)
                           if t.country not in {s.country for s in sources}]
                if targets:
                    notes.append("target from venue")
                    for head in target_heads[:1]:
                        context.remember_object(head, targets)
                    break

        if not sources:
            # "Three soldiers were killed by a roadside bomb": violence is worth recording with an unknown
            # perpetrator, but only when we know who it hit.
            if not targets:
                return []
            sources = [self._unknown_perpetrator(source_head, verb, sent, context)]
            notes.append("unknown perpetrator")

        code = trig.code
        negated = modality.is_negated(verb) or (trig.token is not verb and
                                               any(c.dep_ == "neg" for c in trig.token.children))
        hypothetical = modality.is_hypothetical(verb) and trig.intent_by is None
        if trig.intent_by is not None and negated:  # "did not agree to meet" is a refusal
            mapped = modality.reject_code(trig.pattern.code)
            if mapped:
                notes.append(f"refusal: {code}->{mapped}")
                code, negated = mapped, False

        attributed_to = None
        if trig.speech_by is not None:
            speaker_head, _ = args.find_subject(trig.speech_by)
            speakers = self._actors_for(speaker_head, sent, context) if speaker_head is not None else []
            attributed_to = speakers[0] if speakers else None
            words = modality.modality_words()
            speaker_acts = attributed_to is not None and attributed_to.code == sources[0].code
            alleging = token_lemma(trig.speech_by) in words.allegation_verbs
            if speaker_acts and alleging and code[:2] >= "14":
                # "X claimed (that) it attacked Y": X claims responsibility.
                notes.append(f"claim of responsibility: {code}->015")
                code, attributed_to = "015", None
            elif attributed_to is not None and alleging and code[:2] >= "14":
                # "X claimed that Y attacked Z": the event coded is X accusing Y.
                notes.append(f"allegation via '{trig.speech_by.lemma_}': {code}->112")
                targets, sources, code = sources, [attributed_to], "112"
                attributed_to = None
            elif (attributed_to is not None and not speaker_acts and trig.intent_by is None
                  and modality.has_obligation(verb)):
                # "X said Y must withdraw": X demands it of Y.
                new_code = modality.demand_code(code)
                notes.append(f"demand via '{trig.speech_by.lemma_}': {code}->{new_code}")
                targets, sources, code = sources, [attributed_to], new_code
                attributed_to, hypothetical = None, False
            elif speaker_acts and trig.intent_by is None and modality.has_future(verb):
                # "X said it would release / attack / not meet Y": X states its intention.
                stated = modality.stated_intention(code, negated=negated, conditional=modality.is_conditional(verb))
                if stated:
                    notes.append(f"stated {stated[1]}: {code}->{stated[0]}")
                    code, negated, hypothetical = stated[0], False, False

        if (trig.speech_by is None and trig.intent_by is None and modality.has_will(verb)
                and not modality.is_conditional(verb)):
            # "X will send troops": an announced action is an intention (CAMEO 03) or a threat (13).
            stated = modality.stated_intention(code, negated=negated)
            if stated:
                notes.append(f"announced {stated[1]}: {code}->{stated[0]}")
                code, negated, hypothetical = stated[0], False, False

        pairs: list[tuple[Actor, Optional[Actor]]] = []
        if targets:
            pairs = [(s, t) for s in sources for t in targets]
        elif len(sources) >= 2 and self._is_symmetric(trig):
            pairs = [(s, t) for s in sources for t in sources if s is not t]  # "X and Y met": each on the other
        else:
            pairs = [(s, None) for s in sources]

        trigger_span = (trig.token.idx - sent.start_char, trig.token.idx + len(trig.token) - sent.start_char)
        rule = f"verbs.yaml:{trig.pattern.code} '{trig.pattern.text}'"
        all_notes = trig.notes + notes
        if all_notes:
            rule += " [" + "; ".join(all_notes) + "]"

        events = []
        for source, target in pairs:
            if target is not None and (source.span == target.span or _same_actor(source, target)):
                continue
            events.append(self._make_event(doc_id, index, sent, source, target, code, trig, rule,
                                           negated, hypothetical, attributed_to, trigger_span))
        return events

    @staticmethod
    def _is_symmetric(trig: Trigger) -> bool:
        symmetric = modality.modality_words().symmetric_verbs
        lemmas = {token_lemma(trig.verb), token_lemma(trig.token), *trig.pattern.words}
        lemmas |= {token_lemma(c) for c in trig.verb.children if c.dep_ == "xcomp"}
        return bool(lemmas & symmetric)

    def _target_candidates(self, trig: Trigger) -> list[Token]:
        verb, noun = trig.verb, trig.token
        heads: list[Token] = []
        if noun is not verb:  # nominal trigger: "held talks with X", "launched an attack on X"
            heads += [pobj for _, pobj in args.prepositional_objects(noun, tuple(trig.pattern.words))]
        else:
            obj = args.direct_object(verb)
            if obj is not None:
                heads.append(obj)
            # Controlled verbs take their object from the xcomp: "agreed to meet Y", "threatened to attack Y".
            for child in verb.children:
                if child.dep_ == "xcomp":
                    inner = args.direct_object(child)
                    if inner is not None:
                        heads.append(inner)
                    heads += [p for _, p in args.prepositional_objects(child, tuple(trig.pattern.words))]
        preferred = tuple(trig.pattern.words) + PREFERRED_PREPOSITIONS.get(trig.code[:2], ())
        heads += [pobj for _, pobj in args.prepositional_objects(verb, preferred)]
        return heads

    def _actors_for(self, head: Token, sent: Span, context: "DocumentContext") -> list[Actor]:
        """All actors a noun phrase names, one per coordinated conjunct."""
        if head is None:
            return []
        if head.pos_ == "PRON":
            return self._pronoun_actors(head, sent, context)
        if head.pos_ == "NOUN" and any(c.lower_ in ("both", "two", "three") for c in head.children):
            group = context.actors.resolve_nominal_group(args.phrase_span(head), sent)  # "the two sides"
            if group:
                return group
        actors: list[Actor] = []
        for conj in args.conjuncts(head):
            split = args.modifier_conjuncts(conj)
            if split:
                head_actor = self._resolve(conj, sent, context)
                for mod in split:
                    mod_actor = self.resolver.resolve_span(sent.doc[mod.i: mod.i + 1])
                    if mod_actor is not None:
                        actors.append(_combine(mod_actor, head_actor, mod, conj, sent))
                if actors:
                    continue
            actor = self._resolve(conj, sent, context)
            if actor is not None:
                actors.append(actor)
        return actors

    def _pronoun_actors(self, pron: Token, sent: Span, context: "DocumentContext") -> list[Actor]:
        """"Russia said it would ...": a pronoun subject of a reported clause is the reporter.
        Otherwise the most recent fitting actor of the document."""
        if pron.lower_ in modality.modality_words().reflexives:  # "Iraq attacked itself"
            subject, _ = args.find_subject(pron.head)
            if subject is not None and subject.pos_ != "PRON":
                return [_as_mention(a, pron, sent, f"reflexive -> {a.text}")
                        for a in self._actors_for(subject, sent, context)]
            return []
        clause = pron.head
        for _ in range(4):
            if clause.dep_ in ("ccomp", "advcl", "xcomp", "conj") and clause.head is not clause:
                matrix = clause.head
                subject, _ = args.find_subject(matrix)
                if subject is not None and subject.pos_ != "PRON" and subject.i != pron.i:
                    found = self._actors_for(subject, sent, context)
                    if found:
                        return [_as_mention(a, pron, sent, f"pronoun -> {a.text}") for a in found]
                clause = matrix
            else:
                break
        found = context.actors.resolve_pronoun(pron, sent)
        for actor in found:
            context.actors.observe(actor, pron)
        return found

    def _resolve(self, head: Token, sent: Span, context: "DocumentContext") -> Optional[Actor]:
        span = args.phrase_span(head)
        actor = self.resolver.resolve_span(span, date=context.date, memory=context.actors)
        if (actor is None or actor.country is None) and head.pos_ == "NOUN":
            # "the insurgent group", "the ministry": an earlier actor of the document
            actor = context.actors.resolve_nominal(span, sent) or actor
        if actor is None or actor.country is None:
            # a bare surname named earlier with a title ("Kabulov" after "Russian envoy Zamir Kabulov")
            actor = context.actors.person(span) or actor
        if actor is not None and actor.country is None and actor.code.startswith("---"):
            actor = self._complete_country(actor, head, sent) or actor
        if actor is None and self.fallback_actors:
            actor = _entity_fallback(head, span, sent)
        if actor is not None and actor.span is None:
            actor.span = (span.start_char - sent.start_char, span.end_char - sent.start_char)
        if actor is not None:
            context.actors.observe(actor, span)
        return actor

    def _unknown_perpetrator(self, head: Optional[Token], verb: Token, sent: Span,
                             context: "DocumentContext") -> Actor:
        """Who did it when no actor is named: "killed in Israeli tank shelling" still says Israel."""
        for prep in verb.children:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "by"):
                for pobj in prep.children:
                    for inner in args.inner_actor_candidates(pobj):
                        found = self._actors_for(inner, sent, context)
                        if found:
                            return found[0]
        if head is not None:
            span = args.phrase_span(head)
            start = span.start_char - sent.start_char
            return Actor(text=span.text, code="---", span=(start, start + len(span.text)), how="unknown perpetrator")
        return Actor(text="", code="---", how="unknown perpetrator")

    def _complete_country(self, actor: Actor, head: Token, sent: Span) -> Optional[Actor]:
        """"ministers from the Georgian government", "dissidents from Egypt": a sector-only actor takes the
        country of its 'from'/'of' phrase."""
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ in ("from", "of"):
                for pobj in prep.children:
                    if pobj.dep_ != "pobj":
                        continue
                    found = self.resolver.resolve_span(args.phrase_span(pobj))
                    if found is not None and found.country:
                        sector = actor.sector or found.sector
                        return Actor(text=actor.text, code=found.country + (sector or ""), country=found.country,
                                     sector=sector, span=actor.span, how=f"{actor.how} + {prep.lower_} {found.how}")
        return None

    def _make_event(self, doc_id, index, sent, source, target, code, trig, rule, negated, hypothetical,
                    attributed_to, trigger_span) -> Event:
        info = ontology.cameo(code)
        return Event(
            doc_id=doc_id, sentence_index=index, sentence=sent.text.rstrip(), sentence_start=sent.start_char,
            source=source, target=target, cameo=code, trigger=trig.token.text, rule=rule,
            goldstein=info.goldstein, quad_class=info.quad_class, plover=info.plover or None,
            mode=info.mode, context=info.context, negated=negated, hypothetical=hypothetical,
            attributed_to=attributed_to, trigger_span=trigger_span,
        )


class DocumentContext:
    """What the coder remembers across the sentences of one document: its actors (for pronouns,
    descriptions such as "the insurgent group" and bare surnames; see actors.coref), the publication
    date (people's offices are dated), and the receivers named inside event objects ("a meeting
    convened by Russia"), for later definite mentions ("the meeting")."""

    def __init__(self, date=None):
        self.actors = DocumentActors()
        self.date = date
        self.objects: dict[str, list[Actor]] = {}

    def remember_object(self, noun: Token, targets: list[Actor]) -> None:
        if noun.pos_ == "NOUN":
            self.objects[noun.lemma_.lower()] = targets

    def earlier_object(self, noun: Token, sent: Span) -> list[Actor]:
        definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in noun.children)
        if noun.pos_ != "NOUN" or not definite:
            return []
        found = self.objects.get(noun.lemma_.lower(), [])
        return [_as_mention(a, noun, sent, f"same {noun.lemma_} as before -> {a.text}") for a in found]


def _as_mention(actor: Actor, tok: Optional[Token], sent: Span, how: str, span: Optional[Span] = None) -> Actor:
    """A copy of a known actor for a new mention (pronoun, bare name) at this place in the sentence."""
    if tok is not None:
        text, start, end = tok.text, tok.idx, tok.idx + len(tok)
    else:
        text, start, end = span.text, span.start_char, span.end_char
    return Actor(text=text, code=actor.code, country=actor.country, sector=actor.sector,
                 span=(start - sent.start_char, end - sent.start_char), how=how)


def _same_actor(a: Actor, b: Actor) -> bool:
    """The same mention twice, or a reflexive ("Iraq attacked itself"): not an event between two actors."""
    return a.code == b.code and (a.text.lower() == b.text.lower() or b.how.startswith("reflexive"))


def _combine(mod_actor: Actor, head_actor: Optional[Actor], mod: Token, head: Token, sent: Span) -> Actor:
    """"the US and Afghan government": the country from the modifier, the sector from the shared head."""
    sector = head_actor.sector if head_actor else None
    country = mod_actor.country
    code = (country or mod_actor.code[:3]) + (sector or "") if country else mod_actor.code
    start = mod.idx - sent.start_char
    return Actor(text=f"{mod.text} … {head.text}", code=code, country=country, sector=sector,
                 span=(start, start + len(mod)), how=f"{mod_actor.how} + head '{head.text}'")


def _entity_fallback(head: Token, span: Span, sent: Span) -> Optional[Actor]:
    """A named entity we cannot code is still an actor, with an unknown code ("---")."""
    if head.ent_type_ in FALLBACK_ENTITY_LABELS and head.pos_ == "PROPN":
        ent = next((e for e in sent.ents if e.start <= head.i < e.end), None)
        text = ent.text if ent is not None else head.text
        start = (ent.start_char if ent is not None else head.idx) - sent.start_char
        return Actor(text=text, code="---", country=None, sector=None, span=(start, start + len(text)),
                     how=f"unresolved {head.ent_type_} entity")
    return None
