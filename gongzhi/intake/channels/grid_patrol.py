"""The grid-member patrol app (网格员巡查App, JSON upload or push).

::

    {"id": "GP-20260101-0001", "gridCode": "340111002001001", "memberAccount": "…",
     "reportedAt": "2026-01-01 10:00:00", "category": "UC01",
     "title": "…", "description": "…", "urgency": "一般",
     "lng": 117.3, "lat": 31.8, "crs": "gcj02"}

``category`` is our catalogue code (the app shows our catalogue) or a code
mapped in the mapping table (channel grid_patrol). ``gridCode`` is checked
against the grid the point falls in by case_submit's locator.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.cases.constants import Channel

from ..models import SourceChannel
from .base import Adapter, Record, RecordError, parse_point, parse_when, text


class GridPatrolAdapter(Adapter):
    channel = SourceChannel.GRID_PATROL
    case_channel = Channel.GRID_PATROL
    label = "网格员巡查App"
    formats = ("json",)
    ref_field = "id"
    reads_urgency = True
    builtin_notes = (gettext_noop("事项分类为本系统分类编码时原样使用。"),)

    def to_record(self, row: dict) -> Record:
        ref = self.source_ref(text(row, "id", "记录编号"))
        code = text(row, "category", "事项分类")
        category = self.category_for(code)
        if not category and self.is_active_category(code):
            category = code
        if not category:
            raise RecordError(_("未知的事项分类:%(c)s") % {"c": code[:16]})
        description = text(row, "description", "问题描述", max_length=4000)
        crs = text(row, "crs", "坐标系", required=False) or "wgs84"
        lng, lat = parse_point(row.get("lng"), row.get("lat"), crs=crs)
        return Record(
            source_ref=ref,
            title=text(row, "title", "标题", required=False, max_length=100) or description[:30],
            description=description,
            category=category,
            urgency=self.urgency_for(row.get("urgency")),
            lng=lng,
            lat=lat,
            crs=crs,
            reporter_name=text(row, "memberAccount", "网格员", required=False, max_length=64),
            occurred_at=parse_when(row.get("reportedAt"), "上报时间"),
            extra={"grid": text(row, "gridCode", "网格编码", required=False)},
        )
