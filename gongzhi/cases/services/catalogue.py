"""Officers' edits of the case catalogue and the routing rules.

The catalogue is shared by every territory, so only city and province
officers change it; routing rules are territorial, so any officer may write
one, but only for a territory prefix inside their own subtree. Every write
checks everything first and runs in one transaction: bad input saves nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.constants import Role
from gongzhi.core import access
from gongzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from gongzhi.org.models import Division

from ..constants import CategorySource, UnitType
from ..models import Category, ExternalOwner, RoutingRule

CATALOGUE_ROLES = frozenset({Role.CITY_OFFICER, Role.PROVINCE_OFFICER})
MAX_LIMIT_HOURS = 2000  # about a working year
CODE_RE = re.compile(r"^[A-Za-z0-9]{1,16}$")
LIMIT_FIELDS = ("limit_normal_hours", "limit_urgent_hours", "limit_critical_hours")
CATEGORY_FIELDS = frozenset({"name", "is_active", "default_unit_type", "sort_order", *LIMIT_FIELDS})
RULE_FIELDS = frozenset(
    {
        "category",
        "territory_prefix",
        "unit_type",
        "department_name",
        "owner",
        "priority",
        "is_active",
        "note",
    }
)


def can_edit_catalogue(user) -> bool:
    return bool(user and user.is_authenticated and user.role_set & CATALOGUE_ROLES)


def require_officer(user) -> None:
    access.require_officer(user, _("分类目录与派遣规则仅供组织部门人员维护。"))


def require_catalogue_editor(user) -> None:
    require_officer(user)
    if not can_edit_catalogue(user):
        raise PermissionDenied(_("事项分类目录全市共用,仅市级或省级组织部门人员可修改。"))


# --- checks ----------------------------------------------------------------------


def _name(value) -> str:
    name = str(value or "").strip()
    if not name:
        raise ValidationFailed(_("请填写分类名称。"), code="invalid_name")
    if len(name) > 64:
        raise ValidationFailed(_("分类名称不能超过 64 个字符。"), code="invalid_name")
    return name


def _hours(value, label: str) -> int:
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not re.fullmatch(r"-?[0-9]+(\.0+)?", text):
        raise ValidationFailed(
            _("%(label)s应为整数工作小时。") % {"label": label}, code="invalid_hours"
        )
    hours = int(float(text))
    if not 1 <= hours <= MAX_LIMIT_HOURS:
        raise ValidationFailed(
            _("%(label)s应在 1 至 %(max)d 个工作小时之间。")
            % {"label": label, "max": MAX_LIMIT_HOURS},
            code="invalid_hours",
        )
    return hours


def _unit_type(value, *, allow_blank: bool) -> str:
    value = str(value or "").strip()
    if not value and allow_blank:
        return ""
    if value not in UnitType.values:
        raise ValidationFailed(_("未知的责任主体类型。"), code="invalid_unit_type")
    return value


def _non_negative(value, label: str, maximum: int = 32767) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if isinstance(value, bool) or not 0 <= number <= maximum:
        raise ValidationFailed(
            _("%(label)s应为 0 至 %(max)d 之间的整数。") % {"label": label, "max": maximum},
            code="invalid_number",
        )
    return number


LIMIT_LABELS = {
    "limit_normal_hours": gettext_lazy("一般件时限"),
    "limit_urgent_hours": gettext_lazy("紧急件时限"),
    "limit_critical_hours": gettext_lazy("特急件时限"),
}


def _apply_category_fields(category: Category, fields: dict[str, Any]) -> None:
    unknown = set(fields) - CATEGORY_FIELDS
    if unknown:
        raise ValidationFailed(
            _("不能修改的字段:%(names)s。") % {"names": "、".join(sorted(unknown))},
            code="invalid_field",
        )
    if "name" in fields:
        category.name = _name(fields["name"])
    for name in LIMIT_FIELDS:
        if name in fields and fields[name] is not None:
            setattr(category, name, _hours(fields[name], str(LIMIT_LABELS[name])))
    if "default_unit_type" in fields:
        unit_type = _unit_type(fields["default_unit_type"], allow_blank=True)
        if unit_type in (UnitType.DEPARTMENT, UnitType.OWNER):
            raise ValidationFailed(
                _("默认责任主体只能是网格、社区、街道、区(县)或市;部门和非政府主体请用派遣规则。"),
                code="invalid_unit_type",
            )
        category.default_unit_type = unit_type
    if "sort_order" in fields and fields["sort_order"] is not None:
        category.sort_order = _non_negative(fields["sort_order"], _("排序"))
    if "is_active" in fields and fields["is_active"] is not None:
        category.is_active = bool(fields["is_active"])


# --- the catalogue ---------------------------------------------------------------


@transaction.atomic
def category_create(*, actor, code: str, name: str, parent: str, **fields: Any) -> Category:
    """A new child of ``parent`` (a category code); time limits default to
    the parent's."""
    require_catalogue_editor(actor)
    code = str(code or "").strip().upper()
    if not CODE_RE.match(code):
        raise ValidationFailed(_("分类编码应为 1 至 16 位字母或数字。"), code="invalid_code")
    parent_obj = Category.objects.filter(code=str(parent or "").strip().upper()).first()
    if parent_obj is None:
        raise ValidationFailed(
            _("上级分类“%(code)s”不存在。") % {"code": parent}, code="unknown_parent"
        )
    if Category.objects.filter(code=code).exists():
        raise ValidationFailed(
            _("分类编码“%(code)s”已存在。") % {"code": code}, code="duplicate_code"
        )
    category = Category(
        code=code,
        parent=parent_obj,
        source=CategorySource.LOCAL,
        limit_normal_hours=parent_obj.limit_normal_hours,
        limit_urgent_hours=parent_obj.limit_urgent_hours,
        limit_critical_hours=parent_obj.limit_critical_hours,
        sort_order=parent_obj.children.count(),
    )
    _apply_category_fields(category, {"name": name, **fields})
    try:
        with transaction.atomic():
            category.save()
    except IntegrityError as exc:  # a concurrent create of the same code
        raise ValidationFailed(
            _("分类编码“%(code)s”已存在。") % {"code": code}, code="duplicate_code"
        ) from exc
    return category


