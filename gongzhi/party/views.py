"""Party pages: the member's report-in, the community's confirmations, the
employer unit's view of its members, organisations and committee seats, joint
meetings with decisions and follow-ups, and the officer's overview per node."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.constants import STAFF_ROLES, Role
from gongzhi.cobuild.constants import Linkage
from gongzhi.cobuild.models import ResidentUnit
from gongzhi.cobuild.selectors import employer_choices, unit_get_for_user, units_for_user
from gongzhi.core import forms
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_id_number, mask_name, mask_phone
from gongzhi.insights.registry import Period
from gongzhi.org.constants import Level
from gongzhi.org.models import Building, Division
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .constants import DecisionStatus, OrgKind, ReportInStatus, SeatRole


def _masked(member) -> dict[str, str]:
    return {
        "name": mask_name(member.name),
        "phone": mask_phone(member.phone),
        "id_number": mask_id_number(member.id_number),
    }


@login_required
@require_GET
def home(request):
    template, ctx = _home_page(request)
    return render(request, template, ctx)


def _home_page(request, *args, **kwargs):
    user = request.user
    period = Period.parse_year(request.GET.get("year"))
    ctx: dict = {"period": period}
    if user.has_role(Role.PARTY_MEMBER):
        ctx["is_member"] = True
        report_in = selectors.report_in_of_member(user=user)
        ctx["report_in"] = report_in
        # Scoped to the district of the member's community, or searched by name.
        ctx["unit_q"] = request.GET.get("unit_q", "").strip()[:50]
        ctx["units"] = employer_choices(community_code=user.scope_code or "", q=ctx["unit_q"])
        if report_in is not None:
            hours = selectors.year_hours(user_ids=[user.pk], period=period)
            ctx["my_hours"], ctx["my_activities"] = hours.get(user.pk, (0, 0))
    if user.role_set & STAFF_ROLES and user.scope_code:
        rows = list(selectors.report_ins_for_staff(user=user).prefetch_related("tasks")[:200])
        hours = selectors.year_hours(
            user_ids=[r.member.user_id for r in rows if r.member.user_id], period=period
        )
        # Grids of the communities with pending registrations, in one query.
        pending = {r.community_id for r in rows if r.status == ReportInStatus.PENDING}
        grids: dict[int, list[Division]] = {}
        for g in (
            Division.objects.filter(parent_id__in=pending, level=Level.GRID)
            .order_by("code")
            .only("code", "name", "parent_id")
        ):
            grids.setdefault(g.parent_id, []).append(g)
        ctx["staff_rows"] = [
            {
                "r": r,
                "m": _masked(r.member),
                "hours": hours.get(r.member.user_id, (0, 0))[0],
                "grids": grids.get(r.community_id, [])
                if r.status == ReportInStatus.PENDING
                else [],
            }
            for r in rows
        ]
    if user.has_role(Role.COBUILD_LIAISON) and hasattr(user, "unit_contact"):
        ctx["unit"] = user.unit_contact.unit
        ctx["participation"] = [
            {"p": p, "name": mask_name(p.member.name)}
            for p in selectors.employer_participation(user=user, period=period)
        ]
    return "party/home.html", ctx


@login_required
@require_POST
@forms.redisplay_on_error(_home_page, "report_in")
def report_in_register(request):
    code = request.POST.get("community_code", "").strip()
    community = Division.objects.filter(code=code).first() if code.isdigit() else None
    if community is None:
        raise NotFound(_("社区不存在,请检查社区代码。"))
    unit_id = forms.optional_pk(request.POST, "employer")
    employer = ResidentUnit.objects.filter(pk=unit_id).first() if unit_id else None
    if unit_id and employer is None:
        raise NotFound(_("所选工作单位不存在。"))
    services.report_in_register(
        user=request.user,
        community=community,
        name=request.POST.get("name", ""),
        phone=request.POST.get("phone", ""),
        id_number=request.POST.get("id_number", ""),
        employer=employer,
    )
    messages.success(request, _("报到申请已提交,请等待社区确认。"))
    return redirect("party:home")


@login_required
@require_POST
@forms.redisplay_on_error(_home_page, "confirm")
def report_in_confirm(request, pk: int):
    r = selectors.report_in_get_for_staff(user=request.user, pk=pk)
    code = request.POST.get("grid", "")
    grid = division_get_for_user(user=request.user, code=code) if code else None
    tasks = request.POST.get("tasks", "").splitlines()
    services.report_in_confirm(actor=request.user, report_in=r, grid=grid, tasks=tasks)
    messages.success(request, _("已确认%(name)s的报到。") % {"name": mask_name(r.member.name)})
    return redirect("party:home")


@login_required
@require_POST
@forms.redisplay_on_error(_home_page, "reject")
def report_in_reject(request, pk: int):
    r = selectors.report_in_get_for_staff(user=request.user, pk=pk)
    services.report_in_reject(actor=request.user, report_in=r, note=request.POST.get("note", ""))
    messages.success(request, _("已退回。"))
    return redirect("party:home")


def _orgs_page(request, *args, **kwargs):
    qs = selectors.orgs_for_user(user=request.user)
    conferences = selectors.conferences_for_user(user=request.user).order_by("division__code")
    return "party/orgs.html", {
        "orgs": qs[:300],
        "total": qs.count(),
        "conferences": conferences[:100],
        "kinds": OrgKind.choices,
        "scope_code": request.user.scope_code,
    }


@login_required
@require_GET
def orgs(request):
    template, ctx = _orgs_page(request)
    return render(request, template, ctx)


@login_required
@require_POST
@forms.redisplay_on_error(_orgs_page, "org")
def org_create(request):
    data = request.POST
    division = division_get_for_user(
        user=request.user, code=forms.text(data, "division_code", _("所在区划代码"), max_length=20)
    )
    parent_pk = forms.optional_pk(data, "parent")
    parent = selectors.org_get_for_user(user=request.user, pk=parent_pk) if parent_pk else None
    unit_pk = forms.optional_pk(data, "resident_unit")
    unit = unit_get_for_user(user=request.user, pk=unit_pk) if unit_pk else None
    org = services.org_create(
        actor=request.user,
        division=division,
        kind=forms.choice(data, "kind", _("组织类型"), OrgKind.values),
        name=forms.text(data, "name", _("组织名称")),
        parent=parent,
        resident_unit=unit,
        is_joint_committee=data.get("is_joint_committee") == "on",
        established_on=forms.date(data, "established_on", _("成立日期"), required=False),
    )
    messages.success(request, _("已建立%(name)s。") % {"name": org.name})
    return redirect("party:org", pk=org.pk)


def _org_page(request, pk: int, *args, edit_seat=None, **kwargs):
    """The organisation with its committee; ``edit_seat`` opens that seat's
    edit form (holder, role, unit, cross-appointments) on the same page."""
    org = selectors.org_get_for_user(user=request.user, pk=pk)
    seats = [
        {"s": seat, "name": mask_name(seat.holder_name)}
        for seat in org.seats.select_related("resident_unit").order_by("role", "pk")
    ]
    units = units_for_user(user=request.user).filter(
        division__code__startswith=org.division.code[:9]
    )[:200]
    return "party/org.html", {
        "org": org,
        "seats": seats,
        "roles": SeatRole.choices,
        "units": units,
        "edit_seat": edit_seat,
        "edit_seat_name": mask_name(edit_seat.holder_name) if edit_seat else "",
    }


def _seat_page(request, pk: int, *args, **kwargs):
    seat = selectors.seat_get_for_user(user=request.user, pk=pk)
    return _org_page(request, seat.organization_id, edit_seat=seat)


@login_required
@require_GET
def org_detail(request, pk: int):
    template, ctx = _org_page(request, pk)
    return render(request, template, ctx)


def _seat_fields(request) -> dict:
    """Role, the part-time member's unit and the cross-appointment flags of the
    appoint and edit forms."""
    data = request.POST
    unit_pk = forms.optional_pk(data, "resident_unit")
    return {
        "role": forms.choice(data, "role", _("职务"), SeatRole.values),
        "resident_unit": unit_get_for_user(user=request.user, pk=unit_pk) if unit_pk else None,
        "is_part_time": data.get("is_part_time") == "on",
        "also_director": data.get("also_director") == "on",
        "also_supervision_chair": data.get("also_supervision_chair") == "on",
    }


@login_required
@require_POST
@forms.redisplay_on_error(_org_page, "seat")
def seat_appoint(request, pk: int):
    org = selectors.org_get_for_user(user=request.user, pk=pk)
    services.seat_appoint(
        actor=request.user,
        organization=org,
        holder_name=forms.text(request.POST, "holder_name", _("姓名"), max_length=32),
        **_seat_fields(request),
    )
    messages.success(request, _("已任命委员。"))
    return redirect("party:org", pk=org.pk)


@login_required
@require_POST
@forms.redisplay_on_error(_orgs_page, "conference")
def conference_establish(request):
    data = request.POST
    division = division_get_for_user(
        user=request.user, code=forms.text(data, "division_code", _("街道/社区代码"), max_length=20)
    )
    conference = services.conference_establish(
        actor=request.user,
        division=division,
        established_on=forms.date(data, "established_on", _("建立日期")),
        name=forms.text(data, "name", _("名称"), required=False),
    )
    messages.success(request, _("已建立%(name)s。") % {"name": conference.name})
    return redirect("party:conference", pk=conference.pk)


def _conference_page(request, pk: int, *args, **kwargs):
    conference = selectors.conference_get_for_user(user=request.user, pk=pk)
    return "party/conference.html", {
        "conference": conference,
        "meetings": selectors.conference_meetings(conference=conference)[:100],
    }


@login_required
@require_GET
def conference_detail(request, pk: int):
    template, ctx = _conference_page(request, pk)
    return render(request, template, ctx)


@login_required
@require_POST
@forms.redisplay_on_error(_conference_page, "meeting")
def meeting_create(request, pk: int):
    conference = selectors.conference_get_for_user(user=request.user, pk=pk)
    data = request.POST
    meeting = services.meeting_record(
        actor=request.user,
        conference=conference,
        title=forms.text(data, "title", _("会议名称")),
        held_on=forms.date(data, "held_on", _("召开日期")),
        agenda=forms.text(data, "agenda", _("议程"), max_length=4000),
        minutes=forms.text(data, "minutes", _("会议纪要"), required=False, max_length=8000),
        attendees=[(name[:32], None, True) for name in forms.lines(data, "attendees")],
        decisions=[(text, "", None) for text in forms.lines(data, "decisions")],
    )
    messages.success(request, _("会议已记录。"))
    return redirect("party:meeting", pk=meeting.pk)


def _meeting_page(request, pk: int, *args, **kwargs):
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    division = meeting.conference.division
    return "party/meeting.html", {
        "meeting": meeting,
        "attendance": [{"a": a, "name": mask_name(a.name)} for a in meeting.attendance.all()],
        "statuses": DecisionStatus.choices,
        "linkages": Linkage.choices,
        "units": units_for_user(user=request.user).filter(
            division__code__startswith=division.code[:9]
        )[:200],
        "case_categories": selectors.case_categories(),
        "buildings": Building.objects.filter(grid__code__startswith=division.code)
        .order_by("estate", "name")
        .only("pk", "estate", "name")[:300],
    }


def _decision_page(request, pk: int, *args, **kwargs):
    """The meeting page holding a decision's forms (follow-up, project, case)."""
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    return _meeting_page(request, decision.meeting_id)


