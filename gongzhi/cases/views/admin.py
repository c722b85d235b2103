"""Officers' pages: the case catalogue (city and province officers edit it,
district officers read it) and the routing rules of the officer's subtree."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.errors import DomainError, NotFound, PermissionDenied

from .. import selectors
from ..constants import UnitType
from ..forms import CategoryCreateForm, CategoryEditForm, RoutingRuleForm
from ..models import ExternalOwner
from ..services import catalogue

PAGE_SIZE = 50


def _save(request, form, write):
    """Run ``write(changes)``; a bad input's Chinese message and status, or
    ("", 200) on success. Scope errors propagate (the 403/404 pages)."""
    if not form.is_valid():
        return _("请检查填写的内容。"), 400
    try:
        write(form.changes())
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return exc.message, exc.status
    return "", 200


@login_required
@require_http_methods(["GET", "POST"])
def categories(request):
    user = request.user
    catalogue.require_officer(user)
    can_edit = catalogue.can_edit_catalogue(user)
    form = CategoryCreateForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        catalogue.require_catalogue_editor(user)
        created = []

        def write(changes):
            created.append(catalogue.category_create(actor=user, **changes))

        error, status = _save(request, form, write)
        if not error:
            messages.success(request, _("已新增分类 %(code)s %(name)s。") % vars(created[0]))
            return redirect("cases:admin_categories")
    q = request.GET.get("q", "").strip()
    parent = request.GET.get("parent", "").strip().upper()
    page = Paginator(selectors.categories_for_admin(q=q, parent=parent), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/admin/categories.html",
        {
            "page": page,
            "form": form,
            "error": error,
            "can_edit": can_edit,
            "q": q,
            "parent": parent,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request, pk: int):
    user = request.user
    catalogue.require_officer(user)
    category = selectors.category_get(pk=pk)
    can_edit = catalogue.can_edit_catalogue(user)
    initial = {
        name: getattr(category, name)
        for name in (
            "name",
            "limit_normal_hours",
            "limit_urgent_hours",
            "limit_critical_hours",
            "default_unit_type",
            "sort_order",
            "is_active",
        )
    }
    form = CategoryEditForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        catalogue.require_catalogue_editor(user)
        error, status = _save(
            request,
            form,
            lambda changes: catalogue.category_update(actor=user, category=category, **changes),
        )
        if not error:
            messages.success(request, _("已保存分类 %(code)s。") % {"code": category.code})
            return redirect("cases:admin_category", pk=category.pk)
    return render(
        request,
        "cases/admin/category_edit.html",
        {
            "category": category,
            "children": category.children.order_by("sort_order", "code"),
            "form": form,
            "create_form": CategoryCreateForm(initial={"parent": category.code}),
            "error": error,
            "can_edit": can_edit,
        },
        status=status,
    )


def _owners(user):
    scope = user.scope_code
    return [
        o
        for o in ExternalOwner.objects.select_related("division").filter(is_active=True)
        if o.division.code.startswith(scope) or scope.startswith(o.division.code)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def routing(request):
    user = request.user
    catalogue.require_officer(user)
    form = RoutingRuleForm(
        request.POST or None, initial={"territory_prefix": user.scope_code, "is_active": True}
    )
    error, status = "", 200
    if request.method == "POST":
        error, status = _save(
            request, form, lambda changes: catalogue.routing_rule_create(actor=user, **changes)
        )
        if not error:
            messages.success(request, _("已新增派遣规则。"))
            return redirect("cases:admin_routing")
    page = Paginator(selectors.routing_rules_for_user(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/admin/routing.html",
        {
            "page": page,
            "form": form,
            "error": error,
            "owners": _owners(user),
            "unit_types": UnitType.choices,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def routing_edit(request, pk: int):
    user = request.user
    catalogue.require_officer(user)
    rule = selectors.routing_rule_get_for_user(user=user, pk=pk)
    initial = {
        "category": rule.category.code if rule.category_id else "",
        "territory_prefix": rule.territory_prefix,
        "unit_type": rule.unit_type,
        "department_name": rule.department_name,
        "owner": rule.owner_id,
        "priority": rule.priority,
        "is_active": rule.is_active,
        "note": rule.note,
    }
    form = RoutingRuleForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        error, status = _save(
            request,
            form,
            lambda changes: catalogue.routing_rule_update(actor=user, rule=rule, **changes),
        )
        if not error:
            messages.success(request, _("已保存派遣规则。"))
            return redirect("cases:admin_routing_rule", pk=rule.pk)
    return render(
        request,
        "cases/admin/routing_edit.html",
        {"rule": rule, "form": form, "error": error, "owners": _owners(user)},
        status=status,
    )
