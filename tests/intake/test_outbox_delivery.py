"""Outbox delivery holds no transaction while the source answers, survives a
sender dying mid-send, and the sweep sends cases side by side in order."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.cases.catalogue import seed_categories
from gongzhi.cases.models import Category
from gongzhi.intake import outbox
from gongzhi.intake.models import Outbox
from tests.intake.test_outbox import register, submit


@pytest.mark.django_db
def test_no_transaction_is_open_while_the_source_answers(
    platform, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        case = submit("UM-DL-1")
    row = Outbox.objects.get(case=case)
    baseline = len(connection.atomic_blocks)  # the test's own transaction
    seen = []

    def sender(r):
        seen.append(len(connection.atomic_blocks))
        # a second sender cannot take the row while this one has it
        assert outbox.deliver(r.pk, sender=lambda _r: pytest.fail("sent twice")) is None

    done = outbox.deliver(row.pk, sender=sender)
    assert seen == [baseline]
    assert done.state == Outbox.State.SENT and done.attempts == 1 and done.lease_until is None


class Crash(BaseException):
    """The worker process killed in the middle of the HTTP call."""


@pytest.mark.django_db
def test_a_sender_dying_mid_send_loses_nothing(platform, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        case = submit("UM-DL-2")
    row = Outbox.objects.get(case=case)

    def dies(_r):
        raise Crash

    with pytest.raises(Crash):
        outbox.deliver(row.pk, sender=dies)
    row.refresh_from_db()
    assert row.state == Outbox.State.PENDING and row.attempts == 1
    assert row.lease_until > timezone.now()
    sent = []
    assert outbox.deliver_due(sender=sent.append) == {"sent": 0, "retry": 0, "failed": 0}
    # the lease passes: the next sweep sends it
    past = timezone.now() - timedelta(seconds=1)
    Outbox.objects.filter(pk=row.pk).update(lease_until=past, next_attempt_at=past)
    assert outbox.deliver_due(sender=sent.append)["sent"] == 1
    row.refresh_from_db()
    assert row.state == Outbox.State.SENT and row.attempts == 2 and [r.pk for r in sent] == [row.pk]


def test_sweep_sends_cases_side_by_side_each_in_order(
    territory_live, platform, django_capture_on_commit_callbacks
):
    seed_categories(Category)  # transactional tests empty every table, the catalogue too
    with django_capture_on_commit_callbacks(execute=False):
        cases = [submit(f"UM-DL-P{i}") for i in range(4)]
        for case in cases:
            register(case)
    lock = threading.Lock()
    log, threads = [], set()

    def slow_sender(r):
        time.sleep(0.2)
        with lock:
            log.append((r.case_id, r.payload["status"]))
            threads.add(threading.get_ident())

    started = time.monotonic()
    counts = outbox.deliver_due(sender=slow_sender, workers=4)
    elapsed = time.monotonic() - started
    assert counts == {"sent": 8, "retry": 0, "failed": 0}
    for case in cases:
        assert [s for c, s in log if c == case.pk] == ["submitted", "registered"]
    assert len(threads) > 1
    assert elapsed < 8 * 0.2  # in line it would take 1.6 s
    assert not Outbox.objects.exclude(state=Outbox.State.SENT).exists()
