"""Status changes pushed back to the source platform (decision 0031).

``enqueue_for_event`` is registered with ``cases.services.on_case_event`` and
runs in the transaction that writes each CaseEvent: when the case came from
a source platform that has a callback URL, it writes an :class:`Outbox` row
— so the status change and its push are committed together or not at all.
``deliver`` sends one row (HMAC-signed like our webhooks) and on failure
schedules the next attempt with exponential back-off; after
``MAX_ATTEMPTS`` the row is ``failed`` and stays on the officers' outbox page
until someone retries it. Rows of one case are delivered in event order.
No transaction is open while the source platform answers: a row is claimed
with a lease, sent, then its outcome recorded (``deliver``); the sweep sends
different cases side by side on a few threads (``deliver_due``).

The bulk import does not go through ``record_event``: it writes its SUBMIT /
MERGE events raw and the matching rows with them, built by the same
``build_payload`` with the platforms (``push_platforms``) and status mappings
(``status_targets``) read once per batch; after the import ``kick_sweep``
runs the periodic sweep once instead of one task per row (decision 0032).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ChannelMapping, IntegrationPlatform, Outbox

logger = logging.getLogger(__name__)

BACKOFF_BASE = 30  # seconds: 30 s, 1 min, 2 min, 4 min … capped
BACKOFF_MAX = 3600
MAX_ATTEMPTS = 10
TIMEOUT = 10
LEASE = TIMEOUT + 50  # seconds a claimed row is one sender's (send ≤ TIMEOUT)
SWEEP_LIMIT = 5000  # rows looked at per sweep (every minute)
SWEEP_BUDGET = 50.0  # seconds after which a sweep starts no new row


class DeliveryFailed(Exception):
    pass


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff(attempts: int) -> int:
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def platform_for(channel: str) -> IntegrationPlatform | None:
    return (
        IntegrationPlatform.objects.filter(channel=channel, active=True)
        .exclude(callback_url="")
        .order_by("id")
        .first()
    )


def push_platforms() -> dict[str, int]:
    """Intake channel → id of the platform its status changes go to, for every
    channel that has one (the one ``platform_for`` picks); one query."""
    out: dict[str, int] = {}
    rows = (
        IntegrationPlatform.objects.filter(active=True)
        .exclude(callback_url="")
        .exclude(channel="")
        .order_by("id")
        .values_list("channel", "id")
    )
    for channel, pk in rows:
        out.setdefault(channel, pk)
    return out


def status_targets(channels, statuses) -> dict[tuple[str, str], str]:
    """(channel, our status) → the source's word for it (active STATUS
    mappings), for all the given channels and statuses in one query."""
    rows = ChannelMapping.objects.filter(
        channel__in=list(channels),
        kind=ChannelMapping.Kind.STATUS,
        source_code__in=list(statuses),
        is_active=True,
    ).values_list("channel", "source_code", "target")
    return {(c, s): t for c, s, t in rows}


def build_payload(
    *,
    adapter,
    source_ref: str,
    number: str,
    event_id: int | None,
    action: str,
    from_status: str,
    to_status: str,
    note: str,
    public: bool,
    at,
    source_status: str,
) -> dict:
    """The JSON pushed for one event (decision 0031); ``source_ref`` is the
    case's, the adapter's prefix is cut off. ``event_id`` may be filled in
    later (bulk import: ids known only after the insert); keys keep this order."""
    from gongzhi.cases.constants import Status

    return {
        "sourceRef": source_ref[len(adapter.ref_prefix) :],
        "channel": adapter.channel,
        "caseNumber": number,
        "eventId": event_id,
        "action": action,
        "fromStatus": from_status,
        "status": to_status,
        "statusLabel": str(Status(to_status).label),
        "sourceStatus": source_status or "",
        "note": note if public else "",
        # the source platforms keep Beijing time: +08:00, not UTC
        "at": timezone.localtime(at or timezone.now()).isoformat(),
    }


def enqueue_for_event(event) -> Outbox | None:
    """Called in the CaseEvent's transaction; writes the row when a source must hear."""
    from .channels import adapter_for_case

    case = event.case
    if not case.source_ref:
        return None
    if event.from_status == event.to_status:
        return None  # supervision, me-too … no status change
    adapter = adapter_for_case(case)
    if adapter is None:
        return None
    platform = platform_for(adapter.channel)
    if platform is None:
        return None
    mapping = (
        ChannelMapping.objects.filter(
            channel=adapter.channel,
            kind=ChannelMapping.Kind.STATUS,
            source_code=event.to_status,
            is_active=True,
        )
        .values_list("target", flat=True)
        .first()
    )
    row = Outbox.objects.create(
        case=case,
        event=event,
        platform=platform,
        channel=adapter.channel,
        source_ref=case.source_ref[:64],
        payload=build_payload(
            adapter=adapter,
            source_ref=case.source_ref,
            number=case.number,
            event_id=event.pk,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
            public=event.public,
            at=event.created_at,
            source_status=mapping,
        ),
        next_attempt_at=timezone.now(),
    )
    pk = row.pk
    transaction.on_commit(lambda: _enqueue_task(pk))
    return row


