"""parse → validate → locate → classify → dedupe → route → persist.

Every stage works on whole columns: one vectorised ``locate_many`` call, one
classifier batch over the *distinct* texts, dedupe by blocking on ~200 m
cells and time (linear: each record meets only its 9 neighbouring cells'
records of the last 7 days), routing memoised per (category, territory key),
and cases written in batches with ``executemany`` together with their first
timeline event (and, for merged duplicates, the merge event and the master's
new reporter) — one transaction per batch, so a batch is all or nothing.
"""

from __future__ import annotations

import json
import math
import time as _time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.cases.constants import Action, Status, UnitType, Urgency
from gongzhi.cases.models import Case, CaseEvent, CaseReporter, CaseSequence, Category
from gongzhi.org.constants import CODE_LENGTH, Level
from gongzhi.org.geo import coords
from gongzhi.org.geo.index import get_index

from .. import dedupe as D
from ..locate import urgency as urgency_of
from .formats import LAYOUTS, SKYNET_EVENTS, file_for, parse

TZ = ZoneInfo("Asia/Shanghai")
BATCH = 20_000
ANHUI_BBOX = (114.8, 29.3, 119.7, 34.7)
CELL_DEG_LAT = 0.0019  # ≈ 211 m
CELL_DEG_LNG = 0.0022  # ≈ 211 m at 31° N
# intake.locate's keyword urgency → the case's urgency
URGENCY = {"urgent": Urgency.CRITICAL, "high": Urgency.URGENT, "normal": Urgency.NORMAL}


@dataclass
class Report:
    read: int = 0
    imported: int = 0
    merged: int = 0
    suggested: int = 0
    skipped_existing: int = 0
    errors: list = field(default_factory=list)  # (file, line, ref, reason)
    seconds: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "imported": self.imported,
            "merged": self.merged,
            "suggested": self.suggested,
            "skipped_existing": self.skipped_existing,
            "errors": len(self.errors),
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


