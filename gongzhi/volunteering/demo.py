"""Demo volunteering data for all of Anhui, deterministic and bulk-written.

Person-times and problems solved are generated at 1/DEMO_SCALE of the seed's
province totals (docs/decisions/0010: now at the seed's scale, 73.7万). 黄果山社区 gets the
“一米阳光” brand with 安徽师范大学 and open activities for the demo accounts.
Idempotent: skipped when activities exist.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.cobuild.models import ResidentUnit
from gongzhi.core.bulk import fast_insert, fast_insert_objects
from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Division
from gongzhi.party.demo import DEMO_SCALE

from .constants import ActivityStatus, PointsEvent, WishStatus
from .models import Activity, MicroWish, PointsRule, ServiceBrand, SignUp, Team

PERSON_TIMES = 737_000 // DEMO_SCALE
PROBLEMS_SOLVED = 186_000 // DEMO_SCALE
PER_ACTIVITY = 10
POOL = 2000
CONFIRMED_WISHES = 1300
HUANGGUOSHAN = "340202016002"
TITLES = [
    "助老理发",
    "楼道清理",
    "义诊进社区",
    "垃圾分类宣传",
    "四点半课堂",
    "法律咨询",
    "文明劝导",
]


@transaction.atomic
def volunteering_generate(*, seed: int = 2024) -> int:
    PointsRule.objects.get_or_create(
        event=PointsEvent.SERVICE_HOUR, defaults={"points": 10, "description": "每服务1小时"}
    )
    PointsRule.objects.get_or_create(
        event=PointsEvent.WISH_CONFIRMED, defaults={"points": 20, "description": "实现1个微心愿"}
    )
    if Activity.objects.exists():
        return 0
    rng = random.Random(seed)
    communities = list(
        Division.objects.filter(level=Level.COMMUNITY, kind=Kind.RESIDENTS_COMMITTEE).only(
            "pk", "code"
        )
    )
    unusable = make_password(None)
    fast_insert_objects(
        User,
        [
            User(
                username=f"demo_vol_{i:05d}",
                password=unusable,
                display_name="志愿者",
                division=rng.choice(communities),
            )
            for i in range(POOL)
        ],
    )
    pool = list(User.objects.filter(username__startswith="demo_vol_").values_list("pk", flat=True))
    now = timezone.now()
    year_start = now.replace(month=1, day=1, hour=8, minute=0, second=0, microsecond=0)
    span_days = max((now - year_start).days - 1, 1)
    n_activities = PERSON_TIMES // PER_ACTIVITY
    solved_by_activities = PROBLEMS_SOLVED - CONFIRMED_WISHES
    activities = []
    for i in range(n_activities):
        start = year_start + dt.timedelta(days=rng.randrange(span_days), hours=rng.randrange(10))
        solved = solved_by_activities // n_activities + (
            1 if i < solved_by_activities % n_activities else 0
        )
        activities.append(
            Activity(
                division=rng.choice(communities),
                title=rng.choice(TITLES),
                starts_at=start,
                ends_at=start + dt.timedelta(hours=3),
                capacity=PER_ACTIVITY + 5,
                status=ActivityStatus.FINISHED,
                problems_solved=solved,
            )
        )
    fast_insert_objects(Activity, activities)
    signups = []
    durations = [(dt.timedelta(hours=h), Decimal(str(h))) for h in (1, 1.5, 2, 2.5, 3)]
    for a in activities:
        start = a.starts_at
        for user_id in rng.sample(pool, PER_ACTIVITY):
            delta, hours = rng.choice(durations)
            # Plain rows, not model instances: 737 000 of them.
            signups.append(
                {
                    "activity_id": a.pk,
                    "user_id": user_id,
                    "checked_in_at": start,
                    "checked_out_at": start + delta,
                    "hours": hours,
                }
            )
    fast_insert(SignUp, signups)
    wishes = []
    for _i in range(CONFIRMED_WISHES):
        t = year_start + dt.timedelta(days=rng.randrange(span_days))
        wishes.append(
            MicroWish(
                division=rng.choice(communities),
                title=rng.choice(["代购生活用品", "修理水龙头", "陪同就医", "辅导功课"]),
                resident_name="居民",
                status=WishStatus.CONFIRMED,
                claimed_by_id=rng.choice(pool),
                claimed_at=t,
                fulfilled_at=t,
                confirmed_at=t + dt.timedelta(days=1),
            )
        )
    fast_insert_objects(MicroWish, wishes)
    _huangguoshan(now)
    return len(activities)


def _huangguoshan(now: dt.datetime) -> None:
    hgs = Division.objects.filter(code=HUANGGUOSHAN).first()
    if hgs is None:
        return
    partner = ResidentUnit.objects.filter(name="安徽师范大学").first()
    brand = ServiceBrand.objects.create(
        division=hgs,
        name="一米阳光",
        slogan="每名党员奉献一点时间、一份爱心、一项专长,提供“微服务”、办好“小事情”",
        partner=partner,
    )
    team = Team.objects.create(division=hgs, name="一米阳光志愿服务队", brand=brand)
    for days, title in ((0, "一米阳光 · 助老理发"), (2, "一米阳光 · 四点半课堂")):
        start = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=days)
        Activity.objects.create(
            division=hgs,
            team=team,
            title=title,
            place="黄果山社区党群服务中心",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            capacity=20,
        )
    MicroWish.objects.create(
        division=hgs, title="帮忙更换楼道灯泡", resident_name="刘奶奶", resident_phone="13905531111"
    )
