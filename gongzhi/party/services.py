"""Writes of the party app. Keyword-only, atomic; rows that race are locked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.cobuild.models import Project, ResidentUnit
from gongzhi.core.access import require_staff_over
from gongzhi.core.errors import Conflict, NotFound, ValidationFailed
from gongzhi.core.personal import clean_id_number, clean_mobile
from gongzhi.org.constants import Level
from gongzhi.org.models import Building, Division

from .constants import DecisionStatus, OrgKind, PoliticalStatus, ReportInStatus, SeatRole
from .models import (
    CommitteeSeat,
    DecisionFollowUp,
    JointConference,
    JointMeeting,
    MeetingAttendance,
    MeetingDecision,
    PartyMember,
    PartyOrganization,
    ReportIn,
    ReportInTask,
)

# --- organisations and committees -----------------------------------------


@transaction.atomic
def org_create(
    *,
    actor: User,
    division: Division,
    kind: str,
    name: str,
    parent: PartyOrganization | None = None,
    building: Building | None = None,
    resident_unit: ResidentUnit | None = None,
    is_joint_committee: bool = False,
    established_on: dt.date | None = None,
) -> PartyOrganization:
    require_staff_over(actor, division.code)
    expected = {
        OrgKind.STREET_COMMITTEE: Level.STREET,
        OrgKind.GRID_BRANCH: Level.GRID,
        OrgKind.BUILDING_GROUP: Level.GRID,
    }.get(kind)
    if kind in (OrgKind.COMMUNITY_COMMITTEE, OrgKind.COMMUNITY_GENERAL_BRANCH):
        expected = Level.COMMUNITY
    if expected is not None and division.level != expected:
        raise ValidationFailed(_("该类型的党组织不能建在这一层级。"), code="wrong_level")
    if building is not None and building.grid_id != division.pk:
        raise ValidationFailed(_("楼栋不在该网格内。"))
    if kind == OrgKind.UNIT_ORG and resident_unit is None:
        raise ValidationFailed(_("驻区单位党组织须指明所属单位。"))
    return PartyOrganization.objects.create(
        division=division,
        kind=kind,
        name=name.strip(),
        parent=parent,
        building=building,
        resident_unit=resident_unit,
        is_joint_committee=is_joint_committee,
        established_on=established_on,
    )


@transaction.atomic
def seat_appoint(
    *,
    actor: User,
    organization: PartyOrganization,
    holder_name: str,
    role: str,
    member: PartyMember | None = None,
    resident_unit: ResidentUnit | None = None,
    is_part_time: bool = False,
    also_director: bool = False,
    also_supervision_chair: bool = False,
) -> CommitteeSeat:
    require_staff_over(actor, organization.division.code)
    if role != SeatRole.SECRETARY and (also_director or also_supervision_chair):
        raise ValidationFailed(_("只有书记可以兼任居委会主任或居务监督委员会主任。"))
    if is_part_time and resident_unit is None:
        raise ValidationFailed(_("兼职委员须来自驻区单位,请选择单位。"))
    PartyOrganization.objects.select_for_update().get(pk=organization.pk)
    if (
        role == SeatRole.SECRETARY
        and CommitteeSeat.objects.filter(organization=organization, role=role).exists()
    ):
        raise Conflict(_("该党组织已有书记,请先调整原书记。"), code="secretary_exists")
    return CommitteeSeat.objects.create(
        organization=organization,
        holder_name=holder_name.strip(),
        role=role,
        member=member,
        resident_unit=resident_unit,
        is_part_time=is_part_time,
        also_director=also_director,
        also_supervision_chair=also_supervision_chair,
    )


# --- 党建工作联席会议 -----------------------------------------------------------


@transaction.atomic
def conference_establish(
    *, actor: User, division: Division, established_on: dt.date, name: str = ""
) -> JointConference:
    require_staff_over(actor, division.code)
    if division.level not in (Level.STREET, Level.COMMUNITY):
        raise ValidationFailed(_("党建工作联席会议建在街道或社区。"))
    if JointConference.objects.filter(division=division).exists():
        raise Conflict(_("%(name)s已建立党建工作联席会议。") % {"name": division.name})
    return JointConference.objects.create(
        division=division,
        established_on=established_on,
        name=name or _("%(name)s党建工作联席会议") % {"name": division.short_name},
    )


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    conference: JointConference,
    title: str,
    held_on: dt.date,
    agenda: str,
    minutes: str = "",
    attendees: Iterable[tuple[str, ResidentUnit | None, bool]] = (),
    decisions: Iterable[tuple[str, str, dt.date | None]] = (),
) -> JointMeeting:
    require_staff_over(actor, conference.division.code)
    if not agenda.strip():
        raise ValidationFailed(_("请填写会议议程。"))
    meeting = JointMeeting.objects.create(
        conference=conference, title=title, held_on=held_on, agenda=agenda, minutes=minutes
    )
    names = set()
    rows = []
    for name, unit, present in attendees:
        if name in names:
            raise ValidationFailed(_("出席名单中“%(name)s”重复。") % {"name": name})
        names.add(name)
        rows.append(
            MeetingAttendance(meeting=meeting, name=name, resident_unit=unit, present=present)
        )
    MeetingAttendance.objects.bulk_create(rows)
    MeetingDecision.objects.bulk_create(
        [
            MeetingDecision(meeting=meeting, text=text, owner=owner, due_on=due)
            for text, owner, due in decisions
        ]
    )
    return meeting


def _decision_locked(decision: MeetingDecision) -> MeetingDecision:
    return (
        MeetingDecision.objects.select_for_update()
        .select_related("meeting__conference__division")
        .get(pk=decision.pk)
    )


@transaction.atomic
def decision_open_project(
    *, actor: User, decision: MeetingDecision, linkage: str, unit: ResidentUnit | None = None
) -> Project:
    """A joint meeting's decision becomes a co-building project (项目清单)."""
    decision = _decision_locked(decision)
    division = decision.meeting.conference.division
    require_staff_over(actor, division.code)
    if decision.project_id:
        raise Conflict(_("该议定事项已生成共建项目。"), code="project_exists")
    project = Project.objects.create(
        division=division,
        title=decision.text[:100],
        linkage=linkage,
        unit=unit,
        description=_("由%(meeting)s议定") % {"meeting": decision.meeting.title},
    )
    decision.project = project
    decision.status = DecisionStatus.IN_PROGRESS
    decision.save(update_fields=["project", "status", "updated_at"])
    return project


