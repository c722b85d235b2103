from django.apps import AppConfig


def _stamp_session(sender, request, user, **kwargs):
    """Every sign-in (the login views, and force_login in tests) starts the
    idle and absolute clocks of SessionPolicyMiddleware."""
    import time

    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session["auth_at"] = request.session["seen_at"] = now


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_stamp_session, dispatch_uid="accounts.stamp_session")
