"""Writing the batches: each in its own transaction, from a forked writer
process (or inline)."""

from __future__ import annotations

import multiprocessing
import time as _time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection, connections, transaction
from tqdm import tqdm

if TYPE_CHECKING:
    from .persist import Persister

# The SQLite writer's own connection: a 1 GiB page cache (20 indexes on cases) and
# a WAL checkpoint every 64 MiB instead of every 4 MiB; one checkpoint at the end.
WRITER_PRAGMAS = ("PRAGMA cache_size=-1048576", "PRAGMA wal_autocheckpoint=16384")


@dataclass
class Job:
    """One batch's rows: written in one transaction."""

    case_rows: list = field(default_factory=list)
    event_rows: list = field(default_factory=list)
    rep_rows: list = field(default_factory=list)
    sugg_rows: list = field(default_factory=list)
    bumps: list = field(default_factory=list)
    triage_rows: list = field(default_factory=list)
    # events a source platform must hear about (Persister.outbox_rows); written
    # with the events, in the same transaction
    outbox_rows: list = field(default_factory=list)
    merged: int = 0

    def counts(self) -> tuple[int, int, int, int, int]:
        return (len(self.case_rows), self.merged, len(self.sugg_rows), len(self.triage_rows),
                len(self.outbox_rows))  # fmt: skip


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
        self.bar: tqdm | None = None
        self.pending = 0
        if separate:
            ctx = multiprocessing.get_context("fork")
            self.q = ctx.Queue(maxsize=queue_size)
            self.done = ctx.Queue()
            connections.close_all()  # the child opens its own
            self.proc = ctx.Process(target=self._loop, name="bulk-writer", daemon=True)
            self.proc.start()

    def put(self, job: Job, bar: tqdm) -> None:
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
        imported, merged, suggested, triaged, pushed = counts
        rep = self.persist.report
        rep.imported += imported
        rep.pushed += pushed
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