@transaction.atomic
def decision_link_case(*, decision: MeetingDecision, case_ref: str) -> MeetingDecision:
    """Hook for the cases app: a decision that opened a case records its id.

    The cases app calls this after creating the case in its own service (it
    owns the case; this app never imports cases)."""
    decision = _decision_locked(decision)
    if decision.case_ref:
        raise Conflict(_("该议定事项已关联诉求。"), code="case_exists")
    decision.case_ref = case_ref[:64]
    decision.status = DecisionStatus.IN_PROGRESS
    decision.save(update_fields=["case_ref", "status", "updated_at"])
    return decision


@transaction.atomic
def decision_follow_up(
    *, actor: User, decision: MeetingDecision, note: str, status: str | None = None
) -> DecisionFollowUp:
    decision = _decision_locked(decision)
    require_staff_over(actor, decision.meeting.conference.division.code)
    if not note.strip():
        raise ValidationFailed(_("请填写落实情况。"))
    if status is not None and status not in DecisionStatus.values:
        raise ValidationFailed(_("落实状态不正确。"))
    follow_up = DecisionFollowUp.objects.create(decision=decision, note=note, author=actor)
    if status and status != decision.status:
        decision.status = status
        decision.save(update_fields=["status", "updated_at"])
    return follow_up


# --- 在职党员到社区报到 --------------------------------------------------------


