"""Merging event reports into event records: grouping rules, GDELT-style counts, duplicates not inflating.

Documents and events are built by hand (no spaCy); the last test codes Guardian articles for real.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

from eventwire import ontology
from eventwire.records import Actor, Document, Event, Location
from eventwire.store import SCHEMA_VERSION, EventStore

from test_dedupe import story, wire_copy

SHARED = Path(__file__).resolve().parents[2] / "shared"
GUARDIAN = SHARED / "data" / "corpora" / "guardian_sample.csv"

KASHMIR = Location("Kashmir", "IND", "Jammu and Kashmir", 34.1, 74.8, 1269320, "admin1", "gazetteer")
LAHORE = Location("Lahore", "PAK", "Punjab", 31.5, 74.3, 1172451, "city", "gazetteer")
ACTORS = {
    "PAK": Actor("Pakistan", "PAK", "PAK"), "IND": Actor("India", "IND", "IND"),
    "PAKGOV": Actor("Pakistani government", "PAKGOV", "PAK", "GOV"), "RUS": Actor("Russia", "RUS", "RUS"),
    "---": Actor("gunmen", "---"), "---CVL": Actor("civilians", "---CVL", None, "CVL"),
    "IGOUNO": Actor("United Nations", "IGOUNO", None, "IGO"), "IGOEUREEC": Actor("European Union", "IGOEUREEC", None, "IGO"),
    "IGOEURCOE": Actor("Council of Europe", "IGOEURCOE", None, "IGO"),
    "NGOHRIAMN": Actor("Amnesty International", "NGOHRIAMN", None, "NGO"),
    "IMGMUSISI": Actor("Islamic State", "IMGMUSISI", None, "IMG"),
}


def event(doc_id: str, index: int = 1, source: str = "PAK", target: Optional[str] = "IND", cameo: str = "112",
          day: Optional[int] = 1, place: Optional[Location] = KASHMIR, sentence: Optional[str] = None,
          precision: str = "day", **flags) -> Event:
    code = ontology.cameo(cameo)
    src, tgt = ACTORS[source], ACTORS[target] if target else None
    return Event(
        doc_id=doc_id, sentence_index=index, sentence=sentence or f"{src.text} did {cameo} to {target} ({index}).",
        source=src, target=tgt, cameo=cameo, trigger="did", rule="test",
        goldstein=code.goldstein, quad_class=code.quad_class, plover=code.plover or None, mode=code.mode,
        context=code.context, trigger_span=(len(src.text) + 1, len(src.text) + 4),
        date=dt.date(2024, 3, day) if day else None, date_precision=precision if day else None,
        location=place, **flags,
    )


def save(store: EventStore, doc_id: str, events: list[Event], *, text: Optional[str] = None, source: Optional[str] = None,
         url: Optional[str] = None, pub_day: int = 1) -> None:
    doc = Document(id=doc_id, text=text if text is not None else story(hash(doc_id) % 10_000),
                   date=dt.date(2024, 3, pub_day), source=source if source is not None else f"Outlet {doc_id}", url=url)
    store.save_document(doc, [], events)


def merged(store: EventStore) -> list[dict]:
    return store.query("SELECT * FROM merged_events ORDER BY event_date, source_code, target_code, cameo, location_name")


def counts(store: EventStore) -> list[tuple]:
    """What a user of merged events sees, without ids and timestamps."""
    return [(r["source_code"], r["target_code"], r["cameo"], r["event_date"], r["location_name"],
             r["num_mentions"], r["num_articles"], r["num_sources"]) for r in merged(store)]


@pytest.fixture
def store():
    with EventStore(":memory:") as s:
        yield s


def test_reports_of_one_event_merge_with_gdelt_counts(store):
    save(store, "a", [event("a", 1), event("a", 4, sentence="Pakistan again accused India.")], url="https://www.dawn.com/x")
    save(store, "b", [event("b", 2, day=2)], source="", url="https://www.reuters.com/y")  # next day: same event
    save(store, "c", [event("c", 1)], source="", url=None)  # no outlet: counts as its own source
    stats = store.merge_events()
    assert (stats.mentions, stats.merged) == (4, 1)
    [row] = merged(store)
    assert (row["num_mentions"], row["num_articles"], row["num_sources"], row["num_reports"]) == (4, 3, 3, 4)
    assert (row["event_date"], row["date_end"]) == (dt.date(2024, 3, 1), dt.date(2024, 3, 2))
    assert (row["source_code"], row["target_code"], row["cameo"], row["location_name"]) == ("PAK", "IND", "112", "Kashmir")
    assert (row["goldstein"], row["quad_class"], row["plover"]) == (-2.0, 3, "ACCUSE")
    assert row["first_doc_id"] == "a" and row["source_url"] == "https://www.dawn.com/x"
    assert row["is_root_event"] is True
    links = store.query("SELECT merged_id, doc_id, counted FROM event_mentions ORDER BY doc_id, event_id")
    assert {r["merged_id"] for r in links} == {row["merged_id"]} and len(links) == 4
    assert [r["doc_id"] for r in links] == ["a", "a", "b", "c"]


def test_sources_come_from_documents_then_url_domain(store):
    save(store, "a", [event("a")], source="Dawn")
    save(store, "b", [event("b")], source="dawn ")  # same outlet, spelled differently
    save(store, "c", [event("c")], source="", url="https://www.dawn.com/news/1")  # a domain is another key
    save(store, "d", [event("d")], source="", url="https://dawn.com/news/2")
    store.merge_events()
    [row] = merged(store)
    assert (row["num_articles"], row["num_sources"]) == (4, 2)


def test_what_keeps_events_apart(store):
    save(store, "a", [
        event("a", 1, day=1),
        event("a", 2, day=3),                      # beyond the 1-day window
        event("a", 3, cameo="111"),                # another CAMEO code
        event("a", 4, place=LAHORE),               # another place
        event("a", 5, target="RUS"),               # another target
        event("a", 6, source="IND", target="PAK"), # the other direction
        event("a", 7, target=None),                # no target
    ])
    store.merge_events()
    assert len(merged(store)) == 7


def test_window_is_pairwise_and_configurable(store):
    save(store, "a", [event("a", i, day=day) for i, day in enumerate([1, 2, 3, 4, 5], 1)])
    store.merge_events()
    assert [(r["event_date"].day, r["date_end"].day, r["num_mentions"]) for r in merged(store)] == [
        (1, 2, 2), (3, 4, 2), (5, 5, 1)]  # days 1-5 don't chain into one event
    store.merge_events(window_days=0)
    assert len(merged(store)) == 5
    store.merge_events(window_days=4)
    assert len(merged(store)) == 1
    store.merge_events()  # None: the last window (4 days) is kept
    assert len(merged(store)) == 1


def test_match_on_cameo_root(store):
    save(store, "a", [event("a", 1, cameo="111"), event("a", 2, cameo="112")])
    store.merge_events(match="root")
    [row] = merged(store)
    assert row["num_mentions"] == 2 and row["cameo"] == "111" and row["cameo_root"] == "11"
    store.merge_events(match="code")
    assert len(merged(store)) == 2
    with pytest.raises(ValueError, match="match"):
        store.merge_events(match="verb")


def test_mention_without_place_joins_the_one_located_event(store):
    save(store, "a", [event("a", 1, place=KASHMIR)])
    save(store, "b", [event("b", 1, place=None, day=2)])
    store.merge_events()
    [row] = merged(store)
    assert row["location_name"] == "Kashmir" and row["num_articles"] == 2


def test_mention_without_place_stays_apart_when_the_place_is_ambiguous(store):
    save(store, "a", [event("a", 1, place=KASHMIR), event("a", 2, place=LAHORE)])
    save(store, "b", [event("b", 1, place=None)])
    store.merge_events()
    assert sorted((r["location_name"] or "-", r["num_mentions"]) for r in merged(store)) == [
        ("-", 1), ("Kashmir", 1), ("Lahore", 1)]


PAKISTAN = Location("Pakistan", "PAK", None, 30.0, 70.0, 1168579, "country", "gazetteer")
INDIA = Location("India", "IND", None, 22.0, 79.0, 1269750, "country", "gazetteer")


def test_country_level_mention_joins_the_one_place_in_that_country(store):
    save(store, "a", [event("a", 1, place=LAHORE)], pub_day=2)
    save(store, "b", [event("b", 1, place=PAKISTAN)])  # "in Pakistan": Lahore is in Pakistan
    save(store, "c", [event("c", 1, place=None)])
    save(store, "d", [event("d", 1, place=INDIA)])  # another country: another place
    store.merge_events()
    # c (no place) could be Lahore or India: it stays apart.
    assert sorted((r["location_name"] or "-", r["num_articles"]) for r in merged(store)) == [
        ("-", 1), ("India", 1), ("Lahore", 2)]
    lahore = next(r for r in merged(store) if r["location_name"] == "Lahore")
    assert lahore["first_doc_id"] == "b"  # the first report said "Pakistan"; the record keeps the precise place
    assert (lahore["location_precision"], lahore["location_lat"]) == ("city", 31.5)


def test_country_level_mentions_group_by_country_when_the_place_is_ambiguous(store):
    islamabad = Location("Islamabad", "PAK", None, 33.7, 73.1, 1176615, "city", "gazetteer")
    save(store, "a", [event("a", 1, place=LAHORE), event("a", 2, place=islamabad)])
    save(store, "b", [event("b", 1, place=PAKISTAN)])
    save(store, "c", [event("c", 1, place=Location("Pakistan", "PAK"))])  # same country, spelled as given
    store.merge_events()
    assert sorted((r["location_name"], r["num_articles"]) for r in merged(store)) == [
        ("Islamabad", 1), ("Lahore", 1), ("Pakistan", 2)]


def test_undated_mentions_merge_with_undated_only(store):
    doc = Document(id="u", text="x", date=None, source="S")
    store.save_document(doc, [], [event("u", 1, day=None), event("u", 2, day=None), event("u", 3, day=1)])
    store.merge_events()
    assert sorted((str(r["event_date"]), r["num_mentions"]) for r in merged(store)) == [("2024-03-01", 1), ("None", 2)]


def test_negated_and_hypothetical_mentions_are_left_out_by_default(store):
    save(store, "a", [event("a", 1), event("a", 2, cameo="111", negated=True), event("a", 3, cameo="190", hypothetical=True)])
    assert store.merge_events().merged == 1
    assert store.merge_events(include_negated=True).merged == 3


def test_coding_the_same_corpus_twice_changes_nothing(store):
    def code_corpus():
        save(store, "a", [event("a", 1), event("a", 2, cameo="036")], source="Dawn")
        save(store, "b", [event("b", 3, day=2)], source="Reuters")
        store.merge_events()

    code_corpus()
    first = merged(store)
    code_corpus()
    again = merged(store)
    assert [r["merged_id"] for r in again] == [r["merged_id"] for r in first]
    assert counts(store) == [(r["source_code"], r["target_code"], r["cameo"], r["event_date"], r["location_name"],
                              r["num_mentions"], r["num_articles"], r["num_sources"]) for r in first]
    assert store.query("SELECT count(*) AS n FROM event_mentions") == [{"n": 3}]


def test_duplicated_articles_do_not_inflate_merged_counts(store):
    """The corpus coded again under other ids (another file), plus wire copies run by other outlets."""
    texts = {"a": story(1), "b": story(2)}

    def code(prefix: str, source_suffix: str = "", copy_seed: Optional[int] = None):
        for doc_id, text in texts.items():
            body = wire_copy(text, copy_seed) if copy_seed is not None else text
            save(store, prefix + doc_id, [
                event(prefix + doc_id, 1, sentence=f"Pakistan accused India in story {doc_id}."),
                event(prefix + doc_id, 2, cameo="036", sentence=f"Pakistan will meet India, says {doc_id}."),
            ], text=body, source=f"Outlet {doc_id}{source_suffix}")

    code("")
    store.merge_events()
    original = counts(store)
    assert original == [("PAK", "IND", "036", dt.date(2024, 3, 1), "Kashmir", 2, 2, 2),
                        ("PAK", "IND", "112", dt.date(2024, 3, 1), "Kashmir", 2, 2, 2)]
    code("copy-of-")  # exact copies, same outlets
    code("wire-", source_suffix=" syndicated", copy_seed=7)  # edited copies, other outlets
    stats = store.merge_events()
    assert stats.clusters.duplicates == 4
    assert counts(store) == original
    assert store.query("SELECT max(num_reports) AS n FROM merged_events") == [{"n": 6}]
    counted = store.query("SELECT counted, count(*) AS n FROM event_mentions GROUP BY ALL ORDER BY counted")
    assert counted == [{"counted": False, "n": 8}, {"counted": True, "n": 4}]
    # A genuinely different article about the same event does count.
    save(store, "c", [event("c", 5)], text=story(3), source="Outlet c")
    store.merge_events()
    assert [r[5:] for r in counts(store)] == [(2, 2, 2), (3, 3, 3)]


def test_copies_count_as_their_richest_version(store):
    text = story(8)
    save(store, "orig", [event("orig", 1, sentence="Pakistan accused India.")], text=text, source="Dawn")
    # A wire copy whose sentence was reworded: still one mention, one article, one source.
    save(store, "wire", [event("wire", 1, sentence="Islamabad accused New Delhi.")], text=wire_copy(text, 1),
         source="Wire Service")
    store.merge_events()
    assert counts(store)[0][5:] == (1, 1, 1)
    # An updated version that mentions the event twice: the cluster now counts two mentions.
    save(store, "update", [event("update", 1), event("update", 6, sentence="It repeated the charge.")],
         text=text + " " + story(9, 1), source="Dawn")
    store.merge_events()
    assert counts(store)[0][5:] == (2, 1, 1)
    counted = store.query("SELECT doc_id FROM event_mentions WHERE counted ORDER BY doc_id")
    assert [r["doc_id"] for r in counted] == ["update", "update"]


def test_merge_without_dedupe_counts_every_copy(store):
    text = story(9)
    save(store, "a", [event("a")], text=text)
    save(store, "b", [event("b")], text=text)
    store.merge_events(dedupe=False)  # no clusters: each document counts as its own article
    assert counts(store)[0][5:] == (2, 2, 2)
    store.merge_events()
    assert counts(store)[0][5:] == (1, 1, 1)


def test_ensure_merged_rebuilds_only_when_documents_changed(store):
    save(store, "a", [event("a")])
    assert not store.merged_is_current()
    assert store.ensure_merged().merged == 1
    assert store.merged_is_current() and store.ensure_merged() is None
    save(store, "b", [event("b", target="RUS")])
    assert not store.merged_is_current()
    assert store.ensure_merged().merged == 2


def test_merged_tables_in_a_version_1_store_are_added_on_open(tmp_path):
    path = tmp_path / "old.duckdb"
    with EventStore(path) as s:
        save(s, "a", [event("a")])
        for table in ("merged_events", "event_mentions", "document_clusters", "document_minhash", "document_bands"):
            s.con.execute(f"DROP TABLE {table}")
        s.con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with EventStore(path) as s:
        assert s.query("SELECT value FROM meta WHERE key = 'schema_version'") == [{"value": str(SCHEMA_VERSION)}]
        assert s.merge_events().merged == 1


@pytest.mark.slow
def test_guardian_articles_coded_twice_do_not_inflate_merged_counts(tmp_path):
    if not GUARDIAN.exists():
        pytest.skip(f"{GUARDIAN} is absent (../shared is only beside a development checkout)")
    from eventwire.ingest import read_inputs
    from eventwire.pipeline import Pipeline

    with GUARDIAN.open(encoding="utf-8", newline="") as f:
        rows = [row for _, row in zip(range(6), csv.DictReader(f))]
    first, second = tmp_path / "guardian.csv", tmp_path / "guardian_again.csv"
    for path in (first, second):  # the same articles in two files: different doc ids
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["date", "text", "source"])
            writer.writeheader()
            writer.writerows({"date": r["date"], "text": r["text"], "source": "The Guardian"} for r in rows)

    pipeline = Pipeline()

    def code(path: Path, store: EventStore) -> None:
        docs = [d for d in read_inputs([str(path)]) if isinstance(d, Document)]
        for coded in pipeline.code_documents(docs):
            store.save_document(coded.document, coded.sentences, coded.events)
        store.merge_events()

    with EventStore(tmp_path / "g.duckdb") as store:
        code(first, store)
        once = counts(store)
        assert once, "the Guardian sample should give some events"
        code(first, store)  # the same file again
        assert counts(store) == once
        code(second, store)  # the same articles under other ids
        assert store.counts()["documents"] == 12
        assert counts(store) == once


def test_cli_merge(tmp_path):
    from typer.testing import CliRunner

    from eventwire.cli import app

    db = tmp_path / "m.duckdb"
    with EventStore(db) as s:
        save(s, "a", [event("a", 1, day=1), event("a", 2, day=2)])
        save(s, "b", [event("b", 1, day=1)], text=None)
    runner = CliRunner()
    result = runner.invoke(app, ["merge", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "3 mentions merged into 1 events" in result.output
    result = runner.invoke(app, ["merge", "--db", str(db), "--window-days", "0", "--match", "root"])
    assert "into 2 events" in result.output
    with EventStore(db) as s:
        assert s.merge_events().merged == 2  # the window and match level are remembered
    assert runner.invoke(app, ["merge", "--db", str(db), "--match", "verb"]).exit_code != 0
    assert runner.invoke(app, ["merge", "--db", str(tmp_path / "none.duckdb")]).exit_code == 1
    result = runner.invoke(app, ["merge", "--db", str(db), "--rebuild-duplicates", "--threshold", "0.8"])
    assert result.exit_code == 0 and "2 documents indexed" in result.output


# -- unknown actors, agreement, date precision, read-only stores ------------------------------------------

@contextlib.contextmanager
def write_lock(path: Path, read_only: bool = False):
    """Another process holding a connection to the store: a writer, as `eventwire code` or `serve` are, or
    (read_only) a reader such as a read-only `eventwire serve`."""
    code = ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
            "print('ready', flush=True); time.sleep(120)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), "ro" if read_only else "rw"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def read_lock(path: Path):
    return write_lock(path, read_only=True)


def test_unknown_actors_merge_only_within_one_story(store):
    """"--- 192 ---": mentions of unknown actors in unrelated articles are not one event; in copies of one
    story (an article and its wire copy) they are. A missing target is unknown too."""
    text = story(70)
    unknown = dict(source="---", target="---CVL", cameo="190", place=None)
    save(store, "a", [event("a", 1, **unknown)], text=text)
    save(store, "a-wire", [event("a-wire", 1, **unknown)], text=wire_copy(text, 3), source="Wire")
    save(store, "b", [event("b", 1, **unknown)], text=story(71))  # another story, same day
    save(store, "c", [event("c", 2, target=None, cameo="190", place=None)], text=story(72))
    save(store, "d", [event("d", 2, target=None, cameo="190", place=None)], text=story(73))
    save(store, "e", [event("e", 1)], text=story(74))  # known actors: still one event across articles
    save(store, "f", [event("f", 1)], text=story(75))
    store.merge_events()
    rows = merged(store)
    assert sorted((r["num_reports"], r["num_articles"], r["merge_scope"])
                  for r in rows if r["source_code"] == "---") == [(1, 1, "story"), (2, 1, "story")]
    assert [(r["num_reports"], r["merge_scope"]) for r in rows if r["target_code"] is None] == [(1, "story")] * 2
    [known] = [r for r in rows if r["target_code"] == "IND"]
    assert (known["num_articles"], known["merge_scope"]) == (2, "dyad")
    assert len({r["merged_id"] for r in rows}) == len(rows) == 5


def test_merge_agreement_says_how_many_mentions_share_each_field(store):
    india = Location("India", "IND", None, 22.0, 79.0, 1269750, "country", "gazetteer")
    save(store, "a", [event("a", 1, day=1)])                                  # Kashmir, 1 March
    save(store, "b", [event("b", 1, day=2)])                                  # Kashmir, 2 March
    save(store, "c", [event("c", 1, day=1, place=india)])                     # "in India": joins Kashmir
    save(store, "d", [event("d", 1, day=1, place=None, precision="month")])   # "in March", no place
    store.merge_events()
    [row] = merged(store)
    assert row["num_reports"] == 4 and (row["event_date"], row["date_precision"]) == (dt.date(2024, 3, 1), "day")
    assert (row["agree_actors"], row["agree_code"], row["agree_place"], row["agree_date"]) == (4, 4, 2, 2)
    assert row["merge_agreement"] == pytest.approx((4 + 4 + 2 + 2) / 16)
    save(store, "e", [event("e", 1, cameo="111", day=1)])  # criticise, not accuse: same root
    store.merge_events(match="root")
    [row] = merged(store)
    assert row["cameo"] == "112" and (row["agree_code"], row["num_reports"]) == (4, 5)
    assert row["merge_agreement"] == pytest.approx((5 + 4 + 3 + 3) / 20)


def test_a_lone_mention_agrees_with_itself_except_on_unknown_actors(store):
    save(store, "a", [event("a", 1), event("a", 2, source="---", target="PAK", cameo="190")])
    store.merge_events()
    by_source = {r["source_code"]: r for r in merged(store)}
    assert by_source["PAK"]["merge_agreement"] == 1.0
    assert (by_source["---"]["agree_actors"], by_source["---"]["merge_agreement"]) == (0, 0.75)


def test_merged_date_precision_is_that_of_the_mention_whose_date_the_record_takes(store):
    save(store, "a", [event("a", 1, day=1, precision="month")])  # "in March" -> 1 March, month-precise
    save(store, "b", [event("b", 1, day=2)])                     # 2 March: same event (1-day window)
    save(store, "c", [event("c", 1, target="RUS", day=5), event("c", 2, target="RUS", day=5, precision="week")])
    save(store, "y", [event("y", 1, target="RUS", cameo="036", day=1, precision="year")])
    store.con.execute("UPDATE events SET event_date = DATE '2024-01-01' WHERE doc_id = 'y'")
    doc = Document(id="u", text="x", date=None, source="S")
    store.save_document(doc, [], [event("u", 1, target="RUS", cameo="111", day=None)])
    store.merge_events()
    precision = {(r["target_code"], r["cameo"]): (r["event_date"], r["date_precision"]) for r in merged(store)}
    assert precision[("IND", "112")] == (dt.date(2024, 3, 1), "month")
    assert precision[("RUS", "112")] == (dt.date(2024, 3, 5), "day")  # the finest mention on that day
    assert precision[("RUS", "036")] == (dt.date(2024, 1, 1), "year")
    assert precision[("RUS", "111")] == (None, None)


def test_merged_tables_of_older_rules_are_out_of_date(tmp_path):
    path = tmp_path / "old.duckdb"
    with EventStore(path) as s:
        save(s, "a", [event("a")])
        s.merge_events()
        assert s.merged_is_current()
        # A store merged by an eventwire before the current rules, without the columns they add.
        old = s.query("SELECT value FROM meta WHERE key = 'merge_fingerprint'")[0]["value"].split("|rules")[0]
        s.con.execute("UPDATE meta SET value = ? WHERE key = 'merge_fingerprint'", [old])
        s.con.execute("ALTER TABLE merged_events DROP COLUMN merge_agreement")
    with EventStore(path) as s:
        assert not s.merged_is_current()
        s.ensure_merged()
        assert s.query("SELECT merge_agreement FROM merged_events") == [{"merge_agreement": 1.0}]


def test_a_read_only_store_is_not_merged_behind_its_back(tmp_path):
    from eventwire.corpus.merge import ensure_current
    from eventwire.store import StoreError

    path = tmp_path / "ro.duckdb"
    with EventStore(path) as s:
        save(s, "a", [event("a")])  # coded, not merged
    with EventStore(path, read_only=True) as s:
        with pytest.raises(StoreError, match="out of date.*eventwire merge --db"):
            ensure_current(s)
    with EventStore(path) as s:
        assert ensure_current(s).merged == 1
    with EventStore(path, read_only=True) as s:
        assert ensure_current(s) is None


def test_cli_merge_check_and_locked_store(tmp_path):
    from typer.testing import CliRunner

    from eventwire.cli import app

    db = tmp_path / "c.duckdb"
    with EventStore(db) as s:
        save(s, "a", [event("a")])
    runner = CliRunner()
    result = runner.invoke(app, ["merge", "--db", str(db), "--check"])
    assert result.exit_code == 1 and "out of date" in result.output and "eventwire merge" in result.output
    assert runner.invoke(app, ["merge", "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["merge", "--db", str(db), "--check"])
    assert result.exit_code == 0 and "up to date" in result.output
    with write_lock(db):
        for args in (["merge", "--db", str(db)], ["merge", "--db", str(db), "--check"]):
            result = runner.invoke(app, args)
            assert result.exit_code == 1, result.output
            assert "in use by process" in result.output and len(result.output.strip().splitlines()) == 1
    result = runner.invoke(app, ["merge", "--db", str(db), "--match", "verb"])
    assert result.exit_code != 0 and all(level in result.output for level in ("code", "base", "root"))
