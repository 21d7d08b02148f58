"""People (and other named actors with dated roles): who held which post, for which country, when.

The built-in table is ``eventwire/data/people.tsv``: prominent heads of state and government,
ministers, military chiefs, IGO heads and armed-group leaders. A person has one row per role; each
role has a country, a sector, an optional full code and a date window. User dictionaries (YAML,
PETRARCH ``*.actors.txt``) add to it through ``PeopleDirectory.add``.

What a name means on a date:

* a role whose window contains the date -> that role ("Putin" in 2010 -> RUSGOV, prime minister);
* no role on that date -> the country of the nearest role with the sector ``ELI`` (a former or
  future office holder: PETRARCH/Phoenix code them ``<country>ELI``);
* no date -> the latest role, as if it were current.

Names are matched on a key that ignores case, accents, dots and hyphens ("Kassym Jomart Tokayev",
"George W Bush"). A single capitalised word is looked up as a surname ("Putin", "Kabulov"), and a
name with a middle name not in the table by its first and last words ("Ibrahim Mohamed Solih").
Ambiguous surnames resolve only when the candidates agree on the country or the date settles it.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence, Union

from eventwire.actors.dictionary import fold, read_tsv

PEOPLE_FILE = "people.tsv"
PEOPLE_COLUMNS = ("name", "aliases", "country", "sector", "role", "start", "end")
ELI = "ELI"

# Words that open a name but are not part of it ("Mr Putin", "Sheikh Hasina" keeps Sheikh: it is listed).
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "madam", "madame", "mister",
              "h.e.", "his", "her", "excellency", "comrade", "monsieur", "herr", "senor", "señor"}
# Names that are also ordinary English words: matched alone only when tagged as a proper noun or a
# person ("May", "Brown", "Rice").
COMMON_WORD_SURNAMES = {"may", "brown", "rice", "king", "young", "rich", "long", "little", "power", "price",
                        "gates", "hill", "lord", "bush", "white", "black", "green", "love", "case", "cook",
                        "hunt", "wise", "baker", "mills", "cash", "sharp", "major", "moon", "hu", "wen", "xi",
                        "abe", "jiang", "bibi", "kiir", "amano", "sharon", "anwar", "hasina", "tsai", "yoon"}
# Very common family names: never used alone from the last word of a full name (only an explicit
# alias makes one match alone, "Abbas" for Mahmoud Abbas).
COMMON_FAMILY_NAMES = set("""
smith johnson williams jones davis miller wilson moore taylor anderson thomas jackson harris martin thompson
garcia martinez robinson clark rodriguez lewis walker hall allen wright lopez scott adams gonzalez nelson
carter mitchell perez roberts turner phillips campbell parker evans edwards collins stewart sanchez morris
rogers reed morgan bell murphy bailey rivera cooper richardson howard ward torres peterson gray ramirez
james watson brooks kelly sanders bennett wood barnes ross henderson coleman jenkins perry powell patterson
hughes flores washington butler simmons foster gonzales bryant alexander russell griffin diaz hayes myers
ford hamilton graham sullivan wallace woods cole west jordan owens reynolds fisher ellis harrison gibson
mcdonald cruz marshall ortiz gomez murray freeman wells webb simpson stevens tucker porter hunter hicks
crawford henry boyd mason kennedy warren dixon ramos burns gordon shaw holmes rice robertson austin
khan ali ahmed hussein hassan mohammed mohamed muhammad singh kumar sharma patel shah gandhi wang zhang liu
chen yang zhao huang zhou kim park choi nguyen tran pham muller schmidt schneider fischer weber meyer
wagner becker schulz hoffmann ivanov smirnov kuznetsov popov petrov bernard dubois durand rossi russo
ferrari esposito silva santos oliveira souza fernandez ruiz moreno alvarez romero castro ortega morales
abdullah ibrahim ahmad rahman karim aziz said saleh salem omar yusuf musa hussain mahmoud mustafa youssef
haddad nasser ismail hamid rashid jaber mansour abbas sharif salam hariri aoun assad barzani sadr bhutto
mehsud haqqani duterte marcos rajapaksa bongo deby kabila castro shinawatra aliyev berdimuhamedow
rasmussen kaczynski kirchner fernandez clinton gandhi
""".split())
MIN_SURNAME_LETTERS = 5  # shorter last words ("Rama", "Jun") are matched alone only through an alias


def name_key(text: str) -> str:
    """Matching key for a name: folded, without dots, apostrophes or hyphens, single spaces."""
    key = fold(text)
    key = re.sub(r"[.\u2019'`]", "", key)
    key = re.sub(r"[-‐–—_]", " ", key)
    return re.sub(r"\s+", " ", key).strip()


def parse_date(value: Union[str, dt.date, dt.datetime, None], *, end: bool = False) -> Optional[dt.date]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a partial date means the whole year/month: its
    first day, or its last day when ``end``); "today"/"now"; a date or datetime. Anything else is None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if text.lower() in ("today", "now", "present", "current"):
        return dt.date.today()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:[T ].*)?", text)
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if month is None:
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    month = int(month)
    if day is None:
        if not end:
            return dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date(year, month, int(day))


@dataclass(frozen=True)
class Role:
    """One post held during a window (open ends: still held / since always)."""
    country: Optional[str]
    sector: Optional[str]
    code: str
    title: str = ""
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None
    source: str = ""

    def covers(self, date: dt.date, tolerance: dt.timedelta = dt.timedelta(0)) -> bool:
        if self.start is not None and date < self.start - tolerance:
            return False
        if self.end is not None and date > self.end + tolerance:
            return False
        return True

    def distance(self, date: dt.date) -> int:
        """Days from ``date`` to this window (0 inside it)."""
        if self.start is not None and date < self.start:
            return (self.start - date).days
        if self.end is not None and date > self.end:
            return (date - self.end).days
        return 0

    @property
    def window(self) -> str:
        a = self.start.isoformat() if self.start else ""
        b = self.end.isoformat() if self.end else ""
        return f"{a}..{b}" if (a or b) else "undated"


@dataclass
class NamedActor:
    """A person (kind "person") or another named actor with dated codes (kind "named", e.g. from a
    PETRARCH dictionary). Only people are found by their surname alone."""
    name: str
    aliases: list[str] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    kind: str = "person"
    default: Optional[Role] = None  # what applies when no dated role does (PETRARCH's undated code)

    def at(self, date: Optional[dt.date]) -> Optional[tuple[Role, str]]:
        """The role on ``date`` and how it was chosen ("in office", "latest", "former", "default")."""
        if not self.roles:
            return (self.default, "default") if self.default else None
        if date is None:
            current = [r for r in self.roles if r.end is None]
            pick = max(current or self.roles, key=lambda r: (r.end or dt.date.max, r.start or dt.date.min))
            return pick, "latest"
        inside = [r for r in self.roles if r.covers(date)]
        if inside:
            return max(inside, key=lambda r: r.start or dt.date.min), "in office"
        if self.default is not None:
            return self.default, "default"
        with_country = [r for r in self.roles if r.country] or self.roles
        nearest = min(with_country, key=lambda r: r.distance(date))
        if nearest.country is None:  # an IGO post: its code still names the actor best
            return nearest, "former"
        former = Role(nearest.country, ELI, nearest.country + ELI, f"former {nearest.title}".strip(),
                      nearest.start, nearest.end, nearest.source)
        return former, "former"

    @property
    def countries(self) -> set[Optional[str]]:
        roles = self.roles + ([self.default] if self.default else [])
        return {r.country for r in roles}


@dataclass(frozen=True)
class PersonHit:
    """A name found in the directory (or a memory) with the role that applies on the date."""
    person: NamedActor
    role: Role
    status: str  # in office | latest | former | default
    matched: str  # the text that matched
    via: str  # full | alias | first+last | surname

    @property
    def how(self) -> str:
        src = self.role.source or PEOPLE_FILE
        title = f"{self.role.title} " if self.role.title else ""
        status = f", {self.status}" if self.status in ("latest", "default") else ""
        return f"{src}:{self.person.name}({title}{self.role.window}{status})"


class PeopleDirectory:
    """Name -> NamedActor index with date-aware lookups."""

    def __init__(self) -> None:
        self._people: dict[str, NamedActor] = {}  # canonical key -> actor
        self._full: dict[str, list[NamedActor]] = {}  # name and alias keys
        self._first_last: dict[str, list[NamedActor]] = {}
        self._surname: dict[str, list[NamedActor]] = {}
        self.max_tokens = 1

    def __len__(self) -> int:
        return len(self._people)

    def __iter__(self) -> Iterator[NamedActor]:
        return iter(self._people.values())

    # -- building

    @classmethod
    def load(cls, extra_paths: Iterable[Union[str, Path]] = ()) -> "PeopleDirectory":
        d = cls()
        d.add_table(PEOPLE_FILE, resources.files("eventwire.data").joinpath(PEOPLE_FILE).read_text(encoding="utf-8"))
        for path in extra_paths:
            d.add_table(Path(path).name, Path(path).read_text(encoding="utf-8"), path=path)
        return d

    def add_table(self, source: str, text: str, path=None) -> None:
        header, rows = read_tsv(path or source, text)
        missing = set(PEOPLE_COLUMNS) - set(header)
        if missing:
            raise ValueError(f"{path or source}: people table needs columns {PEOPLE_COLUMNS}; missing {sorted(missing)}")
        for lineno, row in rows:
            try:
                self.add_row(row, source)
            except ValueError as e:
                raise ValueError(f"{path or source}:{lineno}: {e}") from None

    def add_row(self, row: dict, source: str) -> None:
        """One role of one person: name, aliases ("|"), country, sector, role, start, end[, code]."""
        name = (row.get("name") or "").strip()
        if not name:
            raise ValueError("missing name")
        role = make_role(row.get("country"), row.get("sector"), row.get("code"), row.get("role") or "",
                         row.get("start"), row.get("end"), source)
        aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
        self.add(name, [role], aliases=aliases, kind=row.get("kind") or "person")

    def add(self, name: str, roles: Sequence[Role], *, aliases: Sequence[str] = (), kind: str = "person",
            default: Optional[Role] = None, replace: bool = False) -> NamedActor:
        """Add roles (and aliases) to the person called ``name``; ``replace`` drops what was known."""
        key = name_key(name)
        actor = self._people.get(key)
        if actor is None or replace:
            if actor is not None:
                self._unindex(actor)
            actor = NamedActor(name=name, kind=kind)
            self._people[key] = actor
            self._index(actor, name)
        actor.roles.extend(roles)
        if default is not None:
            actor.default = default
        for alias in aliases:
            if alias not in actor.aliases and name_key(alias) != key:
                actor.aliases.append(alias)
                self._index(actor, alias)
        return actor

    def _index(self, actor: NamedActor, form: str) -> None:
        key = name_key(form)
        if not key:
            return
        words = key.split(" ")
        self.max_tokens = max(self.max_tokens, len(form.split()) + form.count("-"))
        _push(self._full, key, actor)
        if actor.kind != "person" or len(words) < 2:
            return
        _push(self._first_last, f"{words[0]} {words[-1]}", actor)
        last = words[-1]
        if len(last) >= MIN_SURNAME_LETTERS and last not in COMMON_FAMILY_NAMES:
            _push(self._surname, last, actor)

    def _unindex(self, actor: NamedActor) -> None:
        for index in (self._full, self._first_last, self._surname):
            for key in [k for k, v in index.items() if actor in v]:
                index[key] = [a for a in index[key] if a is not actor]
                if not index[key]:
                    del index[key]

    # -- lookups

    def candidates(self, text: str) -> tuple[list[NamedActor], str]:
        """Who ``text`` may name, and how it matched (full, first+last, surname)."""
        key = name_key(text)
        if not key:
            return [], ""
        found = self._full.get(key)
        if found:
            return found, "full"
        words = key.split(" ")
        if len(words) >= 3:
            found = self._first_last.get(f"{words[0]} {words[-1]}")
            if found:
                return found, "first+last"
        if len(words) == 1:
            found = self._surname.get(key)
            if found:
                return found, "surname"
        return [], ""

    def lookup(self, text: str, date: Optional[dt.date] = None, *, country: Optional[str] = None) -> Optional[PersonHit]:
        """The person ``text`` names on ``date`` (``country``: a hint from the context), or None."""
        people, via = self.candidates(text)
        return choose(people, via, text, date, country)

    def __contains__(self, text: str) -> bool:
        return bool(self.candidates(text)[0])


def choose(people: Sequence[NamedActor], via: str, text: str, date: Optional[dt.date],
           country: Optional[str] = None) -> Optional[PersonHit]:
    """Pick one of several namesakes: the one in office on the date, else one the country hint
    names; ambiguous picks across countries give None."""
    if not people:
        return None
    hits = []
    for p in people:
        got = p.at(date)
        if got is not None:
            hits.append(PersonHit(p, got[0], got[1], text, via))
    if len(hits) > 1 and country:
        same = [h for h in hits if country in h.person.countries]
        hits = same or hits
    if len(hits) > 1 and date is not None:
        current = [h for h in hits if h.status == "in office"]
        hits = current or hits
    if len({h.role.country for h in hits}) > 1:
        return None
    return hits[0] if hits else None


def make_role(country, sector, code, title, start, end, source: str) -> Role:
    country = (country or "").strip() or None
    sector = (sector or "").strip() or None
    code = (code or "").strip() or ((country or "---") + (sector or ""))
    if country is not None and not re.fullmatch(r"[A-Z]{3}", country):
        raise ValueError(f"bad country {country!r}")
    if not re.fullmatch(r"[A-Z-]{3}[A-Z0-9]*", code):
        raise ValueError(f"bad code {code!r}")
    if sector is not None and not re.fullmatch(r"[A-Z]{3}", sector):
        raise ValueError(f"bad sector {sector!r}")
    s, e = parse_date(start), parse_date(end, end=True)
    if (start and s is None) or (end and e is None):
        raise ValueError(f"bad date in {start!r}..{end!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return Role(country, sector, code, (title or "").strip(), s, e, source)


def _push(index: dict, key: str, actor: NamedActor) -> None:
    bucket = index.setdefault(key, [])
    if actor not in bucket:
        bucket.append(actor)


@functools.lru_cache(maxsize=8)
def _load_cached(extra_paths: tuple[str, ...]) -> PeopleDirectory:
    return PeopleDirectory.load(extra_paths)


def load_people(extra_paths: Iterable[Union[str, Path]] = ()) -> PeopleDirectory:
    """Cached directory: the built-in people.tsv plus ``extra_paths`` (TSV files, same header)."""
    return _load_cached(tuple(str(p) for p in extra_paths))


# ---------------------------------------------------------------- finding names in a parse


def is_name_token(tok) -> bool:
    """A token that can be part of a personal name: capitalised, not a number, date or punctuation."""
    text = tok.text
    # lower-case only when the tagger still calls it a proper noun ("President obama")
    if not (text[:1].isupper() or ((tok.pos_ == "PROPN" or tok.ent_type_ == "PERSON") and text.isalpha())) or tok.like_num or tok.is_punct or tok.ent_type_ in ("DATE", "TIME", "CARDINAL",
                                                                                      "ORDINAL", "MONEY", "PERCENT"):
        return False
    return tok.pos_ in ("PROPN", "NOUN", "ADJ", "X", "") or tok.ent_type_ == "PERSON"


def name_runs(tokens: Sequence, skip: set[int]) -> list[tuple[int, int]]:
    """Maximal runs (doc start, end) of name tokens in ``tokens`` (sorted, contiguous in the doc),
    leaving out tokens in ``skip`` (already matched as countries, organisations or titles) and
    leading honorifics ("Mr", "Dr")."""
    runs: list[tuple[int, int]] = []
    start = prev = None
    for tok in tokens:
        doc = tok.doc
        glued = prev == tok.i - 1 and not doc[prev].whitespace_
        # a hyphen inside a name keeps the run going, and so does the word after it ("Jong-un")
        hyphen = glued and tok.text in ("-", "‐") and not tok.whitespace_
        after_hyphen = glued and doc[prev].text in ("-", "‐") and tok.is_alpha
        ok = tok.i not in skip and is_name_token(tok) and not (start is None and tok.lower_.rstrip(".") in HONORIFICS)
        if start is not None and prev == tok.i - 1 and (ok or hyphen or after_hyphen):
            prev = tok.i
            continue
        if start is not None:
            runs.append(_trim(doc, start, prev + 1))
            start = prev = None
        if ok:
            start = prev = tok.i
    if start is not None:
        runs.append(_trim(tokens[0].doc, start, prev + 1))
    return runs


def _trim(doc, start: int, end: int) -> tuple[int, int]:
    while end - 1 > start and doc[end - 1].text in ("-", "‐"):
        end -= 1
    return start, end
