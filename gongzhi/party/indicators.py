"""Party-building indicators of the seed article, computed from party data.

Rates are counted per node (street/community/grid) so they add up over the
tree; snapshots count rows created before the end of the period.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.insights.registry import Counts, Period, Unit, group_count, register
from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Division

from .constants import COMMUNITY_KINDS, GRID_KINDS, OrgKind, ReportInStatus, SeatRole
from .models import CommitteeSeat, JointConference, PartyOrganization, ReportIn

# Streets (街道, not towns) and residents' committees (社区, not villages): the
# urban grassroots the seed article counts.
URBAN_NODES = Q(level=Level.STREET, kind=Kind.SUBDISTRICT) | Q(
    level=Level.COMMUNITY, kind=Kind.RESIDENTS_COMMITTEE
)


@register(
    code="joint_conference_rate",
    name=_("党建工作联席会议建立率"),
    definition=_("截至统计期末,已建立党建工作联席会议的街道和社区占街道、社区总数的比例。"),
    numerator=_("已建立联席会议的街道和社区数"),
    denominator=_("街道和社区总数"),
    unit=Unit.PERCENT,
    seed=_("种子文章:全省98%的街道和社区成立党建工作联席会议"),
    seed_value=98,
)
def joint_conference_rate(scope: Division, period: Period, by: int) -> Counts:
    nodes = Division.objects.filter(URBAN_NODES)
    has = Exists(
        JointConference.objects.filter(division=OuterRef("pk"), established_on__lte=period.end)
    )
    return Counts(
        numerator=group_count(nodes.filter(has), "code", scope, by),
        denominator=group_count(nodes, "code", scope, by),
    )


@register(
    code="report_in_members",
    name=_("在职党员报到人数"),
    definition=_("截至统计期末,经居住地社区确认报到的在职党员人数。"),
    numerator=_("已确认报到的在职党员数"),
    unit=Unit.COUNT,
    seed=_("种子文章:共有35.8万名在职党员到社区报到"),
    seed_value=358000,
)
def report_in_members(scope: Division, period: Period, by: int) -> Counts:
    confirmed = ReportIn.objects.filter(
        status=ReportInStatus.CONFIRMED, confirmed_at__lt=period.end_before
    )
    return Counts(numerator=group_count(confirmed, "community__code", scope, by))


def _community_secretaries(period: Period):
    return CommitteeSeat.objects.filter(
        period.snapshot_q(),
        role=SeatRole.SECRETARY,
        organization__kind__in=COMMUNITY_KINDS,
        organization__division__kind=Kind.RESIDENTS_COMMITTEE,
    )


def _secretaries_also(*, flag: str, scope: Division, period: Period, by: int) -> Counts:
    """Communities whose secretary also holds the post named by ``flag``
    (a cross-appointment), over communities that have a secretary."""
    seats = _community_secretaries(period)
    field = "organization__division__code"
    return Counts(
        numerator=group_count(seats.filter(**{flag: True}), field, scope, by),
        denominator=group_count(seats, field, scope, by),
    )


@register(
    code="one_shoulder_rate",
    name=_("“一肩挑”比例"),
    definition=_("社区党组织书记同时担任居委会主任的社区,占有社区党组织书记的社区的比例。"),
    numerator=_("书记兼任居委会主任的社区数"),
    denominator=_("有社区党组织书记的社区数"),
    unit=Unit.PERCENT,
    seed=_("种子文章:全省“一肩挑”比例达56%"),
    seed_value=56,
)
def one_shoulder_rate(scope: Division, period: Period, by: int) -> Counts:
    return _secretaries_also(flag="also_director", scope=scope, period=period, by=by)


@register(
    code="supervision_chair_rate",
    name=_("书记兼任居务监督委员会主任比例"),
    definition=_("社区党组织书记同时担任居务监督委员会主任的社区,占有社区党组织书记的社区的比例。"),
    numerator=_("书记兼任居务监督委员会主任的社区数"),
    denominator=_("有社区党组织书记的社区数"),
    unit=Unit.PERCENT,
    seed=_("种子文章:兼任居务监督委员会主任的达95%"),
    seed_value=95,
)
def supervision_chair_rate(scope: Division, period: Period, by: int) -> Counts:
    return _secretaries_also(flag="also_supervision_chair", scope=scope, period=period, by=by)


@register(
    code="grid_party_coverage",
    name=_("网格党组织覆盖率"),
    definition=_("截至统计期末,成立了网格党支部或党小组(含楼栋党小组)的网格占网格总数的比例。"),
    numerator=_("已建党组织的网格数"),
    denominator=_("网格总数"),
    unit=Unit.PERCENT,
    seed=_("种子文章:57%的网格成立网格党支部或党小组"),
    seed_value=57,
)
def grid_party_coverage(scope: Division, period: Period, by: int) -> Counts:
    grids = Division.objects.filter(period.snapshot_q(), level=Level.GRID)
    has = Exists(
        PartyOrganization.objects.filter(
            period.snapshot_q(), division=OuterRef("pk"), kind__in=GRID_KINDS
        )
    )
    return Counts(
        numerator=group_count(grids.filter(has), "code", scope, by),
        denominator=group_count(grids, "code", scope, by),
    )


@register(
    code="grid_branch_count",
    name=_("网格党支部数"),
    definition=_("截至统计期末,建在网格上的党支部数。"),
    numerator=_("网格党支部数"),
    unit=Unit.COUNT,
    seed=_("种子文章:宣城市组建185个“全科网格”党支部"),
    seed_value=185,
)
def grid_branch_count(scope: Division, period: Period, by: int) -> Counts:
    orgs = PartyOrganization.objects.filter(period.snapshot_q(), kind=OrgKind.GRID_BRANCH)
    return Counts(numerator=group_count(orgs, "division__code", scope, by))


@register(
    code="building_group_count",
    name=_("楼栋党小组数"),
    definition=_("截至统计期末,建在楼栋上的党小组数。"),
    numerator=_("楼栋党小组数"),
    unit=Unit.COUNT,
    seed=_("种子文章:宣城市组建368个楼栋党小组"),
    seed_value=368,
)
def building_group_count(scope: Division, period: Period, by: int) -> Counts:
    orgs = PartyOrganization.objects.filter(period.snapshot_q(), kind=OrgKind.BUILDING_GROUP)
    return Counts(numerator=group_count(orgs, "division__code", scope, by))
