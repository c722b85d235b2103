"""API keys of integrated platforms: only a hash stored, constant-time check,
revocation, inactive platforms, ``manage.py create_api_key`` and the ninja
auth classes."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from gongzhi.intake.auth import (
    ApiKeyHeaderAuth,
    ApiKeyQueryAuth,
    api_key_create,
    api_key_revoke,
    authenticate_api_key,
)
from gongzhi.intake.models import ApiKey, IntegrationPlatform

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform():
    return IntegrationPlatform.objects.create(code="szcg", name="数字城管")


def test_only_the_hash_is_stored(platform):
    key, raw = api_key_create(platform=platform)
    assert raw.startswith(f"gz_{key.prefix}_")
    assert len(raw) == len("gz_") + 8 + 1 + 43
    row = ApiKey.objects.get(pk=key.pk)
    assert row.hashed_secret == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.split("_", 2)[2] not in str(vars(row))


def test_authenticate_accepts_the_key_and_touches_last_used(platform):
    key, raw = api_key_create(platform=platform)
    assert key.last_used_at is None
    found = authenticate_api_key(raw)
    assert found == key and found.platform == platform
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None
    assert authenticate_api_key(f"  {raw} ") == key


MANGLES = [
    lambda r: "",
    lambda r: None,
    lambda r: r[:-1] + ("x" if r[-1] != "x" else "y"),
    lambda r: r.upper(),
    lambda r: "gz_00000000_" + r[-43:],
]


@pytest.mark.parametrize("mangle", MANGLES)
def test_wrong_keys_are_refused(platform, mangle):
    _key, raw = api_key_create(platform=platform)
    candidate = mangle(raw)
    if candidate == raw:
        pytest.skip("mangling left the key unchanged")
    assert authenticate_api_key(candidate) is None


def test_revoked_key_and_inactive_platform_are_refused(platform):
    key, raw = api_key_create(platform=platform)
    other, other_raw = api_key_create(platform=platform)
    api_key_revoke(key=key)
    assert authenticate_api_key(raw) is None
    assert authenticate_api_key(other_raw) == other
    platform.active = False
    platform.save()
    assert authenticate_api_key(other_raw) is None


def test_create_api_key_command_creates_the_platform_and_prints_the_key_once():
    out, err = StringIO(), StringIO()
    call_command("create_api_key", "--platform", "hotline-12345", "--name", "12345热线",
                 stdout=out, stderr=err)  # fmt: skip
    raw = out.getvalue().strip()
    platform = IntegrationPlatform.objects.get(code="hotline-12345")
    assert platform.name == "12345热线"
    assert authenticate_api_key(raw).platform == platform
    assert raw not in err.getvalue()
    # Again: the same platform, a second key.
    out2 = StringIO()
    call_command("create_api_key", "--platform", "hotline-12345", stdout=out2, stderr=StringIO())
    assert out2.getvalue().strip() != raw
    assert IntegrationPlatform.objects.count() == 1
    assert platform.api_keys.count() == 2


@pytest.mark.parametrize("bad", ["", "有中文", "a b", "x" * 25])
def test_create_api_key_rejects_bad_platform_codes(bad):
    with pytest.raises(CommandError):
        call_command("create_api_key", "--platform", bad, stdout=StringIO(), stderr=StringIO())
    assert ApiKey.objects.count() == 0


def test_ninja_auth_classes(platform):
    key, raw = api_key_create(platform=platform)
    rf = RequestFactory()
    assert ApiKeyHeaderAuth()(rf.get("/", HTTP_X_API_KEY=raw)) == key
    assert ApiKeyHeaderAuth()(rf.get("/", HTTP_X_API_KEY="nope")) is None
    assert ApiKeyQueryAuth()(rf.get("/", {"api_key": raw})) == key
    assert ApiKeyQueryAuth()(rf.get("/")) is None
