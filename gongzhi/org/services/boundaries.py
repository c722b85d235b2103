"""Importing boundary polygons (GeoJSON) onto the division tree.

One service, :func:`boundaries_import`, writes every boundary, whether it comes
from the bundled public outlines (cities and counties, GCJ-02, source
SURVEYED) or from a user's own file of any level (source IMPORTED). Files are
parsed and validated completely before anything is written, and the write is
one transaction: a bad file changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ImportFailed

from ..constants import CODE_LENGTH, GeometrySource, Kind, Level
from ..geo import coords
from ..geo.shapes import area_km2, as_multipolygon, center_of, to_wkb
from ..models import Division

MAX_REPORTED_ERRORS = 20
CODE_LENGTHS = sorted(CODE_LENGTH.values(), reverse=True)


@dataclass(frozen=True)
class BoundaryFeature:
    """One polygon read from a file, already in WGS-84."""

    source: str  # "file #index", for messages
    index: int  # 1-based position of the feature in its file
    code: str
    name: str
    geometry: shapely.Geometry
    center: tuple[float, float] | None = None


@dataclass(frozen=True)
class BoundaryWrite:
    """A boundary resolved to a division, ready to be written."""

    division_id: int
    code: str
    geometry: shapely.Geometry
    source: str  # GeometrySource value
    center: tuple[float, float] | None = None


@dataclass
class BoundaryReport:
    updated: dict[str, int] = field(default_factory=dict)  # level → rows written
    unchanged: dict[str, int] = field(default_factory=dict)
    kept_imported: list[str] = field(default_factory=list)  # codes not overwritten
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for level in CODE_LENGTH:
            u, s = self.updated.get(level, 0), self.unchanged.get(level, 0)
            if u or s:
                out.append(
                    _("%(label)s边界:更新 %(u)d,未变 %(s)d")
                    % {"label": Level(level).label, "u": u, "s": s}
                )
        if self.kept_imported:
            out.append(
                _("保留用户导入的边界(未覆盖):%(codes)s") % {"codes": "、".join(self.kept_imported)}
            )
        out.extend(self.notes)
        return out


def _fail(errors: list[str]) -> ImportFailed:
    shown = "\n".join(errors[:MAX_REPORTED_ERRORS])
    more = len(errors) - MAX_REPORTED_ERRORS
    if more > 0:
        shown += "\n" + _("……另有 %(n)d 处错误") % {"n": more}
    return ImportFailed(_("边界导入失败,未写入任何数据:\n") + shown)


# --- reading -----------------------------------------------------------------


def _convert(geom: shapely.Geometry, crs: str) -> shapely.Geometry:
    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = coords.to_wgs84(xy[:, 0], xy[:, 1], crs)
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def read_geojson(path: Path, *, crs: str = "wgs84", repair: bool = False) -> list[BoundaryFeature]:
    """Parse and validate a GeoJSON FeatureCollection of (Multi)Polygons.

    Every feature must carry ``code`` or ``adcode`` in its properties. Raises
    ImportFailed naming the file and each bad feature (1-based index). An
    invalid polygon is an error, unless ``repair`` (used for the bundled public
    outlines, which have a few tiny self-intersections) mends it with
    ``make_valid``.
    """
    label = Path(path).name
    try:
        coords.to_wgs84(0.0, 0.0, crs)
    except ValueError as exc:
        raise ImportFailed(str(exc)) from exc
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise ImportFailed(_("文件不存在:%(file)s") % {"file": path}) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(
            _("文件 %(file)s 不是有效的 JSON:%(err)s") % {"file": label, "err": exc}
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFailed(
            _("文件 %(file)s 不是 GeoJSON 要素集合(FeatureCollection)。") % {"file": label}
        )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ImportFailed(_("文件 %(file)s 中没有任何要素(features)。") % {"file": label})

    errors: list[str] = []
    out: list[BoundaryFeature] = []
    seen: dict[str, int] = {}
    for i, feature in enumerate(features, start=1):
        where = _("文件 %(file)s 第 %(n)d 个要素") % {"file": label, "n": i}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(_("%(where)s:不是 GeoJSON Feature") % {"where": where})
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        raw_code = props.get("code", props.get("adcode"))
        code = str(raw_code).strip() if raw_code is not None else ""
        name = str(props.get("name") or "").strip()
        if not code:
            errors.append(_("%(where)s:属性中缺少 code 或 adcode") % {"where": where})
            continue
        if not code.isdigit():
            errors.append(_("%(where)s:代码“%(code)s”应为数字") % {"where": where, "code": code})
            continue
        where = _("%(where)s(代码 %(code)s)") % {"where": where, "code": code}
        if code in seen:
            errors.append(
                _("%(where)s:代码与第 %(other)d 个要素重复") % {"where": where, "other": seen[code]}
            )
            continue
        seen[code] = i
        geometry = feature.get("geometry")
        if not geometry:
            errors.append(_("%(where)s:缺少几何图形(geometry)") % {"where": where})
            continue
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            errors.append(_("%(where)s:几何类型应为 Polygon 或 MultiPolygon") % {"where": where})
            continue
        try:
            geom = shapely.from_geojson(json.dumps(geometry))
        except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
            errors.append(_("%(where)s:几何图形无法解析(%(err)s)") % {"where": where, "err": exc})
            continue
        if geom.is_empty:
            errors.append(_("%(where)s:几何图形为空") % {"where": where})
            continue
        xy = shapely.get_coordinates(geom)
        try:
            coords.check_lng_lat(xy[:, 0], xy[:, 1])
        except ValueError as exc:
            errors.append(f"{where}:{exc}")
            continue
        geom = _convert(geom, crs)
        if repair and not shapely.is_valid(geom):
            geom = as_multipolygon(shapely.make_valid(geom))
        if not shapely.is_valid(geom) or geom.is_empty:
            errors.append(
                _("%(where)s:多边形无效(%(reason)s)")
                % {"where": where, "reason": shapely.is_valid_reason(geom)}
            )
            continue
        center = None
        raw_center = props.get("center")
        if (
            isinstance(raw_center, list | tuple)
            and len(raw_center) == 2
            and all(isinstance(v, int | float) for v in raw_center)
        ):
            try:
                center = coords.to_wgs84(float(raw_center[0]), float(raw_center[1]), crs)
            except ValueError:
                center = None
        out.append(
            BoundaryFeature(
                source=where,
                index=i,
                code=code,
                name=name,
                geometry=as_multipolygon(geom),
                center=center,
            )
        )
    if errors:
        raise _fail(errors)
    return out


# --- resolving codes ------------------------------------------------------------


def _code_candidates(code: str) -> list[str]:
    """The code itself, then its significant prefixes when it is zero-padded
    (``340111`` for ``340111000000``)."""
    out = [code]
    for n in CODE_LENGTHS:
        if n < len(code) and code[n:] == "0" * (len(code) - n):
            out.append(code[:n])
    return out


def resolve_features(
    features: list[BoundaryFeature], *, source: str, match_names: bool = False
) -> list[BoundaryWrite]:
    """Map each feature to a division by code (and, for the bundled data, by
    name within the same city when the code is outdated); unknown codes fail."""
    candidates = {c for f in features for c in _code_candidates(f.code)}
    by_code = dict(Division.objects.filter(code__in=candidates).values_list("code", "id"))
    by_name: dict[tuple[str, str], list[tuple[str, int]]] = {}
    if match_names:
        for code, name, pk in Division.objects.filter(
            level__in=[Level.CITY, Level.COUNTY]
        ).values_list("code", "name", "id"):
            by_name.setdefault((code[:4], name), []).append((code, pk))
    errors: list[str] = []
    out: list[BoundaryWrite] = []
    taken: dict[str, str] = {}
    for f in features:
        found = next(((c, by_code[c]) for c in _code_candidates(f.code) if c in by_code), None)
        if found is None and match_names and f.name:
            matches = by_name.get((f.code[:4], f.name), [])
            found = matches[0] if len(matches) == 1 else None
        if found is None:
            errors.append(
                _("%(where)s:区划代码 %(code)s 不存在") % {"where": f.source, "code": f.code}
            )
            continue
        code, pk = found
        if code in taken:
            errors.append(
                _("%(where)s:与 %(other)s 对应同一区划 %(code)s")
                % {"where": f.source, "other": taken[code], "code": code}
            )
            continue
        taken[code] = f.source
        out.append(
            BoundaryWrite(
                division_id=pk, code=code, geometry=f.geometry, source=source, center=f.center
            )
        )
    if errors:
        raise _fail(errors)
    return out


# --- writing ----------------------------------------------------------------------


@transaction.atomic
def boundaries_import(
    *, writes: list[BoundaryWrite], keep_imported: bool = False
) -> BoundaryReport:
    """Write boundaries, areas and centres; idempotent (unchanged rows are not
    touched). With ``keep_imported`` a boundary the user imported is kept."""
    report = BoundaryReport()
    if not writes:
        return report
    current = {
        d.id: d
        for d in Division.objects.filter(id__in=[w.division_id for w in writes]).only(
            "id",
            "code",
            "level",
            "boundary",
            "boundary_source",
            "area_km2",
            "center_lng",
            "center_lat",
        )
    }
    geoms = np.array([w.geometry for w in writes], dtype=object)
    areas = area_km2(geoms)
    now = timezone.now()
    changed: list[Division] = []
    for w, area in zip(writes, areas, strict=True):
        d = current[w.division_id]
        if keep_imported and d.boundary_source == GeometrySource.IMPORTED:
            report.kept_imported.append(d.code)
            continue
        cx, cy = w.center if w.center else center_of(w.geometry)
        if w.center and not shapely.contains_xy(w.geometry, cx, cy):
            cx, cy = center_of(w.geometry)
        wkb = to_wkb(w.geometry)
        new = (wkb, w.source, round(float(area), 4), round(cx, 7), round(cy, 7))
        old = (
            bytes(d.boundary) if d.boundary is not None else None,
            d.boundary_source,
            d.area_km2,
            d.center_lng,
            d.center_lat,
        )
        if new == old:
            report.unchanged[d.level] = report.unchanged.get(d.level, 0) + 1
            continue
        d.boundary, d.boundary_source, d.area_km2, d.center_lng, d.center_lat = new
        d.updated_at = now
        changed.append(d)
        report.updated[d.level] = report.updated.get(d.level, 0) + 1
    Division.objects.bulk_update(
        changed,
        ["boundary", "boundary_source", "area_km2", "center_lng", "center_lat", "updated_at"],
        batch_size=500,
    )
    return report


def _invalidate_index() -> None:
    from ..geo.index import invalidate

    invalidate()


def import_boundary_file(*, path: Path, crs: str = "wgs84") -> BoundaryReport:
    """A user's own boundaries of any level (source IMPORTED)."""
    features = read_geojson(path, crs=crs)
    writes = resolve_features(features, source=GeometrySource.IMPORTED)
    report = boundaries_import(writes=writes)
    transaction.on_commit(_invalidate_index)
    return report


