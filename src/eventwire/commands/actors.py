"""`eventwire actors ...`: inspect and correct the corpus actor memory, convert and check dictionaries.

    eventwire actors list [--name FRAGMENT]          learned people and corrections in the store
    eventwire actors show NAME [--date D]            everything known about a name, and what it resolves to
    eventwire actors correct NAME --country X --sector Y [--from D --to D] [--note ...]
    eventwire actors correct NAME --block            the name is not an actor
    eventwire actors correct NAME ... --apply        also recode the stored documents that mention NAME
    eventwire actors uncorrect NAME                  drop the corrections of a name
    eventwire actors forget NAME                     drop what was learned about a name
    eventwire actors export [-o FILE] [--format yaml|jsonl]
    eventwire actors import-petrarch FILE... [-o FILE.yaml]
    eventwire actors check FILE...                   load user dictionaries and report problems
"""
from __future__ import annotations

import json
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
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
        """List corrections and learned people (most often seen first). Candidates are learned readings not
        used yet: one weak title, waiting for a second document or a title that names the country."""
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
            kind = "correction" if e.correction else "learned" if e.confirmed else "candidate"
            table.add_row(e.name, kind, e.code, e.country or "",
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
        apply: bool = typer.Option(False, "--apply",
                                   help="Recode the stored documents that mention NAME now, and update the merged tables."),
        min_confidence: Optional[float] = typer.Option(
            None, "--min-confidence", min=0.0, max=1.0,
            help="With --apply: the threshold to recode with (default: the one the store was coded with; for a "
                 "store coded before eventwire kept it, the lowest confidence its events show)."),
        include_negated: Optional[bool] = typer.Option(
            None, "--include-negated/--factual-only",
            help="With --apply: keep negated and hypothetical events, or drop them (default: as the store was coded)."),
        db: Path = typer.Option(Path("eventwire.duckdb"), "--db", help=DB_HELP),
    ):
        """Say what NAME is; corrections win over anything learned (optionally within --from/--to).

        Stored events keep their old reading until their documents are coded again: --apply recodes the
        documents that mention NAME (or its surname) and reports how many events changed."""
        from ..actors.resolver import ActorResolver

        if not block and not (country or sector or code):
            raise typer.BadParameter("give --country/--sector/--code, or --block")
        handle = _memory(db)
        with handle as memory:
            try:
                when = _as_date(valid_from) or _as_date(valid_to, end=True)  # a day the correction covers
                resolver = ActorResolver(memory=memory)
                before = _resolves_to(memory, resolver, name, when)
                entry = memory.correct(name, country=country, sector=sector, code=code, valid_from=valid_from,
                                       valid_to=valid_to, note=note, block=block)
            except ValueError as e:
                raise typer.BadParameter(str(e)) from None
            after = _resolves_to(memory, resolver, name, when)
            what = "not an actor" if block else entry.code
            err.print(f"Corrected [bold]{name}[/] -> {what}" + (f" ({entry.window})" if entry.window != ".." else "")
                      + ".")
            mentioned = memory.documents_mentioning(name)
            if not mentioned:
                err.print(f"No stored event changes: no stored document mentions {name}.")
                return
            n = len(mentioned)
            docs = f"{n} stored document{'s' if n != 1 else ''} mention{'s' if n == 1 else ''} {name}"
            if not apply:
                if before == after:
                    err.print(f"No stored event changes: {name} already resolves to {_shown(after)}. "
                              f"({docs}; --apply recodes {'it' if n == 1 else 'them'} to make sure.)")
                else:
                    err.print(f"{docs} and keep{'s' if n == 1 else ''} events coded with the old reading "
                              f"({_shown(before)}): run this again with --apply to recode "
                              f"{'it' if n == 1 else 'them'}.")
                return
            report = recode_documents(handle.store, memory, mentioned, min_confidence=min_confidence,
                                      include_negated=include_negated)
        _print_recode_report(report, name, before, after)

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


