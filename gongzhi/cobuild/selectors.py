"""Reads of the co-building app, scoped to the user's subtree or their unit."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from gongzhi.core.access import require_staff
from gongzhi.core.errors import NotFound, PermissionDenied

from .models import (
    LinkageActivity,
    Need,
    Pairing,
    Project,
    ResidentUnit,
    Resource,
    UnitAssessment,
    UnitContact,
)
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


def liaison_unit(user) -> ResidentUnit:
    """The resident unit whose liaison (联络员) the user is."""
    contact = getattr(user, "unit_contact", None) if user.pk else None
    if contact is None:
        raise PermissionDenied(_("您的账号未绑定驻区单位,无法查看单位党员情况。"))
    return contact.unit


def unit_get_for_user(*, user, pk: int) -> ResidentUnit:
    try:
        return units_for_user(user=user).get(pk=pk)
    except ResidentUnit.DoesNotExist as exc:
        raise NotFound(_("单位不存在或不在您的管辖范围内。")) from exc


def employer_choices(*, community_code: str, q: str = "", limit: int = 200) -> list[ResidentUnit]:
    """Units a member can pick as employer: located in or paired with the
    district (区/县) of their community; a name search (2+ characters)
    reaches any unit, for members who work elsewhere."""
    q = q.strip()
    if len(q) >= 2:
        return list(ResidentUnit.objects.filter(name__icontains=q).order_by("name")[:20])
    if len(community_code) < 6:
        return []
    district = community_code[:6]
    related = ResidentUnit.objects.filter(
        Q(division__code__startswith=district) | Q(pairings__division__code__startswith=district)
    )
    return list(ResidentUnit.objects.filter(pk__in=related.values("pk")).order_by("name")[:limit])


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


def match_suggestions_for(*, needs: list[Need], limit: int = 10) -> dict[int, list[Resource]]:
    """``match_suggestions`` for many needs in two queries (the list page):
    the pairings in force with their communities or streets, then the
    available resources of those units."""
    codes_of = {
        n.pk: [n.division.code, *[c for c in n.division.ancestor_codes if len(c) >= 9]]
        for n in needs
    }
    all_codes = {c for codes in codes_of.values() for c in codes}
    units_by_code: dict[str, set[int]] = {}
    # Pairings in force, exactly as need_match checks them (paired_q).
    for code, unit_id in Pairing.objects.filter(
        ended_on__isnull=True, division__code__in=all_codes
    ).values_list("division__code", "unit_id"):
        units_by_code.setdefault(code, set()).add(unit_id)
    unit_ids = set().union(*units_by_code.values()) if units_by_code else set()
    resources = list(
        Resource.objects.filter(unit_id__in=unit_ids, is_available=True)
        .select_related("unit")
        .order_by("-created_at")
    )
    out = {}
    for need in needs:
        units = set().union(*(units_by_code.get(c, set()) for c in codes_of[need.pk]))
        mine = [r for r in resources if r.unit_id in units]
        # Same category first, then newest (a stable sort keeps the date order).
        mine.sort(key=lambda r: r.category != need.category)
        out[need.pk] = mine[:limit]
    return out


def contact_get_for_user(*, user, pk: int) -> UnitContact:
    """A contact of a unit the user sees (their own unit, or one in scope)."""
    try:
        return UnitContact.objects.select_related("unit__division").get(
            pk=pk, unit__in=units_for_user(user=user)
        )
    except UnitContact.DoesNotExist as exc:
        raise NotFound(_("联系人不存在或不在您的管辖范围内。")) from exc


def pairing_get_for_user(*, user, pk: int) -> Pairing:
    try:
        return pairings_for_user(user=user).get(pk=pk)
    except Pairing.DoesNotExist as exc:
        raise NotFound(_("结对记录不存在或不在您的管辖范围内。")) from exc


def project_get_for_user(*, user, pk: int) -> Project:
    try:
        return projects_for_user(user=user).get(pk=pk)
    except Project.DoesNotExist as exc:
        raise NotFound(_("项目不存在或不在您的管辖范围内。")) from exc
