"""parse → validate → locate → classify → dedupe → route → persist.

- **parse / validate / locate / seal** (``formats.parse_file``): each file is
  read and every row checked and mapped by its channel adapter's own
  ``to_record`` (mapping tables from one snapshot), then the whole file's
  points are converted to WGS-84 and located in one ``locate_many`` call, and
  the reporter's name and phone are encrypted (AES-GCM object built once) with
  the phone's blind index. Files go to a pool of worker processes (``workers``,
  default: the cores this process may use, at most 2); the parent keeps the
  database connection.
- **idempotency**: (channel, source_ref) already stored as a case or a triage
  item, or repeated in the input, is skipped (counted, as the import page does).
- **classify**: a record whose channel carried a code the mapping tables know
  (数字城管, 天网, 110 classes, 12345 / 信访 class names, 网格员 catalogue
  codes) keeps it; only the others are classified, each *distinct* text once,
  in the worker pool. Below the model's threshold, a class outside the
  catalogue or no model at all → a triage item (as ``submit_or_triage``).
- **dedupe** (``dedupe``): the ``intake.dedupe`` rules (radius, window,
  category family, bigram cosine, auto/suggest thresholds) over the whole
  import and the stored open cases at once, with arrays: candidate pairs from
  ~210 m cells × time rank, filters as arrays, one sparse product per distinct
  text pair; a sequential pass only over the pairs above the threshold.
- **route**: ``routing.route`` memoised on what routing rules can see.
- **persist**: ids and case numbers reserved for the whole import first; per
  ``batch`` records one transaction — cases, the SUBMIT event per case
  (routing suggestion in the payload), MERGE events + CaseReporter rows +
  master priority for auto-merged duplicates, DuplicateSuggestion rows;
  triage items before them (written while dedupe runs) — with
  ``executemany`` in a forked writer process while this one builds the next
  batch: a batch is all or nothing, a re-run skips what is stored.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import sys
import time as _time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.db import connection, connections, transaction
from django.utils import timezone

from gongzhi.cases.constants import Action, Status, UnitType
from gongzhi.cases.models import Case, CaseEvent, CaseReporter, CaseSequence, Category
from gongzhi.org.constants import CODE_LENGTH, Level

from .. import dedupe as D
from ..channels import ADAPTERS
from ..channels.base import MappingSnapshot, mapping_snapshot, title_from
from . import formats as F

BATCH = 20_000
CELL_DEG_LAT = 0.0019  # ≈ 211 m
CELL_DEG_LNG = 0.0022  # ≈ 211 m at 31° N
EARTH_R = 6371008.8  # org.geo.coords.EARTH_RADIUS_M
# The SQLite writer's own connection: a 1 GiB page cache (20 indexes on cases) and
# a WAL checkpoint every 64 MiB instead of every 4 MiB; one checkpoint at the end.
WRITER_PRAGMAS = ("PRAGMA cache_size=-1048576", "PRAGMA wal_autocheckpoint=16384")


@dataclass
class Report:
    read: int = 0
    imported: int = 0
    triaged: int = 0
    merged: int = 0
    suggested: int = 0
    skipped_existing: int = 0
    repeated: int = 0
    files: int = 0
    routes_computed: int = 0
    errors: list = field(default_factory=list)  # (file, line, ref, reason)
    seconds: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "read": self.read,
            "imported": self.imported,
            "triaged": self.triaged,
            "merged": self.merged,
            "suggested": self.suggested,
            "skipped_existing": self.skipped_existing,
            "repeated_in_input": self.repeated,
            "errors": len(self.errors),
            "routes_computed": self.routes_computed,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


class _Progress:
    """A text progress bar on stderr (no dependency)."""

    def __init__(self, total: int, enabled: bool, desc: str, unit: str = "件"):
        self.total, self.n, self.enabled, self.desc, self.unit = total, 0, enabled, desc, unit
        self.t0 = self.last = _time.monotonic()

    def update(self, k: int) -> None:
        self.n += k
        now = _time.monotonic()
        if self.enabled and (now - self.last > 0.5 or self.n >= self.total):
            self.last = now
            pct = 100 * self.n / max(self.total, 1)
            rate = self.n / max(now - self.t0, 1e-9)
            bar = "#" * int(pct / 4)
            sys.stderr.write(f"\r{self.desc} [{bar:<25}] {self.n:,}/{self.total:,} {pct:5.1f}% "
                             f"{rate:,.{0 if rate >= 10 else 1}f} {self.unit}/s")  # fmt: skip
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


# --- the worker pool ------------------------------------------------------------------------------


def default_workers() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        n = os.cpu_count() or 1
    return max(1, min(2, n))


_classifier = None


def _predict(texts: list[str]) -> list[tuple]:
    preds = _classifier.predict(texts, subcategory=False)
    return [(p.label, p.confidence, p.needs_triage, list(p.alternatives)) for p in preds]


class Pool:
    """Forked workers sharing the parent's snapshot, index and model; with
    ``workers == 1`` everything runs in-process."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = None
        if workers > 1:
            if not connection.in_atomic_block:
                # Children never touch the database; closing first keeps them from
                # even holding the parent's handle. (Inside a caller's transaction
                # — tests — it must stay open; a child leaves with os._exit.)
                connections.close_all()
            self.pool = multiprocessing.get_context("fork").Pool(workers)

    def imap(self, fn, items):
        if self.pool is None:
            return map(fn, items)
        return self.pool.imap(fn, items)

    def close(self):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()


