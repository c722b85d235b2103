"""The audit log: ``audit_record`` appends, ``audit_verify`` checks the chain.

Call ``audit_record`` for every security-relevant event, inside the same
transaction as the change it records (a case transition, a role grant), so
the entry exists exactly when the change does::

    audit_record(action=AuditAction.CASE_TRANSITION, actor=actor, target=case,
                 scope_code=case.grid_code, detail={"from": old, "to": new})

``detail`` must hold masked values only (``gongzhi.core.masking``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
# The row ``audit_purge`` appends: its detail names the last purged row and its
# hash, where ``audit_verify`` picks the chain up again.
PURGE_ACTION = "audit_purge"
MIN_RETENTION_DAYS = 180


def client_ip(request) -> str:
    # X-Real-IP only behind our own nginx (BEHIND_PROXY); REMOTE_ADDR otherwise.
    if request is None:
        return ""
    from gongzhi.core.ratelimit import request_ip

    return request_ip(request, default="")[:45]


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "action": entry.action,
        "outcome": entry.outcome,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "scope_code": entry.scope_code,
        "ip": entry.ip,
        "path": entry.path,
        "reason": entry.reason,
        "detail": entry.detail,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_digest(entry: AuditEntry, prev_hash: str) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(entry)).hexdigest()


@transaction.atomic
def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    scope_code: str = "",
    reason: str = "",
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEntry:
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    AuditHead.objects.get_or_create(pk=1)
    head = AuditHead.objects.select_for_update().get(pk=1)
    # Round-trip through JSON now so the hash covers exactly what is stored.
    clean_detail = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    entry = AuditEntry(
        seq=head.seq + 1,
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_username=(actor.get_username() if actor is not None else username)[:150],
        action=action,
        outcome=outcome,
        target_type=target_type[:64],
        target_id=str(target_id)[:64],
        scope_code=scope_code or (getattr(actor, "scope_code", None) or ""),
        ip=client_ip(request),
        path=(request.path[:255] if request is not None else ""),
        reason=reason,
        detail=clean_detail,
        prev_hash=head.hash,
    )
    entry.hash = entry_digest(entry, head.hash)
    entry.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _anchor_for(first_seq: int) -> str | None:
    """The hash a purge recorded for row ``first_seq - 1`` (None: no such purge).
    The anchor row itself lies later in the chain, so the walk verifies it."""
    for detail in (
        AuditEntry.objects.filter(action=PURGE_ACTION, seq__gte=first_seq)
        .order_by("seq")
        .values_list("detail", flat=True)
    ):
        if isinstance(detail, dict) and detail.get("purged_through_seq") == first_seq - 1:
            return str(detail.get("anchor_hash", ""))
    return None


def audit_verify() -> VerifyResult:
    """Walk the chain in sequence order; name the first row that does not fit.

    After ``audit_purge`` the chain starts at the first kept row, whose
    ``prev_hash`` must equal the anchor the purge row recorded (that purge row
    is itself part of the verified chain). Rows missing at the start without
    such an anchor are reported like any other gap."""
    prev_hash, expected_seq, checked = GENESIS, None, 0
    first = AuditEntry.objects.order_by("seq").values_list("seq", "pk").first()
    if first is not None and first[0] != 1:
        anchor = _anchor_for(first[0])
        if anchor is None:
            return VerifyResult(0, first[0], first[1], f"missing rows before seq {first[0]}")
        prev_hash, expected_seq = anchor, first[0]
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if expected_seq is not None and entry.seq != expected_seq:
            return VerifyResult(
                checked, entry.seq, entry.pk, f"missing rows before seq {entry.seq}"
            )
        if entry.prev_hash != prev_hash:
            return VerifyResult(checked, entry.seq, entry.pk, "prev_hash does not match")
        if entry_digest(entry, prev_hash) != entry.hash:
            return VerifyResult(checked, entry.seq, entry.pk, "content does not match its hash")
        prev_hash, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and checked and head.hash != prev_hash:
        return VerifyResult(checked, head.seq, None, "rows after the last stored one are missing")
    return VerifyResult(checked)


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    through_seq: int | None = None
    anchor: AuditEntry | None = None


def audit_purge(*, days: int | None = None, now=None, dry_run: bool = False) -> PurgeResult:
    """Delete the audit rows older than the retention period (``days``,
    default ``AUDIT_RETENTION_DAYS``; fewer than 180 is refused) and append an
    anchor row naming the last purged row's seq and hash, so ``audit_verify``
    still checks everything that is kept.

    Only a prefix of the chain is purged (rows up to the newest one older than
    the cut-off, by seq), never a row in the middle. The chain is verified
    first: a broken chain is not purged (the evidence would go with it).

    PostgreSQL's trigger refuses DELETE unless the transaction ``SET LOCAL
    gongzhi.audit_purge = 'on'`` and the row is older than 180 days (migration
    0005); SQLite's trigger refuses UPDATE only."""
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    if days < MIN_RETENTION_DAYS:
        raise ValueError(f"audit retention must be at least {MIN_RETENTION_DAYS} days, got {days}")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        AuditHead.objects.get_or_create(pk=1)
        AuditHead.objects.select_for_update().get(pk=1)  # no appends meanwhile
        check = audit_verify()
        if not check.ok:
            raise ValueError(
                f"audit chain broken at seq {check.broken_seq} ({check.problem}); not purging"
            )
        kept = AuditEntry.objects.filter(created_at__gte=cutoff).order_by("seq").first()
        old = AuditEntry.objects.filter(created_at__lt=cutoff)
        if kept is not None:
            old = old.filter(seq__lt=kept.seq)
        last = old.order_by("-seq").values("seq", "hash").first()
        if last is None:
            return PurgeResult(0)
        count = AuditEntry.objects.filter(seq__lte=last["seq"]).count()
        if dry_run:
            return PurgeResult(count, last["seq"])
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL gongzhi.audit_purge = 'on'")
            cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [last["seq"]])  # nosec B608
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL gongzhi.audit_purge = 'off'")
        anchor = audit_record(
            action=PURGE_ACTION,
            username="manage.py",
            reason=f"保留期 {days} 天,清理 {cutoff.date().isoformat()} 之前的审计记录",
            detail={
                "purged": count,
                "purged_through_seq": last["seq"],
                "anchor_hash": last["hash"],
                "cutoff": cutoff.isoformat(timespec="seconds"),
                "retention_days": days,
            },
        )
    return PurgeResult(count, last["seq"], anchor)
