"""What produced a set of events: the eventwire version and a hash of the data it coded with.

Two runs with the same version and the same ``data_hash`` code the same text the same way. The hash
covers every packaged lexicon, dictionary and weights file (``eventwire/data/``), so a user who edits
``verbs.yaml`` or retrains the scorer gets a different stamp. Exports carry the stamp (PLOVER
``cite_info``, Parquet metadata, the sidecar next to GDELT files) and ``eventwire --version`` prints it.
"""
from __future__ import annotations

import functools
import hashlib
from importlib import resources
from typing import Any

DATA_PACKAGE = "eventwire.data"


def version() -> str:
    from . import __version__

    return __version__


@functools.lru_cache(maxsize=1)
def data_hash() -> str:
    """SHA-256 (first 16 hex digits) over the packaged data files, by name and content."""
    digest = hashlib.sha256()
    root = resources.files(DATA_PACKAGE)
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_file() and not entry.name.startswith((".", "__")) and not entry.name.endswith((".py", ".pyc")):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def stamp() -> dict[str, Any]:
    """{"coder": "eventwire", "version": ..., "data_hash": ...}: what to write next to exported events."""
    return {"coder": "eventwire", "version": version(), "data_hash": data_hash()}


def describe() -> str:
    """One line for `eventwire --version`."""
    return f"eventwire {version()} (data {data_hash()})"