# --- the bundled public outlines ------------------------------------------------------------

CITIES_FILE = "anhui_340000_cities.json"
COUNTIES_DIR = "counties"


def import_bundled_boundaries(*, directory: Path, province_code: str = "34") -> BoundaryReport:
    """Cities and counties from the bundled GCJ-02 outlines, the province as the
    union of its cities, and development zones without a published outline
    carved out of a host district (see services/generate/zones.py)."""
    from .generate import carve_dev_zones

    directory = Path(directory)
    city_file = directory / CITIES_FILE
    county_files = sorted((directory / COUNTIES_DIR).glob("*.json"))
    if not city_file.exists():
        raise ImportFailed(_("缺少文件:%(path)s") % {"path": city_file})
    features = read_geojson(city_file, crs="gcj02", repair=True)
    for path in county_files:
        features.extend(read_geojson(path, crs="gcj02", repair=True))
    writes = resolve_features(features, source=GeometrySource.SURVEYED, match_names=True)

    try:
        province = Division.objects.get(code=province_code, level=Level.PROVINCE)
    except Division.DoesNotExist as exc:
        raise ImportFailed(
            _("省级区划 %(code)s 不存在,请先运行 import_divisions。") % {"code": province_code}
        ) from exc
    city_geoms = [w.geometry for w in writes if len(w.code) == CODE_LENGTH[Level.CITY]]
    province_geom = as_multipolygon(
        shapely.make_valid(shapely.union_all(np.array(city_geoms, dtype=object)))
    )
    writes.append(
        BoundaryWrite(
            division_id=province.id,
            code=province.code,
            geometry=province_geom,
            source=GeometrySource.SURVEYED,
        )
    )

    # Development zones: carve a region out of a host district of the same city.
    county_writes = {w.code: w for w in writes if len(w.code) == CODE_LENGTH[Level.COUNTY]}
    counties = list(
        Division.objects.filter(level=Level.COUNTY).values(
            "id", "code", "name", "kind", "boundary", "boundary_source"
        )
    )
    street_counts: dict[str, int] = {}
    for code in Division.objects.filter(level=Level.STREET).values_list("code", flat=True):
        street_counts[code[:6]] = street_counts.get(code[:6], 0) + 1
    zones = [c for c in counties if c["kind"] == Kind.DEV_ZONE and c["code"] not in county_writes]
    hosts = {
        c["code"]: county_writes[c["code"]].geometry
        for c in counties
        if c["kind"] == Kind.DISTRICT and c["code"] in county_writes
    }
    imported_zones = {
        z["code"]: shapely.from_wkb(bytes(z["boundary"]))
        for z in zones
        if z["boundary_source"] == GeometrySource.IMPORTED and z["boundary"]
    }
    carved, new_hosts = carve_dev_zones(
        zones=[(z["code"], street_counts.get(z["code"], 1)) for z in zones],
        hosts=hosts,
        fixed=imported_zones,
    )
    ids = {c["code"]: c["id"] for c in counties}
    for code, geom in new_hosts.items():
        w = county_writes[code]
        idx = writes.index(w)
        writes[idx] = BoundaryWrite(
            division_id=w.division_id,
            code=w.code,
            geometry=geom,
            source=w.source,
            center=w.center,
        )
    for code, geom in carved.items():
        writes.append(
            BoundaryWrite(
                division_id=ids[code], code=code, geometry=geom, source=GeometrySource.GENERATED
            )
        )
    report = boundaries_import(writes=writes, keep_imported=True)
    missing = sorted(
        c["code"] for c in counties if c["code"] not in county_writes and c["code"] not in carved
    )
    if missing:
        report.notes.append(_("以下县级单位没有边界:%(codes)s") % {"codes": "、".join(missing)})
    transaction.on_commit(_invalidate_index)
    return report
