"""`eventwire actor` (single and --batch), `eventwire actors ...` and the actor_cases evaluation."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from eventwire.cli import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = Path(__file__).parent / "data"


def lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]


def test_actor_command_prints_country_sector_code_how():
    result = runner.invoke(app, ["actor", "French President Emmanuel Macron", "--date", "2021-03-08"])
    assert result.exit_code == 0, result.output
    got = lines(result.stdout)[0]
    assert (got["country"], got["sector"], got["code_1"], got["code"]) == ("FRA", "GOV", "GOV", "FRAGOV")
    assert "sectors.tsv:president" in got["how"]


def test_actor_command_uses_context_and_date():
    got = lines(runner.invoke(app, ["actor", "the National Guard", "--context", "Saudi"]).stdout)[0]
    assert got["code"] == "SAUMIL"
    got = lines(runner.invoke(app, ["actor", "Obama", "--date", "2020-01-01"]).stdout)[0]
    assert (got["country"], got["sector"]) == ("USA", "ELI")


def test_actor_batch_keeps_order_and_fields(tmp_path):
    path = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": "Pakistani army", "context": "", "date": "today"},
            {"id": "b", "text": "the UN Security Council", "date": None},
            {"id": "c", "text": "Mr Nobody"},
            {"id": "d", "text": "Putin", "date": "2010-01-01"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = runner.invoke(app, ["actor", "--batch", str(path)])
    assert result.exit_code == 0, result.output
    got = lines(result.stdout)
    assert [g["id"] for g in got] == ["a", "b", "c", "d"]
    assert [(g["country"], g["code_1"]) for g in got] == [("PAK", "MIL"), ("UNO", "IGO"), (None, None),
                                                          ("RUS", "GOV")]


def test_actors_correct_list_show_export(tmp_path):
    db = str(tmp_path / "m.duckdb")
    ok = runner.invoke(app, ["actors", "correct", "Dmitri Orlovsky", "--country", "RUS", "--sector", "GOV",
                             "--from", "2019", "--note", "envoy", "--db", db])
    assert ok.exit_code == 0, ok.output
    assert runner.invoke(app, ["actors", "correct", "Jordan Henderson", "--block", "--db", db]).exit_code == 0
    bad = runner.invoke(app, ["actors", "correct", "Somebody", "--country", "Russia", "--db", db])
    assert bad.exit_code != 0
    listed = lines(runner.invoke(app, ["actors", "list", "--json", "--db", db]).stdout)
    assert {(r["name"], r["code"]) for r in listed} == {("Dmitri Orlovsky", "RUSGOV"), ("Jordan Henderson", "-")}
    shown = json.loads(runner.invoke(app, ["actors", "show", "Orlovsky", "--date", "2021-01-01", "--db", db]).stdout)
    assert shown["resolves_to"]["code"] == "RUSGOV" and shown["corrections"][0]["valid_from"] == "2019-01-01"
    exported = yaml.safe_load(runner.invoke(app, ["actors", "export", "--db", db]).stdout)
    assert exported["blocked"] == ["Jordan Henderson"]
    assert exported["people"][0]["name"] == "Dmitri Orlovsky"
    assert runner.invoke(app, ["actors", "uncorrect", "Dmitri Orlovsky", "--db", db]).exit_code == 0
    assert {r["name"] for r in lines(runner.invoke(app, ["actors", "list", "--json", "--db", db]).stdout)} == \
        {"Jordan Henderson"}


def test_import_petrarch_and_check(tmp_path):
    out = tmp_path / "converted.yaml"
    result = runner.invoke(app, ["actors", "import-petrarch", str(DATA / "sample.actors.txt"),
                                 str(DATA / "sample.agents.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text())
    assert {p["name"] for p in data["people"]} >= {"Zoran Velikovic", "Marta Okonkwo"}
    assert runner.invoke(app, ["actors", "check", str(out)]).exit_code == 0


def test_eval_on_actor_cases():
    gold = SHARED / "data" / "gold" / "dev" / "actor_cases.jsonl"
    if not gold.exists():
        pytest.skip(f"{gold} not available (../shared is only present in development checkouts)")
    result = runner.invoke(app, ["eval", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["country_acc_described"] >= 0.8


def said(result) -> str:
    """What a command told the user on stderr, with rich's line wrapping undone."""
    return " ".join(result.stderr.split())


@pytest.fixture(scope="module")
def coded_store(tmp_path_factory):
    """A store where a bare "Ciobanel" was coded from memory (MDAGOV), and an unrelated document."""
    tmp = tmp_path_factory.mktemp("correct")
    first, second = tmp / "first.jsonl", tmp / "second.jsonl"
    first.write_text(json.dumps({"id": "a1", "date": "2024-03-01",
                                 "text": "Moldovan envoy Radu Ciobanel visited Bucharest on Monday."}) + "\n"
                     + json.dumps({"id": "a3", "date": "2024-03-02",
                                   "text": "Pakistan praised the agreement with India on Tuesday."}) + "\n")
    second.write_text(json.dumps({"id": "a2", "date": "2024-03-05",
                                  "text": "Ciobanel accused Russia of meddling in the election."}) + "\n")
    db = tmp / "store.duckdb"
    for path in (first, second):
        result = runner.invoke(app, ["code", str(path), "--db", str(db), "--format", "jsonl", "--min-confidence", "0",
                                     "--n-process", "1", "--no-progress"])
        assert result.exit_code == 0, result.output
    return db


