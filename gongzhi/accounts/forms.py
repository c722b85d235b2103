"""Sign-in, second-factor and password forms in Chinese."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

# One message for an unknown user, a wrong password and an inactive account,
# so the form does not reveal which user names exist.
INVALID_LOGIN = _("用户名或密码不正确")
# Shown for any locked name, existing or not, for the same reason.
LOCKED_LOGIN = _("登录失败次数过多,该账号已锁定15分钟,请稍后再试。")


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        error_messages={"required": _("请输入用户名")},
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("请输入密码")},
    )

    error_messages = {
        "invalid_login": INVALID_LOGIN,
        "inactive": INVALID_LOGIN,
    }


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("动态口令"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
        error_messages={"required": _("请输入6位动态口令")},
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        "password_mismatch": _("两次输入的新密码不一致。"),
        "password_incorrect": _("原密码不正确。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("原密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")
        self.fields["new_password1"].help_text = _(
            "至少12位,包含小写字母、大写字母、数字、其他符号中的至少3类,不能是常见密码。"
        )
