"""Integrated platforms (数字城管, 12345, …) and their API keys.

A key is shown once when it is made (``manage.py create_api_key``); only its
SHA-256 hash is stored. The raw key is ``gz_<prefix>_<secret>``: the prefix
(8 hex characters, stored in clear and indexed) finds the row, the hash of
the whole key is compared in constant time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedCharField, EncryptedTextField
from gongzhi.core.models import TimeStampedModel


class SourceChannel(models.TextChoices):
    """The seven source platforms with an adapter in ``intake/channels``."""

    URBAN_MANAGEMENT = "urban_management", _("数字城管")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    PETITION = "petition", _("综治维稳信访")
    SKYNET = "skynet", _("天网/雪亮工程")
    POLICE_110 = "police_110", _("110非警务警情")
    GRID_PATROL = "grid_patrol", _("网格员巡查App")
    CHAT_GROUP = "chat_group", _("居民楼栋群")


class IntegrationPlatform(TimeStampedModel):
    """A system that reports cases to Gongzhi through an API (Open311, JSON API)."""

    code = models.SlugField(_("平台编码"), max_length=24, unique=True)
    name = models.CharField(_("平台名称"), max_length=64)
    active = models.BooleanField(_("启用"), default=True)
    # Channel adapter this platform feeds (empty: Open311/JSON API only).
    channel = models.CharField(
        _("接入渠道"), max_length=20, choices=SourceChannel.choices, blank=True, default=""
    )
    # HMAC-SHA256 key for signed webhooks; HMAC needs the key itself, so it is
    # stored encrypted at rest (docs/decisions/0020), never hashed.
    webhook_secret = EncryptedCharField(_("回调签名密钥"), max_length=128, blank=True, default="")
    # Where status changes are pushed back (the outbox); empty: nothing pushed.
    callback_url = models.URLField(_("状态回推地址"), blank=True, default="")

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


class DuplicateSuggestion(models.Model):
    """A case that may repeat ``master`` (cross-channel merge, issue 4 item 4)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待确认")
        MERGED = "merged", _("已合并")
        DISMISSED = "dismissed", _("不是重复")

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="duplicate_suggestions",
        verbose_name=_("案件"),
    )
    master = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("主案件")
    )
    score = models.FloatField(_("相似度"))
    reasons = models.JSONField(_("依据"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.PENDING
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "master"], name="dupsugg_case_master_uniq"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="dupsugg_status_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}→{self.master_id} ({self.score:.2f})"


class ChannelMapping(TimeStampedModel):
    """A source platform's code → our category / urgency / status word.

    ``kind`` category: ``source_code`` (e.g. a GB/T 30428 class UC01, an
    event type of a video platform, a 12345 class name) → ``category``.
    ``kind`` urgency: the source's urgency word → ``urgency``.
    ``kind`` status: our case status (``source_code``) → the word the source
    platform expects back (``target``) in the status push.
    Officers edit these on the mapping page; adapters read them per record.
    """

    class Kind(models.TextChoices):
        CATEGORY = "category", _("事项分类")
        URGENCY = "urgency", _("紧急程度")
        STATUS = "status", _("回推状态")

    channel = models.CharField(_("渠道"), max_length=20, choices=SourceChannel.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.CATEGORY)
    source_code = models.CharField(_("来源编码"), max_length=64)
    source_label = models.CharField(_("来源名称"), max_length=100, blank=True)
    category = models.ForeignKey(
        "cases.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对应分类"),
    )
    target = models.CharField(_("对应值"), max_length=64, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("渠道映射")
        verbose_name_plural = _("渠道映射")
        ordering = ["channel", "kind", "source_code"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "kind", "source_code"], name="chanmap_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.kind}:{self.source_code}"


class WebhookDelivery(models.Model):
    """One accepted or refused webhook call (audit trail and replay evidence)."""

    platform = models.ForeignKey(
        IntegrationPlatform,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对接平台"),
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=SourceChannel.choices)
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField(_("响应码"))
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("案件"),
    )
    replay = models.BooleanField(_("重复推送"), default=False)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回调记录")
        verbose_name_plural = _("回调记录")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["channel", "source_ref"], name="webhook_ref_idx")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.source_ref} {self.status_code}"


