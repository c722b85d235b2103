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

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader, APIKeyQuery

from gongzhi.core.errors import ValidationFailed

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


def platform_code(raw: str) -> str:
    """A platform code as typed (letters, digits, - and _, up to 24), lower
    case; ValidationFailed otherwise."""
    code = slugify(raw.strip())
    if not code or code != raw.strip().lower() or len(code) > 24:
        raise ValidationFailed(_("平台编码只能包含字母、数字、-、_,且不超过 24 个字符。"))
    return code


@transaction.atomic
def platform_configure(
    *,
    code: str,
    name: str = "",
    channel: str | None = None,
    callback_url: str | None = None,
    new_secret: bool = False,
    secret: str = "",
) -> tuple[IntegrationPlatform, bool, str]:
    """Create or update a source platform's webhook settings.

    ``channel`` / ``callback_url`` None keep the stored value ("" clears the
    callback). With ``new_secret`` a fresh HMAC key replaces the old one and is
    returned once (it is stored encrypted and never shown again); otherwise the
    third value is "". Returns (platform, created, secret). The caller
    validates the values (``IntegrationPlatform.full_clean`` runs here too).
    """
    platform = IntegrationPlatform.objects.select_for_update().filter(code=code).first()
    created = platform is None
    if created:
        platform = IntegrationPlatform(code=code, name=name or code)
    elif name:
        platform.name = name
    if channel is not None:
        platform.channel = channel
    if callback_url is not None:
        platform.callback_url = callback_url
    # ``secret`` given: that key (the demo's known keys); else a random one
    secret = secret or (secrets.token_urlsafe(32) if new_secret else "")
    if secret:
        platform.webhook_secret = secret
    if platform.callback_url and not platform.callback_url.startswith(("http://", "https://")):
        message = _("状态回推地址必须以 http:// 或 https:// 开头。")
        raise ValidationError({"callback_url": [message]})
    platform.full_clean()
    platform.save()
    return platform, created, secret


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
