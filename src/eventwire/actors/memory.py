"""Corpus actor memory: people learned from their titles, kept in the store's DuckDB database.

When a document names someone with a title or an appositive ("Russian envoy Zamir Kabulov"), the
resolver marks the actor ``person:Zamir Kabulov(titled)`` in ``Actor.how``; ``learn_from_events``
records that mention and keeps, per name and code, the first and last date it was seen, how often,
and the evidence sentence. A later bare "Kabulov" resolves from memory when its date falls in that
window (widened by a tolerance, one year by default).

One reading is not enough. Titles are easy to misread: in "Russia's UK ambassador Alexander
Yakovenko" the UK is where he is posted, and in "the UN's special Syria envoy, Staffan de Mistura"
Syria is his brief, not his country. So every mention is read again here (``read_title``) and an
entry is only used to resolve names once it is *confirmed*:

- a title names the person's own country or organisation: a possessor ("Russia's ambassador to the
  UK"), a demonym ("Russian ambassador"), an of-phrase ("President of France"), or a country name
  before a title that is not a posting ("UK foreign secretary"); a possessor wins over a country
  name next to the title ("Russia's UK ambassador" is Russia's), and a country after "to"/"for" is
  a posting ("envoy for Syria");
- or at least two documents agree on the same code (a weak reading such as "UK ambassador X", where
  "UK" could be the posting, or a code the title does not state).

Weaker mentions are kept as *candidates* (``status = 'candidate'``), not used, until agreeing
evidence promotes them. A mention whose coded country is only a posting in the text is not learned.

Users can correct the memory: a correction (``correct``) wins over anything learned for that name,
optionally only within a date window, and can also say a name is not an actor (``block=True``).

Tables (plain SQL, created if missing on the store's connection):

- ``actor_mentions``     seq, name_key, code, name, country, sector, role, seen, doc_id, explicit, evidence,
                         basis, learned_at: one row per titled mention (``basis`` says how it was read).
                         Learning a document again replaces its rows, as re-coding replaces its events.
- ``actor_memory``       name_key, name, country, sector, code, role, first_seen, last_seen, n_seen,
                         evidence, doc_id, last_evidence, last_doc_id, updated_at, n_docs, n_explicit,
                         status: one row per (name_key, code), summarising its mentions
- ``actor_corrections``  name_key, name, country, sector, code, valid_from, valid_to, note, corrected_at

``name_key`` is the case/accent-insensitive key of ``people.name_key`` ("zamir kabulov"). A bare
surname finds a learned full name ("Kabulov" -> "Zamir Kabulov") unless two people with that
surname disagree on the country.

Lookups use an in-process index (loaded once, updated by ``learn``), so the resolver can ask on every
phrase. ``snapshot()`` gives a frozen, picklable copy of what is used: give it to the resolver for a
whole run, so that what the run learns does not change how its later documents are coded.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Union

from eventwire.actors.dictionary import Country, Organisation, normalise
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
    # Stores written before mentions were checked lack these; their rows are migrated (_migrate_legacy).
    "ALTER TABLE actor_memory ADD COLUMN IF NOT EXISTS n_docs INTEGER",
    "ALTER TABLE actor_memory ADD COLUMN IF NOT EXISTS n_explicit INTEGER",
    "ALTER TABLE actor_memory ADD COLUMN IF NOT EXISTS status VARCHAR",  # 'confirmed' or 'candidate'
    "CREATE SEQUENCE IF NOT EXISTS actor_mentions_seq",
    """CREATE TABLE IF NOT EXISTS actor_mentions (
        seq BIGINT DEFAULT nextval('actor_mentions_seq'),
        name_key VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        name VARCHAR,
        country VARCHAR,
        sector VARCHAR,
        role VARCHAR,
        seen DATE,
        doc_id VARCHAR,
        explicit BOOLEAN,  -- the title names the person's own country/organisation
        evidence VARCHAR,
        basis VARCHAR,
        learned_at TIMESTAMP
    )""",
    # No indexes: DuckDB scans this table fast, and indexes slow down every insert.
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
# Documents that must agree on a code before a reading no title states is used.
MIN_AGREEING_DOCUMENTS = 2
CONFIRMED, CANDIDATE = "confirmed", "candidate"
_TITLED = re.compile(r"person:([^()+]+)\(titled\)$")
_TERM = re.compile(r"sectors\.tsv:([^+()]+)$")
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
    n_docs: int = 0  # documents it was read in (mentions without a document count one each)
    n_explicit: int = 0  # mentions whose title names the person's own country or organisation

    @property
    def confirmed(self) -> bool:
        """Used to resolve names: a correction, an entry a title states, or one documents agree on."""
        return self.correction or self.n_explicit > 0 or self.n_docs >= MIN_AGREEING_DOCUMENTS

    @property
    def status(self) -> str:
        return CONFIRMED if self.confirmed else CANDIDATE

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
            out.update(kind="learned", status=self.status, role=self.role, first_seen=_iso(self.first_seen),
                       last_seen=_iso(self.last_seen), n_seen=self.n_seen, n_docs=self.n_docs,
                       n_explicit=self.n_explicit, evidence=self.evidence, doc_id=self.doc_id)
        return out


class ActorMemory:
    """Learned people and user corrections in DuckDB, with an in-process index for fast lookups.

    ``store_or_connection``: an ``EventStore`` (its ``con`` is used) or a DuckDB connection.
    ``dictionary``: the actor dictionary titles are read with (default: the built-in tables).
    """

    def __init__(self, store_or_connection: Any, *, tolerance_days: int = 365, dictionary: Any = None):
        self.con = getattr(store_or_connection, "con", store_or_connection)
        for sql in _SCHEMA:
            self.con.execute(sql)
        self.tolerance = dt.timedelta(days=tolerance_days)
        self._dictionary = dictionary
        self._learned: Optional[dict[tuple[str, str], MemoryEntry]] = None
        self._corrections: Optional[list[MemoryEntry]] = None
        self._index: dict[str, list[MemoryEntry]] = {}
        self._surnames: dict[str, list[MemoryEntry]] = {}
        self._mention_docs: Optional[set[str]] = None  # loaded when first needed
        self._migrate_legacy()

    @property
    def dictionary(self):
        if self._dictionary is None:
            from eventwire.actors.dictionary import load_dictionary

            self._dictionary = load_dictionary()
        return self._dictionary

    # ------------------------------------------------------------ writing

    def learn(self, name: str, country: Optional[str], sector: Optional[str], role: str = "",
              date: DateLike = None, evidence: str = "", *, code: Optional[str] = None,
              doc_id: Optional[str] = None, explicit: bool = True, basis: str = "") -> None:
        """Record one mention of ``name`` as this actor on ``date`` (widening its window).

        ``explicit``: the evidence states the person's own country or organisation, so the entry is
        used at once (a direct call is taken as such); otherwise the entry stays a candidate until
        mentions in ``MIN_AGREEING_DOCUMENTS`` documents agree."""
        key = name_key(name)
        if not key:
            return
        code = code or (country or "---") + (sector or "")
        when = parse_date(date) if not isinstance(date, dt.date) else date
        self._load()
        new_document = doc_id is None or not self.con.execute(
            "SELECT count(*) FROM actor_mentions WHERE name_key = ? AND code = ? AND doc_id = ?",
            [key, code, doc_id]).fetchall()[0][0]
        self._note_mention(key, name, country, sector, code, role, when, doc_id, explicit, evidence,
                           basis or ("given" if explicit else ""), new_document)

    def learn_from_events(self, events: Iterable[Any], *, date: DateLike = None, doc_id: Optional[str] = None) -> int:
        """Learn every titled person among the events' actors (``person:NAME(titled)`` in ``how``);
        an event's own date wins over ``date``. What was learned from the same documents before is
        replaced (re-coding a document re-learns it). Returns how many mentions were learned."""
        events = list(events)
        docs = {doc_id} if doc_id is not None else {getattr(ev, "doc_id", None) for ev in events}
        self._load()
        self._refresh(self._drop_documents({d for d in docs if d is not None}))
        seen: set[tuple[str, str, Optional[str]]] = set()
        n = 0
        for ev in events:
            when = getattr(ev, "date", None) or date
            if when is not None and not isinstance(when, dt.date):
                when = parse_date(when)
            for actor in (ev.source, ev.target, getattr(ev, "attributed_to", None)):
                person = titled_person(actor)
                if person is None:
                    continue
                reading = read_title(actor, person, self.dictionary)
                if reading is None:
                    continue  # the coded country is where the person is posted, not theirs
                key = name_key(person)
                if not key:
                    continue
                source = getattr(ev, "doc_id", None) or doc_id
                new_document = source is None or (key, reading.code, source) not in seen
                seen.add((key, reading.code, source))
                self._note_mention(key, person, reading.country, reading.sector, reading.code, _title_term(actor),
                                   when, source, reading.explicit, getattr(ev, "sentence", "") or "", reading.basis,
                                   new_document)
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
        self.con.execute("DELETE FROM actor_mentions WHERE name_key = ?", [key])
        self._learned = self._mention_docs = None
        return n

    # ------------------------------------------------------------ reading

    def lookup(self, name: str, date: DateLike = None) -> Optional[Actor]:
        """What ``name`` means on ``date``: a correction if one applies, else a confirmed learned entry."""
        return self.correction(name, date) or self.learned(name, date)

    def correction(self, name: str, date: DateLike = None) -> Optional[Actor]:
        self._load()
        return _find_correction(self._corrections, name, _as_date(date))

    def learned(self, name: str, date: DateLike = None) -> Optional[Actor]:
        """The confirmed learned entry for ``name`` on ``date`` (candidates are never used)."""
        self._load()
        return _find_learned(self._index, self._surnames, name, _as_date(date), self.tolerance, confirmed_only=True)

    def snapshot(self) -> "MemorySnapshot":
        """A frozen, picklable copy of the corrections and confirmed entries, for lookups during a run
        and in worker processes (a DuckDB connection is neither): give it to the resolver there, and
        learn in the main process. Learning later changes the memory, never the snapshot."""
        self._load()
        learned = [dataclasses.replace(e) for e in self._learned.values() if e.confirmed]
        return MemorySnapshot(learned, [dataclasses.replace(c) for c in self._corrections], self.tolerance)

    def entries(self, like: Optional[str] = None, *, corrections: bool = True, learned: bool = True,
                candidates: bool = True, limit: Optional[int] = None) -> list[MemoryEntry]:
        """Corrections, then learned entries (most seen first; ``candidates``: also those not used yet),
        optionally filtered by a name fragment."""
        self._load()
        out: list[MemoryEntry] = []
        if corrections:
            out += sorted(self._corrections, key=lambda c: c.name_key)
        if learned:
            out += sorted((e for e in self._learned.values() if candidates or e.confirmed),
                          key=lambda e: (-e.n_seen, e.name_key, e.code))
        if like:
            frag = name_key(like)
            out = [e for e in out if frag in e.name_key]
        return out[:limit] if limit else out

    def show(self, name: str, *, mentions: int = 20) -> dict[str, list[dict]]:
        """Everything stored under ``name`` (or its surname), with its latest ``mentions``."""
        self._load()
        key = name_key(name)
        match = (lambda k: k == key or k.split(" ")[-1] == key)
        keys = sorted({e.name_key for e in self._learned.values() if match(e.name_key)})
        rows = []
        if keys and mentions:
            rows = self.con.execute(
                f"SELECT name, code, seen, doc_id, explicit, basis, evidence FROM actor_mentions "
                f"WHERE name_key IN ({', '.join('?' for _ in keys)}) ORDER BY seq DESC LIMIT ?", [*keys, mentions]
            ).fetchall()
        return {"corrections": [c.to_dict() for c in self._corrections if match(c.name_key)],
                "learned": [e.to_dict() for e in self._learned.values() if match(e.name_key)],
                "mentions": [{"name": r[0], "code": r[1], "seen": _iso(r[2]), "doc_id": r[3], "explicit": r[4],
                              "basis": r[5], "evidence": r[6]} for r in rows]}

    def export(self) -> dict[str, Any]:
        """The memory as a user dictionary (see actors.userdict): corrections and confirmed learned
        people as ``people`` with dated roles, blocked names under ``blocked``. Candidates are left
        out: a dictionary entry is always used."""
        self._load()
        people: dict[str, dict] = {}
        blocked = []
        for e in sorted(self._learned.values(), key=lambda e: (e.name_key, e.code)):
            if not e.confirmed:
                continue
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

    def documents_mentioning(self, name: str) -> list[str]:
        """Ids of stored documents whose title or text has ``name``'s last word (its surname, which
        also finds the full name) or, for a one-word name, the name; case of all but the first letter,
        accents, apostrophes, dots and hyphens aside. Empty when the connection holds no documents."""
        words = name_key(name).split(" ")
        if not words[0]:
            return []
        has_documents = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'documents'").fetchall()[0][0]
        if not has_documents:
            return []
        rows = self.con.execute(
            "SELECT doc_id FROM documents WHERE regexp_matches(strip_accents(coalesce(title, '') || '\n' || "
            "coalesce(text, '')), ?) ORDER BY doc_id", [_text_pattern(words[-1])]).fetchall()
        return [r[0] for r in rows]

    # ------------------------------------------------------------ mentions and entries

    def _add_mention(self, key: str, name: str, country: Optional[str], sector: Optional[str], code: str,
                     role: str, when: Optional[dt.date], doc_id: Optional[str], explicit: bool, evidence: str,
                     basis: str) -> None:
        self.con.execute(
            "INSERT INTO actor_mentions (name_key, code, name, country, sector, role, seen, doc_id, explicit, "
            "evidence, basis, learned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [key, code, name, country, sector, role or "", when, doc_id, bool(explicit), evidence or "", basis, _now()])
        if doc_id is not None and self._mention_docs is not None:
            self._mention_docs.add(doc_id)

    def _note_mention(self, key: str, name: str, country: Optional[str], sector: Optional[str], code: str,
                      role: str, when: Optional[dt.date], doc_id: Optional[str], explicit: bool, evidence: str,
                      basis: str, new_document: bool) -> None:
        """Record a mention and update its entry in place (no re-counting: runs once per mention)."""
        self._add_mention(key, name, country, sector, code, role, when, doc_id, explicit, evidence, basis)
        entry = self._learned.get((key, code))
        new_entry = entry is None
        if entry is None:
            entry = MemoryEntry(key, name, country, sector, code, role or "", when, when, 0, evidence or "", doc_id)
            self._learned[(key, code)] = entry
            _index_entry(entry, self._index, self._surnames)
        else:
            if when is not None:
                entry.first_seen = min(entry.first_seen or when, when)
                entry.last_seen = max(entry.last_seen or when, when)
            if len(name) > len(entry.name):
                entry.name = name
            entry.role = entry.role or role or ""
        entry.n_seen += 1
        entry.n_explicit += bool(explicit)
        entry.n_docs += bool(new_document)
        self._write_entry(entry, evidence or "", doc_id, new=new_entry)

    def _write_entry(self, entry: MemoryEntry, last_evidence: str, last_doc_id: Optional[str], *, new: bool) -> None:
        values = [entry.name, entry.country, entry.sector, entry.role, entry.first_seen, entry.last_seen, entry.n_seen,
                  entry.evidence, entry.doc_id, last_evidence, last_doc_id, _now(), entry.n_docs, entry.n_explicit,
                  entry.status, entry.name_key, entry.code]
        if new:  # (an UPDATE is several times faster than DuckDB's INSERT OR REPLACE)
            self.con.execute(
                "INSERT OR REPLACE INTO actor_memory (name, country, sector, role, first_seen, last_seen, n_seen, evidence, doc_id, "
                "last_evidence, last_doc_id, updated_at, n_docs, n_explicit, status, name_key, code) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        else:
            self.con.execute(
                "UPDATE actor_memory SET name = ?, country = ?, sector = ?, role = ?, first_seen = ?, last_seen = ?, "
                "n_seen = ?, evidence = ?, doc_id = ?, last_evidence = ?, last_doc_id = ?, updated_at = ?, n_docs = ?, "
                "n_explicit = ?, status = ? WHERE name_key = ? AND code = ?", values)

    def _drop_documents(self, doc_ids: set[str]) -> set[tuple[str, str]]:
        """Forget the mentions learned from these documents; the (name_key, code) pairs they touched."""
        if self._mention_docs is None:  # documents that taught something: most coded documents did not
            self._mention_docs = {r[0] for r in self.con.execute(
                "SELECT DISTINCT doc_id FROM actor_mentions WHERE doc_id IS NOT NULL").fetchall()}
        ids = sorted(d for d in doc_ids if d in self._mention_docs)
        if not ids:
            return set()
        self._mention_docs.difference_update(ids)
        rows = self.con.execute(
            f"DELETE FROM actor_mentions WHERE doc_id IN ({', '.join('?' for _ in ids)}) RETURNING name_key, code",
            ids).fetchall()
        return {(r[0], r[1]) for r in rows}

    def _refresh(self, keys: set[tuple[str, str]]) -> None:
        """Recount the entries of these (name_key, code) pairs from their mentions (after some were dropped)."""
        for key, code in sorted(keys):
            row = self.con.execute(
                """SELECT count(*), count(DISTINCT doc_id) + count(*) FILTER (WHERE doc_id IS NULL),
                          count(*) FILTER (WHERE explicit), min(seen), max(seen),
                          arg_max(name, [length(name), -seq]), arg_min(country, seq), arg_min(sector, seq),
                          arg_min(role, seq) FILTER (WHERE role <> ''),
                          arg_min(evidence, seq), arg_min(doc_id, seq), arg_max(evidence, seq), arg_max(doc_id, seq)
                   FROM actor_mentions WHERE name_key = ? AND code = ?""", [key, code]).fetchall()[0]
            n_seen, n_docs, n_explicit, first, last, name, country, sector, role, ev, doc, last_ev, last_doc = row
            entry = self._learned.get((key, code))
            if not n_seen:
                self.con.execute("DELETE FROM actor_memory WHERE name_key = ? AND code = ?", [key, code])
                if entry is not None:
                    del self._learned[(key, code)]
                    _unindex_entry(entry, self._index, self._surnames)
                continue
            new = entry is None
            if entry is None:
                entry = MemoryEntry(key, name, country, sector, code)
                self._learned[(key, code)] = entry
                _index_entry(entry, self._index, self._surnames)
            entry.name, entry.country, entry.sector, entry.role = name, country, sector, role or ""
            entry.first_seen, entry.last_seen, entry.n_seen = first, last, n_seen
            entry.evidence, entry.doc_id, entry.n_docs, entry.n_explicit = ev or "", doc, n_docs, n_explicit
            self._write_entry(entry, last_ev or "", last_doc, new=new)

    def _migrate_legacy(self) -> None:
        """Rows learned before mentions were recorded become mentions that state nothing explicitly:
        one per document known (the first and the last), so an entry two documents agreed on stays
        in use. Re-coding those documents replaces them with checked readings."""
        rows = self.con.execute(
            "SELECT name_key, name, country, sector, code, role, first_seen, last_seen, evidence, doc_id, "
            "last_evidence, last_doc_id FROM actor_memory WHERE status IS NULL").fetchall()
        if not rows:
            return
        self._load()
        for key, name, country, sector, code, role, first, last, ev, doc, last_ev, last_doc in rows:
            basis = "learned before readings were checked"
            self._add_mention(key, name, country, sector, code, role, first, doc, False, ev, basis)
            if last_doc is not None and last_doc != doc:
                self._add_mention(key, name, country, sector, code, role, last, last_doc, False, last_ev, basis)
        self._refresh({(r[0], r[4]) for r in rows})

    # ------------------------------------------------------------ index

    def _load(self) -> None:
        if self._learned is None:
            rows = self.con.execute(
                "SELECT name_key, name, country, sector, code, role, first_seen, last_seen, n_seen, evidence, doc_id, "
                "n_docs, n_explicit FROM actor_memory").fetchall()
            self._learned = {(r[0], r[4]): MemoryEntry(*r[:8], n_seen=r[8] or 0, evidence=r[9] or "", doc_id=r[10],
                                                       n_docs=r[11] or 0, n_explicit=r[12] or 0)
                             for r in rows}
            self._index, self._surnames = {}, {}
            for entry in self._learned.values():
                _index_entry(entry, self._index, self._surnames)
        if self._corrections is None:
            rows = self.con.execute(
                "SELECT name_key, name, country, sector, code, valid_from, valid_to, note FROM actor_corrections"
            ).fetchall()
            self._corrections = [MemoryEntry(r[0], r[1], r[2], r[3], r[4], "", r[5], r[6], correction=True,
                                             note=r[7] or "") for r in rows]


class MemorySnapshot:
    """Lookups over a frozen copy of an ActorMemory's corrections and confirmed entries (same answers,
    no database)."""

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
        # every entry here was confirmed when the snapshot was taken
        return _find_learned(self._index, self._surnames, name, _as_date(date), self.tolerance)


def _index_entry(entry: MemoryEntry, index: dict, surnames: dict) -> None:
    index.setdefault(entry.name_key, []).append(entry)
    words = entry.name_key.split(" ")
    last = words[-1]
    if len(words) >= 2 and len(last) >= MIN_SURNAME_LETTERS and last not in COMMON_FAMILY_NAMES:
        surnames.setdefault(last, []).append(entry)


def _unindex_entry(entry: MemoryEntry, index: dict, surnames: dict) -> None:
    for table, key in ((index, entry.name_key), (surnames, entry.name_key.split(" ")[-1])):
        kept = [e for e in table.get(key, []) if e is not entry]
        if kept:
            table[key] = kept
        else:
            table.pop(key, None)


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
                  tolerance: dt.timedelta, *, confirmed_only: bool = False) -> Optional[Actor]:
    key = name_key(name)
    entries = index.get(key)
    if confirmed_only and entries:
        entries = [e for e in entries if e.confirmed]
    if not entries and " " not in key:
        entries = surnames.get(key)
        if confirmed_only and entries:
            entries = [e for e in entries if e.confirmed]
    if not entries:
        return None
    fitting = [e for e in entries if e.covers(when, tolerance)]
    if not fitting or len({e.country for e in fitting}) > 1 and len({e.name_key for e in fitting}) > 1:
        return None  # namesakes from different countries
    # a code a title stated beats one only seen more often
    best = max(fitting, key=lambda e: (e.n_explicit > 0, e.n_seen, e.last_seen or dt.date.min))
    return best.to_actor(name)


def titled_person(actor: Optional[Actor]) -> Optional[str]:
    """The name of a person the resolver found with a title or appositive in this very mention, from
    ``Actor.how``. A later mention resolved through the document's coreference ("document:NAME(...)",
    e.g. "Assad's forces") carries the earlier title inside parentheses and is not a new reading."""
    if actor is None or not actor.how or actor.code.startswith("---"):
        return None
    for part in _top_level_parts(actor.how):
        m = _TITLED.match(part)
        if m:
            return m.group(1).strip()
    return None


def _title_term(actor: Actor) -> str:
    for part in _top_level_parts(actor.how or ""):
        m = _TERM.match(part)
        if m:
            return m.group(1)
    return ""


def _top_level_parts(how: str) -> list[str]:
    """``how`` split at the "+" signs outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(how):
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == "+" and depth == 0:
            parts.append(how[start:i])
            start = i + 1
    parts.append(how[start:])
    return parts