@login_required
@require_GET
def meeting_detail(request, pk: int):
    template, ctx = _meeting_page(request, pk)
    return render(request, template, ctx)


@login_required
@require_POST
@forms.redisplay_on_error(_decision_page, "follow_up")
def decision_follow_up(request, pk: int):
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    data = request.POST
    services.decision_follow_up(
        actor=request.user,
        decision=decision,
        note=forms.text(data, "note", _("落实情况"), max_length=2000),
        status=forms.choice(data, "status", _("落实状态"), DecisionStatus.values, required=False)
        or None,
    )
    messages.success(request, _("已记录落实情况。"))
    return redirect("party:meeting", pk=decision.meeting_id)


@login_required
@require_POST
@forms.redisplay_on_error(_decision_page, "project")
def decision_project(request, pk: int):
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    data = request.POST
    unit_pk = forms.optional_pk(data, "unit")
    unit = unit_get_for_user(user=request.user, pk=unit_pk) if unit_pk else None
    project = services.decision_open_project(
        actor=request.user,
        decision=decision,
        linkage=forms.choice(data, "linkage", _("联动类别"), Linkage.values),
        unit=unit,
    )
    messages.success(request, _("已生成共建项目“%(title)s”。") % {"title": project.title})
    return redirect("party:meeting", pk=decision.meeting_id)


