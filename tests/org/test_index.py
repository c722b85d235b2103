"""The geometry index: point → finest known node."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gongzhi.org.constants import Level
from gongzhi.org.geo import index as geo_index
from gongzhi.org.geo.shapes import random_points_in
from gongzhi.org.models import Division
from gongzhi.org.services.generate import generate_grids

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index():
    geo_index.invalidate()
    yield
    geo_index.invalidate()


def test_a_point_in_baohe_locates_to_a_grid_of_baohe():
    baohe = Division.objects.get(code="340111").geometry
    assert shapely.contains_xy(baohe, 117.30, 31.80)
    code = geo_index.locate(117.30, 31.80)
    assert code.startswith("340111")
    assert len(code) == 15
    assert shapely.contains_xy(Division.objects.get(code=code).geometry, 117.30, 31.80)


def test_points_outside_anhui_locate_to_nothing():
    assert geo_index.locate(121.47, 31.23) is None  # Shanghai


def test_villages_are_leaves_too():
    village = Division.objects.filter(code__startswith="340111", kind="villagers").first()
    x, y = random_points_in(village.geometry, 1, np.random.default_rng(3))[0]
    assert geo_index.locate(x, y) == village.code


def test_locate_many_agrees_with_locate():
    county = Division.objects.get(code="340302").geometry
    pts = random_points_in(county, 300, np.random.default_rng(5))
    outside = np.array([[121.47, 31.23], [100.0, 20.0]])
    pts = np.concatenate([pts, outside])
    many = geo_index.locate_many(pts[:, 0], pts[:, 1])
    one = [geo_index.locate(x, y) for x, y in pts]
    assert list(many) == one
    assert all(c is not None and c.startswith("340302") for c in one[:300])


def test_the_cached_index_is_rebuilt_after_regenerating(django_capture_on_commit_callbacks):
    before = geo_index.get_index()
    assert geo_index.get_index() is before
    grid = Division.objects.filter(code__startswith="340302", level=Level.GRID).order_by("code")[0]
    with django_capture_on_commit_callbacks(execute=True):
        generate_grids(seed=11, counties=["340302"])
    after = geo_index.get_index()
    assert after is not before
    i = int(np.searchsorted(after.codes.astype(str), grid.code))
    assert after.codes[i] == grid.code
    assert not after.geometries[i].equals(before.geometries[i])


def test_a_change_from_elsewhere_is_seen_through_the_fingerprint():
    before = geo_index.get_index()
    generate_grids(seed=12, counties=["340302"])  # no on_commit here: no invalidate()
    assert geo_index.get_index() is before  # within the check interval
    assert geo_index.get_index(max_age=0) is not before
