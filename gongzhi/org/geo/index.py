"""Point → finest known territory node, over an STRtree of leaf polygons.

The leaves are every node with a boundary none of whose children has one:
all grids, the communities without grids (villages, ungridded communities),
and any street or county whose children have no geometry yet. So every point
inside the province resolves to the finest node that is known; its ancestors
are the prefixes of the returned code.

One index per process, from :func:`get_index`. It is rebuilt when the
boundaries change: :func:`invalidate` drops it at once (called by the import
and generate services after they commit), and otherwise a cheap fingerprint
(count and latest ``updated_at`` of the rows with a boundary) is re-checked at
most every ``CHECK_SECONDS``, which catches changes made by other processes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import shapely
from django.db.models import Count, Max

from ..constants import CODE_LENGTH, Level
from ..geo.shapes import from_wkb_many

CHECK_SECONDS = 30.0
LEAF_LEVELS = [Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY, Level.GRID]


class GeometryIndex:
    """An immutable STRtree over leaf polygons, sorted by code (on a shared
    border the lower code wins, deterministically)."""

    def __init__(self, codes: Sequence[str], geometries: np.ndarray):
        order = np.argsort(np.asarray(codes, dtype=object).astype(str), kind="stable")
        self.codes = np.asarray(codes, dtype=object)[order]
        self.geometries = np.asarray(geometries, dtype=object)[order]
        self.tree = shapely.STRtree(self.geometries)
        self.fingerprint: tuple | None = None

    def __len__(self) -> int:
        return len(self.codes)

    def locate(self, lng: float, lat: float) -> str | None:
        hits = self.tree.query(shapely.Point(float(lng), float(lat)), predicate="intersects")
        return str(self.codes[int(hits.min())]) if len(hits) else None

    def locate_many(self, lngs, lats) -> np.ndarray:
        """Codes for many points at once (object array; None where nothing matches)."""
        x = np.asarray(lngs, dtype=np.float64).ravel()
        y = np.asarray(lats, dtype=np.float64).ravel()
        n = len(x)
        out = np.full(n, None, dtype=object)
        if n == 0 or len(self.codes) == 0:
            return out
        point_idx, tree_idx = self.tree.query(shapely.points(x, y), predicate="intersects")
        best = np.full(n, len(self.codes), dtype=np.int64)
        np.minimum.at(best, point_idx, tree_idx)
        found = best < len(self.codes)
        out[found] = self.codes[best[found]]
        return out


def _boundary_rows():
    from ..models import Division

    return Division.objects.filter(level__in=LEAF_LEVELS, boundary__isnull=False)


def fingerprint() -> tuple:
    agg = _boundary_rows().aggregate(n=Count("id"), latest=Max("updated_at"))
    return (agg["n"], agg["latest"])


def build_index() -> GeometryIndex:
    from ..models import Division

    fp = fingerprint()
    codes = set(_boundary_rows().values_list("code", flat=True))
    parent_len = {v: k for k, v in enumerate(sorted(CODE_LENGTH.values()))}
    lengths = sorted(CODE_LENGTH.values())
    has_child = set()
    for code in codes:
        i = parent_len[len(code)]
        if i > 0:
            has_child.add(code[: lengths[i - 1]])
    leaves = sorted(c for c in codes if c not in has_child)
    rows = []
    for start in range(0, len(leaves), 5000):
        chunk = leaves[start : start + 5000]
        rows.extend(Division.objects.filter(code__in=chunk).values_list("code", "boundary"))
    index = GeometryIndex([r[0] for r in rows], from_wkb_many(r[1] for r in rows))
    index.fingerprint = fp
    return index


_lock = threading.Lock()
_state: dict = {"index": None, "checked": 0.0}


def get_index(*, max_age: float = CHECK_SECONDS) -> GeometryIndex:
    """The process-wide index, rebuilt when the boundaries have changed."""
    with _lock:
        index = _state["index"]
        now = time.monotonic()
        if index is not None and now - _state["checked"] < max_age:
            return index
        if index is None or fingerprint() != index.fingerprint:
            index = build_index()
            _state["index"] = index
        _state["checked"] = now
        return index


def invalidate() -> None:
    """Drop the cached index; the next :func:`get_index` rebuilds it."""
    with _lock:
        _state["index"] = None
        _state["checked"] = 0.0


def locate(lng: float, lat: float) -> str | None:
    return get_index().locate(lng, lat)


def locate_many(lngs, lats) -> np.ndarray:
    return get_index().locate_many(lngs, lats)
