"""Open311 GeoReport v2 at /open311/v2/: every endpoint in XML and JSON,
errors as {code, description} with 400/403/404, the 90-day rule, the status
filter, API keys (missing, wrong, revoked), idempotent POST with a token,
no personal data in public reads, and an unchanged client's flow."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from gongzhi.cases.constants import Channel, Status
from gongzhi.cases.models import Case
from gongzhi.intake.auth import api_key_create, api_key_revoke
from gongzhi.intake.models import IntegrationPlatform
from tests.cases.factories import case_in

BASE = "/open311/v2"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
def platform(db):
    return IntegrationPlatform.objects.create(code="szcg", name="数字城管")


@pytest.fixture
def api_key(platform):
    return api_key_create(platform=platform)[1]


def post_form(client, url, data):
    """POST application/x-www-form-urlencoded, as GeoReport v2 clients do."""
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


def xml(resp) -> ET.Element:
    assert resp["Content-Type"].startswith("text/xml"), resp["Content-Type"]
    assert resp.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(resp.content)


def form(world, api_key, **extra):
    data = {
        "api_key": api_key,
        "service_code": "UC01",
        "lat": str(world.grid.center_lat),
        "long": str(world.grid.center_lng),
        "description": "小区门口路灯不亮,联系电话13912345678。",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13912345678",
        "email": "wang@example.com",
        "device_id": "dev-1",
        "account_id": "acct-9",
    }
    data.update(extra)
    return data


def assert_error(resp, status, fmt):
    assert resp.status_code == status
    if fmt == "json":
        body = resp.json()
        assert isinstance(body, list) and len(body) == 1
        assert body[0]["code"] == status
        assert body[0]["description"]
    else:
        root = xml(resp)
        assert root.tag == "errors"
        errors = root.findall("error")
        assert len(errors) == 1
        assert [c.tag for c in errors[0]] == ["code", "description"]
        assert errors[0].findtext("code") == str(status)
        assert errors[0].findtext("description")


# --- discovery and services ----------------------------------------------------------------


def test_discovery_json_and_xml(client, db):
    body = client.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/specification").text.endswith("GeoReport_v2")
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_from_the_catalogue(client, world):
    services = client.get(f"{BASE}/services.json").json()
    by_code = {s["service_code"]: s for s in services}
    assert by_code["UC01"]["service_name"] == "市政公用设施"
    assert by_code["UC01"]["group"] == "部件"
    assert by_code["UC01"]["type"] == "realtime"
    assert by_code["UC01"]["metadata"] is True
    assert set(by_code["UC01"]) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    # Only leaves: the roots and classes with children are not services.
    assert not {"U", "UC", "UE", "T"} & set(by_code)
    assert any(code.startswith("T") for code in by_code)

    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    items = root.findall("service")
    assert len(items) == len(services)
    first = items[0]
    assert [c.tag for c in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") in ("true", "false")


def test_service_definition_xml_and_json(client, world):
    body = client.get(f"{BASE}/services/UE01.json").json()
    assert body["service_code"] == "UE01"
    attr = body["attributes"][0]
    assert attr["code"] == "urgency"
    assert attr["datatype"] == "singlevaluelist"
    assert attr["required"] is False
    assert {v["key"] for v in attr["values"]} == {"normal", "urgent", "critical"}

    root = xml(client.get(f"{BASE}/services/UE01.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "UE01"
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("variable") == "true"
    assert attribute.findtext("required") == "false"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == [
        "normal",
        "urgent",
        "critical",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(client, world, fmt):
    assert_error(client.get(f"{BASE}/services/NOPE.{fmt}"), 404, fmt)
    # A class with children is not a service either.
    assert_error(client.get(f"{BASE}/services/UC.{fmt}"), 404, fmt)


def test_unknown_format_is_404(client, db):
    resp = client.get(f"{BASE}/services.csv")
    assert resp.status_code == 404
    assert resp.json()[0]["code"] == 404


# --- POST requests ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_a_case_through_case_submit(client, world, api_key, fmt):
    resp = post_form(client, f"{BASE}/requests.{fmt}", form(world, api_key, token="szcg-0001"))
    assert resp.status_code == 200, resp.content.decode()
    if fmt == "json":
        item = resp.json()[0]
        assert set(item) == {"service_request_id", "token", "service_notice", "account_id"}
    else:
        root = xml(resp)
        assert root.tag == "service_requests"
        req = root.find("request")
        item = {c.tag: c.text for c in req}
        assert list(item) == ["service_request_id", "token", "service_notice", "account_id"]
    case = Case.objects.get(number=item["service_request_id"])
    assert case.channel == Channel.OPEN311
    assert case.source_ref == "szcg:szcg-0001"
    assert case.grid == world.grid
    assert case.division_path == world.grid.code
    assert case.status == Status.SUBMITTED
    assert case.category.code == "UC01"
    assert case.reporter_name == "王小明"
    assert case.reporter_phone == "13912345678"
    assert item["token"] == "szcg-0001"
    assert case.number in item["service_notice"]
    event = case.events.get()
    assert event.action == "submit" and event.payload["platform"] == "szcg"


def test_post_repeated_with_the_same_token_is_idempotent(client, world, api_key):
    data = form(world, api_key, token="szcg-0002")
    first = post_form(client, f"{BASE}/requests.json", data).json()[0]
    second = post_form(client, f"{BASE}/requests.json", data).json()[0]
    assert first["service_request_id"] == second["service_request_id"]
    assert Case.objects.count() == 1
    # Without a token every POST is a new request with a generated token.
    a = post_form(client, f"{BASE}/requests.json", form(world, api_key)).json()[0]
    b = post_form(client, f"{BASE}/requests.json", form(world, api_key)).json()[0]
    assert a["service_request_id"] != b["service_request_id"]
    assert a["token"] != b["token"]
    assert Case.objects.count() == 3


def test_same_token_from_two_platforms_is_two_cases(client, world, api_key):
    other = IntegrationPlatform.objects.create(code="hotline", name="12345热线")
    other_key = api_key_create(platform=other)[1]
    a = post_form(
        client, f"{BASE}/requests.json", form(world, api_key, token="same-token-1")
    ).json()
    b = post_form(
        client, f"{BASE}/requests.json", form(world, other_key, token="same-token-1")
    ).json()
    assert a[0]["service_request_id"] != b[0]["service_request_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_without_wrong_or_revoked_key_is_403(client, world, platform, fmt):
    key_row, raw = api_key_create(platform=platform)
    url = f"{BASE}/requests.{fmt}"
    data = form(world, raw)
    del data["api_key"]
    assert_error(post_form(client, url, data), 403, fmt)
    assert_error(post_form(client, url, form(world, raw[:-4] + "AAAA")), 403, fmt)
    assert_error(post_form(client, url, form(world, "not-a-key")), 403, fmt)
    api_key_revoke(key=key_row)
    assert_error(post_form(client, url, form(world, raw)), 403, fmt)
    platform.active = True
    assert Case.objects.count() == 0


def test_inactive_platform_key_is_403(client, world, platform, api_key):
    platform.active = False
    platform.save()
    assert_error(post_form(client, f"{BASE}/requests.json", form(world, api_key)), 403, "json")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "change",
    [
        {"service_code": ""},
        {"service_code": "NOPE"},
        {"lat": "", "long": ""},
        {"lat": "abc"},
        {"long": ""},
        {"lat": "39.9", "long": "116.4"},  # Beijing: outside Anhui
        {"description": "长" * 4001},
        {"attribute[urgency]": "very"},
        {"media_url": "javascript:alert(1)"},
        {"token": "bad token!"},
        {"lat": "", "long": "", "address_id": "999999999999999999"},
        {"lat": "", "long": "", "address_string": "不存在的某某花园"},
    ],
)
def test_bad_input_is_400_and_saves_nothing(client, world, api_key, fmt, change):
    data = form(world, api_key)
    data.update(change)
    assert_error(post_form(client, f"{BASE}/requests.{fmt}", data), 400, fmt)
    assert Case.objects.count() == 0


def test_post_with_urgency_attribute_media_url_and_address_id(client, world, api_key):
    from tests.factories import BuildingFactory

    building = BuildingFactory(
        grid=world.grid, lng=world.grid.center_lng, lat=world.grid.center_lat
    )
    data = form(
        world,
        api_key,
        lat="",
        long="",
        address_id=building.code,
        media_url="https://img.example.com/a.jpg",
        **{"attribute[urgency]": "urgent"},
    )
    item = post_form(client, f"{BASE}/requests.json", data).json()[0]
    case = Case.objects.get(number=item["service_request_id"])
    assert case.urgency == "urgent"
    assert case.grid == world.grid
    got = client.get(f"{BASE}/requests/{case.number}.json").json()[0]
    assert got["media_url"] == "https://img.example.com/a.jpg"


def test_post_with_address_string(client, world, api_key):
    from tests.factories import BuildingFactory

    building = BuildingFactory(
        grid=world.grid,
        code=f"{world.grid.code}9872",
        estate="开放三一花园",
        name="开放三一花园3栋",
        lng=world.grid.center_lng,
        lat=world.grid.center_lat,
    )
    data = form(world, api_key, lat="", long="", address_string="开放三一花园3栋楼道灯坏了")
    resp = post_form(client, f"{BASE}/requests.json", data)
    assert resp.status_code == 200, resp.content.decode()
    case = Case.objects.get(number=resp.json()[0]["service_request_id"])
    assert case.grid_id == building.grid_id


# --- GET requests ----------------------------------------------------------------------------


@pytest.fixture
def cases(world):
    open_case = case_in(
        Status.IN_PROGRESS, world, reporter_name="李四", reporter_phone="13800001111"
    )
    closed_case = case_in(Status.CLOSED, world)
    old = case_in(Status.SUBMITTED, world)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=120))
    petition = case_in(Status.SUBMITTED, world, channel=Channel.PETITION)
    return {"open": open_case, "closed": closed_case, "old": old, "petition": petition}


def test_get_requests_json_default_is_last_90_days_public_channels(client, cases):
    body = client.get(f"{BASE}/requests.json").json()
    ids = {r["service_request_id"] for r in body}
    assert ids == {cases["open"].number, cases["closed"].number}
    item = next(r for r in body if r["service_request_id"] == cases["open"].number)
    assert set(item) == REQUEST_FIELDS
    assert item["status"] == "open"
    assert item["status_notes"] == "处置中"
    assert item["agency_responsible"] == "常青街道城市管理部"
    assert item["requested_datetime"].endswith("+08:00")
    assert item["updated_datetime"].endswith("+08:00")
    assert item["expected_datetime"].endswith("+08:00")
    dt.datetime.fromisoformat(item["requested_datetime"])
    closed = next(r for r in body if r["service_request_id"] == cases["closed"].number)
    assert closed["status"] == "closed"


def test_get_requests_xml(client, cases):
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == 2
    assert {c.tag for c in requests[0]} == REQUEST_FIELDS
    assert {r.findtext("status") for r in requests} == {"open", "closed"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_status_filter(client, cases, fmt):
    def numbers(status):
        resp = client.get(f"{BASE}/requests.{fmt}", {"status": status})
        if fmt == "json":
            return {r["service_request_id"] for r in resp.json()}
        return {r.findtext("service_request_id") for r in xml(resp).findall("request")}

    assert numbers("open") == {cases["open"].number}
    assert numbers("closed") == {cases["closed"].number}
    assert numbers("open,closed") == {cases["open"].number, cases["closed"].number}
    assert_error(client.get(f"{BASE}/requests.{fmt}", {"status": "pending"}), 400, fmt)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_90_day_limit(client, cases, fmt):
    now = timezone.localtime()
    url = f"{BASE}/requests.{fmt}"
    too_long = {
        "start_date": (now - dt.timedelta(days=91)).isoformat(),
        "end_date": now.isoformat(),
    }
    assert_error(client.get(url, too_long), 400, fmt)
    backwards = {
        "start_date": now.isoformat(),
        "end_date": (now - dt.timedelta(days=1)).isoformat(),
    }
    assert_error(client.get(url, backwards), 400, fmt)
    assert_error(client.get(url, {"start_date": "yesterday"}), 400, fmt)
    # The old case is reachable with a window of its own.
    old_window = {
        "start_date": (now - dt.timedelta(days=150)).date().isoformat(),
        "end_date": (now - dt.timedelta(days=100)).date().isoformat(),
    }
    resp = client.get(f"{BASE}/requests.json", old_window)
    assert [r["service_request_id"] for r in resp.json()] == [cases["old"].number]
    # Exactly 90 days is allowed; "Z" and an unencoded "+" (a space) are understood.
    ok = {
        "start_date": (now - dt.timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": now.strftime("%Y-%m-%dT%H:%M:%S 08:00"),
    }
    assert client.get(url, ok).status_code == 200


def test_service_code_and_id_filters(client, world, cases):
    other = case_in(Status.SUBMITTED, world, category=_cat("UE01"))
    body = client.get(f"{BASE}/requests.json", {"service_code": "UE01"}).json()
    assert [r["service_request_id"] for r in body] == [other.number]
    ids = f"{cases['open'].number},{cases['old'].number},{cases['petition'].number},GZ0"
    body = client.get(f"{BASE}/requests.json", {"service_request_id": ids}).json()
    # Ids ignore the date window; private channels and unknown ids are left out.
    assert [r["service_request_id"] for r in body] == [cases["open"].number, cases["old"].number]


def _cat(code):
    from gongzhi.cases.models import Category

    return Category.objects.get(code=code)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_one_request_and_404(client, cases, fmt):
    resp = client.get(f"{BASE}/requests/{cases['open'].number}.{fmt}")
    assert resp.status_code == 200
    if fmt == "json":
        body = resp.json()
        assert len(body) == 1 and body[0]["service_request_id"] == cases["open"].number
    else:
        root = xml(resp)
        assert root.tag == "service_requests"
        assert root.find("request").findtext("service_request_id") == cases["open"].number
    assert_error(client.get(f"{BASE}/requests/GZ000.{fmt}"), 404, fmt)
    # A petition case is not public: as unknown.
    assert_error(client.get(f"{BASE}/requests/{cases['petition'].number}.{fmt}"), 404, fmt)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_tokens(client, world, api_key, fmt):
    item = post_form(
        client, f"{BASE}/requests.json", form(world, api_key, token="tok-12345")
    ).json()[0]
    resp = client.get(f"{BASE}/tokens/tok-12345.{fmt}")
    assert resp.status_code == 200
    if fmt == "json":
        assert resp.json() == [
            {"service_request_id": item["service_request_id"], "token": "tok-12345"}
        ]
    else:
        req = xml(resp).find("request")
        assert [c.tag for c in req] == ["service_request_id", "token"]
        assert req.findtext("service_request_id") == item["service_request_id"]
    assert_error(client.get(f"{BASE}/tokens/unknown-token.{fmt}"), 404, fmt)


SECRETS = (
    "13912345678",
    "62345678",
    "340104199001011234",
    "wang@example.com",
    "dev-1",
    "acct-9",
    "302室",
    "王小明",
    "小明",
)


def test_no_personal_data_in_get_responses(client, world, api_key):
    data = form(
        world,
        api_key,
        token="pii-00001",
        address_string="常青街道某小区5栋302室",
        description=(
            "楼道灯坏了,电话13912345678,座机0551-62345678,"
            "身份证340104199001011234,邮箱wang@example.com"
        ),
    )
    number = post_form(client, f"{BASE}/requests.json", data).json()[0]["service_request_id"]
    for url in (
        f"{BASE}/requests.json",
        f"{BASE}/requests.xml",
        f"{BASE}/requests/{number}.json",
        f"{BASE}/requests/{number}.xml",
    ):
        text = client.get(url).content.decode()
        assert number in text
        for secret in SECRETS:
            assert secret not in text, (url, secret)
    case = Case.objects.get(number=number)
    item = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert item["lat"] == round(case.lat, 3) and item["long"] == round(case.lng, 3)
    assert item["address"].endswith(world.community.name)


def test_an_unchanged_open311_client(client, world, api_key):
    """What a stock GeoReport v2 client does, with the spec's parameters only:
    discover, list services, read the definition when metadata is true, POST
    form-encoded, then follow the request by its id."""
    endpoint = client.get(f"{BASE}/discovery.json").json()["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    base = "/" + endpoint["url"].split("://", 1)[1].split("/", 1)[1]
    services = client.get(f"{base}/services.json").json()
    service = next(s for s in services if s["service_code"] == "UE01")
    if service["metadata"]:
        definition = client.get(f"{base}/services/{service['service_code']}.json").json()
        assert all(not a["required"] for a in definition["attributes"])
    resp = post_form(
        client,
        f"{base}/requests.json",
        {
            "api_key": api_key,
            "service_code": service["service_code"],
            "lat": world.grid.center_lat,
            "long": world.grid.center_lng,
            "email": "someone@example.com",
            "first_name": "Ann",
            "last_name": "Lee",
            "phone": "13900000000",
            "description": "Garbage piled up at the gate",
            "media_url": "http://example.com/p.jpg",
        },
    )
    assert resp.status_code == 200, resp.content.decode()
    created = resp.json()[0]
    request_id = created["service_request_id"]
    got = client.get(f"{base}/requests/{request_id}.json").json()
    assert len(got) == 1
    req = got[0]
    assert req["service_request_id"] == request_id
    assert req["service_code"] == "UE01"
    assert req["status"] == "open"
    assert req["description"] == "Garbage piled up at the gate"
    assert req["media_url"] == "http://example.com/p.jpg"
    assert abs(req["lat"] - world.grid.center_lat) < 0.001
    text = client.get(f"{base}/requests/{request_id}.json").content.decode()
    for secret in ("someone@example.com", "Ann", "13900000000"):
        assert secret not in text
