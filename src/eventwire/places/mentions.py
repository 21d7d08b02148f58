"""Find place mentions in a parsed document.

A mention is a spaCy GPE/LOC/FAC entity we can look up, or a run of proper nouns that the gazetteer knows
and the model missed or mislabelled ("outside Samarra" tagged NORP, "in Hyderabad" tagged ORG). Gazetteer-only
matches must sit in a locative phrase ("in/near/outside X", "the town of X") unless they are large cities
that no other entity claims, so that "Paris Hilton" or "Jordan said" do not become places.
A dateline ("GAZA CITY, Palestinian Territories:", "ISLAMABAD:") at the start of the body is a mention too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from spacy.tokens import Doc, Span, Token

from .gazetteer import ALT, Candidate, Gazetteer, Place
from ..nlp import entity_of

# Prepositions that put an event somewhere. "to"/"from"/"into" give a destination or origin: good enough for
# the event's own verb ("travelled to Moscow"), too weak for any other event of the sentence.
LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "around", "across", "throughout", "within",
                            "off", "into", "to", "toward", "towards", "from", "on", "along", "beyond", "over",
                            "via", "nearby", "through", "onto", "between"})
STRONG_LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "around", "across", "throughout",
                                   "within", "off", "nearby"})
# Nouns that keep us inside a locative phrase: "in the northern city of Kirkuk", "on the outskirts of Tripoli".
PLACE_NOUNS = frozenset({
    "city", "town", "village", "capital", "port", "province", "region", "district", "area", "outskirts",
    "suburb", "suburbs", "neighbourhood", "neighborhood", "border", "borders", "north", "south", "east", "west",
    "northeast", "northwest", "southeast", "southwest", "centre", "center", "heart", "streets", "street", "coast",
    "countryside", "state", "governorate", "part", "parts", "side", "edge", "enclave", "stronghold", "hometown",
    "island", "islands", "valley", "county", "oblast", "territory", "municipality", "quarter",
    "districts", "villages", "towns", "cities", "areas", "regions", "provinces", "downtown", "environs",
    "vicinity", "frontier", "shores", "mountains", "desert", "camp", "camps", "sector", "zone",
    "metropolis", "hub", "seat", "interior", "airport", "base", "prison", "jail", "mosque", "church", "square",
    "embassy", "consulate", "cathedral", "university", "court", "hospital", "market", "palace", "parliament",
})
# Heads of "in ..." phrases that are not places: "in support of Ukraine", "in the wake of".
NON_PLACE_HEADS = frozenset({
    "support", "favour", "favor", "name", "violation", "breach", "response", "honour", "honor", "memory",
    "solidarity", "protest", "case", "light", "view", "spite", "charge", "control", "aid", "behalf", "terms",
    "place", "wake", "face", "absence", "presence", "interest", "interests", "hands", "talks", "relations",
    "war", "conflict", "policy", "role", "opposition", "defence", "defense", "retaliation", "return",
    "exchange", "addition", "front", "run-up", "aftermath", "course", "context", "pursuit", "search",
})
REGION_WORDS = frozenset({"province", "governorate", "state", "region", "oblast", "county", "prefecture",
                          "territory", "department", "district", "provinces", "states", "regions"})
DIRECTION_WORDS = re.compile(r"^(?:(?:north|south|east|west|central|north-east|north-west|south-east|south-west|"
                             r"northeast|northwest|southeast|southwest|upper|lower|greater|eastern|western|northern|"
                             r"southern|north-eastern|north-western|south-eastern|south-western|northeastern|"
                             r"northwestern|southeastern|southwestern|occupied|rural)\s+)+", re.IGNORECASE)
_SUFFIX_WORDS = re.compile(r"\s+(?:province|governorate|state|region|city|district|oblast|county|area|"
                           r"territory|prefecture|municipality)$", re.IGNORECASE)
_OTHER_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "EVENT", "LAW", "PRODUCT", "LANGUAGE"})
_NAME_LINKS = frozenset({"al", "el", "de", "del", "la", "le", "of", "upon", "ez", "es", "ash", "as", "ad", "ar",
                         "an", "at", "az", "bin", "ibn", "abu", "bab", "dos", "do", "da", "das", "van", "der", "-",
                         "'s"})
BIG_CITY = 100_000  # a gazetteer-only match outside a locative phrase must be at least this big
BIG_PERSON_LIKE = 500_000  # ... and this big when the model took it for a person ("Perth", not "Bolton")
_CALENDAR_WORDS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august", "september",
                             "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
                             "friday", "saturday", "sunday"})

_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z'.\-]+(?: [A-Z][A-Z'.\-]+){0,3})"
    r"(?:,\s*(?P<qualifier>[A-Z][A-Za-z.'\-]+(?: [A-Za-z.'\-]+){0,3}?))?"
    r"\s*(?:\([A-Za-z .&-]{1,30}\))?\s*(?::|—|–|--| - )\s*")


@dataclass
class PlaceMention:
    start: int  # token index in the doc
    end: int  # exclusive
    text: str
    source: str  # ner | gazetteer | dateline
    candidates: list[Candidate]
    start_char: int = 0
    end_char: int = 0
    sent_start: int = 0  # token index where its sentence starts (-1 for the dateline)
    prep: Optional[Token] = None  # the locative preposition governing it
    region_word: bool = False  # "Idlib province": prefer a region reading
    qualifiers: list[Place] = field(default_factory=list)  # "Paris, Texas", "Lebanon's Tripoli"
    place: Optional[Place] = None
    how: str = ""  # how it was resolved

    @property
    def anchor(self) -> Optional[Token]:
        """What the locative preposition attaches to: the verb or noun the place modifies."""
        return prep_anchor(self.prep) if self.prep is not None else None

    @property
    def strong_locative(self) -> bool:
        """In a phrase that places things ("in", "near", "north of"), not just a direction ("to", "from")."""
        if self.prep is None:
            return False
        return self.prep.lower_ in STRONG_LOCATIVE_PREPS or self.prep.lower_ == "of"

    @property
    def ambiguous(self) -> bool:
        return len({c.place.country for c in self.candidates}) > 1


_DIRECTION_TOKENS = frozenset({"north", "south", "east", "west", "central", "northern", "southern", "eastern",
                               "western", "northeastern", "northwestern", "southeastern", "southwestern",
                               "northeast", "northwest", "southeast", "southwest", "upper", "lower", "-"})


def _trim_span(span: Span) -> Span:
    """Drop a leading determiner or lower-case direction ("northern Syria", "east London") and a trailing
    possessive or punctuation from an entity span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ == "the" or doc[start].is_punct or
                           doc[start].text in _DIRECTION_TOKENS):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].lower_ in ("'s", "'")):
        end -= 1
    return doc[start:end]


