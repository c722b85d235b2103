"""The rows of a batch — cases, SUBMIT / MERGE events, reporters,
duplicate suggestions, triage items, the outbox rows of the events a source
platform must hear about — with ids and case numbers reserved for the whole
import first, and the ``executemany`` that writes them."""

from __future__ import annotations

import json
import time as _time
from collections import defaultdict
from datetime import UTC
from functools import cached_property

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.cases.constants import Action, Channel, Status
from gongzhi.cases.models import Case, CaseEvent, CaseReporter, CaseSequence

from .. import outbox
from ..channels import ADAPTERS
from ..channels.base import title_from
from . import formats as F
from .dedupe_arrays import Decision
from .router import Router
from .stages import Triage
from .writer import Job

MERGE_NOTE = "系统自动合并(批量导入)"


class Persister:
    def __init__(self, cols: F.Parsed, grid_ids, cat_ids, router: Router, report):
        from ..models import DuplicateSuggestion, Outbox, TriageItem

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
        out_cols = ["case_id", "event_id", "platform_id", "channel", "source_ref", "payload",
                    "next_attempt_at", "created_at"]  # fmt: skip
        self.outbox_sql = _insert_sql(Outbox, out_cols, _constant_columns(Outbox, out_cols))
        # the ids of the events just inserted (ours: their cases are not committed yet)
        self.event_ids_sql = (
            f"SELECT id, case_id, action FROM {qn(CaseEvent._meta.db_table)} "
            f"WHERE case_id BETWEEN %s AND %s AND action IN (%s, %s)"
        )
        self.adapt_outbox_json = Outbox._meta.get_field("payload").get_db_prep_save
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
        stored_status = self.master_statuses(chunk)
        labels = self.channel_labels
        master_note = gettext("合并了重复案件 %(n)s(%(c)s)")  # case_merge's words
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
                                   MERGE_NOTE,
                                   adapt_json({"master": mnum, "dedupe": d.reasons,
                                               "score": d.score}, conn),
                                   True, when))  # fmt: skip
                # the master's own timeline names what it absorbed, as case_merge's does
                event_rows.append((master_id, Action.MERGE,
                                   *[stored_status.get(master_id, Status.SUBMITTED)] * 2,
                                   master_note % {"n": number[i], "c": labels[channel]},
                                   adapt_json({"duplicate": number[i], "channel": channel,
                                               "bulk": True}, conn),
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
        # outside the loop above: with no platform to push to, one query per batch
        push = outbox.push_platforms()
        if push:
            job.outbox_rows = self.outbox_rows(chunk, push, now_db)
        self.clock["rows"] += _time.perf_counter() - t
        return job

    @cached_property
    def channel_labels(self) -> dict[str, str]:
        return {value: str(label) for value, label in Channel.choices}

    def master_statuses(self, chunk: list[int]) -> dict[int, str]:
        """Status of the stored cases this chunk's duplicates merge into (one
        query; a master filed in this run is still 待受理)."""
        stored = [-k for k in chunk_masters(chunk, self.decisions)]
        if not stored:
            return {}
        return dict(Case.objects.filter(pk__in=stored).values_list("pk", "status"))

    def outbox_rows(self, chunk: list[int], push: dict[str, int], now_db) -> list[tuple]:
        """What ``outbox.enqueue_for_event`` would write for this chunk's SUBMIT and
        MERGE events whose channel has a platform with a callback URL (``push``):
        (case id, action, platform id, channel, source_ref, payload, now) with
        ``eventId`` still None — ``_write_outbox`` reads the event ids back right
        after the events' insert and fills it in."""
        cols, decisions, case_id, number = self.cols, self.decisions, self.case_id, self.number
        targets = outbox.status_targets(push, (Status.SUBMITTED, Status.MERGED))
        out = []
        for i in chunk:
            channel = cols.channel[i]
            platform_id = push.get(channel)
            ref = cols.ref[i]
            if platform_id is None or not ref:
                continue
            # the record's own adapter: the one adapter_for_case finds for its case
            adapter = ADAPTERS[channel]
            at = cols.when[i].astimezone(UTC)  # the event's created_at
            d = decisions.get(i)
            events = [(Action.SUBMIT, "", Status.SUBMITTED, "")]
            if d is not None and d.master is not None:
                events.append((Action.MERGE, Status.SUBMITTED, Status.MERGED, MERGE_NOTE))
            for action, from_status, to_status, note in events:
                if from_status == to_status:
                    continue  # the single path's rule
                payload = outbox.build_payload(
                    adapter=adapter, source_ref=ref, number=number[i], event_id=None,
                    action=action, from_status=from_status, to_status=to_status, note=note,
                    public=True, at=at, source_status=targets.get((channel, to_status), ""),
                )  # fmt: skip
                out.append((case_id[i], action, platform_id, channel, ref[:64], payload, now_db))
        return out

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
            if job.outbox_rows:
                self._write_outbox(cur, job.outbox_rows)
        if job.rep_rows:
            cur.executemany(self.rep_sql, job.rep_rows)
        if job.sugg_rows:
            cur.executemany(self.sugg_sql, job.sugg_rows)
        if job.bumps:
            cur.executemany(self.bump_sql, job.bumps)

    def _write_outbox(self, cur, pending: list[tuple]) -> None:
        """The outbox rows of events inserted just before, in the same transaction:
        their ids are read back by (case id, action) — a batch's cases are new,
        so no one else has events on them (SQLite and PostgreSQL alike)."""
        ids = [r[0] for r in pending]
        cur.execute(self.event_ids_sql, [min(ids), max(ids), Action.SUBMIT, Action.MERGE])
        event_id = {(c, a): pk for pk, c, a in cur.fetchall()}
        rows = []
        adapt = self.adapt_outbox_json
        for case_pk, action, platform_id, channel, ref, payload, now_db in pending:
            pk = event_id[(case_pk, action)]
            payload["eventId"] = pk
            rows.append((case_pk, pk, platform_id, channel, ref, adapt(payload, connection),
                         now_db, now_db))  # fmt: skip
        rows.sort(key=_by_event)  # a case's rows in event order (delivery order)
        cur.executemany(self.outbox_sql, rows)


def _by_event(row: tuple) -> int:
    return row[1]


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
        if fl.column in given or fl.null or fl.primary_key:
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
