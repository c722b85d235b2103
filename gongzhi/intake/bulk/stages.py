"""The stages before dedupe: parse / validate / locate / seal the files and
classify the texts in a pool of forked worker processes; skip what is stored
or repeated; locate chat messages from their text."""

from __future__ import annotations

import math
import multiprocessing
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, connections

from gongzhi.cases.models import Case

from ..channels import ADAPTERS
from ..channels.base import MappingSnapshot
from . import formats as F
from .report import Report, progress_bar


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


def share_classifier(classifier) -> None:
    """The model the forked workers inherit (set before the pool forks)."""
    global _classifier
    _classifier = classifier


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
    bar = progress_bar(len(tasks), progress, "解析", "个文件")
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
