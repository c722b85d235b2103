"""Demo party data for all of Anhui, deterministic and bulk-written, so the
province dashboard reads like the seed article.

Rates follow the seed exactly in expectation (联席会议 98%, 一肩挑 56%,
兼任居务监督委员会主任 95%, 网格党组织 57%); 宣城 gets 185 grid branches and
368 building groups. Person counts are generated at 1/DEMO_SCALE of the seed's
province totals; DEMO_SCALE is 1, the seed's own figures (docs/decisions/0010).
Idempotent: skipped when party organisations exist.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gongzhi.cobuild.models import ResidentUnit
from gongzhi.core.bulk import fast_insert, fast_insert_objects
from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Division
from gongzhi.org.services.staffing import person_name

from .constants import DecisionStatus, OrgKind, ReportInStatus, SeatRole
from .models import (
    CommitteeSeat,
    JointConference,
    JointMeeting,
    MeetingAttendance,
    MeetingDecision,
    PartyMember,
    PartyOrganization,
    ReportIn,
)

DEMO_SCALE = 1
REPORTED_MEMBERS = 358_000 // DEMO_SCALE
XUANCHENG = "3418"
XUANCHENG_BRANCHES, XUANCHENG_GROUPS = 185, 368
JIANXIN = "340302005007"


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


@transaction.atomic
def party_generate(*, seed: int = 2024) -> int:
    if PartyOrganization.objects.exists():
        return 0
    rng = random.Random(seed)
    streets = list(Division.objects.filter(level=Level.STREET, kind=Kind.SUBDISTRICT))
    communities = list(
        Division.objects.filter(level=Level.COMMUNITY, kind=Kind.RESIDENTS_COMMITTEE).order_by(
            "code"
        )
    )
    orgs = [
        PartyOrganization(
            name=f"{s.name}党工委", kind=OrgKind.STREET_COMMITTEE, division=s, established_on=None
        )
        for s in streets
    ]
    for c in communities:
        kind = rng.choices(
            [
                OrgKind.COMMUNITY_COMMITTEE,
                OrgKind.COMMUNITY_GENERAL_BRANCH,
                OrgKind.COMMUNITY_BRANCH,
            ],
            [6, 3, 1],
        )[0]
        if c.code == JIANXIN:
            kind = OrgKind.COMMUNITY_COMMITTEE
        orgs.append(
            PartyOrganization(
                name=f"{c.short_name}{OrgKind(kind).label}",
                kind=kind,
                division=c,
                is_joint_committee=c.code == JIANXIN,
            )
        )
    # Grid organisations: 57% of grids; 宣城 exactly 185 branches, 368 groups.
    grids = list(Division.objects.filter(level=Level.GRID).order_by("code").only("pk", "code"))
    xc = [g for g in grids if g.code.startswith(XUANCHENG)]
    rest = [g for g in grids if not g.code.startswith(XUANCHENG)]
    for g in rest:
        if rng.random() < 0.57:
            if rng.random() < 0.6:
                orgs.append(
                    PartyOrganization(name="网格党支部", kind=OrgKind.GRID_BRANCH, division=g)
                )
            else:
                orgs.append(
                    PartyOrganization(name="楼栋党小组", kind=OrgKind.BUILDING_GROUP, division=g)
                )
    if xc:
        rng.shuffle(xc)
        for g in xc[:XUANCHENG_BRANCHES]:
            orgs.append(
                PartyOrganization(name="全科网格党支部", kind=OrgKind.GRID_BRANCH, division=g)
            )
        covered = xc[: max(1, round(len(xc) * 0.57))]
        for i in range(XUANCHENG_GROUPS):
            g = covered[i % len(covered)]
            orgs.append(
                PartyOrganization(
                    name=f"楼栋党小组{i // len(covered) + 1}",
                    kind=OrgKind.BUILDING_GROUP,
                    division=g,
                )
            )
    fast_insert(
        PartyOrganization,
        (
            {
                "name": o.name,
                "kind": o.kind,
                "division_id": o.division_id,
                "is_joint_committee": o.is_joint_committee,
            }
            for o in orgs
        ),
    )

    community_orgs = {
        o.division_id: o
        for o in PartyOrganization.objects.filter(
            kind__in=[
                OrgKind.COMMUNITY_COMMITTEE,
                OrgKind.COMMUNITY_GENERAL_BRANCH,
                OrgKind.COMMUNITY_BRANCH,
            ]
        )
    }
    seats = [
        CommitteeSeat(
            organization=org,
            holder_name=person_name(rng),
            role=SeatRole.SECRETARY,
            also_director=rng.random() < 0.56,
            also_supervision_chair=rng.random() < 0.95,
        )
        for org in community_orgs.values()
    ]
    jianxin = next((c for c in communities if c.code == JIANXIN), None)
    if jianxin is not None:
        for unit in ResidentUnit.objects.filter(division=jianxin):
            seats.append(
                CommitteeSeat(
                    organization=community_orgs[jianxin.pk],
                    holder_name=person_name(rng),
                    role=SeatRole.MEMBER,
                    resident_unit=unit,
                    is_part_time=True,
                )
            )
    fast_insert_objects(CommitteeSeat, seats)

    conferences = [
        JointConference(
            division=d,
            name=f"{d.short_name}党建工作联席会议",
            established_on=dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(1800)),
        )
        for d in [*streets, *communities]
        if d.code == JIANXIN or rng.random() < 0.98
    ]
    fast_insert_objects(JointConference, conferences)
    if jianxin is not None:
        _jianxin_meeting(jianxin)

    # In-service members reported in, weighted by community population.
    weights = [max(c.population, 1000) for c in communities]
    now = timezone.now()
    year_start = now.replace(month=1, day=1, hour=9, minute=0, second=0, microsecond=0)
    span = max(int((now - year_start).total_seconds()), 86400)
    member_ids = fast_insert(
        PartyMember,
        ({"name": person_name(rng), "phone": _phone(rng)} for _ in range(REPORTED_MEMBERS)),
    )
    picks = rng.choices(communities, weights=weights, k=len(member_ids))
    fast_insert(
        ReportIn,
        (
            {
                "member_id": m,
                "community_id": c.pk,
                "status": ReportInStatus.CONFIRMED,
                "confirmed_at": year_start - dt.timedelta(days=rng.randrange(0, 1500))
                if rng.random() < 0.8
                else year_start + dt.timedelta(seconds=rng.randrange(span)),
            }
            for m, c in zip(member_ids, picks, strict=True)
        ),
    )
    return len(orgs)


def _jianxin_meeting(jianxin: Division) -> None:
    conference = JointConference.objects.get(division=jianxin)
    units = list(ResidentUnit.objects.filter(division=jianxin).order_by("pk"))
    conference.units.set(units)
    meeting = JointMeeting.objects.create(
        conference=conference,
        title="建新社区大党委第一季度联席会议",
        held_on=timezone.localdate().replace(month=3, day=15),
        agenda="一、通报“六联动”工作情况;二、研究老旧小区停车难问题;三、商定公益项目清单",
        minutes="13家驻区单位参会,议定三项事项。",
    )
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, name=f"{u.name}代表", resident_unit=u) for u in units]
    )
    MeetingDecision.objects.bulk_create(
        [
            MeetingDecision(
                meeting=meeting, text="开放单位停车场夜间供居民停车", owner="国网蚌埠供电公司"
            ),
            MeetingDecision(
                meeting=meeting,
                text="每月开展一次义诊进社区",
                owner="蚌埠市第二人民医院",
                status=DecisionStatus.IN_PROGRESS,
            ),
            MeetingDecision(meeting=meeting, text="共建社区治安联防巡逻队", owner="解放街道派出所"),
        ]
    )


def demo_member_bind(*, user, community_code: str, employer_name: str) -> None:
    """The demo in-service member: reported in and confirmed (idempotent)."""
    if user is None:
        return
    community = Division.objects.get(code=community_code)
    employer = ResidentUnit.objects.filter(name=employer_name).first()
    member, _created = PartyMember.objects.get_or_create(
        user=user, defaults={"name": "张晓东", "phone": "13955531234", "employer": employer}
    )
    if not ReportIn.objects.filter(member=member).exists():
        grid = Division.objects.filter(parent=community, level=Level.GRID).order_by("code").first()
        ReportIn.objects.create(
            member=member,
            community=community,
            status=ReportInStatus.CONFIRMED,
            confirmed_at=timezone.now(),
            grid=grid,
        )