# --- stages ---------------------------------------------------------------------------------------


def parse_all(directory: Path, pool: Pool, report: Report, progress: bool) -> F.Parsed:
    files = F.scan(directory)
    report.files = len(files)
    root = Path(directory)
    tasks = [(ch, str(p), str(p.relative_to(root))) for ch, p in files]
    # biggest files first so the two workers finish together
    order = sorted(range(len(tasks)), key=lambda i: -Path(tasks[i][1]).stat().st_size)
    bar = _Progress(len(tasks), progress, "解析", "个文件")
    results: dict[int, F.Parsed] = {}
    for k, part in zip(order, pool.imap(F.parse_file, [tasks[i] for i in order]), strict=True):
        results[k] = part
        bar.update(1)
    bar.close()
    out = F.Parsed()
    for k in range(len(tasks)):  # file order: errors and ties in a stable order
        out.extend(results[k])
    report.read += out.read
    report.errors.extend(out.errors)
    out.errors = []
    return out


def drop_known(cols: F.Parsed, report: Report) -> F.Parsed:
    """Skip records stored before (case or triage item) or repeated in the input."""
    from ..models import TriageItem

    case_channel = {k: a.case_channel for k, a in ADAPTERS.items()}
    stored = _stored_refs(
        Case.objects, "channel", {case_channel[c] for c in set(cols.channel)}, cols, case_channel
    )
    triaged = _stored_refs(TriageItem.objects, "channel", set(cols.channel), cols, None)
    seen = set()
    keep = []
    for ch, ref in zip(cols.channel, cols.ref, strict=True):
        key = (case_channel[ch], ref)
        if key in stored or (ch, ref) in triaged:
            report.skipped_existing += 1
            keep.append(False)
        elif key in seen:
            report.repeated += 1
            keep.append(False)
        else:
            seen.add(key)
            keep.append(True)
    return cols if all(keep) else cols.keep(keep)


def _stored_refs(manager, channel_field: str, channels: set, cols, mapping) -> set:
    if not channels:
        return set()
    qs = manager.filter(**{f"{channel_field}__in": channels}).exclude(source_ref="")
    if qs.count() <= 4 * len(cols) + 10_000:  # read them all: one query
        return set(qs.values_list(channel_field, "source_ref").iterator(chunk_size=20_000))
    found = set()
    by_channel = defaultdict(list)
    for c, r in zip(cols.channel, cols.ref, strict=True):
        by_channel[mapping[c] if mapping else c].append(r)
    for ch, refs in by_channel.items():
        for s in range(0, len(refs), 900):
            found.update(
                (ch, r)
                for r in manager.filter(
                    **{channel_field: ch, "source_ref__in": refs[s : s + 900]}
                ).values_list("source_ref", flat=True)
            )
    return found


@dataclass
class Triage:
    """Why a record goes to people instead of becoming a case."""

    reasons: list
    category: str = ""
    label: str = ""
    confidence: float = 0.0
    alternatives: list = field(default_factory=list)
    location: object = None  # locate.Location of a chat message located from its text


def classify(cols: F.Parsed, classifier, pool: Pool, snap: MappingSnapshot) -> dict[int, Triage]:
    """Fill ``cols.category`` for unmapped records; the unsure ones → Triage."""
    global _classifier
    from django.utils.translation import gettext as _

    need = sorted({t for t, c in zip(cols.text, cols.category, strict=True) if not c})
    verdict: dict[str, tuple] = {}
    if need and classifier is not None:
        if pool.pool is None:
            _classifier = classifier
        k = max(1, math.ceil(len(need) / (pool.workers * 4)))
        parts = [need[s : s + k] for s in range(0, len(need), k)]
        for part, preds in zip(parts, pool.imap(_predict, parts), strict=True):
            verdict.update(zip(part, preds, strict=True))
    triage: dict[int, Triage] = {}
    for i, (t, c) in enumerate(zip(cols.text, cols.category, strict=True)):
        if c:
            continue
        v = verdict.get(t)
        if v is None:
            triage[i] = Triage([_("分类模型未就绪")])
            continue
        label, conf, unsure, alts = v
        code = snap.citizen_labels.get(label, "")
        tri = Triage([], code, label, conf, alts)
        if unsure:
            tri.reasons.append(_("分类置信度不足(%(p).0f%%)") % {"p": conf * 100})
        elif not code:
            tri.reasons.append(_("分类“%(label)s”不在事项目录中") % {"label": label})
        if tri.reasons:
            triage[i] = tri
        else:
            cols.category[i] = code
    return triage


