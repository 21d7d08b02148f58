"""Charts as inline SVG strings: no JavaScript library, no CDN, nothing fetched.

Every function returns `Markup` ready to drop into a template; every text that came from data is
escaped. Colours: the four QuadClasses (blue = cooperation, orange/red = conflict) and a diverging
scale for Goldstein values (-10 red ... 0 grey ... +10 green).
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Optional, Sequence
from urllib.parse import quote

from markupsafe import Markup, escape

from eventwire.ontology import QUAD_CLASS_NAMES

QUAD_COLORS = {1: "#8cbfe0", 2: "#2b74b8", 3: "#f0a04b", 4: "#c8423a"}
FONT = 'font-family="system-ui, sans-serif"'


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def goldstein_color(value: Optional[float]) -> str:
    """-10 red, 0 grey, +10 green, linearly in between; None grey."""
    if value is None:
        return "#9a9a9a"
    t = max(-1.0, min(1.0, value / 10.0))
    grey, red, green = (154, 154, 154), (200, 50, 40), (30, 132, 73)
    end = green if t > 0 else red
    rgb = [round(g + (e - g) * abs(t) ** 0.7) for g, e in zip(grey, end)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _svg(width: int, height: int, body: list[str], label: str, cls: str = "chart") -> Markup:
    return Markup(
        f'<svg class="{cls}" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def _x_ticks(labels: Sequence[str], x_of, y: float, max_ticks: int = 8) -> list[str]:
    if not labels:
        return []
    step = max(1, math.ceil(len(labels) / max_ticks))
    out = []
    for i in range(0, len(labels), step):
        out.append(f'<text x="{_fmt(x_of(i))}" y="{_fmt(y)}" text-anchor="middle" fill="#555">'
                   f"{escape(labels[i])}</text>")
    return out


def empty_chart(message: str, width: int = 1100, height: int = 80) -> Markup:
    return _svg(width, height, [f'<rect width="{width}" height="{height}" fill="#fafafa" stroke="#ddd"/>',
                                f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" fill="#777">'
                                f"{escape(message)}</text>"], message, "chart empty")


def quad_stacked_bars(points: list[dict[str, Any]], width: int = 1100, height: int = 260) -> Markup:
    """Events per period stacked by QuadClass; points are /api/series rows."""
    if not points:
        return empty_chart("No dated events")
    left, right, top, bottom = 44, 10, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    ymax = _nice_max(max(p["events"] for p in points))
    band = plot_w / len(points)
    bar_w = min(40.0, max(3.0, band * 0.8))
    body = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fcfcfc" stroke="#e5e5e5"/>']
    for frac in (0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - frac)
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_fmt(y)}" y2="{_fmt(y)}" stroke="#eee"/>')
        body.append(f'<text x="{left - 6}" y="{_fmt(y + 4)}" text-anchor="end" fill="#555">{_fmt(ymax * frac)}</text>')
    for i, p in enumerate(points):
        x = left + i * band + (band - bar_w) / 2
        y = top + plot_h
        parts = []
        for q in (1, 2, 3, 4):
            n = p.get(f"quad{q}", 0)
            if not n:
                continue
            h = plot_h * n / ymax
            y -= h
            parts.append(f'<rect class="q{q}" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_w)}" height="{_fmt(h)}" '
                         f'fill="{QUAD_COLORS[q]}"/>')
        tip = (f"{p['period']}: {p['events']} events — " +
               ", ".join(f"{QUAD_CLASS_NAMES[q].lower()} {p.get(f'quad{q}', 0)}" for q in (1, 2, 3, 4)))
        body.append(f'<g class="bar"><title>{escape(tip)}</title>{"".join(parts)}</g>')
    labels = [p["period"] for p in points]
    body += _x_ticks(labels, lambda i: left + (i + 0.5) * band, top + plot_h + 16)
    body += _legend([(QUAD_COLORS[q], QUAD_CLASS_NAMES[q]) for q in (1, 2, 3, 4)], left, height - 8)
    return _svg(width, height, body, "Events over time by QuadClass")


def _legend(items: list[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for color, label in items:
        out.append(f'<rect x="{_fmt(x)}" y="{_fmt(y - 9)}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{_fmt(x + 14)}" y="{_fmt(y)}" fill="#333">{escape(label)}</text>')
        x += 24 + 6.2 * len(label)
    return out


def goldstein_timeline(points: list[dict[str, Any]], width: int = 1100, height: int = 280,
                       period: str = "week") -> Markup:
    """Cooperation-conflict timeline: the Goldstein sum per period as bars above (cooperation) or below
    (conflict) zero, and the mean per period as dots on the right-hand scale (-10..+10)."""
    if not points:
        return empty_chart("No dated events for this dyad")
    left, right, top, bottom = 48, 44, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    extent = _nice_max(max(abs(p["goldstein_sum"]) for p in points) or 1.0)
    band = plot_w / len(points)
    bar_w = min(40.0, max(3.0, band * 0.7))
    mid = top + plot_h / 2
    body = [f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fcfcfc" stroke="#e5e5e5"/>',
            f'<rect x="{left}" y="{top}" width="{plot_w}" height="{_fmt(plot_h / 2)}" fill="#f1f8f3"/>',
            f'<rect x="{left}" y="{_fmt(mid)}" width="{plot_w}" height="{_fmt(plot_h / 2)}" fill="#fbf0ef"/>',
            f'<text x="{left + 6}" y="{top + 13}" fill="#1e8449">cooperation</text>',
            f'<text x="{left + 6}" y="{top + plot_h - 6}" fill="#c0392b">conflict</text>']
    for frac in (-1, -0.5, 0, 0.5, 1):
        y = mid - frac * plot_h / 2
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_fmt(y)}" y2="{_fmt(y)}" '
                    f'stroke="{"#999" if frac == 0 else "#eee"}"/>')
        body.append(f'<text x="{left - 6}" y="{_fmt(y + 4)}" text-anchor="end" fill="#555">{_fmt(extent * frac)}</text>')
        body.append(f'<text x="{left + plot_w + 6}" y="{_fmt(y + 4)}" fill="#888">{_fmt(10 * frac)}</text>')
    for i, p in enumerate(points):
        x = left + i * band + (band - bar_w) / 2
        total = p["goldstein_sum"]
        h = abs(total) / extent * plot_h / 2
        y = mid - h if total >= 0 else mid
        mean = p.get("goldstein_mean")
        tip = (f"{p['period']}: {p['events']} events, Goldstein sum {total:+.1f}"
               + (f", mean {mean:+.2f}" if mean is not None else ""))
        parts = [f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_w)}" height="{_fmt(max(h, 0.5))}" '
                 f'fill="{goldstein_color(mean if mean is not None else 0)}"/>']
        if mean is not None:
            cy = mid - mean / 10 * plot_h / 2
            parts.append(f'<circle cx="{_fmt(x + bar_w / 2)}" cy="{_fmt(cy)}" r="3" fill="#fff" stroke="#333"/>')
        body.append(f'<g class="period"><title>{escape(tip)}</title>{"".join(parts)}</g>')
    body += _x_ticks([p["period"] for p in points], lambda i: left + (i + 0.5) * band, top + plot_h + 16)
    body.append(f'<text x="{left}" y="{height - 6}" fill="#555">bars: Goldstein sum per {escape(period)} (left scale) · '
                f'dots: mean Goldstein (right scale, −10…+10)</text>')
    return _svg(width, height, body, f"Goldstein per {period}: cooperation above zero, conflict below")


def hbars(items: list[dict[str, Any]], label: str, value: str, color_of=None, link_of=None,
          width: int = 420, row: int = 20) -> Markup:
    """Horizontal bars, one row per item (event mix, top lists)."""
    if not items:
        return empty_chart("Nothing to show", width=width, height=40)
    label_w, right = 190, 40
    height = row * len(items) + 6
    vmax = max(float(i[value] or 0) for i in items) or 1.0
    body = []
    for n, item in enumerate(items):
        y = 3 + n * row
        w = (width - label_w - right) * float(item[value] or 0) / vmax
        color = color_of(item) if color_of else "#2b74b8"
        text = escape(str(item[label]))
        bar = (f'<text x="{label_w - 6}" y="{y + row * 0.65:.1f}" text-anchor="end" fill="#333">{text}</text>'
               f'<rect x="{label_w}" y="{y + 2}" width="{max(w, 1):.1f}" height="{row - 6}" fill="{color}"/>'
               f'<text x="{label_w + w + 4:.1f}" y="{y + row * 0.65:.1f}" fill="#555">{escape(str(item[value]))}</text>')
        if link_of:
            bar = f'<a href="{escape(link_of(item))}">{bar}</a>'
        body.append(bar)
    return _svg(width, height, body, "Bar chart", "chart hbars")


def ego_network(center: str, partners: list[dict[str, Any]], link_of, width: int = 420,
                height: int = 360, max_partners: int = 14) -> Markup:
    """The actor in the middle, its busiest partners on a circle; edge width = events, colour = mean Goldstein."""
    shown = partners[:max_partners]
    if not shown:
        return empty_chart("No partners", width=width, height=60)
    cx, cy = width / 2, height / 2
    radius = min(width, height) / 2 - 48
    emax = max(p["events"] for p in shown)
    edges, nodes = [], []
    for i, p in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * i / len(shown)
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        stroke = 1 + 7 * p["events"] / emax
        color = goldstein_color(p.get("goldstein_mean"))
        tip = (f"{center} – {p['partner']}: {p['events']} events ({p.get('outgoing', 0)} out, "
               f"{p.get('incoming', 0)} in), mean Goldstein {p.get('goldstein_mean')}")
        edges.append(f'<line x1="{_fmt(cx)}" y1="{_fmt(cy)}" x2="{_fmt(x)}" y2="{_fmt(y)}" stroke="{color}" '
                     f'stroke-width="{_fmt(stroke)}" stroke-opacity="0.85"><title>{escape(tip)}</title></line>')
        anchor = "middle" if abs(x - cx) < 10 else ("start" if x > cx else "end")
        lx = x + (12 if anchor == "start" else -12 if anchor == "end" else 0)
        ly = y + (4 if anchor != "middle" else (-12 if y < cy else 18))
        nodes.append(f'<a href="{escape(link_of(p["partner"]))}"><circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="8" '
                     f'fill="#fff" stroke="{color}" stroke-width="2"><title>{escape(tip)}</title></circle>'
                     f'<text x="{_fmt(lx)}" y="{_fmt(ly)}" text-anchor="{anchor}" fill="#222">'
                     f'{escape(p["partner"])}</text></a>')
    body = edges + nodes + [
        f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="22" fill="#24435f"/>',
        f'<text x="{_fmt(cx)}" y="{_fmt(cy + 4)}" text-anchor="middle" fill="#fff" font-weight="bold">'
        f"{escape(center[:8])}</text>"]
    return _svg(width, height, body, f"Network of {center} and its partners", "chart network")


def quad_mix(counts: dict[int, int], width: int = 120, height: int = 10) -> Markup:
    """A dyad's QuadClass mix as one stacked bar (a small SVG: no inline style, which the CSP forbids)."""
    total = sum(counts.get(q, 0) for q in (1, 2, 3, 4))
    body = [f'<rect width="{width}" height="{height}" rx="3" fill="#eee"/>']
    x = 0.0
    for q in (1, 2, 3, 4):
        n = counts.get(q, 0)
        if not n or not total:
            continue
        w = width * n / total
        body.append(f'<rect class="q{q}" x="{_fmt(x)}" width="{_fmt(w)}" height="{height}" fill="{QUAD_COLORS[q]}">'
                    f"<title>{escape(QUAD_CLASS_NAMES[q])}: {n}</title></rect>")
        x += w
    return Markup(f'<svg class="mix" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
                  f'aria-label="QuadClass mix" xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>')


@lru_cache(maxsize=512)
def country_name(iso3: str) -> str:
    """A country's short name from pycountry; the code itself when it is not a country (IGOs)."""
    import pycountry

    found = pycountry.countries.get(alpha_3=iso3) if len(iso3) == 3 else None
    return getattr(found, "common_name", None) or getattr(found, "name", None) or iso3


def url_quote(value: str) -> str:
    return quote(value, safe="")
