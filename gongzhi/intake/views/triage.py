"""Officer pages: the human triage queue (best guesses shown; confirm/correct or dismiss)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gongzhi.cases.constants import Urgency
from gongzhi.core.access import require_staff
from gongzhi.core.errors import DomainError, NotFound, ValidationFailed
from gongzhi.org.selectors import grids_under, place_kind

from ..models import TriageItem
from ..triage import triage_confirm, triage_dismiss
from .channels import category_options
from .common import STAFF_ONLY


def triage_items_for_user(user):
    """Triage items the user may see: those of the user's subtree only.

    An item's ``scope`` is the division the source named (a chat group's
    division). An item without one (a platform record whose place the machine
    could not find) could be anywhere in the province: only officers see it
    (docs/security.md), and whoever confirms it must place the case inside
    their own subtree (``_check_place``).
    """
    scope = user.scope_code or ""
    if not scope:
        return TriageItem.objects.none()
    visible = Q(scope__startswith=scope) & ~Q(scope="")
    if user.is_officer:
        visible |= Q(scope="")
    return TriageItem.objects.filter(visible)


def _check_place(user, kind: str, code: str) -> None:
    """A building or grid picked (or typed) on the page must be in the user's subtree."""
    if kind in ("b", "g") and code and not code.startswith(user.scope_code):
        raise NotFound(_("楼栋或网格不存在,或不在您的辖区内。"))


def _picker_scope(user, item) -> str:
    """Grids offered on the page: those of the item's division when it lies in
    the user's subtree, else the user's own."""
    scope = item.scope or ""
    return scope if scope.startswith(user.scope_code) else user.scope_code


@login_required
def triage_list(request):
    require_staff(request.user, _(STAFF_ONLY))
    state = request.GET.get("state") or TriageItem.State.PENDING
    rows = triage_items_for_user(request.user).filter(state=state)[:200]
    return render(
        request,
        "intake/triage_list.html",
        {"rows": rows, "state": state, "states": TriageItem.State.choices},
    )


@login_required
def triage_detail(request, pk: int):
    require_staff(request.user, _(STAFF_ONLY))
    item = get_object_or_404(triage_items_for_user(request.user), pk=pk)
    error = ""
    # every active category, the machine's guess pre-selected (template)
    categories = category_options(value="code")
    offered = {code for _group, options in categories for code, _label in options}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "dismiss":
                triage_dismiss(item=item, actor=request.user, reason=request.POST.get("reason", ""))
                return redirect("intake:triage")
            category = request.POST.get("category", "")
            if category not in offered:
                raise ValidationFailed(_("请从列表中选择事项分类。"), code="unknown_category")
            place = request.POST.get("place_manual", "").strip() or request.POST.get("place", "")
            kind, sep, code = place.partition(":")
            if place and not sep:  # a bare code typed: a building's or a grid's
                kind, code = place_kind(place), place
                if not kind:
                    raise ValidationFailed(
                        _("“%(code)s”不是楼栋编码(19 位)或网格编码(15 位)。") % {"code": place},
                        code="unknown_place",
                    )
            _check_place(request.user, kind, code)
            case = triage_confirm(
                item=item,
                actor=request.user,
                category=category,
                urgency=request.POST.get("urgency", Urgency.NORMAL),
                building_code=code if kind == "b" else "",
                grid_code=code if kind == "g" else "",
                use_point=kind == "p",
                title=request.POST.get("title", ""),
            )
            return redirect("cases:detail", number=case.number)
        except DomainError as exc:
            error = str(exc)
    return render(
        request,
        "intake/triage_detail.html",
        {
            "item": item,
            "g": item.guesses,
            "categories": categories,
            "urgencies": Urgency.choices,
            "grids": grids_under(code=_picker_scope(request.user, item)),
            "error": error,
        },
        status=400 if error else 200,
    )
