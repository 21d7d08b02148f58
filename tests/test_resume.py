"""resume: skipping what the store holds, and a real `kill -9` of `eventwire code` restarted."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import eventwire
from eventwire.records import Document, Skipped
from eventwire.store.resume import ResumeStats, SkipLog, filter_already_coded
from eventwire.store import EventStore


@pytest.fixture
def store(tmp_path):
    with EventStore(tmp_path / "s.duckdb") as s:
        yield s


def test_new_documents_pass_and_stored_ones_are_skipped(store):
    a, b = Document("a", "Alpha text."), Document("b", "Beta text.")
    store.save_document(a, [], [])
    stats = ResumeStats()
    assert list(filter_already_coded([a, b], store, stats)) == [b]
    assert (stats.already_coded, stats.changed) == (1, 0)
    assert stats.summary() == "1 already coded"


def test_changed_content_is_coded_again(store):
    store.save_document(Document("a", "Old text."), [], [])
    stats = ResumeStats()
    new = Document("a", "New text.")
    assert list(filter_already_coded([new], store, stats)) == [new]
    assert (stats.already_coded, stats.changed) == (0, 1)
    assert list(filter_already_coded([Document("a", "Old text.", title="T")], store)) != []  # title is content


def test_other_items_pass_through(store):
    skip = Skipped("f.txt", "empty text")
    assert list(filter_already_coded([skip], store)) == [skip]
    assert ResumeStats().summary() == ""


def test_filter_is_lazy_and_sees_documents_saved_while_it_runs(store):
    """A duplicate later in the same run is skipped once the first copy is stored."""
    doc = Document("a", "Same text.")
    stats = ResumeStats()
    passed = []
    for d in filter_already_coded([doc, Document("a", "Same text.")], store, stats):
        passed.append(d)
        store.save_document(d, [], [])
    assert passed == [doc] and stats.already_coded == 1


def test_two_versions_of_one_id_end_on_the_last_after_a_restart(store):
    """Input holds id x twice (v1 then v2). The crashed run had stored v2; the rerun must not stop at v1."""
    v1, v2 = Document("x", "Version one."), Document("x", "Version two.")
    store.save_document(v2, [], [])
    pending = list(filter_already_coded([v1, v2], store))  # read ahead, as nlp.pipe does, before saving
    assert pending == [v1, v2]
    for d in pending:
        store.save_document(d, [], [])
    assert store.has_document("x", v2.content_hash)


def test_skip_log_saves_each_skip_once_across_runs(tmp_path):
    path = tmp_path / "s.duckdb"
    bad = [Skipped("a.txt", "empty text", "a.txt"), Skipped("b.jsonl:3", "not valid JSON: x (column 1)")]
    for _run in range(2):
        with EventStore(path) as s:
            log = SkipLog(s)
            saved = [log.save(x) for x in bad + bad]
    assert saved == [False, False, False, False]
    with EventStore(path) as s:
        assert s.counts()["skipped"] == 2


# --------------------------------------------------------------------------- kill -9 and restart

SENTENCES = [  # written for this test; each gives at least one event
    "Pakistan accused India of violating the ceasefire along the border.",
    "The French president met the German chancellor in Berlin on Monday.",
    "Russia threatened to impose sanctions on Lithuania.",
    "Kenyan police arrested twelve protesters in Nairobi.",
    "Japan pledged aid to the Philippines after the storm.",
    "The United Nations urged Ethiopia and Eritrea to resume talks.",
    "China denied the accusation and criticised the United States.",
    "Turkish troops attacked rebel positions in northern Syria.",
    "Brazil and Argentina signed a trade agreement in Buenos Aires.",
    "The European Union praised Ghana for holding peaceful elections.",
    "Iran rejected the proposal from the International Atomic Energy Agency.",
    "Canada expelled two Chinese diplomats on Friday.",
    "South Korea called for talks with North Korea.",
]
N_DOCS = 150  # enough that coding takes seconds, so the kill lands mid-run
KILL_AFTER = 40  # documents seen stored


def _write_corpus(path: Path) -> None:
    lines = []
    for i in range(N_DOCS):
        body = " ".join(SENTENCES[(i * 5 + k * 3) % len(SENTENCES)] for k in range(3))
        lines.append(json.dumps({"id": f"doc{i:03d}", "title": f"Bulletin {i}", "date": "2023-05-14", "text": body}))
        if i == 100:
            lines.append("{not json")
            lines.append(json.dumps({"id": "fr", "text": "Le gouvernement français a annoncé mercredi un nouvel "
                                     "accord avec l'Allemagne sur la coopération militaire, après des semaines "
                                     "de négociations difficiles entre les deux pays et leurs ministres."}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _code(corpus: Path, db: Path, stdout=subprocess.DEVNULL) -> subprocess.Popen:
    src = Path(eventwire.__file__).resolve().parents[1]  # the code under test, also for a copied tree
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONUNBUFFERED": "1", "COLUMNS": "400"}
    cmd = [sys.executable, "-m", "eventwire.cli", "code", str(corpus), "--db", str(db),
           "--format", "jsonl", "--no-progress", "--batch-size", "8", "--min-confidence", "0"]
    return subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)


# Every table a run writes, without the columns that record when a row was written.
TABLES = {
    "events": "SELECT * FROM events ORDER BY event_id",
    "sentences": "SELECT * FROM sentences ORDER BY doc_id, sentence_index",
    "documents": "SELECT * EXCLUDE (coded_at) FROM documents ORDER BY doc_id",
    "skipped": "SELECT origin, doc_id, reason FROM skipped ORDER BY ALL",
    "document_clusters": "SELECT * FROM document_clusters ORDER BY doc_id",
    "merged_events": "SELECT * EXCLUDE (first_seen) FROM merged_events ORDER BY merged_id",
    "event_mentions": "SELECT * FROM event_mentions ORDER BY ALL",
    "actor_memory": "SELECT * EXCLUDE (updated_at) FROM actor_memory ORDER BY ALL",
}


def _tables(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    """The corpus and the tables of one uninterrupted run."""
    tmp = tmp_path_factory.mktemp("clean")
    corpus = tmp / "corpus.jsonl"
    _write_corpus(corpus)
    proc = _code(corpus, tmp / "clean.duckdb")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 3, err  # 3: some inputs skipped
    return corpus, _tables(tmp / "clean.duckdb")


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, KILL_AFTER, 110])
def test_kill_9_then_restart_gives_the_same_tables_as_an_uninterrupted_run(tmp_path, clean_run, kill_after):
    corpus, uninterrupted = clean_run
    killed_db = tmp_path / "killed.duckdb"
    victim = _code(corpus, killed_db, stdout=subprocess.PIPE)
    seen: set[str] = set()
    deadline = time.monotonic() + 180
    # Events are printed after their document's transaction commits: a doc id on stdout is stored.
    for line in victim.stdout:
        seen.add(json.loads(line)["doc_id"])
        if len(seen) >= kill_after or time.monotonic() > deadline:
            break
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    victim.stdout.close()
    victim_err = victim.stderr.read()
    victim.stderr.close()
    assert victim.returncode == -signal.SIGKILL, f"the run ended before it could be killed:\n{victim_err}"

    stored = duckdb.connect(str(killed_db), read_only=True)
    n_stored = stored.execute("SELECT count(*) FROM documents").fetchone()[0]
    stored.close()
    assert kill_after <= n_stored < N_DOCS, n_stored

    restart = _code(corpus, killed_db)
    _, restart_err = restart.communicate(timeout=300)
    assert restart.returncode == 3, restart_err

    after_kill = _tables(killed_db)
    assert len(uninterrupted["documents"]) == N_DOCS and len(uninterrupted["events"]) > N_DOCS
    assert uninterrupted["merged_events"] and uninterrupted["actor_memory"] is not None
    for table in TABLES:
        assert after_kill[table] == uninterrupted[table], table
    assert ("fr", "not English (detected: fr)") in {(d, r) for _, d, r in uninterrupted["skipped"]}

    resumed = re.search(r"(\d+) already coded", restart_err)
    assert resumed is not None, restart_err  # the restart passed over what the killed run had stored
    assert int(resumed.group(1)) == n_stored
    assert re.search(r"(\d+) documents coded", restart_err).group(1) == str(N_DOCS - n_stored)


def test_stale_merged_tables_are_rebuilt_by_a_run_with_nothing_left_to_code(tmp_path):
    """Regression: a kill after the last document was stored (before the merge) left merged_events empty for
    good, because later runs found nothing to code and never merged."""
    from typer.testing import CliRunner

    from eventwire.cli import app

    doc = tmp_path / "a.jsonl"
    doc.write_text(json.dumps({"id": "a", "text": "Chile recalled its ambassador to Peru.", "date": "2024-01-02"}) + "\n")
    db = tmp_path / "s.duckdb"
    args = ["code", str(doc), "--db", str(db), "--min-confidence", "0", "--n-process", "1", "--format", "jsonl"]
    assert CliRunner().invoke(app, args).exit_code == 0
    with EventStore(db) as store:  # as if killed between the last document and the merge
        store.con.execute("DELETE FROM merged_events")
        store.con.execute("DELETE FROM meta WHERE key = 'merge_fingerprint'")
        assert not store.merged_is_current()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "1 already coded" in result.stderr
    with EventStore(db, read_only=True) as store:
        assert store.merged_is_current() and store.count_events() > 0
        assert store.query("SELECT count(*) AS n FROM merged_events")[0]["n"] > 0


def test_coding_options_are_kept_and_a_change_is_told_in_one_line(tmp_path):
    from eventwire.store.resume import coding_options, options_change

    with EventStore(tmp_path / "s.duckdb") as store:
        assert store.coding_options() is None  # nothing kept yet: no warning either
        first = coding_options(0.0, True, True)
        assert options_change(store.coding_options(), first) is None
        store.record_coding_options(first)
        assert store.coding_options() == first
        assert options_change(store.coding_options(), coding_options(0.0, True, True)) is None
        default = coding_options(None, True, True)
        assert default["threshold"] is not None and default["threshold"] > 0  # the packaged scorer's
        message = options_change(store.coding_options(), default)
        assert "--min-confidence 0," in message and f"--min-confidence {default['threshold']:g}" in message
        assert "--recode" in message and "\n" not in message
        assert "--factual-only" in options_change(first, coding_options(0.0, False, True))
        store.record_coding_options(default)
    with EventStore(tmp_path / "s.duckdb", read_only=True) as store:
        assert store.coding_options() == default
