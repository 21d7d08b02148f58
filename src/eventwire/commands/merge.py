"""`eventwire merge`: rebuild merged events (and near-duplicate article clusters) in a store."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .display import err, one_line_error


def register(app: typer.Typer) -> None:
    @app.command("merge")
    def merge_command(
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", metavar="PATH",
                                help="DuckDB store written by `eventwire code`."),
        window_days: Optional[int] = typer.Option(
            None, "--window-days", min=0, metavar="DAYS",
            help="Mentions whose dates are at most this many days apart can merge (default: as last time, else 1)."),
        match: Optional[str] = typer.Option(
            None, "--match", metavar="code|base|root",
            help="Which part of the CAMEO code must be equal: code (all of it), base (3 digits) or root "
                 "(2 digits). Default: as last time, else code."),
        include_negated: Optional[bool] = typer.Option(
            None, "--include-negated/--factual-only",
            help="Merge negated and hypothetical mentions too, or only events that happened "
                 "(default: as last time, else factual only)."),
        threshold: Optional[float] = typer.Option(
            None, "--threshold", min=0.0, max=1.0, metavar="0-1",
            help="Near-duplicate articles: estimated Jaccard similarity of word 5-grams (default 0.5)."),
        rebuild_duplicates: bool = typer.Option(False, "--rebuild-duplicates",
                                                help="Re-index every article for near-duplicates."),
        check: bool = typer.Option(
            False, "--check",
            help="Only say whether the merged events are up to date (exit 1 if not); reads the store "
                 "read-only and changes nothing."),
    ):
        """Merge event reports into event records (merged_events), counting copies of an article once."""
        from eventwire.corpus.merge import MATCH_LEVELS, stale_message
        from eventwire.store import EventStore, StoreError

        if match is not None and match not in MATCH_LEVELS:
            raise typer.BadParameter(f"{match!r}: use code (the full CAMEO code), base (its first 3 digits) or "
                                     "root (its 2-digit root)", param_hint="--match")
        if not db.exists():  # merging would create an empty store
            one_line_error(f"No store at {db}. Run `eventwire code INPUT --db {db}` first.")
        try:
            if check:
                with EventStore(db, read_only=True) as store:
                    current = store.merged_is_current()
                    n = store.query("SELECT count(*) AS n FROM merged_events")[0]["n"] if current else 0
                if not current:
                    one_line_error(stale_message(str(db), read_only=False))
                err.print(f"The merged events in {db} are up to date ({n} events).", soft_wrap=True)
                return
            with EventStore(db) as store:
                stats = store.merge_events(window_days, match=match, include_negated=include_negated,
                                           threshold=threshold, rebuild_duplicates=rebuild_duplicates)
        except StoreError as exc:
            one_line_error(str(exc))
        err.print(f"{stats}.", soft_wrap=True)
