"""`eventwire export`: merged events or mentions as GDELT 2.0 TSV, PLOVER JSONL, Parquet or CSV.

Reads the store read-only, so it can run beside other readers (a read-only `eventwire serve`, another
export). Merged events that are out of date are rebuilt first when no other process has the store open;
otherwise, and when another process writes the store, the command says so in one line and exits 1.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .display import err, one_line_error


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export_command(
        fmt: str = typer.Option(..., "--format", "-f", metavar="gdelt|plover|parquet|csv",
                                help="gdelt: GDELT 2.0 event table (61 tab-separated columns); plover: PLOVER "
                                     "JSON, one record per line; parquet or csv: the merged_events table (or "
                                     "every mention with its sentence)."),
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", metavar="PATH",
                                help="DuckDB store written by `eventwire code` (read-only; merged events "
                                     "out of date are rebuilt first if no other process has it open)."),
        merged: bool = typer.Option(True, "--merged/--mentions",
                                    help="Merged event records (default) or every raw mention."),
        output: Optional[Path] = typer.Option(
            None, "--output", "-o", metavar="PATH",
            help="File to write (default stdout; Parquet needs a file). GDELT and CSV files get a sidecar "
                 "PATH.meta.json: eventwire version, data hash, row count."),
        header: bool = typer.Option(False, "--header/--no-header",
                                    help="gdelt: add a row of GDELT column names (GDELT's own files have none)."),
        raw_csv: bool = typer.Option(False, "--raw-csv",
                                     help="csv: write text cells as they are. By default a cell starting with "
                                          "=, +, -, @ gets a leading ' so spreadsheets do not run it."),
    ):
        """Export events: GDELT 2.0 event table (61 tab-separated columns), PLOVER JSONL, Parquet or CSV."""
        from eventwire.export import FORMATS, export
        from eventwire.corpus.merge import open_for_reading
        from eventwire.store import StoreError

        if fmt not in FORMATS:
            raise typer.BadParameter(f"{fmt!r}: use one of {', '.join(FORMATS)}", param_hint="--format")
        if fmt == "parquet" and output is None:
            raise typer.BadParameter("Parquet is binary: give a file with -o FILE.parquet", param_hint="--output")
        try:
            with open_for_reading(db, merged=merged) as store:
                n = export(store, fmt, output, merged=merged, header=header, raw_csv=raw_csv)
        except StoreError as exc:
            one_line_error(str(exc))
        what = "merged events" if merged else "mentions"
        err.print(f"{n} {what} exported as {fmt}" + (f" to {output}" if output else "") + ".", soft_wrap=True)
