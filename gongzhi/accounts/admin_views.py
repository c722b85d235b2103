"""三员分立 screens: each separated admin role has its own and only its own.

- system admin (系统管理员): accounts and roles within their subtree;
- security admin (安全管理员): security policy, lockouts, key rotation status;
- audit admin (审计管理员): the audit log and its chain check.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import NotFound, PermissionDenied
from gongzhi.core.keyrotation import key_status
from gongzhi.core.masking import mask_name

from .audit import audit_record, audit_verify
from .constants import AuditAction, Role
from .models import AuditEntry, User
from .security import current_lockouts, login_unlock
from .services import user_grant_role, user_revoke_role


def role_required(role: str):
    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(role):
                raise PermissionDenied(_("您没有访问此页面的权限。"))
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            return response

        return wrapped

    return decorator


def _scoped_users(admin: User):
    qs = User.objects.select_related("division").prefetch_related("roles").order_by("username")
    if admin.scope_code:
        qs = qs.filter(division__code__startswith=admin.scope_code)
    return qs


@role_required(Role.SYSTEM_ADMIN)
def users_view(request):
    page = Paginator(_scoped_users(request.user), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "user": u,
            "name": mask_name(u.display_name),
            "roles": [r.get_role_display() for r in u.roles.all()],
        }
        for u in page
    ]
    return TemplateResponse(
        request,
        "accounts/admin_users.html",
        {"page": page, "rows": rows, "role_choices": Role.choices},
    )


@require_POST
@role_required(Role.SYSTEM_ADMIN)
def user_role_change(request, user_id: int):
    target = _scoped_users(request.user).filter(pk=user_id).first()
    if target is None:
        raise NotFound(_("账号不存在或不在您的管辖范围内。"))
    role = request.POST.get("role", "")
    if request.POST.get("op") == "revoke":
        user_revoke_role(user=target, role=role, actor=request.user)
    else:
        user_grant_role(user=target, role=role, actor=request.user)
    messages.success(request, _("已更新账号 %(name)s 的角色。") % {"name": target.username})
    return redirect("accounts:admin_users")


@role_required(Role.SECURITY_ADMIN)
def security_view(request):
    policy = [
        (_("密码最短长度"), "12"),
        (_("密码字符类别"), _("至少3类")),
        (_("密码有效期(天)"), settings.PASSWORD_MAX_AGE_DAYS),
        (_("连续失败锁定次数"), settings.LOGIN_MAX_FAILURES),
        (_("锁定时长(分钟)"), settings.LOGIN_LOCKOUT_SECONDS // 60),
        (_("空闲超时(分钟)"), settings.SESSION_IDLE_SECONDS // 60),
        (_("会话最长时长(小时)"), round(settings.SESSION_ABSOLUTE_SECONDS / 3600, 1)),
        (_("审计日志保存(天)"), settings.AUDIT_RETENTION_DAYS),
        (_("加密密钥来源"), _("本机文件") if settings.FIELD_KEYS_FROM_FILES else _("环境变量")),
    ]
    return TemplateResponse(
        request,
        "accounts/admin_security.html",
        {"policy": policy, "lockouts": current_lockouts(), "keys": key_status()},
    )


@require_POST
@role_required(Role.SECURITY_ADMIN)
def security_unlock(request):
    username = request.POST.get("username", "")
    if login_unlock(username):
        audit_record(
            action=AuditAction.ACCOUNT_UNLOCK, request=request, detail={"username": username}
        )
        messages.success(request, _("已解除 %(name)s 的锁定。") % {"name": username})
    return redirect("accounts:admin_security")


@role_required(Role.AUDIT_ADMIN)
def audit_view(request):
    entries = AuditEntry.objects.order_by("-seq")
    action = request.GET.get("action", "")
    if action:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    verify = audit_verify() if request.GET.get("verify") else None
    labels = dict(AuditAction.choices)
    return TemplateResponse(
        request,
        "accounts/admin_audit.html",
        {
            "page": page,
            "labels": labels,
            "actions": AuditAction.choices,
            "action": action,
            "verify": verify,
        },
    )