def _lookup_variants(text: str, gaz: Gazetteer) -> tuple[list[Candidate], bool]:
    """Candidates for an entity text, trying "northern Syria" -> "Syria" and "Idlib province" -> "Idlib".
    Returns (candidates, whether a region word was stripped)."""
    found = gaz.lookup(text)
    if found:
        return found, bool(_SUFFIX_WORDS.search(text)) and any(w in text.lower().split()[-1:] for w in REGION_WORDS)
    bare = DIRECTION_WORDS.sub("", text)
    if bare != text:
        found = gaz.lookup(bare)
        if found:
            return found, False
    stripped = _SUFFIX_WORDS.sub("", bare)
    if stripped != bare and stripped:
        region = stripped != bare and bare.lower().split()[-1] in REGION_WORDS
        return gaz.lookup(stripped), region
    return [], False


DIRECTION_NOUNS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
                             "north-east", "north-west", "south-east", "south-west", "outside"})


def governing_prep(tok: Token) -> Optional[Token]:
    """The locative preposition a place token sits under, climbing through compounds, appositions,
    coordinations and "the city of X" phrases; None when it is not in a locative phrase. For "north of X"
    it is the "of" (whose head, the direction word, stands in for the preposition)."""
    cur = tok
    for _ in range(6):
        dep = cur.dep_
        if dep == "pobj":
            prep = cur.head
            word = prep.lower_
            if word == "of":
                holder = prep.head
                if holder.lower_ in DIRECTION_NOUNS:
                    return prep  # "50km north of Santiago"
                if holder.pos_ in ("NOUN", "PROPN") and (holder.lemma_.lower() in PLACE_NOUNS or
                                                        holder.lower_ in PLACE_NOUNS):
                    cur = holder
                    continue
                return None
            if word in LOCATIVE_PREPS:
                if cur.i != tok.i and cur.lemma_.lower() in NON_PLACE_HEADS:
                    return None
                if word in ("on", "between") and cur.lemma_.lower() not in PLACE_NOUNS:
                    return None  # "sanctions on Moscow"; but "on the outskirts of"
                if word == "over" and prep.head.pos_ != "VERB":
                    return None  # "talks over Crimea"; but "shot down drones over Odessa"
                return prep
            return None
        if dep in ("compound", "appos", "conj", "nmod", "npadvmod") and cur.head.i != cur.i and _placeish(cur.head):
            cur = cur.head  # "Idlib province", "Tripoli, Lebanon", "Lagos and Abuja" - not "the US-Taliban deal"
            continue
        if dep == "poss" and (cur.head.lemma_.lower() in PLACE_NOUNS or cur.head.ent_type_ in ("GPE", "LOC", "FAC")):
            cur = cur.head  # "in Georgia's capital", "in Lebanon's Tripoli"
            continue
        return None
    return None


