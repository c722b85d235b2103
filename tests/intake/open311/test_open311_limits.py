"""Open311 public reads: a per-client rate limit (429 with Retry-After in the
spec's error shape, keyed by a valid api_key or else the address) and personal
data typed into descriptions masked (numbers, e-mail, self-introduced names)."""

from __future__ import annotations

import time

import pytest
import time_machine

from gongzhi.cases.constants import Status
from gongzhi.intake.auth import api_key_create
from gongzhi.intake.models import IntegrationPlatform
from gongzhi.intake.open311.redaction import public_text
from tests.cases.factories import case_in

from .test_open311 import BASE, assert_error, form, post_form, xml

LIMIT = 3


@pytest.fixture
def frozen():
    """Time stands 15 s into a fresh minute, so the counters' window is fixed
    and Retry-After is exactly 45."""
    start = (int(time.time()) // 60 + 1) * 60 + 15
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


@pytest.fixture
def limited(settings, frozen):
    settings.OPEN311_READ_RATE_LIMIT = LIMIT
    return frozen


@pytest.fixture
def platform_key(db):
    platform = IntegrationPlatform.objects.create(code="szcg", name="数字城管")
    return api_key_create(platform=platform)[1]


def get(client, url, ip="10.0.0.1", **params):
    return client.get(url, params, REMOTE_ADDR=ip)


def assert_rate_limited(resp, fmt):
    assert_error(resp, 429, fmt)
    assert resp["Retry-After"] == "45"
    if fmt == "json":
        description = resp.json()[0]["description"]
    else:
        description = xml(resp).find("error").findtext("description")
    assert description == f"查询过于频繁:每个客户端每分钟最多查询 {LIMIT} 次,请稍后再试。"


# --- the read limit --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_read_after_the_limit_is_429_in_the_spec_shape(client, world, limited, fmt):
    case = case_in(Status.IN_PROGRESS, world)
    # Every public read counts against one budget: lists, one request, services.
    reads = [
        f"{BASE}/requests.{fmt}",
        f"{BASE}/requests/{case.number}.{fmt}",
        f"{BASE}/services.{fmt}",
    ]
    for url in reads:
        assert get(client, url).status_code == 200, url
    for url in reads:
        assert_rate_limited(get(client, url), fmt)


def test_head_requests_count_as_reads(client, world, limited):
    for _ in range(LIMIT):
        assert client.head(f"{BASE}/requests.json", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert_rate_limited(get(client, f"{BASE}/requests.json"), "json")


def test_the_budget_comes_back_in_the_next_window(client, world, limited):
    url = f"{BASE}/requests.json"
    for _ in range(LIMIT):
        get(client, url)
    assert get(client, url).status_code == 429
    limited.shift(45)
    assert get(client, url).status_code == 200


def test_two_addresses_have_separate_budgets(client, world, limited):
    url = f"{BASE}/requests.json"
    for _ in range(LIMIT):
        assert get(client, url, ip="10.0.0.1").status_code == 200
    assert get(client, url, ip="10.0.0.1").status_code == 429
    assert get(client, url, ip="10.0.0.2").status_code == 200
    assert get(client, url, ip="10.0.0.1").status_code == 429


def test_an_api_key_client_is_counted_by_its_key(client, world, limited, platform_key):
    url = f"{BASE}/requests.json"
    # The key's budget is spent from three addresses …
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert get(client, url, ip=ip, api_key=platform_key).status_code == 200
    # … so it is over the limit from a fourth one,
    assert_rate_limited(get(client, url, ip="10.0.0.4", api_key=platform_key), "json")
    # while those addresses without the key still have their own budgets.
    assert get(client, url, ip="10.0.0.1").status_code == 200


def test_made_up_api_keys_count_against_the_address(client, world, limited):
    url = f"{BASE}/requests.json"
    for n in range(LIMIT):
        assert get(client, url, api_key=f"gz_0000000{n}_{'x' * 43}").status_code == 200
    assert_rate_limited(get(client, url, api_key="gz_00000009_" + "y" * 43), "json")


def test_the_read_limit_does_not_block_posts(client, world, limited, platform_key):
    url = f"{BASE}/requests.json"
    for _ in range(LIMIT):
        get(client, url, ip="127.0.0.1")
    assert get(client, url, ip="127.0.0.1").status_code == 429
    resp = post_form(client, url, form(world, platform_key))
    assert resp.status_code == 200, resp.content.decode()


def test_the_default_limit_is_120_reads_a_minute(client, db, settings, frozen):
    del settings.OPEN311_READ_RATE_LIMIT  # whatever config/settings.py may say
    url = f"{BASE}/discovery.json"
    codes = [get(client, url).status_code for _ in range(121)]
    assert codes == [200] * 120 + [429]


# --- personal data in descriptions -----------------------------------------------------------

PERSONAL = "我是张三,电话13812345678,身份证340104199001011234。物业王师傅来看过,联系人:李小红。"
MASKED = "我是张*,电话138****5678,身份证340104********1234。物业王**来看过,联系人:李**。"
PLAIN = "小区门口路灯连续三晚不亮,行人夜间通行不便,我是业主,本人多次反映。"
SECRETS = ("张三", "13812345678", "340104199001011234", "王师傅", "李小红")


def descriptions(client, url, fmt) -> list[str]:
    resp = get(client, url)
    assert resp.status_code == 200
    if fmt == "json":
        return [r["description"] for r in resp.json()]
    return [r.findtext("description") for r in xml(resp).findall("request")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_list_and_single_reads_mask_phone_id_and_names(client, world, fmt):
    case = case_in(Status.IN_PROGRESS, world, description=PERSONAL)
    for url in (f"{BASE}/requests.{fmt}", f"{BASE}/requests/{case.number}.{fmt}"):
        assert descriptions(client, url, fmt) == [MASKED], url
        text = get(client, url).content.decode()
        for secret in SECRETS:
            assert secret not in text, (url, secret)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_text_without_personal_data_is_unchanged(client, world, fmt):
    case = case_in(Status.IN_PROGRESS, world, description=PLAIN)
    for url in (f"{BASE}/requests.{fmt}", f"{BASE}/requests/{case.number}.{fmt}"):
        assert descriptions(client, url, fmt) == [PLAIN], url


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("我叫王小明,家住5栋", "我叫王**,家住5栋"),
        ("本人赵六", "本人赵*"),
        ("姓名:欧阳娜娜", "姓名:欧***"),
        ("联系人 刘女士 0551-62345678", "联系人 刘** 055****5678"),
        ("陈先生反映", "陈**反映"),
        ("我是周杰,邮箱zhou@example.com", "我是周*,邮箱***"),
        ("工号20261129001", "工号202****9001"),
    ],
)
def test_public_text_masks_names_numbers_and_email(text, shown):
    assert public_text(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "我是业主,本人多次反映",
        "我是高层住户,本人周末在家",
        "我是常青街道的居民",
        "联系人电话见附件",
        "一位老先生摔倒了",
        "我叫了物业",
        "路灯不亮3天了",
    ],
)
def test_public_text_leaves_ordinary_words(text):
    assert public_text(text) == text


def test_media_url_credentials_are_not_shown(client, world, platform_key):
    data = form(world, platform_key, media_url="https://szcg:s3cret@media.example.com/p/1.jpg?x=1")
    number = post_form(client, f"{BASE}/requests.json", data).json()[0]["service_request_id"]
    item = get(client, f"{BASE}/requests/{number}.json").json()[0]
    assert item["media_url"] == "https://media.example.com/p/1.jpg?x=1"
    root = xml(get(client, f"{BASE}/requests/{number}.xml"))
    assert root.find("request").findtext("media_url") == "https://media.example.com/p/1.jpg?x=1"
