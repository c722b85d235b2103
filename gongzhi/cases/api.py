"""Cases API: create, read, list, act, upload photos — within the caller's scope.

Errors are DomainErrors mapped once in config/api.py to a 4xx with
``{"code", "message"}`` (plus ``allowed_actions`` for a 409 on a transition
not allowed now); every write runs in one service transaction, so an error
saves nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile
from pydantic import RootModel

from gongzhi.core.errors import ValidationFailed
from gongzhi.core.masking import mask_name, mask_phone

from . import selectors, services
from .constants import Action, Channel, PhotoKind, Status, Urgency
from .deadlines import clock
from .models import Case, Category, RoutingRule
from .services import catalogue
from .services.photos import MAX_PHOTO_BYTES
from .units import unit_of

router = Router()
MAX_PAGE_SIZE = 100
# The API's case detail needs the unit (unit_of) and the category, not the
# grid row with its geometry (the pages' map).
API_RELATED = ("category", "unit_division", "unit_department__division", "unit_owner__division")
STATUS_LABELS = dict(Status.choices)
ACTION_LABELS = dict(Action.choices)


def _label(labels: dict, value: str) -> str:
    """A choice's label (translated now), or the value itself if unknown —
    what ``get_FOO_display`` answers, without rebuilding the choices map."""
    return str(labels.get(value, value))


class CaseIn(Schema):
    title: str = Field(..., description="标题")
    description: str = Field(..., description="问题描述,不超过 4000 字")
    category: str = Field(..., description="分类编码,如 UE01")
    lng: float | None = None
    lat: float | None = None
    crs: str = Field("wgs84", description="坐标系:wgs84、gcj02 或 bd09")
    urgency: str = Urgency.NORMAL
    address: str = ""
    channel: str = Channel.API
    source_ref: str = Field("", description="来源系统编号;同一渠道重复提交返回同一案件")
    reporter_name: str = ""
    reporter_phone: str = ""


class UnitOut(Schema):
    type: str
    label: str
    division: str | None
    department: int | None
    owner: int | None


class CaseOut(Schema):
    number: str
    version: int
    status: str
    status_label: str
    channel: str
    source_ref: str
    title: str
    category: str
    category_name: str
    urgency: str
    lng: float
    lat: float
    address: str
    grid: str
    unit: UnitOut | None
    priority: int
    handle_due: datetime | None
    overdue: bool
    near_due: bool
    rework_count: int
    rejection_count: int
    ruled: bool
    created_at: datetime

    @staticmethod
    def of(case: Case, *, stored_flags: bool = False) -> CaseOut:
        return CaseOut.model_construct(**_case_fields(case, stored_flags=stored_flags))


def _case_fields(case: Case, *, stored_flags: bool = False) -> dict[str, Any]:
    """The CaseOut fields of ``case``, built from typed model fields (so the
    schema is not validated a second time: ``model_construct``).

    ``stored_flags`` (lists): overdue and near-due from stored fields
    (``selectors.due_flags``, as the staff queue, docs/decisions/0005, 0051)
    instead of a working-hour clock per row, which costs a calendar query
    per case; the detail keeps the clock (both read ``warn_at``)."""
    unit = unit_of(case)
    now = timezone.now()
    if stored_flags:
        overdue, near_due = selectors.due_flags(case, now)
    else:
        c = clock(
            started=case.dispatched_at,
            due=case.handle_due,
            now=now,
            limit_hours=case.limit_hours,
            warn_at=case.warn_at,
        )
        overdue, near_due = c.overdue, c.near_due
    return {
        "number": case.number,
        "version": case.version,
        "status": case.status,
        "status_label": _label(STATUS_LABELS, case.status),
        "channel": case.channel,
        "source_ref": case.source_ref,
        "title": case.title,
        "category": case.category.code,
        "category_name": case.category.name,
        "urgency": case.urgency,
        "lng": case.lng,
        "lat": case.lat,
        "address": case.address,
        "grid": case.division_path,
        "unit": UnitOut.model_construct(**unit.as_payload()) if unit else None,
        "priority": case.priority,
        "handle_due": case.handle_due,
        "overdue": overdue,
        "near_due": near_due,
        "rework_count": case.rework_count,
        "rejection_count": case.rejection_count,
        "ruled": case.ruled,
        "created_at": case.created_at,
    }


class EventOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    note: str
    created_at: datetime


class CaseDetailOut(CaseOut):
    description: str
    reporter_name: str
    reporter_phone_masked: str
    result: str
    rating: str
    allowed_actions: list[str]
    timeline: list[EventOut]


class CasePage(Schema):
    items: list[CaseOut]
    page: int
    page_size: int
    total: int = Field(..., description="匹配的案件数,最多计到 1000(见 total_capped)")
    total_capped: bool = Field(..., description="为 true 时匹配超过 1000 件,显示为“1000+”")
    next_before: int | None = Field(
        None, description="下一页游标:作为 before 参数传回;为空表示已到末页"
    )


class ActionIn(Schema):
    expected_version: int | None = Field(None, description="乐观并发控制:客户端所见的版本号")
    params: dict[str, Any] = Field(default_factory=dict, description="动作参数,如 reason、unit")


class PhotoOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    width: int
    height: int


def _detail(case: Case, user) -> CaseDetailOut:
    staff = user.is_staff_member
    events = selectors.case_timeline(case=case, public_only=not staff).select_related(None)
    rows = events.values_list("action", "from_status", "to_status", "note", "created_at")
    return CaseDetailOut.model_construct(
        **_case_fields(case),
        description=case.description,
        reporter_name=mask_name(case.reporter_name) if staff else "",
        reporter_phone_masked=mask_phone(case.reporter_phone) if case.reporter_phone else "",
        result=case.result,
        rating=case.rating,
        allowed_actions=selectors.actions_for_user(case=case, user=user),
        timeline=[
            EventOut.model_construct(
                action=action,
                action_label=_label(ACTION_LABELS, action),
                from_status=from_status,
                to_status=to_status,
                note=note if staff else "",
                created_at=created_at,
            )
            for action, from_status, to_status, note, created_at in rows
        ],
    )


@router.post("", response={200: CaseDetailOut, 201: CaseDetailOut}, summary="上报案件")
def case_create(request, payload: CaseIn):
    if payload.lng is None or payload.lat is None:
        raise ValidationFailed(_("坐标缺失或格式不正确。"), code="invalid_coordinates")
    case, created = services.case_submit(actor=request.user, **payload.dict())
    if created:
        # The row just written holds every field the answer shows (its unit
        # is not set yet); only whether the caller may see it is checked.
        case = selectors.case_ensure_visible(user=request.user, case=case)
    else:
        # Someone's earlier report with this source_ref: shown only in scope.
        case = selectors.case_get_for_user(
            user=request.user, number=case.number, related=API_RELATED
        )
    return HttpStatus(201 if created else 200, _detail(case, request.user))


@router.get("", response=CasePage, summary="案件列表(筛选、分页)")
def case_list(
    request,
    q: str = "",
    status: str = "",
    category: str = "",
    urgency: str = "",
    division: str = "",
    channel: str = "",
    overdue: bool | None = None,
    near_due: bool | None = None,
    page: int = 1,
    page_size: int = 20,
    before: int | None = None,
):
    """Newest first. Continue with ``before=<next_before>`` (keyset, cheap at
    any depth); ``page`` numbers are still accepted (offset)."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE or (before is not None and page != 1):
        raise ValidationFailed(_("分页参数不正确。"), code="invalid_page")
    filters = selectors.CaseFilters(
        q=q.strip(),
        status=[s for s in status.split(",") if s] or None,
        category=category,
        urgency=urgency,
        division=division,
        channel=channel,
        overdue=overdue,
        near_due=near_due,
    )
    result = selectors.case_list_page(
        user=request.user,
        filters=filters,
        page_size=page_size,
        page=page,
        before=before,
        related=API_RELATED,
    )
    return CasePage.model_construct(
        items=[CaseOut.of(c, stored_flags=True) for c in result.items],
        page=page,
        page_size=page_size,
        total=result.total,
        total_capped=result.total_capped,
        next_before=result.next_before,
    )


