"""Demo cases: a few thousand requests over the last six months at the demo
places, in every state, each timeline produced by the real services.

- Texts are the real citizen messages of ``data/citizen-messages`` (the 2020
  泰迪杯 set); their anonymised place names (A市, A3区, A7县 …) are re-mapped
  to the city and district of the case's place.
- Categories come from the catalogue: labelled messages (dev_raw.csv) go under
  their first-level class, the others by keywords; then a third-level class.
- Locations are real generated buildings (``org.Building``) whose grid the
  real ``case_submit`` finds again with the STRtree.
- Every transition is a real service call, run under
  ``time_machine.travel(moment, tick=False)`` so each event carries its honest
  (backdated) time: the clock, deadlines and lateness are what the services
  computed at that moment. Notifications are not sent for demo history (they
  would all be stale): ``tasks.notify_event`` is replaced by a no-op while
  generating.
- Deterministic (``random.Random(seed)``, fixed "now" = today 08:00 Asia/Shanghai
  unless given) and idempotent: nothing is done when demo cases exist
  (``source_ref`` starting with ``demo-``).
- The acting staff are demo service accounts (``demo_case_*``, no usable
  password) attached to each community, street, department and grid used.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from unittest import mock

import time_machine
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from gongzhi.accounts.constants import Role
from gongzhi.accounts.models import User, UserRole
from gongzhi.core.errors import DomainError
from gongzhi.org.constants import Level
from gongzhi.org.models import Building, Department, Division

from . import tasks
from .constants import Channel, Rating, Status
from .deadlines import TZ
from .models import Case, Category
from .services import (
    case_accept,
    case_approve_extension,
    case_close,
    case_complete_task,
    case_deny_extension,
    case_dispatch,
    case_handle,
    case_merge,
    case_rate,
    case_register,
    case_reject,
    case_reopen,
    case_report_in,
    case_request_extension,
    case_resume,
    case_rule,
    case_submit,
    case_supervise,
    case_suspend,
    case_verify,
    case_verify_fail,
    case_void,
    case_whistle,
)
from .services.base import OPEN_FOR_MERGE
from .units import Unit, unit_of

DEMO_PLACES = ["340111002", "340176403", "340202016002", "340302005007"]
DEMO_COUNT = 2000
REF_PREFIX = "demo-"
DATA = Path(settings.BASE_DIR) / "data" / "citizen-messages"

# Final states and their weights: every state of the workflow appears.
TARGETS = [
    (Status.SUBMITTED, 3),
    (Status.REGISTERED, 3),
    (Status.VOIDED, 3),
    (Status.MERGED, 2),
    (Status.DISPATCHED, 5),
    (Status.REJECTED, 2),
    (Status.RULING, 2),
    (Status.IN_PROGRESS, 8),
    (Status.EXTENSION_REQUESTED, 2),
    (Status.SUSPENDED, 2),
    (Status.HANDLED, 4),
    (Status.VERIFIED, 3),
    (Status.CLOSED, 15),
    (Status.RATED, 46),
]
KEYWORDS = [
    ("交通运输", ("公交", "道路", "交通", "停车", "红绿灯", "出租", "地铁", "路口")),
    ("环境保护", ("噪音", "污染", "垃圾", "排放", "臭", "油烟", "扬尘")),
    ("教育文体", ("学校", "学生", "教育", "老师", "幼儿园", "学位")),
    ("劳动和社会保障", ("社保", "工资", "养老", "医保", "公积金", "就业")),
    ("卫生计生", ("医院", "医生", "疫苗", "卫生", "生育")),
    ("商贸旅游", ("商家", "消费", "景区", "超市", "价格")),
]
RESULTS = [
    "已安排人员到现场处置完毕,拍照存档。",
    "经现场核实,已协调相关责任单位整改到位。",
    "已联系反映人说明情况,问题已解决。",
    "已清理完毕并加强日常巡查。",
]


@dataclass
class Message:
    title: str
    detail: str
    first: str  # first-level class name


@dataclass
class Report:
    created: int = 0
    skipped: bool = False
    by_status: dict[str, int] = field(default_factory=dict)


def _load_messages() -> list[Message]:
    out = []
    with (DATA / "dev_raw.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.append(Message(row["title"], row["detail"], row["label"]))
    with (DATA / "messages_with_votes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = row["留言主题"] + row["留言详情"]
            first = next((name for name, words in KEYWORDS if any(w in text for w in words)), "")
            out.append(Message(row["留言主题"], row["留言详情"], first or "城乡建设"))
    return [m for m in out if m.title.strip() and m.detail.strip()]


PLACE = re.compile(r"A市|A\d+(?:区|县|市)|[A-Z]\d*市")


def _remap(text: str, city: str, county: str) -> str:
    def sub(match: re.Match) -> str:
        return city if match.group(0) == "A市" or match.group(0).endswith("市") else county

    return PLACE.sub(sub, text)


class Actors:
    """Demo service accounts, created on first use (no usable password)."""

    def __init__(self) -> None:
        self._cache: dict[tuple, User] = {}
        self.residents: dict[str, list[User]] = {}
        self._new: list[tuple] = []

    def begin(self) -> None:
        self._new = []

    def rollback(self) -> None:
        """Forget the accounts created in a case whose transaction rolled back."""
        for key in self._new:
            user = self._cache.pop(key)
            for pool in self.residents.values():
                if user in pool:
                    pool.remove(user)
        self._new = []

    def _make(self, key: tuple, username: str, division: Division, role: str, department=None):
        if key in self._cache:
            return self._cache[key]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                display_name=f"演示{Role(role).label}",
                division=division,
                department=department,
            )
            user.set_unusable_password()
            user.save()
            UserRole.objects.create(user=user, role=role)
            self._new.append(key)
        self._cache[key] = user
        return user

    def community(self, division: Division) -> User:
        return self._make(
            ("cw", division.pk), f"demo_case_cw_{division.code}", division, Role.COMMUNITY_WORKER
        )

    def street(self, division: Division) -> User:
        return self._make(
            ("st", division.pk), f"demo_case_st_{division.code}", division, Role.STREET_STAFF
        )

    def grid(self, division: Division) -> User:
        return self._make(
            ("gr", division.pk), f"demo_case_gr_{division.code}", division, Role.GRID_MEMBER
        )

    def department(self, department: Department) -> User:
        return self._make(
            ("dp", department.pk),
            f"demo_case_dp_{department.pk}",
            department.division,
            Role.DEPARTMENT_STAFF,
            department,
        )

    def resident(self, community: Division, rng: random.Random) -> User:
        pool = self.residents.setdefault(community.code, [])
        if len(pool) < 3:
            n = len(pool) + 1
            pool.append(
                self._make(
                    ("rs", community.pk, n),
                    f"demo_case_rs_{community.code}_{n}",
                    community,
                    Role.RESIDENT,
                )
            )
            return pool[-1]
        return rng.choice(pool)

    def community_handler(self, division: Division) -> User:
        """A second community worker: the one who dispatches and verifies
        may not be the one who handled (independent verification)."""
        return self._make(
            ("cw2", division.pk), f"demo_case_cw2_{division.code}", division, Role.COMMUNITY_WORKER
        )

    def member(self, unit: Unit) -> User:
        if unit.department is not None:
            return self.department(unit.department)
        division = unit.division
        if division.level == Level.GRID:
            return self.grid(division)
        if division.level == Level.COMMUNITY:
            return self.community_handler(division)
        return self.street(division)


class Clock:
    """Steps of one case at increasing backdated moments (never past ``end``)."""

    def __init__(self, start: datetime, end: datetime, rng: random.Random):
        self.at, self.end, self.rng = start, end, rng

    def step(self, lo_hours: float, hi_hours: float) -> bool:
        nxt = self.at + timedelta(hours=self.rng.uniform(lo_hours, hi_hours))
        if nxt >= self.end:
            return False
        self.at = nxt
        return True

    def run(self, fn, **kwargs):
        with time_machine.travel(self.at, tick=False):
            return fn(**kwargs)


def demo_cases_exist() -> bool:
    return Case.objects.filter(source_ref__startswith=REF_PREFIX).exists()


def cases_generate(*, seed: int = 2024, count: int = DEMO_COUNT, now: datetime | None = None):
    """Generate the demo cases (see the module docstring). Returns a Report."""
    report = Report()
    if demo_cases_exist():
        report.skipped = True
        return report
    rng = random.Random(seed)
    end = now or datetime.combine(datetime.now(TZ).date(), time(8, 0), tzinfo=TZ)
    begin = end - timedelta(days=182)

    places = list(Division.objects.filter(code__in=DEMO_PLACES))
    counties = sorted({p.code[:6] for p in places})
    names = dict(
        Division.objects.filter(code__in=[c[:4] for c in counties] + counties).values_list(
            "code", "name"
        )
    )
    in_counties = Q()
    for county in counties:
        in_counties |= Q(code__startswith=county)
    buildings = list(
        Building.objects.filter(in_counties)
        .values_list("code", "lng", "lat", "address")
        .order_by("code")
    )
    if not buildings:
        return report
    near = [b for b in buildings if any(b[0].startswith(p) for p in DEMO_PLACES)]
    divisions = {
        d.code: d
        for d in Division.objects.filter(
            in_counties, level__in=[Level.STREET, Level.COMMUNITY, Level.GRID]
        )
    }
    departments: dict[str, list[Department]] = {}
    for dept in Department.objects.filter(division__code__in=list(divisions)).select_related(
        "division"
    ):
        departments.setdefault(dept.division.code, []).append(dept)
    messages = _load_messages()
    rng.shuffle(messages)
    categories: dict[str, list[Category]] = {}
    for cat in Category.objects.filter(
        source="citizen", is_active=True, children__isnull=True
    ).select_related("parent__parent"):
        top = cat.parent.parent if cat.parent and cat.parent.parent else cat.parent
        categories.setdefault(top.name if top else "", []).append(cat)
    fallback = [c for group in categories.values() for c in group]
    targets = [s for s, w in TARGETS for _ in range(w)]
    open_masters: dict[str, list[Case]] = {}

    actors = Actors()
    with mock.patch.object(tasks, "notify_event", lambda event_id: None):
        starts = sorted(
            begin + timedelta(seconds=rng.uniform(0, 178 * 86400)) for _ in range(count)
        )
        for i, start in enumerate(starts):
            building = rng.choice(near) if rng.random() < 0.6 else rng.choice(buildings)
            message = messages[i % len(messages)]
            target = rng.choice(targets)
            code = building[0]
            community = divisions.get(code[:12])
            street = divisions.get(code[:9])
            if community is None or street is None:
                continue
            city, county = names.get(code[:4], ""), names.get(code[:6], "")
            ctx = _Ctx(rng, Clock(start, end, rng), actors, community, street, departments)
            actors.begin()
            try:
                with transaction.atomic():
                    case = _one(
                        ctx,
                        index=i,
                        target=target,
                        building=building,
                        title=_remap(message.title, city, county)[:100],
                        description=_remap(message.detail, city, county)[:4000],
                        category=rng.choice(categories.get(message.first) or fallback),
                        open_masters=open_masters,
                    )
            except DomainError:
                actors.rollback()
                continue  # e.g. a building on a grid edge the index puts elsewhere
            if case is not None:
                report.created += 1
                report.by_status[case.status] = report.by_status.get(case.status, 0) + 1
    return report


@dataclass
class _Ctx:
    rng: random.Random
    clock: Clock
    actors: Actors
    community: Division
    street: Division
    departments: dict[str, list[Department]]


CHANNELS = [
    (Channel.HOTLINE_12345, 35),
    (Channel.WEB, 25),
    (Channel.GRID_PATROL, 15),
    (Channel.URBAN_MANAGEMENT, 10),
    (Channel.CHAT_GROUP, 8),
    (Channel.COUNTER, 5),
    (Channel.PETITION, 2),
]
_CHANNELS = [c for c, w in CHANNELS for _ in range(w)]


def _one(ctx: _Ctx, *, index, target, building, title, description, category, open_masters):
    rng, clock, actors = ctx.rng, ctx.clock, ctx.actors
    _code, lng, lat, address = building
    resident = actors.resident(ctx.community, rng)
    # Cases that end being rated or reopened need a resident account to act.
    channel = rng.choice(_CHANNELS)
    # A resident account reports (through any channel: the operator or the
    # adapter records it) when the case will end rated or may be reopened.
    rated = target in (Status.RATED, Status.CLOSED)
    reporter = resident if rated or channel == Channel.WEB or rng.random() < 0.3 else None
    case, _created = clock.run(
        case_submit,
        actor=reporter,
        channel=channel,
        title=title,
        description=description,
        category=category,
        lng=lng,
        lat=lat,
        address=address,
        source_ref=f"{REF_PREFIX}{index:06d}",
        reporter_name="" if reporter else rng.choice(["张", "王", "李", "刘", "陈"]) + "先生",
        reporter_phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
    )
    cw = actors.community(ctx.community)
    if target == Status.SUBMITTED or not clock.step(0.2, 8):
        return case
    masters = open_masters.get(ctx.community.code, [])
    if target == Status.MERGED and masters:
        try:
            with transaction.atomic():
                return clock.run(case_merge, case=case, actor=cw, master=masters[-1])
        except DomainError:
            pass
    if target == Status.VOIDED:
        return clock.run(
            case_void, case=case, actor=cw, reason="经核实不属于受理范围,已告知反映人。"
        )
    case = clock.run(case_register, case=case, actor=cw)
    if target == Status.REGISTERED or not clock.step(0.2, 6):
        return case
    unit = _pick_unit(ctx, case)
    case = clock.run(case_dispatch, case=case, actor=cw, unit=unit)
    if target in OPEN_FOR_MERGE:
        masters.append(case)
        open_masters[ctx.community.code] = masters[-20:]
    if target in (Status.REJECTED, Status.RULING):
        member = actors.member(unit_of(case))
        if not clock.step(0.5, 6):
            return case
        case = clock.run(case_reject, case=case, actor=member, reason="该事项不属于本单位职责。")
        if target == Status.REJECTED or not clock.step(0.5, 8):
            return case
        case = clock.run(case_dispatch, case=case, actor=cw, unit=unit)
        if not clock.step(0.5, 6):
            return case
        case = clock.run(case_reject, case=case, actor=member, reason="仍不属于本单位职责。")
        if target == Status.RULING or not clock.step(2, 24):
            return case
    if case.status == Status.RULING:
        unreasonable = rng.random() < 0.3
        case = clock.run(
            case_rule,
            case=case,
            actor=actors.street(ctx.street),
            unit=unit,
            ruling="经研究,由原单位负责办理。" + ("该诉求属不合理诉求。" if unreasonable else ""),
            unreasonable=unreasonable,
        )
    if target == Status.DISPATCHED or not clock.step(0.2, 7 if rng.random() < 0.8 else 30):
        return case
    member = actors.member(unit_of(case))
    case = clock.run(case_accept, case=case, actor=member)
    if rng.random() < 0.06 and clock.step(1, 24):
        case = clock.run(
            case_supervise, case=case, actor=actors.street(ctx.street), note="请加快办理。"
        )
    whistled = False
    depts = ctx.departments.get(ctx.street.code, [])
    if len(depts) >= 2 and rng.random() < 0.08 and clock.step(0.5, 8):
        summoned = rng.sample(depts, 2)
        case = clock.run(
            case_whistle,
            case=case,
            actor=actors.street(ctx.street),
            departments=summoned,
            note="召集相关部门联合处置。",
        )
        whistled = True
        for dept in summoned:
            staff = actors.department(dept)
            late = rng.random() < 0.2
            if not clock.step(3, 20) if late else not clock.step(0.2, 1.5):
                return case
            case = clock.run(case_report_in, case=case, actor=staff)
        for dept in summoned:
            if not clock.step(1, 24):
                return case
            case = clock.run(
                case_complete_task,
                case=case,
                actor=actors.department(dept),
                result="已完成本部门任务。",
            )
    if target == Status.IN_PROGRESS or not clock.step(1, 120):
        return case
    if target == Status.SUSPENDED or (rng.random() < 0.03 and not whistled):
        case = clock.run(case_suspend, case=case, actor=cw, reason="等待产权单位确认。")
        if target == Status.SUSPENDED or not clock.step(8, 72):
            return case
        case = clock.run(case_resume, case=case, actor=cw)
    if target == Status.EXTENSION_REQUESTED or rng.random() < 0.08:
        case = clock.run(
            case_request_extension, case=case, actor=member, hours=14, reason="需协调施工队伍。"
        )
        if target == Status.EXTENSION_REQUESTED or not clock.step(0.5, 8):
            return case
        if rng.random() < 0.8:
            case = clock.run(case_approve_extension, case=case, actor=cw)
        else:
            case = clock.run(case_deny_extension, case=case, actor=cw, reason="请按原期限办结。")
        if not clock.step(1, 60):
            return case
    case = clock.run(case_handle, case=case, actor=member, result=rng.choice(RESULTS))
    if target == Status.HANDLED or not clock.step(1, 24):
        return case
    if rng.random() < 0.06:
        case = clock.run(case_verify_fail, case=case, actor=cw, reason="现场核查问题仍存在。")
        if not clock.step(2, 48):
            return case
        case = clock.run(case_handle, case=case, actor=member, result="已重新处置完毕。")
        if not clock.step(1, 24):
            return case
    case = clock.run(case_verify, case=case, actor=cw)
    if target == Status.VERIFIED or not clock.step(0.2, 6):
        return case
    case = clock.run(case_close, case=case, actor=cw)
    if target == Status.CLOSED or not clock.step(1, 72):
        return case
    reporter = case.reporter
    if rng.random() < 0.05:
        case = clock.run(case_reopen, case=case, actor=reporter, reason="问题又出现了。")
        if not clock.step(1, 48):
            return case
        case = clock.run(case_handle, case=case, actor=member, result="已再次处置。")
        for fn in (case_verify, case_close):
            if not clock.step(1, 12):
                return case
            case = clock.run(fn, case=case, actor=cw)
        if not clock.step(1, 48):
            return case
    rating = rng.choices(
        [Rating.SATISFIED, Rating.BASICALLY, Rating.UNSATISFIED], weights=[70, 20, 10]
    )[0]
    return clock.run(case_rate, case=case, actor=reporter, rating=rating, comment="")


def _pick_unit(ctx: _Ctx, case: Case) -> Unit:
    """A street department, the community, the grid or the street itself
    (接诉即办, what the default routing would choose)."""
    r = ctx.rng.random()
    depts = ctx.departments.get(ctx.street.code, [])
    if r < 0.45 and depts:
        return Unit.of_department(ctx.rng.choice(depts))
    if r < 0.65:
        return Unit.of_division(ctx.community)
    if r < 0.75 and case.grid.level == Level.GRID:
        return Unit.of_division(case.grid)
    return Unit.of_division(ctx.street)
