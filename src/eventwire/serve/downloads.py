"""Downloads: CSV, JSONL and Parquet responses for event rows and for every dashboard table.

Event downloads are streamed from the DuckDB cursor in chunks, so a large export does not sit in memory
as Python objects (Parquet is the exception: the file is written whole, from Arrow).
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


def _csv_lines(header: list[str], batches: Iterable[list[tuple]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield buffer.getvalue()
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_value(v) for v in row] for row in batch)
        yield buffer.getvalue()


def table_response(rows: list[dict[str, Any]], name: str, columns: Optional[list[str]] = None) -> Response:
    """A dashboard table as a CSV file."""
    header = columns or (list(rows[0]) if rows else [])
    body = "".join(_csv_lines(header, [[tuple(r.get(c) for c in header) for r in rows]]))
    return Response(body, media_type=MEDIA_TYPES[Format.csv], headers=_attachment(name, TableFormat.csv))


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
                    close: Callable[[], None], name: str = "events") -> Response:
    """Stream an executed event query (events columns + sentence) as JSONL, CSV or Parquet.
    `close` releases the cursor when the stream ends."""
    names = [c[0] for c in cursor.description]
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
        return Response(sink.getvalue(), media_type=MEDIA_TYPES[fmt], headers=_attachment(name, fmt))
    if fmt is Format.csv:
        body: Iterator[str] = _csv_lines(names, _batches(cursor, close))
    else:
        def jsonl() -> Iterator[str]:
            for batch in _batches(cursor, close):
                yield "".join(json.dumps(to_dict(dict(zip(names, row))), ensure_ascii=False, default=str) + "\n"
                              for row in batch)
        body = jsonl()
    return StreamingResponse(body, media_type=MEDIA_TYPES[fmt], headers=_attachment(name, fmt))
