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
from ..nlp import entity_of
from ..records import Actor, Event
from . import arguments as args
from . import modality
from .candidates import Candidate, Mention
from .features import candidate_features
from .lexicon import Pattern, VerbLexicon, default_lexicon, token_lemma, trigger_matches
from .scorer import CandidateScorer, packaged_scorer, select

FALLBACK_ENTITY_LABELS = {"PERSON", "ORG", "NORP", "GPE"}
PLACE_ENTITY_LABELS = {"GPE", "LOC", "FAC"}
DOER_POS = ("NOUN", "PROPN", "PRON")  # a doer phrase another actor of the sentence may stand for
UNKNOWN_SOURCE_ROOTS = {"18", "19", "20"}
# The receiver of a withdrawal is where it withdraws from ("withdrew from Syria to Israel").
PREFERRED_PREPOSITIONS = {"08": ("from",), "16": ("from",)}  # violence is coded even when the perpetrator is not named
STATEMENT_CODES = {"010", "01"}
# Alternative readings proposed per trigger: actors inside its phrase, and elsewhere in the sentence.
MAX_SUBTREE_READINGS = 4
MAX_SENTENCE_READINGS = 3
# Dependents that can name an actor mention in a sentence (for the subtree/sentence readings).
MENTION_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "poss", "appos", "conj", "attr", "dative", "oprd",
                "compound", "amod", "nmod", "npadvmod"}
_DEFAULT = object()


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
    event_noun: bool = False  # a nominal trigger on its own ("the Turkish assault on Afrin"): token is verb


