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
