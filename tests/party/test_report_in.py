from __future__ import annotations

import pytest

from gongzhi.core.errors import Conflict, NotFound
from gongzhi.insights.registry import Period
from gongzhi.party import selectors, services
from gongzhi.party.models import PartyMember, ReportIn

# A second valid GB 11643 number (check character computed).
OTHER_ID = "340104198505050026"


def _register(place, user="member", employer="unit", id_number="340104199001011239"):
    return services.report_in_register(
        user=place[user],
        community=place["a"],
        name="王建国",
        phone="13855556666",
        id_number=id_number,
        employer=place[employer],
    )


def test_member_registers_and_community_confirms_with_grid_and_tasks(place):
    r = _register(place)
    grid = place["a"].children.order_by("code").first()
    services.report_in_confirm(
        actor=place["worker_a"], report_in=r, grid=grid, tasks=["楼栋巡查", "文明劝导"]
    )
    r.refresh_from_db()
    assert (r.status, r.grid, r.tasks.count()) == ("confirmed", grid, 2)


def test_registering_twice_is_refused_and_changes_nothing(place):
    _register(place)
    with pytest.raises(Conflict, match="不能重复报到"):
        _register(place)
    assert ReportIn.objects.count() == 1
    assert PartyMember.objects.count() == 1


def test_confirming_a_member_of_another_community_is_refused(place):
    r = _register(place)
    with pytest.raises(NotFound, match="管辖"):
        selectors.report_in_get_for_staff(user=place["worker_b"], pk=r.pk)
    with pytest.raises(NotFound, match="管辖范围"):
        services.report_in_confirm(actor=place["worker_b"], report_in=r)
    r.refresh_from_db()
    assert r.status == "pending"


def test_community_lists_only_its_own_registrations(place):
    _register(place)
    assert selectors.report_ins_for_staff(user=place["worker_a"]).count() == 1
    assert selectors.report_ins_for_staff(user=place["worker_b"]).count() == 0


def test_employer_unit_sees_only_its_own_members(place):
    _register(place)
    _register(place, user="member2", employer="other", id_number=OTHER_ID)
    own = selectors.employer_participation(user=place["liaison"], period=Period.for_year(2026))
    other = selectors.employer_participation(
        user=place["other_liaison"], period=Period.for_year(2026)
    )
    assert [p.member.user for p in own] == [place["member"]]
    assert [p.member.user for p in other] == [place["member2"]]
