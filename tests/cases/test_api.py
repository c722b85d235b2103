"""The cases JSON API: create (any CRS), idempotent resubmission, scope,
actions with expected_version, photo checks, and every error as
{code, message} in Chinese with nothing saved."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case, CasePhoto
from gongzhi.org.geo.coords import wgs84_to_gcj02

from .factories import case_in

URL = "/api/v1/cases"


def payload(world, **extra):
    data = {
        "title": "路灯不亮",
        "description": "小区门口路灯不亮。",
        "category": "UC01",
        "lng": world.grid.center_lng,
        "lat": world.grid.center_lat,
        "channel": "web",
    }
    data.update(extra)
    return data


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def png_bytes(fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format=fmt)
    return buf.getvalue()


def test_resident_creates_a_case_located_to_the_grid(client, world):
    client.force_login(world.resident)
    resp = post(client, URL + "/", payload(world, source_ref="web-1"))
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["grid"] == world.grid.code
    assert body["status"] == "submitted"
    again = post(client, URL + "/", payload(world, source_ref="web-1"))
    assert again.status_code == 200
    assert again.json()["number"] == body["number"]
    assert Case.objects.count() == 1


def test_gcj02_coordinates_are_converted(client, world):
    client.force_login(world.grid_member)
    lng, lat = wgs84_to_gcj02(world.grid.center_lng, world.grid.center_lat)
    body = post(
        client, URL + "/", payload(world, lng=float(lng), lat=float(lat), crs="gcj02")
    ).json()
    assert body["grid"] == world.grid.code
    assert abs(body["lng"] - world.grid.center_lng) < 1e-5


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"lng": None}, "invalid_coordinates"),
        ({"lng": 500.0}, "invalid_coordinates"),
        ({"lng": 116.4, "lat": 39.9}, "outside_territory"),
        ({"category": "NOPE"}, "unknown_category"),
        ({"description": "长" * 4001}, "description_too_long"),
        ({"crs": "epsg3857"}, "invalid_coordinates"),
    ],
)
def test_bad_input_is_a_400_with_a_chinese_message_and_nothing_saved(client, world, extra, code):
    client.force_login(world.resident)
    resp = post(client, URL + "/", payload(world, **extra))
    assert resp.status_code == 400
    assert resp.json()["code"] == code
    assert resp.json()["message"]
    assert Case.objects.count() == 0


def test_staff_cannot_report_outside_their_jurisdiction(client, world):
    client.force_login(world.other_grid_member)
    resp = post(client, URL + "/", payload(world))
    assert (resp.status_code, resp.json()["code"]) == (400, "outside_jurisdiction")


def test_resident_reports_are_rate_limited_per_account(client, world, settings):
    settings.CASE_SUBMIT_RATE_LIMIT = 3
    client.force_login(world.resident)
    codes = [
        post(client, URL + "/", payload(world, source_ref=f"r-{i}")).status_code for i in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    over = post(client, URL + "/", payload(world, source_ref="r-9"))
    assert over.json()["code"] == "rate_limited" and "每分钟最多上报 3 件" in over.json()["message"]
    assert Case.objects.count() == 3
    # a resubmission of an acknowledged report is still answered (idempotent, nothing new)
    assert post(client, URL + "/", payload(world, source_ref="r-0")).status_code == 200
    # staff reporting in their grid are not limited by the residents' rule
    client.force_login(world.grid_member)
    codes = [
        post(client, URL + "/", payload(world, source_ref=f"g-{i}")).status_code for i in range(4)
    ]
    assert codes == [201, 201, 201, 201]


def test_action_not_allowed_is_409_with_allowed_actions(client, world):
    case = case_in(Status.SUBMITTED, world)
    client.force_login(world.community_worker)
    resp = post(client, f"{URL}/{case.number}/actions/close", {"expected_version": 1})
    assert resp.status_code == 409
    assert resp.json()["code"] == "action_not_allowed"
    assert resp.json()["allowed_actions"] == ["register", "void", "merge", "supervise", "me_too"]


def test_action_with_expected_version(client, world):
    case = case_in(Status.SUBMITTED, world)
    client.force_login(world.community_worker)
    ok = post(client, f"{URL}/{case.number}/actions/register", {"expected_version": 1})
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["version"]) == ("registered", 2)
    stale = post(client, f"{URL}/{case.number}/actions/dispatch", {"expected_version": 1})
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")


def test_case_outside_scope_is_404(client, world):
    case = case_in(Status.SUBMITTED, world)
    client.force_login(world.other_grid_member)
    assert client.get(f"{URL}/{case.number}").status_code == 404
    client.force_login(world.resident2)
    assert client.get(f"{URL}/{case.number}").json()["code"] == "not_found"


def test_list_is_scoped_and_paginated(client, world, django_assert_max_num_queries):
    for _ in range(5):
        case_in(Status.SUBMITTED, world)
    client.force_login(world.community_worker)
    with django_assert_max_num_queries(6):
        body = client.get(URL + "/", {"page_size": 2}).json()
    assert (body["total"], len(body["items"])) == (5, 2)
    client.force_login(world.other_grid_member)
    assert client.get(URL + "/").json()["total"] == 0


def test_photo_upload_checks_the_content(client, world, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    case = case_in(Status.SUBMITTED, world)
    client.force_login(world.resident)
    url = f"{URL}/{case.number}/photos"
    ok = client.post(url, {"file": io.BytesIO(png_bytes()), "kind": "before"})
    assert ok.status_code == 201, ok.json()
    photo = CasePhoto.objects.get()
    assert ok.json() == {
        "id": photo.pk,
        "kind": "before",
        "content_type": "image/png",
        "size": photo.size,
        "width": 8,
        "height": 8,
    }
    fake = io.BytesIO(b"GIF89a not really")
    fake.name = "x.jpg"
    bad = client.post(url, {"file": fake})
    assert (bad.status_code, bad.json()["code"]) == (400, "photo_type")
    big = io.BytesIO(b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024))
    big.name = "big.jpg"
    too_big = client.post(url, {"file": big})
    assert (too_big.status_code, too_big.json()["code"]) == (400, "photo_too_large")
    assert CasePhoto.objects.count() == 1
