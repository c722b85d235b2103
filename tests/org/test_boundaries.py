"""import_boundaries: the bundled outlines, and a user's own GeoJSON files."""

from __future__ import annotations

import json

import pytest
import shapely
from django.core.management import CommandError, call_command

from gongzhi.core.errors import ImportFailed
from gongzhi.org.constants import GeometrySource, Kind, Level
from gongzhi.org.models import Division
from gongzhi.org.services.boundaries import import_boundary_file

pytestmark = pytest.mark.django_db


def test_every_city_and_every_county_with_an_outline_is_surveyed():
    assert Division.objects.filter(level=Level.CITY, boundary_source="surveyed").count() == 16
    # 104 published county outlines (繁昌区 under its old code 340211).
    assert Division.objects.filter(level=Level.COUNTY, boundary_source="surveyed").count() == 104
    assert Division.objects.get(code="34").boundary_source == GeometrySource.SURVEYED


def test_fanchang_gets_the_outline_published_under_its_old_code():
    fanchang = Division.objects.get(code="340212")
    assert fanchang.name == "繁昌区"
    assert fanchang.boundary_source == GeometrySource.SURVEYED
    assert 400 < fanchang.area_km2 < 700  # 繁昌区: about 590 km²
    assert not Division.objects.filter(code="340211").exists()


def test_areas_are_in_square_kilometres():
    assert 135_000 < Division.objects.get(code="34").area_km2 < 145_000  # Anhui: 140,100 km²
    assert 10_000 < Division.objects.get(code="3401").area_km2 < 12_500  # 合肥: 11,445 km²


def test_coordinates_are_converted_to_wgs84():
    # The published centre of 包河区 is GCJ-02 (117.285751, 31.82956); stored in WGS-84
    # it is some 500 m south-west of that.
    baohe = Division.objects.get(code="340111")
    assert baohe.center_lng == pytest.approx(117.2802374, abs=1e-6)
    assert baohe.center_lat == pytest.approx(31.8315532, abs=1e-6)


def test_development_zones_are_carved_out_of_their_host_without_overlap():
    zones = Division.objects.filter(level=Level.COUNTY, kind=Kind.DEV_ZONE)
    assert zones.count() == 15
    assert set(zones.values_list("boundary_source", flat=True)) == {GeometrySource.GENERATED}
    gaoxin = Division.objects.get(code="340176").geometry
    shushan = Division.objects.get(code="340104").geometry
    assert shapely.area(shapely.intersection(gaoxin, shushan)) < 1e-9
    assert Division.objects.get(code="340176").area_km2 > 20


def test_bundled_import_is_idempotent():
    before = dict(
        Division.objects.filter(level__in=["city", "county"]).values_list("code", "boundary")
    )
    call_command("import_boundaries", verbosity=0)
    after = dict(
        Division.objects.filter(level__in=["city", "county"]).values_list("code", "boundary")
    )
    assert {k: bytes(v) for k, v in before.items()} == {k: bytes(v) for k, v in after.items()}


# --- a user's own file -----------------------------------------------------------

SQUARE = [[[117.30, 31.80], [117.31, 31.80], [117.31, 31.81], [117.30, 31.81], [117.30, 31.80]]]
BOWTIE = [[[117.30, 31.80], [117.31, 31.81], [117.31, 31.80], [117.30, 31.81], [117.30, 31.80]]]


def _feature(code, coordinates=SQUARE, **extra):
    return {
        "type": "Feature",
        "properties": {"code": code, **extra},
        "geometry": {"type": "Polygon", "coordinates": coordinates},
    }


def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _community_code():
    return Division.objects.filter(code__startswith="340111", level="community").first().code


def test_a_user_file_sets_an_imported_boundary(tmp_path):
    code = _community_code()
    path = tmp_path / "mine.geojson"
    path.write_text(json.dumps(_collection(_feature(code))), encoding="utf-8")
    call_command("import_boundaries", file=str(path), crs="wgs84", verbosity=0)
    node = Division.objects.get(code=code)
    assert node.boundary_source == GeometrySource.IMPORTED
    assert node.geometry.equals(shapely.MultiPolygon([shapely.Polygon(SQUARE[0])]))
    assert 0.9 < node.area_km2 < 1.2  # 0.01° × 0.01° at 31.8° N ≈ 1.05 km²


def test_a_user_file_in_gcj02_is_converted(tmp_path):
    code = _community_code()
    path = tmp_path / "gcj.geojson"
    path.write_text(json.dumps(_collection(_feature(int(code)))), encoding="utf-8")
    import_boundary_file(path=path, crs="gcj02")
    x0, y0, *_rest = Division.objects.get(code=code).geometry.bounds
    assert x0 == pytest.approx(117.30 - 0.00555, abs=0.001)  # the GCJ offset near Hefei
    assert y0 == pytest.approx(31.80 + 0.0021, abs=0.001)


BROKEN = {
    "not_json": ("{ this is not json", "不是有效的 JSON"),
    "not_collection": (json.dumps({"type": "Feature"}), "FeatureCollection"),
    "no_geometry": ("no_geometry", "第 2 个要素"),
    "no_code": ("no_code", "第 2 个要素"),
    "invalid_polygon": ("invalid_polygon", "第 2 个要素"),
    "unknown_code": ("unknown_code", "第 2 个要素"),
}


def _broken_text(kind: str, good_code: str) -> str:
    good = _feature(good_code)
    bad = {
        "no_geometry": {"type": "Feature", "properties": {"code": good_code[:9]}, "geometry": None},
        "no_code": {
            "type": "Feature",
            "properties": {"name": "无代码"},
            "geometry": good["geometry"],
        },
        "invalid_polygon": _feature(good_code[:9], BOWTIE),
        "unknown_code": _feature("340111999999"),
    }
    if kind in bad:
        return json.dumps(_collection(good, bad[kind]))
    return BROKEN[kind][0]


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_files_are_refused_and_change_nothing(tmp_path, kind):
    code = _community_code()
    before = Division.objects.get(code=code)
    path = tmp_path / f"broken_{kind}.geojson"
    path.write_text(_broken_text(kind, code), encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_boundary_file(path=path, crs="wgs84")
    assert path.name in caught.value.message
    assert BROKEN[kind][1] in caught.value.message
    after = Division.objects.get(code=code)
    assert bytes(after.boundary) == bytes(before.boundary)
    assert after.boundary_source == before.boundary_source


def test_the_command_reports_a_broken_file_as_a_command_error(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.geojson"):
        call_command("import_boundaries", file=str(path), verbosity=0)


def test_unknown_crs_is_refused(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps(_collection(_feature(_community_code()))), encoding="utf-8")
    with pytest.raises(ImportFailed, match="未知的坐标系"):
        import_boundary_file(path=path, crs="epsg3857")
