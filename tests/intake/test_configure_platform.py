"""manage.py configure_platform: the webhook key and callback of a source
platform, set without a shell (a webhook signed with the printed key is taken)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.intake.models import IntegrationPlatform

from .signing import hotline_order, post_signed

pytestmark = pytest.mark.django_db


def configure(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("configure_platform", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_new_platform_gets_a_secret_that_signs_webhooks(client):
    secret, err = configure(
        "--platform", "hf12345", "--name", "合肥12345", "--channel", "hotline_12345",
        "--callback-url", "https://12345.example.cn/status", "--new-webhook-secret",
    )  # fmt: skip
    assert "已创建对接平台" in err and len(secret) >= 40
    platform = IntegrationPlatform.objects.get(code="hf12345")
    assert platform.webhook_secret == secret
    assert platform.callback_url == "https://12345.example.cn/status"
    answer = post_signed(client, hotline_order("HLWCFG01"), platform="hf12345", secret=secret)
    assert answer.status_code == 201, answer.content


def test_update_keeps_what_is_not_given_and_rotating_replaces_the_key():
    first, _ = configure("--platform", "szcg", "--channel", "urban_management",
                         "--new-webhook-secret")  # fmt: skip
    out, err = configure("--platform", "szcg", "--callback-url", "http://10.0.0.5/cb")
    assert out == "" and "已更新对接平台" in err
    platform = IntegrationPlatform.objects.get(code="szcg")
    assert platform.webhook_secret == first and platform.channel == "urban_management"
    second, _ = configure("--platform", "szcg", "--new-webhook-secret")
    platform.refresh_from_db()
    assert second != first and platform.webhook_secret == second
    configure("--platform", "szcg", "--callback-url", "")
    platform.refresh_from_db()
    assert platform.callback_url == "" and platform.webhook_secret == second


@pytest.mark.parametrize(
    "args, message",
    [
        (["--platform", "坏 编码"], "平台编码只能包含"),
        (["--platform", "x1", "--callback-url", "ftp://host/x"], "http:// 或 https://"),
        (["--platform", "x1", "--callback-url", "not a url"], "平台配置有误"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(args, message):
    with pytest.raises(CommandError, match=message):
        configure(*args)
    assert not IntegrationPlatform.objects.exists()


def test_unknown_channel_is_refused():
    with pytest.raises(CommandError):
        configure("--platform", "x1", "--channel", "fax")
    assert not IntegrationPlatform.objects.exists()
