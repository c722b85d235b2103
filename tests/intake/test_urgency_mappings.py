"""Officers' urgency mappings (ChannelMapping kind urgency) apply on every
path a record takes: file import, webhook, and the bulk import's snapshot."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.cases.constants import Urgency
from gongzhi.cases.models import Case
from gongzhi.intake.channels import ADAPTERS, import_file
from gongzhi.intake.channels.base import RecordError, mapping_snapshot
from gongzhi.intake.models import ChannelMapping, IntegrationPlatform, SourceChannel
from gongzhi.intake.outbox import sign

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data" / "channels"


def urgency_mapping(channel: str, word: str, target: str, **kw) -> ChannelMapping:
    return ChannelMapping.objects.create(
        channel=channel, kind=ChannelMapping.Kind.URGENCY, source_code=word, target=target, **kw
    )


def urban_row(urgency: str) -> dict:
    return {"案卷号": "UM2026119001", "问题类型": "事件", "大类代码": "UE01", "小类代码": "",
            "问题描述": "垃圾满溢。", "地址": "包河区", "X": "117.3", "Y": "31.8",
            "坐标系": "wgs84", "上报时间": "2026-11-24 08:00:00", "紧急程度": urgency}  # fmt: skip


def test_urgency_mapping_imports_the_refused_row_of_the_broken_file():
    urgency_mapping(SourceChannel.URBAN_MANAGEMENT, "很急", Urgency.URGENT)
    path = DATA / "urban_management" / "broken.csv"
    batch = import_file(ADAPTERS["urban_management"], path.name, path.read_bytes())
    assert 9 not in {e.line for e in batch.errors.all()}
    assert (batch.created, batch.failed) == (2, 6)
    assert Case.objects.get(source_ref="UM2026110208").urgency == Urgency.URGENT


def test_urgency_mapping_belongs_to_its_channel():
    urgency_mapping(SourceChannel.HOTLINE_12345, "很急", Urgency.URGENT)
    with pytest.raises(RecordError, match="未知的紧急程度"):
        ADAPTERS["urban_management"].to_record(urban_row("很急"))


def test_inactive_urgency_mapping_is_ignored():
    urgency_mapping(SourceChannel.URBAN_MANAGEMENT, "很急", Urgency.URGENT, is_active=False)
    with pytest.raises(RecordError, match="未知的紧急程度"):
        ADAPTERS["urban_management"].to_record(urban_row("很急"))


def test_urgency_mapping_overrides_a_builtin_word():
    urgency_mapping(SourceChannel.URBAN_MANAGEMENT, "紧急", Urgency.CRITICAL)
    record = ADAPTERS["urban_management"].to_record(urban_row("紧急"))
    assert record.urgency == Urgency.CRITICAL


def test_urgency_mapping_applies_to_webhooks(client):
    IntegrationPlatform.objects.create(
        code="hefei12345", name="合肥12345", channel="hotline_12345", webhook_secret="k"
    )
    urgency_mapping(SourceChannel.HOTLINE_12345, "十万火急", Urgency.CRITICAL)
    body = json.dumps({"workOrderNo": "HLUR000001", "title": "井盖缺失",
                       "content": "路口井盖缺失。", "category": "城乡建设", "urgency": "十万火急",
                       "lng": 117.30, "lat": 31.80, "acceptTime": "2026-11-20 09:30:00"},
                      ensure_ascii=False).encode()  # fmt: skip
    ts = str(int(time.time()))
    r = client.post(
        "/intake/webhook/hotline_12345/",
        data=body,
        content_type="application/json",
        HTTP_X_GONGZHI_PLATFORM="hefei12345",
        HTTP_X_GONGZHI_TIMESTAMP=ts,
        HTTP_X_GONGZHI_SIGNATURE=sign("k", ts, body),
    )
    assert r.status_code == 201, r.content
    assert Case.objects.get(source_ref="HLUR000001").urgency == Urgency.CRITICAL


def test_bulk_snapshot_carries_urgency_mappings(django_assert_num_queries):
    urgency_mapping(SourceChannel.URBAN_MANAGEMENT, "很急", Urgency.URGENT)
    with mapping_snapshot() as snap, django_assert_num_queries(0):
        # the bulk path reads the snapshot, never the table, per record
        record = ADAPTERS["urban_management"].to_record(urban_row("很急"))
    assert snap.urgencies == {(SourceChannel.URBAN_MANAGEMENT, "很急"): Urgency.URGENT}
    assert record.urgency == Urgency.URGENT
