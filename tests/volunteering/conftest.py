"""Shared builders for the party, cobuild and volunteering tests.

Data is built under 常青街道 (340111002) and its first communities, whose
grids the test territory generates; values asserted are exact because no
party/cobuild/volunteering rows exist in the test territory otherwise.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.constants import Role
from gongzhi.cobuild.models import Pairing, ResidentUnit, UnitContact
from gongzhi.org.models import Division
from gongzhi.volunteering import services
from tests.factories import make_user

STREET = "340111002"


def communities(n: int = 2) -> list[Division]:
    return list(Division.objects.filter(parent__code=STREET, kind="residents").order_by("code")[:n])


@pytest.fixture
def place(db):
    a, b = communities(2)
    unit = ResidentUnit.objects.create(name="包河区税务局", kind="agency", division=a)
    other = ResidentUnit.objects.create(name="某科技公司", kind="enterprise", division=b)
    Pairing.objects.create(unit=unit, division=a, started_on="2025-01-01")
    return {
        "a": a,
        "b": b,
        "unit": unit,
        "other": other,
        "worker_a": make_user(a.code, Role.COMMUNITY_WORKER, username="worker_a"),
        "worker_b": make_user(b.code, Role.COMMUNITY_WORKER, username="worker_b"),
        "member": make_user(a.code, Role.PARTY_MEMBER, username="member1"),
        "member2": make_user(a.code, Role.PARTY_MEMBER, username="member2"),
        "liaison": _liaison(unit, "liaison1"),
        "other_liaison": _liaison(other, "liaison2"),
        "resident": make_user(a.code, Role.RESIDENT, username="resident1"),
    }


def _liaison(unit, username):
    user = make_user(unit.division.code, Role.COBUILD_LIAISON, username=username)
    UnitContact.objects.create(unit=unit, name="李联络", phone="13900001111", user=user)
    return user


def running_activity(place, capacity: int = 1):
    """An activity of community a that began half an hour ago (check-in open)."""
    now = timezone.now()
    return services.activity_create(
        actor=place["worker_a"],
        division=place["a"],
        title="一米阳光 · 助老理发",
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=2),
        capacity=capacity,
    )
