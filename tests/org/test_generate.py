"""generate_grids: deterministic, nested and plausible generated territory."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from django.core.management import call_command

from gongzhi.org.constants import GeometrySource, Kind, Level
from gongzhi.org.geo.shapes import from_wkb_many
from gongzhi.org.models import Building, Division
from gongzhi.org.services.generate import estate_names, generate_grids, name_core

from ..conftest import TEST_COUNTIES

pytestmark = pytest.mark.django_db

COUNTY = "340302"  # 蚌埠 龙子湖区: small, quick to regenerate


def _snapshot(prefix: str) -> dict[str, bytes]:
    rows = Division.objects.filter(code__startswith=prefix, boundary__isnull=False)
    return {code: bytes(b) for code, b in rows.values_list("code", "boundary")}


def _buildings(prefix: str) -> list[tuple]:
    return list(
        Building.objects.filter(code__startswith=prefix)
        .order_by("code")
        .values_list("code", "name", "address", "lng", "lat", "floors", "households")
    )


def test_same_seed_gives_identical_codes_and_wkb():
    before, buildings = _snapshot(COUNTY), _buildings(COUNTY)
    report = generate_grids(seed=2024, counties=[COUNTY])
    assert _snapshot(COUNTY) == before
    assert _buildings(COUNTY) == buildings
    assert (report.nodes_updated, report.grids_created, report.grids_updated) == (0, 0, 0)
    assert (report.buildings_created, report.buildings_updated) == (0, 0)


def test_another_seed_gives_other_geometry_and_the_same_seed_restores_it():
    before = _snapshot(COUNTY)
    generate_grids(seed=7, counties=[COUNTY])
    other = _snapshot(COUNTY)
    assert other[COUNTY] == before[COUNTY]  # the county outline is not generated
    assert sum(other.get(c) != b for c, b in before.items()) > 0.9 * len(before)
    generate_grids(seed=2024, counties=[COUNTY])
    assert _snapshot(COUNTY) == before


def test_grid_ids_survive_a_regeneration():
    ids = dict(
        Division.objects.filter(code__startswith=COUNTY, level=Level.GRID).values_list("code", "id")
    )
    generate_grids(seed=2024, counties=[COUNTY])
    again = dict(
        Division.objects.filter(code__startswith=COUNTY, level=Level.GRID).values_list("code", "id")
    )
    assert again == ids


def _nested_excess(level: str, parent_len: int) -> float:
    """Largest share of a child's area lying outside its parent (over the test counties)."""
    rows = list(
        Division.objects.filter(
            level=level, code__regex=r"^(" + "|".join(TEST_COUNTIES) + ")"
        ).values_list("code", "boundary")
    )
    parents = dict(
        Division.objects.filter(code__in={c[:parent_len] for c, _b in rows}).values_list(
            "code", "boundary"
        )
    )
    child = from_wkb_many(b for _c, b in rows)
    parent = from_wkb_many(parents[c[:parent_len]] for c, _b in rows)
    outside = shapely.area(shapely.difference(child, parent)) / shapely.area(child)
    return float(np.max(outside))


def test_grids_lie_inside_their_community():
    assert _nested_excess(Level.GRID, 12) < 1e-6


def test_communities_lie_inside_their_county_outline():
    assert _nested_excess(Level.COMMUNITY, 6) < 1e-6


def test_streets_of_a_county_do_not_overlap_and_cover_it():
    county = Division.objects.get(code="340111")
    streets = from_wkb_many(
        Division.objects.filter(parent=county).values_list("boundary", flat=True)
    )
    total = shapely.area(streets).sum()
    assert total == pytest.approx(shapely.area(county.geometry), rel=1e-6)
    assert shapely.area(shapely.union_all(streets)) == pytest.approx(total, rel=1e-6)


def test_every_test_county_has_a_full_tree():
    for code in TEST_COUNTIES:
        county = Division.objects.get(code=code)
        streets = Division.objects.filter(parent=county)
        assert streets.count() == streets.filter(boundary__isnull=False).count() > 0
        assert Division.objects.filter(code__startswith=code, level=Level.GRID).count() > 0