def _placeish(tok: Token) -> bool:
    """A head a place name can hang off and still be a place: a place noun or another place name."""
    return tok.lemma_.lower() in PLACE_NOUNS or tok.lower_ in PLACE_NOUNS or tok.ent_type_ in ("GPE", "LOC", "FAC") \
        or tok.pos_ == "PROPN" and tok.dep_ != "compound"


def prep_anchor(prep: Token) -> Token:
    """What a locative preposition attaches to ("north of X" attaches where "north" does)."""
    head = prep.head
    if prep.lower_ == "of" and head.lower_ in DIRECTION_NOUNS and head.head.i != head.i:
        return head.head
    return head


def _name_like(tok: Token) -> bool:
    """A token that can be part of a name the model missed: a proper noun, or a capitalised word the tagger
    took for a noun or adjective ("outside Samarra" as ADJ)."""
    return tok.pos_ == "PROPN" or (tok.text[:1].isupper() and tok.pos_ in ("NOUN", "ADJ", "X") and not tok.is_sent_start)


def _may_be_name(span: Span) -> bool:
    """Capitalised, and not a month or weekday ("March" is a town in England)."""
    return span.text[:1].isupper() and span.text.lower() not in _CALENDAR_WORDS


def _covered_entity(span: Span) -> Optional[Span]:
    """The non-place entity overlapping the span, if any."""
    for tok in span:
        if tok.ent_type_ in _OTHER_ENTITIES:
            ent = entity_of(tok)
            if ent is not None:
                return ent
    return None


def _only_places(ent: Span, gaz: Gazetteer) -> bool:
    """An entity that is just place names: "Karachi and Hyderabad" tagged ORG."""
    parts, current = [], []
    for tok in ent:
        if tok.lower_ in ("and", ",", "&", "or"):
            parts.append(current)
            current = []
        else:
            current.append(tok)
    parts.append(current)
    return all(p and any(c.how != ALT for c in gaz.lookup(ent.doc[p[0].i:p[-1].i + 1].text)) for p in parts)


