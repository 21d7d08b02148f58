"""Pick the place an ambiguous name refers to, from the document's country context and population.

Each candidate gets a score: a prior (log10 of its population; +1 for a country; +0.7 for a national
capital; -0.5 for a name that is only one of its GeoNames alternate names) plus context cues:

* local cues, in the mention's own phrase: "Paris, Texas", "Lebanon's Tripoli", "the Lebanese city of
  Tripoli", "Tripoli, the largest city in northern Lebanon" (+6, decisive);
* other places of the sentence (+3) and of the document (up to +2.5, by this country's share of the
  document's places), counting only names that are not ambiguous or win clearly without context; a
  demonym on a place noun ("the Galician capital") or a region named inside a name ("Police Scotland")
  counts as a place; the region a candidate is in adds more ("Atlanta" for Georgia the state);
* actors: demonyms on people ("Lebanese troops"), organisations with a country ("Hezbollah") and the
  countries of the document's coded events (+1.7 in the sentence, up to +0.7 in the document) — weaker,
  because actors travel ("Canadian Prime Minister Justin Trudeau arrived in London" is still England);
* a name of the same sentence that can be the candidate's region or a city in it ("the University of
  Georgia in Athens", +1.5), a region word in the sentence for region readings ("the state's", +1.5),
  neighbours of context countries (+0.4) and the dateline country (+1).

Small towns (under 100,000 people) get only local cues and a region or country named in a locative phrase of
the same sentence: news qualifies them ("Geneva, Illinois"), so country context alone does not turn Geneva
into a town in Illinois or Lebanon into one in Pennsylvania.

So "Tripoli" alone is Libya's capital, but "Lebanese troops deployed in Tripoli" is Lebanon's; "Paris"
stays France for "US Secretary of State arrived in Paris" but not for "a tornado in Paris, Texas".
Candidates of one country are then narrowed to one place: a region when a region word follows
("Idlib province"), else the country when the name is the country's own, else the largest city.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Optional

from spacy.tokens import Doc, Token

from ..actors.dictionary import ActorDictionary, Country, Organisation, load_dictionary
from ..records import Event
from .gazetteer import ALIAS, ALT, NAME, SHORT, Candidate, Gazetteer, Place
from .mentions import PLACE_NOUNS, PlaceMention

LOCAL, SENT_PLACE, DOC_PLACE, SENT_ADMIN1, DOC_ADMIN1 = 6.0, 3.0, 2.5, 1.5, 1.0
SENT_ACTOR, DOC_ACTOR, NEIGHBOUR, DATELINE = 1.7, 0.7, 0.4, 1.0
KIND_BONUS = {"country": 1.0, "admin1": 0.0, "city": 0.0}
HOW_PENALTY = {NAME: 0.0, ALIAS: 0.0, SHORT: 0.0, ALT: -0.5}
CAPITAL_BONUS = 0.7
NESTED = 1.5  # another name of the sentence can be read as the region this candidate is in (or a city in it)
REGION_HINT = 1.5  # "state", "governor" in the sentence: "Georgia" the state rather than the country
REGION_HINT_WORDS = frozenset({"state", "statewide", "governor", "provincial", "province", "governorate",
                               "oblast", "premier"})
CLEAR_MARGIN = 2.0  # a name whose best reading wins by this much without context is context for others
SMALL_TOWN = 100_000  # smaller towns need their region named nearby


@dataclass
class Cue:
    sent_start: int  # -1: the whole document (dateline)
    country: str
    admin1: Optional[tuple[str, str]]  # (ISO3, admin1 code)
    kind: str  # place | actor | dateline
    start: int  # token span of the cue, so a mention never counts as its own context
    end: int
    region_named: bool = False  # the cue names a region itself ("Texas", "Galician"), not a city in it
    locative: bool = False  # a country or region named in a locative phrase ("in the Seychelles")


def admin1_key(place: Place) -> Optional[tuple[str, str]]:
    if place.kind == "country":
        return None
    return (place.country, place.admin1_code or place.key) if place.admin1_code or place.kind == "admin1" else None


def _group(kind: str) -> str:
    """How `PlaceResolver._score` counts a cue: as a dateline, a place, or (anything else) an actor."""
    return kind if kind in ("dateline", "place") else "actor"


@dataclass
class _Tally:
    """What the cues around a mention say about one country (see `_CueIndex.tally`)."""
    sent_place: int = 0
    doc_place: int = 0  # place cues in other sentences, plus dateline cues
    sent_actor: int = 0
    doc_actor: int = 0
    sent_region: bool = False
    doc_region: bool = False
    neighbour: bool = False
    dateline: bool = False
    doc_places_all: int = 0  # place and dateline cues of any country in other sentences


class _CueIndex:
    """A document's cues counted by country, kind and sentence, so that scoring a candidate looks at the cues of
    its own sentence and span only, not at every cue of the document (which made long documents quadratic).
    A mention never counts as its own context: cues starting inside its span are left out."""

    def __init__(self, cues: list[Cue]):
        self.by_sentence: dict[int, list[Cue]] = defaultdict(list)
        self.count: Counter = Counter()  # (group, country) -> cues
        self.region: Counter = Counter()  # (country, admin1) -> place and actor cues
        self.not_actor: Counter = Counter()  # country -> dateline and place cues
        self.places_all = 0  # dateline and place cues
        ordered = sorted(cues, key=lambda c: c.start)
        self._starts = [c.start for c in ordered]
        self._ordered = ordered
        for c in cues:
            self.by_sentence[c.sent_start].append(c)
            group = _group(c.kind)
            self.count[(group, c.country)] += 1
            if group != "dateline" and c.admin1:
                self.region[(c.country, c.admin1)] += 1
            if group != "actor":
                self.not_actor[c.country] += 1
                self.places_all += 1

    def own(self, m: PlaceMention) -> list[Cue]:
        """The cues that start inside the mention's span."""
        return self._ordered[bisect_left(self._starts, m.start): bisect_left(self._starts, m.end)]

    def near(self, m: PlaceMention) -> list[Cue]:
        """The cues of the mention's sentence, its own left out."""
        return [c for c in self.by_sentence.get(m.sent_start, ()) if not m.start <= c.start < m.end]

    def tally(self, m: PlaceMention, country: str, key: Optional[tuple[str, str]], neighbours) -> _Tally:
        """The counts `PlaceResolver._score` needs for a candidate in ``country`` (admin1 ``key``) of mention
        ``m``: the cues of m's sentence (minus its own) counted one by one, the rest from the document totals."""
        own, near = self.own(m), self.near(m)
        t = _Tally()
        sent_regions = 0
        for c in near:
            if c.country != country:
                continue
            group = _group(c.kind)
            if group == "place":
                t.sent_place += 1
            elif group == "actor":
                t.sent_actor += 1
            if key and group != "dateline" and c.admin1 == key:
                sent_regions += 1
        t.sent_region = sent_regions > 0
        own_count = Counter((_group(c.kind), c.country) for c in own)
        datelines = self.count[("dateline", country)] - own_count[("dateline", country)]
        t.dateline = datelines > 0
        t.doc_place = self.count[("place", country)] - own_count[("place", country)] - t.sent_place + datelines
        t.doc_actor = self.count[("actor", country)] - own_count[("actor", country)] - t.sent_actor
        if key:
            own_regions = sum(1 for c in own if c.country == country and _group(c.kind) != "dateline"
                              and c.admin1 == key)
            t.doc_region = self.region[(country, key)] - own_regions - sent_regions > 0
        own_not_actor = Counter(c.country for c in own if _group(c.kind) != "actor")
        t.neighbour = any(self.not_actor[n] - own_not_actor[n] > 0 for n in neighbours if n != country)
        t.doc_places_all = self.places_all - sum(1 for c in near if _group(c.kind) != "actor") \
            - sum(1 for c in own if _group(c.kind) != "actor")
        return t


