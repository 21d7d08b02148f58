"""The command line end to end: real files in, JSONL and a DuckDB store out."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from eventwire.cli import EXIT_SOME_INPUTS_SKIPPED, app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EVENT_FIELDS = {"doc_id", "sentence", "source", "target", "cameo", "plover", "mode", "context", "goldstein",
                "quad_class", "negated", "hypothetical", "attributed_to", "evidence"}

runner = CliRunner()


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_code_examples_in_a_subprocess(tmp_path):
    """The installed console script, as a user runs it."""
    db = tmp_path / "ew.duckdb"
    exe = Path(sys.executable).with_name("eventwire")
    proc = subprocess.run([str(exe), "code", str(REPO / "examples"), "--db", str(db), "--format", "jsonl"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    events = jsonl(proc.stdout)
    assert len(events) >= 20
    for event in events:
        assert EVENT_FIELDS <= set(event)
        assert set(event["source"]) >= {"text", "code", "country", "sector"}
        assert isinstance(event["cameo"], str) and event["cameo"][:2].isdigit()
        assert set(event["evidence"]) == {"source_span", "target_span", "trigger_span", "rule"}
        start, end = event["evidence"]["trigger_span"]
        assert event["sentence"][start:end]
    assert "documents coded" in proc.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from events").fetchone()[0] == len(events)
    assert con.execute("select count(*) from documents").fetchone()[0] == 9


def test_recoding_does_not_duplicate(tmp_path):
    doc = tmp_path / "a.jsonl"
    doc.write_text(json.dumps({"id": "x1", "text": "Nigeria accused Niger of closing the border.",
                               "date": "2023-08-01"}) + "\n")
    db = tmp_path / "ew.duckdb"
    args = ["code", str(doc), "--db", str(db), "--format", "jsonl", "--min-confidence", "0"]
    first = runner.invoke(app, args)
    for again in (args, args + ["--recode"]):  # passed over, then coded again: never stored twice
        assert runner.invoke(app, again).exit_code == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from documents").fetchone()[0] == 1
    n_events = con.execute("select count(*) from events").fetchone()[0]
    assert n_events == len(jsonl(first.stdout)) >= 1


def test_bad_inputs_are_skipped_counted_and_reported(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(
        json.dumps({"id": "g1", "text": "Nigeria accused Niger of closing the border."}) + "\n"
        + "{this is not json\n"
        + json.dumps({"id": "g2", "text": ""}) + "\n"
        + json.dumps({"id": "g3", "text": "Chile recalled its ambassador to Peru."}) + "\n")
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01\x02binary\x00junk" * 10)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 title\nOfficials met.".encode("latin-1"))
    db = tmp_path / "ew.duckdb"
    result = runner.invoke(app, ["code", str(tmp_path), "--db", str(db), "--format", "jsonl",
                                 "--min-confidence", "0"])  # every trigger's best reading: the test is about inputs
    assert result.exit_code == EXIT_SOME_INPUTS_SKIPPED
    doc_ids = {e["doc_id"] for e in jsonl(result.stdout)}
    assert {"g1", "g3"} <= doc_ids  # good records around the bad line are still coded
    assert "4 inputs skipped" in result.stderr
    con = duckdb.connect(str(db), read_only=True)
    reasons = " ".join(r[0] for r in con.execute("select reason from skipped").fetchall())
    assert "not valid JSON" in reasons and "invalid UTF-8" in reasons and "empty" in reasons
    assert "binary" in reasons


def test_table_format_shows_evidence(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Border row\n2024-02-01\nNigeria accused Niger of closing the border.\n")
    result = runner.invoke(app, ["code", str(doc), "--db", str(tmp_path / "ew.duckdb")])
    assert result.exit_code == 0
    assert "NGA" in result.stderr and "accused" in result.stderr and "verbs.yaml" in result.stderr


def test_events_command_reads_the_store(tmp_path):
    doc = tmp_path / "a.jsonl"
    doc.write_text(json.dumps({"id": "x1", "text": "Nigeria accused Niger of closing the border."}) + "\n")
    db = tmp_path / "ew.duckdb"
    runner.invoke(app, ["code", str(doc), "--db", str(db), "--format", "jsonl"])
    result = runner.invoke(app, ["events", "--db", str(db), "--format", "jsonl", "--root", "11"])
    rows = jsonl(result.stdout)
    assert rows and all(r["cameo"].startswith("11") for r in rows)


def test_eval_on_a_small_gold_file(tmp_path):
    gold = tmp_path / "gold.jsonl"
    records = [
        {"id": "s1", "origin": "PETR_test", "text": "Nigeria accused Niger of closing the border.", "date": "2023-08-01",
         "events": [{"cameo": "112", "source": "NGA", "target": "NER"}]},
        {"id": "s2", "origin": "PETR_test", "text": "The weather was calm.", "date": "2023-08-01", "events": []},
    ]
    gold.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    result = runner.invoke(app, ["eval", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert scores["dyad_root_r"] == 1.0 and scores["petr_records"] == 2


def _score_module():
    path = SHARED / "tools" / "score.py"
    spec = importlib.util.spec_from_file_location("shared_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (SHARED / "data" / "samples").exists(), reason="../shared (sample article gold) is absent")
def test_sample_article_finds_the_must_events(tmp_path):
    result = runner.invoke(app, ["code", str(SHARED / "data/samples/seed_article.jsonl"), "--format", "jsonl",
                                 "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 0
    gold = json.loads((SHARED / "data/samples/seed_article.gold.json").read_text())
    report = _score_module().seed(gold, jsonl(result.stdout))
    assert report["must_found"] >= 8, report
    assert report["false_factual"] == [], report


def test_people_learned_in_one_run_resolve_bare_names_in_the_next(tmp_path):
    """The corpus memory: a person introduced with a title is stored, and a later bare name resolves."""
    db = tmp_path / "ew.duckdb"
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": "a1", "date": "2024-03-01",
                                 "text": "Moldovan envoy Radu Ciobanel visited Bucharest on Monday."}) + "\n")
    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps({"id": "a2", "date": "2024-03-05",
                                  "text": "Ciobanel accused Russia of meddling in the election."}) + "\n")
    every = ["--min-confidence", "0"]  # the test is about actor memory, not the scorer's threshold
    assert runner.invoke(app, ["code", str(first), "--db", str(db), "--format", "jsonl", *every]).exit_code == 0
    result = runner.invoke(app, ["code", str(second), "--db", str(db), "--format", "jsonl", *every])
    accusations = [e for e in jsonl(result.stdout) if e["cameo"].startswith("11")]
    assert accusations and accusations[0]["source"]["country"] == "MDA"
    assert accusations[0]["target"]["country"] == "RUS"


def test_a_run_with_other_options_than_the_store_says_so(tmp_path):
    doc = tmp_path / "a.jsonl"
    doc.write_text(json.dumps({"id": "x1", "text": "Nigeria accused Niger of closing the border.",
                               "date": "2023-08-01"}) + "\n")
    db = tmp_path / "ew.duckdb"
    args = ["code", str(doc), "--db", str(db), "--format", "jsonl", "--no-progress"]
    first = runner.invoke(app, args + ["--min-confidence", "0"])
    assert first.exit_code == 0 and "this store was coded with" not in first.stderr
    again = runner.invoke(app, args + ["--min-confidence", "0"])
    assert "this store was coded with" not in again.stderr  # same options: nothing to say
    other = runner.invoke(app, args)  # the packaged threshold
    assert other.exit_code == 0
    assert "this store was coded with --min-confidence 0," in other.stderr and "--recode" in other.stderr
