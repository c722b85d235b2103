"""The client address: X-Real-IP is believed only behind our own proxy."""

from __future__ import annotations

from django.test import RequestFactory

from gongzhi.accounts.audit import client_ip
from gongzhi.core.ratelimit import request_ip


def test_x_real_ip_is_ignored_without_the_proxy(settings):
    settings.BEHIND_PROXY = False
    req = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_REAL_IP="1.2.3.4")
    assert request_ip(req) == "203.0.113.7"
    assert client_ip(req) == "203.0.113.7"


def test_x_real_ip_is_the_client_behind_the_proxy(settings):
    settings.BEHIND_PROXY = True
    req = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.9")
    assert request_ip(req) == "198.51.100.9"
    assert client_ip(req) == "198.51.100.9"
    bare = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    assert request_ip(bare) == "127.0.0.1"


def test_no_address_at_all():
    req = RequestFactory().get("/")
    req.META.pop("REMOTE_ADDR", None)
    assert request_ip(req) == "unknown" and client_ip(req) == ""
    assert client_ip(None) == ""