def _accept_gazetteer_match(span: Span, candidates: list[Candidate], gaz: Gazetteer, people: set[str]) -> bool:
    """Whether a gazetteer match that spaCy did not tag as a place is one."""
    if all(c.how == ALT for c in candidates):
        return False
    prep = governing_prep(span.root)
    locative = prep is not None
    if span.text in people and (prep is None or prep.lower_ not in STRONG_LOCATIVE_PREPS):
        return False  # "Bolton said", "a response from Bolton" after "John Bolton"
    big = max(c.place.population for c in candidates) >= BIG_CITY
    other = _covered_entity(span)
    root = span.root
    if other is not None:
        if other.label_ == "PERSON" and len(other) > len(span):
            return False  # "Paris Hilton", "Jordan Peterson"
        if other.start == span.start and other.end == span.end or _only_places(other, gaz):
            # the whole entity is the name: "in Hyderabad" (ORG), "outside Samarra" (NORP), "left Perth";
            # a one-word "person" must be in a locative phrase ("Hassan", "Bolton")
            if other.label_ == "PERSON" and len(span) == 1:
                return locative or max(c.place.population for c in candidates) >= BIG_PERSON_LIKE
            return locative or big
        # part of a longer name: a place that modifies an institution ("University of Cambridge",
        # "Sanaa airport") is a place, the institution's own head word is not ("University")
        if root.i == other.root.i:
            return False
        return root.dep_ == "pobj" and root.head.lower_ == "of" or root.dep_ == "compound" and \
            root.head.lemma_.lower() in PLACE_NOUNS
    if locative:
        return True
    return big and span[-1].pos_ == "PROPN"


def people_names(doc: Doc) -> set[str]:
    """Words of the document's multi-word person names ("John Bolton" -> "Bolton", "John"): on their own
    later they are the person, not a town."""
    names = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) > 1:
            names.update(t.text for t in ent if t.text[:1].isupper())
    return names


def find_mentions(doc: Doc, gaz: Gazetteer, body_start: int = 0) -> list[PlaceMention]:
    """All place mentions of a document, in text order (the dateline first)."""
    mentions: list[PlaceMention] = []
    taken: set[int] = set()
    dateline = _dateline(doc, gaz, body_start)
    if dateline is not None:
        mentions.append(dateline)
        taken.update(range(dateline.start, dateline.end))
    people = people_names(doc)
    for ent in doc.ents:
        if ent.label_ not in ("GPE", "LOC", "FAC") or any(t.i in taken for t in ent):
            continue
        span = _trim_span(ent)
        if not len(span) or not _may_be_name(span):
            continue
        prep = governing_prep(span.root)
        if span.text in people and (prep is None or prep.lower_ not in STRONG_LOCATIVE_PREPS):
            continue  # "Pompeo" tagged GPE after "Mike Pompeo"
        candidates, region = _lookup_variants(span.text, gaz)
        if candidates and all(c.how == ALT for c in candidates) and \
                max(c.place.population for c in candidates) < BIG_CITY:
            continue  # an alternate name of a small town: too often something else
        if not candidates and ent.label_ in ("FAC", "LOC") or not candidates and len(span) > 1:
            sub = _inner_place(span, gaz)  # "Baghdad International Airport", "the Kabul-Jalalabad road"
            if sub is not None:
                span, candidates = sub
        if not candidates:
            continue
        nxt = doc[span.end] if span.end < len(doc) else None
        region = region or (nxt is not None and nxt.lower_ in REGION_WORDS)
        mentions.append(_mention(span, candidates, "ner", region))
        taken.update(range(span.start, span.end))
    mentions.extend(_gazetteer_mentions(doc, gaz, mentions, taken, people))
    for m in mentions:
        m.qualifiers = _qualifiers(doc, m, gaz)
    mentions.sort(key=lambda m: (m.source != "dateline", m.start))
    return mentions


def _mention(span: Span, candidates: list[Candidate], source: str, region: bool = False) -> PlaceMention:
    return PlaceMention(start=span.start, end=span.end, text=span.text, source=source, candidates=candidates,
                        start_char=span.start_char, end_char=span.end_char, sent_start=span.sent.start,
                        prep=governing_prep(span.root), region_word=region)


def _inner_place(span: Span, gaz: Gazetteer) -> Optional[tuple[Span, list[Candidate]]]:
    doc = span.doc
    for size in range(min(len(span) - 1, gaz.max_tokens), 0, -1):
        for i in range(span.start, span.end - size + 1):
            sub = doc[i:i + size]
            if not sub[0].text[:1].isupper():
                continue
            found = [c for c in gaz.lookup(sub.text) if c.how != ALT]
            if found:
                return sub, found
    return None


