"""Synthetic channel records over the real grids, with real message texts,
written in the seven adapters' own formats (docs/channels.md).

``DIR/<channel>/<channel>-NNNN.<ext>`` with at most ``per_file`` records each:
数字城管 CSV in GBK (as city platforms export it), 110 and 楼栋群 CSV in
UTF-8, 12345 / 天网 / 网格员 JSON arrays, 信访 XLSX. Points are drawn inside
real grid polygons (``POINTS_PER_GRID`` interior points per grid, checked
against the territory index); texts come from ``data/citizen-messages``
(messages_with_votes and dev_raw, raw as residents wrote them; a dev_raw text
filed through 12345 carries its label as the hotline class); times spread
over ``days`` days. ``echo_share`` of the records repeat an earlier record's
problem through another channel (same text, ≤ 60 m away, 1–48 h later) so
dedupe has work. ``broken`` records are each wrong in one way (missing field,
bad or future date, a point in the sea or outside Anhui, unknown code …) and
``broken_files`` files are unreadable, for the error report.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings

from gongzhi.org.constants import Level
from gongzhi.org.geo import coords
from gongzhi.org.geo.shapes import from_wkb_many

from ..channels.police_110 import Police110Adapter
from ..channels.skynet import EVENTS
from ..textio import read_csv_rows

POINTS_PER_GRID = 24
PER_FILE = 50_000
URBAN_CODES = [f"U{k}0{n}" for k in "CE" for n in range(1, 7)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
EVENT_NAMES = {
    "ILLEGAL_PARKING": "机动车违停",
    "STREET_VENDOR": "占道经营",
    "GARBAGE_OVERFLOW": "垃圾满溢",
    "ILLEGAL_AD": "违规广告",
    "CONSTRUCTION_DEBRIS": "渣土撒漏",
    "ROAD_DAMAGE": "道路破损",
    "MANHOLE_MISSING": "井盖缺失",
    "WATER_LOGGING": "道路积水",
    "FIRE_SMOKE": "烟火",
    "CROWD_GATHERING": "人员聚集",
}
# 110 classes: the built-in mapped ones and some only the classifier can place
POLICE_CLASSES = [*Police110Adapter.default_categories, "邻里纠纷", "求助", "其他"]
# channel weights: 12345 and 数字城管 carry most of the volume
WEIGHTS = {
    "hotline_12345": 30,
    "urban_management": 20,
    "grid_patrol": 15,
    "chat_group": 12,
    "skynet": 10,
    "police_110": 8,
    "petition": 5,
}
HEADERS = {
    "urban_management": ["案卷号", "问题类型", "大类代码", "小类代码", "问题描述", "地址", "X",
                         "Y", "坐标系", "上报时间", "紧急程度"],
    "police_110": ["警情编号", "接警时间", "报警人", "联系电话", "发生地址", "经度", "纬度",
                   "警情类别", "简要警情"],
    "chat_group": ["msgId", "groupName", "groupDivision", "sender", "sentAt", "text"],
    "petition": ["信访件编号", "信访人", "联系电话", "登记日期", "问题属地", "经度", "纬度",
                 "信访事项", "问题分类"],
}  # fmt: skip
KIND = {
    "urban_management": "csv",
    "police_110": "csv",
    "chat_group": "csv",
    "petition": "xlsx",
    "hotline_12345": "json",
    "skynet": "json",
    "grid_patrol": "json",
}
ENCODING = {"urban_management": "gbk"}


def message_pool() -> list[tuple[str, str, str]]:
    """(title, detail, label or '') of the real messages."""
    base = Path(settings.BASE_DIR) / "data" / "citizen-messages"
    out = []
    _h, rows = read_csv_rows(base / "messages_with_votes.csv")
    out += [(r.get("留言主题", ""), r.get("留言详情", ""), "") for r in rows]
    _h, rows = read_csv_rows(base / "dev_raw.csv")
    out += [(r.get("title", ""), r.get("detail", ""), r.get("label", "")) for r in rows]
    # GBK cannot hold every character residents type; keep what a GBK export can
    pool = []
    for t, d, label in out:
        t, d = t.strip()[:90], d.strip()[:600]
        if t and len(d) >= 4:
            pool.append((_gbk_safe(t), _gbk_safe(d), label))
    return pool


def _gbk_safe(s: str) -> str:
    return s.encode("gbk", errors="replace").decode("gbk").replace("\r", " ")


def grid_points(seed: int = 7, limit: int | None = None):
    """(codes, centres, lng array [n, k], lat array [n, k]) of interior points per grid."""
    from gongzhi.org.geo.index import get_index
    from gongzhi.org.models import Division

    rows = list(
        Division.objects.filter(level=Level.GRID, boundary__isnull=False)
        .order_by("code")
        .values_list("code", "boundary")[: limit or None]
    )
    codes = [r[0] for r in rows]
    if not codes:
        return [], np.empty((0, POINTS_PER_GRID)), np.empty((0, POINTS_PER_GRID))
    geoms = from_wkb_many(r[1] for r in rows)
    rng = np.random.default_rng(seed)
    k = POINTS_PER_GRID
    b = shapely.bounds(geoms)
    # candidates in each grid's box, vectorised; keep those inside the grid
    m = k * 4
    cx = rng.uniform(b[:, [0]], b[:, [2]], (len(codes), m))
    cy = rng.uniform(b[:, [1]], b[:, [3]], (len(codes), m))
    owner = np.repeat(np.asarray(geoms, dtype=object), m)
    inside = shapely.contains_xy(owner, cx.ravel(), cy.ravel()).reshape(cx.shape)
    surface = shapely.point_on_surface(geoms)
    sx, sy = shapely.get_x(surface), shapely.get_y(surface)
    xs = np.repeat(sx[:, None], k, axis=1)
    ys = np.repeat(sy[:, None], k, axis=1)
    for i in range(len(codes)):
        px, py = cx[i][inside[i]][:k], cy[i][inside[i]][:k]
        xs[i, : len(px)], ys[i, : len(py)] = px, py
    # Keep only points the territory index puts in their own grid (on a shared
    # border another leaf may win); a grid with none is left out.
    located = get_index().locate_many(xs.ravel(), ys.ravel()).reshape(xs.shape)
    good = located == np.asarray(codes, dtype=object)[:, None]
    keep = good.any(axis=1)
    for i in np.nonzero(keep & ~good.all(axis=1))[0]:
        j = int(np.argmax(good[i]))
        xs[i, ~good[i]], ys[i, ~good[i]] = xs[i, j], ys[i, j]
    codes = [c for c, kk in zip(codes, keep, strict=True) if kk]
    return codes, xs[keep], ys[keep]


class _Out:
    """One channel's files, rotated every ``per_file`` records."""

    def __init__(self, root: Path, channel: str, per_file: int):
        self.dir = root / channel
        self.dir.mkdir(parents=True, exist_ok=True)
        self.channel, self.kind, self.per_file = channel, KIND[channel], per_file
        self.n_file, self.in_file, self.rows = 0, 0, []
        self.fh = self.writer = None

    def _name(self, tag: str = "") -> Path:
        return self.dir / f"{self.channel}-{tag or f'{self.n_file:04d}'}.{self.kind}"

    def add(self, row) -> None:
        if self.in_file == 0:
            self.n_file += 1
            if self.kind == "csv":
                enc = ENCODING.get(self.channel, "utf-8")
                self.fh = self._name().open("w", encoding=enc, newline="", errors="replace")
                self.writer = csv.writer(self.fh)
                self.writer.writerow(HEADERS[self.channel])
        if self.kind == "csv":
            self.writer.writerow(row)
        else:
            self.rows.append(row)
        self.in_file += 1
        if self.in_file >= self.per_file:
            self.flush()

    def flush(self) -> None:
        if self.in_file == 0:
            return
        if self.kind == "csv":
            self.fh.close()
        elif self.kind == "json":
            with self._name().open("w", encoding="utf-8") as fh:
                json.dump(self.rows, fh, ensure_ascii=False)
        else:
            write_xlsx(self._name(), HEADERS[self.channel], self.rows)
        self.rows, self.in_file = [], 0