class _Progress:
    def __init__(self, total: int, enabled: bool, desc: str):
        self.bar = None
        self.total, self.n, self.enabled, self.desc = total, 0, enabled, desc
        if enabled:
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=total, desc=desc, unit="件")
            except ImportError:
                self.bar = None
        self.last = 0.0

    def update(self, k: int) -> None:
        self.n += k
        if self.bar is not None:
            self.bar.update(k)
        elif self.enabled and (_time.monotonic() - self.last > 1 or self.n >= self.total):
            self.last = _time.monotonic()
            pct = 100 * self.n / max(self.total, 1)
            bar = "#" * int(pct / 4)
            print(
                f"\r{self.desc} [{bar:<25}] {self.n}/{self.total} {pct:5.1f}%", end="", flush=True
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print()


def _time_of(s: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(s.replace("/", "-"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=TZ)


def _float(s: str) -> float:
    try:
        v = float(s)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


class Columns:
    """The records that passed validation, as parallel lists."""

    def __init__(self):
        self.channel, self.ref, self.when, self.title, self.text = [], [], [], [], []
        self.name, self.phone, self.lng, self.lat, self.code, self.grid = [], [], [], [], [], []
        self.address, self.crs, self.origin = [], [], []
        self.intern: dict[str, str] = {}

    def s(self, v: str) -> str:
        return self.intern.setdefault(v, v)

    def __len__(self):
        return len(self.ref)


def read_dir(directory: Path, report: Report, known_grids: set[str]) -> Columns:
    cols = Columns()
    seen = set()
    for key, lay in LAYOUTS.items():
        path = file_for(directory, lay)
        if not path.exists():
            continue
        try:
            rows = list(parse(path, lay))
        except ValueError as exc:
            report.errors.append((path.name, 0, "", str(exc)))
            continue
        for line, r, err in rows:
            report.read += 1
            if err:
                report.errors.append((path.name, line, "", err))
                continue
            reason = None
            ref = r.get("ref", "")
            when = _time_of(r.get("time", ""))
            text = r.get("text", "")
            title = r.get("title", "")
            if not ref:
                reason = "缺少来源编号"
            elif len(ref) + len(lay.ref_prefix) > 64:
                reason = "来源编号过长"
            elif not text:
                reason = "缺少问题描述"
            elif when is None:
                reason = "时间缺失或格式不正确"
            ref = lay.ref_prefix + ref
            if reason is None and (lay.case_channel, ref) in seen:
                reason = "文件内来源编号重复"
            x, y, grid = math.nan, math.nan, ""
            if reason is None:
                if key == "chat_group":
                    grid = r.get("grid", "")
                    if grid not in known_grids:
                        reason = "群所属网格编码未知"
                else:
                    x, y = _float(r.get("lng")), _float(r.get("lat"))
                    if math.isnan(x) or math.isnan(y):
                        reason = "坐标缺失或格式不正确"
                    elif not (
                        ANHUI_BBOX[0] <= x <= ANHUI_BBOX[2] and ANHUI_BBOX[1] <= y <= ANHUI_BBOX[3]
                    ):
                        reason = "坐标不在安徽省范围内"
            if reason is not None:
                report.errors.append((path.name, line, ref, reason))
                continue
            seen.add((lay.case_channel, ref))
            code = r.get("code", "")
            if key == "skynet":
                code = SKYNET_EVENTS.get(code, "UE06")
                text = f"{r.get('text')}(天网告警,点位 {r.get('address', '')})"
            if not title:
                title = text[:30]
            cols.channel.append(lay.case_channel)
            cols.ref.append(ref)
            cols.when.append(when)
            cols.title.append(cols.s(title[:100]))
            cols.text.append(cols.s(text[:4000]))
            cols.name.append(r.get("name", "")[:32])
            cols.phone.append(r.get("phone", "")[:32])
            cols.lng.append(x)
            cols.lat.append(y)
            cols.code.append(code)
            cols.grid.append(grid)
            cols.address.append(r.get("address", "")[:200])
            cols.crs.append(lay.crs)
            cols.origin.append((path.name, line))
    return cols


def _keep(cols: Columns, mask) -> Columns:
    out = Columns()
    for name in ("channel", "ref", "when", "title", "text", "name", "phone", "lng", "lat",
                 "code", "grid", "address", "crs", "origin"):  # fmt: skip
        src = getattr(cols, name)
        setattr(out, name, [v for v, k in zip(src, mask, strict=True) if k])
    return out


def locate(cols: Columns, report: Report) -> list[str]:
    """WGS-84 coordinates (converted per source CRS) and the finest node per record."""
    x = np.asarray(cols.lng, dtype=np.float64)
    y = np.asarray(cols.lat, dtype=np.float64)
    crs = np.asarray(cols.crs, dtype=object)
    for name in ("gcj02", "bd09"):
        m = crs == name
        if m.any():
            x[m], y[m] = coords.to_wgs84(x[m], y[m], name)
    index = get_index()
    chat = np.asarray([bool(g) for g in cols.grid])
    codes = np.full(len(x), None, dtype=object)
    if (~chat).any():
        codes[~chat] = index.locate_many(x[~chat], y[~chat])
    if chat.any():
        from gongzhi.org.models import Division

        wanted = set(np.asarray(cols.grid, dtype=object)[chat].tolist())
        centres = {
            c: (a, b)
            for c, a, b in Division.objects.filter(code__in=wanted).values_list(
                "code", "center_lng", "center_lat"
            )
        }
        for i in np.nonzero(chat)[0]:
            g = cols.grid[i]
            a, b = centres.get(g, (None, None))
            codes[i] = g
            x[i], y[i] = (a, b) if a is not None else (math.nan, math.nan)
    cols.lng, cols.lat = x.tolist(), y.tolist()
    out = []
    for i, c in enumerate(codes):
        if c is None or math.isnan(cols.lng[i]):
            reason = "该位置不在本平台的服务区域(安徽省)内"
        elif len(c) < CODE_LENGTH[Level.COMMUNITY]:
            reason = "该位置尚未划分社区或网格"
        else:
            out.append(c)
            continue
        out.append(None)
        report.errors.append((*cols.origin[i], cols.ref[i], reason))
    return out


def classify(cols: Columns, classifier) -> tuple[list[int], list[str]]:
    """Category id and urgency per record; distinct texts are predicted once."""
    cats = {c.code: c for c in Category.objects.filter(is_active=True)}
    by_name = {c.name: c for c in cats.values() if c.code.startswith("T") and len(c.code) == 3}
    fallback = cats.get("T") or next(iter(cats.values()))
    need = sorted({f"{t} {d}" for t, d, c in zip(cols.title, cols.text, cols.code, strict=True)
                   if c not in cats})  # fmt: skip
    label_of: dict[str, int] = {}
    if need and classifier is not None:
        for start in range(0, len(need), 50_000):
            chunk = need[start : start + 50_000]
            preds = classifier.predict(chunk, subcategory=False)
            for text, p in zip(chunk, preds, strict=True):
                label_of[text] = (by_name.get(p.label) or fallback).pk
    urg_memo: dict[str, str] = {}
    cat_ids, urgencies = [], []
    for t, d, c in zip(cols.title, cols.text, cols.code, strict=True):
        key = f"{t} {d}"
        cat_ids.append(cats[c].pk if c in cats else label_of.get(key, fallback.pk))
        u = urg_memo.get(key)
        if u is None:
            u = urg_memo[key] = URGENCY.get(urgency_of(key).level, Urgency.NORMAL)
        urgencies.append(u)
    return cat_ids, urgencies


@dataclass
class Decision:
    master: int | None = None  # record index, or -(case id) for a case already stored
    score: float = 0.0
    reasons: dict | None = None
    suggest: int | None = None


def dedupe(cols: Columns, cat_codes: list[str], order: list[int], existing: list[dict]):
    """Blocked duplicate search; returns a Decision per record (by index)."""
    auto, suggest = D.thresholds()
    window = timedelta(days=D.window_days())
    radius = D.radius_m()
    cells: dict[tuple[int, int], list] = defaultdict(list)
    grams: dict[str, object] = {}

    def g(title, text):
        k = D.text_key(title, text)
        v = grams.get(k)
        if v is None:
            v = grams[k] = D.bigrams(k)
        return v

    def cell(x, y):
        return int(x / CELL_DEG_LNG), int(y / CELL_DEG_LAT)

    for e in existing:  # stored open cases (masters only)
        cells[cell(e["lng"], e["lat"])].append(
            (e["created_at"], -e["id"], e["lng"], e["lat"], e["code"], e["title"], e["text"])
        )
    decisions: dict[int, Decision] = {}
    for i in order:
        x, y, when = cols.lng[i], cols.lat[i], cols.when[i]
        cx, cy = cell(x, y)
        best = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for t, ref, ox, oy, code, title, text in cells.get((cx + dx, cy + dy), ()):
                    if t > when or when - t > window:
                        continue
                    if not D.categories_compatible(cat_codes[i], code):
                        continue
                    dist = float(D.haversine_m(x, y, ox, oy))
                    if dist > radius:
                        continue
                    score = D.cosine(g(cols.title[i], cols.text[i]), g(title, text))
                    if score >= suggest and (best is None or score > best[0]):
                        best = (score, ref, dist, (when - t).total_seconds() / 86400)
        if best is not None:
            score, ref, dist, days = best
            reasons = {"distance_m": round(dist, 1), "days": round(days, 2),
                       "text": round(score, 4), "bulk": True}  # fmt: skip
            if score >= auto:
                decisions[i] = Decision(master=ref, score=round(score, 4), reasons=reasons)
                continue  # a merged duplicate is never a master itself
            decisions[i] = Decision(suggest=ref, score=round(score, 4), reasons=reasons)
        cells[(cx, cy)].append((when, i, x, y, cat_codes[i], cols.title[i], cols.text[i]))
    return decisions


class Router:
    """``routing.route`` memoised on (category, the part of the path rules can see)."""

    def __init__(self):
        from gongzhi.cases.models import RoutingRule

        rules = RoutingRule.objects.filter(is_active=True)
        fine = {UnitType.GRID, UnitType.COMMUNITY}
        lengths = [len(r.territory_prefix) for r in rules]
        self.full = (
            any(r.unit_type in fine for r in rules)
            or Category.objects.filter(default_unit_type__in=fine).exists()
        )
        self.n = max([CODE_LENGTH[Level.STREET], *lengths])
        self.memo: dict = {}
        self.cats = {c.pk: c for c in Category.objects.select_related("parent")}
        self.ruled = {r.category_id for r in rules}
        self.sig: dict[int, tuple] = {}

    def _signature(self, cat_id: int) -> tuple:
        """What routing can see of a category: the ancestors that have rules and
        the nearest default unit type; categories alike route alike."""
        if cat_id not in self.sig:
            ruled, default, node, seen = [], "", self.cats[cat_id], set()
            while node is not None and node.pk not in seen:
                seen.add(node.pk)
                if node.pk in self.ruled:
                    ruled.append(node.pk)
                if not default and node.default_unit_type:
                    default = node.default_unit_type
                node = self.cats.get(node.parent_id)
            self.sig[cat_id] = (tuple(ruled), default) if ruled or default else ((), "")
        return self.sig[cat_id]

    def __call__(self, cat_id: int, path: str):
        from gongzhi.cases.routing import route

        key = (self._signature(cat_id), path if self.full else path[: self.n])
        if key not in self.memo:
            try:
                self.memo[key] = route(category=self.cats[cat_id], division_path=path).as_payload()
            except ValueError:
                self.memo[key] = None
        return self.memo[key]


def _existing_refs(cols: Columns) -> set[tuple[str, str]]:
    found = set()
    by_channel = defaultdict(list)
    for c, r in zip(cols.channel, cols.ref, strict=True):
        by_channel[c].append(r)
    for ch, refs in by_channel.items():
        for start in range(0, len(refs), 900):
            found.update(
                (ch, r)
                for r in Case.objects.filter(
                    channel=ch, source_ref__in=refs[start : start + 900]
                ).values_list("source_ref", flat=True)
            )
    return found


def run(directory: Path, *, classifier=None, progress: bool = False, batch: int = BATCH) -> Report:
    from gongzhi.org.models import Division

    report = Report()
    t0 = _time.perf_counter()
    clock = {"t": t0}

    def lap(name):
        now = _time.perf_counter()
        report.seconds[name] = now - clock["t"]
        clock["t"] = now

    known_grids = set(Division.objects.filter(level=Level.GRID).values_list("code", flat=True))
    cols = read_dir(Path(directory), report, known_grids)
    lap("parse_validate")
    existing = _existing_refs(cols)
    if existing:
        keep = [(c, r) not in existing for c, r in zip(cols.channel, cols.ref, strict=True)]
        report.skipped_existing = len(cols) - sum(keep)
        cols = _keep(cols, keep)
    lap("idempotency")
    paths = locate(cols, report)
    keep = [p is not None for p in paths]
    cols = _keep(cols, keep)
    paths = [p for p in paths if p is not None]
    lap("locate")
    cat_ids, urgencies = classify(cols, classifier)
    lap("classify")
    code_of = {c.pk: c.code for c in Category.objects.only("code")}
    cat_codes = [code_of[c] for c in cat_ids]
    order = sorted(range(len(cols)), key=lambda i: (cols.when[i], i))
    existing_cases = []
    if cols.when:
        since = min(cols.when) - timedelta(days=D.window_days())
        existing_cases = [
            {"id": pk, "lng": x, "lat": y, "created_at": t, "code": code, "title": ti, "text": tx}
            for pk, x, y, t, code, ti, tx in Case.objects.filter(
                created_at__gte=since, created_at__lte=max(cols.when),
                status__in=list(D.OPEN_FOR_MERGE), master__isnull=True,
            ).values_list("id", "lng", "lat", "created_at", "category__code", "title",
                          "description").iterator(chunk_size=5000)
        ]  # fmt: skip
    decisions = dedupe(cols, cat_codes, order, existing_cases)
    lap("dedupe")
    router = Router()
    routes = [router(cat_ids[i], paths[i]) for i in range(len(cols))]
    lap("route")
    grid_ids = dict(
        Division.objects.filter(code__in=set(paths)).values_list("code", "id").iterator()
    )
    bar = _Progress(len(order), progress, "导入")
    persist = Persister(cols, paths, grid_ids, cat_ids, urgencies, routes, decisions, report)
    for start in range(0, len(order), batch):
        chunk = order[start : start + batch]
        persist.batch(chunk)
        bar.update(len(chunk))
    bar.close()
    lap("persist")
    report.seconds["total"] = _time.perf_counter() - t0
    return report


class Persister:
    def __init__(self, cols, paths, grid_ids, cat_ids, urgencies, routes, decisions, report):
        self.cols, self.paths, self.grid_ids = cols, paths, grid_ids
        self.cat_ids, self.urgencies, self.routes = cat_ids, urgencies, routes
        self.decisions, self.report = decisions, report
        self.case_id: dict[int, int] = {}
        self.number: dict[int, str] = {}
        f = {fl.name: fl for fl in Case._meta.concrete_fields}
        self.enc_name, self.enc_phone = f["reporter_name"], f["reporter_phone"]
        self.bidx = f["reporter_phone_bidx"]
        self.rep_f = {fl.name: fl for fl in CaseReporter._meta.concrete_fields}
        # masters' gained reporters (priority) known before anything is written
        self.gain = defaultdict(int)
        for d in decisions.values():
            if d.master is not None:
                self.gain[d.master] += 1
        self.vendor = connection.vendor

    def _dt(self, v):
        return connection.ops.adapt_datetimefield_value(v)

    def _alloc_ids(self, n: int) -> list[int]:
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [Case._meta.db_table, n],
                )
                return [r[0] for r in cur.fetchall()]
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Case._meta.db_table}")
            top = cur.fetchone()[0]
            return list(range(top + 1, top + n + 1))

    def _numbers(self, chunk: list[int]) -> dict[int, str]:
        by_day = defaultdict(list)
        for i in chunk:
            by_day[self.cols.when[i].astimezone(TZ).date()].append(i)
        out = {}
        for day, idx in sorted(by_day.items()):
            CaseSequence.objects.get_or_create(day=day)
            seq = CaseSequence.objects.select_for_update().get(day=day)
            first = seq.last
            seq.last += len(idx)
            seq.save(update_fields=["last"])
            for k, i in enumerate(idx, start=1):
                out[i] = f"GZ{day:%Y%m%d}{first + k:05d}"
        return out

    @transaction.atomic
    def batch(self, chunk: list[int]) -> None:
        cols, now = self.cols, timezone.now()
        ids = self._alloc_ids(len(chunk))
        numbers = self._numbers(chunk)
        case_rows, event_rows, rep_rows, sugg_rows, bumps = [], [], [], [], []
        now_db = self._dt(now)
        for i, pk in zip(chunk, ids, strict=True):
            self.case_id[i], self.number[i] = pk, numbers[i]
        for i in chunk:
            d = self.decisions.get(i)
            pk = self.case_id[i]
            master_id = None
            if d is not None and d.master is not None:
                master_id = -d.master if d.master < 0 else self.case_id[d.master]
            when = self._dt(cols.when[i])
            phone = cols.phone[i]
            case_rows.append((
                pk, numbers[i], cols.channel[i], cols.ref[i], cols.title[i], cols.text[i],
                self.cat_ids[i], self.urgencies[i], cols.lng[i], cols.lat[i], cols.address[i],
                self.grid_ids[self.paths[i]], self.paths[i],
                self.enc_name.get_db_prep_value(cols.name[i], connection),
                self.enc_phone.get_db_prep_value(phone, connection),
                self.enc_phone.blind_index_for(phone) if phone else "",
                Status.MERGED if master_id else Status.SUBMITTED,
                self.gain.get(i, 0), master_id, 2 if master_id else 1, when, when,
            ))  # fmt: skip
            payload = {"channel": cols.channel[i], "source_ref": cols.ref[i], "bulk": True}
            if self.routes[i] is not None:
                payload["route"] = self.routes[i]
            event_rows.append((pk, Action.SUBMIT, "", Status.SUBMITTED, "",
                               json.dumps(payload, ensure_ascii=False), True, when))  # fmt: skip
            if master_id:
                mnum = self.number.get(d.master) if d.master >= 0 else None
                event_rows.append((pk, Action.MERGE, Status.SUBMITTED, Status.MERGED,
                                   "系统自动合并(批量导入)",
                                   json.dumps({"master": mnum or master_id, "dedupe": d.reasons,
                                               "score": d.score}, ensure_ascii=False),
                                   True, when))  # fmt: skip
                if cols.name[i] or phone:
                    rep_rows.append((
                        master_id, self.rep_f["name"].get_db_prep_value(cols.name[i], connection),
                        self.rep_f["phone"].get_db_prep_value(phone, connection),
                        self.rep_f["phone"].blind_index_for(phone) if phone else "",
                        pk, when, when,
                    ))  # fmt: skip
                if d.master < 0:
                    bumps.append((-d.master,))
            elif d is not None and d.suggest is not None:
                mid = -d.suggest if d.suggest < 0 else self.case_id[d.suggest]
                sugg_rows.append((pk, mid, d.score, json.dumps(d.reasons), "pending", now_db))
        self._write(case_rows, event_rows, rep_rows, sugg_rows, bumps)
        self.report.imported += len(chunk)
        self.report.merged += sum(1 for r in case_rows if r[18])
        self.report.suggested += len(sugg_rows)

    def _write(self, case_rows, event_rows, rep_rows, sugg_rows, bumps):
        from ..models import DuplicateSuggestion

        qn = connection.ops.quote_name
        ct, et, rt = Case._meta.db_table, CaseEvent._meta.db_table, CaseReporter._meta.db_table
        case_cols = ["id", "number", "channel", "source_ref", "title", "description",
                     "category_id", "urgency", "lng", "lat", "address", "grid_id",
                     "division_path", "reporter_name", "reporter_phone", "reporter_phone_bidx",
                     "status", "priority", "master_id", "version", "created_at", "updated_at"]  # fmt: skip  # noqa: E501
        # Columns with a constant default for every bulk row.
        const = {"unit_type": "", "result": "", "limit_hours": 0, "rework_count": 0,
                 "rejection_count": 0, "extension_count": 0, "extension_hours_requested": 0,
                 "ruled": False, "ruling": "", "ruled_unreasonable": False, "is_joint": False,
                 "rating": "", "rating_comment": "", "void_reason": ""}  # fmt: skip
        names = case_cols + list(const)
        tail = tuple(const.values())
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {qn(ct)} ({', '.join(qn(c) for c in names)}) "
                f"VALUES ({', '.join(['%s'] * len(names))})",
                [r + tail for r in case_rows],
            )
            cur.executemany(
                f"INSERT INTO {qn(et)} (case_id, action, from_status, to_status, note, payload, "
                f"public, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                event_rows,
            )
            if rep_rows:
                cur.executemany(
                    f"INSERT INTO {qn(rt)} (case_id, name, phone, phone_bidx, via_case_id, "
                    f"created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    rep_rows,
                )
            if sugg_rows:
                st = DuplicateSuggestion._meta.db_table
                cur.executemany(
                    f"INSERT INTO {qn(st)} (case_id, master_id, score, reasons, status, "
                    f"created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                    sugg_rows,
                )
            if bumps:
                cur.executemany(
                    f"UPDATE {qn(ct)} SET priority = priority + 1, version = version + 1 "
                    f"WHERE id = %s",
                    bumps,
                )
