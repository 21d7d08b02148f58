"""`GET /api/export`: the whole store as `eventwire export` writes it (GDELT 2.0, PLOVER, Parquet, CSV).

The files are made by eventwire.export's public writers, so the server and the command line give the
same bytes. GDELT, PLOVER and CSV are streamed: the writer runs in a thread and writes into a bounded
queue that the response reads, so memory stays flat and a client that goes away stops the writer.
Each writes one `write()` call per row, which is how the row cap is counted. Parquet is written to a
temporary file by DuckDB's COPY and then sent; it cannot be cut short, so a store over the cap is refused.

A finished export is also kept as a file (`ExportCache`) until the store changes: the export query sorts
and joins the whole store before its first row, so the second and later downloads of the same export
are served from the file instead.
"""
from __future__ import annotations

import csv
import io
import os
import queue
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from enum import Enum
from typing import Any, Callable, Iterator, Optional

import duckdb
from fastapi import HTTPException
from fastapi.responses import StreamingResponse

from eventwire import export as exporter
from eventwire.export import neutralise_cell

from .db import Database, store_on


class ExportFormat(str, Enum):
    gdelt = "gdelt"
    plover = "plover"
    parquet = "parquet"
    csv = "csv"


MEDIA = {
    ExportFormat.gdelt: ("text/tab-separated-values; charset=utf-8", "tsv"),
    ExportFormat.plover: ("application/x-ndjson", "jsonl"),
    ExportFormat.csv: ("text/csv; charset=utf-8", "csv"),
    ExportFormat.parquet: ("application/vnd.apache.parquet", "parquet"),
}
CHUNK_CHARS = 64 * 1024
_DONE = object()


class _Stop(Exception):
    """Raised inside the writer to end it: cap reached, client gone, or out of time."""


