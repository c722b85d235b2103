"""The webhook answers the case as stored after the duplicate merge: a record
merged into an earlier case is answered "merged" with the master's number,
and its replay answers the same."""

from __future__ import annotations

import json

import pytest

from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case
from gongzhi.intake.models import IntegrationPlatform
from tests.intake.test_webhook import SECRET, order, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform():
    return IntegrationPlatform.objects.create(
        code="hefei12345", name="合肥12345", channel="hotline_12345", webhook_secret=SECRET
    )


LAMP = "蜀麓苑3栋楼道灯坏了好几天了,晚上上下楼很不方便,请尽快维修。"


def body(n: int) -> bytes:
    return json.dumps(order(n, title="楼道灯坏了", content=LAMP), ensure_ascii=False).encode()


def test_merged_record_is_answered_merged_with_the_master_and_replay_agrees(client, platform):
    first = post(client, body(1))
    assert first.status_code == 201, first.content
    master_number = first.json()["case_number"]
    assert first.json()["status"] == Status.SUBMITTED
    assert "merged_into" not in first.json()

    second = post(client, body(2))
    assert second.status_code == 201, second.content
    answer = second.json()
    stored = Case.objects.select_related("master").get(number=answer["case_number"])
    assert stored.status == Status.MERGED and stored.master.number == master_number
    assert answer == {
        "case_number": stored.number,
        "status": "merged",
        "merged_into": master_number,
        "created": True,
    }

    replay = post(client, body(2))
    assert replay.status_code == 200
    assert replay.json() == {**answer, "created": False}
