"""The territory browser: pages, scope, map GeoJSON, masking, pagination."""

from __future__ import annotations

import json

import pytest
import shapely
from django.urls import reverse

from gongzhi.accounts.constants import Role
from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Building, Division, GridMember
from tests.factories import make_user

pytestmark = pytest.mark.django_db

COMMUNITY = "340111002001"  # 姚公社区, 常青街道, 包河区
GRID = "340111002001901"
FULL_PHONE = "13912345678"


def _square(lng: float, lat: float, size: float = 0.004) -> bytes:
    return shapely.to_wkb(shapely.box(lng, lat, lng + size, lat + size))


@pytest.fixture
def grid():
    community = Division.objects.get(code=COMMUNITY)
    community.boundary = _square(117.290, 31.800, 0.01)
    community.save(update_fields=["boundary"])
    grid = Division.objects.create(
        code=GRID,
        name="姚公社区第一网格",
        level=Level.GRID,
        kind=Kind.GRID,
        parent=community,
        population=1350,
        area_km2=0.18,
        boundary=_square(117.291, 31.801),
    )
    for n in range(1, 4):
        Building.objects.create(
            code=f"{GRID}{n:04d}",
            grid=grid,
            estate="姚公小区",
            name=f"{n}栋",
            address=f"包河区姚公小区{n}栋",
            floors=6,
            households=24,
            lng=117.292 + n * 0.0005,
            lat=31.802,
        )
    GridMember.objects.create(grid=grid, name="李明", phone=FULL_PHONE)
    return grid


@pytest.fixture
def street_client(client):
    client.force_login(
        make_user("340111002", Role.STREET_STAFF, username="changqing", display_name="王芳")
    )
    return client