def test_urban_communities_get_grids_and_villages_none():
    comms = Division.objects.filter(
        code__regex=r"^(" + "|".join(TEST_COUNTIES) + ")", level="community"
    )
    gridded = set(
        Division.objects.filter(
            level=Level.GRID, code__regex=r"^(" + "|".join(TEST_COUNTIES) + ")"
        ).values_list("parent__code", flat=True)
    )
    urban = set(comms.filter(kind=Kind.RESIDENTS_COMMITTEE).values_list("code", flat=True))
    villages = set(comms.filter(kind=Kind.VILLAGERS_COMMITTEE).values_list("code", flat=True))
    assert gridded <= urban
    assert not gridded & villages
    assert len(gridded) >= 0.9 * len(urban)


def test_grid_codes_names_and_population():
    grid = (
        Division.objects.filter(code__startswith="340111", level=Level.GRID)
        .order_by("code")
        .first()
    )
    community = grid.parent
    assert grid.code == community.code + "001"
    assert grid.name.endswith("第1网格")
    assert grid.name.startswith(name_core(community.name))
    assert grid.boundary_source == GeometrySource.GENERATED
    assert 3000 <= community.population <= 15000
    grids = Division.objects.filter(parent=community)
    assert sum(grids.values_list("population", flat=True)) == community.population


def test_population_adds_up_the_tree():
    county = Division.objects.get(code="340111")
    streets = Division.objects.filter(parent=county)
    assert county.population == sum(s.population for s in streets) > 0
    street = streets.first()
    comms = Division.objects.filter(parent=street)
    assert street.population == sum(c.population for c in comms)
    city = Division.objects.get(code="3401")
    counties = Division.objects.filter(parent=city)
    assert city.population == sum(c.population for c in counties)


def test_buildings_are_inside_their_grid_with_plausible_names():
    grid = Division.objects.filter(code__startswith="340111", level=Level.GRID).order_by("code")[3]
    buildings = list(Building.objects.filter(grid=grid).order_by("code"))
    assert 5 <= len(buildings) <= 10
    assert [b.code for b in buildings] == [
        f"{grid.code}{i:04d}" for i in range(1, len(buildings) + 1)
    ]
    xs, ys = np.array([b.lng for b in buildings]), np.array([b.lat for b in buildings])
    assert shapely.contains_xy(grid.geometry.buffer(1e-6), xs, ys).all()
    core = name_core(grid.parent.name)
    assert all(b.estate.startswith(core) and b.name.startswith(b.estate) for b in buildings)
    assert all(
        b.address.endswith(b.name) and b.address.startswith(grid.parent.parent.name)
        for b in buildings
    )


def test_estate_names_derive_from_the_community_name():
    assert name_core("蜀麓社区居民委员会") == "蜀麓"
    names = estate_names("蜀麓", 14, np.random.default_rng(1))
    assert len(set(names)) == 14
    assert "蜀麓苑" in names and "蜀麓花园" in names


def test_an_imported_boundary_is_never_overwritten(tmp_path):
    community = Division.objects.filter(
        code__startswith=COUNTY, kind=Kind.RESIDENTS_COMMITTEE
    ).first()
    square = shapely.box(*community.geometry.buffer(-1e-4).bounds)
    path = tmp_path / "real.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": community.code},
                        "geometry": json.loads(shapely.to_geojson(square)),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    call_command("import_boundaries", file=str(path), verbosity=0)
    imported = bytes(Division.objects.get(code=community.code).boundary)
    generate_grids(seed=99, counties=[COUNTY])
    node = Division.objects.get(code=community.code)
    assert node.boundary_source == GeometrySource.IMPORTED
    assert bytes(node.boundary) == imported
    # Its grids are generated inside the imported outline.
    grids = from_wkb_many(Division.objects.filter(parent=node).values_list("boundary", flat=True))
    assert len(grids) > 0
    assert shapely.area(shapely.difference(grids, node.geometry)).max() < 1e-12
