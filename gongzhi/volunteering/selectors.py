"""Reads of the volunteering app.

Volunteers see activities and wishes of the community they live in (their
account's node) and of everything above it down to that community — a
member registered at a community sees that community's; staff their subtree.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound
from gongzhi.insights.registry import Period
from gongzhi.party.models import ReportIn

from .models import Activity, MicroWish, PointsEntry, PointsRule, ServiceBrand, SignUp, Team


def visible_codes(user) -> list[str]:
    """Node codes whose subtree the user may see: their own node and the
    community they reported in at (an in-service member lives there)."""
    codes = [user.scope_code] if user.scope_code else []
    codes += list(
        ReportIn.objects.filter(member__user=user, status="confirmed").values_list(
            "community__code", flat=True
        )
    )
    return codes


def _in_codes(qs: QuerySet, field: str, codes: list[str]) -> QuerySet:
    from django.db.models import Q

    q = Q(pk__in=[])
    for code in codes:
        q |= Q(**{f"{field}__startswith": code})
    return qs.filter(q)


def activities_for_user(*, user) -> QuerySet[Activity]:
    return (
        _in_codes(Activity.objects.all(), "division__code", visible_codes(user))
        .select_related("division", "team__brand")
        .annotate(n_signed=Count("signups"))
        .order_by("-starts_at")
    )


def activity_get_for_user(*, user, pk: int) -> Activity:
    try:
        return activities_for_user(user=user).get(pk=pk)
    except Activity.DoesNotExist as exc:
        raise NotFound(_("活动不存在或不在您的范围内。")) from exc


def wishes_for_user(*, user) -> QuerySet[MicroWish]:
    return _in_codes(MicroWish.objects.all(), "division__code", visible_codes(user)).select_related(
        "division", "claimed_by"
    )


def wish_get_for_user(*, user, pk: int) -> MicroWish:
    try:
        return wishes_for_user(user=user).get(pk=pk)
    except MicroWish.DoesNotExist as exc:
        raise NotFound(_("微心愿不存在或不在您的范围内。")) from exc


def my_signups(*, user) -> QuerySet[SignUp]:
    return SignUp.objects.filter(user=user).select_related("activity").order_by("-created_at")


def points_balance(*, user) -> int:
    return PointsEntry.objects.filter(user=user).aggregate(n=Sum("points"))["n"] or 0


def brands_for_user(*, user) -> QuerySet[ServiceBrand]:
    return (
        _in_codes(ServiceBrand.objects.all(), "division__code", visible_codes(user))
        .select_related("division", "partner")
        .order_by("division__code", "name")
    )


def teams_for_user(*, user) -> QuerySet[Team]:
    return (
        _in_codes(Team.objects.all(), "division__code", visible_codes(user))
        .select_related("division", "brand")
        .order_by("division__code", "name")
    )


def team_get_for_user(*, user, pk: int) -> Team:
    try:
        return teams_for_user(user=user).get(pk=pk)
    except Team.DoesNotExist as exc:
        raise NotFound(_("志愿服务队不存在或不在您的范围内。")) from exc


def brand_get_for_user(*, user, pk: int) -> ServiceBrand:
    try:
        return brands_for_user(user=user).get(pk=pk)
    except ServiceBrand.DoesNotExist as exc:
        raise NotFound(_("服务品牌不存在或不在您的范围内。")) from exc


def points_rules() -> QuerySet[PointsRule]:
    """The rules are province-wide and not personal: everyone may read them."""
    return PointsRule.objects.order_by("event")


def points_ledger(*, user, limit: int = 50) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(user=user).order_by("-created_at")[:limit]


# What party's pages show of volunteering, registered with ``party.hooks`` by
# ``VolunteeringConfig.ready`` (party never imports volunteering: decision 0015).


def service_hours(*, user_ids: list[int], period: Period) -> dict[int, tuple[Decimal, int]]:
    """Per user: service hours and activities checked out within the period."""
    rows = (
        SignUp.objects.filter(period.range_q("checked_out_at"), user_id__in=user_ids)
        .values("user_id")
        .annotate(hours=Sum("hours"), n=Count("pk"))
        .order_by()
    )
    return {r["user_id"]: (r["hours"] or Decimal(0), r["n"]) for r in rows}


def overview_activities() -> tuple[QuerySet[Activity], str]:
    return Activity.objects.all(), "division__code"


def overview_wishes() -> tuple[QuerySet[MicroWish], str]:
    return MicroWish.objects.all(), "division__code"
