"""Country × period panel: events and Goldstein sums per country per month (or week).

    >>> from eventwire.corpus.panel import PanelSpec, panel_rows
    >>> panel_rows(store.con, PanelSpec(by="month", role="either"))
    [{'country': 'CHN', 'period': datetime.date(2024, 3, 1), 'events': 4, 'goldstein_sum': -8.0, ...}, ...]

This is the table most analyses start from. It is *balanced*: every country that has an event in the
range gets a row for every period between the first and the last (or `start`/`end`), with zeros where
nothing happened, so it can go straight into a panel regression or a heatmap.

- **Country** is the actor's country (`source_country`/`target_country`): `role="source"` counts who
  acted, `"target"` who was acted on, `"either"` both (an event between two countries counts once for
  each; an event within one country counts once). Actors without a country (IGOs, `---REB`) are left out.
- **Counts** are of merged events by default (`merged=False`: raw mentions); negated and hypothetical
  mentions are never counted, as in `eventwire series`.
- **Dates**: only events dated to the day, week or month count (`events.date_precision`), because a
  date known only to the year would pile up in January. `all_precisions=True` counts every dated event.
  A merged record's precision is its own (`merged_events.date_precision`) where the store has that
  column, else that of its first mention.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence, Union

import duckdb

PERIODS = ("month", "week")
ROLES = ("source", "target", "either")
PRECISE = ("day", "week", "month")  # date precisions that place an event in one month (or week)
COLUMNS = ("country", "period", "events", "goldstein_sum", "goldstein_mean", "quad1", "quad2", "quad3", "quad4")


class PanelError(ValueError):
    """The panel cannot be made from this store as asked; the message is one printable line."""


@dataclass(frozen=True)
class PanelSpec:
    by: str = "month"
    role: str = "either"
    start: Optional[dt.date] = None
    end: Optional[dt.date] = None
    merged: bool = True
    min_confidence: Optional[float] = None
    all_precisions: bool = False

    def __post_init__(self) -> None:
        if self.by not in PERIODS:
            raise ValueError(f"by must be one of {', '.join(PERIODS)}, not {self.by!r}")
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {self.role!r}")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        if self.min_confidence is not None and not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be between 0 and 1, not {self.min_confidence}")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?",
        [table]).fetchall()}


def _base_sql(con: duckdb.DuckDBPyConnection, spec: PanelSpec, mention_where: str) -> str:
    """One row per counted event: day, precision, both countries, goldstein, quad_class, confidence.
    `mention_where` is a condition over `events` (the dashboard's filters); for merged records it applies
    to their first mention."""
    events = _columns(con, "events")
    confidence = "e.confidence" if "confidence" in events else "NULL::DOUBLE"
    if not spec.merged:
        return f"""SELECT coalesce(e.event_date, d.pub_date) AS day, e.date_precision AS precision,
                          e.source_country, e.target_country, e.goldstein, e.quad_class, {confidence} AS confidence
                   FROM (SELECT * FROM events WHERE {mention_where}) e LEFT JOIN documents d USING (doc_id)
                   WHERE NOT coalesce(e.negated, false) AND NOT coalesce(e.hypothetical, false)"""
    merged = _columns(con, "merged_events")
    if not merged:
        raise PanelError("this store has no merged_events table: run `eventwire merge --db FILE`, or count "
                         "raw mentions with --mentions")
    # Another part of eventwire adds merged_events.date_precision; until then, the first mention's says it
    # (joined only when needed: on a large store the join costs more than the rest of the panel).
    if "date_precision" in merged:
        precision, join = "m.date_precision", ""
    elif spec.all_precisions:
        precision, join = "NULL::VARCHAR", ""
    else:
        precision, join = "f.date_precision", "LEFT JOIN events f ON f.event_id = m.first_event_id"
    m_confidence = "m.confidence" if "confidence" in merged else "NULL::DOUBLE"
    scope = "" if mention_where == "TRUE" else \
        f"WHERE m.first_event_id IN (SELECT event_id FROM events WHERE {mention_where})"
    return f"""SELECT m.event_date AS day, {precision} AS precision, m.source_country, m.target_country,
                      m.goldstein, m.quad_class, {m_confidence} AS confidence
               FROM merged_events m {join} {scope}"""


def panel_sql(con: duckdb.DuckDBPyConnection, spec: PanelSpec, mention_where: str = "TRUE",
              mention_params: Sequence[Any] = (), fill: bool = True) -> tuple[str, list[Any]]:
    """The panel query and its parameters (values are `?` parameters; `by` comes from PERIODS)."""
    params: list[Any] = list(mention_params)
    keep = ["day IS NOT NULL"]
    if not spec.all_precisions:
        keep.append(f"precision IN ({', '.join(repr(p) for p in PRECISE)})")
    if spec.start:
        keep.append("day >= ?")
        params.append(spec.start)
    if spec.end:
        keep.append("day <= ?")
        params.append(spec.end)
    if spec.min_confidence is not None:  # events coded without a scorer have no confidence: kept
        keep.append("(confidence IS NULL OR confidence >= ?)")
        params.append(spec.min_confidence)
    known = "{side}_country IS NOT NULL AND {side}_country NOT IN ('', '---')"
    sides = []
    if spec.role in ("source", "either"):
        sides.append(f"SELECT day, source_country AS country, goldstein, quad_class FROM base "
                     f"WHERE {known.format(side='source')}")
    if spec.role in ("target", "either"):
        once = " AND target_country IS DISTINCT FROM source_country" if spec.role == "either" else ""
        sides.append(f"SELECT day, target_country AS country, goldstein, quad_class FROM base "
                     f"WHERE {known.format(side='target')}{once}")
    by = spec.by
    counts = f"""SELECT country, date_trunc('{by}', day)::DATE AS period, count(*) AS events,
                        round(coalesce(sum(goldstein), 0), 3) AS goldstein_sum,
                        round(avg(goldstein), 3) AS goldstein_mean,
                        count(*) FILTER (WHERE quad_class = 1) AS quad1, count(*) FILTER (WHERE quad_class = 2) AS quad2,
                        count(*) FILTER (WHERE quad_class = 3) AS quad3, count(*) FILTER (WHERE quad_class = 4) AS quad4
                 FROM sides GROUP BY ALL"""
    head = (f"WITH base AS (SELECT * FROM ({_base_sql(con, spec, mention_where.strip() or 'TRUE')}) "
            f"WHERE {' AND '.join(keep)}), sides AS ({' UNION ALL '.join(sides)}), counts AS ({counts})")
    if not fill:
        return f"{head} SELECT * FROM counts ORDER BY country, period", params
    # Every country × every period from the first to the last (or start/end), zeros where nothing happened.
    sql = f"""{head},
        span AS (SELECT date_trunc('{by}', coalesce(?::DATE, min(period)))::DATE AS lo,
                        date_trunc('{by}', coalesce(?::DATE, max(period)))::DATE AS hi FROM counts),
        periods AS (SELECT unnest(generate_series(lo, hi, INTERVAL 1 {by}))::DATE AS period FROM span
                    WHERE lo IS NOT NULL AND hi IS NOT NULL),
        countries AS (SELECT DISTINCT country FROM counts)
        SELECT c.country, p.period, coalesce(k.events, 0) AS events, coalesce(k.goldstein_sum, 0) AS goldstein_sum,
               k.goldstein_mean, coalesce(k.quad1, 0) AS quad1, coalesce(k.quad2, 0) AS quad2,
               coalesce(k.quad3, 0) AS quad3, coalesce(k.quad4, 0) AS quad4
        FROM countries c CROSS JOIN periods p LEFT JOIN counts k USING (country, period)
        ORDER BY c.country, p.period"""
    return sql, params + [spec.start, spec.end]


def panel_rows(con: duckdb.DuckDBPyConnection, spec: PanelSpec = PanelSpec(), *, mention_where: str = "TRUE",
               mention_params: Sequence[Any] = (), fill: bool = True) -> list[dict[str, Any]]:
    """One dict per country and period (keys in COLUMNS), by country then period."""
    sql, params = panel_sql(con, spec, mention_where, mention_params, fill)
    cursor = con.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def write_parquet(con: duckdb.DuckDBPyConnection, spec: PanelSpec, path: Union[str, Path]) -> int:
    """The filled panel as a Parquet file, written by DuckDB (no pyarrow needed); returns the row count."""
    sql, params = panel_sql(con, spec)
    relation = con.sql(sql, params=params)
    relation.write_parquet(str(path))
    return con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]


def merged_is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """True when documents were coded after merged_events was last rebuilt (read-only: cannot fix it)."""
    from eventwire.corpus.merge import merge_is_current

    try:
        return not merge_is_current(con)
    except duckdb.Error:  # a store from before merging existed
        return False


# -- shapes for people: a matrix and a heatmap ------------------------------------------------------


def matrix(rows: list[dict[str, Any]], value: str = "events", max_countries: Optional[int] = None
           ) -> tuple[list[str], list[dt.date], dict[tuple[str, dt.date], Any]]:
    """(countries by total events, busiest first; periods in order; {(country, period): value})."""
    totals: dict[str, int] = {}
    periods: set[dt.date] = set()
    cells: dict[tuple[str, dt.date], Any] = {}
    for r in rows:
        totals[r["country"]] = totals.get(r["country"], 0) + r["events"]
        periods.add(r["period"])
        cells[(r["country"], r["period"])] = r[value]
    countries = sorted(totals, key=lambda c: (-totals[c], c))
    return countries[:max_countries] if max_countries else countries, sorted(periods), cells


def period_label(period: dt.date, by: str) -> str:
    return period.strftime("%Y-%m") if by == "month" else period.isoformat()


def plot_heatmap(rows: list[dict[str, Any]], path: Union[str, Path], *, by: str = "month", value: str = "events",
                 title: str = "", max_countries: int = 40) -> Path:
    """Draw the panel as a heatmap image (PNG, SVG or PDF by extension), headless (matplotlib Agg):
    countries down (busiest first, at most `max_countries`), periods across; colour = event count, or the
    Goldstein sum on a red (conflict) to blue (cooperation) scale."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.colors import TwoSlopeNorm
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError("--plot needs matplotlib: pip install 'eventwire[data]'") from exc
    countries, periods, cells = matrix(rows, value, max_countries)
    grid = [[float(cells.get((c, p), 0) or 0) for p in periods] for c in countries]
    path = Path(path)
    fig = Figure(figsize=(min(4 + 0.35 * len(periods), 24), 1.5 + 0.28 * len(countries)), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if value == "events":
        image = ax.imshow(grid, aspect="auto", cmap="Blues", interpolation="nearest", vmin=0)
    else:
        bound = max((abs(v) for row in grid for v in row), default=1.0) or 1.0
        image = ax.imshow(grid, aspect="auto", cmap="RdBu", interpolation="nearest",
                          norm=TwoSlopeNorm(vcenter=0, vmin=-bound, vmax=bound))
    ax.set_yticks(range(len(countries)), countries)
    step = max(1, len(periods) // 24)  # at most ~24 period labels
    ax.set_xticks(range(0, len(periods), step), [period_label(p, by) for p in periods[::step]], rotation=60,
                  ha="right")
    fig.colorbar(image, ax=ax, label="events" if value == "events" else "Goldstein sum", shrink=0.8)
    ax.set_title(title)
    fig.savefig(path, dpi=110)
    return path
