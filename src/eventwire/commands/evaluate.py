"""`eventwire eval`: score the coder against gold files (the rules of ../shared/tools/score.py).

One file gives its full report; several files (or a folder of them) give one table with precision,
recall and F1 for each set (eventwire.evaluation.goldsets).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

err = Console(stderr=True)
out = Console()


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        gold: List[Path] = typer.Argument(..., exists=True, metavar="GOLD",
                                          help="Gold JSONL files or folders of them: petr2_gsr, plover_gsr, "
                                               "guardian_sentences or actor_cases format."),
        corpus: Optional[Path] = typer.Option(None, "--corpus", exists=True, metavar="CSV",
                                              help="Articles that a sentence gold draws on (guardian_sample.csv); "
                                                   "default: data/corpora/ beside the gold's data/gold/."),
        min_confidence: Optional[float] = typer.Option(None, "--min-confidence", min=0.0, max=1.0, metavar="0-1",
                                                       help="Score events at or above this confidence "
                                                            "(default: the scorer's threshold)."),
        as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON (one line per set)."),
        predictions: Optional[Path] = typer.Option(None, "--predictions", exists=True, metavar="JSONL",
                                                   help="Score these events instead of coding the gold texts "
                                                        "(one gold file only)."),
        worst: int = typer.Option(10, "--worst", metavar="N", help="How many worst sentences to list (one PETR/PLOVER file)."),
    ):
        """Score eventwire against gold files: one file in detail, several (or a folder) as one table."""
        from eventwire.evaluation import metrics as evaluate, goldsets

        paths = [p for g in gold for p in (sorted(g.glob("*.jsonl")) if g.is_dir() else [g])]
        if not paths:
            raise typer.BadParameter("no .jsonl gold files found")
        if predictions is not None and len(paths) > 1:
            raise typer.BadParameter("--predictions scores one gold file")
        try:
            sets = [goldsets.load_gold_set(p, corpus=corpus) for p in paths]
        except (goldsets.GoldSetError, ValueError) as exc:
            err.print(f"[red]Cannot evaluate:[/] {exc}")
            raise typer.Exit(2)

        results = []
        coder = None
        for gold_set in sets:
            if gold_set.kind == "actors":
                predicted = _resolve_actors(gold_set.records)
            elif predictions is not None:
                predicted = [json.loads(line) for line in predictions.open() if line.strip()]
            else:
                coder = coder or _coder(min_confidence)
                predicted = [e.to_dict() for coded in coder.code_documents(gold_set.documents) for e in coded.events]
            results.append((gold_set, predicted, goldsets.score(gold_set, predicted)))

        if as_json:
            for gold_set, _, scores in results:
                print(json.dumps({"set": gold_set.name, "kind": gold_set.kind, **scores}))
            return
        if len(results) == 1:
            gold_set, predicted, scores = results[0]
            if gold_set.kind in ("petr", "plover"):
                evaluate.format_report(evaluate.score_events(gold_set.records, predicted, worst=worst),
                                       console=out, max_rows=worst)
            else:
                _print_scores(f"{gold_set.name} ({gold_set.kind})", scores)
            return
        table = Table(title="eventwire against the gold sets")
        for col in ("set", "kind", "records", "precision", "recall", "F1", "also"):
            table.add_column(col, justify="left" if col in ("set", "kind", "also") else "right")
        for gold_set, _, scores in results:
            h = goldsets.headline(gold_set.kind, scores)
            table.add_row(gold_set.name, gold_set.kind, str(len(gold_set.records)),
                          *(_fmt(h[k]) for k in ("precision", "recall", "f1")), h["extra"])
        out.print(table)
        out.print("[dim]PETR: dyad countries + CAMEO root; PLOVER: type recall; sentences: (source, target, root) "
                  "with alternatives, factual events only.[/]")


def _coder(min_confidence: Optional[float]):
    from ..pipeline import Pipeline

    return Pipeline(min_confidence=min_confidence)


def _resolve_actors(records: list[dict]) -> list[dict]:
    from ..actors.resolver import ActorResolver

    resolver = ActorResolver()
    predicted = []
    for rec in records:
        actor = resolver.resolve_text(rec["text"], context=rec.get("context") or "", date=rec.get("date"))
        predicted.append({"country": actor.country if actor else None, "code_1": actor.sector if actor else None})
    return predicted


def _print_scores(title: str, scores: dict) -> None:
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in scores.items():
        table.add_row(key, str(value))
    out.print(table)


def _fmt(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:.3f}"