def locate_chat(cols: F.Parsed, triage: dict[int, Triage]) -> None:
    """Chat messages whose group is not bound to a grid: located from the text
    (``locate.locate_text`` within the group's division), as on the import page."""
    from django.utils.translation import gettext as _

    from ..locate import locate_text
    from ..triage import place_point

    memo: dict[tuple[str, str], tuple] = {}
    for i, p in enumerate(cols.path):
        if p != "":
            continue
        key = (cols.text[i], cols.scope[i])
        if key not in memo:
            loc = locate_text(*key)
            place = None
            if loc.sure:
                best = loc.best
                x, y, addr = place_point(
                    building_code=best.building_code or "", grid_code=best.grid_code or ""
                )
                place = (x, y, addr, best.grid_code)
            memo[key] = (loc, place)
        loc, place = memo[key]
        if place is None:
            tri = triage.setdefault(i, Triage([]))
            tri.reasons.insert(0, _("位置不确定:%(reason)s") % {"reason": loc.reason})
            tri.location = loc
        else:
            cols.lng[i], cols.lat[i], addr, cols.path[i] = place
            cols.address[i] = addr[:200]


@dataclass
class Decision:
    master: int | None = None  # record index, or -(case id) for a case already stored
    score: float = 0.0
    reasons: dict | None = None
    suggest: int | None = None


def _bigram_matrix(texts: list[str]):
    """Rows of character-bigram counts (``dedupe.bigrams``; a one-character
    text is its own single token), built with arrays."""
    from scipy import sparse

    rows, grams = [], []
    for r, text in enumerate(texts):
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        # a one-character text: a negative token, which no bigram can equal
        g = codes[:-1] * 0x110000 + codes[1:] if len(codes) >= 2 else -(codes + 1)
        rows.append(np.full(len(g), r, dtype=np.int64))
        grams.append(g)
    if not grams or not sum(len(g) for g in grams):
        return sparse.csr_matrix((len(texts), 1))
    r = np.concatenate(rows)
    cols, inv = np.unique(np.concatenate(grams), return_inverse=True)
    return sparse.csr_matrix(
        (np.ones(len(r)), (r, inv.ravel())), shape=(len(texts), len(cols))
    )  # duplicates are summed: counts