@dataclass
class _DocContext:
    """What the resolver knows about one document while it resolves its mentions."""
    doc: Doc
    cues: list[Cue]
    by_sentence: dict[int, list[PlaceMention]]
    index: Optional[_CueIndex] = None

    def __post_init__(self) -> None:
        if self.index is None:
            self.index = _CueIndex(self.cues)


class PlaceResolver:
    """Resolves the place mentions of a document; holds only the gazetteer and dictionary, so one resolver
    serves any number of documents."""

    def __init__(self, gazetteer: Gazetteer, dictionary: ActorDictionary | None = None):
        self.gaz = gazetteer
        self.dictionary = dictionary or load_dictionary()

    # ---------------------------------------------------------------- public

    def resolve(self, doc: Doc, mentions: list[PlaceMention], events: Iterable[Event] = ()) -> None:
        """Set ``place`` (and ``how``) on every mention."""
        cues = self._actor_cues(doc, mentions, events)
        pending = []
        for m in mentions:
            countries = {c.place.country for c in m.candidates}
            if len(countries) == 1:
                m.place = self._narrow(m, m.candidates)
                m.how = "only candidate country"
                cues.append(self._place_cue(m, m.place))
            else:
                pending.append(m)
                clear = self._clear_without_context(m)  # "Lebanon" (not Lebanon, Pennsylvania)
                if clear is not None:
                    cues.append(self._place_cue(m, clear))
        by_sentence: dict[int, list[PlaceMention]] = defaultdict(list)
        for m in mentions:
            by_sentence[m.sent_start].append(m)
        ctx = _DocContext(doc, cues, by_sentence)
        for m in pending:
            self._resolve_ambiguous(ctx, m)

    # ---------------------------------------------------------------- context

    def _place_cue(self, m: PlaceMention, place: Place) -> Cue:
        kind = "dateline" if m.source == "dateline" else "place"
        return Cue(m.sent_start, place.country, admin1_key(place), kind, m.start, m.end,
                   region_named=place.kind == "admin1",
                   locative=place.kind in ("country", "admin1") and m.strong_locative)

    def _clear_without_context(self, m: PlaceMention) -> Optional[Place]:
        """The reading of an ambiguous name that wins by a wide margin on its prior alone."""
        usable = [c for c in m.candidates if c.how != ALT] or m.candidates
        best: dict[str, tuple[float, Candidate]] = {}
        for cand in usable:
            score = self._prior(cand)
            if cand.place.country not in best or score > best[cand.place.country][0]:
                best[cand.place.country] = (score, cand)
        ranked = sorted(best.values(), key=lambda x: -x[0])
        if len(ranked) > 1 and ranked[0][0] - ranked[1][0] >= CLEAR_MARGIN:
            return ranked[0][1].place
        return None

    def _actor_cues(self, doc: Doc, mentions: list[PlaceMention], events: Iterable[Event]) -> list[Cue]:
        """Demonyms, country names used as modifiers and organisations with a country ("Police Scotland",
        "Hezbollah"), plus the countries of the document's events."""
        in_mention = {i for m in mentions for i in range(m.start, m.end)}
        cues: list[Cue] = []
        for ent in doc.ents:
            if ent.label_ not in ("NORP", "ORG", "GPE", "FAC") or any(t.i in in_mention for t in ent):
                continue
            found = self._places_of_text(ent.text)
            inside = False
            if not found and len(ent) > 1:
                for tok in ent:
                    found += self._places_of_text(tok.text) if tok.pos_ in ("PROPN", "ADJ") else []
                inside = ent.label_ != "NORP"
            for country, region in found:
                # a region named inside a name ("Police Scotland") or a demonym on a place noun ("the Galician
                # capital", "the Lebanese port") says where; a demonym on people ("Texan officials") says who
                kind = "place" if region and inside or _describes_place(ent.root) else "actor"
                cues.append(Cue(ent.sent.start, country, region, kind, ent.start, ent.end, region_named=bool(region)))
        for tok in doc:  # demonyms the model did not tag
            if tok.pos_ == "ADJ" and tok.text[:1].isupper() and not tok.ent_type_ and tok.i not in in_mention:
                for country, region in self._places_of_text(tok.text):
                    kind = "place" if _describes_place(tok) else "actor"
                    cues.append(Cue(tok.sent.start, country, region, kind, tok.i, tok.i + 1, region_named=bool(region)))
        sent_starts = {}
        for event in events:
            start = event.sentence_start
            if start not in sent_starts:
                span = doc.char_span(start, start + 1, alignment_mode="expand")
                sent_starts[start] = span[0].sent.start if span is not None and len(span) else None
            sent = sent_starts[start]
            if sent is None:
                continue
            for actor in (event.source, event.target):
                if actor is not None and actor.country and not self._ambiguous_name(actor.text):
                    cues.append(Cue(sent, actor.country, None, "actor", -1, -1))
        return cues

    def _places_of_text(self, text: str) -> list[tuple[str, Optional[tuple[str, str]]]]:
        """(country, region) a word or name points to: a demonym, a country name, an organisation with a
        country, a region or its demonym ("Galician")."""
        region = self.gaz.region_of_demonym(text)
        if region is None:
            found = [c.place for c in self.gaz.lookup(text) if c.how != ALT and c.place.kind == "admin1"]
            region = found[0] if len({p.country for p in found}) == 1 else None
        if region is not None:
            return [(region.country, admin1_key(region))]
        country = self._country_of_text(text)
        return [(country, None)] if country else []

    def _country_of_text(self, text: str) -> Optional[str]:
        match = self.dictionary.name(text)
        if match is None or match.entity is None:
            return None
        if isinstance(match.entity, Country):
            if match.field == "capital" or self._ambiguous_name(text):
                return None  # "Tripoli", "Georgia": what we are trying to find out
            return match.entity.iso3
        if isinstance(match.entity, Organisation):
            return match.entity.country
        return None

    def _ambiguous_name(self, text: str) -> bool:
        return len({c.place.country for c in self.gaz.lookup(text) if c.how != ALT}) > 1

    # ---------------------------------------------------------------- scoring

    def _resolve_ambiguous(self, ctx: _DocContext, m: PlaceMention) -> None:
        local = self._local_cues(ctx.doc, m)
        usable = [c for c in m.candidates if c.how != ALT] or m.candidates
        scored: dict[str, float] = {}
        by_country: dict[str, list[Candidate]] = defaultdict(list)
        notes: dict[str, list[str]] = {}
        for cand in usable:
            score, why = self._score(cand, m, ctx, local)
            by_country[cand.place.country].append(cand)
            if cand.place.country not in scored or score > scored[cand.place.country]:
                scored[cand.place.country] = score
                notes[cand.place.country] = why
        best = max(scored, key=lambda k: scored[k])
        m.place = self._narrow(m, by_country[best], local)
        runner = sorted(scored.values(), reverse=True)
        margin = runner[0] - runner[1] if len(runner) > 1 else 0.0
        m.how = f"context {best} ({', '.join(notes[best]) or 'population'}; margin {margin:.1f})"

    def _local_cues(self, doc: Doc, m: PlaceMention) -> tuple[set[str], set[tuple[str, str]]]:
        """Countries and regions named in the mention's own phrase."""
        countries: set[str] = set()
        regions: set[tuple[str, str]] = set()
        for place in m.qualifiers:
            countries.add(place.country)
            key = admin1_key(place)
            if key:
                regions.add(key)
        if m.source == "dateline":
            return countries, regions
        root = doc[m.start:m.end].root
        for tok in _phrase_tokens(root, m):
            for country, region in self._places_of_text(tok.text):
                countries.add(country)
                if region:
                    regions.add(region)
        return countries, regions

    @staticmethod
    def _prior(cand: Candidate) -> float:
        place = cand.place
        score = math.log10(max(place.population, 1000)) + KIND_BONUS[place.kind] + HOW_PENALTY[cand.how]
        return score + (CAPITAL_BONUS if place.capital else 0.0)

    def _score(self, cand: Candidate, m: PlaceMention, ctx: _DocContext, local) -> tuple[float, list[str]]:
        place = cand.place
        score = self._prior(cand)
        why: list[str] = []
        local_countries, local_regions = local
        key = admin1_key(place)
        if place.country in local_countries:
            score += LOCAL
            why.append("local")
            if key and key in local_regions:
                score += 2.0
        if place.kind == "city" and place.population < SMALL_TOWN:
            return self._score_small_town(cand, m, ctx, score, why, key)
        neighbours = self.gaz.neighbours.get(place.country, frozenset())
        tally = ctx.index.tally(m, place.country, key, neighbours)
        sent_place, doc_place, sent_actor, doc_actor = tally.sent_place, tally.doc_place, tally.sent_actor, tally.doc_actor
        sent_region, doc_region, neighbour, dateline = tally.sent_region, tally.doc_region, tally.neighbour, tally.dateline
        doc_places_all = tally.doc_places_all  # place cues of any country elsewhere in the document
        if sent_place:
            score += SENT_PLACE
            why.append("place in sentence")
        if doc_place:
            # the share of the document's other places that are in this country: one mention of Lebanon
            # in a story that names no other country says a lot, one among many Libyan places little
            score += DOC_PLACE * doc_place / max(doc_places_all, 1)
            why.append("place in document")
        if sent_region:
            score += SENT_ADMIN1
        if doc_region:
            score += DOC_ADMIN1
        if sent_actor:
            score += SENT_ACTOR
            why.append("actor in sentence")
        if doc_actor:
            score += DOC_ACTOR * min(1.0, doc_actor / 3)
            why.append("actor in document")
        if neighbour:
            score += NEIGHBOUR
            why.append("neighbour")
        if dateline:
            score += DATELINE
            why.append("dateline")
        if key and self._nested(cand, m, ctx):
            score += NESTED
            why.append("nested")
        if place.kind == "admin1" and m.sent_start >= 0 and _region_hint(ctx.doc, m):
            score += REGION_HINT
            why.append("region word")
        return score, why

    def _score_small_town(self, cand: Candidate, m: PlaceMention, ctx: _DocContext, score: float,
                          why: list[str], key) -> tuple[float, list[str]]:
        """News names a small town with its region ("Paris, Texas", "Geneva, Illinois", "Perth, where Police
        Scotland said ..."): only local cues and a region named in the same sentence count. Country context
        alone does not make "Geneva" a town in Illinois or "Lebanon" one in Pennsylvania."""
        near = ctx.index.near(m)
        if key and any(c.region_named and c.admin1 == key for c in near):
            score += SENT_PLACE + SENT_ADMIN1
            why.append("region in sentence")
        elif any(c.locative and c.country == cand.place.country for c in near):
            score += SENT_PLACE  # "Port Victoria in the Seychelles", "Rafah ... in the Sinai"
            why.append("country in sentence")
        if key and self._nested(cand, m, ctx):
            score += NESTED
            why.append("nested")
        return score, why

    @staticmethod
    def _nested(cand: Candidate, m: PlaceMention, ctx: _DocContext) -> bool:
        """Another name of the sentence can be the region this candidate is in, or a city inside it:
        "the University of Georgia in Athens", "Birmingham ... Alabama"."""
        key = admin1_key(cand.place)
        for other in ctx.by_sentence.get(m.sent_start, ()):
            if other is m:
                continue
            for c in other.candidates:
                if c.how == ALT or admin1_key(c.place) != key:
                    continue
                if (c.place.kind == "admin1") != (cand.place.kind == "admin1"):
                    return True
        return False



    def _narrow(self, m: PlaceMention, candidates: list[Candidate], local=None) -> Place:
        """One place among same-country candidates."""
        if m.region_word:
            regions = [c for c in candidates if c.place.kind == "admin1"]
            if regions:
                return regions[0].place
        regions = local[1] if local else set()
        if regions:
            inside = [c for c in candidates if admin1_key(c.place) in regions]
            if inside:
                candidates = inside
        rank = {(NAME, "country"): 0, (NAME, "city"): 1, (NAME, "admin1"): 2, (ALIAS, "admin1"): 3,
                (ALIAS, "city"): 4, (SHORT, "city"): 5, (ALIAS, "country"): 6}
        return min(candidates, key=lambda c: (rank.get((c.how, c.place.kind), 9), -c.place.population)).place


