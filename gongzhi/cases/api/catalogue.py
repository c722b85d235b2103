"""The case catalogue and routing rules, for officers: categories with their
time limits, and the rules that pick a responsible unit. Who may read or
change what is checked in ``services.catalogue``."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja import Status as HttpStatus

from .. import selectors
from ..models import Category, RoutingRule
from ..services import catalogue


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None
    source: str
    limit_normal_hours: int
    limit_urgent_hours: int
    limit_critical_hours: int
    default_unit_type: str
    is_active: bool
    sort_order: int

    @staticmethod
    def resolve_parent(c: Category) -> str | None:
        return c.parent.code if c.parent_id else None


class CategoryIn(Schema):
    code: str = Field(..., description="新分类编码(字母或数字,不超过 16 位)")
    name: str = Field(..., description="分类名称")
    parent: str = Field(..., description="上级分类编码")
    limit_normal_hours: int | None = Field(None, description="一般件时限(工作小时);默认同上级")
    limit_urgent_hours: int | None = None
    limit_critical_hours: int | None = None
    default_unit_type: str = ""
    sort_order: int | None = None


class CategoryPatch(Schema):
    name: str | None = None
    is_active: bool | None = None
    limit_normal_hours: int | None = None
    limit_urgent_hours: int | None = None
    limit_critical_hours: int | None = None
    default_unit_type: str | None = None
    sort_order: int | None = None


class RoutingRuleOut(Schema):
    id: int
    category: str | None
    category_name: str
    territory_prefix: str
    unit_type: str
    department_name: str
    owner: int | None
    priority: int
    is_active: bool
    note: str

    @staticmethod
    def resolve_category(r: RoutingRule) -> str | None:
        return r.category.code if r.category_id else None

    @staticmethod
    def resolve_category_name(r: RoutingRule) -> str:
        return r.category.name if r.category_id else ""

    @staticmethod
    def resolve_owner(r: RoutingRule) -> int | None:
        return r.owner_id


class RoutingRuleIn(Schema):
    territory_prefix: str = Field(..., description="区域代码前缀,须在本辖区内")
    unit_type: str = Field(..., description="责任主体类型")
    category: str = Field("", description="分类编码(含下级);为空表示全部分类")
    department_name: str = ""
    owner: int | None = None
    priority: int = 100
    is_active: bool = True
    note: str = ""


class RoutingRulePatch(Schema):
    territory_prefix: str | None = None
    unit_type: str | None = None
    category: str | None = None
    department_name: str | None = None
    owner: int | None = None
    priority: int | None = None
    is_active: bool | None = None
    note: str | None = None


def _changes(payload: Schema) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)


def category_list(request, q: str = "", parent: str = ""):
    catalogue.require_officer(request.user)
    rows = selectors.categories_for_admin(q=q.strip(), parent=parent.strip().upper())
    return list(rows)


def category_create(request, payload: CategoryIn):
    data = {k: v for k, v in payload.dict().items() if v is not None}
    category = catalogue.category_create(actor=request.user, **data)
    return HttpStatus(201, category)


def category_detail(request, pk: int):
    catalogue.require_officer(request.user)
    return selectors.category_get(pk=pk)


def category_patch(request, pk: int, payload: CategoryPatch):
    catalogue.require_catalogue_editor(request.user)
    category = selectors.category_get(pk=pk)
    category = catalogue.category_update(actor=request.user, category=category, **_changes(payload))
    return selectors.category_get(pk=category.pk)


def routing_rule_list(request):
    catalogue.require_officer(request.user)
    return selectors.routing_rules_for_user(user=request.user)


def routing_rule_create(request, payload: RoutingRuleIn):
    rule = catalogue.routing_rule_create(actor=request.user, **payload.dict())
    rule = selectors.routing_rule_get_for_user(user=request.user, pk=rule.pk)
    return HttpStatus(201, rule)


def routing_rule_detail(request, pk: int):
    catalogue.require_officer(request.user)
    return selectors.routing_rule_get_for_user(user=request.user, pk=pk)


def routing_rule_patch(request, pk: int, payload: RoutingRulePatch):
    catalogue.require_officer(request.user)
    rule = selectors.routing_rule_get_for_user(user=request.user, pk=pk)
    rule = catalogue.routing_rule_update(actor=request.user, rule=rule, **_changes(payload))
    return selectors.routing_rule_get_for_user(user=request.user, pk=rule.pk)
