"""数字城管 (digital urban management, GB/T 30428) case files.

CSV as the city platform exports it (often GBK). Columns::

    案卷号,问题类型,大类代码,小类代码,问题描述,地址,X,Y,坐标系,上报时间,紧急程度

问题类型 is 部件 or 事件; 大类代码 is UC01–UC06 / UE01–UE06 or the standard's
two digits (01–06, read with 问题类型); 小类代码 (e.g. UC0101) is looked up
first. The mapping table (ChannelMapping, channel urban_management) wins over
the built-in top-class mapping, so officers can route a 小类 elsewhere.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.cases.constants import Channel

from ..models import SourceChannel
from .base import (
    Adapter,
    Record,
    RecordError,
    parse_point,
    parse_when,
    text,
    title_from,
)

TOP = {f"U{k}0{n}": f"U{k}0{n}" for k in "CE" for n in range(1, 7)}
NUMERIC = {
    f"{kind}0{n}": f"U{k}0{n}" for kind, k in (("部件", "C"), ("事件", "E")) for n in range(1, 7)
}


class UrbanManagementAdapter(Adapter):
    channel = SourceChannel.URBAN_MANAGEMENT
    case_channel = Channel.URBAN_MANAGEMENT
    label = "数字城管"
    formats = ("csv",)
    ref_field = "案卷号"
    reads_urgency = True
    default_categories = {**TOP, **NUMERIC}

    def to_record(self, row: dict) -> Record:
        ref = self.source_ref(text(row, "案卷号", "案卷号"))
        kind = text(row, "问题类型", "问题类型", required=False)
        top = text(row, "大类代码", "大类代码").upper()
        sub = text(row, "小类代码", "小类代码", required=False).upper()
        if kind and kind not in ("部件", "事件"):
            raise RecordError(_("问题类型应为“部件”或“事件”"))
        category = self.category_for(sub, top, f"{kind}{top[-2:]}" if kind else "")
        if not category:
            raise RecordError(_("大类代码“%(code)s”没有对应的事项分类") % {"code": top[:16]})
        description = text(row, "问题描述", "问题描述", max_length=4000)
        crs = text(row, "坐标系", "坐标系", required=False) or "wgs84"
        lng, lat = parse_point(row.get("X"), row.get("Y"), crs=crs)
        return Record(
            source_ref=ref,
            title=title_from(description),
            description=description,
            category=category,
            urgency=self.urgency_for(row.get("紧急程度")),
            lng=lng,
            lat=lat,
            crs=crs,
            address=text(row, "地址", "地址", required=False, max_length=200),
            occurred_at=parse_when(row.get("上报时间"), "上报时间"),
        )