def _region_hint(doc: Doc, m: PlaceMention) -> bool:
    """A word in the sentence that points to a first-level region: "state", "governor", "province"."""
    return any(t.lower_ in REGION_HINT_WORDS for t in doc[m.start].sent if not m.start <= t.i < m.end)


def _describes_place(tok: Token) -> bool:
    """A modifier of a place noun: "the Galician capital", "the Lebanese city of"."""
    return tok.dep_ in ("amod", "compound", "nmod") and tok.head.lemma_.lower() in PLACE_NOUNS


def _phrase_tokens(root: Token, m: PlaceMention) -> list[Token]:
    """Modifiers in the mention's noun phrase: "the northern Lebanese city of Tripoli" (via "city of"),
    "Lebanon's Tripoli", "Tripoli, the largest city in northern Lebanon" (an apposition's in-phrase)."""
    out: list[Token] = []
    head = root
    # climb "the city of X" and appositions to the phrase head
    for _ in range(3):
        if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.pos_ in ("NOUN", "PROPN"):
            head = head.head.head
        elif head.dep_ == "appos":
            head = head.head
        else:
            break
    nodes = [head] + [c for c in head.children if c.dep_ == "appos"] + \
            [c for c in root.children if c.dep_ == "appos"]
    for node in nodes:
        for child in node.children:
            if m.start <= child.i < m.end:
                continue
            if child.dep_ in ("amod", "compound", "poss", "nmod", "npadvmod"):
                out.extend(t for t in child.subtree if not m.start <= t.i < m.end)
            elif child.dep_ == "prep" and child.lower_ == "in" and node.dep_ == "appos":
                out.extend(child.subtree)  # "Tripoli, the largest city in northern Lebanon"
    return out