def write_xlsx(path: Path, header: list, rows: list) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("信访登记")
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)


def generate(out: Path, count: int, *, seed: int = 2024, days: int = 30, echo_share=0.05,
             broken: int = 0, broken_files: int = 0, start: datetime | None = None,
             grids_limit: int | None = None, per_file: int = PER_FILE,
             progress=None) -> dict:  # fmt: skip
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    pool = message_pool()
    codes, xs, ys = grid_points(seed, grids_limit)
    if not codes:
        raise ValueError("没有带边界的网格:请先导入区划与网格")
    start = start or datetime(2026, 1, 5, 8, 0, 0)  # noqa: DTZ001 (local time, as sources write it)
    span = days * 86400
    keys = list(WEIGHTS)
    cum = np.cumsum([WEIGHTS[k] for k in keys]) / sum(WEIGHTS.values())
    outs = {k: _Out(out, k, per_file) for k in WEIGHTS}
    counts = dict.fromkeys(WEIGHTS, 0)
    recent: list[tuple] = []  # for echoes
    n_grids = len(codes)
    events = list(EVENTS)
    for i in range(count):
        key = keys[int(np.searchsorted(cum, rnd.random(), side="right"))]
        if recent and rnd.random() < echo_share:
            gi, pi, t, msg = rnd.choice(recent)
            x = xs[gi, pi] + rnd.uniform(-0.0004, 0.0004)
            y = ys[gi, pi] + rnd.uniform(-0.0003, 0.0003)
            t = t + rnd.randint(3600, 48 * 3600)
            if key in ("skynet", "urban_management"):
                key = "hotline_12345"
        else:
            gi, pi = rnd.randrange(n_grids), rnd.randrange(POINTS_PER_GRID)
            x, y = float(xs[gi, pi]), float(ys[gi, pi])
            t = rnd.randrange(span)
            msg = rnd.choice(pool)
            if len(recent) < 20000:
                recent.append((gi, pi, t, msg))
            else:
                recent[rnd.randrange(20000)] = (gi, pi, t, msg)
        title, text, label = msg
        when = (start + timedelta(seconds=t)).strftime("%Y-%m-%d %H:%M:%S")
        counts[key] += 1
        ref = f"{key[:2].upper()}{i:08d}"
        name = rnd.choice(SURNAMES) + rnd.choice(("先生", "女士"))
        phone = f"1{rnd.randint(3, 9)}{rnd.randint(0, 999999999):09d}"
        o = outs[key]
        if key == "urban_management":
            top = rnd.choice(URBAN_CODES)
            kind = "部件" if top[1] == "C" else "事件"
            o.add([ref, kind, top, f"{top}0{rnd.randint(1, 9)}", f"{title}。{text}", "",
                   f"{x:.6f}", f"{y:.6f}", "wgs84", when, "一般"])  # fmt: skip
        elif key == "hotline_12345":
            gx, gy = coords.wgs84_to_gcj02(x, y)
            o.add({"workOrderNo": ref, "title": title, "content": text, "category": label,
                   "urgency": "一般", "address": "", "lng": round(float(gx), 6),
                   "lat": round(float(gy), 6), "coordSystem": "gcj02", "acceptTime": when,
                   "callerName": name, "callerPhone": phone})  # fmt: skip
        elif key == "petition":
            o.add([ref, name, phone, when, "", round(x, 6), round(y, 6), f"{title}。{text}",
                   label])  # fmt: skip
        elif key == "skynet":
            ev = rnd.choice(events)
            cam = f"34{gi:08d}{pi:02d}13100"
            o.add({"alarmId": ref, "eventType": ev, "eventName": EVENT_NAMES[ev],
                   "cameraId": cam, "cameraName": f"网格{gi}点位{pi}",
                   "position": {"lng": round(x, 6), "lat": round(y, 6)},
                   "alarmTime": when.replace(" ", "T") + "+08:00",
                   "score": round(rnd.uniform(0.6, 0.99), 2)})  # fmt: skip
        elif key == "police_110":
            o.add([ref, when, name, phone, "", f"{x:.6f}", f"{y:.6f}",
                   rnd.choice(POLICE_CLASSES), f"{title}。{text}"])  # fmt: skip
        elif key == "grid_patrol":
            bx, by = coords.wgs84_to_bd09(x, y)
            o.add({"id": ref, "gridCode": codes[gi], "memberAccount": f"wg{gi:06d}",
                   "reportedAt": when, "category": rnd.choice(URBAN_CODES), "title": title,
                   "description": text, "urgency": "一般", "lng": round(float(bx), 6),
                   "lat": round(float(by), 6), "crs": "bd09"})  # fmt: skip
        else:  # chat_group: the building group of one grid
            o.add([ref, f"网格{gi}居民群", codes[gi], name, when, text[:2000]])
        if progress is not None and i % 10000 == 0:
            progress(i)
    bad = _broken(outs, broken, start)
    for o in outs.values():
        o.flush()
    for n in range(broken_files):
        (out / "skynet" / f"skynet-broken-{n}.json").write_text('[{"alarmId": "X1",', "utf-8")
    return {"records": count, "broken": bad, "broken_files": broken_files,
            "by_channel": counts, "grids": n_grids}  # fmt: skip


