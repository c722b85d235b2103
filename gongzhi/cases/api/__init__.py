"""Cases API: create, read, list, act, upload photos — within the caller's scope.

Errors are DomainErrors mapped once in config/api.py to a 4xx with
``{"code", "message"}`` (plus ``allowed_actions`` for a 409 on a transition
not allowed now); every write runs in one service transaction, so an error
saves nothing.

The views live in ``reads``, ``writes`` and ``catalogue``; the routes are
all here, in one table, because their order is part of the API: a path is
matched by the first route that fits, and the OpenAPI schema lists them in
this order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Router

from . import catalogue, reads, writes
from .catalogue import CategoryOut, RoutingRuleOut
from .schemas import CaseDetailOut, CaseList, CasePage, PhotoOut

router = Router()


def _route(method: str, path: str, view: Callable, **options: Any) -> None:
    # The operation ids stay what django-ninja made of the one-module API
    # ("gongzhi_cases_api_<view>"): clients generated from the schema name
    # their methods after them.
    operation_id = f"{__name__.replace('.', '_')}_{view.__name__}"
    router.add_api_operation(path, [method], view, operation_id=operation_id, **options)


_route(
    "POST",
    "",
    writes.case_create,
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="上报案件",
)
_route("GET", "", reads.case_list, response=CasePage, summary="案件列表(筛选、分页)")
# Before "/{number}", which would take "queue" for a case number.
_route("GET", "/queue", reads.case_queue, response=CaseList, summary="我的待办")
_route("GET", "/{number}", reads.case_detail, response=CaseDetailOut, summary="案件详情")
_route(
    "POST",
    "/{number}/actions/{action}",
    writes.case_action,
    response=CaseDetailOut,
    summary="执行流转动作",
)
_route(
    "POST",
    "/{number}/photos",
    writes.case_photo,
    response={201: PhotoOut},
    summary="上传照片(JPEG/PNG/WebP,≤5MB)",
)

# --- the catalogue and routing rules (officers) ------------------------------------
# Two-segment paths, so "/{number}" (one segment) never catches them.
_route(
    "GET",
    "/catalogue/categories",
    catalogue.category_list,
    response=list[CategoryOut],
    summary="事项分类目录(组织部门)",
)
_route(
    "POST",
    "/catalogue/categories",
    catalogue.category_create,
    response={201: CategoryOut},
    summary="新增下级分类(市、省组织部门)",
)
_route(
    "GET",
    "/catalogue/categories/{pk}",
    catalogue.category_detail,
    response=CategoryOut,
    summary="事项分类详情",
)
_route(
    "PATCH",
    "/catalogue/categories/{pk}",
    catalogue.category_patch,
    response=CategoryOut,
    summary="修改分类(市、省组织部门)",
)
_route(
    "GET",
    "/catalogue/routing-rules",
    catalogue.routing_rule_list,
    response=list[RoutingRuleOut],
    summary="本辖区派遣规则",
)
_route(
    "POST",
    "/catalogue/routing-rules",
    catalogue.routing_rule_create,
    response={201: RoutingRuleOut},
    summary="新增派遣规则",
)
_route(
    "GET",
    "/catalogue/routing-rules/{pk}",
    catalogue.routing_rule_detail,
    response=RoutingRuleOut,
    summary="派遣规则详情",
)
_route(
    "PATCH",
    "/catalogue/routing-rules/{pk}",
    catalogue.routing_rule_patch,
    response=RoutingRuleOut,
    summary="修改派遣规则",
)

__all__ = ["router"]
