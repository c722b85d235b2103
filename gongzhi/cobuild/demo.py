"""Demo co-building data for all of Anhui, deterministic and bulk-written.

95% of streets and communities are paired with a unit (seed: 95%); 建新社区
has the 13 units of its 大党委 (seed). Idempotent: skipped when units exist.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.bulk import fast_insert_objects
from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Division

from .constants import Category, Linkage, NeedStatus, UnitKind
from .models import LinkageActivity, Need, Pairing, ResidentUnit, Resource, UnitContact

JIANXIN = "340302005007"
HUANGGUOSHAN = "340202016002"
JIANXIN_UNITS = [
    ("龙子湖区人民法院", UnitKind.AGENCY),
    ("龙子湖区税务局", UnitKind.AGENCY),
    ("解放街道派出所", UnitKind.AGENCY),
    ("蚌埠市第二人民医院", UnitKind.HOSPITAL),
    ("蚌埠第一中学", UnitKind.SCHOOL),
    ("解放路小学", UnitKind.SCHOOL),
    ("国网蚌埠供电公司", UnitKind.ENTERPRISE),
    ("中国银行蚌埠分行", UnitKind.ENTERPRISE),
    ("蚌埠市自来水公司", UnitKind.ENTERPRISE),
    ("中国移动蚌埠分公司", UnitKind.ENTERPRISE),
    ("龙子湖区图书馆", UnitKind.INSTITUTION),
    ("蚌埠市红十字会", UnitKind.SOCIAL_ORG),
    ("解放路农贸市场管理处", UnitKind.ENTERPRISE),
]
UNIT_PATTERNS = [
    ("%s税务所", UnitKind.AGENCY),
    ("%s卫生服务中心", UnitKind.HOSPITAL),
    ("%s中心小学", UnitKind.SCHOOL),
    ("%s供电营业所", UnitKind.ENTERPRISE),
    ("%s邮政支局", UnitKind.ENTERPRISE),
    ("%s文化站", UnitKind.INSTITUTION),
]
RESOURCES = [
    ("会议室和活动场地", Category.VENUE),
    ("党员志愿服务队", Category.VOLUNTEERS),
    ("义诊与健康讲座", Category.EXPERTISE),
    ("法律咨询", Category.EXPERTISE),
    ("慰问物资", Category.SUPPLIES),
]
NEEDS = [
    ("老年助餐点场地", Category.VENUE),
    ("困难家庭走访志愿者", Category.VOLUNTEERS),
    ("社区义诊", Category.EXPERTISE),
    ("纠纷调解法律支持", Category.EXPERTISE),
]
URBAN = Q(level=Level.STREET, kind=Kind.SUBDISTRICT) | Q(
    level=Level.COMMUNITY, kind=Kind.RESIDENTS_COMMITTEE
)
PAIRING_RATE = 0.95


@transaction.atomic
def cobuild_generate(*, seed: int = 2024) -> int:
    """Units, pairings, resources, needs and six-linkage records; returns units added."""
    if ResidentUnit.objects.exists():
        return 0
    rng = random.Random(seed)
    nodes = list(Division.objects.filter(URBAN).order_by("code").only("pk", "code", "name"))
    units: list[ResidentUnit] = []
    for node in nodes:
        if node.code == JIANXIN:
            units += [ResidentUnit(name=n, kind=k, division=node) for n, k in JIANXIN_UNITS]
            continue
        pattern, kind = UNIT_PATTERNS[rng.randrange(len(UNIT_PATTERNS))]
        short = node.name.replace("社区居民委员会", "").replace("居委会", "").replace("社区", "")
        units.append(ResidentUnit(name=pattern % short[:12], kind=kind, division=node))
    if HUANGGUOSHAN in {n.code for n in nodes}:
        hgs = next(n for n in nodes if n.code == HUANGGUOSHAN)
        units.append(ResidentUnit(name="安徽师范大学", kind=UnitKind.SCHOOL, division=hgs))
    fast_insert_objects(ResidentUnit, units)
    units = list(ResidentUnit.objects.select_related("division").order_by("pk"))
    start = dt.date(2021, 3, 1)
    pairings, resources, needs, records = [], [], [], []
    by_node: dict[int, ResidentUnit] = {}
    # The pairing rate is per node (street or community), not per unit.
    paired_nodes = {
        n.pk for n in nodes if n.code in (JIANXIN, HUANGGUOSHAN) or rng.random() < PAIRING_RATE
    }
    for unit in units:
        by_node.setdefault(unit.division_id, unit)
        if unit.division_id in paired_nodes:
            pairings.append(
                Pairing(
                    unit=unit,
                    division_id=unit.division_id,
                    started_on=start + dt.timedelta(days=rng.randrange(1500)),
                )
            )
        title, category = RESOURCES[rng.randrange(len(RESOURCES))]
        resources.append(Resource(unit=unit, title=title, category=category))
    Pairing.objects.bulk_create(pairings, batch_size=2000, ignore_conflicts=True)
    fast_insert_objects(Resource, resources)
    today = timezone.localdate()
    for node in nodes:
        if len(node.code) != 12 or rng.random() > 0.3:
            continue
        title, category = NEEDS[rng.randrange(len(NEEDS))]
        needs.append(Need(division=node, title=title, category=category, status=NeedStatus.OPEN))
        unit = by_node.get(node.pk)
        records.append(
            LinkageActivity(
                division=node,
                unit=unit,
                linkage=rng.choice(Linkage.values),
                title="共驻共建联合活动",
                held_on=today - dt.timedelta(days=rng.randrange(1, 200)),
                participants=rng.randrange(10, 80),
            )
        )
    fast_insert_objects(Need, needs)
    fast_insert_objects(LinkageActivity, records)
    return len(units)


def demo_liaisons_bind(*, accounts: dict[str, object]) -> None:
    """Bind the demo liaison accounts to their units (idempotent)."""
    for username, division_code, unit_name in (
        ("jianxin_unit", JIANXIN, "龙子湖区税务局"),
        ("ahnu_unit", HUANGGUOSHAN, "安徽师范大学"),
    ):
        user = accounts.get(username)
        unit = ResidentUnit.objects.filter(division__code=division_code, name=unit_name).first()
        if user is None or unit is None:
            continue
        UnitContact.objects.update_or_create(
            user=user,
            defaults={"unit": unit, "name": user.display_name, "phone": "13905520000"},
        )
