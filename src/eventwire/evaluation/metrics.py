"""Score coded events (or resolved actors) against a gold set, with diagnostics.

The headline numbers follow the same matching rules as the independent scorer in the shared
evaluation tools, so ``EventScores.to_dict()`` and ``score_actors()`` give the same keys and values;
everything else here (confusion tables, worst sentences, actor mistakes) is extra, for debugging.

Matching rules
--------------
* An actor's *country* is the first three letters (upper-cased) of its ``country``, or of its
  ``code`` when it has no country; a missing actor (``target: None``) has country ``""``.
  Gold actors in PETR records are plain code strings, so ``"---REB"`` has country ``"---"``.
* A CAMEO *root* is the first two characters of the code.
* PETR records (``origin`` starts with "PETR"): per sentence, the set of gold
  (source country, target country, root) triples is compared with the set of predicted ones
  (precision/recall/F1 summed over sentences); the exact level compares (source code, target code,
  cameo) the same way.
* PLOVER records (``origin`` starts with "PLOVER"; the first gold event is scored):
  type recall = some predicted event in the record has the gold PLOVER type; full recall = such an
  event also has its source country among the gold sources' and, when the gold has targets, its
  target country among theirs; CAMEO root recall = over records whose gold has a cameo, some
  predicted event has its root.
* Records with other origins are ignored; predictions whose doc_id is no gold id are not scored.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Literal, Optional

if TYPE_CHECKING:
    from rich.console import Console

Triple = tuple[str, str, str]

NO_PREDICTION = "none"  # PLOVER confusion label: the record got no event at all
NO_PLOVER_TYPE = "unmapped"  # PLOVER confusion label: an event with no PLOVER type

CAMEO_ROOT_NAMES = {
    "01": "make public statement", "02": "appeal", "03": "express intent to cooperate",
    "04": "consult", "05": "diplomatic cooperation", "06": "material cooperation",
    "07": "provide aid", "08": "yield", "09": "investigate", "10": "demand",
    "11": "disapprove", "12": "reject", "13": "threaten", "14": "protest",
    "15": "exhibit force posture", "16": "reduce relations", "17": "coerce", "18": "assault",
    "19": "fight", "20": "unconventional mass violence",
}

# Words that make an actor mention a description rather than a bare personal name
# (the shared scorer's rule, re-encoded so the bare/described split agrees with it).
TITLE_AND_ORGANISATION_WORDS = frozenset(
    """
    president minister ministry prime foreign defence defense interior police army navy air
    force forces party agency bank organization organisation council court guard fleet front
    movement union league group government parliament assembly congress senate republic kingdom
    state states university office department committee commission corps brigade militia
    democratic national people's popular liberation islamic ambassador general governor mayor
    king queen prince chancellor secretary spokesman spokeswoman
    """.split()
)
_WORD = re.compile(r"[\w'’.-]+")


# --------------------------------------------------------------------------- loading


def load_gold(path: str | Path) -> list[dict]:
    """Read a gold JSONL file (one record per non-blank line)."""
    path = Path(path)
    records = []
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{line_no}: not valid JSON ({e.msg})") from e
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{line_no}: expected a JSON object")
            records.append(record)
    return records


def detect_gold_kind(records: Iterable[dict]) -> Literal["events", "actors"]:
    """"events" for sentence/event gold, "actors" for actor-resolution gold (country/code_1, no events)."""
    records = list(records)
    if not records:
        raise ValueError("empty gold set: cannot tell whether it is event or actor gold")
    if any("events" in r for r in records):
        return "events"
    if all("country" in r or "code_1" in r for r in records):
        return "actors"
    raise ValueError("unrecognised gold format: records have neither 'events' nor 'country'/'code_1'")


# --------------------------------------------------------------------------- matching keys


def actor_country(actor: Any) -> str:
    """Country part of an actor dict or code string: three-letter upper-case prefix, "" if none."""
    if not actor:
        return ""
    if isinstance(actor, dict):
        value = actor.get("country") or actor.get("code") or ""
    else:
        value = actor
    return (value or "")[:3].upper()


def cameo_root(code: Optional[str]) -> str:
    return (code or "")[:2]


def _actor_code(actor: Optional[dict]) -> Any:
    # .get with a default (not `or ""`) so a code of None stays None, as in the shared scorer.
    return (actor or {}).get("code", "")


def _root_triple(event: dict) -> Triple:
    return actor_country(event.get("source")), actor_country(event.get("target")), cameo_root(event.get("cameo"))


def _code_triple(event: dict) -> tuple:
    return _actor_code(event.get("source")), _actor_code(event.get("target")), event.get("cameo")


def _gold_root_triple(event: dict) -> Triple:
    return actor_country(event["source"]), actor_country(event["target"]), cameo_root(event["cameo"])


def _show_triple(triple: tuple) -> str:
    source, target, code = ("-" if not x else str(x) for x in triple)
    return f"{source}→{target} {code}"


# --------------------------------------------------------------------------- score containers


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


@dataclass
class Counts:
    """True positives, false positives and false negatives summed over sentences."""
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, want: set, got: set) -> None:
        self.tp += len(want & got)
        self.fp += len(got - want)
        self.fn += len(want - got)

    def prf(self) -> tuple[float, float, float]:
        """Precision, recall, F1 rounded to 3 places (F1 from the unrounded P and R)."""
        p, r = _ratio(self.tp, self.tp + self.fp), _ratio(self.tp, self.tp + self.fn)
        f1 = round(2 * p * r / (p + r), 3) if p + r else 0.0
        return round(p, 3), round(r, 3), f1


@dataclass
class RootConfusion:
    """How gold triples with one CAMEO root fared (root level, PETR records)."""
    root: str
    gold: int = 0  # gold (source country, target country, root) triples with this root
    found: int = 0
    dyad_wrong_root: int = 0  # not found, but the sentence had an event with the same dyad
    predicted_instead: Counter = field(default_factory=Counter)  # roots predicted for that dyad
    false_positives: int = 0  # predicted triples with this root that matched no gold triple

    @property
    def missed(self) -> int:
        return self.gold - self.found

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold, "found": self.found, "dyad_wrong_root": self.dyad_wrong_root,
            "predicted_instead": dict(self.predicted_instead.most_common()),
            "false_positives": self.false_positives,
        }


@dataclass
class PetrScores:
    records: int = 0
    root: Counts = field(default_factory=Counts)
    code: Counts = field(default_factory=Counts)
    by_root: dict[str, RootConfusion] = field(default_factory=dict)

    def confusion(self, root: str) -> RootConfusion:
        return self.by_root.setdefault(root, RootConfusion(root))


@dataclass
class PloverTypeRow:
    """How gold records of one PLOVER type fared, and what was predicted for them."""
    plover: str
    records: int = 0
    type_hits: int = 0
    full_hits: int = 0
    predicted: Counter = field(default_factory=Counter)  # distinct predicted labels per record

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records, "type_hits": self.type_hits, "full_hits": self.full_hits,
            "predicted": dict(self.predicted.most_common()),
        }


@dataclass
class PloverScores:
    records: int = 0
    type_hits: int = 0
    full_hits: int = 0
    cameo_hits: int = 0
    cameo_records: int = 0  # records whose gold event has a cameo code
    predicted_events: int = 0
    by_type: dict[str, PloverTypeRow] = field(default_factory=dict)

    def row(self, plover: str) -> PloverTypeRow:
        return self.by_type.setdefault(plover, PloverTypeRow(plover))


@dataclass
class SentenceDiagnosis:
    """One gold sentence that was not coded perfectly."""
    id: str
    kind: str  # "PETR" | "PLOVER"
    text: str
    missed: list[str]
    false_positives: list[str]
    gold: list[str]
    predicted: list[str]
    exact_errors: int = 0  # PETR: code-level misses + false positives

    @property
    def errors(self) -> int:
        return len(self.missed) + len(self.false_positives)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "text": self.text, "missed": self.missed,
            "false_positives": self.false_positives, "gold": self.gold, "predicted": self.predicted,
        }


@dataclass
class EventScores:
    petr: Optional[PetrScores] = None
    plover: Optional[PloverScores] = None
    worst: list[SentenceDiagnosis] = field(default_factory=list)
    ignored_records: int = 0  # gold records that are neither PETR nor PLOVER
    unmatched_predictions: int = 0  # predicted events whose doc_id is no gold record id

    def to_dict(self, diagnostics: bool = False) -> dict[str, Any]:
        """Summary with the shared scorer's key names; with `diagnostics`, the details under "diagnostics"."""
        out: dict[str, Any] = {}
        if self.petr is not None:
            for level, counts in (("root", self.petr.root), ("code", self.petr.code)):
                out[f"dyad_{level}_p"], out[f"dyad_{level}_r"], out[f"dyad_{level}_f1"] = counts.prf()
            out["petr_records"] = self.petr.records
        if self.plover is not None:
            pl = self.plover
            out["plover_type_recall"] = round(pl.type_hits / pl.records, 3)
            out["plover_full_recall"] = round(pl.full_hits / pl.records, 3)
            out["cameo_root_recall"] = round(pl.cameo_hits / pl.cameo_records, 3) if pl.cameo_records else None
            out["events_per_record"] = round(pl.predicted_events / pl.records, 2)
            out["plover_records"] = pl.records
        if diagnostics:
            out["diagnostics"] = self._diagnostics()
        return out

    def _diagnostics(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "ignored_records": self.ignored_records,
            "unmatched_predictions": self.unmatched_predictions,
            "worst": [s.to_dict() for s in self.worst],
        }
        if self.petr is not None:
            d["petr_counts"] = {
                level: {"tp": c.tp, "fp": c.fp, "fn": c.fn}
                for level, c in (("root", self.petr.root), ("code", self.petr.code))
            }
            d["petr_by_root"] = {r: c.to_dict() for r, c in sorted(self.petr.by_root.items())}
        if self.plover is not None:
            d["plover_by_type"] = {t: row.to_dict() for t, row in sorted(self.plover.by_type.items())}
        return d


