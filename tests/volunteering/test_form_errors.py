"""Bad input on the volunteering pages re-renders the page holding the form
with the Chinese message and the user's values (400, 409 for a conflict), and
nothing is written: activities, brands and teams, points rules, finishing an
activity, the scan page, 微心愿 actions."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from gongzhi.accounts.constants import Role
from gongzhi.volunteering import services
from gongzhi.volunteering.models import Activity, MicroWish, PointsRule, ServiceBrand, Team
from tests.cobuild.redisplay import assert_redisplayed
from tests.factories import make_user
from tests.volunteering.conftest import running_activity


def test_activity_with_a_bad_capacity_redisplays_the_form(client, place):
    client.force_login(place["worker_a"])
    data = {
        "division_code": place["a"].code,
        "title": "清洁家园",
        "starts_at": "2026-03-02T09:00",
        "ends_at": "2026-03-02T11:00",
        "capacity": "很多",
        "description": "带好手套",
    }
    r = client.post("/volunteering/activities/new/", data)
    assert_redisplayed(
        r,
        "activity",
        "招募人数须为整数。",
        'value="清洁家园"',
        'value="2026-03-02T09:00"',
        'value="很多"',
        ">带好手套</textarea>",
    )
    assert not Activity.objects.exists()


def test_activity_ending_before_it_starts_redisplays_the_form(client, place):
    client.force_login(place["worker_a"])
    data = {
        "division_code": place["a"].code,
        "title": "清洁家园",
        "starts_at": "2026-03-02T11:00",
        "ends_at": "2026-03-02T09:00",
        "capacity": "10",
    }
    r = client.post("/volunteering/activities/new/", data)
    assert_redisplayed(r, "activity", "结束时间须晚于开始时间。", 'value="10"')
    assert not Activity.objects.exists()


def test_brand_and_team_without_names_redisplay_their_forms(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/volunteering/brands/new/",
        {"division_code": place["a"].code, "name": "", "slogan": "小事不出社区"},
    )
    assert_redisplayed(r, "brand", "请填写品牌名称。", 'value="小事不出社区"')
    r = client.post("/volunteering/teams/new/", {"division_code": place["a"].code, "name": ""})
    assert_redisplayed(r, "team", "请填写队伍名称。")
    assert not ServiceBrand.objects.exists() and not Team.objects.exists()


def test_same_team_twice_redisplays_the_form_with_409(client, place):
    services.team_create(actor=place["worker_a"], division=place["a"], name="青年队")
    client.force_login(place["worker_a"])
    r = client.post(
        "/volunteering/teams/new/", {"division_code": place["a"].code, "name": "青年队"}
    )
    assert_redisplayed(r, "team", "已有同名志愿服务队。", 'value="青年队"', status=409)
    assert Team.objects.count() == 1


def test_points_rule_out_of_range_redisplays_its_row(client, place):
    client.force_login(make_user("34", Role.PROVINCE_OFFICER, username="prov"))
    r = client.post(
        "/volunteering/points/",
        {"event": "service_hour", "points": "5000", "description": "每小时"},
    )
    assert_redisplayed(r, "points_rule", "积分须在0到1000之间。", 'value="5000"', 'value="每小时"')
    assert not PointsRule.objects.filter(points=5000).exists()


def test_finishing_with_a_negative_count_redisplays_the_activity(client, place):
    activity = running_activity(place, capacity=5)
    client.force_login(place["worker_a"])
    r = client.post(f"/volunteering/activities/{activity.pk}/finish/", {"problems_solved": "-2"})
    assert_redisplayed(r, "finish", "解决问题数不能小于0。", 'value="-2"', "助老理发")
    activity.refresh_from_db()
    assert (activity.status, activity.problems_solved) == ("open", 0)


def test_checking_out_before_checking_in_redisplays_the_scan_page(client, place):
    activity = running_activity(place, capacity=5)
    services.activity_sign_up(activity=activity, user=place["member"])
    token = services.scan_token(activity=activity, action="out")
    client.force_login(place["member"])
    r = client.post(f"/volunteering/scan/{token}/")
    assert_redisplayed(r, "scan", "您尚未签到,不能签退。", "助老理发")
    assert activity.signups.get().checked_out_at is None


def test_an_expired_code_is_still_an_error_page(client, place):
    activity = running_activity(place, capacity=5)
    token = services.scan_token(activity=activity, action="in")
    client.force_login(place["member"])
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        client.force_login(place["member"])
        r = client.post(f"/volunteering/scan/{token}/")
    assert r.status_code == 400 and "二维码已过期" in r.content.decode()


def test_claiming_a_claimed_wish_redisplays_the_wall_with_409(client, place):
    wish = services.wish_post(
        actor=place["worker_a"], division=place["a"], title="一个书包", resident_name="刘奶奶"
    )
    services.wish_claim(wish=wish, user=place["member2"])
    client.force_login(place["member"])
    r = client.post(f"/volunteering/wishes/{wish.pk}/claim/")
    assert_redisplayed(r, "wish_action", "该微心愿已被认领。", "一个书包", status=409)
    assert MicroWish.objects.get().claimed_by == place["member2"]
