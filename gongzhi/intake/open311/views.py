"""Open311 GeoReport v2 endpoints.

Reads are public (the spec's GET methods need no key) and show only the
public fields of ``serializers``, at most OPEN311_READ_RATE_LIMIT a minute
per client (its api_key when it sends a valid one, else its address). POST
needs an integrated platform's ``api_key``, is limited separately
(OPEN311_WRITE_RATE_LIMIT a minute per key; POSTs refused for want of a valid
key count against the address), and creates the case through
``cases.services.case_submit`` (channel ``open311``, source reference
``<platform>:<token>``, so a repeated POST with the same token returns the
same case).
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.cases.constants import OPEN_STATUSES, Channel, Urgency
from gongzhi.cases.models import Case, CaseEvent, Category
from gongzhi.cases.services import case_submit
from gongzhi.core.errors import DomainError, RateLimited
from gongzhi.core.ratelimit import rate_limit_hit, request_ip, retry_after
from gongzhi.org.models import Building, Division

from ..auth import authenticate_api_key
from ..models import ApiKey
from . import serializers as ser
from .render import FORMATS, Open311Error, error_response, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Channels whose cases are never shown to the public (see decision 0040).
PRIVATE_CHANNELS = (Channel.PETITION, Channel.SKYNET)
MAX_RANGE = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 100
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{8,36}$")
# "2026-11-01T00:00:00 08:00": a "+" sent unencoded in a query string arrives as a space.
_SPACE_OFFSET = re.compile(r" (\d{2}(?::?\d{2})?)$")
CHANGESET = "2026-11-29T00:00:00+08:00"
READ_METHODS = ("GET", "HEAD")
# Public reads per client and minute unless settings.OPEN311_READ_RATE_LIMIT
# says otherwise: a client polling every second still fits, a scraper walking
# case numbers does not (docs/security.md).
READ_RATE_LIMIT = 120
RATE_WINDOW = 60  # seconds, reads and writes alike
# POSTs per api_key and minute unless settings.OPEN311_WRITE_RATE_LIMIT says
# otherwise: well above what a city-management platform forwards, low enough
# that a runaway or leaked client cannot flood the dispatch queue.
WRITE_RATE_LIMIT = 30


def open311_view(methods: tuple[str, ...]):
    """Format check, allowed methods and every error answered in the spec's shape."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in FORMATS:
                return error_response(
                    "json", 404, _("不支持的格式“%(fmt)s”,请使用 .xml 或 .json。") % {"fmt": fmt}
                )
            if request.method not in methods:
                response = error_response(fmt, 405, _("不支持的请求方法。"))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                if request.method in READ_METHODS:
                    check_read_rate(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, exc.description)
            except RateLimited as exc:
                response = error_response(fmt, 429, exc.message)
                response["Retry-After"] = str(retry_after(RATE_WINDOW))
                return response
            except DomainError as exc:
                status = exc.status if exc.status in (400, 403, 404) else 400
                return error_response(fmt, status, exc.message)

        return wrapper

    return decorate


def _client(request: HttpRequest, raw_key: str) -> tuple[ApiKey | None, str]:
    """The active api key sent, if any, and whom the request is counted
    against: that key (whatever address it comes from), else the address. An
    invalid key counts against the address, so made-up keys buy no budget."""
    key = authenticate_api_key(raw_key) if raw_key else None
    return key, f"key:{key.pk}" if key is not None else f"ip:{request_ip(request)}"


def _count(scope: str, client: str, limit: int, message: str) -> None:
    if rate_limit_hit(f"open311-{scope}", client, limit=limit, window=RATE_WINDOW):
        raise RateLimited(message % {"n": limit})


def check_read_rate(request: HttpRequest) -> None:
    _key, client = _client(request, request.GET.get("api_key", ""))
    limit = int(getattr(settings, "OPEN311_READ_RATE_LIMIT", READ_RATE_LIMIT))
    _count("read", client, limit, _("查询过于频繁:每个客户端每分钟最多查询 %(n)d 次,请稍后再试。"))


def check_write_rate(request: HttpRequest) -> ApiKey | None:
    """Count one POST before any field but api_key is read; return its active
    api key, or None (the POST is then refused with 403).

    A valid key is counted by the key, wherever it posts from, so each
    platform has its own budget. A POST without a valid key is counted
    against its address, in a budget of the same size: past it, a client
    trying made-up keys gets 429 instead of 403 (docs/security.md)."""
    key, client = _client(request, request.POST.get("api_key", ""))
    limit = int(getattr(settings, "OPEN311_WRITE_RATE_LIMIT", WRITE_RATE_LIMIT))
    _count("write", client, limit, _("提交过于频繁:每个客户端每分钟最多提交 %(n)d 次,请稍后再试。"))
    return key