# ---------------------------------------------------------------- reading a title again

@dataclass(frozen=True)
class Reading:
    """What one titled mention says the person is, as the memory learns it."""
    code: str
    country: Optional[str]
    sector: Optional[str]
    explicit: bool  # the title names the person's own country or organisation
    basis: str  # how it was read, for `eventwire actors show`


# Titles held in another country or organisation: a country name before them may be the posting
# ("Syria envoy", "UK ambassador"), so only a possessor, demonym or of-phrase states their own.
_POSTING = re.compile(r"\b(?:ambassador|envoy|emissary|(?<!high )representative|consul|consul-general|charg[eé] d'affaires|"
                      r"delegate|delegation|negotiator|mediator|diplomat|attach[eé]|high commissioner|observer)s?\b",
                      re.IGNORECASE)
_TOKEN = re.compile(r"'s\b|'(?!\w)|\w+(?:[.\-]\w+)*\.?|[^\w\s]")
_PERSON = "§"  # stands for the person's name in the title
_ARTICLES = {"the", "a", "an"}
_POSTED_TO = {"to", "for"}  # "ambassador to the UK", "envoy for Syria"
_POSTED_AT = {"in", "at"}  # "ambassador in London" (a posting); "a judge in Lahore" (local)
_BELONGS_TO = {"of", "from"}  # "President of France", "an envoy from Russia"
_ARMED = {"REB", "INS", "UAF", "MIL", "SEP"}


