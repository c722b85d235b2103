"""Development zones (开发区) without a published outline, carved out of a
host district of their city."""

from __future__ import annotations

import numpy as np
import shapely

from ...geo.shapes import KM_PER_DEG, area_km2, as_multipolygon, random_points_in
from .seeds import rng_for

# Development zones without a published outline and the district they are
# carved out of (where the zone really lies); other zones use a district of
# the same city in code order.
DEV_ZONE_SEED = 34
DEV_ZONE_HOSTS = {
    "340176": "340104",  # 合肥高新区 — 蜀山区
    "340177": "340104",  # 合肥经开区 — 蜀山区 (south)
    "340178": "340102",  # 合肥新站区 — 瑶海区
    "340271": "340207",  # 芜湖经开区 — 鸠江区
    "340272": "340209",  # 三山经开区 — 弋江区
}
DEV_ZONE_KM2_PER_STREET = 30.0


def _blob(center: tuple[float, float], radius_deg: float, rng: np.random.Generator):
    """An irregular 24-gon around ``center`` (radius in degrees of latitude)."""
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    r = (
        radius_deg
        * (1 + 0.25 * np.sin(angles * 2 + rng.uniform(0, 6.3)))
        * rng.uniform(0.85, 1.15, 24)
    )
    k = np.cos(np.radians(center[1]))
    xs = center[0] + r * np.cos(angles) / k
    ys = center[1] + r * np.sin(angles)
    return shapely.Polygon(np.column_stack([xs, ys]))


def carve_dev_zones(
    *,
    zones: list[tuple[str, int]],
    hosts: dict[str, shapely.Geometry],
    fixed: dict[str, shapely.Geometry] | None = None,
    seed: int = DEV_ZONE_SEED,
) -> tuple[dict[str, shapely.Geometry], dict[str, shapely.Geometry]]:
    """Carve each development zone (code, number of streets) out of a host
    district of its city. Returns (zone outlines, host outlines that changed).
    Zones in ``fixed`` (the user's real outlines) are only subtracted."""
    fixed = fixed or {}
    remaining = dict(hosts)
    for code, geom in sorted(fixed.items()):
        for host in sorted(h for h in hosts if h[:4] == code[:4]):
            if shapely.intersects(remaining[host], geom):
                remaining[host] = as_multipolygon(shapely.difference(remaining[host], geom))
    carved: dict[str, shapely.Geometry] = {}
    by_city: dict[str, int] = {}
    for code, n_streets in sorted(zones):
        if code in fixed:
            continue
        city_hosts = sorted(h for h in hosts if h[:4] == code[:4])
        if not city_hosts:
            continue
        nth = by_city.get(code[:4], 0)
        by_city[code[:4]] = nth + 1
        host = DEV_ZONE_HOSTS.get(code)
        if host not in remaining:
            host = city_hosts[nth % len(city_hosts)]
        avail = remaining[host]
        shapely.prepare(avail)
        rng = rng_for(seed, code)
        # The most interior of a few candidate points keeps the zone compact.
        candidates = random_points_in(avail, 16, rng)
        dist = shapely.distance(shapely.points(candidates), avail.boundary)
        center = tuple(candidates[int(np.argmax(dist))])
        avail_km2 = float(area_km2(avail))
        target = min(max(n_streets, 1) * DEV_ZONE_KM2_PER_STREET, 0.35 * avail_km2)
        radius = np.sqrt(target / np.pi) / KM_PER_DEG
        zone = as_multipolygon(shapely.intersection(_blob(center, radius, rng), avail))
        got = float(area_km2(zone))
        if got > 0:
            radius *= np.sqrt(target / got)
            zone = as_multipolygon(
                shapely.intersection(_blob(center, radius, rng_for(seed, code)), avail)
            )
        carved[code] = zone
        remaining[host] = as_multipolygon(shapely.difference(avail, zone))
    changed = {h: g for h, g in remaining.items() if g is not hosts[h]}
    return carved, changed
