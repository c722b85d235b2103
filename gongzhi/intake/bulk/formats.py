"""The seven channels' bulk layouts (docs/decisions/0032-bulk-import.md).

Each is a UTF-8 file (GBK also read) named after the channel. CSV has a
header row; JSONL one object per line. ``parse`` yields raw dicts in one shape:
ref, time (str), title, text, name, phone, lng, lat, crs, code, grid.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from gongzhi.cases.constants import Channel

from ..textio import decode


@dataclass(frozen=True)
class Layout:
    key: str  # file stem
    case_channel: str
    ref_prefix: str
    kind: str  # csv | jsonl
    columns: tuple[str, ...]
    # our field → the source's column / key
    fields: dict
    crs: str = "wgs84"


LAYOUTS: dict[str, Layout] = {
    lay.key: lay
    for lay in (
        Layout(
            "urban_management", Channel.URBAN_MANAGEMENT, "", "csv",
            ("案卷号", "大类代码", "问题描述", "地址", "经度", "纬度", "上报时间"),
            {"ref": "案卷号", "code": "大类代码", "text": "问题描述", "address": "地址",
             "lng": "经度", "lat": "纬度", "time": "上报时间"},
        ),
        Layout(
            "hotline_12345", Channel.HOTLINE_12345, "", "csv",
            ("工单编号", "来电时间", "诉求标题", "诉求内容", "联系人", "联系电话", "经度", "纬度"),
            {"ref": "工单编号", "time": "来电时间", "title": "诉求标题", "text": "诉求内容",
             "name": "联系人", "phone": "联系电话", "lng": "经度", "lat": "纬度"},
            crs="gcj02",
        ),
        Layout(
            "petition", Channel.PETITION, "", "jsonl",
            ("xfbh", "xfsj", "bt", "nr", "xm", "dh", "lng", "lat"),
            {"ref": "xfbh", "time": "xfsj", "title": "bt", "text": "nr", "name": "xm",
             "phone": "dh", "lng": "lng", "lat": "lat"},
        ),
        Layout(
            "skynet", Channel.SKYNET, "", "jsonl",
            ("alert_id", "event_type", "camera_id", "lng", "lat", "time"),
            {"ref": "alert_id", "code": "event_type", "text": "event_type",
             "address": "camera_id", "lng": "lng", "lat": "lat", "time": "time"},
        ),
        Layout(
            "police_110", Channel.POLICE_110, "110:", "csv",
            ("警情编号", "报警时间", "警情内容", "报警人", "联系电话", "经度", "纬度"),
            {"ref": "警情编号", "time": "报警时间", "text": "警情内容", "name": "报警人",
             "phone": "联系电话", "lng": "经度", "lat": "纬度"},
        ),
        Layout(
            "grid_patrol", Channel.GRID_PATROL, "", "jsonl",
            ("id", "member", "time", "title", "content", "lng", "lat"),
            {"ref": "id", "time": "time", "title": "title", "text": "content",
             "name": "member", "lng": "lng", "lat": "lat"},
            crs="bd09",
        ),
        Layout(
            "chat_group", Channel.CHAT_GROUP, "", "csv",
            ("消息编号", "群编号", "网格编码", "发送人", "消息", "时间"),
            {"ref": "消息编号", "grid": "网格编码", "name": "发送人", "text": "消息",
             "time": "时间", "address": "群编号"},
        ),
    )
}  # fmt: skip

# 天网 event types → GB/T 30428 event classes (and the text of the case).
SKYNET_EVENTS = {
    "占道经营": "UE05",
    "暴露垃圾": "UE01",
    "违章停车": "UE05",
    "乱堆物料": "UE01",
    "非法小广告": "UE02",
    "道路积水": "UE04",
    "渣土撒漏": "UE03",
}
FIELDS = ("ref", "time", "title", "text", "name", "phone", "lng", "lat", "code", "grid", "address")


def file_for(directory: Path, layout: Layout) -> Path:
    return Path(directory) / f"{layout.key}.{layout.kind}"


def parse(path: Path, layout: Layout):
    """(line number, raw dict | None, error | None) per record."""
    text = decode(Path(path).read_bytes())
    f = layout.fields
    if layout.kind == "csv":
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader, [])]
        pos = {name: i for i, name in enumerate(header)}
        missing = [c for c in f.values() if c not in pos]
        if missing:
            raise ValueError("缺少列:" + "、".join(sorted(set(missing))))
        idx = {k: pos[c] for k, c in f.items()}
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            yield line, {k: (row[i].strip() if i < len(row) else "") for k, i in idx.items()}, None
    else:
        for line, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except ValueError:
                yield line, None, "JSON 格式错误"
                continue
            if not isinstance(obj, dict):
                yield line, None, "JSON 格式错误"
                continue
            yield line, {k: str(obj.get(c, "") or "").strip() for k, c in f.items()}, None
