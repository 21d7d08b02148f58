"""Corpus actor memory: people learned from their titles, kept in the store's DuckDB database.

When a document names someone with a title or an appositive ("Russian envoy Zamir Kabulov"), the
resolver marks the actor ``person:Zamir Kabulov(titled)`` in ``Actor.how``; ``learn_from_events``
stores name -> (country, sector, code, role) with the first and last date it was seen, how often,
and the evidence sentence. A later bare "Kabulov" resolves from memory when its date falls in that
window (widened by a tolerance, one year by default).

Users can correct the memory: a correction (``correct``) wins over anything learned for that name,
optionally only within a date window, and can also say a name is not an actor (``block=True``).

Tables (plain SQL, created if missing on the store's connection):

- ``actor_memory``       name_key, name, country, sector, code, role, first_seen, last_seen, n_seen,
                         evidence, doc_id, last_evidence, last_doc_id, updated_at
- ``actor_corrections``  name_key, name, country, sector, code, valid_from, valid_to, note, corrected_at

``name_key`` is the case/accent-insensitive key of ``people.name_key`` ("zamir kabulov"). A bare
surname finds a learned full name ("Kabulov" -> "Zamir Kabulov") unless two people with that
surname disagree on the country.

Lookups use an in-process index (loaded once, updated by ``learn``), so the resolver can ask on every
phrase. ``snapshot()`` gives a read-only, picklable copy for worker processes.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Union

from eventwire.actors.people import COMMON_FAMILY_NAMES, MIN_SURNAME_LETTERS, name_key, parse_date
from eventwire.records import Actor

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS actor_memory (
        name_key VARCHAR NOT NULL,
        name VARCHAR,
        country VARCHAR,
        sector VARCHAR,
        code VARCHAR NOT NULL,
        role VARCHAR,
        first_seen DATE,
        last_seen DATE,
        n_seen INTEGER,
        evidence VARCHAR,
        doc_id VARCHAR,
        last_evidence VARCHAR,
        last_doc_id VARCHAR,
        updated_at TIMESTAMP,
        PRIMARY KEY (name_key, code)
    )""",
    """CREATE TABLE IF NOT EXISTS actor_corrections (
        name_key VARCHAR NOT NULL,
        name VARCHAR,
        country VARCHAR,
        sector VARCHAR,
        code VARCHAR NOT NULL,  -- "-" means: this name is not an actor
        valid_from DATE,
        valid_to DATE,
        note VARCHAR,
        corrected_at TIMESTAMP
    )""",
]
BLOCK = "-"
_TITLED = re.compile(r"person:([^()+]+)\(titled\)")
_TERM = re.compile(r"sectors\.tsv:([^+()]+)")
DateLike = Union[str, dt.date, None]


@dataclass
class MemoryEntry:
    """One learned (name, code) pair or one correction."""
    name_key: str
    name: str
    country: Optional[str]
    sector: Optional[str]
    code: str
    role: str = ""
    first_seen: Optional[dt.date] = None  # valid_from for corrections
    last_seen: Optional[dt.date] = None  # valid_to for corrections
    n_seen: int = 0
    evidence: str = ""
    doc_id: Optional[str] = None
    correction: bool = False
    note: str = ""

    def covers(self, date: Optional[dt.date], tolerance: dt.timedelta) -> bool:
        if date is None:
            return True
        if self.first_seen is not None and date < self.first_seen - tolerance:
            return False
        if self.last_seen is not None and date > self.last_seen + tolerance:
            return False
        return True

    @property
    def window(self) -> str:
        a = self.first_seen.isoformat() if self.first_seen else ""
        b = self.last_seen.isoformat() if self.last_seen else ""
        return f"{a}..{b}"

    def to_actor(self, text: str) -> Actor:
        if self.correction:
            how = f"correction:{self.name}({self.code} {self.window}{', ' + self.note if self.note else ''})"
        else:
            how = f"memory:{self.name}({self.role + ' ' if self.role else ''}seen {self.window}, {self.n_seen}x)"
        return Actor(text=text, code=self.code, country=self.country, sector=self.sector, how=how)

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "country": self.country, "sector": self.sector, "code": self.code}
        if self.correction:
            out.update(kind="correction", valid_from=_iso(self.first_seen), valid_to=_iso(self.last_seen),
                       note=self.note)
        else:
            out.update(kind="learned", role=self.role, first_seen=_iso(self.first_seen),
                       last_seen=_iso(self.last_seen), n_seen=self.n_seen, evidence=self.evidence, doc_id=self.doc_id)
        return out


