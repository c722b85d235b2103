"""The intake demo: the channels' sample files imported, demo platforms whose
printed keys sign webhooks; running it again changes nothing."""

from __future__ import annotations

import json
import time

import pytest

from gongzhi.cases.models import Case
from gongzhi.intake.demo import demo_platform_code, intake_generate
from gongzhi.intake.models import ImportBatch, SourceChannel
from gongzhi.intake.outbox import sign

pytestmark = pytest.mark.django_db


def test_samples_imported_and_demo_keys_sign_webhooks(client):
    first = intake_generate()
    assert first.files >= 13 and first.created > 0 and first.failed > 0
    assert ImportBatch.objects.count() == first.files
    assert set(first.platforms) == {demo_platform_code(c) for c in SourceChannel.values}
    cases = Case.objects.count()

    again = intake_generate()
    assert (again.files, again.created) == (0, 0)
    assert again.platforms == first.platforms and Case.objects.count() == cases

    code = demo_platform_code("hotline_12345")
    body = json.dumps(
        {"workOrderNo": "HLWDEMO1", "title": "路灯不亮", "content": "小区门口路灯连续三晚不亮。",
         "category": "城乡建设", "lng": 117.30, "lat": 31.80,
         "acceptTime": "2026-11-20 09:30:00"},
        ensure_ascii=False,
    ).encode()  # fmt: skip
    ts = str(int(time.time()))
    r = client.post(
        "/intake/webhook/hotline_12345/", data=body, content_type="application/json",
        HTTP_X_GONGZHI_PLATFORM=code, HTTP_X_GONGZHI_TIMESTAMP=ts,
        HTTP_X_GONGZHI_SIGNATURE=sign(first.platforms[code], ts, body),
    )  # fmt: skip
    assert r.status_code == 201, r.content
