"""Territory browser pages: one node of the tree, its children and its map.

Every view resolves the node through the scoped selector, so a code outside
the user's jurisdiction is a 404 exactly like an unknown code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.masking import mask_phone

from . import selectors
from .constants import LEVEL_ORDER, Level, child_level
from .models import Division

PAGE_SIZE = 50

# Douglas-Peucker tolerance in degrees (≈ 111 km per degree), chosen by the
# level of the node whose map is drawn: a province's map of 16 cities needs far
# less detail than one community's grids.
SIMPLIFY_TOLERANCE = {
    Level.PROVINCE: 0.01,
    Level.CITY: 0.003,
    Level.COUNTY: 0.001,
    Level.STREET: 0.0003,
    Level.COMMUNITY: 0.00005,
    Level.GRID: 0.00001,
}
# Six decimals ≈ 0.1 m, finer than any boundary we hold.
COORD_PRECISION = 1e-6


@dataclass(frozen=True)
class Stat:
    label: str
    value: int


@dataclass(frozen=True)
class ChildTableRow:
    division: Division
    counts: list[int]  # in the order of the table's level columns
    grid_members: int


@dataclass(frozen=True)
class MemberRow:
    name: str
    phone_masked: str
    is_part_time: bool


def _levels_below(level: str | None) -> list[str]:
    if level is None:
        return []
    return LEVEL_ORDER[LEVEL_ORDER.index(Level(level)) + 1 :]


def _stats(division: Division, summary: dict[str, int]) -> list[Stat]:
    stats = [Stat(str(Level(lv).label), summary.get(lv, 0)) for lv in _levels_below(division.level)]
    stats.append(Stat(_("楼栋"), summary.get("buildings", 0)))
    stats.append(Stat(_("网格员"), summary.get("grid_members", 0)))
    return stats


@login_required
@require_GET
def division_detail(request, code: str):
    user = request.user
    division = selectors.division_get_for_user(user=user, code=code)
    context = {
        "division": division,
        "crumbs": selectors.division_breadcrumb(user=user, division=division),
        "stats": _stats(division, selectors.division_summary(division=division)),
        "map_url": reverse("org:division_map", kwargs={"code": division.code}),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "page_param": "page",
    }
    if division.level == Level.GRID:
        context["buildings"] = Paginator(
            selectors.grid_buildings(grid=division), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        context["page_anchor"] = "#buildings"
        context["members"] = [
            MemberRow(name=m.name, phone_masked=mask_phone(m.phone), is_part_time=m.is_part_time)
            for m in selectors.grid_members(grid=division)
        ]
        return render(request, "org/grid_detail.html", context)

    if division.level in (Level.COUNTY, Level.STREET):
        context["departments"] = list(selectors.departments_of(division=division))
    if division.level in (Level.COUNTY, Level.STREET, Level.COMMUNITY):
        context["staffing"] = selectors.division_staffing(division=division)
    count_levels = _levels_below(child_level(division.level))
    rows = [
        ChildTableRow(
            division=row.division,
            counts=[row.counts.get(lv, 0) for lv in count_levels],
            grid_members=row.grid_members,
        )
        for row in selectors.division_children(division=division)
    ]
    context["children"] = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context["page_anchor"] = "#children"
    context["child_level_label"] = (
        Level(child_level(division.level)).label if child_level(division.level) else ""
    )
    context["count_columns"] = [Level(lv).label for lv in count_levels]
    return render(request, "org/division_detail.html", context)


def _shape(geometry: shapely.Geometry, tolerance: float) -> dict | None:
    simplified = shapely.simplify(geometry, tolerance, preserve_topology=True)
    rounded = shapely.set_precision(simplified, COORD_PRECISION)
    if rounded.is_empty:
        rounded = simplified
    if rounded.is_empty:
        return None
    return json.loads(shapely.to_geojson(rounded))


def _division_feature(division: Division, *, role: str, tolerance: float) -> dict | None:
    geometry = division.geometry
    if geometry is None:
        return None
    shape = _shape(geometry, tolerance)
    if shape is None:
        return None
    return {
        "type": "Feature",
        "geometry": shape,
        "properties": {
            "role": role,
            "code": division.code,
            "name": division.short_name,
            "level": division.level,
            "population": division.population,
            "url": reverse("org:division", kwargs={"code": division.code}),
        },
    }


@login_required
@require_GET
def division_map(request, code: str):
    """GeoJSON FeatureCollection: the node's outline ("self"), its children's
    outlines ("child") and, for a grid, its buildings as points ("building")."""
    division = selectors.division_get_for_user(user=request.user, code=code)
    tolerance = SIMPLIFY_TOLERANCE[Level(division.level)]
    features = [_division_feature(division, role="self", tolerance=tolerance)]
    features += [
        _division_feature(child, role="child", tolerance=tolerance)
        for child in selectors.children_with_boundaries(division=division)
    ]
    if division.level == Level.GRID:
        features += [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [b.lng, b.lat]},
                "properties": {
                    "role": "building",
                    "code": b.code,
                    "name": b.name,
                    "estate": b.estate,
                    "address": b.address,
                    "floors": b.floors,
                    "households": b.households,
                },
            }
            for b in selectors.grid_buildings(grid=division)
        ]
    collection = {"type": "FeatureCollection", "features": [f for f in features if f]}
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
