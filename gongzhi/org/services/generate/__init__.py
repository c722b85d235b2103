"""Generated (plausible, not real) territory geometry for the demo and tests.

No public polygons exist for Anhui's streets, communities or grids, so this
package generates them deterministically from a seed (docs/decisions/
0003-generated-grids.md): streets as Voronoi cells of seeded points inside each
county outline, communities inside each street (``county``), grids inside each
urban community and buildings inside each grid (``grids``, named by
``naming``), and population numbers aggregated up the tree (``population``).
Every random draw comes from a generator seeded by (seed, code) (``seeds``), so
a county's result does not depend on which other counties are generated, and a
re-run with the same seed writes byte-identical geometry and codes
(``persist``). Development zones without an outline are carved out of a host
district (``zones``, used by the boundary import).

A boundary whose source is IMPORTED (the user's real data) is never
overwritten: it is used as the outline its children are generated in, and the
generated siblings are fitted around it.
"""

from __future__ import annotations

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import ImportFailed

from ...constants import GeometrySource, Level
from ...models import Division
from .county import GRIDDED_SHARE, URBAN_POPULATION, VILLAGE_POPULATION, plan_county
from .grids import BUILDINGS_PER_GRID, FLOOR_CHOICES, PEOPLE_PER_GRID
from .naming import (
    ESTATE_PHASES,
    ESTATE_SUFFIXES,
    NAME_SUFFIXES,
    estate_names,
    name_core,
    short_name,
)
from .persist import BUILDING_FIELDS, NODE_FIELDS, write_plans
from .plans import BuildingPlan, CountyPlan, GridPlan, NodePlan
from .population import aggregate_population
from .report import GenerateReport
from .sql import prefix_q
from .zones import DEV_ZONE_HOSTS, DEV_ZONE_KM2_PER_STREET, DEV_ZONE_SEED, carve_dev_zones

__all__ = [
    "BUILDINGS_PER_GRID",
    "BUILDING_FIELDS",
    "DEFAULT_SEED",
    "DEV_ZONE_HOSTS",
    "DEV_ZONE_KM2_PER_STREET",
    "DEV_ZONE_SEED",
    "ESTATE_PHASES",
    "ESTATE_SUFFIXES",
    "FLOOR_CHOICES",
    "GRIDDED_SHARE",
    "NAME_SUFFIXES",
    "NODE_FIELDS",
    "PEOPLE_PER_GRID",
    "URBAN_POPULATION",
    "VILLAGE_POPULATION",
    "BuildingPlan",
    "CountyPlan",
    "GenerateReport",
    "GridPlan",
    "NodePlan",
    "carve_dev_zones",
    "estate_names",
    "generate_grids",
    "name_core",
    "plan_county",
    "short_name",
]

DEFAULT_SEED = 2024


def _geom(blob) -> shapely.Geometry | None:
    return shapely.from_wkb(bytes(blob)) if blob else None


def _counties_to_generate(counties: list[str] | None, report: GenerateReport) -> list[dict]:
    """The requested counties with an outline (the others go to ``report.skipped``)."""
    county_qs = Division.objects.filter(level=Level.COUNTY)
    if counties:
        wanted = sorted(set(counties))
        found = set(county_qs.filter(code__in=wanted).values_list("code", flat=True))
        unknown = [c for c in wanted if c not in found]
        if unknown:
            raise ImportFailed(_("县级区划代码不存在:%(codes)s") % {"codes": "、".join(unknown)})
        county_qs = county_qs.filter(code__in=wanted)
    county_rows = list(
        county_qs.values("id", "code", "name", "boundary", "center_lng", "center_lat").order_by(
            "code"
        )
    )
    todo = []
    for c in county_rows:
        if not c["boundary"]:
            report.skipped.append(c["code"])
            continue
        geom = _geom(c["boundary"])
        shapely.prepare(geom)
        todo.append(
            {
                "code": c["code"],
                "geom": geom,
                "center": (c["center_lng"], c["center_lat"]),
            }
        )
    return todo


def generate_grids(
    *, seed: int = DEFAULT_SEED, counties: list[str] | None = None
) -> GenerateReport:
    """Generate streets, communities, grids and buildings for the given county
    codes (all counties when None); see the package docstring."""
    report = GenerateReport()
    todo = _counties_to_generate(counties, report)
    codes = [c["code"] for c in todo]
    report.counties = codes
    if not codes:
        return report
    scope = prefix_q(codes)

    rows = list(
        Division.objects.filter(scope, level__in=[Level.STREET, Level.COMMUNITY])
        .values("id", "code", "name", "kind", "level", "boundary_source", *NODE_FIELDS[2:])
        .order_by("code")
    )
    imported = {
        code: _geom(blob)
        for code, blob in Division.objects.filter(
            scope,
            level__in=[Level.STREET, Level.COMMUNITY],
            boundary_source=GeometrySource.IMPORTED,
        ).values_list("code", "boundary")
    }
    streets: dict[str, list[dict]] = {}
    communities: dict[str, list[dict]] = {}
    for r in rows:
        r["geom"] = imported.get(r["code"])
        if r["level"] == Level.STREET:
            streets.setdefault(r["code"][:6], []).append(r)
        else:
            communities.setdefault(r["code"][:9], []).append(r)
    grid_sources: dict[str, set[str]] = {}
    for code, source in Division.objects.filter(scope, level=Level.GRID).values_list(
        "code", "boundary_source"
    ):
        grid_sources.setdefault(code[:12], set()).add(source)

    plans = [
        plan_county(
            county=c,
            streets=streets.get(c["code"], []),
            communities=communities,
            grid_sources=grid_sources,
            seed=seed,
        )
        for c in todo
    ]
    with transaction.atomic():
        write_plans(plans=plans, rows=rows, scope=scope, report=report)
        aggregate_population(codes)
    from ...geo.index import invalidate

    transaction.on_commit(invalidate)
    return report
