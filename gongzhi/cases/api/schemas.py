"""The API's case schemas and how a case becomes one.

Answers are built from typed model fields with ``model_construct``, so
django-ninja does not validate them a second time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import RootModel

from gongzhi.core.masking import mask_name, mask_phone

from .. import selectors
from ..constants import Action, Channel, Status, Urgency
from ..deadlines import clock
from ..models import Case
from ..units import unit_of

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


def case_detail_out(case: Case, user) -> CaseDetailOut:
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


# Returned as this model (built from typed fields), the queue is not
# validated again by django-ninja, as a plain list would be, item by item.
class CaseList(RootModel[list[CaseOut]]):
    """案件列表(JSON 数组)。"""
