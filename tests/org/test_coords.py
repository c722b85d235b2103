"""WGS-84 ↔ GCJ-02 ↔ BD-09 against reference pairs published by public projects."""

from __future__ import annotations

import numpy as np
import pytest

from gongzhi.org.geo import coords

# (wgs lng, wgs lat, gcj lng, gcj lat): the test pairs of googollee/eviltransform
# (Shanghai, Shenzhen, Beijing), used by its ports in many languages.
EVILTRANSFORM_PAIRS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
]
# wandergis/coordtransform test/app.js, all computed from (116.404, 39.915).
COORDTRANSFORM_WGS_TO_GCJ = (116.404, 39.915, 116.41024449916938, 39.91640428150164)
COORDTRANSFORM_GCJ_TO_BD = (116.404, 39.915, 116.41036949371029, 39.92133699351021)
COORDTRANSFORM_BD_TO_GCJ = (116.404, 39.915, 116.39762729119315, 39.90865673957631)
# Its gcj02towgs84 is the one-step approximation (metre-level error).
COORDTRANSFORM_GCJ_TO_WGS_APPROX = (116.404, 39.915, 116.39775550083061, 39.91359571849836)


@pytest.mark.parametrize(("wlng", "wlat", "glng", "glat"), EVILTRANSFORM_PAIRS)
def test_wgs84_to_gcj02_matches_eviltransform(wlng, wlat, glng, glat):
    lng, lat = coords.wgs84_to_gcj02(wlng, wlat)
    assert lng == pytest.approx(glng, abs=1e-9)
    assert lat == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlng", "wlat", "glng", "glat"), EVILTRANSFORM_PAIRS)
def test_gcj02_to_wgs84_recovers_the_reference_point_within_1cm(wlng, wlat, glng, glat):
    lng, lat = coords.to_wgs84(glng, glat, "gcj02")
    assert coords.haversine_m(lng, lat, wlng, wlat) < 0.01


def test_coordtransform_reference_values():
    x, y, ex, ey = COORDTRANSFORM_WGS_TO_GCJ
    assert coords.wgs84_to_gcj02(x, y) == pytest.approx((ex, ey), abs=1e-9)
    x, y, ex, ey = COORDTRANSFORM_GCJ_TO_BD
    assert coords.gcj02_to_bd09(x, y) == pytest.approx((ex, ey), abs=1e-9)
    x, y, ex, ey = COORDTRANSFORM_BD_TO_GCJ
    assert coords.bd09_to_gcj02(x, y) == pytest.approx((ex, ey), abs=1e-9)


def test_iterative_inverse_is_closer_than_the_one_step_approximation():
    x, y, ax, ay = COORDTRANSFORM_GCJ_TO_WGS_APPROX
    lng, lat = coords.gcj02_to_wgs84(x, y)
    # Same answer to within a metre, and exact when mapped forward again.
    assert coords.haversine_m(lng, lat, ax, ay) < 1.0
    fx, fy = coords.wgs84_to_gcj02(lng, lat)
    assert coords.haversine_m(fx, fy, x, y) < 0.01


def test_round_trips_are_below_one_metre_across_china():
    rng = np.random.default_rng(7)
    lng = rng.uniform(73.0, 135.0, 20000)
    lat = rng.uniform(18.0, 53.0, 20000)
    g = coords.wgs84_to_gcj02(lng, lat)
    w = coords.to_wgs84(*g, "gcj02")
    assert np.max(coords.haversine_m(lng, lat, *w)) < 1.0
    b = coords.wgs84_to_bd09(lng, lat)
    w2 = coords.to_wgs84(*b, "bd09")
    assert np.max(coords.haversine_m(lng, lat, *w2)) < 1.0
    # …and the offset being undone is real: hundreds of metres.
    assert np.median(coords.haversine_m(lng, lat, *g)) > 100.0


def test_points_outside_china_are_unchanged_by_gcj():
    lng = np.array([-104.9903, 153.0251, -43.1729, 2.3522])
    lat = np.array([39.7392, -27.4698, -22.9068, 48.8566])
    out = coords.wgs84_to_gcj02(lng, lat)
    assert np.array_equal(out[0], lng)
    assert np.array_equal(out[1], lat)
    back = coords.to_wgs84(lng, lat, "gcj02")
    assert np.array_equal(back[0], lng)


def test_to_wgs84_keeps_scalars_scalar_and_arrays_arrays():
    one = coords.to_wgs84(117.3, 31.8, "wgs84")
    assert one == (117.3, 31.8)
    assert isinstance(one[0], float)
    many = coords.to_wgs84([117.3, 117.4], [31.8, 31.9], "GCJ-02")
    assert many[0].shape == (2,)


def test_unknown_crs_is_refused_in_chinese():
    with pytest.raises(ValueError, match="未知的坐标系"):
        coords.to_wgs84(117.3, 31.8, "epsg3857")


@pytest.mark.parametrize(("lng", "lat"), [(181.0, 31.8), (117.3, -91.0), (float("nan"), 31.8)])
def test_out_of_range_coordinates_are_refused(lng, lat):
    with pytest.raises(ValueError, match="坐标超出范围"):
        coords.to_wgs84(lng, lat, "gcj02")
