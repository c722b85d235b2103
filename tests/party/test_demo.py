"""The demo generators run on the test territory, match the seed's rates
roughly, and are idempotent."""

from __future__ import annotations

import pytest

from gongzhi.cobuild.demo import cobuild_generate
from gongzhi.cobuild.models import ResidentUnit
from gongzhi.insights.registry import Period, registry
from gongzhi.org.models import Division
from gongzhi.party.demo import party_generate
from gongzhi.party.models import CommitteeSeat, PartyOrganization
from gongzhi.volunteering.demo import volunteering_generate
from gongzhi.volunteering.models import Activity


@pytest.mark.slow
def test_demo_generators_are_idempotent_and_plausible(db):
    assert cobuild_generate(seed=1) > 0
    assert party_generate(seed=1) > 0
    assert volunteering_generate(seed=1) > 0
    counts = (
        ResidentUnit.objects.count(),
        PartyOrganization.objects.count(),
        Activity.objects.count(),
    )
    assert (cobuild_generate(seed=1), party_generate(seed=1), volunteering_generate(seed=1)) == (
        0,
        0,
        0,
    )
    assert counts == (
        ResidentUnit.objects.count(),
        PartyOrganization.objects.count(),
        Activity.objects.count(),
    )
    # 建新社区's 大党委 has part-time members from its 13 resident units.
    assert (
        CommitteeSeat.objects.filter(
            organization__division__code="340302005007", is_part_time=True
        ).count()
        == 13
    )
    province = Division.objects.get(code="34")
    year = Period.current()
    rate = registry.get("joint_conference_rate").compute(province, year).value
    assert 95 <= rate <= 100
