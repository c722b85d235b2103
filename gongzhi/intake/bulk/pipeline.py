"""parse → validate → locate → classify → dedupe → route → persist.

This module runs the stages in order (``run``); each lives in its own module.

- **parse / validate / locate / seal** (``formats.parse_file``,
  ``stages.parse_all``): each file is read and every row checked and mapped by
  its channel adapter's own ``to_record`` (mapping tables from one snapshot),
  then the whole file's points are converted to WGS-84 and located in one
  ``locate_many`` call, and the reporter's name and phone are encrypted
  (AES-GCM object built once) with the phone's blind index. Files go to a pool
  of worker processes (``workers``, default: the cores this process may use,
  at most 2); the parent keeps the database connection.
- **idempotency** (``stages.drop_known``): (channel, source_ref) already
  stored as a case or a triage item, or repeated in the input, is skipped
  (counted, as the import page does).
- **classify** (``stages.classify``): a record whose channel carried a code
  the mapping tables know (数字城管, 天网, 110 classes, 12345 / 信访 class names, 网格员
  catalogue codes) keeps it; only the others are classified, each *distinct*
  text once, in the worker pool. Below the model's threshold, a class outside
  the catalogue or no model at all → a triage item (as ``submit_or_triage``).
- **dedupe** (``dedupe_arrays.dedupe``): the ``intake.dedupe`` rules (radius,
  window, category family, bigram cosine, auto/suggest thresholds) over the
  whole import and the stored open cases at once, with arrays: candidate pairs
  from ~210 m cells × time rank, filters as arrays, one sparse product per
  distinct text pair; a sequential pass only over the pairs above the
  threshold.
- **route** (``router.Router``): ``routing.route`` memoised on what routing
  rules can see.
- **persist** (``persist.Persister``, ``writer.Writer``): ids and case numbers
  reserved for the whole import first; per ``batch`` records one transaction —
  cases, the SUBMIT event per case (routing suggestion in the payload), MERGE
  events + CaseReporter rows + master priority for auto-merged duplicates,
  DuplicateSuggestion rows, and the outbox rows of the SUBMIT / MERGE events
  whose channel has an active platform with a callback URL (pushed by the
  periodic sweep, kicked once at the end); triage items before them (written
  while dedupe runs) — with ``executemany`` in a forked writer process while this one
  builds the next batch: a batch is all or nothing, a re-run skips what is
  stored.
"""

from __future__ import annotations

import time as _time
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.db import connection

from gongzhi.cases.models import Case, Category
from gongzhi.org.constants import Level

from .. import dedupe as D
from .. import outbox
from ..channels.base import MappingSnapshot, mapping_snapshot
from . import formats as F
from .dedupe_arrays import dedupe
from .persist import Persister
from .report import Report, progress_bar
from .router import Router
from .stages import (
    Pool,
    classify,
    default_workers,
    drop_known,
    locate_chat,
    parse_all,
    share_classifier,
)
from .writer import WRITER_PRAGMAS, Job, Writer

BATCH = 20_000


def run(directory: Path, *, classifier=None, progress: bool = False, batch: int = BATCH,
        workers: int | None = None, separate: bool | None = None) -> Report:  # fmt: skip
    """Import every channel file under ``directory``; see the module docstring.

    ``separate``: write from a forked writer process while this one dedupes
    and builds the next batches; default: yes unless the caller holds a
    transaction open (tests), where one connection must do everything."""
    from gongzhi.org.geo.index import get_index
    from gongzhi.org.models import Division

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
    share_classifier(classifier)  # likewise
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
            share_classifier(None)
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
    bar = progress_bar(len(order) + len(tri_list), progress, "入库")
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
        if report.pushed:
            # rows of committed batches: the periodic sweep delivers them; run it
            # once now (not one task per row — there may be a million)
            outbox.kick_sweep()
    lap("persist")
    report.routes_computed = len(router.memo)
    report.seconds.update({f"persist.{k}": v for k, v in persist.clock.items()})
    report.seconds.update({f"writer.{k}": v for k, v in writer.clock.items()})
    report.seconds["total"] = _time.perf_counter() - t0
    return report


__all__ = ["BATCH", "WRITER_PRAGMAS", "Persister", "Report", "dedupe", "run"]
