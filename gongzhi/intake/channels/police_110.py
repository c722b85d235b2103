"""110 非警务警情 referred to the government (CSV from the 110 接处警 system).

Columns::

    警情编号,接警时间,报警人,联系电话,发生地址,经度,纬度,警情类别,简要警情

Filed as channel ``police_110`` with source reference ``110:<警情编号>``
(idempotent on the pair). 警情类别
goes through the mapping table (channel police_110), else the classifier.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gongzhi.cases.constants import Channel

from ..models import SourceChannel
from .base import Adapter, Record, parse_point, parse_when, phone, text, title_from


class Police110Adapter(Adapter):
    channel = SourceChannel.POLICE_110
    case_channel = Channel.POLICE_110
    ref_prefix = "110:"
    label = "110非警务警情"
    formats = ("csv",)
    ref_field = "警情编号"
    builtin_notes = (gettext_noop("未映射的警情类别由分类模型判断。"),)
    # built-in 警情类别 → category; officers add or override rows on the mapping page
    default_categories = {
        "井盖缺失": "UC01",
        "路灯故障": "UC01",
        "道路积水": "UE04",
        "占道经营": "UE05",
        "噪音扰民": "UE05",
    }

    def to_record(self, row: dict) -> Record:
        ref = self.source_ref(text(row, "警情编号", "警情编号"))
        content = text(row, "简要警情", "简要警情", max_length=4000)
        lng, lat = parse_point(row.get("经度"), row.get("纬度"))
        return Record(
            source_ref=ref,
            title=title_from(content),
            description=content,
            category=self.category_for(text(row, "警情类别", "警情类别", required=False)),
            lng=lng,
            lat=lat,
            address=text(row, "发生地址", "发生地址", required=False, max_length=200),
            reporter_name=text(row, "报警人", "报警人", required=False, max_length=64),
            reporter_phone=phone(row.get("联系电话")),
            occurred_at=parse_when(row.get("接警时间"), "接警时间"),
        )
