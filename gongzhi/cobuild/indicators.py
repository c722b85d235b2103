"""Co-building indicators of the seed article."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.insights.registry import Counts, Period, Unit, group_count, register
from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Division

from .models import Pairing


@register(
    code="pairing_coverage",
    name=_("结对共建覆盖率"),
    definition=_(
        "截至统计期末,与机关企事业单位结对共建(结对在期末有效)的街道和社区,占街道、社区总数的比例。"
    ),
    numerator=_("已结对共建的街道和社区数"),
    denominator=_("街道和社区总数"),
    unit=Unit.PERCENT,
    seed=_("种子文章:全省95%的街道社区与机关企事业单位结对共建"),
    seed_value=95,
)
def pairing_coverage(scope: Division, period: Period, by: int) -> Counts:
    nodes = Division.objects.filter(
        Q(level=Level.STREET, kind=Kind.SUBDISTRICT)
        | Q(level=Level.COMMUNITY, kind=Kind.RESIDENTS_COMMITTEE)
    )
    active = Pairing.objects.filter(division=OuterRef("pk"), started_on__lte=period.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.end)
    )
    return Counts(
        numerator=group_count(nodes.filter(Exists(active)), "code", scope, by),
        denominator=group_count(nodes, "code", scope, by),
    )
