"""Users attached to one node of the territory tree, with roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedCharField
from gongzhi.core.models import TimeStampedModel

from .constants import OFFICER_ROLES, STAFF_ROLES, TOTP_ROLES, Role


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=32, blank=True)
    # The node whose subtree this user may see. Required for every account
    # that uses the platform; only the bootstrap superuser may lack it.
    division = models.ForeignKey(
        "org.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属区划"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属部门"),
    )
    # Staff change their password every 90 days (password_age middleware).
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    # TOTP second factor (RFC 6238) for officer and admin roles; the shared
    # secret is a credential, so it is encrypted like personal data.
    totp_secret = EncryptedCharField(_("动态口令密钥"), max_length=64, blank=True)
    # The last accepted time step: a code is accepted once (no replay).
    totp_last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def scope_code(self) -> str | None:
        return self.division.code if self.division_id else None

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = (
                frozenset(self.roles.values_list("role", flat=True)) if self.pk else frozenset()
            )
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_officer(self) -> bool:
        return bool(self.role_set & OFFICER_ROLES)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.role_set & STAFF_ROLES)

    @property
    def needs_totp(self) -> bool:
        return bool(self.role_set & TOTP_ROLES)


class UserRole(TimeStampedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="user_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class AppendOnlyError(Exception):
    pass


class AuditEntry(models.Model):
    """One row of the append-only, hash-chained audit log.

    ``hash`` is SHA-256 over the previous row's hash and this row's canonical
    content (:func:`gongzhi.accounts.audit.entry_digest`), so changing or
    removing any row breaks every hash after it (``manage.py audit_verify``).
    Rows are written only by :func:`gongzhi.accounts.audit.audit_record`;
    the database refuses UPDATE and DELETE (triggers in the migration).
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("事件"), max_length=32, db_index=True)
    outcome = models.CharField(_("结果"), max_length=16, default="ok")
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    scope_code = models.CharField(_("区划"), max_length=19, blank=True)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    path = models.CharField(_("请求路径"), max_length=255, blank=True)
    reason = models.TextField(_("事由"), blank=True)
    # Masked values only: the audit log must not become a copy of personal data.
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    @property
    def action_label(self) -> str:
        from .constants import AuditAction

        return str(dict(AuditAction.choices).get(self.action, self.action))


class AuditHead(models.Model):
    """One row: the last sequence number and hash. Appending locks it, so two
    concurrent appends cannot both chain onto the same predecessor."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class LoginThrottle(models.Model):
    """Failed sign-ins per user name (known or not, so that lockout does not
    reveal which names exist): 5 failures lock the name for 15 minutes."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"
