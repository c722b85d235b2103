"""``manage.py create_api_key --platform NAME``: a new API key, printed once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gongzhi.core.errors import ValidationFailed
from gongzhi.intake.auth import api_key_create, platform_code
from gongzhi.intake.models import IntegrationPlatform


class Command(BaseCommand):
    help = "为对接平台生成接口密钥(平台不存在时自动创建);密钥只显示这一次。"

    def add_arguments(self, parser):
        parser.add_argument("--platform", required=True, help="平台编码(字母、数字、-、_,如 szcg)")
        parser.add_argument("--name", default="", help="平台中文名称(新建平台时使用)")

    @transaction.atomic
    def handle(self, *args, platform: str, name: str, **options):
        try:
            code = platform_code(platform)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from None
        obj, created = IntegrationPlatform.objects.get_or_create(
            code=code, defaults={"name": name.strip() or code}
        )
        if not obj.active:
            raise CommandError(f"平台“{obj.code}”已停用,不能生成密钥。")
        key, raw = api_key_create(platform=obj)
        if created:
            self.stderr.write(f"已创建对接平台:{obj.code}({obj.name})")
        self.stderr.write(f"已生成密钥(前缀 {key.prefix}),请妥善保存,此后不再显示:")
        self.stdout.write(raw)
