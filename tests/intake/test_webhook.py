"""Signed webhooks: signature, stale timestamp, replay, size limit."""

from __future__ import annotations

import json
import time

import pytest

from gongzhi.cases.models import Case
from gongzhi.intake.models import IntegrationPlatform, WebhookDelivery
from gongzhi.intake.outbox import sign
from gongzhi.intake.webhooks import MAX_BODY

from .signing import hotline_order

pytestmark = pytest.mark.django_db

URL = "/intake/webhook/hotline_12345/"
SECRET = "s3cret-key-for-tests"


@pytest.fixture
def platform():
    return IntegrationPlatform.objects.create(
        code="hefei12345", name="合肥12345", channel="hotline_12345", webhook_secret=SECRET
    )


def order(n=1, **kw):
    return hotline_order(f"HLWH{n:06d}", **kw)


def post(client, body: bytes, *, secret=SECRET, ts=None, platform="hefei12345", sig=None):
    ts = str(int(time.time()) if ts is None else ts)
    headers = {
        "HTTP_X_GONGZHI_PLATFORM": platform,
        "HTTP_X_GONGZHI_TIMESTAMP": ts,
        "HTTP_X_GONGZHI_SIGNATURE": sig or sign(secret, ts, body),
    }
    return client.post(URL, data=body, content_type="application/json", **headers)


def test_signed_record_creates_case_and_replay_returns_same(client, platform):
    body = json.dumps(order(), ensure_ascii=False).encode()
    first = post(client, body)
    assert first.status_code == 201, first.content
    again = post(client, body)
    assert again.status_code == 200
    assert again.json()["case_number"] == first.json()["case_number"]
    assert Case.objects.filter(source_ref="HLWH000001").count() == 1
    assert WebhookDelivery.objects.filter(replay=True).count() == 1


def test_bad_signature_is_401(client, platform):
    body = json.dumps(order()).encode()
    assert post(client, body, secret="wrong").status_code == 401
    assert post(client, body, sig="sha256=00").status_code == 401
    assert post(client, body, platform="nobody").status_code == 401
    assert not Case.objects.filter(source_ref="HLWH000001").exists()


def test_tampered_body_is_401(client, platform):
    ts = str(int(time.time()))
    body = json.dumps(order()).encode()
    sig = sign(SECRET, ts, body)
    tampered = json.dumps(order(lng=117.35)).encode()
    assert post(client, tampered, ts=ts, sig=sig).status_code == 401


def test_stale_timestamp_is_401(client, platform):
    body = json.dumps(order()).encode()
    r = post(client, body, ts=int(time.time()) - 3600)
    assert r.status_code == 401 and r.json()["code"] == "stale_timestamp"


def test_oversized_payload_is_413(client, platform):
    body = json.dumps(order(content="灯" * MAX_BODY)).encode()
    assert post(client, body).status_code == 413


def test_bad_record_is_400_with_chinese_reason(client, platform):
    body = json.dumps(order(lng=122.5, lat=31.0)).encode()
    r = post(client, body)
    assert r.status_code == 400 and "海上" in r.json()["message"]


def test_unknown_channel_is_404(client, platform):
    assert (
        client.post(
            "/intake/webhook/nope/", data=b"{}", content_type="application/json"
        ).status_code
        == 404
    )
