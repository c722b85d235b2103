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
    running = Case.objects.filter(status__in=CLOCK_STATUSES)
    # Only the cases whose moment has come (indexed on status + handle_due
    # and status + warn_at): an overdue case is escalated, not warned.
    overdue = running.filter(handle_due__lt=at, escalated_at__isnull=True)
    for pk in overdue.values_list("pk", flat=True).iterator():
        counts["escalated"] += case_escalate_if_overdue(case_id=pk, at=at)
    near = running.filter(warn_at__lte=at, handle_due__gt=at, warned_at__isnull=True)
    for pk in near.values_list("pk", flat=True).iterator():
        counts["warned"] += case_warn_if_near_due(case_id=pk, at=at)
    logger.info(_("时限巡检:预警 %(warned)d 件,超期上报 %(escalated)d 件"), counts)
    return counts


@db_periodic_task(crontab(minute="*/10"))
def sweep_deadlines() -> dict[str, int]:
    return sweep()