@transaction.atomic
def category_update(*, actor, category: Category, **changes: Any) -> Category:
    """Rename, (de)activate, set time limits, default unit type or order."""
    require_catalogue_editor(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    _apply_category_fields(category, changes)
    category.save()
    return category


# --- routing rules ---------------------------------------------------------------


def _check_rule(actor, rule: RoutingRule) -> None:
    scope = actor.scope_code or ""
    prefix = (rule.territory_prefix or "").strip()
    if not prefix.isdigit() or not Division.objects.filter(code=prefix).exists():
        raise ValidationFailed(
            _("区域代码前缀“%(prefix)s”不是有效的区划代码。") % {"prefix": prefix},
            code="invalid_prefix",
        )
    if not prefix.startswith(scope):
        raise PermissionDenied(
            _("只能为本辖区(%(scope)s)及其下级区划设置派遣规则。") % {"scope": scope},
            code="prefix_out_of_scope",
        )
    rule.territory_prefix = prefix
    rule.unit_type = _unit_type(rule.unit_type, allow_blank=False)
    rule.department_name = (rule.department_name or "").strip()
    if len(rule.department_name) > 64:
        raise ValidationFailed(_("部门名称不能超过 64 个字符。"), code="invalid_department")
    if rule.unit_type == UnitType.DEPARTMENT and not rule.department_name:
        raise ValidationFailed(_("责任主体为部门时,请填写部门名称。"), code="invalid_department")
    if rule.unit_type != UnitType.DEPARTMENT:
        rule.department_name = ""
    if rule.unit_type == UnitType.OWNER:
        if rule.owner_id is None:
            raise ValidationFailed(
                _("责任主体为非政府主体时,请选择具体单位。"), code="unknown_owner"
            )
        owner_code = rule.owner.division.code
        if not (owner_code.startswith(scope) or scope.startswith(owner_code)):
            raise ValidationFailed(_("所选非政府责任主体不服务于本辖区。"), code="unknown_owner")
    else:
        rule.owner = None
    rule.note = (rule.note or "").strip()
    if len(rule.note) > 200:
        raise ValidationFailed(_("说明不能超过 200 个字符。"), code="invalid_note")


def _apply_rule_fields(rule: RoutingRule, fields: dict[str, Any]) -> None:
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("不能修改的字段:%(names)s。") % {"names": "、".join(sorted(unknown))},
            code="invalid_field",
        )
    if "category" in fields:
        code = str(fields["category"] or "").strip().upper()
        if code:
            category = Category.objects.filter(code=code).first()
            if category is None:
                raise ValidationFailed(
                    _("未知的事项分类“%(code)s”。") % {"code": code}, code="unknown_category"
                )
            rule.category = category
        else:
            rule.category = None  # every category
    if "owner" in fields:
        owner = fields["owner"]
        if owner in (None, ""):
            rule.owner = None
        else:
            try:
                rule.owner = ExternalOwner.objects.select_related("division").get(
                    pk=int(owner), is_active=True
                )
            except (TypeError, ValueError, ExternalOwner.DoesNotExist) as exc:
                raise ValidationFailed(
                    _("所选非政府责任主体不存在。"), code="unknown_owner"
                ) from exc
    for name in ("territory_prefix", "unit_type", "department_name", "note"):
        if name in fields and fields[name] is not None:
            setattr(rule, name, str(fields[name]))
    if "priority" in fields and fields["priority"] is not None:
        rule.priority = _non_negative(fields["priority"], _("优先级"))
    if "is_active" in fields and fields["is_active"] is not None:
        rule.is_active = bool(fields["is_active"])


@transaction.atomic
def routing_rule_create(
    *, actor, territory_prefix: str, unit_type: str, **fields: Any
) -> RoutingRule:
    require_officer(actor)
    rule = RoutingRule()
    _apply_rule_fields(
        rule, {"territory_prefix": territory_prefix, "unit_type": unit_type, **fields}
    )
    _check_rule(actor, rule)
    rule.save()
    return rule


@transaction.atomic
def routing_rule_update(*, actor, rule: RoutingRule, **changes: Any) -> RoutingRule:
    """Change a rule of the actor's subtree (and keep it there)."""
    require_officer(actor)
    try:
        rule = (
            RoutingRule.objects.select_for_update(of=("self",))
            .select_related("owner__division", "category")
            .get(pk=rule.pk, territory_prefix__startswith=actor.scope_code)
        )
    except RoutingRule.DoesNotExist as exc:
        raise NotFound(_("派遣规则不存在或不在您的管辖范围内。")) from exc
    _apply_rule_fields(rule, changes)
    _check_rule(actor, rule)
    rule.save()
    return rule