@dataclass
class RecodeReport:
    """What `actors correct --apply` did: documents recoded and how their stored events changed."""
    documents: int = 0
    threshold: Optional[float] = None
    threshold_note: str = ""
    events_before: int = 0
    events_after: int = 0
    changed: list = field(default_factory=list)  # (old, new) event dicts at the same trigger
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (doc_id, reason): kept as stored

    @property
    def n_changed(self) -> int:
        return len(self.changed) + len(self.added) + len(self.removed)


def recode_documents(store, memory, doc_ids: List[str], *, min_confidence: Optional[float] = None,
                     include_negated: Optional[bool] = None) -> RecodeReport:
    """Code the stored documents ``doc_ids`` again from their stored title, text and date with the normal
    pipeline and the memory as it is now (a snapshot, as in `eventwire code`); each replaces its stored rows
    and what the memory learned from it. Then the merged tables are brought up to date."""
    from ..events.scorer import packaged_scorer
    from ..pipeline import Pipeline
    from ..records import Document

    report = RecodeReport()
    report.threshold, report.threshold_note = _threshold(store, min_confidence, packaged_scorer())
    if include_negated is None:  # as the store was coded; stores from before options were kept: keep them
        include_negated = (store.coding_options() or {}).get("include_negated", True)
    before = [e for d in doc_ids for e in store.events(doc_id=d)]
    marks = ", ".join("?" for _ in doc_ids)
    rows = store.query(f"SELECT doc_id, title, text, pub_date, source, url, origin FROM documents "
                       f"WHERE doc_id IN ({marks}) ORDER BY doc_id", list(doc_ids))
    documents = [Document(id=r["doc_id"], text=r["text"] or "", title=r["title"], date=r["pub_date"], source=r["source"],
                          url=r["url"], origin=r["origin"]) for r in rows]
    with err.status(f"Recoding {len(documents)} document(s)…", spinner="dots"):
        pipeline = Pipeline(n_process=1, min_confidence=report.threshold)
        pipeline.extractor.resolver.memory = memory.snapshot()  # fixed for the whole recode
        for coded in pipeline.code_documents(documents):
            problem = getattr(coded, "skipped", None)
            if problem is not None:
                report.failed.append((coded.document.id if getattr(coded, "document", None) else problem.doc_id,
                                      problem.reason))
                continue
            events = coded.events if include_negated else [e for e in coded.events if not (e.negated or e.hypothetical)]
            document = coded.document
            store.save_document(document, coded.sentences, events,
                                then=lambda: memory.learn_from_events(events, date=document.date, doc_id=document.id))
            report.documents += 1
        store.ensure_merged()
    after = [e for d in doc_ids for e in store.events(doc_id=d)]
    report.events_before, report.events_after = len(before), len(after)
    report.changed, report.added, report.removed = _event_changes(before, after)
    return report


def _threshold(store, given: Optional[float], scorer) -> tuple[Optional[float], str]:
    """The confidence threshold to recode with: ``given``, else the one the store was coded with (kept by
    `eventwire code`), else, for a store coded before that was kept, the one its events suggest."""
    if given is not None:
        return given, "--min-confidence"
    kept = store.coding_options()
    if kept is not None and "threshold" in kept:
        return kept["threshold"], "the store's coding options"
    default = scorer.threshold if scorer is not None else None
    low = store.query("SELECT min(confidence) AS low FROM events")[0]["low"]
    if default is None or low is None or low >= default:
        return None, "the model's threshold"
    # coded with a lower --min-confidence; users pass round values (0, 0.2 ...)
    return math.floor(low * 10) / 10, f"the store holds events down to confidence {low:.2f}"


def _event_changes(before: list, after: list) -> tuple[list, list, list]:
    """Events that differ: (old, new) pairs at the same trigger, then events only after, only before."""
    def key(e: dict) -> str:
        return json.dumps({k: v for k, v in e.items() if k != "event_id"}, sort_keys=True, default=str)

    def place(e: dict) -> tuple:
        return e["doc_id"], e["sentence_index"], tuple(e["evidence"]["trigger_span"] or ())

    old, new = Counter(map(key, before)), Counter(map(key, after))
    gone = [e for e in before if _take(old - new, key(e))]
    came = [e for e in after if _take(new - old, key(e))]
    pairs, added = [], []
    waiting: dict[tuple, list] = {}
    for e in gone:
        waiting.setdefault(place(e), []).append(e)
    for e in came:
        match = waiting.get(place(e))
        if match:
            pairs.append((match.pop(0), e))
        else:
            added.append(e)
    removed = [e for es in waiting.values() for e in es]
    return pairs, added, removed


