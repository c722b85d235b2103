"""Deploy check, security headers, no-store, error pages without tracebacks."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from django.conf import settings

from gongzhi.accounts.constants import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _check_deploy(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_BLIND_INDEX_KEY"}
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
            "ALLOWED_HOSTS": "gongzhi.example.cn",
            "CSRF_TRUSTED_ORIGINS": "https://gongzhi.example.cn",
            "SECURE_COOKIES": "true",
            "GONGZHI_DATA_DIR": str(tmp_path),
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _check_deploy(
        tmp_path, FIELD_ENCRYPTION_KEYS=f"{_key()},{_key()}", FIELD_BLIND_INDEX_KEY=_key()
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_keys_live_in_files(tmp_path):
    result = _check_deploy(tmp_path)
    assert result.returncode != 0
    assert "gongzhi.W001" in result.stdout + result.stderr


def test_pages_carry_csp_and_signed_in_pages_are_not_stored(client):
    anonymous = client.get("/accounts/login/")
    csp = anonymous["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    client.force_login(make_user("340111002001", Role.COMMUNITY_WORKER, username="w"))
    page = client.get("/territory/340111002001/")
    assert page["Cache-Control"] == "no-store"
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script():
    import re
    from pathlib import Path

    offenders = []
    for path in Path(settings.BASE_DIR, "gongzhi").rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(str(path))
        if re.search(r"\son[a-z]+=", text):
            offenders.append(str(path))
    assert offenders == []


def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_server_error_page_has_no_traceback(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    from gongzhi.web import views

    response = views.error_500(client.get("/accounts/login/").wsgi_request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Traceback" not in html and 'File "' not in html
