"""Downloads: CSV, JSONL and Parquet responses for event rows and for every dashboard table.

Event downloads are streamed from the DuckDB cursor in chunks, so a large export does not sit in memory
as Python objects (Parquet is the exception: the file is written whole, from Arrow). Text cells of CSV
files go through `eventwire.export.neutralise_cell` (a cell starting with =, +, -, @ is not run as a
spreadsheet formula) unless the server runs with `--raw-csv`.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import warnings
from enum import Enum
from typing import Any, Callable, Iterable, Iterator, Optional

import duckdb
from fastapi import HTTPException
from fastapi.responses import Response, StreamingResponse

from eventwire.export import neutralise_cell

CHUNK_ROWS = 5000


class Format(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class TableFormat(str, Enum):
    json = "json"
    csv = "csv"


MEDIA_TYPES = {
    Format.jsonl: "application/x-ndjson",
    Format.csv: "text/csv; charset=utf-8",
    Format.parquet: "application/vnd.apache.parquet",
}


def _attachment(name: str, fmt: Enum) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}.{fmt.value}"'}


def _csv_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _csv_lines(header: list[str], batches: Iterable[list[tuple]], raw: bool = False) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    cell = _csv_value if raw else (lambda v: neutralise_cell(_csv_value(v)))
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([cell(v) for v in row] for row in batch)
        yield buffer.getvalue()


def table_response(rows: list[dict[str, Any]], name: str, columns: Optional[list[str]] = None,
                   raw: bool = False) -> Response:
    """A dashboard table as a CSV file."""
    header = columns or (list(rows[0]) if rows else [])
    body = "".join(_csv_lines(header, [[tuple(r.get(c) for c in header) for r in rows]], raw))
    return Response(body, media_type=MEDIA_TYPES[Format.csv], headers=_attachment(name, TableFormat.csv))


def cap_headers(total: int, wanted: int, cap: int) -> dict[str, str]:
    """X-Total-Count: rows that matched; X-Row-Limit: the server's cap; X-Truncated: true when the file
    holds fewer rows than asked for (`wanted`) because of the cap."""
    return {"X-Total-Count": str(total), "X-Row-Limit": str(cap), "X-Truncated": str(wanted > cap).lower()}


class FetchedRows:
    """Rows already fetched, with the parts of a DuckDB cursor that events_response uses: a small download
    is cut like a page (ids first, sentences by doc_id) instead of joining every sentence of the store."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.names = list(rows[0]) if rows else []
        self.description = [(n,) for n in self.names]
        self._rows = [tuple(r[n] for n in self.names) for r in rows]

    def fetchmany(self, size: int) -> list[tuple]:
        batch, self._rows = self._rows[:size], self._rows[size:]
        return batch

    def fetch_arrow_table(self):
        import pyarrow as pa

        return pa.Table.from_pylist([dict(zip(self.names, r)) for r in self._rows])


def _batches(cursor: duckdb.DuckDBPyConnection, close: Callable[[], None]) -> Iterator[list[tuple]]:
    try:
        while True:
            batch = cursor.fetchmany(CHUNK_ROWS)
            if not batch:
                break
            yield batch
    finally:
        close()


def events_response(cursor: duckdb.DuckDBPyConnection, fmt: Format, to_dict: Callable[[dict[str, Any]], dict[str, Any]],
                    close: Callable[[], None], name: str = "events", raw: bool = False,
                    headers: Optional[dict[str, str]] = None) -> Response:
    """Stream an executed event query (events columns + sentence) as JSONL, CSV or Parquet.
    `close` releases the cursor when the stream ends."""
    names = [c[0] for c in cursor.description]
    extra = {**_attachment(name, fmt), **(headers or {})}
    if fmt is Format.parquet:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            close()
            raise HTTPException(status_code=501, detail="format=parquet needs pyarrow: pip install 'eventwire[serve]'")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # duckdb 2 warns that a DB-API result is copied once more
                fetch = getattr(cursor, "to_arrow_table", None) or cursor.fetch_arrow_table  # duckdb 2 / 1.x
                table = fetch()
        finally:
            close()
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return Response(sink.getvalue(), media_type=MEDIA_TYPES[fmt], headers=extra)
    if fmt is Format.csv:
        body: Iterator[str] = _csv_lines(names, _batches(cursor, close), raw)
    else:
        def jsonl() -> Iterator[str]:
            for batch in _batches(cursor, close):
                yield "".join(json.dumps(to_dict(dict(zip(names, row))), ensure_ascii=False, default=str) + "\n"
                              for row in batch)
        body = jsonl()
    return StreamingResponse(body, media_type=MEDIA_TYPES[fmt], headers=extra)
