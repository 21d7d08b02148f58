"""The "places" stage: give each event the place it happened.

Rules, first match wins (``Location.rule`` says which):

``verb_prep``    a place in a locative phrase on the event's verb, its nominal trigger or the verb's object:
                 "a meeting in Moscow", "clashes near Idlib", "held talks in Doha", "travelled to Kabul";
``verb_object``  the object of a verb of movement or attack: "visited Islamabad", "shelled Aleppo",
                 "entered Afrin" — even when the coder made it the event's target;
``host``         the host of a hosting event is where it happened: "Moscow hosted a meeting";
``sentence``     another locative place of the sentence ("... in northern Syria, officials said");
``dateline``     the document's dateline ("ISLAMABAD:").

A place inside the event's source or target span is an actor there, not a location ("Moscow said",
"accused Moscow", "talks with Moscow"). Three exceptions, where the syntax says "place": a strong locative
phrase on the verb ("a meeting in Moscow", even when the coder took the venue as the target), the object of a
verb of movement or attack ("visited Islamabad", "shelled Aleppo"), and the host of a hosting event.
"""
from __future__ import annotations

from typing import Optional

from spacy.tokens import Doc, Token

from eventwire.dates import event_verb
from ..pipeline import trigger_token
from ..records import Document, Event, Location
from .gazetteer import Gazetteer, load_gazetteer, place_key
from .mentions import PlaceMention, find_mentions
from .resolver import PlaceResolver

# Verbs whose object is the place where the event happens.
PLACE_OBJECT_VERBS = frozenset({
    "visit", "tour", "enter", "reach", "capture", "seize", "retake", "recapture", "besiege", "shell", "bomb",
    "strike", "hit", "attack", "storm", "raid", "invade", "occupy", "overrun", "liberate", "evacuate", "flee",
    "leave", "encircle", "surround", "bombard", "pound", "target", "take", "control", "rock", "blockade",
    "infiltrate", "cross", "patrol", "rule", "govern", "flood", "devastate", "ravage", "annex",
})
HOST_VERBS = frozenset({"host", "welcome", "receive"})
PRECISION_ORDER = {"city": 0, "admin1": 1, "country": 2}


class PlaceStage:
    """Find and resolve the place mentions of a document and attach a location to each event."""

    name = "places"

    def __init__(self, gazetteer: Gazetteer | None = None, resolver: PlaceResolver | None = None):
        self._gazetteer = gazetteer
        self._resolver = resolver

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer()
        return self._gazetteer

    @property
    def resolver(self) -> PlaceResolver:
        if self._resolver is None:
            self._resolver = PlaceResolver(self.gazetteer)
        return self._resolver

    # ---------------------------------------------------------------- public

    def __call__(self, parsed: Doc, document: Document, events: list[Event]) -> None:
        if not events:
            return  # nothing to locate: skip the work
        mentions = self.mentions(parsed, document, events)
        dateline = next((m for m in mentions if m.source == "dateline" and m.place is not None), None)
        by_sentence = _by_sentence(mentions)
        for event in events:
            location = self.locate(parsed, event, mentions, dateline, by_sentence)
            if location is not None:
                event.location = location

    def mentions(self, parsed: Doc, document: Document | None = None, events: list[Event] = ()) -> list[PlaceMention]:
        """The document's place mentions, resolved."""
        body_start = len(document.title) + 2 if document is not None and document.title else 0
        mentions = find_mentions(parsed, self.gazetteer, body_start)
        self.resolver.resolve(parsed, mentions, events)
        return [m for m in mentions if m.place is not None]

    def locate(self, parsed: Doc, event: Event, mentions: list[PlaceMention],
               dateline: Optional[PlaceMention] = None,
               by_sentence: Optional[dict[int, list[PlaceMention]]] = None) -> Optional[Location]:
        """The event's location. ``by_sentence``: ``mentions`` grouped by sentence start (`_by_sentence`), so
        that locating every event of a long document does not scan all its mentions for each one."""
        tok = trigger_token(parsed, event)
        if tok is None:
            return _location(dateline, "dateline") if dateline else None
        verb = event_verb(tok)
        sent_start = tok.sent.start
        if by_sentence is None:
            by_sentence = _by_sentence(mentions)
        in_sentence = by_sentence.get(sent_start, [])
        actor_chars = _actor_chars(event)

        def is_actor(m: PlaceMention) -> bool:
            return any(a < m.end_char and m.start_char < b for a, b in actor_chars)

        anchors = {t.i for t in _anchors(verb, tok)}
        # a place in a locative phrase is a place even when the coder took the venue as the target
        # ("attend a meeting in Moscow"); "talks to Moscow", "sanctions on Moscow" are not locative enough
        on_verb = [m for m in in_sentence if m.prep is not None and m.anchor.i in anchors and
                   (m.strong_locative or not is_actor(m))]
        if on_verb:
            return _location(_most_specific(on_verb, verb), "verb_prep")
        objects = _place_objects(verb, in_sentence)
        if objects:
            return _location(_most_specific(objects, verb), "verb_object")
        if verb.lemma_.lower() in HOST_VERBS or event.cameo.startswith("043"):
            hosts = [m for m in in_sentence if _is_subject_of(parsed, m, verb)]
            if hosts:
                return _location(_most_specific(hosts, verb), "host")
        # the sentence's place: a locative phrase on a clause ("clashes in Tripoli killed 12"), else any
        # locative phrase of the sentence ("demanded parties to the conflict in Iraq ...")
        free = [m for m in in_sentence if not is_actor(m)]
        around = [m for m in free if m.strong_locative and _clause_level(m.anchor) or _is_place_object(parsed, m)] \
            or [m for m in free if m.strong_locative]
        if around:
            return _location(_most_specific(around, verb), "sentence")
        if dateline is not None:
            return _location(dateline, "dateline")
        return None


