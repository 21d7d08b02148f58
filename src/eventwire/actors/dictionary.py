"""Actor dictionaries: countries, sector terms and organisations, loaded from TSV files.

The built-in tables live in ``eventwire/data`` (countries.tsv, sectors.tsv, organisations.tsv); each
file starts with ``#`` comment lines describing its columns, then a header row naming the columns.
Extra user files with the same headers can be merged in (``load_dictionary(extra_paths)``): the
table a file belongs to is recognised from its header row, and later files win on a shared key.

Case rules for names: an alias that is all capitals ("US", "NATO", "U.S.") or at most three
characters long ("LeT") is matched case-sensitively; other names are matched case-insensitively,
but a name written with an initial capital ("Turkey") only matches text with some capital letter, so
"us", "turkey" and "chad" are ordinary words (while a garbled "iSrael" is still Israel). Text with accents matches a plain form ("Bogotá" finds
"Bogota"), but an accented form only matches accented text ("Malé" does not match "Male").
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence, Union

BUILTIN_FILES = ("countries.tsv", "sectors.tsv", "organisations.tsv")
BLOCK = "-"  # iso3/code of rows that only block a shorter match ("New Jersey")

COUNTRY_COLUMNS = ("iso3", "name", "aliases", "demonyms", "capitals")
SECTOR_COLUMNS = ("term", "sector", "note")
ORGANISATION_COLUMNS = ("name", "aliases", "code", "country", "sector")


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str


@dataclass(frozen=True)
class Organisation:
    name: str
    code: str
    country: Optional[str]
    sector: Optional[str]


@dataclass(frozen=True)
class SectorTerm:
    term: str
    sector: str
    weak: bool  # a generic role noun: a modifier's sector overrides it ("opposition leader")
    noun_only: bool  # only matches a noun ("the general", not "general strike")
    source: str

    @property
    def how(self) -> str:
        return f"{self.source}:{self.term}"


@dataclass(frozen=True)
class NameMatch:
    """What a name in the text refers to: a country, an organisation or a blocking phrase."""
    entity: Union[Country, Organisation, None]  # None for blocking phrases
    form: str  # the dictionary form that matched
    field: str  # name | alias | demonym | capital
    source: str  # file the entry came from

    @property
    def is_block(self) -> bool:
        return self.entity is None

    @property
    def how(self) -> str:
        label = self.entity.name if self.entity else "block"
        if self.field == "city":  # actor_places.tsv: name the place, not just its country
            return f"{self.source}:{self.form}({label})"
        return f"{self.source}:{label}({self.field})"


# ---------------------------------------------------------------- normalisation

_CACHE_LIMIT = 200_000  # cached lookups kept per dictionary before the caches start over
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-", "‐": "-"})


def normalise(text: str) -> str:
    """Unicode-normalised text with straight quotes and single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).strip()