# Each broken record is wrong in exactly one way; the reason the adapter gives.
BROKEN = [
    ("hotline_12345", lambda i, w: {"workOrderNo": f"BAD{i}", "title": "标题", "content": "",
                                    "lng": 117.3, "lat": 31.8, "acceptTime": w}),
    ("police_110", lambda i, w: [f"BAD{i}", "2026-13-45 99:00:00", "", "", "", "117.3", "31.8",
                                 "", "路灯坏了"]),
    ("urban_management", lambda i, w: [f"BAD{i}", "部件", "UC01", "", "井盖缺失", "", "122.9",
                                       "30.5", "", w, ""]),  # in the sea
    ("urban_management", lambda i, w: [f"BAD{i}", "部件", "UC01", "", "井盖缺失", "", "116.40",
                                       "39.90", "", w, ""]),  # Beijing
    ("chat_group", lambda i, w: [f"BAD{i}", "某群", "34A", "某人", w, "楼道灯坏了好几天"]),
    ("skynet", lambda i, w: {"alarmId": f"BAD{i}", "eventType": "UFO", "cameraId": "C1",
                             "position": {"lng": 117.3, "lat": 31.8}, "alarmTime": w}),
    ("grid_patrol", lambda i, w: {"id": f"BAD{i}", "category": "UC01", "description": "垃圾",
                                  "reportedAt": w, "lng": "abc", "lat": ""}),
    ("petition", lambda i, w: [f"BAD{i}", "", "", w, "", 117.3, 31.8, "噪音扰民", ""]),
    ("hotline_12345", lambda i, w: {"workOrderNo": f"BAD{i}", "content": "路面坑洼",
                                    "lng": 117.3, "lat": 31.8, "acceptTime": "2099-01-01"}),
    ("urban_management", lambda i, w: [f"BAD{i}", "", "UX09", "", "井盖缺失", "", "117.3",
                                       "31.8", "", w, ""]),
]  # fmt: skip


def _broken(outs: dict, n: int, start: datetime) -> int:
    when = start.strftime("%Y-%m-%d %H:%M:%S")
    for i in range(n):
        channel, make = BROKEN[i % len(BROKEN)]
        outs[channel].add(make(i, when))
    return n
