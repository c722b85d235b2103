"""Conversions between WGS-84, GCJ-02 and BD-09, vectorised with numpy.

GCJ-02 ("Mars coordinates") is the obfuscated datum every map service in
mainland China must use; BD-09 is Baidu's further offset of it. The forward
formula (WGS-84 → GCJ-02) is the public one on the Krasovsky ellipsoid; it has
no closed-form inverse, so GCJ-02 → WGS-84 is solved by fixed-point iteration
until the correction is below 1e-7° (about 1 cm), which makes every round trip
exact to far better than a metre. See docs/decisions/0002-coordinates.md.

All functions accept scalars or array-likes and return the same shape:
floats for scalars, float64 arrays otherwise. Arguments are (lng, lat).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.utils.translation import gettext as _

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
A = 6378245.0
EE = 0.00669342162296594323
X_PI = np.pi * 3000.0 / 180.0

# The rectangle the GCJ-02 offset applies to (outside it, points are unchanged).
CHINA_LNG = (72.004, 137.8347)
CHINA_LAT = (0.8293, 55.8271)

CRS_CHOICES = ("wgs84", "gcj02", "bd09")
INVERSE_TOLERANCE_DEG = 1e-7
MAX_ITERATIONS = 30


def _as_arrays(lng: Any, lat: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lng) == 0 and np.ndim(lat) == 0
    x = np.asarray(lng, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(_("经度与纬度的数量不一致。"))
    return x, y, scalar


def _out(x: np.ndarray, y: np.ndarray, scalar: bool):
    if scalar:
        return float(x), float(y)
    return x, y


def out_of_china(lng: Any, lat: Any) -> np.ndarray:
    x, y, _scalar = _as_arrays(lng, lat)
    return (x < CHINA_LNG[0]) | (x > CHINA_LNG[1]) | (y < CHINA_LAT[0]) | (y > CHINA_LAT[1])


def _gcj_delta(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (dlng, dlat) in degrees at WGS-84 point (x, y)."""
    u = x - 105.0
    v = y - 35.0
    sqrt_abs_u = np.sqrt(np.abs(u))
    common = (20.0 * np.sin(6.0 * u * np.pi) + 20.0 * np.sin(2.0 * u * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * u + 3.0 * v + 0.2 * v * v + 0.1 * u * v + 0.2 * sqrt_abs_u
    dlat += common
    dlat += (20.0 * np.sin(v * np.pi) + 40.0 * np.sin(v / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(v / 12.0 * np.pi) + 320.0 * np.sin(v * np.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + u + 2.0 * v + 0.1 * u * u + 0.1 * u * v + 0.1 * sqrt_abs_u
    dlng += common
    dlng += (20.0 * np.sin(u * np.pi) + 40.0 * np.sin(u / 3.0 * np.pi)) * 2.0 / 3.0
    dlng += (150.0 * np.sin(u / 12.0 * np.pi) + 300.0 * np.sin(u / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = y / 180.0 * np.pi
    magic = 1.0 - EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * np.pi)
    dlng = (dlng * 180.0) / (A / sqrt_magic * np.cos(rad_lat) * np.pi)
    outside = out_of_china(x, y)
    return np.where(outside, 0.0, dlng), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lng: Any, lat: Any):
    x, y, scalar = _as_arrays(lng, lat)
    dx, dy = _gcj_delta(x, y)
    return _out(x + dx, y + dy, scalar)


def gcj02_to_wgs84(lng: Any, lat: Any):
    """Exact inverse by fixed-point iteration: w ← w − (gcj(w) − g)."""
    gx, gy, scalar = _as_arrays(lng, lat)
    dx, dy = _gcj_delta(gx, gy)
    wx, wy = gx - dx, gy - dy
    for _i in range(MAX_ITERATIONS):
        dx, dy = _gcj_delta(wx, wy)
        ex = wx + dx - gx
        ey = wy + dy - gy
        wx = wx - ex
        wy = wy - ey
        if ex.size == 0 or max(np.max(np.abs(ex)), np.max(np.abs(ey))) < INVERSE_TOLERANCE_DEG:
            break
    return _out(wx, wy, scalar)


def gcj02_to_bd09(lng: Any, lat: Any):
    x, y, scalar = _as_arrays(lng, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * X_PI)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, scalar)


def bd09_to_gcj02(lng: Any, lat: Any):
    """The standard closed-form inverse of :func:`gcj02_to_bd09` (error ~1e-7°)."""
    bx, by, scalar = _as_arrays(lng, lat)
    x = bx - 0.0065
    y = by - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * X_PI)
    return _out(z * np.cos(theta), z * np.sin(theta), scalar)


def wgs84_to_bd09(lng: Any, lat: Any):
    x, y, scalar = _as_arrays(lng, lat)
    gx, gy = wgs84_to_gcj02(x, y)
    return _out(*gcj02_to_bd09(gx, gy), scalar)


def bd09_to_wgs84(lng: Any, lat: Any):
    x, y, scalar = _as_arrays(lng, lat)
    gx, gy = bd09_to_gcj02(x, y)
    return _out(*gcj02_to_wgs84(gx, gy), scalar)


def check_lng_lat(lng: Any, lat: Any) -> None:
    """Raise ValueError (Chinese message) unless every point is a finite lon/lat."""
    x, y, _scalar = _as_arrays(lng, lat)
    bad = ~(np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0))
    if np.any(bad):
        i = int(np.argmax(bad.ravel()))
        raise ValueError(
            _("坐标超出范围:经度应在 -180~180、纬度应在 -90~90 之间(第 %(n)d 个点:%(x)s, %(y)s)")
            % {"n": i + 1, "x": x.ravel()[i], "y": y.ravel()[i]}
        )


def to_wgs84(lng: Any, lat: Any, crs: str = "wgs84"):
    """Convert (lng, lat) given in ``crs`` (wgs84 / gcj02 / bd09) to WGS-84."""
    crs_key = (crs or "").strip().lower().replace("-", "").replace("_", "")
    if crs_key not in CRS_CHOICES:
        raise ValueError(_("未知的坐标系“%(crs)s”,应为 wgs84、gcj02 或 bd09 之一。") % {"crs": crs})
    check_lng_lat(lng, lat)
    x, y, scalar = _as_arrays(lng, lat)
    if crs_key == "gcj02":
        x, y = gcj02_to_wgs84(x, y)
    elif crs_key == "bd09":
        x, y = bd09_to_wgs84(x, y)
    else:
        x, y = x.copy(), y.copy()
    return _out(x, y, scalar)


EARTH_RADIUS_M = 6371008.8


def haversine_m(lng1: Any, lat1: Any, lng2: Any, lat2: Any):
    """Great-circle distance in metres (scalars or arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lng2, dtype=np.float64) - np.asarray(lng1, dtype=np.float64))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return float(d) if np.ndim(d) == 0 else d
