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
from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.constants import OFFICER_ROLES, Role
from gongzhi.core.errors import DomainError, NotFound, ValidationFailed

from . import workflow
from .constants import CLOCK_STATUSES, OPEN_STATUSES, Channel, UnitType
from .models import Case, CaseEvent, CaseReporter, Category, RoutingRule, WhistleSummons
from .services.base import check_party

# Lists count matching cases up to this many and then say "1000+": an exact
# COUNT over a street's ~33,000 cases costs more than the page itself
# (docs/decisions/0051).
COUNT_CAP = 1000
LIST_ORDER = ("-created_at", "-id")
# unit_of() labels a department or owner unit with its division's name: those
# divisions come along too (else one query per row of a page).
LIST_RELATED = (
    "category",
    "grid",
    "unit_division",
    "unit_department__division",
    "unit_owner__division",
)
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


def scope_q(user) -> Q | None:
    """The cases ``user`` may see, as one condition without joins: staff
    their subtree (a county department also the cases assigned or summoned
    to it), residents the cases they reported or follow. Followed and
    summoned cases are ``id IN (subquery)``, so no row repeats and no
    DISTINCT is needed. None: nothing."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_staff_member and user.scope_code:
        scoped = path_q(user.scope_code)
        if user.department_id:
            # A county department also acts on cases assigned or summoned to it.
            summoned = WhistleSummons.objects.filter(department_id=user.department_id)
            scoped |= Q(unit_department_id=user.department_id)
            scoped |= Q(pk__in=summoned.values("case_id"))
        return scoped
    followed = CaseReporter.objects.filter(user_id=user.pk).values("case_id")
    return Q(reporter_id=user.pk) | Q(pk__in=followed)


def cases_for_user(user) -> QuerySet[Case]:
    qs = Case.objects.select_related(*LIST_RELATED)
    scoped = scope_q(user)
    return qs.none() if scoped is None else qs.filter(scoped)


# What a case's detail (API and pages) reads besides the row: the category,
# the unit (unit_of) and the grid (the page's map). Unordered: ``number`` is
# unique, and an ORDER BY costs more to compile than the whole lookup.
DETAIL_RELATED = LIST_RELATED


def case_get_for_user(*, user, number: str, related: tuple[str, ...] = DETAIL_RELATED) -> Case:
    """The case ``number`` if ``user`` may see it, else NotFound (the same
    answer as for a number that does not exist). ``related``: the relations
    joined in (the API detail does without the grid and its geometry)."""
    scoped = scope_q(user)
    found = None
    if scoped is not None:
        qs = Case.objects.select_related(*related).filter(scoped, number=number).order_by()
        found = next(iter(qs[:1]), None)
    if found is None:
        raise NotFound(_("案件不存在或不在您的管辖范围内。"))
    return found


def case_ensure_visible(*, user, case: Case) -> Case:
    """``case`` (already in hand, e.g. just written) if ``user`` may see it,
    else NotFound, as ``case_get_for_user`` would answer: one EXISTS on the
    scope instead of reading the row again."""
    scoped = scope_q(user)
    if scoped is None or not Case.objects.filter(scoped, pk=case.pk).exists():
        raise NotFound(_("案件不存在或不在您的管辖范围内。"))
    return case


def case_queue(*, user) -> QuerySet[Case]:
    """The open cases waiting for this user's attention, by role."""
    roles = user.role_set
    base = cases_for_user(user).filter(status__in=OPEN_STATUSES)
    if not user.is_staff_member:
        return base.none()
    if roles & OFFICER_ROLES:
        q = path_q(user.scope_code)
    elif Role.STREET_STAFF in roles or Role.DEPARTMENT_STAFF in roles:
        q = Q(handled_by=user)
        if user.department_id:
            q |= Q(unit_department_id=user.department_id)
            waiting = WhistleSummons.objects.filter(
                department_id=user.department_id, reported_at=None
            )
            q |= Q(pk__in=waiting.values("case_id"))
        else:
            q |= Q(unit_division_id=user.division_id, unit_type__in=DIVISION_UNIT_TYPES)
            q |= path_q(user.scope_code) & Q(
                status__in=["submitted", "registered", "rejected", "handled", "verified"]
            )
    else:  # grid member: my grid; community worker: my community
        q = path_q(user.scope_code)
    # Summoned cases are an ``id IN (subquery)``: no join, no repeated row,
    # no DISTINCT.
    return base.filter(q).order_by("-priority", "handle_due", "id")


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
    return apply_filters(cases_for_user(user), filters).order_by(*LIST_ORDER)


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> int:
    """How many rows ``qs`` has, counting no further than ``cap + 1``:
    ``SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1)``. A result above
    ``cap`` means "more than cap" (shown as "1000+")."""
    return qs.order_by().values("pk")[: cap + 1].count()