@dataclass
class _Name:
    entity: Any  # Country | Organisation
    field: str  # name | alias | demonym | capital | city
    start: int
    end: int
    role: str  # owner | modifier | posted | located


def read_title(actor: Actor, person: str, dictionary: Any) -> Optional[Reading]:
    """Read the title of a titled mention (``actor.text`` with ``person`` in it) for the memory.

    The title's own country or organisation is, in this order: a possessor or of/from-phrase
    ("Russia's UK ambassador": Russia; "X, Russia's ambassador to the UK"), a demonym ("Russian
    ambassador"), else a name before the title ("UK foreign secretary"). That is *explicit* unless
    the title is a posting (ambassador, envoy ...) and the name could be where it is held ("UK
    ambassador X", "UN Syria special envoy X"), or the title belongs to someone else ("Trump's Syria
    envoy"). When the coder's code disagrees with the title's own, the title's own is learned
    instead; when the coded country is only where the person is posted, nothing is learned (None)."""
    text = re.sub(re.escape(normalise(person)), f" {_PERSON} ", normalise(actor.text), count=1, flags=re.IGNORECASE)
    tokens = _TOKEN.findall(text)
    names, other_owner = _names_in(tokens, dictionary)
    posting = bool(_POSTING.search(text))
    own, explicit, how = _own(names, other_owner, posting)
    coded = [n for n in names if _agrees(n.entity, actor)]
    if own is None:
        if coded and all(n.role in ("posted", "located") or other_owner for n in coded):
            return None
        return Reading(actor.code, actor.country, actor.sector, False, "weak: the title names no country of its own")
    label = f"{own.name} ({how})"
    if _agrees(own, actor):
        return Reading(actor.code, actor.country, actor.sector, explicit,
                       f"{'explicit' if explicit else 'weak'}: {label}")
    code, country, sector = _code_for(own, actor.sector)
    return Reading(code, country, sector, explicit,
                   f"{'explicit' if explicit else 'weak'}: {label}, not {actor.code} as coded")


