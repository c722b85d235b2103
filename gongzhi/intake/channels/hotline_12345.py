"""12345 政务服务便民热线 work orders (JSON, as the hotline system pushes them).

One object per work order::

    {"workOrderNo": "HL202601010001", "title": "…", "content": "…",
     "category": "城乡建设", "urgency": "一般", "address": "…",
     "lng": 117.29, "lat": 31.82, "coordSystem": "gcj02",
     "acceptTime": "2026-01-01 09:30:00", "callerName": "…", "callerPhone": "…"}

``category`` is the hotline's class name: the mapping table first, then a
first-level citizen category of the same name, else the classifier decides
(low confidence → triage).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gongzhi.cases.constants import Channel

from ..models import SourceChannel
from .base import Adapter, Record, parse_point, parse_when, phone, text


class Hotline12345Adapter(Adapter):
    channel = SourceChannel.HOTLINE_12345
    case_channel = Channel.HOTLINE_12345
    label = "12345热线"
    formats = ("json",)
    ref_field = "workOrderNo"
    reads_urgency = True
    builtin_notes = (
        gettext_noop("诉求分类与一级市民诉求分类同名时归入该分类;否则由分类模型判断。"),
    )

    def to_record(self, row: dict) -> Record:
        ref = self.source_ref(text(row, "workOrderNo", "工单编号"))
        content = text(row, "content", "诉求内容", max_length=4000)
        title = text(row, "title", "标题", required=False, max_length=100) or content[:30]
        cls = text(row, "category", "诉求分类", required=False)
        category = self.category_for(cls) or self.label_category(cls)
        crs = text(row, "coordSystem", "坐标系", required=False) or "wgs84"
        lng, lat = parse_point(row.get("lng"), row.get("lat"), crs=crs)
        return Record(
            source_ref=ref,
            title=title,
            description=content,
            category=category,
            urgency=self.urgency_for(row.get("urgency")),
            lng=lng,
            lat=lat,
            crs=crs,
            address=text(row, "address", "地址", required=False, max_length=200),
            reporter_name=text(row, "callerName", "来电人", required=False, max_length=64),
            reporter_phone=phone(row.get("callerPhone")),
            occurred_at=parse_when(row.get("acceptTime"), "受理时间"),
        )
