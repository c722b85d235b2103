"""Writes to accounts: creating users and granting roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed
from gongzhi.org.models import Department, Division

from .audit import audit_record
from .constants import SEPARATED_ADMIN_ROLES, AuditAction, Role
from .models import User, UserRole


def _check_roles(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationFailed(_("未知角色:%(roles)s") % {"roles": "、".join(sorted(unknown))})
    if len(roles & SEPARATED_ADMIN_ROLES) > 1:
        raise ValidationFailed(
            _("三员分立:系统管理员、安全管理员、审计管理员不能由同一账号兼任。"),
            code="separation_of_duties",
        )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    division: Division,
    roles: Iterable[str],
    display_name: str = "",
    department: Department | None = None,
    actor: User | None = None,
) -> User:
    role_set = set(roles)
    if not role_set:
        raise ValidationFailed(_("每个账号至少需要一个角色。"))
    _check_roles(role_set)
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("用户名“%(name)s”已存在。") % {"name": username}, code="duplicate")
    if department is not None and not department.division.code.startswith(division.code[:6]):
        raise ValidationFailed(_("所属部门不在该账号的区划范围内。"))
    user = User(
        username=username, display_name=display_name, division=division, department=department
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed("".join(exc.messages), code="weak_password") from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in sorted(role_set)])
    audit_record(
        action=AuditAction.USER_CREATE,
        actor=actor,
        target=user,
        scope_code=division.code,
        detail={"username": username, "roles": sorted(role_set)},
    )
    return user


@transaction.atomic
def user_grant_role(*, user: User, role: str, actor: User | None = None) -> UserRole:
    # Lock the user row so two concurrent grants cannot both pass the
    # separation-of-duties check.
    User.objects.select_for_update().get(pk=user.pk)
    current = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    _check_roles(current | {role})
    grant, created = UserRole.objects.get_or_create(user=user, role=role)
    user.__dict__.pop("_role_cache", None)
    if created:
        audit_record(
            action=AuditAction.ROLE_GRANT,
            actor=actor,
            target=user,
            scope_code=user.scope_code or "",
            detail={"username": user.username, "role": role},
        )
    return grant


@transaction.atomic
def user_revoke_role(*, user: User, role: str, actor: User | None = None) -> None:
    User.objects.select_for_update().get(pk=user.pk)
    deleted, _rows = UserRole.objects.filter(user=user, role=role).delete()
    user.__dict__.pop("_role_cache", None)
    if deleted:
        audit_record(
            action=AuditAction.ROLE_REVOKE,
            actor=actor,
            target=user,
            scope_code=user.scope_code or "",
            detail={"username": user.username, "role": role},
        )
