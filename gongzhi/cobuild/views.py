"""Co-building pages: units, the three lists with matching suggestions, and
six-linkage records; a unit liaison sees and maintains their own unit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.constants import STAFF_ROLES
from gongzhi.core.masking import mask_name, mask_phone

from . import selectors, services
from .constants import Category, NeedStatus


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
        ctx["needs"] = [
            {
                "n": n,
                "suggestions": selectors.match_suggestions(need=n)
                if n.status == NeedStatus.OPEN
                else [],
            }
            for n in needs
        ]
        ctx["projects"] = selectors.projects_for_user(user=user)[:100]
        ctx["activities"] = selectors.activities_for_user(user=user)[:100]
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
