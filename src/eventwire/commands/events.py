"""`eventwire events`: list and filter the events already in a store (opened read-only)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from . import options
from .display import DEFAULT_SHOWN, err, one_line_error, print_events


def register(app: typer.Typer) -> None:
    @app.command("events")
    def events_command(
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", metavar="PATH", help="The store to read."),
        fmt: str = typer.Option("table", "--format", "-f", metavar="table|jsonl",
                                help="table: a summary and readable blocks for people; jsonl: every event, one "
                                     "JSON object per line on stdout."),
        start: Optional[str] = typer.Option(None, "--from", metavar="YYYY-MM-DD", help="Events on or after this day."),
        end: Optional[str] = typer.Option(None, "--to", metavar="YYYY-MM-DD", help="Events on or before this day."),
        dyad: Optional[str] = typer.Option(None, "--dyad", metavar="SOURCE-TARGET",
                                           help="Events from SOURCE to TARGET, country or actor code prefixes: "
                                                "PAK-IND, RUSGOV-UKR."),
        both_directions: bool = typer.Option(False, "--both-directions", help="With --dyad: TARGET to SOURCE too."),
        country: Optional[str] = typer.Option(None, "--country", metavar="ISO3",
                                              help="Events with this country on either side."),
        source_country: Optional[str] = typer.Option(None, "--source-country", metavar="ISO3",
                                                     help="Events whose source is of this country."),
        target_country: Optional[str] = typer.Option(None, "--target-country", metavar="ISO3",
                                                     help="Events whose target is of this country."),
        root: Optional[str] = typer.Option(None, "--root", metavar="NN", help="CAMEO root, 01-20 (11: disapprove)."),
        cameo: Optional[str] = typer.Option(None, "--cameo", metavar="CODE",
                                            help="CAMEO code or prefix: 19, 190, 1123."),
        doc_id: Optional[str] = typer.Option(None, "--doc", metavar="DOC_ID", help="Events of one document."),
        min_confidence: Optional[float] = typer.Option(None, "--min-confidence", min=0.0, max=1.0, metavar="0-1",
                                                       help="Only events with at least this confidence."),
        limit: Optional[int] = typer.Option(None, "--limit", min=1, metavar="N",
                                            help=f"At most N events (table: {DEFAULT_SHOWN} shown unless --limit)."),
    ):
        """List events already in the store, filtered. Reads only: works while `eventwire serve` runs
        only if serve was started read-only; otherwise says which process holds the store."""
        from eventwire.store import EventStore, StoreError

        filters = dict(
            start=options.day(start, "--from"), end=options.day(end, "--to"),
            dyad=options.dyad(dyad), both_directions=both_directions,
            country=options.country(country, "--country"),
            source_country=options.country(source_country, "--source-country"),
            target_country=options.country(target_country, "--target-country"),
            cameo_root=options.cameo_root(root), cameo=options.cameo_code(cameo), doc_id=doc_id,
            min_confidence=min_confidence,
        )
        if fmt not in ("table", "jsonl"):
            raise typer.BadParameter(f"{fmt!r}: use table or jsonl", param_hint="--format")
        try:
            with EventStore(db, read_only=True) as store:
                total = store.count_events(**filters)
                shown = limit if limit is not None else (None if fmt == "jsonl" else DEFAULT_SHOWN)
                rows = store.events(limit=shown, **filters)
        except StoreError as exc:
            one_line_error(str(exc))
        if fmt == "jsonl":
            for row in rows:
                sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            return
        if not rows:
            err.print("[yellow]No events match.[/]")
            return
        print_events(rows, shown=len(rows), summary=total == len(rows))
        if total > len(rows):
            err.print(f"[bold]{len(rows):,} of {total:,} events shown.[/] More: add --limit N, or --format jsonl "
                      "for all of them (`eventwire export` for GDELT, PLOVER, Parquet or CSV).")