def dedupe(cols: F.Parsed, epoch: np.ndarray, existing: list[tuple]) -> dict[int, Decision]:
    """The ``intake.dedupe`` rules over the whole import at once; a Decision per
    record index (master: record index, or -(case id) of a stored case).

    Candidate pairs are found with arrays: every item (record or stored open
    case, ``existing``: (epoch, -id, lng, lat, category code, title,
    description)) gets a rank in time order and a ~210 m cell; for each of a
    record's 9 neighbouring cells one ``searchsorted`` gives the earlier items
    of the last 7 days. Category family and haversine distance filter the
    pairs as arrays, the bigram cosine is one sparse row product per distinct
    text pair. Only pairs at or above the suggestion threshold reach the
    sequential pass, which applies the one rule that depends on order: a
    merged duplicate is never a master itself.
    """
    from scipy import sparse

    auto, suggest = D.thresholds()
    window = D.window_days() * 86400.0
    radius = D.radius_m()
    n, m = len(cols), len(existing)
    if n == 0:
        return {}
    # items: records 0..n-1, stored cases n..n+m-1
    x = np.asarray(cols.lng + [e[2] for e in existing], dtype=np.float64)
    y = np.asarray(cols.lat + [e[3] for e in existing], dtype=np.float64)
    t = np.concatenate([epoch, np.asarray([e[0] for e in existing], dtype=np.float64)])
    fam_id: dict[str, int] = {}
    fam = np.asarray(
        [fam_id.setdefault(D.category_family(c), len(fam_id)) for c in cols.category]
        + [fam_id.setdefault(D.category_family(e[4]), len(fam_id)) for e in existing],
        dtype=np.int64,
    )
    names = sorted(fam_id, key=fam_id.get)
    compat = np.array([[D.categories_compatible(a, b) for b in names] for a in names], dtype=bool)
    pair_id: dict[tuple[str, str], int] = {}
    key_id: dict[str, int] = {}
    keys: list[str] = []

    def text_id(title: str, text: str) -> int:
        j = pair_id.get((title, text))
        if j is None:
            k = D.text_key(title, text)
            j = key_id.get(k)
            if j is None:
                j = key_id[k] = len(keys)
                keys.append(k)
            pair_id[(title, text)] = j
        return j

    tid = np.asarray(
        [text_id(a, b) for a, b in zip(cols.title, cols.text, strict=True)]
        + [text_id(e[5], e[6]) for e in existing],
        dtype=np.int64,
    )
    # rank: time order; a stored case before a record of the same second
    kind = np.concatenate([np.ones(n, dtype=np.int8), np.zeros(m, dtype=np.int8)])
    by_rank = np.lexsort((np.arange(n + m), kind, t))
    rank = np.empty(n + m, dtype=np.int64)
    rank[by_rank] = np.arange(n + m)
    t_by_rank = t[by_rank]
    cx = np.floor(x / CELL_DEG_LNG).astype(np.int64)
    cy = np.floor(y / CELL_DEG_LAT).astype(np.int64)
    cx0, cy0 = cx.min() - 1, cy.min() - 1
    span = int(cy.max() - cy0) + 2
    cell = (cx - cx0) * span + (cy - cy0)
    big = np.int64(n + m + 1)
    skey = cell * big + rank
    sorder = np.argsort(skey, kind="stable")
    skey_sorted = skey[sorder]
    rec = np.arange(n)
    first = np.searchsorted(t_by_rank, t[:n] - window, side="left")  # oldest rank in window
    ii, jj = [], []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            nc = cell[:n] + dx * span + dy
            lo = np.searchsorted(skey_sorted, nc * big + first, side="left")
            hi = np.searchsorted(skey_sorted, nc * big + rank[:n], side="left")
            cnt = hi - lo
            total = int(cnt.sum())
            if not total:
                continue
            starts = np.repeat(lo - np.cumsum(cnt) + cnt, cnt)
            ii.append(np.repeat(rec, cnt))
            jj.append(sorder[np.arange(total) + starts])
    if not ii:
        return {}
    i = np.concatenate(ii)
    j = np.concatenate(jj)
    keep = compat[fam[i], fam[j]]
    i, j = i[keep], j[keep]
    # haversine (org.geo.coords.haversine_m), as arrays
    r = np.pi / 180
    h = (
        np.sin((y[j] - y[i]) * r / 2) ** 2
        + np.cos(y[i] * r) * np.cos(y[j] * r) * np.sin((x[j] - x[i]) * r / 2) ** 2
    )
    dist = 2 * EARTH_R * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    keep = dist <= radius
    i, j, dist = i[keep], j[keep], dist[keep]
    if not len(i):
        return {}
    # cosine of bigram counts, once per distinct text pair
    a, b = np.minimum(tid[i], tid[j]), np.maximum(tid[i], tid[j])
    nk = np.int64(len(keys))
    uniq, inverse = np.unique(a * nk + b, return_inverse=True)
    used = np.unique(np.concatenate([uniq // nk, uniq % nk]))
    row_of = np.full(len(keys), -1, dtype=np.int64)
    row_of[used] = np.arange(len(used))
    X = _bigram_matrix([keys[k] for k in used.tolist()])
    norm = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norm[norm == 0] = np.inf  # an empty text: cosine 0 (dedupe.cosine)
    X = sparse.csr_matrix(X.multiply(1 / norm[:, None]))
    ua, ub = row_of[uniq // nk], row_of[uniq % nk]
    scores = np.empty(len(uniq))
    for s in range(0, len(uniq), 100_000):
        e = s + 100_000
        scores[s:e] = np.asarray(X[ua[s:e]].multiply(X[ub[s:e]]).sum(axis=1)).ravel()
    score = scores[inverse]
    keep = score >= suggest - 1e-12
    i, j, dist, score = i[keep], j[keep], dist[keep], score[keep]
    # sequential: records in time order; a merged record is no one's master
    order = np.lexsort((-score, rank[i]))
    merged = np.zeros(n, dtype=bool)
    decisions: dict[int, Decision] = {}
    k, total = 0, len(order)
    order_l = order.tolist()
    i_l, j_l = i.tolist(), j.tolist()
    while k < total:
        rec_i = i_l[order_l[k]]
        best = None
        while k < total and i_l[order_l[k]] == rec_i:
            p = order_l[k]
            k += 1
            cand = j_l[p]
            if best is None and (cand >= n or not merged[cand]):
                best = p
        if best is None:
            continue
        cand, sc = j_l[best], float(score[best])
        ref = cand if cand < n else existing[cand - n][1]
        reasons = {"distance_m": round(float(dist[best]), 1),
                   "days": round(float(t[rec_i] - t[cand]) / 86400, 2),
                   "text": round(sc, 4), "bulk": True}  # fmt: skip
        if sc >= auto - 1e-12:
            decisions[rec_i] = Decision(master=ref, score=round(sc, 4), reasons=reasons)
            merged[rec_i] = True
        else:
            decisions[rec_i] = Decision(suggest=ref, score=round(sc, 4), reasons=reasons)
    return decisions


class Router:
    """``routing.route`` memoised on (category, the part of the path rules can see)."""

    def __init__(self):
        from gongzhi.cases.models import RoutingRule

        rules = list(RoutingRule.objects.filter(is_active=True))
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
            self.sig[cat_id] = (tuple(ruled), default)
        return self.sig[cat_id]

    def __call__(self, cat_id: int, path: str):
        from gongzhi.cases.routing import route

        key = (self._signature(cat_id), path if self.full else path[: self.n])
        hit = self.memo.get(key, self)
        if hit is self:
            try:
                hit = route(category=self.cats[cat_id], division_path=path).as_payload()
            except ValueError:
                hit = None
            self.memo[key] = hit
        return hit


# --- the run --------------------------------------------------------------------------------------


def run(directory: Path, *, classifier=None, progress: bool = False, batch: int = BATCH,
        workers: int | None = None, separate: bool | None = None) -> Report:  # fmt: skip
    """Import every channel file under ``directory``; see the module docstring.

    ``separate``: write from a forked writer process while this one dedupes
    and builds the next batches; default: yes unless the caller holds a
    transaction open (tests), where one connection must do everything."""
    from gongzhi.org.geo.index import get_index
    from gongzhi.org.models import Division

    global _classifier
    report = Report()
    t0 = _time.perf_counter()
    clock = {"t": t0}

    def lap(name):
        now = _time.perf_counter()
        report.seconds[name] = report.seconds.get(name, 0.0) + now - clock["t"]
        clock["t"] = now

    workers = workers or default_workers()
    snap = MappingSnapshot.load()
    centres = {
        c: (x, y)
        for c, x, y in Division.objects.filter(level=Level.GRID, center_lng__isnull=False)
        .values_list("code", "center_lng", "center_lat")
        .iterator(chunk_size=20_000)
    }
    f = {fl.name: fl for fl in Case._meta.concrete_fields}
    F.set_context(F.Context(centres, F.Sealer(f["reporter_name"]), F.Sealer(f["reporter_phone"])))
    get_index()  # built once, inherited by the workers
    _classifier = classifier  # likewise
    lap("setup")
    with mapping_snapshot(snap):
        pool = Pool(workers)
        try:
            cols = parse_all(Path(directory), pool, report, progress)
            lap("parse_validate_locate_seal")
            cols = drop_known(cols, report)
            lap("idempotency")
            triage = classify(cols, classifier, pool, snap)
            lap("classify")
        finally:
            pool.close()
            F.set_context(None)
            _classifier = None
    locate_chat(cols, triage)
    lap("locate_chat_text")
    tri_cols, tri_list = None, []
    if triage:
        mask = [i in triage for i in range(len(cols))]
        tri_cols = cols.keep(mask)
        tri_list = [triage[i] for i in range(len(mask)) if mask[i]]
        cols = cols.keep([not m for m in mask])
    cat_by_code = {c.code: c.pk for c in Category.objects.only("code")}
    cat_ids = [cat_by_code[c] for c in cols.category]
    epoch = np.asarray([w.timestamp() for w in cols.when], dtype=np.float64)
    order = np.lexsort((np.arange(len(cols)), epoch)).tolist()
    existing = []
    if len(cols):
        lo = min(cols.when) - timedelta(days=D.window_days())
        existing = [
            (t.timestamp(), -pk, x, y, code, ti, tx)
            for pk, x, y, t, code, ti, tx in Case.objects.filter(
                created_at__gte=lo, created_at__lte=max(cols.when),
                status__in=list(D.OPEN_FOR_MERGE), master__isnull=True,
            ).values_list("id", "lng", "lat", "created_at", "category__code", "title",
                          "description").iterator(chunk_size=5000)
        ]  # fmt: skip
    grid_ids = dict(
        Division.objects.filter(code__in=set(cols.path)).values_list("code", "id").iterator()
    )
    lap("prepare")
    router = Router()
    persist = Persister(cols, grid_ids, cat_ids, router, report)
    persist.reserve(order)
    lap("reserve_ids_numbers")
    if separate is None:
        separate = not connection.in_atomic_block
    tri_parts = [range(s, min(s + batch, len(tri_list))) for s in range(0, len(tri_list), batch)]
    writer = Writer(persist, separate, queue_size=3 + len(tri_parts))
    bar = _Progress(len(order) + len(tri_list), progress, "入库")
    try:
        # triage items do not depend on dedupe: written while it runs
        for part in tri_parts:
            writer.put(Job(triage_rows=persist.triage_rows(tri_cols, tri_list, part)), bar)
        lap("triage_rows")
        persist.decide(dedupe(cols, epoch, existing))
        lap("dedupe")
        persist.route_all()
        lap("route")
        for s in range(0, len(order), batch):
            writer.put(persist.rows(order[s : s + batch]), bar)
        writer.finish()
    finally:
        writer.stop()
        bar.close()
    lap("persist")
    report.routes_computed = len(router.memo)
    report.seconds.update({f"persist.{k}": v for k, v in persist.clock.items()})
    report.seconds.update({f"writer.{k}": v for k, v in writer.clock.items()})
    report.seconds["total"] = _time.perf_counter() - t0
    return report


# --- persist --------------------------------------------------------------------------------------


@dataclass
class Job:
    """One batch's rows: written in one transaction."""

    case_rows: list = field(default_factory=list)
    event_rows: list = field(default_factory=list)
    rep_rows: list = field(default_factory=list)
    sugg_rows: list = field(default_factory=list)
    bumps: list = field(default_factory=list)
    triage_rows: list = field(default_factory=list)
    merged: int = 0

    def counts(self) -> tuple[int, int, int, int]:
        return len(self.case_rows), self.merged, len(self.sugg_rows), len(self.triage_rows)


class Writer:
    """Writes jobs in order, each in its own transaction — from a forked
    writer process with its own connection (the parent keeps building the
    next batches: two cores, and no lock shared between threads), or inline.
    SQLite has one writer at a time anyway; this is it."""

    def __init__(self, persist: Persister, separate: bool, queue_size: int = 3):
        self.persist, self.separate = persist, separate
        self.error: str | BaseException | None = None
        self.clock: dict[str, float] = defaultdict(float)
        self.proc = None
        self.bar: _Progress | None = None
        self.pending = 0
        if separate:
            ctx = multiprocessing.get_context("fork")
            self.q = ctx.Queue(maxsize=queue_size)
            self.done = ctx.Queue()
            connections.close_all()  # the child opens its own
            self.proc = ctx.Process(target=self._loop, name="bulk-writer", daemon=True)
            self.proc.start()

    def put(self, job: Job, bar: _Progress) -> None:
        self.bar = bar
        self._drain(block=False)
        if self.error is not None:
            self._raise()
        if self.proc is None:
            t = _time.perf_counter()
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    self.persist._write(cur, job)
            finally:
                self.clock["write"] += _time.perf_counter() - t
            self._count(job.counts())
        else:
            t = _time.perf_counter()
            self.q.put(job)
            self.pending += 1
            self.clock["main_waiting"] += _time.perf_counter() - t

    def _count(self, counts: tuple) -> None:
        imported, merged, suggested, triaged = counts
        rep = self.persist.report
        rep.imported += imported
        rep.merged += merged
        rep.suggested += suggested
        rep.triaged += triaged
        if self.bar is not None:
            self.bar.update(imported + triaged)

    def _drain(self, block: bool) -> None:
        import queue

        while self.pending:
            try:
                kind, value, seconds = self.done.get(block=block, timeout=5 if block else None)
            except queue.Empty:
                if block and not self.proc.is_alive():
                    self.error = self.error or "写入进程意外退出"
                    return
                if block:
                    continue
                return
            self.pending -= 1
            self.clock["write"] += seconds
            if kind == "ok":
                self._count(value)
            else:
                self.error = self.error or value

    def _loop(self) -> None:  # in the writer process
        import traceback

        sqlite = connection.vendor == "sqlite"
        if sqlite:
            with connection.cursor() as cur:  # this connection only
                for pragma in WRITER_PRAGMAS:
                    cur.execute(pragma)
        failed = False
        while True:
            job = self.q.get()
            if job is None:
                break
            t = _time.perf_counter()
            if failed:  # after a failed batch nothing more is written
                self.done.put(("skipped", "", 0.0))
                continue
            try:
                with transaction.atomic(), connection.cursor() as cur:
                    self.persist._write(cur, job)
                self.done.put(("ok", job.counts(), _time.perf_counter() - t))
            except BaseException as exc:
                failed = True
                msg = "".join(traceback.format_exception_only(exc)).strip()
                self.done.put(("error", msg, _time.perf_counter() - t))
        if sqlite:
            with connection.cursor() as cur:
                cur.execute("PRAGMA wal_checkpoint(PASSIVE)")
        connection.close()

    def _raise(self):
        err = self.error
        if isinstance(err, BaseException):
            raise err
        raise RuntimeError(f"批量写入失败:{err}")

    def finish(self) -> None:
        if self.proc is not None:
            self.q.put(None)
            self.pending and self._drain(block=True)
            self.proc.join()
            self.proc = None
        if self.error is not None:
            self._raise()

    def stop(self) -> None:
        if self.proc is not None:
            self.q.put(None)
            self.proc.join(timeout=600)
            self.proc = None


class Persister:
    def __init__(self, cols: F.Parsed, grid_ids, cat_ids, router: Router, report):
        from ..models import DuplicateSuggestion, TriageItem

        self.cols, self.grid_ids, self.cat_ids, self.router = cols, grid_ids, cat_ids, router
        self.decisions: dict[int, Decision] = {}
        self.report = report
        self.case_id: list[int] = []
        self.number: list[str] = []
        self.case_channel = {k: a.case_channel for k, a in ADAPTERS.items()}
        rep = {fl.name: fl for fl in CaseReporter._meta.concrete_fields}
        self.rep_name, self.rep_phone = F.Sealer(rep["name"]), F.Sealer(rep["phone"])
        tri = {fl.name: fl for fl in TriageItem._meta.concrete_fields}
        self.tri_name, self.tri_phone = F.Sealer(tri["sender"]), F.Sealer(tri["sender_phone"])
        self.tri_guesses = tri["guesses"]
        self.gain: dict[int, int] = defaultdict(int)
        self.vendor = connection.vendor
        self.clock: dict[str, float] = defaultdict(float)
        self.payload_field = CaseEvent._meta.get_field("payload")
        self.reasons_field = DuplicateSuggestion._meta.get_field("reasons")
        qn = connection.ops.quote_name
        given = ["id", "number", "channel", "source_ref", "title", "description", "category_id",
                 "urgency", "lng", "lat", "address", "grid_id", "division_path", "reporter_name",
                 "reporter_phone", "reporter_phone_bidx", "status", "priority", "master_id",
                 "version", "created_at", "updated_at"]  # fmt: skip
        # the same value in every row: SQL literals, not parameters (fewer binds,
        # smaller jobs to hand to the writer)
        self.case_sql = _insert_sql(Case, given, _constant_columns(Case, given))
        event_cols = ["case_id", "action", "from_status", "to_status", "note", "payload",
                      "public", "created_at"]  # fmt: skip
        rep_cols = ["case_id", "name", "phone", "phone_bidx", "via_case_id", "created_at",
                    "updated_at"]  # fmt: skip
        sugg_cols = ["case_id", "master_id", "score", "reasons", "status", "created_at"]
        tri_cols = ["channel", "source_ref", "scope", "text", "sender", "sender_phone",
                    "received_at", "guesses", "reason", "state", "created_at"]  # fmt: skip
        self.event_sql = _insert_sql(CaseEvent, event_cols)
        self.rep_sql = _insert_sql(CaseReporter, rep_cols)
        self.sugg_sql = _insert_sql(DuplicateSuggestion, sugg_cols)
        self.tri_sql = _insert_sql(TriageItem, tri_cols)
        self.bump_sql = (
            f"UPDATE {qn(Case._meta.db_table)} SET priority = priority + %s, "
            f"version = version + %s WHERE id = %s"
        )
        self.adapt_dt = connection.ops.adapt_datetimefield_value
        self.adapt_json = self.payload_field.get_db_prep_save
        self.routes: list = []
        self.route_js: list[str] = []

    # ids and numbers are reserved for every record before anything is written, so
    # the rows can be built while the previous batch is being written; a failed
    # run leaves a gap in both (like a PostgreSQL sequence).
    @transaction.atomic
    def reserve(self, order: list[int]) -> None:
        from gongzhi.cases.deadlines import TZ

        n = len(order)
        self.case_id = [0] * len(self.cols)
        self.number = [""] * len(self.cols)
        if not n:
            return
        table = Case._meta.db_table
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, n],
                )
                ids = [r[0] for r in cur.fetchall()]
            else:  # AUTOINCREMENT: new rows of anyone else get ids above sqlite_sequence.seq
                cur.execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
                cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cur.fetchone()
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                top = max(cur.fetchone()[0], row[0] if row else 0)
                if row is None:
                    cur.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top + n]
                    )
                else:
                    cur.execute(
                        "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [top + n, table]
                    )
                ids = range(top + 1, top + n + 1)
        for i, pk in zip(order, ids, strict=True):
            self.case_id[i] = pk
        by_day = defaultdict(list)
        for i in order:
            by_day[self.cols.when[i].astimezone(TZ).date()].append(i)
        for day, idx in sorted(by_day.items()):
            CaseSequence.objects.get_or_create(day=day)
            seq = CaseSequence.objects.select_for_update().get(day=day)
            first = seq.last
            seq.last += len(idx)
            seq.save(update_fields=["last"])
            for k, i in enumerate(idx, start=1):
                self.number[i] = f"GZ{day:%Y%m%d}{first + k:05d}"

    def decide(self, decisions: dict[int, Decision]) -> None:
        """Dedupe's decisions; the reporters a master gains (its priority): a
        record's own row carries them, a stored case is updated (one more per
        merged duplicate, as case_merge does)."""
        self.decisions = decisions
        for d in decisions.values():
            if d.master is not None:
                self.gain[d.master] += 1

    def route_all(self) -> None:
        """The route payload per record and its JSON text (once per distinct route)."""
        memo: dict[int, str] = {}
        self.routes, self.route_js = [], []
        for cat_id, path in zip(self.cat_ids, self.cols.path, strict=True):
            route = self.router(cat_id, path)
            js = ""
            if route is not None:
                js = memo.get(id(route))
                if js is None:
                    js = memo[id(route)] = json.dumps(route)
            self.routes.append(route)
            self.route_js.append(js)

    def rows(self, chunk: list[int]) -> Job:
        """The rows of one batch (dedupe has seen it)."""
        t = _time.perf_counter()
        cols, decisions, case_id, number = self.cols, self.decisions, self.case_id, self.number
        job = Job()
        case_rows, event_rows, rep_rows = job.case_rows, job.event_rows, job.rep_rows
        now_db = self.adapt_dt(timezone.now())
        adapt_json, conn = self.adapt_json, connection
        sqlite = self.vendor == "sqlite"
        channel_of, gain = self.case_channel, self.gain
        dumps = json.dumps
        bumps = [(g, g, -k) for k in chunk_masters(chunk, decisions) if (g := gain.pop(k, 0))]
        for i in chunk:
            d = decisions.get(i)
            pk = case_id[i]
            master_id = None
            if d is not None and d.master is not None:
                master_id = -d.master if d.master < 0 else case_id[d.master]
            when = cols.when_db[i]
            channel = channel_of[cols.channel[i]]
            ref = cols.ref[i]
            title = cols.title[i] or title_from(cols.text[i]) or "群众反映"
            case_rows.append((
                pk, number[i], channel, ref, title, cols.text[i],
                self.cat_ids[i], cols.urgency[i], cols.lng[i], cols.lat[i], cols.address[i],
                self.grid_ids[cols.path[i]], cols.path[i],
                cols.name_enc[i], cols.phone_enc[i], cols.phone_bidx[i],
                Status.MERGED if master_id else Status.SUBMITTED,
                gain.get(i, 0), master_id, 2 if master_id else 1 + gain.get(i, 0), when, when,
            ))  # fmt: skip
            route, route_js = self.routes[i], self.route_js[i]
            if sqlite:  # json.dumps of the same dict, without building it
                payload = (f'{{"channel": "{channel}", "source_ref": {dumps(ref)}, "bulk": true'
                           + (f', "route": {route_js}}}' if route_js else "}"))  # fmt: skip
            else:
                payload = {"channel": channel, "source_ref": ref, "bulk": True}
                if route is not None:
                    payload["route"] = route
                payload = adapt_json(payload, conn)
            event_rows.append((pk, Action.SUBMIT, "", Status.SUBMITTED, "", payload, True, when))
            if master_id:
                job.merged += 1
                mnum = number[d.master] if d.master >= 0 else master_id
                event_rows.append((pk, Action.MERGE, Status.SUBMITTED, Status.MERGED,
                                   "系统自动合并(批量导入)",
                                   adapt_json({"master": mnum, "dedupe": d.reasons,
                                               "score": d.score}, conn),
                                   True, when))  # fmt: skip
                name, phone = cols.name[i], cols.phone[i]
                if name or phone:
                    rep_rows.append((master_id, self.rep_name.seal(name),
                                     self.rep_phone.seal(phone), self.rep_phone.index(phone),
                                     pk, when, when))  # fmt: skip
            elif d is not None and d.suggest is not None:
                mid = -d.suggest if d.suggest < 0 else case_id[d.suggest]
                job.sugg_rows.append((pk, mid, d.score,
                                      self.reasons_field.get_db_prep_save(d.reasons, conn),
                                      "pending", now_db))  # fmt: skip
        job.bumps = bumps
        self.clock["rows"] += _time.perf_counter() - t
        return job

    def triage_rows(self, cols: F.Parsed, tris: list[Triage], idx) -> list[tuple]:
        """Triage items as ``submit_or_triage`` writes them (guesses, reason)."""
        from ..triage import Analysis

        t = _time.perf_counter()
        now_db = self.adapt_dt(timezone.now())
        out = []
        for i in idx:
            tri = tris[i]
            text, title = cols.text[i], cols.title[i]
            a = Analysis(text=text, location=tri.location, category=tri.category,
                         category_label=tri.label, confidence=tri.confidence,
                         alternatives=tri.alternatives, urgency=cols.urgency[i],
                         reasons=tri.reasons)  # fmt: skip
            guesses = a.guesses()
            if cols.point[i] is not None:
                x, y, crs = cols.point[i]
                guesses["point"] = {"lng": float(x), "lat": float(y), "crs": crs,
                                    "address": cols.address[i]}  # fmt: skip
            out.append((
                cols.channel[i], cols.ref[i], cols.scope[i][:15],
                text if not title or title in text else f"{title}\n{text}",
                self.tri_name.seal(cols.name[i][:64]), self.tri_phone.seal(cols.phone[i][:32]),
                cols.when_db[i], self.tri_guesses.get_db_prep_save(guesses, connection),
                ";".join(tri.reasons)[:200], "pending", now_db,
            ))  # fmt: skip
        self.clock["triage_rows"] += _time.perf_counter() - t
        return out

    def _write(self, cur, job: Job) -> None:
        if job.triage_rows:
            cur.executemany(self.tri_sql, job.triage_rows)
        if job.case_rows:
            # by division path: four of the case indexes lead with it (or the grid),
            # so neighbouring rows touch neighbouring index pages (ids are fixed)
            cur.executemany(self.case_sql, sorted(job.case_rows, key=_by_path))
            cur.executemany(self.event_sql, job.event_rows)
        if job.rep_rows:
            cur.executemany(self.rep_sql, job.rep_rows)
        if job.sugg_rows:
            cur.executemany(self.sugg_sql, job.sugg_rows)
        if job.bumps:
            cur.executemany(self.bump_sql, job.bumps)


def _by_path(row: tuple) -> str:
    return row[12]  # division_path in Persister.case_sql


def chunk_masters(chunk: list[int], decisions: dict) -> set[int]:
    """The stored cases (as -id) this chunk's duplicates merge into."""
    out = set()
    for i in chunk:
        d = decisions.get(i)
        if d is not None and d.master is not None and d.master < 0:
            out.add(d.master)
    return out


def _constant_columns(model, given: list[str]) -> dict:
    """Non-null columns not given: the field's default, the same for every row."""
    out = {}
    for fl in model._meta.concrete_fields:
        if fl.column in given or fl.null:
            continue
        if not fl.has_default() and not fl.empty_strings_allowed:
            raise ValueError(f"{model.__name__}.{fl.name}: no value and no default")
        out[fl.column] = fl.get_db_prep_save(fl.get_default(), connection)
    return out


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValueError(f"no SQL literal for {value!r}")


def _insert_sql(model, names: list[str], const: dict | None = None) -> str:
    qn = connection.ops.quote_name
    const = const or {}
    cols = ", ".join(qn(c) for c in [*names, *const])
    values = ", ".join(["%s"] * len(names) + [_literal(v) for v in const.values()])
    return f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({values})"


__all__ = ["BATCH", "Report", "run"]
