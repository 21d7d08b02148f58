"""`eventwire serve`: the HTTP API and dashboard over a store (needs the `serve` extra)."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import typer

GRACEFUL_SHUTDOWN_SECONDS = 5  # on SIGTERM/Ctrl-C: finish requests in flight for at most this long


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def serve_command(
    db: Path = typer.Option(Path("eventwire.duckdb"), "--db", metavar="PATH",
                            help="DuckDB store to serve (created empty if missing)."),
    host: str = typer.Option("127.0.0.1", "--host", metavar="ADDRESS",
                             help="Address to listen on; 127.0.0.1 keeps it on this machine."),
    port: int = typer.Option(8000, "--port", metavar="PORT", min=1, max=65535, help="TCP port to listen on."),
    query_timeout: float = typer.Option(10.0, "--query-timeout", metavar="SECONDS", min=0,
                                        help="Interrupt a read query after this long and answer 503 (0: no limit)."),
    download_timeout: float = typer.Option(300.0, "--download-timeout", metavar="SECONDS", min=0,
                                           help="Cut off a download after this long (0: no limit)."),
    coding_timeout: float = typer.Option(120.0, "--coding-timeout", metavar="SECONDS", min=0,
                                         help="Time budget for coding one POST; past it nothing is stored and "
                                              "the answer is 422 (0: no limit)."),
    max_download_rows: int = typer.Option(1_000_000, "--max-download-rows", metavar="N", min=1,
                                          help="Downloads stop after N rows; the X-Truncated header says so."),
    raw_csv: bool = typer.Option(False, "--raw-csv",
                                 help="Write CSV cells as stored: do not prefix cells that begin with =, +, -, @ "
                                      "with an apostrophe (spreadsheet formula injection)."),
):
    """Serve the dashboard and the JSON API (/docs) over a store. POST /api/documents needs $EVENTWIRE_API_KEY."""
    from rich.console import Console

    err = Console(stderr=True)
    try:
        import uvicorn

        from eventwire.serve import create_app
        from eventwire.serve.settings import ServeSettings
    except ImportError as exc:
        err.print(f"[red]eventwire serve needs its extra packages ({exc.name} is missing):[/] pip install 'eventwire[serve]'")
        raise typer.Exit(1)
    from eventwire.store import StoreError

    if not db.exists():
        err.print(f"[yellow]No store at {db}: starting with an empty one.[/] Fill it with "
                  f"`eventwire code INPUT --db {db}` (with the server stopped) or POST /api/documents.")
    import duckdb

    settings = ServeSettings(query_timeout=query_timeout, download_timeout=download_timeout,
                             coding_timeout=coding_timeout, max_download_rows=max_download_rows, raw_csv=raw_csv)
    try:
        app = create_app(db, settings=settings)
    except StoreError as exc:  # most often: another process (eventwire code?) has the file open
        typer.echo(f"Cannot serve {db}: {exc}", err=True)
        raise typer.Exit(1)
    except duckdb.IOException as exc:
        err.print(f"[red]Cannot open {db}:[/] {str(exc).splitlines()[0]}\nIs another process using it? "
                  "Stop it, or add articles through POST /api/documents while the server runs.")
        raise typer.Exit(1)
    except RuntimeError as exc:  # a store written by a newer eventwire
        err.print(f"[red]Cannot serve {db}:[/] {exc}")
        raise typer.Exit(1)
    writes = "on (API key set)" if os.environ.get("EVENTWIRE_API_KEY") else "off (set EVENTWIRE_API_KEY to allow POST /api/documents)"
    shown = f"[{host}]" if ":" in host else host
    err.print(f"Serving [bold]{db}[/] at [bold]http://{shown}:{port}/[/]  ·  API docs http://{shown}:{port}/docs  ·  "
              f"writes {writes}", soft_wrap=True)
    # uvicorn shuts down gracefully on SIGTERM (requests in flight finish, the store is checkpointed and
    # closed), then raises the signal again: end with status 0 rather than "killed by SIGTERM".
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
