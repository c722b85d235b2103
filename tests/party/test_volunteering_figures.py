"""What the party pages and API show of volunteering, which party does not
import (decision 0015): volunteering hands its service hours and its activity
and wish counts over through ``party.hooks`` when the app is ready."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from gongzhi.accounts.constants import Role
from gongzhi.party import services
from gongzhi.volunteering.models import Activity, MicroWish, SignUp
from tests.factories import make_user
from tests.party.conftest import STREET


def _served(place, hours: int) -> None:
    """The member's report-in (employer: the place's unit) and one finished
    activity of community a at which they served ``hours``."""
    services.report_in_register(
        user=place["member"], community=place["a"], name="王建国", employer=place["unit"]
    )
    # Mid-June of the current year: inside the pages' default period (this year).
    now = timezone.localtime().replace(month=6, day=15, hour=12)
    activity = Activity.objects.create(
        division=place["a"],
        title="义诊",
        starts_at=now - dt.timedelta(hours=hours + 1),
        ends_at=now - dt.timedelta(hours=1),
        capacity=5,
        status="finished",
    )
    SignUp.objects.create(
        activity=activity,
        user=place["member"],
        checked_in_at=now - dt.timedelta(hours=hours + 1),
        checked_out_at=now - dt.timedelta(hours=1),
        hours=hours,
    )


def test_member_and_employer_see_the_hours_served_this_year(client, place):
    _served(place, hours=3)
    client.force_login(place["member"])
    page = client.get("/party/").content.decode()
    assert re.search(r'class="my-hours">3(\.0+)?<', page)
    client.force_login(place["liaison"])
    rows = client.get("/api/v1/party/employer/members").json()
    assert [(r["hours"], r["activities"]) for r in rows] == [(3.0, 1)]


def test_overview_counts_volunteering_activities_and_wishes_per_child(client, place):
    _served(place, hours=2)
    MicroWish.objects.create(division=place["a"], title="修灯", resident_name="刘")
    MicroWish.objects.create(division=place["b"], title="买药", resident_name="赵")
    client.force_login(make_user("340111", Role.DISTRICT_OFFICER, username="officer1"))
    data = client.get(f"/api/v1/party/overview/{STREET}").json()
    assert (data["totals"]["activities"], data["totals"]["wishes"]) == (1, 2)
    counts = {c["code"]: c["counts"] for c in data["children"]}
    assert (counts[place["a"].code]["activities"], counts[place["a"].code]["wishes"]) == (1, 1)
    assert (counts[place["b"].code]["activities"], counts[place["b"].code]["wishes"]) == (0, 1)
    page = client.get(f"/party/overview/{STREET}/").content.decode()
    assert '<dd data-metric="activities">1</dd>' in page
    assert '<dd data-metric="wishes">2</dd>' in page