def fold(text: str) -> str:
    """Case- and accent-insensitive key."""
    decomposed = unicodedata.normalize("NFKD", normalise(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def is_case_sensitive(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return len(alias) <= 3 or (bool(letters) and all(c.isupper() for c in letters))


def _initial_is_upper(text: str) -> bool:
    for c in text:
        if c.isalpha():
            return c.isupper()
    return False


def token_count(text: str) -> int:
    """Upper bound on the number of spaCy tokens a dictionary form spans."""
    return len(re.findall(r"\w+|[^\w\s]", text))


def singular_forms(word: str) -> list[str]:
    """Naive singulars for plural lookups when no lemma is available."""
    w = word
    out = []
    if w.endswith("men"):
        out.append(w[:-3] + "man")
    if w.endswith("ies") and len(w) > 4:
        out.append(w[:-3] + "y")
    if w.endswith("es") and len(w) > 3:
        out.append(w[:-2])
    if w.endswith("s") and not w.endswith("ss") and len(w) > 2:
        out.append(w[:-1])
    return out


# ---------------------------------------------------------------- TSV reading


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def read_tsv(path: Union[str, Path], text: Optional[str] = None) -> tuple[tuple[str, ...], list[tuple[int, dict]]]:
    """Header columns and (line number, row) pairs; '#' lines and blank lines are skipped."""
    if text is None:
        text = Path(path).read_text(encoding="utf-8")
    header: Optional[tuple[str, ...]] = None
    rows = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.rstrip("\n").split("\t")]
        if header is None:
            header = tuple(c.lower() for c in cells)
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append((lineno, dict(zip(header, cells))))
    if header is None:
        raise ValueError(f"{path}: no header row")
    return header, rows


def _table_kind(header: Sequence[str], path) -> str:
    cols = set(header)
    if set(COUNTRY_COLUMNS) <= cols:
        return "countries"
    if set(ORGANISATION_COLUMNS) <= cols:
        return "organisations"
    if {"term", "sector"} <= cols:
        return "sectors"
    raise ValueError(f"{path}: unknown table; header must be one of {COUNTRY_COLUMNS}, {SECTOR_COLUMNS}, "
                     f"{ORGANISATION_COLUMNS}")


# ---------------------------------------------------------------- the dictionary


class ActorDictionary:
    """Lookups for actor names, built from countries/sectors/organisations tables."""

    def __init__(self) -> None:
        self._exact: dict[str, NameMatch] = {}  # case-sensitive names, normalised
        self._folded: dict[str, tuple[NameMatch, bool]] = {}  # folded -> (match, needs initial capital)
        self._accented: dict[str, tuple[NameMatch, bool]] = {}  # same, for forms written with accents
        self._sectors: dict[str, SectorTerm] = {}
        # Lookups of the same words repeat across mentions and documents; cleared when entries are added.
        self._name_cache: dict[str, Optional[NameMatch]] = {}
        self._sector_cache: dict[tuple[str, Optional[str]], Optional[SectorTerm]] = {}
        self._countries: dict[str, Country] = {}
        self._organisations: dict[str, Organisation] = {}
        self.max_name_tokens = 1
        self.max_sector_tokens = 1

    # -- loading

    @classmethod
    def load(cls, extra_paths: Iterable[Union[str, Path]] = ()) -> "ActorDictionary":
        """The built-in tables plus any extra TSV files (later files override earlier entries)."""
        d = cls()
        pkg = resources.files("eventwire.data")
        for name in BUILTIN_FILES:
            d.add_table(name, pkg.joinpath(name).read_text(encoding="utf-8"))
        for path in extra_paths:
            d.add_table(Path(path).name, Path(path).read_text(encoding="utf-8"), path=path)
        return d

    def add_table(self, source: str, text: str, path=None) -> None:
        header, rows = read_tsv(path or source, text)
        add_row = {"countries": self._add_country, "sectors": self._add_sector,
                   "organisations": self._add_organisation}[_table_kind(header, path or source)]
        for lineno, row in rows:
            try:
                add_row(row, source)
            except ValueError as e:
                raise ValueError(f"{path or source}:{lineno}: {e}") from None

    def add_row(self, kind: str, row: dict, source: str) -> None:
        """Add one row to a table ("countries", "sectors" or "organisations"), as a TSV line would
        (used by YAML and PETRARCH user dictionaries); list values are joined with "|"."""
        adders = {"countries": self._add_country, "sectors": self._add_sector, "organisations": self._add_organisation}
        if kind not in adders:
            raise ValueError(f"unknown table {kind!r}; use one of {sorted(adders)}")
        columns = {"countries": COUNTRY_COLUMNS, "sectors": SECTOR_COLUMNS, "organisations": ORGANISATION_COLUMNS}[kind]
        clean = {}
        for col in columns:
            value = row.get(col, "")
            if isinstance(value, (list, tuple)):
                value = "|".join(str(v) for v in value)
            clean[col] = "" if value is None else str(value).strip()
        adders[kind](clean, source)

    def _add_country(self, row: dict, source: str) -> None:
        iso3 = row["iso3"]
        if not (iso3 == BLOCK or re.fullmatch(r"[A-Z]{3}", iso3)):
            raise ValueError(f"bad iso3 {iso3!r}")
        country = None
        if iso3 != BLOCK:
            country = self._countries.setdefault(iso3, Country(iso3, row["name"] or iso3))
        fields = [("name", [row["name"]] if iso3 != BLOCK else []), ("alias", _split(row["aliases"])),
                  ("demonym", _split(row["demonyms"])), ("capital", _split(row["capitals"]))]
        for field, forms in fields:
            for form in forms:
                self._add_name(form, NameMatch(country, form, field, source))

    def _add_organisation(self, row: dict, source: str) -> None:
        code = row["code"]
        if not code:
            raise ValueError("missing code")
        org = None
        if code != BLOCK:
            org = Organisation(row["name"], code, row["country"] or None, row["sector"] or None)
            self._organisations[fold(row["name"])] = org
        for field, forms in (("name", [row["name"]]), ("alias", _split(row["aliases"]))):
            for form in forms:
                self._add_name(form, NameMatch(org, form, field, source))

    def _add_sector(self, row: dict, source: str) -> None:
        term, sector, note = row["term"], row["sector"], row.get("note", "")
        weak = sector.endswith("?")
        sector = sector.rstrip("?")
        if not re.fullmatch(r"[A-Z]{3}", sector):
            raise ValueError(f"bad sector {row['sector']!r}")
        entry = SectorTerm(fold(term), sector, weak, "[noun]" in note, source)
        self._sectors[fold(term)] = entry
        self._sector_cache.clear()
        self.max_sector_tokens = max(self.max_sector_tokens, token_count(term))

    def _add_name(self, form: str, match: NameMatch) -> None:
        self._name_cache.clear()
        self.max_name_tokens = max(self.max_name_tokens, token_count(form))
        if is_case_sensitive(form):
            self._exact[normalise(form)] = match
            return
        # Accented forms only match accented text ("Malé" is not "Male"); tables list the plain
        # spelling separately where it is safe ("Bogota").
        key, index = fold(form), self._folded
        if key != normalise(form).casefold():
            key, index = normalise(form).casefold(), self._accented
        needs_cap = _initial_is_upper(form)
        prev = index.get(key)
        if prev and prev[0].entity == match.entity:
            needs_cap = needs_cap and prev[1]  # any lower-case variant ("al-Qaeda") relaxes the rule
        index[key] = (match, needs_cap)

    # -- lookups

    def name(self, text: str) -> Optional[NameMatch]:
        """The country, organisation or blocking phrase that ``text`` names exactly."""
        try:
            return self._name_cache[text]
        except KeyError:
            pass
        found = self._uncached_name(text)
        if len(self._name_cache) > _CACHE_LIMIT:
            self._name_cache.clear()
        self._name_cache[text] = found
        return found

    def _uncached_name(self, text: str) -> Optional[NameMatch]:
        found = self._lookup_name(text)
        if found is None and text.endswith("s") and len(text) > 3:
            # plural nationality nouns: "Palestinians", "Afghans"
            found = self._lookup_name(text[:-1])
            if found is not None and found.field != "demonym":
                found = None
        return found

    def _lookup_name(self, text: str) -> Optional[NameMatch]:
        exact = self._exact.get(normalise(text))
        if exact is not None:
            return exact
        hit = self._accented.get(normalise(text).casefold()) or self._folded.get(fold(text))
        if hit is None:
            return None
        match, needs_cap = hit
        if needs_cap and not _initial_is_upper(text) and not any(c.isupper() for c in text):
            return None  # "turkey", "chad"; odd casing like "iSrael" still names the country
        return match

    def country(self, text: str) -> Optional[Country]:
        """Country named by a name, alias, demonym or capital ("U.S.", "Afghan", "Kabul")."""
        m = self.name(text)
        return m.entity if m and isinstance(m.entity, Country) else None

    def organisation(self, text: str) -> Optional[Organisation]:
        m = self.name(text)
        return m.entity if m and isinstance(m.entity, Organisation) else None

    def sector(self, text: str, lemma: Optional[str] = None) -> Optional[SectorTerm]:
        """Sector term for a word or phrase; ``lemma`` is the phrase with its last word lemmatised."""
        key = (text, lemma)
        try:
            return self._sector_cache[key]
        except KeyError:
            pass
        found = self._uncached_sector(text, lemma)
        if len(self._sector_cache) > _CACHE_LIMIT:
            self._sector_cache.clear()
        self._sector_cache[key] = found
        return found

    def _uncached_sector(self, text: str, lemma: Optional[str]) -> Optional[SectorTerm]:
        candidates = [text] + ([lemma] if lemma else [])
        words = fold(text).split(" ")
        candidates += [" ".join(words[:-1] + [s]) for s in singular_forms(words[-1])]
        for c in candidates:
            hit = self._sectors.get(fold(c))
            if hit is not None:
                return hit
        return None

    def country_by_code(self, iso3: str) -> Optional[Country]:
        return self._countries.get(iso3)

    def countries(self) -> Iterator[Country]:
        return iter(self._countries.values())

    def organisations(self) -> Iterator[Organisation]:
        return iter(self._organisations.values())


@functools.lru_cache(maxsize=8)
def _load_cached(extra_paths: tuple[str, ...]) -> ActorDictionary:
    return ActorDictionary.load(extra_paths)


def load_dictionary(extra_paths: Iterable[Union[str, Path]] = ()) -> ActorDictionary:
    """Cached dictionary: built-in tables plus ``extra_paths`` (merged in order)."""
    return _load_cached(tuple(str(p) for p in extra_paths))
