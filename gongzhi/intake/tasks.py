"""Background work of intake (huey): pushing status changes back to the source."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def deliver_outbox(pk: int) -> str:
    """Try one outbox row; on failure schedule the next try with back-off."""
    from . import outbox
    from .models import Outbox

    row = outbox.deliver(pk)
    if row is None:
        return "skip"
    if row.state == Outbox.State.PENDING and row.next_attempt_at is not None:
        from django.utils import timezone

        delay = max(int((row.next_attempt_at - timezone.now()).total_seconds()), 1)
        deliver_outbox.schedule((pk,), delay=delay)
    return row.state


@db_periodic_task(crontab(minute="*"))
def deliver_due_outbox() -> dict:
    """Safety net: every pending row that is due (lost tasks, restarts)."""
    from . import outbox

    return outbox.deliver_due()
