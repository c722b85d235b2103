"""Planning one county: streets inside its outline, communities inside each
street, populations, and grids for the gridded urban communities."""

from __future__ import annotations

import numpy as np
import shapely

from ...constants import GeometrySource, Kind
from ...geo.shapes import as_multipolygon, centers_of, split_by_seeds
from .grids import plan_grids
from .plans import CountyPlan, NodePlan
from .seeds import rng_for, seed_points, unique_points

# Seed article: "全省97%的社区开展了网格化管理,共划分网格2.4万个".
GRIDDED_SHARE = 0.97
URBAN_POPULATION = (3000, 15000)
VILLAGE_POPULATION = (1000, 4000)


def _split_children(
    outline: shapely.Geometry,
    children: list[dict],
    clustered: set[str],
    center: tuple[float, float],
    rng: np.random.Generator,
) -> dict[str, tuple[shapely.Geometry, tuple[float, float]]]:
    """Outline → {child code: (polygon, seed point)} for children without an
    imported boundary; imported siblings are cut out first."""
    imported = [c["geom"] for c in children if c["geom"] is not None]
    free = [c for c in children if c["geom"] is None]
    if not free:
        return {}
    area = outline
    if imported:
        area = as_multipolygon(
            shapely.difference(outline, shapely.union_all(np.array(imported, dtype=object)))
        )
        if area.is_empty:
            return {}
    shapely.prepare(area)
    # Clustered children first (in code order), then the spread ones.
    ordered = [c for c in free if c["code"] in clustered] + [
        c for c in free if c["code"] not in clustered
    ]
    n_clustered = len(ordered) - sum(1 for c in free if c["code"] not in clustered)
    seeds = unique_points(
        seed_points(area, n_clustered, len(ordered) - n_clustered, center, rng), rng
    )
    cells = split_by_seeds(area, seeds)
    return {
        c["code"]: (cell, (float(s[0]), float(s[1])))
        for c, cell, s in zip(ordered, cells, seeds, strict=True)
    }


def plan_county(
    *,
    county: dict,
    streets: list[dict],
    communities: dict[str, list[dict]],
    grid_sources: dict[str, set[str]],
    seed: int,
) -> CountyPlan:
    """Geometry, population, grids and buildings for one county (pure function)."""
    plan = CountyPlan()
    outline = county["geom"]
    center = county["center"]
    street_cells = _split_children(
        outline,
        streets,
        {s["code"] for s in streets if s["kind"] == Kind.SUBDISTRICT},
        center,
        rng_for(seed, county["code"]),
    )
    for street in streets:
        s_outline, s_center = (
            (street["geom"], None)
            if street["geom"] is not None
            else street_cells.get(street["code"], (None, None))
        )
        if s_outline is None:
            continue
        if s_center is None:
            s_center = tuple(float(v[0]) for v in centers_of([s_outline]))
        members = communities.get(street["code"], [])
        rng = rng_for(seed, street["code"])
        cells = _split_children(
            s_outline,
            members,
            {m["code"] for m in members if m["kind"] == Kind.RESIDENTS_COMMITTEE},
            s_center,
            rng,
        )
        street_pop = 0
        for comm in members:
            c_outline = (
                comm["geom"] if comm["geom"] is not None else cells.get(comm["code"], (None,))[0]
            )
            crng = rng_for(seed, comm["code"])
            urban = comm["kind"] == Kind.RESIDENTS_COMMITTEE
            low, high = URBAN_POPULATION if urban else VILLAGE_POPULATION
            pop = int(crng.integers(low, high + 1))
            street_pop += pop
            plan.nodes.append(
                NodePlan(
                    code=comm["code"],
                    geometry=None if comm["geom"] is not None else c_outline,
                    population=pop,
                )
            )
            gridded = urban and crng.random() < GRIDDED_SHARE
            if GeometrySource.IMPORTED in grid_sources.get(comm["code"], set()):
                plan.managed_communities.add(comm["code"])
                continue
            if not gridded or c_outline is None:
                continue
            plan_grids(plan, street, comm, c_outline, pop, crng)
        plan.nodes.append(
            NodePlan(
                code=street["code"],
                geometry=None if street["geom"] is not None else s_outline,
                population=street_pop,
            )
        )
    return plan
