"""疑似重复: pending duplicate suggestions in the staff member's subtree, each
accepted (merged through ``cases.services.case_merge``) or dismissed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.access import require_staff
from gongzhi.core.errors import ValidationFailed
from gongzhi.intake import dedupe

PAGE_SIZE = 30

STAFF_ONLY = gettext_noop("疑似重复仅供工作人员处理。")


@login_required
@require_GET
def suggestions(request):
    require_staff(request.user, _(STAFF_ONLY))
    page = Paginator(dedupe.suggestions_for_user(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "intake/dedupe.html", {"page": page})


@login_required
@require_POST
def decide(request, pk: int):
    require_staff(request.user, _(STAFF_ONLY))
    s = dedupe.suggestion_get_for_user(user=request.user, pk=pk)
    decision = request.POST.get("decision")
    if decision == "merge":
        dedupe.suggestion_accept(suggestion=s, actor=request.user)
        messages.success(
            request, _("已将 %(a)s 合并到 %(b)s。") % {"a": s.case.number, "b": s.master.number}
        )
    elif decision == "dismiss":
        dedupe.suggestion_dismiss(suggestion=s, actor=request.user)
        messages.success(request, _("已标记为不是重复:%(a)s。") % {"a": s.case.number})
    else:
        raise ValidationFailed(_("请选择合并或不是重复。"), code="invalid_decision")
    return redirect("intake:dedupe")
