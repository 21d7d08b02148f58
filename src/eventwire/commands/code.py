"""`eventwire code`: read inputs, code them into events, store them in DuckDB and show or print them."""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable, List, Optional

import typer

from ..records import Document, Skipped
from .display import err, one_line_error, print_events, progress_bar

EXIT_SOME_INPUTS_SKIPPED = 3
COUNTED_SUFFIXES = {".jsonl": "lines", ".csv": "rows", ".txt": "file", ".html": "file", ".htm": "file"}


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def register(app: typer.Typer) -> None:
    @app.command("code")
    def code_command(
        inputs: List[str] = typer.Argument(..., metavar="INPUT",
                                           help="Files or folders (.txt .jsonl .json .csv .html .rss .atom .warc, "
                                                "and .gz of these), or - for JSONL on stdin."),
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", metavar="PATH",
                                help="DuckDB file to store documents and events in."),
        fmt: str = typer.Option("table", "--format", "-f", metavar="table|jsonl",
                                help="table: a summary and the first events, for people (stderr); jsonl: one event "
                                     "per line on stdout."),
        max_bytes: int = typer.Option(10_000_000, "--max-bytes", metavar="BYTES",
                                      help="Skip documents larger than this (decompressed)."),
        batch_size: int = typer.Option(16, "--batch-size", metavar="N", help="Documents per spaCy batch."),
        n_process: int = typer.Option(available_cores(), "--n-process", metavar="N",
                                      help="Worker processes (default: the cores this process may use)."),
        include_negated: bool = typer.Option(True, "--include-negated/--factual-only",
                                             help="Keep negated and hypothetical events (flagged) or drop them."),
        progress: Optional[bool] = typer.Option(None, "--progress/--no-progress",
                                                help="Progress bar on stderr (default: when stderr is a terminal)."),
        resume: bool = typer.Option(True, "--resume/--recode",
                                    help="Pass over documents already stored with the same content, or code "
                                         "everything again."),
        show_stored: bool = typer.Option(False, "--show-stored",
                                         help="Also show (or print as JSONL) the stored events of documents passed "
                                              "over because they were coded before."),
        all_languages: bool = typer.Option(False, "--all-languages", help="Do not skip non-English documents."),
        prefilter: bool = typer.Option(True, "--prefilter/--no-prefilter",
                                       help="Parse only the sentences that can hold an event (faster, same events)."),
        min_confidence: Optional[float] = typer.Option(
            None, "--min-confidence", min=0.0, max=1.0, metavar="0-1",
            help="Keep events the learned scorer gives at least this confidence (default: the model's "
                 "threshold, chosen for precision; 0 keeps the best reading of every trigger). Documents "
                 "already stored are not coded again unless --recode."),
        time_budget: float = typer.Option(60.0, "--time-budget", min=1.0, metavar="SECONDS",
                                          help="Skip (with the reason) a document that takes longer than this to "
                                               "code; the run goes on."),
        shown: int = typer.Option(20, "--show", metavar="N", help="With --format table: events shown after the summary."),
        engine: str = typer.Option("local", "--engine", metavar="local|dask",
                                   help="local (this machine, --n-process) or dask (a Dask cluster)."),
        scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="tcp://HOST:PORT",
                                                help="Dask scheduler (default: a local cluster)."),
        workers: Optional[int] = typer.Option(None, "--workers", metavar="N",
                                              help="Workers of the local Dask cluster (default: one per core)."),
    ):
        """Code INPUT files into events, store them in DuckDB and show them.

        Reads .txt (title on the first line), .jsonl, .json, .csv (a `text` column), .html, RSS/Atom feeds,
        WARC files, gzip of any of these, whole folders, or - for JSONL on stdin. Inputs that cannot be coded
        are skipped with a reason (exit status 3)."""
        if fmt not in ("table", "jsonl"):
            raise typer.BadParameter(f"{fmt!r}: use table or jsonl", param_hint="--format")
        if engine not in ("local", "dask"):
            raise typer.BadParameter(f"{engine!r}: use local or dask", param_hint="--engine")
        from ..ingest import read_inputs, skip_kind
        from eventwire.store.resume import (
            ResumeStats,
            SkipLog,
            coding_options,
            filter_already_coded,
            options_change,
        )
        from eventwire.store import EventStore, StoreError

        try:  # before the model loads: a store another run holds is a one-line message, at once
            store = EventStore(db)
        except StoreError as exc:
            one_line_error(str(exc))
        skipped: list[Skipped] = []
        n_docs = n_events = 0
        table_rows: list = []
        show_progress = err.is_terminal if progress is None else progress
        if fmt == "jsonl" and sys.stdout.isatty():
            show_progress = False if progress is None else show_progress  # one terminal: events, not a bar

        def documents():
            for item in read_inputs(inputs, max_bytes=max_bytes, english_only=not all_languages):
                if isinstance(item, Skipped):
                    note_skipped(item)
                else:
                    yield item

        def note_skipped(item: Skipped) -> None:
            skipped.append(item)
            skip_log.save(item)
            err.print(f"[yellow]skipped[/] {item.origin}: {item.reason}")

        def emit(events: Iterable) -> None:
            for event in events:
                if fmt == "jsonl":
                    record = event if isinstance(event, dict) else event.to_dict()
                    sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                else:
                    table_rows.append(event)

        def on_already_coded(doc: Document) -> None:
            if show_stored:
                emit(store.events(doc_id=doc.id))

        with store:
            skip_log, resume_stats = SkipLog(store), ResumeStats()
            options = coding_options(min_confidence, include_negated, prefilter)
            change = options_change(store.coding_options(), options) if store.counts()["documents"] else None
            if change:
                err.print(f"[yellow]note[/] {change}")
            store.record_coding_options(options)
            pipeline = None
            if engine == "local":
                with err.status("Loading the spaCy model, lexicons and gazetteer…", spinner="dots"):
                    pipeline = _load_pipeline(batch_size, n_process, prefilter, min_confidence, time_budget)
            total = _count_documents(inputs)
            with progress_bar(show_progress) as bar:
                task = bar.add_task("coding", total=total, events=0, total_text=f"{total:,}" if total else "?")
                todo = filter_already_coded(documents(), store, resume_stats, on_already_coded) if resume \
                    else documents()

                def advance(n: int) -> None:
                    nonlocal n_docs, n_events
                    n_docs, n_events = n_docs + 1, n_events + n
                    bar.update(task, advance=1, events=n_events)

                if engine == "dask":  # shards coded on the cluster, merged here (eventwire.scale)
                    from ..scale import CodingOptions, code_into_store

                    def stored(doc: Document, n: int) -> None:
                        advance(n)
                        emit(store.events(doc_id=doc.id))

                    def skipped_there(item: Skipped) -> None:  # already stored by the shard merge
                        skipped.append(item)
                        err.print(f"[yellow]skipped[/] {item.origin}: {item.reason}")

                    code_into_store(todo, store, stored, scheduler=scheduler, workers=workers, options=CodingOptions(
                        prefilter=prefilter, include_negated=include_negated, batch_size=batch_size,
                        min_confidence=min_confidence, time_budget_s=time_budget), on_skipped=skipped_there)
                else:
                    _code_locally(pipeline, todo, store, include_negated, advance, emit, note_skipped)
            merged = store.ensure_merged()  # also after a run killed once everything was stored
            counts = store.counts()

        if fmt == "table":
            print_events(table_rows, shown=shown,
                         more_hint=f"See them all: eventwire events --db {db} --limit N, or --format jsonl.")
        reasons = Counter(skip_kind(s.reason) for s in skipped)
        summary = f"[bold]{n_docs}[/] documents coded, [bold]{n_events}[/] events, [bold]{len(skipped)}[/] inputs skipped"
        if reasons:
            summary += " (" + ", ".join(f"{n}× {r}" for r, n in reasons.most_common()) + ")"
        if resume_stats.summary():
            summary += f"; {resume_stats.summary()} (--recode codes them again, --show-stored shows their events)"
        err.print(summary + f". Store {db}: {counts['documents']} documents, {counts['events']} events in total"
                  + (", merged tables updated." if merged is not None else "."))
        if skipped:
            raise typer.Exit(EXIT_SOME_INPUTS_SKIPPED)


