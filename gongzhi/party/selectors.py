"""Reads of the party app, scoped to the user's subtree (or to their own
records, for a member, or to their unit's members, for a unit liaison)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from gongzhi.cobuild.models import ResidentUnit
from gongzhi.cobuild.selectors import liaison_unit
from gongzhi.core.access import require_staff
from gongzhi.core.errors import NotFound
from gongzhi.insights.registry import Period
from gongzhi.org.models import Division

from . import hooks
from .constants import GRID_KINDS, ReportInStatus
from .models import (
    JointConference,
    JointMeeting,
    MeetingDecision,
    PartyMember,
    PartyOrganization,
    ReportIn,
)


def report_ins_for_staff(*, user, status: str | None = None) -> QuerySet[ReportIn]:
    require_staff(user)
    qs = ReportIn.objects.filter(community__code__startswith=user.scope_code).select_related(
        "member", "community", "grid", "building", "member__employer"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def report_in_get_for_staff(*, user, pk: int) -> ReportIn:
    """A registration in the user's subtree; another community's is not found."""
    try:
        return report_ins_for_staff(user=user).get(pk=pk)
    except ReportIn.DoesNotExist as exc:
        raise NotFound(_("报到记录不存在或不属于您管辖的社区。")) from exc


def report_in_of_member(*, user) -> ReportIn | None:
    return (
        ReportIn.objects.filter(member__user=user)
        .select_related("community", "grid", "building", "member__employer")
        .prefetch_related("tasks")
        .order_by("-created_at")
        .first()
    )


def year_hours(*, user_ids: list[int], period: Period) -> hooks.HoursByUser:
    """Per user: service hours and activities checked out within the period
    (volunteering's sign-ups, through ``party.hooks``)."""
    return hooks.service_hours(user_ids=user_ids, period=period)


@dataclass(frozen=True)
class MemberParticipation:
    member: PartyMember
    report_in: ReportIn | None
    hours: Decimal
    activities: int


def employer_participation(*, user, period: Period) -> list[MemberParticipation]:
    """The liaison's unit's own members only: where they reported, hours, activities."""
    unit = liaison_unit(user)
    members = list(PartyMember.objects.filter(employer=unit).order_by("name"))
    live = {
        r.member_id: r
        for r in ReportIn.objects.filter(
            member__in=members, status__in=[ReportInStatus.PENDING, ReportInStatus.CONFIRMED]
        ).select_related("community")
    }
    hours = year_hours(user_ids=[m.user_id for m in members if m.user_id], period=period)
    return [
        MemberParticipation(
            member=m,
            report_in=live.get(m.pk),
            hours=hours.get(m.user_id, (Decimal(0), 0))[0],
            activities=hours.get(m.user_id, (Decimal(0), 0))[1],
        )
        for m in members
    ]


def orgs_for_user(*, user) -> QuerySet[PartyOrganization]:
    require_staff(user)
    return (
        PartyOrganization.objects.filter(division__code__startswith=user.scope_code)
        .select_related("division", "building", "resident_unit")
        .annotate(n_seats=Count("seats"))
        .order_by("division__code", "kind")
    )


def org_get_for_user(*, user, pk: int) -> PartyOrganization:
    try:
        return orgs_for_user(user=user).prefetch_related("seats__resident_unit").get(pk=pk)
    except PartyOrganization.DoesNotExist as exc:
        raise NotFound(_("党组织不存在或不在您的管辖范围内。")) from exc


def conferences_for_user(*, user) -> QuerySet[JointConference]:
    require_staff(user)
    return JointConference.objects.filter(
        division__code__startswith=user.scope_code
    ).select_related("division")


def conference_get_for_user(*, user, pk: int) -> JointConference:
    try:
        return conferences_for_user(user=user).get(pk=pk)
    except JointConference.DoesNotExist as exc:
        raise NotFound(_("联席会议不存在或不在您的管辖范围内。")) from exc


def meeting_get_for_user(*, user, pk: int) -> JointMeeting:
    require_staff(user)
    try:
        return (
            JointMeeting.objects.filter(conference__division__code__startswith=user.scope_code)
            .select_related("conference__division")
            .prefetch_related("attendance", "decisions__follow_ups", "decisions__project")
            .get(pk=pk)
        )
    except JointMeeting.DoesNotExist as exc:
        raise NotFound(_("会议不存在或不在您的管辖范围内。")) from exc


def decision_get_for_user(*, user, pk: int) -> MeetingDecision:
    require_staff(user)
    try:
        return MeetingDecision.objects.select_related("meeting__conference__division").get(
            Q(meeting__conference__division__code__startswith=user.scope_code), pk=pk
        )
    except MeetingDecision.DoesNotExist as exc:
        raise NotFound(_("议定事项不存在或不在您的管辖范围内。")) from exc


def conference_meetings(*, conference: JointConference) -> QuerySet[JointMeeting]:
    return conference.meetings.annotate(n_decisions=Count("decisions")).order_by("-held_on")


@dataclass(frozen=True)
class OverviewRow:
    division: Division
    counts: dict[str, int]


OVERVIEW_METRICS = (
    "party_orgs",
    "grid_orgs",
    "conferences",
    "report_ins",
    "units",
    "pairings",
    "activities",
    "wishes",
)


def _grouped(qs: QuerySet, field: str, code: str, width: int) -> dict[str, int]:
    """Counts of ``qs`` rows under ``code``, grouped by the first ``width``
    characters of ``field`` (the child's code): one query per metric."""
    rows = (
        qs.filter(**{f"{field}__startswith": code})
        .annotate(prefix=Substr(field, 1, width))
        .values("prefix")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["prefix"]: r["n"] for r in rows}


def overview(*, user, division: Division) -> tuple[dict[str, int], list[OverviewRow]]:
    """Counts of the party, co-building and volunteering records in the node's
    subtree, in total and per child node (a fixed number of queries)."""
    from gongzhi.cobuild.models import Pairing

    require_staff(user)
    if not division.code.startswith(user.scope_code):
        raise NotFound(_("区划不存在或不在您的管辖范围内。"))
    children = list(Division.objects.filter(parent=division).order_by("code"))
    width = len(children[0].code) if children else len(division.code)
    code = division.code
    sources = {
        "party_orgs": (PartyOrganization.objects.all(), "division__code"),
        "grid_orgs": (PartyOrganization.objects.filter(kind__in=GRID_KINDS), "division__code"),
        "conferences": (JointConference.objects.all(), "division__code"),
        "report_ins": (
            ReportIn.objects.filter(status=ReportInStatus.CONFIRMED),
            "community__code",
        ),
        "units": (ResidentUnit.objects.all(), "division__code"),
        "pairings": (Pairing.objects.filter(ended_on__isnull=True), "division__code"),
    }
    # Volunteering's activities and wishes come through party.hooks.
    for metric in OVERVIEW_METRICS:
        if metric not in sources and (source := hooks.overview_count(metric)) is not None:
            sources[metric] = source
    per_metric = {
        k: _grouped(*sources[k], code, width) if k in sources else {} for k in OVERVIEW_METRICS
    }
    totals = {k: sum(v.values()) for k, v in per_metric.items()}
    rows = [
        OverviewRow(
            division=child,
            counts={k: per_metric[k].get(child.code, 0) for k in OVERVIEW_METRICS},
        )
        for child in children
    ]
    return totals, rows


def seat_get_for_user(*, user, pk: int):
    """A committee seat of an organisation in the user's subtree."""
    from .models import CommitteeSeat

    require_staff(user)
    seat = (
        CommitteeSeat.objects.select_related("organization__division")
        .filter(pk=pk, organization__division__code__startswith=user.scope_code)
        .first()
    )
    if seat is None:
        raise NotFound(_("委员不存在或不在您的管辖范围内。"))
    return seat


def case_categories():
    """Active leaf classes of the cases catalogue, for a decision opening a case."""
    from gongzhi.cases.models import Category

    return list(
        Category.objects.filter(is_active=True, children__isnull=True)
        .order_by("sort_order", "code")
        .values_list("code", "name")[:300]
    )
