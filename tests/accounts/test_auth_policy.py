"""Sign-in policy: password rules, lockout, TOTP, idle and absolute limits, password age."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import time_machine
from django.utils import timezone

from gongzhi.accounts.constants import AuditAction, Role
from gongzhi.accounts.models import AuditEntry
from gongzhi.accounts.security import demo_totp_secret
from gongzhi.accounts.services import user_create
from gongzhi.core import ratelimit
from gongzhi.core.errors import ValidationFailed
from gongzhi.org.models import Division
from tests.accounts.helpers import LOGIN_URL, TOTP_URL, login_with_totp, totp_enrol
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"
WRONG = "用户名或密码不正确"


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def worker():
    return make_user("340111002001", Role.COMMUNITY_WORKER, username="worker")


@pytest.fixture
def officer():
    return make_user("340111", Role.DISTRICT_OFFICER, username="officer")


@pytest.mark.parametrize(
    "password",
    ["Short1!a", "alllowercaseletters", "ALLUPPER12345678", "password1234", "123456789012345"],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationFailed):
        user_create(
            username="weak",
            password=password,
            division=Division.objects.get(code="340111002"),
            roles=[Role.STREET_STAFF],
        )


def _post(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def test_five_failures_lock_the_name_for_fifteen_minutes(client, worker):
    for _ in range(5):
        assert WRONG in _post(client, "worker", "Wrong-passw0rd-1").content.decode()
    locked = _post(client, "worker", DEFAULT_PASSWORD)
    assert LOCKED in locked.content.decode()
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert _post(client, "worker", DEFAULT_PASSWORD).status_code == 302


def test_unknown_names_lock_the_same_way(client):
    answers = [_post(client, "nobody", "Wrong-passw0rd-1").content.decode() for _ in range(6)]
    assert all(WRONG in a for a in answers[:5])
    assert LOCKED in answers[5]


def test_logins_success_and_failure_are_audited(client, worker):
    _post(client, "worker", "Wrong-passw0rd-1")
    _post(client, "worker", DEFAULT_PASSWORD)
    actions = list(
        AuditEntry.objects.filter(actor_username="worker").order_by("seq").values_list("action")
    )
    assert actions == [(AuditAction.LOGIN_FAILURE,), (AuditAction.LOGIN_SUCCESS,)]


def test_login_is_rate_limited_per_address(client, settings):
    settings.LOGIN_RATE_LIMIT = 3
    codes = [_post(client, f"n{i}", "Wrong-passw0rd-1").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]


def test_officer_needs_a_totp_code_after_the_password(client, officer):
    secret = totp_enrol(officer)
    response = _post(client, "officer", DEFAULT_PASSWORD)
    assert response["Location"] == TOTP_URL
    assert "_auth_user_id" not in client.session
    assert client.post(TOTP_URL, {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session
    code = pyotp.TOTP(secret).now()
    assert client.post(TOTP_URL, {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_a_totp_code_is_accepted_only_once(client, officer):
    secret = totp_enrol(officer)
    code = pyotp.TOTP(secret).now()
    _post(client, "officer", DEFAULT_PASSWORD)
    client.post(TOTP_URL, {"code": code})
    client.logout()
    _post(client, "officer", DEFAULT_PASSWORD)
    assert client.post(TOTP_URL, {"code": code}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_officer_without_a_secret_enrols_on_first_login(client, officer):
    _post(client, "officer", DEFAULT_PASSWORD)
    page = client.get(TOTP_URL).content.decode()
    assert "验证器" in page and "otpauth://" in page
    secret = client.session["pending_mfa"]["secret"]
    assert client.post(TOTP_URL, {"code": pyotp.TOTP(secret).now()}).status_code == 302
    officer.refresh_from_db()
    assert officer.totp_secret == secret


def test_every_admin_role_needs_totp():
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.CITY_OFFICER):
        assert make_user("34", role, username=f"a_{role}").needs_totp
    assert not make_user("340111002", Role.STREET_STAFF, username="s").needs_totp


def test_login_helper_completes_both_steps(client, officer):
    assert login_with_totp(client, "officer", DEFAULT_PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_idle_session_is_signed_out_after_fifteen_minutes(client, worker):
    _post(client, "worker", DEFAULT_PASSWORD)
    assert client.get("/").status_code == 302  # home → own node
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=16)):
        response = client.get("/territory/340111002001/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
        assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.SESSION_EXPIRED).exists()


def test_active_session_ends_at_the_absolute_limit(client, worker, settings):
    _post(client, "worker", DEFAULT_PASSWORD)
    start = dt.datetime.now(tz=dt.UTC)
    step = dt.timedelta(minutes=10)
    for n in range(1, 48):  # active every 10 minutes for 7h50m
        with time_machine.travel(start + n * step):
            assert client.get("/territory/340111002001/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=8, minutes=5)):
        assert client.get("/territory/340111002001/").status_code == 302


def test_staff_password_expires_after_ninety_days(client, worker):
    client.force_login(worker)
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        client.force_login(worker)
        response = client.get("/territory/340111002001/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/password/"
        changed = client.post(
            "/accounts/password/",
            {
                "old_password": DEFAULT_PASSWORD,
                "new_password1": "Another-Strong-pass-2027",
                "new_password2": "Another-Strong-pass-2027",
            },
        )
        assert changed.status_code == 302
        assert client.get("/territory/340111002001/").status_code == 200


def test_demo_totp_secrets_are_deterministic():
    assert demo_totp_secret("sysadmin") == demo_totp_secret("sysadmin")
    assert demo_totp_secret("sysadmin") != demo_totp_secret("auditadmin")
