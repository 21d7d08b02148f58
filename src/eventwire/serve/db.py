"""DuckDB access for the server: a cursor per request for reads, one lock for writes.

DuckDB allows one read-write process per file, so the server opens the store once (through
`EventStore`, which also creates the schema of a new file) and hands every request its own cursor: a
separate connection to the same in-process database, with its own transaction. Reads run in parallel
and see a consistent snapshot; writes (POST /api/documents) go through `EventStore.save_document`
one at a time under a lock.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

import duckdb

from eventwire.store import EventStore


# Look-ups the server makes per request that a full scan would make slow on a large store: the evidence
# sentences of a page of events, and a document's sentences and events. (IF NOT EXISTS: made once.)
SERVE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS sentences_doc_id ON sentences (doc_id)",
    "CREATE INDEX IF NOT EXISTS events_doc_id ON events (doc_id)",
)


class Database:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._write_lock = threading.Lock()
        self._cursor_lock = threading.Lock()  # DuckDBPyConnection is not thread-safe, cursor() included
        self._store: Optional[EventStore] = None
        self.open()

    def open(self) -> None:
        """Open the store (again, after close(): an app can be started, stopped and started)."""
        with self._cursor_lock:
            if self._store is None:
                self._store = EventStore(self.path)
                for statement in SERVE_INDEXES:
                    self._store.con.execute(statement)

    def close(self) -> None:
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
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cursor = self.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    @contextmanager
    def write(self) -> Iterator[EventStore]:
        with self._write_lock:
            yield self.store

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own (a connection to the same database); the caller closes it."""
        store = self.store
        with self._cursor_lock:
            return store.con.cursor()


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
