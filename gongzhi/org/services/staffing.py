"""Departments, community posts and quotas, and grid members.

The 10 大部门 of a street follow 常青街道's reform in the seed article (26
offices of the old 七站八所 structure merged into 10 departments). Demo
staffing is generated deterministically from a seed; real rosters replace it
through the same models.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from ..constants import DepartmentKind, Kind, Level, StaffPostTitle
from ..models import Department, Division, GridMember, PostQuota, StaffPost

# The street's ten 大部门 and the offices each absorbed (26 in all).
STREET_DEPARTMENTS: list[tuple[str, str, list[str]]] = [
    ("党政办公室", "综合协调、督查督办、机要文书", ["党政办", "纪工委办公室", "人武部"]),
    (
        "党建工作部",
        "基层党建、宣传统战、群团工作",
        ["组织办", "宣传办", "统战办", "工会", "团工委", "妇联"],
    ),
    ("经济发展部", "经济运行、财政、统计", ["经济发展办", "财政所"]),
    ("城市管理部", "市容环卫、市政设施、违建治理", ["城管科", "市容所", "环卫所", "建设办"]),
    ("平安建设部", "综治维稳、信访、安全生产", ["综治办", "信访办", "安监站"]),
    ("社会事务部", "民政、社保、卫生健康", ["民政办", "劳动保障所", "计生办"]),
    ("社区建设部", "社区治理、文化体育、志愿服务", ["社区建设办", "文化站"]),
    ("公共服务中心", "一站式便民服务、政务代办", ["便民服务中心"]),
    ("司法所", "人民调解、法律援助、社区矫正", ["司法所"]),
    ("综合行政执法队", "街道综合执法", ["城管执法中队"]),
]

# District/county departments that cases are routed to.
COUNTY_DEPARTMENTS: list[tuple[str, str]] = [
    ("城市管理局", "市容环境、市政设施、园林绿化"),
    ("住房和城乡建设局", "房屋安全、物业管理、建筑工地"),
    ("生态环境分局", "大气、水、噪声污染"),
    ("市场监督管理局", "食品安全、价格、消费维权"),
    ("交通运输局", "道路运输、公交出租"),
    ("公安分局", "治安、交通秩序"),
    ("民政局", "养老、社会救助、社会组织"),
    ("人力资源和社会保障局", "就业、社保、劳动仲裁"),
    ("卫生健康委员会", "医疗卫生、疾病防控"),
    ("教育体育局", "中小学、学前教育、体育"),
    ("自然资源和规划分局", "规划、土地"),
    ("水务局", "供排水、防汛"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国志红玉梅海燕建华晓东"
    "春梅德明子涵欣怡浩然思远雨轩嘉怡俊杰佳琪"
)
MOBILE_PREFIXES = (
    "138",
    "139",
    "150",
    "151",
    "158",
    "159",
    "177",
    "180",
    "186",
    "189",
    "136",
    "137",
)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def mobile_number(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


@dataclass
class StaffingReport:
    departments: int = 0
    quotas: int = 0
    staff_posts: int = 0
    grid_members: int = 0


@transaction.atomic
def departments_ensure(*, scope_code: str = "") -> int:
    """Create the standard departments for every street and county; idempotent."""
    rows: list[Department] = []
    for street in Division.objects.filter(
        code__startswith=scope_code, level=Level.STREET, kind=Kind.SUBDISTRICT
    ).only("id"):
        for order, (name, duties, merged) in enumerate(STREET_DEPARTMENTS, start=1):
            rows.append(
                Department(
                    division=street,
                    name=name,
                    kind=DepartmentKind.STREET,
                    duties=duties,
                    merged_offices=merged,
                    sort_order=order,
                )
            )
    for county in Division.objects.filter(code__startswith=scope_code, level=Level.COUNTY).only(
        "id"
    ):
        for order, (name, duties) in enumerate(COUNTY_DEPARTMENTS, start=1):
            rows.append(
                Department(
                    division=county,
                    name=name,
                    kind=DepartmentKind.COUNTY,
                    duties=duties,
                    sort_order=order,
                )
            )
    before = Department.objects.count()
    Department.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return Department.objects.count() - before


@transaction.atomic
def staffing_generate(*, seed: int = 2024, scope_code: str = "") -> StaffingReport:
    """Demo quotas, community posts and grid members, where none exist yet.

    Calibrated on the seed article: about 7.6 approved posts per residents'
    committee (3.6万 across the province), ~94% staffed (3.4万), and about 1.4
    part-time grid members per grid (3.4万 for 2.4万 grids).
    """
    report = StaffingReport(departments=departments_ensure(scope_code=scope_code))

    communities = list(
        Division.objects.filter(
            code__startswith=scope_code,
            level=Level.COMMUNITY,
            kind=Kind.RESIDENTS_COMMITTEE,
            post_quota__isnull=True,
        ).only("id", "code")
    )
    quotas, posts = [], []
    for community in communities:
        rng = random.Random(f"{seed}:quota:{community.code}")
        approved = rng.choice((6, 7, 7, 8, 8, 8, 9, 10))
        quotas.append(PostQuota(community=community, approved=approved))
        staffed = approved - (1 if rng.random() < 0.45 else 0) - (1 if rng.random() < 0.05 else 0)
        titles = [StaffPostTitle.SECRETARY, StaffPostTitle.DIRECTOR, StaffPostTitle.DEPUTY]
        titles += [StaffPostTitle.MEMBER] * 2
        titles += [StaffPostTitle.WORKER] * max(staffed - len(titles), 0)
        for title in titles[:staffed]:
            posts.append(StaffPost(community=community, title=title, holder_name=person_name(rng)))
    PostQuota.objects.bulk_create(quotas, batch_size=2000)
    StaffPost.objects.bulk_create(posts, batch_size=2000)
    report.quotas, report.staff_posts = len(quotas), len(posts)

    grids = list(
        Division.objects.filter(code__startswith=scope_code, level=Level.GRID)
        .annotate(members=Count("grid_members"))
        .filter(members=0)
        .only("id", "code")
    )
    members = []
    for grid in grids:
        rng = random.Random(f"{seed}:grid-member:{grid.code}")
        count = 1 if rng.random() < 0.55 else 2
        for _ in range(count):
            members.append(
                GridMember(
                    grid=grid,
                    name=person_name(rng),
                    phone=mobile_number(rng),
                    is_part_time=rng.random() < 0.97,
                )
            )
    GridMember.objects.bulk_create(members, batch_size=2000)
    report.grid_members = len(members)
    return report
