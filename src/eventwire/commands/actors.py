"""`eventwire actors ...`: inspect and correct the corpus actor memory, convert and check dictionaries.

    eventwire actors list [--name FRAGMENT]          learned people and corrections in the store
    eventwire actors show NAME [--date D]            everything known about a name, and what it resolves to
    eventwire actors correct NAME --country X --sector Y [--from D --to D] [--note ...]
    eventwire actors correct NAME --block            the name is not an actor
    eventwire actors uncorrect NAME                  drop the corrections of a name
    eventwire actors forget NAME                     drop what was learned about a name
    eventwire actors export [-o FILE] [--format yaml|jsonl]
    eventwire actors import-petrarch FILE... [-o FILE.yaml]
    eventwire actors check FILE...                   load user dictionaries and report problems
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

err = Console(stderr=True)
out = Console()

DB_HELP = "DuckDB store written by `eventwire code`."


def register(app: typer.Typer) -> None:
    actors = typer.Typer(no_args_is_help=True, help="Inspect and correct the actor memory; convert actor dictionaries.")
    app.add_typer(actors, name="actors")

    @actors.command("list")
    def list_command(
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help=DB_HELP),
        name: Optional[str] = typer.Option(None, "--name", help="Only names containing this text."),
        limit: int = typer.Option(100, "--limit", help="At most this many rows (0: all)."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per line instead of a table."),
    ):
        """List learned people (most often seen first) and corrections."""
        with _memory(db) as memory:
            rows = memory.entries(name, limit=limit or None)
        if as_json:
            for e in rows:
                sys.stdout.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
            return
        if not rows:
            err.print("[yellow]The actor memory is empty.[/] It fills as `eventwire code` meets titled people.")
            return
        table = Table(title=f"actor memory ({db})")
        for col in ("name", "kind", "code", "country", "sector", "window", "seen", "role / note"):
            table.add_column(col)
        for e in rows:
            table.add_row(e.name, "correction" if e.correction else "learned", e.code, e.country or "",
                          e.sector or "", e.window, "" if e.correction else str(e.n_seen),
                          e.note if e.correction else e.role)
        out.print(table)

    @actors.command("show")
    def show_command(
        name: str = typer.Argument(..., help="A name, full or surname."),
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help=DB_HELP),
        date: Optional[str] = typer.Option(None, "--date", help="Resolve as of this date (YYYY-MM-DD, today)."),
    ):
        """Everything stored about NAME, the people-table entries, and what NAME resolves to."""
        from ..actors.resolver import ActorResolver

        with _memory(db, create=False) as memory:
            stored = memory.show(name) if memory is not None else {"corrections": [], "learned": []}
            resolver = ActorResolver(memory=memory)
            actor = resolver.lookup_person(name, date)
            people, via = resolver.people.candidates(name)
            result = {
                "name": name,
                "resolves_to": None if actor is None else
                {"code": actor.code, "country": actor.country, "sector": actor.sector, "how": actor.how},
                "people_table": [{"name": p.name, "via": via, "roles": [
                    {"code": r.code, "role": r.title, "window": r.window, "source": r.source} for r in p.roles]}
                    for p in people],
                **stored,
            }
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))

    @actors.command("correct")
    def correct_command(
        name: str = typer.Argument(..., help="The name as it appears in text (full name or surname)."),
        country: Optional[str] = typer.Option(None, "--country", help="ISO3 country code, e.g. RUS."),
        sector: Optional[str] = typer.Option(None, "--sector", help="CAMEO sector, e.g. GOV, MIL, REB."),
        code: Optional[str] = typer.Option(None, "--code", help="Full actor code when not country+sector (IGOUNO)."),
        valid_from: Optional[str] = typer.Option(None, "--from", help="First date the correction applies."),
        valid_to: Optional[str] = typer.Option(None, "--to", help="Last date the correction applies."),
        note: str = typer.Option("", "--note", help="Why (kept with the correction)."),
        block: bool = typer.Option(False, "--block", help="The name is not an actor at all."),
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help=DB_HELP),
    ):
        """Say what NAME is; corrections win over anything learned (optionally within --from/--to)."""
        if not block and not (country or sector or code):
            raise typer.BadParameter("give --country/--sector/--code, or --block")
        with _memory(db) as memory:
            try:
                entry = memory.correct(name, country=country, sector=sector, code=code, valid_from=valid_from,
                                       valid_to=valid_to, note=note, block=block)
            except ValueError as e:
                raise typer.BadParameter(str(e)) from None
        what = "not an actor" if block else entry.code
        err.print(f"Corrected [bold]{name}[/] -> {what}" + (f" ({entry.window})" if entry.window != ".." else "") + ".")

    @actors.command("uncorrect")
    def uncorrect_command(name: str = typer.Argument(...),
                          db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help=DB_HELP)):
        """Remove the corrections of NAME."""
        with _memory(db) as memory:
            n = memory.remove_corrections(name)
        err.print(f"Removed {n} correction(s) of {name}.")

    @actors.command("forget")
    def forget_command(name: str = typer.Argument(...),
                       db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help=DB_HELP)):
        """Drop what was learned about NAME (corrections stay)."""
        with _memory(db) as memory:
            n = memory.forget(name)
        err.print(f"Forgot {n} learned entr{'y' if n == 1 else 'ies'} for {name}.")

    @actors.command("export")
    def export_command(
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help=DB_HELP),
        fmt: str = typer.Option("yaml", "--format", "-f", help="yaml (a user dictionary) or jsonl (one row per entry)."),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default stdout)."),
    ):
        """Export the memory: as a YAML user dictionary (load it with EVENTWIRE_ACTOR_DICTIONARIES) or JSONL."""
        if fmt not in ("yaml", "jsonl"):
            raise typer.BadParameter("--format must be yaml or jsonl")
        with _memory(db, create=False) as memory:
            if memory is None:
                raise typer.Exit(1)
            if fmt == "yaml":
                import yaml

                text = "# eventwire actor memory, exported as a user dictionary\n" + \
                    yaml.safe_dump(memory.export(), sort_keys=False, allow_unicode=True)
            else:
                text = "".join(json.dumps(e.to_dict(), ensure_ascii=False, default=str) + "\n"
                               for e in memory.entries())
        _write(text, output)

    @actors.command("import-petrarch")
    def import_petrarch_command(
        files: List[Path] = typer.Argument(..., exists=True, help="PETRARCH/TABARI *.actors.txt and agents files."),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="YAML file to write (default stdout)."),
    ):
        """Convert PETRARCH/TABARI actor and agent dictionaries to an eventwire YAML user dictionary."""
        import yaml

        from ..actors import petrarch
        from ..actors.dictionary import load_dictionary

        records, agents = [], []
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            try:
                if petrarch.is_agents_file(path, text):
                    agents += petrarch.read_agents(text, path.name)
                else:
                    records += petrarch.read_actors(text, path.name)
            except ValueError as e:
                err.print(f"[red]{e}[/]")
                raise typer.Exit(1)
        data = petrarch.to_user_dictionary(records, agents, load_dictionary())
        header = "# eventwire actor dictionary converted from " + ", ".join(p.name for p in files) + "\n"
        _write(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), output)
        err.print(f"{len(records)} actor records and {len(agents)} agent entries converted.")

    @actors.command("check")
    def check_command(files: List[Path] = typer.Argument(..., exists=True, help="User dictionaries to load.")):
        """Load user dictionaries (YAML, TSV, PETRARCH) the way `eventwire code` would, and report."""
        from ..actors.dictionary import ActorDictionary
        from ..actors.people import PeopleDirectory
        from ..actors.userdict import apply_file

        dictionary, people = ActorDictionary.load(), PeopleDirectory.load()
        before = (sum(1 for _ in dictionary.organisations()), len(people))
        for path in files:
            try:
                apply_file(path, dictionary, people)
            except (ValueError, OSError) as e:
                err.print(f"[red]{e}[/]")
                raise typer.Exit(1)
        after = (sum(1 for _ in dictionary.organisations()), len(people))
        err.print(f"OK: {after[0] - before[0]} new organisation(s), {after[1] - before[1]} new people/named actor(s). "
                  f"Use them with EVENTWIRE_ACTOR_DICTIONARIES={':'.join(str(f) for f in files)}")


class _memory:
    """Context manager: an ActorMemory on the store at ``db`` (None when missing and not ``create``)."""

    def __init__(self, db: Path, create: bool = True):
        self.db, self.create, self.store = db, create, None

    def __enter__(self):
        from ..actors.memory import ActorMemory
        from ..store import EventStore

        if not self.db.exists() and not self.create:
            err.print(f"[yellow]No store at {self.db}[/] (run `eventwire code INPUT --db {self.db}` first).")
            return None
        self.store = EventStore(self.db)
        return ActorMemory(self.store)

    def __exit__(self, *exc) -> None:
        if self.store is not None:
            self.store.close()


def _write(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"Wrote {output}.")
