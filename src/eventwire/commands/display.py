"""What commands show people on the terminal: consoles, the progress bar, and events as readable blocks.

Machine-readable output goes to stdout; progress, tables for people and run summaries go to stderr, so
`eventwire code ... --format jsonl > events.jsonl` stays clean. The progress bar never redirects stdout
(rich would otherwise route JSONL written during the run to the terminal).
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Optional

from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.text import Text

from .. import ontology

err = Console(stderr=True)
out = Console()

DEFAULT_SHOWN = 20  # events printed as blocks before the summary says how to see the rest


class RateColumn(ProgressColumn):
    """Documents and events per second since the start of the run."""

    def render(self, task) -> Text:
        elapsed = task.elapsed or 0.0
        if elapsed <= 0:
            return Text("")
        events = task.fields.get("events", 0)
        return Text(f"{task.completed / elapsed:.1f} docs/s · {events / elapsed:.1f} events/s", style="cyan")


def progress_bar(enabled: bool) -> Progress:
    """A bar with a total and an ETA when the number of documents is known, a counter otherwise."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=24),
                    TextColumn("{task.completed:.0f}/{task.fields[total_text]} docs · {task.fields[events]} events"),
                    RateColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=err, disable=not enabled, transient=False,
                    redirect_stdout=False, redirect_stderr=False)


def as_dict(event) -> dict:
    return event if isinstance(event, dict) else event.to_dict()


def print_events(events: list, *, shown: int = DEFAULT_SHOWN, more_hint: str = "", summary: bool = True) -> None:
    """A summary of the events (how many, of which kinds, between whom), then the first ``shown`` as
    blocks (event line, then the sentence with source, trigger and target marked), then how to see the
    rest. Blocks wrap at any terminal width; a table squeezed to 120 columns would not."""
    if not events:
        err.print("[yellow]No events found.[/]")
        return
    dicts = [as_dict(e) for e in events]
    if summary:
        print_summary(dicts)
    for d in dicts[:shown]:
        err.print(event_line(d))
        err.print("   ", highlight(d), "\n", soft_wrap=False)
    rest = len(dicts) - shown
    if rest > 0:
        err.print(f"[bold]… {rest:,} more events.[/] {more_hint}".rstrip())


def print_summary(dicts: list[dict]) -> None:
    docs = len({d["doc_id"] for d in dicts})
    roots = Counter(d["cameo"][:2] for d in dicts if d.get("cameo"))
    dyads = Counter(f"{d['source']['code'] if d.get('source') else '?'}→{d['target']['code'] if d.get('target') else '—'}"
                    for d in dicts)
    err.print(f"[bold]{len(dicts):,} events[/] from {docs:,} document(s).")
    kinds = ", ".join(f"{ontology.cameo(r).name if ontology.is_cameo_code(r) else r} ({r}) {n:,}"
                      for r, n in roots.most_common(5))
    err.print(f"  most common: {kinds}")
    err.print("  busiest dyads: " + ", ".join(f"{escape(k)} {n:,}" for k, n in dyads.most_common(5)) + "\n")


def event_line(d: dict, sep: str = " · ") -> str:
    """"PAK —051 Praise or endorse→ RUS" with PLOVER type, Goldstein, date, confidence, flags and attribution."""
    name = ontology.cameo(d["cameo"]).name if ontology.is_cameo_code(d["cameo"]) else ""
    target = d["target"]["code"] if d["target"] else "—"
    line = (f"[bold]{escape(d['source']['code'])}[/] —{d['cameo']} {escape(name)}→ [bold]{escape(target)}[/]{sep}"
            f"[dim]{d['plover'] or ''} · Goldstein {d['goldstein']} · {d.get('date') or ''} · {escape(str(d['doc_id']))}"
            + (f" · confidence {d['confidence']:.2f}" if d.get("confidence") is not None else "") + "[/]")
    flags = [f for f in ("negated", "hypothetical") if d.get(f)]
    if flags:
        line += f"{sep}[magenta]{', '.join(flags)}[/]"
    if d.get("attributed_to"):
        line += f"{sep}[dim]according to {escape(d['attributed_to']['text'])}[/]"
    return line


def highlight(d: dict) -> str:
    """The sentence with source, trigger and target marked up, and the rule that fired."""
    sentence = d["sentence"] or ""
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
    return text + f"\n    [dim]rule: {escape(ev['rule'])}[/]"


def one_line_error(message: str, code: int = 1) -> None:
    """Print a problem the user can fix as one line on stderr and exit with ``code``."""
    import typer

    err.print(f"[red]{escape(message)}[/]", soft_wrap=True)  # one line, however narrow the terminal
    raise typer.Exit(code)


def counts_text(items: Iterable[tuple[str, int]]) -> Optional[str]:
    parts = [f"{n}× {r}" for r, n in items]
    return ", ".join(parts) if parts else None


def readable_help_placeholders() -> None:
    """Typer prints Python types as help placeholders ("<list[str]>" after an argument, "<bool>" after a
    flag). People read the metavar we give each option; a flag takes no value, so it shows none."""
    from typer import core

    if getattr(core.TyperOption, "_eventwire_readable", False):
        return
    option_type = core.TyperOption.display_type_rich

    def option_placeholder(self, ctx):
        if self.is_flag:
            return None
        if self.metavar is not None:
            return self.metavar
        shown = option_type(self, ctx) or ""
        if "|" in shown:  # a choice: "month|week"
            return shown.strip("<>")
        return self.name.upper()  # "--db" -> DB, "--limit" -> LIMIT: a name, not a Python type

    core.TyperOption.display_type_rich = option_placeholder
    core.TyperArgument.display_type_rich = lambda self, ctx: None  # the argument's name says it ("INPUT...")
    core.TyperOption._eventwire_readable = True