# --------------------------------------------------------------------------- event scoring


def score_events(gold: list[dict], predicted: list[dict], *, worst: int = 20) -> EventScores:
    """Score predicted event dicts (``Event.to_dict()`` shape) against sentence-level event gold.

    `worst` is how many imperfect sentences to keep for debugging, most errors first.
    """
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for event in predicted:
        by_doc[str(event.get("doc_id"))].append(event)

    petr_gold = [g for g in gold if str(g.get("origin", "")).startswith("PETR")]
    plover_gold = [g for g in gold if str(g.get("origin", "")).startswith("PLOVER")]
    gold_ids = {str(g.get("id")) for g in gold}
    scores = EventScores(
        ignored_records=len(gold) - len(petr_gold) - len(plover_gold),
        unmatched_predictions=sum(len(evs) for doc, evs in by_doc.items() if doc not in gold_ids),
    )
    diagnoses: list[SentenceDiagnosis] = []
    if petr_gold:
        scores.petr = PetrScores(records=len(petr_gold))
        for g in petr_gold:
            diagnosis = _score_petr_record(scores.petr, g, by_doc.get(str(g["id"]), []))
            if diagnosis is not None:
                diagnoses.append(diagnosis)
    if plover_gold:
        scores.plover = PloverScores(records=len(plover_gold))
        for g in plover_gold:
            diagnosis = _score_plover_record(scores.plover, g, by_doc.get(str(g["id"]), []))
            if diagnosis is not None:
                diagnoses.append(diagnosis)
    diagnoses.sort(key=lambda s: (-s.errors, -s.exact_errors, s.id))
    scores.worst = diagnoses[: max(worst, 0)]
    return scores