class ActorMemory:
    """Learned people and user corrections in DuckDB, with an in-process index for fast lookups.

    ``store_or_connection``: an ``EventStore`` (its ``con`` is used) or a DuckDB connection.
    """

    def __init__(self, store_or_connection: Any, *, tolerance_days: int = 365):
        self.con = getattr(store_or_connection, "con", store_or_connection)
        for sql in _SCHEMA:
            self.con.execute(sql)
        self.tolerance = dt.timedelta(days=tolerance_days)
        self._learned: Optional[dict[tuple[str, str], MemoryEntry]] = None
        self._corrections: Optional[list[MemoryEntry]] = None
        self._index: dict[str, list[MemoryEntry]] = {}
        self._surnames: dict[str, list[MemoryEntry]] = {}

    # ------------------------------------------------------------ writing

    def learn(self, name: str, country: Optional[str], sector: Optional[str], role: str = "",
              date: DateLike = None, evidence: str = "", *, code: Optional[str] = None,
              doc_id: Optional[str] = None) -> None:
        """Remember that ``name`` was seen as this actor on ``date`` (widening its window)."""
        key = name_key(name)
        if not key:
            return
        code = code or (country or "---") + (sector or "")
        when = parse_date(date) if not isinstance(date, dt.date) else date
        self._load()
        entry = self._learned.get((key, code))
        if entry is None:
            entry = MemoryEntry(key, name, country, sector, code, role or "", when, when, 0, evidence or "", doc_id)
            self._learned[(key, code)] = entry
            self._add_to_index(entry)
        else:
            if when is not None:
                entry.first_seen = min(entry.first_seen or when, when)
                entry.last_seen = max(entry.last_seen or when, when)
            if len(name) > len(entry.name):
                entry.name = name
            entry.role = entry.role or role or ""
        entry.n_seen += 1
        self.con.execute(
            """INSERT INTO actor_memory (name_key, name, country, sector, code, role, first_seen, last_seen, n_seen,
                   evidence, doc_id, last_evidence, last_doc_id, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
               ON CONFLICT (name_key, code) DO UPDATE SET
                   name = ?, role = ?, first_seen = ?, last_seen = ?, n_seen = actor_memory.n_seen + 1,
                   last_evidence = excluded.last_evidence, last_doc_id = excluded.last_doc_id,
                   updated_at = excluded.updated_at""",
            [key, entry.name, country, sector, code, entry.role, entry.first_seen, entry.last_seen, evidence or "",
             doc_id, evidence or "", doc_id, _now(),
             entry.name, entry.role, entry.first_seen, entry.last_seen],
        )

    def learn_from_events(self, events: Iterable[Any], *, date: DateLike = None, doc_id: Optional[str] = None) -> int:
        """Learn every titled person among the events' actors (``person:NAME(titled)`` in ``how``);
        an event's own date wins over ``date``. Returns how many mentions were learned."""
        n = 0
        for ev in events:
            when = getattr(ev, "date", None) or date
            for actor in (ev.source, ev.target, getattr(ev, "attributed_to", None)):
                person = titled_person(actor)
                if person is None:
                    continue
                term = _TERM.search(actor.how or "")
                self.learn(person, actor.country, actor.sector, term.group(1) if term else "", when,
                           getattr(ev, "sentence", ""), code=actor.code, doc_id=getattr(ev, "doc_id", doc_id))
                n += 1
        return n

    def correct(self, name: str, *, country: Optional[str] = None, sector: Optional[str] = None,
                code: Optional[str] = None, valid_from: DateLike = None, valid_to: DateLike = None,
                note: str = "", block: bool = False) -> MemoryEntry:
        """Say what ``name`` is (within a window, if given). ``block``: the name is not an actor.
        A new correction for the same name and window replaces the old one."""
        key = name_key(name)
        if not key:
            raise ValueError("empty name")
        if block:
            country = sector = None
            code = BLOCK
        else:
            country = country.upper() if country else None
            sector = sector.upper() if sector else None
            code = (code or (country or "---") + (sector or "")).upper()
            for label, value in (("country", country), ("sector", sector)):
                if value is not None and not re.fullmatch(r"[A-Z]{3}", value):
                    raise ValueError(f"{label} must be a three-letter code, not {value!r}")
            if not re.fullmatch(r"[A-Z-]{3}[A-Z0-9]*", code) or code.startswith("---") and not sector:
                raise ValueError(f"a correction needs a country, a sector or a code (got {code!r})")
        start, end = _as_date(valid_from), _as_date(valid_to, end=True)
        self.con.execute(
            "DELETE FROM actor_corrections WHERE name_key = ? AND valid_from IS NOT DISTINCT FROM ? "
            "AND valid_to IS NOT DISTINCT FROM ?", [key, start, end])
        self.con.execute(
            "INSERT INTO actor_corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [key, name, country, sector, code, start, end, note or "", _now()])
        self._corrections = None
        self._load()
        return next(c for c in self._corrections if c.name_key == key and c.first_seen == start and c.last_seen == end)

    def remove_corrections(self, name: str) -> int:
        key = name_key(name)
        n = self.con.execute("SELECT count(*) FROM actor_corrections WHERE name_key = ?", [key]).fetchone()[0]
        self.con.execute("DELETE FROM actor_corrections WHERE name_key = ?", [key])
        self._corrections = None
        return n

    def forget(self, name: str) -> int:
        """Drop everything learned about ``name`` (corrections stay)."""
        key = name_key(name)
        n = self.con.execute("SELECT count(*) FROM actor_memory WHERE name_key = ?", [key]).fetchone()[0]
        self.con.execute("DELETE FROM actor_memory WHERE name_key = ?", [key])
        self._learned = None
        return n

    # ------------------------------------------------------------ reading

    def lookup(self, name: str, date: DateLike = None) -> Optional[Actor]:
        """What ``name`` means on ``date``: a correction if one applies, else the learned entry."""
        return self.correction(name, date) or self.learned(name, date)

    def correction(self, name: str, date: DateLike = None) -> Optional[Actor]:
        self._load()
        return _find_correction(self._corrections, name, _as_date(date))

    def learned(self, name: str, date: DateLike = None) -> Optional[Actor]:
        self._load()
        return _find_learned(self._index, self._surnames, name, _as_date(date), self.tolerance)

    def snapshot(self) -> "MemorySnapshot":
        """A read-only, picklable copy for lookups in worker processes (a DuckDB connection is
        neither): give it to the resolver there, and learn in the main process."""
        self._load()
        return MemorySnapshot(list(self._learned.values()), list(self._corrections), self.tolerance)

    def entries(self, like: Optional[str] = None, *, corrections: bool = True, learned: bool = True,
                limit: Optional[int] = None) -> list[MemoryEntry]:
        """Learned entries (most seen first) and corrections, optionally filtered by a name fragment."""
        self._load()
        out: list[MemoryEntry] = []
        if corrections:
            out += sorted(self._corrections, key=lambda c: c.name_key)
        if learned:
            out += sorted(self._learned.values(), key=lambda e: (-e.n_seen, e.name_key))
        if like:
            frag = name_key(like)
            out = [e for e in out if frag in e.name_key]
        return out[:limit] if limit else out

    def show(self, name: str) -> dict[str, list[dict]]:
        """Everything stored under ``name`` (or its surname)."""
        self._load()
        key = name_key(name)
        match = (lambda k: k == key or k.split(" ")[-1] == key)
        return {"corrections": [c.to_dict() for c in self._corrections if match(c.name_key)],
                "learned": [e.to_dict() for e in self._learned.values() if match(e.name_key)]}

    def export(self) -> dict[str, Any]:
        """The memory as a user dictionary (see actors.userdict): corrections and learned people as
        ``people`` with dated roles, blocked names under ``blocked``."""
        self._load()
        people: dict[str, dict] = {}
        blocked = []
        for e in sorted(self._learned.values(), key=lambda e: e.name_key):
            person = people.setdefault(e.name_key, {"name": e.name, "roles": []})
            person["roles"].append(_role(e, f"learned from {e.n_seen} mention(s)"))
        for c in self._corrections:
            if c.code == BLOCK:
                blocked.append(c.name)
                continue
            person = people.setdefault(c.name_key, {"name": c.name, "roles": []})
            person["roles"] = [r for r in person["roles"] if not r.get("learned")]
            person["roles"].append(_role(c, c.note or "correction"))
        for person in people.values():
            for r in person["roles"]:
                r.pop("learned", None)
        out: dict[str, Any] = {"people": list(people.values())}
        if blocked:
            out["blocked"] = sorted(blocked)
        return out

    # ------------------------------------------------------------ index

    def _load(self) -> None:
        if self._learned is None:
            rows = self.con.execute(
                "SELECT name_key, name, country, sector, code, role, first_seen, last_seen, n_seen, evidence, doc_id "
                "FROM actor_memory").fetchall()
            self._learned = {(r[0], r[4]): MemoryEntry(*r[:8], n_seen=r[8] or 0, evidence=r[9] or "", doc_id=r[10])
                             for r in rows}
            self._index, self._surnames = {}, {}
            for entry in self._learned.values():
                self._add_to_index(entry)
        if self._corrections is None:
            rows = self.con.execute(
                "SELECT name_key, name, country, sector, code, valid_from, valid_to, note FROM actor_corrections"
            ).fetchall()
            self._corrections = [MemoryEntry(r[0], r[1], r[2], r[3], r[4], "", r[5], r[6], correction=True,
                                             note=r[7] or "") for r in rows]

    def _add_to_index(self, entry: MemoryEntry) -> None:
        _index_entry(entry, self._index, self._surnames)


class MemorySnapshot:
    """Lookups over a frozen copy of an ActorMemory (same answers, no database)."""

    def __init__(self, learned: list[MemoryEntry], corrections: list[MemoryEntry], tolerance: dt.timedelta):
        self.tolerance = tolerance
        self._corrections = corrections
        self._index: dict[str, list[MemoryEntry]] = {}
        self._surnames: dict[str, list[MemoryEntry]] = {}
        for entry in learned:
            _index_entry(entry, self._index, self._surnames)

    def lookup(self, name: str, date: DateLike = None) -> Optional[Actor]:
        return self.correction(name, date) or self.learned(name, date)

    def correction(self, name: str, date: DateLike = None) -> Optional[Actor]:
        return _find_correction(self._corrections, name, _as_date(date))

    def learned(self, name: str, date: DateLike = None) -> Optional[Actor]:
        return _find_learned(self._index, self._surnames, name, _as_date(date), self.tolerance)


def _index_entry(entry: MemoryEntry, index: dict, surnames: dict) -> None:
    index.setdefault(entry.name_key, []).append(entry)
    words = entry.name_key.split(" ")
    last = words[-1]
    if len(words) >= 2 and len(last) >= MIN_SURNAME_LETTERS and last not in COMMON_FAMILY_NAMES:
        surnames.setdefault(last, []).append(entry)


def _find_correction(corrections: list[MemoryEntry], name: str, when: Optional[dt.date]) -> Optional[Actor]:
    key = name_key(name)
    hits = [c for c in corrections if c.name_key == key and c.covers(when, dt.timedelta(0))]
    if not hits and " " not in key:  # a correction of "Zamir Kabulov" also covers "Kabulov"
        hits = [c for c in corrections if c.name_key.split(" ")[-1] == key and " " in c.name_key
                and c.covers(when, dt.timedelta(0))]
        if len({c.code for c in hits}) > 1:
            return None
    if not hits:
        return None
    # a dated correction is more specific than an undated one
    best = max(hits, key=lambda c: (c.first_seen is not None or c.last_seen is not None))
    return best.to_actor(name)


def _find_learned(index: dict, surnames: dict, name: str, when: Optional[dt.date],
                  tolerance: dt.timedelta) -> Optional[Actor]:
    key = name_key(name)
    entries = index.get(key)
    if not entries and " " not in key:
        entries = surnames.get(key)
    if not entries:
        return None
    fitting = [e for e in entries if e.covers(when, tolerance)]
    if not fitting or len({e.country for e in fitting}) > 1 and len({e.name_key for e in fitting}) > 1:
        return None  # namesakes from different countries
    best = max(fitting, key=lambda e: (e.n_seen, e.last_seen or dt.date.min))
    return best.to_actor(name)


def titled_person(actor: Optional[Actor]) -> Optional[str]:
    """The name of a person the resolver found with a title or appositive, from ``Actor.how``."""
    if actor is None or not actor.how or actor.code.startswith("---"):
        return None
    m = _TITLED.search(actor.how)
    return m.group(1).strip() if m else None


def _role(e: MemoryEntry, note: str) -> dict[str, Any]:
    role = {"country": e.country, "sector": e.sector, "code": e.code, "start": _iso(e.first_seen),
            "end": _iso(e.last_seen), "role": e.role or note}
    if not e.correction:
        role["learned"] = True
    return {k: v for k, v in role.items() if v not in (None, "")}


def _as_date(value: DateLike, *, end: bool = False) -> Optional[dt.date]:
    if value is None or isinstance(value, dt.date):
        return value
    got = parse_date(value, end=end)
    if got is None:
        raise ValueError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return got


def _iso(d: Optional[dt.date]) -> Optional[str]:
    return d.isoformat() if d else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