def public_cases():
    return Case.objects.exclude(channel__in=PRIVATE_CHANNELS).select_related(
        "category", "unit_division", "unit_department__division", "unit_owner"
    )


def render_requests(fmt: str, cases: list[Case]) -> HttpResponse:
    names = ser.division_names(cases)
    media = media_urls([c.pk for c in cases if c.channel == Channel.OPEN311])
    items = [ser.request_item(c, names, media.get(c.pk, "")) for c in cases]
    return respond(fmt, "service_requests", items)


def media_urls(case_ids: list[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    rows = CaseEvent.objects.filter(case_id__in=case_ids, action="submit").values_list(
        "case_id", "payload"
    )
    return {cid: (payload or {}).get("media_url", "") for cid, payload in rows}


# --- discovery and services -----------------------------------------------------------------


@open311_view(("GET", "HEAD"))
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/").rstrip("/")
    data = {
        "changeset": CHANGESET,
        "contact": _("共治平台运维:请联系所在区数据资源管理部门"),
        "key_service": _("对接平台的接口密钥由平台管理员用 manage.py create_api_key 生成"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


@open311_view(("GET", "HEAD"))
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    items = [ser.service_item(c, chain) for c, chain in ser.service_categories()]
    return respond(fmt, "services", items)


def service_category(code: str) -> Category:
    for category, _chain in ser.service_categories():
        if category.code == code:
            return category
    raise Open311Error(404, _("服务类型“%(code)s”不存在。") % {"code": code})


@open311_view(("GET", "HEAD"))
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    category = service_category(service_code)
    return respond(fmt, "service_definition", ser.service_definition(category))


# --- requests --------------------------------------------------------------------------------


@open311_view(("GET", "HEAD", "POST"))
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return post_request(request, fmt, check_write_rate(request))
    return get_requests(request, fmt)


def parse_when(value: str, name: str) -> datetime:
    value = _SPACE_OFFSET.sub(r"+\1", value.strip())
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, time.min) if day is not None else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s 不是有效的 ISO 8601 时间,例如 2026-11-01T00:00:00+08:00。")
            % {"name": name},
        )
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=ser.TZ)
    return parsed


def date_range(params) -> tuple[datetime, datetime]:
    start_raw = params.get("start_date", "").strip()
    end_raw = params.get("end_date", "").strip()
    start = parse_when(start_raw, "start_date") if start_raw else None
    end = parse_when(end_raw, "end_date") if end_raw else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_RANGE
    if end is None:
        end = start + MAX_RANGE
    if end < start:
        raise Open311Error(400, _("end_date 不能早于 start_date。"))
    if end - start > MAX_RANGE:
        raise Open311Error(400, _("查询时间范围不能超过 90 天。"))
    return start, end


def split_list(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    qs = public_cases()
    ids = split_list(params.get("service_request_id", ""))
    if ids:
        # With ids the other filters are ignored (GeoReport v2).
        if len(ids) > MAX_IDS:
            raise Open311Error(400, _("一次最多查询 %(n)d 个诉求。") % {"n": MAX_IDS})
        found = {c.number: c for c in qs.filter(number__in=ids)}
        return render_requests(fmt, [found[i] for i in dict.fromkeys(ids) if i in found])

    start, end = date_range(params)
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    codes = split_list(params.get("service_code", ""))
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = split_list(params.get("status", "").lower())
    if statuses:
        unknown = set(statuses) - {"open", "closed"}
        if unknown:
            raise Open311Error(400, _("status 只能是 open 或 closed。"))
        if statuses == ["open"] or set(statuses) == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif set(statuses) == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    jurisdiction = params.get("jurisdiction_id", "").strip()
    if jurisdiction.isdigit():
        if not Division.objects.filter(code=jurisdiction).exists():
            raise Open311Error(404, _("辖区“%(j)s”不存在。") % {"j": jurisdiction})
        qs = qs.filter(division_path__startswith=jurisdiction)
    cases = list(qs.order_by("-created_at", "-id")[:MAX_RESULTS])
    return render_requests(fmt, cases)


@open311_view(("GET", "HEAD"))
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    case = public_cases().filter(number=service_request_id).first()
    if case is None:
        raise Open311Error(404, _("诉求“%(id)s”不存在。") % {"id": service_request_id[:40]})
    return render_requests(fmt, [case])


@open311_view(("GET", "HEAD"))
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    rows = []
    if TOKEN_RE.match(token):
        rows = list(
            Case.objects.filter(channel=Channel.OPEN311, source_ref__endswith=f":{token}")
            .order_by("id")
            .values_list("number", flat=True)[:10]
        )
    if not rows:
        raise Open311Error(404, _("令牌“%(t)s”不存在。") % {"t": token[:40]})
    return respond(
        fmt, "service_requests", [{"service_request_id": n, "token": token} for n in rows]
    )


# --- POST requests --------------------------------------------------------------------------


def reporter_name(first: str, last: str) -> str:
    first, last = first.strip(), last.strip()
    if (first + last).isascii():
        return " ".join(p for p in (first, last) if p)
    return f"{last}{first}"  # 姓在前


def check_media_url(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 500:
        raise Open311Error(400, _("media_url 必须是 http(s) 地址,且不超过 500 个字符。"))
    return value


def locate(params) -> tuple[float, float, str]:
    """(long, lat, address) from lat/long, else address_string, else address_id."""
    lat, lng = params.get("lat", "").strip(), params.get("long", "").strip()
    address = params.get("address_string", "").strip()
    address_id = params.get("address_id", "").strip()
    if lat or lng:
        if not (lat and lng):
            raise Open311Error(400, _("lat 和 long 须同时提供。"))
        try:
            return float(lng), float(lat), address
        except ValueError as exc:
            raise Open311Error(400, _("lat/long 不是有效的数字(WGS-84 经纬度)。")) from exc
    if address:
        from ..locate import locate_text

        found = locate_text(address)
        best = found.best
        if found.sure and best is not None:
            if best.building_code:
                b = Building.objects.filter(code=best.building_code).first()
                if b is not None:
                    return b.lng, b.lat, address
            grid = Division.objects.filter(code=best.grid_code or "").first()
            if grid is not None and grid.center_lng is not None:
                return grid.center_lng, grid.center_lat, address
        raise Open311Error(
            400, _("无法根据地址“%(a)s”定位,请提供经纬度(lat/long)。") % {"a": address[:60]}
        )
    if address_id:
        b = Building.objects.select_related("grid").filter(code=address_id).first()
        if b is None:
            raise Open311Error(400, _("address_id“%(a)s”不存在。") % {"a": address_id[:40]})
        return b.lng, b.lat, f"{b.address}{b.name}"
    raise Open311Error(400, _("请提供位置:lat/long、address_string 或 address_id 之一。"))


def attributes(params) -> dict[str, str]:
    out = {}
    for key in params:
        m = re.fullmatch(r"attribute\[(.+)\]", key)
        if m:
            out[m.group(1)] = params.get(key, "").strip()
    return out


def post_request(request: HttpRequest, fmt: str, key: ApiKey | None) -> HttpResponse:
    params = request.POST
    if key is None:
        raise Open311Error(403, _("api_key 缺失、无效或已吊销。"))
    platform = key.platform
    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code。"))
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(400, _("服务类型“%(code)s”不存在。") % {"code": code[:40]})

    token = params.get("token", "").strip()
    if token and not TOKEN_RE.match(token):
        raise Open311Error(400, _("token 只能由 8–36 位字母、数字、-、_ 组成。"))
    if token:
        existing = (
            Case.objects.filter(channel=Channel.OPEN311, source_ref=f"{platform.code}:{token}")
            .select_related("category")
            .first()
        )
        if existing is not None:
            return respond(fmt, "service_requests", [created_item(existing, token)])
    token = token or uuid.uuid4().hex

    lng, lat, address = locate(params)
    urgency = attributes(params).get(ser.URGENCY_ATTRIBUTE) or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise Open311Error(
            400,
            _("attribute[urgency] 只能是 %(v)s。") % {"v": "、".join(Urgency.values)},
        )
    media_url = check_media_url(params.get("media_url", ""))
    description = params.get("description", "").strip() or category.name
    title = description.splitlines()[0][:40] if description else category.name

    with transaction.atomic():
        case, created = case_submit(
            actor=None,
            channel=Channel.OPEN311,
            title=title,
            description=description,
            category=category,
            lng=lng,
            lat=lat,
            urgency=urgency,
            address=address,
            source_ref=f"{platform.code}:{token}",
            reporter_name=reporter_name(params.get("first_name", ""), params.get("last_name", "")),
            reporter_phone=params.get("phone", "").strip(),
        )
        if created:
            event = case.events.filter(action="submit").first()
            if event is not None:
                event.payload = {**event.payload, "platform": platform.code}
                if media_url:
                    event.payload["media_url"] = media_url
                event.save(update_fields=["payload"])
    return respond(fmt, "service_requests", [created_item(case, token)])


def created_item(case: Case, token: str) -> dict:
    return {
        "service_request_id": case.number,
        "token": token,
        "service_notice": _("已受理,编号 %(n)s,将在核实后派遣办理;可通过 requests/%(n)s 查询进度。")
        % {"n": case.number},
        "account_id": "",
    }


__all__ = [
    "discovery",
    "request_detail",
    "requests",
    "service_definition",
    "services",
    "token_detail",
]
