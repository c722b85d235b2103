"""Volunteering: QR tokens that expire, creating activities, teams and brands
from the page and the API, the points rules screen, query bounds."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from gongzhi.accounts.constants import Role
from gongzhi.core.errors import ValidationFailed
from gongzhi.volunteering import services
from gongzhi.volunteering.models import Activity, PointsRule, ServiceBrand, SignUp, Team
from tests.factories import make_user


def _post_json(client, url, data, method="post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def _activity(place, start, hours=3):
    return services.activity_create(
        actor=place["worker_a"],
        division=place["a"],
        title="楼道清理",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        capacity=5,
    )


def test_scan_token_works_until_two_hours_after_the_end_then_expires(place):
    start = timezone.now().replace(microsecond=0)
    activity = _activity(place, start)
    token = services.scan_token(activity=activity, action="in")
    end = activity.ends_at
    assert services.scan_resolve(token=token, now=end + dt.timedelta(hours=2)) == (
        activity.pk,
        "in",
    )
    with pytest.raises(ValidationFailed, match="二维码已过期") as exc:
        services.scan_resolve(token=token, now=end + dt.timedelta(hours=2, seconds=1))
    assert exc.value.code == "token_expired"


def test_an_expired_token_is_refused_by_the_scan_page_and_api(client, place):
    start = timezone.now() - dt.timedelta(hours=3)
    activity = _activity(place, start, hours=1)  # ended 2 h ago, check-in window just closed
    services.activity_sign_up(activity=activity, user=place["member"])
    token = services.scan_token(activity=activity, action="in")
    client.force_login(place["member"])
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1), tick=False):
        page = client.post(f"/volunteering/scan/{token}/")
        api = _post_json(client, "/api/v1/volunteering/scan", {"token": token})
    assert page.status_code == 400 and "二维码已过期" in page.content.decode()
    assert api.status_code == 400 and api.json()["code"] == "token_expired"
    assert SignUp.objects.get().checked_in_at is None


def test_a_token_older_than_its_maximum_age_or_without_expiry_is_refused(place):
    activity = _activity(place, timezone.now() + dt.timedelta(days=60))
    token = services.scan_token(activity=activity, action="in")
    later = timezone.now() + dt.timedelta(days=31)
    with (
        time_machine.travel(later, tick=False),
        pytest.raises(ValidationFailed, match="二维码已过期"),
    ):
        services.scan_resolve(token=token)
    legacy = signing.dumps({"a": activity.pk, "x": "in"}, salt=services.SCAN_SALT, compress=True)
    with pytest.raises(ValidationFailed, match="二维码无效"):
        services.scan_resolve(token=legacy)


def test_worker_creates_an_activity_for_a_team_from_the_page(client, place):
    brand = services.brand_create(actor=place["worker_a"], division=place["a"], name="一米阳光")
    team = services.team_create(
        actor=place["worker_a"], division=place["a"], name="一米阳光服务队", brand=brand
    )
    client.force_login(place["worker_a"])
    assert "一米阳光服务队" in client.get("/volunteering/").content.decode()
    r = client.post(
        "/volunteering/activities/new/",
        {
            "division_code": place["a"].code,
            "title": "助老理发",
            "team": team.pk,
            "starts_at": "2026-12-05T09:00",
            "ends_at": "2026-12-05T11:30",
            "capacity": "12",
        },
    )
    activity = Activity.objects.get()
    assert r.url == f"/volunteering/activities/{activity.pk}/"
    assert (activity.team, activity.capacity, activity.created_by) == (team, 12, place["worker_a"])
    assert timezone.localtime(activity.starts_at).hour == 9


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": "2026-12-05T08:00"}, "结束时间须晚于开始时间"),
        ({"capacity": "0"}, "招募人数"),
        ({"capacity": "many"}, "须为整数"),
        ({"starts_at": "tomorrow"}, "开始时间"),
        ({"title": ""}, "活动名称"),
    ],
)
def test_bad_activity_input_is_refused_and_nothing_saved(client, place, changes, message):
    client.force_login(place["worker_a"])
    data = {
        "division_code": place["a"].code,
        "title": "助老理发",
        "starts_at": "2026-12-05T09:00",
        "ends_at": "2026-12-05T11:30",
        "capacity": "12",
    } | changes
    r = client.post("/volunteering/activities/new/", data)
    assert r.status_code == 400 and message in r.content.decode()
    assert not Activity.objects.exists()


def test_activity_in_another_community_or_with_its_team_is_not_found(client, place):
    team = services.team_create(actor=place["worker_a"], division=place["a"], name="服务队")
    client.force_login(place["worker_b"])
    body = {
        "division_code": place["b"].code,
        "title": "x",
        "starts_at": "2026-12-05T09:00:00+08:00",
        "ends_at": "2026-12-05T10:00:00+08:00",
        "capacity": 3,
    }
    assert (
        _post_json(
            client, "/api/v1/volunteering/activities", body | {"team_id": team.pk}
        ).status_code
        == 404
    )
    assert (
        _post_json(
            client, "/api/v1/volunteering/activities", body | {"division_code": place["a"].code}
        ).status_code
        == 404
    )
    assert not Activity.objects.exists()


def test_brands_and_teams_from_the_page_and_the_api(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/volunteering/brands/new/",
        {"division_code": place["a"].code, "name": "一米阳光", "partner": place["unit"].pk},
    )
    assert r.status_code == 302
    brand = ServiceBrand.objects.get()
    assert brand.partner == place["unit"]
    dup = client.post(
        "/volunteering/brands/new/", {"division_code": place["a"].code, "name": "一米阳光"}
    )
    assert dup.status_code == 409 and ServiceBrand.objects.count() == 1
    team = _post_json(
        client,
        "/api/v1/volunteering/teams",
        {"division_code": place["a"].code, "name": "阳光服务队", "brand_id": brand.pk},
    )
    assert team.status_code == 201 and team.json()["brand_id"] == brand.pk
    page = client.get("/volunteering/teams/").content.decode()
    assert "一米阳光" in page and "阳光服务队" in page
    client.force_login(place["worker_b"])
    assert client.get("/api/v1/volunteering/brands").json() == []
    other = _post_json(
        client,
        "/api/v1/volunteering/teams",
        {"division_code": place["b"].code, "name": "队", "brand_id": brand.pk},
    )
    assert other.status_code == 404 and Team.objects.count() == 1


def test_points_rules_are_set_by_the_province_only(client, place):
    PointsRule.objects.create(event="service_hour", points=10)
    client.force_login(place["worker_a"])
    page = client.get("/volunteering/points/").content.decode()
    assert "积分规则由省组织部门统一制定" in page and 'name="points"' not in page
    refused = client.post("/volunteering/points/", {"event": "service_hour", "points": "50"})
    assert refused.status_code == 403
    api_refused = _post_json(
        client, "/api/v1/volunteering/points/rules/service_hour", {"points": 50}, method="put"
    )
    assert api_refused.status_code == 403
    province = make_user("34", Role.PROVINCE_OFFICER, username="prov1")
    client.force_login(province)
    assert 'name="points"' in client.get("/volunteering/points/").content.decode()
    assert (
        client.post("/volunteering/points/", {"event": "service_hour", "points": "12"}).status_code
        == 302
    )
    bad = _post_json(
        client, "/api/v1/volunteering/points/rules/wish_confirmed", {"points": -5}, method="put"
    )
    assert bad.status_code == 400
    ok = _post_json(
        client, "/api/v1/volunteering/points/rules/wish_confirmed", {"points": 25}, method="put"
    )
    assert ok.json()["points"] == 25
    rules = {
        r["event"]: r["points"] for r in client.get("/api/v1/volunteering/points/rules").json()
    }
    assert rules == {"service_hour": 12, "wish_confirmed": 25}


def test_list_pages_and_apis_run_a_bounded_number_of_queries(
    client, place, django_assert_max_num_queries
):
    start = timezone.now() + dt.timedelta(days=1)
    team = services.team_create(actor=place["worker_a"], division=place["a"], name="服务队")
    for i in range(10):
        a = _activity(place, start + dt.timedelta(hours=i))
        a.team = team
        a.save(update_fields=["team"])
        services.activity_sign_up(activity=a, user=place["member"])
        services.wish_post(
            actor=place["worker_a"], division=place["a"], title=f"心愿{i}", resident_name="刘奶奶"
        )
    for user in (place["worker_a"], place["member"]):
        client.force_login(user)
        for url, limit in (
            ("/volunteering/", 15),
            ("/volunteering/wishes/", 12),
            ("/volunteering/teams/", 12),
            ("/volunteering/points/", 12),
            ("/api/v1/volunteering/activities", 10),
            ("/api/v1/volunteering/wishes", 10),
            ("/api/v1/volunteering/teams", 10),
        ):
            with django_assert_max_num_queries(limit):
                assert client.get(url).status_code == 200, url
