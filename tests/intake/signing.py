"""A signed 12345 webhook, as a source platform sends it (docs/channels.md)."""

from __future__ import annotations

import json
import time

from gongzhi.intake.outbox import sign


def hotline_order(ref: str, **fields) -> dict:
    row = {
        "workOrderNo": ref,
        "title": "路灯不亮",
        "content": "小区门口路灯连续三晚不亮。",
        "category": "城乡建设",
        "lng": 117.30,
        "lat": 31.80,
        "acceptTime": "2026-11-20 09:30:00",
    }
    row.update(fields)
    return row


def post_signed(client, record: dict, *, platform: str, secret: str, channel="hotline_12345"):
    body = json.dumps(record, ensure_ascii=False).encode()
    ts = str(int(time.time()))
    return client.post(
        f"/intake/webhook/{channel}/",
        data=body,
        content_type="application/json",
        HTTP_X_GONGZHI_PLATFORM=platform,
        HTTP_X_GONGZHI_TIMESTAMP=ts,
        HTTP_X_GONGZHI_SIGNATURE=sign(secret, ts, body),
    )
