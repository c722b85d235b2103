"""Co-building pages: units, pairings, the three lists with matching
suggestions, projects, six-linkage records and the community's assessments of
units (评先评优评价权); a unit liaison sees and maintains their own unit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.constants import STAFF_ROLES
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_name, mask_phone
from gongzhi.org.selectors import division_get_for_user
from gongzhi.party import forms
from gongzhi.party.selectors import employer_choices

from . import selectors, services
from .constants import Category, Grade, Linkage, NeedStatus
from .models import ResidentUnit


@login_required
@require_GET
def home(request):
    user = request.user
    units = list(selectors.units_for_user(user=user).prefetch_related("contacts")[:200])
    ctx = {
        "units": [
            {
                "u": u,
                "contacts": [
                    {"name": mask_name(c.name), "phone": mask_phone(c.phone)}
                    for c in u.contacts.all()
                ],
            }
            for u in units
        ],
        "resources": selectors.resources_for_user(user=user)[:200],
        "categories": Category.choices,
    }
    if user.role_set & STAFF_ROLES and user.scope_code:
        needs = list(selectors.needs_for_user(user=user)[:100])
        suggestions = selectors.match_suggestions_for(
            needs=[n for n in needs if n.status == NeedStatus.OPEN]
        )
        ctx["needs"] = [{"n": n, "suggestions": suggestions.get(n.pk, [])} for n in needs]
        ctx["projects"] = selectors.projects_for_user(user=user)[:100]
        ctx["activities"] = selectors.activities_for_user(user=user)[:100]
        ctx["pairings"] = selectors.pairings_for_user(user=user)[:100]
        ctx["linkages"] = Linkage.choices
        ctx["grades"] = Grade.choices
        ctx["scope_code"] = user.scope_code
        ctx["this_year"] = timezone.localdate().year
        # Units to pair with: the district's, or found by name.
        ctx["unit_q"] = request.GET.get("unit_q", "").strip()[:50]
        ctx["pair_units"] = employer_choices(community_code=user.scope_code, q=ctx["unit_q"])
    ctx["assessments"] = (
        selectors.assessments_for_user(user=user)[:100]
        if user.role_set & STAFF_ROLES or hasattr(user, "unit_contact")
        else []
    )
    return render(request, "cobuild/home.html", ctx)


@login_required
@require_POST
def need_match(request, pk: int):
    need = selectors.need_get_for_user(user=request.user, pk=pk)
    raw = request.POST.get("resource", "")
    resource = selectors.resource_get(pk=int(raw) if raw.isdigit() else 0)
    services.need_match(actor=request.user, need=need, resource=resource)
    messages.success(request, _("需求已对接。"))
    return redirect("cobuild:home")


@login_required
@require_POST
def resource_add(request):
    raw = request.POST.get("unit", "")
    unit = selectors.unit_get_for_user(user=request.user, pk=int(raw) if raw.isdigit() else 0)
    services.resource_add(
        actor=request.user,
        unit=unit,
        title=request.POST.get("title", ""),
        category=request.POST.get("category", ""),
        description=request.POST.get("description", ""),
    )
    messages.success(request, _("资源已发布。"))
    return redirect("cobuild:home")


def _unit_any(pk: int | None) -> ResidentUnit:
    """Any unit by id: a street may pair with a unit located elsewhere."""
    unit = ResidentUnit.objects.select_related("division").filter(pk=pk).first() if pk else None
    if unit is None:
        raise NotFound(_("单位不存在。"))
    return unit


@login_required
@require_POST
def pairing_create(request):
    data = request.POST
    division = division_get_for_user(
        user=request.user, code=forms.text(data, "division_code", _("街道/社区代码"), max_length=20)
    )
    unit = _unit_any(forms.optional_pk(data, "unit"))
    services.pairing_create(
        actor=request.user,
        unit=unit,
        division=division,
        started_on=forms.date(data, "started_on", _("结对日期")),
    )
    messages.success(request, _("已与%(unit)s结对共建。") % {"unit": unit.name})
    return redirect("cobuild:home")


@login_required
@require_POST
def project_create(request):
    data = request.POST
    division = division_get_for_user(
        user=request.user, code=forms.text(data, "division_code", _("街道/社区代码"), max_length=20)
    )
    unit_pk = forms.optional_pk(data, "unit")
    unit = selectors.unit_get_for_user(user=request.user, pk=unit_pk) if unit_pk else None
    need_pk = forms.optional_pk(data, "need")
    need = selectors.need_get_for_user(user=request.user, pk=need_pk) if need_pk else None
    services.project_create(
        actor=request.user,
        division=division,
        title=forms.text(data, "title", _("项目名称")),
        linkage=forms.choice(data, "linkage", _("联动类别"), Linkage.values),
        unit=unit,
        need=need,
        description=forms.text(data, "description", _("内容"), required=False, max_length=2000),
    )
    messages.success(request, _("共建项目已列入项目清单。"))
    return redirect("cobuild:home")


@login_required
@require_POST
def assessment_create(request):
    data = request.POST
    community = division_get_for_user(
        user=request.user, code=forms.text(data, "community_code", _("社区代码"), max_length=20)
    )
    unit = selectors.unit_get_for_user(user=request.user, pk=forms.optional_pk(data, "unit") or 0)
    services.unit_assess(
        actor=request.user,
        unit=unit,
        community=community,
        year=forms.integer(data, "year", _("年度"), minimum=2000),
        grade=forms.choice(data, "grade", _("评价等次"), Grade.values),
        comment=forms.text(data, "comment", _("评语"), required=False, max_length=2000),
    )
    messages.success(request, _("已评价%(unit)s。") % {"unit": unit.name})
    return redirect("cobuild:home")
