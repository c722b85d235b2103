"""Party API: report-in (member, community, employer unit), organisations and
committee seats, joint conferences, meetings, decisions and follow-ups, the
officer's overview. Scoped like the pages; personal data masked."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Field, Router, Schema, Status

from gongzhi.cobuild import selectors as cobuild_selectors
from gongzhi.cobuild.models import ResidentUnit
from gongzhi.cobuild.selectors import unit_get_for_user
from gongzhi.core.api_helpers import scoped_or_none
from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.core.masking import mask_id_number, mask_name, mask_phone
from gongzhi.insights.registry import Period
from gongzhi.org.models import Building, Division
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .constants import OrgKind, SeatRole
from .models import CommitteeSeat, JointMeeting, MeetingDecision, ReportIn

router = Router()


class ReportInOut(Schema):
    id: int
    member_name: str
    member_phone: str
    member_id_number: str
    employer: str | None
    community_code: str = Field(alias="community.code")
    community_name: str = Field(alias="community.name")
    status: str
    status_label: str = Field(alias="get_status_display")
    grid_code: str | None
    building: str | None
    tasks: list[str]

    @staticmethod
    def resolve_member_name(r: ReportIn) -> str:
        return mask_name(r.member.name)

    @staticmethod
    def resolve_member_phone(r: ReportIn) -> str:
        return mask_phone(r.member.phone)

    @staticmethod
    def resolve_member_id_number(r: ReportIn) -> str:
        return mask_id_number(r.member.id_number)

    @staticmethod
    def resolve_employer(r: ReportIn) -> str | None:
        return r.member.employer.name if r.member.employer_id else None

    @staticmethod
    def resolve_grid_code(r: ReportIn) -> str | None:
        return r.grid.code if r.grid_id else None

    @staticmethod
    def resolve_building(r: ReportIn) -> str | None:
        return r.building.name if r.building_id else None

    @staticmethod
    def resolve_tasks(r: ReportIn) -> list[str]:
        return [t.title for t in r.tasks.all()]


class RegisterIn(Schema):
    community_code: str
    name: str
    phone: str = ""
    id_number: str = ""
    employer_id: int | None = None


def _community(code: str) -> Division:
    # A member may register at any community: they live there, not in scope.
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise NotFound("社区不存在。")
    return division


@router.post("/report-ins", response={201: ReportInOut}, summary="在职党员到社区报到")
def report_in_register(request, payload: RegisterIn):
    employer = (
        ResidentUnit.objects.filter(pk=payload.employer_id).first() if payload.employer_id else None
    )
    r = services.report_in_register(
        user=request.user,
        community=_community(payload.community_code),
        name=payload.name,
        phone=payload.phone,
        id_number=payload.id_number,
        employer=employer,
    )
    return Status(201, r)


@router.get("/report-ins/mine", response=ReportInOut | None, summary="我的报到")
def report_in_mine(request):
    return selectors.report_in_of_member(user=request.user)


@router.get("/report-ins", response=list[ReportInOut], summary="本辖区报到党员")
def report_in_list(request, status: str = ""):
    return selectors.report_ins_for_staff(
        user=request.user, status=status or None
    ).prefetch_related("tasks")[:500]


class ConfirmIn(Schema):
    grid_code: str | None = None
    building_code: str | None = None
    tasks: list[str] = []


@router.post("/report-ins/{pk}/confirm", response=ReportInOut, summary="社区确认报到")
def report_in_confirm(request, pk: int, payload: ConfirmIn):
    r = selectors.report_in_get_for_staff(user=request.user, pk=pk)
    grid = (
        division_get_for_user(user=request.user, code=payload.grid_code)
        if payload.grid_code
        else None
    )
    building = (
        Building.objects.filter(
            code=payload.building_code, code__startswith=request.user.scope_code
        ).first()
        if payload.building_code
        else None
    )
    if payload.building_code and building is None:
        raise NotFound("楼栋不存在或不在您的管辖范围内。")
    return services.report_in_confirm(
        actor=request.user, report_in=r, grid=grid, building=building, tasks=payload.tasks
    )


class RejectIn(Schema):
    note: str


@router.post("/report-ins/{pk}/reject", response=ReportInOut, summary="社区退回报到")
def report_in_reject(request, pk: int, payload: RejectIn):
    r = selectors.report_in_get_for_staff(user=request.user, pk=pk)
    return services.report_in_reject(actor=request.user, report_in=r, note=payload.note)


class ParticipationOut(Schema):
    member_name: str
    community: str | None
    status: str | None
    hours: float
    activities: int

    @staticmethod
    def resolve_member_name(p) -> str:
        return mask_name(p.member.name)

    @staticmethod
    def resolve_community(p) -> str | None:
        return p.report_in.community.name if p.report_in else None

    @staticmethod
    def resolve_status(p) -> str | None:
        return p.report_in.get_status_display() if p.report_in else None

    @staticmethod
    def resolve_hours(p) -> float:
        return float(p.hours)


@router.get("/employer/members", response=list[ParticipationOut], summary="本单位党员参与情况")
def employer_members(request, year: str = ""):
    return selectors.employer_participation(user=request.user, period=Period.parse_year(year))


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    division_code: str = Field(alias="division.code")
    is_joint_committee: bool


@router.get("/orgs", response=list[OrgOut], summary="本辖区党组织")
def org_list(request, kind: str = ""):
    qs = selectors.orgs_for_user(user=request.user)
    if kind:
        qs = qs.filter(kind=kind)
    return qs[:1000]


class MeetingIn(Schema):
    title: str
    held_on: dt.date
    agenda: str
    minutes: str = ""
    attendees: list[str] = []
    decisions: list[str] = []


class MeetingOut(Schema):
    id: int
    title: str
    held_on: dt.date
    decisions: list[dict]

    @staticmethod
    def resolve_decisions(m: JointMeeting) -> list[dict]:
        return [{"id": d.pk, "text": d.text, "status": d.status} for d in m.decisions.all()]


@router.post("/conferences/{pk}/meetings", response={201: MeetingOut}, summary="记录一次联席会议")
def meeting_create(request, pk: int, payload: MeetingIn):
    conference = selectors.conference_get_for_user(user=request.user, pk=pk)
    m = services.meeting_record(
        actor=request.user,
        conference=conference,
        title=payload.title,
        held_on=payload.held_on,
        agenda=payload.agenda,
        minutes=payload.minutes,
        attendees=[(n, None, True) for n in payload.attendees],
        decisions=[(d, "", None) for d in payload.decisions],
    )
    return Status(201, m)


class OpenProjectIn(Schema):
    linkage: str
    unit_id: int | None = None


@router.post("/decisions/{pk}/project", response={201: dict}, summary="议定事项生成共建项目")
def decision_project(request, pk: int, payload: OpenProjectIn):
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    unit = ResidentUnit.objects.filter(pk=payload.unit_id).first() if payload.unit_id else None
    project = services.decision_open_project(
        actor=request.user, decision=decision, linkage=payload.linkage, unit=unit
    )
    return Status(201, {"project_id": project.pk, "title": project.title})


class OpenCaseIn(Schema):
    category: str
    building_id: int | None = None
    urgency: str = "normal"


@router.post("/decisions/{pk}/case", response={201: dict}, summary="议定事项立为诉求案件")
def decision_case(request, pk: int, payload: OpenCaseIn):
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    building = None
    if payload.building_id:
        building = Building.objects.select_related("grid").filter(pk=payload.building_id).first()
        if building is None:
            raise NotFound("所选楼栋不存在。")
    case = services.decision_open_case(
        actor=request.user,
        decision=decision,
        category_code=payload.category,
        building=building,
        urgency=payload.urgency,
    )
    return Status(201, {"case_number": case.number, "decision_id": decision.pk})


class OrgIn(Schema):
    division_code: str
    kind: str
    name: str
    parent_id: int | None = None
    resident_unit_id: int | None = None
    is_joint_committee: bool = False
    established_on: dt.date | None = None


class SeatOut(Schema):
    id: int
    holder_name: str
    role: str
    role_label: str = Field(alias="get_role_display")
    resident_unit: str | None
    is_part_time: bool
    also_director: bool
    also_supervision_chair: bool

    @staticmethod
    def resolve_holder_name(s: CommitteeSeat) -> str:
        return mask_name(s.holder_name)

    @staticmethod
    def resolve_resident_unit(s: CommitteeSeat) -> str | None:
        return s.resident_unit.name if s.resident_unit_id else None


class OrgDetailOut(OrgOut):
    seats: list[SeatOut]


@router.post("/orgs", response={201: OrgOut}, summary="建立党组织")
def org_create(request, payload: OrgIn):
    if payload.kind not in OrgKind.values:
        raise ValidationFailed("组织类型不正确。")
    division = division_get_for_user(user=request.user, code=payload.division_code)
    parent = scoped_or_none(selectors.org_get_for_user, user=request.user, pk=payload.parent_id)
    unit = scoped_or_none(unit_get_for_user, user=request.user, pk=payload.resident_unit_id)
    org = services.org_create(
        actor=request.user,
        division=division,
        kind=payload.kind,
        name=payload.name,
        parent=parent,
        resident_unit=unit,
        is_joint_committee=payload.is_joint_committee,
        established_on=payload.established_on,
    )
    return Status(201, org)


@router.get("/orgs/{pk}", response=OrgDetailOut, summary="党组织及其委员会")
def org_detail(request, pk: int):
    return selectors.org_get_for_user(user=request.user, pk=pk)


class SeatIn(Schema):
    holder_name: str
    role: str
    resident_unit_id: int | None = None
    is_part_time: bool = False
    also_director: bool = False
    also_supervision_chair: bool = False


@router.post("/orgs/{pk}/seats", response={201: SeatOut}, summary="任命委员(含兼职委员、交叉任职)")
def seat_appoint(request, pk: int, payload: SeatIn):
    if payload.role not in SeatRole.values:
        raise ValidationFailed("职务不正确。")
    org = selectors.org_get_for_user(user=request.user, pk=pk)
    unit = scoped_or_none(unit_get_for_user, user=request.user, pk=payload.resident_unit_id)
    seat = services.seat_appoint(
        actor=request.user,
        organization=org,
        holder_name=payload.holder_name,
        role=payload.role,
        resident_unit=unit,
        is_part_time=payload.is_part_time,
        also_director=payload.also_director,
        also_supervision_chair=payload.also_supervision_chair,
    )
    return Status(201, seat)


@router.patch("/seats/{pk}", response=SeatOut, summary="修改委员(职务、交叉任职)")
def seat_edit(request, pk: int, payload: SeatIn):
    seat = selectors.seat_get_for_user(user=request.user, pk=pk)
    unit = scoped_or_none(unit_get_for_user, user=request.user, pk=payload.resident_unit_id)
    return services.seat_update(
        actor=request.user,
        seat=seat,
        holder_name=payload.holder_name,
        role=payload.role,
        resident_unit=unit,
        is_part_time=payload.is_part_time,
        also_director=payload.also_director,
        also_supervision_chair=payload.also_supervision_chair,
    )


@router.delete("/seats/{pk}", response={204: None}, summary="免去委员职务")
def seat_delete(request, pk: int):
    seat = selectors.seat_get_for_user(user=request.user, pk=pk)
    services.seat_remove(actor=request.user, seat=seat)
    return Status(204, None)


class ConferenceOut(Schema):
    id: int
    name: str
    division_code: str = Field(alias="division.code")
    established_on: dt.date


class ConferenceIn(Schema):
    division_code: str
    established_on: dt.date
    name: str = ""


@router.get("/conferences", response=list[ConferenceOut], summary="本辖区党建工作联席会议")
def conference_list(request):
    return selectors.conferences_for_user(user=request.user).order_by("division__code")[:1000]


@router.post("/conferences", response={201: ConferenceOut}, summary="建立党建工作联席会议")
def conference_create(request, payload: ConferenceIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    c = services.conference_establish(
        actor=request.user,
        division=division,
        established_on=payload.established_on,
        name=payload.name,
    )
    return Status(201, c)


class FollowUpOut(Schema):
    note: str
    created_at: dt.datetime


class DecisionOut(Schema):
    id: int
    text: str
    owner: str
    due_on: dt.date | None
    status: str
    status_label: str = Field(alias="get_status_display")
    project_id: int | None
    case_ref: str
    follow_ups: list[FollowUpOut]


class MeetingDetailOut(Schema):
    id: int
    conference_id: int
    title: str
    held_on: dt.date
    agenda: str
    minutes: str
    attendees: list[str]
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_attendees(m: JointMeeting) -> list[str]:
        return [mask_name(a.name) for a in m.attendance.all()]


@router.get(
    "/meetings/{pk}", response=MeetingDetailOut, summary="联席会议详情(出席、议定事项、落实)"
)
def meeting_detail(request, pk: int):
    return selectors.meeting_get_for_user(user=request.user, pk=pk)


class FollowUpIn(Schema):
    note: str
    status: str | None = None


@router.post("/decisions/{pk}/follow-ups", response={201: DecisionOut}, summary="议定事项落实跟进")
def decision_follow_up(request, pk: int, payload: FollowUpIn):
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    services.decision_follow_up(
        actor=request.user, decision=decision, note=payload.note, status=payload.status or None
    )
    decision = MeetingDecision.objects.prefetch_related("follow_ups").get(pk=decision.pk)
    return Status(201, decision)


class OverviewChildOut(Schema):
    code: str
    name: str
    counts: dict[str, int]


class OverviewOut(Schema):
    code: str
    name: str
    dashboard_url: str
    totals: dict[str, int]
    children: list[OverviewChildOut]


@router.get("/overview/{code}", response=OverviewOut, summary="辖区党建引领概览(组织部门)")
def overview(request, code: str):
    division = division_get_for_user(user=request.user, code=code)
    totals, rows = selectors.overview(user=request.user, division=division)
    return OverviewOut(
        code=division.code,
        name=division.name,
        dashboard_url=reverse("insights:dashboard", kwargs={"code": division.code}),
        totals=totals,
        children=[
            OverviewChildOut(code=r.division.code, name=r.division.name, counts=r.counts)
            for r in rows
        ],
    )


class UnitChoiceOut(Schema):
    id: int
    name: str


@router.get("/employers", response=list[UnitChoiceOut], summary="可选工作单位(本区县或按名称搜索)")
def employer_choices(request, community_code: str = "", q: str = ""):
    code = community_code or request.user.scope_code or ""
    return cobuild_selectors.employer_choices(community_code=code, q=q[:50])
