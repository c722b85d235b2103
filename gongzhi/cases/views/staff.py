"""Staff pages: the work queue per role (or every case in the jurisdiction),
with search, filters and pages, and batch dispatch."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.access import require_staff

from .. import selectors, services
from ..constants import Status
from ..forms import FilterForm, parse_unit
from ..models import Case, Category
from ..services import parse_unit as unit_from_spec

PAGE_SIZE = 20
MAX_BATCH = 100
# Statuses from which a case can be dispatched (the batch form offers them).
DISPATCHABLE = (Status.REGISTERED, Status.REJECTED)
STAFF_ONLY = gettext_noop("工作台仅供工作人员使用。")


@dataclass(frozen=True)
class QueueRow:
    case: Case
    overdue: bool
    near_due: bool
    dispatchable: bool


def _row(case: Case, now) -> QueueRow:
    overdue, near_due = selectors.due_flags(case, now)
    return QueueRow(
        case=case, overdue=overdue, near_due=near_due, dispatchable=case.status in DISPATCHABLE
    )


@login_required
@require_GET
def queue(request):
    user = request.user
    require_staff(user, _(STAFF_ONLY))
    form = FilterForm(request.GET or None)
    filters = form.filters()
    scope = "all" if request.GET.get("scope") == "all" else "mine"
    if scope == "all":
        qs = selectors.case_search(user=user, filters=filters)
    else:
        qs = selectors.apply_filters(selectors.case_queue(user=user), filters)
    # Capped count and ids-first pages (selectors.CappedPaginator): no full
    # COUNT over the jurisdiction's cases (docs/decisions/0051).
    page = selectors.CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [_row(c, now) for c in page]
    query = request.GET.copy()
    query.pop("page", None)
    can_dispatch = any(r.dispatchable for r in rows) and user.department_id is None
    return render(
        request,
        "cases/queue.html",
        {
            "form": form,
            "scope": scope,
            "page": page,
            "rows": rows,
            "page_query": query.urlencode(),
            "categories": Category.objects.filter(parent=None, is_active=True).only("code", "name"),
            "statuses": Status.choices,
            "selected_statuses": form.data.getlist("status") if form.is_bound else [],
            "unit_choices": selectors.batch_unit_choices(user=user) if can_dispatch else [],
            "can_dispatch": can_dispatch,
        },
    )


@login_required
@require_POST
def batch_dispatch(request):
    """Dispatch the selected cases to one unit; one result line per case."""
    user = request.user
    require_staff(user, _(STAFF_ONLY))
    numbers = [n for n in dict.fromkeys(request.POST.getlist("numbers")) if n][:MAX_BATCH]
    value = request.POST.get("unit", "").strip()
    selectors.batch_unit_check(user=user, value=value)
    unit = unit_from_spec(parse_unit(value))
    found = {c.number: c for c in selectors.cases_for_user(user).filter(number__in=numbers)}
    cases = [found[n] for n in numbers if n in found]
    outcomes = services.case_dispatch_batch(
        cases=cases, actor=user, unit=unit, note=request.POST.get("note", "")
    )
    missing = [
        services.BatchOutcome(n, False, _("案件不存在或不在您的管辖范围内。"))
        for n in numbers
        if n not in found
    ]
    ctx = {"outcomes": outcomes + missing, "done": sum(o.ok for o in outcomes)}
    if request.headers.get("HX-Request"):
        return render(request, "cases/_batch_result.html", ctx)
    return render(request, "cases/batch_result.html", ctx)
