"""Time series for a dyad: event counts, Goldstein sum and mean, and QuadClass counts per day/week/month.

    >>> from eventwire.corpus.series import dyad_series
    >>> dyad_series(store, "PAK-RUS", by="week")
    [{'period': datetime.date(2024, 2, 26), 'events': 3, 'mentions': 7, 'goldstein_sum': -2.0, ...}, ...]

A dyad is "SOURCE-TARGET". Each side matches an actor whose country is that code or whose actor code
starts with it: "PAK" matches PAK, PAKGOV, PAKMIL; "PAKGOV" only the government; "---REB" rebels of
unknown country; "*" matches anyone. It is directional (PAK acting on RUS) unless ``both_directions``.
Counts are of merged events by default (``merged=False``: raw mentions); negated and hypothetical
mentions are never counted. Periods start on their first day (weeks on Monday), and periods with no
events are filled with zeros.

Only dates known to the day, week or month are counted unless ``all_precisions``: a date known only to
the year is 1 January of that year, and counting it would pile a year's vague mentions onto one day.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Optional, Union

from eventwire.corpus.merge import MENTION_DATE_SQL, MENTION_PRECISION_SQL, ensure_current
from eventwire.ontology import QUAD_CLASS_NAMES
from eventwire.store import EventStore

PERIODS = ("day", "week", "month", "year")
# Dates precise enough to count by default; a date of unknown precision (NULL) counts as a day.
COUNTED_PRECISIONS = ("day", "week", "month")
COLUMNS = ("period", "events", "mentions", "goldstein_sum", "goldstein_mean",
           "quad1", "quad2", "quad3", "quad4")

_SOURCES = {
    True: """SELECT event_date AS day, date_precision, source_code, source_country, target_code, target_country,
                    goldstein, quad_class, num_mentions FROM merged_events""",
    False: f"""SELECT {MENTION_DATE_SQL} AS day, {MENTION_PRECISION_SQL} AS date_precision, e.source_code,
                      e.source_country, e.target_code, e.target_country, e.goldstein, e.quad_class, 1 AS num_mentions
               FROM events e JOIN documents d USING (doc_id)
               WHERE NOT coalesce(e.negated, false) AND NOT coalesce(e.hypothetical, false)""",
}

DYAD_HELP = ("SOURCE-TARGET: two actors joined by '-', each a country (PAK), an actor code or its start "
             "(PAKGOV, IGOUNO, ---REB) or * for anyone, e.g. PAK-RUS, PAKGOV-*, ---REB-SYR")
_SIDE = re.compile(r"\*?|(?:---|[A-Z]{3})[A-Z]{0,12}")  # "" (as "*") for the older "PAK-" spelling


def parse_dyad(dyad: str) -> tuple[Optional[str], Optional[str]]:
    """"PAK-RUS" -> ("PAK", "RUS"); "*" (or nothing) on a side -> None: any actor. "---REB-SYR" -> ("---REB", "SYR")."""
    parts = dyad.strip().upper().split("-")
    # Codes of unknown actors contain dashes: split on the dash that leaves two valid sides, two named
    # ones if it can ("----PAK" is --- acting on PAK, not anyone acting on ---PAK).
    splits = [("-".join(parts[:i]).strip(), "-".join(parts[i:]).strip()) for i in range(1, len(parts))]
    for allow_empty in (False, True):
        for source, target in splits:
            if (_SIDE.fullmatch(source) and _SIDE.fullmatch(target)
                    and (allow_empty or (source and target))):
                return (None if source in ("", "*") else source, None if target in ("", "*") else target)
    raise ValueError(f"{dyad!r} is not a dyad: give {DYAD_HELP}")


def _side(prefix: str, code: Optional[str], params: list[Any]) -> str:
    if code is None:
        return "true"
    params.extend([code, code])
    return f"({prefix}_country = ? OR starts_with({prefix}_code, ?))"


def dyad_series(store: EventStore, dyad: str, by: str = "week", *, merged: bool = True,
                both_directions: bool = False, start: Optional[dt.date] = None, end: Optional[dt.date] = None,
                fill: bool = True, all_precisions: bool = False) -> list[dict[str, Any]]:
    """One dict per period (keys in COLUMNS), oldest first; undated events are left out, and so are events
    dated only to the year unless ``all_precisions``.

    With ``merged``, merged events are brought up to date first; a store opened read-only cannot be, and a
    stale one raises ``StoreError`` (run `eventwire merge`).
    """
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}, not {by!r}")
    source, target = parse_dyad(dyad)
    if merged:
        ensure_current(store)
    params: list[Any] = []
    match = f"({_side('source', source, params)} AND {_side('target', target, params)})"
    if both_directions:
        match += f" OR ({_side('source', target, params)} AND {_side('target', source, params)})"
    bounds = ""
    if not all_precisions:
        bounds += f" AND coalesce(date_precision, 'day') IN ({', '.join(repr(p) for p in COUNTED_PRECISIONS)})"
    if start is not None:
        bounds += " AND day >= ?"
        params.append(start)
    if end is not None:
        bounds += " AND day <= ?"
        params.append(end)
    counts = f"""
        SELECT date_trunc('{by}', day)::DATE AS period, count(*) AS events, sum(num_mentions) AS mentions,
               sum(goldstein) AS goldstein_sum, avg(goldstein) AS goldstein_mean,
               count(*) FILTER (WHERE quad_class = 1) AS quad1, count(*) FILTER (WHERE quad_class = 2) AS quad2,
               count(*) FILTER (WHERE quad_class = 3) AS quad3, count(*) FILTER (WHERE quad_class = 4) AS quad4
        FROM ({_SOURCES[merged]}) WHERE day IS NOT NULL AND ({match}){bounds}
        GROUP BY 1"""
    if not fill:
        return store.query(counts + " ORDER BY 1", params)
    # Every period from the first to the last (or start/end), zeros where nothing happened.
    sql = f"""
        WITH counts AS ({counts}),
        span AS (SELECT date_trunc('{by}', coalesce(?::DATE, min(period)))::DATE AS lo,
                        date_trunc('{by}', coalesce(?::DATE, max(period)))::DATE AS hi FROM counts),
        periods AS (SELECT unnest(generate_series(lo, hi, INTERVAL 1 {by}))::DATE AS period FROM span
                    WHERE lo IS NOT NULL AND hi IS NOT NULL)
        SELECT p.period, coalesce(c.events, 0) AS events, coalesce(c.mentions, 0) AS mentions,
               coalesce(c.goldstein_sum, 0) AS goldstein_sum, c.goldstein_mean,
               coalesce(c.quad1, 0) AS quad1, coalesce(c.quad2, 0) AS quad2,
               coalesce(c.quad3, 0) AS quad3, coalesce(c.quad4, 0) AS quad4
        FROM periods p LEFT JOIN counts c USING (period) ORDER BY p.period"""
    return store.query(sql, params + [start, end])


def dyad_series_frame(store: EventStore, dyad: str, by: str = "week", **kwargs: Any):
    """dyad_series() as a pandas DataFrame indexed by period (needs pandas: pip install 'eventwire[data]')."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError("dyad_series_frame() needs pandas: pip install 'eventwire[data]'") from exc
    rows = dyad_series(store, dyad, by, **kwargs)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["period"] = pd.to_datetime(frame["period"])
    return frame.set_index("period")


