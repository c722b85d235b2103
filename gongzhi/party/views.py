"""Party pages: the member's report-in, the community's confirmations, the
employer unit's view of its members, and the officer's organisations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.constants import STAFF_ROLES, Role
from gongzhi.cobuild.models import ResidentUnit
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_id_number, mask_name, mask_phone
from gongzhi.insights.registry import Period
from gongzhi.org.constants import Level
from gongzhi.org.models import Division
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .constants import ReportInStatus


def _masked(member) -> dict[str, str]:
    return {
        "name": mask_name(member.name),
        "phone": mask_phone(member.phone),
        "id_number": mask_id_number(member.id_number),
    }


@login_required
@require_GET
def home(request):
    user = request.user
    period = Period.parse_year(request.GET.get("year"))
    ctx: dict = {"period": period}
    if user.has_role(Role.PARTY_MEMBER):
        ctx["is_member"] = True
        report_in = selectors.report_in_of_member(user=user)
        ctx["report_in"] = report_in
        ctx["units"] = ResidentUnit.objects.order_by("name")[:200]
        if report_in is not None:
            hours = selectors.year_hours(user_ids=[user.pk], period=period)
            ctx["my_hours"], ctx["my_activities"] = hours.get(user.pk, (0, 0))
    if user.role_set & STAFF_ROLES and user.scope_code:
        rows = list(selectors.report_ins_for_staff(user=user).prefetch_related("tasks")[:200])
        hours = selectors.year_hours(
            user_ids=[r.member.user_id for r in rows if r.member.user_id], period=period
        )
        ctx["staff_rows"] = [
            {
                "r": r,
                "m": _masked(r.member),
                "hours": hours.get(r.member.user_id, (0, 0))[0],
                "grids": Division.objects.filter(parent=r.community, level=Level.GRID).only(
                    "code", "name"
                )
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
    return render(request, "party/home.html", ctx)


@login_required
@require_POST
def report_in_register(request):
    code = request.POST.get("community_code", "").strip()
    community = Division.objects.filter(code=code).first() if code.isdigit() else None
    if community is None:
        raise NotFound(_("社区不存在,请检查社区代码。"))
    unit_id = request.POST.get("employer", "")
    employer = ResidentUnit.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
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
def report_in_reject(request, pk: int):
    r = selectors.report_in_get_for_staff(user=request.user, pk=pk)
    services.report_in_reject(actor=request.user, report_in=r, note=request.POST.get("note", ""))
    messages.success(request, _("已退回。"))
    return redirect("party:home")


@login_required
@require_GET
def orgs(request):
    qs = selectors.orgs_for_user(user=request.user)
    conferences = selectors.conferences_for_user(user=request.user).prefetch_related(
        "meetings__decisions"
    )[:50]
    return render(
        request,
        "party/orgs.html",
        {"orgs": qs[:300], "total": qs.count(), "conferences": conferences},
    )
