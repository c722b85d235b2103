"""``POST /intake/webhook/<channel>/``: a source platform pushes one record.

Headers: ``X-Gongzhi-Platform`` (platform code; optional when the channel has
exactly one active platform), ``X-Gongzhi-Timestamp`` (unix seconds) and
``X-Gongzhi-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``
with the platform's webhook key. Body: one JSON record in the channel's
format (docs/channels.md).

Answers: 201 case created, 200 the same case again (replay of a source
reference), both with the case's stored state (``"merged_into"``: the
master's number when the duplicate merge took the case); 202 sent to human
triage, 400 bad record (Chinese reason), 401 bad/missing signature or stale
timestamp, 404 unknown channel, 413 body over ``MAX_BODY`` bytes, 429 too
many calls.
"""

from __future__ import annotations

import hmac
import json
import time

from django.db import transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case
from gongzhi.core.ratelimit import rate_limited

from .channels import ADAPTERS, RecordError, ingest
from .models import IntegrationPlatform, WebhookDelivery
from .outbox import sign

MAX_BODY = 64 * 1024
MAX_SKEW = 300  # seconds either way


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def _platform(request, channel: str) -> IntegrationPlatform | None:
    qs = IntegrationPlatform.objects.filter(channel=channel, active=True)
    code = request.headers.get("X-Gongzhi-Platform", "").strip()
    if code:
        qs = qs.filter(code=code)
    # the secret is encrypted (no SQL filter on it): checked in Python
    found = [p for p in qs[:2] if p.webhook_secret]
    return found[0] if len(found) == 1 else None


def _log(platform, channel, status, *, ref="", case=None, replay=False, error=""):
    WebhookDelivery.objects.create(
        platform=platform,
        channel=channel,
        source_ref=ref[:64],
        status_code=status,
        case=case,
        replay=replay,
        error=error[:300],
    )


@csrf_exempt
@require_POST
@rate_limited("intake-webhook", limit=600, window=60)
def webhook(request, channel: str):
    adapter = ADAPTERS.get(channel)
    if adapter is None:
        return _error(404, "unknown_channel", _("未知的渠道。"))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        _log(None, channel, 413, error="payload too large")
        return _error(413, "payload_too_large", _("请求体超过 %(n)d 字节。") % {"n": MAX_BODY})
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        _log(None, channel, 413, error="payload too large")
        return _error(413, "payload_too_large", _("请求体超过 %(n)d 字节。") % {"n": MAX_BODY})

    platform = _platform(request, channel)
    ts = request.headers.get("X-Gongzhi-Timestamp", "").strip()
    given = request.headers.get("X-Gongzhi-Signature", "").strip()
    if platform is None or not ts or not given:
        _log(platform, channel, 401, error="missing platform/signature")
        return _error(401, "bad_signature", _("缺少签名或对接平台未配置。"))
    if not ts.isdigit() or abs(time.time() - int(ts)) > MAX_SKEW:
        _log(platform, channel, 401, error="stale timestamp")
        return _error(401, "stale_timestamp", _("时间戳已过期或格式不正确。"))
    if not hmac.compare_digest(sign(platform.webhook_secret, ts, body), given):
        _log(platform, channel, 401, error="bad signature")
        return _error(401, "bad_signature", _("签名校验失败。"))

    try:
        row = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        _log(platform, channel, 400, error="bad json")
        return _error(400, "bad_json", _("请求体不是 UTF-8 JSON。"))
    if not isinstance(row, dict):
        _log(platform, channel, 400, error="not an object")
        return _error(400, "bad_json", _("请求体应为一个 JSON 对象。"))
    ref = str(row.get(adapter.ref_field, "") or "")
    try:
        with transaction.atomic():
            outcome = ingest(adapter, row)
    except RecordError as exc:
        _log(platform, channel, 400, ref=ref, error=str(exc))
        return _error(400, "invalid_record", str(exc))
    if outcome.kind == "triaged":
        _log(platform, channel, 202, ref=ref)
        return JsonResponse({"triage_id": outcome.item.pk, "status": "triage"}, status=202)
    status = 201 if outcome.kind == "created" else 200
    _log(platform, channel, status, ref=ref, case=outcome.case, replay=status == 200)
    return JsonResponse(_answer(outcome.case, created=status == 201), status=status)


def _answer(case, *, created: bool) -> dict:
    """The case as stored now: the duplicate merge runs after the case is
    created and changes the row, not the object ``ingest`` returned; a merged
    case names its master. A replay answers the same."""
    row = Case.objects.filter(pk=case.pk).values("number", "status", "master__number").get()
    out = {"case_number": row["number"], "status": row["status"], "created": created}
    if row["status"] == Status.MERGED and row["master__number"]:
        out["merged_into"] = row["master__number"]
    return out
