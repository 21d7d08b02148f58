"""Command line: the `eventwire` app, `eventwire actor` and `eventwire codes`; the other commands live
in eventwire/commands/ (code, events, eval, export, series, merge, actors, serve ...), one module each.

Machine-readable output goes to stdout; progress, tables for people and the run summary go to stderr
(so `eventwire code ... --format jsonl > events.jsonl` stays clean).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from . import ontology
from .commands.code import EXIT_SOME_INPUTS_SKIPPED  # noqa: F401  (the exit status, for scripts and tests)
from .commands.display import err, out, readable_help_placeholders  # noqa: F401

readable_help_placeholders()

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="eventwire: code news text into CAMEO/PLOVER events (who did what to whom).")


def _version(value: bool) -> None:
    if value:
        from .provenance import describe

        print(describe())
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and the hash of the packaged lexicons and weights, then exit."),
) -> None:
    """eventwire: code news text into CAMEO/PLOVER events (who did what to whom, when and where)."""


@app.command("actor")
def actor_command(
    text: Optional[str] = typer.Argument(None, metavar="TEXT", help="Actor text, e.g. 'Pakistani foreign minister'."),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                                       help="When the mention was written (people's offices are dated)."),
    context: str = typer.Option("", "--context", metavar="TEXT", help="Text around the mention (its country)."),
    batch: Optional[Path] = typer.Option(None, "--batch", metavar="JSONL",
                                         help="JSONL with text, context, date; one JSON line out per line in."),
):
    """Resolve an actor description to {country, sector, code, how}."""
    from .actors.resolver import ActorResolver

    resolver = ActorResolver()

    def resolve(t: str, ctx: str, d: Optional[str]) -> dict:
        actor = resolver.resolve_text(t, context=ctx, date=d)
        if actor is None:
            return {"text": t, "country": None, "sector": None, "code_1": None, "code": None, "how": "no match"}
        return {"text": t, "country": actor.country, "sector": actor.sector, "code_1": actor.sector,
                "code": actor.code, "how": actor.how}

    if batch is not None:
        for n, line in enumerate(batch.open(encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                print(json.dumps({"id": None, "error": f"line {n}: not valid JSON: {exc}"}))
                continue
            result = resolve(rec.get("text", ""), rec.get("context") or "", rec.get("date"))
            result["id"] = rec.get("id")
            print(json.dumps(result, ensure_ascii=False))
        return
    if not text:
        raise typer.BadParameter("give an actor TEXT or --batch FILE")
    print(json.dumps(resolve(text, context, date), ensure_ascii=False))


@app.command("codes")
def codes_command(root: Optional[str] = typer.Argument(None, metavar="ROOT",
                                                     help="Show the codes under this CAMEO root (01-20).")):
    """List CAMEO codes with Goldstein value, QuadClass and PLOVER mapping."""
    table = Table(title="CAMEO codes")
    for col in ("code", "name", "goldstein", "quad", "plover", "mode", "context"):
        table.add_column(col)
    for c in ontology.all_cameo_codes():
        if root and c.root != root.zfill(2):
            continue
        table.add_row(c.code, c.name, f"{c.goldstein:+.1f}", str(c.quad_class), c.plover, c.mode, c.context)
    out.print(table)


from .commands import register_all  # noqa: E402  (commands defined in eventwire/commands/*)

register_all(app)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