def _names_in(tokens: list[str], dictionary: Any) -> tuple[list[_Name], bool]:
    """Countries and organisations named in the title, with their role; and whether something else
    (a person, "the charity's") owns the title."""
    from eventwire.actors.places import place as find_place

    names: list[_Name] = []
    ends: set[int] = set()
    i = 0
    while i < len(tokens):
        if not tokens[i][0].isalnum():
            i += 1
            continue
        found = None
        for j in range(min(len(tokens), i + dictionary.max_name_tokens), i, -1):
            if all(t[0].isalnum() for t in tokens[i:j]):
                m = dictionary.name(" ".join(tokens[i:j]))
                if m is not None:
                    found = (j, m.entity, m.field)
                    break
        if found is None and tokens[i][0].isupper():
            for j in range(min(len(tokens), i + 3), i, -1):
                if all(t[0].isupper() for t in tokens[i:j]):
                    p = find_place(" ".join(tokens[i:j]))
                    country = dictionary.country_by_code(p.iso3) if p is not None else None
                    if country is not None:
                        found = (j, country, "city")
                        break
        if found is None:
            i += 1
            continue
        j, entity, field = found
        if entity is not None:  # None: a phrase that only blocks a shorter name ("New Jersey")
            role = _role_of(tokens, i, j, dictionary)
            if role is not None:
                names.append(_Name(entity, field, i, j, role))
            ends.add(j)
        i = j
    other_owner = any(t in ("'s", "'") and k not in ends and k > 0 and tokens[k - 1] != _PERSON
                      for k, t in enumerate(tokens))
    return names, other_owner


