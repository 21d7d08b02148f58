"""In-document coreference: pronouns, definite descriptions and bare names that point back to an
actor named earlier in the same document.

``DocumentActors`` is created per document and fed every resolved actor mention in text order
(``observe``). It then answers:

* ``resolve_pronoun(tok, sent)``: "he"/"she" -> the last person; "it"/"its" -> the last
  organisation or country; "they"/"them"/"their" -> the last coordinated group ("the US and NATO
  ... they"), plural or organisation; "we"/"our" -> the last collective speaker;
* ``resolve_nominal(span, sent)``: "the insurgent group", "the group", "the militants", "the
  country", "the alliance" -> the last compatible actor (a modifier must agree: "the insurgent group"
  wants an armed group, "the Palestinian group" a Palestinian one); ``resolve_nominal_group`` gives
  both actors of "the two sides", "both countries", "the two leaders";
* ``person(span)`` / ``lookup(name)``: "Kabulov" -> the code learned from "Russian envoy Zamir
  Kabulov" earlier in the document. ``lookup`` makes a DocumentActors usable as a ``memory`` for
  ``ActorResolver.resolve_span``.

Every returned Actor is a copy placed at the new mention (``span`` relative to its sentence) with
``how`` = "coref: 'the insurgent group' -> Taliban (confidence 0.85)" and an extra attribute
``confidence`` (0..1): higher for a close antecedent with no competitor, lower with distance and
with other compatible candidates in between.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional

from eventwire.actors.dictionary import load_dictionary
from eventwire.actors.people import name_key, name_runs
from eventwire.nlp import entities_in
from eventwire.records import Actor

PERSONAL = {"he", "him", "his", "himself", "she", "her", "hers", "herself"}
SINGULAR = {"it", "its", "itself"}
PLURAL = {"they", "them", "their", "theirs", "themselves"}
SPEAKER = {"we", "us", "our", "ours", "ourselves"}

# Head nouns of definite descriptions and what they can point back to.
GROUP_NOUNS = {"group", "movement", "outfit", "faction", "network", "militia", "insurgency"}
ORG_NOUNS = {"organisation", "organization", "body", "agency"}  # any organisation, IGOs included
ARMED_NOUNS = {"militant", "insurgent", "rebel", "fighter", "jihadist", "jihadi", "guerrilla", "guerilla",
               "extremist", "terrorist", "gunman", "attacker", "separatist", "islamist", "insurgency", "militia"}
COUNTRY_NOUNS = {"country", "nation", "state", "kingdom", "republic", "emirate"}
IGO_NOUNS = {"alliance", "bloc", "union", "coalition"}
SIDE_NOUNS = {"side", "party", "parties", "neighbour", "neighbor", "rival", "ally", "partner", "foe", "enemy",
              "adversary", "capital"}
PERSON_NOUNS = {"president", "minister", "premier", "chancellor", "envoy", "ambassador", "diplomat", "spokesman",
                "spokeswoman", "spokesperson", "leader", "chief", "general", "commander", "secretary", "king",
                "queen", "emir", "prince", "official", "representative", "negotiator", "governor", "mayor",
                "senator", "lawmaker", "judge", "prosecutor", "cleric", "ayatollah", "man", "woman", "politician"}
SECTOR_NOUNS = {"government", "administration", "army", "military", "ministry", "police", "authority",
                "authorities", "regime", "cabinet", "parliament", "president", "leadership", "navy", "troops",
                "forces", "junta", "presidency", "court", "judiciary", "opposition"}
DEFINITE = {"the", "this", "that", "these", "those", "both"}
ARMED = {"REB", "INS", "UAF", "SEP"}
_WINDOW = 4  # sentences back that an antecedent may be
_BASE = {0: 0.9, 1: 0.8, 2: 0.65, 3: 0.5, 4: 0.4}


@dataclass
class Mention:
    actor: Actor
    sent_index: int
    head_i: int
    start_i: int
    end_i: int
    person: bool
    plural: bool
    group: int
    subject: bool
    person_name: Optional[str] = None

    @property
    def known(self) -> bool:
        """An antecedent worth pointing at: a country or a known code, not an unresolved entity."""
        code = self.actor.code or ""
        return bool(self.actor.country) or not code.startswith("---")

    @property
    def kind(self) -> str:
        """person | country | organisation | sector (a country with a sector: "the Afghan government")."""
        a = self.actor
        if self.person:
            return "person"
        if a.country and a.code == a.country:
            return "country"
        if a.country and a.code == a.country + (a.sector or ""):
            return "sector"
        return "organisation"


class DocumentActors:
    """The actors of one document, for pronouns, descriptions and bare names (see module doc)."""

    def __init__(self) -> None:
        self.mentions: list[Mention] = []
        self.people: dict[str, list[tuple[str, Actor]]] = {}  # name key -> [(full name, actor)]
        self.countries: set[str] = set()  # the countries of the actors observed so far
        self._sent_index: dict[int, int] = {}
        self._doc = None
        self._next_group = 0
        # Indexes over `mentions`, so that each question costs the size of its answer, not of the document:
        self._by_sentence: dict[int, list[int]] = {}  # sentence index -> positions in `mentions`
        self._person_positions: list[int] = []  # positions of mentions of people
        self._by_group: dict[int, list[Mention]] = {}  # group -> its mentions, in order
        self._group_at: dict[tuple[int, int], int] = {}  # (sentence index, head token) -> the latest mention's group

    def _add(self, m: Mention) -> None:
        position = len(self.mentions)
        self.mentions.append(m)
        self._by_sentence.setdefault(m.sent_index, []).append(position)
        if m.person:
            self._person_positions.append(position)
        self._by_group.setdefault(m.group, []).append(m)
        self._group_at[(m.sent_index, m.head_i)] = m.group
        if m.actor.country:
            self.countries.add(m.actor.country)

    # ------------------------------------------------------------ feeding

    def observe(self, actor: Actor, span=None) -> None:
        """Record a resolved mention (``span``: the spaCy span or token it was resolved from)."""
        if actor is None:
            return
        if span is None:
            m = Mention(actor, self._last_sent(), -1, -1, -1, _looks_personal(actor), False, self._new_group(), False)
            self._add(m)
            return
        if not hasattr(span, "root"):  # a Token
            span = span.doc[span.i: span.i + 1]
        head = span.root
        sent_i = self._sentence_index(span)
        name = _person_name(actor, span)
        role_noun = head.lemma_.lower() in PERSON_NOUNS and head.tag_ not in ("NNS", "NNPS")
        named_head = head.ent_type_ == "PERSON" or (head.pos_ == "PROPN" and (name is not None or _looks_personal(actor)))
        # the tagger calls some groups people ("Boko Haram"): a name the tables know as a group is not one
        group_name = (actor.how or "").startswith("organisations.tsv") and not _looks_personal(actor)
        # the resolver knows a person by name even when the phrase's head is a role noun it does not list
        # ("Donald Trump's lawyer Rudy Giuliani": the head is "lawyer")
        person = role_noun or ((named_head or _looks_personal(actor)) and not group_name)
        if head.pos_ == "PRON":
            person = head.lower_ in PERSONAL or any(m.person and m.actor.code == actor.code
                                                      for m in self.mentions[-5:])
        plural = head.tag_ in ("NNS", "NNPS") or head.lower_ in PLURAL
        group = self._group_of(head, sent_i)
        self._add(Mention(actor, sent_i, head.i, span.start, span.end, person, plural, group,
                          head.dep_ in ("nsubj", "nsubjpass", "csubj"), name))
        if name and actor.code and not actor.code.startswith("---"):
            self._remember_name(name, actor)

    def remember(self, actor: Actor) -> None:
        """DocumentContext compatibility: observe without a span."""
        self.observe(actor, None)

    def remember_person(self, person_span, actor: Actor) -> None:
        """DocumentContext compatibility: ``person_span`` names the person ``actor`` describes."""
        if actor.country is None and (actor.code or "").startswith("---"):
            return
        self._remember_name(person_span.text, actor)

    # ------------------------------------------------------------ names

    def lookup(self, name: str, date=None) -> Optional[Actor]:
        """The actor a name (full or surname) was given earlier in this document; None when unknown
        or when two people of this document share the name."""
        found = self.people.get(name_key(name))
        if not found:
            return None
        codes = {a.code for _, a in found}
        if len(codes) > 1:
            return None
        full, actor = found[-1]
        return Actor(text=name, code=actor.code, country=actor.country, sector=actor.sector,
                     how=f"document:{full}({actor.how})")

    def person(self, span) -> Optional[Actor]:
        """A bare name in ``span`` that names a person seen earlier ("Kabulov")."""
        doc = span.doc
        tokens = list(span)
        for s, e in name_runs(tokens, set()):
            for start in range(s, e):
                found = self.lookup(doc[start:e].text)
                if found is not None:
                    return _placed(found, doc[start:e], f"same person as '{self._full_name(doc[start:e].text)}'",
                                   1.0 if start == s else 0.9)
        return None

    def _remember_name(self, name: str, actor: Actor) -> None:
        key = name_key(name)
        if not key:
            return
        keys = [key]
        words = key.split(" ")
        if len(words) > 1:
            keys.append(words[-1])
        for k in keys:
            bucket = self.people.setdefault(k, [])
            bucket[:] = [(n, a) for n, a in bucket if name_key(n) != key]  # the latest description wins
            bucket.append((name, actor))

    def _full_name(self, text: str) -> str:
        found = self.people.get(name_key(text))
        return found[-1][0] if found else text

    # ------------------------------------------------------------ pronouns

    def resolve_pronoun(self, tok, sent) -> list[Actor]:
        """Actors a pronoun refers to (several for "they" after "X and Y"); [] when unsure."""
        word = tok.lower_
        here = self._sentence_index(tok)
        before = [m for m in self._before(tok, here) if m.known]
        if word in PERSONAL:
            cands = [m for m in before if m.person]
            if not cands:  # people are referred to across paragraphs: any earlier person, less sure
                cands = [m for m in self._before(tok, here, window=len(self._starts), people_only=True)
                         if m.known and m.person]
        elif word in SINGULAR:
            cands = [m for m in before if not m.person and not (m.plural and m.kind != "organisation")]
        elif word in PLURAL:
            cands = [m for m in before if not m.person and (m.plural or m.kind == "organisation"
                                                            or self._group_size(m) > 1)]
        elif word in SPEAKER:
            cands = [m for m in before if not m.person and m.subject]
        else:
            return []
        if not cands:
            return []
        best = self._rank(cands, here)
        if word in PLURAL and self._group_size(best) > 1:
            members = self._group_members(best)
            conf = self._confidence(best, here, cands) * 0.95
            return [_placed(m.actor, tok, f"coref: '{tok.text}' -> {m.actor.text}", conf) for m in members]
        conf = self._confidence(best, here, cands)
        return [_placed(best.actor, tok, f"coref: '{tok.text}' -> {best.actor.text}", conf)]

    # ------------------------------------------------------------ descriptions

    def resolve_nominal(self, span, sent) -> Optional[Actor]:
        """The earlier actor a definite description points to ("the insurgent group"), or None."""
        found = self.resolve_nominal_group(span, sent)
        return found[0] if len(found) == 1 else None

    def resolve_nominal_group(self, span, sent) -> list[Actor]:
        """Like resolve_nominal, and "the two sides"/"both countries" give both actors."""
        desc = _describe(span)
        if desc is None:
            return []
        here = self._sentence_index(span)
        before = [m for m in self._before(span.root, here, start=span.start) if m.known]
        cands = [m for m in before if self._fits(m, desc)]
        if not cands:
            return []
        text = span.text
        if desc.count >= 2:
            members = self._pair(cands, here, desc.count)
            if len(members) < desc.count:
                return []
            conf = min(self._confidence(m, here, []) for m in members) * 0.8
            return [_placed(m.actor, span, f"coref: '{text}' -> {m.actor.text}", conf) for m in members]
        best = self._rank(cands, here)
        conf = self._confidence(best, here, cands) * desc.weight
        return [_placed(best.actor, span, f"coref: '{text}' -> {best.actor.text}", conf)]

    def _fits(self, m: Mention, d: "_Description") -> bool:
        a = m.actor
        if d.country and a.country != d.country:
            return False
        if d.kind == "person":
            return m.person
        if m.person:
            return False
        if d.kind == "armed":
            return (a.sector in ARMED or a.code.startswith("IMG")) and m.kind in ("organisation", "sector")
        if d.kind == "group":
            if d.sectors and not (a.sector in d.sectors or (d.sectors & ARMED and a.code.startswith("IMG"))):
                return False
            return m.kind == "organisation" and not a.code.startswith("IGO")
        if d.kind == "igo":
            return a.code.startswith("IGO")
        if d.kind == "org":
            return m.kind == "organisation"
        if d.kind == "country":
            return m.kind == "country" or (m.kind == "sector" and a.sector == "GOV")
        if d.kind == "sector":
            return a.sector in d.sectors and bool(a.country)
        if d.kind == "side":
            return True
        return False

    # ------------------------------------------------------------ ranking

    def _before(self, tok, here: int, start: Optional[int] = None, window: int = _WINDOW,
                people_only: bool = False) -> list[Mention]:
        """The mentions of the ``window`` sentences before sentence ``here`` and those of sentence ``here`` that end
        before ``tok`` (or ``start``), in the order they were observed."""
        limit = tok.i if start is None else start
        if people_only:
            positions = self._person_positions
        elif window <= len(self._by_sentence):
            positions = sorted(p for s in range(here - window, here + 1) for p in self._by_sentence.get(s, ()))
        else:
            positions = range(len(self.mentions))
        mentions = self.mentions
        return [m for m in (mentions[p] for p in positions)
                if here - window <= m.sent_index < here or (m.sent_index == here and 0 <= m.end_i <= limit)]

    def _rank(self, cands: list[Mention], here: int) -> Mention:
        """The topic first: the subject of one of the last two sentences beats a more recent mention that
        is no subject ("Bin Salman ... . Trump praised him. He has cosied up to Trump": he is bin Salman);
        then the most recent sentence; within a sentence, subjects, then the later mention."""
        return max(cands, key=lambda m: (m.subject and 0 < here - m.sent_index <= 2, m.sent_index,
                                         m.subject and m.sent_index < here, m.start_i))

    def _confidence(self, best: Mention, here: int, cands: list[Mention]) -> float:
        dist = max(0, here - best.sent_index)
        conf = _BASE.get(dist, 0.3)
        rivals = {m.actor.code for m in cands if m.sent_index >= best.sent_index and m.actor.code != best.actor.code
                  and m.group != best.group}
        if rivals:
            conf *= 0.75 if len(rivals) == 1 else 0.6
        return round(conf, 2)

    def _pair(self, cands: list[Mention], here: int, count: int) -> list[Mention]:
        """The last coordinated group with enough distinct actors, else the last distinct actors."""
        for m in sorted(cands, key=lambda m: (m.sent_index, m.start_i), reverse=True):
            members = [x for x in self._group_members(m) if x in cands]
            if len({x.actor.code for x in members}) >= count:
                return _distinct(members)[:count]
        ordered = sorted(cands, key=lambda m: (m.sent_index, m.start_i), reverse=True)
        return list(reversed(_distinct(ordered)[:count]))

    def _group_size(self, m: Mention) -> int:
        return len({x.actor.code for x in self._group_members(m)})

    def _group_members(self, m: Mention) -> list[Mention]:
        return [x for x in self._by_group.get(m.group, ()) if x.known]

    def _group_of(self, head, sent_i: int) -> int:
        """Conjuncts ("the US and NATO") share a group with their first conjunct; a phrase observed
        again (it fills several events) keeps its group."""
        group = self._group_at.get((sent_i, head.i))
        if group is not None:
            return group
        if head.dep_ == "conj":
            first = head.head
            while first.dep_ == "conj" and first.head is not first:
                first = first.head
            group = self._group_at.get((sent_i, first.i))
            if group is not None:
                return group
        return self._new_group()

    def _new_group(self) -> int:
        self._next_group += 1
        return self._next_group

    def _sentence_index(self, span_or_tok) -> int:
        doc = span_or_tok.doc
        if doc is not self._doc:
            self._doc = doc
            starts = [s.start for s in doc.sents] if (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")) else [0]
            self._sent_index = {s: i for i, s in enumerate(starts)}
            self._starts = starts
        i = span_or_tok.i if not hasattr(span_or_tok, "start") else span_or_tok.start
        # the sentence containing token i: the last start <= i
        lo, hi = 0, len(self._starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._starts[mid] <= i:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _last_sent(self) -> int:
        return self.mentions[-1].sent_index if self.mentions else 0


# ---------------------------------------------------------------- helpers


@dataclass
class _Description:
    kind: str  # armed | group | igo | org | country | sector | person | side
    count: int  # 2 for "the two sides"
    country: Optional[str]
    sectors: set
    weight: float


@functools.lru_cache(maxsize=1)
def _dictionary():
    return load_dictionary()


def _describe(span) -> Optional[_Description]:
    """Read a definite description: its class noun, number and modifiers; None if it is not one."""
    words = [t for t in span if not t.is_punct]
    if not words:
        return None
    first = words[0].lower_
    count = 2 if first == "both" or (first == "the" and len(words) > 1 and words[1].lower_ == "two") else 1
    if first not in DEFINITE:
        return None
    head = span.root
    lemma = head.lemma_.lower()
    mods = [t for t in words if t.i != head.i and t.lower_ not in DEFINITE and t.lower_ not in ("two",)
            and t.dep_ not in ("prep", "pobj", "relcl", "acl")]
    d = _dictionary()
    country = None
    sectors: set = set()
    for t in mods:
        c = d.country(t.text)
        if c is not None:
            country = c.iso3
        term = d.sector(t.text, t.lemma_)
        if term is not None and t.lower_ not in GROUP_NOUNS:
            sectors.add(term.sector)
    plural = head.tag_ in ("NNS", "NNPS")
    if lemma in SIDE_NOUNS:
        return _Description("side", max(count, 2 if plural else 1), country, sectors, 0.7)
    if lemma in COUNTRY_NOUNS:
        return _Description("country", count, country, sectors, 0.85)
    if lemma in ARMED_NOUNS:
        return _Description("armed", count, country, sectors, 0.9)
    if lemma in GROUP_NOUNS:
        if sectors & (ARMED | {"MIL"}) or any(t.lemma_.lower() in ARMED_NOUNS for t in mods):
            return _Description("armed", count, country, sectors, 0.95)
        return _Description("group", count, country, sectors, 0.8)
    if lemma in IGO_NOUNS:
        return _Description("igo", count, country, sectors, 0.75)
    if lemma in ORG_NOUNS:
        return _Description("org", count, country, sectors, 0.7)
    if lemma in PERSON_NOUNS and (count > 1 or plural):
        return _Description("person", max(count, 2), country, sectors, 0.7)
    if lemma in SECTOR_NOUNS and country is None:
        term = d.sector(head.text, head.lemma_)
        if term is not None:
            return _Description("sector", count, None, {term.sector}, 0.6)
    return None


def _person_name(actor: Actor, span) -> Optional[str]:
    """The personal name a mention carries: from the resolver's ``how`` or a PERSON entity."""
    how = actor.how or ""
    for marker in ("person:", "people.tsv:", "memory:", "correction:", "document:"):
        at = how.find(marker)
        if at >= 0:
            name = how[at + len(marker):].split("(")[0].strip()
            if name:
                return name
    ents = [e for e in entities_in(span) if e.label_ == "PERSON" and e.start >= span.start and e.end <= span.end]
    if ents and (actor.country or not (actor.code or "").startswith("---")):
        return ents[-1].text
    return None


def _looks_personal(actor: Actor) -> bool:
    how = actor.how or ""
    return any(m in how for m in ("person:", "people.tsv:", "memory:", "document:", "same person as"))


def _distinct(mentions: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in mentions:
        if m.actor.code not in seen:
            seen.add(m.actor.code)
            out.append(m)
    return out


def _placed(actor: Actor, where, how: str, confidence: float) -> Actor:
    """A copy of ``actor`` for a new mention at ``where`` (a token or span), with its confidence."""
    sent = where.sent
    if hasattr(where, "start_char"):
        start, end, text = where.start_char, where.end_char, where.text
    else:
        start, end, text = where.idx, where.idx + len(where), where.text
    out = Actor(text=text, code=actor.code, country=actor.country, sector=actor.sector,
                span=(start - sent.start_char, end - sent.start_char),
                how=f"{how} (confidence {confidence:.2f})")
    out.confidence = confidence  # not a records.Actor field: read with getattr(actor, "confidence", None)
    return out
