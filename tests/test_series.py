"""Dyad time series: matching, periods, merged vs mentions, gap filling, the DataFrame helper, the plot, the CLI."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from eventwire import ontology
from eventwire.cli import app
from eventwire.series import COLUMNS, dyad_series, dyad_series_frame, parse_dyad, plot_series
from eventwire.store import EventStore

from test_merge import event, save

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
    with pytest.raises(ValueError, match="by must be"):
        dyad_series(store, "PAK-RUS", by="year")


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
    assert runner.invoke(app, ["series", "--dyad", "PAK-RUS", "--by", "year", "--db", db]).exit_code != 0
