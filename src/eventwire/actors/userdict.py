"""User actor dictionaries: YAML files, extra TSV tables and PETRARCH/TABARI dictionaries.

A YAML dictionary has any of these sections (all optional; see docs/actors.md for a full example):

.. code-block:: yaml

    countries:            # new aliases, demonyms or capitals of a country (or a new code)
      - {iso3: RUS, aliases: [Rossiya], demonyms: [Rossiyan]}
    organisations:        # named groups and bodies; code in CAMEO style
      - {name: Azov Regiment, aliases: [Azov Battalion], code: UKRMILAZV, country: UKR, sector: MIL}
    sectors:              # role nouns and titles; "GOV?" marks a weak default (see sectors.tsv)
      - {term: chief minister, sector: GOV}
    people:               # people and their posts, with dates
      - name: Zamir Kabulov
        aliases: [Kabulov]
        roles:
          - {country: RUS, sector: GOV, role: presidential envoy for Afghanistan, start: 2011, end: 2022}
      - {name: Jane Roe, country: GBR, sector: MED}   # one undated role, written inline
    blocked: [Jordan Henderson]   # names that are never actors

``load_actor_data(paths)`` builds a dictionary and a people directory from the built-in tables plus
the given files, in order (later entries win): ``.yaml``/``.yml`` as above, ``.tsv`` with the header of
a built-in table (countries, sectors, organisations or people), and PETRARCH/TABARI ``.txt`` files
(``*.actors.txt`` actor dictionaries, ``*agents*.txt`` agent dictionaries; see actors.petrarch).
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Iterable, Union

from eventwire.actors.dictionary import ActorDictionary, BLOCK, read_tsv
from eventwire.actors.people import PEOPLE_COLUMNS, PeopleDirectory, make_role

PathLike = Union[str, os.PathLike]
SECTIONS = ("countries", "organisations", "organizations", "sectors", "people", "blocked")


def load_actor_data(paths: Iterable[PathLike]) -> tuple[ActorDictionary, PeopleDirectory]:
    """(dictionary, people) from the built-in tables plus ``paths``; cached on the files' paths and
    modification times."""
    key = tuple((str(p), os.path.getmtime(p)) for p in paths)
    return _load(key)


@functools.lru_cache(maxsize=8)
def _load(key: tuple[tuple[str, float], ...]) -> tuple[ActorDictionary, PeopleDirectory]:
    paths = [Path(p) for p, _ in key]
    dictionary = ActorDictionary.load()
    people = PeopleDirectory.load()
    for path in paths:
        apply_file(path, dictionary, people)
    return dictionary, people


def apply_file(path: PathLike, dictionary: ActorDictionary, people: PeopleDirectory) -> None:
    """Add one user file to ``dictionary`` and ``people`` (the kind is read from its name/header)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        apply_yaml(path, dictionary, people)
    elif suffix == ".tsv":
        text = path.read_text(encoding="utf-8")
        header, _ = read_tsv(path, text)
        if set(PEOPLE_COLUMNS) <= set(header):
            people.add_table(path.name, text, path=path)
        else:
            dictionary.add_table(path.name, text, path=path)
    elif suffix == ".txt":
        from eventwire.actors import petrarch

        petrarch.apply_file(path, dictionary, people)
    else:
        raise ValueError(f"{path}: unknown dictionary format (use .yaml, .tsv or a PETRARCH .txt)")


def apply_yaml(path: PathLike, dictionary: ActorDictionary, people: PeopleDirectory) -> None:
    import yaml

    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    apply_dict(data, dictionary, people, source=path.name)


def apply_dict(data: dict[str, Any], dictionary: ActorDictionary, people: PeopleDirectory, *,
               source: str = "user") -> None:
    """Add a parsed YAML dictionary (the sections in the module doc)."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}: a YAML actor dictionary is a mapping of sections {SECTIONS}")
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ValueError(f"{source}: unknown section(s) {sorted(unknown)}; use {', '.join(SECTIONS)}")
    for i, row in enumerate(_rows(data, "countries", source), 1):
        iso3 = str(row.get("iso3", "")).upper()
        known = dictionary.country_by_code(iso3)
        row = {**row, "iso3": iso3, "name": row.get("name") or (known.name if known else iso3)}
        _add(dictionary, "countries", row, source, "countries", i)
    for section in ("organisations", "organizations"):
        for i, row in enumerate(_rows(data, section, source), 1):
            _add(dictionary, "organisations", row, source, section, i)
    for i, row in enumerate(_rows(data, "sectors", source), 1):
        _add(dictionary, "sectors", row, source, "sectors", i)
    for i, row in enumerate(_rows(data, "people", source), 1):
        try:
            add_person(people, row, source)
        except (ValueError, TypeError, KeyError) as e:
            raise ValueError(f"{source}: people #{i} ({row.get('name', '?')}): {e}") from None
    for name in data.get("blocked") or []:
        dictionary.add_row("organisations", {"name": str(name), "code": BLOCK}, source)


def add_person(people: PeopleDirectory, row: dict[str, Any], source: str) -> None:
    """One YAML person: name, aliases, and roles (or one inline role)."""
    name = str(row.get("name") or "").strip()
    if not name:
        raise ValueError("missing name")
    roles_in = row.get("roles")
    if roles_in is None:
        roles_in = [{k: row.get(k) for k in ("country", "sector", "code", "role", "start", "end")}]
    roles = [make_role(r.get("country"), r.get("sector"), r.get("code"), r.get("role") or "",
                       _text(r.get("start")), _text(r.get("end")), source) for r in roles_in]
    aliases = row.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [a.strip() for a in aliases.split("|")]
    people.add(name, roles, aliases=[str(a) for a in aliases], kind=row.get("kind") or "person")


def _rows(data: dict, section: str, source: str) -> list[dict]:
    rows = data.get(section) or []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValueError(f"{source}: section {section!r} must be a list of mappings")
    return rows


def _add(dictionary: ActorDictionary, kind: str, row: dict, source: str, section: str, i: int) -> None:
    try:
        dictionary.add_row(kind, row, source)
    except ValueError as e:
        raise ValueError(f"{source}: {section} #{i}: {e}") from None


def _text(value: Any) -> str:
    """YAML reads 2021-03-08 as a date and 2011 as an int: back to text for make_role."""
    return "" if value is None else str(value)
