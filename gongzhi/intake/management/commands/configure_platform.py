"""``manage.py configure_platform --platform CODE --channel CH [--callback-url URL]
[--new-webhook-secret]``: a source platform's webhook settings.

Signed webhooks need the platform's HMAC key and status push-back needs its
callback address; this sets both (the key is generated here and printed once).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed
from gongzhi.intake.auth import platform_code, platform_configure
from gongzhi.intake.models import SourceChannel


class Command(BaseCommand):
    help = _("配置对接平台的回调:接入渠道、状态回推地址、签名密钥(新密钥只显示这一次)")

    def add_arguments(self, parser):
        parser.add_argument("--platform", required=True, help=_("平台编码(字母、数字、-、_)"))
        parser.add_argument("--name", default="", help=_("平台中文名称"))
        parser.add_argument(
            "--channel",
            choices=[c.value for c in SourceChannel],
            help=_("该平台推送的渠道(webhook 路径中的渠道名)"),
        )
        parser.add_argument(
            "--callback-url", help=_("状态回推地址(http/https);传空字符串则不再回推")
        )
        parser.add_argument(
            "--new-webhook-secret",
            action="store_true",
            help=_("生成新的 HMAC 签名密钥(旧密钥立即失效)"),
        )

    def handle(self, *args, platform, name, channel, callback_url, new_webhook_secret, **options):
        try:
            code = platform_code(platform)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from None
        try:
            obj, created, secret = platform_configure(
                code=code,
                name=name.strip(),
                channel=channel,
                callback_url=None if callback_url is None else callback_url.strip(),
                new_secret=new_webhook_secret,
            )
        except ValidationError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(_("平台配置有误:%(d)s") % {"d": details}) from None
        self.stderr.write(
            (_("已创建对接平台:%(c)s(%(n)s)") if created else _("已更新对接平台:%(c)s(%(n)s)"))
            % {"c": obj.code, "n": obj.name}
        )
        self.stderr.write(
            _("接入渠道:%(ch)s;状态回推:%(url)s;签名密钥:%(s)s")
            % {
                "ch": obj.get_channel_display() or _("未设置"),
                "url": obj.callback_url or _("不回推"),
                "s": _("已设置") if obj.webhook_secret else _("未设置(webhook 一律 401)"),
            }
        )
        if secret:
            self.stderr.write(_("新的签名密钥如下,请妥善保存,此后不再显示:"))
            self.stdout.write(secret)
