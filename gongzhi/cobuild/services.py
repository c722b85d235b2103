"""Writes of the co-building app. Keyword-only, atomic; needs are locked when matched."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.access import require_staff_over
from gongzhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from gongzhi.core.personal import clean_mobile
from gongzhi.org.constants import Level
from gongzhi.org.models import Division

from .constants import Category, Grade, Linkage, NeedStatus, ProjectStatus, UnitKind
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


def paired_q(division: Division, on: dt.date | None = None) -> Q:
    """Pairings in force with the community or with its street."""
    codes = [division.code, *[c for c in division.ancestor_codes if len(c) >= 9]]
    q = Q(pairings__division__code__in=codes, pairings__ended_on__isnull=True)
    if on is not None:
        q |= Q(pairings__division__code__in=codes, pairings__ended_on__gte=on)
    return q


def _require_unit_actor(actor: User, unit: ResidentUnit) -> None:
    """The unit's own liaison, or staff over the unit's location."""
    contact = getattr(actor, "unit_contact", None)
    if contact is not None and contact.unit_id == unit.pk:
        return
    if actor.scope_code and unit.division.code.startswith(actor.scope_code):
        require_staff_over(actor, unit.division.code)
        return
    raise PermissionDenied(_("您只能维护本单位的信息。"))


def unit_create(
    *, actor: User, division: Division, name: str, kind: str, address: str = ""
) -> ResidentUnit:
    """Kept for callers of the first version; see ``unit_register``."""
    return unit_register(actor=actor, division=division, name=name, kind=kind, address=address)


@transaction.atomic
def contact_add(
    *, actor: User, unit: ResidentUnit, name: str, phone: str = "", title: str = "", user=None
) -> UnitContact:
    require_staff_over(actor, unit.division.code)
    if not name.strip():
        raise ValidationFailed(_("请填写联系人姓名。"))
    return UnitContact.objects.create(
        unit=unit, name=name.strip(), phone=clean_mobile(phone), title=title.strip(), user=user
    )


@transaction.atomic
def pairing_create(
    *, actor: User, unit: ResidentUnit, division: Division, started_on: dt.date
) -> Pairing:
    require_staff_over(actor, division.code)
    if division.level not in (Level.STREET, Level.COMMUNITY):
        raise ValidationFailed(_("结对共建的对象须是街道或社区。"))
    if Pairing.objects.filter(unit=unit, division=division).exists():
        raise Conflict(_("该单位已与%(name)s结对。") % {"name": division.name}, code="duplicate")
    return Pairing.objects.create(unit=unit, division=division, started_on=started_on)


@transaction.atomic
def resource_add(
    *, actor: User, unit: ResidentUnit, title: str, category: str, description: str = ""
) -> Resource:
    _require_unit_actor(actor, unit)
    if category not in Category.values:
        raise ValidationFailed(_("资源类别不正确。"))
    if not title.strip():
        raise ValidationFailed(_("请填写资源名称。"))
    return Resource.objects.create(
        unit=unit, title=title.strip(), category=category, description=description
    )


@transaction.atomic
def need_raise(
    *, actor: User, community: Division, title: str, category: str, description: str = ""
) -> Need:
    require_staff_over(actor, community.code)
    if community.level != Level.COMMUNITY:
        raise ValidationFailed(_("需求须由社区提出。"))
    if category not in Category.values:
        raise ValidationFailed(_("需求类别不正确。"))
    return Need.objects.create(
        division=community,
        title=title.strip(),
        category=category,
        description=description,
        created_by=actor,
    )


@transaction.atomic
def need_match(*, actor: User, need: Need, resource: Resource) -> Need:
    """Match a need to a resource of a unit paired with the community (or its street)."""
    need = Need.objects.select_for_update().select_related("division").get(pk=need.pk)
    require_staff_over(actor, need.division.code)
    if need.status != NeedStatus.OPEN:
        raise Conflict(_("该需求已对接,不能重复对接。"), code="need_not_open")
    resource = Resource.objects.select_related("unit").get(pk=resource.pk)
    paired = ResidentUnit.objects.filter(paired_q(need.division), pk=resource.unit_id).exists()
    if not paired:
        raise ValidationFailed(
            _("“%(unit)s”未与本社区或所在街道结对共建,不能对接其资源。")
            % {"unit": resource.unit.name},
            code="unit_not_paired",
        )
    if not resource.is_available:
        raise ValidationFailed(_("该资源目前不可提供。"), code="resource_unavailable")
    need.resource = resource
    need.status = NeedStatus.MATCHED
    need.save(update_fields=["resource", "status", "updated_at"])
    return need


@transaction.atomic
def project_create(
    *,
    actor: User,
    division: Division,
    title: str,
    linkage: str,
    unit: ResidentUnit | None = None,
    need: Need | None = None,
    description: str = "",
) -> Project:
    require_staff_over(actor, division.code)
    if linkage not in Linkage.values:
        raise ValidationFailed(_("联动类别不正确。"))
    if not title.strip():
        raise ValidationFailed(_("请填写项目名称。"))
    if division.level not in (Level.STREET, Level.COMMUNITY):
        raise ValidationFailed(_("共建项目须由街道或社区商定。"), code="wrong_level")
    if need is not None and need.division_id != division.pk:
        raise ValidationFailed(_("所选需求不属于该社区。"), code="need_elsewhere")
    return Project.objects.create(
        division=division,
        title=title.strip(),
        linkage=linkage,
        unit=unit,
        need=need,
        description=description,
    )


@transaction.atomic
def linkage_activity_record(
    *,
    actor: User,
    division: Division,
    linkage: str,
    title: str,
    held_on: dt.date,
    participants: int = 0,
    unit: ResidentUnit | None = None,
    summary: str = "",
) -> LinkageActivity:
    require_staff_over(actor, division.code)
    if linkage not in Linkage.values:
        raise ValidationFailed(_("联动类别不正确。"))
    return LinkageActivity.objects.create(
        division=division,
        linkage=linkage,
        title=title.strip(),
        held_on=held_on,
        participants=participants,
        unit=unit,
        summary=summary,
    )


@transaction.atomic
def unit_assess(
    *,
    actor: User,
    unit: ResidentUnit,
    community: Division,
    year: int,
    grade: str,
    comment: str = "",
) -> UnitAssessment:
    """The community party organisation assesses a unit paired with it or located in it."""
    require_staff_over(actor, community.code)
    if community.level != Level.COMMUNITY:
        raise ValidationFailed(_("评价须由社区党组织作出,请选择社区。"), code="not_a_community")
    if grade not in Grade.values:
        raise ValidationFailed(_("评价等次不正确。"), code="bad_grade")
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("年度不正确。"), code="bad_year")
    in_place = unit.division.code.startswith(community.code)
    if not in_place and not ResidentUnit.objects.filter(paired_q(community), pk=unit.pk).exists():
        raise ValidationFailed(_("只能评价驻本社区或与本社区结对的单位。"), code="unit_not_related")
    if UnitAssessment.objects.filter(unit=unit, community=community, year=year).exists():
        raise Conflict(_("该单位本年度已评价。"), code="duplicate")
    return UnitAssessment.objects.create(
        unit=unit, community=community, year=year, grade=grade, comment=comment, assessed_by=actor
    )


# --- Units and contacts: edit, remove; pairings and projects: end, status ----


def _unit_fields(*, name: str, kind: str, address: str, party_members) -> dict:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写单位名称。"), code="missing_name")
    if len(name) > 100:
        raise ValidationFailed(_("单位名称不能超过100个字。"), code="name_too_long")
    if kind not in UnitKind.values:
        raise ValidationFailed(_("请选择正确的单位类型。"), code="bad_kind")
    address = (address or "").strip()
    if len(address) > 200:
        raise ValidationFailed(_("地址不能超过200个字。"), code="address_too_long")
    try:
        members = int(party_members or 0)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("党员人数须为整数。"), code="bad_members") from exc
    if members < 0:
        raise ValidationFailed(_("党员人数不能小于0。"), code="bad_members")
    return {"name": name, "kind": kind, "address": address, "party_members": members}


@transaction.atomic
def unit_register(
    *,
    actor: User,
    division: Division,
    name: str,
    kind: str,
    address: str = "",
    party_members: int | str = 0,
) -> ResidentUnit:
    """A street or community worker registers a unit located in their subtree."""
    require_staff_over(actor, division.code)
    if division.level not in (Level.COUNTY, Level.STREET, Level.COMMUNITY, Level.GRID):
        raise ValidationFailed(_("驻区单位须位于区、街道、社区或网格内。"), code="wrong_level")
    fields = _unit_fields(name=name, kind=kind, address=address, party_members=party_members)
    if ResidentUnit.objects.filter(division=division, name=fields["name"]).exists():
        raise Conflict(_("该区划内已有同名单位。"), code="duplicate")
    return ResidentUnit.objects.create(division=division, **fields)


@transaction.atomic
def unit_update(
    *,
    actor: User,
    unit: ResidentUnit,
    name: str,
    kind: str,
    address: str = "",
    party_members: int | str = 0,
) -> ResidentUnit:
    """Staff over the unit's location, or the unit's own liaison, edit it."""
    unit = ResidentUnit.objects.select_for_update().select_related("division").get(pk=unit.pk)
    _require_unit_actor(actor, unit)
    fields = _unit_fields(name=name, kind=kind, address=address, party_members=party_members)
    if (
        ResidentUnit.objects.filter(division_id=unit.division_id, name=fields["name"])
        .exclude(pk=unit.pk)
        .exists()
    ):
        raise Conflict(_("该区划内已有同名单位。"), code="duplicate")
    for key, value in fields.items():
        setattr(unit, key, value)
    unit.save(update_fields=[*fields, "updated_at"])
    return unit


def _contact_fields(*, name: str, phone: str, title: str) -> dict:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写联系人姓名。"), code="missing_name")
    if len(name) > 32:
        raise ValidationFailed(_("联系人姓名不能超过32个字。"), code="name_too_long")
    title = (title or "").strip()
    if len(title) > 32:
        raise ValidationFailed(_("职务不能超过32个字。"), code="title_too_long")
    return {"name": name, "phone": clean_mobile(phone), "title": title}


@transaction.atomic
def contact_create(
    *, actor: User, unit: ResidentUnit, name: str, phone: str = "", title: str = ""
) -> UnitContact:
    """A contact without an account; staff over the unit or its liaison."""
    _require_unit_actor(actor, unit)
    return UnitContact.objects.create(
        unit=unit, **_contact_fields(name=name, phone=phone, title=title)
    )


@transaction.atomic
def contact_update(
    *, actor: User, contact: UnitContact, name: str, phone: str = "", title: str = ""
) -> UnitContact:
    contact = (
        UnitContact.objects.select_for_update().select_related("unit__division").get(pk=contact.pk)
    )
    _require_unit_actor(actor, contact.unit)
    fields = _contact_fields(name=name, phone=phone, title=title)
    for key, value in fields.items():
        setattr(contact, key, value)
    contact.save()
    return contact


@transaction.atomic
def contact_remove(*, actor: User, contact: UnitContact) -> None:
    contact = UnitContact.objects.select_related("unit__division").get(pk=contact.pk)
    _require_unit_actor(actor, contact.unit)
    if contact.user_id is not None:
        raise Conflict(
            _("该联系人绑定了联络员账号,不能删除;请先解除账号绑定。"), code="contact_has_account"
        )
    contact.delete()


@transaction.atomic
def pairing_end(*, actor: User, pairing: Pairing, ended_on: dt.date) -> Pairing:
    """End a pairing (结束结对); it stays on record with its end date."""
    pairing = Pairing.objects.select_for_update().select_related("division").get(pk=pairing.pk)
    require_staff_over(actor, pairing.division.code)
    if pairing.ended_on is not None:
        raise Conflict(_("该结对已于%(d)s结束。") % {"d": pairing.ended_on}, code="already_ended")
    if ended_on < pairing.started_on:
        raise ValidationFailed(_("结束日期不能早于结对日期。"), code="ends_before_start")
    pairing.ended_on = ended_on
    pairing.save(update_fields=["ended_on", "updated_at"])
    return pairing


PROJECT_NEXT = {
    ProjectStatus.AGREED: {ProjectStatus.ONGOING, ProjectStatus.DONE},
    ProjectStatus.ONGOING: {ProjectStatus.DONE},
    ProjectStatus.DONE: set(),
}


@transaction.atomic
def project_set_status(*, actor: User, project: Project, status: str) -> Project:
    """已商定 → 实施中 → 已完成 (forward only)."""
    project = Project.objects.select_for_update().select_related("division").get(pk=project.pk)
    require_staff_over(actor, project.division.code)
    if status not in ProjectStatus.values:
        raise ValidationFailed(_("项目状态不正确。"), code="bad_status")
    if status not in PROJECT_NEXT[ProjectStatus(project.status)]:
        raise Conflict(
            _("项目当前为“%(now)s”,不能改为“%(to)s”。")
            % {"now": project.get_status_display(), "to": ProjectStatus(status).label},
            code="bad_transition",
        )
    project.status = status
    project.save(update_fields=["status", "updated_at"])
    return project
