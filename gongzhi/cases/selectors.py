"""Reads of cases, always scoped to the user.

A case outside the user's reach is reported as not found, exactly as one
that does not exist. Staff see their jurisdiction's subtree
(``division_path LIKE 'scope%'``); residents see the cases they reported or
follow. List querysets carry their ``select_related`` so a page of any size
costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.constants import OFFICER_ROLES, Role
from gongzhi.core.errors import DomainError, NotFound

from . import workflow
from .constants import CLOCK_STATUSES, OPEN_STATUSES, UnitType
from .models import Case, CaseEvent
from .services.base import check_party

LIST_RELATED = ("category", "grid", "unit_division", "unit_department", "unit_owner")
DIVISION_UNIT_TYPES = (
    UnitType.GRID,
    UnitType.COMMUNITY,
    UnitType.STREET,
    UnitType.COUNTY,
    UnitType.CITY,
)


def path_q(prefix: str) -> Q:
    """Cases in the subtree of ``prefix``: a range on the indexed division
    path (codes are digits, ":" sorts after "9"). ``__startswith`` becomes
    ``LIKE … ESCAPE`` on SQLite, which cannot use the index (a full scan at
    1,000,000 cases, bench/bench_cases.py)."""
    return Q(division_path__gte=prefix, division_path__lt=prefix + ":")


def cases_for_user(user) -> QuerySet[Case]:
    qs = Case.objects.select_related(*LIST_RELATED)
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_staff_member and user.scope_code:
        scoped = path_q(user.scope_code)
        if user.department_id:
            # A county department also acts on cases assigned or summoned to it.
            scoped |= Q(unit_department_id=user.department_id)
            scoped |= Q(summonses__department_id=user.department_id)
        return qs.filter(scoped).distinct() if user.department_id else qs.filter(scoped)
    return qs.filter(Q(reporter=user) | Q(reporters__user=user)).distinct()


def case_get_for_user(*, user, number: str) -> Case:
    case = (
        cases_for_user(user).select_related("dispatcher_division", "master").filter(number=number)
    )
    found = case.first()
    if found is None:
        raise NotFound(_("案件不存在或不在您的管辖范围内。"))
    return found


def case_queue(*, user) -> QuerySet[Case]:
    """The open cases waiting for this user's attention, by role."""
    roles = user.role_set
    base = cases_for_user(user).filter(status__in=OPEN_STATUSES)
    if not user.is_staff_member:
        return base.none()
    if roles & OFFICER_ROLES:
        q = Q(division_path__startswith=user.scope_code)
    elif Role.STREET_STAFF in roles or Role.DEPARTMENT_STAFF in roles:
        q = Q(handled_by=user)
        if user.department_id:
            q |= Q(unit_department_id=user.department_id)
            q |= Q(summonses__department_id=user.department_id, summonses__reported_at=None)
        else:
            q |= Q(unit_division_id=user.division_id, unit_type__in=DIVISION_UNIT_TYPES)
            q |= Q(
                division_path__startswith=user.scope_code,
                status__in=["submitted", "registered", "rejected", "handled", "verified"],
            )
    else:  # grid member: my grid; community worker: my community
        q = Q(division_path__startswith=user.scope_code)
    return base.filter(q).distinct().order_by("-priority", "handle_due", "id")


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: list[str] | None = None
    category: str = ""
    urgency: str = ""
    division: str = ""
    channel: str = ""
    overdue: bool | None = None
    near_due: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def case_search(*, user, filters: CaseFilters) -> QuerySet[Case]:
    return apply_filters(cases_for_user(user), filters).order_by("-created_at", "-id")


def apply_filters(qs: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    """Narrow an already scoped queryset (a search or a work queue)."""
    f = filters
    if f.q:
        qs = qs.filter(Q(number=f.q) | Q(title__icontains=f.q) | Q(address__icontains=f.q))
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.category:
        qs = qs.filter(category__code__startswith=f.category)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.division:
        qs = qs.filter(path_q(f.division))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.overdue is True:
        qs = qs.filter(status__in=CLOCK_STATUSES, handle_due__lt=timezone.now())
    if f.near_due is True:
        # Near-due is what the sweep recorded (>= 80 % of the working-hour
        # limit, docs/decisions/0005), so the filter needs no clock per row.
        qs = qs.filter(
            status__in=CLOCK_STATUSES, handle_due__gte=timezone.now(), warned_at__isnull=False
        )
    if f.created_from:
        qs = qs.filter(created_at__gte=f.created_from)
    if f.created_to:
        qs = qs.filter(created_at__lt=f.created_to)
    return qs


def case_timeline(*, case: Case, public_only: bool) -> QuerySet[CaseEvent]:
    qs = case.events.select_related("actor", "actor_division", "actor_department")
    return qs.filter(public=True) if public_only else qs


def actions_for_user(*, case: Case, user) -> list[str]:
    """The actions this user may take on this case now (for the UI/API)."""
    out = []
    for action in workflow.allowed_actions(case.status):
        transition = workflow.TRANSITIONS[(case.status, action)]
        try:
            check_party(case, transition, user)
        except DomainError:
            continue
        out.append(action)
    return out


@dataclass(frozen=True)
class UnitChoice:
    value: str  # "division:<code>", "department:<pk>" or "owner:<pk>" (see cases.forms)
    label: str
    group: str


def unit_choices(*, path: str) -> list[UnitChoice]:
    """Units that may be made responsible for a case at ``path``: its grid,
    community and street, the street's and county's departments, and the
    non-government owners serving an ancestor of the case's node."""
    from gongzhi.org.models import Department, Division

    from .models import ExternalOwner

    # The case's own node (grid or community), its community and its street.
    codes = {path[:n] for n in (15, 12, 9) if len(path) >= n}
    out: list[UnitChoice] = []
    for node in Division.objects.filter(code__in=codes).order_by("-code"):
        out.append(UnitChoice(f"division:{node.code}", node.name, _("属地")))
    prefixes = [path[:n] for n in (9, 6) if len(path) >= n]
    departments = Department.objects.filter(division__code__in=prefixes).select_related("division")
    for dept in departments:
        out.append(
            UnitChoice(f"department:{dept.pk}", f"{dept.division.name}{dept.name}", _("部门"))
        )
    owner_codes = [path[:n] for n in (15, 12, 9, 6, 4, 2) if len(path) >= n]
    owners = ExternalOwner.objects.filter(is_active=True, division__code__in=owner_codes)
    for owner in owners:
        out.append(UnitChoice(f"owner:{owner.pk}", owner.name, _("非政府责任主体")))
    return out


def whistle_departments(*, path: str):
    """Departments a street or community may summon onto a case at ``path``:
    those of the case's street and county (what ``case_whistle`` accepts)."""
    from gongzhi.org.models import Department

    prefixes = [path[:n] for n in (9, 6) if len(path) >= n]
    return Department.objects.filter(division__code__in=prefixes).select_related("division")