_BAR_DAYS = {"day": 0.8, "week": 5.5, "month": 24, "year": 300}
_QUAD_COLOURS = {1: "#9fd89f", 2: "#2e8b3e", 3: "#f2a3a3", 4: "#c0282d"}


def plot_series(rows: list[dict[str, Any]], path: Union[str, Path], *, title: str = "", by: str = "week") -> Path:
    """Draw the cooperation/conflict timeline to an image file (PNG, SVG, PDF by extension).

    Cooperation (QuadClass 1 light, 2 dark green) stacks up, conflict (3 light, 4 dark red) down; the line
    is the Goldstein sum per period, on the right axis. Headless: uses matplotlib's Agg canvas directly.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator
    except ImportError as exc:
        raise ImportError("--plot needs matplotlib: pip install 'eventwire[data]'") from exc
    path = Path(path)
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    periods = [r["period"] for r in rows]
    width = _BAR_DAYS.get(by, 5)
    up = [0] * len(rows)
    down = [0] * len(rows)
    for quad in (1, 2, 3, 4):
        counts = [r[f"quad{quad}"] for r in rows]
        if quad <= 2:
            ax.bar(periods, counts, width, bottom=up, color=_QUAD_COLOURS[quad], label=QUAD_CLASS_NAMES[quad])
            up = [a + b for a, b in zip(up, counts)]
        else:
            ax.bar(periods, [-c for c in counts], width, bottom=down, color=_QUAD_COLOURS[quad],
                   label=QUAD_CLASS_NAMES[quad])
            down = [a - b for a, b in zip(down, counts)]
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_ylabel("events (cooperation up, conflict down)")
    line_axis = ax.twinx()
    line_axis.plot(periods, [r["goldstein_sum"] for r in rows], color="black", linewidth=1.4, marker=".",
                   label="Goldstein sum")
    line_axis.set_ylabel("Goldstein sum")
    lo, hi = line_axis.get_ylim()
    bound = max(abs(lo), abs(hi), 1)
    line_axis.set_ylim(-bound, bound)  # zero on both axes at the same height
    bar_lo, bar_hi = ax.get_ylim()
    bar_bound = max(abs(bar_lo), abs(bar_hi), 1)
    ax.set_ylim(-bar_bound, bar_bound)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{abs(value):g}"))  # conflict counts too
    handles = ax.get_legend_handles_labels()
    line = line_axis.get_legend_handles_labels()
    fig.legend(handles[0] + line[0], handles[1] + line[1], loc="outside lower center", fontsize="small", ncols=5)
    ax.set_title(title)
    fig.savefig(path, dpi=110)
    return path
