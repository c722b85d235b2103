"""Fixtures for insights: a small constructed territory under real places.

Data is built under 蜀山区 (340104), a county whose grids, members and posts
the shared test territory does not generate, so values are exact:

三里庵街道 340104001 (six residents' committees)
  梅山路社区 340104001001: grids 001, 002, 003; quota 7; 5 active + 1 inactive posts
      grid 001: 2 active part-time, 1 active full-time, 1 inactive part-time members
      grid 002: 1 active part-time member
  绩溪路社区 340104001002: grid 001; quota 5; 5 active posts
  二里街社区 340104001003: no grid; quota 4; no posts
南岗镇 340104101
  鸡鸣村 340104101200 (villagers' committee): grid 001 with 1 active part-time member
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.accounts.services import user_create
from gongzhi.org.constants import Kind
from gongzhi.org.models import Division, PostQuota

from .factories import make_grid, make_members, make_posts

PASSWORD = "a-Strong-passw0rd!"


@dataclass
class Territory:
    county: Division
    street: Division
    town: Division
    meishan: Division
    jixi: Division
    erli: Division
    jiming: Division
    grids: list[Division]


@pytest.fixture
def territory(db) -> Territory:
    get = Division.objects.get
    meishan, jixi, erli = (get(code=f"340104001{n}") for n in ("001", "002", "003"))
    jiming = get(code="340104101200")
    assert {meishan.kind, jixi.kind, erli.kind} == {Kind.RESIDENTS_COMMITTEE}
    assert jiming.kind == Kind.VILLAGERS_COMMITTEE

    g1, g2, g3 = (make_grid(meishan, s) for s in ("001", "002", "003"))
    g4 = make_grid(jixi, "001")
    g5 = make_grid(jiming, "001")
    make_members(g1, part_time=2, full_time=1, inactive=1)
    make_members(g2, part_time=1)
    make_members(g5, part_time=1)

    PostQuota.objects.create(community=meishan, approved=7)
    PostQuota.objects.create(community=jixi, approved=5)
    PostQuota.objects.create(community=erli, approved=4)
    make_posts(meishan, active=5, inactive=1)
    make_posts(jixi, active=5)

    return Territory(
        county=get(code="340104"),
        street=get(code="340104001"),
        town=get(code="340104101"),
        meishan=meishan,
        jixi=jixi,
        erli=erli,
        jiming=jiming,
        grids=[g1, g2, g3, g4, g5],
    )


@pytest.fixture
def officer(territory):
    """A district officer of 蜀山区."""
    return user_create(
        username="shushan-officer",
        password=PASSWORD,
        division=territory.county,
        roles=[Role.DISTRICT_OFFICER],
    )


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client