class ExportCache:
    """Finished export files by (store version, format, options), the few most recent, in a temporary
    folder that close() removes. The store version changes with every write, so a hit is always current."""

    def __init__(self, keep: int = 8):
        self.keep = keep
        self._lock = threading.Lock()
        self._files: "OrderedDict[tuple, tuple[str, dict[str, str]]]" = OrderedDict()
        self._dir: Optional[str] = None

    def new_path(self, suffix: str) -> str:
        with self._lock:
            if self._dir is None:
                self._dir = tempfile.mkdtemp(prefix="eventwire-exports-")
            handle, path = tempfile.mkstemp(dir=self._dir, suffix="." + suffix)
        os.close(handle)
        return path

    def get(self, key: tuple) -> Optional[tuple[Any, dict[str, str]]]:
        """(an open binary file, its headers), or None. Open at once: an evicted file stays readable."""
        with self._lock:
            found = self._files.get(key)
            if found is None:
                return None
            self._files.move_to_end(key)
            return open(found[0], "rb"), found[1]

    def put(self, key: tuple, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            for old in [k for k in self._files if k[0] != key[0]]:  # an older store version: never asked again
                _remove(self._files.pop(old)[0])
            if key in self._files:
                _remove(self._files.pop(key)[0])
            self._files[key] = (path, headers)
            while len(self._files) > self.keep:
                _remove(self._files.popitem(last=False)[1][0])

    def close(self) -> None:
        with self._lock:
            self._files.clear()
            if self._dir is not None:
                shutil.rmtree(self._dir, ignore_errors=True)
                self._dir = None


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def export_rows(con: duckdb.DuckDBPyConnection, fmt: ExportFormat, merged: bool) -> int:
    """How many rows the export holds, for the X-Total-Count header (the rules of eventwire.export:
    GDELT and PLOVER mentions leave out negated and hypothetical ones; PLOVER needs a PLOVER type)."""
    table = "merged_events" if merged else "events"
    clauses = []
    if not merged and fmt in (ExportFormat.gdelt, ExportFormat.plover):
        clauses.append("NOT coalesce(negated, false) AND NOT coalesce(hypothetical, false)")
    if fmt is ExportFormat.plover:
        clauses.append("plover IS NOT NULL AND plover <> ''")
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return con.execute(f"SELECT count(*) FROM {table}{where}").fetchone()[0]


class _RowStream(io.TextIOBase):
    """The text stream the export writers write to: counts rows, neutralises CSV cells, hands chunks on."""

    def __init__(self, out: "queue.Queue[Any]", cap_writes: int, csv_cells: bool, deadline: Optional[float],
                 gone: threading.Event, copy: Any):
        self.out, self.cap_writes, self.csv_cells = out, cap_writes, csv_cells
        self.deadline, self.gone, self.copy = deadline, gone, copy
        self.writes = 0
        self.capped = False
        self._buffer: list[str] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.writes >= self.cap_writes:
            self.capped = True
            raise _Stop("row cap")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise _Stop("out of time")
        self.writes += 1
        if self.csv_cells:
            text = _neutralised_csv(text)
        self._buffer.append(text)
        self._size += len(text)
        if self._size >= CHUNK_CHARS:
            self.flush_chunk()
        return len(text)

    def flush_chunk(self) -> None:
        if self._buffer:
            chunk = "".join(self._buffer).encode("utf-8")
            self._buffer, self._size = [], 0
            self.copy.write(chunk)
            _put(self.out, chunk, self.gone)


class _WatchedConnection:
    """A cursor for eventwire.export to work on. The writers make cursors of their own from it
    (`store.con.cursor()`); those are handed to the watchdog too, so the download time limit can
    interrupt the export query itself, not only our side of it."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, db: Database, deadline: Optional[float]):
        self._cursor, self._db, self._deadline = cursor, db, deadline
        self._tokens: list[Optional[int]] = []

    def cursor(self) -> duckdb.DuckDBPyConnection:
        child = self._cursor.cursor()
        if self._deadline is not None:
            self._tokens.append(self._db.watchdog.watch(child, max(0.001, self._deadline - time.monotonic())))
        return child

    def release(self) -> None:
        for token in self._tokens:
            self._db.watchdog.release(token)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def _put(out: "queue.Queue[Any]", item: Any, gone: threading.Event) -> None:
    while True:  # a bounded queue: wait for the reader, unless it went away
        if gone.is_set():
            raise _Stop("client gone")
        try:
            out.put(item, timeout=0.5)
            return
        except queue.Full:
            continue


def _neutralised_csv(line: str) -> str:
    """One CSV record (csv.writer writes one per call) with every text cell that a spreadsheet would run
    as a formula prefixed by an apostrophe; numbers, negative ones included, are left alone."""
    cells = next(csv.reader(io.StringIO(line)), [])
    safe = [cell if _is_number(cell) else neutralise_cell(cell) for cell in cells]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line[len(line.rstrip("\r\n")):] or "\n").writerow(safe)
    return buffer.getvalue()


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def stream_export(db: Database, cache: ExportCache, fmt: ExportFormat, merged: bool, *, header: bool, cap: int,
                  raw_csv: bool, timeout: float) -> StreamingResponse:
    media, suffix = MEDIA[fmt]
    key = (db.version, fmt.value, merged, header, cap, raw_csv)
    cached = cache.get(key)
    if cached is not None:
        handle, headers = cached
        return StreamingResponse(_file_chunks(handle), media_type=media,
                                 headers={**headers, "Content-Length": str(os.fstat(handle.fileno()).st_size)})
    cursor = db.cursor()
    try:
        total = export_rows(cursor, fmt, merged)
    except BaseException:
        cursor.close()
        raise
    headers = {"Content-Disposition": f'attachment; filename="eventwire-{"merged" if merged else "mentions"}.{suffix}"',
               "X-Total-Count": str(total), "X-Row-Limit": str(cap), "X-Truncated": str(total > cap).lower()}
    if fmt is ExportFormat.parquet:
        return _parquet(db, cache, key, cursor, merged, total, cap, timeout, media, headers)
    header_rows = 1 if fmt is ExportFormat.csv or (fmt is ExportFormat.gdelt and header) else 0
    write: Callable[[Any, io.TextIOBase], Any] = {
        ExportFormat.gdelt: lambda store, out: exporter.write_gdelt(store, out, merged=merged, header=header),
        ExportFormat.plover: lambda store, out: exporter.write_plover(store, out, merged=merged),
        ExportFormat.csv: lambda store, out: exporter.write_csv(store, out, merged=merged),
    }[fmt]

    def keep(path: str) -> None:
        if db.version == key[0]:  # not written to meanwhile
            cache.put(key, path, headers)
        else:
            _remove(path)

    chunks = _run_writer(db, cursor, write, cap + header_rows, fmt is ExportFormat.csv and not raw_csv, timeout,
                         cache.new_path(suffix), keep)
    return StreamingResponse(chunks, media_type=media, headers=headers)


def _run_writer(db: Database, cursor: duckdb.DuckDBPyConnection, write, cap_writes: int, csv_cells: bool,
                timeout: float, copy_path: str, keep: Callable[[str], None]) -> Iterator[bytes]:
    out: "queue.Queue[Any]" = queue.Queue(maxsize=16)
    gone = threading.Event()
    deadline = time.monotonic() + timeout if timeout else None

    def produce() -> None:
        complete = False
        with open(copy_path, "wb") as copy:
            stream = _RowStream(out, cap_writes, csv_cells, deadline, gone, copy)
            token = db.watchdog.watch(cursor, timeout)
            watched = _WatchedConnection(cursor, db, deadline)
            try:
                write(store_on(db.store, watched), stream)
                complete = True
            except _Stop:
                complete = stream.capped  # cut at the cap: that is the whole download
            except BaseException as exc:  # ends the response early; the client sees a cut-off download
                _offer(out, exc)
            finally:
                watched.release()
                db.watchdog.release(token)
                cursor.close()
            try:
                if complete:
                    stream.flush_chunk()
                    _put(out, _DONE, gone)
            except _Stop:
                complete = False
        keep(copy_path) if complete else _remove(copy_path)

    threading.Thread(target=produce, name="eventwire-export", daemon=True).start()
    # Wait for the first chunk here, so that a query that fails (or runs out of time) before any row is
    # sent is an HTTP error rather than a cut-off file.
    first = out.get()
    if isinstance(first, BaseException):
        raise first

    def chunks() -> Iterator[bytes]:
        item = first
        try:
            while item is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item
                item = out.get()
        finally:
            gone.set()

    return chunks()


def _offer(out: "queue.Queue[Any]", item: Any) -> None:
    try:
        out.put(item, timeout=5)
    except queue.Full:
        pass


def _file_chunks(handle) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(256 * 1024):
            yield chunk


def _parquet(db: Database, cache: ExportCache, key: tuple, cursor, merged: bool, total: int, cap: int,
             timeout: float, media: str, headers: dict[str, str]) -> StreamingResponse:
    if total > cap:
        cursor.close()
        raise HTTPException(status_code=413, detail=(
            f"the Parquet export would hold {total} rows, over this server's download cap of {cap}: use "
            "format=csv (cut at the cap), or `eventwire export --format parquet` on the server"))
    path = cache.new_path("parquet")
    try:
        with db.watchdog.limit(cursor, timeout):
            exporter.write_table(store_on(db.store, cursor), path, "parquet", merged=merged)
    except BaseException:
        _remove(path)
        raise
    finally:
        cursor.close()
    headers = {**headers, "Content-Length": str(os.path.getsize(path))}
    handle = open(path, "rb")
    if db.version == key[0]:
        cache.put(key, path, headers)
    else:
        _remove(path)  # still readable through the open handle
    return StreamingResponse(_file_chunks(handle), media_type=media, headers=headers)
