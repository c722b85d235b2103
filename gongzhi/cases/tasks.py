"""Background work of the cases app (huey): notifications after commit and
the periodic clock sweep. Tasks are thin; the services do the work."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=30)
def notify_event(event_id: int) -> int:
    from .notifications import notify_for_event

    return notify_for_event(event_id)


def sweep(at=None) -> dict[str, int]:
    """Warn near-due cases and escalate overdue ones; safe to run twice."""
    from django.utils import timezone

    from .constants import CLOCK_STATUSES
    from .models import Case
    from .services import case_escalate_if_overdue, case_warn_if_near_due

    at = at or timezone.now()
    counts = {"warned": 0, "escalated": 0}
    candidates = Case.objects.filter(
        status__in=CLOCK_STATUSES, handle_due__isnull=False
    ).values_list("pk", "handle_due", "warned_at", "escalated_at")
    for pk, due, warned_at, escalated_at in candidates.iterator():
        if due < at:
            if escalated_at is None:
                counts["escalated"] += case_escalate_if_overdue(case_id=pk, at=at)
        elif warned_at is None:
            counts["warned"] += case_warn_if_near_due(case_id=pk, at=at)
    logger.info(_("时限巡检:预警 %(warned)d 件,超期上报 %(escalated)d 件"), counts)
    return counts


@db_periodic_task(crontab(minute="*/10"))
def sweep_deadlines() -> dict[str, int]:
    return sweep()