def _role_of(tokens: list[str], i: int, j: int, dictionary: Any) -> Optional[str]:
    nxt = tokens[j] if j < len(tokens) else ""
    if nxt[:1].isupper() and dictionary.name(nxt) is None and dictionary.sector(nxt) is None \
            and not (j + 1 < len(tokens) and dictionary.sector(f"{nxt} {tokens[j + 1]}")):
        return None  # part of a longer name ("Laila Kiki of the Syria Campaign")
    if nxt == "'s" or (nxt == "'" and tokens[j - 1].lower().endswith("s")):
        return "owner"
    k = i - 1
    while k >= 0 and tokens[k].lower() in _ARTICLES:
        k -= 1
    prev = tokens[k].lower() if k >= 0 else ""
    if prev in _POSTED_TO:
        return "posted"
    if prev in _POSTED_AT:
        return "located"
    if prev in _BELONGS_TO:
        return "owner"
    return "modifier"


def _own(names: list[_Name], other_owner: bool, posting: bool) -> tuple[Any, bool, str]:
    """The title's own country or organisation, whether the title states it, and how it was found."""
    owners = [n for n in names if n.role == "owner"]
    if owners:
        return owners[0].entity, len({_key(n.entity) for n in owners}) == 1, "possessor or of-phrase"
    demonyms = [n for n in names if n.role == "modifier" and n.field == "demonym"]
    if demonyms:
        return demonyms[0].entity, len({_key(n.entity) for n in demonyms}) == 1 and not other_owner, "demonym"
    if other_owner:
        return None, False, ""
    before = [n for n in names if n.role == "modifier" or (n.role == "located" and not posting)]
    if not before:
        return None, False, ""
    posted = any(n.role == "posted" for n in names)
    one = len({_key(n.entity) for n in before}) == 1
    if posting and not posted:
        how = "name before a posting title" if one else "first of several names before a posting title"
        return before[0].entity, False, how
    return before[0].entity, one, "name before the title"


