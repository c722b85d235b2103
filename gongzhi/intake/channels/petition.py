"""综治维稳信访 petitions (XLSX, the 信访 system's 登记表 export).

First sheet, header row then one petition per row::

    信访件编号 | 信访人 | 联系电话 | 登记日期 | 问题属地 | 经度 | 纬度 | 信访事项 | 问题分类

问题分类 goes through the mapping table (channel petition); without a
mapping the classifier reads 信访事项 (low confidence → triage). Petitions are
never shown publicly (decision 0040).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from gongzhi.cases.constants import Channel

from ..models import SourceChannel
from .base import Adapter, Record, parse_point, parse_when, phone, text, title_from


class PetitionAdapter(Adapter):
    channel = SourceChannel.PETITION
    case_channel = Channel.PETITION
    label = "信访"
    formats = ("xlsx",)
    ref_field = "信访件编号"
    builtin_notes = (
        gettext_noop("问题分类与一级市民诉求分类同名时归入该分类;否则由分类模型判断。"),
    )

    def to_record(self, row: dict) -> Record:
        ref = self.source_ref(text(row, "信访件编号", "信访件编号"))
        content = text(row, "信访事项", "信访事项", max_length=4000)
        lng, lat = parse_point(row.get("经度"), row.get("纬度"))
        cls = text(row, "问题分类", "问题分类", required=False)
        return Record(
            source_ref=ref,
            title=title_from(content),
            description=content,
            category=self.category_for(cls) or self.label_category(cls),
            lng=lng,
            lat=lat,
            address=text(row, "问题属地", "问题属地", required=False, max_length=200),
            reporter_name=text(row, "信访人", "信访人", max_length=64),
            reporter_phone=phone(row.get("联系电话")),
            occurred_at=parse_when(row.get("登记日期"), "登记日期"),
        )
