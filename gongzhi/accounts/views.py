"""Sign in (password, then TOTP for officer and admin roles), sign out,
change password."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.ratelimit import rate_limit_hit, request_ip, too_many_requests

from .audit import audit_record
from .constants import AuditAction
from .forms import LOCKED_LOGIN, LoginForm, PasswordChangeForm, TotpForm
from .models import User
from .reveal import personal_data_reveal
from .security import (
    login_failure_register,
    login_failures_clear,
    login_locked_until,
    totp_check,
    totp_new_secret,
    totp_uri,
)

PENDING = "pending_mfa"


def _complete_login(request, user: User, *, mfa: bool) -> None:
    auth_login(request, user, backend="gongzhi.accounts.backends.ScopedUserBackend")
    login_failures_clear(user.username)
    audit_record(action=AuditAction.LOGIN_SUCCESS, actor=user, request=request, detail={"mfa": mfa})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if rate_limit_hit("login", request_ip(request), limit=settings.LOGIN_RATE_LIMIT, window=60):
            audit_record(
                action=AuditAction.LOGIN_RATE_LIMITED,
                request=request,
                username=username[:150],
                outcome="denied",
            )
            return too_many_requests(request)
        if username and login_locked_until(username):
            audit_record(
                action=AuditAction.LOGIN_LOCKED,
                request=request,
                username=username[:150],
                outcome="denied",
            )
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, LOCKED_LOGIN)
            return self.render_to_response(self.get_context_data(form=form), status=200)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        if username and self.request.POST.get("password"):
            locked = login_failure_register(username)
            audit_record(
                action=AuditAction.LOGIN_FAILURE,
                request=self.request,
                username=username[:150],
                outcome="denied",
                detail={"locked": locked},
            )
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        if user.needs_totp:
            self.request.session[PENDING] = {
                "user_id": user.pk,
                "at": int(time.time()),
                "next": self.get_redirect_url(),
            }
            return redirect("accounts:totp")
        _complete_login(self.request, user, mfa=False)
        return redirect(self.get_success_url())


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING) or {}
    if not pending or time.time() - pending.get("at", 0) > settings.TOTP_PENDING_SECONDS:
        return None, {}
    return User.objects.filter(pk=pending["user_id"], is_active=True).first(), pending


def totp_view(request):
    """Second step: a 6-digit code from the authenticator app. A user without
    a secret enrols here (the secret is shown once and confirmed by a code)."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        messages.warning(request, _("登录已超时,请重新输入用户名和密码。"))
        return redirect("accounts:login")
    enrolling = not user.totp_secret
    if enrolling:
        pending.setdefault("secret", totp_new_secret())
        request.session[PENDING] = pending
    secret = user.totp_secret or pending["secret"]
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if login_locked_until(user.username):
            request.session.pop(PENDING, None)
            messages.error(request, LOCKED_LOGIN)
            return redirect("accounts:login")
        if totp_check(user, secret, form.cleaned_data["code"]):
            if enrolling:
                user.totp_secret = secret
                user.save(update_fields=["totp_secret"])
            request.session.pop(PENDING, None)
            _complete_login(request, user, mfa=True)
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse(settings.LOGIN_REDIRECT_URL)
            return redirect(target or settings.LOGIN_REDIRECT_URL)
        locked = login_failure_register(user.username)
        audit_record(
            action=AuditAction.TOTP_FAILURE,
            request=request,
            username=user.username,
            outcome="denied",
            detail={"locked": locked},
        )
        if locked:
            request.session.pop(PENDING, None)
            messages.error(request, LOCKED_LOGIN)
            return redirect("accounts:login")
        form.add_error("code", _("动态口令不正确或已使用,请输入验证器中的最新口令。"))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context.update(secret=secret, uri=totp_uri(user, secret))
    response = render(request, "accounts/totp.html", context)
    response["Cache-Control"] = "no-store"
    return response


class LogoutView(auth_views.LogoutView):
    """Signing out changes state, so it happens only on POST; a GET shows a
    page with the confirm button instead of Django's bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "accounts/logout_confirm.html")

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit_record(action=AuditAction.LOGOUT, request=request)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form):
        user = form.save(commit=False)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        update_session_auth_hash(self.request, user)
        audit_record(action=AuditAction.PASSWORD_CHANGE, actor=user, request=self.request)
        messages.success(self.request, _("密码已修改。"))
        return redirect(self.get_success_url())


@login_required
@require_POST
def reveal_view(request, label: str, pk: int, field: str):
    """htmx: swaps the masked value for the full one (no-store, audited)."""
    value = personal_data_reveal(
        actor=request.user,
        label=label,
        pk=pk,
        field=field,
        reason=request.POST.get("reason", ""),
        request=request,
    )
    response = HttpResponse(escape(value), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
