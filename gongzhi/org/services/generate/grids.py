"""The grids of one urban community and the residential buildings in each."""

from __future__ import annotations

import numpy as np
import shapely
from django.utils.translation import gettext as _

from ...geo.shapes import random_points_in, split_by_seeds
from .naming import estate_names, name_core, short_name
from .plans import BuildingPlan, CountyPlan, GridPlan
from .seeds import unique_points

# Residents per grid, calibrated so that Anhui's ~4,600 gridded residents'
# committees (3,000–15,000 residents each) give about 24,000 grids.
PEOPLE_PER_GRID = 1730
BUILDINGS_PER_GRID = (5, 10)
FLOOR_CHOICES = np.array([6, 6, 6, 7, 11, 11, 18, 18, 26, 33])


def plan_grids(
    plan: CountyPlan,
    street: dict,
    comm: dict,
    outline: shapely.Geometry,
    population: int,
    rng: np.random.Generator,
) -> None:
    """Append the community's grids and their buildings to ``plan``."""
    k = max(1, round(population / PEOPLE_PER_GRID))
    shapely.prepare(outline)
    seeds = unique_points(random_points_in(outline, k, rng), rng)
    cells = split_by_seeds(outline, seeds)
    weights = rng.uniform(0.7, 1.3, k)
    pops = np.floor(population * weights / weights.sum()).astype(int)
    pops[0] += population - int(pops.sum())
    short = short_name(comm["name"], comm["kind"])
    core = name_core(comm["name"])
    n_buildings = rng.integers(BUILDINGS_PER_GRID[0], BUILDINGS_PER_GRID[1] + 1, k)
    n_estates = rng.integers(1, 3, k)
    estates = estate_names(core, int(n_estates.sum()), rng)
    e = 0
    for i, cell in enumerate(cells):
        grid_code = f"{comm['code']}{i + 1:03d}"
        plan.grids.append(
            GridPlan(
                code=grid_code,
                name=_("%(community)s第%(n)d网格") % {"community": short, "n": i + 1},
                community_code=comm["code"],
                geometry=cell,
                population=int(pops[i]),
            )
        )
        shapely.prepare(cell)
        nb = int(n_buildings[i])
        pts = np.round(random_points_in(cell, nb, rng), 6)
        floors = rng.choice(FLOOR_CHOICES, nb)
        per_floor = rng.integers(2, 5, nb) * rng.integers(1, 3, nb)
        grid_estates = estates[e : e + int(n_estates[i])]
        e += int(n_estates[i])
        numbers = dict.fromkeys(grid_estates, 0)
        for j in range(nb):
            estate = grid_estates[j % len(grid_estates)]
            numbers[estate] += 1
            label = _("%(estate)s%(n)d栋") % {"estate": estate, "n": numbers[estate]}
            plan.buildings.append(
                BuildingPlan(
                    code=f"{grid_code}{j + 1:04d}",
                    grid_code=grid_code,
                    estate=estate,
                    name=label,
                    address=f"{street['name']}{short}{label}",
                    floors=int(floors[j]),
                    households=int(min(floors[j] * per_floor[j], 32767)),
                    lng=float(pts[j, 0]),
                    lat=float(pts[j, 1]),
                )
            )
