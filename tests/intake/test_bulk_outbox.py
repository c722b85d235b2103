"""Bulk import and the status push (decisions 0031, 0032): cases imported in
bulk from a channel whose platform has a callback URL get the outbox rows the
one-by-one path writes — the SUBMIT push, and the MERGE push of an auto-merged
duplicate — in the batch's transaction, with the same payload; channels
without a callback URL get none; the periodic sweep delivers them in order."""

from __future__ import annotations

import json

import pytest
from django.db.models import F

from gongzhi.cases.constants import Action, Status
from gongzhi.cases.models import Case, CaseEvent, Category
from gongzhi.intake import outbox
from gongzhi.intake.bulk.generate import generate
from gongzhi.intake.bulk.persist import MERGE_NOTE
from gongzhi.intake.bulk.pipeline import run
from gongzhi.intake.classify import Prediction
from gongzhi.intake.models import ChannelMapping, IntegrationPlatform, Outbox
from gongzhi.intake.tasks import deliver_due_outbox

pytestmark = pytest.mark.django_db

N = 600
# channels whose platform has an active callback; the others are not pushed
PUSHED = {"urban_management", "hotline_12345", "skynet", "police_110", "grid_patrol"}


class SureClassifier:
    """Stand-in for the trained model: always the same class, always sure."""

    def __init__(self, label: str):
        self.label = label

    def predict(self, texts, subcategory=True):
        return [Prediction(self.label, 0.9, False, alternatives=[("其他", 0.05)]) for _t in texts]


@pytest.fixture
def classifier(db):
    cat = Category.objects.filter(source="citizen", parent__code="T").order_by("code").first()
    return SureClassifier(cat.name)


@pytest.fixture
def directory(tmp_path, db):
    generate(tmp_path, N, echo_share=0.25, days=4, per_file=200)
    return tmp_path


@pytest.fixture
def platforms(db):
    for channel in sorted(PUSHED):
        IntegrationPlatform.objects.create(
            code=f"cb-{channel}"[:24].replace("_", "-"),
            name=channel,
            channel=channel,
            webhook_secret="k",
            callback_url=f"http://127.0.0.1:9/{channel}",
        )
    # no callback URL / not active: nothing pushed
    IntegrationPlatform.objects.create(code="chat", name="楼栋群", channel="chat_group")
    IntegrationPlatform.objects.create(
        code="petition",
        name="信访",
        channel="petition",
        active=False,
        callback_url="http://127.0.0.1:9/petition",
    )
    ChannelMapping.objects.create(
        channel="urban_management", kind="status", source_code="submitted", target="已受理"
    )
    for channel in sorted(PUSHED):
        ChannelMapping.objects.create(
            channel=channel, kind="status", source_code="merged", target="已合并"
        )
    return {p.channel: p for p in IntegrationPlatform.objects.all()}


@pytest.fixture
def sent(monkeypatch):
    calls = []

    def fake_send(row):
        calls.append(row.payload)

    monkeypatch.setattr(outbox, "send", fake_send)
    return calls


def intake_channel(case: Case) -> str:
    from gongzhi.intake.channels import adapter_for_case

    return adapter_for_case(case).channel


def single_path_payload(event: CaseEvent) -> dict:
    """What enqueue_for_event writes for this event (run in a savepoint, undone)."""
    from django.db import transaction

    class Undo(Exception):
        pass

    got = {}
    try:
        with transaction.atomic():
            Outbox.objects.filter(event=event).delete()
            fresh = CaseEvent.objects.select_related("case").get(pk=event.pk)
            row = outbox.enqueue_for_event(fresh)
            got = Outbox.objects.get(pk=row.pk).payload
            raise Undo
    except Undo:
        pass
    return got


