"""Dyad time series: matching, periods, merged vs mentions, gap filling, the DataFrame helper, the plot, the CLI."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from eventwire import ontology
from eventwire.cli import app
from eventwire.corpus.series import COLUMNS, dyad_series, dyad_series_frame, parse_dyad, plot_series
from eventwire.store import EventStore, StoreError

from test_merge import event, read_lock, save, write_lock

D = dt.date


def fill(store: EventStore) -> None:
    # PAK -> RUS: an accusation reported by two outlets on 4 March, a meeting on 5 March, a clash on 20 March.
    save(store, "a", [event("a", 1, target="RUS", day=4, place=None),
                      event("a", 2, source="PAKGOV", target="RUS", cameo="036", day=5, place=None)])
    save(store, "b", [event("b", 1, target="RUS", day=4, place=None)])
    save(store, "c", [event("c", 1, target="RUS", cameo="190", day=20, place=None),
                      event("c", 2, source="RUS", target="PAK", cameo="051", day=20, place=None),
                      event("c", 3, target="RUS", cameo="173", day=21, place=None, hypothetical=True)])
    save(store, "d", [event("d", 1, target="IND", day=4)])  # another dyad


@pytest.fixture
def store(tmp_path):
    with EventStore(tmp_path / "s.duckdb") as s:
        fill(s)
        yield s


def test_parse_dyad():
    assert parse_dyad("pak-rus") == ("PAK", "RUS")
    assert parse_dyad("PAKGOV-*") == ("PAKGOV", None)
    with pytest.raises(ValueError, match="SOURCE-TARGET"):
        parse_dyad("PAK")


def test_weekly_merged_series(store):
    rows = dyad_series(store, "PAK-RUS", by="week")
    assert [r["period"] for r in rows] == [D(2024, 3, 4), D(2024, 3, 11), D(2024, 3, 18)]  # Mondays, gap filled
    first, empty, last = rows
    assert set(first) == set(COLUMNS)
    # The accusation is one merged event (2 mentions); PAKGOV matches PAK; the hypothetical is left out.
    assert (first["events"], first["mentions"], first["quad1"], first["quad3"]) == (2, 3, 1, 1)
    accuse, meet = ontology.cameo("112").goldstein, ontology.cameo("036").goldstein
    assert first["goldstein_sum"] == pytest.approx(accuse + meet)
    assert first["goldstein_mean"] == pytest.approx((accuse + meet) / 2)
    assert (empty["events"], empty["goldstein_sum"], empty["goldstein_mean"]) == (0, 0, None)
    assert (last["events"], last["quad4"], last["goldstein_sum"]) == (1, 1, ontology.cameo("190").goldstein)


def test_mentions_direction_and_periods(store):
    [week] = dyad_series(store, "PAK-RUS", by="week", merged=False, end=D(2024, 3, 10))
    assert (week["events"], week["mentions"]) == (3, 3)
    days = dyad_series(store, "PAK-RUS", by="day", both_directions=True, start=D(2024, 3, 18))
    assert [(r["period"], r["events"]) for r in days] == [(D(2024, 3, 18), 0), (D(2024, 3, 19), 0), (D(2024, 3, 20), 2)]
    [month] = dyad_series(store, "PAK-RUS", by="month")
    assert (month["period"], month["events"]) == (D(2024, 3, 1), 3)
    assert dyad_series(store, "RUS-PAK", by="month")[0]["events"] == 1
    assert dyad_series(store, "PAKGOV-RUS", by="month")[0]["events"] == 1
    assert dyad_series(store, "PAK-*", by="month")[0]["events"] == 4
    assert dyad_series(store, "PAK-USA") == []
    with pytest.raises(ValueError, match="by must be one of day, week, month, year"):
        dyad_series(store, "PAK-RUS", by="decade")


def test_without_filling_only_active_periods(store):
    rows = dyad_series(store, "PAK-RUS", by="week", fill=False)
    assert [r["period"] for r in rows] == [D(2024, 3, 4), D(2024, 3, 18)]


def test_dataframe_helper(store):
    pd = pytest.importorskip("pandas")
    frame = dyad_series_frame(store, "PAK-RUS", by="week")
    assert list(frame.columns) == list(COLUMNS[1:]) and frame.index.name == "period"
    assert frame["events"].tolist() == [2, 0, 1]
    assert isinstance(frame.index, pd.DatetimeIndex)


def test_plot_writes_a_png(store, tmp_path):
    pytest.importorskip("matplotlib")
    path = plot_series(dyad_series(store, "PAK-RUS", by="day"), tmp_path / "plot.png", title="PAK-RUS", by="day")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_cli_series(store, tmp_path):
    db = str(tmp_path / "s.duckdb")
    store.close()
    runner = CliRunner()
    result = runner.invoke(app, ["series", "--dyad", "PAK-RUS", "--by", "week", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["events"] for r in rows] == [2, 0, 1] and rows[0]["period"] == "2024-03-04"
    result = runner.invoke(app, ["series", "--dyad", "PAK-RUS", "--db", db, "-f", "csv", "--mentions"])
    assert result.stdout.splitlines()[0] == ",".join(COLUMNS)
    result = runner.invoke(app, ["series", "--dyad", "PAK-RUS", "--db", db])
    assert result.exit_code == 0 and "PAK → RUS per week" in result.stdout and "2024-03-18" in result.stdout
    if pytest.importorskip("matplotlib"):
        png = tmp_path / "t.png"
        result = runner.invoke(app, ["series", "--dyad", "PAK-RUS", "--db", db, "--by", "day", "--plot", str(png),
                                     "--both-directions", "-f", "csv"])
        assert result.exit_code == 0, result.output
        assert png.exists()
    assert runner.invoke(app, ["series", "--dyad", "PAK", "--db", db]).exit_code != 0
    assert runner.invoke(app, ["series", "--dyad", "PAK-RUS", "--by", "decade", "--db", db]).exit_code != 0


# -- years, date precision, dyads, read-only stores ------------------------------------------------------

def test_yearly_series(store):
    save(store, "z", [event("z", 1, target="RUS", cameo="190", day=1, place=None)])
    store.con.execute("UPDATE events SET event_date = DATE '2022-06-30' WHERE doc_id = 'z'")
    rows = dyad_series(store, "PAK-RUS", by="year")
    assert [(r["period"], r["events"]) for r in rows] == [(D(2022, 1, 1), 1), (D(2023, 1, 1), 0), (D(2024, 1, 1), 3)]


def test_year_only_dates_are_left_out_unless_asked(store):
    """"In 2024, Pakistan accused Russia": dated 1 January, precision year. Counted, it would make a peak
    on 1 January that never happened."""
    save(store, "y", [event("y", 1, target="RUS", day=1, place=None, precision="year"),
                      event("y", 2, target="RUS", cameo="036", day=1, place=None, precision="year")])
    save(store, "m", [event("m", 3, target="RUS", cameo="111", day=1, place=None, precision="month")])
    store.con.execute("UPDATE events SET event_date = DATE '2024-01-01' WHERE doc_id = 'y'")
    for merged in (True, False):
        days = {r["period"]: r["events"] for r in dyad_series(store, "PAK-RUS", by="day", merged=merged, fill=False)}
        assert D(2024, 1, 1) not in days and days[D(2024, 3, 1)] == 1  # month-precise: counted
        days = {r["period"]: r["events"] for r in dyad_series(store, "PAK-RUS", by="day", merged=merged, fill=False,
                                                              all_precisions=True)}
        assert days[D(2024, 1, 1)] == 2
    by_year = dyad_series(store, "PAK-RUS", by="year", all_precisions=True)
    assert by_year[0]["events"] == dyad_series(store, "PAK-RUS", by="year")[0]["events"] + 2


def test_parse_dyad_with_unknown_actors_and_wildcards():
    assert parse_dyad("---REB-SYR") == ("---REB", "SYR")
    assert parse_dyad("PAK----REB") == ("PAK", "---REB")
    assert parse_dyad("*-IGOUNO") == (None, "IGOUNO") and parse_dyad("PAK-") == ("PAK", None)
    for bad in ("PAK", "PAK-RUS-IND", "PAK RUS", "12-RUS"):
        with pytest.raises(ValueError, match="SOURCE-TARGET.*PAK-RUS"):
            parse_dyad(bad)


def test_unknown_actor_dyad(store):
    save(store, "u", [event("u", 1, source="---", target="PAK", cameo="190", day=6, place=None)])
    [row] = dyad_series(store, "----PAK", by="month")  # "---" (anyone unknown) acting on Pakistan
    assert row["events"] == 1 and parse_dyad("----PAK") == ("---", "PAK")


def test_read_only_store_with_stale_merges(tmp_path):
    path = tmp_path / "ro.duckdb"
    with EventStore(path) as s:
        fill(s)
    with EventStore(path, read_only=True) as s:
        with pytest.raises(StoreError, match="out of date"):
            dyad_series(s, "PAK-RUS")
        assert dyad_series(s, "PAK-RUS", merged=False, by="month")[0]["events"] == 4  # mentions need no merge


def test_cli_series_reads_while_others_hold_the_store(tmp_path):
    db = tmp_path / "cli.duckdb"
    with EventStore(db) as s:
        fill(s)  # not merged yet
    runner = CliRunner()
    args = ["series", "--dyad", "PAK-RUS", "--db", str(db), "-f", "json"]
    with read_lock(db) as reader:
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
        assert "out of date" in result.output and f"process {reader.pid}" in result.output
        assert runner.invoke(app, args + ["--mentions"]).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0  # nobody else: merged first
    with read_lock(db):
        result = runner.invoke(app, args + ["--by", "year", "--all-precisions"])
        assert result.exit_code == 0, result.output
        assert [json.loads(line)["events"] for line in result.stdout.splitlines()] == [3]
    with write_lock(db) as writer:
        result = runner.invoke(app, args)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert f"process {writer.pid}" in result.output and "Traceback" not in result.output


def test_cli_series_bad_values_say_what_is_valid(store, tmp_path):
    db = str(tmp_path / "s.duckdb")
    store.close()
    runner = CliRunner()
    result = runner.invoke(app, ["series", "--dyad", "PAK-RUS", "--by", "decade", "--db", db])
    assert result.exit_code == 2 and all(p in result.output for p in ("day", "week", "month", "year"))
    result = runner.invoke(app, ["series", "--dyad", "PAK", "--db", db], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "SOURCE-TARGET" in result.output and "PAK-RUS" in result.output
    result = runner.invoke(app, ["series", "--dyad", "XYZ-PAK", "--db", db], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "country code" in result.output
    result = runner.invoke(app, ["series", "--dyad", "PAK-RUS", "--from", "March", "--db", db], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    result = runner.invoke(app, ["series", "--dyad", "---REB-SYR", "--db", db, "-f", "csv"])
    assert result.exit_code == 0, result.output
    help_text = runner.invoke(app, ["series", "--help"], env={"COLUMNS": "200"}).output
    for placeholder in ("SOURCE-TARGET", "day|week|month|year", "YYYY-MM-DD", "PATH", "--all-precisions"):
        assert placeholder in help_text
