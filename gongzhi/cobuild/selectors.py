"""Reads of the co-building app, scoped to the user's subtree or their unit."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound
from gongzhi.party.access import require_staff

from .models import LinkageActivity, Need, Pairing, Project, ResidentUnit, Resource, UnitAssessment
from .services import paired_q


def units_for_user(*, user) -> QuerySet[ResidentUnit]:
    contact = getattr(user, "unit_contact", None)
    if contact is not None:
        return ResidentUnit.objects.filter(pk=contact.unit_id).select_related("division")
    require_staff(user)
    scope = user.scope_code
    related = ResidentUnit.objects.filter(
        Q(division__code__startswith=scope) | Q(pairings__division__code__startswith=scope)
    )
    return (
        ResidentUnit.objects.filter(pk__in=related.values("pk"))
        .select_related("division")
        .order_by("name")
    )


def unit_get_for_user(*, user, pk: int) -> ResidentUnit:
    try:
        return units_for_user(user=user).get(pk=pk)
    except ResidentUnit.DoesNotExist as exc:
        raise NotFound(_("单位不存在或不在您的管辖范围内。")) from exc


def needs_for_user(*, user) -> QuerySet[Need]:
    require_staff(user)
    return Need.objects.filter(division__code__startswith=user.scope_code).select_related(
        "division", "resource__unit"
    )


def need_get_for_user(*, user, pk: int) -> Need:
    try:
        return needs_for_user(user=user).get(pk=pk)
    except Need.DoesNotExist as exc:
        raise NotFound(_("需求不存在或不在您的管辖范围内。")) from exc


def resources_for_user(*, user) -> QuerySet[Resource]:
    return Resource.objects.filter(unit__in=units_for_user(user=user)).select_related("unit")


def resource_get(*, pk: int) -> Resource:
    """Any resource by id: matching checks the pairing, so an unpaired unit's
    resource is refused with a clear message rather than hidden."""
    try:
        return Resource.objects.select_related("unit").get(pk=pk)
    except Resource.DoesNotExist as exc:
        raise NotFound(_("资源不存在。")) from exc


def match_suggestions(*, need: Need, limit: int = 10) -> list[Resource]:
    """Available resources of units paired with the need's community or its
    street; same category first, then newest."""
    units = ResidentUnit.objects.filter(paired_q(need.division))
    return list(
        Resource.objects.filter(unit__in=units, is_available=True)
        .select_related("unit")
        .annotate(
            same=Case(
                When(category=need.category, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("same", "-created_at")[:limit]
    )


def projects_for_user(*, user) -> QuerySet[Project]:
    require_staff(user)
    return Project.objects.filter(division__code__startswith=user.scope_code).select_related(
        "unit", "division"
    )


def activities_for_user(*, user) -> QuerySet[LinkageActivity]:
    require_staff(user)
    return LinkageActivity.objects.filter(
        division__code__startswith=user.scope_code
    ).select_related("unit", "division")


def pairings_for_user(*, user) -> QuerySet[Pairing]:
    """Pairings with a street or community in the user's subtree."""
    require_staff(user)
    return (
        Pairing.objects.filter(division__code__startswith=user.scope_code)
        .select_related("unit", "division")
        .order_by("division__code", "-started_on")
    )


def assessments_for_user(*, user) -> QuerySet[UnitAssessment]:
    """Assessments made by communities in the user's subtree; a liaison sees
    those of their own unit."""
    contact = getattr(user, "unit_contact", None)
    if contact is not None:
        qs = UnitAssessment.objects.filter(unit_id=contact.unit_id)
    else:
        require_staff(user)
        qs = UnitAssessment.objects.filter(community__code__startswith=user.scope_code)
    return qs.select_related("unit", "community").order_by("-year", "community__code")
