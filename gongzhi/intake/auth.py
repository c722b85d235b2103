"""API keys of integrated platforms: make, check, revoke.

``authenticate_api_key(raw)`` is the one check every API uses (Open311 now,
the JSON API later through ``ApiKeyHeaderAuth`` / ``ApiKeyQueryAuth``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from ninja.security import APIKeyHeader, APIKeyQuery

from .models import ApiKey, IntegrationPlatform

KEY_RE = re.compile(r"^gz_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
# last_used_at is written at most once a minute per key (no write per request).
TOUCH_EVERY = timedelta(minutes=1)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_key_create(*, platform: IntegrationPlatform) -> tuple[ApiKey, str]:
    """A new key for ``platform``; returns the row and the raw key (shown once)."""
    while True:
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    raw = f"gz_{prefix}_{secrets.token_urlsafe(32)}"  # 32 random bytes → 43 chars
    key = ApiKey.objects.create(platform=platform, prefix=prefix, hashed_secret=hash_key(raw))
    return key, raw


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def authenticate_api_key(raw: str | None) -> ApiKey | None:
    """The active key for ``raw`` (platform loaded), or None.

    Unknown, malformed and revoked keys and keys of inactive platforms are
    all None. The hash comparison is constant-time.
    """
    m = KEY_RE.match((raw or "").strip())
    if m is None:
        return None
    key = ApiKey.objects.select_related("platform").filter(prefix=m.group(1)).first()
    if key is None:
        # Spend the same work as a real comparison.
        hmac.compare_digest(hash_key(raw.strip()), "0" * 64)
        return None
    if not hmac.compare_digest(hash_key(raw.strip()), key.hashed_secret):
        return None
    if not key.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


class ApiKeyHeaderAuth(APIKeyHeader):
    """django-ninja auth: ``X-API-Key: gz_…``; ``request.auth`` is the ApiKey."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return authenticate_api_key(key)


class ApiKeyQueryAuth(APIKeyQuery):
    """django-ninja auth: ``?api_key=gz_…`` (as Open311 clients send it)."""

    param_name = "api_key"

    def authenticate(self, request, key):
        return authenticate_api_key(key)
