"""Supervision (督办) by officers, and the clock sweep's warnings and
escalations (idempotent: ``warned_at`` / ``escalated_at`` are set once per
deadline)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from ..constants import CLOCK_STATUSES, Action
from ..deadlines import working_hours_between
from ..models import Case
from ..units import level_above, unit_of
from .base import begin, finish, lock, now, record_event, require_text


@transaction.atomic
def case_supervise(*, case: Case, actor, note: str, expected_version: int | None = None) -> Case:
    """Raise the priority and notify the level above the responsible unit;
    the status does not change."""
    case, t = begin(
        case=case, action=Action.SUPERVISE, actor=actor, expected_version=expected_version
    )
    note = require_text(note, _("督办意见"), max_length=1000)
    case.priority += 1
    unit = unit_of(case)
    above = level_above(unit) if unit is not None else None
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=["priority"],
        note=note,
        payload={"priority": case.priority, "notify_division": above.code if above else None},
    )
    return case


def _clock_event(case: Case, action: str, fields: list[str], payload: dict) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])
    record_event(case=case, action=action, from_status=case.status, actor=None, payload=payload)


@transaction.atomic
def case_warn_if_near_due(*, case_id: int, at: datetime | None = None) -> bool:
    """Warn the unit once when 80% of the limit has passed: from ``warn_at``,
    the moment stored with the deadline (the lists' 临期 flag reads the same
    field, so the warning never contradicts them)."""
    at = at or now()
    case = lock(case_id)
    if case.status not in CLOCK_STATUSES or case.handle_due is None or case.warned_at:
        return False
    if case.warn_at is None or at < case.warn_at or at >= case.handle_due:
        return False
    remaining = working_hours_between(at, case.handle_due)
    case.warned_at = at
    _clock_event(
        case,
        Action.WARN,
        ["warned_at"],
        {"handle_due": case.handle_due.isoformat(), "remaining_hours": round(remaining, 2)},
    )
    return True


@transaction.atomic
def case_escalate_if_overdue(*, case_id: int, at: datetime | None = None) -> bool:
    """Report an overdue case once to the level above its unit."""
    at = at or now()
    case = lock(case_id)
    if case.status not in CLOCK_STATUSES or case.handle_due is None or case.escalated_at:
        return False
    if at <= case.handle_due:
        return False
    unit = unit_of(case)
    above = level_above(unit) if unit is not None else None
    case.escalated_at = at
    case.escalated_to = above
    case.priority += 1
    _clock_event(
        case,
        Action.ESCALATE,
        ["escalated_at", "escalated_to", "priority"],
        {"handle_due": case.handle_due.isoformat(), "to": above.code if above else None},
    )
    return True