class Outbox(models.Model):
    """A status change a source platform must hear about.

    Written in the same transaction as the CaseEvent (docs/decisions/0031);
    delivered by ``intake.tasks.deliver_outbox`` with retries and back-off.
    A row is never deleted: ``failed`` rows stay visible to officers and can
    be retried from the outbox page.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("待推送")
        SENT = "sent", _("已推送")
        FAILED = "failed", _("推送失败")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("案件")
    )
    event = models.OneToOneField(
        "cases.CaseEvent",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("案件事件"),
    )
    platform = models.ForeignKey(
        IntegrationPlatform,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对接平台"),
    )
    channel = models.CharField(_("渠道"), max_length=20)
    source_ref = models.CharField(_("来源编号"), max_length=64)
    payload = models.JSONField(_("推送内容"), default=dict)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("推送时间"), null=True, blank=True)
    # Set while one sender has the row (the HTTP call runs outside any
    # transaction); a sender that died frees it when this passes.
    lease_until = models.DateTimeField(_("推送占用至"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("状态回推")
        verbose_name_plural = _("状态回推")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.source_ref} #{self.event_id} {self.state}"


class TriageItem(models.Model):
    """A message the machine was not sure about, waiting for a person."""

    class State(models.TextChoices):
        PENDING = "pending", _("待研判")
        ACCEPTED = "accepted", _("已立案")
        DISMISSED = "dismissed", _("已忽略")

    channel = models.CharField(_("渠道"), max_length=20, choices=SourceChannel.choices)
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    scope = models.CharField(_("区划范围"), max_length=15, blank=True, db_index=True)
    text = models.TextField(_("原文"))
    # The sender's name and phone are personal data (docs/privacy.md): encrypted
    # at rest, shown masked. Never looked up, so no blind index.
    sender = EncryptedCharField(_("发送人"), max_length=64, blank=True)
    sender_phone = EncryptedCharField(_("联系电话"), max_length=32, blank=True)
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    # Best guesses: {"locate": {...candidates...}, "category": ..., "confidence": ...}
    guesses = models.JSONField(_("机器研判"), default=dict, blank=True)
    reason = models.CharField(_("转人工原因"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("案件"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("研判人"),
    )
    decided_at = models.DateTimeField(_("研判时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人工研判")
        verbose_name_plural = _("人工研判")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_ref"],
                condition=~Q(source_ref=""),
                name="triage_channel_ref_uniq",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="triage_state_idx")]

    def __str__(self) -> str:
        return self.text[:30]


class ImportBatch(models.Model):
    """One file imported through ``import_channel`` or the upload page."""

    channel = models.CharField(_("渠道"), max_length=20, choices=SourceChannel.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    encoding = models.CharField(_("编码"), max_length=16, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("导入人"),
    )
    total = models.PositiveIntegerField(_("记录数"), default=0)
    created = models.PositiveIntegerField(_("新建案件"), default=0)
    duplicates = models.PositiveIntegerField(_("重复记录"), default=0)
    triaged = models.PositiveIntegerField(_("转人工研判"), default=0)
    failed = models.PositiveIntegerField(_("错误记录"), default=0)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel}:{self.file_name}"


class ImportRowError(models.Model):
    """A record of a batch file that was not imported, with the reason."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="errors", verbose_name=_("批次")
    )
    line = models.PositiveIntegerField(_("行号"))
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True)
    reason = models.CharField(_("原因"), max_length=300)
    # The whole source record: it carries the reporter's name and phone, so it
    # is encrypted at rest (docs/privacy.md) and never shown on a page.
    raw = EncryptedTextField(_("原始记录"), blank=True)

    class Meta:
        verbose_name = _("导入错误")
        verbose_name_plural = _("导入错误")
        ordering = ["batch", "line"]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"
