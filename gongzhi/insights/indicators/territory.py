"""Indicators computed from the territory tree: grids, grid members, posts.

All four are snapshots as of the end of the period: a row counts when it was
created before the period ended. The org models keep no history of
deactivation, so ``is_active`` is read as it is now; a past year's snapshot
therefore counts rows created by then and still active today.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Division, GridMember, PostQuota, StaffPost

from ..registry import Counts, Period, Unit, group_count, register


@register(
    code="grid_count",
    name=_("网格数"),
    definition=_(
        "截至统计期末,辖区内已划分的网格总数(区划层级为“网格”的节点)。"
        "对应种子文章“共划分网格2.4万个”。"
    ),
    numerator=_("期末网格数"),
    unit=Unit.COUNT,
    seed=_("种子文章:全省共划分网格2.4万个"),
    seed_value=24000,
)
def grid_count(scope: Division, period: Period, by: int) -> Counts:
    grids = Division.objects.filter(period.snapshot_q(), level=Level.GRID)
    return Counts(numerator=group_count(grids, "code", scope, by))


@register(
    code="community_grid_coverage",
    name=_("社区网格化管理覆盖率"),
    definition=_(
        "截至统计期末,辖区内至少划分了一个网格的社区居委会占全部社区居委会的比例"
        "(村委会不计)。对应种子文章“全省97%的社区开展了网格化管理”。"
    ),
    numerator=_("已划分网格的社区居委会数"),
    denominator=_("社区居委会总数"),
    unit=Unit.PERCENT,
    seed=_("种子文章:全省97%的社区开展了网格化管理"),
    seed_value=97,
)
def community_grid_coverage(scope: Division, period: Period, by: int) -> Counts:
    committees = Division.objects.filter(level=Level.COMMUNITY, kind=Kind.RESIDENTS_COMMITTEE)
    has_grid = Exists(
        Division.objects.filter(period.snapshot_q(), parent=OuterRef("pk"), level=Level.GRID)
    )
    return Counts(
        numerator=group_count(committees.filter(has_grid), "code", scope, by),
        denominator=group_count(committees, "code", scope, by),
    )


@register(
    code="part_time_grid_members",
    name=_("兼职网格员数"),
    definition=_(
        "截至统计期末,辖区内各网格在岗的兼职网格员人数。对应种子文章“配备兼职网格员3.4万名”。"
    ),
    numerator=_("在岗兼职网格员数"),
    unit=Unit.COUNT,
    seed=_("种子文章:全省配备兼职网格员3.4万名"),
    seed_value=34000,
)
def part_time_grid_members(scope: Division, period: Period, by: int) -> Counts:
    members = GridMember.objects.filter(period.snapshot_q(), is_active=True, is_part_time=True)
    return Counts(numerator=group_count(members, "grid__code", scope, by))


@register(
    code="staffing_rate",
    name=_("社区专职工作者员额配备率"),
    definition=_(
        "截至统计期末,辖区内各社区在岗的社区专职工作者人数占核定员额总数的比例。"
        "对应种子文章“共核定3.6万人、配备3.4万人”(约94.4%)。"
    ),
    numerator=_("在岗社区专职工作者数(已配备)"),
    denominator=_("社区专职工作者核定员额合计"),
    unit=Unit.PERCENT,
    seed=_("种子文章:全省社区专职工作者共核定3.6万人、配备3.4万人"),
    seed_value=round(34 / 36 * 100, 1),
)
def staffing_rate(scope: Division, period: Period, by: int) -> Counts:
    posts = StaffPost.objects.filter(period.snapshot_q(), is_active=True)
    quotas = PostQuota.objects.filter(period.snapshot_q())
    return Counts(
        numerator=group_count(posts, "community__code", scope, by),
        denominator=group_count(quotas, "community__code", scope, by, Sum("approved")),
    )
