"""Officer pages: the human triage queue (best guesses shown; confirm/correct or dismiss)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from gongzhi.cases.constants import Urgency
from gongzhi.cases.models import Category
from gongzhi.core.errors import DomainError

from ..models import TriageItem
from ..triage import triage_confirm, triage_dismiss
from .common import require_staff


def _visible(user):
    scope = user.scope_code
    # an item without a scope (a group with no division) is visible to every officer
    return TriageItem.objects.filter(Q(scope="") | Q(scope__startswith=scope[:6]))


@login_required
def triage_list(request):
    require_staff(request.user)
    state = request.GET.get("state") or TriageItem.State.PENDING
    rows = _visible(request.user).filter(state=state)[:200]
    return render(
        request,
        "intake/triage_list.html",
        {"rows": rows, "state": state, "states": TriageItem.State.choices},
    )


@login_required
def triage_detail(request, pk: int):
    require_staff(request.user)
    item = get_object_or_404(_visible(request.user), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "dismiss":
                triage_dismiss(item=item, actor=request.user, reason=request.POST.get("reason", ""))
                return redirect("intake:triage")
            place = request.POST.get("place_manual", "").strip() or request.POST.get("place", "")
            kind, _sep, code = place.partition(":")
            case = triage_confirm(
                item=item,
                actor=request.user,
                category=request.POST.get("category", ""),
                urgency=request.POST.get("urgency", Urgency.NORMAL),
                building_code=code if kind == "b" else "",
                grid_code=code if kind == "g" else "",
                use_point=kind == "p",
                title=request.POST.get("title", ""),
            )
            return redirect("cases:detail", number=case.number)
        except DomainError as exc:
            error = str(exc)
    categories = Category.objects.filter(is_active=True).exclude(code__in=["U", "UC", "UE", "T"])
    return render(
        request,
        "intake/triage_detail.html",
        {
            "item": item,
            "g": item.guesses,
            "categories": categories.order_by("code")[:400],
            "urgencies": Urgency.choices,
            "error": error,
        },
        status=400 if error else 200,
    )