def _score_petr_record(petr: PetrScores, g: dict, got_events: list[dict]) -> Optional[SentenceDiagnosis]:
    want = {_gold_root_triple(e) for e in g["events"]}
    got = {_root_triple(e) for e in got_events}
    petr.root.add(want, got)
    want_codes = {(e["source"], e["target"], e["cameo"]) for e in g["events"]}
    got_codes = {_code_triple(e) for e in got_events}
    petr.code.add(want_codes, got_codes)

    for triple in want:
        row = petr.confusion(triple[2])
        row.gold += 1
        if triple in got:
            row.found += 1
            continue
        other_roots = {p[2] for p in got if p[:2] == triple[:2]}
        if other_roots:
            row.dyad_wrong_root += 1
            row.predicted_instead.update(other_roots)
    for triple in got - want:
        petr.confusion(triple[2]).false_positives += 1

    exact_errors = len(want_codes ^ got_codes)
    if want == got and not exact_errors:
        return None
    return SentenceDiagnosis(
        id=str(g["id"]), kind="PETR", text=g.get("text", ""),
        missed=sorted(_show_triple(t) for t in want - got),
        false_positives=sorted(_show_triple(t) for t in got - want),
        gold=sorted(_show_triple(t) for t in want_codes),
        predicted=sorted(_show_triple(t) for t in got_codes),
        exact_errors=exact_errors,
    )


