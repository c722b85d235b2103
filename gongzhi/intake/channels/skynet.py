"""天网/雪亮工程 video-analytics alerts (JSON, pushed by the video platform).

::

    {"alarmId": "SK20260101000001", "eventType": "ILLEGAL_PARKING",
     "eventName": "机动车违停", "cameraId": "34011100001310000001",
     "cameraName": "徽州大道与太湖路交口", "position": {"lng": 117.3, "lat": 31.8},
     "alarmTime": "2026-01-01T08:00:00+08:00", "score": 0.93, "imageUrl": "…"}

The event type → category map is built in (below) and editable per type in
the mapping table (channel skynet); an unmapped type is refused, not guessed.
Fire/smoke and crowding alerts are 特急. Skynet cases are never public.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.cases.constants import Channel, Urgency

from ..models import SourceChannel
from .base import Adapter, Record, RecordError, parse_point, parse_when, text

EVENTS = {
    "ILLEGAL_PARKING": "UE05",  # 违章停车 → 街面秩序
    "STREET_VENDOR": "UE05",  # 占道经营
    "GARBAGE_OVERFLOW": "UE01",  # 垃圾满溢 → 市容环境
    "ILLEGAL_AD": "UE02",  # 违规广告
    "CONSTRUCTION_DEBRIS": "UE03",  # 渣土撒漏 → 施工管理
    "ROAD_DAMAGE": "UC02",  # 道路破损 → 道路交通设施
    "MANHOLE_MISSING": "UC01",  # 井盖缺失 → 市政公用设施
    "WATER_LOGGING": "UE04",  # 道路积水 → 突发事件
    "FIRE_SMOKE": "UE04",  # 烟火
    "CROWD_GATHERING": "UE04",  # 人员聚集
}
CRITICAL = {"FIRE_SMOKE", "CROWD_GATHERING"}


class SkynetAdapter(Adapter):
    channel = SourceChannel.SKYNET
    case_channel = Channel.SKYNET
    label = "天网/雪亮"
    formats = ("json",)
    ref_field = "alarmId"
    builtin_notes = (gettext_noop("未映射的事件类型不予导入;烟火、人员聚集为特急,其余为紧急。"),)
    default_categories = EVENTS

    def to_record(self, row: dict) -> Record:
        ref = self.source_ref(text(row, "alarmId", "告警编号"))
        event = text(row, "eventType", "事件类型").upper()
        category = self.category_for(event)
        if not category:
            raise RecordError(_("事件类型“%(t)s”未配置映射") % {"t": event[:32]})
        camera = text(row, "cameraId", "摄像机编号", max_length=32)
        camera_name = text(row, "cameraName", "点位名称", required=False, max_length=100)
        position = row.get("position") or {}
        if not isinstance(position, dict):
            raise RecordError(_("摄像机位置格式不正确"))
        lng, lat = parse_point(position.get("lng"), position.get("lat"))
        name = text(row, "eventName", "事件名称", required=False, max_length=40) or event
        description = _("视频智能分析告警:%(name)s。点位:%(camera)s(%(id)s)") % {
            "name": name,
            "camera": camera_name or camera,
            "id": camera,
        }
        if row.get("imageUrl"):
            description += _("。抓拍:%(url)s") % {"url": str(row["imageUrl"])[:300]}
        return Record(
            source_ref=ref,
            title=f"{name}({camera_name or camera})"[:100],
            description=description,
            category=category,
            urgency=Urgency.CRITICAL if event in CRITICAL else Urgency.URGENT,
            lng=lng,
            lat=lat,
            address=camera_name,
            occurred_at=parse_when(row.get("alarmTime"), "告警时间"),
            extra={"camera": camera, "score": row.get("score")},
        )
