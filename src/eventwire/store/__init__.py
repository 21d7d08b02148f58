"""Where coded documents and events are kept: an embedded DuckDB file of plain SQL tables.

- `event_store`: `EventStore`, the tables and how documents, sentences and events are written and read;
- `resume`: runs that skip what the store already holds, so a killed run resumes where it stopped.
"""
from .event_store import SCHEMA_VERSION, EventStore, StoreError, StoreLockedError, event_dict

__all__ = ["SCHEMA_VERSION", "EventStore", "StoreError", "StoreLockedError", "event_dict"]