def test_street_page_renders_summary_children_and_breadcrumb(street_client, grid):
    response = street_client.get("/territory/340111002/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "常青街道" in html and "340111002" in html
    assert "街道(乡镇)" in html  # level
    # Children table links to the communities.
    assert 'href="/territory/340111002001/"' in html
    assert "姚公社区" in html
    # Summary counts (one grid, three buildings, one grid member created here).
    stats = {s.label: s.value for s in response.context["stats"]}
    assert stats["网格"] >= 1 and stats["楼栋"] >= 3 and stats["网格员"] >= 1
    assert "社区(村)" in stats
    assert response.context["crumbs"][-1].code == "340111002"
    assert reverse("org:division_map", kwargs={"code": "340111002"}) in html


def test_breadcrumb_starts_at_the_users_own_node(street_client, grid):
    response = street_client.get(f"/territory/{GRID}/")
    assert [d.code for d in response.context["crumbs"]] == ["340111002", COMMUNITY, GRID]
    html = response.content.decode()
    assert 'href="/territory/340111002/"' in html
    assert 'href="/territory/340111/"' not in html  # the district is above the user


def test_community_page_lists_grids(street_client, grid):
    html = street_client.get(f"/territory/{COMMUNITY}/").content.decode()
    assert f'href="/territory/{GRID}/"' in html
    assert "第一网格" in html


def test_grid_page_shows_buildings_and_masked_members(street_client, grid):
    response = street_client.get(f"/territory/{GRID}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "姚公小区" in html and "包河区姚公小区2栋" in html
    assert "李明" in html
    assert "139****5678" in html
    assert FULL_PHONE not in html


def test_other_streets_node_is_404(street_client, grid):
    for code in ("340111003", "340111003001", "340111", "34", "abc", "3401110020019999"):
        response = street_client.get(f"/territory/{code}/")
        assert response.status_code == 404, code
        assert "不在您的管辖范围内" in response.content.decode()


def test_other_streets_map_is_404(street_client):
    assert street_client.get("/territory/340111003/map.geojson").status_code == 404
    assert street_client.get("/territory/340111/map.geojson").status_code == 404


def test_anonymous_is_sent_to_login(client):
    for url in ("/territory/340111002/", "/territory/340111002/map.geojson"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_map_geojson_has_own_outline_and_children(street_client, grid):
    response = street_client.get(f"/territory/{COMMUNITY}/map.geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    by_role = {}
    for feature in data["features"]:
        by_role.setdefault(feature["properties"]["role"], []).append(feature)
    assert [f["properties"]["code"] for f in by_role["self"]] == [COMMUNITY]
    child = next(f for f in by_role["child"] if f["properties"]["code"] == GRID)
    assert child["geometry"]["type"] == "Polygon"
    assert child["properties"]["url"] == f"/territory/{GRID}/"
    assert shapely.from_geojson(json.dumps(child["geometry"])).area > 0


def test_grid_map_has_buildings_as_points(street_client, grid):
    data = street_client.get(f"/territory/{GRID}/map.geojson").json()
    points = [f for f in data["features"] if f["properties"]["role"] == "building"]
    assert len(points) == 3
    assert points[0]["geometry"]["type"] == "Point"
    assert FULL_PHONE not in str(data)


def test_map_is_simplified_by_level(street_client):
    # A county outline with thousands of vertices shrinks on the county's map.
    county = Division.objects.get(code="340111")
    ring = shapely.Point(117.3, 31.8).buffer(0.1, quad_segs=1024)
    county.boundary = shapely.to_wkb(ring)
    county.save(update_fields=["boundary"])
    street_client.force_login(make_user("340111", Role.DISTRICT_OFFICER, username="baohe"))
    data = street_client.get("/territory/340111/map.geojson").json()
    own = next(f for f in data["features"] if f["properties"]["role"] == "self")
    assert len(own["geometry"]["coordinates"][0]) < 200
    assert shapely.get_num_coordinates(ring) > 4000


def test_district_officer_sees_the_district_but_not_the_city(client):
    client.force_login(make_user("340111", Role.DISTRICT_OFFICER, username="baohe"))
    assert client.get("/territory/340111/").status_code == 200
    assert client.get("/territory/3401/").status_code == 404
    assert client.get("/territory/340102/").status_code == 404  # 瑶海区, a sibling


def test_pagination_of_many_grids(street_client):
    community = Division.objects.get(code=COMMUNITY)
    Division.objects.filter(parent=community).delete()  # the generated grids
    Division.objects.bulk_create(
        Division(
            code=f"{COMMUNITY}{n:03d}",
            name=f"姚公社区网格{n}",
            level=Level.GRID,
            kind=Kind.GRID,
            parent=community,
        )
        for n in range(1, 121)
    )
    first = street_client.get(f"/territory/{COMMUNITY}/")
    assert first.context["children"].paginator.num_pages == 3
    assert "第 1 / 3 页" in first.content.decode()
    last = street_client.get(f"/territory/{COMMUNITY}/?page=3")
    assert "姚公社区网格120" in last.content.decode()
    bad = street_client.get(f"/territory/{COMMUNITY}/?page=abc")
    assert bad.status_code == 200


def test_map_has_no_tile_layer_unless_configured(street_client, settings):
    settings.MAP_TILE_URL = ""
    html = street_client.get("/territory/340111002/").content.decode()
    assert 'data-tile-url=""' in html
    assert "/static/vendor/leaflet/leaflet.js" in html

    settings.MAP_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}"
    settings.MAP_TILE_ATTRIBUTION = "天地图"
    html = street_client.get("/territory/340111002/").content.decode()
    assert 'data-tile-url="https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&amp;x={x}' in html
    assert 'data-tile-attribution="天地图"' in html


def test_pages_load_nothing_from_a_cdn(street_client, grid):
    for url in ("/territory/340111002/", f"/territory/{GRID}/", "/accounts/logout/"):
        html = street_client.get(url).content.decode()
        for attr in ('src="http', 'src="//', 'href="http', 'href="//'):
            assert attr not in html, (url, attr)


def test_street_page_lists_its_ten_departments_and_staffing(street_client):
    from gongzhi.org.models import PostQuota
    from gongzhi.org.services.staffing import departments_ensure

    departments_ensure(scope_code="340111002")
    PostQuota.objects.create(community=Division.objects.get(code=COMMUNITY), approved=9)
    html = street_client.get("/territory/340111002/").content.decode()
    assert "街道大部门" in html
    assert "城市管理部" in html and "城管科、市容所、环卫所、建设办" in html
    assert "核定员额" in html