@login_required
@require_GET
def overview(request, code: str):
    """The officer's page for a node: what party building, co-building and
    volunteering hold in its subtree, per child node, with the dashboard link."""
    division = division_get_for_user(user=request.user, code=code)
    totals, rows = selectors.overview(user=request.user, division=division)
    return render(
        request,
        "party/overview.html",
        {"division": division, "totals": totals, "rows": rows},
    )


@login_required
@require_POST
@forms.redisplay_on_error(_decision_page, "case")
def decision_case(request, pk: int):
    """A joint meeting's decision opens a case (through the cases app)."""
    decision = selectors.decision_get_for_user(user=request.user, pk=pk)
    data = request.POST
    building_pk = forms.optional_pk(data, "building")
    building = None
    if building_pk:
        building = Building.objects.select_related("grid").filter(pk=building_pk).first()
        if building is None:
            raise NotFound(_("所选楼栋不存在。"))
    case = services.decision_open_case(
        actor=request.user,
        decision=decision,
        category_code=forms.text(data, "category", _("事项分类"), max_length=16),
        building=building,
    )
    messages.success(request, _("已立诉求%(number)s。") % {"number": case.number})
    return redirect("party:meeting", pk=decision.meeting_id)


@login_required
@require_http_methods(["GET", "POST"])
@forms.redisplay_on_error(_seat_page, "seat_edit")
def seat_edit(request, pk: int):
    """GET: the organisation's page with this seat's edit form open. POST:
    save it. The holder's name is masked on the page, so an empty name field
    keeps the current holder."""
    if request.method == "GET":
        template, ctx = _seat_page(request, pk)
        return render(request, template, ctx)
    seat = selectors.seat_get_for_user(user=request.user, pk=pk)
    holder = forms.text(request.POST, "holder_name", _("姓名"), required=False, max_length=32)
    services.seat_update(
        actor=request.user,
        seat=seat,
        holder_name=holder or seat.holder_name,
        **_seat_fields(request),
    )
    messages.success(request, _("委员信息已保存。"))
    return redirect("party:org", pk=seat.organization_id)


@login_required
@require_POST
def seat_remove(request, pk: int):
    seat = selectors.seat_get_for_user(user=request.user, pk=pk)
    services.seat_remove(actor=request.user, seat=seat)
    messages.success(request, _("已免去%(name)s的职务。") % {"name": mask_name(seat.holder_name)})
    return redirect("party:org", pk=seat.organization_id)
