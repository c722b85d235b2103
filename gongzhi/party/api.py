"""Party API: report-in (member, community, employer unit), organisations,
joint meetings and decisions. Scoped like the pages; personal data masked."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from gongzhi.cobuild.models import ResidentUnit
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_id_number, mask_name, mask_phone
from gongzhi.insights.registry import Period
from gongzhi.org.models import Building, Division
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .models import ReportIn

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
