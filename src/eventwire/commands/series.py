"""`eventwire series`: counts, Goldstein sum and mean and QuadClass counts per period for a dyad.

Reads the store read-only, like `eventwire export` (merged events out of date are rebuilt first when no
other process has the store open; otherwise one line says to run `eventwire merge`)."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from .display import err, one_line_error, out


def register(app: typer.Typer) -> None:
    @app.command("series")
    def series_command(
        dyad: str = typer.Option(..., "--dyad", metavar="SOURCE-TARGET",
                                 help="Two actors joined by '-': a country (PAK), an actor code or its start "
                                      "(PAKGOV, IGOUNO, ---REB) or * for anyone, e.g. PAK-RUS, USA-*."),
        by: str = typer.Option("week", "--by", metavar="day|week|month|year",
                               help="Length of a period: day, week (starting Monday), month or year."),
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", metavar="PATH",
                                help="DuckDB store written by `eventwire code` (read-only; merged events out of "
                                     "date are rebuilt first if no other process has it open)."),
        merged: bool = typer.Option(True, "--merged/--mentions", help="Count merged events (default) or raw mentions."),
        both_directions: bool = typer.Option(False, "--both-directions",
                                             help="Count TARGET acting on SOURCE too (the dyad is directional)."),
        start: Optional[str] = typer.Option(None, "--from", metavar="YYYY-MM-DD", help="First day to count."),
        end: Optional[str] = typer.Option(None, "--to", metavar="YYYY-MM-DD", help="Last day to count."),
        all_precisions: bool = typer.Option(
            False, "--all-precisions",
            help="Count events dated only to the year too (on 1 January). By default only dates known to the "
                 "day, week or month are counted."),
        fmt: str = typer.Option("table", "--format", "-f", metavar="table|csv|json",
                                help="table (for people), csv, or json (one JSON object per line)."),
        plot: Optional[Path] = typer.Option(None, "--plot", metavar="FILE",
                                            help="Also draw the cooperation/conflict timeline (.png, .svg or .pdf)."),
    ):
        """A dyad's time series: events, mentions, Goldstein sum and mean, QuadClass 1-4 counts per period."""
        from eventwire.corpus.merge import open_for_reading
        from eventwire.corpus.series import COLUMNS, PERIODS, dyad_series, parse_dyad, plot_series
        from eventwire.store import StoreError
        from . import options

        if by not in PERIODS:
            raise typer.BadParameter(f"{by!r}: use day, week (starting Monday), month or year", param_hint="--by")
        if fmt not in ("table", "csv", "json"):
            raise typer.BadParameter(f"{fmt!r}: use table, csv or json", param_hint="--format")
        try:
            sides = parse_dyad(dyad)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--dyad") from None
        for side in sides:  # a well-formed code must still start with a real country: "XYZ-PAK" is a typo
            if side is not None:
                options.actor(side, "--dyad")
        first, last = options.day(start, "--from"), options.day(end, "--to")
        if first and last and first > last:
            raise typer.BadParameter(f"--from {first} is after --to {last}", param_hint="--from")
        try:
            with open_for_reading(db, merged=merged) as store:
                rows = dyad_series(store, dyad, by, merged=merged, both_directions=both_directions, start=first,
                                   end=last, all_precisions=all_precisions)
        except StoreError as exc:
            one_line_error(str(exc))
        label = f" {'↔' if both_directions else '→'} ".join(side or "*" for side in sides)
        if fmt == "json":
            for row in rows:
                sys.stdout.write(json.dumps(row, default=str) + "\n")
        elif fmt == "csv":
            writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            table = Table(title=f"{label} per {by} "
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
            title = f"{label}: cooperation and conflict per {by}"
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