@transaction.atomic
def report_in_register(
    *,
    user: User,
    community: Division,
    name: str,
    phone: str = "",
    id_number: str = "",
    political_status: str = "full",
    employer: ResidentUnit | None = None,
) -> ReportIn:
    """The member registers at their residential community; it must confirm."""
    if community.level != Level.COMMUNITY:
        raise ValidationFailed(_("请选择您居住的社区。"), code="not_a_community")
    if not name.strip():
        raise ValidationFailed(_("请填写姓名。"))
    phone = clean_mobile(phone)
    id_number = clean_id_number(id_number)
    if political_status not in PoliticalStatus.values:
        raise ValidationFailed(_("政治面貌不正确。"), code="bad_political_status")
    # One registration at a time per member: lock the account row.
    User.objects.select_for_update().get(pk=user.pk)
    member = PartyMember.objects.filter(user=user).first()
    if member is None:
        # Exact look-up through the blind index: one member per ID number.
        if id_number and PartyMember.objects.filter(id_number=id_number).exists():
            raise Conflict(
                _("该身份证号已登记为其他账号的党员,请联系社区核实。"), code="id_number_taken"
            )
        member = PartyMember.objects.create(
            user=user,
            name=name.strip(),
            phone=phone,
            id_number=id_number,
            political_status=political_status,
            employer=employer,
        )
    live = (
        ReportIn.objects.filter(
            member=member, status__in=[ReportInStatus.PENDING, ReportInStatus.CONFIRMED]
        )
        .select_related("community")
        .first()
    )
    if live is not None:
        raise Conflict(
            _("您已向%(community)s报到(%(status)s),不能重复报到。")
            % {"community": live.community.name, "status": live.get_status_display()},
            code="already_reported",
        )
    if employer is not None and member.employer_id != employer.pk:
        member.employer = employer
        member.save(update_fields=["employer", "updated_at"])
    try:
        with transaction.atomic():
            return ReportIn.objects.create(member=member, community=community)
    except IntegrityError as exc:  # a concurrent registration won
        raise Conflict(_("您已报到,不能重复报到。"), code="already_reported") from exc


def _report_in_locked(report_in: ReportIn) -> ReportIn:
    return (
        ReportIn.objects.select_for_update()
        .select_related("community", "member")
        .get(pk=report_in.pk)
    )


OTHER_COMMUNITY = "该党员报到的社区不在您的管辖范围内,不能处理。"


@transaction.atomic
def report_in_confirm(
    *,
    actor: User,
    report_in: ReportIn,
    grid: Division | None = None,
    building: Building | None = None,
    tasks: Iterable[str] = (),
) -> ReportIn:
    """The community confirms the registration, assigns a grid/building and tasks."""
    report_in = _report_in_locked(report_in)
    require_staff_over(actor, report_in.community.code, _(OTHER_COMMUNITY))
    if report_in.status != ReportInStatus.PENDING:
        raise Conflict(
            _("该报到已是“%(status)s”状态,不能再次确认。")
            % {"status": report_in.get_status_display()},
            code="not_pending",
        )
    if grid is not None and grid.parent_id != report_in.community_id:
        raise ValidationFailed(_("所选网格不属于该社区。"), code="grid_elsewhere")
    if building is not None:
        if not building.code.startswith(report_in.community.code):
            raise ValidationFailed(_("所选楼栋不属于该社区。"), code="building_elsewhere")
        grid = grid or building.grid
    report_in.status = ReportInStatus.CONFIRMED
    report_in.confirmed_at = timezone.now()
    report_in.confirmed_by = actor
    report_in.grid = grid
    report_in.building = building
    report_in.save(
        update_fields=["status", "confirmed_at", "confirmed_by", "grid", "building", "updated_at"]
    )
    ReportInTask.objects.bulk_create(
        [ReportInTask(report_in=report_in, title=t.strip()[:100]) for t in tasks if t.strip()]
    )
    return report_in


@transaction.atomic
def report_in_reject(*, actor: User, report_in: ReportIn, note: str) -> ReportIn:
    report_in = _report_in_locked(report_in)
    require_staff_over(actor, report_in.community.code, _(OTHER_COMMUNITY))
    if report_in.status != ReportInStatus.PENDING:
        raise Conflict(_("只能退回待确认的报到。"), code="not_pending")
    if not note.strip():
        raise ValidationFailed(_("请填写退回原因。"))
    report_in.status = ReportInStatus.REJECTED
    report_in.note = note.strip()[:200]
    report_in.save(update_fields=["status", "note", "updated_at"])
    return report_in


@transaction.atomic
def report_in_add_task(*, actor: User, report_in: ReportIn, title: str) -> ReportInTask:
    report_in = _report_in_locked(report_in)
    require_staff_over(actor, report_in.community.code, _(OTHER_COMMUNITY))
    if report_in.status != ReportInStatus.CONFIRMED:
        raise Conflict(_("报到确认后才能分配任务。"), code="not_confirmed")
    if not title.strip():
        raise ValidationFailed(_("请填写任务内容。"))
    return ReportInTask.objects.create(report_in=report_in, title=title.strip()[:100])


