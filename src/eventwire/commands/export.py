"""`eventwire export`: merged events or mentions as GDELT 2.0 TSV, PLOVER JSONL, Parquet or CSV."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_command(
        fmt: str = typer.Option(..., "--format", "-f", help="gdelt, plover, parquet or csv."),
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help="DuckDB store written by `eventwire code`."),
        merged: bool = typer.Option(True, "--merged/--mentions",
                                    help="Merged event records (default) or every raw mention."),
        output: Optional[Path] = typer.Option(None, "--output", "-o",
                                              help="File to write (default stdout; Parquet needs a file)."),
        header: bool = typer.Option(False, "--header/--no-header",
                                    help="gdelt: add a row of GDELT column names (GDELT's own files have none)."),
    ):
        """Export events: GDELT 2.0 event table (61 tab-separated columns), PLOVER JSONL, Parquet or CSV."""
        from ..export import FORMATS, export
        from ..store import EventStore

        if fmt not in FORMATS:
            raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
        if fmt == "parquet" and output is None:
            raise typer.BadParameter("Parquet is binary: give a file with -o FILE.parquet")
        if not db.exists():
            err.print(f"[red]No store at {db}.[/] Run `eventwire code INPUT --db {db}` first.")
            raise typer.Exit(1)
        with EventStore(db) as store:
            n = export(store, fmt, output, merged=merged, header=header)
        what = "merged events" if merged else "mentions"
        err.print(f"{n} {what} exported as {fmt}" + (f" to {output}" if output else "") + ".", soft_wrap=True)