def _take(counts: Counter, k: str) -> bool:
    """Consume one of ``k`` from ``counts`` (a multiset difference): True if there was one."""
    if counts[k] > 0:
        counts[k] -= 1
        return True
    return False


def _resolves_to(memory, resolver, name: str, when) -> Optional[str]:
    from ..actors.memory import BLOCK

    correction = memory.correction(name, when)
    if correction is not None and correction.code == BLOCK:
        return "not an actor"
    actor = resolver.lookup_person(name, when)
    return None if actor is None else actor.code


def _shown(code: Optional[str]) -> str:
    return code or "nothing (an unknown name)"


def _as_date(value: Optional[str], end: bool = False):
    from ..actors.people import parse_date

    return parse_date(value, end=end) if value else None


def _print_recode_report(report: RecodeReport, name: str, before: Optional[str], after: Optional[str]) -> None:
    threshold = "the model's threshold" if report.threshold is None else f"--min-confidence {report.threshold:g}"
    note = "" if report.threshold_note in ("the model's threshold", "--min-confidence") else f": {report.threshold_note}"
    err.print(f"Recoded {report.documents} document(s) that mention {name} (with {threshold}{note}); "
              f"merged tables updated.")
    for doc_id, reason in report.failed:
        err.print(f"[yellow]not recoded[/] {doc_id}: {reason} (its stored events stay)")
    if not report.n_changed:
        why = f"{name} already resolved to {_shown(after)} there" if before == after \
            else f"none of their events involve {name}"
        err.print(f"No stored event changes: {why}.")
        return
    err.print(f"{report.n_changed} event(s) changed: {len(report.changed)} with another reading, "
              f"{len(report.added)} new, {len(report.removed)} gone "
              f"({report.events_before} -> {report.events_after} events in these documents).")
    for old, new in report.changed[:10]:
        err.print(f"  {old['doc_id']} sentence {old['sentence_index']}: {_difference(old, new)}")
    for label, events in (("new", report.added), ("gone", report.removed)):
        for e in events[:5]:
            err.print(f"  {label}: {e['doc_id']} sentence {e['sentence_index']}: {_summary(e)}")


def _difference(old: dict, new: dict) -> str:
    parts = []
    for role in ("source", "target", "attributed_to"):
        a, b = old.get(role), new.get(role)
        if (a and a["code"]) != (b and b["code"]):
            text = (b or a)["text"]
            parts.append(f"{role} {text!r} {a['code'] if a else '—'} -> {b['code'] if b else '—'}")
    if old["cameo"] != new["cameo"]:
        parts.append(f"CAMEO {old['cameo']} -> {new['cameo']}")
    if parts:
        return "; ".join(parts)
    other = [k for k in new if k not in ("event_id", "source", "target", "attributed_to", "cameo", "cameo_root")
             and old.get(k) != new.get(k)]
    shown = [f"{k} {old.get(k)} -> {new.get(k)}" if not isinstance(new.get(k), (dict, list)) else k for k in other]
    return f"{_summary(new)}: " + ", ".join(shown or ["actor text"])


def _summary(e: dict) -> str:
    target = e["target"]["code"] if e.get("target") else "—"
    return f"{e['source']['code']} {e['cameo']} {target}"


class _memory:
    """Context manager: an ActorMemory on the store at ``db`` (None when missing and not ``create``)."""

    def __init__(self, db: Path, create: bool = True):
        self.db, self.create, self.store = db, create, None

    def __enter__(self):
        from ..actors.memory import ActorMemory
        from eventwire.store import EventStore, StoreError

        if not self.db.exists() and not self.create:
            err.print(f"[yellow]No store at {self.db}[/] (run `eventwire code INPUT --db {self.db}` first).")
            return None
        try:
            self.store = EventStore(self.db)
        except StoreError as exc:
            err.print(f"[red]{exc}[/]")
            raise typer.Exit(1)
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