def _plover_label(event: dict) -> str:
    return event.get("plover") or NO_PLOVER_TYPE


def _score_plover_record(plover: PloverScores, g: dict, got: list[dict]) -> Optional[SentenceDiagnosis]:
    if not g.get("events"):
        raise ValueError(f"PLOVER gold record {g.get('id')!r} has no events")
    ge = g["events"][0]
    sources = {actor_country(a["code"]) for a in ge["sources"]}
    targets = {actor_country(a["code"]) for a in ge["targets"]}
    plover.predicted_events += len(got)

    same_type = [e for e in got if e.get("plover") == ge["plover"]]
    type_hit = bool(same_type)
    full_hit = any(
        actor_country(e.get("source")) in sources and (not targets or actor_country(e.get("target")) in targets)
        for e in same_type
    )
    plover.type_hits += type_hit
    plover.full_hits += full_hit
    if ge.get("cameo"):
        plover.cameo_records += 1
        plover.cameo_hits += any(cameo_root(e.get("cameo")) == cameo_root(ge["cameo"]) for e in got)

    row = plover.row(ge["plover"])
    row.records += 1
    row.type_hits += type_hit
    row.full_hits += full_hit
    row.predicted.update({_plover_label(e) for e in got} or {NO_PREDICTION})

    false_positives = [e for e in got if e.get("plover") != ge["plover"]]
    if full_hit and not false_positives:
        return None
    gold_text = _show_plover(ge["plover"], ",".join(sorted(sources)), ",".join(sorted(targets)), ge.get("cameo"))
    return SentenceDiagnosis(
        id=str(g["id"]), kind="PLOVER", text=g.get("text", ""),
        missed=[] if full_hit else [gold_text],
        false_positives=sorted(_show_predicted_plover(e) for e in false_positives),
        gold=[gold_text],
        predicted=sorted(_show_predicted_plover(e) for e in got),
    )


def _show_plover(plover: str, source: str, target: str, cameo: Optional[str]) -> str:
    return f"{plover} {source or '-'}→{target or '-'} {cameo or '-'}"


def _show_predicted_plover(e: dict) -> str:
    return _show_plover(_plover_label(e), actor_country(e.get("source")), actor_country(e.get("target")), e.get("cameo"))


# --------------------------------------------------------------------------- actor scoring


def is_bare_name(text: str) -> bool:
    """A bare personal name: 1-4 capitalised words, none a title or organisation word."""
    words = _WORD.findall(text)
    if not 0 < len(words) <= 4:
        return False
    if not all(w[:1].isupper() for w in words):
        return False
    return not any(w.lower().strip(".") in TITLE_AND_ORGANISATION_WORDS for w in words)


@dataclass
class ActorMistake:
    id: str
    text: str
    group: str  # "bare" | "described" (for sector mistakes on records without gold country: "-")
    field: str  # "country" | "sector"
    gold: str
    predicted: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ActorScores(dict):
    """The shared scorer's actor summary (a plain dict of its keys) plus `mistakes` for debugging."""

    def __init__(self, summary: dict[str, Any], mistakes: list[ActorMistake]):
        super().__init__(summary)
        self.mistakes = mistakes

    def to_dict(self, diagnostics: bool = False) -> dict[str, Any]:
        out = dict(self)
        if diagnostics:
            out["diagnostics"] = {"mistakes": [m.to_dict() for m in self.mistakes]}
        return out


