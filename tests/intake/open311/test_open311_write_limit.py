"""Open311 writes: POST requests are limited per api_key (429 with Retry-After
in the spec's error shape, nothing written), with a budget apart from reads;
POSTs refused for want of a valid key count against the address, so a client
trying made-up keys is throttled too."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.intake.auth import api_key_create
from gongzhi.intake.models import IntegrationPlatform

from . import test_open311_limits as read_limits
from .test_open311 import BASE, assert_error, form, xml

# The read-limit tests' clock (15 s into a fresh minute, so Retry-After is 45)
# and platform key serve here too.
frozen = read_limits.frozen
key_a = read_limits.platform_key

LIMIT = 3


@pytest.fixture
def limited(settings, frozen):
    settings.OPEN311_WRITE_RATE_LIMIT = LIMIT
    return frozen


@pytest.fixture
def key_b(db):
    platform = IntegrationPlatform.objects.create(code="12345", name="12345热线")
    return api_key_create(platform=platform)[1]


def post(client, fmt, data, ip="10.0.0.1"):
    return client.post(
        f"{BASE}/requests.{fmt}",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR=ip,
    )


def submit(client, world, key, n, fmt="json", ip="10.0.0.1"):
    """POST a new request (its own token, so never an idempotent repeat)."""
    return post(client, fmt, form(world, key, token=f"tok-{key[3:11]}-{n:04d}"), ip=ip)


def made_up_key(n: int) -> str:
    return f"gz_{n:08x}_{'x' * 43}"


def assert_write_limited(resp, fmt):
    assert_error(resp, 429, fmt)
    assert resp["Retry-After"] == "45"
    body = (
        resp.json()[0]
        if fmt == "json"
        else {"description": xml(resp).findtext("error/description")}
    )
    assert body["description"] == f"提交过于频繁:每个客户端每分钟最多提交 {LIMIT} 次,请稍后再试。"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_post_after_the_limit_is_429_and_writes_nothing(client, world, limited, key_a, fmt):
    for n in range(LIMIT):
        resp = submit(client, world, key_a, n, fmt)
        assert resp.status_code == 200, resp.content.decode()
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    assert cases == LIMIT

    resp = submit(client, world, key_a, LIMIT, fmt)

    assert_write_limited(resp, fmt)
    assert (Case.objects.count(), CaseEvent.objects.count()) == (cases, events)
    assert not Case.objects.filter(source_ref=f"szcg:tok-{key_a[3:11]}-{LIMIT:04d}").exists()


def test_every_post_with_the_key_counts_also_repeats_and_bad_input(client, world, limited, key_a):
    assert submit(client, world, key_a, 0).status_code == 200
    assert submit(client, world, key_a, 0).status_code == 200  # the same token again
    assert post(client, "json", form(world, key_a, service_code="NOPE")).status_code == 400
    assert_write_limited(submit(client, world, key_a, 1), "json")
    assert Case.objects.count() == 1


def test_a_key_is_counted_wherever_it_posts_from(client, world, limited, key_a):
    for n, ip in enumerate(("10.0.0.1", "10.0.0.2", "10.0.0.3")):
        assert submit(client, world, key_a, n, ip=ip).status_code == 200
    assert_write_limited(submit(client, world, key_a, LIMIT, ip="10.0.0.4"), "json")


def test_another_key_has_its_own_budget(client, world, limited, key_a, key_b):
    for n in range(LIMIT):
        assert submit(client, world, key_a, n).status_code == 200
    assert_write_limited(submit(client, world, key_a, LIMIT), "json")

    # Same address, other platform: its budget is untouched …
    for n in range(LIMIT):
        assert submit(client, world, key_b, n).status_code == 200
    assert_write_limited(submit(client, world, key_b, LIMIT), "json")
    # … and key A stays limited.
    assert_write_limited(submit(client, world, key_a, LIMIT + 1), "json")
    assert Case.objects.count() == 2 * LIMIT


def test_the_write_budget_comes_back_in_the_next_window(client, world, limited, key_a):
    for n in range(LIMIT):
        submit(client, world, key_a, n)
    assert submit(client, world, key_a, LIMIT).status_code == 429
    limited.shift(45)
    assert submit(client, world, key_a, LIMIT).status_code == 200


def test_reads_still_work_when_writes_are_limited(client, world, limited, settings, key_a):
    settings.OPEN311_READ_RATE_LIMIT = LIMIT
    for n in range(LIMIT):
        submit(client, world, key_a, n)
    assert_write_limited(submit(client, world, key_a, LIMIT), "json")
    # Reads have their own budget, by address and by the same key alike.
    assert client.get(f"{BASE}/requests.json", REMOTE_ADDR="10.0.0.1").status_code == 200
    listed = client.get(f"{BASE}/requests.json", {"api_key": key_a}, REMOTE_ADDR="10.0.0.1")
    assert listed.status_code == 200
    assert len(listed.json()) == LIMIT


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_key_guessing_is_throttled_by_address(client, world, limited, key_a, fmt):
    for n in range(LIMIT - 1):
        assert_error(post(client, fmt, form(world, made_up_key(n))), 403, fmt)
    assert_error(post(client, fmt, {"service_code": "UC01"}), 403, fmt)  # no key at all
    # The next guess from that address is throttled, whatever the key looks like …
    assert_write_limited(post(client, fmt, form(world, made_up_key(99))), fmt)
    assert_write_limited(post(client, fmt, form(world, "not-a-key")), fmt)
    # … another address still gets the plain refusal,
    assert_error(post(client, fmt, form(world, made_up_key(99)), ip="10.0.0.2"), 403, fmt)
    # and a platform's valid key is counted by its key, not by that address.
    assert submit(client, world, key_a, 0, fmt).status_code == 200
    assert Case.objects.count() == 1


def test_the_default_limit_is_30_posts_a_minute(client, db, settings, frozen):
    del settings.OPEN311_WRITE_RATE_LIMIT  # whatever config/settings.py may say
    codes = [post(client, "json", {"api_key": made_up_key(n)}).status_code for n in range(31)]
    assert codes == [403] * 30 + [429]
