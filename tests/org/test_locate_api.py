"""POST /api/v1/org/locate over the generated test territory (see conftest)."""

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.org.geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BAOHE_POINT = (117.30, 31.80)  # inside 包河区, WGS-84
WUHU_POINT = (118.38, 31.34)  # inside 镜湖区 (芜湖)


@pytest.fixture
def baohe_client(client):
    client.force_login(make_user("340111", Role.DISTRICT_OFFICER))
    return client


def post(client, payload):
    return client.post("/api/v1/org/locate", payload, content_type="application/json")


def test_a_point_in_baohe_locates_to_a_grid_with_its_path(baohe_client):
    body = post(baohe_client, {"points": [{"lng": BAOHE_POINT[0], "lat": BAOHE_POINT[1]}]}).json()
    located = body[0]
    assert located["in_scope"] is True
    assert located["code"].startswith("340111")
    assert len(located["code"]) == 15
    assert [p["level"] for p in located["path"]] == [
        "province",
        "city",
        "county",
        "street",
        "community",
        "grid",
    ]


def test_gcj02_and_bd09_input_locate_to_the_same_grid(baohe_client):
    lng, lat = BAOHE_POINT
    gx, gy = wgs84_to_gcj02(lng, lat)
    bx, by = wgs84_to_bd09(lng, lat)
    codes = [
        post(baohe_client, {"crs": crs, "points": [{"lng": x, "lat": y}]}).json()[0]["code"]
        for crs, x, y in [("wgs84", lng, lat), ("gcj02", gx, gy), ("bd09", bx, by)]
    ]
    assert codes[0] is not None
    assert codes == [codes[0]] * 3


def test_a_point_outside_the_callers_jurisdiction_reveals_nothing(baohe_client):
    body = post(baohe_client, {"points": [{"lng": WUHU_POINT[0], "lat": WUHU_POINT[1]}]}).json()
    assert body[0]["in_scope"] is False
    assert (body[0]["code"], body[0]["path"]) == (None, [])


def test_unknown_crs_is_a_400_with_a_chinese_message(baohe_client):
    response = post(baohe_client, {"crs": "utm", "points": [{"lng": 117.3, "lat": 31.8}]})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_coordinates"
    assert "坐标系" in response.json()["message"]


def test_coordinates_out_of_range_are_refused(baohe_client):
    response = post(baohe_client, {"points": [{"lng": 217.3, "lat": 31.8}]})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_coordinates")


def test_more_than_ten_thousand_points_is_refused(baohe_client):
    points = [{"lng": 117.3, "lat": 31.8}] * 10_001
    assert post(baohe_client, {"points": points}).status_code == 422