def score_actors(gold: list[dict], predicted: list[Optional[dict]]) -> ActorScores:
    """Score actor resolutions given in gold order (dicts with country and code_1 or sector).

    Country accuracy counts records whose gold country is not null (an empty string means "no
    country" and must be predicted as empty/None), split into bare personal names and described
    actors; sector accuracy compares the first three letters of the predicted code_1 (or sector)
    with the gold code_1 where that is non-empty. Missing predictions count as wrong.
    """
    tallies = {"all": [0, 0], "described": [0, 0], "bare": [0, 0]}
    sector_ok = sector_n = 0
    mistakes: list[ActorMistake] = []
    for i, g in enumerate(gold):
        p = (predicted[i] if i < len(predicted) else None) or {}
        group = "-"
        if g.get("country") is not None:
            group = "bare" if is_bare_name(g["text"]) else "described"
            want, got = g["country"] or "", p.get("country") or ""
            for key in ("all", group):
                tallies[key][0] += want == got
                tallies[key][1] += 1
            if want != got:
                mistakes.append(ActorMistake(str(g.get("id")), g["text"], group, "country", want, got))
        if g.get("code_1"):
            sector_n += 1
            sector = (p.get("code_1") or p.get("sector") or "")[:3]
            sector_ok += sector == g["code_1"]
            if sector != g["code_1"]:
                mistakes.append(ActorMistake(str(g.get("id")), g["text"], group, "sector", g["code_1"], sector))
    summary: dict[str, Any] = {f"country_acc_{k}": round(ok / n, 3) if n else None for k, (ok, n) in tallies.items()}
    summary.update({f"n_{k}": n for k, (_, n) in tallies.items()})
    summary["sector_acc"] = round(sector_ok / sector_n, 3) if sector_n else None
    return ActorScores(summary, mistakes)


# --------------------------------------------------------------------------- report


def format_report(scores: EventScores | dict, *, console: Console | None = None, max_rows: int = 20) -> None:
    """Print a human-readable report (rich tables) for event or actor scores."""
    from rich.console import Console

    console = console or Console()
    if isinstance(scores, EventScores):
        _report_events(scores, console, max_rows)
    elif isinstance(scores, dict) and "country_acc_all" in scores:
        _report_actors(scores, console, max_rows)
    else:
        raise TypeError(f"cannot report on {type(scores).__name__}")


