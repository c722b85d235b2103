"""Each indicator's formula on a hand-built set under 常青街道 (340111002)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.cobuild.models import Pairing
from gongzhi.insights.registry import Period, registry
from gongzhi.org.models import Division
from gongzhi.party.models import (
    CommitteeSeat,
    JointConference,
    PartyMember,
    PartyOrganization,
    ReportIn,
)
from gongzhi.volunteering.models import Activity, MicroWish, SignUp

from .conftest import STREET

YEAR = Period.for_year(timezone.now().year)


def value(code: str, scope: str = STREET):
    return registry.get(code).compute(Division.objects.get(code=scope), YEAR)


@pytest.fixture
def street(db):
    s = Division.objects.get(code=STREET)
    communities = list(s.children.filter(kind="residents").order_by("code"))
    return s, communities


def test_joint_conference_rate_counts_streets_and_communities(street):
    s, communities = street
    JointConference.objects.create(division=s, name="x", established_on=dt.date(2024, 1, 1))
    JointConference.objects.create(
        division=communities[0], name="y", established_on=dt.date(2024, 1, 1)
    )
    v = value("joint_conference_rate")
    assert (v.numerator, v.denominator) == (2, 1 + len(communities))


def test_pairing_coverage_counts_nodes_with_a_pairing_in_force(place):
    s = Division.objects.get(code=STREET)
    n_communities = s.children.filter(kind="residents").count()
    # place pairs one unit with community a; an ended pairing does not count.
    Pairing.objects.create(
        unit=place["other"], division=place["b"], started_on="2020-01-01", ended_on="2021-01-01"
    )
    v = value("pairing_coverage")
    assert (v.numerator, v.denominator) == (1, 1 + n_communities)


def test_report_in_members_counts_confirmed_only(place):
    for i, status in enumerate(["confirmed", "confirmed", "pending"]):
        m = PartyMember.objects.create(name=f"党员{i}")
        ReportIn.objects.create(
            member=m,
            community=place["a"],
            status=status,
            confirmed_at=timezone.now() if status == "confirmed" else None,
        )
    assert value("report_in_members").value == 2


def test_cross_appointment_rates_over_community_secretaries(street):
    _, communities = street
    flags = [(True, True), (False, True), (False, False), (True, True)]
    for community, (director, supervision) in zip(communities, flags, strict=False):
        org = PartyOrganization.objects.create(
            name="党委", kind="community_committee", division=community
        )
        CommitteeSeat.objects.create(
            organization=org,
            holder_name="张书记",
            role="secretary",
            also_director=director,
            also_supervision_chair=supervision,
        )
    one = value("one_shoulder_rate")
    sup = value("supervision_chair_rate")
    n = min(len(communities), 4)
    assert (one.numerator, one.denominator) == (sum(f[0] for f in flags[:n]), n)
    assert (sup.numerator, sup.denominator) == (sum(f[1] for f in flags[:n]), n)


def test_grid_party_coverage_and_counts(street):
    _, communities = street
    grids = list(Division.objects.filter(parent=communities[0], level="grid").order_by("code"))
    PartyOrganization.objects.create(name="一网格党支部", kind="grid_branch", division=grids[0])
    PartyOrganization.objects.create(name="1栋党小组", kind="building_group", division=grids[0])
    PartyOrganization.objects.create(name="2栋党小组", kind="building_group", division=grids[1])
    all_grids = Division.objects.filter(code__startswith=STREET, level="grid").count()
    cov = value("grid_party_coverage")
    assert (cov.numerator, cov.denominator) == (2, all_grids)
    assert value("grid_branch_count").value == 1
    assert value("building_group_count").value == 2


def test_person_times_and_problems_solved(place):
    now = timezone.now()
    a = Activity.objects.create(
        division=place["a"],
        title="义诊",
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=1),
        capacity=5,
        status="finished",
        problems_solved=4,
    )
    SignUp.objects.create(
        activity=a,
        user=place["member"],
        checked_in_at=now - dt.timedelta(hours=3),
        checked_out_at=now - dt.timedelta(hours=1),
        hours=2,
    )
    SignUp.objects.create(activity=a, user=place["member2"])  # never checked in
    MicroWish.objects.create(
        division=place["a"],
        title="修灯",
        resident_name="刘",
        status="confirmed",
        claimed_by=place["member"],
        confirmed_at=now,
    )
    MicroWish.objects.create(division=place["a"], title="买药", resident_name="赵")
    assert value("volunteer_person_times").value == 1
    assert value("problems_solved").value == 4 + 1