def member_for_user(user: User) -> PartyMember:
    member = PartyMember.objects.filter(user=user).first()
    if member is None:
        raise NotFound(_("您还没有党员报到信息。"))
    return member


# --- Committee seats: edit and remove ------------------------------------------


@transaction.atomic
def seat_update(
    *,
    actor: User,
    seat: CommitteeSeat,
    holder_name: str,
    role: str,
    resident_unit: ResidentUnit | None = None,
    is_part_time: bool = False,
    also_director: bool = False,
    also_supervision_chair: bool = False,
) -> CommitteeSeat:
    """Change a seat's holder, role or cross-appointments (一肩挑, 兼任监委会主任)."""
    seat = (
        CommitteeSeat.objects.select_for_update()
        .select_related("organization__division")
        .get(pk=seat.pk)
    )
    require_staff_over(actor, seat.organization.division.code)
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise ValidationFailed(_("请填写姓名。"), code="missing_name")
    if role not in SeatRole.values:
        raise ValidationFailed(_("请选择正确的职务。"), code="bad_role")
    if role != SeatRole.SECRETARY and (also_director or also_supervision_chair):
        raise ValidationFailed(_("只有书记可以兼任居委会主任或居务监督委员会主任。"))
    if is_part_time and resident_unit is None:
        raise ValidationFailed(_("兼职委员须来自驻区单位,请选择单位。"))
    if (
        role == SeatRole.SECRETARY
        and CommitteeSeat.objects.filter(organization_id=seat.organization_id, role=role)
        .exclude(pk=seat.pk)
        .exists()
    ):
        raise Conflict(_("该党组织已有书记,请先调整原书记。"), code="secretary_exists")
    seat.holder_name = holder_name[:32]
    seat.role = role
    seat.resident_unit = resident_unit
    seat.is_part_time = is_part_time
    seat.also_director = also_director
    seat.also_supervision_chair = also_supervision_chair
    seat.save()
    return seat


@transaction.atomic
def seat_remove(*, actor: User, seat: CommitteeSeat) -> None:
    seat = CommitteeSeat.objects.select_related("organization__division").get(pk=seat.pk)
    require_staff_over(actor, seat.organization.division.code)
    seat.delete()


# --- A decision opens a case (cases app's intake service) ----------------------


def decision_open_case(
    *,
    actor: User,
    decision: MeetingDecision,
    category_code: str,
    building=None,
    urgency: str = "normal",
):
    """A joint meeting's decision becomes a case through the cases app's own
    ``case_submit`` (channel 系统接口, source ``party-decision:<id>``, so a
    repeat returns the same case), located at the chosen building or the
    community's centre; the decision records the case number.

    The dependency is one-way: this app calls the cases service; the cases app
    never imports party."""
    from gongzhi.cases.constants import Channel
    from gongzhi.cases.services import case_submit

    with transaction.atomic():
        decision = _decision_locked(decision)
        division = decision.meeting.conference.division
        require_staff_over(actor, division.code)
        if decision.case_ref:
            raise Conflict(_("该议定事项已关联诉求。"), code="case_exists")
        if not (category_code or "").strip():
            raise ValidationFailed(_("请选择事项分类。"), code="missing_category")
        if building is not None:
            if not building.grid.code.startswith(division.code):
                raise ValidationFailed(
                    _("所选楼栋不在%(name)s内。") % {"name": division.name},
                    code="building_elsewhere",
                )
            lng, lat, address = building.lng, building.lat, building.address
        else:
            if division.center_lng is None or division.center_lat is None:
                raise ValidationFailed(
                    _("%(name)s没有中心点坐标,请选择楼栋。") % {"name": division.name},
                    code="no_location",
                )
            lng, lat, address = division.center_lng, division.center_lat, division.name
        case, _created = case_submit(
            actor=actor,
            channel=Channel.INTERNAL,
            source_ref=f"party-decision:{decision.pk}",
            title=decision.text[:100],
            description=_("%(meeting)s(%(date)s)议定:%(text)s。责任单位/人:%(owner)s")
            % {
                "meeting": decision.meeting.title,
                "date": decision.meeting.held_on,
                "text": decision.text,
                "owner": decision.owner or "—",
            },
            category=category_code.strip(),
            lng=lng,
            lat=lat,
            urgency=urgency,
            address=address,
        )
        decision_link_case(decision=decision, case_ref=case.number)
    return case
