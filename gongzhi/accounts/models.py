"""Users attached to one node of the territory tree, with roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel

from .constants import OFFICER_ROLES, STAFF_ROLES, Role


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
