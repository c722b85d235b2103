"""Session policy and audit of denials, applied to every request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .audit import audit_record
from .constants import SEPARATED_ADMIN_ROLES, AuditAction, Role
from .security import password_expired

# Pages a user with an expired password may still reach.
_PASSWORD_EXEMPT = ("/accounts/password/", "/accounts/logout/", "/static/")
# 三员分立: a separated admin reaches only the accounts screens (its own
# screen is checked by the view) and nothing of the business side.
_ADMIN_ALLOWED = ("/accounts/", "/static/")
_ADMIN_HOME = {
    Role.SYSTEM_ADMIN: "accounts:admin_users",
    Role.SECURITY_ADMIN: "accounts:admin_security",
    Role.AUDIT_ADMIN: "accounts:admin_audit",
}


def _forbidden(request, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "forbidden", "message": message}, status=403)
    return TemplateResponse(request, "403.html", {"error_message": message}, status=403).render()


class AuditDenialMiddleware:
    """Every 403 answer, page or API, is a permission denial for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            audit_record(
                action=AuditAction.PERMISSION_DENIED,
                request=request,
                outcome="denied",
                detail={"method": request.method},
            )
        return response


class SessionPolicyMiddleware:
    """Idle timeout, absolute session limit and password age.

    The session remembers when the user signed in (``auth_at``) and was last
    seen (``seen_at``); past SESSION_IDLE_SECONDS of inactivity or
    SESSION_ABSOLUTE_SECONDS in all, the user is signed out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._session_expired(request)
            if expired:
                audit_record(
                    action=AuditAction.SESSION_EXPIRED,
                    request=request,
                    detail={"reason": expired},
                )
                logout(request)
                return self._to_login(request, _("长时间未操作,已自动退出,请重新登录。"))
            if password_expired(user) and not request.path.startswith(_PASSWORD_EXEMPT):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": "password_expired", "message": _("密码已过期,请先修改密码。")},
                        status=403,
                    )
                return redirect("accounts:password_change")
            admin_roles = user.role_set & SEPARATED_ADMIN_ROLES
            if admin_roles and not request.path.startswith(_ADMIN_ALLOWED):
                if request.path == "/":
                    return redirect(_ADMIN_HOME[next(iter(admin_roles))])
                return _forbidden(request, _("管理员账号只能使用本角色的管理功能。"))
        return self.get_response(request)

    @staticmethod
    def _session_expired(request) -> str:
        now = int(time.time())
        session = request.session
        started = session.get("auth_at")
        seen = session.get("seen_at")
        if started is None or seen is None:
            # A session created outside the login view (e.g. force_login).
            session["auth_at"] = session["seen_at"] = now
            return ""
        if now - seen > settings.SESSION_IDLE_SECONDS:
            return "idle"
        if now - started > settings.SESSION_ABSOLUTE_SECONDS:
            return "absolute"
        if now - seen >= 10:  # do not write the session on every request
            session["seen_at"] = now
        return ""

    @staticmethod
    def _to_login(request, message: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "unauthenticated", "message": message}, status=401)
        from django.contrib import messages

        messages.warning(request, message)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
