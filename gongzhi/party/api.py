"""Party API: report-in (member, community, employer unit), organisations and
committee seats, joint conferences, meetings, decisions and follow-ups, the
officer's overview. Scoped like the pages; personal data masked."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from ninja import Router, Schema, Status

from gongzhi.cobuild import selectors as cobuild_selectors
from gongzhi.cobuild.models import ResidentUnit
from gongzhi.cobuild.selectors import unit_get_for_user
from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.core.masking import mask_id_number, mask_name, mask_phone
from gongzhi.insights.registry import Period
from gongzhi.org.models import Building, Division
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .constants import OrgKind, SeatRole
from .models import CommitteeSeat, JointConference, MeetingDecision, PartyOrganization, ReportIn

router = Router()


class ReportInOut(Schema):
    id: int
    member_name: str
    member_phone: str
    member_id_number: str
    employer: str | None
    community_code: str
    community_name: str
    status: str
    status_label: str
    grid_code: str | None
    building: str | None
    tasks: list[str]

    @staticmethod
    def of(r: ReportIn) -> ReportInOut:
        m = r.member
        return ReportInOut(
            id=r.pk,
            member_name=mask_name(m.name),
            member_phone=mask_phone(m.phone),
            member_id_number=mask_id_number(m.id_number),
            employer=m.employer.name if m.employer_id else None,
            community_code=r.community.code,
            community_name=r.community.name,
            status=r.status,
            status_label=str(r.get_status_display()),
            grid_code=r.grid.code if r.grid_id else None,
            building=r.building.name if r.building_id else None,
            tasks=[t.title for t in r.tasks.all()],
        )


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
    return Status(201, ReportInOut.of(r))


@router.get("/report-ins/mine", response=ReportInOut | None, summary="我的报到")
def report_in_mine(request):
    r = selectors.report_in_of_member(user=request.user)
    return ReportInOut.of(r) if r else None


@router.get("/report-ins", response=list[ReportInOut], summary="本辖区报到党员")
def report_in_list(request, status: str = ""):
    return [
        ReportInOut.of(r)
        for r in selectors.report_ins_for_staff(
            user=request.user, status=status or None
        ).prefetch_related("tasks")[:500]
    ]


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
    r = services.report_in_confirm(
        actor=request.user, report_in=r, grid=grid, building=building, tasks=payload.tasks
    )
    return ReportInOut.of(r)


class RejectIn(Schema):
    note: str


@router.post("/report-ins/{pk}/reject", response=ReportInOut, summary="社区退回报到")
def report_in_reject(request, pk: int, payload: RejectIn):
    r = selectors.report_in_get_for_staff(user=request.user, pk=pk)
    return ReportInOut.of(
        services.report_in_reject(actor=request.user, report_in=r, note=payload.note)
    )


class ParticipationOut(Schema):
    member_name: str
    community: str | None
    status: str | None
    hours: float
    activities: int


@router.get("/employer/members", response=list[ParticipationOut], summary="本单位党员参与情况")
def employer_members(request, year: str = ""):
    rows = selectors.employer_participation(user=request.user, period=Period.parse_year(year))
    return [
        ParticipationOut(
            member_name=mask_name(p.member.name),
            community=p.report_in.community.name if p.report_in else None,
            status=str(p.report_in.get_status_display()) if p.report_in else None,
            hours=float(p.hours),
            activities=p.activities,
        )
        for p in rows
    ]


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    division_code: str
    is_joint_committee: bool


@router.get("/orgs", response=list[OrgOut], summary="本辖区党组织")
def org_list(request, kind: str = ""):
    qs = selectors.orgs_for_user(user=request.user)
    if kind:
        qs = qs.filter(kind=kind)
    return [
        OrgOut(
            id=o.pk,
            name=o.name,
            kind=o.kind,
            kind_label=str(o.get_kind_display()),
            division_code=o.division.code,
            is_joint_committee=o.is_joint_committee,
        )
        for o in qs[:1000]
    ]


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
    out = MeetingOut(
        id=m.pk,
        title=m.title,
        held_on=m.held_on,
        decisions=[{"id": d.pk, "text": d.text, "status": d.status} for d in m.decisions.all()],
    )
    return Status(201, out)


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
    role_label: str
    resident_unit: str | None
    is_part_time: bool
    also_director: bool
    also_supervision_chair: bool

    @staticmethod
    def of(s: CommitteeSeat) -> SeatOut:
        return SeatOut(
            id=s.pk,
            holder_name=mask_name(s.holder_name),
            role=s.role,
            role_label=str(s.get_role_display()),
            resident_unit=s.resident_unit.name if s.resident_unit_id else None,
            is_part_time=s.is_part_time,
            also_director=s.also_director,
            also_supervision_chair=s.also_supervision_chair,
        )


class OrgDetailOut(OrgOut):
    seats: list[SeatOut]


def _org_out(o: PartyOrganization) -> OrgOut:
    return OrgOut(
        id=o.pk,
        name=o.name,
        kind=o.kind,
        kind_label=str(o.get_kind_display()),
        division_code=o.division.code,
        is_joint_committee=o.is_joint_committee,
    )


@router.post("/orgs", response={201: OrgOut}, summary="建立党组织")
def org_create(request, payload: OrgIn):
    if payload.kind not in OrgKind.values:
        raise ValidationFailed("组织类型不正确。")
    division = division_get_for_user(user=request.user, code=payload.division_code)
    parent = (
        selectors.org_get_for_user(user=request.user, pk=payload.parent_id)
        if payload.parent_id
        else None
    )
    unit = (
        unit_get_for_user(user=request.user, pk=payload.resident_unit_id)
        if payload.resident_unit_id
        else None
    )
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
    return Status(201, _org_out(org))


@router.get("/orgs/{pk}", response=OrgDetailOut, summary="党组织及其委员会")
def org_detail(request, pk: int):
    org = selectors.org_get_for_user(user=request.user, pk=pk)
    out = _org_out(org)
    seats = [SeatOut.of(s) for s in org.seats.all()]
    return OrgDetailOut(**out.model_dump(), seats=seats)


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
    unit = (
        unit_get_for_user(user=request.user, pk=payload.resident_unit_id)
        if payload.resident_unit_id
        else None
    )
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
    return Status(201, SeatOut.of(seat))


@router.patch("/seats/{pk}", response=SeatOut, summary="修改委员(职务、交叉任职)")
def seat_edit(request, pk: int, payload: SeatIn):
    seat = selectors.seat_get_for_user(user=request.user, pk=pk)
    unit = (
        unit_get_for_user(user=request.user, pk=payload.resident_unit_id)
        if payload.resident_unit_id
        else None
    )
    seat = services.seat_update(
        actor=request.user,
        seat=seat,
        holder_name=payload.holder_name,
        role=payload.role,
        resident_unit=unit,
        is_part_time=payload.is_part_time,
        also_director=payload.also_director,
        also_supervision_chair=payload.also_supervision_chair,
    )
    return SeatOut.of(seat)


@router.delete("/seats/{pk}", response={204: None}, summary="免去委员职务")
def seat_delete(request, pk: int):
    seat = selectors.seat_get_for_user(user=request.user, pk=pk)
    services.seat_remove(actor=request.user, seat=seat)
    return Status(204, None)


class ConferenceOut(Schema):
    id: int
    name: str
    division_code: str
    established_on: dt.date


class ConferenceIn(Schema):
    division_code: str
    established_on: dt.date
    name: str = ""


def _conference_out(c: JointConference) -> ConferenceOut:
    return ConferenceOut(
        id=c.pk, name=c.name, division_code=c.division.code, established_on=c.established_on
    )


@router.get("/conferences", response=list[ConferenceOut], summary="本辖区党建工作联席会议")
def conference_list(request):
    return [
        _conference_out(c)
        for c in selectors.conferences_for_user(user=request.user).order_by("division__code")[:1000]
    ]


@router.post("/conferences", response={201: ConferenceOut}, summary="建立党建工作联席会议")
def conference_create(request, payload: ConferenceIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    c = services.conference_establish(
        actor=request.user,
        division=division,
        established_on=payload.established_on,
        name=payload.name,
    )
    return Status(201, _conference_out(c))


class FollowUpOut(Schema):
    note: str
    created_at: dt.datetime


class DecisionOut(Schema):
    id: int
    text: str
    owner: str
    due_on: dt.date | None
    status: str
    status_label: str
    project_id: int | None
    case_ref: str
    follow_ups: list[FollowUpOut]

    @staticmethod
    def of(d: MeetingDecision) -> DecisionOut:
        return DecisionOut(
            id=d.pk,
            text=d.text,
            owner=d.owner,
            due_on=d.due_on,
            status=d.status,
            status_label=str(d.get_status_display()),
            project_id=d.project_id,
            case_ref=d.case_ref,
            follow_ups=[
                FollowUpOut(note=f.note, created_at=f.created_at) for f in d.follow_ups.all()
            ],
        )


class MeetingDetailOut(Schema):
    id: int
    conference_id: int
    title: str
    held_on: dt.date
    agenda: str
    minutes: str
    attendees: list[str]
    decisions: list[DecisionOut]


@router.get(
    "/meetings/{pk}", response=MeetingDetailOut, summary="联席会议详情(出席、议定事项、落实)"
)
def meeting_detail(request, pk: int):
    m = selectors.meeting_get_for_user(user=request.user, pk=pk)
    return MeetingDetailOut(
        id=m.pk,
        conference_id=m.conference_id,
        title=m.title,
        held_on=m.held_on,
        agenda=m.agenda,
        minutes=m.minutes,
        attendees=[mask_name(a.name) for a in m.attendance.all()],
        decisions=[DecisionOut.of(d) for d in m.decisions.all()],
    )


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
    return Status(201, DecisionOut.of(decision))


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
    return [
        UnitChoiceOut(id=u.pk, name=u.name)
        for u in cobuild_selectors.employer_choices(community_code=code, q=q[:50])
    ]
