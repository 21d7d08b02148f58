"""eventwire.corpus.panel and `eventwire panel`: the country × period table of event counts and Goldstein sums.

The store is built by hand (no spaCy), with the cases that matter: an event between two countries, one
within a country, one with an IGO, dates of every precision, negated and hypothetical mentions, a low
confidence, and a wire copy that merging counts once. Expected panels are recounted in Python from the
event list, not written down.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from eventwire.cli import app as cli_app
from eventwire.corpus.panel import COLUMNS, PanelSpec, panel_rows
from eventwire.records import Actor, Document, Event
from eventwire.store import EventStore

D = dt.date


def _actor(code: str, country, start: int = 0) -> Actor:
    return Actor(code, code, country, None, span=(start, start + len(code)))


# (source code, source country, target code, target country, goldstein, quad, date, precision, extra)
SPECS = [
    ("PAKGOV", "PAK", "IND", "IND", -2.0, 3, D(2024, 1, 3), "day", {}),
    ("IND", "IND", "PAK", "PAK", -10.0, 4, D(2024, 1, 31), "day", {}),
    ("PAK", "PAK", "PAKMIL", "PAK", 3.0, 1, D(2024, 3, 12), "week", {}),         # within one country
    ("RUS", "RUS", "IGOUNO", None, 1.0, 1, D(2024, 3, 1), "month", {}),          # target without a country
    ("RUS", "RUS", None, None, -5.0, 4, D(2024, 2, 7), "day", {}),              # no target
    ("CHN", "CHN", "PHL", "PHL", -4.0, 3, D(2024, 1, 1), "year", {}),           # year only: left out by default
    ("CHN", "CHN", "PHL", "PHL", -7.0, 4, D(2024, 2, 20), "day", {"negated": True}),
    ("CHN", "CHN", "PHL", "PHL", -7.0, 4, D(2024, 2, 21), "day", {"hypothetical": True}),
    ("USA", "USA", "CHN", "CHN", 4.0, 1, D(2024, 2, 14), "day", {"confidence": 0.2}),
    ("USA", "USA", "CHN", "CHN", 6.0, 2, D(2024, 2, 26), "day", {"confidence": 0.9}),
    ("---REB", None, "COL", "COL", -9.0, 4, D(2024, 2, 2), "day", {}),
]


def _events(doc_id: str, specs) -> tuple[str, list[tuple[int, int, str]], list[Event]]:
    sentences, events, text = [], [], ""
    for i, (sc, scty, tc, tcty, gold, quad, day, precision, extra) in enumerate(specs):
        sentence = f"{sc} acted on {tc or 'nobody'} in case {i}."
        start = len(text)
        text += sentence + " "
        sentences.append((start, start + len(sentence), sentence))
        target = _actor(tc, tcty, len(sc) + 10) if tc else None
        events.append(Event(doc_id=doc_id, sentence_index=i, sentence=sentence, source=_actor(sc, scty),
                            target=target, cameo="112" if quad == 3 else "190" if quad == 4 else "051",
                            trigger="acted", rule="test", goldstein=gold, quad_class=quad,
                            trigger_span=(len(sc) + 1, len(sc) + 6), date=day, date_precision=precision,
                            date_source="text", **extra))
    return text.strip(), sentences, events


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("panel") / "panel.duckdb"
    text, sentences, events = _events("doc-1", SPECS)
    # A wire copy repeating the first event: two mentions, one merged event.
    copy_text, copy_sentences, copy_events = _events("copy-1", SPECS[:1])
    with EventStore(path) as store:
        store.save_document(Document(id="doc-1", text=text, date=D(2024, 3, 15), source="Wire A"), sentences, events)
        store.save_document(Document(id="copy-1", text=copy_text, date=D(2024, 1, 4), source="Wire B"),
                            copy_sentences, copy_events)
        store.merge_events(window_days=1)
    return path


def recount(specs, role="either", by="month", precise=("day", "week", "month"), min_confidence=None,
            start=D(1, 1, 1), end=D(9999, 12, 31)):
    """The panel recomputed in Python from the event specs (raw mentions)."""
    counts: dict = defaultdict(lambda: {"events": 0, "goldstein_sum": 0.0})
    for sc, scty, tc, tcty, gold, quad, day, precision, extra in specs:
        if extra.get("negated") or extra.get("hypothetical") or not start <= day <= end:
            continue
        if precise is not None and precision not in precise:
            continue
        if min_confidence is not None and extra.get("confidence", 1.0) < min_confidence:
            continue
        period = day.replace(day=1) if by == "month" else day - dt.timedelta(days=day.weekday())
        countries = []
        if role in ("source", "either") and scty:
            countries.append(scty)
        if role in ("target", "either") and tcty and tcty not in countries:
            countries.append(tcty)
        for country in countries:
            counts[(country, period)]["events"] += 1
            counts[(country, period)]["goldstein_sum"] += gold
    return dict(counts)


def nonzero(rows) -> dict:
    return {(r["country"], r["period"]): {"events": r["events"], "goldstein_sum": r["goldstein_sum"]}
            for r in rows if r["events"]}


@pytest.fixture
def con(store_path):
    store = EventStore(store_path, read_only=True)
    yield store.con
    store.close()


@pytest.mark.parametrize("role", ["source", "target", "either"])
def test_mentions_panel_matches_a_recount(con, role):
    rows = panel_rows(con, PanelSpec(role=role, merged=False))
    specs = SPECS + SPECS[:1]  # the wire copy is a second mention
    assert nonzero(rows) == recount(specs, role)


def test_the_panel_is_balanced(con):
    rows = panel_rows(con, PanelSpec(merged=False))
    countries = {r["country"] for r in rows}
    periods = sorted({r["period"] for r in rows})
    assert len(rows) == len(countries) * len(periods)
    assert periods == [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)]
    assert [tuple(r) for r in rows] == [COLUMNS] * len(rows)
    assert {r["events"] for r in rows if r["goldstein_mean"] is None} == {0}


def test_countries_are_the_actors_countries(con):
    countries = {r["country"] for r in panel_rows(con, PanelSpec(merged=False))}
    assert "IGOUNO" not in countries and None not in countries and "---" not in countries
    assert "COL" in countries  # the target of rebels with no country counts for its own country


def test_an_event_within_one_country_counts_once(con):
    rows = nonzero(panel_rows(con, PanelSpec(merged=False)))
    assert rows[("PAK", D(2024, 3, 1))] == {"events": 1, "goldstein_sum": 3.0}


def test_year_precision_needs_all_precisions(con):
    default = nonzero(panel_rows(con, PanelSpec(merged=False)))
    every = nonzero(panel_rows(con, PanelSpec(merged=False, all_precisions=True)))
    assert ("CHN", D(2024, 1, 1)) not in default
    assert every == recount(SPECS + SPECS[:1], precise=None)
    assert every[("PHL", D(2024, 1, 1))]["events"] == 1


def test_negated_and_hypothetical_mentions_are_not_counted(con):
    rows = nonzero(panel_rows(con, PanelSpec(merged=False)))
    assert ("PHL", D(2024, 2, 1)) not in rows


def test_min_confidence(con):
    rows = nonzero(panel_rows(con, PanelSpec(merged=False, min_confidence=0.5)))
    assert rows == recount(SPECS + SPECS[:1], min_confidence=0.5)
    assert rows[("USA", D(2024, 2, 1))] == {"events": 1, "goldstein_sum": 6.0}  # not the 0.2 one


def test_weeks_start_on_monday_and_bounds_fill_the_range(con):
    rows = panel_rows(con, PanelSpec(by="week", merged=False, start=D(2024, 1, 10), end=D(2024, 2, 29)))
    periods = sorted({r["period"] for r in rows})
    assert all(p.weekday() == 0 for p in periods)
    assert periods[0] == D(2024, 1, 8) and periods[-1] == D(2024, 2, 26)  # the weeks holding start and end
    assert nonzero(rows) == recount(SPECS + SPECS[:1], by="week", start=D(2024, 1, 10), end=D(2024, 2, 29))


def test_merged_counts_a_wire_copy_once(con):
    merged = nonzero(panel_rows(con, PanelSpec(merged=True)))
    mentions = nonzero(panel_rows(con, PanelSpec(merged=False)))
    assert mentions[("PAK", D(2024, 1, 1))]["events"] == merged[("PAK", D(2024, 1, 1))]["events"] + 1
    assert merged == recount(SPECS)


def test_merged_precision_comes_from_its_column_or_its_first_mention(store_path, tmp_path):
    import shutil

    path = shutil.copy(store_path, tmp_path / "copy.duckdb")
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE merged_events DROP COLUMN IF EXISTS date_precision")
    fallback = nonzero(panel_rows(con, PanelSpec(merged=True)))
    assert fallback == recount(SPECS)  # the first mention's precision: the year-only event is left out
    con.execute("ALTER TABLE merged_events ADD COLUMN date_precision VARCHAR")
    con.execute("UPDATE merged_events SET date_precision = 'day'")
    con.execute("UPDATE merged_events SET date_precision = 'year' WHERE source_country = 'RUS'")
    with_column = nonzero(panel_rows(con, PanelSpec(merged=True)))
    con.close()
    assert not any(k[0] == "RUS" for k in with_column)
    assert ("CHN", D(2024, 1, 1)) in with_column  # the column says 'day', so it counts now


def test_dashboard_filters_narrow_the_panel(con):
    rows = nonzero(panel_rows(con, PanelSpec(merged=False), mention_where="starts_with(source_code, ?)",
                              mention_params=["USA"]))
    assert set(rows) == {("USA", D(2024, 2, 1)), ("CHN", D(2024, 2, 1))}
    merged = nonzero(panel_rows(con, PanelSpec(merged=True), mention_where="starts_with(source_code, ?)",
                                mention_params=["USA"]))
    assert merged == rows


def test_bad_specs_are_refused():
    for bad in ({"by": "day"}, {"role": "anyone"}, {"start": D(2024, 2, 1), "end": D(2024, 1, 1)},
                {"min_confidence": 2.0}):
        with pytest.raises(ValueError):
            PanelSpec(**bad)


# -- the command ------------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(cli_app, ["panel", *map(str, args)])


def test_cli_csv_is_the_panel(store_path, con):
    result = run("--db", store_path, "--format", "csv", "--mentions", "--role", "source")
    assert result.exit_code == 0, result.output
    got = list(csv.DictReader(io.StringIO(result.stdout)))
    want = panel_rows(con, PanelSpec(role="source", merged=False))
    assert list(got[0]) == list(COLUMNS)
    assert [(r["country"], r["period"], int(r["events"]), float(r["goldstein_sum"])) for r in got] == \
           [(r["country"], r["period"].isoformat(), r["events"], r["goldstein_sum"]) for r in want]


def test_cli_parquet_and_plot(store_path, tmp_path, con):
    out, png = tmp_path / "panel.parquet", tmp_path / "heat.png"
    args = ["--db", store_path, "-o", out, "--by", "week", "--from", "2024-01-01", "--to", "2024-03-31"]
    pytest.importorskip("matplotlib")
    result = run(*args, "--plot", png)
    assert result.exit_code == 0, result.output
    read = duckdb.connect()
    got = read.execute("SELECT * FROM read_parquet(?) ORDER BY country, period", [str(out)]).fetchall()
    want = panel_rows(con, PanelSpec(by="week", start=D(2024, 1, 1), end=D(2024, 3, 31)))
    assert got == [tuple(r.values()) for r in want]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_table_for_people(store_path):
    result = run("--db", store_path, "--mentions")
    assert result.exit_code == 0, result.output
    assert "PAK" in result.stdout and "24-01" in result.stdout and "Goldstein" in result.stdout


def test_cli_missing_or_locked_store_is_one_line(tmp_path, store_path):
    result = run("--db", tmp_path / "none.duckdb")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "No store" in result.stderr
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(store_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run("--db", store_path)
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "in use" in result.stderr


def test_cli_plot_without_matplotlib_is_a_hint(store_path, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    result = run("--db", store_path, "--plot", tmp_path / "x.png")
    assert result.exit_code == 1
    assert "pip install 'eventwire[data]'" in result.stderr and not (tmp_path / "x.png").exists()


def test_cli_does_not_write_and_says_when_merged_is_stale(store_path, tmp_path):
    import shutil

    path = Path(shutil.copy(store_path, tmp_path / "stale.duckdb"))
    text, sentences, events = _events("late-1", SPECS[:1])
    with EventStore(path) as store:  # coded after the merge: merged_events misses it
        store.save_document(Document(id="late-1", text=text, date=D(2024, 3, 20)), sentences, events)
    before = path.read_bytes()
    time.sleep(0.01)
    result = run("--db", path, "--format", "csv")
    assert result.exit_code == 0
    assert "eventwire merge" in result.stderr
    assert path.read_bytes() == before


def test_cli_bad_values_are_usage_errors(store_path):
    assert run("--db", store_path, "--by", "day").exit_code == 2
    assert run("--db", store_path, "--from", "March").exit_code == 2
    assert run("--db", store_path, "--format", "parquet").exit_code == 2  # parquet needs -o
    assert run("--db", store_path, "--min-confidence", "3").exit_code == 2


def test_every_option_has_help_and_a_readable_metavar():
    import typer

    command = typer.main.get_command(cli_app).commands["panel"]
    for param in command.params:
        assert param.help, param.name
    result = CliRunner().invoke(cli_app, ["panel", "--help"], terminal_width=200)
    assert "YYYY-MM-DD" in result.output and "month|week" in result.output and "FILE.png" in result.output
    for raw in ("TEXT", "FLOAT", "<text>", "<float>", "<path>"):  # Python types instead of a metavar
        assert raw not in result.output, raw
