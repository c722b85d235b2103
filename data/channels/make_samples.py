"""Write the sample files of every channel (good and broken ones).

    .venv/bin/python data/channels/make_samples.py

Points are in 包河区 (340111), which the test territory has grids for.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
P1 = (117.30, 31.80)
P2 = (117.35, 31.78)
P3 = (117.2761576, 31.8341891)
SEA = (122.5, 31.0)  # East China Sea
BEIJING = (116.40, 39.90)


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))


def write_json(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "信访登记"
    ws.append(header)
    for r in rows:
        ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def urban() -> None:
    h = [
        "案卷号",
        "问题类型",
        "大类代码",
        "小类代码",
        "问题描述",
        "地址",
        "X",
        "Y",
        "坐标系",
        "上报时间",
        "紧急程度",
    ]
    good = [
        [
            "UM2026110001",
            "部件",
            "UC01",
            "UC0101",
            "上水井盖破损,行人易踩空。",
            "包河区太湖路",
            *P1,
            "wgs84",
            "2026-11-20 09:12:00",
            "一般",
        ],
        [
            "UM2026110002",
            "事件",
            "UE01",
            "UE0104",
            "道路两侧暴露垃圾堆积,散发异味。",
            "包河区马鞍山路",
            *P2,
            "wgs84",
            "2026/11/21 14:30",
            "紧急",
        ],
        [
            "UM2026110003",
            "事件",
            "05",
            "",
            "商户占道经营,影响通行。",
            "包河区望江路",
            *P3,
            "wgs84",
            "2026-11-22",
            "",
        ],
    ]
    write_csv(HERE / "urban_management" / "good.csv", h, good)
    gbk = [
        [
            "UM2026110101",
            "部件",
            "UC03",
            "",
            "果壳箱破损需要更换。",
            "包河区徽州大道",
            *P1,
            "wgs84",
            "2026-11-23 08:00:00",
            "一般",
        ]
    ]
    write_csv(HERE / "urban_management" / "gbk.csv", h, gbk, encoding="gbk")
    broken = [
        [
            "UM2026110201",
            "部件",
            "UC01",
            "",
            "路灯不亮。",
            "包河区",
            *P1,
            "wgs84",
            "2026-11-24 08:00:00",
            "一般",
        ],  # good
        [
            "",
            "部件",
            "UC01",
            "",
            "缺案卷号。",
            "包河区",
            *P1,
            "wgs84",
            "2026-11-24 08:00:00",
            "一般",
        ],
        [
            "UM2026110203",
            "事件",
            "UE01",
            "",
            "",
            "包河区",
            *P1,
            "wgs84",
            "2026-11-24 08:00:00",
            "一般",
        ],
        [
            "UM2026110204",
            "事件",
            "UE01",
            "",
            "日期错误。",
            "包河区",
            *P1,
            "wgs84",
            "2026-13-45 25:00",
            "一般",
        ],
        [
            "UM2026110205",
            "事件",
            "UE01",
            "",
            "坐标在海上。",
            "东海",
            *SEA,
            "wgs84",
            "2026-11-24 08:00:00",
            "一般",
        ],
        [
            "UM2026110206",
            "事件",
            "UE01",
            "",
            "坐标在北京。",
            "北京",
            *BEIJING,
            "wgs84",
            "2026-11-24 08:00:00",
            "一般",
        ],
        [
            "UM2026110207",
            "部件",
            "UX99",
            "",
            "未知大类。",
            "包河区",
            *P1,
            "wgs84",
            "2026-11-24 08:00:00",
            "一般",
        ],
        [
            "UM2026110208",
            "事件",
            "UE01",
            "",
            "紧急程度错误。",
            "包河区",
            *P1,
            "wgs84",
            "2026-11-24 08:00:00",
            "很急",
        ],
    ]
    write_csv(HERE / "urban_management" / "broken.csv", h, broken)


def hotline() -> None:
    def order(n, **kw):
        base = {
            "workOrderNo": f"HL20261120{n:04d}",
            "title": "小区路灯不亮",
            "content": "小区门口路灯连续三晚不亮,夜间出行不便,请尽快维修。",
            "category": "城乡建设",
            "urgency": "一般",
            "address": "包河区太湖路",
            "lng": P1[0],
            "lat": P1[1],
            "coordSystem": "wgs84",
            "acceptTime": "2026-11-20 09:30:00",
            "callerName": "张先生",
            "callerPhone": "13800000000",
        }
        base.update(kw)
        return base

    write_json(
        HERE / "hotline_12345" / "good.json",
        [
            order(1),
            order(
                2,
                title="道路积水",
                content="马鞍山路下穿道积水严重,车辆无法通行。",
                lng=P2[0],
                lat=P2[1],
                urgency="紧急",
            ),
        ],
    )
    write_json(
        HERE / "hotline_12345" / "broken.json",
        [
            order(11),
            {k: v for k, v in order(12).items() if k != "content"},
            order(13, acceptTime="昨天下午"),
            order(14, lng=SEA[0], lat=SEA[1]),
            order(15, lng="", lat=""),
            order(16, callerPhone="call me"),
        ],
    )


def petition() -> None:
    h = [
        "信访件编号",
        "信访人",
        "联系电话",
        "登记日期",
        "问题属地",
        "经度",
        "纬度",
        "信访事项",
        "问题分类",
    ]
    good = [
        [
            "XF2026110001",
            "李某",
            "13900000000",
            "2026-11-18",
            "包河区常青街道",
            *P3,
            "小区物业长期不处理楼道堆物,消防通道被占。",
            "物业管理",
        ],
        [
            "XF2026110002",
            "王某",
            "0551-6000000",
            "2026-11-19",
            "包河区",
            *P1,
            "反映拆迁安置房迟迟未交付。",
            "城乡建设",
        ],
    ]
    write_xlsx(HERE / "petition" / "good.xlsx", h, good)
    broken = [
        [
            "XF2026110101",
            "赵某",
            "13700000000",
            "2026-11-18",
            "包河区",
            *P1,
            "楼道堆物未清理。",
            "物业管理",
        ],
        ["XF2026110102", "", "13700000000", "2026-11-18", "包河区", *P1, "缺信访人。", "物业管理"],
        [
            "XF2026110103",
            "钱某",
            "13700000000",
            "2026-02-30",
            "包河区",
            *P1,
            "日期错误。",
            "物业管理",
        ],
        [
            "XF2026110104",
            "孙某",
            "13700000000",
            "2026-11-18",
            "上海",
            121.47,
            31.23,
            "坐标在安徽省外。",
            "物业管理",
        ],
    ]
    write_xlsx(HERE / "petition" / "broken.xlsx", h, broken)


def skynet() -> None:
    def alarm(n, **kw):
        base = {
            "alarmId": f"SK2026112000{n:04d}",
            "eventType": "ILLEGAL_PARKING",
            "eventName": "机动车违停",
            "cameraId": "34011100001310000001",
            "cameraName": "太湖路与徽州大道交口",
            "position": {"lng": P1[0], "lat": P1[1]},
            "alarmTime": "2026-11-20T08:00:00+08:00",
            "score": 0.93,
            "imageUrl": "https://video.example.cn/snap/1.jpg",
        }
        base.update(kw)
        return base

    write_json(
        HERE / "skynet" / "good.json",
        [
            alarm(1),
            alarm(
                2,
                eventType="FIRE_SMOKE",
                eventName="烟火检测",
                position={"lng": P2[0], "lat": P2[1]},
            ),
        ],
    )
    write_json(
        HERE / "skynet" / "broken.json",
        [
            alarm(11, eventType="GARBAGE_OVERFLOW", eventName="垃圾满溢"),
            alarm(12, eventType="UFO_SIGHTING"),
            alarm(13, position={"lng": SEA[0], "lat": SEA[1]}),
            alarm(14, alarmTime="2026-11-20 25:61"),
            {k: v for k, v in alarm(15).items() if k != "cameraId"},
        ],
    )


def police() -> None:
    h = [
        "警情编号",
        "接警时间",
        "报警人",
        "联系电话",
        "发生地址",
        "经度",
        "纬度",
        "警情类别",
        "简要警情",
    ]
    good = [
        [
            "J3401112026112000001",
            "2026-11-20 23:10:00",
            "周某",
            "13600000000",
            "包河区望江路",
            *P1,
            "噪音扰民",
            "楼下烧烤店深夜噪音扰民。",
        ],
        [
            "J3401112026112000002",
            "2026-11-21 07:40:00",
            "吴某",
            "13600000001",
            "包河区马鞍山路",
            *P2,
            "井盖缺失",
            "路口井盖缺失,有人险些掉落。",
        ],
    ]
    write_csv(HERE / "police_110" / "good.csv", h, good, encoding="gbk")
    broken = [
        [
            "J3401112026112000011",
            "2026-11-20 23:10:00",
            "郑某",
            "13600000000",
            "包河区",
            *P1,
            "噪音扰民",
            "广场舞噪音。",
        ],
        [
            "J3401112026112000012",
            "",
            "郑某",
            "13600000000",
            "包河区",
            *P1,
            "噪音扰民",
            "缺接警时间。",
        ],
        [
            "J3401112026112000013",
            "2026-11-20 23:10:00",
            "郑某",
            "13600000000",
            "包河区",
            "abc",
            "31.8",
            "噪音扰民",
            "坐标错误。",
        ],
        [
            "J3401112026112000014",
            "2026-11-20 23:10:00",
            "郑某",
            "13600000000",
            "海上",
            *SEA,
            "噪音扰民",
            "坐标在海上。",
        ],
    ]
    write_csv(HERE / "police_110" / "broken.csv", h, broken, encoding="gbk")


def grid_patrol() -> None:
    def rec(n, **kw):
        base = {
            "id": f"GP-20261120-{n:04d}",
            "gridCode": "340111010001005",
            "memberAccount": "wgy001",
            "reportedAt": "2026-11-20 10:00:00",
            "category": "UC01",
            "title": "路灯损坏",
            "description": "巡查发现小区东门路灯灯罩脱落。",
            "urgency": "一般",
            "lng": P1[0],
            "lat": P1[1],
            "crs": "wgs84",
        }
        base.update(kw)
        return base

    write_json(
        HERE / "grid_patrol" / "good.json",
        [
            rec(1),
            rec(
                2,
                category="UE01",
                title="垃圾堆积",
                description="绿化带内堆放建筑垃圾。",
                lng=P2[0],
                lat=P2[1],
            ),
        ],
    )
    write_json(
        HERE / "grid_patrol" / "broken.json",
        [
            rec(11),
            rec(12, category="ZZ99"),
            rec(13, reportedAt="2099-01-01 00:00:00"),
            rec(14, lng=BEIJING[0], lat=BEIJING[1]),
            {k: v for k, v in rec(15).items() if k != "id"},
        ],
    )


def chat() -> None:
    h = ["msgId", "groupName", "groupDivision", "sender", "sentAt", "text"]
    rows = [
        [
            "WX-20261120-0001",
            "某小区业主群",
            "340111",
            "业主A",
            "2026-11-20 20:15:00",
            "楼道灯坏了好几天了,没人管",
        ],
        ["WX-20261120-0002", "某小区业主群", "340111", "业主B", "2026-11-20 20:16:00", "好"],
        [
            "WX-20261120-0003",
            "某小区业主群",
            "34x",
            "业主C",
            "2026-11-20 20:17:00",
            "区划编码错误的消息内容",
        ],
        ["", "某小区业主群", "340111", "业主D", "2026-11-20 20:18:00", "缺消息编号的消息"],
    ]
    write_csv(HERE / "chat_group" / "sample.csv", h, rows, encoding="gbk")


if __name__ == "__main__":
    urban()
    hotline()
    petition()
    skynet()
    police()
    grid_patrol()
    chat()