def fetch_rows(
    qs: QuerySet[Case], start: int, stop: int, related: tuple[str, ...] = LIST_RELATED
) -> list[Case]:
    """Rows ``start:stop`` of an ordered case list: first the page's ids —
    ``SELECT id … ORDER BY … LIMIT n``, answered from the covering list index
    alone, so no table row is read for the cases skipped or sorted away —
    then only those rows with their related objects (``related``), put back
    in the ids' order here. The second query has no ORDER BY: ordering a
    select of every joined column costs more CPU to compile (Django
    matches each ORDER BY term against each selected column) than both
    queries take to run (bench/load)."""
    ids = list(qs.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    rows = {c.pk: c for c in Case.objects.select_related(*related).filter(pk__in=ids).order_by()}
    return [rows[pk] for pk in ids if pk in rows]


@dataclass(frozen=True)
class CaseListPage:
    items: list[Case]
    total: int  # exact up to COUNT_CAP; COUNT_CAP + 1 means "more"
    total_capped: bool
    next_before: int | None  # cursor for the next page (id of the last item)


def case_list_page(
    *,
    user,
    filters: CaseFilters,
    page_size: int,
    page: int = 1,
    before: int | None = None,
    related: tuple[str, ...] = LIST_RELATED,
) -> CaseListPage:
    """One page of the user's cases, newest first, for the JSON API.

    ``before`` (the id of the last case seen) continues after that case by
    keyset — the cost does not grow with depth; ``page`` numbers still work
    (offset) for clients that use them. Either way a fixed number of queries:
    the cursor row (if any), the capped count, the ids, the rows (with
    ``related``)."""
    qs = case_search(user=user, filters=filters)
    counted = qs
    if before is not None:
        anchor = cases_for_user(user).filter(pk=before).values_list("created_at", flat=True)
        created = anchor.first()
        if created is None:
            raise NotFound(_("分页游标无效。"))
        qs = qs.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=before))
        start = 0
    else:
        start = (page - 1) * page_size
    rows = fetch_rows(qs, start, start + page_size + 1, related)
    items = rows[:page_size]
    total = capped_count(counted)
    return CaseListPage(
        items=items,
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
        next_before=items[-1].pk if len(rows) > page_size else None,
    )


class CappedPage(Page):
    def has_next(self) -> bool:
        return self.more


class CappedPaginator(Paginator):
    """A Paginator for the staff pages that never runs a full COUNT: the
    count stops at COUNT_CAP (``count_label`` gives "1000+" beyond it) and
    past the cap any page number is accepted, an empty page ending the list.
    Each page is read with ``fetch_rows`` (ids from the index, then rows)."""

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.count)

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(_("页码不正确。")) from exc
        if number < 1:
            raise EmptyPage(_("页码不正确。"))
        return number

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = fetch_rows(self.object_list, start, start + self.per_page + 1)
        page = CappedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page


def apply_filters(qs: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    """Narrow an already scoped queryset (a search or a work queue)."""
    f = filters
    if f.q:
        qs = qs.filter(Q(number=f.q) | Q(title__icontains=f.q) | Q(address__icontains=f.q))
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.category:
        # Ids of the category subtree (a small table, one uncorrelated
        # subquery), so the list index can check category_id without a join.
        codes = Category.objects.filter(code__startswith=f.category).values("pk")
        qs = qs.filter(category_id__in=codes)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.division:
        qs = qs.filter(path_q(f.division))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.overdue is True:
        qs = qs.filter(status__in=CLOCK_STATUSES, handle_due__lt=timezone.now())
    if f.near_due is True:
        # From the near-due moment stored with the deadline (80 % of the
        # working-hour limit, docs/decisions/0005): exact, whether or not the
        # sweep has run, and no clock per row.
        now = timezone.now()
        qs = qs.filter(status__in=CLOCK_STATUSES, warn_at__lte=now, handle_due__gte=now)
    if f.created_from:
        qs = qs.filter(created_at__gte=f.created_from)
    if f.created_to:
        qs = qs.filter(created_at__lt=f.created_to)
    return qs


def due_flags(case: Case, now: datetime) -> tuple[bool, bool]:
    """(overdue, near due) of a list row from stored fields, as
    ``apply_filters`` selects them: overdue past ``handle_due`` while the
    clock runs, near due from ``warn_at`` until then. No calendar look-up
    per row; a case page's exact clock (deadlines.clock) agrees."""
    running = case.status in CLOCK_STATUSES and case.handle_due is not None
    overdue = running and case.handle_due < now
    near = running and not overdue and case.warn_at is not None and case.warn_at <= now
    return overdue, near


def case_timeline(*, case: Case, public_only: bool) -> QuerySet[CaseEvent]:
    qs = case.events.select_related("actor", "actor_division", "actor_department")
    return qs.filter(public=True) if public_only else qs


# Channels on which staff open the case themselves (未诉先办, a joint
# meeting's decision): the person who filed it is not a reporter.
STAFF_OPENED_CHANNELS = frozenset({Channel.PROACTIVE, Channel.INTERNAL})


@dataclass(frozen=True)
class LinkedCase:
    """A case linked by a merge (the master, or a duplicate merged into it)."""

    number: str
    channel_label: str
    created_at: datetime
    visible: bool  # the user may open it; otherwise only the number is shown


@dataclass(frozen=True)
class MergeView:
    master: LinkedCase | None
    duplicates: list[LinkedCase]
    reporter_count: int  # 反映人数


def _linked(cases: list[Case], user) -> list[LinkedCase]:
    if not cases:
        return []
    visible = set(
        cases_for_user(user).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True)
    )
    return [
        LinkedCase(c.number, str(c.get_channel_display()), c.created_at, c.pk in visible)
        for c in cases
    ]