def kick_sweep() -> None:
    """Once the caller's transaction commits, enqueue the periodic sweep
    (``deliver_due_outbox``) once, so rows written in bulk start going out now
    instead of at the next minute; if that fails the sweep still comes."""
    transaction.on_commit(_enqueue_sweep)


def _enqueue_sweep() -> None:
    from .tasks import deliver_due_outbox

    try:
        deliver_due_outbox()
    except Exception:
        logger.exception("outbox: could not enqueue the sweep")


def _enqueue_task(pk: int) -> None:
    from .tasks import deliver_outbox

    try:
        deliver_outbox(pk)
    except Exception:  # the periodic sweep picks it up
        logger.exception("outbox %s: could not enqueue", pk)


def send(row: Outbox) -> None:
    """POST the payload to the platform; DeliveryFailed on anything but 2xx."""
    platform = row.platform
    if platform is None or not platform.callback_url:
        raise DeliveryFailed(_("未配置回推地址"))
    if not platform.active:
        raise DeliveryFailed(_("对接平台已停用"))
    body = json.dumps(row.payload, ensure_ascii=False).encode()
    ts = str(int(time.time()))
    req = urllib.request.Request(
        platform.callback_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Gongzhi-Timestamp": ts,
            "X-Gongzhi-Signature": sign(platform.webhook_secret or "", ts, body),
            "X-Gongzhi-Event-Id": str(row.event_id),
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            if not 200 <= resp.status < 300:
                raise DeliveryFailed(f"HTTP {resp.status}")
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryFailed(str(getattr(exc, "reason", exc))[:300]) from exc


def deliver(pk: int, *, sender=None) -> Outbox | None:
    """Try one row now. Returns it (sent, rescheduled or failed); None if it
    is gone, no longer pending, or another sender has it.

    Three steps, so that no transaction (on SQLite: the database's write
    lock) is held while the source platform answers: claim the row (a lease
    of ``LEASE`` seconds, one attempt counted), send, record the outcome. A
    sender that dies between the steps leaves the row pending; it is tried
    again when the lease passes — at least once, so receivers de-duplicate
    on ``X-Gongzhi-Event-Id``."""
    sender = sender or send
    row = _claim(pk)
    if row is None or row.lease_until is None:
        return row  # gone, or waiting for an earlier change of its case
    try:
        sender(row)
    except Exception as exc:
        return _record(row, error=str(exc)[:500] or exc.__class__.__name__)
    return _record(row, error=None)


def _claim(pk: int) -> Outbox | None:
    now = timezone.now()
    with transaction.atomic():
        row = (
            Outbox.objects.select_for_update(of=("self",))
            .select_related("platform")
            .filter(pk=pk, state=Outbox.State.PENDING)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .first()
        )
        if row is None:
            return None
        earlier = (
            Outbox.objects.filter(case_id=row.case_id, pk__lt=row.pk)
            .exclude(state=Outbox.State.SENT)
            .order_by("pk")
            .first()
        )
        if earlier is not None:
            # keep the source's order: wait for the earlier change
            row.next_attempt_at = max(earlier.next_attempt_at or now, now)
            row.last_error = _("等待本案件更早的状态推送")
            row.save(update_fields=["next_attempt_at", "last_error"])
            return row
        row.attempts += 1
        row.lease_until = now + timedelta(seconds=LEASE)
        row.next_attempt_at = row.lease_until  # the sweep looks again only after the lease
        row.save(update_fields=["attempts", "lease_until", "next_attempt_at"])
    return row


def _record(claimed: Outbox, *, error: str | None) -> Outbox | None:
    with transaction.atomic():
        row = (
            Outbox.objects.select_for_update()
            .filter(pk=claimed.pk, state=Outbox.State.PENDING, attempts=claimed.attempts)
            .first()
        )
        if row is None:  # the lease ran out and someone else took the row
            return None
        row.lease_until = None
        fields = ["lease_until", "last_error", "state", "next_attempt_at", "sent_at"]
        if error is not None:
            row.last_error = error
            if row.attempts >= MAX_ATTEMPTS:
                row.state = Outbox.State.FAILED
                row.next_attempt_at = None
            else:
                row.next_attempt_at = timezone.now() + timedelta(seconds=backoff(row.attempts))
            row.save(update_fields=fields)
            logger.warning("outbox %s attempt %s failed: %s", row.pk, row.attempts, error)
            return row
        row.state = Outbox.State.SENT
        row.sent_at = timezone.now()
        row.last_error = ""
        row.next_attempt_at = None
        row.save(update_fields=fields)
        # the next change of this case may have been waiting for this one
        nxt = (
            Outbox.objects.filter(case_id=row.case_id, pk__gt=row.pk, state=Outbox.State.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if nxt is not None:
            transaction.on_commit(lambda: _enqueue_task(nxt))
    return row


def deliver_due(
    *,
    limit: int = SWEEP_LIMIT,
    sender=None,
    workers: int | None = None,
    budget: float = SWEEP_BUDGET,
) -> dict[str, int]:
    """Pending rows whose time has come, oldest first (the periodic sweep).

    Cases are sent side by side by ``workers`` threads (``OUTBOX_SENDERS``,
    default 4), the rows of one case in order by one thread; no new row is
    started after ``budget`` seconds, so one sweep ends before the next."""
    now = timezone.now()
    due = list(
        Outbox.objects.filter(state=Outbox.State.PENDING, next_attempt_at__lte=now)
        .order_by("pk")
        .values_list("pk", "case_id")[:limit]
    )
    by_case: dict[int, list[int]] = {}
    for pk, case_id in due:
        by_case.setdefault(case_id, []).append(pk)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    deadline = time.monotonic() + budget
    workers = workers or getattr(settings, "OUTBOX_SENDERS", 4)

    def run(pks: list[int]) -> list[Outbox | None]:
        out = []
        for pk in pks:
            if time.monotonic() > deadline:
                break
            out.append(deliver(pk, sender=sender))
        return out

    # Threads have connections of their own: rows written in the caller's
    # open transaction would be invisible to them, so then send in line.
    if workers <= 1 or connection.in_atomic_block or len(by_case) <= 1:
        results = [row for pks in by_case.values() for row in run(pks)]
    else:

        def threaded(pks):
            try:
                return run(pks)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = [row for rows in pool.map(threaded, by_case.values()) for row in rows]
    for row in results:
        if row is None or (row.lease_until is not None and row.state == Outbox.State.PENDING):
            continue  # not ours, or waiting for an earlier change
        if row.state == Outbox.State.SENT:
            counts["sent"] += 1
        elif row.state == Outbox.State.FAILED:
            counts["failed"] += 1
        else:
            counts["retry"] += 1
    return counts


def retry(pk: int) -> Outbox | None:
    """An officer asks for another try of a failed (or waiting) row."""
    with transaction.atomic():
        row = Outbox.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.state == Outbox.State.SENT:
            return row
        row.state = Outbox.State.PENDING
        row.next_attempt_at = timezone.now()
        row.save(update_fields=["state", "next_attempt_at"])
    transaction.on_commit(lambda: _enqueue_task(pk))
    return row
