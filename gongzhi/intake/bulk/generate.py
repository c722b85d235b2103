"""Synthetic channel records over the real grids, with real message texts.

Points are drawn inside real grid polygons (a few interior points per grid,
sampled once); texts come from ``data/citizen-messages`` (messages_with_votes
and dev_raw, raw as residents wrote them); times spread over ``days`` days.
``echo_share`` of the records repeat an earlier record's problem through
another channel (same text, ≤ 60 m away, 1–48 h later) so dedupe has work;
``broken`` records are broken on purpose (missing text, bad date, a point in
the sea or outside Anhui, an unknown grid) for the error report.
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

from ..textio import read_csv_rows
from .formats import LAYOUTS, SKYNET_EVENTS, file_for

POINTS_PER_GRID = 6
URBAN_CODES = [f"U{k}0{n}" for k in "CE" for n in range(1, 7)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
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


def message_pool() -> list[tuple[str, str]]:
    base = Path(settings.BASE_DIR) / "data" / "citizen-messages"
    out = []
    _h, rows = read_csv_rows(base / "messages_with_votes.csv")
    out += [(r.get("留言主题", ""), r.get("留言详情", "")) for r in rows]
    _h, rows = read_csv_rows(base / "dev_raw.csv")
    out += [(r.get("title", ""), r.get("detail", "")) for r in rows]
    return [(t[:90], d[:600]) for t, d in out if t and d]


def grid_points(seed: int = 7, limit: int | None = None):
    """(codes, lng array [n, k], lat array [n, k]) of interior points per grid."""
    from gongzhi.org.models import Division

    rows = list(
        Division.objects.filter(level=Level.GRID, boundary__isnull=False)
        .order_by("code")
        .values_list("code", "boundary")[: limit or None]
    )
    codes = [r[0] for r in rows]
    geoms = from_wkb_many(r[1] for r in rows)
    rng = np.random.default_rng(seed)
    xs = np.empty((len(codes), POINTS_PER_GRID))
    ys = np.empty((len(codes), POINTS_PER_GRID))
    b = shapely.bounds(geoms)
    for i, g in enumerate(geoms):
        x0, y0, x1, y1 = b[i]
        cx = rng.uniform(x0, x1, POINTS_PER_GRID * 6)
        cy = rng.uniform(y0, y1, POINTS_PER_GRID * 6)
        inside = shapely.contains_xy(g, cx, cy)
        px, py = cx[inside][:POINTS_PER_GRID], cy[inside][:POINTS_PER_GRID]
        if len(px) < POINTS_PER_GRID:
            p = shapely.point_on_surface(g)
            px = np.concatenate([px, np.full(POINTS_PER_GRID - len(px), p.x)])
            py = np.concatenate([py, np.full(POINTS_PER_GRID - len(py), p.y)])
        xs[i], ys[i] = px, py
    # Keep only points the territory index puts in their own grid (on a shared
    # border another leaf may win); a grid with none is left out.
    from gongzhi.org.geo.index import get_index

    located = get_index().locate_many(xs.ravel(), ys.ravel()).reshape(xs.shape)
    good = located == np.asarray(codes, dtype=object)[:, None]
    keep = good.any(axis=1)
    for i in np.nonzero(keep & ~good.all(axis=1))[0]:
        j = int(np.argmax(good[i]))
        xs[i, ~good[i]], ys[i, ~good[i]] = xs[i, j], ys[i, j]
    codes = [c for c, k in zip(codes, keep, strict=True) if k]
    return codes, xs[keep], ys[keep]


def generate(out: Path, count: int, *, seed: int = 2024, days: int = 30, echo_share=0.05,
             broken: int = 0, start: datetime | None = None, grids_limit: int | None = None,
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
    weights = [WEIGHTS[k] for k in keys]
    writers, files = {}, []
    for key, lay in LAYOUTS.items():
        fh = file_for(out, lay).open("w", encoding="utf-8", newline="")
        files.append(fh)
        if lay.kind == "csv":
            w = csv.writer(fh)
            w.writerow(lay.columns)
            writers[key] = w
        else:
            writers[key] = fh
    counts = dict.fromkeys(LAYOUTS, 0)
    recent: list[tuple] = []  # for echoes
    n_grids = len(codes)
    for i in range(count):
        key = rnd.choices(keys, weights)[0]
        if recent and rnd.random() < echo_share:
            gi, pi, t, title, text = rnd.choice(recent)
            x = xs[gi, pi] + rnd.uniform(-0.0004, 0.0004)
            y = ys[gi, pi] + rnd.uniform(-0.0003, 0.0003)
            t = t + rnd.randint(3600, 48 * 3600)
            if key in ("skynet", "urban_management"):
                key = "hotline_12345"
        else:
            gi, pi = rnd.randrange(n_grids), rnd.randrange(POINTS_PER_GRID)
            x, y = xs[gi, pi], ys[gi, pi]
            t = rnd.randrange(span)
            title, text = rnd.choice(pool)
            if len(recent) < 20000:
                recent.append((gi, pi, t, title, text))
            else:
                recent[rnd.randrange(20000)] = (gi, pi, t, title, text)
        when = (start + timedelta(seconds=t)).strftime("%Y-%m-%d %H:%M:%S")
        counts[key] += 1
        ref = f"{key[:2].upper()}{i:08d}"
        name = rnd.choice(SURNAMES) + rnd.choice("先生女士")
        phone = f"1{rnd.randint(3, 9)}{rnd.randint(0, 999999999):09d}"
        w = writers[key]
        if key == "urban_management":
            w.writerow([ref, rnd.choice(URBAN_CODES), f"{title}。{text}", "", f"{x:.6f}",
                        f"{y:.6f}", when])  # fmt: skip
        elif key == "hotline_12345":
            gx, gy = coords.wgs84_to_gcj02(x, y)
            w.writerow([ref, when, title, text, name, phone, f"{gx:.6f}", f"{gy:.6f}"])
        elif key == "petition":
            w.write(json.dumps({"xfbh": ref, "xfsj": when, "bt": title, "nr": text, "xm": name,
                                "dh": phone, "lng": round(x, 6), "lat": round(y, 6)},
                               ensure_ascii=False) + "\n")  # fmt: skip
        elif key == "skynet":
            ev = rnd.choice(list(SKYNET_EVENTS))
            w.write(json.dumps({"alert_id": ref, "event_type": ev, "camera_id": f"CAM{gi:06d}",
                                "lng": round(x, 6), "lat": round(y, 6), "time": when},
                               ensure_ascii=False) + "\n")  # fmt: skip
        elif key == "police_110":
            w.writerow([ref, when, f"{title}。{text}", name, phone, f"{x:.6f}", f"{y:.6f}"])
        elif key == "grid_patrol":
            bx, by = coords.wgs84_to_bd09(x, y)
            w.write(json.dumps({"id": ref, "member": name, "time": when, "title": title,
                                "content": text, "lng": round(float(bx), 6),
                                "lat": round(float(by), 6)}, ensure_ascii=False) + "\n")  # fmt: skip  # noqa: E501
        else:  # chat_group: the bot knows the group's grid
            w.writerow([ref, f"Q{gi:06d}", codes[gi], name, f"{title} {text}", when])
        if progress is not None and i % 10000 == 0:
            progress(i)
    bad = _broken(writers, broken, codes[0], start)
    for fh in files:
        fh.close()
    return {"records": count, "broken": bad, "by_channel": counts, "grids": n_grids}


def _broken(writers, n: int, grid: str, start: datetime) -> int:
    """Records each wrong in one way, spread over the channels."""
    when = start.strftime("%Y-%m-%d %H:%M:%S")
    kinds = [
        lambda i: writers["hotline_12345"].writerow([f"BAD{i}", when, "标题", "", "", "", "117.3", "31.8"]),  # noqa: E501
        lambda i: writers["police_110"].writerow([f"BAD{i}", "2026-13-45 99:00:00", "路灯坏了", "", "", "117.3", "31.8"]),  # noqa: E501
        lambda i: writers["urban_management"].writerow([f"BAD{i}", "UC01", "井盖缺失", "", "122.9", "30.5", when]),  # noqa: E501
        lambda i: writers["urban_management"].writerow([f"BAD{i}", "UC01", "井盖缺失", "", "116.40", "39.90", when]),  # noqa: E501
        lambda i: writers["chat_group"].writerow([f"BAD{i}", "Q0", "349999999999999", "某人", "楼道灯坏了", when]),  # noqa: E501
        lambda i: writers["petition"].write("{not json\n"),
        lambda i: writers["grid_patrol"].write(json.dumps({"id": f"BAD{i}", "time": when, "title": "x", "content": "垃圾", "lng": "abc", "lat": ""}) + "\n"),  # noqa: E501
    ]  # fmt: skip
    for i in range(n):
        kinds[i % len(kinds)](i)
    return n