def _agrees(entity: Any, actor: Actor) -> bool:
    if isinstance(entity, Country):
        return actor.country == entity.iso3
    if isinstance(entity, Organisation):
        return actor.code.startswith(entity.code) or (entity.country is not None and actor.country == entity.country)
    return False


def _code_for(entity: Any, sector: Optional[str]) -> tuple[str, Optional[str], Optional[str]]:
    """(code, country, sector) of a title of ``sector`` held in this country or organisation."""
    if isinstance(entity, Country):
        return entity.iso3 + (sector or ""), entity.iso3, sector
    adds_role = sector and sector != entity.sector and not entity.code.endswith(sector) \
        and not (entity.sector in _ARMED and sector in _ARMED)
    return (entity.code + sector if adds_role else entity.code), entity.country, \
        (sector if adds_role else entity.sector)


def _key(entity: Any) -> str:
    return entity.iso3 if isinstance(entity, Country) else entity.code


# ---------------------------------------------------------------- helpers

def _text_pattern(word: str) -> str:
    """RE2 pattern for a name key's word in accent-stripped text: first letter as a capital (a
    name, not "may"), the rest in any case, apostrophes, dots or hyphens allowed between letters."""
    gap = r"[.'’‘`\-‐]?"
    rest = gap.join(re.escape(c) for c in word[1:])
    first = re.escape(word[0].upper())
    return rf"(^|[^\pL\pN]){first}{gap}(?i:{rest})([^\pL\pN]|$)"


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
