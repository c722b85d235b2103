"""Integrated platforms (数字城管, 12345, …) and their API keys.

A key is shown once when it is made (``manage.py create_api_key``); only its
SHA-256 hash is stored. The raw key is ``gz_<prefix>_<secret>``: the prefix
(8 hex characters, stored in clear and indexed) finds the row, the hash of
the whole key is compared in constant time.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel


class IntegrationPlatform(TimeStampedModel):
    """A system that reports cases to Gongzhi through an API (Open311, JSON API)."""

    code = models.SlugField(_("平台编码"), max_length=24, unique=True)
    name = models.CharField(_("平台名称"), max_length=64)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("对接平台")
        verbose_name_plural = _("对接平台")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    platform = models.ForeignKey(
        IntegrationPlatform,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("对接平台"),
    )
    prefix = models.CharField(_("密钥前缀"), max_length=16, unique=True)
    # hex SHA-256 of the whole raw key; the key itself is never stored.
    hashed_secret = models.CharField(_("密钥摘要"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.platform.code}:{self.prefix}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.platform.active
