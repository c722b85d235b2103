"""The outbox page: channels by name, and a retry says what it did."""

from __future__ import annotations

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.intake.models import Outbox
from tests.factories import make_user

from .test_outbox import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(platform, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        case = submit("UM-PAGE-1")
    out = Outbox.objects.get(case=case)
    Outbox.objects.filter(pk=out.pk).update(state=Outbox.State.FAILED, last_error="HTTP 503")
    out.refresh_from_db()
    return out


@pytest.fixture
def officer(client):
    user = make_user("340111", Role.DISTRICT_OFFICER, username="ob_officer")
    client.force_login(user)
    return user


def test_the_channel_is_shown_by_its_chinese_name(client, officer, row):
    html = client.get("/intake/outbox/").content.decode()
    assert "<td>数字城管</td>" in html
    assert "urban_management" not in html


def test_a_retry_is_confirmed(client, officer, row):
    response = client.post(f"/intake/outbox/{row.pk}/retry/", follow=True)
    row.refresh_from_db()
    assert row.state == Outbox.State.PENDING
    assert f"已重新排队推送(案件 {row.case.number})" in response.content.decode()


def test_retrying_a_sent_row_says_there_is_nothing_to_do(client, officer, row):
    Outbox.objects.filter(pk=row.pk).update(state=Outbox.State.SENT)
    response = client.post(f"/intake/outbox/{row.pk}/retry/", follow=True)
    html = response.content.decode()
    assert "该记录已推送成功,无需重试。" in html
    assert "已重新排队推送" not in html
