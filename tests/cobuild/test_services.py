from __future__ import annotations

import pytest

from gongzhi.cobuild import selectors, services
from gongzhi.cobuild.models import Need
from gongzhi.core.errors import ValidationFailed


def test_need_matches_only_a_paired_units_resource(place):
    need = services.need_raise(
        actor=place["worker_a"], community=place["a"], title="老年食堂场地", category="venue"
    )
    paired = services.resource_add(
        actor=place["liaison"], unit=place["unit"], title="职工食堂", category="venue"
    )
    unpaired = services.resource_add(
        actor=place["other_liaison"], unit=place["other"], title="会议室", category="venue"
    )
    assert selectors.match_suggestions(need=need) == [paired]
    with pytest.raises(ValidationFailed, match="未与本社区或所在街道结对共建"):
        services.need_match(actor=place["worker_a"], need=need, resource=unpaired)
    need.refresh_from_db()
    assert (need.status, need.resource) == ("open", None)
    services.need_match(actor=place["worker_a"], need=need, resource=paired)
    assert Need.objects.get().status == "matched"


def test_liaison_cannot_publish_for_another_unit(place):
    from gongzhi.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.resource_add(
            actor=place["liaison"], unit=place["other"], title="车辆", category="supplies"
        )


def test_community_assesses_a_paired_unit_once_a_year(place):
    from gongzhi.core.errors import Conflict

    services.unit_assess(
        actor=place["worker_a"], unit=place["unit"], community=place["a"], year=2026, grade="good"
    )
    with pytest.raises(Conflict):
        services.unit_assess(
            actor=place["worker_a"],
            unit=place["unit"],
            community=place["a"],
            year=2026,
            grade="excellent",
        )