def _sources(db, doc_id):
    from eventwire.store import EventStore

    with EventStore(db, read_only=True) as store:
        return [e["source"]["code"] for e in store.events(doc_id=doc_id)]


def test_correct_apply_recodes_the_documents_that_mention_the_name(coded_store, tmp_path):
    db = tmp_path / "store.duckdb"
    db.write_bytes(coded_store.read_bytes())
    assert _sources(db, "a2") == ["MDAGOV"]  # "Ciobanel" from what the first run learned
    # without --apply the stored events stay, and the command says so
    result = runner.invoke(app, ["actors", "correct", "Radu Ciobanel", "--country", "ROU", "--sector", "GOV",
                                 "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "2 stored documents mention Radu Ciobanel" in said(result) and "--apply" in said(result)
    assert _sources(db, "a2") == ["MDAGOV"]
    result = runner.invoke(app, ["actors", "correct", "Radu Ciobanel", "--country", "ROU", "--sector", "GOV",
                                 "--apply", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Recoded 2 document(s) that mention Radu Ciobanel" in said(result)  # a1 and a2, not a3
    assert "1 event(s) changed" in said(result) and "'Ciobanel' MDAGOV -> ROUGOV" in said(result)
    assert _sources(db, "a2") == ["ROUGOV"]
    assert _sources(db, "a1") == ["MDAGOV"]  # "Moldovan envoy": the text's own country wins
    from eventwire.store import EventStore

    with EventStore(db, read_only=True) as store:
        assert store.merged_is_current()
        merged = store.query("SELECT source_code FROM merged_events ORDER BY source_code")
    assert "ROUGOV" in {r["source_code"] for r in merged} and "MDAGOV" in {r["source_code"] for r in merged}


def test_a_correction_that_changes_no_stored_event_says_so(coded_store, tmp_path):
    db = tmp_path / "store.duckdb"
    db.write_bytes(coded_store.read_bytes())
    result = runner.invoke(app, ["actors", "correct", "Jane Nobody", "--country", "GBR", "--sector", "GOV",
                                 "--apply", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "No stored event changes: no stored document mentions Jane Nobody." in said(result)
    # the memory already says MDAGOV: correcting to that changes nothing
    result = runner.invoke(app, ["actors", "correct", "Ciobanel", "--country", "MDA", "--sector", "GOV",
                                 "--db", str(db)])
    assert "No stored event changes: Ciobanel already resolves to MDAGOV." in said(result)
    result = runner.invoke(app, ["actors", "correct", "Ciobanel", "--country", "MDA", "--sector", "GOV",
                                 "--apply", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "No stored event changes: Ciobanel already resolved to MDAGOV there." in said(result)
    assert _sources(db, "a2") == ["MDAGOV"]


def test_actors_list_and_show_mark_candidates(tmp_path):
    from eventwire.actors.memory import ActorMemory
    from eventwire.store import EventStore

    db = tmp_path / "m.duckdb"
    with EventStore(db) as store:
        ActorMemory(store).learn("Laurie Bristowe", "GBR", "GOV", "ambassador", "2018-03-01", explicit=False,
                                 doc_id="d1", basis="weak: United Kingdom (name before a posting title)")
    listed = lines(runner.invoke(app, ["actors", "list", "--json", "--db", str(db)]).stdout)
    assert [(r["name"], r["status"]) for r in listed] == [("Laurie Bristowe", "candidate")]
    shown = json.loads(runner.invoke(app, ["actors", "show", "Bristowe", "--db", str(db)]).stdout)
    assert shown["resolves_to"] is None and shown["mentions"][0]["basis"].startswith("weak:")


def test_correct_apply_recodes_with_the_options_the_store_was_coded_with(coded_store, tmp_path):
    """The store keeps `eventwire code`'s options: --apply uses its threshold, not one guessed from events."""
    from eventwire.store import EventStore

    db = tmp_path / "store.duckdb"
    db.write_bytes(coded_store.read_bytes())
    with EventStore(db, read_only=True) as store:
        kept = store.coding_options()
    assert kept["min_confidence"] == 0 and kept["threshold"] == 0 and kept["include_negated"] is True
    result = runner.invoke(app, ["actors", "correct", "Radu Ciobanel", "--country", "ROU", "--sector", "GOV",
                                 "--apply", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "with --min-confidence 0: the store's coding options" in said(result)
