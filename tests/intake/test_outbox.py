"""Status pushed back to the source: outbox row per status change, retries with
back-off while the source is down, nothing lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.cases import workflow
from gongzhi.cases.constants import Action
from gongzhi.cases.models import Case, Category
from gongzhi.cases.services import case_submit
from gongzhi.cases.services.base import finish, lock
from gongzhi.intake import outbox
from gongzhi.intake.models import Outbox

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def sent(monkeypatch):
    calls = []
    state = {"down": True}

    def fake_send(row):
        if state["down"]:
            raise outbox.DeliveryFailed("源平台无响应")
        calls.append(row.payload)

    monkeypatch.setattr(outbox, "send", fake_send)
    return calls, state


def submit(ref="UM-OB-1"):
    case, _ = case_submit(
        actor=None,
        channel="urban_management",
        title="井盖破损",
        description="井盖破损",
        category=Category.objects.get(code="UC01"),
        lng=117.30,
        lat=31.80,
        source_ref=ref,
    )
    return case


def register(case):
    from django.db import transaction

    with transaction.atomic():
        locked = lock(case)
        t = workflow.transition_for(locked.status, Action.REGISTER)
        finish(case=locked, transition=t, actor=None)


def test_each_status_change_writes_an_outbox_row(
    platform, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        case = submit()
        register(case)
    rows = list(Outbox.objects.filter(case=case).order_by("pk"))
    assert [r.payload["status"] for r in rows] == ["submitted", "registered"]
    assert rows[0].payload["sourceRef"] == "UM-OB-1" and rows[0].platform == platform
    # Beijing time, as the source platforms keep it
    assert all(r.payload["at"].endswith("+08:00") for r in rows)


def test_no_platform_no_row(sent):
    case = submit("UM-OB-2")
    assert not Outbox.objects.filter(case=case).exists()


def test_source_down_then_up_nothing_lost(platform, sent, django_capture_on_commit_callbacks):
    calls, state = sent
    with django_capture_on_commit_callbacks(execute=False):
        case = submit("UM-OB-3")
        register(case)
    first, second = Outbox.objects.filter(case=case).order_by("pk")
    r = outbox.deliver(first.pk)
    assert r.state == Outbox.State.PENDING and r.attempts == 1
    assert "无响应" in r.last_error
    assert r.next_attempt_at > timezone.now() + timedelta(seconds=20)
    # the later change waits for the earlier one (source sees them in order)
    assert outbox.deliver(second.pk).attempts == 0
    r = outbox.deliver(first.pk)
    assert r.attempts == 2
    gap = (r.next_attempt_at - timezone.now()).total_seconds()
    assert 50 < gap <= 60  # back-off doubled
    assert outbox.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    Outbox.objects.filter(case=case).update(next_attempt_at=timezone.now())
    state["down"] = False
    assert outbox.deliver_due()["sent"] == 2
    assert [p["status"] for p in calls] == ["submitted", "registered"]
    assert set(Outbox.objects.filter(case=case).values_list("state", flat=True)) == {"sent"}


def test_gives_up_visibly_after_max_attempts_and_officer_retries(
    platform, sent, django_capture_on_commit_callbacks
):
    calls, state = sent
    with django_capture_on_commit_callbacks(execute=False):
        case = submit("UM-OB-4")
    row = Outbox.objects.get(case=case)
    for _ in range(outbox.MAX_ATTEMPTS):
        Outbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        outbox.deliver(row.pk)
    row.refresh_from_db()
    assert row.state == Outbox.State.FAILED and row.attempts == outbox.MAX_ATTEMPTS
    state["down"] = False
    with django_capture_on_commit_callbacks(execute=False):
        outbox.retry(row.pk)
    assert outbox.deliver(row.pk).state == Outbox.State.SENT
    assert calls[0]["caseNumber"] == Case.objects.get(pk=case.pk).number


def test_outbox_page_lists_failures(platform, sent, client, django_capture_on_commit_callbacks):
    from gongzhi.accounts.constants import Role
    from tests.factories import make_user

    with django_capture_on_commit_callbacks(execute=False):
        case = submit("UM-OB-5")
    Outbox.objects.filter(case=case).update(state="failed", last_error="HTTP 503")
    user = make_user("340111", Role.DISTRICT_OFFICER)
    client.force_login(user)
    r = client.get("/intake/outbox/")
    assert r.status_code == 200
    assert "HTTP 503" in r.content.decode() and case.number in r.content.decode()