def case_merge_view(*, case: Case, user) -> MergeView:
    """What a case page shows of merges: the master it was merged into, the
    duplicates merged into it, and how many people reported the problem —
    its own reporter (none when staff opened it themselves), everyone
    following it (me-too, reporters of merged duplicates) and each anonymous
    duplicate (a report without a name adds no follower row)."""
    duplicates = list(case.duplicates.order_by("created_at", "id"))
    return MergeView(
        master=_linked([case.master], user)[0] if case.master_id else None,
        duplicates=_linked(duplicates, user),
        reporter_count=case_reporter_count(case, duplicates),
    )


def case_reporter_count(case: Case, duplicates: list[Case] | None = None) -> int:
    """反映人数: the case's own reporter (none when staff opened it
    themselves), everyone following it (me-too, reporters of merged
    duplicates) and each anonymous merged duplicate."""
    if duplicates is None:
        duplicates = list(case.duplicates.only("reporter_id", "reporter_name", "reporter_phone"))
    own = 0 if case.channel in STAFF_OPENED_CHANNELS else 1
    anonymous = sum(
        1 for d in duplicates if not (d.reporter_id or d.reporter_name or d.reporter_phone)
    )
    return own + case.reporters.count() + anonymous


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


def batch_unit_choices(*, user) -> list[UnitChoice]:
    """Units a staff member may batch-dispatch to: those of their own node
    (``unit_choices``) and every grid of their subtree — a street or
    community dispatches many small cases straight to its grid workers.
    Never a grid outside the subtree."""
    from gongzhi.org.constants import CODE_LENGTH, Level
    from gongzhi.org.models import Division

    scope = user.scope_code
    out = unit_choices(path=scope)
    offered = {c.value for c in out}
    grids = (
        Division.objects.filter(code__gt=scope, code__lt=scope + ":", level=Level.GRID)
        .select_related("parent")
        .only("code", "name", "parent__name")
        .order_by("code")
    )
    # Above a community, grid names repeat (第一网格 …): say whose.
    whose = len(scope) < CODE_LENGTH[Level.COMMUNITY]
    for grid in grids:
        if f"division:{grid.code}" not in offered:
            label = f"{grid.parent.name}{grid.name}" if whose and grid.parent else grid.name
            out.append(UnitChoice(f"division:{grid.code}", label, _("网格")))
    return out


def batch_unit_check(*, user, value: str) -> None:
    """Refuse a posted unit that ``batch_unit_choices`` does not offer the
    user (another jurisdiction's grid, a made-up id), with the same answer
    as for a unit that does not exist: nothing is dispatched."""
    if value and value not in {c.value for c in batch_unit_choices(user=user)}:
        raise ValidationFailed(_("责任单位不存在或不在您的管辖范围内。"), code="unit_outside_scope")


def whistle_departments(*, path: str):
    """Departments a street or community may summon onto a case at ``path``:
    those of the case's street and county (what ``case_whistle`` accepts)."""
    from gongzhi.org.models import Department

    prefixes = [path[:n] for n in (9, 6) if len(path) >= n]
    return Department.objects.filter(division__code__in=prefixes).select_related("division")


# --- the catalogue and routing rules (officers' admin pages and API) -------------


def categories_for_admin(*, q: str = "", parent: str = "") -> QuerySet[Category]:
    """Every category (inactive ones too), filtered by a text or a parent code."""
    qs = Category.objects.select_related("parent").order_by("code")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if parent:
        qs = qs.filter(parent__code=parent)
    return qs


def category_get(*, pk: int) -> Category:
    try:
        return Category.objects.select_related("parent").get(pk=pk)
    except Category.DoesNotExist as exc:
        raise NotFound(_("事项分类不存在。")) from exc


def routing_rules_for_user(*, user) -> QuerySet[RoutingRule]:
    """The rules of the officer's subtree (territory prefix inside it)."""
    scope = getattr(user, "scope_code", None)
    if not scope:
        return RoutingRule.objects.none()
    return (
        RoutingRule.objects.select_related("category", "owner__division")
        .filter(territory_prefix__startswith=scope)
        .order_by("territory_prefix", "priority", "pk")
    )


def routing_rule_get_for_user(*, user, pk: int) -> RoutingRule:
    try:
        return routing_rules_for_user(user=user).get(pk=pk)
    except RoutingRule.DoesNotExist as exc:
        raise NotFound(_("派遣规则不存在或不在您的管辖范围内。")) from exc
