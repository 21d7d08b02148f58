"""All the reports (mentions) of one event.

Duplicate merging (eventwire.corpus.merge, issue #5) groups the rows of `events` that report the same real-world
event into `merged_events`, and `event_mentions (merged_id, event_id, ...)` links each merged record to
its mentions. An event that is in no merged record (a store coded before merging existed, merging not
run since the event was coded, or a negated/hypothetical mention, which merging leaves out) is its own
single mention, so the API answers the same shape either way.
"""
from __future__ import annotations

from typing import Any, Optional

import duckdb

from eventwire.store import event_dict

from .db import one, rows, table_columns


def has_merged_events(con: duckdb.DuckDBPyConnection) -> bool:
    return ({"merged_id", "event_id"} <= set(table_columns(con, "event_mentions"))
            and "merged_id" in table_columns(con, "merged_events"))


def merged_id_of(con: duckdb.DuckDBPyConnection, event_id: str) -> Optional[str]:
    """The merged record an event (or a merged id itself) belongs to; None when there is none."""
    if not has_merged_events(con):
        return None
    found = con.execute("SELECT merged_id FROM event_mentions WHERE event_id = ? OR merged_id = ? LIMIT 1",
                        [event_id, event_id]).fetchone()
    return found[0] if found else None


def _mention_rows(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[dict[str, Any]]:
    return rows(con, f"""
        SELECT e.*, s.text AS sentence, d.title AS document_title, d.source AS document_source,
               d.url AS document_url
        FROM events e
        LEFT JOIN sentences s ON s.doc_id = e.doc_id AND s.sentence_index = e.sentence_index
        LEFT JOIN documents d ON d.doc_id = e.doc_id
        WHERE {where}
        ORDER BY e.event_date NULLS LAST, e.doc_id, e.sentence_index, e.event_id""", params)


def mentions_of(con: duckdb.DuckDBPyConnection, event_id: str) -> tuple[list[dict[str, Any]], Optional[dict[str, Any]]]:
    """(rows, merged record) for the event `event_id`, which may be a mention's id or a merged id.
    Rows are events columns + sentence + document title/source/url, one per report; the merged record is
    the `merged_events` row, or None. ([], None) if the id is unknown."""
    merged_id = merged_id_of(con, event_id)
    if merged_id is not None:
        linked = _mention_rows(con, "e.event_id IN (SELECT event_id FROM event_mentions WHERE merged_id = ?)",
                               [merged_id])
        if linked:
            return linked, one(con, "SELECT * FROM merged_events WHERE merged_id = ?", [merged_id])
    return _mention_rows(con, "e.event_id = ?", [event_id]), None


def mention_summary(mention_rows: list[dict[str, Any]], merged: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """GDELT-style counts and the list of mentions. The counts of a merged record come from
    `merged_events` (which counts near-duplicate articles once); a lone event counts itself."""
    if merged is not None:
        counts = {k: merged.get(k) for k in ("num_mentions", "num_articles", "num_sources")}
    else:
        counts = {"num_mentions": len(mention_rows),
                  "num_articles": len({r["doc_id"] for r in mention_rows}),
                  "num_sources": len({r["document_source"] or f"doc:{r['doc_id']}" for r in mention_rows})}
    return {
        "merged_id": merged["merged_id"] if merged else None,
        **{k: int(v) if v is not None else 0 for k, v in counts.items()},
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
                "evidence": event_dict(r)["evidence"],
            }
            for r in mention_rows
        ],
    }


def representative(found: list[dict[str, Any]], merged: Optional[dict[str, Any]], event_id: str) -> dict[str, Any]:
    """The mention to show as "the event": the one asked for, else the merged record's first mention."""
    wanted = event_id if any(r["event_id"] == event_id for r in found) else (merged or {}).get("first_event_id")
    return next((r for r in found if r["event_id"] == wanted), found[0])
