"""The dashboard map: country outlines (basemap.py), located events as circles, and labels that do not pile up.

Places are already grouped by the query (one row per place, with its event count). Places whose circles
would overlap on screen are clustered: the busiest place anchors a cluster and nearby smaller ones join
it, so one circle (area ~ events, colour = mean Goldstein) stands for a city and its suburbs, or a
small region. Only the largest clusters are named, each label placed where it collides with no other;
country names come after, in the space that is left.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from markupsafe import Markup, escape

from . import basemap
from .charts import _fmt, _svg, country_name, goldstein_color

CLUSTER_DISTANCE = 14.0  # map units: places closer than this to a busier one join its cluster
MAX_POINT_LABELS = 12
MAX_RADIUS, MIN_RADIUS = 16.0, 3.0
CHAR_WIDTH, LABEL_HEIGHT = 6.3, 12.0  # an 11px system font, roughly
HALO = 'paint-order="stroke" stroke="#f4f7f9" stroke-width="3" stroke-linejoin="round"'


@dataclass
class Cluster:
    x: float
    y: float
    places: list[dict[str, Any]] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(p["events"] for p in self.places)

    @property
    def goldstein_mean(self) -> Optional[float]:
        weighted = [(p["goldstein_mean"], p["events"]) for p in self.places if p.get("goldstein_mean") is not None]
        n = sum(w for _, w in weighted)
        return round(sum(g * w for g, w in weighted) / n, 2) if n else None

    @property
    def anchor(self) -> dict[str, Any]:
        return self.places[0]

    @property
    def label(self) -> str:
        name = self.anchor.get("name") or country_name(self.anchor.get("country") or "?")
        return f"{name} +{len(self.places) - 1}" if len(self.places) > 1 else name


def cluster_places(points: list[dict[str, Any]], distance: float = CLUSTER_DISTANCE) -> list[Cluster]:
    """Greedy, busiest first: a place joins the first cluster whose anchor is within `distance`."""
    clusters: list[Cluster] = []
    for p in sorted(points, key=lambda p: (-p["events"], p.get("name") or "")):
        x, y = basemap.project(p["lat"], p["lon"])
        home = next((c for c in clusters if math.hypot(c.x - x, c.y - y) < distance), None)
        if home is None:
            clusters.append(Cluster(x, y, [p]))
        else:
            home.places.append(p)
    return clusters


class _Labels:
    """Rectangles already taken by labels, so that a new one can go where it overlaps none."""

    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        self.taken: list[tuple[float, float, float, float]] = []

    def place(self, candidates: list[tuple[float, float, str]], text: str) -> Optional[tuple[float, float, str]]:
        w = CHAR_WIDTH * len(text)
        for x, y, anchor in candidates:
            left = x - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
            box = (left, y - LABEL_HEIGHT + 2, left + w, y + 2)
            inside = box[0] >= 0 and box[2] <= self.width and box[1] >= 0 and box[3] <= self.height
            if inside and not any(_overlap(box, t) for t in self.taken):
                self.taken.append(box)
                return x, y, anchor
        return None


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def world_map(points: list[dict[str, Any]], link_of: Callable[[dict[str, Any]], str]) -> Markup:
    width, height = basemap.MAP_WIDTH, basemap.MAP_HEIGHT
    outlines = basemap.countries()
    clusters = cluster_places(points)
    emax = max((c.events for c in clusters), default=1)
    with_events = {p.get("country") for p in points}
    body = [f'<rect class="sea" width="{width}" height="{_fmt(height)}" fill="#eef4f8"/>']
    for c in outlines:
        fill = "#d3dee7" if c.iso3 in with_events else "#e3e9ee"
        body.append(f'<path class="land" d="{c.path}" fill="{fill}" stroke="#ffffff" stroke-width="0.6">'
                    f"<title>{escape(c.name)}</title></path>")
    for lon in range(-150, 181, 30):
        x, _ = basemap.project(0, lon)
        body.append(f'<line x1="{_fmt(x)}" x2="{_fmt(x)}" y1="0" y2="{_fmt(height)}" stroke="#c9d6e0" '
                    f'stroke-width="0.5" stroke-dasharray="2 3"/>')
    for lat in range(-30, 61, 30):
        _, y = basemap.project(lat, 0)
        body.append(f'<line x1="0" x2="{width}" y1="{_fmt(y)}" y2="{_fmt(y)}" stroke="#c9d6e0" stroke-width="0.5" '
                    f'stroke-dasharray="2 3"/><text x="3" y="{_fmt(y - 2)}" fill="#8aa" font-size="9">{lat}°</text>')
    labels = _Labels(width, height)
    radius = {id(c): MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(c.events / emax) for c in clusters}
    circles, texts = [], []
    for c in clusters:  # busiest first, so small circles are drawn on top of big ones
        r = radius[id(c)]
        members = "; ".join(f"{p.get('name') or '?'} ({p.get('country') or '?'}) {p['events']}" for p in c.places[:8])
        more = f"; … {len(c.places) - 8} more places" if len(c.places) > 8 else ""
        tip = f"{c.events} events — {members}{more} — mean Goldstein {c.goldstein_mean}"
        circles.append(f'<a href="{escape(link_of(_link_target(c)))}"><circle class="point" cx="{_fmt(c.x)}" '
                       f'cy="{_fmt(c.y)}" r="{_fmt(r)}" fill="{goldstein_color(c.goldstein_mean)}" fill-opacity="0.8" '
                       f'stroke="#fff" stroke-width="1"><title>{escape(tip)}</title></circle></a>')
    for c in clusters[:MAX_POINT_LABELS]:
        r, text = radius[id(c)], c.label
        spot = labels.place([(c.x + r + 3, c.y + 4, "start"), (c.x - r - 3, c.y + 4, "end"),
                             (c.x, c.y - r - 3, "middle"), (c.x, c.y + r + 11, "middle")], text)
        if spot:
            texts.append(f'<text class="place" x="{_fmt(spot[0])}" y="{_fmt(spot[1])}" text-anchor="{spot[2]}" '
                         f'fill="#1d3346" font-size="11" font-weight="bold" {HALO}>{escape(text)}</text>')
    for c in sorted(outlines, key=lambda c: c.label_rank):
        if c.label_rank > 3 and c.iso3 not in with_events:
            continue
        spot = labels.place([(c.label_x, c.label_y + 3, "middle")], c.name)
        if spot:
            body.append(f'<text class="country" x="{_fmt(spot[0])}" y="{_fmt(spot[1])}" text-anchor="middle" '
                        f'fill="#7f95a6" font-size="9" {HALO}>{escape(c.name)}</text>')
    body += circles + texts
    if not outlines:
        body.append(f'<text x="{width - 6}" y="{_fmt(height - 6)}" text-anchor="end" fill="#8aa" font-size="10">'
                    "country outlines need the serve extra: pip install 'eventwire[serve]'</text>")
    if not points:
        body.append(f'<rect x="{width / 2 - 300}" y="{_fmt(height / 2 - 22)}" width="600" height="34" rx="4" '
                    f'fill="#fff" fill-opacity="0.9" stroke="#c9d6e0"/>'
                    f'<text x="{width / 2}" y="{_fmt(height / 2)}" text-anchor="middle" fill="#456" font-size="13">'
                    "No events with coordinates: they appear once the places stage has located them.</text>")
    return _svg(width, int(height), body, "Map of located events", "chart map")


def _link_target(c: Cluster) -> dict[str, Any]:
    """What a circle links to: its place, or for a cluster within one country, that country."""
    countries = {p.get("country") for p in c.places}
    if len(c.places) > 1 and len(countries) == 1 and None not in countries:
        return {"name": None, "country": c.anchor["country"]}
    return c.anchor
