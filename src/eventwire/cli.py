"""Command line: `eventwire code`, `eventwire events`, `eventwire actor` (more in eventwire/commands).

Machine-readable output goes to stdout; progress, tables for people and the run summary go to stderr
(so `eventwire code ... --format jsonl > events.jsonl` stays clean).
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text
from rich.table import Table

from . import ontology
from .records import Document, Skipped

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="eventwire: code news text into CAMEO/PLOVER events (who did what to whom).")
err = Console(stderr=True)
out = Console()

EXIT_SOME_INPUTS_SKIPPED = 3


@app.command("code")
def code_command(
    inputs: List[str] = typer.Argument(..., help="Files or folders (.txt .jsonl .json .csv .html .rss .atom .warc, .gz), or - for JSONL on stdin."),
    db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help="DuckDB file to store documents and events in."),
    fmt: str = typer.Option("table", "--format", "-f", help="table (for people) or jsonl (one event per line on stdout)."),
    max_bytes: int = typer.Option(10_000_000, "--max-bytes", help="Skip documents larger than this."),
    batch_size: int = typer.Option(16, "--batch-size", help="Documents per spaCy batch."),
    n_process: int = typer.Option(1, "--n-process", help="spaCy worker processes."),
    include_negated: bool = typer.Option(True, "--include-negated/--factual-only",
                                         help="Keep negated and hypothetical events (flagged) or drop them."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: on a terminal)."),
    resume: bool = typer.Option(True, "--resume/--recode",
                                help="Pass over documents already stored with the same content (their stored events "
                                     "are still printed), or code everything again."),
    all_languages: bool = typer.Option(False, "--all-languages", help="Do not skip non-English documents."),
    prefilter: bool = typer.Option(True, "--prefilter/--no-prefilter",
                                   help="Parse only the sentences that can hold an event (faster, same events)."),
    min_confidence: Optional[float] = typer.Option(
        None, "--min-confidence", min=0.0, max=1.0,
        help="Keep events the learned scorer gives at least this confidence (default: the model's threshold, "
             "chosen for precision; 0 keeps the best reading of every trigger). Documents already stored are "
             "not coded again unless --recode."),
    engine: str = typer.Option("local", "--engine", help="local (this machine, --n-process) or dask (a Dask cluster)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler tcp://HOST:PORT (default: a local cluster)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Workers of the local Dask cluster (default: one per core)."),
):
    """Code INPUT files into events, store them in DuckDB and print them.

    Reads .txt (title on the first line), .jsonl, .json, .csv (a `text` column), .html, RSS/Atom feeds,
    WARC files, gzip of any of these, whole folders, or - for JSONL on stdin."""
    if fmt not in ("table", "jsonl"):
        raise typer.BadParameter("--format must be 'table' or 'jsonl'")
    if engine not in ("local", "dask"):
        raise typer.BadParameter("--engine must be 'local' or 'dask'")
    from .ingest import read_inputs, skip_kind
    from .pipeline import Pipeline
    from .resume import ResumeStats, SkipLog, filter_already_coded
    from .store import EventStore

    pipeline = Pipeline(batch_size=batch_size, n_process=n_process, prefilter=prefilter,
                        min_confidence=min_confidence) if engine == "local" else None
    skipped: list[Skipped] = []
    n_docs = n_events = 0
    table_rows = []
    show_progress = err.is_terminal if progress is None else progress

    def documents():
        for item in read_inputs(inputs, max_bytes=max_bytes, english_only=not all_languages):
            if isinstance(item, Skipped):
                skipped.append(item)
                skip_log.save(item)
                err.print(f"[yellow]skipped[/] {item.origin}: {item.reason}")
            else:
                yield item

    def emit(events) -> None:
        for event in events:
            if fmt == "jsonl":
                record = event if isinstance(event, dict) else event.to_dict()
                sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            else:
                table_rows.append(event)

    def print_stored(doc: Document) -> None:
        emit(store.events(doc_id=doc.id))

    with EventStore(db) as store, _progress(show_progress) as bar:
        skip_log, resume_stats = SkipLog(store), ResumeStats()
        task = bar.add_task("coding", total=None, events=0)
        todo = filter_already_coded(documents(), store, resume_stats, print_stored) if resume else documents()
        if engine == "dask":  # shards coded on the cluster, merged here (eventwire.scale)
            from .scale import CodingOptions, code_into_store

            def stored(doc: Document, n: int) -> None:
                nonlocal n_docs, n_events
                n_docs, n_events = n_docs + 1, n_events + n
                bar.update(task, advance=1, events=n_events)
                print_stored(doc)

            code_into_store(todo, store, stored, scheduler=scheduler, workers=workers, options=CodingOptions(
                prefilter=prefilter, include_negated=include_negated, batch_size=batch_size,
                min_confidence=min_confidence))
        else:
            from .actors.memory import ActorMemory

            # People learned in earlier runs resolve bare names in this one; a snapshot taken at the start
            # keeps the result independent of document order and of the number of processes.
            memory = ActorMemory(store)
            pipeline.extractor.resolver.memory = memory.snapshot()
            for coded in pipeline.code_documents(todo):
                events = coded.events
                if not include_negated:
                    events = [e for e in events if not (e.negated or e.hypothetical)]
                store.save_document(coded.document, coded.sentences, events)
                memory.learn_from_events(events, date=coded.document.date, doc_id=coded.document.id)
                n_docs += 1
                n_events += len(events)
                bar.update(task, advance=1, events=n_events)
                emit(events)
        if n_docs:
            store.ensure_merged()  # near-duplicate clusters and merged_events up to date
        counts = store.counts()

    if fmt == "table":
        _print_event_table(table_rows)
    reasons = Counter(skip_kind(s.reason) for s in skipped)
    summary = f"[bold]{n_docs}[/] documents coded, [bold]{n_events}[/] events, [bold]{len(skipped)}[/] inputs skipped"
    if reasons:
        summary += " (" + ", ".join(f"{n}× {r}" for r, n in reasons.most_common()) + ")"
    if resume_stats.summary():
        summary += f"; {resume_stats.summary()} (--recode codes them again)"
    err.print(summary + f". Store {db}: {counts['documents']} documents, {counts['events']} events in total.")
    if skipped:
        raise typer.Exit(EXIT_SOME_INPUTS_SKIPPED)


@app.command("events")
def events_command(
    db: Path = typer.Option(Path("eventwire.duckdb"), "--db"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or jsonl"),
    doc_id: Optional[str] = typer.Option(None, "--doc"),
    root: Optional[str] = typer.Option(None, "--root", help="CAMEO root, e.g. 11"),
    source_country: Optional[str] = typer.Option(None, "--source-country"),
    target_country: Optional[str] = typer.Option(None, "--target-country"),
    min_confidence: Optional[float] = typer.Option(None, "--min-confidence", min=0.0, max=1.0,
                                                   help="Only events with at least this confidence."),
):
    """List events already in the store."""
    from .store import EventStore

    if not db.exists():
        err.print(f"[red]No store at {db}.[/] Run `eventwire code INPUT --db {db}` first.")
        raise typer.Exit(1)
    with EventStore(db) as store:
        rows = store.events(doc_id=doc_id, cameo_root=root, source_country=source_country,
                            target_country=target_country, min_confidence=min_confidence)
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    else:
        _print_event_table(rows)


@app.command("actor")
def actor_command(
    text: Optional[str] = typer.Argument(None, help="Actor text, e.g. 'Pakistani foreign minister'."),
    date: Optional[str] = typer.Option(None, "--date"),
    context: str = typer.Option("", "--context"),
    batch: Optional[Path] = typer.Option(None, "--batch", help="JSONL with text, context, date; one JSON line out per line in."),
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
def codes_command(root: Optional[str] = typer.Argument(None, help="Show the codes under this CAMEO root.")):
    """List CAMEO codes with Goldstein value, QuadClass and PLOVER mapping."""
    table = Table(title="CAMEO codes")
    for col in ("code", "name", "goldstein", "quad", "plover", "mode", "context"):
        table.add_column(col)
    for c in ontology.all_cameo_codes():
        if root and c.root != root.zfill(2):
            continue
        table.add_row(c.code, c.name, f"{c.goldstein:+.1f}", str(c.quad_class), c.plover, c.mode, c.context)
    out.print(table)


class RateColumn(ProgressColumn):
    """Documents and events per second since the start of the run."""

    def render(self, task) -> Text:
        elapsed = task.elapsed or 0.0
        if elapsed <= 0:
            return Text("")
        events = task.fields.get("events", 0)
        return Text(f"{task.completed / elapsed:.1f} docs/s · {events / elapsed:.1f} events/s", style="cyan")


def _progress(enabled: bool) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"),
                    TextColumn("{task.completed:.0f} docs · {task.fields[events]} events"), RateColumn(),
                    TimeElapsedColumn(), console=err, disable=not enabled, transient=False)


def _print_event_table(events) -> None:
    """Events for people: who did what to whom, with the sentence that says so."""
    if not events:
        err.print("[yellow]No events found.[/]")
        return
    if err.width < 110:  # too narrow for three columns: one block per event
        for e in events:
            d = e if isinstance(e, dict) else e.to_dict()
            err.print(_event_line(d))
            err.print("   ", _highlight(d), "\n")
        err.print(f"[bold]{len(events)} events[/]")
        return
    table = Table(title=f"{len(events)} events", show_lines=True, expand=True)
    table.add_column("doc", overflow="fold", max_width=14)
    table.add_column("source → event → target", overflow="fold")
    table.add_column("evidence", overflow="fold", ratio=2)
    for e in events:
        d = e if isinstance(e, dict) else e.to_dict()
        table.add_row(str(d["doc_id"]), _event_line(d, sep="\n"), _highlight(d))
    err.print(table)


def _event_line(d: dict, sep: str = " · ") -> str:
    """"PAK —051 Praise or endorse→ RUS" with PLOVER type, Goldstein, date, flags and attribution."""
    name = ontology.cameo(d["cameo"]).name if ontology.is_cameo_code(d["cameo"]) else ""
    target = d["target"]["code"] if d["target"] else "—"
    line = (f"[bold]{d['source']['code']}[/] —{d['cameo']} {name}→ [bold]{target}[/]{sep}"
            f"[dim]{d['plover'] or ''} · Goldstein {d['goldstein']} · {d.get('date') or ''} · {d['doc_id']}"
            + (f" · confidence {d['confidence']:.2f}" if d.get("confidence") is not None else "") + "[/]")
    flags = [f for f in ("negated", "hypothetical") if d.get(f)]
    if flags:
        line += f"{sep}[magenta]{', '.join(flags)}[/]"
    if d.get("attributed_to"):
        line += f"{sep}[dim]according to {d['attributed_to']['text']}[/]"
    return line


def _highlight(d: dict) -> str:
    """The sentence with source, trigger and target marked up."""
    from rich.markup import escape

    sentence = d["sentence"]
    ev = d["evidence"]
    marks = []
    for key, style in (("source_span", "bold cyan"), ("target_span", "bold yellow"), ("trigger_span", "bold red")):
        if ev.get(key):
            marks.append((ev[key][0], ev[key][1], style))
    marks.sort()
    text, pos = "", 0
    for start, end, style in marks:
        if start < pos:
            continue
        text += escape(sentence[pos:start]) + f"[{style}]" + escape(sentence[start:end]) + "[/]"
        pos = end
    text += escape(sentence[pos:])
    return text + f"\n[dim]rule: {escape(ev['rule'])}[/]"


from .commands import register_all  # noqa: E402  (commands defined in eventwire/commands/*)

register_all(app)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