# -------------------------------------------------------------------- helpers


def _by_sentence(mentions: list[PlaceMention]) -> dict[int, list[PlaceMention]]:
    """Mentions grouped by the start token of their sentence, each group in the order of ``mentions``."""
    out: dict[int, list[PlaceMention]] = {}
    for m in mentions:
        out.setdefault(m.sent_start, []).append(m)
    return out



def _anchors(verb: Token, trigger: Token) -> set[Token]:
    """Tokens whose locative phrases describe the event: the verb, the trigger, the verb's objects ("attend
    a meeting in Moscow"), a controlled verb ("agreed to meet in Geneva") and, for a relative or participle
    clause, the noun it modifies ("the talks, held in Doha")."""
    anchors = {verb, trigger}
    for child in verb.children:
        if child.dep_ in ("dobj", "attr", "nsubjpass", "oprd", "xcomp"):
            anchors.add(child)
        if child.dep_ == "prep" and child.lower_ not in ("of", "to", "against", "from", "on", "over", "about"):
            # "killed ... in a gunbattle in southeastern Serbia", "took part in talks in Geneva"
            anchors.update(c for c in child.children if c.dep_ == "pobj")
    if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("NOUN", "PROPN"):
        anchors.add(verb.head)
    if verb.dep_ == "xcomp":
        anchors.add(verb.head)
    return anchors


def _clause_level(anchor: Token) -> bool:
    """A locative phrase that says where something in the sentence happened: on a verb or on a noun that
    is a clause's subject or object ("clashes in Tripoli killed 12"), not deep inside a noun phrase
    ("contributes to peace in Afghanistan")."""
    return anchor.pos_ in ("VERB", "AUX") or anchor.dep_ in ("nsubj", "nsubjpass", "dobj", "ROOT", "attr")


def _actor_chars(event: Event) -> list[tuple[int, int]]:
    out = []
    for actor in (event.source, event.target, event.attributed_to):
        if actor is not None and actor.span is not None:
            out.append((event.sentence_start + actor.span[0], event.sentence_start + actor.span[1]))
    return out


def _place_objects(verb: Token, mentions: list[PlaceMention]) -> list[PlaceMention]:
    if verb.lemma_.lower() not in PLACE_OBJECT_VERBS:
        return []
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    objects += [c for o in objects for c in o.conjuncts]
    ids = {o.i for o in objects}
    return [m for m in mentions if any(i in ids for i in range(m.start, m.end))]


def _is_place_object(doc: Doc, m: PlaceMention) -> bool:
    root = doc[m.start:m.end].root
    return root.dep_ == "dobj" and root.head.lemma_.lower() in PLACE_OBJECT_VERBS


def _is_subject_of(doc: Doc, m: PlaceMention, verb: Token) -> bool:
    root = doc[m.start:m.end].root
    return root.head.i == verb.i and root.dep_ in ("nsubj", "nsubjpass")


def _most_specific(mentions: list[PlaceMention], verb: Token) -> PlaceMention:
    """A city over its region over its country ("in Kirkuk, Iraq"), then the nearest to the verb."""
    return min(mentions, key=lambda m: (PRECISION_ORDER[m.place.kind], abs(m.start - verb.i)))


def _location(m: PlaceMention, rule: str) -> Location:
    p = m.place
    # the gazetteer's name, but as the text spells it when that is only a variant ("Samarra", not "Sāmarrā’")
    name = m.text if place_key(m.text) == place_key(p.name) and not m.text.isupper() else p.name
    return Location(name=name, country=p.country, admin1=p.admin1, lat=p.lat, lon=p.lon,
                    geonames_id=p.geonames_id, precision=p.kind, rule=rule)
