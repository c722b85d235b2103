from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.constants import Role
from gongzhi.core.errors import Conflict, ValidationFailed
from gongzhi.volunteering import services
from gongzhi.volunteering.models import MicroWish, PointsEntry, PointsRule, SignUp
from tests.factories import make_user
from tests.volunteering.conftest import running_activity


def test_signing_up_over_capacity_is_refused(place):
    a = running_activity(place, capacity=1)
    services.activity_sign_up(activity=a, user=place["member"])
    with pytest.raises(Conflict, match="名额已满"):
        services.activity_sign_up(activity=a, user=place["member2"])
    assert SignUp.objects.filter(activity=a).count() == 1


def test_checking_out_before_checking_in_is_refused(place):
    a = running_activity(place)
    services.activity_sign_up(activity=a, user=place["member"])
    with pytest.raises(ValidationFailed, match="尚未签到"):
        services.check_out(activity=a, user=place["member"])
    assert SignUp.objects.get().checked_out_at is None


def test_check_in_and_out_count_hours_and_points(place):
    PointsRule.objects.create(event="service_hour", points=10)
    a = running_activity(place)
    services.activity_sign_up(activity=a, user=place["member"])
    t0 = timezone.now()
    services.check_in(activity=a, user=place["member"], at=t0)
    s = services.check_out(activity=a, user=place["member"], at=t0 + dt.timedelta(minutes=90))
    assert s.hours == pytest.approx(1.5)
    assert PointsEntry.objects.get().points == 15


def test_scan_token_round_trips_and_rejects_tampering(place):
    a = running_activity(place)
    token = services.scan_token(activity=a, action="in")
    assert services.scan_resolve(token=token) == (a.pk, "in")
    with pytest.raises(ValidationFailed, match="二维码无效"):
        services.scan_resolve(token=token[:-2] + "xx")


def test_claiming_ones_own_wish_is_refused(place):
    wish = services.wish_post(actor=place["resident"], division=place["a"], title="修好楼道灯")
    with pytest.raises(ValidationFailed, match="不能认领自己"):
        services.wish_claim(wish=wish, user=place["resident"])
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_by) == ("open", None)


def test_wish_is_claimed_fulfilled_and_confirmed_by_the_resident(place):
    PointsRule.objects.create(event="wish_confirmed", points=20)
    wish = services.wish_post(actor=place["resident"], division=place["a"], title="代买药品")
    services.wish_claim(wish=wish, user=place["member"])
    services.wish_fulfil(wish=wish, user=place["member"])
    services.wish_confirm(wish=wish, user=place["resident"])
    wish.refresh_from_db()
    assert wish.status == "confirmed"
    assert PointsEntry.objects.get(user=place["member"]).points == 20


def test_staff_posts_a_wish_on_behalf_of_a_resident(place):
    wish = services.wish_post(
        actor=place["worker_a"], division=place["a"], title="陪同就医", resident_name="刘奶奶"
    )
    assert (wish.resident, wish.resident_name) == (None, "刘奶奶")
    other = make_user(place["b"].code, Role.RESIDENT, username="resident_b")
    assert MicroWish.objects.filter(resident=other).count() == 0
