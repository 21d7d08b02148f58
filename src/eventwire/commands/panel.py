"""`eventwire panel`: events and Goldstein sums per country and month (or week), the table analyses start from."""
from __future__ import annotations

import csv
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from . import options


class By(str, Enum):
    month = "month"
    week = "week"


class Role(str, Enum):
    source = "source"
    target = "target"
    either = "either"


class Format(str, Enum):
    csv = "csv"
    parquet = "parquet"
    table = "table"


class PlotValue(str, Enum):
    events = "events"
    goldstein_sum = "goldstein_sum"


TABLE_PERIODS = 18  # a terminal shows the last this many periods; csv/parquet have them all


def register(app: typer.Typer) -> None:
    app.command("panel")(panel_command)


def panel_command(
    db: Path = typer.Option(Path("eventwire.duckdb"), "--db", metavar="PATH", help="Store written by `eventwire code`."),
    by: By = typer.Option(By.month, "--by", help="Period: month, or week (starting Monday)."),
    role: Role = typer.Option(Role.either, "--role",
                              help="Whose country: the source's (who acted), the target's, or either (an event "
                                   "between two countries counts for both)."),
    start: Optional[str] = typer.Option(None, "--from", metavar="YYYY-MM-DD", help="First day counted."),
    end: Optional[str] = typer.Option(None, "--to", metavar="YYYY-MM-DD", help="Last day counted."),
    merged: bool = typer.Option(True, "--merged/--mentions",
                                help="Count merged events (default: one per real-world event) or raw mentions."),
    min_confidence: Optional[float] = typer.Option(None, "--min-confidence", metavar="P", min=0.0, max=1.0,
                                                   help="Only events the scorer gave at least this confidence (0-1)."),
    all_precisions: bool = typer.Option(False, "--all-precisions",
                                        help="Also count events dated only to the year (default: day, week and "
                                             "month precision only)."),
    fmt: Optional[Format] = typer.Option(None, "--format", "-f",
                                         help="csv or parquet (every country x period, zeros included), or table "
                                              "(event counts, countries down, periods across). Default: csv or "
                                              "parquet by the -o suffix, table on the terminal."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="File to write (default stdout; parquet needs a file)."),
    plot: Optional[Path] = typer.Option(None, "--plot", metavar="FILE.png",
                                        help="Also draw a heatmap (PNG, SVG or PDF by extension; needs matplotlib)."),
    plot_value: PlotValue = typer.Option(PlotValue.events, "--plot-value",
                                         help="What the heatmap colours: events, or goldstein_sum."),
):
    """Events and Goldstein sums per country and month (or week): a balanced country x period panel."""
    from eventwire.corpus.panel import PanelError, PanelSpec, merged_is_stale, panel_rows, plot_heatmap, write_parquet
    from eventwire.store import EventStore, StoreError
    from .display import err

    fmt = fmt or _format_from_suffix(output)
    if fmt is Format.parquet and output is None:
        raise typer.BadParameter("parquet is binary: give a file with -o FILE.parquet", param_hint="--format")
    if plot is not None:
        try:
            import matplotlib  # noqa: F401  (checked first, so nothing is half done)
        except ImportError:
            typer.echo("--plot needs matplotlib: pip install 'eventwire[data]'", err=True)
            raise typer.Exit(1)
    try:
        spec = PanelSpec(by=by.value, role=role.value, start=options.day(start, "--from"),
                         end=options.day(end, "--to"), merged=merged, min_confidence=min_confidence,
                         all_precisions=all_precisions)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        store = EventStore(db, read_only=True)
    except StoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    with store:
        if merged and merged_is_stale(store.con):
            typer.echo(f"Note: documents were coded after the last merge, so merged counts miss them; run "
                       f"`eventwire merge --db {db}` first, or count raw mentions with --mentions.", err=True)
        try:
            if fmt is Format.parquet:
                n = write_parquet(store.con, spec, output)
                err.print(f"{n} rows written to {output}.", soft_wrap=True, markup=False)
                rows = panel_rows(store.con, spec) if plot is not None else []
            else:
                rows = panel_rows(store.con, spec)
        except PanelError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1)
    if fmt is Format.csv:
        _write_csv(rows, output)
    elif fmt is Format.table:
        _print_table(rows, spec, output)
    if not rows:
        typer.echo("No events to count (check --from/--to, --role, or --all-precisions).", err=True)
        if plot is not None:
            raise typer.Exit(1)
    if plot is not None:
        what = "merged events" if merged else "mentions"
        title = f"{'Events' if plot_value is PlotValue.events else 'Goldstein sum'} per country ({role.value}) " \
                f"and {by.value} — {what}"
        plot_heatmap(rows, plot, by=by.value, value=plot_value.value, title=title)
        typer.echo(f"Heatmap written to {plot}.", err=True)


def _format_from_suffix(output: Optional[Path]) -> Format:
    suffix = output.suffix.lower() if output else ""
    return {".csv": Format.csv, ".parquet": Format.parquet}.get(suffix, Format.table if output is None else Format.csv)


def _write_csv(rows: list[dict], output: Optional[Path]) -> None:
    from eventwire.corpus.panel import COLUMNS

    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        writer = csv.DictWriter(stream, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if output:
            stream.close()
    if output:
        typer.echo(f"{len(rows)} rows written to {output}.", err=True)


def _print_table(rows: list[dict], spec, output: Optional[Path]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from eventwire.corpus.panel import matrix, period_label

    if not rows:
        return
    console = Console(file=open(output, "w", encoding="utf-8"), width=200) if output else Console()
    countries, periods, cells = matrix(rows)
    # As many of the latest periods as fit: a column is "24-03" plus a space.
    fits = max(3, (console.width - 36) // 6)
    shown = periods[-min(TABLE_PERIODS, fits):]
    table = Table(title=f"Events per country ({spec.role}) and {spec.by} "
                        f"({'merged events' if spec.merged else 'mentions'})",
                  caption=(f"the last {len(shown)} of {len(periods)} periods; --format csv has them all"
                           if len(shown) < len(periods) else None),
                  box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1), pad_edge=False)
    table.add_column("country", no_wrap=True)
    for p in shown:
        table.add_column(period_label(p, spec.by)[2:] if spec.by == "month" else period_label(p, spec.by)[5:],
                         justify="right", no_wrap=True)
    table.add_column("events", justify="right", style="bold", no_wrap=True)
    table.add_column("Goldstein\nsum", justify="right", no_wrap=True)
    sums = {c: 0.0 for c in countries}
    for r in rows:
        sums[r["country"]] += float(r["goldstein_sum"] or 0)
    for c in countries:
        counts = [cells.get((c, p), 0) for p in shown]
        total = sum(cells.get((c, p), 0) for p in periods)
        table.add_row(c, *(str(n) if n else "·" for n in counts), str(total), f"{sums[c]:+.1f}")
    console.print(table)
    if output:
        console.file.close()
        typer.echo(f"Table written to {output}.", err=True)