class EventExtractor:
    """Proposes candidate events per trigger (events.candidates) and keeps what the scorer accepts.

    ``scorer``: the learned candidate scorer (default: the packaged model); None keeps the argument rules'
    own reading of each trigger, with no confidence. ``min_confidence``: keep events at or above it
    (default: the scorer's threshold; 0 keeps the best reading of every trigger). ``collect``: return
    every candidate's event unselected, with its features, group and reading in ``Event.extra`` (for
    training the scorer: scripts/train_scorer.py)."""

    def __init__(self, lexicon: VerbLexicon | None = None, resolver: ActorResolver | None = None,
                 *, fallback_actors: bool = True, keep_statements: bool = False,
                 scorer: CandidateScorer | None | object = _DEFAULT, min_confidence: Optional[float] = None,
                 collect: bool = False):
        self.lexicon = lexicon or default_lexicon()
        self.resolver = resolver or ActorResolver()
        self.fallback_actors = fallback_actors
        self.keep_statements = keep_statements
        self.scorer = packaged_scorer() if scorer is _DEFAULT else scorer
        self.min_confidence = min_confidence
        self.collect = collect

    # ---- public -------------------------------------------------------------------------------------
    def extract(self, doc: Doc, doc_id: str, date=None) -> list[Event]:
        events: list[Event] = []
        context = DocumentContext(date=date)
        for index, sent in enumerate(doc.sents):
            events.extend(self.extract_sentence(sent, doc_id, index, context))
        return events

    def extract_sentence(self, sent: Span, doc_id: str, index: int,
                         context: "DocumentContext | None" = None) -> list[Event]:
        candidates = self.candidates(sent, doc_id, index, context)
        if self.collect:
            for c in candidates:
                c.event.extra.update(features=candidate_features(c), group=repr(c.group), reading=repr(c.reading))
            return [c.event for c in candidates]
        return select(candidates, self.scorer, self.min_confidence)

    def candidates(self, sent: Span, doc_id: str, index: int,
                   context: "DocumentContext | None" = None) -> list[Candidate]:
        """Every reading of every trigger in the sentence, before scoring."""
        context = context or DocumentContext()
        triggers = self._resolve_frames(self._find_triggers(sent))
        if not triggers:
            return []
        mentions = self._sentence_mentions(sent, context) if self._alternatives else []
        out: list[Candidate] = []
        sentence_text = sent.text.rstrip()  # once per sentence: Span.text joins the tokens on every call
        for trig in triggers:
            out.extend(self._trigger_candidates(trig, sent, doc_id, index, context, mentions, sentence_text))
        for c in out:
            c.n_triggers, c.n_mentions = len(triggers), len(mentions)
        return out

    @property
    def _alternatives(self) -> bool:
        """Alternative readings are proposed only when something will choose between them."""
        return self.scorer is not None or self.collect

    # ---- step 1: triggers -----------------------------------------------------------------------------
    def _find_triggers(self, sent: Span) -> list[Trigger]:
        found = []
        for tok, match in trigger_matches(sent, self.lexicon):
            trig = Trigger(match.token, match.pattern, tok, code=match.pattern.code, event_noun=match.event_noun)
            if match.token is not tok:
                trig.notes.append(f"nominal via '{tok.lemma_}'")
            elif match.event_noun:
                trig.notes.append("event noun")
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
    def _trigger_candidates(self, trig: Trigger, sent: Span, doc_id: str, index: int,
                            context: "DocumentContext", mentions: list[Mention],
                            sentence_text: Optional[str] = None) -> list[Candidate]:
        verb = trig.verb
        keys: list[str] = []
        if trig.event_noun:
            subject, passive = args.nominal_source(verb), False
        else:
            subject, passive = args.find_subject(verb)
        if trig.event_noun:
            source_head = subject
            target_heads = args.nominal_targets(verb, tuple(trig.pattern.words))
            notes = []
            keys.append("event_noun")
        elif passive:
            target_heads = [subject] if subject is not None else []
            agent = args.passive_agent(verb)
            source_head = agent
            notes = ["passive"]
            keys.append("passive")
        else:
            source_head = subject
            target_heads = [trig.target_override] if trig.target_override is not None else \
                self._target_candidates(trig)
            notes = []
        sources = self._actors_for(source_head, sent, context) if source_head is not None else []
        # A doer the actor rules cannot resolve ("the enemy", an unknown pronoun) may be another actor of
        # the sentence; with no doer at all (a gerund, an infinitive) there is no one to look for.
        alternative_sources = self._other_mentions(mentions, trig, exclude=()) \
            if not sources and source_head is not None and source_head.pos_ in DOER_POS else []
        if not sources and not alternative_sources and trig.code[:2] not in UNKNOWN_SOURCE_ROOTS:
            return []
        targets: list[Actor] = []
        target_head: Optional[Token] = None
        venue = trig.code[:2] in ("04", "14")  # where a meeting or protest happens names its target
        def others(found: list[Actor]) -> list[Actor]:  # "closed its border with Syria": not Turkey itself
            return [t for t in found if not any(_same_actor(src, t) for src in sources)]

        for head in target_heads:
            targets = others(self._actors_for(head, sent, context))
            if targets:
                target_head = head
                break
            for inner in args.inner_actor_candidates(head, venue=venue):
                targets = others(self._actors_for(inner, sent, context))
                if targets:
                    target_head = inner
                    keys.append("inner_target")
                    context.remember_object(head, targets)
                    break
            if not targets:
                # "attend the meeting": the meeting named earlier ("a meeting in Moscow convened by Russia")
                targets = context.earlier_object(head, sent)
                if targets:
                    target_head = head
                    keys.append("earlier_object")
                    notes.append(f"target from earlier '{head.lemma_}'")
            if targets:
                break
        # Where a meeting or protest happens is not its target ("NATO ministers met in Brussels"), but it can be
        # the host: the place is offered as its own reading, for the scorer to judge (with no scorer, the
        # rules take it when nothing else is found, as before).
        venue_head: Optional[Token] = None
        venue_targets: list[Actor] = []
        if venue and not (len(sources) >= 2 and self._is_symmetric(trig)):
            for place in args.venue_objects(verb):
                venue_targets = [t for t in self._actors_for(place, sent, context)
                                 if t.country not in {s.country for s in sources}]
                if venue_targets:
                    venue_head = place
                    break
        if not targets and venue_targets and not self._alternatives:
            targets, target_head = venue_targets, venue_head
            keys.append("venue")
            notes.append("target from venue")
            for head in target_heads[:1]:
                context.remember_object(head, targets)

        if not sources and not alternative_sources:
            # "Three soldiers were killed by a roadside bomb": violence is worth recording with an unknown
            # perpetrator, but only when we know who it hit.
            if not targets:
                return []
            sources = [self._unknown_perpetrator(source_head, verb, sent, context)]
            notes.append("unknown perpetrator")
            keys.append("unknown_perpetrator")

        code = trig.code
        negated = modality.is_negated(verb) or (trig.token is not verb and
                                               any(c.dep_ == "neg" for c in trig.token.children))
        clause = verb.head if trig.event_noun and verb.head.pos_ in ("VERB", "AUX") else verb
        hypothetical = modality.is_hypothetical(clause) and trig.intent_by is None
        if trig.intent_by is not None and negated:  # "did not agree to meet" is a refusal
            mapped = modality.reject_code(trig.pattern.code)
            if mapped:
                notes.append(f"refusal: {code}->{mapped}")
                keys.append("refusal")
                code, negated = mapped, False

        attributed_to = None
        if trig.intent_by is not None:
            keys.append("intent")
        if trig.target_override is not None:
            keys.append("statement_demand")
        if trig.speech_by is not None:
            keys.append("speech")
            speaker_head, _ = args.find_subject(trig.speech_by)
            speakers = self._actors_for(speaker_head, sent, context) if speaker_head is not None else []
            attributed_to = speakers[0] if speakers else None
            words = modality.modality_words()
            speaker_acts = attributed_to is not None and bool(sources) and attributed_to.code == sources[0].code
            alleging = token_lemma(trig.speech_by) in words.allegation_verbs
            if speaker_acts and alleging and code[:2] >= "14":
                # "X claimed (that) it attacked Y": X claims responsibility.
                notes.append(f"claim of responsibility: {code}->015")
                keys.append("claim")
                code, attributed_to = "015", None
            elif attributed_to is not None and alleging and code[:2] >= "14":
                # "X claimed that Y attacked Z": the event coded is X accusing Y.
                notes.append(f"allegation via '{trig.speech_by.lemma_}': {code}->112")
                keys.append("allegation")
                targets, sources, code = sources, [attributed_to], "112"
                target_head, source_head = source_head, None
                attributed_to = None
            elif (attributed_to is not None and not speaker_acts and trig.intent_by is None
                  and modality.has_obligation(verb)):
                # "X said Y must withdraw": X demands it of Y.
                new_code = modality.demand_code(code)
                notes.append(f"demand via '{trig.speech_by.lemma_}': {code}->{new_code}")
                keys.append("demand")
                targets, sources, code = sources, [attributed_to], new_code
                target_head, source_head = source_head, None
                attributed_to, hypothetical = None, False
            elif speaker_acts and trig.intent_by is None and modality.has_future(verb):
                # "X said it would release / attack / not meet Y": X states its intention.
                stated = modality.stated_intention(code, negated=negated, conditional=modality.is_conditional(verb))
                if stated:
                    notes.append(f"stated {stated[1]}: {code}->{stated[0]}")
                    keys.append("stated")
                    code, negated, hypothetical = stated[0], False, False

        if (trig.speech_by is None and trig.intent_by is None and modality.has_will(verb)
                and not modality.is_conditional(verb)):
            # "X will send troops": an announced action is an intention (CAMEO 03) or a threat (13).
            stated = modality.stated_intention(code, negated=negated)
            if stated:
                notes.append(f"announced {stated[1]}: {code}->{stated[0]}")
                keys.append("announced")
                code, negated, hypothetical = stated[0], False, False

        # The readings of this trigger, the argument rules' own first: (source reading, source head,
        # sources, target reading, target head, targets).
        readings: list[tuple[str, Optional[Token], list[Actor], str, Optional[Token], list[Actor]]] = []
        if sources:
            if targets:
                readings.append(("parse", source_head, sources, "parse", target_head, targets))
            elif len(sources) >= 2 and self._is_symmetric(trig):
                readings.append(("parse", source_head, sources, "symmetric", None, sources))
            else:
                readings.append(("parse", source_head, sources, "none", None, []))
        if self._alternatives:
            used = [m for m in (source_head, target_head, venue_head) if m is not None]
            if sources and targets:
                readings.append(("parse", source_head, sources, "none", None, []))
            if sources and venue_targets:
                readings.append(("parse", source_head, sources, "venue", venue_head, venue_targets))
            if sources:
                inside = self._other_mentions(mentions, trig, exclude=used, inside=True)
                for m in inside[:MAX_SUBTREE_READINGS]:
                    readings.append(("parse", source_head, sources, "subtree", m.head, [m.actor]))
                outside = self._other_mentions(mentions, trig, exclude=used + [m.head for m in inside], inside=False)
                for m in outside[:MAX_SENTENCE_READINGS]:
                    readings.append(("parse", source_head, sources, "sentence", m.head, [m.actor]))
            for m in alternative_sources[:MAX_SENTENCE_READINGS]:
                t_reading = "parse" if targets else "none"
                readings.append(("sentence", m.head, [m.actor], t_reading, target_head, targets))

        trigger_span = (trig.token.idx - sent.start_char, trig.token.idx + len(trig.token) - sent.start_char)
        rule = f"verbs.yaml:{trig.pattern.code} '{trig.pattern.text}'"
        all_notes = trig.notes + notes
        if all_notes:
            rule += " [" + "; ".join(all_notes) + "]"
        if trig.token is not verb:
            keys.append("nominal")
        specificity = self.lexicon.specificity(trig.pattern)

        out: list[Candidate] = []
        for s_reading, s_head, s_actors, t_reading, t_head, t_actors in readings:
            if t_reading == "symmetric":  # "X and Y met": each on the other
                pairs = [(s, t) for s in s_actors for t in s_actors if s is not t]
            elif t_actors:
                pairs = [(s, t) for s in s_actors for t in t_actors]
            else:
                pairs = [(s, None) for s in s_actors]
            reading_rule = rule if (s_reading, t_reading) in (("parse", "parse"), ("parse", "none"),
                                                                ("parse", "symmetric")) \
                else f"{rule} [reading: source {s_reading}, target {t_reading}]"
            for source, target in pairs:
                if target is not None and (source.span == target.span or _same_actor(source, target)):
                    continue
                event = self._make_event(doc_id, index, sent, source, target, code, trig, reading_rule,
                                         negated, hypothetical, attributed_to, trigger_span, sentence_text)
                out.append(Candidate(event=event, sentence=sent, trigger=trig.token, verb=verb,
                                     pattern=trig.pattern, source_head=s_head, target_head=t_head,
                                     source_reading=s_reading, target_reading=t_reading, notes=list(keys),
                                     specificity=specificity))
        return out

    def _sentence_mentions(self, sent: Span, context: "DocumentContext") -> list[Mention]:
        """Actors named in the sentence, each by its head token, resolved without the parse roles and
        without teaching the document context anything (only coded events do that)."""
        out: list[Mention] = []
        covered: set[int] = set()
        for tok in sent:
            if tok.i in covered or tok.dep_ not in MENTION_DEPS or tok.pos_ not in ("PROPN", "NOUN", "ADJ"):
                continue
            if tok.dep_ in ("compound", "amod", "nmod", "npadvmod") and not tok.ent_type_:
                continue
            if tok.dep_ in ("compound", "amod", "nmod", "npadvmod"):
                span = sent.doc[tok.i: tok.i + 1]
            else:
                span = args.phrase_span(tok)
            if not self._may_name_actor(tok, span):
                continue
            actor = self.resolver.resolve_span(span, date=context.date, memory=context.actors)
            if (actor is None or actor.country is None) and tok.pos_ == "PROPN":
                actor = context.actors.person(span) or actor
            if actor is None:
                continue
            if actor.span is None:
                actor.span = (span.start_char - sent.start_char, span.end_char - sent.start_char)
            covered.update(t.i for t in span)
            out.append(Mention(tok, actor))
        return out

    def _may_name_actor(self, head: Token, span: Span) -> bool:
        """Cheap test before resolving a phrase: a name (capitalised word or entity) or a sector word at
        its head ("troops", "the regime"). Common nouns ("the city", "people") are passed over."""
        if head.pos_ == "PROPN" or any(t.ent_type_ or t.text[:1].isupper() for t in span):
            return True
        dictionary = getattr(self.resolver, "dictionary", None)
        return dictionary is None or dictionary.sector(head.text, head.lemma_.lower()) is not None

    @staticmethod
    def _other_mentions(mentions: list[Mention], trig: Trigger, *, exclude, inside: Optional[bool] = None
                        ) -> list[Mention]:
        """Mentions other than the excluded heads (and the phrases they head), nearest to the trigger first;
        ``inside``: only those in (True) or out of (False) the trigger's own phrase."""
        excluded: set[int] = set()
        for head in exclude:
            excluded.update(t.i for t in args.phrase_span(head))
            excluded.add(head.i)
        root = trig.token if trig.token is not trig.verb else trig.verb
        subtree = {t.i for t in root.subtree}
        subject = args.nominal_source(trig.verb) if trig.event_noun else args.find_subject(trig.verb)[0]
        if subject is not None:
            subtree -= {t.i for t in subject.subtree}
        found = []
        for m in mentions:
            if m.head.i in excluded or m.head.i == trig.token.i:
                continue
            if inside is not None and (m.head.i in subtree) != inside:
                continue
            found.append(m)
        return sorted(found, key=lambda m: abs(m.head.i - trig.token.i))

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
        if actor is None and head.ent_type_ in PLACE_ENTITY_LABELS:
            actor = self._place_actor(head, sent, context)
        if actor is None and self.fallback_actors:
            actor = _entity_fallback(head, span, sent)
        if actor is not None and actor.span is None:
            actor.span = (span.start_char - sent.start_char, span.end_char - sent.start_char)
        if actor is not None:
            context.actors.observe(actor, span)
        return actor

    @staticmethod
    def _place_actor(head: Token, sent: Span, context: "DocumentContext") -> Optional[Actor]:
        """A town or region the actor tables do not know stands for its country ("an assault on Afrin"):
        the GeoNames place of that name in a country the document already named, else the most populous."""
        from ..places import load_gazetteer

        ent = entity_of(head)
        if ent is None:
            return None
        found = [c.place for c in load_gazetteer().lookup(ent.text) if c.place.kind != "country"]
        if not found:
            return None
        seen = context.actors.countries  # the countries named so far (kept up to date, not rebuilt per call)
        place = max(found, key=lambda p: (p.country in seen, p.population))
        start = ent.start_char - sent.start_char
        return Actor(text=ent.text, code=place.country, country=place.country, span=(start, start + len(ent.text)),
                     how=f"gazetteer:{place.name}({place.country}, {place.kind})")

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
        country of its 'from'/'of' phrase; "a court in Guyana", "police in Kenya": of its 'in' phrase, where
        the actor resolver says the sector is a local one (not "troops in Iraq")."""
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "inside"):
                span = sent.doc[args.phrase_span(head).start: prep.right_edge.i + 1]
                found = self.resolver.resolve_span(span)
                if found is not None and found.country and (found.sector or None) == (actor.sector or None):
                    return Actor(text=actor.text, code=found.code, country=found.country, sector=found.sector,
                                 span=actor.span, how=f"{actor.how} + in {found.how}")
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
                    attributed_to, trigger_span, sentence_text: Optional[str] = None) -> Event:
        info = ontology.cameo(code)
        return Event(
            doc_id=doc_id, sentence_index=index, sentence=sent.text.rstrip() if sentence_text is None else sentence_text,
            sentence_start=sent.start_char,
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
    """One actor on both sides: the same code (TUR -> TUR, USAGOV -> USAGOV), whether from the same mention,
    a reflexive ("Iraq attacked itself") or two names of it ("Turkey ... Ankara"). An event needs two actors;
    within one country they must differ in sector ("the army arrested opposition leaders": SYRMIL -> SYROPP).
    Actors of unknown country ("---") are different actors unless they are the same mention."""
    if a.code != b.code:
        return False
    if a.code.startswith("---"):
        return a.text.lower() == b.text.lower() or b.how.startswith("reflexive")
    return True


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
        ent = entity_of(head)
        text = ent.text if ent is not None else head.text
        start = (ent.start_char if ent is not None else head.idx) - sent.start_char
        return Actor(text=text, code="---", country=None, sector=None, span=(start, start + len(text)),
                     how=f"unresolved {head.ent_type_} entity")
    return None
