"""`eventwire merge`: rebuild merged events (and near-duplicate article clusters) in a store."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("merge")
    def merge_command(
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help="DuckDB store written by `eventwire code`."),
        window_days: Optional[int] = typer.Option(
            None, "--window-days", min=0,
            help="Mentions whose dates are at most this many days apart can merge (default: as last time, else 1)."),
        match: Optional[str] = typer.Option(
            None, "--match", help="code (full CAMEO code), base (3 digits) or root (default: as last time, else code)."),
        include_negated: Optional[bool] = typer.Option(
            None, "--include-negated/--factual-only", help="Merge negated and hypothetical mentions too."),
        threshold: Optional[float] = typer.Option(
            None, "--threshold", min=0.0, max=1.0,
            help="Near-duplicate articles: estimated Jaccard similarity of word 5-grams (default 0.5)."),
        rebuild_duplicates: bool = typer.Option(False, "--rebuild-duplicates", help="Re-index every article."),
    ):
        """Merge event reports into event records (merged_events), counting copies of an article once."""
        from ..merge import MATCH_LEVELS
        from ..store import EventStore

        if match is not None and match not in MATCH_LEVELS:
            raise typer.BadParameter(f"--match must be one of {', '.join(MATCH_LEVELS)}")
        if not db.exists():
            err.print(f"[red]No store at {db}.[/] Run `eventwire code INPUT --db {db}` first.")
            raise typer.Exit(1)
        with EventStore(db) as store:
            stats = store.merge_events(window_days, match=match, include_negated=include_negated,
                                       threshold=threshold, rebuild_duplicates=rebuild_duplicates)
        err.print(f"{stats}.", soft_wrap=True)
