"""`eventwire serve`: the HTTP API and dashboard over a store (needs the `serve` extra)."""
from __future__ import annotations

import os
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def serve_command(
    db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help="DuckDB store to serve (created empty if missing)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; 127.0.0.1 keeps it on this machine."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
):
    """Serve the dashboard and the JSON API (/docs) over a store. POST /api/documents needs $EVENTWIRE_API_KEY."""
    from rich.console import Console

    err = Console(stderr=True)
    try:
        import uvicorn

        from eventwire.serve import create_app
    except ImportError as exc:
        err.print(f"[red]eventwire serve needs its extra packages ({exc.name} is missing):[/] pip install 'eventwire[serve]'")
        raise typer.Exit(1)
    if not db.exists():
        err.print(f"[yellow]No store at {db}: starting with an empty one.[/] Fill it with "
                  f"`eventwire code INPUT --db {db}` (with the server stopped) or POST /api/documents.")
    import duckdb

    try:
        app = create_app(db)
    except duckdb.IOException as exc:  # most often: another process (eventwire code?) has the file open
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
    uvicorn.run(app, host=host, port=port, log_level="warning")
