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
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def client_ip(request) -> str:
    # Behind nginx the real address arrives in X-Real-IP (set by our own proxy
    # config, docs/operations.md); REMOTE_ADDR otherwise.
    if request is None:
        return ""
    return (request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or "")[:45]


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


def audit_verify() -> VerifyResult:
    """Walk the chain in sequence order; name the first row that does not fit."""
    prev_hash, expected_seq, checked = GENESIS, None, 0
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