def _fmt(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _report_events(scores: EventScores, console, max_rows: int) -> None:
    from rich.table import Table

    summary = scores.to_dict()
    if scores.petr is not None:
        table = Table(title=f"PETR records: {scores.petr.records}")
        for col in ("match", "P", "R", "F1", "TP", "FP", "FN"):
            table.add_column(col, justify="left" if col == "match" else "right")
        for label, level, counts in (
            ("dyad countries + CAMEO root", "root", scores.petr.root),
            ("exact codes + CAMEO code", "code", scores.petr.code),
        ):
            table.add_row(
                label, *(_fmt(summary[f"dyad_{level}_{m}"]) for m in ("p", "r", "f1")),
                str(counts.tp), str(counts.fp), str(counts.fn),
            )
        console.print(table)

        roots = Table(title="CAMEO roots (dyad + root level)")
        for col in ("root", "name", "gold", "found", "missed", "right dyad, wrong root", "predicted instead", "false pos."):
            roots.add_column(col, justify="right" if col in ("gold", "found", "missed", "right dyad, wrong root", "false pos.") else "left")
        for root, row in sorted(scores.petr.by_root.items()):
            instead = ", ".join(f"{r or '??'}×{n}" for r, n in row.predicted_instead.most_common())
            roots.add_row(
                root or "??", CAMEO_ROOT_NAMES.get(root, ""), str(row.gold), str(row.found), str(row.missed),
                str(row.dyad_wrong_root), instead, str(row.false_positives),
            )
        console.print(roots)

    if scores.plover is not None:
        table = Table(title=f"PLOVER records: {scores.plover.records}")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key in ("plover_type_recall", "plover_full_recall", "cameo_root_recall"):
            table.add_row(key, _fmt(summary[key]))
        table.add_row("events_per_record", f"{summary['events_per_record']:.2f}")
        console.print(table)

        confusion = Table(title="PLOVER confusion: gold type → predicted types per record")
        for col in ("gold type", "records", "type hit", "full hit", "predicted"):
            confusion.add_column(col, justify="right" if col in ("records", "type hit", "full hit") else "left")
        for plover, row in sorted(scores.plover.by_type.items()):
            predicted = ", ".join(f"{t}×{n}" for t, n in row.predicted.most_common())
            confusion.add_row(plover, str(row.records), str(row.type_hits), str(row.full_hits), predicted)
        console.print(confusion)

    if scores.ignored_records or scores.unmatched_predictions:
        console.print(
            f"[yellow]{scores.ignored_records} gold records with other origins ignored; "
            f"{scores.unmatched_predictions} predicted events have a doc_id that is no gold id.[/yellow]"
        )
    if scores.worst:
        worst = Table(title="Worst sentences (missed gold + false positives)")
        for col in ("id", "missed", "false positives", "predicted", "text"):
            worst.add_column(col, overflow="fold")
        for s in scores.worst[:max_rows]:
            text = s.text if len(s.text) <= 160 else s.text[:157] + "..."
            worst.add_row(s.id, "\n".join(s.missed), "\n".join(s.false_positives), "\n".join(s.predicted), text)
        console.print(worst)
    if scores.petr is None and scores.plover is None:
        console.print("[yellow]No PETR or PLOVER gold records: nothing scored.[/yellow]")


def _report_actors(scores: dict, console, max_rows: int) -> None:
    from rich.table import Table

    table = Table(title="Actor resolution")
    for col in ("measure", "accuracy", "n"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    for key, label in (("all", "country (all)"), ("described", "country (described)"), ("bare", "country (bare names)")):
        table.add_row(label, _fmt(scores.get(f"country_acc_{key}")), str(scores.get(f"n_{key}", "")))
    table.add_row("sector (code_1)", _fmt(scores.get("sector_acc")), "")
    console.print(table)

    mistakes = getattr(scores, "mistakes", [])
    if mistakes:
        shown = Table(title=f"Actor mistakes ({len(mistakes)}; showing up to {max_rows})")
        for col in ("id", "text", "group", "field", "gold", "predicted"):
            shown.add_column(col, overflow="fold")
        for m in mistakes[:max_rows]:
            shown.add_row(m.id, m.text, m.group, m.field, m.gold or "(none)", m.predicted or "(none)")
        console.print(shown)


# --------------------------------------------------------------------------- sentences of whole articles
#
# Sentence gold with alternatives (guardian_sentences, ANNOTATION.md): each gold record is one sentence of
# a coded article (``row``), each gold event lists acceptable sources, targets and roots. The rules are the
# shared scorer's ``sentences`` mode:
# * predictions belong to a gold sentence when their doc_id ends in its row number and their sentence is
#   the same sentence (equal, one inside the other, or >= 70% of the words shared);
# * only factual events count on both sides (predictions flagged negated/hypothetical are left out);
# * actors compare as countries; "---..." and transnational CAMEO codes are "---"; a missing target is "";
# * recall counts gold events with at least one acceptable triple predicted; precision counts distinct
#   predicted triples that some gold event accepts; a root-01 prediction counts only where gold allows 01.

TRANSNATIONAL = frozenset({"IMG", "NGO", "MNC", "UAF", "UIS", "NGM"})
_ROW = re.compile(r"(\d+)$")


def sentence_actor(actor: Any) -> str:
    country = actor_country(actor)
    return "---" if country.startswith("---") or country in TRANSNATIONAL else country


def _words(text: Optional[str]) -> list[str]:
    return re.findall(r"\w+", (text or "").lower())


def same_sentence(a: Optional[str], b: Optional[str]) -> bool:
    """Two segmentations of one sentence: equal, one inside the other, or mostly the same words."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    ja, jb = " ".join(wa), " ".join(wb)
    if ja in jb or jb in ja:
        return True
    sa, sb = set(wa), set(wb)
    return len(sa & sb) / len(sa | sb) >= 0.7


def gold_alternatives(gold_event: dict) -> set[Triple]:
    """Every (source, target, root) triple a gold event accepts."""
    return {(s or "---", t, r) for s in gold_event["source"] for t in (gold_event["target"] or [""])
            for r in gold_event["root"]}


def predicted_triple(event: dict) -> Triple:
    return sentence_actor(event.get("source")), sentence_actor(event.get("target")), cameo_root(event.get("cameo"))


def is_factual(event: dict) -> bool:
    return not (event.get("hypothetical") or event.get("negated"))


def events_of_sentence(by_row: dict[str, list[dict]], g: dict) -> list[dict]:
    return [e for e in by_row.get(str(g["row"]), []) if same_sentence(e.get("sentence"), g["text"])]


def group_by_row(predicted: Iterable[dict]) -> dict[str, list[dict]]:
    by_row: dict[str, list[dict]] = defaultdict(list)
    for e in predicted:
        m = _ROW.search(str(e.get("doc_id", "")))
        by_row[m.group(1) if m else ""].append(e)
    return by_row


def score_sentences(gold: list[dict], predicted: list[dict]) -> dict[str, Any]:
    """Score events coded from whole articles against sentence gold (see the rules above); the keys
    are the shared scorer's."""
    by_row = group_by_row(predicted)
    found = n_gold = right = n_pred = root_hits = source_root_hits = type_hits = 0
    detect = Counter()
    flags_ok = flags_n = 0
    for g in gold:
        here = events_of_sentence(by_row, g)
        factual = [e for e in here if is_factual(e)]
        gold_factual = [ev for ev in g["events"] if ev.get("factual", True)]
        alternatives = [gold_alternatives(ev) for ev in gold_factual]
        got = {predicted_triple(e) for e in factual}
        n_gold += len(alternatives)
        found += sum(1 for a in alternatives if a & got)
        roots = {cameo_root(e.get("cameo")) for e in factual}
        root_hits += sum(1 for ev in gold_factual if roots & set(ev["root"]))
        source_roots = {(s, r) for s, _, r in got}
        source_root_hits += sum(1 for ev in gold_factual
                                if {(s or "---", r) for s in ev["source"] for r in ev["root"]} & source_roots)
        types = {e.get("plover") for e in factual}
        type_hits += sum(1 for ev in gold_factual if types & set(ev.get("plover", [])))
        allowed = set().union(*alternatives) if alternatives else set()
        for triple in got:
            if triple[2] == "01" and triple not in allowed:
                continue
            n_pred += 1
            right += triple in allowed
        has_event = any(cameo_root(e.get("cameo")) != "01" for e in factual)
        if has_event or gold_factual:
            detect["tp" if has_event and gold_factual else "fp" if has_event else "fn"] += 1
        for ev in g["events"]:
            if not ev.get("factual", True):
                flags_n += 1
                same_root = set(ev["root"])
                flags_ok += (any(cameo_root(e.get("cameo")) in same_root and not is_factual(e) for e in here)
                             or not any(cameo_root(e.get("cameo")) in same_root for e in factual))
    recall = found / n_gold if n_gold else 0.0
    precision = right / n_pred if n_pred else 0.0
    dp, dr, df = _prf(detect["tp"], detect["fp"], detect["fn"])
    return {
        "sent_f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
        "sent_precision": round(precision, 3), "sent_recall": round(recall, 3),
        "root_recall": round(root_hits / n_gold, 3) if n_gold else None,
        "source_root_recall": round(source_root_hits / n_gold, 3) if n_gold else None,
        "plover_recall": round(type_hits / n_gold, 3) if n_gold else None,
        "detect_p": dp, "detect_r": dr, "detect_f1": df,
        "nonfactual_kept_out": f"{flags_ok}/{flags_n}", "gold_events": n_gold, "pred_events": n_pred,
        "sentences": len(gold),
    }


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return round(p, 3), round(r, 3), round(2 * p * r / (p + r), 3) if p + r else 0.0


def is_sentence_gold(records: Iterable[dict]) -> bool:
    """Sentence gold of whole articles: records carry the article's ``row``."""
    return any("row" in r and "events" in r for r in records)
