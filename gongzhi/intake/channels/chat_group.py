"""Residents' chat groups (楼栋QQ群/微信群), exported by the group robot.

CSV or JSON, one message per record::

    msgId,groupName,groupDivision,sender,sentAt,text

``groupDivision`` (optional) is the division code the group belongs to
(community or street); the message text is located within it
(``locate.locate_text``), classified, and filed only when both are sure —
otherwise it goes to the triage queue (``intake.triage``).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.cases.constants import Channel

from ..models import SourceChannel
from .base import Adapter, Record, RecordError, parse_when, text, title_from


class ChatGroupAdapter(Adapter):
    channel = SourceChannel.CHAT_GROUP
    case_channel = Channel.CHAT_GROUP
    label = "居民楼栋群"
    formats = ("csv", "json")
    ref_field = "msgId"
    builtin_notes = (
        gettext_noop("群消息没有分类字段:由分类模型判断,位置或分类不确定时转人工研判。"),
    )

    def to_record(self, row: dict) -> Record:
        ref = self.source_ref(text(row, "msgId", "消息编号"))
        body = text(row, "text", "消息内容", max_length=2000)
        if len(body) < 4:
            raise RecordError(_("消息内容过短,无法研判"))
        scope = text(row, "groupDivision", "群所属区划", required=False)
        if scope and not re.fullmatch(r"[0-9]{6,15}", scope):
            raise RecordError(_("群所属区划编码不正确"))
        return Record(
            source_ref=ref,
            title=title_from(body),
            description=body,
            reporter_name=text(row, "sender", "发送人", required=False, max_length=64),
            occurred_at=parse_when(row.get("sentAt"), "发送时间"),
            text_only=True,
            extra={"scope": scope, "group": text(row, "groupName", "群名称", required=False)},
        )
