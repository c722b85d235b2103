"""Sign in through the real forms, including the TOTP step where the role needs it."""

from __future__ import annotations

import pyotp
from django.test import Client

from gongzhi.accounts.models import User
from gongzhi.accounts.security import totp_new_secret

LOGIN_URL = "/accounts/login/"
TOTP_URL = "/accounts/login/totp/"


def totp_enrol(user: User) -> str:
    """Give the user a TOTP secret (as enrolment would) and return it."""
    user.totp_secret = totp_new_secret()
    user.save(update_fields=["totp_secret"])
    return user.totp_secret


def login_with_totp(client: Client, username: str, password: str, *, next_url: str = ""):
    """Password step, then the current code for the user's secret; returns the
    last response (a redirect on success)."""
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN_URL, data)
    if response.status_code != 302 or response["Location"] != TOTP_URL:
        return response
    user = User.objects.get(username=username)
    secret = user.totp_secret or totp_enrol(user)
    return client.post(TOTP_URL, {"code": pyotp.TOTP(secret).now()})


def browser_complete_totp(page) -> None:
    """In a Playwright page on the TOTP step: enrol with the secret the page
    shows (first sign-in), or fail if the user already has one."""
    page.wait_for_url("**/accounts/login/totp/")
    secret = page.locator("[data-totp-secret]").inner_text().strip()
    page.get_by_label("动态口令").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="验证").click()