def _load_pipeline(batch_size: int, n_process: int, prefilter: bool, min_confidence: Optional[float],
                   time_budget: float):
    from ..pipeline import Pipeline

    pipeline = Pipeline(batch_size=batch_size, n_process=n_process, prefilter=prefilter,
                        min_confidence=min_confidence, time_budget_s=time_budget)
    pipeline.prepare(warm_up=True)  # the model, lexicons and gazetteer load here, under the status line
    return pipeline


def _code_locally(pipeline, todo, store, include_negated: bool, advance, emit, note_skipped) -> None:
    from ..actors.memory import ActorMemory
    from eventwire.store.resume import finish_run, start_run

    # People learned in earlier runs resolve bare names in this one. The snapshot is taken when the run
    # starts (or when the unfinished run it resumes started), so the result depends neither on document
    # order, nor on the number of processes, nor on where an earlier attempt was killed.
    memory = ActorMemory(store)
    pipeline.extractor.resolver.memory = start_run(store, memory)
    for coded in pipeline.code_documents(todo):
        problem = getattr(coded, "skipped", None)
        if problem is not None:  # the pipeline could not code this document (error, time budget)
            note_skipped(problem)
            continue
        events = coded.events
        if not include_negated:
            events = [e for e in events if not (e.negated or e.hypothetical)]
        document = coded.document
        store.save_document(document, coded.sentences, events,
                            then=lambda: memory.learn_from_events(events, date=document.date, doc_id=document.id))
        advance(len(events))
        emit(events)
    finish_run(store)


def _count_documents(inputs: list[str]) -> Optional[int]:
    """How many documents the inputs hold, when that is cheap to know (lines of .jsonl, rows of .csv, .txt and
    .html files, in folders too); None when some input cannot be counted without reading it (feeds, WARC,
    .json, gzip, stdin). Only the progress bar's total and ETA use it."""
    total = 0
    for name in inputs:
        if name == "-":
            return None
        path = Path(name)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            kind = COUNTED_SUFFIXES.get(file.suffix.lower())
            if kind is None:
                if path.is_dir() and file.suffix.lower() not in (".rss", ".atom", ".xml", ".warc", ".gz", ".json"):
                    continue  # readers pass over unknown files in folders
                return None
            try:
                if kind == "file":
                    total += 1
                elif kind == "lines":
                    with open(file, "rb") as f:
                        total += sum(1 for line in f if line.strip())
                else:
                    import csv
                    csv.field_size_limit(sys.maxsize)
                    with open(file, newline="", encoding="utf-8", errors="replace") as f:
                        total += max(0, sum(1 for _ in csv.reader(f)) - 1)
            except OSError:
                return None
    return total
