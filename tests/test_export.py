"""Exports: GDELT 2.0 TSV (61 named columns), PLOVER JSONL, Parquet round trips, CSV; and the CLI command."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventwire import export, ontology
from eventwire.cli import app
from eventwire.store import EventStore

from test_merge import event, save

SHARED_COLUMNS = Path(__file__).resolve().parents[2] / "shared" / "data" / "ontology" / "gdelt2_events_columns.csv"


def fill(store: EventStore) -> None:
    save(store, "a", [event("a", 0), event("a", 2, cameo="036", target="RUS", place=None),
                      event("a", 3, source="PAKGOV", cameo="190", negated=True)],
         source="Dawn", url="https://www.dawn.com/news/1")
    save(store, "b", [event("b", 3, day=2)], source="Reuters", url="https://reuters.com/b")
    save(store, "c", [event("c", 1, cameo="010", place=None)], source="AP")  # root 01: no PLOVER type


@pytest.fixture
def store(tmp_path):
    with EventStore(tmp_path / "x.duckdb") as s:
        fill(s)
        yield s


def test_gdelt_columns_are_the_61_of_gdelt_2():
    columns = export.gdelt_columns()
    assert len(columns) == 61 and len({n for n, _ in columns}) == 61
    names = export.gdelt_column_names()
    assert names[:3] == ["GLOBALEVENTID", "SQLDATE", "MonthYear"] and names[-2:] == ["DATEADDED", "SOURCEURL"]
    assert {t for _, t in columns} == {"INTEGER", "FLOAT", "STRING"}


def test_gdelt_columns_match_the_reference_layout():
    if not SHARED_COLUMNS.exists():
        pytest.skip(f"{SHARED_COLUMNS} is absent (../shared is only beside a development checkout)")
    with SHARED_COLUMNS.open(encoding="utf-8") as f:
        reference = [(r["tableId"], r["dataType"]) for r in csv.DictReader(f)]
    assert list(export.gdelt_columns()) == reference  # same names, types and order


def test_gdelt_export_loads_in_pandas_with_the_gdelt_names(store, tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "events.tsv"
    assert export.export(store, "gdelt", path) == 3  # merged, factual events
    raw = path.read_text(encoding="utf-8").splitlines()
    assert all(line.count("\t") == 60 for line in raw)
    assert not raw[0].startswith("GLOBALEVENTID")  # like GDELT's files: no header
    df = pd.read_csv(path, sep="\t", header=None, names=export.gdelt_column_names(), dtype={"EventCode": str,
                     "EventBaseCode": str, "EventRootCode": str})
    assert list(df.columns) == export.gdelt_column_names() and len(df) == 3
    accuse = df[df.EventCode == "112"].iloc[0]
    assert (accuse.Actor1Code, accuse.Actor2Code, accuse.Actor1CountryCode) == ("PAK", "IND", "PAK")
    assert (accuse.EventBaseCode, accuse.EventRootCode, accuse.QuadClass, accuse.GoldsteinScale) == ("112", "11", 3, -2.0)
    assert (accuse.NumMentions, accuse.NumArticles, accuse.NumSources) == (2, 2, 2)
    assert (accuse.SQLDATE, accuse.MonthYear, accuse.Year) == (20240301, 202403, 2024)
    assert accuse.ActionGeo_CountryCode == "IN"  # FIPS, not ISO
    assert accuse.ActionGeo_Type == 5 and accuse.ActionGeo_FullName == "Kashmir, Jammu and Kashmir, India"
    assert (accuse.ActionGeo_Lat, accuse.ActionGeo_Long) == (34.1, 74.8)
    assert accuse.SOURCEURL == "https://www.dawn.com/news/1" and accuse.IsRootEvent == 1
    assert str(accuse.DATEADDED).startswith(str(dt.date.today().year)) and len(str(accuse.DATEADDED)) == 14
    assert df.GLOBALEVENTID.is_unique and df.GLOBALEVENTID.dtype.kind == "i"


def test_gdelt_header_option_and_mentions(store):
    pd = pytest.importorskip("pandas")
    out = io.StringIO()
    assert export.export(store, "gdelt", out, merged=False, header=True) == 4  # 5 mentions, 1 negated
    df = pd.read_csv(io.StringIO(out.getvalue()), sep="\t")
    assert list(df.columns) == export.gdelt_column_names()
    assert set(df.NumMentions) == {1}


def test_known_group_codes():
    assert export.known_group("IGOUNO") == "UNO"
    assert export.known_group("IGOWSTNAT") == "NAT"
    assert export.known_group("PAKGOV") is None and export.known_group(None) is None


def test_plover_records(store):
    out = io.StringIO()
    n = export.export(store, "plover", out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == len(records) == 2  # CAMEO 010 has no PLOVER type
    accuse = next(r for r in records if r["cameo"] == "112")
    assert accuse["event"] == ["ACCUSE"] and accuse["event_type"] == "ACCUSE"
    assert accuse["actor"] == [{"code": "PAK", "sector": None, "entity_text": "Pakistan", "cameo_code": "PAK"}]
    assert accuse["recipient"][0]["code"] == "IND"
    assert accuse["date"] == "2024-03-01" and accuse["enddate"] == "2024-03-02"
    assert accuse["event_loc"]["extracted_place"] == "Kashmir" and accuse["event_loc"]["country_code"] == "IND"
    assert accuse["quad_code"] == 3 and isinstance(accuse["event_scale"], float)
    assert accuse["event_text"] and accuse["num_articles"] == 2
    assert accuse["cite_info"]["url"] == "https://www.dawn.com/news/1"
    assert accuse["context"] == list(ontology.cameo("112").contexts)
    assert accuse["mode"] == ([ontology.cameo("112").mode] if ontology.cameo("112").mode else [])


def test_parquet_round_trips_through_pandas(store, tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "merged.parquet"
    assert export.export(store, "parquet", path) == 3
    df = pd.read_parquet(path)
    expected = store.to_pandas("merged_events").sort_values("merged_id").reset_index(drop=True)
    assert list(df.columns) == list(expected.columns)
    # Same values; NULLs may come back as None or NaN depending on the column's pandas dtype.
    assert _records(df.sort_values("merged_id")) == _records(expected)
    assert df["num_articles"].dtype.kind == "i" and df["event_date"].notna().all()
    mentions = tmp_path / "mentions.parquet"
    assert export.export(store, "parquet", mentions, merged=False) == 5  # everything, flags included
    assert pd.read_parquet(mentions)["negated"].sum() == 1


def _records(frame) -> list[dict]:
    import pandas as pd

    return [{k: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else
                 v.date() if isinstance(v, pd.Timestamp) and k in ("event_date", "date_end") else v)
             for k, v in row.items()} for row in frame.to_dict("records")]


def test_parquet_round_trips_through_polars(store, tmp_path):
    pl = pytest.importorskip("polars")
    path = tmp_path / "merged.parquet"
    export.export(store, "parquet", path)
    df = pl.read_parquet(path)
    assert df.height == 3 and "num_articles" in df.columns
    assert df.sort("merged_id").equals(store.to_polars("merged_events").sort("merged_id"))


def test_parquet_needs_a_file(store):
    with pytest.raises(ValueError, match="binary"):
        export.export(store, "parquet", io.StringIO())
    with pytest.raises(ValueError, match="unknown export format"):
        export.export(store, "xml")


def test_csv_to_stream_and_file_agree(store, tmp_path):
    out = io.StringIO()
    export.export(store, "csv", out)
    path = tmp_path / "m.csv"
    export.export(store, "csv", path)
    from_stream = list(csv.DictReader(io.StringIO(out.getvalue())))
    from_file = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(from_stream) == len(from_file) == 3
    assert [r["merged_id"] for r in from_stream] == [r["merged_id"] for r in from_file]
    assert from_stream[0].keys() == from_file[0].keys()


def test_export_merges_a_stale_store_first(store):
    assert not store.merged_is_current()
    export.export(store, "csv", io.StringIO())
    assert store.merged_is_current()


def test_cli_export(tmp_path):
    db = tmp_path / "cli.duckdb"
    with EventStore(db) as s:
        fill(s)
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--format", "gdelt", "--db", str(db), "--header"])
    assert result.exit_code == 0, result.output
    lines = [l for l in result.stdout.splitlines() if l]
    assert lines[0].split("\t") == export.gdelt_column_names() and len(lines) == 4
    out = tmp_path / "e.parquet"
    result = runner.invoke(app, ["export", "-f", "parquet", "--db", str(db), "--mentions", "-o", str(out)])
    assert result.exit_code == 0 and out.exists()
    result = runner.invoke(app, ["export", "-f", "parquet", "--db", str(db)])
    assert result.exit_code != 0
    result = runner.invoke(app, ["export", "-f", "plover", "--db", str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 1
