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
from gongzhi.core import forms
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_name, mask_phone
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .constants import Category, Grade, Linkage, NeedStatus, ProjectStatus, UnitKind
from .models import ResidentUnit


@login_required
@require_GET
def home(request):
    template, ctx = _home_page(request)
    return render(request, template, ctx)


def _home_page(request, *args, **kwargs):
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
        ctx["pair_units"] = selectors.employer_choices(
            community_code=user.scope_code, q=ctx["unit_q"]
        )
    ctx["assessments"] = (
        selectors.assessments_for_user(user=user)[:100]
        if user.role_set & STAFF_ROLES or hasattr(user, "unit_contact")
        else []
    )
    return "cobuild/home.html", ctx


@login_required
@require_POST
@forms.redisplay_on_error(_home_page, "match")
def need_match(request, pk: int):
    need = selectors.need_get_for_user(user=request.user, pk=pk)
    raw = request.POST.get("resource", "")
    resource = selectors.resource_get(pk=int(raw) if raw.isdigit() else 0)
    services.need_match(actor=request.user, need=need, resource=resource)
    messages.success(request, _("需求已对接。"))
    return redirect("cobuild:home")


@login_required
@require_POST
@forms.redisplay_on_error(_home_page, "resource")
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
@forms.redisplay_on_error(_home_page, "pairing")
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
@forms.redisplay_on_error(_home_page, "project")
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
@forms.redisplay_on_error(_home_page, "assessment")
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


# --- Resident units and their contacts ------------------------------------------


def _contacts_masked(unit):
    return [
        {"c": c, "name": mask_name(c.name), "phone": mask_phone(c.phone)}
        for c in unit.contacts.all()
    ]


def _units_page(request, *args, **kwargs):
    user = request.user
    q = request.GET.get("q", "").strip()[:50]
    units = selectors.units_for_user(user=user).prefetch_related("contacts")
    if q:
        units = units.filter(name__contains=q)
    ctx = {
        "units": [{"u": u, "contacts": _contacts_masked(u)} for u in units[:200]],
        "q": q,
        "kinds": UnitKind.choices,
        "can_create": bool(user.role_set & STAFF_ROLES and user.scope_code),
        "scope_code": user.scope_code,
    }
    return "cobuild/units.html", ctx


@login_required
@require_GET
def units(request):
    template, ctx = _units_page(request)
    return render(request, template, ctx)


@login_required
@require_POST
@forms.redisplay_on_error(_units_page, "unit")
def unit_create(request):
    data = request.POST
    division = division_get_for_user(
        user=request.user, code=forms.text(data, "division_code", _("所在区划代码"), max_length=20)
    )
    unit = services.unit_register(
        actor=request.user,
        division=division,
        name=forms.text(data, "name", _("单位名称")),
        kind=forms.choice(data, "kind", _("单位类型"), UnitKind.values),
        address=forms.text(data, "address", _("地址"), required=False, max_length=200),
        party_members=forms.integer(data, "party_members", _("党员人数"), default=0),
    )
    messages.success(request, _("已登记驻区单位“%(name)s”。") % {"name": unit.name})
    return redirect("cobuild:unit", pk=unit.pk)


def _unit_page(request, pk: int, *args, **kwargs):
    unit = selectors.unit_get_for_user(user=request.user, pk=pk)
    return "cobuild/unit.html", {
        "unit": unit,
        "contacts": _contacts_masked(unit),
        "kinds": UnitKind.choices,
        "pairings": unit.pairings.select_related("division").order_by("-started_on"),
    }


@login_required
@require_GET
def unit_detail(request, pk: int):
    template, ctx = _unit_page(request, pk)
    return render(request, template, ctx)


@login_required
@require_POST
@forms.redisplay_on_error(_unit_page, "unit_edit")
def unit_edit(request, pk: int):
    unit = selectors.unit_get_for_user(user=request.user, pk=pk)
    data = request.POST
    services.unit_update(
        actor=request.user,
        unit=unit,
        name=forms.text(data, "name", _("单位名称")),
        kind=forms.choice(data, "kind", _("单位类型"), UnitKind.values),
        address=forms.text(data, "address", _("地址"), required=False, max_length=200),
        party_members=forms.integer(data, "party_members", _("党员人数"), default=0),
    )
    messages.success(request, _("单位信息已保存。"))
    return redirect("cobuild:unit", pk=pk)


@login_required
@require_POST
@forms.redisplay_on_error(_unit_page, "contact")
def contact_create(request, pk: int):
    unit = selectors.unit_get_for_user(user=request.user, pk=pk)
    data = request.POST
    services.contact_create(
        actor=request.user,
        unit=unit,
        name=forms.text(data, "name", _("联系人姓名"), max_length=32),
        phone=data.get("phone", ""),
        title=forms.text(data, "title", _("职务"), required=False, max_length=32),
    )
    messages.success(request, _("联系人已添加。"))
    return redirect("cobuild:unit", pk=pk)


def _contact_page(request, pk: int, *args, **kwargs):
    """The unit page holding a contact's row (and its remove button)."""
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    return _unit_page(request, contact.unit_id)


@login_required
@require_POST
@forms.redisplay_on_error(_contact_page, "contact_remove")
def contact_remove(request, pk: int):
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    services.contact_remove(actor=request.user, contact=contact)
    messages.success(request, _("联系人已删除。"))
    return redirect("cobuild:unit", pk=contact.unit_id)


@login_required
@require_POST
@forms.redisplay_on_error(_home_page, "pairing_end")
def pairing_end(request, pk: int):
    pairing = selectors.pairing_get_for_user(user=request.user, pk=pk)
    services.pairing_end(
        actor=request.user,
        pairing=pairing,
        ended_on=forms.date(request.POST, "ended_on", _("结束日期")),
    )
    messages.success(request, _("已结束与%(unit)s的结对。") % {"unit": pairing.unit.name})
    return redirect("cobuild:home")


@login_required
@require_POST
@forms.redisplay_on_error(_home_page, "project_status")
def project_status(request, pk: int):
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    services.project_set_status(
        actor=request.user,
        project=project,
        status=forms.choice(request.POST, "status", _("项目状态"), ProjectStatus.values),
    )
    messages.success(request, _("项目状态已更新。"))
    return redirect("cobuild:home")
