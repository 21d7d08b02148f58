"""All the reports (mentions) of one event.

Duplicate merging (issue #5) links the event rows that report the same real-world event to one merged
record. This module looks for a link table and reads it if it is there; a store without one treats every
event as its own single mention, so the API answers the same shape either way.

The link table is recognised by shape, not by a fixed schema: a table named in MENTION_TABLES with an
`event_id` column (the mention, a row of `events`) and one of GROUP_COLUMNS (the merged record it
belongs to). Only names from these two tuples are ever put into SQL text.
"""
from __future__ import annotations

from typing import Any, Optional

import duckdb

from eventwire.store import _event_dict

from .db import rows, table_columns

MENTION_TABLES = ("event_mentions", "mentions", "merged_event_mentions")
GROUP_COLUMNS = ("merged_id", "merged_event_id", "record_id", "cluster_id", "group_id", "global_event_id")


def mention_link(con: duckdb.DuckDBPyConnection) -> Optional[tuple[str, str]]:
    """(table, group column) of the store's mention links, or None when events are not merged."""
    for table in MENTION_TABLES:
        columns = set(table_columns(con, table))
        if "event_id" not in columns:
            continue
        for group in GROUP_COLUMNS:
            if group in columns:
                return table, group
    return None


def _mention_rows(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[dict[str, Any]]:
    return rows(con, f"""
        SELECT e.*, s.text AS sentence, d.title AS document_title, d.source AS document_source,
               d.url AS document_url
        FROM events e
        LEFT JOIN sentences s ON s.doc_id = e.doc_id AND s.sentence_index = e.sentence_index
        LEFT JOIN documents d ON d.doc_id = e.doc_id
        WHERE {where}
        ORDER BY e.event_date NULLS LAST, e.doc_id, e.sentence_index, e.event_id""", params)


def mentions_of(con: duckdb.DuckDBPyConnection, event_id: str) -> list[dict[str, Any]]:
    """Rows (events columns + sentence + document title/source/url) of every report of the event
    `event_id`, which may be a mention's id or a merged record's id. [] if it is neither."""
    link = mention_link(con)
    if link is not None:
        table, group = link  # both from the fixed tuples above
        found = con.execute(
            f"SELECT {group} FROM {table} WHERE event_id = ? OR CAST({group} AS VARCHAR) = ? LIMIT 1",
            [event_id, event_id]).fetchone()
        if found is not None:
            linked = _mention_rows(
                con, f"e.event_id IN (SELECT event_id FROM {table} WHERE {group} = ?)", [found[0]])
            if linked:
                return linked
    return _mention_rows(con, "e.event_id = ?", [event_id])


def mention_summary(mention_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """GDELT-style counts: reports, distinct articles, distinct sources (an article without a source
    counts as a source of its own)."""
    sources = {r["document_source"] or f"doc:{r['doc_id']}" for r in mention_rows}
    return {
        "num_mentions": len(mention_rows),
        "num_articles": len({r["doc_id"] for r in mention_rows}),
        "num_sources": len(sources),
        "mentions": [
            {
                "event_id": r["event_id"],
                "doc_id": r["doc_id"],
                "sentence_index": r["sentence_index"],
                "sentence": r["sentence"],
                "date": r["event_date"].isoformat() if r["event_date"] else None,
                "document_title": r["document_title"],
                "document_source": r["document_source"],
                "document_url": r["document_url"],
                "evidence": _event_dict(r)["evidence"],
            }
            for r in mention_rows
        ],
    }
