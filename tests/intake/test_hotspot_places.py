"""Hotspot pages name the community, not its division code."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts.constants import Role
from gongzhi.org.models import Division
from tests.cases.factories import CaseFactory
from tests.factories import make_user

pytestmark = pytest.mark.django_db

STREET = "340111002"
TITLES = ["常青小区垃圾站臭气熏天无人清运", "芜湖路口夜间施工噪音扰民严重"]


@pytest.fixture
def communities(client):
    """Two hotspots, each in its own community of the street."""
    grids = [
        Division.objects.filter(code__startswith=c.code, level="grid").order_by("code")[0]
        for c in Division.objects.filter(parent__code=STREET).order_by("code")[:2]
    ]
    for grid, title in zip(grids, TITLES, strict=True):
        for i in range(3):
            CaseFactory(grid=grid, title=title, description=f"{title},第{i}次反映")
    client.force_login(make_user(STREET, Role.STREET_STAFF, username="hs_places"))
    return [Division.objects.get(code=g.code[:12]) for g in grids]


def test_each_hotspot_names_its_community(client, communities):
    html = client.get("/intake/hotspots/").content.decode()
    assert [c.short_name in html for c in communities] == [True, True]
    assert [c.code in html for c in communities] == [False, False]


def test_the_problem_of_the_month_names_its_community(client, communities):
    html = client.get("/intake/hotspots/hard-problems/").content.decode()
    # One problem per month: the hotter of the two, in one of the communities.
    assert sum(f"<td>{c.short_name}</td>" in html for c in communities) == 1
    assert [c.code in html for c in communities] == [False, False]


def test_the_names_come_in_one_query(client, communities):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/intake/hotspots/")
    lookups = [
        q["sql"] for q in ctx.captured_queries if "org_division" in q["sql"] and " IN (" in q["sql"]
    ]
    assert len(lookups) == 1
