"""The command line as people run it: in a terminal (a pseudo-terminal here), redirecting stdout, with
bad filter values, a store another process holds, and `--help`."""
from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from eventwire.cli import app

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
EVENTWIRE = [sys.executable, "-m", "eventwire.cli"]
runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_terminal(args: list[str], *, stdout=None, columns: int = 120, timeout: float = 300) -> tuple[int, str]:
    """Run eventwire with stdin and stderr (and stdout unless given) on a pseudo-terminal of ``columns``
    columns; return the exit status and what the terminal showed."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(EVENTWIRE + args, stdin=slave, stdout=stdout if stdout is not None else slave,
                            stderr=slave, env=env, cwd=REPO, close_fds=True)
    os.close(slave)
    shown = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            proc.kill()
            raise TimeoutError("eventwire did not finish")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.wait(timeout=timeout), ANSI.sub("", shown.decode("utf-8", "replace")).replace("\r", "")


@pytest.mark.slow
def test_jsonl_redirected_from_a_terminal_lands_in_the_file(tmp_path):
    """Regression: rich's progress bar redirected stdout, so `code ... --format jsonl > events.jsonl` from a
    terminal left the file empty and printed the events on the screen."""
    out = tmp_path / "events.jsonl"
    with out.open("wb") as f:
        status, shown = run_in_terminal(["code", str(EXAMPLES / "lithuania_expels_russian_diplomat.txt"),
                                         "--format", "jsonl", "--db", str(tmp_path / "s.duckdb"),
                                         "--min-confidence", "0"], stdout=f)
    assert status == 0, shown
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert events and all(e["doc_id"] == "lithuania_expels_russian_diplomat.txt" for e in events)
    assert '"event_id"' not in shown  # nothing of it went to the screen
    assert "documents coded" in shown  # the summary did


@pytest.mark.slow
def test_a_big_run_at_120_columns_shows_a_summary_and_the_first_events(tmp_path):
    """Regression: at 120 columns the table squeezed the evidence column to one character per line."""
    status, shown = run_in_terminal(["code", str(EXAMPLES), "--db", str(tmp_path / "s.duckdb"),
                                     "--min-confidence", "0", "--no-progress", "--show", "5"])
    assert status == 0, shown
    lines = shown.splitlines()
    assert "events from" in shown and "most common" in shown
    assert "more events" in shown and "eventwire events --db" in shown
    assert len(lines) < 120  # 5 blocks and a summary, not the whole store
    words_per_line = [len(line.split()) for line in lines if line.strip()]
    assert sum(n <= 1 for n in words_per_line) < len(words_per_line) / 4  # no column one word wide


def test_a_resumed_run_does_not_print_stored_events_unless_asked(tmp_path):
    doc = tmp_path / "a.jsonl"
    doc.write_text(json.dumps({"id": "a", "text": "Chile recalled its ambassador to Peru.", "date": "2024-01-02"}) + "\n")
    args = ["code", str(doc), "--db", str(tmp_path / "s.duckdb"), "--format", "jsonl", "--min-confidence", "0",
            "--n-process", "1"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and first.stdout.strip()
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and again.stdout.strip() == ""
    assert "1 already coded" in again.stderr
    shown = runner.invoke(app, args + ["--show-stored"])
    assert [json.loads(line)["event_id"] for line in shown.stdout.splitlines()] == \
        [json.loads(line)["event_id"] for line in first.stdout.splitlines()]


def test_a_store_held_by_another_process_is_one_line_before_the_model_loads(tmp_path):
    from eventwire.store import EventStore

    db = tmp_path / "held.duckdb"
    doc = tmp_path / "a.txt"
    doc.write_text("Title\nChile recalled its ambassador to Peru.")
    with EventStore(db):  # this process writes to it
        for command in (["code", str(doc)], ["events"]):
            result = subprocess.run(EVENTWIRE + command + ["--db", str(db)], capture_output=True, text=True,
                                    cwd=REPO, timeout=120)
            assert result.returncode == 1, result.stderr
            message = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(message) == 1 and "in use by process" in message[0], result.stderr
            assert "Traceback" not in result.stderr and "Loading" not in result.stderr


@pytest.mark.parametrize("args, says", [
    (["--root", "190"], "from 01 to 20"),
    (["--source-country", "tur"], "did you mean TUR"),
    (["--country", "XXX"], "ISO 3166 alpha-3"),
    (["--cameo", "999"], "not a CAMEO code"),
    (["--dyad", "PAK"], "SOURCE-TARGET"),
    (["--from", "2021-13-01"], "YYYY-MM-DD"),
])
def test_bad_filter_values_say_what_is_valid(tmp_path, args, says):
    from eventwire.store import EventStore

    db = tmp_path / "s.duckdb"
    EventStore(db).close()
    result = runner.invoke(app, ["events", "--db", str(db), *args])
    assert result.exit_code == 2
    assert says in " ".join(re.sub("[│╭╮╰╯─]", " ", result.stderr).split())


def test_event_filters_select_what_they_say(tmp_path):
    from test_store import SENTENCES, accuse_event, make_doc, un_event

    from eventwire.store import EventStore

    db = tmp_path / "s.duckdb"
    with EventStore(db) as store:
        store.save_document(make_doc("d1"), SENTENCES, [accuse_event("d1"), un_event("d1")])
        store.save_document(make_doc("d2"), SENTENCES, [accuse_event("d2", cameo="111")])

    def ids(*args):
        result = runner.invoke(app, ["events", "--db", str(db), "--format", "jsonl", *args])
        assert result.exit_code == 0, result.stderr
        return sorted((e["doc_id"], e["cameo"]) for e in map(json.loads, result.stdout.splitlines()))

    assert ids("--dyad", "PAK-IND") == [("d1", "112"), ("d2", "111")]
    assert ids("--dyad", "IND-PAK") == []
    assert ids("--dyad", "IND-PAK", "--both-directions") == [("d1", "112"), ("d2", "111")]
    assert ids("--cameo", "111") == [("d2", "111")] and ids("--root", "03") == [("d1", "036")]
    assert ids("--country", "IND", "--from", "2024-02-29", "--to", "2024-02-29") == [("d1", "112"), ("d2", "111")]
    assert len(ids("--limit", "1")) == 1
    table = runner.invoke(app, ["events", "--db", str(db), "--limit", "1"])
    assert "1 of 3 events shown" in " ".join(table.stderr.split())


def test_version_names_the_data_it_codes_with():
    from eventwire.provenance import data_hash, version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"eventwire {version()} (data {data_hash()})"


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + (name,))


def test_every_option_of_every_command_has_help_and_a_readable_placeholder():
    python_type = re.compile(r"<(str|int|float|bool|path|list\[|[a-z]+ range)")
    for path, command in _commands(typer.main.get_command(app)):
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"eventwire {' '.join(path)} {param.opts[0]} has no help"
        text = runner.invoke(app, [*path, "--help"], terminal_width=200).stdout
        assert not python_type.search(text), f"eventwire {' '.join(path)} --help shows a Python type:\n{text}"
