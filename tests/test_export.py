"""Exports: GDELT 2.0 TSV (61 named columns), PLOVER JSONL, Parquet round trips, CSV; and the CLI command."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import eventwire
from eventwire import export, ontology, provenance
from eventwire.cli import app
from eventwire.records import Actor, labels
from eventwire.store import EventStore, StoreError

from test_merge import ACTORS, LAHORE, event, read_lock, save, write_lock

ONTOLOGY = Path(__file__).resolve().parents[2] / "shared" / "data" / "ontology"
SHARED_COLUMNS = ONTOLOGY / "gdelt2_events_columns.csv"
PLOVER_MANUAL = ONTOLOGY / "PLOVER_MANUAL.tex"


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


def test_known_group_is_the_organisation_not_its_religion_or_sector():
    """GDELT: "If Actor1 is a known IGO/NGO/rebel organization ... with its own CAMEO code, this field will
    contain that code". The organisation comes after the region, religion or sector qualifiers."""
    assert export.known_group("IMGMUSISI") == "ISI"  # Islamic State, not "MUS" (Muslim)
    assert export.known_group("IGOBUSIMF") == "IMF"  # the IMF, not "BUS" (business)
    assert export.known_group("IGOUNOHLHWHO") == "WHO" and export.known_group("NGOHRIAMN") == "AMN"
    assert export.known_group("IGOWSTNATMIL") == "NAT"  # NATO troops: a role after the organisation
    assert export.known_group("IGOCASEEU") == "EEU"  # Eurasian Economic Union: the organisation slot
    assert export.known_group("AFGINSTAL") == "TAL" and export.known_group("PSEREBHMSGOV") == "HMS"
    assert export.known_group("IGOUNOAGR") == "UNO"  # a UN agency without a code of its own
    for code in ("IGOAFR", "PAKMUS", "---REB", "USAGOVMIL", "IGO"):  # no organisation named
        assert export.known_group(code) is None, code


