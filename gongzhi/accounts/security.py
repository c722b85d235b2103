"""Sign-in policy: lockout, TOTP, password age, session limits.

GB/T 22239-2019 8.1.4.1: login failure handling (lock after 5 failures for
15 minutes), automatic logout after idle time, two-factor authentication for
privileged users, periodic password change.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import LoginThrottle, User

TOTP_ISSUER = "共治 Gongzhi"


def _norm(username: str) -> str:
    return username.strip().lower()[:150]


def login_locked_until(username: str) -> dt.datetime | None:
    row = LoginThrottle.objects.filter(username=_norm(username)).first()
    if row and row.locked_until and row.locked_until > timezone.now():
        return row.locked_until
    return None


@transaction.atomic
def login_failure_register(username: str) -> bool:
    """Count a failure for this name (existing or not); True if it is now locked."""
    now = timezone.now()
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(
        username=_norm(username)
    )
    window = dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    if row.last_failure_at is None or now - row.last_failure_at > window:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    locked = row.failures >= settings.LOGIN_MAX_FAILURES
    if locked:
        row.locked_until = now + window
        row.failures = 0
    row.save()
    return locked


def login_failures_clear(username: str) -> None:
    LoginThrottle.objects.filter(username=_norm(username)).delete()


def login_unlock(username: str) -> bool:
    return LoginThrottle.objects.filter(username=_norm(username)).delete()[0] > 0


def current_lockouts():
    return LoginThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("-locked_until")


# --- TOTP ---------------------------------------------------------------------


def totp_new_secret() -> str:
    return pyotp.random_base32()


def demo_totp_secret(username: str) -> str:
    """Deterministic secret for the demo accounts only, so `make demo` can print
    what a tester needs; real accounts enrol with a random secret."""
    digest = hashlib.sha256(f"gongzhi-demo-totp:{username}".encode()).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def totp_check(user: User, secret: str, code: str) -> bool:
    """Accept the code for the current or the neighbouring 30-second step,
    once: a step at or before the last accepted one is a replay."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    for offset in (0, -1, 1):
        at = now + dt.timedelta(seconds=30 * offset)
        step = totp.timecode(at)
        if step > user.totp_last_step and totp.verify(code, for_time=at, valid_window=0):
            with transaction.atomic():
                updated = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(
                    totp_last_step=step
                )
            user.totp_last_step = step
            return updated == 1
    return False


# --- Password age --------------------------------------------------------------


def password_expired(user: User) -> bool:
    """Staff and admins change their password every PASSWORD_MAX_AGE_DAYS."""
    from .constants import SEPARATED_ADMIN_ROLES, STAFF_ROLES

    if not user.role_set & (STAFF_ROLES | SEPARATED_ADMIN_ROLES):
        return False
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
