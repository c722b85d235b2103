"""Sign in and sign out (Django's auth views with Chinese templates)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import render

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Signing out changes state, so it happens only on POST; a GET shows a
    page with the confirm button instead of Django's bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "accounts/logout_confirm.html")