# Returned as this model (built from typed fields), the queue is not
# validated again by django-ninja, as a plain list would be, item by item.
class CaseList(RootModel[list[CaseOut]]):
    """案件列表(JSON 数组)。"""


@router.get("/queue", response=CaseList, summary="我的待办")
def case_queue(request, limit: int = 50):
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    cases = selectors.fetch_rows(selectors.case_queue(user=request.user), 0, limit, API_RELATED)
    return CaseList.model_construct([CaseOut.of(c, stored_flags=True) for c in cases])


@router.get("/{number}", response=CaseDetailOut, summary="案件详情")
def case_detail(request, number: str):
    case = selectors.case_get_for_user(user=request.user, number=number, related=API_RELATED)
    return _detail(case, request.user)


@router.post("/{number}/actions/{action}", response=CaseDetailOut, summary="执行流转动作")
def case_action(request, number: str, action: str, payload: ActionIn):
    case = selectors.case_get_for_user(user=request.user, number=number, related=API_RELATED)
    services.case_act(
        case=case,
        action=action,
        actor=request.user,
        expected_version=payload.expected_version,
        params=payload.params,
    )
    case = selectors.case_get_for_user(user=request.user, number=number, related=API_RELATED)
    return _detail(case, request.user)


@router.post("/{number}/photos", response={201: PhotoOut}, summary="上传照片(JPEG/PNG/WebP,≤5MB)")
def case_photo(request, number: str, file: File[UploadedFile], kind: Form[str] = PhotoKind.BEFORE):
    case = selectors.case_get_for_user(user=request.user, number=number, related=API_RELATED)
    if file.size is not None and file.size > MAX_PHOTO_BYTES:
        raise ValidationFailed(_("照片不能超过 5 MB。"), code="photo_too_large")
    photo = services.case_photo_add(case=case, actor=request.user, data=file.read(), kind=kind)
    return HttpStatus(201, photo)


