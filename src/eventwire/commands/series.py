"""`eventwire series`: counts, Goldstein sum and mean and QuadClass counts per period for a dyad."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

err = Console(stderr=True)
out = Console()


def register(app: typer.Typer) -> None:
    @app.command("series")
    def series_command(
        dyad: str = typer.Option(..., "--dyad", help="SOURCE-TARGET, e.g. PAK-RUS, PAKGOV-IND, USA-* (country or code prefix)."),
        by: str = typer.Option("week", "--by", help="day, week (starting Monday) or month."),
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help="DuckDB store written by `eventwire code`."),
        merged: bool = typer.Option(True, "--merged/--mentions", help="Count merged events (default) or raw mentions."),
        both_directions: bool = typer.Option(False, "--both-directions",
                                             help="Count TARGET acting on SOURCE too (the dyad is directional)."),
        start: Optional[str] = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
        end: Optional[str] = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
        fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json (one JSON object per line)."),
        plot: Optional[Path] = typer.Option(None, "--plot", help="Also draw the cooperation/conflict timeline (PNG/SVG/PDF)."),
    ):
        """A dyad's time series: events, mentions, Goldstein sum and mean, QuadClass 1-4 counts per period."""
        import datetime as dt

        from ..series import COLUMNS, PERIODS, dyad_series, parse_dyad, plot_series
        from ..store import EventStore

        if by not in PERIODS:
            raise typer.BadParameter(f"--by must be one of {', '.join(PERIODS)}")
        if fmt not in ("table", "csv", "json"):
            raise typer.BadParameter("--format must be table, csv or json")
        try:
            parse_dyad(dyad)
            first = dt.date.fromisoformat(start) if start else None
            last = dt.date.fromisoformat(end) if end else None
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        if not db.exists():
            err.print(f"[red]No store at {db}.[/] Run `eventwire code INPUT --db {db}` first.")
            raise typer.Exit(1)
        with EventStore(db) as store:
            rows = dyad_series(store, dyad, by, merged=merged, both_directions=both_directions, start=first, end=last)
        if fmt == "json":
            for row in rows:
                sys.stdout.write(json.dumps(row, default=str) + "\n")
        elif fmt == "csv":
            writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            arrow = "↔" if both_directions else "→"
            table = Table(title=f"{dyad.upper().replace('-', f' {arrow} ')} per {by} "
                                f"({'merged events' if merged else 'mentions'})",
                          caption="QuadClass Q1 verbal cooperation, Q2 material cooperation, "
                                  "Q3 verbal conflict, Q4 material conflict")
            for col in COLUMNS:
                table.add_column(_HEADERS.get(col, col), justify="left" if col == "period" else "right", no_wrap=True)
            for row in rows:
                table.add_row(*(_cell(row[c]) for c in COLUMNS))
            if rows:
                out.print(table)
            else:
                err.print(f"[yellow]No events for {dyad}.[/]")
        if plot is not None:
            if not rows:
                err.print("[yellow]Nothing to plot.[/]")
                raise typer.Exit(1)
            arrow = "↔" if both_directions else "→"
            title = f"{dyad.upper().replace('-', f' {arrow} ')}: cooperation and conflict per {by}"
            plot_series(rows, plot, title=title, by=by)
            err.print(f"Plot written to {plot}.")


_HEADERS = {"goldstein_sum": "Goldstein\nsum", "goldstein_mean": "Goldstein\nmean",
            "quad1": "Q1", "quad2": "Q2", "quad3": "Q3", "quad4": "Q4"}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
