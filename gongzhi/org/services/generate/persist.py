"""Writing county plans: streets and communities updated in place, grids and
buildings upserted by code so that ids (and what hangs on them) survive a
re-run; nothing the user imported is overwritten."""

from __future__ import annotations

import numpy as np
import shapely
from django.db.models import Q

from ...constants import GeometrySource, Kind, Level
from ...geo.shapes import area_km2, centers_of, to_wkb
from ...models import Building, Division
from .plans import CountyPlan
from .report import GenerateReport
from .sql import apply_rows, update_rows

NODE_FIELDS = ["boundary", "boundary_source", "area_km2", "center_lng", "center_lat", "population"]
BUILDING_FIELDS = ["grid", "estate", "name", "address", "floors", "households", "lng", "lat"]


def _geometry_values(geoms: list[shapely.Geometry]) -> list[tuple]:
    if not geoms:
        return []
    arr = np.array(geoms, dtype=object)
    areas = area_km2(arr)
    xs, ys = centers_of(arr)
    return [
        (to_wkb(g), round(float(a), 4), round(float(x), 7), round(float(y), 7))
        for g, a, x, y in zip(geoms, areas, xs, ys, strict=True)
    ]


def write_plans(
    *, plans: list[CountyPlan], rows: list[dict], scope: Q, report: GenerateReport
) -> None:
    _write_nodes(plans=plans, rows=rows, scope=scope, report=report)
    planned_grids = _write_grids(plans=plans, rows=rows, scope=scope, report=report)
    _write_buildings(plans=plans, planned_grids=planned_grids, scope=scope, report=report)


def _write_nodes(
    *, plans: list[CountyPlan], rows: list[dict], scope: Q, report: GenerateReport
) -> None:
    """Streets and communities: boundary (unless imported) and population."""
    by_code = {r["code"]: r for r in rows}
    nodes = [n for p in plans for n in p.nodes]
    geo_nodes = [n for n in nodes if n.geometry is not None]
    values = dict(
        zip(
            [n.code for n in geo_nodes],
            _geometry_values([n.geometry for n in geo_nodes]),
            strict=True,
        )
    )
    current_wkb = dict(
        Division.objects.filter(scope, level__in=[Level.STREET, Level.COMMUNITY]).values_list(
            "code", "boundary"
        )
    )
    full, pop_only = [], []
    for n in nodes:
        r = by_code[n.code]
        if n.code in values:
            wkb, area, x, y = values[n.code]
            new = {
                "id": r["id"],
                "boundary": wkb,
                "boundary_source": GeometrySource.GENERATED.value,
                "area_km2": area,
                "center_lng": x,
                "center_lat": y,
                "population": n.population,
            }
            old = current_wkb.get(n.code)
            same = (
                old is not None
                and bytes(old) == wkb
                and (r["area_km2"], r["center_lng"], r["center_lat"], r["population"])
                == (area, x, y, n.population)
                and r["boundary_source"] == GeometrySource.GENERATED
            )
            if not same:
                full.append(new)
        elif r["population"] != n.population:
            pop_only.append({"id": r["id"], "population": n.population})
    update_rows(Division, full)
    update_rows(Division, pop_only)
    report.nodes_updated = len(full) + len(pop_only)


def _write_grids(
    *, plans: list[CountyPlan], rows: list[dict], scope: Q, report: GenerateReport
) -> set[str]:
    """Upsert the planned grids; returns their codes."""
    community_ids = {r["code"]: r["id"] for r in rows if r["level"] == Level.COMMUNITY}
    grids = [g for p in plans for g in p.grids]
    managed = set().union(*(p.managed_communities for p in plans))
    gvalues = _geometry_values([g.geometry for g in grids])
    existing = {
        r["code"]: r
        for r in Division.objects.filter(scope, level=Level.GRID).values(
            "id", "code", "name", "parent_id", "boundary_source", "boundary", *NODE_FIELDS[2:]
        )
    }
    to_create, to_update = [], []
    for g, (wkb, area, x, y) in zip(grids, gvalues, strict=True):
        fields = {
            "name": g.name,
            "parent_id": community_ids[g.community_code],
            "boundary": wkb,
            "boundary_source": GeometrySource.GENERATED.value,
            "area_km2": area,
            "center_lng": x,
            "center_lat": y,
            "population": g.population,
        }
        old = existing.get(g.code)
        if old is None:
            to_create.append(
                {"code": g.code, "level": Level.GRID.value, "kind": Kind.GRID.value, **fields}
            )
            continue
        if old["boundary_source"] == GeometrySource.IMPORTED:
            continue
        old_fields = {k: old[k] for k in fields}
        old_fields["boundary"] = bytes(old["boundary"]) if old["boundary"] else None
        if old_fields != fields:
            to_update.append({"id": old["id"], **fields})
    planned = {g.code for g in grids}
    stale = [
        r["id"]
        for code, r in existing.items()
        if code not in planned
        and code[:12] not in managed
        and r["boundary_source"] != GeometrySource.IMPORTED
    ]
    apply_rows(Division, delete=stale, create=to_create, update=to_update)
    report.grids_created, report.grids_updated = len(to_create), len(to_update)
    report.grids_deleted = len(stale)
    report.grids_total = len(grids)
    return planned


def _write_buildings(
    *, plans: list[CountyPlan], planned_grids: set[str], scope: Q, report: GenerateReport
) -> None:
    """Upsert the planned buildings by code as well."""
    grid_ids = dict(Division.objects.filter(scope, level=Level.GRID).values_list("code", "id"))
    buildings = [b for p in plans for b in p.buildings]
    old_buildings = {
        r["code"]: r
        for r in Building.objects.filter(scope).values(
            "id", "code", "grid_id", *BUILDING_FIELDS[1:]
        )
    }
    b_create, b_update = [], []
    for b in buildings:
        fields = {
            "grid_id": grid_ids[b.grid_code],
            "estate": b.estate,
            "name": b.name,
            "address": b.address,
            "floors": b.floors,
            "households": b.households,
            "lng": b.lng,
            "lat": b.lat,
        }
        old = old_buildings.get(b.code)
        if old is None:
            b_create.append({"code": b.code, **fields})
        elif {k: old[k] for k in fields} != fields:
            b_update.append({"id": old["id"], **fields})
    planned_b = {b.code for b in buildings}
    # Buildings of regenerated grids that the plan no longer has (buildings of
    # deleted grids went with them; those of user-managed grids stay).
    stale_b = [
        r["id"]
        for code, r in old_buildings.items()
        if code not in planned_b and code[:15] in planned_grids
    ]
    apply_rows(Building, delete=stale_b, create=b_create, update=b_update)
    report.buildings_created, report.buildings_updated = len(b_create), len(b_update)
    report.buildings_deleted = len(stale_b)
    report.buildings_total = len(buildings)
