"""Parquet shards: the results of coding one slice of the input, written by a worker, merged by the client.

A shard is a directory with one Parquet file per table (``documents``, ``sentences``, ``events``) and a
``shard.json`` listing its documents with their event counts, and the documents the pipeline skipped (each
with its reason: `records.Skipped`), which merging adds to the store's ``skipped`` table. The rows are made by
`EventStore.save_document` itself, on an in-memory store, and exported with DuckDB's Parquet writer, so
the merged store holds exactly the rows a single-process run would have written.

- Writing is atomic: everything goes to a hidden temporary directory that is renamed into place at the
  end. A worker killed half way leaves only a temporary directory, which the next attempt ignores.
- A shard's name is a hash of what went into it (document ids and content hashes, coding options), so a
  retried task or a rerun of an interrupted run finds the finished shard and does not code it again.
- Merging is idempotent: each shard replaces its documents' rows in one transaction, as
  `save_document` does, so merging a shard twice (or a shard whose documents are stored already)
  leaves the same tables.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import duckdb

from ..records import Document, Event, Skipped
from eventwire.store import EventStore

TABLES = ("documents", "sentences", "events")  # merge order: a document's row goes in before its parts
MANIFEST = "shard.json"


@dataclass(frozen=True)
class ShardInfo:
    """What a finished shard holds: (doc_id, number of events stored) per document, in input order."""
    path: Path
    documents: tuple[tuple[str, int], ...]
    skipped: tuple[Skipped, ...] = ()  # documents the pipeline could not code, in input order

    @property
    def n_events(self) -> int:
        return sum(n for _, n in self.documents)


def shard_name(number: int, documents: Sequence[Document], options: dict) -> str:
    """A name that changes whenever the shard's input or the coding options change."""
    digest = hashlib.sha1(json.dumps(options, sort_keys=True, default=str).encode())
    for doc in documents:
        digest.update(b"\x00" + doc.id.encode() + b"\x00" + doc.content_hash.encode())
    return f"shard-{number:06d}-{digest.hexdigest()[:12]}"


def read_shard(path: Path) -> ShardInfo | None:
    """The finished shard at ``path``, or None if there is none."""
    manifest = Path(path) / MANIFEST
    if not manifest.is_file():
        return None
    data = json.loads(manifest.read_text(encoding="utf-8"))
    skipped = tuple(Skipped(origin=s["origin"], reason=s["reason"], doc_id=s.get("doc_id"))
                    for s in data.get("skipped", ()))
    return ShardInfo(Path(path), tuple((doc_id, n) for doc_id, n in data["documents"]), skipped)


def write_shard(path: Path, coded: Iterable[tuple[Document, list, list[Event]]],
                skipped: Iterable[Skipped] = ()) -> ShardInfo:
    """Store coded documents ((document, sentences, events) triples) as the shard at ``path``, and list the
    ``skipped`` ones in its manifest.

    Returns the existing shard if another attempt finished it first.
    """
    path = Path(path)
    done = read_shard(path)
    if done is not None:
        return done
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{path.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        listing: dict[str, int] = {}
        with EventStore(":memory:") as store:
            store.con.execute("SET threads TO 1")  # a worker runs one task per core
            for document, sentences, events in coded:
                store.save_document(document, sentences, events)
                listing.pop(document.id, None)  # a repeated id: the later copy wins, as in the store
                listing[document.id] = len({e.event_id for e in events})
            for table in TABLES:
                store.con.execute(f"COPY (SELECT * FROM {table}) TO '{_sql_path(tmp / (table + '.parquet'))}' "
                                  "(FORMAT PARQUET)")
        manifest = {"documents": list(listing.items()),
                    "skipped": [{"origin": s.origin, "doc_id": s.doc_id, "reason": s.reason} for s in skipped]}
        (tmp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        try:
            os.rename(tmp, path)  # atomic: the shard appears complete or not at all
        except OSError:
            if read_shard(path) is None:  # not a finished twin: a real error
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return read_shard(path)


def merge_shard(store: EventStore, shard: ShardInfo) -> None:
    """Replace the shard's documents in ``store`` with the shard's rows, and record its skipped documents, in
    one transaction. A skipped document's rows from an earlier run, if any, are left alone; its ``skipped``
    row replaces an identical one, so merging twice records it once."""
    con = store.con
    files = {table: _sql_path(shard.path / f"{table}.parquet") for table in TABLES}
    con.begin()
    try:
        for table in reversed(TABLES):
            con.execute(f"DELETE FROM {table} WHERE doc_id IN "
                        f"(SELECT doc_id FROM read_parquet('{files['documents']}'))")
        for table in TABLES:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet('{files[table]}')")
        for skipped in shard.skipped:
            con.execute("DELETE FROM skipped WHERE origin = ? AND doc_id IS NOT DISTINCT FROM ? AND reason = ?",
                        [skipped.origin, skipped.doc_id, skipped.reason])
            store.save_skipped(skipped)
    except BaseException:
        con.rollback()
        raise
    con.commit()


def remove_shards(run_dir: Path) -> None:
    shutil.rmtree(run_dir, ignore_errors=True)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


# ---- comparing stores -------------------------------------------------------------------------------------

# Columns left out of the comparison: when a document was coded.
_VOLATILE = {"documents": ("coded_at",)}


def table_rows(db: str | Path | duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    """All rows of a table, sorted, without the columns that record when the work was done."""
    con = db if isinstance(db, duckdb.DuckDBPyConnection) else duckdb.connect(str(db), read_only=True)
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()
                   if row[0] not in _VOLATILE.get(table, ())]
        listed = ", ".join(f'"{c}"' for c in columns)
        return con.execute(f"SELECT {listed} FROM {table} ORDER BY ALL").fetchall()
    finally:
        if con is not db:
            con.close()


def differences(a: str | Path, b: str | Path, tables: Sequence[str] = TABLES) -> list[str]:
    """How two stores' documents, sentences and events differ (empty when they hold the same rows)."""
    out = []
    for table in tables:
        rows_a, rows_b = table_rows(a, table), table_rows(b, table)
        if rows_a != rows_b:
            only_a, only_b = set(rows_a) - set(rows_b), set(rows_b) - set(rows_a)
            out.append(f"{table}: {len(rows_a)} vs {len(rows_b)} rows, {len(only_a)} only in the first, "
                       f"{len(only_b)} only in the second")
    return out