def test_known_group_of_every_organisation_in_the_dictionary():
    rows = [line.split("\t") for line in
            (Path(eventwire.__file__).parent / "data" / "organisations.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    codes = {r[2] for r in rows[1:] if len(r) > 2 and r[2].startswith(("IGO", "NGO", "IMG"))}
    assert len(codes) > 50
    for code in codes:
        group = export.known_group(code)
        parts = [code[i : i + 3] for i in range(3, len(code), 3)]
        assert group in parts, code  # one of the code's own 3-letter elements
        assert group not in export.writers._ROLE_CODES, code  # never a sector or role


def test_plover_country_of_non_state_actors():
    assert ontology.plover_country("IGOUNO") == "UNO" and ontology.plover_country("IGOUNOHLHWHO") == "UNO"
    assert ontology.plover_country("IGOEUREEC") == "EUR" and ontology.plover_country("IGOEUREECLEG") == "EUR"
    assert ontology.plover_country("IGOEURCOE") == "IGO"  # the Council of Europe is not the EU
    assert ontology.plover_country("IGOWSTNAT") == "IGO" and ontology.plover_country("NGOHRIAMN") == "NGO"
    assert ontology.plover_country("IMGMUSISI") == "IMG" and ontology.plover_country("NGMENV") == "ISM"
    assert ontology.plover_country("PAKGOV", "PAK") == "PAK" and ontology.plover_country("---REB") is None
    assert set(ontology.PLOVER_NONSTATE) == {"IGO", "UNO", "EUR", "NGO", "ISM", "IMG", "MNC"}


def test_plover_manual_lists_the_non_state_codes():
    if not PLOVER_MANUAL.exists():
        pytest.skip(f"{PLOVER_MANUAL} is absent (../shared is only beside a development checkout)")
    text = PLOVER_MANUAL.read_text(encoding="utf-8")
    table = text[text.index("International Non-state actor names"):]
    table = table[: table.index("\\end{tabular}")]
    listed = set(re.findall(r"^\s*([A-Z]{3})\s*&", table, flags=re.M))
    assert listed == set(ontology.PLOVER_NONSTATE)


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
    for column in ("mode", "context"):  # stored as ";"-joined text, exported as lists
        expected[column] = expected[column].map(labels)
        df[column] = df[column].map(list)
    assert list(df.columns) == list(expected.columns)
    # Same values; NULLs may come back as None or NaN depending on the column's pandas dtype.
    assert _records(df.sort_values("merged_id")) == _records(expected)
    assert df["num_articles"].dtype.kind == "i" and df["event_date"].notna().all()
    mentions = tmp_path / "mentions.parquet"
    assert export.export(store, "parquet", mentions, merged=False) == 5  # everything, flags included
    assert pd.read_parquet(mentions)["negated"].sum() == 1


def _records(frame) -> list[dict]:
    import pandas as pd

    return [{k: (v if isinstance(v, list) else None if v is None or (not isinstance(v, str) and pd.isna(v)) else
                 v.date() if isinstance(v, pd.Timestamp) and k in ("event_date", "date_end") else v)
             for k, v in row.items()} for row in frame.to_dict("records")]


def test_parquet_round_trips_through_polars(store, tmp_path):
    pl = pytest.importorskip("polars")
    path = tmp_path / "merged.parquet"
    export.export(store, "parquet", path)
    df = pl.read_parquet(path)
    assert df.height == 3 and "num_articles" in df.columns
    expected = store.to_polars("merged_events").with_columns(
        pl.col("mode").map_elements(labels, return_dtype=pl.List(pl.String)),
        pl.col("context").map_elements(labels, return_dtype=pl.List(pl.String)))
    assert df.sort("merged_id").equals(expected.sort("merged_id"))


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


# -- GDELT details ------------------------------------------------------------------------------------

def fill_varied(store: EventStore) -> None:
    """Actors of every kind (IGO, NGO, IMG, unknown), places and none, dates of every precision."""
    from eventwire.records import Location

    ACTORS.setdefault("USA", Actor("United States", "USA", "USA"))
    boston = Location("Boston", "USA", "Massachusetts", 42.36, -71.06, 4930956, "city", "gazetteer")
    save(store, "v1", [event("v1", 0, source="IGOUNO", target="IMGMUSISI", cameo="111", place=LAHORE),
                       event("v1", 2, source="IGOEUREEC", target="RUS", cameo="163", place=None, day=31,
                             precision="month"),
                       event("v1", 3, source="NGOHRIAMN", target="PAKGOV", cameo="112", place=boston)],
         source="Dawn", url="https://dawn.com/v1")
    save(store, "v2", [event("v2", 1, source="---", target="---CVL", cameo="190", place=None, day=15,
                             precision="week"),
                       event("v2", 2, source="USA", target="IGOEURCOE", cameo="057", place=None, precision="year"),
                       event("v2", 3, source="RUS", target="PAK", cameo="1124", place=None)],  # two contexts
         source="AP")
    store.con.execute("UPDATE events SET event_date = DATE '2024-01-01' WHERE date_precision = 'year'")
    store.con.execute("UPDATE events SET event_date = DATE '2023-12-31' WHERE cameo = '1124'")


@pytest.fixture
def varied(tmp_path):
    with EventStore(tmp_path / "v.duckdb") as s:
        fill(s)
        fill_varied(s)
        yield s


def _gdelt_table(store: EventStore, **kwargs) -> list[dict[str, str]]:
    out = io.StringIO()
    export.export(store, "gdelt", out, **kwargs)
    names = export.gdelt_column_names()
    return [dict(zip(names, line.split("\t"))) for line in out.getvalue().splitlines()]


def test_gdelt_export_parses_against_the_reference_layout(varied, tmp_path):
    """Every row of a GDELT export: the 61 columns of GDELT's codebook, in order, each value of its type."""
    if not SHARED_COLUMNS.exists():
        pytest.skip(f"{SHARED_COLUMNS} is absent (../shared is only beside a development checkout)")
    with SHARED_COLUMNS.open(encoding="utf-8") as f:
        reference = [(r["tableId"], r["dataType"]) for r in csv.DictReader(f)]
    assert len(reference) == 61
    path = tmp_path / "events.tsv"
    for merged in (True, False):
        n = export.export(varied, "gdelt", path, merged=merged, header=True)
        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines[-1] == "" and len(lines) == n + 2  # header, rows, final newline
        assert lines[0].split("\t") == [name for name, _ in reference]
        for line in lines[1:-1]:
            values = line.split("\t")
            assert len(values) == 61
            row = dict(zip([name for name, _ in reference], values))
            for (name, kind), value in zip(reference, values):
                if value == "":
                    continue
                if kind == "INTEGER":
                    assert re.fullmatch(r"-?\d+", value), (name, value)
                elif kind == "FLOAT":
                    float(value)
                    assert value.lower() not in ("nan", "inf", "-inf"), (name, value)
            dt.datetime.strptime(row["SQLDATE"], "%Y%m%d")
            assert row["MonthYear"] == row["SQLDATE"][:6] and row["Year"] == row["SQLDATE"][:4]
            dt.datetime.strptime(row["DATEADDED"], "%Y%m%d%H%M%S")
            assert re.fullmatch(r"\d{2,4}", row["EventCode"]) and row["EventCode"].startswith(row["EventBaseCode"])
            assert row["EventBaseCode"].startswith(row["EventRootCode"]) and len(row["EventRootCode"]) == 2
            assert row["QuadClass"] in "1234" and -10 <= float(row["GoldsteinScale"]) <= 10
            for geo in ("Actor1Geo_Type", "Actor2Geo_Type", "ActionGeo_Type"):
                assert row[geo] in ("0", "1", "2", "3", "4", "5"), (geo, row[geo])
            if row["ActionGeo_CountryCode"]:
                assert len(row["ActionGeo_CountryCode"]) == 2  # FIPS 10-4


def test_gdelt_geo_type_is_zero_without_geography(varied):
    rows = _gdelt_table(varied)
    assert {r["Actor1Geo_Type"] for r in rows} == {"0"} and {r["Actor2Geo_Type"] for r in rows} == {"0"}
    unlocated = [r for r in rows if not r["ActionGeo_CountryCode"]]
    assert unlocated and {r["ActionGeo_Type"] for r in unlocated} == {"0"}
    by_place = {r["ActionGeo_FullName"]: r["ActionGeo_Type"] for r in rows if r["ActionGeo_CountryCode"]}
    assert by_place["Lahore, Punjab, Pakistan"] == "4"  # a city outside the US
    assert by_place["Boston, Massachusetts, United States"] == "3"  # a US city
    assert by_place["Kashmir, Jammu and Kashmir, India"] == "5"


def test_gdelt_known_group_columns(varied):
    rows = {(r["Actor1Code"], r["Actor2Code"]): r for r in _gdelt_table(varied)}
    un = rows[("IGOUNO", "IMGMUSISI")]
    assert (un["Actor1KnownGroupCode"], un["Actor2KnownGroupCode"]) == ("UNO", "ISI")
    amnesty = rows[("NGOHRIAMN", "PAKGOV")]
    assert (amnesty["Actor1KnownGroupCode"], amnesty["Actor2KnownGroupCode"]) == ("AMN", "")


def _codebook_fraction(day: dt.date) -> float:
    """FractionDate computed from the codebook's rule, independently of eventwire: the share of the year,
    in 30-day months, from 0 (1 January) up to 0.9999."""
    days_before = (day.month - 1) * 30 + day.day
    return round(day.year + days_before / 365, 4)


def test_fraction_date_follows_gdelt(varied):
    if SHARED_COLUMNS.exists():  # the rule as the codebook gives it
        with SHARED_COLUMNS.open(encoding="utf-8") as f:
            text = next(r["Description"] for r in csv.DictReader(f) if r["tableId"] == "FractionDate")
        assert "MONTH * 30 + DAY" in text and "/ 365" in text and "from 0 to 0.9999" in text
    rows = _gdelt_table(varied, merged=False)
    assert len(rows) >= 7
    for r in rows:
        day = dt.datetime.strptime(r["SQLDATE"], "%Y%m%d").date()
        assert float(r["FractionDate"]) == _codebook_fraction(day)
        assert re.fullmatch(r"\d{4}\.\d{4}", r["FractionDate"])
        assert 0 <= float(r["FractionDate"]) - day.year <= 0.9999
    assert {r["SQLDATE"]: r["FractionDate"] for r in rows}["20231231"] == "2023.9890"
    assert export.fraction_date(dt.date(1979, 1, 1)) == "1979.0027"
    assert export.fraction_date(dt.date(2015, 2, 18)) == "2015.1315"
    days = [dt.date(2024, 1, 1) + dt.timedelta(d) for d in range(366)]
    fractions = [float(export.fraction_date(d)) for d in days]
    assert fractions == sorted(fractions) and all(2024 <= f < 2025 for f in fractions)


# -- PLOVER details -----------------------------------------------------------------------------------

def _plover(store: EventStore, **kwargs) -> list[dict]:
    out = io.StringIO()
    export.export(store, "plover", out, **kwargs)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_plover_codes_the_un_and_eu_as_the_manual_does(varied):
    records = {r["cameo"]: r for r in _plover(varied)}
    assert records["111"]["actor"][0]["code"] == "UNO" and records["111"]["recipient"][0]["code"] == "IMG"
    assert records["163"]["actor"][0]["code"] == "EUR"
    assert records["112"]["actor"][0]["code"] in ("PAK", "NGO")
    assert records["057"]["recipient"][0] == {"code": "IGO", "sector": "IGO", "entity_text": "Council of Europe",
                                              "cameo_code": "IGOEURCOE"}
    assert records["190"]["actor"][0]["code"] is None  # an unknown actor has no country


def test_plover_date_precision_and_provenance(varied):
    for merged in (True, False):
        records = _plover(varied, merged=merged)
        precisions = {r["cameo"]: r["date_precision"] for r in records}
        assert precisions["163"] == "month" and precisions["190"] == "week" and precisions["057"] == "year"
        assert precisions["111"] == "day"
        for r in records:
            stamp = provenance.stamp()
            assert {k: r["cite_info"][k] for k in stamp} == stamp
            assert set(r["cite_info"]) >= {"url", "title", "publication"}


# -- Parquet, CSV, provenance --------------------------------------------------------------------------

def test_parquet_carries_mode_and_context_as_lists_and_the_stamp(varied, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    for merged, relation in ((True, "merged_events"), (False, "events_with_evidence")):
        path = tmp_path / f"{relation}.parquet"
        export.export(varied, "parquet", path, merged=merged)
        table = pq.read_table(path)
        for column in ("mode", "context"):
            assert pa.types.is_list(table.schema.field(column).type), column
        key = "merged_id" if merged else "event_id"
        stored = {r[key]: (labels(r["mode"]), labels(r["context"]))
                  for r in varied.query(f"SELECT {key}, mode, context FROM {relation}")}
        exported = {r[key]: (r["mode"], r["context"]) for r in table.to_pylist()}
        assert exported == stored and any(c for _, c in exported.values())
        metadata = {k.decode(): v.decode() for k, v in pq.read_schema(path).metadata.items()}
        assert {k: metadata[k] for k in provenance.stamp()} == {k: str(v) for k, v in provenance.stamp().items()}
        assert "date_precision" in table.column_names


def test_csv_keeps_joined_text_and_files_get_a_sidecar(varied, tmp_path):
    path = tmp_path / "merged.csv"
    n = export.export(varied, "csv", path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == n and "military;legal" in [r["context"] for r in rows]
    stored = {r["merged_id"]: r["context"] or "" for r in varied.query("SELECT merged_id, context FROM merged_events")}
    assert {r["merged_id"]: r["context"] for r in rows} == stored  # ";"-joined, as stored
    meta = json.loads(export.sidecar_path(path).read_text(encoding="utf-8"))
    assert export.sidecar_path(path).name == "merged.csv.meta.json"
    assert {k: meta[k] for k in provenance.stamp()} == provenance.stamp()
    assert meta["rows"] == n and meta["format"] == "csv" and meta["columns"] == list(rows[0])
    assert "';'-joined" in meta["lists"]["context"] and meta["cells_neutralised"] is True


def test_gdelt_file_sidecar_describes_date_precision(varied, tmp_path):
    path = tmp_path / "events.tsv"
    n = export.export(varied, "gdelt", path)
    meta = json.loads((tmp_path / "events.tsv.meta.json").read_text(encoding="utf-8"))
    assert {k: meta[k] for k in provenance.stamp()} == provenance.stamp()
    assert meta["rows"] == n and meta["columns"] == export.gdelt_column_names()
    rows = {r["GLOBALEVENTID"]: r for r in _gdelt_table(varied)}
    precision = meta["date_precision"]
    assert sum(precision["rows"].values()) == n and precision["rows"]["year"] == 1
    year = [rows[str(i)] for i in precision["not_day_precise"]["year"]]
    assert [(r["EventCode"], r["SQLDATE"]) for r in year] == [("057", "20240101")]
    assert [rows[str(i)]["EventCode"] for i in precision["not_day_precise"]["month"]] == ["163"]
    assert [rows[str(i)]["EventCode"] for i in precision["not_day_precise"]["week"]] == ["190"]
    assert "GDELT has no column" in precision["note"]


def test_stream_exports_have_no_sidecar(varied, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export.export(varied, "gdelt", io.StringIO())
    export.export(varied, "csv", io.StringIO())
    assert not list(tmp_path.glob("*.meta.json"))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _formula_store(path: Path) -> EventStore:
    store = EventStore(path)
    ACTORS["=EVIL"] = Actor('=HYPERLINK("http://x.test","click")', "PAK", "PAK")
    save(store, "f", [event("f", 1, source="=EVIL", sentence="@SUM(1+1) said -2 things"),
                      event("f", 2, source="---", target="IND", cameo="190")], source="+Outlet")
    return store


def test_csv_cells_are_neutralised_in_every_csv_export(tmp_path):
    with _formula_store(tmp_path / "f.duckdb") as store:
        for merged in (True, False):
            path = tmp_path / f"{merged}.csv"
            export.export(store, "csv", path, merged=merged)
            stream = io.StringIO()
            export.export(store, "csv", stream, merged=merged)
            from_file = list(csv.DictReader(path.open(encoding="utf-8")))
            from_stream = list(csv.DictReader(io.StringIO(stream.getvalue())))
            assert from_file == from_stream  # COPY (SQL) and the stream writer neutralise alike
            cells = [v for row in from_file for v in row.values() if v]
            assert not [c for c in cells if c.startswith(("=", "+", "-", "@")) and not _is_number(c)], cells
            assert "'=HYPERLINK(\"http://x.test\",\"click\")" in cells and "'---" in cells
            numbers = [r["goldstein"] for r in from_file]
            assert all(float(g) < 0 for g in numbers)  # numbers are not text: -2 stays -2
            if not merged:
                assert "'@SUM(1+1) said -2 things" in cells
            raw = tmp_path / f"raw-{merged}.csv"
            export.export(store, "csv", raw, merged=merged, raw_csv=True)
            raw_cells = [v for row in csv.DictReader(raw.open(encoding="utf-8")) for v in row.values()]
            assert "---" in raw_cells and '=HYPERLINK("http://x.test","click")' in raw_cells
            assert json.loads(export.sidecar_path(raw).read_text())["cells_neutralised"] is False


def test_cli_raw_csv(tmp_path):
    db = tmp_path / "f.duckdb"
    _formula_store(db).close()
    runner = CliRunner()
    for flag, expected in (([], "'---"), (["--raw-csv"], "---")):
        result = runner.invoke(app, ["export", "-f", "csv", "--db", str(db), *flag])
        assert result.exit_code == 0, result.output
        cells = [v for row in csv.DictReader(io.StringIO(result.stdout)) for v in row.values()]
        assert expected in cells


def test_mentions_exports_carry_date_precision(varied):
    rows = {r["cameo"]: r["date_precision"] for r in _plover(varied, merged=False)}
    assert rows["163"] == "month"
    out = io.StringIO()
    export.export(varied, "csv", out, merged=False)
    assert "date_precision" in next(csv.reader(io.StringIO(out.getvalue())))


# -- read-only stores, locks, the command line ----------------------------------------------------------

def test_export_reads_a_read_only_store_and_refuses_stale_merges(tmp_path):
    db = tmp_path / "ro.duckdb"
    with EventStore(db) as s:
        fill(s)  # coded, not merged
    with EventStore(db, read_only=True) as s:
        with pytest.raises(StoreError, match="out of date"):
            export.export(s, "gdelt", io.StringIO())
        assert export.export(s, "gdelt", io.StringIO(), merged=False) == 4  # mentions need no merge
    runner = CliRunner()
    with read_lock(db) as reader:  # another process reads the store: merging would have to wait for it
        result = runner.invoke(app, ["export", "-f", "plover", "--db", str(db)])
        assert result.exit_code == 1
        assert len(result.output.strip().splitlines()) == 1 and f"process {reader.pid}" in result.output
        assert "out of date" in result.output and f"eventwire merge --db {db}" in result.output
        result = runner.invoke(app, ["export", "-f", "plover", "--db", str(db), "--mentions"])
        assert result.exit_code == 0 and len(result.stdout.splitlines()) == 3  # 4 mentions, one has no type
    result = runner.invoke(app, ["export", "-f", "plover", "--db", str(db)])  # nobody else: merged first
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2
    with read_lock(db):  # merged events up to date: another reader does not stop an export
        result = runner.invoke(app, ["export", "-f", "plover", "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert len(result.stdout.splitlines()) == 2


def test_export_of_a_store_another_process_writes(tmp_path):
    db = tmp_path / "locked.duckdb"
    with EventStore(db) as s:
        fill(s)
        s.merge_events()
    with write_lock(db) as holder:
        result = CliRunner().invoke(app, ["export", "-f", "gdelt", "--db", str(db)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"process {holder.pid}" in lines[0] and "Traceback" not in result.output


def _command(name: str):
    import typer.main

    return typer.main.get_command(app).commands[name]


@pytest.mark.parametrize("name", ["export", "series", "merge"])
def test_every_option_has_help_and_a_readable_metavar(name):
    for param in _command(name).params:
        if param.name == "help":
            continue
        assert param.help and len(param.help) > 10, param.name
        if not getattr(param, "is_flag", False):
            assert param.metavar and not param.metavar.startswith("<"), (param.name, param.metavar)


def test_cli_export_bad_values_say_what_is_valid(tmp_path):
    db = tmp_path / "x.duckdb"
    with EventStore(db) as s:
        fill(s)
    result = CliRunner().invoke(app, ["export", "-f", "xml", "--db", str(db)])
    assert result.exit_code == 2 and all(f in result.output for f in export.FORMATS)
    help_text = CliRunner().invoke(app, ["export", "--help"], env={"COLUMNS": "200"}).output
    assert "gdelt|plover|parquet|csv" in help_text and "PATH" in help_text and "--raw-csv" in help_text


def test_timestamps_on_stdout_are_written_as_copy_writes_them():
    """Regression: a coded_at of .799890 s came out as .79989 in a file (COPY) and .799890 on stdout."""
    import datetime as dt

    from eventwire.export.writers import _csv_cell

    assert _csv_cell(dt.datetime(2026, 12, 3, 22, 16, 46, 799890), False) == "2026-12-03 22:16:46.79989"
    assert _csv_cell(dt.datetime(2026, 12, 3, 22, 16, 46), False) == "2026-12-03 22:16:46"