def _gazetteer_mentions(doc: Doc, gaz: Gazetteer, mentions: list[PlaceMention], taken: set[int],
                        people: set[str]) -> list[PlaceMention]:
    """Gazetteer names the model missed. A longer name swallows a mention it contains: "Santiago de Cuba"
    with "Cuba" tagged GPE, "Newcastle upon Tyne" with "Newcastle" tagged GPE."""
    out = []
    n = len(doc)
    starts = {m.start: m for m in mentions}
    ends = {m.end: m for m in mentions}
    i = 0
    while i < n:
        tok = doc[i]
        if not _name_like(tok) or not tok.text[:1].isupper() or i in taken and i not in starts:
            i += 1
            continue
        found = None
        for j in range(min(n, i + gaz.max_tokens), i, -1):
            inside = [k for k in range(i, j) if k in taken]
            if inside:
                # only a window that contains whole mentions, and is longer than them, may use taken tokens
                if any(k in taken and (k == i and i not in starts or k == j - 1 and j not in ends)
                       for k in (i, j - 1)) or len(inside) == j - i:
                    continue
                if any(doc[k].ent_type_ not in ("GPE", "LOC", "FAC", "") for k in inside):
                    continue
            last = doc[j - 1]
            if not _name_like(last) or any(not (_name_like(t) or t.lower_ in _NAME_LINKS) for t in doc[i:j]):
                continue
            span = doc[i:j]
            if span[-1].sent.start != doc[i].sent.start or not _may_be_name(span):
                continue
            candidates = gaz.lookup(span.text)
            if candidates and (inside and any(c.how != ALT for c in candidates) or
                               not inside and _accept_gazetteer_match(span, candidates, gaz, people)):
                found = (span, candidates, inside)
                break
        if found is None:
            i += 1
            continue
        span, candidates, inside = found
        if inside:
            swallowed = {id(m) for m in mentions if span.start <= m.start and m.end <= span.end}
            mentions[:] = [m for m in mentions if id(m) not in swallowed]
        nxt = doc[span.end] if span.end < n else None
        out.append(_mention(span, candidates, "gazetteer", nxt is not None and nxt.lower_ in REGION_WORDS))
        taken.update(range(span.start, span.end))
        i = span.end
    return out


def _dateline(doc: Doc, gaz: Gazetteer, body_start: int) -> Optional[PlaceMention]:
    head = doc.text[body_start: body_start + 120]
    m = _DATELINE.match(head)
    if m is None:
        return None
    name = m.group("place").strip()
    if len(name) < 3 or name.isdigit():
        return None
    candidates = gaz.lookup(name.title()) or gaz.lookup(name)
    if not candidates:
        return None
    start = body_start + m.start("place")
    span = doc.char_span(start, start + len(name), alignment_mode="expand")
    if span is None:
        return None
    mention = PlaceMention(start=span.start, end=span.end, text=name, source="dateline", candidates=candidates,
                           start_char=span.start_char, end_char=span.end_char, sent_start=-1)
    qualifier = m.group("qualifier")
    if qualifier:
        mention.qualifiers = gaz.qualifier(qualifier.strip())
    return mention


def _qualifiers(doc: Doc, m: PlaceMention, gaz: Gazetteer) -> list[Place]:
    """Places that narrow a mention down: "Paris, Texas", "Paris, Tex.", "Paris, in northeast Texas",
    "Lebanon's Tripoli". (Demonyms in the mention's own phrase are read by the resolver.)"""
    if m.source == "dateline":
        return m.qualifiers
    found: list[Place] = []
    i = m.end
    if i < len(doc) and doc[i].text == ",":
        j = i + 1
        if j < len(doc) and doc[j].lower_ in ("in", "near"):
            j += 1
            while j < len(doc) and (doc[j].lower_ == "the" or doc[j].pos_ == "ADJ" or
                                   DIRECTION_WORDS.match(doc[j].text + " ")):
                j += 1
        for size in range(4, 0, -1):
            if j + size > len(doc):
                continue
            places = gaz.qualifier(doc[j:j + size].text)
            if places:
                found.extend(places)
                break
    root = doc[m.start:m.end].root
    for child in root.children:  # "Lebanon's Tripoli"
        if child.dep_ == "poss":
            places = gaz.qualifier(doc[child.left_edge.i: child.i + 1].text) or gaz.qualifier(child.text)
            found.extend(places)
    return found
