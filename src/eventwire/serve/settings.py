"""The server's limits, in one place: `create_app(db, settings=ServeSettings(...))`, or `eventwire serve`
options, or EVENTWIRE_* environment variables for `uvicorn --factory eventwire.serve:app_from_env`."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Mapping


@dataclass(frozen=True)
class ServeSettings:
    # A read query running longer is interrupted and answered 503 (0: no limit).
    query_timeout: float = 10.0
    # A download (export or format=csv|jsonl|parquet) is cut off after this long (0: no limit).
    download_timeout: float = 300.0
    # Coding the documents of one POST may take this long; past it nothing is stored and the answer is 422.
    coding_timeout: float = 120.0
    # Downloads stop after this many rows; the X-Truncated header says so.
    max_download_rows: int = 1_000_000
    # CSV cells that begin with =, +, -, @ are prefixed with ' (spreadsheet formula injection) unless True.
    raw_csv: bool = False

    def __post_init__(self) -> None:
        for name in ("query_timeout", "download_timeout", "coding_timeout"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 (no limit) or more seconds")
        if self.max_download_rows < 1:
            raise ValueError("max_download_rows must be at least 1")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "ServeSettings":
        """EVENTWIRE_QUERY_TIMEOUT, EVENTWIRE_DOWNLOAD_TIMEOUT, EVENTWIRE_CODING_TIMEOUT,
        EVENTWIRE_MAX_DOWNLOAD_ROWS, EVENTWIRE_RAW_CSV (1/true)."""
        values = {}
        for f in fields(cls):
            raw = env.get(f"EVENTWIRE_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            if f.type in (bool, "bool"):
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif f.type in (int, "int"):
                values[f.name] = int(raw)
            else:
                values[f.name] = float(raw)
        return cls(**values)