def test_pushed_events_get_their_outbox_rows(
    directory, classifier, platforms, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = run(directory, classifier=classifier)
    assert report.imported > 0 and report.merged > 0

    cases = list(Case.objects.all())
    pushed = [c for c in cases if intake_channel(c) in PUSHED]
    assert pushed and len(pushed) < len(cases)
    events = CaseEvent.objects.filter(
        case__in=pushed, action__in=[Action.SUBMIT, Action.MERGE]
    ).exclude(from_status=F("to_status"))  # a master's side of a merge changes no status
    rows = {r.event_id: r for r in Outbox.objects.select_related("event", "case")}
    # one row per pushed status change, none for the other channels
    assert set(rows) == set(events.values_list("pk", flat=True))
    assert report.pushed == len(rows)
    assert not Outbox.objects.exclude(case__in=pushed).exists()
    for row in rows.values():
        ev, case = row.event, row.case
        assert row.case_id == ev.case_id and row.state == Outbox.State.PENDING
        assert row.platform_id == platforms[intake_channel(case)].pk
        assert row.source_ref == case.source_ref and row.attempts == 0
        p = row.payload
        assert (p["eventId"], p["action"], p["status"]) == (ev.pk, ev.action, ev.to_status)
        assert p["caseNumber"] == case.number and p["channel"] == intake_channel(case)
    # the adapter's prefix is not part of the ref the source gets back
    police = next(
        r for r in rows.values() if r.channel == "police_110" and r.event.action == "submit"
    )
    assert police.source_ref.startswith("110:")
    assert police.payload["sourceRef"] == police.source_ref[len("110:") :]

    # the very payload the one-by-one path builds (status mapping included)
    um = next(
        r for r in rows.values() if r.channel == "urban_management" and r.event.action == "submit"
    )
    assert um.payload["sourceStatus"] == "已受理"
    samples = [um, police]
    merged = [r for r in rows.values() if r.event.action == Action.MERGE]
    assert merged
    samples += merged[:3]
    for row in samples:
        bulk = json.loads(json.dumps(Outbox.objects.get(pk=row.pk).payload))
        assert bulk == single_path_payload(row.event)

    # a merged duplicate: its SUBMIT push, then its MERGE push
    for row in merged:
        case = row.case
        assert case.status == Status.MERGED
        assert row.payload["fromStatus"] == Status.SUBMITTED
        assert row.payload["note"] == MERGE_NOTE
        first = Outbox.objects.get(case=case, event__action=Action.SUBMIT)
        assert first.pk < row.pk and first.payload["status"] == Status.SUBMITTED
        assert row.payload["sourceStatus"] == "已合并"
    # no mapping for the status: an empty word, as in the one-by-one path
    assert police.payload["status"] == Status.SUBMITTED and police.payload["sourceStatus"] == ""

    # delivered by the sweep, kicked once after the import (not one task per row)
    assert callbacks.count(outbox._enqueue_sweep) == 1
    while deliver_due_outbox.call_local()["sent"]:
        pass
    assert set(Outbox.objects.values_list("state", flat=True)) == {Outbox.State.SENT}
    assert sorted(p["eventId"] for p in sent) == sorted(rows)
    order = {p["eventId"]: k for k, p in enumerate(sent)}
    for row in merged:
        submit = Outbox.objects.get(case=row.case, event__action=Action.SUBMIT)
        assert order[submit.event_id] < order[row.event_id]


def test_no_callback_url_no_rows(directory, classifier, django_capture_on_commit_callbacks):
    IntegrationPlatform.objects.create(code="um", name="数字城管", channel="urban_management")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = run(directory, classifier=classifier)
    assert report.imported > 0 and report.pushed == 0
    assert not Outbox.objects.exists()
    assert outbox._enqueue_sweep not in callbacks


def test_kick_enqueues_the_sweep_once(monkeypatch):
    from gongzhi.intake import tasks

    calls = []
    monkeypatch.setattr(tasks, "deliver_due_outbox", lambda: calls.append(1))
    outbox._enqueue_sweep()
    assert calls == [1]
