"""Background work of intake (huey): pushing status changes back to the source,
retraining the category model on officers' triage decisions."""

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


@db_periodic_task(crontab(day_of_week="0", hour="3", minute="30"))
def retrain_classifier() -> str:
    """Weekly: retrain the category model once enough triage decisions came in
    since it was trained (gongzhi/intake/feedback.py); web and worker
    processes pick the new file up on their next prediction."""
    from django.core.management import call_command

    from . import feedback

    new = feedback.retrain_due()
    if not new:
        return "not due"
    call_command("train_classifier", verbosity=0)
    return f"retrained ({new} new decisions)"