# --- the catalogue and routing rules (officers) ------------------------------------
# Two-segment paths, so "/{number}" (one segment) never catches them.


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


@router.get("/catalogue/categories", response=list[CategoryOut], summary="事项分类目录(组织部门)")
def category_list(request, q: str = "", parent: str = ""):
    catalogue.require_officer(request.user)
    rows = selectors.categories_for_admin(q=q.strip(), parent=parent.strip().upper())
    return list(rows)


@router.post(
    "/catalogue/categories", response={201: CategoryOut}, summary="新增下级分类(市、省组织部门)"
)
def category_create(request, payload: CategoryIn):
    data = {k: v for k, v in payload.dict().items() if v is not None}
    category = catalogue.category_create(actor=request.user, **data)
    return HttpStatus(201, category)


@router.get("/catalogue/categories/{pk}", response=CategoryOut, summary="事项分类详情")
def category_detail(request, pk: int):
    catalogue.require_officer(request.user)
    return selectors.category_get(pk=pk)


@router.patch(
    "/catalogue/categories/{pk}", response=CategoryOut, summary="修改分类(市、省组织部门)"
)
def category_patch(request, pk: int, payload: CategoryPatch):
    catalogue.require_catalogue_editor(request.user)
    category = selectors.category_get(pk=pk)
    category = catalogue.category_update(actor=request.user, category=category, **_changes(payload))
    return selectors.category_get(pk=category.pk)


@router.get("/catalogue/routing-rules", response=list[RoutingRuleOut], summary="本辖区派遣规则")
def routing_rule_list(request):
    catalogue.require_officer(request.user)
    return selectors.routing_rules_for_user(user=request.user)


@router.post("/catalogue/routing-rules", response={201: RoutingRuleOut}, summary="新增派遣规则")
def routing_rule_create(request, payload: RoutingRuleIn):
    rule = catalogue.routing_rule_create(actor=request.user, **payload.dict())
    rule = selectors.routing_rule_get_for_user(user=request.user, pk=rule.pk)
    return HttpStatus(201, rule)


@router.get("/catalogue/routing-rules/{pk}", response=RoutingRuleOut, summary="派遣规则详情")
def routing_rule_detail(request, pk: int):
    catalogue.require_officer(request.user)
    return selectors.routing_rule_get_for_user(user=request.user, pk=pk)


@router.patch("/catalogue/routing-rules/{pk}", response=RoutingRuleOut, summary="修改派遣规则")
def routing_rule_patch(request, pk: int, payload: RoutingRulePatch):
    catalogue.require_officer(request.user)
    rule = selectors.routing_rule_get_for_user(user=request.user, pk=pk)
    rule = catalogue.routing_rule_update(actor=request.user, rule=rule, **_changes(payload))
    return selectors.routing_rule_get_for_user(user=request.user, pk=rule.pk)
