"""DuckDB access for the server: a cursor per request for reads, one lock for writes.

DuckDB allows one read-write process per file, so the server opens the store once (through
`EventStore`, which also creates the schema of a new file) and hands every request its own cursor: a
separate connection to the same in-process database, with its own transaction. Reads run in parallel
and see a consistent snapshot, each under a time limit (`QueryWatchdog`); writes (POST /api/documents)
go through `EventStore.save_document` one at a time under a lock, on a cursor of their own too.
"""
from __future__ import annotations

import copy
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

import duckdb

from eventwire.store import EventStore

from .watchdog import QueryWatchdog


# Look-ups the server makes per request that a full scan would make slow on a large store: the evidence
# sentences of a page of events, and a document's sentences and events. (IF NOT EXISTS: made once.)
SERVE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS sentences_doc_id ON sentences (doc_id)",
    "CREATE INDEX IF NOT EXISTS events_doc_id ON events (doc_id)",
)


class Database:
    def __init__(self, path: str | Path, query_timeout: float = 0.0):
        self.path = Path(path)
        self.query_timeout = query_timeout  # seconds a read may run (0: no limit)
        self.watchdog = QueryWatchdog()
        self._write_lock = threading.Lock()
        self._cursor_lock = threading.Lock()  # DuckDBPyConnection is not thread-safe, cursor() included
        self._store: Optional[EventStore] = None
        self.version = 0  # goes up after every write: what was computed from the store before is stale
        self.open()

    def open(self) -> None:
        """Open the store (again, after close(): an app can be started, stopped and started)."""
        with self._cursor_lock:
            if self._store is None:
                self._store = EventStore(self.path)
                for statement in SERVE_INDEXES:
                    self._store.con.execute(statement)

    def close(self) -> None:
        self.watchdog.stop()
        with self._write_lock, self._cursor_lock:
            if self._store is not None:
                self._store.close()  # checkpoints the write-ahead log into the file
                self._store = None

    @property
    def store(self) -> EventStore:
        if self._store is None:
            self.open()
        return self._store

    @contextmanager
    def read(self, timeout: Optional[float] = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor whose queries are interrupted after `timeout` seconds (default: query_timeout)."""
        cursor = self.cursor()
        try:
            with self.watchdog.limit(cursor, self.query_timeout if timeout is None else timeout):
                yield cursor
        finally:
            cursor.close()

    @contextmanager
    def write(self) -> Iterator[EventStore]:
        """The store, one writer at a time, on a cursor of its own: the main connection only makes cursors,
        so a write never shares a connection with another thread."""
        with self._write_lock:
            cursor = self.cursor()
            try:
                yield store_on(self.store, cursor)
            finally:
                cursor.close()
                self.version += 1

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own (a connection to the same database); the caller closes it."""
        store = self.store
        with self._cursor_lock:
            return store.con.cursor()


def store_on(store: EventStore, cursor: duckdb.DuckDBPyConnection) -> EventStore:
    """`store` working through `cursor`: every EventStore method (and eventwire.export, which takes a
    store) then runs on that cursor's connection, never on the shared one."""
    view = copy.copy(store)
    view.con = cursor
    return view


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Optional[Sequence[Any]] = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, list(params or []))
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Optional[Sequence[Any]] = None) -> Optional[dict[str, Any]]:
    found = rows(con, sql, params)
    return found[0] if found else None


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Column names of a table or view in the main schema; [] if there is none of that name."""
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall()]
