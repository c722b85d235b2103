"""Volunteering indicators of the seed article."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.insights.registry import Counts, Period, Unit, group_count, register
from gongzhi.org.models import Division

from .constants import ActivityStatus, WishStatus
from .models import Activity, MicroWish, SignUp


@register(
    code="volunteer_person_times",
    name=_("志愿服务人次"),
    definition=_("统计期内签到并签退完成的志愿服务人次(一人参加一次活动计一人次)。"),
    numerator=_("期内完成签退的报名数"),
    unit=Unit.COUNT,
    seed=_("种子文章:累计开展志愿服务73.7万人次"),
    seed_value=737000,
)
def volunteer_person_times(scope: Division, period: Period, by: int) -> Counts:
    done = SignUp.objects.filter(period.range_q("checked_out_at"))
    return Counts(numerator=group_count(done, "activity__division__code", scope, by))


@register(
    code="problems_solved",
    name=_("帮助群众解决实际问题数"),
    definition=_("统计期内结束的志愿活动登记的解决实际问题数,加上期内经居民确认实现的微心愿数。"),
    numerator=_("活动解决问题数 + 已确认微心愿数"),
    unit=Unit.COUNT,
    seed=_("种子文章:帮助群众解决实际问题18.6万个"),
    seed_value=186000,
)
def problems_solved(scope: Division, period: Period, by: int) -> Counts:
    activities = Activity.objects.filter(period.range_q("ends_at"), status=ActivityStatus.FINISHED)
    solved = group_count(activities, "division__code", scope, by, Sum("problems_solved"))
    wishes = MicroWish.objects.filter(period.range_q("confirmed_at"), status=WishStatus.CONFIRMED)
    for group, n in group_count(wishes, "division__code", scope, by).items():
        solved[group] = solved.get(group, 0) + n
    return Counts(numerator=solved)
